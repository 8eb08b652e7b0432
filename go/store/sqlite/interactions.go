package sqlite

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/starling-social/starling/go/store"
)

// PutFavourite increments the status's favourites_count first (which also
// proves the status exists), then inserts f and n, in one transaction.
func (s *Store) PutFavourite(ctx context.Context, f *store.Favourite, n *store.Notification) error {
	err := s.withTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx,
			`UPDATE statuses SET favourites_count = favourites_count + 1 WHERE id = ?`, f.StatusID)
		if err == nil {
			err = mustAffect(res)
		}
		if err != nil {
			return fmt.Errorf("favourites count: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `
			INSERT INTO favourites (id, account_id, status_id, created_at) VALUES (?, ?, ?, ?)`,
			f.ID, f.AccountID, f.StatusID, toDB(f.CreatedAt)); err != nil {
			return err
		}
		if n != nil {
			return insertNotification(ctx, tx, n)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("sqlite: favourite %d by %d: %w", f.StatusID, f.AccountID, translateFK(err))
	}
	return nil
}

// DeleteFavourite deletes (account_id, status_id), the favourite
// notification it caused, and decrements favourites_count, in one
// transaction.
func (s *Store) DeleteFavourite(ctx context.Context, accountID, statusID int64) error {
	err := s.withTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx,
			`DELETE FROM favourites WHERE account_id = ? AND status_id = ?`, accountID, statusID)
		if err == nil {
			err = mustAffect(res)
		}
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `
			UPDATE statuses SET favourites_count = favourites_count - 1
			WHERE id = ? AND favourites_count > 0`, statusID); err != nil {
			return fmt.Errorf("favourites count: %w", err)
		}
		_, err = tx.ExecContext(ctx, `
			DELETE FROM notifications WHERE type = 'favourite' AND from_account_id = ? AND status_id = ?`,
			accountID, statusID)
		return err
	})
	if err != nil {
		return fmt.Errorf("sqlite: unfavourite %d by %d: %w", statusID, accountID, translate(err))
	}
	return nil
}

// markColumns are the columns of favourites and bookmarks, which share a shape.
const markColumns = `id, account_id, status_id, created_at`

type mark struct{ id, accountID, statusID, createdAt int64 }

func scanMark(r scanner) (mark, error) {
	var m mark
	return m, r.Scan(&m.id, &m.accountID, &m.statusID, &m.createdAt)
}

// listMarks pages table (favourites or bookmarks) by id where col = val,
// newest first.
func (s *Store) listMarks(ctx context.Context, table, col string, val int64, p store.Page) ([]mark, error) {
	return listPage(ctx, s, `SELECT `+markColumns+` FROM `+table+` WHERE `+col+` = ?`, []any{val}, "id", p, scanMark)
}

func favourites(ms []mark) []*store.Favourite {
	out := make([]*store.Favourite, len(ms))
	for i, m := range ms {
		out[i] = &store.Favourite{ID: m.id, AccountID: m.accountID, StatusID: m.statusID, CreatedAt: fromDB(m.createdAt)}
	}
	return out
}

// ListFavourites selects favourites by account_id, newest id first inside page.
func (s *Store) ListFavourites(ctx context.Context, accountID int64, page store.Page) ([]*store.Favourite, error) {
	ms, err := s.listMarks(ctx, "favourites", "account_id", accountID, page)
	if err != nil {
		return nil, fmt.Errorf("sqlite: favourites of %d: %w", accountID, err)
	}
	return favourites(ms), nil
}

// ListFavouritedBy selects favourites by status_id, newest id first inside page.
func (s *Store) ListFavouritedBy(ctx context.Context, statusID int64, page store.Page) ([]*store.Favourite, error) {
	ms, err := s.listMarks(ctx, "favourites", "status_id", statusID, page)
	if err != nil {
		return nil, fmt.Errorf("sqlite: favourites of status %d: %w", statusID, err)
	}
	return favourites(ms), nil
}

// PutBookmark inserts b.
func (s *Store) PutBookmark(ctx context.Context, b *store.Bookmark) error {
	err := s.withTx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO bookmarks (`+markColumns+`) VALUES (?, ?, ?, ?)`,
			b.ID, b.AccountID, b.StatusID, toDB(b.CreatedAt))
		return err
	})
	if err != nil {
		return fmt.Errorf("sqlite: bookmark %d by %d: %w", b.StatusID, b.AccountID, translateFK(err))
	}
	return nil
}

