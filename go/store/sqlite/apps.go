package sqlite

import (
	"context"
	"fmt"

	"github.com/starling-social/starling/go/store"
)

const appColumns = `id, name, website, redirect_uris, scopes, client_id, client_secret, created_at`

func scanApp(row scanner) (*store.App, error) {
	var (
		a         store.App
		createdAt int64
	)
	if err := row.Scan(&a.ID, &a.Name, &a.Website, &a.RedirectURIs, &a.Scopes,
		&a.ClientID, &a.ClientSecret, &createdAt); err != nil {
		return nil, err
	}
	a.CreatedAt = fromDB(createdAt)
	return &a, nil
}

// PutApp inserts app; ErrConflict if the ID or the client ID is taken.
func (s *Store) PutApp(ctx context.Context, app *store.App) error {
	_, err := s.w.ExecContext(ctx, `
		INSERT INTO apps (`+appColumns+`)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
		app.ID, app.Name, app.Website, app.RedirectURIs, app.Scopes,
		app.ClientID, app.ClientSecret, toDB(app.CreatedAt))
	if err != nil {
		return fmt.Errorf("sqlite: put app %d: %w", app.ID, translate(err))
	}
	return nil
}

// GetAppByClientID matches apps.client_id.
func (s *Store) GetAppByClientID(ctx context.Context, clientID string) (*store.App, error) {
	a, err := scanApp(s.r.QueryRowContext(ctx,
		`SELECT `+appColumns+` FROM apps WHERE client_id = ?`, clientID))
	if err != nil {
		return nil, fmt.Errorf("sqlite: get app by client id: %w", translate(err))
	}
	return a, nil
}
