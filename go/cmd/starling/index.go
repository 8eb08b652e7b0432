package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/starling-social/starling/go/search"
	"github.com/starling-social/starling/go/search/subword"
	"github.com/starling-social/starling/go/social"
	"github.com/starling-social/starling/go/streaming"
)

// indexConfig is the vector index's part of the serve flags.
type indexConfig struct {
	dir           string
	flatThreshold int
	nprobe        int
	refine        int
	follow        time.Duration
	snapshotEvery time.Duration

	embedder      string
	subwordModel  string // a model file of `starling embedder train --from-statuses`; "" the shipped one
	dataDir       string // where trained models are found (<data-dir>/embedder), set from the storage flags
	embedderURL   string
	embedderModel string
	embedderDim   int
	embedderKey   string
	embedderBatch int
	embedderWait  time.Duration
	embedderCool  time.Duration
	embedderRetry time.Duration
}

func (c *indexConfig) register(fs *flag.FlagSet) {
	fs.StringVar(&c.dir, "index-dir", "", "directory of the vector index snapshots (default <data-dir>/index)")
	fs.IntVar(&c.flatThreshold, "index-flat-threshold", 20_000, "vectors from which the exact index is replaced by an IVF-PQ index trained in the background")
	fs.IntVar(&c.nprobe, "index-nprobe", 0, "IVF-PQ inverted lists searched per query; 0: auto, a tenth of the lists, at least 32")
	fs.IntVar(&c.refine, "index-refine", 16, "IVF-PQ exact re-rank depth (times k)")
	fs.DurationVar(&c.follow, "index-follow", 5*time.Second, "how often to add the vectors other server processes stored (several processes on one database); 0 disables it")
	fs.DurationVar(&c.snapshotEvery, "index-snapshot-every", 10*time.Minute, "how often to write the index snapshot (also written at shutdown); 0: at shutdown only")
	fs.StringVar(&c.embedder, "embedder", "subword", `text embedder for search: "subword" (built in: word vectors with character n-grams, trained on short-posts-en), "hash" (built in: feature hashing, words only) or "openai" (an OpenAI-compatible /v1/embeddings service: Ollama, vLLM, TEI, hosted)`)
	fs.StringVar(&c.subwordModel, "subword-model", "", "subword embedder: a model file trained on this instance's statuses by \"starling embedder train --from-statuses\" (default: the shipped model); changing it re-embeds every status in the background")
	fs.StringVar(&c.embedderURL, "embedder-url", "", "openai embedder: API base URL, e.g. http://127.0.0.1:11434/v1")
	fs.StringVar(&c.embedderModel, "embedder-model", "", "openai embedder: model name")
	fs.IntVar(&c.embedderDim, "embedder-dim", 0, "openai embedder: the model's vector dimension")
	fs.StringVar(&c.embedderKey, "embedder-api-key", "", "openai embedder: bearer API key (prefer STARLING_EMBEDDER_API_KEY)")
	fs.IntVar(&c.embedderBatch, "embedder-batch", 64, "openai embedder: texts per request")
	fs.DurationVar(&c.embedderWait, "embedder-timeout", 10*time.Second, "openai embedder: timeout per request")
	fs.DurationVar(&c.embedderCool, "embedder-cooldown", 30*time.Second, "openai embedder: how long the circuit stays open after repeated failures before a trial call")
	fs.DurationVar(&c.embedderRetry, "embedder-retry", 10*time.Second, "how often the embedding job looks again for statuses without a vector (after a failure, or one missed)")
}

// newEmbedder returns the embedder the flags select, and whether it is
// fast enough to embed a status as it is posted. observe, if not nil, is
// told of every request to a remote embedder (metrics).
func (c *indexConfig) newEmbedder(log *slog.Logger, observe func(time.Duration, error)) (search.Embedder, bool, error) {
	switch c.embedder {
	case "subword":
		m, err := c.subword()
		if err != nil {
			return nil, false, fmt.Errorf("--embedder subword: %w", err)
		}
		return m, true, nil
	case "hash":
		return search.NewHashEmbedder(search.DefaultDim), true, nil
	case "openai":
		e, err := search.NewHTTPEmbedder(search.HTTPEmbedderConfig{URL: c.embedderURL, Model: c.embedderModel, Dim: c.embedderDim,
			APIKey: c.embedderKey, BatchSize: c.embedderBatch, Timeout: c.embedderWait, BreakerCooldown: c.embedderCool, Log: log, Observe: observe})
		if err != nil {
			return nil, false, fmt.Errorf("--embedder openai: %w (set --embedder-url, --embedder-model and --embedder-dim)", err)
		}
		return e, false, nil
	}
	return nil, false, fmt.Errorf("--embedder must be subword, hash or openai, got %q", c.embedder)
}

