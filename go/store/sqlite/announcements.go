package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/starling-social/starling/go/store"
)

const announcementColumns = `id, text, content, starts_at, ends_at, all_day, published_at, updated_at`

func scanAnnouncement(row scanner) (*store.Announcement, error) {
	var (
		a                      store.Announcement
		startsAt, endsAt       sql.NullInt64
		publishedAt, updatedAt int64
	)
	if err := row.Scan(&a.ID, &a.Text, &a.Content, &startsAt, &endsAt, &a.AllDay, &publishedAt, &updatedAt); err != nil {
		return nil, err
	}
	a.StartsAt, a.EndsAt = fromNullDB(startsAt), fromNullDB(endsAt)
	a.PublishedAt, a.UpdatedAt = fromDB(publishedAt), fromDB(updatedAt)
	return &a, nil
}

// PutAnnouncement inserts a, and audit with it.
func (s *Store) PutAnnouncement(ctx context.Context, a *store.Announcement, audit *store.AdminAction) error {
	err := s.withTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO announcements (`+announcementColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
			a.ID, a.Text, a.Content, nullTime(a.StartsAt), nullTime(a.EndsAt), a.AllDay, toDB(a.PublishedAt), toDB(a.UpdatedAt)); err != nil {
			return err
		}
		if audit == nil {
			return nil
		}
		audit.AnnouncementID = a.ID
		return putAdminAction(ctx, tx, audit)
	})
	if err != nil {
		return fmt.Errorf("sqlite: put announcement %d: %w", a.ID, translate(err))
	}
	return nil
}

// DeleteAnnouncement deletes announcements.id; its dismissals and
// reactions go by ON DELETE CASCADE.
func (s *Store) DeleteAnnouncement(ctx context.Context, id int64, audit *store.AdminAction) error {
	err := s.withTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM announcements WHERE id = ?`, id)
		if err == nil {
			err = mustAffect(res)
		}
		if err != nil || audit == nil {
			return err
		}
		audit.AnnouncementID = id
		return putAdminAction(ctx, tx, audit)
	})
	if err != nil {
		return fmt.Errorf("sqlite: delete announcement %d: %w", id, translate(err))
	}
	return nil
}

// GetAnnouncementByID matches announcements.id.
func (s *Store) GetAnnouncementByID(ctx context.Context, id int64) (*store.Announcement, error) {
	a, err := scanAnnouncement(s.r.QueryRowContext(ctx, `SELECT `+announcementColumns+` FROM announcements WHERE id = ?`, id))
	if err != nil {
		return nil, fmt.Errorf("sqlite: get announcement %d: %w", id, translate(err))
	}
	return a, nil
}

// ListAnnouncements selects every announcement, highest id first.
func (s *Store) ListAnnouncements(ctx context.Context) ([]*store.Announcement, error) {
	out, err := queryAll(ctx, s, `SELECT `+announcementColumns+` FROM announcements ORDER BY id DESC`, scanAnnouncement)
	if err != nil {
		return nil, fmt.Errorf("sqlite: list announcements: %w", translate(err))
	}
	return out, nil
}

// ListActiveAnnouncements selects the announcements whose window holds now.
func (s *Store) ListActiveAnnouncements(ctx context.Context, now time.Time, limit int) ([]*store.Announcement, error) {
	out, err := queryAll(ctx, s, `SELECT `+announcementColumns+` FROM announcements
		WHERE (starts_at IS NULL OR starts_at <= ?1) AND (ends_at IS NULL OR ends_at > ?1)
		ORDER BY published_at, id LIMIT ?2`, scanAnnouncement, toDB(now), limit)
	if err != nil {
		return nil, fmt.Errorf("sqlite: active announcements: %w", translate(err))
	}
	return out, nil
}

// PutAnnouncementDismissal inserts (account_id, announcement_id), once.
func (s *Store) PutAnnouncementDismissal(ctx context.Context, accountID, id int64) error {
	_, err := s.w.ExecContext(ctx, `
		INSERT INTO announcement_dismissals (account_id, announcement_id) VALUES (?, ?) ON CONFLICT DO NOTHING`,
		accountID, id)
	if err != nil {
		return fmt.Errorf("sqlite: dismiss announcement %d by %d: %w", id, accountID, translateFK(err))
	}
	return nil
}

// GetDismissedAnnouncementIDs selects announcement_dismissals of accountID
// among ids.
func (s *Store) GetDismissedAnnouncementIDs(ctx context.Context, accountID int64, ids []int64) (map[int64]bool, error) {
	if len(ids) == 0 {
		return map[int64]bool{}, nil
	}
	list, err := idList(ids)
	if err != nil {
		return nil, fmt.Errorf("sqlite: dismissed announcements of %d: %w", accountID, err)
	}
	found, err := queryAll(ctx, s, `
		SELECT announcement_id FROM announcement_dismissals
		WHERE account_id = ? AND announcement_id IN (SELECT value FROM json_each(?))`, scanID, accountID, list)
	if err != nil {
		return nil, fmt.Errorf("sqlite: dismissed announcements of %d: %w", accountID, translate(err))
	}
	return store.IDSet(found), nil
}

// PutAnnouncementReaction inserts r unless the announcement has maxNames
// other reaction names already.
func (s *Store) PutAnnouncementReaction(ctx context.Context, r *store.AnnouncementReaction, maxNames int) error {
	err := s.insertCapped(ctx, `
		SELECT count(DISTINCT name), coalesce(max(name = ?), 0) FROM announcement_reactions WHERE announcement_id = ?`,
		[]any{r.Name, r.AnnouncementID}, maxNames, `
		INSERT INTO announcement_reactions (announcement_id, account_id, name, created_at) VALUES (?, ?, ?, ?)`,
		r.AnnouncementID, r.AccountID, r.Name, toDB(r.CreatedAt))
	if err != nil {
		return fmt.Errorf("sqlite: react to announcement %d by %d: %w", r.AnnouncementID, r.AccountID, translateFK(err))
	}
	return nil
}

// DeleteAnnouncementReaction deletes (announcement_id, account_id, name).
func (s *Store) DeleteAnnouncementReaction(ctx context.Context, accountID, id int64, name string) error {
	res, err := s.w.ExecContext(ctx, `
		DELETE FROM announcement_reactions WHERE announcement_id = ? AND account_id = ? AND name = ?`, id, accountID, name)
	if err == nil {
		err = mustAffect(res)
	}
	if err != nil {
		return fmt.Errorf("sqlite: unreact to announcement %d by %d: %w", id, accountID, translate(err))
	}
	return nil
}

// GetReactionCounts groups announcement_reactions of ids by
// (announcement_id, name).
func (s *Store) GetReactionCounts(ctx context.Context, ids []int64, accountID int64) ([]store.ReactionCount, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	list, err := idList(ids)
	if err != nil {
		return nil, fmt.Errorf("sqlite: reactions: %w", err)
	}
	out, err := queryAll(ctx, s, `
		SELECT announcement_id, name, count(*), max(account_id = ?)
		FROM announcement_reactions WHERE announcement_id IN (SELECT value FROM json_each(?))
		GROUP BY announcement_id, name ORDER BY announcement_id, min(created_at), name`,
		func(row scanner) (c store.ReactionCount, err error) {
			err = row.Scan(&c.AnnouncementID, &c.Name, &c.Count, &c.Me)
			return c, err
		}, accountID, list)
	if err != nil {
		return nil, fmt.Errorf("sqlite: reactions: %w", translate(err))
	}
	return out, nil
}
