package mastodon

import (
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/starling-social/starling/go/search/subword"
	"github.com/starling-social/starling/go/store"
)

// TestHashtagTypeaheadSemanticFallback: when a hashtag prefix finds fewer
// than limit, recent public hashtags near in meaning (the built-in
// embedder's word vectors) fill the first page, never a hashtag used only
// in non-public statuses; later pages and hostile queries are unchanged.
func TestHashtagTypeaheadSemanticFallback(t *testing.T) {
	model, err := subword.Default()
	if err != nil {
		t.Fatal(err)
	}
	onBothStores(t, func(t *testing.T, st store.Store) {
		e := newTestEnvOn(t, st, model, nil)
		alice, tok := e.user("alice", "read write")
		e.post(alice, "budget vote #senate", store.VisibilityPublic)
		e.post(alice, "new phone #battery", store.VisibilityPublic)
		e.post(alice, "saw it twice #film", store.VisibilityPublic)
		e.post(alice, "secret #parliament", store.VisibilityPrivate)

		hashtags := func(q url.Values) []string {
			t.Helper()
			q.Set("type", "hashtags")
			rec := e.get("/api/v2/search?"+q.Encode(), tok)
			wantStatus(t, rec, http.StatusOK)
			return names(decodeObject(t, rec)["hashtags"], "name")
		}
		// No tag starts with "congress": the nearest in meaning comes first,
		// and the private-only #parliament never shows.
		got := hashtags(url.Values{"q": {"congress"}})
		if len(got) == 0 || got[0] != "senate" || slices.Contains(got, "parliament") {
			t.Fatalf("congress: %v, want senate first and no parliament", got)
		}
		// A prefix match comes first; the fallback only fills the page.
		if got := hashtags(url.Values{"q": {"sen"}, "limit": {"1"}}); !slices.Equal(got, []string{"senate"}) {
			t.Fatalf("sen, limit 1: %v, want [senate]", got)
		}
		// Later pages page through prefix matches only.
		if got := hashtags(url.Values{"q": {"congress"}, "offset": {"1"}}); len(got) != 0 {
			t.Fatalf("congress, offset 1: %v, want none", got)
		}
		for name, q := range map[string]string{
			"nul": "sen\x00ate", "invalid utf8": "sen\xffate", "punctuation only": "#!?",
		} {
			rec := e.get("/api/v2/search?"+url.Values{"q": {q}, "type": {"hashtags"}}.Encode(), tok)
			if rec.Code != http.StatusOK && rec.Code != http.StatusUnprocessableEntity {
				t.Errorf("%s: status %d, want 200 or 422\n%s", name, rec.Code, rec.Body)
			}
		}
		rec := e.get("/api/v2/search?"+url.Values{"q": {strings.Repeat("senate", 100)}, "type": {"hashtags"}}.Encode(), tok)
		wantStatus(t, rec, http.StatusUnprocessableEntity)
	})
}
