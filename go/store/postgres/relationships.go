package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/starling-social/starling/go/store"
)

// idArray never binds NULL: "x <> ALL(NULL)" is NULL, which would filter
// out every row, where an empty list must exclude nothing.
func idArray(ids []int64) []int64 {
	if ids == nil {
		return []int64{}
	}
	return ids
}

// ---- blocks

const blockColumns = `id, account_id, target_account_id, created_at`

func scanBlock(row pgx.CollectableRow) (*store.Block, error) {
	var b store.Block
	if err := row.Scan(&b.ID, &b.AccountID, &b.TargetAccountID, &b.CreatedAt); err != nil {
		return nil, err
	}
	b.CreatedAt = b.CreatedAt.UTC()
	return &b, nil
}

// PutBlock inserts b and, in the same transaction, deletes the follows
// between the two accounts both ways (decrementing the counts of each one
// deleted), the follow requests both ways and each account from the
// other's lists; ErrConflict if the block (or its ID) exists, with nothing
// changed. Both accounts are row-locked first,
// in ID order, as PutFollow does, so a block and a follow between the same
// accounts run one after the other.
func (s *Store) PutBlock(ctx context.Context, b *store.Block) error {
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		exist, err := lockAccounts(ctx, tx, b.AccountID, b.TargetAccountID)
		if err != nil {
			return fmt.Errorf("lock accounts: %w", err)
		}
		if !exist {
			return errMissingAccount
		}
		if _, err := tx.Exec(ctx, `INSERT INTO blocks (`+blockColumns+`) VALUES ($1, $2, $3, $4)`,
			b.ID, b.AccountID, b.TargetAccountID, toDB(b.CreatedAt)); err != nil {
			return err
		}
		for _, e := range [][2]int64{{b.AccountID, b.TargetAccountID}, {b.TargetAccountID, b.AccountID}} {
			tag, err := tx.Exec(ctx,
				`DELETE FROM follows WHERE account_id = $1 AND target_account_id = $2`, e[0], e[1])
			if err != nil {
				return err
			}
			if tag.RowsAffected() > 0 {
				if err := bumpFollowCounts(ctx, tx, e[0], e[1], -1); err != nil {
					return err
				}
			}
			if err := removeFromLists(ctx, tx, e[0], e[1]); err != nil {
				return err
			}
		}
		_, err = tx.Exec(ctx, `
			DELETE FROM follow_requests
			WHERE (account_id = $1 AND target_account_id = $2) OR (account_id = $2 AND target_account_id = $1)`,
			b.AccountID, b.TargetAccountID)
		return err
	})
	if err != nil {
		return fmt.Errorf("postgres: put block %d -> %d: %w", b.AccountID, b.TargetAccountID, translate(err))
	}
	return nil
}

// GetBlock matches (blocks.account_id, blocks.target_account_id).
func (s *Store) GetBlock(ctx context.Context, accountID, targetID int64) (*store.Block, error) {
	rows, _ := s.pool.Query(ctx,
		`SELECT `+blockColumns+` FROM blocks WHERE account_id = $1 AND target_account_id = $2`, accountID, targetID)
	b, err := pgx.CollectExactlyOneRow(rows, scanBlock)
	if err != nil {
		return nil, fmt.Errorf("postgres: get block %d -> %d: %w", accountID, targetID, translate(err))
	}
	return b, nil
}

// DeleteBlock deletes the edge; ErrNotFound if there is none.
func (s *Store) DeleteBlock(ctx context.Context, accountID, targetID int64) error {
	tag, err := s.pool.Exec(ctx, `DELETE FROM blocks WHERE account_id = $1 AND target_account_id = $2`, accountID, targetID)
	if err == nil && tag.RowsAffected() == 0 {
		err = pgx.ErrNoRows
	}
	if err != nil {
		return fmt.Errorf("postgres: delete block %d -> %d: %w", accountID, targetID, translate(err))
	}
	return nil
}

// ListBlocks lists blocks by account_id inside page, newest (highest id) first.
func (s *Store) ListBlocks(ctx context.Context, accountID int64, page store.Page) ([]*store.Block, error) {
	out, err := listPage(ctx, s, `SELECT `+blockColumns+` FROM blocks WHERE account_id = $1`,
		[]any{accountID}, "id", page, scanBlock)
	if err != nil {
		return nil, fmt.Errorf("postgres: list blocks of %d: %w", accountID, err)
	}
	return out, nil
}

