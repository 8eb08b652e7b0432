package storetest

import (
	"fmt"
	"reflect"
	"sync"
	"testing"
	"time"

	"github.com/starling-social/starling/go/store"
)

// newAuthCode returns an unsaved PKCE code for app and user, expiring ten
// minutes after testTime(n).
func newAuthCode(app *store.App, user *store.Account, secret string, n int) *store.AuthCode {
	return &store.AuthCode{
		ID: nextID(), AppID: app.ID, AccountID: user.ID, Hash: tokenHash(secret),
		RedirectURI: "https://app.example/callback", Scopes: "read write:statuses",
		CodeChallenge: "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM", CodeChallengeMethod: "S256",
		CreatedAt: testTime(n), ExpiresAt: testTime(n).Add(10 * time.Minute),
	}
}

func checkAuthCode(t *testing.T, got, want *store.AuthCode) {
	t.Helper()
	checkTime(t, "AuthCode.CreatedAt", got.CreatedAt, want.CreatedAt)
	checkTime(t, "AuthCode.ExpiresAt", got.ExpiresAt, want.ExpiresAt)
	checkTimePtr(t, "AuthCode.UsedAt", got.UsedAt, want.UsedAt)
	g, w := *got, *want
	g.CreatedAt, w.CreatedAt, g.ExpiresAt, w.ExpiresAt = time.Time{}, time.Time{}, time.Time{}, time.Time{}
	g.UsedAt, w.UsedAt = nil, nil
	if !reflect.DeepEqual(g, w) {
		t.Errorf("auth code:\n got %+v\nwant %+v", g, w)
	}
}

