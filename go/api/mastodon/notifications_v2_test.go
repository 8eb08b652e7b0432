package mastodon

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/starling-social/starling/go/store"
)

// TestGroupedNotifications: favourites of one status group together,
// mentions do not, grouped_types=[] ungroups all, paging with limit and
// the Link header, one group by key, its accounts, unread counts (v1 and
// v2) against the marker, and dismissing a group; on both stores.
func TestGroupedNotifications(t *testing.T) {
	onBothStores(t, func(t *testing.T, st store.Store) {
		e := newStreamEnvOn(t, st).testEnv
		alice, tok := e.user("alice", "read write follow")
		s := e.post(alice, "favourite me", store.VisibilityPublic)
		sid := formatID(s.ID)
		var favers []*store.Account
		for _, name := range []string{"bob", "carol", "dave"} {
			a, atok := e.user(name, "read write follow")
			favers = append(favers, a)
			wantStatus(t, e.postForm("/api/v1/statuses/"+sid+"/favourite", atok, nil), http.StatusOK)
		}
		_, erinTok := e.user("erin", "read write follow")
		wantStatus(t, e.postForm("/api/v1/statuses", erinTok, url.Values{"status": {"hi @alice"}}), http.StatusOK)

		res := decodeObject(t, e.get("/api/v2/notifications", tok))
		groups := res["notification_groups"].([]any)
		if len(groups) != 2 {
			t.Fatalf("groups = %v, want a mention and a favourite group", groups)
		}
		mention, fav := groups[0].(map[string]any), groups[1].(map[string]any)
		if mention["type"] != "mention" || !strings.HasPrefix(mention["group_key"].(string), "ungrouped-") || mention["notifications_count"] != 1.0 {
			t.Errorf("mention group = %v", mention)
		}
		if fav["type"] != "favourite" || fav["notifications_count"] != 3.0 || fav["status_id"] != sid {
			t.Errorf("favourite group = %v", fav)
		}
		samples := fav["sample_account_ids"].([]any)
		if len(samples) != 3 || samples[0] != formatID(favers[2].ID) {
			t.Errorf("sample accounts %v, want the three favouriters, newest first", samples)
		}
		if accts := res["accounts"].([]any); len(accts) != 4 {
			t.Errorf("accounts = %d, want 4 (erin and the three)", len(accts))
		}
		if sts := res["statuses"].([]any); len(sts) != 2 {
			t.Errorf("statuses = %d, want 2 (the mention and the favourited)", len(sts))
		}

		// partial_avatars moves the non-latest samples to partial_accounts.
		partial := decodeObject(t, e.get("/api/v2/notifications?expand_accounts=partial_avatars", tok))
		if pa, _ := partial["partial_accounts"].([]any); len(pa) != 2 {
			t.Errorf("partial_accounts = %v, want the two older favouriters", partial["partial_accounts"])
		}
		// No grouped types: every notification on its own.
		if g := decodeObject(t, e.get("/api/v2/notifications?grouped_types[]=mention", tok))["notification_groups"].([]any); len(g) != 4 {
			t.Errorf("ungrouped favourites: %d groups, want 4", len(g))
		}
		// Paging: one group per page, the next page by the Link header.
		rec := e.get("/api/v2/notifications?limit=1", tok)
		first := decodeObject(t, rec)["notification_groups"].([]any)
		if len(first) != 1 || first[0].(map[string]any)["type"] != "mention" {
			t.Fatalf("first page = %v", first)
		}
		next := linkTarget(t, rec.Header().Get("Link"), "next")
		rec2 := e.get(next, tok)
		second := decodeObject(t, rec2)["notification_groups"].([]any)
		if len(second) != 1 || second[0].(map[string]any)["group_key"] != fav["group_key"] {
			t.Fatalf("second page = %v", second)
		}
		// Back up with prev (min_id): the group just above, the mention.
		prev := linkTarget(t, rec2.Header().Get("Link"), "prev")
		back := decodeObject(t, e.get(prev, tok))["notification_groups"].([]any)
		if len(back) != 1 || back[0].(map[string]any)["group_key"] != mention["group_key"] {
			t.Fatalf("prev of the second page = %v, want the mention", back)
		}
		if last := decodeObject(t, e.get(linkTarget(t, rec2.Header().Get("Link"), "next"), tok))["notification_groups"].([]any); len(last) != 0 {
			t.Errorf("past the last page: %v", last)
		}

		key := fav["group_key"].(string)
		one := decodeObject(t, e.get("/api/v2/notifications/"+key, tok))
		if g := one["notification_groups"].([]any); len(g) != 1 || g[0].(map[string]any)["notifications_count"] != 3.0 {
			t.Errorf("group %s = %v", key, one)
		}
		if accts := decodeList(t, e.get("/api/v2/notifications/"+key+"/accounts", tok)); len(accts) != 3 {
			t.Errorf("group accounts = %v", accts)
		}
		_, otherTok := e.user("frank", "read write")
		wantStatus(t, e.get("/api/v2/notifications/"+key, otherTok), http.StatusNotFound)
		wantStatus(t, e.get("/api/v2/notifications/"+mention["group_key"].(string), otherTok), http.StatusNotFound)

		// Unread: all four (two groups) before any marker; none after it.
		if n := decodeObject(t, e.get("/api/v1/notifications/unread_count", tok))["count"]; n != 4.0 {
			t.Errorf("v1 unread_count = %v, want 4", n)
		}
		if n := decodeObject(t, e.get("/api/v2/notifications/unread_count", tok))["count"]; n != 2.0 {
			t.Errorf("v2 unread_count = %v, want 2", n)
		}
		wantStatus(t, e.postForm("/api/v1/markers", tok, url.Values{"notifications[last_read_id]": {mention["most_recent_notification_id"].(string)}}), http.StatusOK)
		if n := decodeObject(t, e.get("/api/v2/notifications/unread_count", tok))["count"]; n != 0.0 {
			t.Errorf("v2 unread_count after the marker = %v, want 0", n)
		}

		wantStatus(t, e.postForm("/api/v2/notifications/"+key+"/dismiss", otherTok, nil), http.StatusOK)
		if g := decodeObject(t, e.get("/api/v2/notifications", tok))["notification_groups"].([]any); len(g) != 2 {
			t.Errorf("another account's dismiss took alice's group: %v", g)
		}
		wantStatus(t, e.postForm("/api/v2/notifications/"+key+"/dismiss", tok, nil), http.StatusOK)
		if g := decodeObject(t, e.get("/api/v2/notifications", tok))["notification_groups"].([]any); len(g) != 1 {
			t.Errorf("after dismissing the favourites: %v", g)
		}
	})
}

