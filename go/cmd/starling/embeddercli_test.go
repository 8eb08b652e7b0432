package main

import (
	"bytes"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/starling-social/starling/go/search"
	"github.com/starling-social/starling/go/search/subword"
	"github.com/starling-social/starling/go/snowflake/snowflaketest"
	"github.com/starling-social/starling/go/store"
)

// seedStatuses stores n public statuses of a small made-up corpus (so the
// trained model has words of its own) and a few private ones.
func seedStatuses(t *testing.T, dataDir string, n int) {
	t.Helper()
	ctx := t.Context()
	st, err := openStore(ctx, storageConfig{dataDir: dataDir, sqliteSync: "normal"})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	ids := snowflaketest.New()
	now := time.Now().UTC().Truncate(time.Microsecond)
	a := &store.Account{ID: snowflaketest.NextID(t, ids), Username: "poet", CreatedAt: now}
	if err := st.PutAccount(ctx, a); err != nil {
		t.Fatal(err)
	}
	animals := []string{"cat", "dog", "fox", "owl", "hen"}
	places := []string{"garden", "kitchen", "meadow", "harbour", "forest"}
	put := func(text string, vis store.Visibility) {
		s := &store.Status{ID: snowflaketest.NextID(t, ids), AccountID: a.ID, Text: text, Visibility: vis, CreatedAt: now}
		if err := st.PutStatus(ctx, s); err != nil {
			t.Fatal(err)
		}
	}
	for i := range n {
		vis := store.VisibilityPublic
		if i%3 == 0 {
			vis = store.VisibilityUnlisted
		}
		put(fmt.Sprintf("the %s sleeps in the %s near the %s", animals[i%5], places[(i/5)%5], places[(i/25)%5]), vis)
	}
	for range 10 {
		put("a private diary entry", store.VisibilityPrivate)
	}
}

// TestEmbedderTrainFromStatuses trains a model on a small instance, bounded
// by --max-statuses, with progress on stderr, writes it where a switch
// finds it again, and serves it: on a restart with --subword-model, search
// keeps the previous model's index while the new one fills.
func TestEmbedderTrainFromStatuses(t *testing.T) {
	dir := t.TempDir()
	seedStatuses(t, dir, 300)
	var stdout, stderr bytes.Buffer
	err := runEmbedder(t.Context(), []string{"train", "--from-statuses", "--data-dir", dir, "--max-statuses", "200", "--epochs", "2"}, &stdout, &stderr)
	if err != nil {
		t.Fatalf("train: %v\nstderr:\n%s", err, stderr.String())
	}
	if !strings.Contains(stderr.String(), "reading statuses: 300 read, 200 kept") || !strings.Contains(stderr.String(), "training: 100%") {
		t.Errorf("progress (public and unlisted only, sample bounded): %s", stderr.String())
	}
	if !strings.Contains(stdout.String(), "trained on 200 sentences") {
		t.Errorf("output: %s", stdout.String())
	}
	files, err := filepath.Glob(filepath.Join(subwordModelsDir(dir), "subword-*.model"))
	if err != nil || len(files) != 1 {
		t.Fatalf("model files: %v %v", files, err)
	}
	m, err := loadSubwordModel(files[0])
	if err != nil {
		t.Fatal(err)
	}
	def, err := subword.Default()
	if err != nil {
		t.Fatal(err)
	}
	if filepath.Base(files[0]) != m.Name()+".model" || m.Name() == def.Name() || !strings.Contains(stdout.String(), "--subword-model "+files[0]) {
		t.Fatalf("model %s in %s; output %s", m.Name(), files[0], stdout.String())
	}
	if m.Embed("the owl sleeps in the meadow") == nil {
		t.Fatal("the trained model embeds nothing of its own corpus")
	}
	// A model trained here is found by name after a switch away from it.
	if got := builtinEmbedder(m.Name(), subwordModelsDir(dir)); got == nil || got.Name() != m.Name() {
		t.Fatalf("builtinEmbedder(%s) = %v", m.Name(), got)
	}
	if builtinEmbedder("subword-v1-64-../../x", subwordModelsDir(dir)) != nil {
		t.Fatal("a name with a path in it was looked up")
	}

	// Restart on the new model: the snapshot is the shipped model's.
	ctx := t.Context()
	st, err := openStore(ctx, storageConfig{dataDir: dir, sqliteSync: "normal"})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	snap := t.TempDir()
	open := func(emb search.Embedder) *search.Statuses {
		idx, err := search.NewIndex(ctx, search.IndexConfig{Name: "statuses", Dim: emb.Dim()},
			search.EmbedderVectors{Store: st, Embedder: emb.Name()}, slog.New(slog.DiscardHandler))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { idx.Close() })
		return search.NewStatuses(emb, idx, st, true, slog.New(slog.DiscardHandler))
	}
	if err := open(def).Save(snap); err != nil {
		t.Fatal(err)
	}
	c := indexConfig{embedder: "subword", subwordModel: files[0], dataDir: dir, flatThreshold: 20_000, nprobe: 1, refine: 1}
	emb, _, err := c.newEmbedder(slog.New(slog.DiscardHandler), nil)
	if err != nil || emb.Name() != m.Name() {
		t.Fatalf("--subword-model: embedder %v, %v", emb, err)
	}
	svc := open(emb)
	if err := servePrevious(ctx, c, svc, snap, st, slog.New(slog.DiscardHandler)); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(svc.ClosePrevious)
	if serving, filling := svc.Serving(); serving != def.Name() || filling != m.Name() {
		t.Fatalf("after the switch: serving %q, filling %q; want the shipped model's index until %s's is complete", serving, filling, m.Name())
	}
}

func TestEmbedderTrainBadInput(t *testing.T) {
	dir := t.TempDir()
	seedStatuses(t, dir, 20)
	bad := filepath.Join(t.TempDir(), "bad.model")
	if err := os.WriteFile(bad, []byte("not a model"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{
		{"train", "--from-statuses", "--data-dir", dir, "--max-statuses", "0"},
		{"train", "--from-statuses", "--data-dir", dir, "--max-statuses", "99999999999"},
		{"train", "--from-statuses", "--data-dir", dir, "--corpus", "x.tsv"},
		{"train", "--from-statuses", "--data-dir", dir}, // 20 statuses: too few
		{"train"},
	} {
		var stdout, stderr bytes.Buffer
		if err := runEmbedder(t.Context(), args, &stdout, &stderr); err == nil {
			t.Errorf("%v: accepted", args)
		}
	}
	c := indexConfig{embedder: "subword", subwordModel: bad, embedderRetry: time.Second, flatThreshold: 1, nprobe: 1, refine: 1}
	if err := c.validate(); err == nil || !strings.Contains(err.Error(), "--subword-model") {
		t.Errorf("a corrupt --subword-model: %v", err)
	}
}
