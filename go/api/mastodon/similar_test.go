package mastodon

import (
	"encoding/json"
	"log/slog"
	"net/http"
	"slices"
	"testing"

	"github.com/starling-social/starling/go/search"
	"github.com/starling-social/starling/go/social"
	"github.com/starling-social/starling/go/store"
)

// newVectorEnv is a test env whose service has the real vector search
// (built-in embedder, exact index).
func newVectorEnv(t *testing.T, st store.Store) *testEnv {
	t.Helper()
	quiet := slog.New(slog.DiscardHandler)
	emb := search.NewHashEmbedder(search.DefaultDim)
	idx, err := search.NewIndex(t.Context(), search.IndexConfig{Name: "statuses", Dim: emb.Dim()},
		search.EmbedderVectors{Store: st, Embedder: emb.Name()}, quiet)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { idx.Close() })
	vectors := search.NewStatuses(emb, idx, st, true, quiet)
	return newStreamEnvDeps(t, st, testStrategy(t), func(d *social.Deps, _ *social.Config) { d.Indexer, d.Searcher = vectors, vectors }).testEnv
}

// TestSimilarStatuses covers GET /api/v1/statuses/:id/similar: nearest in
// meaning first, never the status itself, a reblog standing for its
// original, and bad input refused (the visibility rule is in the matrix).
func TestSimilarStatuses(t *testing.T) {
	onBothStores(t, func(t *testing.T, st store.Store) {
		e := newVectorEnv(t, st)
		alice, tok := e.user("alice", "read write")
		bob, _ := e.user("bob", "read write")
		seed := e.post(bob, "baking sourdough bread with a rye starter", store.VisibilityPublic)
		near := e.post(bob, "my sourdough starter smells of rye", store.VisibilityPublic)
		nearer := e.post(alice, "sourdough bread with rye starter", store.VisibilityPublic)
		e.post(bob, "the senate passed the budget", store.VisibilityPublic)
		rb, err := e.svc.Reblog(t.Context(), alice, seed.ID, "")
		if err != nil {
			t.Fatal(err)
		}
		for _, from := range []int64{seed.ID, rb.ID} {
			rec := e.do(http.MethodGet, "/api/v1/statuses/"+formatID(from)+"/similar", tok, "", nil)
			wantStatus(t, rec, http.StatusOK)
			var got []Status
			if err := json.Unmarshal(rec.Body.Bytes(), &got); err != nil {
				t.Fatal(err)
			}
			var ids []string
			for _, s := range got {
				ids = append(ids, s.ID)
			}
			if want := []string{formatID(nearer.ID), formatID(near.ID)}; !slices.Equal(ids, want) {
				t.Fatalf("similar to %d: %v, want %v (nearest first, not itself, not the unrelated one)", from, ids, want)
			}
		}
		rec := e.do(http.MethodGet, "/api/v1/statuses/"+formatID(seed.ID)+"/similar?limit=1", tok, "", nil)
		wantStatus(t, rec, http.StatusOK)
		var one []Status
		_ = json.Unmarshal(rec.Body.Bytes(), &one)
		if len(one) != 1 || one[0].ID != formatID(nearer.ID) {
			t.Fatalf("limit=1: %+v", one)
		}

		sid := formatID(seed.ID)
		for _, c := range []struct {
			name, target, token string
			code                int
		}{
			{"anonymous", "/api/v1/statuses/" + sid + "/similar", "", 401},
			{"huge id", "/api/v1/statuses/99999999999999999999999/similar", tok, 404},
			{"largest id", "/api/v1/statuses/9223372036854775807/similar", tok, 404},
			{"NUL id", "/api/v1/statuses/1%00/similar", tok, 404},
			{"limit not a number", "/api/v1/statuses/" + sid + "/similar?limit=many", tok, 400},
			{"limit huge", "/api/v1/statuses/" + sid + "/similar?limit=99999999999999999999999", tok, 400},
			{"limit with NUL", "/api/v1/statuses/" + sid + "/similar?limit=1%00", tok, 422},
			{"limit invalid UTF-8", "/api/v1/statuses/" + sid + "/similar?limit=%FF", tok, 422},
		} {
			rec := e.do(http.MethodGet, c.target, c.token, "", nil)
			if rec.Code != c.code {
				t.Errorf("%s: status %d, want %d; body %s", c.name, rec.Code, c.code, rec.Body)
			}
		}
	})
}
