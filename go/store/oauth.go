package store

import (
	"context"
	"time"
)

// AuthCode is an OAuth authorization code (RFC 6749 §4.1), issued by the
// consent page and redeemed once at the token endpoint. Only the SHA-256 of
// the code is stored, like a token's.
type AuthCode struct {
	ID          int64
	AppID       int64
	AccountID   int64
	Hash        []byte // SHA-256 of the code; unique
	RedirectURI string // the one the code was issued for; redemption must repeat it
	Scopes      string // space-separated
	// CodeChallenge and CodeChallengeMethod are PKCE's (RFC 7636); both
	// empty when the client sent no challenge.
	CodeChallenge       string
	CodeChallengeMethod string
	CreatedAt           time.Time
	ExpiresAt           time.Time
	UsedAt              *time.Time // nil until redeemed
	TokenID             int64      // the token issued from the code; 0 until redeemed
}

// InstanceStats are the counts the instance endpoints show.
type InstanceStats struct {
	Users       int64 // local accounts
	Statuses    int64 // statuses, counted through the accounts' exact counters
	ActiveMonth int64 // accounts that posted at or after the activeSince given
}

// OAuth stores authorization codes, and the instance-wide counts the
// instance endpoints show.
type OAuth interface {
	// GetAppByID matches apps.id (the app behind a token).
	GetAppByID(ctx context.Context, id int64) (*App, error)
	// PutAuthCode inserts c (UsedAt nil, TokenID 0); ErrConflict if the ID
	// or hash exists.
	PutAuthCode(ctx context.Context, c *AuthCode) error
	// GetAuthCodeByHash matches auth_codes.hash, used or not.
	GetAuthCodeByHash(ctx context.Context, hash []byte) (*AuthCode, error)
	// RedeemAuthCode marks the unused code codeID used at tok.CreatedAt,
	// records tok.ID as issued from it and inserts tok, in one transaction;
	// ErrConflict if the code was already used (nothing is written), and
	// ErrNotFound if there is no such code.
	RedeemAuthCode(ctx context.Context, codeID int64, tok *Token) error
	// DeleteAuthCodeToken deletes the token issued from codeID (a replayed
	// code revokes what it granted, RFC 6749 §4.1.2); ErrNotFound if the
	// code has no token, or the token is gone already.
	DeleteAuthCodeToken(ctx context.Context, codeID int64) error
	// DeleteExpiredAuthCodes deletes the codes with expires_at before
	// before, used or not, and returns how many went.
	DeleteExpiredAuthCodes(ctx context.Context, before time.Time) (int64, error)
	// GetInstanceStats counts accounts, sums their statuses counts and
	// counts those whose last_status_at is at or after activeSince: one
	// scan of accounts, never of statuses.
	GetInstanceStats(ctx context.Context, activeSince time.Time) (*InstanceStats, error)
}
