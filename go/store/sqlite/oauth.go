package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/starling-social/starling/go/store"
)

const authCodeColumns = `id, app_id, account_id, hash, redirect_uri, scopes, code_challenge,
	code_challenge_method, created_at, expires_at, used_at, token_id`

func scanAuthCode(row scanner) (*store.AuthCode, error) {
	var (
		c                    store.AuthCode
		createdAt, expiresAt int64
		usedAt, tokenID      sql.NullInt64
	)
	if err := row.Scan(&c.ID, &c.AppID, &c.AccountID, &c.Hash, &c.RedirectURI, &c.Scopes,
		&c.CodeChallenge, &c.CodeChallengeMethod, &createdAt, &expiresAt, &usedAt, &tokenID); err != nil {
		return nil, err
	}
	c.CreatedAt, c.ExpiresAt = fromDB(createdAt), fromDB(expiresAt)
	if usedAt.Valid {
		t := fromDB(usedAt.Int64)
		c.UsedAt = &t
	}
	c.TokenID = tokenID.Int64
	return &c, nil
}

// PutAuthCode inserts c as unused; ErrConflict if the ID or hash exists.
func (s *Store) PutAuthCode(ctx context.Context, c *store.AuthCode) error {
	_, err := s.w.ExecContext(ctx, `
		INSERT INTO auth_codes (`+authCodeColumns+`)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL, NULL)`,
		c.ID, c.AppID, c.AccountID, c.Hash, c.RedirectURI, c.Scopes, c.CodeChallenge,
		c.CodeChallengeMethod, toDB(c.CreatedAt), toDB(c.ExpiresAt))
	if err != nil {
		// Never put the hash in the message: it identifies a credential.
		return fmt.Errorf("sqlite: put auth code %d: %w", c.ID, translate(err))
	}
	return nil
}

// GetAuthCodeByHash matches auth_codes.hash.
func (s *Store) GetAuthCodeByHash(ctx context.Context, hash []byte) (*store.AuthCode, error) {
	c, err := scanAuthCode(s.r.QueryRowContext(ctx,
		`SELECT `+authCodeColumns+` FROM auth_codes WHERE hash = ?`, hash))
	if err != nil {
		return nil, fmt.Errorf("sqlite: get auth code by hash: %w", translate(err))
	}
	return c, nil
}

// errCodeUsed is RedeemAuthCode's internal signal for a used code.
var errCodeUsed = errors.New("auth code already used")

// RedeemAuthCode marks the code used and inserts tok in one transaction.
// The guarded UPDATE (used_at IS NULL) is what makes a code single-use even
// when two redemptions race: only one of them changes the row.
func (s *Store) RedeemAuthCode(ctx context.Context, codeID int64, tok *store.Token) error {
	err := s.withTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `
			INSERT INTO tokens (`+tokenColumns+`)
			VALUES (?, ?, ?, ?, ?, ?)`,
			tok.ID, tok.AppID, nullID(tok.AccountID), tok.Hash, tok.Scopes, toDB(tok.CreatedAt)); err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, `
			UPDATE auth_codes SET used_at = ?, token_id = ?
			WHERE id = ? AND used_at IS NULL`, toDB(tok.CreatedAt), tok.ID, codeID)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n == 1 {
			return err
		}
		var used sql.NullInt64
		if err := tx.QueryRowContext(ctx, `SELECT used_at FROM auth_codes WHERE id = ?`, codeID).Scan(&used); err != nil {
			return err // sql.ErrNoRows: no such code
		}
		return errCodeUsed
	})
	if errors.Is(err, errCodeUsed) {
		return fmt.Errorf("sqlite: redeem auth code %d: %w", codeID, store.ErrConflict)
	}
	if err != nil {
		return fmt.Errorf("sqlite: redeem auth code %d: %w", codeID, translate(err))
	}
	return nil
}

// DeleteAuthCodeToken deletes the token whose id is auth_codes.token_id.
func (s *Store) DeleteAuthCodeToken(ctx context.Context, codeID int64) error {
	res, err := s.w.ExecContext(ctx, `
		DELETE FROM tokens WHERE id = (SELECT token_id FROM auth_codes WHERE id = ?)`, codeID)
	if err == nil {
		err = mustAffect(res)
	}
	if err != nil {
		return fmt.Errorf("sqlite: delete auth code %d token: %w", codeID, translate(err))
	}
	return nil
}

// DeleteExpiredAuthCodes deletes codes with expires_at < before.
func (s *Store) DeleteExpiredAuthCodes(ctx context.Context, before time.Time) (int64, error) {
	res, err := s.w.ExecContext(ctx, `DELETE FROM auth_codes WHERE expires_at < ?`, toDB(before))
	if err != nil {
		return 0, fmt.Errorf("sqlite: delete expired auth codes: %w", translate(err))
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, fmt.Errorf("sqlite: delete expired auth codes: %w", err)
	}
	return n, nil
}

// GetInstanceStats scans accounts once.
func (s *Store) GetInstanceStats(ctx context.Context, activeSince time.Time) (*store.InstanceStats, error) {
	var st store.InstanceStats
	err := s.r.QueryRowContext(ctx, `
		SELECT count(*), coalesce(sum(statuses_count), 0),
		       count(*) FILTER (WHERE last_status_at >= ?)
		FROM accounts`, toDB(activeSince)).Scan(&st.Users, &st.Statuses, &st.ActiveMonth)
	if err != nil {
		return nil, fmt.Errorf("sqlite: get instance stats: %w", translate(err))
	}
	return &st, nil
}

// GetAppByID matches apps.id.
func (s *Store) GetAppByID(ctx context.Context, id int64) (*store.App, error) {
	a, err := scanApp(s.r.QueryRowContext(ctx, `SELECT `+appColumns+` FROM apps WHERE id = ?`, id))
	if err != nil {
		return nil, fmt.Errorf("sqlite: get app %d: %w", id, translate(err))
	}
	return a, nil
}