// tagMeaning is the embedder of the hashtag typeahead's semantic fallback:
// the built-in subword model's word vectors when it is the embedder (the
// hash embedder knows no meaning, and a remote one is too slow to call
// per keystroke), else none.
func (c *indexConfig) typeaheadMeaning() social.Embedder {
	if c.embedder != "subword" {
		return nil
	}
	m, err := c.subword()
	if err != nil {
		return nil // validate reported it
	}
	return m
}

// subword is the subword model the flags select: --subword-model, else
// the shipped one.
func (c *indexConfig) subword() (*subword.Model, error) {
	if c.subwordModel == "" {
		m, err := subword.Default()
		if err != nil {
			return nil, fmt.Errorf("the built-in model: %w", err)
		}
		return m, nil
	}
	m, err := loadSubwordModel(c.subwordModel)
	if err != nil {
		return nil, fmt.Errorf("--subword-model: %w", err)
	}
	return m, nil
}

// subwordModels caches the model files loaded, by path: the flags are
// validated, then the same model serves search and the typeahead.
var subwordModels = struct {
	sync.Mutex
	m map[string]*subword.Model
}{m: map[string]*subword.Model{}}

// maxModelBytes bounds a model file read (the shipped one is 2.6 MB; a
// model is Buckets+words rows of Dim bytes).
const maxModelBytes = 256 << 20

func loadSubwordModel(path string) (*subword.Model, error) {
	subwordModels.Lock()
	defer subwordModels.Unlock()
	if m, ok := subwordModels.m[path]; ok {
		return m, nil
	}
	fi, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if fi.Size() > maxModelBytes {
		return nil, fmt.Errorf("%s: %d bytes, more than a model has (%d)", path, fi.Size(), maxModelBytes)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	m, err := subword.Load(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	subwordModels.m[path] = m
	return m, nil
}

// subwordModelsDir is where trained models are written, each named
// <model name>.model, so that after a switch the previous model is found
// by the name its snapshot records.
func subwordModelsDir(dataDir string) string { return filepath.Join(dataDir, "embedder") }

func (c *indexConfig) validate() error {
	if c.flatThreshold < 1 || c.nprobe < 0 || c.refine < 1 {
		return fmt.Errorf("--index-flat-threshold and --index-refine must be positive, --index-nprobe not negative")
	}
	if c.follow < 0 || c.snapshotEvery < 0 {
		return fmt.Errorf("--index-follow and --index-snapshot-every must not be negative")
	}
	if c.embedderRetry <= 0 {
		return fmt.Errorf("--embedder-retry must be positive")
	}
	_, _, err := c.newEmbedder(slog.Default(), nil)
	return err
}

func (c *indexConfig) snapshotDir(dataDir string) string {
	if c.dir != "" {
		return c.dir
	}
	return filepath.Join(dataDir, "index")
}

// startStatusIndex opens the statuses' vector index (snapshot, else built
// from SQL, then caught up), keeps it following the database and writes
// snapshots. The returned function stops that, writes a last snapshot and
// frees the index.
//
// Deletions reach every process's index over the streaming bus (another
// process's delete arrives as a "delete" event); one lost there is removed
// when a search next finds it missing from the database, or at a rebuild.
// Suspensions travel the same way ("sessions_revoked" takes the account's
// statuses out, "accounts_reinstated" puts them back).
func startStatusIndex(ctx context.Context, c indexConfig, dataDir string, vectors search.VectorStore,
	bus streaming.Bus, observe func(time.Duration, error), log *slog.Logger) (*search.Statuses, func(), error) {
	emb, inline, err := c.newEmbedder(log, observe)
	if err != nil {
		return nil, nil, err
	}
	src := search.EmbedderVectors{Store: vectors, Embedder: emb.Name()}
	idx, err := search.NewIndex(ctx, search.IndexConfig{Name: "statuses", Dim: emb.Dim(), FlatThreshold: c.flatThreshold,
		NProbe: c.nprobe, RefineFactor: c.refine}, src, log)
	if err != nil {
		return nil, nil, err
	}
	statuses := search.NewStatuses(emb, idx, vectors, inline, log)
	dir := c.snapshotDir(dataDir)
	if err := servePrevious(ctx, c, statuses, dir, vectors, log); err != nil {
		idx.Close()
		return nil, nil, err
	}
	if err := statuses.Open(ctx, dir); err != nil {
		statuses.ClosePrevious()
		idx.Close()
		return nil, nil, err
	}
	bg, stop := context.WithCancel(ctx)
	var wg sync.WaitGroup
	if c.follow > 0 {
		wg.Add(1)
		go func() { defer wg.Done(); idx.Follow(bg, c.follow) }()
	}
	wg.Add(1)
	go func() { defer wg.Done(); statuses.RunEmbedder(bg, c.embedderRetry) }()
	msgs, unsubscribe := bus.Subscribe()
	wg.Add(1)
	go func() {
		defer wg.Done()
		for m := range msgs {
			switch {
			case m.Kind == streaming.KindDelete && m.StatusID != 0:
				statuses.StatusesDeleted(bg, []int64{m.StatusID})
			case m.Kind == streaming.KindSessionsRevoked || m.Kind == streaming.KindAccountsReinstated:
				for _, id := range m.Accounts {
					statuses.AccountSuspended(bg, id, m.Kind == streaming.KindSessionsRevoked)
				}
			}
		}
	}()
	if c.snapshotEvery > 0 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			t := time.NewTicker(c.snapshotEvery)
			defer t.Stop()
			for {
				select {
				case <-bg.Done():
					return
				case <-t.C:
					if err := statuses.Save(dir); err != nil {
						log.Warn("search: index snapshot", "err", err)
					}
				}
			}
		}()
	}
	return statuses, func() {
		stop()
		unsubscribe()
		wg.Wait()
		if err := statuses.Save(dir); err != nil {
			log.Warn("search: index snapshot at shutdown", "err", err)
		}
		statuses.ClosePrevious()
		idx.Close()
	}, nil
}

