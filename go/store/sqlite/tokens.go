package sqlite

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/starling-social/starling/go/store"
)

const tokenColumns = `id, app_id, account_id, hash, scopes, created_at`

func scanToken(row scanner) (*store.Token, error) {
	var (
		t         store.Token
		accountID sql.NullInt64
		createdAt int64
	)
	if err := row.Scan(&t.ID, &t.AppID, &accountID, &t.Hash, &t.Scopes, &createdAt); err != nil {
		return nil, err
	}
	t.AccountID = accountID.Int64 // NULL (client_credentials) is 0
	t.CreatedAt = fromDB(createdAt)
	return &t, nil
}

// PutToken inserts t, storing AccountID 0 as NULL; ErrConflict if the ID or
// the hash exists.
func (s *Store) PutToken(ctx context.Context, t *store.Token) error {
	_, err := s.w.ExecContext(ctx, `
		INSERT INTO tokens (`+tokenColumns+`)
		VALUES (?, ?, ?, ?, ?, ?)`,
		t.ID, t.AppID, nullID(t.AccountID), t.Hash, t.Scopes, toDB(t.CreatedAt))
	if err != nil {
		// Never put the hash in the message: it identifies a credential.
		return fmt.Errorf("sqlite: put token %d: %w", t.ID, translate(err))
	}
	return nil
}

// GetTokenByHash matches tokens.hash.
func (s *Store) GetTokenByHash(ctx context.Context, hash []byte) (*store.Token, error) {
	t, err := scanToken(s.r.QueryRowContext(ctx,
		`SELECT `+tokenColumns+` FROM tokens WHERE hash = ?`, hash))
	if err != nil {
		return nil, fmt.Errorf("sqlite: get token by hash: %w", translate(err))
	}
	return t, nil
}

// DeleteTokenByHash deletes the row matching tokens.hash; ErrNotFound if
// there is none.
func (s *Store) DeleteTokenByHash(ctx context.Context, hash []byte) error {
	res, err := s.w.ExecContext(ctx, `DELETE FROM tokens WHERE hash = ?`, hash)
	if err == nil {
		err = mustAffect(res)
	}
	if err != nil {
		return fmt.Errorf("sqlite: delete token by hash: %w", translate(err))
	}
	return nil
}
