package sqlite

import (
	"cmp"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/starling-social/starling/go/store"
)

const notificationColumns = `id, account_id, from_account_id, type, status_id, created_at, group_key`

func scanNotification(r scanner) (*store.Notification, error) {
	var (
		n         store.Notification
		typ       string
		statusID  sql.NullInt64
		createdAt int64
	)
	if err := r.Scan(&n.ID, &n.AccountID, &n.FromAccountID, &typ, &statusID, &createdAt, &n.GroupKey); err != nil {
		return nil, err
	}
	n.Type, n.StatusID, n.CreatedAt = store.NotificationType(typ), statusID.Int64, fromDB(createdAt)
	return &n, nil
}

// insertNotification inserts n inside tx. Writes that cause a notification
// (a mention, a favourite, a follow) call it in their own transaction, so
// the notification exists exactly when its cause does.
func insertNotification(ctx context.Context, tx *sql.Tx, n *store.Notification) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO notifications (`+notificationColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?)`,
		n.ID, n.AccountID, n.FromAccountID, string(n.Type), nullID(n.StatusID), toDB(n.CreatedAt), n.GroupKey)
	if err != nil {
		return fmt.Errorf("notification %d: %w", n.ID, err)
	}
	return nil
}

// PutNotification inserts n in a transaction of its own.
func (s *Store) PutNotification(ctx context.Context, n *store.Notification) error {
	err := s.withTx(ctx, func(tx *sql.Tx) error { return insertNotification(ctx, tx, n) })
	if err != nil {
		return fmt.Errorf("sqlite: put notification: %w", translateFK(err))
	}
	return nil
}

// GetNotificationByID matches notifications.id.
func (s *Store) GetNotificationByID(ctx context.Context, id int64) (*store.Notification, error) {
	n, err := scanNotification(s.r.QueryRowContext(ctx,
		`SELECT `+notificationColumns+` FROM notifications WHERE id = ?`, id))
	if err != nil {
		return nil, fmt.Errorf("sqlite: get notification %d: %w", id, translate(err))
	}
	return n, nil
}

// ListNotifications selects by account_id, type filters and
// from_account_id, newest id first inside q.Page.
func (s *Store) ListNotifications(ctx context.Context, q store.NotificationQuery) ([]*store.Notification, error) {
	var b strings.Builder
	b.WriteString(`SELECT ` + notificationColumns + ` FROM notifications WHERE account_id = ?`)
	args := []any{q.AccountID}
	for _, f := range []struct {
		op    string
		types []store.NotificationType
	}{{"IN", q.Types}, {"NOT IN", q.ExcludeTypes}} {
		if len(f.types) == 0 {
			continue
		}
		list, err := jsonArray(f.types)
		if err != nil {
			return nil, fmt.Errorf("sqlite: list notifications: %w", err)
		}
		b.WriteString(` AND type ` + f.op + ` (SELECT value FROM json_each(?))`)
		args = append(args, list)
	}
	if q.FromAccountID != 0 {
		b.WriteString(` AND from_account_id = ?`)
		args = append(args, q.FromAccountID)
	}
	if q.GroupKey != "" {
		b.WriteString(` AND group_key = ? AND group_key <> ''`)
		args = append(args, q.GroupKey)
	}
	out, err := listPage(ctx, s, b.String(), args, "id", q.Page, scanNotification)
	if err != nil {
		return nil, fmt.Errorf("sqlite: list notifications: %w", err)
	}
	return out, nil
}

// DeleteNotification deletes (id, account_id).
func (s *Store) DeleteNotification(ctx context.Context, accountID, id int64) error {
	res, err := s.w.ExecContext(ctx, `DELETE FROM notifications WHERE id = ? AND account_id = ?`, id, accountID)
	if err == nil {
		err = mustAffect(res)
	}
	if err != nil {
		return fmt.Errorf("sqlite: delete notification %d: %w", id, translate(err))
	}
	return nil
}

// ClearNotifications deletes by account_id.
func (s *Store) ClearNotifications(ctx context.Context, accountID int64) error {
	if _, err := s.w.ExecContext(ctx, `DELETE FROM notifications WHERE account_id = ?`, accountID); err != nil {
		return fmt.Errorf("sqlite: clear notifications of %d: %w", accountID, translate(err))
	}
	return nil
}

// GetNotificationGroups reads, per key, through the (account_id,
// group_key, id) index: a count stopped at maxCount, the newest id and the
// senders of the newest samples rows (as [id, sender] pairs, ordered in Go:
// SQLite does not promise an aggregate's input order).
func (s *Store) GetNotificationGroups(ctx context.Context, accountID int64, keys []string, samples, maxCount int) (map[string]*store.NotificationGroup, error) {
	out := map[string]*store.NotificationGroup{}
	if len(keys) == 0 {
		return out, nil
	}
	list, err := jsonArray(keys)
	if err != nil {
		return nil, fmt.Errorf("sqlite: notification groups: %w", err)
	}
	rows, err := s.r.QueryContext(ctx, `
		SELECT k.value,
		       (SELECT count(*) FROM (SELECT 1 FROM notifications
		            WHERE account_id = ?1 AND group_key = k.value AND group_key <> '' LIMIT ?3)),
		       (SELECT json_group_array(json_array(id, from_account_id)) FROM (SELECT id, from_account_id FROM notifications
		            WHERE account_id = ?1 AND group_key = k.value AND group_key <> '' ORDER BY id DESC LIMIT ?4))
		FROM json_each(?2) k`, accountID, list, maxCount, samples)
	if err != nil {
		return nil, fmt.Errorf("sqlite: notification groups: %w", translate(err))
	}
	_, err = collect(rows, func(r scanner) (struct{}, error) {
		var (
			key, pairs string
			count      int64
		)
		if err := r.Scan(&key, &count, &pairs); err != nil {
			return struct{}{}, err
		}
		if count == 0 {
			return struct{}{}, nil
		}
		var rows [][2]int64
		if err := json.Unmarshal([]byte(pairs), &rows); err != nil {
			return struct{}{}, fmt.Errorf("group %q senders: %w", key, err)
		}
		slices.SortFunc(rows, func(a, b [2]int64) int { return cmp.Compare(b[0], a[0]) })
		senders := make([]int64, len(rows))
		for i, p := range rows {
			senders[i] = p[1]
		}
		out[key] = store.NewNotificationGroup(key, count, rows[0][0], senders)
		return struct{}{}, nil
	})
	if err != nil {
		return nil, fmt.Errorf("sqlite: notification groups: %w", translate(err))
	}
	return out, nil
}

// DeleteNotificationGroup deletes by (account_id, group_key).
func (s *Store) DeleteNotificationGroup(ctx context.Context, accountID int64, key string) error {
	if key == "" {
		return fmt.Errorf("sqlite: delete notification group: empty key")
	}
	if _, err := s.w.ExecContext(ctx, `DELETE FROM notifications WHERE account_id = ? AND group_key = ? AND group_key <> ''`, accountID, key); err != nil {
		return fmt.Errorf("sqlite: delete notification group %q: %w", key, translate(err))
	}
	return nil
}