// GetBlockedAndBlockingIDs lists blocks.target_account_id where account_id
// matches and blocks.account_id where target_account_id matches, ascending,
// without duplicates.
func (s *Store) GetBlockedAndBlockingIDs(ctx context.Context, accountID int64) ([]int64, error) {
	rows, _ := s.pool.Query(ctx, `
		SELECT target_account_id FROM blocks WHERE account_id = $1
		UNION
		SELECT account_id FROM blocks WHERE target_account_id = $1
		ORDER BY 1`, accountID)
	ids, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		return nil, fmt.Errorf("postgres: get blocked and blocking ids of %d: %w", accountID, translate(err))
	}
	return ids, nil
}

// ---- mutes

const muteColumns = `id, account_id, target_account_id, notifications, expires_at, created_at`

func scanMute(row pgx.CollectableRow) (*store.Mute, error) {
	var m store.Mute
	if err := row.Scan(&m.ID, &m.AccountID, &m.TargetAccountID, &m.Notifications, &m.ExpiresAt, &m.CreatedAt); err != nil {
		return nil, err
	}
	if m.ExpiresAt != nil {
		t := m.ExpiresAt.UTC()
		m.ExpiresAt = &t
	}
	m.CreatedAt = m.CreatedAt.UTC()
	return &m, nil
}

func nullTime(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	v := toDB(*t)
	return &v
}

// PutMute inserts m, or updates notifications and expires_at of the mute
// matching (account_id, target_account_id), keeping its id and created_at.
func (s *Store) PutMute(ctx context.Context, m *store.Mute) error {
	_, err := s.pool.Exec(ctx, `
		INSERT INTO mutes (`+muteColumns+`) VALUES ($1, $2, $3, $4, $5, $6)
		ON CONFLICT (account_id, target_account_id) DO UPDATE
		SET notifications = excluded.notifications, expires_at = excluded.expires_at`,
		m.ID, m.AccountID, m.TargetAccountID, m.Notifications, nullTime(m.ExpiresAt), toDB(m.CreatedAt))
	if err != nil {
		return fmt.Errorf("postgres: put mute %d -> %d: %w", m.AccountID, m.TargetAccountID, translate(err))
	}
	return nil
}

// GetMute matches (mutes.account_id, mutes.target_account_id) among mutes
// with expires_at NULL or after now.
func (s *Store) GetMute(ctx context.Context, accountID, targetID int64, now time.Time) (*store.Mute, error) {
	rows, _ := s.pool.Query(ctx, `
		SELECT `+muteColumns+` FROM mutes
		WHERE account_id = $1 AND target_account_id = $2 AND (expires_at IS NULL OR expires_at > $3)`,
		accountID, targetID, toDB(now))
	m, err := pgx.CollectExactlyOneRow(rows, scanMute)
	if err != nil {
		return nil, fmt.Errorf("postgres: get mute %d -> %d: %w", accountID, targetID, translate(err))
	}
	return m, nil
}

// DeleteMute deletes the edge, expired or not; ErrNotFound if there is none.
func (s *Store) DeleteMute(ctx context.Context, accountID, targetID int64) error {
	tag, err := s.pool.Exec(ctx, `DELETE FROM mutes WHERE account_id = $1 AND target_account_id = $2`, accountID, targetID)
	if err == nil && tag.RowsAffected() == 0 {
		err = pgx.ErrNoRows
	}
	if err != nil {
		return fmt.Errorf("postgres: delete mute %d -> %d: %w", accountID, targetID, translate(err))
	}
	return nil
}

// ListMutes lists mutes by account_id unexpired at now inside page, newest
// (highest id) first.
func (s *Store) ListMutes(ctx context.Context, accountID int64, now time.Time, page store.Page) ([]*store.Mute, error) {
	out, err := listPage(ctx, s, `SELECT `+muteColumns+` FROM mutes
		WHERE account_id = $1 AND (expires_at IS NULL OR expires_at > $2)`,
		[]any{accountID, toDB(now)}, "id", page, scanMute)
	if err != nil {
		return nil, fmt.Errorf("postgres: list mutes of %d: %w", accountID, err)
	}
	return out, nil
}

// GetMutedIDs lists mutes.target_account_id by account_id, unexpired at now,
// ascending.
func (s *Store) GetMutedIDs(ctx context.Context, accountID int64, now time.Time) ([]int64, error) {
	rows, _ := s.pool.Query(ctx, `
		SELECT target_account_id FROM mutes
		WHERE account_id = $1 AND (expires_at IS NULL OR expires_at > $2)
		ORDER BY target_account_id`, accountID, toDB(now))
	ids, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		return nil, fmt.Errorf("postgres: get muted ids of %d: %w", accountID, translate(err))
	}
	return ids, nil
}

