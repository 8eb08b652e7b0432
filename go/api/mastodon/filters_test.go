package mastodon

import (
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/starling-social/starling/go/social"
	"github.com/starling-social/starling/go/store"
)

// doJSON sends v as a JSON body with method.
func (e *testEnv) doJSON(method, target, token string, v any) *http.Response {
	e.t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		e.t.Fatal(err)
	}
	return e.do(method, target, token, "application/json", strings.NewReader(string(b))).Result()
}

// keywordsOf lists a Filter entity's keywords as "keyword:whole_word".
func keywordsOf(t *testing.T, f map[string]any) []string {
	t.Helper()
	var out []string
	for _, k := range f["keywords"].([]any) {
		k := k.(map[string]any)
		out = append(out, fmt.Sprintf("%v:%v", k["keyword"], k["whole_word"]))
	}
	return out
}

func TestFiltersCRUD(t *testing.T) {
	onBothStores(t, func(t *testing.T, st store.Store) {
		e := newStreamEnvOn(t, st).testEnv
		_, tok := e.user("alice", "read write")
		bob, bobTok := e.user("bob", "read write")

		// Create with keywords, as masto.js sends it (JSON).
		rec := e.postJSON("/api/v2/filters", tok, map[string]any{
			"title": "Spoilers", "context": []string{"public", "home", "home"}, "filter_action": "warn", "expires_in": 3600,
			"keywords_attributes": []map[string]any{{"keyword": "dune", "whole_word": true}, {"keyword": "arrakis"}},
		})
		wantStatus(t, rec, http.StatusOK)
		f := decodeObject(t, rec)
		wantShape(t, "Filter", f, map[string]string{"id": "string", "title": "string", "context": "array",
			"expires_at": "string", "filter_action": "string", "keywords": "array", "statuses": "array"})
		if got := keywordsOf(t, f); !slices.Equal(got, []string{"dune:true", "arrakis:false"}) {
			t.Errorf("keywords = %v", got)
		}
		if fmt.Sprint(f["context"]) != "[home public]" || f["title"] != "Spoilers" || f["filter_action"] != "warn" {
			t.Errorf("filter = %v", f)
		}
		id := f["id"].(string)
		// The same as a form, Rails' nested attributes.
		form := url.Values{"title": {"Form"}, "context[]": {"thread"}, "filter_action": {"hide"},
			"keywords_attributes[][keyword]": {"one", "two"}, "keywords_attributes[][whole_word]": {"true", "false"}}
		rec = e.postForm("/api/v2/filters", tok, form)
		wantStatus(t, rec, http.StatusOK)
		formFilter := decodeObject(t, rec)
		if got := keywordsOf(t, formFilter); !slices.Equal(got, []string{"one:true", "two:false"}) || formFilter["expires_at"] != nil {
			t.Errorf("form filter = %v", formFilter)
		}

		list := decodeList(t, e.get("/api/v2/filters", tok))
		if len(list) != 2 || list[0]["id"] != id {
			t.Fatalf("filters = %v", list)
		}
		if got := decodeList(t, e.get("/api/v2/filters", bobTok)); len(got) != 0 {
			t.Errorf("bob sees alice's filters: %v", got)
		}
		wantError(t, e.get("/api/v2/filters/"+id, bobTok), http.StatusNotFound)

		// Update: title, keep context, add, change and remove keywords,
		// clear the expiry.
		kws := f["keywords"].([]any)
		duneID, arrakisID := kws[0].(map[string]any)["id"], kws[1].(map[string]any)["id"]
		res := e.doJSON("PUT", "/api/v2/filters/"+id, tok, map[string]any{"title": "Dune spoilers", "expires_in": "",
			"keywords_attributes": []map[string]any{
				{"id": duneID, "keyword": "Dune", "whole_word": false},
				{"id": arrakisID, "_destroy": true},
				{"keyword": "spice", "whole_word": true}}})
		if res.StatusCode != http.StatusOK {
			t.Fatalf("PUT filter: %d", res.StatusCode)
		}
		f = decodeObject(t, e.get("/api/v2/filters/"+id, tok))
		if got := keywordsOf(t, f); !slices.Equal(got, []string{"Dune:false", "spice:true"}) ||
			f["title"] != "Dune spoilers" || f["expires_at"] != nil || fmt.Sprint(f["context"]) != "[home public]" {
			t.Errorf("after update: %v", f)
		}

		// Keywords sub-resource.
		rec = e.postForm("/api/v2/filters/"+id+"/keywords", tok, url.Values{"keyword": {"sandworm"}, "whole_word": {"true"}})
		wantStatus(t, rec, http.StatusOK)
		kw := decodeObject(t, rec)
		wantShape(t, "FilterKeyword", kw, map[string]string{"id": "string", "keyword": "string", "whole_word": "boolean"})
		kid := kw["id"].(string)
		if got := decodeList(t, e.get("/api/v2/filters/"+id+"/keywords", tok)); len(got) != 3 {
			t.Errorf("keywords = %v", got)
		}
		res = e.doJSON("PUT", "/api/v2/filters/keywords/"+kid, tok, map[string]any{"keyword": "worm", "whole_word": false})
		if res.StatusCode != http.StatusOK {
			t.Fatalf("PUT keyword: %d", res.StatusCode)
		}
		if got := decodeObject(t, e.get("/api/v2/filters/keywords/"+kid, tok)); got["keyword"] != "worm" || got["whole_word"] != false {
			t.Errorf("keyword after update = %v", got)
		}
		wantError(t, e.get("/api/v2/filters/keywords/"+kid, bobTok), http.StatusNotFound)
		wantStatus(t, e.do("DELETE", "/api/v2/filters/keywords/"+kid, tok, "", nil), http.StatusOK)
		wantError(t, e.get("/api/v2/filters/keywords/"+kid, tok), http.StatusNotFound)

		// Statuses sub-resource: visible statuses only; once each.
		pub := formatID(e.post(bob, "public post", store.VisibilityPublic).ID)
		priv := formatID(e.post(bob, "followers only", store.VisibilityPrivate).ID)
		rec = e.postForm("/api/v2/filters/"+id+"/statuses", tok, url.Values{"status_id": {pub}})
		wantStatus(t, rec, http.StatusOK)
		fs := decodeObject(t, rec)
		if fs["status_id"] != pub {
			t.Errorf("filter status = %v", fs)
		}
		wantError(t, e.postForm("/api/v2/filters/"+id+"/statuses", tok, url.Values{"status_id": {pub}}), http.StatusUnprocessableEntity)
		wantError(t, e.postForm("/api/v2/filters/"+id+"/statuses", tok, url.Values{"status_id": {priv}}), http.StatusNotFound)
		wantError(t, e.postForm("/api/v2/filters/"+id+"/statuses", bobTok, url.Values{"status_id": {pub}}), http.StatusNotFound)
		if got := decodeList(t, e.get("/api/v2/filters/"+id+"/statuses", tok)); len(got) != 1 {
			t.Errorf("filter statuses = %v", got)
		}
		fsID := fs["id"].(string)
		wantStatus(t, e.get("/api/v2/filters/statuses/"+fsID, tok), http.StatusOK)
		wantError(t, e.get("/api/v2/filters/statuses/"+fsID, bobTok), http.StatusNotFound)
		wantStatus(t, e.do("DELETE", "/api/v2/filters/statuses/"+fsID, tok, "", nil), http.StatusOK)
		wantError(t, e.do("DELETE", "/api/v2/filters/statuses/"+fsID, tok, "", nil), http.StatusNotFound)

		// The v1 view: one filter per keyword.
		v1 := decodeList(t, e.get("/api/v1/filters", tok))
		var phrases []string
		for _, p := range v1 {
			phrases = append(phrases, fmt.Sprintf("%v:%v:%v", p["phrase"], p["irreversible"], p["whole_word"]))
		}
		if !slices.Equal(phrases, []string{"Dune:false:false", "spice:false:true", "one:true:true", "two:true:false"}) {
			t.Errorf("v1 filters = %v", phrases)
		}
		rec = e.postForm("/api/v1/filters", tok, url.Values{"phrase": {"cats"}, "context[]": {"home", "notifications"},
			"irreversible": {"true"}, "whole_word": {"true"}})
		wantStatus(t, rec, http.StatusOK)
		v1f := decodeObject(t, rec)
		wantShape(t, "V1Filter", v1f, map[string]string{"id": "string", "phrase": "string", "context": "array",
			"expires_at": "null", "irreversible": "boolean", "whole_word": "boolean"})
		v1id := v1f["id"].(string)
		res = e.doJSON("PUT", "/api/v1/filters/"+v1id, tok, map[string]any{"phrase": "dogs", "irreversible": false, "context": []string{"public"}})
		if res.StatusCode != http.StatusOK {
			t.Fatalf("PUT v1 filter: %d", res.StatusCode)
		}
		v1f = decodeObject(t, e.get("/api/v1/filters/"+v1id, tok))
		if v1f["phrase"] != "dogs" || v1f["irreversible"] != false || fmt.Sprint(v1f["context"]) != "[public]" {
			t.Errorf("v1 filter after update = %v", v1f)
		}
		// A filter of several keywords changes only through v2.
		res = e.doJSON("PUT", "/api/v1/filters/"+formatID(mustID(t, duneID)), tok, map[string]any{"irreversible": true})
		if res.StatusCode != http.StatusUnprocessableEntity {
			t.Errorf("PUT v1 on a filter of several keywords: %d, want 422", res.StatusCode)
		}
		wantStatus(t, e.do("DELETE", "/api/v1/filters/"+v1id, tok, "", nil), http.StatusOK)
		wantError(t, e.get("/api/v1/filters/"+v1id, tok), http.StatusNotFound)
		if got := decodeList(t, e.get("/api/v2/filters", tok)); len(got) != 2 {
			t.Errorf("deleting the v1 filter's only keyword left %d filters, want 2", len(got))
		}

		wantError(t, e.do("DELETE", "/api/v2/filters/"+id, bobTok, "", nil), http.StatusNotFound)
		wantStatus(t, e.do("DELETE", "/api/v2/filters/"+id, tok, "", nil), http.StatusOK)
		wantError(t, e.get("/api/v2/filters/"+id, tok), http.StatusNotFound)
		// Scopes: reading needs read:filters, writing write:filters.
		_, readOnly := e.user("carol", "read")
		wantStatus(t, e.get("/api/v2/filters", readOnly), http.StatusOK)
		wantError(t, e.postForm("/api/v2/filters", readOnly, url.Values{"title": {"x"}, "context[]": {"home"}}), http.StatusForbidden)
		wantError(t, e.get("/api/v2/filters", ""), http.StatusUnauthorized)
	})
}

