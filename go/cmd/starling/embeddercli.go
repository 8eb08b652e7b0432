package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/starling-social/starling/go/search/subword"
)

const embedderSynopsis = `starling embedder train --corpus FILE --out FILE [--epochs N] [--dim N]

  train   train the built-in subword embedder (skip-gram with character n-grams,
          SIF pooling) on a "row source text" TSV (gzip'd if *.gz), leaving every
          10th row out for the embedder bench, and write the model file. The run
          is deterministic: "make embedder-model" regenerates the shipped
          go/search/subword/default.model from ../shared/data/short-posts-en.`

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
	out := fs.String("out", "", "model file to write")
	cfg := subword.DefaultConfig
	fs.IntVar(&cfg.Epochs, "epochs", cfg.Epochs, "passes over the corpus")
	fs.IntVar(&cfg.Dim, "dim", cfg.Dim, "vector size")
	fs.Usage = usage(fs, embedderSynopsis)
	if err := parseFlags(fs, args[1:]); err != nil {
		return err
	}
	if *corpus == "" || *out == "" {
		return fmt.Errorf("embedder train: --corpus and --out are required")
	}
	posts, err := subword.ReadPosts(*corpus)
	if err != nil {
		return err
	}
	sentences := subword.TrainingSentences(posts)
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
	if err := os.WriteFile(*out, data, 0o644); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "%s: %s, %d words, %d bytes, trained on %d sentences in %s\n",
		*out, m.Name(), m.Words(), len(data), len(sentences), time.Since(start).Round(time.Second))
	return nil
}
