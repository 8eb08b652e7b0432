package mastodon

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/starling-social/starling/go/recommend"
	"github.com/starling-social/starling/go/snowflake"
	"github.com/starling-social/starling/go/social"
	"github.com/starling-social/starling/go/store"
)

// The boost rows of the visibility matrix: every read path a boost can
// appear on × every viewer, for boosts whose original has its own audience.
// A boost is visible only when the viewer may see the boost AND its
// original (its audience, its author's blocks and, where a mute hides
// authors, its author's mutes). As in visibility_matrix_test.go, the
// expected answers are written out by hand, never asked of the server.
//
// The cast: alice boosts; bob, carol, dave and erin write originals; the
// others only read.
//
//	fern    follows alice and bob (her list: alice, bob)
//	mallory follows alice (list: alice); carol blocks mallory
//	mike    follows alice (list: alice); mutes dave
//	gwen    follows alice and erin (list: alice, erin)
//	sam     follows nobody
var boostViewers = []string{"alice", "bob", "carol", "dave", "erin", "sam", "fern", "mallory", "mike", "gwen", ""}

// The boosts (rows).
const (
	boostSelfPrivate  = "bob boosts his own private post (API: clamped to private)"
	boostLegacySelf   = "bob's public boost of his own private post (stored by the old code)"
	boostOfBlocker    = "alice boosts carol's public post; carol blocks mallory"
	boostOfMuted      = "alice boosts dave's public post; mike mutes dave"
	boostLegacyOthers = "alice's public boost of erin's private post (a row no API call makes)"
)

// Read paths. "B" is the boost, "O" its original, "X" the booster.
const (
	bpStatus       = "GET /statuses/B"
	bpContext      = "GET /statuses/B/context (200)"
	bpRebloggedBy  = "GET /statuses/O/reblogged_by names X"
	bpFavourite    = "POST /statuses/B/favourite (200)"
	bpAccount      = "GET /accounts/X/statuses"
	bpHome         = "GET /timelines/home"
	bpList         = "GET /timelines/list/:id"
	bpPublic       = "GET /timelines/public"
	bpSearch       = "GET /api/v2/search?type=statuses"
	bpStreamUser   = "stream user: update B"
	bpStreamList   = "stream list: update B"
	bpStreamPublic = "stream public: update B"
	bpSimilar      = "GET /statuses/B/similar (200)"
	bpForYou       = "GET /timelines/for_you lists O (every original is popular)"
)