// GetNotificationMutedIDs lists mutes.target_account_id by account_id,
// unexpired at now and with notifications set, ascending.
func (s *Store) GetNotificationMutedIDs(ctx context.Context, accountID int64, now time.Time) ([]int64, error) {
	rows, _ := s.pool.Query(ctx, `
		SELECT target_account_id FROM mutes
		WHERE account_id = $1 AND notifications AND (expires_at IS NULL OR expires_at > $2)
		ORDER BY target_account_id`, accountID, toDB(now))
	ids, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		return nil, fmt.Errorf("postgres: get notification muted ids of %d: %w", accountID, translate(err))
	}
	return ids, nil
}

// ---- follow requests

const followRequestColumns = `id, account_id, target_account_id, show_reblogs, notify, created_at`

func scanFollowRequest(row pgx.CollectableRow) (*store.FollowRequest, error) {
	var fr store.FollowRequest
	if err := row.Scan(&fr.ID, &fr.AccountID, &fr.TargetAccountID, &fr.ShowReblogs, &fr.Notify, &fr.CreatedAt); err != nil {
		return nil, err
	}
	fr.CreatedAt = fr.CreatedAt.UTC()
	return &fr, nil
}

// PutFollowRequest inserts fr; ErrConflict if the pair (or the ID) exists,
// ErrBlocked if a block either way exists. Both accounts are locked first,
// as PutFollow and PutBlock lock them, so a request racing a block either
// commits first (and the block deletes it) or sees the block.
func (s *Store) PutFollowRequest(ctx context.Context, fr *store.FollowRequest) error {
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		exist, err := lockAccounts(ctx, tx, fr.AccountID, fr.TargetAccountID)
		if err != nil {
			return fmt.Errorf("lock accounts: %w", err)
		}
		if !exist {
			return errMissingAccount
		}
		if err := checkNotBlocked(ctx, tx, fr.AccountID, fr.TargetAccountID); err != nil {
			return err
		}
		_, err = tx.Exec(ctx, `
			INSERT INTO follow_requests (`+followRequestColumns+`) VALUES ($1, $2, $3, $4, $5, $6)`,
			fr.ID, fr.AccountID, fr.TargetAccountID, fr.ShowReblogs, fr.Notify, toDB(fr.CreatedAt))
		return err
	})
	if err != nil {
		return fmt.Errorf("postgres: put follow request %d -> %d: %w", fr.AccountID, fr.TargetAccountID, translate(err))
	}
	return nil
}

// GetFollowRequest matches (follow_requests.account_id, target_account_id).
func (s *Store) GetFollowRequest(ctx context.Context, accountID, targetID int64) (*store.FollowRequest, error) {
	rows, _ := s.pool.Query(ctx,
		`SELECT `+followRequestColumns+` FROM follow_requests WHERE account_id = $1 AND target_account_id = $2`,
		accountID, targetID)
	fr, err := pgx.CollectExactlyOneRow(rows, scanFollowRequest)
	if err != nil {
		return nil, fmt.Errorf("postgres: get follow request %d -> %d: %w", accountID, targetID, translate(err))
	}
	return fr, nil
}

// DeleteFollowRequest deletes the request; ErrNotFound if there is none.
func (s *Store) DeleteFollowRequest(ctx context.Context, accountID, targetID int64) error {
	tag, err := s.pool.Exec(ctx,
		`DELETE FROM follow_requests WHERE account_id = $1 AND target_account_id = $2`, accountID, targetID)
	if err == nil && tag.RowsAffected() == 0 {
		err = pgx.ErrNoRows
	}
	if err != nil {
		return fmt.Errorf("postgres: delete follow request %d -> %d: %w", accountID, targetID, translate(err))
	}
	return nil
}

// CountFollowRequests counts follow_requests by target_account_id.
func (s *Store) CountFollowRequests(ctx context.Context, targetID int64) (int64, error) {
	var n int64
	if err := s.pool.QueryRow(ctx,
		`SELECT count(*) FROM follow_requests WHERE target_account_id = $1`, targetID).Scan(&n); err != nil {
		return 0, fmt.Errorf("postgres: count follow requests to %d: %w", targetID, translate(err))
	}
	return n, nil
}

