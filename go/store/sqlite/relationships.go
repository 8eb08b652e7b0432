package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/starling-social/starling/go/store"
)

func scanID(row scanner) (id int64, err error) {
	err = row.Scan(&id)
	return id, err
}

// idList is jsonArray for an ID list that may be nil ("[]", never "null").
func idList(ids []int64) (string, error) {
	if ids == nil {
		ids = []int64{}
	}
	return jsonArray(ids)
}

// ---- blocks

const blockColumns = `id, account_id, target_account_id, created_at`

func scanBlock(row scanner) (*store.Block, error) {
	var (
		b         store.Block
		createdAt int64
	)
	if err := row.Scan(&b.ID, &b.AccountID, &b.TargetAccountID, &createdAt); err != nil {
		return nil, err
	}
	b.CreatedAt = fromDB(createdAt)
	return &b, nil
}

// PutBlock inserts b and, in the same transaction, deletes the follows
// between the two accounts both ways (decrementing the counts of each one
// deleted), the follow requests both ways and each account from the
// other's lists; ErrConflict if the block (or its ID) exists, with nothing
// changed.
func (s *Store) PutBlock(ctx context.Context, b *store.Block) error {
	err := s.withTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `
			INSERT INTO blocks (`+blockColumns+`) VALUES (?, ?, ?, ?)`,
			b.ID, b.AccountID, b.TargetAccountID, toDB(b.CreatedAt)); err != nil {
			return err
		}
		for _, e := range [][2]int64{{b.AccountID, b.TargetAccountID}, {b.TargetAccountID, b.AccountID}} {
			res, err := tx.ExecContext(ctx,
				`DELETE FROM follows WHERE account_id = ? AND target_account_id = ?`, e[0], e[1])
			if err != nil {
				return err
			}
			if n, err := res.RowsAffected(); err != nil {
				return err
			} else if n > 0 {
				if err := bumpFollowCounts(ctx, tx, e[0], e[1], -1); err != nil {
					return err
				}
			}
			if err := removeFromLists(ctx, tx, e[0], e[1]); err != nil {
				return err
			}
		}
		_, err := tx.ExecContext(ctx, `
			DELETE FROM follow_requests
			WHERE (account_id = ?1 AND target_account_id = ?2) OR (account_id = ?2 AND target_account_id = ?1)`,
			b.AccountID, b.TargetAccountID)
		return err
	})
	if err != nil {
		return fmt.Errorf("sqlite: put block %d -> %d: %w", b.AccountID, b.TargetAccountID, translate(err))
	}
	return nil
}

// GetBlock matches (blocks.account_id, blocks.target_account_id).
func (s *Store) GetBlock(ctx context.Context, accountID, targetID int64) (*store.Block, error) {
	b, err := scanBlock(s.r.QueryRowContext(ctx,
		`SELECT `+blockColumns+` FROM blocks WHERE account_id = ? AND target_account_id = ?`, accountID, targetID))
	if err != nil {
		return nil, fmt.Errorf("sqlite: get block %d -> %d: %w", accountID, targetID, translate(err))
	}
	return b, nil
}

// DeleteBlock deletes the edge; ErrNotFound if there is none.
func (s *Store) DeleteBlock(ctx context.Context, accountID, targetID int64) error {
	res, err := s.w.ExecContext(ctx,
		`DELETE FROM blocks WHERE account_id = ? AND target_account_id = ?`, accountID, targetID)
	if err == nil {
		err = mustAffect(res)
	}
	if err != nil {
		return fmt.Errorf("sqlite: delete block %d -> %d: %w", accountID, targetID, translate(err))
	}
	return nil
}

// ListBlocks lists blocks by account_id inside page, newest (highest id) first.
func (s *Store) ListBlocks(ctx context.Context, accountID int64, page store.Page) ([]*store.Block, error) {
	out, err := listPage(ctx, s, `SELECT `+blockColumns+` FROM blocks WHERE account_id = ?`,
		[]any{accountID}, "id", page, scanBlock)
	if err != nil {
		return nil, fmt.Errorf("sqlite: list blocks of %d: %w", accountID, err)
	}
	return out, nil
}

