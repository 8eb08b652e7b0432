package storetest

import (
	"crypto/sha256"
	"fmt"
	"testing"

	"github.com/starling-social/starling/go/store"
)

// tokenHash is the SHA-256 of a made-up bearer secret.
func tokenHash(secret string) []byte {
	h := sha256.Sum256([]byte(secret))
	return h[:]
}

func exerciseTokens(t *testing.T, newStore func(*testing.T) store.Store) {
	t.Run("RoundTrip", func(t *testing.T) {
		t.Parallel()
		s, ctx := newStore(t), t.Context()
		app := putApp(t, s, "client")
		user := putAccount(t, s, "user")

		userToken := &store.Token{ID: nextID(), AppID: app.ID, AccountID: user.ID,
			Hash: tokenHash("user secret"), Scopes: "read write", CreatedAt: testTime(5)}
		// A client_credentials token has no user: AccountID 0 both ways.
		appToken := &store.Token{ID: nextID(), AppID: app.ID,
			Hash: tokenHash("app secret"), Scopes: "read", CreatedAt: testTime(6)}

		for _, want := range []*store.Token{userToken, appToken} {
			mustNot(t, s.PutToken(ctx, want), "PutToken")
		}
		for _, want := range []*store.Token{userToken, appToken} {
			got, err := s.GetTokenByHash(ctx, want.Hash)
			mustNot(t, err, "GetTokenByHash")
			checkToken(t, got, want)
		}
	})

	// UserToken: the one-query read every signed-in request makes gives
	// the token and its account as the two single reads do, and refuses
	// app-only, revoked and unknown tokens.
	t.Run("UserToken", func(t *testing.T) {
		t.Parallel()
		s, ctx := newStore(t), t.Context()
		app := putApp(t, s, "client")
		user := putAccount(t, s, "user")
		userToken := &store.Token{ID: nextID(), AppID: app.ID, AccountID: user.ID,
			Hash: tokenHash("user secret"), Scopes: "read write", CreatedAt: testTime(5)}
		appToken := &store.Token{ID: nextID(), AppID: app.ID,
			Hash: tokenHash("app secret"), Scopes: "read", CreatedAt: testTime(6)}
		for _, tok := range []*store.Token{userToken, appToken} {
			mustNot(t, s.PutToken(ctx, tok), "PutToken")
		}

		tok, acct, err := s.GetUserTokenByHash(ctx, userToken.Hash)
		mustNot(t, err, "GetUserTokenByHash")
		checkToken(t, tok, userToken)
		want, err := s.GetAccountByID(ctx, user.ID)
		mustNot(t, err, "GetAccountByID")
		checkAccount(t, acct, want)

		_, _, err = s.GetUserTokenByHash(ctx, appToken.Hash)
		mustBeErrNotFound(t, err, "GetUserTokenByHash of an app-only token")
		_, _, err = s.GetUserTokenByHash(ctx, tokenHash("never issued"))
		mustBeErrNotFound(t, err, "GetUserTokenByHash missing")
		mustNot(t, s.DeleteTokenByHash(ctx, userToken.Hash), "DeleteTokenByHash")
		_, _, err = s.GetUserTokenByHash(ctx, userToken.Hash)
		mustBeErrNotFound(t, err, "GetUserTokenByHash after revocation")
	})

	t.Run("HashConflict", func(t *testing.T) {
		t.Parallel()
		s, ctx := newStore(t), t.Context()
		app := putApp(t, s, "client")
		first := &store.Token{ID: nextID(), AppID: app.ID, Hash: tokenHash("same"), Scopes: "read", CreatedAt: testTime(0)}
		mustNot(t, s.PutToken(ctx, first), "PutToken")

		second := *first
		second.ID, second.Scopes = nextID(), "admin:write"
		mustBeErrConflict(t, s.PutToken(ctx, &second), "PutToken with an existing hash")

		got, err := s.GetTokenByHash(ctx, first.Hash)
		mustNot(t, err, "GetTokenByHash")
		checkToken(t, got, first)
	})

	t.Run("Delete", func(t *testing.T) {
		t.Parallel()
		s, ctx := newStore(t), t.Context()
		app := putApp(t, s, "client")
		var tokens []*store.Token
		for i := range 3 {
			tok := &store.Token{ID: nextID(), AppID: app.ID, Hash: tokenHash(fmt.Sprint("secret ", i)),
				Scopes: "read", CreatedAt: testTime(i)}
			mustNot(t, s.PutToken(ctx, tok), "PutToken")
			tokens = append(tokens, tok)
		}

		mustNot(t, s.DeleteTokenByHash(ctx, tokens[1].Hash), "DeleteTokenByHash")
		_, err := s.GetTokenByHash(ctx, tokens[1].Hash)
		mustBeErrNotFound(t, err, "GetTokenByHash after delete")
		mustBeErrNotFound(t, s.DeleteTokenByHash(ctx, tokens[1].Hash), "DeleteTokenByHash twice")

		// Its neighbours are untouched.
		for _, i := range []int{0, 2} {
			got, err := s.GetTokenByHash(ctx, tokens[i].Hash)
			mustNot(t, err, "GetTokenByHash neighbour")
			checkToken(t, got, tokens[i])
		}
	})

	t.Run("NotFound", func(t *testing.T) {
		t.Parallel()
		s, ctx := newStore(t), t.Context()
		_, err := s.GetTokenByHash(ctx, tokenHash("never issued"))
		mustBeErrNotFound(t, err, "GetTokenByHash missing")
		mustBeErrNotFound(t, s.DeleteTokenByHash(ctx, tokenHash("never issued")), "DeleteTokenByHash missing")
	})
}
