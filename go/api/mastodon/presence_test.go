package mastodon

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/starling-social/starling/go/presence"
	"github.com/starling-social/starling/go/social"
	"github.com/starling-social/starling/go/store"
)

// presenceOf asks GET /api/v1/starling/presence about ids and returns the
// answer as "id:online" strings, in order.
func presenceOf(e *testEnv, token string, ids ...int64) []string {
	e.t.Helper()
	q := make([]string, len(ids))
	for i, id := range ids {
		q[i] = "id[]=" + formatID(id)
	}
	rec := e.get("/api/v1/starling/presence?"+strings.Join(q, "&"), token)
	wantStatus(e.t, rec, http.StatusOK)
	var out []string
	for _, p := range decodeList(e.t, rec) {
		out = append(out, p["id"].(string)+":"+map[bool]string{true: "online", false: "offline"}[p["online"].(bool)])
	}
	return out
}

// TestPresenceOnlyOfFollowed: the endpoint answers only for the accounts
// the viewer follows; one it does not follow (whether it follows the
// viewer, is only requested, blocks the viewer, is blocked, or does not
// exist, is suspended) is left out, online or not, so nothing leaks. On
// both stores.
func TestPresenceOnlyOfFollowed(t *testing.T) {
	onBothStores(t, func(t *testing.T, st store.Store) {
		e := newStreamEnvOn(t, st).testEnv
		ctx := context.Background()
		alice, aliceTok := e.user("alice", "read")
		acct := map[string]*store.Account{}
		tok := map[string]string{}
		for _, n := range []string{"bob", "carol", "dave", "eve", "frank", "gina", "hank"} {
			acct[n], tok[n] = e.user(n, "read write")
		}
		locked := true
		if _, err := e.svc.UpdateCredentials(ctx, acct["gina"], social.CredentialsInput{Locked: &locked}); err != nil {
			t.Fatal(err)
		}
		for _, n := range []string{"bob", "carol", "frank", "gina", "hank"} {
			if _, err := e.svc.Follow(ctx, alice, acct[n].ID, social.FollowOptions{}); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := e.svc.Follow(ctx, acct["eve"], alice.ID, social.FollowOptions{}); err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.Block(ctx, acct["frank"], alice.ID); err != nil { // frank blocks alice
			t.Fatal(err)
		}
		if _, err := e.svc.Block(ctx, alice, acct["hank"].ID); err != nil { // alice blocks hank
			t.Fatal(err)
		}
		// Everyone but carol is online.
		for _, n := range []string{"bob", "dave", "eve", "frank", "gina", "hank"} {
			rec := e.do("POST", "/api/v1/starling/presence/heartbeat", tok[n], "", nil)
			wantStatus(t, rec, http.StatusOK)
			if m := decodeObject(t, rec); m["online"] != true || m["expires_at"] == "" {
				t.Fatalf("heartbeat answered %v", m)
			}
		}
		got := presenceOf(e, aliceTok, acct["dave"].ID, acct["carol"].ID, acct["eve"].ID, acct["bob"].ID, acct["frank"].ID,
			acct["gina"].ID, acct["hank"].ID, alice.ID, 999999999, acct["bob"].ID)
		want := []string{formatID(acct["carol"].ID) + ":offline", formatID(acct["bob"].ID) + ":online"}
		if strings.Join(got, ",") != strings.Join(want, ",") {
			t.Fatalf("presence = %v, want %v", got, want)
		}
		if got := presenceOf(e, aliceTok); len(got) != 0 {
			t.Fatalf("no ids: %v", got)
		}
		// A suspended account is left out however online it was, and its
		// heartbeat is refused (its token no longer authenticates); lifting
		// the suspension brings it back.
		if _, err := e.svc.AdminAccountAction(ctx, "test", acct["bob"].ID, social.AccountActionInput{Type: social.ActionSuspend}); err != nil {
			t.Fatal(err)
		}
		if got := presenceOf(e, aliceTok, acct["bob"].ID, acct["carol"].ID); len(got) != 1 || got[0] != formatID(acct["carol"].ID)+":offline" {
			t.Fatalf("with bob suspended: %v", got)
		}
		if rec := e.do("POST", "/api/v1/starling/presence/heartbeat", tok["bob"], "", nil); rec.Code != http.StatusUnauthorized {
			t.Fatalf("suspended heartbeat: %d %s", rec.Code, rec.Body)
		}
		if _, err := e.svc.Heartbeat(ctx, &store.Account{ID: acct["bob"].ID, SuspendedAt: &acct["bob"].CreatedAt}); err == nil {
			t.Fatal("Heartbeat marked a suspended account online")
		}
		if _, err := e.svc.AdminUnsuspend(ctx, "test", acct["bob"].ID); err != nil {
			t.Fatal(err)
		}
		if got := presenceOf(e, aliceTok, acct["bob"].ID); len(got) != 1 || got[0] != formatID(acct["bob"].ID)+":online" {
			t.Fatalf("after lifting the suspension: %v", got)
		}
		// Unfollowing takes bob out of the answer.
		if _, err := e.svc.Unfollow(ctx, alice, acct["bob"].ID); err != nil {
			t.Fatal(err)
		}
		if got := presenceOf(e, aliceTok, acct["bob"].ID); len(got) != 0 {
			t.Fatalf("after unfollow: %v", got)
		}
	})
}

// TestPresenceBadInput: every hostile input to the two endpoints is
// refused with a client error, never a 500, on both stores: oversized,
// malformed, NUL-carrying, invalid UTF-8 and huge IDs, too many IDs,
// missing tokens and scopes.
func TestPresenceBadInput(t *testing.T) {
	onBothStores(t, func(t *testing.T, st store.Store) {
		e := newStreamEnvOn(t, st).testEnv
		_, tok := e.user("alice", "read write")
		_, writeOnly := e.user("wanda", "write")
		huge := "99999999999999999999999999"
		many := strings.Repeat("id[]=1&", social.MaxPresenceIDs+1)
		cases := []struct {
			name, method, target, token string
			code                        int
		}{
			{"no token", "GET", "/api/v1/starling/presence?id[]=1", "", 401},
			{"heartbeat without a token", "POST", "/api/v1/starling/presence/heartbeat", "", 401},
			{"a bad token", "GET", "/api/v1/starling/presence?id[]=1", "nope", 401},
			{"write scope only", "GET", "/api/v1/starling/presence?id[]=1", writeOnly, 403},
			{"heartbeat with write scope only", "POST", "/api/v1/starling/presence/heartbeat", writeOnly, 403},
			{"id huge", "GET", "/api/v1/starling/presence?id[]=" + huge, tok, 400},
			{"id not a number", "GET", "/api/v1/starling/presence?id[]=abc", tok, 400},
			{"id negative", "GET", "/api/v1/starling/presence?id[]=-5", tok, 400},
			{"id with NUL", "GET", "/api/v1/starling/presence?id[]=1%00", tok, 422},
			{"id invalid UTF-8", "GET", "/api/v1/starling/presence?id[]=%FF", tok, 422},
			{"id oversized", "GET", "/api/v1/starling/presence?id[]=" + strings.Repeat("1", 100000), tok, 400},
			{"id as an object", "GET", "/api/v1/starling/presence?id[x]=1", tok, 400},
			{"too many ids", "GET", "/api/v1/starling/presence?" + many, tok, 400},
			{"heartbeat by GET", "GET", "/api/v1/starling/presence/heartbeat", tok, 405},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				rec := e.do(c.method, c.target, c.token, "", nil)
				wantError(t, rec, c.code)
			})
		}
		// Exactly the cap is served.
		wantStatus(t, e.get("/api/v1/starling/presence?"+strings.Repeat("id[]=1&", social.MaxPresenceIDs), tok), http.StatusOK)
	})
}