func mustID(t *testing.T, v any) int64 {
	t.Helper()
	id, err := parseID("id", v.(string))
	if err != nil {
		t.Fatal(err)
	}
	return id
}

// statusIDsWithFilters lists a timeline's status IDs, each with the
// titles and keyword matches of its filter results.
func statusIDsWithFilters(t *testing.T, list []map[string]any) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, s := range list {
		var parts []string
		// Shared streams render a status once for every listener: it
		// carries filtered only when one of the listener's filters matched.
		results, _ := s["filtered"].([]any)
		for _, r := range results {
			r := r.(map[string]any)
			parts = append(parts, fmt.Sprintf("%v%v%v", r["filter"].(map[string]any)["title"], r["keyword_matches"], r["status_matches"]))
		}
		out[s["id"].(string)] = strings.Join(parts, ",")
	}
	return out
}

func TestFiltersApplied(t *testing.T) {
	onBothStores(t, func(t *testing.T, st store.Store) {
		e := newStreamEnvOn(t, st).testEnv
		alice, tok := e.user("alice", "read write")
		bob, _ := e.user("bob", "read write")
		e.follow(alice, bob)
		dune := formatID(e.post(bob, "The DUNE movie was great", store.VisibilityPublic).ID)
		dunes := formatID(e.post(bob, "Sand dunes at sunset", store.VisibilityPublic).ID)
		cats := formatID(e.post(bob, "I love cats", store.VisibilityPublic).ID)
		plain := formatID(e.post(bob, "Nothing to see", store.VisibilityPublic).ID)
		own := formatID(e.post(alice, "my dune post, and cats", store.VisibilityPublic).ID)
		mention := formatID(e.post(bob, "@alice cats again", store.VisibilityPublic).ID)

		create := func(body map[string]any) string {
			t.Helper()
			rec := e.postJSON("/api/v2/filters", tok, body)
			wantStatus(t, rec, http.StatusOK)
			return decodeObject(t, rec)["id"].(string)
		}
		create(map[string]any{"title": "Spoilers", "context": []string{"home", "thread", "account"},
			"keywords_attributes": []map[string]any{{"keyword": "dune", "whole_word": true}}})
		create(map[string]any{"title": "No cats", "context": []string{"public", "notifications", "account"}, "filter_action": "hide",
			"keywords_attributes": []map[string]any{{"keyword": "cats"}}})
		byID := create(map[string]any{"title": "That one", "context": []string{"home"}})
		wantStatus(t, e.postForm("/api/v2/filters/"+byID+"/statuses", tok, url.Values{"status_id": {plain}}), http.StatusOK)
		// Expired filters do nothing (the expiry is moved into the past
		// through the store).
		old := create(map[string]any{"title": "Expired", "context": []string{"home", "public"}, "filter_action": "hide",
			"keywords_attributes": []map[string]any{{"keyword": "sunset"}}})
		expireFilter(t, e, alice, old)

		home := statusIDsWithFilters(t, decodeList(t, e.get("/api/v1/timelines/home", tok)))
		want := map[string]string{dune: "Spoilers[dune]<nil>", dunes: "", cats: "", plain: "That one<nil>[" + plain + "]",
			own: "", mention: ""}
		if !mapsEqual(home, want) {
			t.Errorf("home = %v\nwant %v", home, want)
		}
		public := statusIDsWithFilters(t, decodeList(t, e.get("/api/v1/timelines/public", tok)))
		want = map[string]string{dune: "", dunes: "", plain: "", own: ""}
		if !mapsEqual(public, want) {
			t.Errorf("public = %v\nwant %v (cats hidden, own status never filtered)", public, want)
		}
		anon := decodeList(t, e.get("/api/v1/timelines/public", ""))
		if len(anon) != 6 {
			t.Errorf("anonymous public timeline has %d statuses, want all 6", len(anon))
		}
		// filtered is a signed-in viewer's (even when empty), as Mastodon
		// renders it; the rendered-status cache shares the rest.
		for _, s := range anon {
			if _, ok := s["filtered"]; ok {
				t.Errorf("anonymous status %v carries filtered", s["id"])
			}
		}
		for _, s := range decodeList(t, e.get("/api/v1/timelines/public", tok)) {
			if _, ok := s["filtered"].([]any); !ok {
				t.Errorf("signed-in status %v has filtered %v, want a list", s["id"], s["filtered"])
			}
		}
		profile := statusIDsWithFilters(t, decodeList(t, e.get("/api/v1/accounts/"+formatID(bob.ID)+"/statuses", tok)))
		want = map[string]string{dune: "Spoilers[dune]<nil>", dunes: "", plain: ""}
		if !mapsEqual(profile, want) {
			t.Errorf("bob's profile = %v\nwant %v", profile, want)
		}
		// Opened by ID: nothing hidden, every active filter shown.
		one := decodeObject(t, e.get("/api/v1/statuses/"+cats, tok))
		if got := statusIDsWithFilters(t, []map[string]any{one}); got[cats] != "No cats[cats]<nil>" {
			t.Errorf("GET cats filtered = %v", got)
		}
		// Notifications: the mention is hidden by the hide filter.
		for _, n := range decodeList(t, e.get("/api/v1/notifications", tok)) {
			if s, ok := n["status"].(map[string]any); ok && s["id"] == mention {
				t.Errorf("a notification of a hidden status was shown: %v", n)
			}
		}
		// Thread: a reply matching the keyword carries it.
		reply, err := e.svc.PostStatus(t.Context(), bob, replyInput("dune sequel soon", dune))
		if err != nil {
			t.Fatal(err)
		}
		ctx := decodeObject(t, e.get("/api/v1/statuses/"+dune+"/context", tok))
		got := statusIDsWithFilters(t, toMaps(ctx["descendants"]))
		if got[formatID(reply.ID)] != "Spoilers[dune]<nil>" {
			t.Errorf("thread descendants = %v", got)
		}
	})
}

