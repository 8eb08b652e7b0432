package postgres

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/starling-social/starling/go/store"
)

// errMissingAccount rejects a follow whose follower or target does not exist.
var errMissingAccount = errors.New("follower or target account does not exist")

const followColumns = `id, account_id, target_account_id, show_reblogs, notify, created_at`

func scanFollow(row pgx.CollectableRow) (*store.Follow, error) {
	var f store.Follow
	if err := row.Scan(&f.ID, &f.AccountID, &f.TargetAccountID, &f.ShowReblogs, &f.Notify, &f.CreatedAt); err != nil {
		return nil, err
	}
	f.CreatedAt = f.CreatedAt.UTC()
	return &f, nil
}

// lockAccounts row-locks both accounts of an edge in ascending id order, so
// that concurrent follows A→B and B→A cannot deadlock on the count updates.
// It reports whether both exist.
func lockAccounts(ctx context.Context, tx pgx.Tx, accountID, targetID int64) (bool, error) {
	want := 2
	if accountID == targetID {
		want = 1
	}
	rows, _ := tx.Query(ctx, `
		SELECT id FROM accounts WHERE id IN ($1, $2)
		ORDER BY id FOR NO KEY UPDATE`, accountID, targetID)
	ids, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		return false, err
	}
	return len(ids) == want, nil
}

// checkNotBlocked returns store.ErrBlocked if either account blocks the
// other. Callers hold lockAccounts' row locks, which PutBlock takes too, so
// a block either committed before this check or waits for the caller's
// transaction and then severs what it wrote.
func checkNotBlocked(ctx context.Context, tx pgx.Tx, accountID, targetID int64) error {
	var blocked bool
	if err := tx.QueryRow(ctx, `
		SELECT EXISTS (SELECT 1 FROM blocks
			WHERE (account_id = $1 AND target_account_id = $2) OR (account_id = $2 AND target_account_id = $1))`,
		accountID, targetID).Scan(&blocked); err != nil {
		return fmt.Errorf("blocks: %w", err)
	}
	if blocked {
		return store.ErrBlocked
	}
	return nil
}

// bumpFollowCounts adds delta to accountID's following_count and targetID's
// followers_count in one statement (a self-follow bumps both on one row).
func bumpFollowCounts(ctx context.Context, tx pgx.Tx, accountID, targetID int64, delta int) error {
	_, err := tx.Exec(ctx, `
		UPDATE accounts
		SET following_count = following_count + CASE WHEN id = $1 THEN $3::bigint ELSE 0 END,
		    followers_count = followers_count + CASE WHEN id = $2 THEN $3::bigint ELSE 0 END
		WHERE id IN ($1, $2)`, accountID, targetID, delta)
	return err
}

// PutFollow inserts f and, in the same transaction, increments the
// follower's following_count and the target's followers_count; ErrConflict
// if the edge (or the ID) exists, ErrBlocked if a block either way exists,
// with the counts unchanged.
func (s *Store) PutFollow(ctx context.Context, f *store.Follow) error {
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		exist, err := lockAccounts(ctx, tx, f.AccountID, f.TargetAccountID)
		if err != nil {
			return fmt.Errorf("lock accounts: %w", err)
		}
		if !exist {
			// What the foreign keys would say, but without first waiting on
			// the insert; deliberately not ErrNotFound, as in store/sqlite.
			return errMissingAccount
		}
		if err := checkNotBlocked(ctx, tx, f.AccountID, f.TargetAccountID); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `
			INSERT INTO follows (`+followColumns+`)
			VALUES ($1, $2, $3, $4, $5, $6)`,
			f.ID, f.AccountID, f.TargetAccountID, f.ShowReblogs, f.Notify, toDB(f.CreatedAt)); err != nil {
			return err
		}
		return bumpFollowCounts(ctx, tx, f.AccountID, f.TargetAccountID, +1)
	})
	if err != nil {
		return fmt.Errorf("postgres: put follow %d -> %d: %w", f.AccountID, f.TargetAccountID, translate(err))
	}
	return nil
}

// GetFollow matches (follows.account_id, follows.target_account_id).
func (s *Store) GetFollow(ctx context.Context, accountID, targetID int64) (*store.Follow, error) {
	rows, _ := s.pool.Query(ctx,
		`SELECT `+followColumns+` FROM follows WHERE account_id = $1 AND target_account_id = $2`,
		accountID, targetID)
	f, err := pgx.CollectExactlyOneRow(rows, scanFollow)
	if err != nil {
		return nil, fmt.Errorf("postgres: get follow %d -> %d: %w", accountID, targetID, translate(err))
	}
	return f, nil
}

