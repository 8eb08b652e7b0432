package search

import (
	"context"
	"math"
	"slices"
	"testing"
	"time"

	"github.com/starling-social/starling/go/snowflake/snowflaketest"
	"github.com/starling-social/starling/go/store"
	"github.com/starling-social/starling/go/store/sqlite"
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

// newStore is a new, migrated SQLite store.
func newStore(t *testing.T) store.Store {
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
	return st
}

func newIndexed(t *testing.T) (*Statuses, store.Store) {
	t.Helper()
	return newIndexedOn(t, newStore(t))
}

// newIndexedOn is newIndexed over an existing store (another process, or
// the same one after a restart).
func newIndexedOn(t *testing.T, st store.Store) (*Statuses, store.Store) {
	t.Helper()
	return newService(t, st, true), st
}

// newService is a search service with the hash embedder over st, which
// embeds inline or leaves that to its embedding job.
func newService(t *testing.T, st store.Store, inline bool) *Statuses {
	t.Helper()
	emb := NewHashEmbedder(DefaultDim)
	idx, err := NewIndex(context.Background(), IndexConfig{Name: "statuses", Dim: DefaultDim}, EmbedderVectors{Store: st, Embedder: emb.Name()}, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { idx.Close() })
	return NewStatuses(emb, idx, st, inline, nil)
}

func TestOpenBuildsFromTheDatabaseAndSearches(t *testing.T) {
	ctx := context.Background()
	svc, st := newIndexed(t)
	emb := NewHashEmbedder(DefaultDim)
	ids := snowflaketest.New()
	acct := &store.Account{ID: snowflaketest.NextID(t, ids), Username: "a", CreatedAt: time.Now().UTC().Truncate(time.Microsecond)}
	if err := st.PutAccount(ctx, acct); err != nil {
		t.Fatal(err)
	}
	texts := []string{"morning run by the river", "sourdough starter doubled", "espresso grinder review", "tomatoes on the balcony"}
	// More than one page, so paging is exercised.
	const n = buildPage + 10
	for i := range n {
		text := texts[i%len(texts)]
		if i == buildPage+5 {
			text = "a unique zeppelin observation"
		}
		s := &store.Status{ID: snowflaketest.NextID(t, ids), AccountID: acct.ID, Text: text, Visibility: store.VisibilityPublic,
			CreatedAt: acct.CreatedAt}
		if err := st.PutStatus(ctx, s); err != nil {
			t.Fatal(err)
		}
		v := emb.Embed(text)
		if i == 7 {
			v = []float32{1, 2, 3} // a vector of another dimension: skipped, not fatal
		}
		if err := st.PutStatusVectors(ctx, emb.Name(), []store.StatusEmbedding{{StatusID: s.ID, Embedding: v}}); err != nil {
			t.Fatal(err)
		}
	}
	if err := svc.Open(ctx, ""); err != nil {
		t.Fatal(err)
	}
	if got := svc.Index().Len(); got != n-1 {
		t.Fatalf("index holds %d vectors, want %d", got, n-1)
	}
	// Catching up again (or a late StatusCreated) adds nothing twice.
	if added, err := svc.Index().CatchUp(ctx); err != nil || added != 0 {
		t.Fatalf("second catch-up added %d, %v", added, err)
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
	svc, _ := newIndexed(t)
	if got, err := svc.SearchStatusIDs(ctx, "anything", 10); err != nil || got != nil {
		t.Fatalf("empty index: %v, %v", got, err)
	}
	svc.StatusCreated(ctx, &store.Status{ID: 42, Text: "violin lessons"})
	svc.StatusCreated(ctx, &store.Status{ID: 42, Text: "violin lessons"})
	svc.StatusCreated(ctx, &store.Status{ID: 43}) // no text: nothing to embed
	if n := svc.Index().Len(); n != 1 {
		t.Fatalf("index holds %d, want 1", n)
	}
	got, err := svc.SearchStatusIDs(ctx, "violin", 10)
	if err != nil || !slices.Equal(got, []int64{42}) {
		t.Fatalf("search violin = %v, %v", got, err)
	}
}

func TestStatusesDeletedLeaveTheIndex(t *testing.T) {
	ctx := context.Background()
	svc, _ := newIndexed(t)
	ids := snowflaketest.New()
	live, gone := snowflaketest.NextID(t, ids), snowflaketest.NextID(t, ids)
	svc.StatusCreated(ctx, &store.Status{ID: live, Text: "violin lessons on tuesday"})
	svc.StatusCreated(ctx, &store.Status{ID: gone, Text: "violin lessons"})
	svc.StatusesDeleted(ctx, []int64{gone, 12345}) // an unknown ID is ignored
	if n := svc.Index().Len(); n != 1 {
		t.Fatalf("index holds %d vectors after the delete, want 1", n)
	}
	// An add racing the delete (a catch-up page read before it) must not
	// bring the vector back.
	svc.StatusCreated(ctx, &store.Status{ID: gone, Text: "violin lessons"})
	got, err := svc.SearchStatusIDs(ctx, "violin lessons", 10)
	if err != nil || !slices.Equal(got, []int64{live}) {
		t.Fatalf("search after delete = %v, %v; want only %d", got, err, live)
	}
}

func TestStatusEditedReplacesTheVector(t *testing.T) {
	ctx := context.Background()
	svc, _ := newIndexed(t)
	id := snowflaketest.NextID(t, snowflaketest.New())
	svc.StatusCreated(ctx, &store.Status{ID: id, Text: "violin lessons"})
	svc.StatusEdited(ctx, &store.Status{ID: id, Text: "cello concerts"})
	if n := svc.Index().Len(); n != 1 {
		t.Fatalf("index holds %d after an edit, want 1", n)
	}
	if got, err := svc.SearchStatusIDs(ctx, "cello concerts", 10); err != nil || !slices.Equal(got, []int64{id}) {
		t.Fatalf("search cello = %v, %v", got, err)
	}
	if got, err := svc.SearchStatusIDs(ctx, "violin lessons", 10); err != nil || len(got) != 0 {
		t.Fatalf("search violin after the edit = %v, %v; want nothing", got, err)
	}
	// An edit is not a delete: a second edit indexes again.
	svc.StatusEdited(ctx, &store.Status{ID: id, Text: "violin lessons"})
	if got, err := svc.SearchStatusIDs(ctx, "violin lessons", 10); err != nil || !slices.Equal(got, []int64{id}) {
		t.Fatalf("search violin after editing back = %v, %v", got, err)
	}
}
