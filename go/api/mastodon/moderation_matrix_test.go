package mastodon

import (
	"fmt"
	"log/slog"
	"maps"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/redis/go-redis/v9"

	"github.com/starling-social/starling/go/feed"
	"github.com/starling-social/starling/go/search"
	"github.com/starling-social/starling/go/social"
	"github.com/starling-social/starling/go/store"
	"github.com/starling-social/starling/go/streaming"
)

// The visibility matrix for moderated authors: one author suspended by a
// moderator, one silenced (Mastodon: limited), read on every read path by
// their follower, a stranger, an account their statuses mention, the
// silenced author itself and an anonymous viewer, per home strategy and
// timeline store, on both backends. The expected answers are written out
// by hand below from Mastodon's rules:
//   - a suspended account's statuses are gone for everyone on every path
//     (its own sessions are refused); lifting the suspension brings back
//     exactly what was there before;
//   - a silenced account's statuses reach its followers (and itself) as
//     they would unsilenced, and nobody else: not a stranger, not an
//     account they mention, not the anonymous; never a public, local or
//     hashtag timeline or stream, not even its own, and never trending
//     statuses (Mastodon keeps limited accounts out of trends).

type modRel int

const (
	modFollower  modRel = iota // follows both authors, and lists them
	modStranger                // no relationship
	modMentioned               // mentioned in the statuses, follows neither
	modSelf                    // the author itself (the silenced one; the suspended one cannot sign in)
	modAnonymous               // no token
	numModRels
)

var modRelNames = [numModRels]string{"follower", "stranger", "mentioned", "self", "anonymous"}

// Read paths of the moderated matrix.
const (
	mpStatus       = "GET /statuses/S"
	mpContext      = "GET /statuses/S/context (200)"
	mpAccount      = "GET /accounts/A/statuses"
	mpHome         = "GET /timelines/home"
	mpPublic       = "GET /timelines/public"
	mpLocal        = "GET /timelines/public?local=true"
	mpTag          = "GET /timelines/tag/modtag"
	mpList         = "GET /timelines/list/:id (a list holding A)"
	mpSearch       = "GET /api/v2/search?type=statuses"
	mpSimilar      = "GET /statuses/X/similar"
	mpBatch        = "GET /statuses?id[]=S"
	mpNotification = "GET /notifications: mention in S"
	mpConversation = "GET /conversations: S as a last status"
	mpFavourites   = "GET /favourites (favourited before the suspension)"
	mpBookmarks    = "GET /bookmarks (bookmarked before the suspension)"
	mpForYou       = "GET /timelines/for_you"
	mpTrends       = "GET /trends/statuses"
	mpStreamUser   = "stream user: update S"
	mpStreamPublic = "stream public: update S"
	mpStreamTag    = "stream hashtag modtag: update S"
)

// silencedWant is the table for the silenced author: per path and viewer,
// one character per visibility (public, unlisted, private, direct), '-'
// hidden, "n/a" where the path is not the viewer's.
var silencedWant = map[string][numModRels]string{
	//              follower stranger mentioned self  anonymous
	mpStatus:       {"PUF-", "----", "----", "PUFD", "----"},
	mpContext:      {"PUF-", "----", "----", "PUFD", "----"},
	mpAccount:      {"PUF-", "----", "----", "PUFD", "----"},
	mpHome:         {"PUF-", "----", "----", "PUFD", "n/a"},
	mpPublic:       {"----", "----", "----", "----", "----"},
	mpLocal:        {"----", "----", "----", "----", "----"},
	mpTag:          {"----", "----", "----", "----", "----"},
	mpList:         {"PUF-", "n/a", "n/a", "n/a", "n/a"},
	mpTrends:       {"----", "----", "----", "----", "----"}, // favourited by the follower: would trend
	mpSearch:       {"PUF-", "----", "----", "PUFD", "----"},
	mpSimilar:      {"PUF-", "----", "----", "PUFD", "n/a"},
	mpBatch:        {"PUF-", "----", "----", "PUFD", "----"},
	mpNotification: {"----", "----", "----", "----", "n/a"},
	mpConversation: {"----", "----", "----", "---D", "n/a"},
	mpStreamUser:   {"PUF-", "----", "----", "PUFD", "n/a"},
	mpStreamPublic: {"----", "----", "----", "----", "----"},
	mpStreamTag:    {"----", "----", "----", "----", "----"},
}

