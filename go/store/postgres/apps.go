package postgres

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/starling-social/starling/go/store"
)

const appColumns = `id, name, website, redirect_uris, scopes, client_id, client_secret, created_at`

func scanApp(row pgx.CollectableRow) (*store.App, error) {
	var a store.App
	if err := row.Scan(&a.ID, &a.Name, &a.Website, &a.RedirectURIs, &a.Scopes,
		&a.ClientID, &a.ClientSecret, &a.CreatedAt); err != nil {
		return nil, err
	}
	a.CreatedAt = a.CreatedAt.UTC()
	return &a, nil
}

// PutApp inserts app; ErrConflict if the ID or the client ID is taken.
func (s *Store) PutApp(ctx context.Context, app *store.App) error {
	_, err := s.pool.Exec(ctx, `
		INSERT INTO apps (`+appColumns+`)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
		app.ID, app.Name, app.Website, app.RedirectURIs, app.Scopes,
		app.ClientID, app.ClientSecret, toDB(app.CreatedAt))
	if err != nil {
		return fmt.Errorf("postgres: put app %d: %w", app.ID, translate(err))
	}
	return nil
}

// GetAppByClientID matches apps.client_id.
func (s *Store) GetAppByClientID(ctx context.Context, clientID string) (*store.App, error) {
	rows, _ := s.pool.Query(ctx, `SELECT `+appColumns+` FROM apps WHERE client_id = $1`, clientID)
	a, err := pgx.CollectExactlyOneRow(rows, scanApp)
	if err != nil {
		return nil, fmt.Errorf("postgres: get app by client id: %w", translate(err))
	}
	return a, nil
}