// boostWant: for each path and boost, one character per viewer of
// boostViewers: 'y' visible, '-' hidden, '.' not applicable (anonymous has
// no home, only list owners have lists, boosts written straight to the
// store make no stream event).
//
//	alice bob carol dave erin sam fern mallory mike gwen anonymous
var boostWant = map[string]map[string]string{
	// Opened by ID (and what follows from it: its thread, favouriting
	// through it, the original's reblogged_by): the audience and blocks of
	// both; mutes do not hide a status opened by ID.
	bpStatus:      byID,
	bpContext:     byID,
	bpRebloggedBy: byID,
	bpFavourite: {
		boostSelfPrivate: "-y----y---.", boostLegacySelf: "-y----y---.", boostOfBlocker: "yyyyyyy-yy.",
		boostOfMuted: "yyyyyyyyyy.", boostLegacyOthers: "----y----y.",
	},
	// Profiles: as by ID, and a mute of the original's author hides its
	// boosts (Mastodon's account statuses filter).
	bpAccount: {
		boostSelfPrivate: "-y----y----", boostLegacySelf: "-y----y----", boostOfBlocker: "yyyyyyy-yyy",
		boostOfMuted: "yyyyyyyy-yy", boostLegacyOthers: "----y----y-",
	},
	// Home: the viewer's own boosts and its followees'; alice cannot see
	// erin's private post, so not her boost of it either. Bob's boost of
	// his own post, made right after it, is left out of the homes and
	// lists that hold the post itself (bob's, fern's): a boost of a status
	// among the 40 just older is a repeat (feed/reblogs.go, as Mastodon).
	bpHome: {
		boostSelfPrivate: "----------.", boostLegacySelf: "-y----y---.", boostOfBlocker: "y-----y-yy.",
		boostOfMuted: "y-----yy-y.", boostLegacyOthers: "---------y.",
	},
	bpList: {
		boostSelfPrivate: "......----.", boostLegacySelf: "......y---.", boostOfBlocker: "......y-yy.",
		boostOfMuted: "......yy-y.", boostLegacyOthers: "......---y.",
	},
	// Boosts are never on public timelines, and carry no text to search.
	bpPublic: nowhere,
	bpSearch: nowhere,
	bpStreamUser: {
		boostSelfPrivate: "-y----y---.", boostLegacySelf: "...........", boostOfBlocker: "y-----y-yy.",
		boostOfMuted: "y-----yy-y.", boostLegacyOthers: "...........",
	},
	bpStreamList: {
		boostSelfPrivate: "......y---.", boostLegacySelf: "...........", boostOfBlocker: "......y-yy.",
		boostOfMuted: "......yy-y.", boostLegacyOthers: "...........",
	},
	bpStreamPublic: {
		boostSelfPrivate: "-----------", boostLegacySelf: "...........", boostOfBlocker: "-----------",
		boostOfMuted: "-----------", boostLegacyOthers: "...........",
	},
	// "More like this" through a boost: as by ID (it needs a login).
	bpSimilar: {
		boostSelfPrivate: "-y----y---.", boostLegacySelf: "-y----y---.", boostOfBlocker: "yyyyyyy-yy.",
		boostOfMuted: "yyyyyyyyyy.", boostLegacyOthers: "----y----y.",
	},
	// For you reaches originals through boosts (home) and the popular
	// list, which holds them all: it shows O where the viewer may see it,
	// except its own, what it boosted (alice) and muted authors (mike).
	bpForYou: {
		boostSelfPrivate: "------y---.", boostLegacySelf: "------y---.", boostOfBlocker: "-y-yyyy-yy.",
		boostOfMuted: "-yy-yyyy-y.", boostLegacyOthers: "---------y.",
	},
}

var (
	byID = map[string]string{
		boostSelfPrivate: "-y----y----", boostLegacySelf: "-y----y----", boostOfBlocker: "yyyyyyy-yyy",
		boostOfMuted: "yyyyyyyyyyy", boostLegacyOthers: "----y----y-",
	}
	nowhere = map[string]string{
		boostSelfPrivate: "-----------", boostLegacySelf: "-----------", boostOfBlocker: "-----------",
		boostOfMuted: "-----------", boostLegacyOthers: "-----------",
	}
)

func TestVisibilityMatrixBoosts(t *testing.T) { onBothStores(t, runBoostMatrix) }

// boostViewer is one column: account, token, list, stream connection and
// the boost IDs its streams delivered.
type boostViewer struct {
	name, id, token, list string
	conn                  *wsClient
	updates               map[string]map[string]bool // stream name → status IDs
}

// boostCase is one row: the boost, its original and its booster.
type boostCase struct {
	boost, original, booster string
}

