package sqlite

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/starling-social/starling/go/store"
)

const followColumns = `id, account_id, target_account_id, show_reblogs, notify, created_at`

func scanFollow(row scanner) (*store.Follow, error) {
	var (
		f         store.Follow
		createdAt int64
	)
	if err := row.Scan(&f.ID, &f.AccountID, &f.TargetAccountID, &f.ShowReblogs, &f.Notify, &createdAt); err != nil {
		return nil, err
	}
	f.CreatedAt = fromDB(createdAt)
	return &f, nil
}

// PutFollow inserts f and, in the same transaction, increments the
// follower's following_count and the target's followers_count; ErrConflict
// if the edge (or the ID) exists, ErrBlocked if a block either way exists,
// with the counts unchanged.
func (s *Store) PutFollow(ctx context.Context, f *store.Follow) error {
	err := s.withTx(ctx, func(tx *sql.Tx) error {
		if err := checkNotBlocked(ctx, tx, f.AccountID, f.TargetAccountID); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `
			INSERT INTO follows (`+followColumns+`)
			VALUES (?, ?, ?, ?, ?, ?)`,
			f.ID, f.AccountID, f.TargetAccountID, f.ShowReblogs, f.Notify, toDB(f.CreatedAt)); err != nil {
			return err
		}
		return bumpFollowCounts(ctx, tx, f.AccountID, f.TargetAccountID, +1)
	})
	if err != nil {
		return fmt.Errorf("sqlite: put follow %d -> %d: %w", f.AccountID, f.TargetAccountID, translate(err))
	}
	return nil
}

// checkNotBlocked returns store.ErrBlocked if either account blocks the
// other. The writer is one connection and transactions BEGIN IMMEDIATE, so
// no block can commit between this check and the caller's insert: a follow
// or follow request racing a block either commits first (and PutBlock
// severs it) or sees the block.
func checkNotBlocked(ctx context.Context, tx *sql.Tx, accountID, targetID int64) error {
	var blocked bool
	if err := tx.QueryRowContext(ctx, `
		SELECT EXISTS (SELECT 1 FROM blocks
			WHERE (account_id = ?1 AND target_account_id = ?2) OR (account_id = ?2 AND target_account_id = ?1))`,
		accountID, targetID).Scan(&blocked); err != nil {
		return fmt.Errorf("blocks: %w", err)
	}
	if blocked {
		return store.ErrBlocked
	}
	return nil
}

// bumpFollowCounts adds delta to accountID's following_count and targetID's
// followers_count. Both rows must exist (the follows foreign keys ensure it).
func bumpFollowCounts(ctx context.Context, tx *sql.Tx, accountID, targetID int64, delta int) error {
	res, err := tx.ExecContext(ctx,
		`UPDATE accounts SET following_count = following_count + ? WHERE id = ?`, delta, accountID)
	if err == nil {
		err = mustAffect(res)
	}
	if err != nil {
		return fmt.Errorf("following count of %d: %w", accountID, err)
	}
	res, err = tx.ExecContext(ctx,
		`UPDATE accounts SET followers_count = followers_count + ? WHERE id = ?`, delta, targetID)
	if err == nil {
		err = mustAffect(res)
	}
	if err != nil {
		return fmt.Errorf("followers count of %d: %w", targetID, err)
	}
	return nil
}

// GetFollow matches (follows.account_id, follows.target_account_id).
func (s *Store) GetFollow(ctx context.Context, accountID, targetID int64) (*store.Follow, error) {
	f, err := scanFollow(s.r.QueryRowContext(ctx,
		`SELECT `+followColumns+` FROM follows WHERE account_id = ? AND target_account_id = ?`,
		accountID, targetID))
	if err != nil {
		return nil, fmt.Errorf("sqlite: get follow %d -> %d: %w", accountID, targetID, translate(err))
	}
	return f, nil
}

// DeleteFollow deletes the edge matching (account_id, target_account_id),
// decrements both counts and removes the target from the follower's lists
// in the same transaction; ErrNotFound if there is no such edge, with
// nothing changed.
func (s *Store) DeleteFollow(ctx context.Context, accountID, targetID int64) error {
	err := s.withTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx,
			`DELETE FROM follows WHERE account_id = ? AND target_account_id = ?`, accountID, targetID)
		if err == nil {
			err = mustAffect(res)
		}
		if err != nil {
			return err
		}
		if err := removeFromLists(ctx, tx, accountID, targetID); err != nil {
			return err
		}
		return bumpFollowCounts(ctx, tx, accountID, targetID, -1)
	})
	if err != nil {
		return fmt.Errorf("sqlite: delete follow %d -> %d: %w", accountID, targetID, translate(err))
	}
	return nil
}

