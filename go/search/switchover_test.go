package search

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/starling-social/starling/go/snowflake/snowflaketest"
	"github.com/starling-social/starling/go/store"
)

// After a change of embedder, searches use the previous embedder's index
// (from its snapshot) while the new one is filled in the background, new
// and deleted statuses reach it too, and searches switch to the new index
// once every status has a vector under the new embedder.
func TestChangingEmbedderServesThePreviousIndexUntilTheNewOneIsComplete(t *testing.T) {
	ctx := context.Background()
	st := newStore(t)
	ids := snowflaketest.New()
	acct := &store.Account{ID: snowflaketest.NextID(t, ids), Username: "a", CreatedAt: time.Now().UTC().Truncate(time.Microsecond)}
	if err := st.PutAccount(ctx, acct); err != nil {
		t.Fatal(err)
	}
	post := func(text string) *store.Status {
		s := &store.Status{ID: snowflaketest.NextID(t, ids), AccountID: acct.ID, Text: text, Visibility: store.VisibilityPublic, CreatedAt: acct.CreatedAt}
		if err := st.PutStatus(ctx, s); err != nil {
			t.Fatal(err)
		}
		return s
	}
	oldEmb, newEmb := NewHashEmbedder(DefaultDim), NewHashEmbedder(64)
	newService := func(emb Embedder) *Statuses {
		idx, err := NewIndex(ctx, IndexConfig{Name: "statuses", Dim: emb.Dim()}, EmbedderVectors{Store: st, Embedder: emb.Name()}, nil)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { idx.Close() })
		return NewStatuses(emb, idx, st, true, nil)
	}

	// The old embedder's service: more than a batch of statuses, snapshot saved.
	const n = 2*embedBatch + 7
	var zeppelin *store.Status
	old := newService(oldEmb)
	for i := range n {
		text := "espresso grinder review"
		if i == n/2 {
			text = "a unique zeppelin observation"
		}
		s := post(text)
		if i == n/2 {
			zeppelin = s
		}
		old.StatusCreated(ctx, s)
	}
	dir := t.TempDir()
	if err := old.Save(dir); err != nil {
		t.Fatal(err)
	}
	if got := SnapshotEmbedder(dir); got != oldEmb.Name() {
		t.Fatalf("SnapshotEmbedder = %q, want %q", got, oldEmb.Name())
	}

	// Restart with the new embedder.
	svc := newService(newEmb)
	prevIdx, err := NewIndex(ctx, IndexConfig{Name: "statuses", Dim: oldEmb.Dim()}, EmbedderVectors{Store: st, Embedder: oldEmb.Name()}, nil)
	if err != nil {
		t.Fatal(err)
	}
	prev, err := OpenPrevious(ctx, oldEmb, prevIdx, dir)
	if err != nil {
		t.Fatal(err)
	}
	svc.ServePrevious(prev)
	if err := svc.Open(ctx, dir); err != nil { // the snapshot is the old embedder's: built from SQL, empty
		t.Fatal(err)
	}
	if svc.Index().Len() != 0 {
		t.Fatalf("new index holds %d vectors before the job ran", svc.Index().Len())
	}
	if serving, filling := svc.Serving(); serving != oldEmb.Name() || filling != newEmb.Name() {
		t.Fatalf("Serving() = %q, %q", serving, filling)
	}
	if st, _ := svc.Index().Status(); !strings.Contains(st.Note, "searches use "+oldEmb.Name()) {
		t.Fatalf("status note during the change: %q", st.Note)
	}
	search := func(q string) []int64 {
		t.Helper()
		got, err := svc.SearchStatusIDs(ctx, q, 5)
		if err != nil {
			t.Fatal(err)
		}
		return got
	}
	if got := search("zeppelin"); !slices.Equal(got, []int64{zeppelin.ID}) {
		t.Fatalf("during the change, zeppelin found %v, want %d (the previous index)", got, zeppelin.ID)
	}
	// Posted and deleted during the change: the previous index follows.
	fresh := post("a fresh kayak trip")
	svc.StatusCreated(ctx, fresh)
	if got := search("kayak"); !slices.Equal(got, []int64{fresh.ID}) {
		t.Fatalf("kayak found %v, want %d", got, fresh.ID)
	}
	svc.StatusesDeleted(ctx, []int64{fresh.ID})
	if got := search("kayak"); len(got) != 0 {
		t.Fatalf("deleted kayak status still found: %v", got)
	}
	// A snapshot taken now is still the previous embedder's.
	if err := svc.Save(dir); err != nil || SnapshotEmbedder(dir) != oldEmb.Name() {
		t.Fatalf("snapshot during the change: %v, embedder %q", err, SnapshotEmbedder(dir))
	}

	var cursor int64
	if err := svc.embedBacklog(ctx, &cursor); err != nil {
		t.Fatal(err)
	}
	if serving, filling := svc.Serving(); serving != newEmb.Name() || filling != "" {
		t.Fatalf("after the backlog, Serving() = %q, %q", serving, filling)
	}
	if st, _ := svc.Index().Status(); st.Note != "" {
		t.Fatalf("status note after the switch: %q", st.Note)
	}
	if got := svc.Index().Len(); got < n {
		t.Fatalf("new index holds %d vectors, want at least %d", got, n)
	}
	if got := search("zeppelin"); !slices.Equal(got, []int64{zeppelin.ID}) {
		t.Fatalf("after the switch, zeppelin found %v, want %d (the new index)", got, zeppelin.ID)
	}
	if err := svc.Save(dir); err != nil || SnapshotEmbedder(dir) != newEmb.Name() {
		t.Fatalf("snapshot after the switch: %v, embedder %q", err, SnapshotEmbedder(dir))
	}
}
