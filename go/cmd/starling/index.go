package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"path/filepath"
	"sync"
	"time"

	"github.com/starling-social/starling/go/search"
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
}

func (c *indexConfig) register(fs *flag.FlagSet) {
	fs.StringVar(&c.dir, "index-dir", "", "directory of the vector index snapshots (default <data-dir>/index)")
	fs.IntVar(&c.flatThreshold, "index-flat-threshold", 20_000, "vectors from which the exact index is replaced by an IVF-PQ index trained in the background")
	fs.IntVar(&c.nprobe, "index-nprobe", 32, "IVF-PQ inverted lists searched per query")
	fs.IntVar(&c.refine, "index-refine", 8, "IVF-PQ exact re-rank depth (times k)")
	fs.DurationVar(&c.follow, "index-follow", 5*time.Second, "how often to add the vectors other server processes stored (several processes on one database); 0 disables it")
	fs.DurationVar(&c.snapshotEvery, "index-snapshot-every", 10*time.Minute, "how often to write the index snapshot (also written at shutdown); 0: at shutdown only")
}

func (c *indexConfig) validate() error {
	if c.flatThreshold < 1 || c.nprobe < 1 || c.refine < 1 {
		return fmt.Errorf("--index-flat-threshold, --index-nprobe and --index-refine must be positive")
	}
	if c.follow < 0 || c.snapshotEvery < 0 {
		return fmt.Errorf("--index-follow and --index-snapshot-every must not be negative")
	}
	return nil
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
func startStatusIndex(ctx context.Context, c indexConfig, dataDir string, emb search.TextEmbedder, src search.VectorSource,
	bus streaming.Bus, log *slog.Logger) (*search.Statuses, func(), error) {
	idx, err := search.NewIndex(ctx, search.IndexConfig{Name: "statuses", Dim: emb.Dim(), FlatThreshold: c.flatThreshold,
		NProbe: c.nprobe, RefineFactor: c.refine}, src, log)
	if err != nil {
		return nil, nil, err
	}
	statuses := search.NewStatuses(emb, idx, log)
	dir := c.snapshotDir(dataDir)
	if err := statuses.Open(ctx, dir); err != nil {
		idx.Close()
		return nil, nil, err
	}
	bg, stop := context.WithCancel(ctx)
	var wg sync.WaitGroup
	if c.follow > 0 {
		wg.Add(1)
		go func() { defer wg.Done(); idx.Follow(bg, c.follow) }()
	}
	msgs, unsubscribe := bus.Subscribe()
	wg.Add(1)
	go func() {
		defer wg.Done()
		for m := range msgs {
			if m.Kind == streaming.KindDelete && m.StatusID != 0 {
				statuses.StatusesDeleted(bg, []int64{m.StatusID})
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
		idx.Close()
	}, nil
}
