package mastodon

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/starling-social/starling/go/recommend"
	"github.com/starling-social/starling/go/social"
	"github.com/starling-social/starling/go/store"
)

// TestForYouNeverShows builds a small instance where every kind of status
// For you must never show is also a strong candidate (others favourite it
// along with what the viewer likes), trains the real recommender on the
// store's interactions, and pages through the viewer's whole For-you
// timeline and the virtual list: never its own, favourited, boosted,
// blocked, blocking, muted or invisible (private, not followed) statuses,
// at most 3 per author, no repeats, and what it may see does come.
func TestForYouNeverShows(t *testing.T) {
	onBothStores(t, func(t *testing.T, st store.Store) {
		live := &recommend.Live{}
		e := newStreamEnvDeps(t, st, testStrategy(t), func(d *social.Deps, _ *social.Config) { d.Recommender = live })
		ctx := t.Context()
		viewer, tok := e.user("vera", "read write follow")
		names := []string{"fred", "sara", "bert", "kurt", "mona", "pia"}
		authors := map[string]*store.Account{}
		for _, n := range names {
			authors[n], _ = e.user(n, "read write")
		}
		var fans []*store.Account
		for i := range 6 {
			a, _ := e.user(fmt.Sprintf("fan%d", i), "read write")
			fans = append(fans, a)
		}
		mustDo := func(err error) {
			t.Helper()
			if err != nil {
				t.Fatal(err)
			}
		}
		_, err := e.svc.Follow(ctx, viewer, authors["fred"].ID, social.FollowOptions{})
		mustDo(err)
		bad := map[int64]string{} // status ID -> why it must never show
		var good []int64
		posts := map[string][]*store.Status{}
		for _, n := range names {
			vis := store.VisibilityPublic
			if n == "pia" {
				vis = store.VisibilityPrivate
			}
			for i := range 5 {
				posts[n] = append(posts[n], e.post(authors[n], fmt.Sprintf("%s writes about gardens %d", n, i), vis))
			}
		}
		own := e.post(viewer, "vera on gardens", store.VisibilityPublic)
		bad[own.ID] = "own"
		// Every fan favourites everything public, and pia's followers-only
		// posts reach the fans through a follow: all are strong candidates.
		for _, f := range fans {
			_, err := e.svc.Follow(ctx, f, authors["pia"].ID, social.FollowOptions{})
			mustDo(err)
			for _, n := range names {
				for _, s := range posts[n] {
					_, err := e.svc.Favourite(ctx, f, s.ID)
					mustDo(err)
				}
			}
			_, err = e.svc.Favourite(ctx, f, own.ID)
			mustDo(err)
		}
		// The viewer's history: it favourites two of sara's and boosts one of fred's.
		for _, s := range posts["sara"][:2] {
			_, err := e.svc.Favourite(ctx, viewer, s.ID)
			mustDo(err)
			bad[s.ID] = "favourited"
		}
		_, err = e.svc.Reblog(ctx, viewer, posts["fred"][0].ID, "public")
		mustDo(err)
		bad[posts["fred"][0].ID] = "boosted"
		_, err = e.svc.Block(ctx, viewer, authors["bert"].ID)
		mustDo(err)
		_, err = e.svc.Block(ctx, authors["kurt"], viewer.ID)
		mustDo(err)
		_, err = e.svc.Mute(ctx, viewer, authors["mona"].ID, social.MuteOptions{})
		mustDo(err)
		for n, why := range map[string]string{"bert": "blocked", "kurt": "blocking", "mona": "muted", "pia": "private, not followed"} {
			for _, s := range posts[n] {
				bad[s.ID] = why
			}
		}
		for _, n := range []string{"fred", "sara"} {
			for _, s := range posts[n] {
				if bad[s.ID] == "" {
					good = append(good, s.ID)
				}
			}
		}
		rows, err := st.ListRecentInteractions(ctx, 10000)
		mustDo(err)
		ints := make([]recommend.Interaction, len(rows))
		for i, r := range rows {
			ints[i] = recommend.Interaction{User: r.AccountID, Item: r.StatusID}
		}
		m, err := recommend.Train(ints, recommend.Options{Factors: 8, Seed: 1})
		mustDo(err)
		live.Set(m)

		for _, start := range []string{"/api/v1/timelines/for_you?limit=2", "/api/v1/timelines/list/for_you?limit=2"} {
			seen := map[int64]bool{}
			perAuthor := map[string]int{}
			target := start
			for pages := 0; target != ""; pages++ {
				if pages > 20 {
					t.Fatalf("%s: more than 20 pages", start)
				}
				rec := e.get(target, tok)
				wantStatus(t, rec, http.StatusOK)
				page := decodeList(t, rec)
				if len(page) == 0 {
					break
				}
				for _, s := range page {
					id := parseTestID(t, s["id"])
					if why := bad[id]; why != "" {
						t.Errorf("%s showed a %s status %d", start, why, id)
					}
					if seen[id] {
						t.Errorf("%s showed %d twice", start, id)
					}
					seen[id] = true
					acct := s["account"].(map[string]any)["username"].(string)
					if perAuthor[acct]++; perAuthor[acct] > 3 {
						t.Errorf("%s: %d statuses by %s, want at most 3", start, perAuthor[acct], acct)
					}
				}
				target = nextLink(rec.Header().Get("Link"))
			}
			shown := 0
			for _, id := range good {
				if seen[id] {
					shown++
				}
			}
			if shown < 4 {
				t.Errorf("%s showed %d of the %d statuses it may (fred's and sara's), want at least 4 (3 per author)", start, shown, len(good))
			}
		}
	})
}