// GetBlockedAndBlockingIDs lists blocks.target_account_id where account_id
// matches and blocks.account_id where target_account_id matches, ascending,
// without duplicates.
func (s *Store) GetBlockedAndBlockingIDs(ctx context.Context, accountID int64) ([]int64, error) {
	rows, err := s.r.QueryContext(ctx, `
		SELECT target_account_id FROM blocks WHERE account_id = ?1
		UNION
		SELECT account_id FROM blocks WHERE target_account_id = ?1
		ORDER BY 1`, accountID)
	if err != nil {
		return nil, fmt.Errorf("sqlite: get blocked and blocking ids of %d: %w", accountID, translate(err))
	}
	ids, err := collect(rows, scanID)
	if err != nil {
		return nil, fmt.Errorf("sqlite: get blocked and blocking ids of %d: %w", accountID, translate(err))
	}
	return ids, nil
}

// ---- mutes

const muteColumns = `id, account_id, target_account_id, notifications, expires_at, created_at`

// unexpired is the condition a mute row must meet at the time bound to ?.
const unexpired = `(expires_at IS NULL OR expires_at > ?)`

func scanMute(row scanner) (*store.Mute, error) {
	var (
		m         store.Mute
		expiresAt sql.NullInt64
		createdAt int64
	)
	if err := row.Scan(&m.ID, &m.AccountID, &m.TargetAccountID, &m.Notifications, &expiresAt, &createdAt); err != nil {
		return nil, err
	}
	if expiresAt.Valid {
		t := fromDB(expiresAt.Int64)
		m.ExpiresAt = &t
	}
	m.CreatedAt = fromDB(createdAt)
	return &m, nil
}

func nullTime(t *time.Time) any {
	if t == nil {
		return nil
	}
	return toDB(*t)
}

// PutMute inserts m, or updates notifications and expires_at of the mute
// matching (account_id, target_account_id), keeping its id and created_at.
func (s *Store) PutMute(ctx context.Context, m *store.Mute) error {
	_, err := s.w.ExecContext(ctx, `
		INSERT INTO mutes (`+muteColumns+`) VALUES (?, ?, ?, ?, ?, ?)
		ON CONFLICT (account_id, target_account_id) DO UPDATE
		SET notifications = excluded.notifications, expires_at = excluded.expires_at`,
		m.ID, m.AccountID, m.TargetAccountID, m.Notifications, nullTime(m.ExpiresAt), toDB(m.CreatedAt))
	if err != nil {
		return fmt.Errorf("sqlite: put mute %d -> %d: %w", m.AccountID, m.TargetAccountID, translate(err))
	}
	return nil
}

// GetMute matches (mutes.account_id, mutes.target_account_id) among mutes
// with expires_at NULL or after now.
func (s *Store) GetMute(ctx context.Context, accountID, targetID int64, now time.Time) (*store.Mute, error) {
	m, err := scanMute(s.r.QueryRowContext(ctx,
		`SELECT `+muteColumns+` FROM mutes WHERE account_id = ? AND target_account_id = ? AND `+unexpired,
		accountID, targetID, toDB(now)))
	if err != nil {
		return nil, fmt.Errorf("sqlite: get mute %d -> %d: %w", accountID, targetID, translate(err))
	}
	return m, nil
}

// DeleteMute deletes the edge, expired or not; ErrNotFound if there is none.
func (s *Store) DeleteMute(ctx context.Context, accountID, targetID int64) error {
	res, err := s.w.ExecContext(ctx,
		`DELETE FROM mutes WHERE account_id = ? AND target_account_id = ?`, accountID, targetID)
	if err == nil {
		err = mustAffect(res)
	}
	if err != nil {
		return fmt.Errorf("sqlite: delete mute %d -> %d: %w", accountID, targetID, translate(err))
	}
	return nil
}