// suspendedPaths are read for the suspended author's statuses: each must
// show none of them while it is suspended.
var suspendedPaths = []string{mpStatus, mpContext, mpAccount, mpHome, mpPublic, mpLocal, mpTag, mpList, mpSearch,
	mpSimilar, mpBatch, mpNotification, mpConversation, mpFavourites, mpBookmarks, mpForYou, mpTrends}

// moderatedHomes are the home strategies and timeline stores the matrix
// runs on: the in-process store for push and hybrid, and Redis's when
// STARLING_TEST_REDIS is set.
var moderatedHomes = []string{feed.StrategyPull, feed.StrategyPush, feed.StrategyHybrid, "hybrid on redis"}

func TestVisibilityMatrixModerated(t *testing.T) {
	for _, home := range moderatedHomes {
		t.Run(home, func(t *testing.T) {
			onBothStores(t, func(t *testing.T, st store.Store) { runModeratedMatrix(t, st, home) })
		})
	}
}

// moderatedHome is the home feed named home over st.
func moderatedHome(t *testing.T, st store.Store, home string) social.HomeFeed {
	t.Helper()
	if home != "hybrid on redis" {
		return newTestHome(t, st, home)
	}
	opts, prefix := streaming.TestRedis(t)
	rdb := redis.NewClient(opts)
	t.Cleanup(func() { rdb.Close() })
	return feed.NewCached(st, feed.NewRedis(rdb, prefix+":", 20, time.Hour), 2, slog.New(slog.DiscardHandler))
}

// modViewer is one viewer of the moderated matrix.
type modViewer struct {
	rel       modRel
	id, token string
	conn      *wsClient
	list      string
	updates   map[string]map[string]bool // stream → status IDs of the silenced author's updates
}

