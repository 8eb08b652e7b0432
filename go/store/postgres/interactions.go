package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/starling-social/starling/go/store"
)

// PutFavourite increments the status's favourites_count first (locking the
// status row, as every count writer does first, and proving it exists),
// then inserts f and n, in one transaction.
func (s *Store) PutFavourite(ctx context.Context, f *store.Favourite, n *store.Notification) error {
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx,
			`UPDATE statuses SET favourites_count = favourites_count + 1 WHERE id = $1`, f.StatusID)
		if err == nil && tag.RowsAffected() == 0 {
			err = pgx.ErrNoRows
		}
		if err != nil {
			return fmt.Errorf("favourites count: %w", err)
		}
		if _, err := tx.Exec(ctx, `
			INSERT INTO favourites (id, account_id, status_id, created_at) VALUES ($1, $2, $3, $4)`,
			f.ID, f.AccountID, f.StatusID, toDB(f.CreatedAt)); err != nil {
			return err
		}
		if n != nil {
			return insertNotification(ctx, tx, n)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("postgres: favourite %d by %d: %w", f.StatusID, f.AccountID, translateFK(err))
	}
	return nil
}

// DeleteFavourite decrements favourites_count, deletes (account_id,
// status_id) and the favourite notification it caused, in one transaction.
func (s *Store) DeleteFavourite(ctx context.Context, accountID, statusID int64) error {
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		// Status row first, as in PutFavourite; undone by the rollback when
		// there was no favourite.
		if _, err := tx.Exec(ctx, `
			UPDATE statuses SET favourites_count = favourites_count - 1
			WHERE id = $1 AND favourites_count > 0`, statusID); err != nil {
			return fmt.Errorf("favourites count: %w", err)
		}
		tag, err := tx.Exec(ctx, `DELETE FROM favourites WHERE account_id = $1 AND status_id = $2`, accountID, statusID)
		if err == nil && tag.RowsAffected() == 0 {
			err = pgx.ErrNoRows
		}
		if err != nil {
			return err
		}
		_, err = tx.Exec(ctx, `
			DELETE FROM notifications WHERE type = 'favourite' AND from_account_id = $1 AND status_id = $2`,
			accountID, statusID)
		return err
	})
	if err != nil {
		return fmt.Errorf("postgres: unfavourite %d by %d: %w", statusID, accountID, translate(err))
	}
	return nil
}

// markColumns are the columns of favourites and bookmarks, which share a shape.
const markColumns = `id, account_id, status_id, created_at`

type mark struct {
	id, accountID, statusID int64
	createdAt               time.Time
}

func scanMark(r pgx.CollectableRow) (mark, error) {
	var m mark
	err := r.Scan(&m.id, &m.accountID, &m.statusID, &m.createdAt)
	m.createdAt = m.createdAt.UTC()
	return m, err
}

// listMarks pages table (favourites or bookmarks) by id where col = val,
// newest first.
func (s *Store) listMarks(ctx context.Context, table, col string, val int64, p store.Page) ([]mark, error) {
	return listPage(ctx, s, `SELECT `+markColumns+` FROM `+table+` WHERE `+col+` = $1`, []any{val}, "id", p, scanMark)
}

func favourites(ms []mark) []*store.Favourite {
	out := make([]*store.Favourite, len(ms))
	for i, m := range ms {
		out[i] = &store.Favourite{ID: m.id, AccountID: m.accountID, StatusID: m.statusID, CreatedAt: m.createdAt}
	}
	return out
}

// ListFavourites selects favourites by account_id, newest id first inside page.
func (s *Store) ListFavourites(ctx context.Context, accountID int64, page store.Page) ([]*store.Favourite, error) {
	ms, err := s.listMarks(ctx, "favourites", "account_id", accountID, page)
	if err != nil {
		return nil, fmt.Errorf("postgres: favourites of %d: %w", accountID, err)
	}
	return favourites(ms), nil
}

// ListFavouritedBy selects favourites by status_id, newest id first inside page.
func (s *Store) ListFavouritedBy(ctx context.Context, statusID int64, page store.Page) ([]*store.Favourite, error) {
	ms, err := s.listMarks(ctx, "favourites", "status_id", statusID, page)
	if err != nil {
		return nil, fmt.Errorf("postgres: favourites of status %d: %w", statusID, err)
	}
	return favourites(ms), nil
}