// ListMutes lists mutes by account_id unexpired at now inside page, newest
// (highest id) first.
func (s *Store) ListMutes(ctx context.Context, accountID int64, now time.Time, page store.Page) ([]*store.Mute, error) {
	out, err := listPage(ctx, s, `SELECT `+muteColumns+` FROM mutes WHERE account_id = ? AND `+unexpired,
		[]any{accountID, toDB(now)}, "id", page, scanMute)
	if err != nil {
		return nil, fmt.Errorf("sqlite: list mutes of %d: %w", accountID, err)
	}
	return out, nil
}

// GetMutedIDs lists mutes.target_account_id by account_id, unexpired at now,
// ascending.
func (s *Store) GetMutedIDs(ctx context.Context, accountID int64, now time.Time) ([]int64, error) {
	rows, err := s.r.QueryContext(ctx, `
		SELECT target_account_id FROM mutes WHERE account_id = ? AND `+unexpired+`
		ORDER BY target_account_id`, accountID, toDB(now))
	if err != nil {
		return nil, fmt.Errorf("sqlite: get muted ids of %d: %w", accountID, translate(err))
	}
	ids, err := collect(rows, scanID)
	if err != nil {
		return nil, fmt.Errorf("sqlite: get muted ids of %d: %w", accountID, translate(err))
	}
	return ids, nil
}

// GetNotificationMutedIDs lists mutes.target_account_id by account_id,
// unexpired at now and with notifications set, ascending.
func (s *Store) GetNotificationMutedIDs(ctx context.Context, accountID int64, now time.Time) ([]int64, error) {
	rows, err := s.r.QueryContext(ctx, `
		SELECT target_account_id FROM mutes WHERE account_id = ? AND notifications AND `+unexpired+`
		ORDER BY target_account_id`, accountID, toDB(now))
	if err != nil {
		return nil, fmt.Errorf("sqlite: get notification muted ids of %d: %w", accountID, translate(err))
	}
	ids, err := collect(rows, scanID)
	if err != nil {
		return nil, fmt.Errorf("sqlite: get notification muted ids of %d: %w", accountID, translate(err))
	}
	return ids, nil
}

// ---- follow requests

const followRequestColumns = `id, account_id, target_account_id, show_reblogs, notify, created_at`

func scanFollowRequest(row scanner) (*store.FollowRequest, error) {
	var (
		fr        store.FollowRequest
		createdAt int64
	)
	if err := row.Scan(&fr.ID, &fr.AccountID, &fr.TargetAccountID, &fr.ShowReblogs, &fr.Notify, &createdAt); err != nil {
		return nil, err
	}
	fr.CreatedAt = fromDB(createdAt)
	return &fr, nil
}

// PutFollowRequest inserts fr; ErrConflict if the pair (or the ID) exists,
// ErrBlocked if a block either way exists (checked in the insert's
// transaction, as PutFollow does).
func (s *Store) PutFollowRequest(ctx context.Context, fr *store.FollowRequest) error {
	err := s.withTx(ctx, func(tx *sql.Tx) error {
		if err := checkNotBlocked(ctx, tx, fr.AccountID, fr.TargetAccountID); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `
			INSERT INTO follow_requests (`+followRequestColumns+`) VALUES (?, ?, ?, ?, ?, ?)`,
			fr.ID, fr.AccountID, fr.TargetAccountID, fr.ShowReblogs, fr.Notify, toDB(fr.CreatedAt))
		return err
	})
	if err != nil {
		return fmt.Errorf("sqlite: put follow request %d -> %d: %w", fr.AccountID, fr.TargetAccountID, translate(err))
	}
	return nil
}

