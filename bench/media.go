package main

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"hash/crc32"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/starling-social/starling/go/media"
)

// mediaResult is one JSON line of `media`: upload-to-ready cost of one
// photo through media.Library (sniff, header checks, decode, orientation,
// re-encode, preview, blurhash, two atomic writes) — everything an upload
// request does besides reading the body and one INSERT. Documented in
// bench/README.md.
type mediaResult struct {
	Engine  string  `json:"engine"`
	Bench   string  `json:"bench"`
	Case    string  `json:"case"` // "photo", "all" (every photo, concurrently) or "bombs"
	File    string  `json:"file,omitempty"`
	Bytes   int     `json:"bytes,omitempty"`
	Width   int     `json:"width,omitempty"`
	Height  int     `json:"height,omitempty"`
	Uploads int     `json:"uploads"`
	Clients int     `json:"clients"`
	Refused int     `json:"refused"`
	PerS    float64 `json:"uploads_per_s"`
	P50MS   float64 `json:"p50_ms"`
	P95MS   float64 `json:"p95_ms"`
	MaxMS   float64 `json:"max_ms"`
	// CPUMSPerUpload is the process's user+system CPU over the timed
	// uploads, per upload.
	CPUMSPerUpload float64 `json:"cpu_ms_per_upload"`
	// PeakRSSMB is the process's peak resident set (VmHWM) after the case;
	// RSSGrowthMB what the case added to the peak before it.
	PeakRSSMB   float64 `json:"peak_rss_mb"`
	RSSGrowthMB float64 `json:"rss_growth_mb"`
	provenance
}

func runMedia(e *env, args []string) error {
	fs := flag.NewFlagSet("media", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	photos := fs.String("photos", "", "directory of JPEG/PNG/GIF/WebP photos to upload (e.g. Debian's mate-backgrounds, see bench/README.md)")
	rounds := fs.Int("rounds", 3, "uploads of each photo in its own case")
	clients := fs.Int("clients", 2, "concurrent uploads in the all-photos case (the server decodes one per core)")
	fs.Usage = func() {
		fmt.Fprintf(e.stderr, "usage: starling-bench media --photos DIR [flags]\n")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return usageError{err}
	}
	if *photos == "" || *rounds < 1 || *clients < 1 {
		return usagef("media: --photos is required; --rounds and --clients must be positive")
	}
	files, err := filepath.Glob(filepath.Join(*photos, "*"))
	if err != nil || len(files) == 0 {
		return usagef("media: no files in %s", *photos)
	}
	slices.Sort(files)
	data := make([][]byte, len(files))
	for i, f := range files {
		if data[i], err = os.ReadFile(f); err != nil {
			return usagef("media: %v", err)
		}
	}
	dir, err := os.MkdirTemp("", "starling-bench-media-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	disk, err := media.NewDisk(dir)
	if err != nil {
		return err
	}
	lib := media.NewLibrary(disk, media.DefaultLimits, *clients)
	prov := newProvenance(e.command)
	ctx := context.Background()

	// Bombs first, so their peak is not hidden by the photos'.
	bombs := [][]byte{pngBomb(100_000, 100_000), pngBomb(65_535, 65_535), pngBomb(1<<31-1, 1)}
	res := timeUploads(ctx, lib, bombs, 20, 1)
	res.Case = "bombs"
	if err := emit(e.stdout, withProv(res, prov)); err != nil {
		return err
	}
	if res.Refused != res.Uploads {
		return fmt.Errorf("media: %d of %d bombs accepted", res.Uploads-res.Refused, res.Uploads)
	}
	for i, f := range files {
		r := timeUploads(ctx, lib, [][]byte{data[i]}, *rounds, 1)
		r.Case, r.File, r.Bytes = "photo", filepath.Base(f), len(data[i])
		if m, err := lib.StoreMedia(ctx, data[i]); err == nil {
			r.Width, r.Height = m.Width, m.Height
		}
		fmt.Fprintf(e.stderr, "media: %s %d×%d p50 %.0f ms\n", r.File, r.Width, r.Height, r.P50MS)
		if err := emit(e.stdout, withProv(r, prov)); err != nil {
			return err
		}
	}
	all := timeUploads(ctx, lib, data, 1, *clients)
	all.Case = "all"
	return emit(e.stdout, withProv(all, prov))
}

func withProv(r mediaResult, p provenance) mediaResult {
	r.Engine, r.Bench, r.provenance = "starling", "media", p
	return r
}

// timeUploads stores each of photos rounds times with clients at once.
func timeUploads(ctx context.Context, lib *media.Library, photos [][]byte, rounds, clients int) mediaResult {
	type job struct{ data []byte }
	jobs := make(chan job)
	var (
		mu      sync.Mutex
		lat     []time.Duration
		refused int
		wg      sync.WaitGroup
	)
	hwmBefore := peakRSS()
	cpu0, t0 := cpuTime(), time.Now()
	for range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range jobs {
				start := time.Now()
				_, err := lib.StoreMedia(ctx, j.data)
				d := time.Since(start)
				mu.Lock()
				lat = append(lat, d)
				if err != nil {
					refused++
				}
				mu.Unlock()
			}
		}()
	}
	for range rounds {
		for _, p := range photos {
			jobs <- job{p}
		}
	}
	close(jobs)
	wg.Wait()
	wall, cpu := time.Since(t0), cpuTime()-cpu0
	slices.Sort(lat)
	n := len(lat)
	hwm := peakRSS()
	return mediaResult{Uploads: n, Clients: clients, Refused: refused, PerS: float64(n) / wall.Seconds(),
		P50MS: millis(percentile(lat, 0.5)), P95MS: millis(percentile(lat, 0.95)), MaxMS: millis(lat[n-1]),
		CPUMSPerUpload: millis(cpu) / float64(n), PeakRSSMB: hwm, RSSGrowthMB: hwm - hwmBefore}
}

func millis(d time.Duration) float64 { return float64(d.Microseconds()) / 1e3 }

// peakRSS is the process's peak resident set size in MiB (VmHWM), 0 where
// /proc is missing.
func peakRSS() float64 {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), "VmHWM:"); ok {
			kb, _ := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 64)
			return kb / 1024
		}
	}
	return 0
}

// pngBomb is a PNG header claiming w×h (valid CRC, no pixels): a few bytes
// that a decoder without a pixel limit would try to allocate w×h×4 for.
func pngBomb(w, h uint32) []byte {
	ihdr := []byte{'I', 'H', 'D', 'R', byte(w >> 24), byte(w >> 16), byte(w >> 8), byte(w),
		byte(h >> 24), byte(h >> 16), byte(h >> 8), byte(h), 8, 6, 0, 0, 0}
	crc := crc32.ChecksumIEEE(ihdr)
	out := []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\x0d")
	out = append(out, ihdr...)
	return append(out, byte(crc>>24), byte(crc>>16), byte(crc>>8), byte(crc))
}
