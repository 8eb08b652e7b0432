package postgres

import (
	"context"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/starling-social/starling/go/store"
)

const notificationColumns = `id, account_id, from_account_id, type, status_id, created_at, group_key`

func scanNotification(r pgx.CollectableRow) (*store.Notification, error) {
	var (
		n        store.Notification
		typ      string
		statusID *int64
	)
	if err := r.Scan(&n.ID, &n.AccountID, &n.FromAccountID, &typ, &statusID, &n.CreatedAt, &n.GroupKey); err != nil {
		return nil, err
	}
	n.Type, n.StatusID, n.CreatedAt = store.NotificationType(typ), fromNullID(statusID), n.CreatedAt.UTC()
	return &n, nil
}

// insertNotification inserts n inside tx. Writes that cause a notification
// (a mention, a favourite, a follow) call it in their own transaction, so
// the notification exists exactly when its cause does.
func insertNotification(ctx context.Context, tx pgx.Tx, n *store.Notification) error {
	_, err := tx.Exec(ctx, `INSERT INTO notifications (`+notificationColumns+`) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
		n.ID, n.AccountID, n.FromAccountID, string(n.Type), nullID(n.StatusID), toDB(n.CreatedAt), n.GroupKey)
	if err != nil {
		return fmt.Errorf("notification %d: %w", n.ID, err)
	}
	return nil
}

// PutNotification inserts n in a transaction of its own.
func (s *Store) PutNotification(ctx context.Context, n *store.Notification) error {
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error { return insertNotification(ctx, tx, n) })
	if err != nil {
		return fmt.Errorf("postgres: put notification: %w", translateFK(err))
	}
	return nil
}

// GetNotificationByID matches notifications.id.
func (s *Store) GetNotificationByID(ctx context.Context, id int64) (*store.Notification, error) {
	rows, _ := s.pool.Query(ctx, `SELECT `+notificationColumns+` FROM notifications WHERE id = $1`, id)
	n, err := pgx.CollectExactlyOneRow(rows, scanNotification)
	if err != nil {
		return nil, fmt.Errorf("postgres: get notification %d: %w", id, translate(err))
	}
	return n, nil
}

// ListNotifications selects by account_id, type filters and
// from_account_id, newest id first inside q.Page.
func (s *Store) ListNotifications(ctx context.Context, q store.NotificationQuery) ([]*store.Notification, error) {
	var b strings.Builder
	args := []any{q.AccountID}
	arg := binder(&args)
	b.WriteString(`SELECT ` + notificationColumns + ` FROM notifications WHERE account_id = $1`)
	if len(q.Types) > 0 {
		b.WriteString(` AND type = ANY(` + arg(typeNames(q.Types)) + `)`)
	}
	if len(q.ExcludeTypes) > 0 {
		b.WriteString(` AND NOT type = ANY(` + arg(typeNames(q.ExcludeTypes)) + `)`)
	}
	if q.FromAccountID != 0 {
		b.WriteString(` AND from_account_id = ` + arg(q.FromAccountID))
	}
	if q.GroupKey != "" {
		b.WriteString(` AND group_key <> '' AND group_key = ` + arg(q.GroupKey))
	}
	out, err := listPage(ctx, s, b.String(), args, "id", q.Page, scanNotification)
	if err != nil {
		return nil, fmt.Errorf("postgres: list notifications: %w", err)
	}
	return out, nil
}

func typeNames(ts []store.NotificationType) []string {
	out := make([]string, len(ts))
	for i, t := range ts {
		out[i] = string(t)
	}
	return out
}

// DeleteNotification deletes (id, account_id).
func (s *Store) DeleteNotification(ctx context.Context, accountID, id int64) error {
	tag, err := s.pool.Exec(ctx, `DELETE FROM notifications WHERE id = $1 AND account_id = $2`, id, accountID)
	if err == nil && tag.RowsAffected() == 0 {
		err = pgx.ErrNoRows
	}
	if err != nil {
		return fmt.Errorf("postgres: delete notification %d: %w", id, translate(err))
	}
	return nil
}

// ClearNotifications deletes by account_id.
func (s *Store) ClearNotifications(ctx context.Context, accountID int64) error {
	if _, err := s.pool.Exec(ctx, `DELETE FROM notifications WHERE account_id = $1`, accountID); err != nil {
		return fmt.Errorf("postgres: clear notifications of %d: %w", accountID, translate(err))
	}
	return nil
}

// GetNotificationGroups reads, per key, through the (account_id,
// group_key, id) index: a count stopped at maxCount, the newest id and the
// senders of the newest samples rows, in order.
func (s *Store) GetNotificationGroups(ctx context.Context, accountID int64, keys []string, samples, maxCount int) (map[string]*store.NotificationGroup, error) {
	out := map[string]*store.NotificationGroup{}
	if len(keys) == 0 {
		return out, nil
	}
	rows, err := s.pool.Query(ctx, `
		SELECT k,
		       (SELECT count(*) FROM (SELECT 1 FROM notifications
		            WHERE account_id = $1 AND group_key = k AND group_key <> '' LIMIT $3) c),
		       (SELECT max(id) FROM notifications WHERE account_id = $1 AND group_key = k AND group_key <> ''),
		       array(SELECT from_account_id FROM notifications
		            WHERE account_id = $1 AND group_key = k AND group_key <> '' ORDER BY id DESC LIMIT $4)
		FROM unnest($2::text[]) k`, accountID, keys, maxCount, samples)
	if err != nil {
		return nil, fmt.Errorf("postgres: notification groups: %w", translate(err))
	}
	var (
		key     string
		count   int64
		latest  *int64
		senders []int64
	)
	_, err = pgx.ForEachRow(rows, []any{&key, &count, &latest, &senders}, func() error {
		if count > 0 && latest != nil {
			out[key] = store.NewNotificationGroup(key, count, *latest, senders)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("postgres: notification groups: %w", translate(err))
	}
	return out, nil
}

// DeleteNotificationGroup deletes by (account_id, group_key).
func (s *Store) DeleteNotificationGroup(ctx context.Context, accountID int64, key string) error {
	if key == "" {
		return fmt.Errorf("postgres: delete notification group: empty key")
	}
	if _, err := s.pool.Exec(ctx, `DELETE FROM notifications WHERE account_id = $1 AND group_key = $2 AND group_key <> ''`, accountID, key); err != nil {
		return fmt.Errorf("postgres: delete notification group %q: %w", key, translate(err))
	}
	return nil
}
