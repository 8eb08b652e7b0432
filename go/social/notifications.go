package social

import (
	"context"
	"errors"

	"github.com/starling-social/starling/go/store"
)

// NotificationView is a notification with its sender and status loaded.
type NotificationView struct {
	Notification *store.Notification
	From         *store.Account
	Status       *store.Status // nil for follows
}

// NotificationFilter is GET /api/v1/notifications' selection.
type NotificationFilter struct {
	Types         []store.NotificationType
	ExcludeTypes  []store.NotificationType
	FromAccountID int64
}

// knownNotificationTypes are the types a filter may name. Unknown names are
// ignored, as Mastodon ignores types it does not have.
var knownNotificationTypes = map[store.NotificationType]bool{
	store.NotificationMention: true, store.NotificationReblog: true, store.NotificationFavourite: true,
	store.NotificationFollow: true, store.NotificationFollowRequest: true, store.NotificationStatus: true,
	store.NotificationUpdate: true, store.NotificationPoll: true,
}

func knownTypes(ts []store.NotificationType) []store.NotificationType {
	var out []store.NotificationType
	for _, t := range ts {
		if knownNotificationTypes[t] {
			out = append(out, t)
		}
	}
	return out
}

// newNotification builds a notification stamped now, for op to write.
func (s *Service) newNotification(ctx context.Context, op string, to, from int64, typ store.NotificationType, statusID int64) (*store.Notification, error) {
	id, err := s.newID(ctx, op)
	if err != nil {
		return nil, err
	}
	n := &store.Notification{ID: id, AccountID: to, FromAccountID: from, Type: typ,
		StatusID: statusID, CreatedAt: s.nowUTC()}
	n.GroupKey = groupKey(n)
	return n, nil
}

// notify stores a notification that has no status write to ride with
// (follow, follow_request) and publishes it. Notifying yourself is a no-op.
// Callers that own a transaction for the cause should instead put the
// notification in it (store backends' insertNotification).
func (s *Service) notify(ctx context.Context, to, from int64, typ store.NotificationType, statusID int64) error {
	if to == from {
		return nil
	}
	const op = "social.notify"
	n, err := s.newNotification(ctx, op, to, from, typ, statusID)
	if err != nil {
		return err
	}
	if err := s.store.PutNotification(ctx, n); err != nil {
		return internal(op, err)
	}
	s.publishNotifications(ctx, []*store.Notification{n})
	return nil
}

// Notifications lists the viewer's notifications, newest first, hiding
// those from accounts the viewer blocks or mutes (or that block it) and
// those whose status the viewer may no longer see.
func (s *Service) Notifications(ctx context.Context, viewer *store.Account, f NotificationFilter, page store.Page) ([]*NotificationView, error) {
	const op = "social.Notifications"
	q := store.NotificationQuery{AccountID: viewer.ID, Types: knownTypes(f.Types),
		ExcludeTypes: knownTypes(f.ExcludeTypes), FromAccountID: f.FromAccountID, Page: page}
	if len(f.Types) > 0 && len(q.Types) == 0 {
		return nil, nil // only unknown types asked for: nothing matches
	}
	ns, err := s.store.ListNotifications(ctx, q)
	if err != nil {
		return nil, internal(op, err)
	}
	return s.viewNotifications(ctx, op, viewer, ns)
}

// GetNotification returns one of the viewer's notifications.
func (s *Service) GetNotification(ctx context.Context, viewer *store.Account, id int64) (*NotificationView, error) {
	const op = "social.GetNotification"
	n, err := s.store.GetNotificationByID(ctx, id)
	if errors.Is(err, store.ErrNotFound) || err == nil && n.AccountID != viewer.ID {
		return nil, notFound(op, "Record not found")
	}
	if err != nil {
		return nil, internal(op, err)
	}
	vs, err := s.viewNotifications(ctx, op, viewer, []*store.Notification{n})
	if err != nil {
		return nil, err
	}
	if len(vs) == 0 {
		return nil, notFound(op, "Record not found")
	}
	return vs[0], nil
}

// DismissNotification deletes one of the viewer's notifications.
func (s *Service) DismissNotification(ctx context.Context, viewer *store.Account, id int64) error {
	const op = "social.DismissNotification"
	err := s.store.DeleteNotification(ctx, viewer.ID, id)
	if errors.Is(err, store.ErrNotFound) {
		return notFound(op, "Record not found")
	}
	if err != nil {
		return internal(op, err)
	}
	return nil
}

// ClearNotifications deletes all of the viewer's notifications.
func (s *Service) ClearNotifications(ctx context.Context, viewer *store.Account) error {
	if err := s.store.ClearNotifications(ctx, viewer.ID); err != nil {
		return internal("social.ClearNotifications", err)
	}
	return nil
}

// viewNotifications loads senders and statuses in one query each and
// applies the visibility rule on the notifications path: the sender is
// judged as if it authored a public status (blocks and mutes hide it), and
// the status by the rule itself.
func (s *Service) viewNotifications(ctx context.Context, op string, viewer *store.Account, ns []*store.Notification) ([]*NotificationView, error) {
	var statusIDs, fromIDs []int64
	for _, n := range ns {
		fromIDs = append(fromIDs, n.FromAccountID)
		if n.StatusID != 0 {
			statusIDs = append(statusIDs, n.StatusID)
		}
	}
	found, err := s.store.GetStatusesByIDs(ctx, statusIDs)
	if err != nil {
		return nil, internal(op, err)
	}
	byID := make(map[int64]*store.Status, len(found))
	for _, st := range found {
		byID[st.ID] = st
	}
	from, err := s.AccountsByIDs(ctx, fromIDs)
	if err != nil {
		return nil, err
	}
	// Stand-in public statuses by each sender let the one rule (and the
	// relations loader, keyed by authors) judge the senders.
	senders := make([]*store.Status, 0, len(fromIDs))
	for _, id := range fromIDs {
		senders = append(senders, &store.Status{AccountID: id, Visibility: store.VisibilityPublic})
	}
	vc, err := s.loadViewerContext(ctx, viewer, append(senders, found...))
	if err != nil {
		return nil, err
	}
	out := make([]*NotificationView, 0, len(ns))
	for _, n := range ns {
		a, ok := from[n.FromAccountID]
		if !ok || !canView(vc, &store.Status{AccountID: n.FromAccountID, Visibility: store.VisibilityPublic}, readNotifications) {
			continue
		}
		v := &NotificationView{Notification: n, From: a}
		if n.StatusID != 0 {
			st, ok := byID[n.StatusID]
			if !ok || !canView(vc, st, readNotifications) {
				continue
			}
			v.Status = st
		}
		out = append(out, v)
	}
	return out, nil
}