// nextLink returns the path and query of the Link header's rel="next".
func nextLink(h string) string {
	for part := range strings.SplitSeq(h, ",") {
		if strings.Contains(part, `rel="next"`) {
			u := strings.TrimSpace(part[strings.Index(part, "<")+1 : strings.Index(part, ">")])
			return strings.TrimPrefix(u, testBaseURL)
		}
	}
	return ""
}

func parseTestID(t *testing.T, v any) int64 {
	t.Helper()
	id, err := parseID("id", fmt.Sprint(v))
	if err != nil {
		t.Fatal(err)
	}
	return id
}

// TestForYouListIsReadOnly: the virtual list is listed first, reads as a
// list with no members, and every change to it is a clear 422.
func TestForYouListIsReadOnly(t *testing.T) {
	onBothStores(t, func(t *testing.T, st store.Store) {
		e := newStreamEnvOn(t, st).testEnv
		_, tok := e.user("vera", "read write")
		ls := decodeList(t, e.get("/api/v1/lists", tok))
		if len(ls) != 1 || ls[0]["id"] != "for_you" || ls[0]["title"] != "For you" {
			t.Fatalf("lists = %v, want the For-you list", ls)
		}
		if l := decodeObject(t, e.get("/api/v1/lists/for_you", tok)); l["id"] != "for_you" {
			t.Errorf("GET /lists/for_you = %v", l)
		}
		if m := decodeList(t, e.get("/api/v1/lists/for_you/accounts", tok)); len(m) != 0 {
			t.Errorf("members = %v, want none", m)
		}
		for _, c := range []struct{ method, target string }{
			{"PUT", "/api/v1/lists/for_you"}, {"DELETE", "/api/v1/lists/for_you"},
			{"POST", "/api/v1/lists/for_you/accounts"}, {"DELETE", "/api/v1/lists/for_you/accounts"},
		} {
			rec := e.do(c.method, c.target+"?title=x&account_ids[]=1", tok, "", nil)
			wantStatus(t, rec, http.StatusUnprocessableEntity)
			if !strings.Contains(rec.Body.String(), "cannot be edited") {
				t.Errorf("%s %s: body %s, want the reason", c.method, c.target, rec.Body)
			}
		}
		wantStatus(t, e.get("/api/v1/timelines/for_you", ""), http.StatusUnauthorized)
	})
}

// TestForYouBadInput: malformed, huge, NUL and invalid UTF-8 paging input
// is refused as on every timeline; an unknown cursor ends the list.
func TestForYouBadInput(t *testing.T) {
	onBothStores(t, func(t *testing.T, st store.Store) {
		e := newStreamEnvOn(t, st).testEnv
		_, tok := e.user("vera", "read write")
		for _, c := range []struct {
			query string
			code  int
		}{
			{"limit=99999999999999999999", 400},
			{"limit=abc", 400},
			{"max_id=99999999999999999999", 400},
			{"max_id=1%00", 422},
			{"max_id=%FF", 422},
			{"limit=" + strings.Repeat("9", 5000), 400},
			{"max_id=9223372036854775807", 200},
			{"min_id=1", 200},
			{"limit=0", 200},
		} {
			for _, path := range []string{"/api/v1/timelines/for_you?", "/api/v1/timelines/list/for_you?"} {
				rec := e.get(path+c.query, tok)
				if rec.Code != c.code {
					t.Errorf("GET %s%s = %d, want %d; body %s", path, c.query, rec.Code, c.code, rec.Body)
				}
			}
		}
	})
}

// TestSuggestionsSimilarInterests: accounts whose statuses the trained
// recommender predicts for the viewer are suggested with Mastodon's
// similar_to_recently_followed source, never a blocked one.
func TestSuggestionsSimilarInterests(t *testing.T) {
	onBothStores(t, func(t *testing.T, st store.Store) {
		live := &recommend.Live{}
		e := newStreamEnvDeps(t, st, testStrategy(t), func(d *social.Deps, _ *social.Config) { d.Recommender = live })
		ctx := t.Context()
		viewer, tok := e.user("vera", "read write follow")
		sara, _ := e.user("sara", "read write")
		tom, _ := e.user("tom", "read write")
		bert, _ := e.user("bert", "read write")
		liked := e.post(sara, "gardens", store.VisibilityPublic)
		co := []*store.Status{e.post(tom, "roses", store.VisibilityPublic), e.post(bert, "tulips", store.VisibilityPublic)}
		for i := range 4 {
			fan, _ := e.user(fmt.Sprintf("fan%d", i), "read write")
			for _, s := range append(co, liked) {
				if _, err := e.svc.Favourite(ctx, fan, s.ID); err != nil {
					t.Fatal(err)
				}
			}
		}
		if _, err := e.svc.Favourite(ctx, viewer, liked.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.Block(ctx, viewer, bert.ID); err != nil {
			t.Fatal(err)
		}
		rows, err := st.ListRecentInteractions(ctx, 1000)
		if err != nil {
			t.Fatal(err)
		}
		var ints []recommend.Interaction
		for _, r := range rows {
			ints = append(ints, recommend.Interaction{User: r.AccountID, Item: r.StatusID})
		}
		m, err := recommend.Train(ints, recommend.Options{Factors: 4, Seed: 1})
		if err != nil {
			t.Fatal(err)
		}
		live.Set(m)
		got := map[string]string{}
		for _, s := range decodeList(t, e.get("/api/v2/suggestions", tok)) {
			got[s["account"].(map[string]any)["id"].(string)] = fmt.Sprint(s["sources"])
		}
		if got[formatID(tom.ID)] != "[similar_to_recently_followed]" {
			t.Errorf("suggestions = %v, want tom (%d) for similar interests", got, tom.ID)
		}
		if _, ok := got[formatID(bert.ID)]; ok {
			t.Errorf("suggested bert, whom the viewer blocks: %v", got)
		}
	})
}
