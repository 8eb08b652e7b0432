package social

import (
	"context"
	"errors"
	"regexp"
	"strings"

	"golang.org/x/crypto/bcrypt"

	"github.com/starling-social/starling/go/store"
)

// usernamePattern is Mastodon's rule for local usernames.
var usernamePattern = regexp.MustCompile(`^[A-Za-z0-9_]{1,30}$`)

const (
	minPasswordLen = 8
	// bcrypt ignores everything past 72 bytes; refuse rather than silently
	// accept a password that is not what the user thinks it is.
	maxPasswordBytes = 72
)

// NewAccount is what a registration supplies.
type NewAccount struct {
	Username string
	Password string
}

// CreateAccount creates a local account. It is the path both the API
// registration and the admin CLI take, so the rules are the same for both.
func (s *Service) CreateAccount(ctx context.Context, in NewAccount) (*store.Account, error) {
	const op = "social.CreateAccount"
	if !usernamePattern.MatchString(in.Username) {
		return nil, invalid(op, "Validation failed: Username must contain only letters, numbers and underscores (1 to 30 characters)")
	}
	if len(in.Password) < minPasswordLen {
		return nil, invalid(op, "Validation failed: Password is too short (minimum is 8 characters)")
	}
	if len(in.Password) > maxPasswordBytes {
		return nil, invalid(op, "Validation failed: Password is too long (maximum is 72 bytes)")
	}
	cost := s.cfg.BcryptCost
	if cost == 0 {
		cost = bcrypt.DefaultCost
	}
	hash, err := bcrypt.GenerateFromPassword([]byte(in.Password), cost)
	if err != nil {
		return nil, internal(op, err)
	}
	a := &store.Account{
		ID: s.ids.Next(), Username: in.Username, PasswordHash: string(hash),
		Discoverable: true, CreatedAt: s.nowUTC(),
	}
	if err := s.store.PutAccount(ctx, a); err != nil {
		if errors.Is(err, store.ErrConflict) {
			return nil, &Error{Op: op, Kind: KindConflict, Safe: "Validation failed: Username has already been taken", Err: err}
		}
		return nil, internal(op, err)
	}
	return a, nil
}

// Register creates an account through the API on behalf of an app and logs
// it in, as POST /api/v1/accounts does.
func (s *Service) Register(ctx context.Context, sess *Session, in NewAccount) (*IssuedToken, error) {
	const op = "social.Register"
	if !s.cfg.RegistrationsOpen {
		return nil, &Error{Op: op, Kind: KindForbidden, Safe: "Registrations are closed on this server"}
	}
	if sess.Account != nil {
		return nil, &Error{Op: op, Kind: KindForbidden, Safe: "This method requires an app token, not a user token"}
	}
	acct, err := s.CreateAccount(ctx, in)
	if err != nil {
		return nil, err
	}
	app := &store.App{ID: sess.Token.AppID}
	return s.issueToken(ctx, op, app, acct.ID, sess.Scopes)
}

// GetAccount returns an account by ID.
func (s *Service) GetAccount(ctx context.Context, id int64) (*store.Account, error) {
	const op = "social.GetAccount"
	a, err := s.store.GetAccountByID(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return nil, notFound(op, "Record not found")
	}
	if err != nil {
		return nil, internal(op, err)
	}
	return a, nil
}

// LookupAccount returns an account by username (a leading @ is ignored).
func (s *Service) LookupAccount(ctx context.Context, username string) (*store.Account, error) {
	const op = "social.LookupAccount"
	a, err := s.store.GetAccountByUsername(ctx, strings.TrimPrefix(username, "@"))
	if errors.Is(err, store.ErrNotFound) {
		return nil, notFound(op, "Record not found")
	}
	if err != nil {
		return nil, internal(op, err)
	}
	return a, nil
}

// AccountsByIDs loads the accounts for a batch of IDs in one query, keyed by ID.
func (s *Service) AccountsByIDs(ctx context.Context, ids []int64) (map[int64]*store.Account, error) {
	accts, err := s.store.GetAccountsByIDs(ctx, ids)
	if err != nil {
		return nil, internal("social.AccountsByIDs", err)
	}
	m := make(map[int64]*store.Account, len(accts))
	for _, a := range accts {
		m[a.ID] = a
	}
	return m, nil
}