// DeleteBookmark deletes (account_id, status_id).
func (s *Store) DeleteBookmark(ctx context.Context, accountID, statusID int64) error {
	res, err := s.w.ExecContext(ctx, `DELETE FROM bookmarks WHERE account_id = ? AND status_id = ?`, accountID, statusID)
	if err == nil {
		err = mustAffect(res)
	}
	if err != nil {
		return fmt.Errorf("sqlite: unbookmark %d by %d: %w", statusID, accountID, translate(err))
	}
	return nil
}

// ListBookmarks selects bookmarks by account_id, newest id first inside page.
func (s *Store) ListBookmarks(ctx context.Context, accountID int64, page store.Page) ([]*store.Bookmark, error) {
	ms, err := s.listMarks(ctx, "bookmarks", "account_id", accountID, page)
	if err != nil {
		return nil, fmt.Errorf("sqlite: bookmarks of %d: %w", accountID, err)
	}
	out := make([]*store.Bookmark, len(ms))
	for i, m := range ms {
		out[i] = &store.Bookmark{ID: m.id, AccountID: m.accountID, StatusID: m.statusID, CreatedAt: fromDB(m.createdAt)}
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
	list, err := jsonArray(statusIDs)
	if err != nil {
		return nil, fmt.Errorf("sqlite: interaction flags: %w", err)
	}
	rows, err := s.r.QueryContext(ctx, `
		SELECT 0, status_id FROM favourites WHERE account_id = ? AND status_id IN (SELECT value FROM json_each(?))
		UNION ALL
		SELECT 1, reblog_of_id FROM statuses WHERE account_id = ? AND reblog_of_id IN (SELECT value FROM json_each(?))
		UNION ALL
		SELECT 2, status_id FROM bookmarks WHERE account_id = ? AND status_id IN (SELECT value FROM json_each(?))
		UNION ALL
		SELECT 3, s.id FROM statuses s
		JOIN conversation_mutes m ON m.account_id = ? AND m.conversation_id = s.conversation_id
		WHERE s.id IN (SELECT value FROM json_each(?))`,
		accountID, list, accountID, list, accountID, list, accountID, list)
	if err != nil {
		return nil, fmt.Errorf("sqlite: interaction flags: %w", translate(err))
	}
	sets := [...]map[int64]bool{f.Favourited, f.Reblogged, f.Bookmarked, f.Muted}
	pairs, err := collect(rows, func(r scanner) ([2]int64, error) {
		var p [2]int64
		return p, r.Scan(&p[0], &p[1])
	})
	if err != nil {
		return nil, fmt.Errorf("sqlite: interaction flags: %w", translate(err))
	}
	for _, p := range pairs {
		sets[p[0]][p[1]] = true
	}
	return f, nil
}

// ListRecentInteractions selects the newest favourites (by id) and boosts
// (statuses_reblogs_id_idx, 0110), merged newest first, at most limit.
func (s *Store) ListRecentInteractions(ctx context.Context, limit int) ([]store.AccountStatus, error) {
	if limit <= 0 {
		return nil, fmt.Errorf("sqlite: recent interactions: limit %d, want > 0", limit)
	}
	rows, err := s.r.QueryContext(ctx, `
		SELECT account_id, status_id FROM (
			SELECT id, account_id, status_id FROM (SELECT id, account_id, status_id FROM favourites ORDER BY id DESC LIMIT ?)
			UNION ALL
			SELECT id, account_id, reblog_of_id FROM (
				SELECT id, account_id, reblog_of_id FROM statuses WHERE reblog_of_id IS NOT NULL ORDER BY id DESC LIMIT ?)
		) ORDER BY id DESC LIMIT ?`, limit, limit, limit)
	if err != nil {
		return nil, fmt.Errorf("sqlite: recent interactions: %w", err)
	}
	defer rows.Close()
	var out []store.AccountStatus
	for rows.Next() {
		var a store.AccountStatus
		if err := rows.Scan(&a.AccountID, &a.StatusID); err != nil {
			return nil, fmt.Errorf("sqlite: recent interactions: %w", err)
		}
		out = append(out, a)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlite: recent interactions: %w", err)
	}
	return out, nil
}