func runBoostMatrix(t *testing.T, st store.Store) {
	recs := &recommend.Live{}
	e := newStreamEnvDeps(t, st, testStrategy(t), func(d *social.Deps, c *social.Config) {
		d.Recommender = recs
		c.ForYouPerAuthor = 100
	})
	ctx := context.Background()
	vs := make(map[string]*boostViewer, len(boostViewers))
	for _, name := range boostViewers {
		v := &boostViewer{name: name, updates: map[string]map[string]bool{}}
		if name != "" {
			a, tok := e.user(name, "read write follow")
			v.id, v.token = formatID(a.ID), tok
		}
		vs[name] = v
	}
	follow := func(who string, whom ...string) {
		for _, w := range whom {
			mxOK(e, http.MethodPost, "/api/v1/accounts/"+vs[w].id+"/follow", vs[who].token)
		}
		vs[who].list = mxList(e, vs[who].token, vs[whom[0]].id)
		for _, w := range whom[1:] {
			rec := e.postForm("/api/v1/lists/"+vs[who].list+"/accounts", vs[who].token, url.Values{"account_ids[]": {vs[w].id}})
			wantStatus(t, rec, http.StatusOK)
		}
	}
	follow("fern", "alice", "bob")
	follow("mallory", "alice")
	follow("mike", "alice")
	follow("gwen", "alice", "erin")
	mxOK(e, http.MethodPost, "/api/v1/accounts/"+vs["mallory"].id+"/block", vs["carol"].token)
	mxOK(e, http.MethodPost, "/api/v1/accounts/"+vs["dave"].id+"/mute", vs["mike"].token)

	for _, name := range boostViewers {
		v := vs[name]
		if name == "" {
			v.conn = e.dial("", "")
		} else {
			v.conn = e.dial("?stream=user", v.token)
		}
		v.conn.send(map[string]string{"type": "subscribe", "stream": "public"})
		if v.list != "" {
			v.conn.send(map[string]string{"type": "subscribe", "stream": "list", "list": v.list})
		}
		v.conn.barrier()
	}

	// The originals, each carrying the word the search path looks for.
	const word = "boostquartz"
	private1 := mxPost(e, vs["bob"].token, word+" one", "private", "")
	private2 := mxPost(e, vs["bob"].token, word+" two", "private", "")
	carols := mxPost(e, vs["carol"].token, word+" carol", "public", "")
	daves := mxPost(e, vs["dave"].token, word+" dave", "public", "")
	erins := mxPost(e, vs["erin"].token, word+" erin", "private", "")

	reblog := func(booster, id string) string {
		t.Helper()
		rec := e.postForm("/api/v1/statuses/"+id+"/reblog", vs[booster].token, nil)
		wantStatus(t, rec, http.StatusOK)
		return decodeObject(t, rec)["id"].(string)
	}
	// legacy stores a public boost directly, as the code before the clamp
	// stored a self-boost; its ID is from a minute ago, so it cannot
	// collide with an ID the service hands out.
	var legacyN int64
	legacy := func(booster, id string) string {
		t.Helper()
		legacyN++
		bid, _ := parseID("id", vs[booster].id)
		oid, _ := parseID("id", id)
		rb := &store.Status{ID: snowflake.FromTime(time.Now().Add(-time.Minute)) + legacyN, AccountID: bid,
			ReblogOfID: oid, Visibility: store.VisibilityPublic, CreatedAt: time.Now().UTC()}
		if err := st.PutStatus(ctx, rb); err != nil {
			t.Fatal(err)
		}
		return formatID(rb.ID)
	}
	cases := map[string]boostCase{
		boostSelfPrivate:  {reblog("bob", private1), private1, "bob"},
		boostLegacySelf:   {legacy("bob", private2), private2, "bob"},
		boostOfBlocker:    {reblog("alice", carols), carols, "alice"},
		boostOfMuted:      {reblog("alice", daves), daves, "alice"},
		boostLegacyOthers: {legacy("alice", erins), erins, "alice"},
	}
	// The recommender has seen accounts (not the viewers) favourite every
	// original, so each is a popular For-you candidate for everyone.
	var ints []recommend.Interaction
	for _, c := range cases {
		o, _ := parseID("id", c.original)
		for u := range 3 {
			ints = append(ints, recommend.Interaction{User: -1 - int64(u), Item: o})
		}
	}
	m, err := recommend.Train(ints, recommend.Options{Factors: 2, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	recs.Set(m)

	// A boost of a private status keeps the original's visibility.
	rec := e.get("/api/v1/statuses/"+cases[boostSelfPrivate].boost, vs["bob"].token)
	wantStatus(t, rec, http.StatusOK)
	if vis := decodeObject(t, rec)["visibility"]; vis != "private" {
		t.Errorf("bob's boost of his private post has visibility %v, want private", vis)
	}

	// Stream barrier: each viewer's own marker closes its user stream; the
	// anonymous viewer waits for sam's on the public stream.
	markers := map[string]string{}
	for _, name := range boostViewers {
		if name != "" {
			markers[name] = mxPost(e, vs[name].token, "marker", "public", "")
		}
	}
	markers[""] = markers["sam"]
	for _, name := range boostViewers {
		vs[name].collectUpdates(t, markers[name])
	}

	got := map[string]map[string][]bool{}
	set := func(path, row string, col int, visible bool) {
		if got[path] == nil {
			got[path] = map[string][]bool{}
		}
		if got[path][row] == nil {
			got[path][row] = make([]bool, len(boostViewers))
		}
		got[path][row][col] = visible
	}
	for col, name := range boostViewers {
		v := vs[name]
		lists := map[string]map[string]bool{
			bpPublic: mxIDs(e, "/api/v1/timelines/public?limit=40", v.token),
			bpSearch: mxSearch(e, word, v.token),
		}
		var forYou map[string]bool
		if name != "" {
			lists[bpHome] = mxIDs(e, "/api/v1/timelines/home?limit=40", v.token)
			forYou = mxIDs(e, "/api/v1/timelines/for_you?limit=40", v.token)
		}
		if v.list != "" {
			lists[bpList] = mxIDs(e, "/api/v1/timelines/list/"+v.list+"?limit=40", v.token)
		}
		lists[bpStreamUser], lists[bpStreamList], lists[bpStreamPublic] = v.updates["user"], v.updates["list"], v.updates["public"]
		for row, c := range cases {
			set(bpStatus, row, col, mxCode(e, "/api/v1/statuses/"+c.boost, v.token) == http.StatusOK)
			set(bpContext, row, col, mxCode(e, "/api/v1/statuses/"+c.boost+"/context", v.token) == http.StatusOK)
			set(bpRebloggedBy, row, col, boostRebloggedBy(e, c.original, v.token)[vs[c.booster].id])
			set(bpAccount, row, col, mxIDs(e, "/api/v1/accounts/"+vs[c.booster].id+"/statuses?limit=40", v.token)[c.boost])
			if name != "" {
				set(bpSimilar, row, col, mxCode(e, "/api/v1/statuses/"+c.boost+"/similar", v.token) == http.StatusOK)
				set(bpForYou, row, col, forYou[c.original])
			}
			for path, ids := range lists {
				set(path, row, col, ids[c.boost])
			}
		}
	}
	// Favouriting through the boost comes last: it writes.
	for col, name := range boostViewers {
		if name == "" {
			continue
		}
		for row, c := range cases {
			rec := e.do(http.MethodPost, "/api/v1/statuses/"+c.boost+"/favourite", vs[name].token, "", nil)
			if rec.Code != http.StatusOK && rec.Code != http.StatusNotFound {
				t.Errorf("%s favourites %q: status %d; body %s", name, row, rec.Code, rec.Body)
			}
			set(bpFavourite, row, col, rec.Code == http.StatusOK)
		}
	}

	checked := 0
	for path, rows := range boostWant {
		for row, want := range rows {
			for col, c := range want {
				if c == '.' {
					continue
				}
				checked++
				if g := got[path][row][col]; g != (c == 'y') {
					who := boostViewers[col]
					if who == "" {
						who = "anonymous"
					}
					t.Errorf("%s | %s | %s: visible = %t, want %t", path, row, who, g, c == 'y')
				}
			}
		}
	}
	t.Logf("boost matrix: %d paths × %d boosts × %d viewers: %d cells checked",
		len(boostWant), len(cases), len(boostViewers), checked)
}

// collectUpdates reads v's connection up to the update of marker,
// recording every update's status ID by stream.
func (v *boostViewer) collectUpdates(t *testing.T, marker string) {
	t.Helper()
	for {
		m := v.conn.next()
		if m["event"] != "update" {
			continue
		}
		var s mxStatus
		mxUnmarshal(t, m, &s)
		if s.ID == marker {
			return
		}
		stream := toStrings(m["stream"])[0]
		if v.updates[stream] == nil {
			v.updates[stream] = map[string]bool{}
		}
		v.updates[stream][s.ID] = true
	}
}

// boostRebloggedBy returns the account IDs GET /statuses/:id/reblogged_by
// lists (none when the status is hidden).
func boostRebloggedBy(e *streamEnv, id, token string) map[string]bool {
	e.t.Helper()
	rec := e.get("/api/v1/statuses/"+id+"/reblogged_by", token)
	if rec.Code == http.StatusNotFound {
		return nil
	}
	wantStatus(e.t, rec, http.StatusOK)
	var accts []struct {
		ID string `json:"id"`
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &accts); err != nil {
		e.t.Fatalf("reblogged_by %s: %v", id, err)
	}
	out := map[string]bool{}
	for _, a := range accts {
		out[a.ID] = true
	}
	return out
}
