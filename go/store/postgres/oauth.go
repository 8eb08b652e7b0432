package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/starling-social/starling/go/store"
)

const authCodeColumns = `id, app_id, account_id, hash, redirect_uri, scopes, code_challenge,
	code_challenge_method, created_at, expires_at, used_at, token_id`

func scanAuthCode(row pgx.CollectableRow) (*store.AuthCode, error) {
	var (
		c       store.AuthCode
		tokenID *int64
	)
	if err := row.Scan(&c.ID, &c.AppID, &c.AccountID, &c.Hash, &c.RedirectURI, &c.Scopes,
		&c.CodeChallenge, &c.CodeChallengeMethod, &c.CreatedAt, &c.ExpiresAt, &c.UsedAt, &tokenID); err != nil {
		return nil, err
	}
	c.CreatedAt, c.ExpiresAt = c.CreatedAt.UTC(), c.ExpiresAt.UTC()
	if c.UsedAt != nil {
		t := c.UsedAt.UTC()
		c.UsedAt = &t
	}
	c.TokenID = fromNullID(tokenID)
	return &c, nil
}

// PutAuthCode inserts c as unused; ErrConflict if the ID or hash exists.
func (s *Store) PutAuthCode(ctx context.Context, c *store.AuthCode) error {
	_, err := s.pool.Exec(ctx, `
		INSERT INTO auth_codes (`+authCodeColumns+`)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, NULL, NULL)`,
		c.ID, c.AppID, c.AccountID, c.Hash, c.RedirectURI, c.Scopes, c.CodeChallenge,
		c.CodeChallengeMethod, toDB(c.CreatedAt), toDB(c.ExpiresAt))
	if err != nil {
		// Never put the hash in the message: it identifies a credential.
		return fmt.Errorf("postgres: put auth code %d: %w", c.ID, translate(err))
	}
	return nil
}

// GetAuthCodeByHash matches auth_codes.hash.
func (s *Store) GetAuthCodeByHash(ctx context.Context, hash []byte) (*store.AuthCode, error) {
	rows, _ := s.pool.Query(ctx, `SELECT `+authCodeColumns+` FROM auth_codes WHERE hash = $1`, hash)
	c, err := pgx.CollectExactlyOneRow(rows, scanAuthCode)
	if err != nil {
		return nil, fmt.Errorf("postgres: get auth code by hash: %w", translate(err))
	}
	return c, nil
}

// errCodeUsed is RedeemAuthCode's internal signal for a used code.
var errCodeUsed = errors.New("auth code already used")

// RedeemAuthCode marks the code used and inserts tok in one transaction.
// The guarded UPDATE (used_at IS NULL) is what makes a code single-use when
// two redemptions race: the second waits on the row lock, then sees used_at
// set and changes nothing.
func (s *Store) RedeemAuthCode(ctx context.Context, codeID int64, tok *store.Token) error {
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `
			INSERT INTO tokens (`+tokenColumns+`)
			VALUES ($1, $2, $3, $4, $5, $6)`,
			tok.ID, tok.AppID, nullID(tok.AccountID), tok.Hash, tok.Scopes, toDB(tok.CreatedAt)); err != nil {
			return err
		}
		tag, err := tx.Exec(ctx, `
			UPDATE auth_codes SET used_at = $1, token_id = $2
			WHERE id = $3 AND used_at IS NULL`, toDB(tok.CreatedAt), tok.ID, codeID)
		if err != nil || tag.RowsAffected() == 1 {
			return err
		}
		var one int
		if err := tx.QueryRow(ctx, `SELECT 1 FROM auth_codes WHERE id = $1`, codeID).Scan(&one); err != nil {
			return err // pgx.ErrNoRows: no such code
		}
		return errCodeUsed
	})
	if errors.Is(err, errCodeUsed) {
		return fmt.Errorf("postgres: redeem auth code %d: %w", codeID, store.ErrConflict)
	}
	if err != nil {
		return fmt.Errorf("postgres: redeem auth code %d: %w", codeID, translate(err))
	}
	return nil
}

// DeleteAuthCodeToken deletes the token whose id is auth_codes.token_id.
func (s *Store) DeleteAuthCodeToken(ctx context.Context, codeID int64) error {
	tag, err := s.pool.Exec(ctx, `
		DELETE FROM tokens WHERE id = (SELECT token_id FROM auth_codes WHERE id = $1)`, codeID)
	if err == nil && tag.RowsAffected() == 0 {
		err = pgx.ErrNoRows
	}
	if err != nil {
		return fmt.Errorf("postgres: delete auth code %d token: %w", codeID, translate(err))
	}
	return nil
}

// DeleteExpiredAuthCodes deletes codes with expires_at < before.
func (s *Store) DeleteExpiredAuthCodes(ctx context.Context, before time.Time) (int64, error) {
	tag, err := s.pool.Exec(ctx, `DELETE FROM auth_codes WHERE expires_at < $1`, toDB(before))
	if err != nil {
		return 0, fmt.Errorf("postgres: delete expired auth codes: %w", translate(err))
	}
	return tag.RowsAffected(), nil
}

// GetInstanceStats scans accounts once.
func (s *Store) GetInstanceStats(ctx context.Context, activeSince time.Time) (*store.InstanceStats, error) {
	var st store.InstanceStats
	err := s.pool.QueryRow(ctx, `
		SELECT count(*), coalesce(sum(statuses_count), 0)::bigint,
		       count(*) FILTER (WHERE last_status_at >= $1)
		FROM accounts`, toDB(activeSince)).Scan(&st.Users, &st.Statuses, &st.ActiveMonth)
	if err != nil {
		return nil, fmt.Errorf("postgres: get instance stats: %w", translate(err))
	}
	return &st, nil
}

// GetAppByID matches apps.id.
func (s *Store) GetAppByID(ctx context.Context, id int64) (*store.App, error) {
	rows, _ := s.pool.Query(ctx, `SELECT `+appColumns+` FROM apps WHERE id = $1`, id)
	a, err := pgx.CollectExactlyOneRow(rows, scanApp)
	if err != nil {
		return nil, fmt.Errorf("postgres: get app %d: %w", id, translate(err))
	}
	return a, nil
}
