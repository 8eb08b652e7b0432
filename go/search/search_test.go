package search

import (
	"context"
	"math"
	"slices"
	"testing"
	"time"

	"github.com/starling-social/starling/go/snowflake"
	"github.com/starling-social/starling/go/store"
	"github.com/starling-social/starling/go/store/sqlite"
	"github.com/starling-social/starling/go/vecsearch"
)

func dot(a, b []float32) float64 {
	var s float64
	for i := range a {
		s += float64(a[i]) * float64(b[i])
	}
	return s
}

func TestHashEmbedder(t *testing.T) {
	e := NewHashEmbedder(DefaultDim)
	v := e.Embed("The sourdough starter doubled overnight")
	if len(v) != DefaultDim {
		t.Fatalf("len %d", len(v))
	}
	if n := math.Sqrt(dot(v, v)); math.Abs(n-1) > 1e-5 {
		t.Fatalf("norm %v, want 1", n)
	}
	if !slices.Equal(v, e.Embed("the SOURDOUGH starter, doubled overnight!")) {
		t.Fatal("case and punctuation change the embedding")
	}
	for _, empty := range []string{"", "   ", "!!! ...", "\n"} {
		if e.Embed(empty) != nil {
			t.Fatalf("Embed(%q) should be nil", empty)
		}
	}
	// Stopwords alone still embed (someone may search for "the who").
	if e.Embed("the") == nil {
		t.Fatal("a stopword-only text must still embed")
	}
	q := e.Embed("sourdough bread")
	related := dot(q, e.Embed("baking sourdough bread at home"))
	unrelated := dot(q, e.Embed("the senate passed the budget resolution"))
	if related <= unrelated || related < MinScore {
		t.Fatalf("related %.3f, unrelated %.3f", related, unrelated)
	}
}

func newIndexed(t *testing.T) (*Statuses, store.Store, *vecsearch.Index) {
	t.Helper()
	ctx := context.Background()
	st, err := sqlite.Open(ctx, t.TempDir()+"/s.db")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	if err := st.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	idx, err := vecsearch.NewFlat(DefaultDim, vecsearch.InnerProduct)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { idx.Close() })
	return NewStatuses(NewHashEmbedder(DefaultDim), idx, st, nil), st, idx
}

func TestRebuildAndSearch(t *testing.T) {
	ctx := context.Background()
	svc, st, idx := newIndexed(t)
	emb := NewHashEmbedder(DefaultDim)
	ids := snowflake.New()
	acct := &store.Account{ID: ids.Next(), Username: "a", CreatedAt: time.Now().UTC().Truncate(time.Microsecond)}
	if err := st.PutAccount(ctx, acct); err != nil {
		t.Fatal(err)
	}
	texts := []string{"morning run by the river", "sourdough starter doubled", "espresso grinder review", "tomatoes on the balcony"}
	// More than one rebuild batch, so paging is exercised.
	for i := range rebuildBatch + 10 {
		text := texts[i%len(texts)]
		if i == rebuildBatch+5 {
			text = "a unique zeppelin observation"
		}
		s := &store.Status{ID: ids.Next(), AccountID: acct.ID, Text: text, Visibility: store.VisibilityPublic,
			CreatedAt: acct.CreatedAt, Embedding: emb.Embed(text)}
		if i == 7 {
			s.Embedding = []float32{1, 2, 3} // another embedder's vector: skipped, not fatal
		}
		if err := st.PutStatus(ctx, s); err != nil {
			t.Fatal(err)
		}
	}
	n, err := svc.Rebuild(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if want := rebuildBatch + 10 - 1; n != want {
		t.Fatalf("rebuild indexed %d, want %d", n, want)
	}
	// A second rebuild (or a late StatusCreated) adds nothing twice.
	if n, err := svc.Rebuild(ctx); err != nil || n != 0 {
		t.Fatalf("second rebuild added %d, %v", n, err)
	}
	if l, _ := idx.Len(); l != rebuildBatch+10-1 {
		t.Fatalf("index holds %d vectors", l)
	}
	got, err := svc.SearchStatusIDs(ctx, "zeppelin", 5)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 {
		t.Fatalf("zeppelin matched %d statuses, want exactly the one (others are below MinScore)", len(got))
	}
	sts, _ := st.GetStatusesByIDs(ctx, got)
	if len(sts) != 1 || sts[0].Text != "a unique zeppelin observation" {
		t.Fatalf("zeppelin found %+v", sts)
	}
	if got, err := svc.SearchStatusIDs(ctx, "?!", 5); err != nil || got != nil {
		t.Fatalf("query without words: %v, %v", got, err)
	}
	// k beyond the index size is clamped, not an error.
	if _, err := svc.SearchStatusIDs(ctx, "river", 1<<20); err != nil {
		t.Fatal(err)
	}
}

func TestStatusCreatedIndexesNewStatus(t *testing.T) {
	ctx := context.Background()
	svc, _, idx := newIndexed(t)
	emb := NewHashEmbedder(DefaultDim)
	if got, err := svc.SearchStatusIDs(ctx, "anything", 10); err != nil || got != nil {
		t.Fatalf("empty index: %v, %v", got, err)
	}
	svc.StatusCreated(ctx, &store.Status{ID: 42, Embedding: emb.Embed("violin lessons")})
	svc.StatusCreated(ctx, &store.Status{ID: 42, Embedding: emb.Embed("violin lessons")})
	svc.StatusCreated(ctx, &store.Status{ID: 43}) // no embedding: ignored
	if n, _ := idx.Len(); n != 1 {
		t.Fatalf("index holds %d, want 1", n)
	}
	got, err := svc.SearchStatusIDs(ctx, "violin", 10)
	if err != nil || !slices.Equal(got, []int64{42}) {
		t.Fatalf("search violin = %v, %v", got, err)
	}
}

func TestStatusEditedReplacesTheVector(t *testing.T) {
	ctx := context.Background()
	svc, _, idx := newIndexed(t)
	emb := NewHashEmbedder(DefaultDim)
	svc.StatusCreated(ctx, &store.Status{ID: 42, Embedding: emb.Embed("violin lessons")})
	svc.StatusEdited(ctx, &store.Status{ID: 42, Embedding: emb.Embed("cello concerts")})
	if n, _ := idx.Len(); n != 1 {
		t.Fatalf("index holds %d after an edit, want 1", n)
	}
	if got, err := svc.SearchStatusIDs(ctx, "cello", 10); err != nil || !slices.Equal(got, []int64{42}) {
		t.Fatalf("search cello = %v, %v", got, err)
	}
	if got, err := svc.SearchStatusIDs(ctx, "violin", 10); err != nil || len(got) != 0 {
		t.Fatalf("search violin after the edit = %v, %v; want nothing", got, err)
	}
}
