package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/starling-social/starling/go/store"

	"github.com/starling-social/starling/go/search/subword"
)

const embedderSynopsis = `starling embedder train --corpus FILE --out FILE [--epochs N] [--dim N]
starling embedder train --from-statuses [--data-dir DIR] [--db URL] [--max-statuses N] [--out FILE] [--epochs N] [--dim N]

  train   train the built-in subword embedder (skip-gram with character n-grams,
          SIF pooling) and write the model file.
          --corpus: on a "row source text" TSV (gzip'd if *.gz), leaving every
          10th row out for the embedder bench. The run is deterministic: "make
          embedder-model" regenerates the shipped go/search/subword/default.model
          from ../shared/data/short-posts-en.
          --from-statuses: on this instance's public and unlisted statuses (a
          uniform sample of at most --max-statuses), written by default to
          <data-dir>/embedder/<model name>.model. Serve it with
          "starling serve --subword-model FILE": every status is re-embedded in
          the background and search keeps the previous model's index until the
          new one is complete.`

// Bounds of --from-statuses: the sample is held in memory and trained on
// one core (about 30 s per epoch per 100,000 posts measured for the
// shipped model), and below minTrainStatuses there is too little text for
// word vectors: keep the shipped model.
const (
	defaultTrainStatuses = 200_000
	maxTrainStatuses     = 2_000_000
	minTrainStatuses     = 100
	trainReadBatch       = 1000
)

// runEmbedder is the offline embedder tooling (no server, no database).
func runEmbedder(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "train" {
		if len(args) > 0 && (args[0] == "help" || args[0] == "-h" || args[0] == "--help") {
			fmt.Fprintln(stdout, embedderSynopsis)
			return nil
		}
		return fmt.Errorf("usage: %s", embedderSynopsis)
	}
	fs := flag.NewFlagSet("embedder train", flag.ContinueOnError)
	fs.SetOutput(stderr)
	corpus := fs.String("corpus", "", "training corpus: TSV with header \"row source text\"")
	fromStatuses := fs.Bool("from-statuses", false, "train on this instance's public and unlisted statuses instead of --corpus")
	maxStatuses := fs.Int("max-statuses", defaultTrainStatuses, fmt.Sprintf("--from-statuses: sample at most this many statuses (1..%d)", maxTrainStatuses))
	var storage storageConfig
	storage.register(fs)
	out := fs.String("out", "", "model file to write (--from-statuses: default <data-dir>/embedder/<model name>.model)")
	cfg := subword.DefaultConfig
	fs.IntVar(&cfg.Epochs, "epochs", cfg.Epochs, "passes over the corpus")
	fs.IntVar(&cfg.Dim, "dim", cfg.Dim, "vector size")
	fs.Usage = usage(fs, embedderSynopsis)
	if err := parseFlags(fs, args[1:]); err != nil {
		return err
	}
	var sentences [][]string
	switch {
	case *fromStatuses && *corpus != "":
		return fmt.Errorf("embedder train: --corpus and --from-statuses exclude each other")
	case *fromStatuses:
		if *maxStatuses < 1 || *maxStatuses > maxTrainStatuses {
			return fmt.Errorf("embedder train: --max-statuses must be 1..%d", maxTrainStatuses)
		}
		st, err := openStore(ctx, storage)
		if err != nil {
			return err
		}
		texts, err := sampleStatusTexts(ctx, st, *maxStatuses, stderr)
		st.Close()
		if err != nil {
			return err
		}
		if len(texts) < minTrainStatuses {
			return fmt.Errorf("embedder train: only %d public statuses with words, want at least %d: keep the shipped model", len(texts), minTrainStatuses)
		}
		for _, t := range texts {
			sentences = append(sentences, subword.Tokenize(t))
		}
	case *corpus == "" || *out == "":
		return fmt.Errorf("embedder train: --corpus and --out (or --from-statuses) are required")
	default:
		posts, err := subword.ReadPosts(*corpus)
		if err != nil {
			return err
		}
		sentences = subword.TrainingSentences(posts)
	}
	start := time.Now()
	cfg.Progress = func(done float64) {
		if int(done*100)%10 == 0 {
			fmt.Fprintf(stderr, "training: %3.0f%% (%s)\n", done*100, time.Since(start).Round(time.Second))
		}
	}
	m, err := subword.Train(ctx, sentences, cfg)
	if err != nil {
		return err
	}
	data := m.Marshal()
	path := *out
	if path == "" {
		dir := subwordModelsDir(storage.dataDir)
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return err
		}
		path = filepath.Join(dir, m.Name()+".model")
	}
	if err := os.WriteFile(path, data, 0o644); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "%s: %s, %d words, %d bytes, trained on %d sentences in %s\n",
		path, m.Name(), m.Words(), len(data), len(sentences), time.Since(start).Round(time.Second))
	if *fromStatuses {
		fmt.Fprintf(stdout, "serve it with: starling serve --subword-model %s (statuses are re-embedded in the background)\n", path)
	}
	return nil
}

// sampleStatusTexts reads every public and unlisted status once, in pages,
// and keeps a uniform sample of at most n texts (reservoir sampling, fixed
// seed: the same database gives the same sample), showing progress.
func sampleStatusTexts(ctx context.Context, st store.Store, n int, progress io.Writer) ([]string, error) {
	rng := rand.New(rand.NewPCG(1, 2))
	var (
		sample []string
		after  int64
		seen   int
	)
	for {
		page, err := st.ListPublicStatusTexts(ctx, after, trainReadBatch)
		if err != nil {
			return nil, fmt.Errorf("embedder train: read statuses: %w", err)
		}
		for _, t := range page {
			text := strings.TrimSpace(t.SpoilerText + "\n" + t.Text)
			if text == "" {
				continue
			}
			seen++
			if len(sample) < n {
				sample = append(sample, text)
			} else if k := rng.IntN(seen); k < n {
				sample[k] = text
			}
		}
		if len(page) > 0 {
			after = page[len(page)-1].ID
		}
		if len(page) < trainReadBatch || seen%(100*trainReadBatch) < len(page) {
			fmt.Fprintf(progress, "reading statuses: %d read, %d kept\n", seen, len(sample))
		}
		if len(page) < trainReadBatch {
			return sample, nil
		}
	}
}
