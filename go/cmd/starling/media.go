package main

import (
	"context"
	"fmt"
	"log/slog"
	"path/filepath"
	"runtime"
	"time"

	"github.com/starling-social/starling/go/api/mastodon"
	"github.com/starling-social/starling/go/media"
	"github.com/starling-social/starling/go/social"
)

// openMedia opens the media directory and returns the processor the
// service uses and the options the API serves and advertises.
func openMedia(c serveConfig) (*media.Library, mastodon.MediaOptions, error) {
	dir := c.mediaDir
	if dir == "" {
		dir = filepath.Join(c.storage.dataDir, "media")
	}
	disk, err := media.NewDisk(dir)
	if err != nil {
		return nil, mastodon.MediaOptions{}, fmt.Errorf("--media-dir: %w", err)
	}
	lim := media.Limits{MaxBytes: c.mediaMaxBytes, MaxPixels: c.mediaMaxPixels}
	// One decode per core: decoding is CPU-bound, and each holds up to
	// MaxPixels × 4 bytes.
	lib := media.NewLibrary(disk, lim, runtime.GOMAXPROCS(0))
	return lib, mastodon.MediaOptions{URL: c.mediaURL, Files: disk, MaxBytes: lim.MaxBytes, MaxPixels: lim.MaxPixels,
		Types: media.SupportedTypes}, nil
}

// mediaPruneEvery is how often uploads never posted are looked for.
const mediaPruneEvery = time.Hour

// pruneMedia removes uploads never posted (social.UnattachedMediaTTL) once
// at start and then every mediaPruneEvery, until ctx ends.
func pruneMedia(ctx context.Context, svc *social.Service, log *slog.Logger) {
	t := time.NewTicker(mediaPruneEvery)
	defer t.Stop()
	for {
		n, err := svc.PruneMedia(ctx)
		if err != nil && ctx.Err() == nil {
			log.Warn("pruning unattached media", "err", err)
		} else if n > 0 {
			log.Info("pruned unattached media", "removed", n)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