// signalStore tells marks as they reach the in-process store.
type signalStore struct {
	*presence.Memory
	marked chan int64
}

func (s signalStore) Mark(ctx context.Context, id int64, ttl time.Duration) error {
	err := s.Memory.Mark(ctx, id, ttl)
	select {
	case s.marked <- id:
	default:
	}
	return err
}

// TestPresenceStreaming: an open streaming connection marks its viewer
// online, with no heartbeat; an anonymous connection marks nobody.
func TestPresenceStreaming(t *testing.T) {
	marks := signalStore{presence.NewMemory(), make(chan int64, 16)}
	e := newStreamEnvDeps(t, openSQLite(t), testStrategy(t), func(d *social.Deps, _ *social.Config) {
		d.Presence = presence.NewTracker(marks, time.Hour)
	})
	alice, aliceTok := e.user("alice", "read write follow")
	bob, bobTok := e.user("bob", "read")
	if _, err := e.svc.Follow(context.Background(), alice, bob.ID, social.FollowOptions{}); err != nil {
		t.Fatal(err)
	}
	if got := presenceOf(e.testEnv, aliceTok, bob.ID); strings.Join(got, ",") != formatID(bob.ID)+":offline" {
		t.Fatalf("before bob connects: %v", got)
	}
	anon := e.dial("?stream=public", "")
	anon.barrier()
	e.dial("?stream=user", bobTok)
	select {
	case id := <-marks.marked:
		if id != bob.ID {
			t.Fatalf("the first mark was of %d, want bob (%d): the anonymous connection marked someone", id, bob.ID)
		}
	case <-time.After(10 * time.Second): // only keeps a broken server from hanging the suite
		t.Fatal("bob's streaming connection marked nobody online")
	}
	if got := presenceOf(e.testEnv, aliceTok, bob.ID); strings.Join(got, ",") != formatID(bob.ID)+":online" {
		t.Fatalf("while bob streams: %v", got)
	}
}