// expireFilter moves filter id's expiry into the past, through the store.
func expireFilter(t *testing.T, e *testEnv, owner *store.Account, id string) {
	t.Helper()
	past := time.Now().Add(-time.Minute)
	err := e.st.UpdateFilter(t.Context(), &store.FilterUpdate{Filter: &store.Filter{ID: mustID(t, id), AccountID: owner.ID, ExpiresAt: &past},
		Columns: []string{"expires_at"}}, store.FilterLimits{Filters: 100, Keywords: 100})
	if err != nil {
		t.Fatal(err)
	}
}

func replyInput(text, parent string) social.StatusInput {
	id, _ := parseID("id", parent)
	return social.StatusInput{Text: text, Visibility: "public", InReplyToID: id}
}

func toMaps(v any) []map[string]any {
	var out []map[string]any
	for _, e := range v.([]any) {
		out = append(out, e.(map[string]any))
	}
	return out
}

func mapsEqual(a, b map[string]string) bool { return maps.Equal(a, b) }

// TestFiltersOnTheUserStream: the user stream applies the home context's
// filters: a hidden status is not sent, a warned one carries filtered.
func TestFiltersOnTheUserStream(t *testing.T) {
	e := newStreamEnv(t)
	alice, tok := e.user("alice", "read write follow")
	bob, _ := e.user("bob", "read write")
	e.follow(alice, bob)
	for _, f := range []map[string]any{
		{"title": "Hide", "context": []string{"home"}, "filter_action": "hide", "keywords_attributes": []map[string]any{{"keyword": "hideme"}}},
		{"title": "Warn", "context": []string{"home"}, "keywords_attributes": []map[string]any{{"keyword": "warnme"}}},
		{"title": "Public only", "context": []string{"public"}, "filter_action": "hide", "keywords_attributes": []map[string]any{{"keyword": "elsewhere"}}},
	} {
		wantStatus(t, e.postJSON("/api/v2/filters", tok, f), http.StatusOK)
	}
	c := e.dial("?stream=user", tok)
	c.barrier()
	// A change of filters is announced, without a payload, as Mastodon does.
	wantStatus(t, e.postJSON("/api/v2/filters", tok, map[string]any{"title": "Later", "context": []string{"thread"}}), http.StatusOK)
	if m := c.next(); m["event"] != "filters_changed" || fmt.Sprint(m["stream"]) != "[user]" || m["payload"] != nil {
		t.Fatalf("after a filter change the user stream sent %v, want filters_changed without payload", m)
	}
	hidden := e.post(bob, "please hideme", store.VisibilityPublic)
	warned := e.post(bob, "please warnme", store.VisibilityPublic)
	other := e.post(bob, "shown here, filtered elsewhere", store.VisibilityPublic)
	marker := e.post(alice, "marker", store.VisibilityPublic)
	seen := map[string]string{}
	for {
		m := c.next()
		var s map[string]any
		if err := json.Unmarshal([]byte(m["payload"].(string)), &s); err != nil {
			t.Fatal(err)
		}
		seen[s["id"].(string)] = statusIDsWithFilters(t, []map[string]any{s})[s["id"].(string)]
		if s["id"] == formatID(marker.ID) {
			break
		}
	}
	want := map[string]string{formatID(warned.ID): "Warn[warnme]<nil>", formatID(other.ID): "", formatID(marker.ID): ""}
	if !maps.Equal(seen, want) {
		t.Errorf("user stream = %v, want %v (hidden %s)", seen, want, formatID(hidden.ID))
	}
}

