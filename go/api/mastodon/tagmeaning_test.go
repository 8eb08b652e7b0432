package mastodon

import (
	"context"
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

		hashtags := func(q url.Values) []string { return searchType(e, tok, "hashtags", "name", q) }
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

// TestAccountTypeaheadSemanticFallback: when an account prefix finds fewer
// than limit, discoverable accounts whose name and bio are near in meaning
// fill the first page; an account that did not opt into discovery, or one
// the viewer blocked, never shows.
func TestAccountTypeaheadSemanticFallback(t *testing.T) {
	model, err := subword.Default()
	if err != nil {
		t.Fatal(err)
	}
	onBothStores(t, func(t *testing.T, st store.Store) {
		ctx := context.Background()
		e := newTestEnvOn(t, st, model, nil)
		_, tok := e.user("viewer", "read write follow")
		profile := func(name, display, note string, discoverable bool) *store.Account {
			a, _ := e.user(name, "read")
			a.DisplayName, a.Note, a.Discoverable = display, note, discoverable
			if err := st.UpdateAccount(ctx, a, "display_name", "note", "discoverable"); err != nil {
				t.Fatal(err)
			}
			return a
		}
		senator := profile("jdoe", "Jane Doe", "senate budget and tax law", true)
		profile("phones", "Phone Fixer", "battery and charger repairs", true)
		profile("hidden", "Hidden Senator", "senate budget and tax law", false)
		blocked := profile("blocked", "Blocked Senator", "senate budget and tax law", true)
		wantStatus(t, e.postForm("/api/v1/accounts/"+formatID(blocked.ID)+"/block", tok, nil), http.StatusOK)

		accounts := func(q url.Values) []string { return searchType(e, tok, "accounts", "id", q) }
		got := accounts(url.Values{"q": {"congress"}})
		if !slices.Equal(got, []string{formatID(senator.ID)}) {
			t.Fatalf("congress: %v, want only %d (not the undiscoverable, blocked or unrelated ones)", got, senator.ID)
		}
		if got := accounts(url.Values{"q": {"congress"}, "offset": {"1"}}); len(got) != 0 {
			t.Fatalf("congress, offset 1: %v, want none", got)
		}
		if got := accounts(url.Values{"q": {"congress"}, "following": {"true"}}); len(got) != 0 {
			t.Fatalf("congress, following: %v, want none", got)
		}
	})
}

// searchType runs GET /api/v2/search for one type and returns field of
// each result.
func searchType(e *testEnv, tok, typ, field string, q url.Values) []string {
	e.t.Helper()
	q.Set("type", typ)
	rec := e.get("/api/v2/search?"+q.Encode(), tok)
	wantStatus(e.t, rec, http.StatusOK)
	return names(decodeObject(e.t, rec)[typ], field)
}
