package sqlite

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/starling-social/starling/go/store"
)

const tokenColumns = `id, app_id, account_id, hash, scopes, created_at`

// tokenRow is one row of tokenColumns being scanned (see accountRow).
type tokenRow struct {
	t         store.Token
	accountID sql.NullInt64
	createdAt int64
}

func (r *tokenRow) dests() []any {
	return []any{&r.t.ID, &r.t.AppID, &r.accountID, &r.t.Hash, &r.t.Scopes, &r.createdAt}
}

func (r *tokenRow) token() *store.Token {
	t := r.t
	t.AccountID = r.accountID.Int64 // NULL (client_credentials) is 0
	t.CreatedAt = fromDB(r.createdAt)
	return &t
}

func scanToken(row scanner) (*store.Token, error) {
	var r tokenRow
	if err := row.Scan(r.dests()...); err != nil {
		return nil, err
	}
	return r.token(), nil
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

// userTokenQuery selects a token and its account by tokens.hash.
var userTokenQuery = `SELECT ` + store.Qualify("t", tokenColumns) + `, ` + store.Qualify("a", accountColumns) + `
	FROM tokens t JOIN accounts a ON a.id = t.account_id WHERE t.hash = ?`

// GetUserTokenByHash matches tokens.hash joined to the token's account, in
// one query.
func (s *Store) GetUserTokenByHash(ctx context.Context, hash []byte) (*store.Token, *store.Account, error) {
	var tr tokenRow
	var ar accountRow
	err := s.r.QueryRowContext(ctx, userTokenQuery, hash).Scan(append(tr.dests(), ar.dests()...)...)
	if err != nil {
		return nil, nil, fmt.Errorf("sqlite: get user token by hash: %w", translate(err))
	}
	a, err := ar.account()
	if err != nil {
		return nil, nil, fmt.Errorf("sqlite: get user token by hash: %w", err)
	}
	return tr.token(), a, nil
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