// PutBookmark inserts b.
func (s *Store) PutBookmark(ctx context.Context, b *store.Bookmark) error {
	_, err := s.pool.Exec(ctx, `INSERT INTO bookmarks (`+markColumns+`) VALUES ($1, $2, $3, $4)`,
		b.ID, b.AccountID, b.StatusID, toDB(b.CreatedAt))
	if err != nil {
		return fmt.Errorf("postgres: bookmark %d by %d: %w", b.StatusID, b.AccountID, translateFK(err))
	}
	return nil
}

// DeleteBookmark deletes (account_id, status_id).
func (s *Store) DeleteBookmark(ctx context.Context, accountID, statusID int64) error {
	tag, err := s.pool.Exec(ctx, `DELETE FROM bookmarks WHERE account_id = $1 AND status_id = $2`, accountID, statusID)
	if err == nil && tag.RowsAffected() == 0 {
		err = pgx.ErrNoRows
	}
	if err != nil {
		return fmt.Errorf("postgres: unbookmark %d by %d: %w", statusID, accountID, translate(err))
	}
	return nil
}

// ListBookmarks selects bookmarks by account_id, newest id first inside page.
func (s *Store) ListBookmarks(ctx context.Context, accountID int64, page store.Page) ([]*store.Bookmark, error) {
	ms, err := s.listMarks(ctx, "bookmarks", "account_id", accountID, page)
	if err != nil {
		return nil, fmt.Errorf("postgres: bookmarks of %d: %w", accountID, err)
	}
	out := make([]*store.Bookmark, len(ms))
	for i, m := range ms {
		out[i] = &store.Bookmark{ID: m.id, AccountID: m.accountID, StatusID: m.statusID, CreatedAt: m.createdAt}
	}
	return out, nil
}

// GetInteractionFlags reads the four flags over statusIDs in one query
// (a UNION ALL tagged by flag): it runs for every page of statuses a
// signed-in viewer reads.
func (s *Store) GetInteractionFlags(ctx context.Context, accountID int64, statusIDs []int64) (*store.InteractionFlags, error) {
	f := &store.InteractionFlags{Favourited: map[int64]bool{}, Reblogged: map[int64]bool{}, Bookmarked: map[int64]bool{},
		Muted: map[int64]bool{}}
	if len(statusIDs) == 0 {
		return f, nil
	}
	rows, _ := s.pool.Query(ctx, `
		SELECT 0, status_id FROM favourites WHERE account_id = $1 AND status_id = ANY($2)
		UNION ALL
		SELECT 1, reblog_of_id FROM statuses WHERE account_id = $1 AND reblog_of_id = ANY($2)
		UNION ALL
		SELECT 2, status_id FROM bookmarks WHERE account_id = $1 AND status_id = ANY($2)
		UNION ALL
		SELECT 3, s.id FROM statuses s
		JOIN conversation_mutes m ON m.account_id = $1 AND m.conversation_id = s.conversation_id
		WHERE s.id = ANY($2)`, accountID, statusIDs)
	pairs, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) ([2]int64, error) {
		var p [2]int64
		return p, r.Scan(&p[0], &p[1])
	})
	if err != nil {
		return nil, fmt.Errorf("postgres: interaction flags: %w", translate(err))
	}
	sets := [...]map[int64]bool{f.Favourited, f.Reblogged, f.Bookmarked, f.Muted}
	for _, p := range pairs {
		sets[p[0]][p[1]] = true
	}
	return f, nil
}

// ListRecentInteractions selects the newest favourites (by id) and boosts
// (statuses_reblogs_id_idx, 0110), merged newest first, at most limit.
func (s *Store) ListRecentInteractions(ctx context.Context, limit int) ([]store.AccountStatus, error) {
	if limit <= 0 {
		return nil, fmt.Errorf("postgres: recent interactions: limit %d, want > 0", limit)
	}
	rows, _ := s.pool.Query(ctx, `
		SELECT account_id, status_id FROM (
			(SELECT id, account_id, status_id FROM favourites ORDER BY id DESC LIMIT $1)
			UNION ALL
			(SELECT id, account_id, reblog_of_id FROM statuses WHERE reblog_of_id IS NOT NULL ORDER BY id DESC LIMIT $1)
		) AS i ORDER BY id DESC LIMIT $1`, limit)
	out, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (store.AccountStatus, error) {
		var a store.AccountStatus
		err := row.Scan(&a.AccountID, &a.StatusID)
		return a, err
	})
	if err != nil {
		return nil, fmt.Errorf("postgres: recent interactions: %w", translate(err))
	}
	return out, nil
}
