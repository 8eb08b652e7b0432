package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/starling-social/starling/go/store"
)

const announcementColumns = `id, text, content, starts_at, ends_at, all_day, published_at, updated_at`

func scanAnnouncement(row pgx.CollectableRow) (*store.Announcement, error) {
	var a store.Announcement
	if err := row.Scan(&a.ID, &a.Text, &a.Content, &a.StartsAt, &a.EndsAt, &a.AllDay, &a.PublishedAt, &a.UpdatedAt); err != nil {
		return nil, err
	}
	a.StartsAt, a.EndsAt = utcPtr(a.StartsAt), utcPtr(a.EndsAt)
	a.PublishedAt, a.UpdatedAt = a.PublishedAt.UTC(), a.UpdatedAt.UTC()
	return &a, nil
}

// PutAnnouncement inserts a, and audit with it.
func (s *Store) PutAnnouncement(ctx context.Context, a *store.Announcement, audit *store.AdminAction) error {
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `INSERT INTO announcements (`+announcementColumns+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
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
		return fmt.Errorf("postgres: put announcement %d: %w", a.ID, translate(err))
	}
	return nil
}

// DeleteAnnouncement deletes announcements.id, and appends audit with it;
// its dismissals and reactions go by ON DELETE CASCADE.
func (s *Store) DeleteAnnouncement(ctx context.Context, id int64, audit *store.AdminAction) error {
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `DELETE FROM announcements WHERE id = $1`, id)
		if err == nil && tag.RowsAffected() == 0 {
			err = pgx.ErrNoRows
		}
		if err != nil || audit == nil {
			return err
		}
		audit.AnnouncementID = id
		return putAdminAction(ctx, tx, audit)
	})
	if err != nil {
		return fmt.Errorf("postgres: delete announcement %d: %w", id, translate(err))
	}
	return nil
}

// GetAnnouncementByID matches announcements.id.
func (s *Store) GetAnnouncementByID(ctx context.Context, id int64) (*store.Announcement, error) {
	rows, _ := s.pool.Query(ctx, `SELECT `+announcementColumns+` FROM announcements WHERE id = $1`, id)
	a, err := pgx.CollectExactlyOneRow(rows, scanAnnouncement)
	if err != nil {
		return nil, fmt.Errorf("postgres: get announcement %d: %w", id, translate(err))
	}
	return a, nil
}

// ListAnnouncements selects every announcement, highest id first.
func (s *Store) ListAnnouncements(ctx context.Context) ([]*store.Announcement, error) {
	rows, _ := s.pool.Query(ctx, `SELECT `+announcementColumns+` FROM announcements ORDER BY id DESC`)
	out, err := pgx.CollectRows(rows, scanAnnouncement)
	if err != nil {
		return nil, fmt.Errorf("postgres: list announcements: %w", translate(err))
	}
	return out, nil
}

// ListActiveAnnouncements selects the announcements whose window holds now.
func (s *Store) ListActiveAnnouncements(ctx context.Context, now time.Time, limit int) ([]*store.Announcement, error) {
	rows, _ := s.pool.Query(ctx, `SELECT `+announcementColumns+` FROM announcements
		WHERE (starts_at IS NULL OR starts_at <= $1) AND (ends_at IS NULL OR ends_at > $1)
		ORDER BY published_at, id LIMIT $2`, toDB(now), limit)
	out, err := pgx.CollectRows(rows, scanAnnouncement)
	if err != nil {
		return nil, fmt.Errorf("postgres: active announcements: %w", translate(err))
	}
	return out, nil
}

// PutAnnouncementDismissal inserts (account_id, announcement_id), once.
func (s *Store) PutAnnouncementDismissal(ctx context.Context, accountID, id int64) error {
	_, err := s.pool.Exec(ctx, `
		INSERT INTO announcement_dismissals (account_id, announcement_id) VALUES ($1, $2) ON CONFLICT DO NOTHING`,
		accountID, id)
	if err != nil {
		return fmt.Errorf("postgres: dismiss announcement %d by %d: %w", id, accountID, translateFK(err))
	}
	return nil
}

// GetDismissedAnnouncementIDs selects announcement_dismissals of accountID
// among ids.
func (s *Store) GetDismissedAnnouncementIDs(ctx context.Context, accountID int64, ids []int64) (map[int64]bool, error) {
	if len(ids) == 0 {
		return map[int64]bool{}, nil
	}
	rows, _ := s.pool.Query(ctx, `
		SELECT announcement_id FROM announcement_dismissals
		WHERE account_id = $1 AND announcement_id = ANY($2)`, accountID, ids)
	found, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		return nil, fmt.Errorf("postgres: dismissed announcements of %d: %w", accountID, translate(err))
	}
	return store.IDSet(found), nil
}

// PutAnnouncementReaction inserts r unless the announcement has maxNames
// other reaction names already (the announcement row is locked first).
func (s *Store) PutAnnouncementReaction(ctx context.Context, r *store.AnnouncementReaction, maxNames int) error {
	err := s.insertCapped(ctx, lockAnnouncement, r.AnnouncementID, `
		SELECT count(DISTINCT name), coalesce(bool_or(name = $2), false) FROM announcement_reactions WHERE announcement_id = $1`,
		[]any{r.AnnouncementID, r.Name}, maxNames, `
		INSERT INTO announcement_reactions (announcement_id, account_id, name, created_at) VALUES ($1, $2, $3, $4)`,
		r.AnnouncementID, r.AccountID, r.Name, toDB(r.CreatedAt))
	if err != nil {
		return fmt.Errorf("postgres: react to announcement %d by %d: %w", r.AnnouncementID, r.AccountID, translateFK(err))
	}
	return nil
}

// DeleteAnnouncementReaction deletes (announcement_id, account_id, name).
func (s *Store) DeleteAnnouncementReaction(ctx context.Context, accountID, id int64, name string) error {
	tag, err := s.pool.Exec(ctx, `
		DELETE FROM announcement_reactions WHERE announcement_id = $1 AND account_id = $2 AND name = $3`, id, accountID, name)
	if err == nil && tag.RowsAffected() == 0 {
		err = pgx.ErrNoRows
	}
	if err != nil {
		return fmt.Errorf("postgres: unreact to announcement %d by %d: %w", id, accountID, translate(err))
	}
	return nil
}

// GetReactionCounts groups announcement_reactions of ids by
// (announcement_id, name).
func (s *Store) GetReactionCounts(ctx context.Context, ids []int64, accountID int64) ([]store.ReactionCount, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	rows, _ := s.pool.Query(ctx, `
		SELECT announcement_id, name, count(*), bool_or(account_id = $2)
		FROM announcement_reactions WHERE announcement_id = ANY($1)
		GROUP BY announcement_id, name ORDER BY announcement_id, min(created_at), name`, ids, accountID)
	out, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (c store.ReactionCount, err error) {
		err = row.Scan(&c.AnnouncementID, &c.Name, &c.Count, &c.Me)
		return c, err
	})
	if err != nil {
		return nil, fmt.Errorf("postgres: reactions: %w", translate(err))
	}
	return out, nil
}
