package main

import (
	"bufio"
	"compress/gzip"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"
	"time"
	"unicode/utf8"

	"golang.org/x/crypto/bcrypt"

	"github.com/starling-social/starling/go/snowflake"
	"github.com/starling-social/starling/go/social"
	"github.com/starling-social/starling/go/store"
	"github.com/starling-social/starling/go/store/sqlite"
)

// storeWriteResult is one JSON line of `store-write`: how fast posts are
// acknowledged by the whole write path (social.PostStatus over SQLite) with
// one durability setting. Documented in bench/README.md.
type storeWriteResult struct {
	Engine      string  `json:"engine"`
	Bench       string  `json:"bench"`
	Backend     string  `json:"backend"`
	Synchronous string  `json:"synchronous"`
	Posts       int     `json:"posts"`
	Clients     int     `json:"clients"`
	Seconds     float64 `json:"seconds"`
	PostsPerS   float64 `json:"posts_per_s"`
	P50US       float64 `json:"p50_us"`
	P95US       float64 `json:"p95_us"`
	P99US       float64 `json:"p99_us"`
	MaxUS       float64 `json:"max_us"`
	// CPUUSPerPost is the process's user+system CPU time over the timed
	// posts, per post: what the server would spend on each.
	CPUUSPerPost float64 `json:"cpu_us_per_post"`
	Dir          string  `json:"dir"` // where the database lived (its disk is what is measured)
	provenance
}

func runStoreWrite(e *env, args []string) error {
	fs := flag.NewFlagSet("store-write", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	syncFlag := fs.String("sqlite-sync", "full", "SQLite durability to measure: full or normal (starling serve --sqlite-sync)")
	posts := fs.Int("posts", 2000, "posts to time")
	clients := fs.Int("clients", 4, "concurrent posting accounts")
	postsFile := fs.String("posts-file", "../shared/data/short-posts-en/posts.tsv.gz", "post texts: gzip'd TSV with a text column (short-posts-en)")
	dir := fs.String("dir", "", "directory for the database (default: a new temp dir, removed afterwards)")
	fs.Usage = func() {
		fmt.Fprintf(e.stderr, "usage: starling-bench store-write [flags]\n")
		fs.PrintDefaults()
	}
	if err := parseArgs(fs, args); err != nil {
		return err
	}
	mode, err := sqlite.ParseSynchronous(*syncFlag)
	if err != nil {
		return usagef("--sqlite-sync: %v", err)
	}
	if *posts < 1 || *clients < 1 {
		return usagef("--posts and --clients must be positive, got %d and %d", *posts, *clients)
	}
	texts, err := readPostTexts(*postsFile, *posts)
	if err != nil {
		return usageError{err}
	}
	root := *dir
	if root == "" {
		if root, err = os.MkdirTemp("", "starling-bench-store-write-"); err != nil {
			return err
		}
		defer os.RemoveAll(root)
	}
	res, err := measureStoreWrite(context.Background(), filepath.Join(root, "bench.db"), mode, texts, *clients)
	if err != nil {
		return err
	}
	res.Dir = root
	res.provenance = newProvenance(e.command)
	return emit(e.stdout, res)
}

// measureStoreWrite posts every text once through a social service over a
// fresh SQLite database opened with mode, from clients accounts at once,
// and times each post.
func measureStoreWrite(ctx context.Context, path string, mode sqlite.Synchronous, texts []string, clients int) (*storeWriteResult, error) {
	st, err := sqlite.Open(ctx, path, sqlite.WithSynchronous(mode))
	if err != nil {
		return nil, err
	}
	defer st.Close()
	if err := st.Migrate(ctx); err != nil {
		return nil, err
	}
	// The bench's own file, written by this process alone: node 0 is its own.
	svc := social.New(social.Deps{Store: st, IDs: snowflake.New(snowflake.Fixed(0))},
		social.Config{MaxStatusChars: 500, BcryptCost: bcrypt.MinCost})
	authors := make([]*store.Account, clients)
	for i := range authors {
		if authors[i], err = svc.CreateAccount(ctx, social.NewAccount{Username: fmt.Sprintf("bench%d", i), Password: "bench-password"}); err != nil {
			return nil, err
		}
	}
	lat := make([]time.Duration, len(texts))
	errs := make([]error, clients)
	cpu0 := cpuTime()
	start := time.Now()
	var wg sync.WaitGroup
	for c := range clients {
		// Client c posts texts c, c+clients, c+2·clients…
		wg.Go(func() {
			for i := c; i < len(texts); i += clients {
				t0 := time.Now()
				if _, err := svc.PostStatus(ctx, authors[c], social.StatusInput{Text: texts[i]}); err != nil {
					errs[c] = fmt.Errorf("post %d: %w", i, err)
					return
				}
				lat[i] = time.Since(t0)
			}
		})
	}
	wg.Wait()
	elapsed, cpu := time.Since(start), cpuTime()-cpu0
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	slices.Sort(lat)
	n := len(texts)
	return &storeWriteResult{
		Engine: "starling", Bench: "store-write", Backend: "sqlite", Synchronous: string(mode),
		Posts: n, Clients: clients, Seconds: elapsed.Seconds(), PostsPerS: float64(n) / elapsed.Seconds(),
		P50US: micros(percentile(lat, 0.50)), P95US: micros(percentile(lat, 0.95)),
		P99US: micros(percentile(lat, 0.99)), MaxUS: micros(lat[n-1]),
		CPUUSPerPost: micros(cpu) / float64(n),
	}, nil
}

// readPostTexts reads up to n texts of at most 500 characters from a
// short-posts-en style file.
func readPostTexts(path string, n int) ([]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("--posts-file: %w", err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		return nil, fmt.Errorf("--posts-file %s: %w", path, err)
	}
	sc := bufio.NewScanner(zr)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	col := -1
	var out []string
	for sc.Scan() && len(out) < n {
		fields := strings.Split(sc.Text(), "\t")
		if col < 0 {
			if col = slices.Index(fields, "text"); col < 0 {
				return nil, fmt.Errorf("--posts-file %s: no text column in header %q", path, sc.Text())
			}
			continue
		}
		if col < len(fields) && strings.TrimSpace(fields[col]) != "" && utf8.RuneCountInString(fields[col]) <= 500 {
			out = append(out, fields[col])
		}
	}
	if err := sc.Err(); err != nil && !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("--posts-file %s: %w", path, err)
	}
	if len(out) < n {
		return nil, fmt.Errorf("--posts-file %s: %d usable texts, want %d", path, len(out), n)
	}
	return out, nil
}

// cpuTime is the process's user plus system CPU time so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
