package mastodon

import (
	"context"

	"github.com/starling-social/starling/go/social"
	"github.com/starling-social/starling/go/store"
)

// GroupedNotificationsResults is Mastodon's GroupedNotificationsResults
// entity: the groups, and once each the accounts and statuses they name.
type GroupedNotificationsResults struct {
	Accounts           []*Account                  `json:"accounts"`
	PartialAccounts    []*PartialAccountWithAvatar `json:"partial_accounts,omitempty"`
	Statuses           []*Status                   `json:"statuses"`
	NotificationGroups []*NotificationGroup        `json:"notification_groups"`
}

// NotificationGroup is Mastodon's NotificationGroup entity.
type NotificationGroup struct {
	GroupKey                 string   `json:"group_key"`
	NotificationsCount       int64    `json:"notifications_count"`
	Type                     string   `json:"type"`
	MostRecentNotificationID string   `json:"most_recent_notification_id"`
	PageMinID                string   `json:"page_min_id,omitempty"`
	PageMaxID                string   `json:"page_max_id,omitempty"`
	LatestPageNotificationAt string   `json:"latest_page_notification_at,omitempty"`
	SampleAccountIDs         []string `json:"sample_account_ids"`
	StatusID                 *string  `json:"status_id,omitempty"`
}

// PartialAccountWithAvatar is Mastodon's PartialAccountWithAvatar entity:
// what a client needs to draw a sample account's avatar.
type PartialAccountWithAvatar struct {
	ID           string `json:"id"`
	Acct         string `json:"acct"`
	URL          string `json:"url"`
	Avatar       string `json:"avatar"`
	AvatarStatic string `json:"avatar_static"`
	Locked       bool   `json:"locked"`
	Bot          bool   `json:"bot"`
}

// groupedResults converts groups, hydrating their statuses in one batch.
// With partial, the sample accounts other than each group's most recent
// go to partial_accounts (Mastodon's expand_accounts=partial_avatars).
func (h *Handler) groupedResults(ctx context.Context, v *store.Account, groups []*social.NotificationGroupView, partial bool) (*GroupedNotificationsResults, error) {
	out := &GroupedNotificationsResults{Accounts: []*Account{}, Statuses: []*Status{}, NotificationGroups: []*NotificationGroup{}}
	var sts []*store.Status
	for _, g := range groups {
		if g.Latest.Status != nil {
			sts = append(sts, g.Latest.Status)
		}
	}
	// The viewer's notifications filters apply as on v1: a group whose
	// status a filter hides is left out.
	converted, err := h.statusesIn(ctx, v, sts, social.FilterNotifications)
	if err != nil {
		return nil, err
	}
	hydrated := make(map[string]bool, len(converted))
	for _, s := range converted {
		hydrated[s.ID] = true
		out.Statuses = append(out.Statuses, s)
	}
	full, part := map[int64]bool{}, map[int64]bool{}
	for _, g := range groups {
		e := &NotificationGroup{GroupKey: g.Key, NotificationsCount: g.Count, Type: string(g.Latest.Notification.Type),
			MostRecentNotificationID: formatID(g.LatestID), PageMinID: formatID(g.PageMinID), PageMaxID: formatID(g.PageMaxID),
			LatestPageNotificationAt: formatTime(g.LatestPageAt), SampleAccountIDs: []string{}}
		if g.Latest.Status != nil {
			id := formatID(g.Latest.Status.ID)
			if !hydrated[id] {
				continue // its author vanished
			}
			e.StatusID = &id
		}
		for i, a := range g.SampleAccounts {
			e.SampleAccountIDs = append(e.SampleAccountIDs, formatID(a.ID))
			switch {
			case full[a.ID]:
			case i == 0 || !partial:
				full[a.ID] = true
				out.Accounts = append(out.Accounts, h.account(a))
			case !part[a.ID]:
				part[a.ID] = true
				out.PartialAccounts = append(out.PartialAccounts, h.partialAccount(a))
			}
		}
		out.NotificationGroups = append(out.NotificationGroups, e)
	}
	if partial && out.PartialAccounts == nil {
		out.PartialAccounts = []*PartialAccountWithAvatar{}
	}
	return out, nil
}

func (h *Handler) partialAccount(a *store.Account) *PartialAccountWithAvatar {
	full := h.account(a)
	return &PartialAccountWithAvatar{ID: full.ID, Acct: full.Acct, URL: full.URL, Avatar: full.Avatar,
		AvatarStatic: full.AvatarStatic, Locked: full.Locked, Bot: full.Bot}
}