// GetFollowRequest matches (follow_requests.account_id, target_account_id).
func (s *Store) GetFollowRequest(ctx context.Context, accountID, targetID int64) (*store.FollowRequest, error) {
	fr, err := scanFollowRequest(s.r.QueryRowContext(ctx,
		`SELECT `+followRequestColumns+` FROM follow_requests WHERE account_id = ? AND target_account_id = ?`,
		accountID, targetID))
	if err != nil {
		return nil, fmt.Errorf("sqlite: get follow request %d -> %d: %w", accountID, targetID, translate(err))
	}
	return fr, nil
}

// DeleteFollowRequest deletes the request; ErrNotFound if there is none.
func (s *Store) DeleteFollowRequest(ctx context.Context, accountID, targetID int64) error {
	res, err := s.w.ExecContext(ctx,
		`DELETE FROM follow_requests WHERE account_id = ? AND target_account_id = ?`, accountID, targetID)
	if err == nil {
		err = mustAffect(res)
	}
	if err != nil {
		return fmt.Errorf("sqlite: delete follow request %d -> %d: %w", accountID, targetID, translate(err))
	}
	return nil
}

// CountFollowRequests counts follow_requests by target_account_id.
func (s *Store) CountFollowRequests(ctx context.Context, targetID int64) (int64, error) {
	var n int64
	if err := s.r.QueryRowContext(ctx,
		`SELECT count(*) FROM follow_requests WHERE target_account_id = ?`, targetID).Scan(&n); err != nil {
		return 0, fmt.Errorf("sqlite: count follow requests to %d: %w", targetID, translate(err))
	}
	return n, nil
}

// ListFollowRequests lists follow_requests by target_account_id inside page,
// newest (highest id) first.
func (s *Store) ListFollowRequests(ctx context.Context, targetID int64, page store.Page) ([]*store.FollowRequest, error) {
	out, err := listPage(ctx, s, `SELECT `+followRequestColumns+` FROM follow_requests WHERE target_account_id = ?`,
		[]any{targetID}, "id", page, scanFollowRequest)
	if err != nil {
		return nil, fmt.Errorf("sqlite: list follow requests to %d: %w", targetID, err)
	}
	return out, nil
}

// AuthorizeFollowRequest deletes the request and inserts the follow with its
// options, bumping both counts, in one transaction; ErrNotFound if there
// is no request, else ErrBlocked, with nothing changed, if a block either
// way exists.
func (s *Store) AuthorizeFollowRequest(ctx context.Context, accountID, targetID, followID int64, createdAt time.Time) (*store.Follow, error) {
	f := &store.Follow{ID: followID, AccountID: accountID, TargetAccountID: targetID, CreatedAt: createdAt}
	err := s.withTx(ctx, func(tx *sql.Tx) error {
		if err := tx.QueryRowContext(ctx, `
			DELETE FROM follow_requests WHERE account_id = ? AND target_account_id = ?
			RETURNING show_reblogs, notify`, accountID, targetID).Scan(&f.ShowReblogs, &f.Notify); err != nil {
			return err
		}
		if err := checkNotBlocked(ctx, tx, accountID, targetID); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `
			INSERT INTO follows (`+followColumns+`) VALUES (?, ?, ?, ?, ?, ?)`,
			f.ID, f.AccountID, f.TargetAccountID, f.ShowReblogs, f.Notify, toDB(f.CreatedAt)); err != nil {
			return err
		}
		return bumpFollowCounts(ctx, tx, accountID, targetID, +1)
	})
	if err != nil {
		return nil, fmt.Errorf("sqlite: authorize follow request %d -> %d: %w", accountID, targetID, translate(err))
	}
	f.CreatedAt = fromDB(toDB(createdAt))
	return f, nil
}

// ---- relations

// GetRelations runs four queries (follows, blocks, mutes, follow requests),
// each over both directions and every target at once, and folds the rows
// with store.FoldRelations.
func (s *Store) GetRelations(ctx context.Context, accountID int64, targetIDs []int64, now time.Time) ([]*store.Relation, error) {
	out, err := s.getRelations(ctx, accountID, targetIDs, now)
	if err != nil {
		return nil, fmt.Errorf("sqlite: get relations of %d with %d accounts: %w", accountID, len(targetIDs), translate(err))
	}
	return out, nil
}