// TestGroupedNotificationsBadInput: malformed parameters and keys are
// refused with client errors, on both stores.
func TestGroupedNotificationsBadInput(t *testing.T) {
	onBothStores(t, func(t *testing.T, st store.Store) {
		e := newStreamEnvOn(t, st).testEnv
		_, tok := e.user("alice", "read write")
		huge := "99999999999999999999999999"
		for _, tc := range []struct {
			name, method, target string
			code                 int
		}{
			{"limit not a number", "GET", "/api/v2/notifications?limit=many", 400},
			{"max_id huge", "GET", "/api/v2/notifications?max_id=" + huge, 400},
			{"account_id huge", "GET", "/api/v2/notifications?account_id=" + huge, 400},
			{"types NUL", "GET", "/api/v2/notifications?types[]=fav%00", 422},
			{"grouped_types invalid UTF-8", "GET", "/api/v2/notifications?grouped_types[]=%FF", 422},
			{"expand_accounts unknown", "GET", "/api/v2/notifications?expand_accounts=everything", 422},
			{"unread limit not a number", "GET", "/api/v2/notifications/unread_count?limit=x", 400},
			{"v1 unread limit not a number", "GET", "/api/v1/notifications/unread_count?limit=x", 400},
			{"key unknown shape", "GET", "/api/v2/notifications/nonsense", 404},
			{"key oversized", "GET", "/api/v2/notifications/favourite-" + strings.Repeat("9", 5000) + "-1", 404},
			{"key NUL", "GET", "/api/v2/notifications/ungrouped-1%00", 404},
			{"key huge id", "GET", "/api/v2/notifications/ungrouped-" + huge, 404},
			{"accounts of unknown key", "GET", "/api/v2/notifications/nonsense/accounts", 404},
			{"dismiss unknown key", "POST", "/api/v2/notifications/nonsense/dismiss", 404},
			{"dismiss missing ungrouped", "POST", "/api/v2/notifications/ungrouped-12345/dismiss", 404},
		} {
			if rec := e.do(tc.method, tc.target, tok, "", nil); rec.Code != tc.code {
				t.Errorf("%s: %d %s, want %d", tc.name, rec.Code, rec.Body, tc.code)
			}
		}
		if n := decodeObject(t, e.get("/api/v2/notifications/unread_count?limit=999999", tok))["count"]; n != 0.0 {
			t.Errorf("unread_count with a huge limit = %v", n)
		}
	})
}

// linkTarget is the path and query of the Link header's rel entry.
func linkTarget(t *testing.T, link, rel string) string {
	t.Helper()
	for _, part := range strings.Split(link, ",") {
		if strings.Contains(part, `rel="`+rel+`"`) {
			u := strings.TrimSpace(part)
			u = u[strings.Index(u, "<")+1 : strings.Index(u, ">")]
			return strings.TrimPrefix(u, testBaseURL)
		}
	}
	t.Fatalf("no %s in Link %q", rel, link)
	return ""
}