// removeFromLists removes targetID from the lists accountID owns: a list
// holds only accounts its owner follows.
func removeFromLists(ctx context.Context, tx *sql.Tx, accountID, targetID int64) error {
	if _, err := tx.ExecContext(ctx, `
		DELETE FROM list_accounts
		WHERE account_id = ? AND list_id IN (SELECT id FROM lists WHERE account_id = ?)`,
		targetID, accountID); err != nil {
		return fmt.Errorf("lists of %d: %w", accountID, err)
	}
	return nil
}

// GetReblogsHiddenIDs lists follows.target_account_id for accountID where
// show_reblogs is off, ascending.
func (s *Store) GetReblogsHiddenIDs(ctx context.Context, accountID int64) ([]int64, error) {
	rows, err := s.r.QueryContext(ctx, `
		SELECT target_account_id FROM follows WHERE account_id = ? AND NOT show_reblogs
		ORDER BY target_account_id`, accountID)
	if err != nil {
		return nil, fmt.Errorf("sqlite: get reblogs hidden ids of %d: %w", accountID, translate(err))
	}
	ids, err := collect(rows, scanID)
	if err != nil {
		return nil, fmt.Errorf("sqlite: get reblogs hidden ids of %d: %w", accountID, translate(err))
	}
	return ids, nil
}

// GetFollowingIDs lists follows.target_account_id for accountID, ascending.
func (s *Store) GetFollowingIDs(ctx context.Context, accountID int64) ([]int64, error) {
	rows, err := s.r.QueryContext(ctx,
		`SELECT target_account_id FROM follows WHERE account_id = ? ORDER BY target_account_id`, accountID)
	if err != nil {
		return nil, fmt.Errorf("sqlite: get following ids of %d: %w", accountID, translate(err))
	}
	ids, err := collect(rows, func(row scanner) (id int64, err error) {
		err = row.Scan(&id)
		return id, err
	})
	if err != nil {
		return nil, fmt.Errorf("sqlite: get following ids of %d: %w", accountID, translate(err))
	}
	return ids, nil
}

// UpdateFollow sets columns (show_reblogs, notify) of the edge matching
// (f.AccountID, f.TargetAccountID) to f's values; ErrNotFound if there is no
// such edge. An unknown column is an error before any write.
func (s *Store) UpdateFollow(ctx context.Context, f *store.Follow, columns ...string) error {
	set, args, err := store.SetClause(store.FollowUpdates(f), columns, nil, placeholder)
	if err == nil && set == "" {
		return nil
	}
	if err == nil {
		var res sql.Result
		res, err = s.w.ExecContext(ctx, `UPDATE follows SET `+set+` WHERE account_id = ? AND target_account_id = ?`,
			append(args, f.AccountID, f.TargetAccountID)...)
		if err == nil {
			err = mustAffect(res)
		}
	}
	if err != nil {
		return fmt.Errorf("sqlite: update follow %d -> %d: %w", f.AccountID, f.TargetAccountID, translate(err))
	}
	return nil
}

// ListFollowers lists follows by target_account_id inside page, newest
// (highest follows.id) first.
func (s *Store) ListFollowers(ctx context.Context, targetID int64, page store.Page) ([]*store.Follow, error) {
	out, err := listPage(ctx, s, `SELECT `+followColumns+` FROM follows WHERE target_account_id = ?`,
		[]any{targetID}, "id", page, scanFollow)
	if err != nil {
		return nil, fmt.Errorf("sqlite: list followers of %d: %w", targetID, err)
	}
	return out, nil
}

// ListFollowing lists follows by account_id inside page, newest (highest
// follows.id) first.
func (s *Store) ListFollowing(ctx context.Context, accountID int64, page store.Page) ([]*store.Follow, error) {
	out, err := listPage(ctx, s, `SELECT `+followColumns+` FROM follows WHERE account_id = ?`,
		[]any{accountID}, "id", page, scanFollow)
	if err != nil {
		return nil, fmt.Errorf("sqlite: list following of %d: %w", accountID, err)
	}
	return out, nil
}