func (s *Store) getRelations(ctx context.Context, accountID int64, targetIDs []int64, now time.Time) ([]*store.Relation, error) {
	if len(targetIDs) == 0 {
		return nil, nil
	}
	list, err := idList(targetIDs)
	if err != nil {
		return nil, err
	}
	// both selects a table's rows between ?1 and the accounts in ?2, either way.
	both := func(table, cols string) string {
		return `SELECT ` + cols + ` FROM ` + table + `
			WHERE (account_id = ?1 AND target_account_id IN (SELECT value FROM json_each(?2)))
			   OR (target_account_id = ?1 AND account_id IN (SELECT value FROM json_each(?2)))`
	}
	var e store.RelationEdges
	if e.Follows, err = queryAll(ctx, s, both("follows", followColumns), scanFollow, accountID, list); err != nil {
		return nil, err
	}
	if e.Blocks, err = queryAll(ctx, s, both("blocks", blockColumns), scanBlock, accountID, list); err != nil {
		return nil, err
	}
	if e.Mutes, err = queryAll(ctx, s, `SELECT `+muteColumns+` FROM mutes
		WHERE account_id = ?1 AND target_account_id IN (SELECT value FROM json_each(?2))
		AND (expires_at IS NULL OR expires_at > ?3)`, scanMute, accountID, list, toDB(now)); err != nil {
		return nil, err
	}
	if e.Requests, err = queryAll(ctx, s, both("follow_requests", followRequestColumns), scanFollowRequest, accountID, list); err != nil {
		return nil, err
	}
	return store.FoldRelations(accountID, targetIDs, e), nil
}

// ---- suggestions

// ListFriendsOfFriends counts, for each discoverable account followed by
// one of accountID's followees, how many of them follow it.
func (s *Store) ListFriendsOfFriends(ctx context.Context, accountID int64, excludeIDs []int64, limit int) ([]store.AccountCount, error) {
	out, err := s.accountCounts(ctx, `
		SELECT f2.target_account_id, count(*) AS n
		FROM follows f1
		JOIN follows f2 ON f2.account_id = f1.target_account_id
		JOIN accounts a ON a.id = f2.target_account_id
		WHERE f1.account_id = ?1 AND f2.target_account_id <> ?1 AND a.discoverable AND a.suspended_at IS NULL AND a.silenced_at IS NULL
		  AND f2.target_account_id NOT IN (SELECT target_account_id FROM follows WHERE account_id = ?1)
		  AND f2.target_account_id NOT IN (SELECT value FROM json_each(?2))
		GROUP BY f2.target_account_id
		ORDER BY n DESC, f2.target_account_id
		LIMIT ?3`, accountID, excludeIDs, limit)
	if err != nil {
		return nil, fmt.Errorf("sqlite: list friends of friends of %d: %w", accountID, err)
	}
	return out, nil
}

// ListMostFollowed ranks discoverable accounts by followers_count, then id.
func (s *Store) ListMostFollowed(ctx context.Context, excludeIDs []int64, limit int) ([]store.AccountCount, error) {
	out, err := s.accountCounts(ctx, `
		SELECT id, followers_count FROM accounts
		WHERE discoverable AND suspended_at IS NULL AND silenced_at IS NULL AND id NOT IN (SELECT value FROM json_each(?2))
		ORDER BY followers_count DESC, id
		LIMIT ?3`, 0, excludeIDs, limit)
	if err != nil {
		return nil, fmt.Errorf("sqlite: list most followed: %w", err)
	}
	return out, nil
}

