package mastodon

import (
	"context"

	"github.com/starling-social/starling/go/social"
	"github.com/starling-social/starling/go/store"
)

// Notification is Mastodon's Notification entity.
type Notification struct {
	ID        string   `json:"id"`
	Type      string   `json:"type"`
	CreatedAt string   `json:"created_at"`
	Account   *Account `json:"account"`
	Status    *Status  `json:"status,omitempty"`
}

// notificationEntities converts a batch, hydrating all their statuses in
// one ViewStatuses call.
func (h *Handler) notificationEntities(ctx context.Context, v *store.Account, ns []*social.NotificationView) ([]*Notification, error) {
	var sts []*store.Status
	for _, n := range ns {
		if n.Status != nil {
			sts = append(sts, n.Status)
		}
	}
	converted, err := h.statusesIn(ctx, v, sts, social.FilterNotifications)
	if err != nil {
		return nil, err
	}
	byID := make(map[string]*Status, len(converted))
	for _, s := range converted {
		byID[s.ID] = s
	}
	out := make([]*Notification, 0, len(ns))
	for _, n := range ns {
		e := &Notification{ID: formatID(n.Notification.ID), Type: string(n.Notification.Type),
			CreatedAt: formatTime(n.Notification.CreatedAt), Account: h.account(n.From)}
		if n.Status != nil {
			if e.Status = byID[formatID(n.Status.ID)]; e.Status == nil {
				continue // its author vanished, or a filter hides it
			}
		}
		out = append(out, e)
	}
	return out, nil
}