// ListFollowRequests lists follow_requests by target_account_id inside page,
// newest (highest id) first.
func (s *Store) ListFollowRequests(ctx context.Context, targetID int64, page store.Page) ([]*store.FollowRequest, error) {
	out, err := listPage(ctx, s, `SELECT `+followRequestColumns+` FROM follow_requests WHERE target_account_id = $1`,
		[]any{targetID}, "id", page, scanFollowRequest)
	if err != nil {
		return nil, fmt.Errorf("postgres: list follow requests to %d: %w", targetID, err)
	}
	return out, nil
}

// AuthorizeFollowRequest deletes the request and inserts the follow with its
// options, bumping both counts, in one transaction (accounts locked first,
// as PutFollow does); ErrNotFound if there is no request, else ErrBlocked,
// with nothing changed, if a block either way exists.
func (s *Store) AuthorizeFollowRequest(ctx context.Context, accountID, targetID, followID int64, createdAt time.Time) (*store.Follow, error) {
	f := &store.Follow{ID: followID, AccountID: accountID, TargetAccountID: targetID, CreatedAt: toDB(createdAt)}
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		if _, err := lockAccounts(ctx, tx, accountID, targetID); err != nil {
			return fmt.Errorf("lock accounts: %w", err)
		}
		if err := tx.QueryRow(ctx, `
			DELETE FROM follow_requests WHERE account_id = $1 AND target_account_id = $2
			RETURNING show_reblogs, notify`, accountID, targetID).Scan(&f.ShowReblogs, &f.Notify); err != nil {
			return err
		}
		if err := checkNotBlocked(ctx, tx, accountID, targetID); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `INSERT INTO follows (`+followColumns+`) VALUES ($1, $2, $3, $4, $5, $6)`,
			f.ID, f.AccountID, f.TargetAccountID, f.ShowReblogs, f.Notify, f.CreatedAt); err != nil {
			return err
		}
		return bumpFollowCounts(ctx, tx, accountID, targetID, +1)
	})
	if err != nil {
		return nil, fmt.Errorf("postgres: authorize follow request %d -> %d: %w", accountID, targetID, translate(err))
	}
	return f, nil
}

// ---- relations

// GetRelations runs four queries (follows, blocks, mutes, follow requests),
// each over both directions and every target at once, and folds the rows
// with store.FoldRelations.
func (s *Store) GetRelations(ctx context.Context, accountID int64, targetIDs []int64, now time.Time) ([]*store.Relation, error) {
	out, err := s.getRelations(ctx, accountID, targetIDs, now)
	if err != nil {
		return nil, fmt.Errorf("postgres: get relations of %d with %d accounts: %w", accountID, len(targetIDs), translate(err))
	}
	return out, nil
}

func (s *Store) getRelations(ctx context.Context, accountID int64, targetIDs []int64, now time.Time) ([]*store.Relation, error) {
	if len(targetIDs) == 0 {
		return nil, nil
	}
	// both selects a table's rows between $1 and the accounts in $2, either way.
	both := func(table, cols string) string {
		return `SELECT ` + cols + ` FROM ` + table + `
			WHERE (account_id = $1 AND target_account_id = ANY($2))
			   OR (target_account_id = $1 AND account_id = ANY($2))`
	}
	var (
		e   store.RelationEdges
		err error
	)
	rows, _ := s.pool.Query(ctx, both("follows", followColumns), accountID, targetIDs)
	if e.Follows, err = pgx.CollectRows(rows, scanFollow); err != nil {
		return nil, err
	}
	rows, _ = s.pool.Query(ctx, both("blocks", blockColumns), accountID, targetIDs)
	if e.Blocks, err = pgx.CollectRows(rows, scanBlock); err != nil {
		return nil, err
	}
	rows, _ = s.pool.Query(ctx, `SELECT `+muteColumns+` FROM mutes
		WHERE account_id = $1 AND target_account_id = ANY($2) AND (expires_at IS NULL OR expires_at > $3)`,
		accountID, targetIDs, toDB(now))
	if e.Mutes, err = pgx.CollectRows(rows, scanMute); err != nil {
		return nil, err
	}
	rows, _ = s.pool.Query(ctx, both("follow_requests", followRequestColumns), accountID, targetIDs)
	if e.Requests, err = pgx.CollectRows(rows, scanFollowRequest); err != nil {
		return nil, err
	}
	return store.FoldRelations(accountID, targetIDs, e), nil
}

// ---- suggestions

func scanAccountCount(row pgx.CollectableRow) (c store.AccountCount, err error) {
	err = row.Scan(&c.AccountID, &c.Count)
	return c, err
}

