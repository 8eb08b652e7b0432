package mastodon

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"reflect"
	"testing"
	"time"

	"github.com/starling-social/starling/go/social"
	"github.com/starling-social/starling/go/store"
)

// cacheTestView is a status view with every rendered field set.
func cacheTestView() *social.StatusView {
	last := time.Date(2026, 12, 5, 10, 0, 0, 0, time.UTC)
	author := &store.Account{ID: 7, Username: "alice", DisplayName: "Alice", Note: "hi <b>there</b>",
		PasswordHash: "secret", CreatedAt: time.Date(2026, 1, 2, 3, 4, 5, 6e6, time.UTC),
		FollowersCount: 3, FollowingCount: 4, StatusesCount: 5, LastStatusAt: &last}
	return &social.StatusView{
		Status: &store.Status{ID: 100, AccountID: 7, InReplyToID: 90, InReplyToAccountID: 8,
			Text: "src", Content: `<p>say "reblog":null &amp; <b>hi</b></p>`, SpoilerText: "cw",
			Visibility: store.VisibilityPublic, Language: "en", CreatedAt: time.Date(2026, 12, 6, 1, 2, 3, 4e6, time.UTC),
			Embedding: []float32{1, 2}, RepliesCount: 1, ReblogsCount: 2, FavouritesCount: 3},
		Author:   author,
		Mentions: []*store.Account{{ID: 8, Username: "bob"}},
		Tags:     []string{"go", "ünïcode"},
	}
}

// mutate changes field f of the struct v points at to another value of
// its type.
func mutate(t *testing.T, f reflect.Value) {
	t.Helper()
	switch f.Kind() {
	case reflect.Int64:
		f.SetInt(f.Int() + 1)
	case reflect.String:
		f.SetString(f.String() + "x")
	case reflect.Bool:
		f.SetBool(!f.Bool())
	case reflect.Slice:
		f.Set(reflect.Append(f, reflect.Zero(f.Type().Elem())))
	case reflect.Struct: // time.Time
		f.Set(reflect.ValueOf(f.Interface().(time.Time).Add(time.Millisecond)))
	case reflect.Pointer: // *time.Time
		if f.IsNil() {
			n := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
			f.Set(reflect.ValueOf(&n))
		} else {
			n := f.Elem().Interface().(time.Time).AddDate(0, 0, 1)
			f.Set(reflect.ValueOf(&n))
		}
	default:
		t.Fatalf("mutate: no case for %s", f.Type())
	}
}