// downStore is a presence store that fails, as Redis gone away.
type downStore struct{}

func (downStore) Mark(context.Context, int64, time.Duration) error {
	return errors.New("redis: connection refused")
}
func (downStore) Online(context.Context, []int64) ([]bool, error) {
	return nil, errors.New("redis: connection refused")
}

// TestPresenceStoreDown: with the presence store failing, both endpoints
// answer 503 with a generic message (the store's error goes to the log),
// and the rest of the API still serves.
func TestPresenceStoreDown(t *testing.T) {
	e := newStreamEnvDeps(t, openSQLite(t), testStrategy(t), func(d *social.Deps, _ *social.Config) {
		d.Presence = presence.NewTracker(downStore{}, time.Minute)
	})
	alice, tok := e.user("alice", "read write follow")
	bob, _ := e.user("bob", "read")
	if _, err := e.svc.Follow(context.Background(), alice, bob.ID, social.FollowOptions{}); err != nil {
		t.Fatal(err)
	}
	for _, rec := range []*httptest.ResponseRecorder{
		e.do("POST", "/api/v1/starling/presence/heartbeat", tok, "", nil),
		e.get("/api/v1/starling/presence?id[]="+formatID(bob.ID), tok),
	} {
		if msg := wantError(t, rec, http.StatusServiceUnavailable); strings.Contains(msg, "refused") {
			t.Errorf("error %q leaks the store's error", msg)
		}
	}
	wantStatus(t, e.get("/api/v1/accounts/verify_credentials", tok), http.StatusOK)
}

// TestPresenceNotWired: a service built without a presence tracker says
// so (503) rather than answering everyone offline.
func TestPresenceNotWired(t *testing.T) {
	e := newTestEnv(t)
	_, tok := e.user("alice", "read write follow")
	wantError(t, e.do("POST", "/api/v1/starling/presence/heartbeat", tok, "", nil), http.StatusServiceUnavailable)
	wantError(t, e.get("/api/v1/starling/presence?id[]=1", tok), http.StatusServiceUnavailable)
}
