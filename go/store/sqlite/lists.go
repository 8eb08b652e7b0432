package sqlite

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/starling-social/starling/go/store"
)

const listColumns = `id, account_id, title, replies_policy, exclusive, created_at`

func scanList(r scanner) (*store.List, error) {
	var (
		l         store.List
		createdAt int64
	)
	if err := r.Scan(&l.ID, &l.AccountID, &l.Title, &l.RepliesPolicy, &l.Exclusive, &createdAt); err != nil {
		return nil, err
	}
	l.CreatedAt = fromDB(createdAt)
	return &l, nil
}

// PutList counts the owner's lists and inserts l, in one transaction.
func (s *Store) PutList(ctx context.Context, l *store.List, max int) error {
	err := s.withTx(ctx, func(tx *sql.Tx) error {
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM lists WHERE account_id = ?`, l.AccountID).Scan(&n); err != nil {
			return fmt.Errorf("count: %w", err)
		}
		if n >= max {
			return store.ErrLimit
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO lists (`+listColumns+`) VALUES (?, ?, ?, ?, ?, ?)`,
			l.ID, l.AccountID, l.Title, l.RepliesPolicy, l.Exclusive, toDB(l.CreatedAt))
		return err
	})
	if err != nil {
		return fmt.Errorf("sqlite: put list %d: %w", l.ID, translateFK(err))
	}
	return nil
}

// GetListByID matches lists.id.
func (s *Store) GetListByID(ctx context.Context, id int64) (*store.List, error) {
	l, err := scanList(s.r.QueryRowContext(ctx, `SELECT `+listColumns+` FROM lists WHERE id = ?`, id))
	if err != nil {
		return nil, fmt.Errorf("sqlite: get list %d: %w", id, translate(err))
	}
	return l, nil
}

func (s *Store) queryLists(ctx context.Context, query string, arg int64) ([]*store.List, error) {
	rows, err := s.r.QueryContext(ctx, query, arg)
	if err != nil {
		return nil, translate(err)
	}
	out, err := collect(rows, scanList)
	return out, translate(err)
}

// GetListsByAccountID selects lists by account_id, ascending by id.
func (s *Store) GetListsByAccountID(ctx context.Context, accountID int64) ([]*store.List, error) {
	out, err := s.queryLists(ctx, `SELECT `+listColumns+` FROM lists WHERE account_id = ? ORDER BY id`, accountID)
	if err != nil {
		return nil, fmt.Errorf("sqlite: lists of %d: %w", accountID, err)
	}
	return out, nil
}

// GetListsByMember selects the lists whose list_accounts hold memberID.
func (s *Store) GetListsByMember(ctx context.Context, memberID int64) ([]*store.List, error) {
	out, err := s.queryLists(ctx, `SELECT `+listColumns+` FROM lists
		WHERE id IN (SELECT list_id FROM list_accounts WHERE account_id = ?) ORDER BY id`, memberID)
	if err != nil {
		return nil, fmt.Errorf("sqlite: lists containing %d: %w", memberID, err)
	}
	return out, nil
}

// UpdateList writes title, replies_policy and exclusive of lists.id.
func (s *Store) UpdateList(ctx context.Context, l *store.List) error {
	res, err := s.w.ExecContext(ctx, `UPDATE lists SET title = ?, replies_policy = ?, exclusive = ? WHERE id = ?`,
		l.Title, l.RepliesPolicy, l.Exclusive, l.ID)
	if err == nil {
		err = mustAffect(res)
	}
	if err != nil {
		return fmt.Errorf("sqlite: update list %d: %w", l.ID, translate(err))
	}
	return nil
}

// DeleteListByID deletes lists.id; members go by ON DELETE CASCADE.
func (s *Store) DeleteListByID(ctx context.Context, id int64) error {
	res, err := s.w.ExecContext(ctx, `DELETE FROM lists WHERE id = ?`, id)
	if err == nil {
		err = mustAffect(res)
	}
	if err != nil {
		return fmt.Errorf("sqlite: delete list %d: %w", id, translate(err))
	}
	return nil
}

// PutListAccounts inserts the members, ignoring those already present.
func (s *Store) PutListAccounts(ctx context.Context, listID int64, accountIDs []int64) error {
	err := s.withTx(ctx, func(tx *sql.Tx) error {
		for _, id := range accountIDs {
			if _, err := tx.ExecContext(ctx,
				`INSERT INTO list_accounts (list_id, account_id) VALUES (?, ?) ON CONFLICT DO NOTHING`,
				listID, id); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("sqlite: add to list %d: %w", listID, translateFK(err))
	}
	return nil
}

// DeleteListAccounts deletes the members.
func (s *Store) DeleteListAccounts(ctx context.Context, listID int64, accountIDs []int64) error {
	list, err := jsonArray(accountIDs)
	if err == nil {
		_, err = s.w.ExecContext(ctx, `DELETE FROM list_accounts
			WHERE list_id = ? AND account_id IN (SELECT value FROM json_each(?))`, listID, list)
	}
	if err != nil {
		return fmt.Errorf("sqlite: remove from list %d: %w", listID, translate(err))
	}
	return nil
}

// ListListAccountIDs selects list_accounts.account_id by list_id, descending
// inside page.
func (s *Store) ListListAccountIDs(ctx context.Context, listID int64, page store.Page) ([]int64, error) {
	out, err := listPage(ctx, s, `SELECT account_id FROM list_accounts WHERE list_id = ?`,
		[]any{listID}, "account_id", page, scanID)
	if err != nil {
		return nil, fmt.Errorf("sqlite: list members of %d: %w", listID, err)
	}
	return out, nil
}
