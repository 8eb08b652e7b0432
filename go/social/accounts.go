package social

import (
	"context"
	"errors"
	"regexp"
	"slices"
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
	id, err := s.newID(ctx, op)
	if err != nil {
		return nil, err
	}
	a := &store.Account{
		ID: id, Username: in.Username, PasswordHash: string(hash),
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
	// Sign-ups through the API are moderated; the admin CLI's are not.
	if usernamePattern.MatchString(in.Username) {
		if err := s.moderateAccount(ctx, op, AccountDraft{Username: in.Username, Signup: true}); err != nil {
			return nil, err
		}
	}
	acct, err := s.CreateAccount(ctx, in)
	if err != nil {
		return nil, err
	}
	app := &store.App{ID: sess.Token.AppID}
	return s.issueToken(ctx, op, app, acct.ID, sess.Scopes)
}

// GetAccount returns an account by ID, as anyone may see it: a suspended
// account is NotFound (accountHidden), as a deleted one.
func (s *Service) GetAccount(ctx context.Context, id int64) (*store.Account, error) {
	const op = "social.GetAccount"
	a, err := s.store.GetAccountByID(ctx, id)
	if errors.Is(err, store.ErrNotFound) || err == nil && accountHidden(a) {
		return nil, notFound(op, "Record not found")
	}
	if err != nil {
		return nil, internal(op, err)
	}
	return a, nil
}

// LookupAccount returns an account by username (a leading @ is ignored);
// a suspended account is NotFound, as in GetAccount.
// The caller strips this server's own domain from an acct; any other
// domain names a remote account, which does not exist here.
func (s *Service) LookupAccount(ctx context.Context, username string) (*store.Account, error) {
	const op = "social.LookupAccount"
	username = strings.TrimPrefix(username, "@")
	if username == "" || strings.Contains(username, "@") {
		return nil, notFound(op, "Record not found")
	}
	a, err := s.store.GetAccountByUsername(ctx, username)
	if errors.Is(err, store.ErrNotFound) || err == nil && accountHidden(a) {
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

// Followers lists the accounts following accountID, newest follow first,
// by the account-list rule (accountList).
func (s *Service) Followers(ctx context.Context, viewer *store.Account, accountID int64, page store.Page) (*AccountPage, error) {
	const op = "social.Followers"
	if _, err := s.GetAccount(ctx, accountID); err != nil {
		return nil, err
	}
	rows, err := s.store.ListFollowers(ctx, accountID, page)
	if err != nil {
		return nil, internal(op, err)
	}
	return s.followPage(ctx, op, viewer, rows, func(f *store.Follow) int64 { return f.AccountID })
}

// Following lists the accounts accountID follows, newest follow first, by
// the account-list rule (accountList).
func (s *Service) Following(ctx context.Context, viewer *store.Account, accountID int64, page store.Page) (*AccountPage, error) {
	const op = "social.Following"
	if _, err := s.GetAccount(ctx, accountID); err != nil {
		return nil, err
	}
	rows, err := s.store.ListFollowing(ctx, accountID, page)
	if err != nil {
		return nil, internal(op, err)
	}
	return s.followPage(ctx, op, viewer, rows, func(f *store.Follow) int64 { return f.TargetAccountID })
}

func (s *Service) followPage(ctx context.Context, op string, viewer *store.Account, rows []*store.Follow, other func(*store.Follow) int64) (*AccountPage, error) {
	rowIDs, accountIDs := make([]int64, len(rows)), make([]int64, len(rows))
	for i, f := range rows {
		rowIDs[i], accountIDs[i] = f.ID, other(f)
	}
	return s.accountList(ctx, op, viewer, rowIDs, accountIDs)
}

// AccountSearchInput is a typeahead query (GET /api/v1/accounts/search).
type AccountSearchInput struct {
	Query     string
	Limit     int  // > 0
	Offset    int  // >= 0
	Following bool // only accounts the viewer follows
}

// SearchAccounts finds accounts whose username or display name starts with
// the query, case-insensitively: an exact username first, then username
// prefixes, then display-name prefixes. An "@" before the query, and a
// domain after it, are ignored (every account is local). Accounts that
// block the viewer or that the viewer blocks never appear. viewer may be nil.
// When the prefix finds fewer than the limit, discoverable accounts whose
// name and bio are near the query in meaning follow (accountmeaning.go).
// A one- or two-letter prefix is ranked from a shared ranking at most
// typeaheadTTL old (typeahead.go).
func (s *Service) SearchAccounts(ctx context.Context, viewer *store.Account, in AccountSearchInput) ([]*store.Account, error) {
	const op = "social.SearchAccounts"
	if err := checkQuery(op, in.Query); err != nil {
		return nil, err
	}
	q := strings.TrimPrefix(strings.TrimSpace(in.Query), "@")
	q, _, _ = strings.Cut(q, "@")
	if q == "" {
		return []*store.Account{}, nil
	}
	if in.Limit <= 0 || in.Offset < 0 {
		return nil, invalid(op, "Validation failed: limit must be positive and offset not negative")
	}
	if in.Following && viewer == nil {
		return nil, &Error{Op: op, Kind: KindUnauthorized, Safe: "The access token is invalid"}
	}
	search := store.AccountSearch{Query: q, Limit: in.Limit, Offset: in.Offset}
	if viewer != nil {
		ids, err := s.store.GetBlockedAndBlockingIDs(ctx, viewer.ID)
		if err != nil {
			return nil, internal(op, err)
		}
		search.ExcludeIDs = ids
		if in.Following {
			search.FollowedBy = viewer.ID
		}
	}
	accts, ok, err := s.shortPrefixAccounts(ctx, search)
	if err == nil && !ok {
		accts, err = s.store.SearchAccounts(ctx, search)
	}
	if err != nil {
		return nil, internal(op, err)
	}
	// The store leaves suspended accounts out so pages stay full; the
	// account rule has the last word.
	accts = visibleAccounts(accts)
	// The semantic fallback fills the first page of a plain search only:
	// later pages page through the prefix matches, and "following" asks for
	// the viewer's own follows by name.
	if s.accts != nil && in.Offset == 0 && !in.Following && len(accts) < in.Limit {
		skip := slices.Clone(search.ExcludeIDs)
		for _, a := range accts {
			skip = append(skip, a.ID)
		}
		more, err := s.similarAccounts(ctx, q, in.Limit-len(accts), skip)
		if err != nil {
			return nil, internal(op, err)
		}
		accts = append(accts, more...)
	}
	return accts, nil
}
