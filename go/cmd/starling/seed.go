package main

import (
	"cmp"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"time"

	"golang.org/x/crypto/bcrypt"

	"github.com/starling-social/starling/go/search"
	"github.com/starling-social/starling/go/search/subword"
	"github.com/starling-social/starling/go/seed"
	"github.com/starling-social/starling/go/social"
	"github.com/starling-social/starling/go/store"
)

// maxSampleUsernames bounds seed.json's username sample, maxTop its
// most followed accounts.
const (
	maxSampleUsernames = 1000
	maxTop             = 100
)

func runSeed(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("seed", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var c storageConfig
	c.register(fs)
	accounts := fs.Int("accounts", 1000, "accounts to create")
	statuses := fs.Int("statuses", 10000, "original statuses to create (boosts come on top)")
	follows := fs.Float64("follows", 20, "follows per account, mean (heavy-tailed; targets power-law by popularity)")
	favourites := fs.Float64("favourites", 5, "favourites per account, mean (mostly in the account's topic)")
	boosts := fs.Float64("boosts", 1, "boosts per account, mean")
	corpus := fs.String("corpus", "../shared/data/short-posts-en/posts.tsv.gz", "texts: TSV with header \"row source text\" (gzip'd if .gz)")
	embedder := fs.String("embedder", "subword", `vectors stored with each status: "subword" or "hash" (as serve's --embedder), or "none"`)
	password := fs.String("password", "", "password of every seeded account (one bcrypt hash for all); empty: nobody can sign in as them")
	seedN := fs.Uint64("seed", 1, "random seed: the same flags give the same instance")
	batch := fs.Int("batch", 5000, "rows per transaction")
	span := fs.Duration("span", 30*24*time.Hour, "statuses are spread over this long before now")
	graphPath := fs.String("graph", "", "load this mutual follow graph instead of drawing one: an edge list \"a,b\" (IDs from 0) or a directory holding edges.csv, e.g. ../shared/data/github-social-graph; the accounts are its nodes (no --accounts or --follows), each edge a follow both ways, and every account posts an equal share of --statuses")
	fs.Usage = usage(fs, "starling seed --accounts N --statuses N [--data-dir DIR] [--db URL] [flags]")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *batch < 1 || *batch > 100_000 {
		return errors.New("--batch must be 1 to 100000")
	}
	if *password != "" && (len(*password) < 8 || len(*password) > 72) {
		return errors.New("--password must be 8 to 72 bytes")
	}
	var graph *seed.Graph
	if *graphPath != "" {
		explicit := map[string]bool{}
		fs.Visit(func(f *flag.Flag) { explicit[f.Name] = true })
		if explicit["accounts"] || explicit["follows"] {
			return errors.New("--graph gives the accounts and follows: drop --accounts and --follows")
		}
		g, err := readGraph(*graphPath)
		if err != nil {
			return fmt.Errorf("--graph: %w", err)
		}
		graph, *accounts = g, g.Nodes
	}
	var emb seed.Embedder
	switch *embedder {
	case "subword":
		m, err := subword.Default()
		if err != nil {
			return fmt.Errorf("--embedder subword: %w", err)
		}
		emb = m
	case "hash":
		emb = search.NewHashEmbedder(search.DefaultDim)
	case "none":
	default:
		return fmt.Errorf("--embedder must be subword, hash or none, got %q", *embedder)
	}
	posts, err := subword.ReadPosts(*corpus)
	if err != nil {
		return fmt.Errorf("--corpus: %w", err)
	}
	cfg := seed.Config{Accounts: *accounts, Statuses: *statuses, Follows: *follows, Favourites: *favourites, Boosts: *boosts,
		Graph: graph, Embedder: emb, Render: social.RenderNote, Now: time.Now(), Span: *span, Seed: *seedN, Batch: *batch}
	for _, p := range posts {
		cfg.Texts, cfg.Sources = append(cfg.Texts, p.Text), append(cfg.Sources, p.Source)
	}
	if err := cfg.Validate(); err != nil {
		return err
	}
	if *password != "" {
		h, err := bcrypt.GenerateFromPassword([]byte(*password), bcrypt.DefaultCost)
		if err != nil {
			return err
		}
		cfg.PasswordHash = string(h)
	}
	st, err := openStore(ctx, c)
	if err != nil {
		return err
	}
	defer st.Close()
	bulk, ok := st.(store.BulkLoader)
	if !ok {
		return errors.New("seed: this database has no bulk load path")
	}
	if empty, err := bulk.IsEmpty(ctx); err != nil {
		return err
	} else if !empty {
		return errors.New("seed: the database already has accounts or statuses; seed a new data dir")
	}
	start := time.Now()
	plan, err := seed.NewPlan(cfg)
	if err != nil {
		return err
	}
	fmt.Fprintf(stderr, "seed: planned %d accounts, %d follows, %d statuses, %d boosts, %d favourites in %s\n",
		*accounts, plan.Follows, *statuses, plan.Boosts, plan.Favourites, time.Since(start).Round(time.Millisecond))
	batches := plan.Batches()
	last := time.Now()
	batches.Progress = func(phase string, done, total int) {
		if time.Since(last) >= 5*time.Second || done == total {
			last = time.Now()
			fmt.Fprintf(stderr, "seed: %s %d/%d (%s)\n", phase, done, total, time.Since(start).Round(time.Second))
		}
	}
	if err := bulk.BulkLoad(ctx, batches.Next); err != nil {
		return err
	}
	m := seed.Manifest{Accounts: *accounts, Statuses: *statuses, Follows: plan.Follows, Favourites: plan.Favourites,
		Boosts: plan.Boosts, Seed: *seedN, Seconds: time.Since(start).Seconds(), Graph: *graphPath}
	if emb != nil {
		m.Embedder = emb.Name()
	}
	n := min(*accounts, maxSampleUsernames)
	for i := range n {
		m.Usernames = append(m.Usernames, plan.Username(i*(*accounts)/n))
	}
	top := make([]int, *accounts)
	for i := range top {
		top[i] = i
	}
	slices.SortStableFunc(top, func(a, b int) int { return cmp.Compare(plan.Followers(b), plan.Followers(a)) })
	for _, i := range top[:min(len(top), maxTop)] {
		m.Top, m.TopFollowers = append(m.Top, plan.Username(i)), append(m.TopFollowers, plan.Followers(i))
	}
	if err := seed.WriteManifest(c.dataDir, &m); err != nil {
		return err
	}
	rows := *accounts + plan.Follows + *statuses + plan.Boosts + plan.Favourites
	fmt.Fprintf(stdout, "seeded %d accounts, %d follows, %d statuses, %d boosts, %d favourites (%d rows, %.0f rows/s) in %s\n",
		*accounts, plan.Follows, *statuses, plan.Boosts, plan.Favourites, rows, float64(rows)/m.Seconds,
		time.Since(start).Round(time.Second))
	return nil
}

// readGraph reads --graph: an edge list file, or a directory holding one
// named edges.csv.
func readGraph(path string) (*seed.Graph, error) {
	if fi, err := os.Stat(path); err == nil && fi.IsDir() {
		path = filepath.Join(path, "edges.csv")
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return seed.ReadGraph(f)
}
