package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/starling-social/starling/go/store"
)

// PutMarker upserts (account_id, timeline), starting the version at 1 and
// incrementing it on every later write; RETURNING reads the stored version.
func (s *Store) PutMarker(ctx context.Context, m *store.Marker) error {
	err := s.w.QueryRowContext(ctx, `
		INSERT INTO markers (account_id, timeline, last_read_id, version, updated_at) VALUES (?, ?, ?, 1, ?)
		ON CONFLICT (account_id, timeline) DO UPDATE SET
			last_read_id = excluded.last_read_id, version = markers.version + 1, updated_at = excluded.updated_at
		RETURNING version`,
		m.AccountID, m.Timeline, m.LastReadID, toDB(m.UpdatedAt)).Scan(&m.Version)
	if err != nil {
		return fmt.Errorf("sqlite: put marker %s of %d: %w", m.Timeline, m.AccountID, translateFK(err))
	}
	return nil
}

// GetMarkers selects markers by account_id among timelines.
func (s *Store) GetMarkers(ctx context.Context, accountID int64, timelines []string) ([]*store.Marker, error) {
	list, err := jsonArray(timelines)
	if err != nil {
		return nil, fmt.Errorf("sqlite: markers of %d: %w", accountID, err)
	}
	out, err := queryAll(ctx, s, `
		SELECT account_id, timeline, last_read_id, version, updated_at FROM markers
		WHERE account_id = ? AND timeline IN (SELECT value FROM json_each(?))`,
		func(row scanner) (*store.Marker, error) {
			var (
				m         store.Marker
				updatedAt int64
			)
			err := row.Scan(&m.AccountID, &m.Timeline, &m.LastReadID, &m.Version, &updatedAt)
			m.UpdatedAt = fromDB(updatedAt)
			return &m, err
		}, accountID, list)
	if err != nil {
		return nil, fmt.Errorf("sqlite: markers of %d: %w", accountID, translate(err))
	}
	return out, nil
}

// GetAccountPreferences selects account_preferences by account_id; no row
// is the zero preferences.
func (s *Store) GetAccountPreferences(ctx context.Context, accountID int64) (*store.AccountPreferences, error) {
	p := store.AccountPreferences{AccountID: accountID}
	var (
		visibility string
		updatedAt  int64
	)
	err := s.r.QueryRowContext(ctx, `
		SELECT posting_visibility, posting_sensitive, posting_language, expand_media, expand_spoilers, updated_at
		FROM account_preferences WHERE account_id = ?`, accountID).
		Scan(&visibility, &p.PostingSensitive, &p.PostingLanguage, &p.ExpandMedia, &p.ExpandSpoilers, &updatedAt)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return &p, nil
	case err != nil:
		return nil, fmt.Errorf("sqlite: preferences of %d: %w", accountID, translate(err))
	}
	p.PostingVisibility, p.UpdatedAt = store.Visibility(visibility), fromDB(updatedAt)
	return &p, nil
}

// PutAccountPreferences upserts account_preferences by account_id.
func (s *Store) PutAccountPreferences(ctx context.Context, p *store.AccountPreferences) error {
	_, err := s.w.ExecContext(ctx, `
		INSERT INTO account_preferences (account_id, posting_visibility, posting_sensitive, posting_language,
			expand_media, expand_spoilers, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (account_id) DO UPDATE SET
			posting_visibility = excluded.posting_visibility, posting_sensitive = excluded.posting_sensitive,
			posting_language = excluded.posting_language, expand_media = excluded.expand_media,
			expand_spoilers = excluded.expand_spoilers, updated_at = excluded.updated_at`,
		p.AccountID, string(p.PostingVisibility), p.PostingSensitive, p.PostingLanguage,
		p.ExpandMedia, p.ExpandSpoilers, toDB(p.UpdatedAt))
	if err != nil {
		return fmt.Errorf("sqlite: put preferences of %d: %w", p.AccountID, translateFK(err))
	}
	return nil
}