// accountCounts runs a ranking query binding ?1 accountID (unused by some
// queries: SQLite leaves a numbered parameter nobody reads alone), ?2 the
// exclusions and ?3 the limit.
func (s *Store) accountCounts(ctx context.Context, query string, accountID int64, excludeIDs []int64, limit int) ([]store.AccountCount, error) {
	if limit <= 0 {
		return nil, fmt.Errorf("limit %d, want > 0", limit)
	}
	list, err := idList(excludeIDs)
	if err != nil {
		return nil, err
	}
	rows, err := s.r.QueryContext(ctx, query, accountID, list, limit)
	if err != nil {
		return nil, translate(err)
	}
	out, err := collect(rows, func(row scanner) (c store.AccountCount, err error) {
		err = row.Scan(&c.AccountID, &c.Count)
		return c, err
	})
	return out, translate(err)
}

// PutSuggestionDismissal inserts the pair, ignoring one already there.
func (s *Store) PutSuggestionDismissal(ctx context.Context, accountID, targetID int64, createdAt time.Time) error {
	_, err := s.w.ExecContext(ctx, `
		INSERT INTO suggestion_dismissals (account_id, target_account_id, created_at) VALUES (?, ?, ?)
		ON CONFLICT DO NOTHING`, accountID, targetID, toDB(createdAt))
	if err != nil {
		return fmt.Errorf("sqlite: put suggestion dismissal %d -> %d: %w", accountID, targetID, translate(err))
	}
	return nil
}

// GetDismissedSuggestionIDs lists suggestion_dismissals.target_account_id by
// account_id, ascending.
func (s *Store) GetDismissedSuggestionIDs(ctx context.Context, accountID int64) ([]int64, error) {
	rows, err := s.r.QueryContext(ctx, `
		SELECT target_account_id FROM suggestion_dismissals WHERE account_id = ? ORDER BY target_account_id`, accountID)
	if err != nil {
		return nil, fmt.Errorf("sqlite: get dismissed suggestions of %d: %w", accountID, translate(err))
	}
	ids, err := collect(rows, scanID)
	if err != nil {
		return nil, fmt.Errorf("sqlite: get dismissed suggestions of %d: %w", accountID, translate(err))
	}
	return ids, nil
}

// moderatedRelations selects the suspended and silenced accounts as
// GetViewerRelations rows, each through its partial index (0101).
const moderatedRelations = `SELECT 4, id FROM accounts WHERE suspended_at IS NOT NULL
		UNION ALL SELECT 5, id FROM accounts WHERE silenced_at IS NOT NULL`

// GetViewerRelations reads the viewer's follows, blocks both ways,
// unexpired mutes and the suspended and silenced accounts (their partial
// indexes, 0101) in one statement, each row tagged with its
// store.Relation kind.
func (s *Store) GetViewerRelations(ctx context.Context, accountID int64, now time.Time) (*store.ViewerRelations, error) {
	query, args := moderatedRelations, []any(nil)
	if accountID != 0 { // an anonymous viewer has no follows, blocks or mutes to read
		query, args = `
		SELECT 0, target_account_id FROM follows WHERE account_id = ?1
		UNION ALL SELECT 1, target_account_id FROM blocks WHERE account_id = ?1
		UNION ALL SELECT 1, account_id FROM blocks WHERE target_account_id = ?1
		UNION ALL SELECT CASE WHEN notifications THEN 3 ELSE 2 END, target_account_id FROM mutes
			WHERE account_id = ?1 AND (expires_at IS NULL OR expires_at > ?2)
		UNION ALL `+moderatedRelations, []any{accountID, toDB(now)}
	}
	rows, err := s.r.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("sqlite: get viewer relations of %d: %w", accountID, translate(err))
	}
	defer rows.Close()
	var r store.ViewerRelations
	for rows.Next() {
		var kind int
		var id int64
		if err := rows.Scan(&kind, &id); err != nil {
			return nil, fmt.Errorf("sqlite: get viewer relations of %d: %w", accountID, translate(err))
		}
		if err := r.AddViewerRelation(kind, id); err != nil {
			return nil, err
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlite: get viewer relations of %d: %w", accountID, translate(err))
	}
	r.Normalize()
	return &r, nil
}
