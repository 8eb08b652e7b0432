package mastodon

import (
	"context"
	"net/http"
	"strings"

	"github.com/starling-social/starling/go/social"
	"github.com/starling-social/starling/go/store"
)

type ctxKey struct{ name string }

var (
	sessionKey  = &ctxKey{"session"}
	identityKey = &ctxKey{"identity"}
)

// identity is what Identify found for a request's bearer token.
type identity struct {
	sess *social.Session
	err  error
}

// Identify is middleware that resolves the request's bearer token, once,
// ahead of the routes: the rate limiter keys on the account it names
// (AccountID), and the routes' authentication reuses the result instead of
// looking the token up again. A request without a token passes unchanged;
// an invalid token is remembered as such and refused by the routes that
// need one.
func (h *Handler) Identify(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		tok := bearer(r)
		if tok == "" {
			next.ServeHTTP(w, r)
			return
		}
		sess, err := h.svc.Authenticate(r.Context(), tok)
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), identityKey, &identity{sess, err})))
	})
}

// AccountID returns the account whose valid user token the request carries,
// as Identify resolved it. App-only tokens name no account.
func AccountID(ctx context.Context) (int64, bool) {
	id, ok := ctx.Value(identityKey).(*identity)
	if !ok || id.err != nil || id.sess.Account == nil {
		return 0, false
	}
	return id.sess.Account.ID, true
}

// resolve returns the session for tok, from Identify when it ran.
func (h *Handler) resolve(r *http.Request, tok string) (*social.Session, error) {
	if id, ok := r.Context().Value(identityKey).(*identity); ok {
		return id.sess, id.err
	}
	return h.svc.Authenticate(r.Context(), tok)
}

// sessionFrom returns the authenticated session, if the route has one.
func sessionFrom(ctx context.Context) (*social.Session, bool) {
	s, ok := ctx.Value(sessionKey).(*social.Session)
	return s, ok
}

// viewer returns the logged-in account, or nil for anonymous and app-only
// requests. Handlers behind requireUser can rely on it being non-nil.
func viewer(ctx context.Context) *store.Account {
	if s, ok := sessionFrom(ctx); ok {
		return s.Account
	}
	return nil
}

// bearer extracts the token from "Authorization: Bearer ..." (or the
// access_token query parameter some clients use for GETs).
func bearer(r *http.Request) string {
	if h := r.Header.Get("Authorization"); h != "" {
		scheme, tok, ok := strings.Cut(h, " ")
		if ok && strings.EqualFold(scheme, "Bearer") {
			return strings.TrimSpace(tok)
		}
		return ""
	}
	return r.URL.Query().Get("access_token")
}

// authOptions says what a route demands of its token.
type authOptions struct {
	scope    string   // required scope, e.g. "write:statuses"
	orScopes []string // alternatives that also pass, e.g. "profile"
	user     bool     // an app-only token is not enough
	optional bool     // anonymous requests pass (with no session)
}

// authenticate is the auth middleware: it resolves the bearer token, checks
// the scope and puts the session on the context.
func (h *Handler) authenticate(opts authOptions) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			tok := bearer(r)
			if tok == "" && opts.optional {
				next.ServeHTTP(w, r)
				return
			}
			if tok == "" {
				h.writeError(w, r, &requestError{status: http.StatusUnauthorized, msg: "The access token is invalid"})
				return
			}
			sess, err := h.resolve(r, tok)
			if err != nil {
				h.writeError(w, r, err)
				return
			}
			if opts.user && sess.Account == nil {
				h.writeError(w, r, &requestError{status: http.StatusUnprocessableEntity, msg: "This method requires an authenticated user"})
				return
			}
			if opts.scope != "" && !scopeAllowsAny(sess.Scopes, opts.scope, opts.orScopes) {
				h.writeError(w, r, &requestError{status: http.StatusForbidden, msg: "This action is outside the authorized scopes"})
				return
			}
			next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), sessionKey, sess)))
		})
	}
}

// requireUser demands a user token with scope, or with one of orScopes
// (verify_credentials also takes "profile", as Mastodon 4.3 does).
func (h *Handler) requireUser(scope string, orScopes ...string) func(http.Handler) http.Handler {
	return h.authenticate(authOptions{scope: scope, orScopes: orScopes, user: true})
}

// scopeAllowsAny reports whether granted covers scope or any of orScopes.
func scopeAllowsAny(granted []string, scope string, orScopes []string) bool {
	if social.ScopeAllows(granted, scope) {
		return true
	}
	for _, alt := range orScopes {
		if social.ScopeAllows(granted, alt) {
			return true
		}
	}
	return false
}

// requireApp accepts an app-only or user token with scope.
func (h *Handler) requireApp(scope string) func(http.Handler) http.Handler {
	return h.authenticate(authOptions{scope: scope})
}

// optionalUser authenticates when a token is present (reads of public data).
func (h *Handler) optionalUser(scope string) func(http.Handler) http.Handler {
	return h.authenticate(authOptions{scope: scope, optional: true})
}
