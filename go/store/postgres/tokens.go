package postgres

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/starling-social/starling/go/store"
)

const tokenColumns = `id, app_id, account_id, hash, scopes, created_at`

// tokenRow is one row of tokenColumns being scanned (see accountRow).
type tokenRow struct {
	t         store.Token
	accountID *int64
}

func (r *tokenRow) dests() []any {
	return []any{&r.t.ID, &r.t.AppID, &r.accountID, &r.t.Hash, &r.t.Scopes, &r.t.CreatedAt}
}

func (r *tokenRow) token() *store.Token {
	t := r.t
	t.AccountID = fromNullID(r.accountID) // NULL (client_credentials) is 0
	t.CreatedAt = t.CreatedAt.UTC()
	return &t
}

func scanToken(row pgx.CollectableRow) (*store.Token, error) {
	var r tokenRow
	if err := row.Scan(r.dests()...); err != nil {
		return nil, err
	}
	return r.token(), nil
}

// PutToken inserts t, storing AccountID 0 as NULL; ErrConflict if the ID or
// the hash exists.
func (s *Store) PutToken(ctx context.Context, t *store.Token) error {
	_, err := s.pool.Exec(ctx, `
		INSERT INTO tokens (`+tokenColumns+`)
		VALUES ($1, $2, $3, $4, $5, $6)`,
		t.ID, t.AppID, nullID(t.AccountID), t.Hash, t.Scopes, toDB(t.CreatedAt))
	if err != nil {
		// Never put the hash in the message: it identifies a credential.
		return fmt.Errorf("postgres: put token %d: %w", t.ID, translate(err))
	}
	return nil
}

// GetTokenByHash matches tokens.hash.
func (s *Store) GetTokenByHash(ctx context.Context, hash []byte) (*store.Token, error) {
	rows, _ := s.pool.Query(ctx, `SELECT `+tokenColumns+` FROM tokens WHERE hash = $1`, hash)
	t, err := pgx.CollectExactlyOneRow(rows, scanToken)
	if err != nil {
		return nil, fmt.Errorf("postgres: get token by hash: %w", translate(err))
	}
	return t, nil
}

// userTokenQuery selects a token and its account by tokens.hash.
var userTokenQuery = `SELECT ` + store.Qualify("t", tokenColumns) + `, ` + store.Qualify("a", accountColumns) + `
	FROM tokens t JOIN accounts a ON a.id = t.account_id WHERE t.hash = $1`

// GetUserTokenByHash matches tokens.hash joined to the token's account, in
// one query.
func (s *Store) GetUserTokenByHash(ctx context.Context, hash []byte) (*store.Token, *store.Account, error) {
	var tr tokenRow
	var ar accountRow
	err := s.pool.QueryRow(ctx, userTokenQuery, hash).Scan(append(tr.dests(), ar.dests()...)...)
	if err != nil {
		return nil, nil, fmt.Errorf("postgres: get user token by hash: %w", translate(err))
	}
	a, err := ar.account()
	if err != nil {
		return nil, nil, fmt.Errorf("postgres: get user token by hash: %w", err)
	}
	return tr.token(), a, nil
}

// DeleteTokenByHash deletes the row matching tokens.hash; ErrNotFound if
// there is none.
func (s *Store) DeleteTokenByHash(ctx context.Context, hash []byte) error {
	tag, err := s.pool.Exec(ctx, `DELETE FROM tokens WHERE hash = $1`, hash)
	if err == nil && tag.RowsAffected() == 0 {
		err = pgx.ErrNoRows
	}
	if err != nil {
		return fmt.Errorf("postgres: delete token by hash: %w", translate(err))
	}
	return nil
}
