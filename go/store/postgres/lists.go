package postgres

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/starling-social/starling/go/store"
)

const listColumns = `id, account_id, title, replies_policy, exclusive, created_at`

func scanList(r pgx.CollectableRow) (*store.List, error) {
	var l store.List
	if err := r.Scan(&l.ID, &l.AccountID, &l.Title, &l.RepliesPolicy, &l.Exclusive, &l.CreatedAt); err != nil {
		return nil, err
	}
	l.CreatedAt = l.CreatedAt.UTC()
	return &l, nil
}

// PutList counts the owner's lists and inserts l, in one transaction.
func (s *Store) PutList(ctx context.Context, l *store.List, max int) error {
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		// The owner's row serializes list creation per account.
		if _, err := tx.Exec(ctx, `SELECT id FROM accounts WHERE id = $1 FOR NO KEY UPDATE`, l.AccountID); err != nil {
			return fmt.Errorf("lock account: %w", err)
		}
		var n int
		if err := tx.QueryRow(ctx, `SELECT count(*) FROM lists WHERE account_id = $1`, l.AccountID).Scan(&n); err != nil {
			return fmt.Errorf("count: %w", err)
		}
		if n >= max {
			return store.ErrLimit
		}
		_, err := tx.Exec(ctx, `INSERT INTO lists (`+listColumns+`) VALUES ($1, $2, $3, $4, $5, $6)`,
			l.ID, l.AccountID, l.Title, l.RepliesPolicy, l.Exclusive, toDB(l.CreatedAt))
		return err
	})
	if err != nil {
		return fmt.Errorf("postgres: put list %d: %w", l.ID, translateFK(err))
	}
	return nil
}

// GetListByID matches lists.id.
func (s *Store) GetListByID(ctx context.Context, id int64) (*store.List, error) {
	rows, _ := s.pool.Query(ctx, `SELECT `+listColumns+` FROM lists WHERE id = $1`, id)
	l, err := pgx.CollectExactlyOneRow(rows, scanList)
	if err != nil {
		return nil, fmt.Errorf("postgres: get list %d: %w", id, translate(err))
	}
	return l, nil
}

// GetListsByAccountID selects lists by account_id, ascending by id.
func (s *Store) GetListsByAccountID(ctx context.Context, accountID int64) ([]*store.List, error) {
	rows, _ := s.pool.Query(ctx, `SELECT `+listColumns+` FROM lists WHERE account_id = $1 ORDER BY id`, accountID)
	out, err := pgx.CollectRows(rows, scanList)
	if err != nil {
		return nil, fmt.Errorf("postgres: lists of %d: %w", accountID, translate(err))
	}
	return out, nil
}

// GetListsByMember selects the lists whose list_accounts hold memberID.
func (s *Store) GetListsByMember(ctx context.Context, memberID int64) ([]*store.List, error) {
	rows, _ := s.pool.Query(ctx, `SELECT `+listColumns+` FROM lists
		WHERE id IN (SELECT list_id FROM list_accounts WHERE account_id = $1) ORDER BY id`, memberID)
	out, err := pgx.CollectRows(rows, scanList)
	if err != nil {
		return nil, fmt.Errorf("postgres: lists containing %d: %w", memberID, translate(err))
	}
	return out, nil
}

// UpdateList writes title, replies_policy and exclusive of lists.id.
func (s *Store) UpdateList(ctx context.Context, l *store.List) error {
	tag, err := s.pool.Exec(ctx, `UPDATE lists SET title = $1, replies_policy = $2, exclusive = $3 WHERE id = $4`,
		l.Title, l.RepliesPolicy, l.Exclusive, l.ID)
	if err == nil && tag.RowsAffected() == 0 {
		err = pgx.ErrNoRows
	}
	if err != nil {
		return fmt.Errorf("postgres: update list %d: %w", l.ID, translate(err))
	}
	return nil
}

// DeleteListByID deletes lists.id; members go by ON DELETE CASCADE.
func (s *Store) DeleteListByID(ctx context.Context, id int64) error {
	tag, err := s.pool.Exec(ctx, `DELETE FROM lists WHERE id = $1`, id)
	if err == nil && tag.RowsAffected() == 0 {
		err = pgx.ErrNoRows
	}
	if err != nil {
		return fmt.Errorf("postgres: delete list %d: %w", id, translate(err))
	}
	return nil
}

// PutListAccounts inserts the members, ignoring those already present.
func (s *Store) PutListAccounts(ctx context.Context, listID int64, accountIDs []int64) error {
	if len(accountIDs) == 0 {
		return nil
	}
	_, err := s.pool.Exec(ctx, `INSERT INTO list_accounts (list_id, account_id)
		SELECT $1, unnest($2::bigint[]) ON CONFLICT DO NOTHING`, listID, accountIDs)
	if err != nil {
		return fmt.Errorf("postgres: add to list %d: %w", listID, translateFK(err))
	}
	return nil
}

// DeleteListAccounts deletes the members.
func (s *Store) DeleteListAccounts(ctx context.Context, listID int64, accountIDs []int64) error {
	_, err := s.pool.Exec(ctx, `DELETE FROM list_accounts WHERE list_id = $1 AND account_id = ANY($2)`, listID, accountIDs)
	if err != nil {
		return fmt.Errorf("postgres: remove from list %d: %w", listID, translate(err))
	}
	return nil
}

// ListListAccountIDs selects list_accounts.account_id by list_id,
// descending inside page.
func (s *Store) ListListAccountIDs(ctx context.Context, listID int64, page store.Page) ([]int64, error) {
	out, err := listPage(ctx, s, `SELECT account_id FROM list_accounts WHERE list_id = $1`,
		[]any{listID}, "account_id", page, pgx.RowTo[int64])
	if err != nil {
		return nil, fmt.Errorf("postgres: list members of %d: %w", listID, err)
	}
	return out, nil
}