// TestStatusFingerprintCoversRenderedFields changes every field of the
// status and author rows, one at a time, and checks the rule the cache
// rests on: whenever the rendering changes, so does the fingerprint. A
// field added to the rows and rendered, but forgotten in fingerprint, fails
// here. Fields that leave the rendering alone are listed, so a change to
// that list is a visible decision.
func TestStatusFingerprintCoversRenderedFields(t *testing.T) {
	h := New(nil, Options{BaseURL: testBaseURL})
	// AccountID is rendered through the author row (Account.*).
	notRendered := map[string]bool{"Status.Text": true, "Status.Embedding": true, "Status.AccountID": true, "Account.PasswordHash": true}
	render := func(v *social.StatusView) string {
		b, err := json.Marshal(h.statusEntity(v))
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	for _, part := range []struct {
		name string
		of   func(v *social.StatusView) reflect.Value
	}{
		{"Status", func(v *social.StatusView) reflect.Value { return reflect.ValueOf(v.Status).Elem() }},
		{"Account", func(v *social.StatusView) reflect.Value { return reflect.ValueOf(v.Author).Elem() }},
	} {
		typ := part.of(cacheTestView()).Type()
		for i := range typ.NumField() {
			name := part.name + "." + typ.Field(i).Name
			base, changed := cacheTestView(), cacheTestView()
			mutate(t, part.of(changed).Field(i))
			renderedDiffers := render(base) != render(changed)
			fpDiffers := h.statusCache.fingerprint(base) != h.statusCache.fingerprint(changed)
			switch {
			case notRendered[name] && renderedDiffers:
				t.Errorf("%s is listed as not rendered, but changing it changes the JSON", name)
			case !notRendered[name] && !renderedDiffers:
				t.Errorf("%s: changing it leaves the JSON alone; list it in notRendered if that is meant", name)
			case renderedDiffers && !fpDiffers:
				t.Errorf("%s: changing it changes the JSON but not the fingerprint: the cache would serve it stale", name)
			}
		}
	}
	for name, change := range map[string]func(v *social.StatusView){
		"mention added":    func(v *social.StatusView) { v.Mentions = append(v.Mentions, &store.Account{ID: 9, Username: "carol"}) },
		"mention renamed":  func(v *social.StatusView) { v.Mentions[0] = &store.Account{ID: 8, Username: "bobby"} },
		"tag added":        func(v *social.StatusView) { v.Tags = append(v.Tags, "new") },
		"tags regrouped":   func(v *social.StatusView) { v.Tags = []string{"gob", "ünïcode"[1:]} },
		"no last status":   func(v *social.StatusView) { v.Author.LastStatusAt = nil },
		"reblog of status": func(v *social.StatusView) { v.Status.ReblogOfID = 5 },
	} {
		base, changed := cacheTestView(), cacheTestView()
		change(changed)
		if h.statusCache.fingerprint(base) == h.statusCache.fingerprint(changed) {
			t.Errorf("%s: same fingerprint", name)
		}
	}
}

// TestAppendStatusJSONMatchesStatusView checks that the spliced rendering
// (cached part + original + viewer flags) decodes to exactly what
// statusView encodes, for anonymous and signed-in viewers, a pinnable own
// status, and a reblog whose wrapper and original carry different flags;
// both from a cold and from a warm cache.
func TestAppendStatusJSONMatchesStatusView(t *testing.T) {
	h := New(nil, Options{BaseURL: testBaseURL})
	viewer := &store.Account{ID: 8, Username: "bob"}
	plain := cacheTestView()
	plain.Favourited, plain.Muted = true, true
	own := cacheTestView()
	own.Status.ID, own.Author, own.Pinnable, own.Pinned = 101, viewer, true, true
	original := cacheTestView()
	original.Status.ID, original.Reblogged, original.Bookmarked = 102, true, true
	wrapper := &social.StatusView{Status: &store.Status{ID: 103, AccountID: 8, ReblogOfID: 102,
		Visibility: store.VisibilityPublic, CreatedAt: time.Now()}, Author: viewer, Reblog: original, Favourited: true}
	for _, v := range []*social.StatusView{plain, own, wrapper} {
		for _, who := range []*store.Account{nil, viewer} {
			for _, pass := range []string{"cold", "warm"} {
				want, err := json.Marshal(h.statusView(who, v))
				if err != nil {
					t.Fatal(err)
				}
				got, err := h.appendStatusJSON(nil, who, v)
				if err != nil {
					t.Fatal(err)
				}
				var wantAny, gotAny any
				if err := json.Unmarshal(want, &wantAny); err != nil {
					t.Fatal(err)
				}
				if err := json.Unmarshal(got, &gotAny); err != nil {
					t.Fatalf("status %d (%s): invalid JSON %s: %v", v.Status.ID, pass, got, err)
				}
				if !reflect.DeepEqual(wantAny, gotAny) {
					t.Errorf("status %d viewer %v (%s):\n got %s\nwant %s", v.Status.ID, who != nil, pass, got, want)
				}
			}
		}
	}
	if h.statusCache.len() != 4 { // plain, own, wrapper, original
		t.Errorf("cache holds %d entries, want 4", h.statusCache.len())
	}
}

// TestStatusCacheBudget fills a small cache: it never holds more than its
// budget, and evicts the least recently used entry first.
func TestStatusCacheBudget(t *testing.T) {
	entry := func(id int64) *renderedStatus {
		return &renderedStatus{id: id, fingerprint: uint64(id), json: make([]byte, 1000-entryOverhead)}
	}
	c := newStatusCache(10 * 1000)
	for id := int64(1); id <= 10; id++ {
		c.put(entry(id))
	}
	if c.get(1, 1) == nil { // 1 is now the most recently used
		t.Fatal("entry 1 missing before the budget was reached")
	}
	c.put(entry(11))
	if c.len() != 10 || c.bytes() > 10*1000 {
		t.Errorf("cache holds %d entries, %d bytes; want 10 within 10000", c.len(), c.bytes())
	}
	if c.get(2, 2) != nil || c.get(1, 1) == nil || c.get(11, 11) == nil {
		t.Error("eviction did not take the least recently used entry (2)")
	}
	if c.get(11, 12) != nil {
		t.Error("an entry with another fingerprint was served")
	}
	c.put(&renderedStatus{id: 99, json: make([]byte, 20000)}) // above the whole budget: not kept
	if c.get(99, 0) != nil || c.bytes() > 10*1000 {
		t.Error("an entry larger than the budget was kept")
	}
	if newStatusCache(-1) != nil {
		t.Error("a negative budget should disable the cache")
	}
	var off *statusCache
	off.put(entry(1))
	if off.get(1, 1) != nil {
		t.Error("a disabled cache returned an entry")
	}
}

// TestStatusCacheShards fills a cache large enough to be sharded with
// statuses of snowflake IDs (a millisecond each, sequence 0, as most
// are), reading each right after storing it: every shard takes some, the
// whole stays within the budget, and a status stored into a full shard
// whose entries were all read is kept (the read ones make way for it).
func TestStatusCacheShards(t *testing.T) {
	const budget = 4 * minShardBytes
	c := newStatusCache(budget)
	if len(c.shards) != 4 {
		t.Fatalf("%d shards for a budget of %d, want 4", len(c.shards), budget)
	}
	for ms := int64(1); ms <= 2000; ms++ {
		id := ms << 22
		c.put(&renderedStatus{id: id, fingerprint: 1, json: make([]byte, 10_000)})
		if c.get(id, 1) == nil {
			t.Fatalf("status %d missing right after it was stored", id)
		}
	}
	for i := range c.shards {
		if n := len(c.shards[i].entries); n == 0 {
			t.Errorf("shard %d holds nothing", i)
		}
	}
	if c.bytes() > budget || c.len() == 0 {
		t.Errorf("cache holds %d entries, %d bytes; want some within %d", c.len(), c.bytes(), budget)
	}
	if n := len(newStatusCache(minShardBytes / 2).shards); n != 1 {
		t.Errorf("a cache smaller than a shard's minimum has %d shards, want 1", n)
	}
}

// TestStatusCacheServesNothingStale reads timelines and statuses over HTTP
// on both stores, warming the rendered-status cache, and after each write
// that changes what a status renders checks the next read shows it:
// counts, the author's profile and counts, per-viewer flags (also inside a
// reblog), deletion, and visibility (a follower-only status after an
// unfollow, and for a stranger).
func TestStatusCacheServesNothingStale(t *testing.T) {
	onBothStores(t, func(t *testing.T, st store.Store) {
		e := newStreamEnvOn(t, st)
		const scopes = "read write follow"
		alice, aliceTok := e.user("alice", scopes)
		_, bobTok := e.user("bob", scopes)
		_, carolTok := e.user("carol", scopes)
		aliceID := formatID(alice.ID)
		mxOK(e, http.MethodPost, "/api/v1/accounts/"+aliceID+"/follow", bobTok)
		p := mxPost(e, aliceTok, "hello #cache", "public", "")
		secret := mxPost(e, aliceTok, "followers only", "private", "")

		// find returns the status id in token's home (or nil).
		find := func(token, id string) map[string]any {
			t.Helper()
			rec := e.get("/api/v1/timelines/home?limit=40", token)
			wantStatus(t, rec, http.StatusOK)
			for _, s := range decodeList(t, rec) {
				if s["id"] == id {
					return s
				}
			}
			return nil
		}
		home := func(token, id string) map[string]any {
			t.Helper()
			s := find(token, id)
			if s == nil {
				t.Fatalf("status %s not in the home timeline", id)
			}
			return s
		}
		want := func(step string, s map[string]any, field string, v any) {
			t.Helper()
			if s[field] != v {
				t.Errorf("%s: %s = %v, want %v", step, field, s[field], v)
			}
		}
		// Warm the cache twice over.
		home(bobTok, p)
		s := home(bobTok, p)
		want("warm", s, "favourites_count", 0.0)
		want("warm", s, "favourited", false)
		if e.h.statusCache.len() == 0 {
			t.Fatal("home reads left the rendered-status cache empty")
		}

		mxOK(e, http.MethodPost, "/api/v1/statuses/"+p+"/favourite", carolTok)
		s = home(bobTok, p)
		want("carol favourited", s, "favourites_count", 1.0)
		want("carol favourited (bob's flag)", s, "favourited", false)
		want("carol's own view", decodeObject(t, e.get("/api/v1/statuses/"+p, carolTok)), "favourited", true)

		mxOK(e, http.MethodPost, "/api/v1/statuses/"+p+"/favourite", bobTok)
		s = home(bobTok, p)
		want("bob favourited", s, "favourites_count", 2.0)
		want("bob favourited", s, "favourited", true)

		mxPost(e, bobTok, "a reply", "public", p)
		want("bob replied", home(bobTok, p), "replies_count", 1.0)

		rec := e.patchForm("/api/v1/accounts/update_credentials", aliceTok, url.Values{"display_name": {"Alice Renamed"}})
		wantStatus(t, rec, http.StatusOK)
		acct := home(bobTok, p)["account"].(map[string]any)
		want("alice renamed", acct, "display_name", "Alice Renamed")
		before := acct["statuses_count"].(float64)
		mxPost(e, aliceTok, "another", "public", "")
		want("alice posted again", home(bobTok, p)["account"].(map[string]any), "statuses_count", before+1)

		// bob boosts carol's q: in his home the boost's original carries his
		// flags (reblogged, favourited), in alice's none of them. (Not p:
		// p is in his home, and a boost of a status among the 40 just
		// older is left out as a repeat, feed/reblogs.go.)
		q := mxPost(e, carolTok, "boost me", "public", "")
		mxOK(e, http.MethodPost, "/api/v1/statuses/"+q+"/favourite", bobTok)
		var boost struct{ ID string }
		rec = e.postForm("/api/v1/statuses/"+q+"/reblog", bobTok, url.Values{})
		wantStatus(t, rec, http.StatusOK)
		if err := json.Unmarshal(rec.Body.Bytes(), &boost); err != nil {
			t.Fatal(err)
		}
		rb := home(bobTok, boost.ID)["reblog"].(map[string]any)
		want("bob's boost, his view", rb, "reblogged", true)
		want("bob's boost, his view", rb, "favourited", true)
		want("bob's boost, his view", rb, "reblogs_count", 1.0)
		mxOK(e, http.MethodPost, "/api/v1/accounts/"+formatID(mustAccountID(t, e, bobTok))+"/follow", aliceTok)
		rb = home(aliceTok, boost.ID)["reblog"].(map[string]any)
		want("bob's boost, alice's view", rb, "reblogged", false)
		want("bob's boost, alice's view", rb, "favourited", false)

		// Visibility through a warm cache: bob sees the private status
		// while he follows; a stranger never does; after the unfollow,
		// neither timeline nor direct read shows it.
		home(bobTok, secret)
		wantStatus(t, e.get("/api/v1/statuses/"+secret, bobTok), http.StatusOK)
		wantStatus(t, e.get("/api/v1/statuses/"+secret, carolTok), http.StatusNotFound)
		mxOK(e, http.MethodPost, "/api/v1/accounts/"+aliceID+"/unfollow", bobTok)
		if find(bobTok, secret) != nil {
			t.Error("unfollowed: the private status is still in bob's home")
		}
		wantStatus(t, e.get("/api/v1/statuses/"+secret, bobTok), http.StatusNotFound)

		// Deletion: gone from every read, the boost of it too.
		mxOK(e, http.MethodPost, "/api/v1/accounts/"+aliceID+"/follow", bobTok)
		home(bobTok, p)
		mxOK(e, http.MethodDelete, "/api/v1/statuses/"+p, aliceTok)
		mxOK(e, http.MethodDelete, "/api/v1/statuses/"+q, carolTok)
		if find(bobTok, p) != nil || find(bobTok, boost.ID) != nil {
			t.Error("deleted status (or its boost) still in bob's home")
		}
		wantStatus(t, e.get("/api/v1/statuses/"+p, bobTok), http.StatusNotFound)
	})
}

// mustAccountID is the ID of token's account.
func mustAccountID(t *testing.T, e *streamEnv, token string) int64 {
	t.Helper()
	var a struct{ ID string }
	rec := e.get("/api/v1/accounts/verify_credentials", token)
	wantStatus(t, rec, http.StatusOK)
	if err := json.Unmarshal(rec.Body.Bytes(), &a); err != nil {
		t.Fatal(err)
	}
	var id int64
	if _, err := fmt.Sscan(a.ID, &id); err != nil {
		t.Fatal(err)
	}
	return id
}