func runModeratedMatrix(t *testing.T, st store.Store, home string) {
	emb := search.NewHashEmbedder(search.DefaultDim)
	idx, err := search.NewIndex(t.Context(), search.IndexConfig{Name: "statuses", Dim: emb.Dim()},
		search.EmbedderVectors{Store: st, Embedder: emb.Name()}, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { idx.Close() })
	vectors := search.NewStatuses(emb, idx, st, true, slog.New(slog.DiscardHandler))
	e := newStreamEnvDeps(t, st, feed.StrategyPull, func(d *social.Deps, c *social.Config) {
		d.Indexer, d.Searcher = vectors, vectors
		d.Home = moderatedHome(t, st, home)
		c.ForYouPerAuthor = 100
	})
	ctx := t.Context()
	const scopes = "read write follow"
	sus, susTok := e.user("ursula", scopes)
	lim, limTok := e.user("lena", scopes)
	names := [numModRels]string{"fern", "sam", "nina", "", ""}
	viewers := make([]*modViewer, numModRels)
	for r := range numModRels {
		v := &modViewer{rel: r, updates: map[string]map[string]bool{}}
		switch r {
		case modSelf:
			v.id, v.token = formatID(lim.ID), limTok
		case modAnonymous:
		default:
			a, tok := e.user(names[r], scopes)
			v.id, v.token = formatID(a.ID), tok
		}
		viewers[r] = v
	}
	f := viewers[modFollower]
	for _, author := range []*store.Account{sus, lim} {
		mxOK(e, http.MethodPost, "/api/v1/accounts/"+formatID(author.ID)+"/follow", f.token)
	}
	f.list = mxList(e, f.token, formatID(sus.ID))
	wantStatus(t, e.postForm("/api/v1/lists/"+f.list+"/accounts", f.token, url.Values{"account_ids[]": {formatID(lim.ID)}}), http.StatusOK)

	// Every viewer listens; so does the suspended author, whose stream must close.
	for _, v := range viewers {
		if v.rel == modAnonymous {
			v.conn = e.dial("", "")
		} else {
			v.conn = e.dial("?stream=user", v.token)
		}
		v.conn.send(map[string]string{"type": "subscribe", "stream": "public"})
		v.conn.send(map[string]string{"type": "subscribe", "stream": "hashtag", "tag": "modtag"})
		v.conn.barrier()
	}
	susConn := e.dial("?stream=user", susTok)
	susConn.barrier()

	// The silenced author is silenced before it posts, so its statuses
	// stream under the silence.
	if _, err := e.svc.AdminAccountAction(ctx, "test", lim.ID, social.AccountActionInput{Type: social.ActionSilence}); err != nil {
		t.Fatal(err)
	}
	post := func(tok string) (root string, sts [4]string) {
		root = mxPost(e, tok, "moderated root", "public", "")
		for i, vis := range matrixVisibilities {
			sts[i] = mxPost(e, tok, fmt.Sprintf("@nina %s quokkadrift #modtag", vis), string(vis), root)
		}
		return root, sts
	}
	_, susStatuses := post(susTok)
	_, limStatuses := post(limTok)
	seed := mxPost(e, viewers[modStranger].token, "quokkadrift modtag public unlisted private direct", "public", "")
	// Favourites and bookmarks of the suspended author's statuses, made
	// while they could be seen.
	for _, v := range viewers[:modSelf] {
		for _, id := range susStatuses {
			if e.do(http.MethodPost, "/api/v1/statuses/"+id+"/favourite", v.token, "", nil).Code == http.StatusOK {
				mxOK(e, http.MethodPost, "/api/v1/statuses/"+id+"/bookmark", v.token)
			}
		}
	}
	// The follower favourites the silenced author's statuses too, so they
	// would trend were they not left out of trends for everyone.
	for _, id := range limStatuses {
		e.do(http.MethodPost, "/api/v1/statuses/"+id+"/favourite", f.token, "", nil)
	}
	// Stream barrier: each viewer's marker reaches its own user stream;
	// the anonymous viewer waits for the stranger's on the public stream.
	markers := map[modRel]string{}
	for _, v := range viewers {
		if v.rel != modAnonymous {
			markers[v.rel] = mxPost(e, v.token, "marker", "public", "")
		}
	}
	markers[modAnonymous] = markers[modStranger]
	for _, v := range viewers {
		v.collect(t, formatID(lim.ID), markers[v.rel])
	}

	read := func(v *modViewer, sts [4]string) map[string]map[string]bool {
		tok, anon := v.token, v.rel == modAnonymous
		out := map[string]map[string]bool{
			mpPublic: mxIDs(e, "/api/v1/timelines/public?limit=40", tok),
			mpLocal:  mxIDs(e, "/api/v1/timelines/public?local=true&limit=40", tok),
			mpTag:    mxIDs(e, "/api/v1/timelines/tag/modtag?limit=40", tok),
			mpSearch: mxSearch(e, "quokkadrift", tok),
			mpBatch:  mxBatch(e, sts, tok),
			mpTrends: mxIDs(e, "/api/v1/trends/statuses?limit=40", tok),
		}
		status, context := map[string]bool{}, map[string]bool{}
		for _, id := range sts {
			status[id] = mxCode(e, "/api/v1/statuses/"+id, tok) == http.StatusOK
			context[id] = mxCode(e, "/api/v1/statuses/"+id+"/context", tok) == http.StatusOK
		}
		out[mpStatus], out[mpContext] = status, context
		author := sus.ID
		if sts == limStatuses {
			author = lim.ID
		}
		if rec := e.get("/api/v1/accounts/"+formatID(author)+"/statuses?limit=40", tok); rec.Code == http.StatusOK {
			out[mpAccount] = mxIDs(e, "/api/v1/accounts/"+formatID(author)+"/statuses?limit=40", tok)
		} else {
			out[mpAccount] = map[string]bool{}
		}
		if !anon {
			out[mpHome] = mxIDs(e, "/api/v1/timelines/home?limit=40", tok)
			out[mpSimilar] = mxIDs(e, "/api/v1/statuses/"+seed+"/similar?limit=40", tok)
			out[mpConversation] = mxConversations(e, tok)
			out[mpFavourites] = mxIDs(e, "/api/v1/favourites?limit=40", tok)
			out[mpBookmarks] = mxIDs(e, "/api/v1/bookmarks?limit=40", tok)
			out[mpForYou] = mxIDs(e, "/api/v1/timelines/for_you?limit=40", tok)
			mentions := map[string]bool{}
			for _, n := range mxNotifications(e, tok) {
				if n.Type == "mention" {
					mentions[n.Status.ID] = true
				}
			}
			out[mpNotification] = mentions
		}
		if v.list != "" {
			out[mpList] = mxIDs(e, "/api/v1/timelines/list/"+v.list+"?limit=40", tok)
		}
		return out
	}
	snapshot := func(v *modViewer) map[string][4]bool {
		got := map[string][4]bool{}
		for path, ids := range read(v, susStatuses) {
			var row [4]bool
			for i, id := range susStatuses {
				row[i] = ids[id]
			}
			got[path] = row
		}
		return got
	}

	// Before the suspension: what each viewer sees of the suspended author.
	before := make([]map[string][4]bool, numModRels)
	for _, v := range viewers[:modSelf] {
		before[v.rel] = snapshot(v)
	}
	before[modAnonymous] = snapshot(viewers[modAnonymous])
	if !before[modAnonymous][mpPublic][0] || !before[modFollower][mpHome][2] || !before[modMentioned][mpStatus][3] ||
		!before[modAnonymous][mpTrends][0] {
		t.Fatalf("before the suspension the author's statuses are not where they belong: %v", before)
	}

	if _, err := e.svc.AdminAccountAction(ctx, "test", sus.ID, social.AccountActionInput{Type: social.ActionSuspend}); err != nil {
		t.Fatal(err)
	}
	// At once: its token fails, its stream closes, its profile is gone.
	wantStatus(t, e.get("/api/v1/accounts/verify_credentials", susTok), http.StatusUnauthorized)
	susConn.wantClosed(websocket.StatusCode(4001))
	for _, p := range []string{"/api/v1/accounts/" + formatID(sus.ID), "/api/v1/accounts/lookup?acct=ursula",
		"/api/v1/accounts/" + formatID(sus.ID) + "/statuses"} {
		wantStatus(t, e.get(p, f.token), http.StatusNotFound)
	}
	if found := e.get("/api/v1/accounts/search?q=ursula", f.token).Body.String(); found != "[]" && found != "[]\n" {
		t.Errorf("account search finds the suspended account: %s", found)
	}
	for _, v := range append(viewers[:modSelf:modSelf], viewers[modAnonymous]) {
		got := read(v, susStatuses)
		for _, path := range suspendedPaths {
			for i, id := range susStatuses {
				if got[path][id] {
					t.Errorf("suspended | %s | %s | %s: visible", path, modRelNames[v.rel], matrixVisibilities[i])
				}
			}
		}
	}

	// The silenced author, by the table.
	checked := 0
	for _, v := range viewers {
		got := read(v, limStatuses)
		for path, name := range map[string]string{mpStreamUser: "user", mpStreamPublic: "public", mpStreamTag: "hashtag"} {
			got[path] = v.updates[name]
		}
		for path, rows := range silencedWant {
			row := rows[v.rel]
			if row == "n/a" {
				continue
			}
			for i, c := range row {
				checked++
				if g, want := got[path][limStatuses[i]], c != '-'; g != want {
					t.Errorf("silenced | %s | %s | %s: visible = %t, want %t", path, modRelNames[v.rel], matrixVisibilities[i], g, want)
				}
			}
		}
	}

	// Lifting the suspension brings back what was there.
	if _, err := e.svc.AdminUnsuspend(ctx, "test", sus.ID); err != nil {
		t.Fatal(err)
	}
	wantStatus(t, e.get("/api/v1/accounts/verify_credentials", susTok), http.StatusOK)
	for _, v := range append(viewers[:modSelf:modSelf], viewers[modAnonymous]) {
		after := snapshot(v)
		if !maps.Equal(after, before[v.rel]) {
			t.Errorf("%s after the unsuspension:\n got %v\nwant %v", modRelNames[v.rel], after, before[v.rel])
		}
	}
	t.Logf("silenced: %d cells; suspended: %d paths × 4 viewers × 4 visibilities, before, during and after", checked, len(suspendedPaths))
}

// collect reads v's connection up to marker, recording the updates of
// author's statuses per stream.
func (v *modViewer) collect(t *testing.T, author, marker string) {
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
		if s.Account.ID == author {
			stream := toStrings(m["stream"])[0]
			if v.updates[stream] == nil {
				v.updates[stream] = map[string]bool{}
			}
			v.updates[stream][s.ID] = true
		}
	}
}
