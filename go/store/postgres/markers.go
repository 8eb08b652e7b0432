package postgres

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/starling-social/starling/go/store"
)

// PutMarker upserts (account_id, timeline), starting the version at 1 and
// incrementing it on every later write; the row lock of the upsert orders
// concurrent writers, and RETURNING reads the stored version.
func (s *Store) PutMarker(ctx context.Context, m *store.Marker) error {
	err := s.pool.QueryRow(ctx, `
		INSERT INTO markers (account_id, timeline, last_read_id, version, updated_at) VALUES ($1, $2, $3, 1, $4)
		ON CONFLICT (account_id, timeline) DO UPDATE SET
			last_read_id = excluded.last_read_id, version = markers.version + 1, updated_at = excluded.updated_at
		RETURNING version`,
		m.AccountID, m.Timeline, m.LastReadID, toDB(m.UpdatedAt)).Scan(&m.Version)
	if err != nil {
		return fmt.Errorf("postgres: put marker %s of %d: %w", m.Timeline, m.AccountID, translateFK(err))
	}
	return nil
}

// GetMarkers selects markers by account_id among timelines.
func (s *Store) GetMarkers(ctx context.Context, accountID int64, timelines []string) ([]*store.Marker, error) {
	rows, _ := s.pool.Query(ctx, `
		SELECT account_id, timeline, last_read_id, version, updated_at FROM markers
		WHERE account_id = $1 AND timeline = ANY($2)`, accountID, timelines)
	out, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (*store.Marker, error) {
		var m store.Marker
		err := row.Scan(&m.AccountID, &m.Timeline, &m.LastReadID, &m.Version, &m.UpdatedAt)
		m.UpdatedAt = m.UpdatedAt.UTC()
		return &m, err
	})
	if err != nil {
		return nil, fmt.Errorf("postgres: markers of %d: %w", accountID, translate(err))
	}
	return out, nil
}

// GetAccountPreferences selects account_preferences by account_id; no row
// is the zero preferences.
func (s *Store) GetAccountPreferences(ctx context.Context, accountID int64) (*store.AccountPreferences, error) {
	p := store.AccountPreferences{AccountID: accountID}
	var visibility string
	err := s.pool.QueryRow(ctx, `
		SELECT posting_visibility, posting_sensitive, posting_language, expand_media, expand_spoilers, updated_at
		FROM account_preferences WHERE account_id = $1`, accountID).
		Scan(&visibility, &p.PostingSensitive, &p.PostingLanguage, &p.ExpandMedia, &p.ExpandSpoilers, &p.UpdatedAt)
	switch {
	case errors.Is(err, pgx.ErrNoRows):
		return &p, nil
	case err != nil:
		return nil, fmt.Errorf("postgres: preferences of %d: %w", accountID, translate(err))
	}
	p.PostingVisibility, p.UpdatedAt = store.Visibility(visibility), p.UpdatedAt.UTC()
	return &p, nil
}

// PutAccountPreferences upserts account_preferences by account_id.
func (s *Store) PutAccountPreferences(ctx context.Context, p *store.AccountPreferences) error {
	_, err := s.pool.Exec(ctx, `
		INSERT INTO account_preferences (account_id, posting_visibility, posting_sensitive, posting_language,
			expand_media, expand_spoilers, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7)
		ON CONFLICT (account_id) DO UPDATE SET
			posting_visibility = excluded.posting_visibility, posting_sensitive = excluded.posting_sensitive,
			posting_language = excluded.posting_language, expand_media = excluded.expand_media,
			expand_spoilers = excluded.expand_spoilers, updated_at = excluded.updated_at`,
		p.AccountID, string(p.PostingVisibility), p.PostingSensitive, p.PostingLanguage,
		p.ExpandMedia, p.ExpandSpoilers, toDB(p.UpdatedAt))
	if err != nil {
		return fmt.Errorf("postgres: put preferences of %d: %w", p.AccountID, translateFK(err))
	}
	return nil
}