func exerciseOAuth(t *testing.T, newStore func(*testing.T) store.Store) {
	t.Run("RoundTrip", func(t *testing.T) {
		t.Parallel()
		s, ctx := newStore(t), t.Context()
		app, user := putApp(t, s, "client"), putAccount(t, s, "user")
		pkce := newAuthCode(app, user, "pkce code", 1)
		bare := newAuthCode(app, user, "bare code", 2)
		bare.CodeChallenge, bare.CodeChallengeMethod, bare.RedirectURI = "", "", "urn:ietf:wg:oauth:2.0:oob"
		for _, c := range []*store.AuthCode{pkce, bare} {
			mustNot(t, s.PutAuthCode(ctx, c), "PutAuthCode")
			got, err := s.GetAuthCodeByHash(ctx, c.Hash)
			mustNot(t, err, "GetAuthCodeByHash")
			checkAuthCode(t, got, c)
		}
		_, err := s.GetAuthCodeByHash(ctx, tokenHash("never issued"))
		mustBeErrNotFound(t, err, "GetAuthCodeByHash unknown")

		dup := newAuthCode(app, user, "pkce code", 3)
		mustBeErrConflict(t, s.PutAuthCode(ctx, dup), "PutAuthCode with an existing hash")
	})

	t.Run("GetAppByID", func(t *testing.T) {
		t.Parallel()
		s, ctx := newStore(t), t.Context()
		app := putApp(t, s, "client")
		got, err := s.GetAppByID(ctx, app.ID)
		mustNot(t, err, "GetAppByID")
		checkApp(t, got, app)
		_, err = s.GetAppByID(ctx, nextID())
		mustBeErrNotFound(t, err, "GetAppByID unknown")
	})

	t.Run("RedeemOnce", func(t *testing.T) {
		t.Parallel()
		s, ctx := newStore(t), t.Context()
		app, user := putApp(t, s, "client"), putAccount(t, s, "user")
		code := newAuthCode(app, user, "code", 1)
		mustNot(t, s.PutAuthCode(ctx, code), "PutAuthCode")

		tok := &store.Token{ID: nextID(), AppID: app.ID, AccountID: user.ID, Hash: tokenHash("token"),
			Scopes: code.Scopes, CreatedAt: testTime(2)}
		mustNot(t, s.RedeemAuthCode(ctx, code.ID, tok), "RedeemAuthCode")
		got, err := s.GetTokenByHash(ctx, tok.Hash)
		mustNot(t, err, "GetTokenByHash issued token")
		checkToken(t, got, tok)

		want := *code
		usedAt := tok.CreatedAt
		want.UsedAt, want.TokenID = &usedAt, tok.ID
		gotCode, err := s.GetAuthCodeByHash(ctx, code.Hash)
		mustNot(t, err, "GetAuthCodeByHash after redeem")
		checkAuthCode(t, gotCode, &want)

		// A second redemption writes nothing: no second token.
		again := &store.Token{ID: nextID(), AppID: app.ID, AccountID: user.ID, Hash: tokenHash("token 2"),
			Scopes: code.Scopes, CreatedAt: testTime(3)}
		mustBeErrConflict(t, s.RedeemAuthCode(ctx, code.ID, again), "RedeemAuthCode again")
		_, err = s.GetTokenByHash(ctx, again.Hash)
		mustBeErrNotFound(t, err, "GetTokenByHash of the refused second token")

		unknown := &store.Token{ID: nextID(), AppID: app.ID, Hash: tokenHash("token 3"), CreatedAt: testTime(4)}
		mustBeErrNotFound(t, s.RedeemAuthCode(ctx, nextID(), unknown), "RedeemAuthCode unknown code")
		_, err = s.GetTokenByHash(ctx, unknown.Hash)
		mustBeErrNotFound(t, err, "GetTokenByHash for an unknown code")
	})

	t.Run("RedeemRace", func(t *testing.T) {
		t.Parallel()
		s, ctx := newStore(t), t.Context()
		app, user := putApp(t, s, "client"), putAccount(t, s, "user")
		code := newAuthCode(app, user, "code", 1)
		mustNot(t, s.PutAuthCode(ctx, code), "PutAuthCode")
		const n = 8
		errs := make([]error, n)
		var wg sync.WaitGroup
		for i := range n {
			wg.Go(func() {
				tok := &store.Token{ID: nextID(), AppID: app.ID, AccountID: user.ID,
					Hash: tokenHash(fmt.Sprint("racing token ", i)), Scopes: "read", CreatedAt: testTime(2)}
				errs[i] = s.RedeemAuthCode(ctx, code.ID, tok)
			})
		}
		wg.Wait()
		won := 0
		for i, err := range errs {
			switch {
			case err == nil:
				won++
			default:
				mustBeErrConflict(t, err, fmt.Sprint("racing RedeemAuthCode ", i))
			}
		}
		if won != 1 {
			t.Fatalf("%d of %d racing redemptions succeeded, want exactly 1", won, n)
		}
	})

	t.Run("DeleteToken", func(t *testing.T) {
		t.Parallel()
		s, ctx := newStore(t), t.Context()
		app, user := putApp(t, s, "client"), putAccount(t, s, "user")
		code := newAuthCode(app, user, "code", 1)
		mustNot(t, s.PutAuthCode(ctx, code), "PutAuthCode")
		mustBeErrNotFound(t, s.DeleteAuthCodeToken(ctx, code.ID), "DeleteAuthCodeToken before redemption")

		tok := &store.Token{ID: nextID(), AppID: app.ID, AccountID: user.ID, Hash: tokenHash("token"),
			Scopes: "read", CreatedAt: testTime(2)}
		mustNot(t, s.RedeemAuthCode(ctx, code.ID, tok), "RedeemAuthCode")
		mustNot(t, s.DeleteAuthCodeToken(ctx, code.ID), "DeleteAuthCodeToken")
		_, err := s.GetTokenByHash(ctx, tok.Hash)
		mustBeErrNotFound(t, err, "GetTokenByHash after DeleteAuthCodeToken")
		mustBeErrNotFound(t, s.DeleteAuthCodeToken(ctx, code.ID), "DeleteAuthCodeToken twice")

		// The code survives, still used, its token link cleared.
		got, err := s.GetAuthCodeByHash(ctx, code.Hash)
		mustNot(t, err, "GetAuthCodeByHash")
		if got.UsedAt == nil || got.TokenID != 0 {
			t.Errorf("code after its token went: UsedAt %v TokenID %d, want used and 0", got.UsedAt, got.TokenID)
		}
	})

	t.Run("DeleteExpired", func(t *testing.T) {
		t.Parallel()
		s, ctx := newStore(t), t.Context()
		app, user := putApp(t, s, "client"), putAccount(t, s, "user")
		old, fresh := newAuthCode(app, user, "old", 0), newAuthCode(app, user, "fresh", 3600)
		mustNot(t, s.PutAuthCode(ctx, old), "PutAuthCode old")
		mustNot(t, s.PutAuthCode(ctx, fresh), "PutAuthCode fresh")

		n, err := s.DeleteExpiredAuthCodes(ctx, old.ExpiresAt) // strictly before: keeps both
		mustNot(t, err, "DeleteExpiredAuthCodes")
		if n != 0 {
			t.Errorf("DeleteExpiredAuthCodes at the expiry instant deleted %d, want 0", n)
		}
		n, err = s.DeleteExpiredAuthCodes(ctx, old.ExpiresAt.Add(time.Microsecond))
		mustNot(t, err, "DeleteExpiredAuthCodes")
		if n != 1 {
			t.Errorf("DeleteExpiredAuthCodes deleted %d, want 1", n)
		}
		_, err = s.GetAuthCodeByHash(ctx, old.Hash)
		mustBeErrNotFound(t, err, "GetAuthCodeByHash expired")
		_, err = s.GetAuthCodeByHash(ctx, fresh.Hash)
		mustNot(t, err, "GetAuthCodeByHash fresh")
	})

	t.Run("InstanceStats", func(t *testing.T) {
		t.Parallel()
		s, ctx := newStore(t), t.Context()
		got, err := s.GetInstanceStats(ctx, testTime(0))
		mustNot(t, err, "GetInstanceStats empty")
		if *got != (store.InstanceStats{}) {
			t.Errorf("empty store stats = %+v, want zeros", *got)
		}
		alice, bob := putAccount(t, s, "alice"), putAccount(t, s, "bob")
		putAccount(t, s, "carol")
		mustNot(t, s.PutStatus(ctx, newStatus(alice, 1)), "PutStatus")
		mustNot(t, s.PutStatus(ctx, newStatus(alice, 2)), "PutStatus")
		mustNot(t, s.PutStatus(ctx, newStatus(bob, 100)), "PutStatus")

		got, err = s.GetInstanceStats(ctx, testTime(50))
		mustNot(t, err, "GetInstanceStats")
		want := store.InstanceStats{Users: 3, Statuses: 3, ActiveMonth: 1} // only bob posted since
		if *got != want {
			t.Errorf("stats = %+v, want %+v", *got, want)
		}
		got, err = s.GetInstanceStats(ctx, testTime(1))
		mustNot(t, err, "GetInstanceStats")
		if got.ActiveMonth != 2 {
			t.Errorf("ActiveMonth since the first status = %d, want 2 (inclusive)", got.ActiveMonth)
		}
	})
}