// ListFriendsOfFriends counts, for each discoverable account followed by
// one of accountID's followees, how many of them follow it.
func (s *Store) ListFriendsOfFriends(ctx context.Context, accountID int64, excludeIDs []int64, limit int) ([]store.AccountCount, error) {
	if limit <= 0 {
		return nil, fmt.Errorf("postgres: list friends of friends of %d: limit %d, want > 0", accountID, limit)
	}
	rows, _ := s.pool.Query(ctx, `
		SELECT f2.target_account_id, count(*) AS n
		FROM follows f1
		JOIN follows f2 ON f2.account_id = f1.target_account_id
		JOIN accounts a ON a.id = f2.target_account_id
		WHERE f1.account_id = $1 AND f2.target_account_id <> $1 AND a.discoverable AND a.suspended_at IS NULL AND a.silenced_at IS NULL
		  AND NOT EXISTS (SELECT 1 FROM follows f3 WHERE f3.account_id = $1 AND f3.target_account_id = f2.target_account_id)
		  AND f2.target_account_id <> ALL($2)
		GROUP BY f2.target_account_id
		ORDER BY n DESC, f2.target_account_id
		LIMIT $3`, accountID, idArray(excludeIDs), limit)
	out, err := pgx.CollectRows(rows, scanAccountCount)
	if err != nil {
		return nil, fmt.Errorf("postgres: list friends of friends of %d: %w", accountID, translate(err))
	}
	return out, nil
}

// ListMostFollowed ranks discoverable accounts by followers_count, then id.
func (s *Store) ListMostFollowed(ctx context.Context, excludeIDs []int64, limit int) ([]store.AccountCount, error) {
	if limit <= 0 {
		return nil, fmt.Errorf("postgres: list most followed: limit %d, want > 0", limit)
	}
	rows, _ := s.pool.Query(ctx, `
		SELECT id, followers_count FROM accounts
		WHERE discoverable AND suspended_at IS NULL AND silenced_at IS NULL AND id <> ALL($1)
		ORDER BY followers_count DESC, id
		LIMIT $2`, idArray(excludeIDs), limit)
	out, err := pgx.CollectRows(rows, scanAccountCount)
	if err != nil {
		return nil, fmt.Errorf("postgres: list most followed: %w", translate(err))
	}
	return out, nil
}

// PutSuggestionDismissal inserts the pair, ignoring one already there.
func (s *Store) PutSuggestionDismissal(ctx context.Context, accountID, targetID int64, createdAt time.Time) error {
	_, err := s.pool.Exec(ctx, `
		INSERT INTO suggestion_dismissals (account_id, target_account_id, created_at) VALUES ($1, $2, $3)
		ON CONFLICT DO NOTHING`, accountID, targetID, toDB(createdAt))
	if err != nil {
		return fmt.Errorf("postgres: put suggestion dismissal %d -> %d: %w", accountID, targetID, translate(err))
	}
	return nil
}

// GetDismissedSuggestionIDs lists suggestion_dismissals.target_account_id by
// account_id, ascending.
func (s *Store) GetDismissedSuggestionIDs(ctx context.Context, accountID int64) ([]int64, error) {
	rows, _ := s.pool.Query(ctx, `
		SELECT target_account_id FROM suggestion_dismissals WHERE account_id = $1 ORDER BY target_account_id`, accountID)
	ids, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		return nil, fmt.Errorf("postgres: get dismissed suggestions of %d: %w", accountID, translate(err))
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
		SELECT 0, target_account_id FROM follows WHERE account_id = $1
		UNION ALL SELECT 1, target_account_id FROM blocks WHERE account_id = $1
		UNION ALL SELECT 1, account_id FROM blocks WHERE target_account_id = $1
		UNION ALL SELECT CASE WHEN notifications THEN 3 ELSE 2 END, target_account_id FROM mutes
			WHERE account_id = $1 AND (expires_at IS NULL OR expires_at > $2)
		UNION ALL `+moderatedRelations, []any{accountID, toDB(now)}
	}
	rows, _ := s.pool.Query(ctx, query, args...)
	var r store.ViewerRelations
	var kind int
	var id int64
	_, err := pgx.ForEachRow(rows, []any{&kind, &id}, func() error { return r.AddViewerRelation(kind, id) })
	if err != nil {
		return nil, fmt.Errorf("postgres: get viewer relations of %d: %w", accountID, translate(err))
	}
	r.Normalize()
	return &r, nil
}