// TestFiltersOnSharedStreams: the public stream, rendered once for all,
// still applies each listener's public-context filters; a filter created
// while connected applies from the next event on.
func TestFiltersOnSharedStreams(t *testing.T) {
	onBothStores(t, func(t *testing.T, st store.Store) {
		e := newStreamEnvOn(t, st)
		_, tok := e.user("alice", "read write follow")
		_, otherTok := e.user("carol", "read write")
		bob, _ := e.user("bob", "read write")
		wantStatus(t, e.postJSON("/api/v2/filters", tok, map[string]any{"title": "Hide", "context": []string{"public"},
			"filter_action": "hide", "keywords_attributes": []map[string]any{{"keyword": "hideme"}}}), http.StatusOK)
		alice := e.dial("?stream=public", tok)
		alice.barrier()
		carol := e.dial("?stream=public", otherTok)
		carol.barrier()

		read := func(c *wsClient, until string) map[string]string {
			t.Helper()
			seen := map[string]string{}
			for {
				m := c.next()
				var s map[string]any
				if err := json.Unmarshal([]byte(m["payload"].(string)), &s); err != nil {
					t.Fatal(err)
				}
				id := s["id"].(string)
				seen[id] = statusIDsWithFilters(t, []map[string]any{s})[id]
				if id == until {
					return seen
				}
			}
		}
		hidden := formatID(e.post(bob, "please hideme", store.VisibilityPublic).ID)
		// A filter made while connected: the next events see it.
		wantStatus(t, e.postJSON("/api/v2/filters", tok, map[string]any{"title": "Warn", "context": []string{"public"},
			"keywords_attributes": []map[string]any{{"keyword": "warnme"}}}), http.StatusOK)
		warned := formatID(e.post(bob, "please warnme", store.VisibilityPublic).ID)
		marker := formatID(e.post(bob, "marker", store.VisibilityPublic).ID)

		got := read(alice, marker)
		want := map[string]string{warned: "Warn[warnme]<nil>", marker: ""}
		if !maps.Equal(got, want) {
			t.Errorf("alice's public stream = %v, want %v (hidden %s)", got, want, hidden)
		}
		got = read(carol, marker)
		want = map[string]string{hidden: "", warned: "", marker: ""}
		if !maps.Equal(got, want) {
			t.Errorf("carol's public stream = %v, want %v", got, want)
		}
	})
}