// servePrevious keeps search on the embedder of the snapshot in dir when
// the configured one differs (the embedder was changed), if that embedder
// is built in and so can still embed queries: the background job embeds
// every status under the new one meanwhile, and searches switch when it
// is done. An HTTP embedder's old snapshot is not served (its service may
// be gone): search then uses the new index as it fills.
func servePrevious(ctx context.Context, c indexConfig, statuses *search.Statuses, dir string, vectors search.VectorStore, log *slog.Logger) error {
	name := search.SnapshotEmbedder(dir)
	serving, _ := statuses.Serving()
	if name == "" || name == serving {
		return nil
	}
	old := builtinEmbedder(name, subwordModelsDir(c.dataDir))
	if old == nil {
		log.Info("search: the index snapshot is another embedder's, which is not built in; rebuilding", "snapshot", name, "embedder", serving)
		return nil
	}
	idx, err := search.NewIndex(ctx, search.IndexConfig{Name: "statuses", Dim: old.Dim(), FlatThreshold: c.flatThreshold,
		NProbe: c.nprobe, RefineFactor: c.refine}, search.EmbedderVectors{Store: vectors, Embedder: name}, log)
	if err != nil {
		return err
	}
	prev, err := search.OpenPrevious(ctx, old, idx, dir)
	if err != nil {
		idx.Close()
		log.Warn("search: could not open the previous embedder's index; search uses the new one as it fills", "previous", name, "err", err)
		return nil
	}
	statuses.ServePrevious(prev)
	log.Info("search: embedder changed; searches use the previous embedder's index until every status is embedded again",
		"previous", name, "vectors", idx.Len(), "embedder", serving)
	return nil
}

// builtinEmbedder returns the built-in embedder with this name, or nil:
// feature hashing, the shipped subword model, or a subword model trained
// here (modelsDir/<name>.model).
func builtinEmbedder(name, modelsDir string) search.TextEmbedder {
	var dim int
	if _, err := fmt.Sscanf(name, "hash-v1-%d", &dim); err == nil && dim > 0 && dim <= 4096 && name == fmt.Sprintf("hash-v1-%d", dim) {
		return search.NewHashEmbedder(dim)
	}
	if m, err := subword.Default(); err == nil && m.Name() == name {
		return m
	}
	if strings.HasPrefix(name, "subword-") && !strings.ContainsAny(name, `/\.`) {
		if m, err := loadSubwordModel(filepath.Join(modelsDir, name+".model")); err == nil && m.Name() == name {
			return m
		}
	}
	return nil
}