// DeleteFollow deletes the edge matching (account_id, target_account_id),
// decrements both counts and removes the target from the follower's lists
// in the same transaction; ErrNotFound if there is no such edge, with
// nothing changed.
func (s *Store) DeleteFollow(ctx context.Context, accountID, targetID int64) error {
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		exist, err := lockAccounts(ctx, tx, accountID, targetID)
		if err != nil {
			return fmt.Errorf("lock accounts: %w", err)
		}
		if !exist {
			return pgx.ErrNoRows // no such account, so no such edge
		}
		tag, err := tx.Exec(ctx,
			`DELETE FROM follows WHERE account_id = $1 AND target_account_id = $2`, accountID, targetID)
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 0 {
			return pgx.ErrNoRows
		}
		if err := removeFromLists(ctx, tx, accountID, targetID); err != nil {
			return err
		}
		return bumpFollowCounts(ctx, tx, accountID, targetID, -1)
	})
	if err != nil {
		return fmt.Errorf("postgres: delete follow %d -> %d: %w", accountID, targetID, translate(err))
	}
	return nil
}

// removeFromLists removes targetID from the lists accountID owns: a list
// holds only accounts its owner follows.
func removeFromLists(ctx context.Context, tx pgx.Tx, accountID, targetID int64) error {
	if _, err := tx.Exec(ctx, `
		DELETE FROM list_accounts
		WHERE account_id = $1 AND list_id IN (SELECT id FROM lists WHERE account_id = $2)`,
		targetID, accountID); err != nil {
		return fmt.Errorf("lists of %d: %w", accountID, err)
	}
	return nil
}

// GetReblogsHiddenIDs lists follows.target_account_id for accountID where
// show_reblogs is off, ascending.
func (s *Store) GetReblogsHiddenIDs(ctx context.Context, accountID int64) ([]int64, error) {
	rows, _ := s.pool.Query(ctx, `
		SELECT target_account_id FROM follows WHERE account_id = $1 AND NOT show_reblogs
		ORDER BY target_account_id`, accountID)
	ids, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		return nil, fmt.Errorf("postgres: get reblogs hidden ids of %d: %w", accountID, translate(err))
	}
	return ids, nil
}

// GetFollowingIDs lists follows.target_account_id for accountID, ascending.
func (s *Store) GetFollowingIDs(ctx context.Context, accountID int64) ([]int64, error) {
	rows, _ := s.pool.Query(ctx,
		`SELECT target_account_id FROM follows WHERE account_id = $1 ORDER BY target_account_id`, accountID)
	ids, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		return nil, fmt.Errorf("postgres: get following ids of %d: %w", accountID, translate(err))
	}
	return ids, nil
}

// UpdateFollow sets columns (show_reblogs, notify) of the edge matching
// (f.AccountID, f.TargetAccountID) to f's values; ErrNotFound if there is no
// such edge. An unknown column is an error before any write.
func (s *Store) UpdateFollow(ctx context.Context, f *store.Follow, columns ...string) error {
	set, args, err := store.SetClause(store.FollowUpdates(f), columns, []any{f.AccountID, f.TargetAccountID}, placeholder)
	if err == nil && set == "" {
		return nil
	}
	if err == nil {
		var tag pgconn.CommandTag
		tag, err = s.pool.Exec(ctx, `UPDATE follows SET `+set+` WHERE account_id = $1 AND target_account_id = $2`,
			args...)
		if err == nil && tag.RowsAffected() == 0 {
			err = pgx.ErrNoRows
		}
	}
	if err != nil {
		return fmt.Errorf("postgres: update follow %d -> %d: %w", f.AccountID, f.TargetAccountID, translate(err))
	}
	return nil
}

// ListFollowers lists follows by target_account_id inside page, newest
// (highest follows.id) first.
func (s *Store) ListFollowers(ctx context.Context, targetID int64, page store.Page) ([]*store.Follow, error) {
	out, err := listPage(ctx, s, `SELECT `+followColumns+` FROM follows WHERE target_account_id = $1`,
		[]any{targetID}, "id", page, scanFollow)
	if err != nil {
		return nil, fmt.Errorf("postgres: list followers of %d: %w", targetID, err)
	}
	return out, nil
}

// ListFollowing lists follows by account_id inside page, newest (highest
// follows.id) first.
func (s *Store) ListFollowing(ctx context.Context, accountID int64, page store.Page) ([]*store.Follow, error) {
	out, err := listPage(ctx, s, `SELECT `+followColumns+` FROM follows WHERE account_id = $1`,
		[]any{accountID}, "id", page, scanFollow)
	if err != nil {
		return nil, fmt.Errorf("postgres: list following of %d: %w", accountID, err)
	}
	return out, nil
}
