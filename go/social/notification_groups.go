package social

import (
	"context"
	"errors"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/starling-social/starling/go/store"
)

// groupSpan is the window one notification group covers: favourites of
// one status (reblogs of one status, follows) within the same 12 hours
// group together, as Mastodon's MAXIMUM_GROUP_SPAN_HOURS. Windows are
// aligned, so the key is computed from the notification alone, with no
// read at write time; clients treat keys as opaque.
const groupSpan = 12 * time.Hour

// DefaultGroupedTypes are the types grouped when a request names none,
// Mastodon's groupable types.
var DefaultGroupedTypes = []store.NotificationType{store.NotificationFavourite, store.NotificationReblog, store.NotificationFollow}

// groupSamples is how many senders a group shows (Mastodon: 8).
const groupSamples = 8

// MaxGroupCount bounds a group's notifications_count: counting stops
// there, so a viral status's group costs a bounded read per request.
const MaxGroupCount = 10000

// groupScan bounds the notifications one grouped page reads: a page
// holds as many groups as fit in them, up to its limit.
const groupScan = 400

// groupKeyPattern matches the keys GroupedNotifications hands out; any
// other key names nothing.
var groupKeyPattern = regexp.MustCompile(`^(ungrouped-[0-9]{1,19}|(favourite|reblog)-[0-9]{1,19}-[0-9]{1,12}|follow-[0-9]{1,12})$`)

// groupKey is the group n joins when it is written; "" for a type never
// grouped.
func groupKey(n *store.Notification) string {
	bucket := strconv.FormatInt(n.CreatedAt.Unix()/int64(groupSpan/time.Second), 10)
	switch n.Type {
	case store.NotificationFavourite, store.NotificationReblog:
		return string(n.Type) + "-" + strconv.FormatInt(n.StatusID, 10) + "-" + bucket
	case store.NotificationFollow:
		return "follow-" + bucket
	}
	return ""
}

// effectiveKey is the group n shows in when grouped lists the grouped
// types: its stored key, or ungrouped-<id>.
func effectiveKey(n *store.Notification, grouped []store.NotificationType) string {
	if n.GroupKey == "" || !slices.Contains(grouped, n.Type) {
		return "ungrouped-" + strconv.FormatInt(n.ID, 10)
	}
	return n.GroupKey
}

// GroupedFilter is GET /api/v2/notifications' selection: v1's, plus the
// types that group (nil: DefaultGroupedTypes).
type GroupedFilter struct {
	NotificationFilter
	GroupedTypes []store.NotificationType
}

// NotificationGroupView is one group of a grouped page.
type NotificationGroupView struct {
	Key       string
	Count     int64 // notifications in the whole group
	LatestID  int64 // the group's most recent notification
	Latest    *NotificationView
	PageMinID int64 // the group's oldest and newest notifications on this page
	PageMaxID int64
	// LatestPageAt is when the newest of the page's notifications of the
	// group was made.
	LatestPageAt time.Time
	// SampleAccounts are the senders of its most recent notifications,
	// newest first, those the viewer may see.
	SampleAccounts []*store.Account
}

// GroupedPage is a page of groups and the ID range of the notifications it
// covers (for the Link header); zero when empty.
type GroupedPage struct {
	Groups         []*NotificationGroupView
	Newest, Oldest int64
}

// GroupedNotifications lists the viewer's notifications in groups, newest
// group first: page.Limit groups at most, made from at most groupScan
// notifications inside page. A group whose older notifications fall past
// the page shows again on the next page, as in Mastodon (its page_min_id
// tells). Visibility is v1's: each notification passes the one rule.
func (s *Service) GroupedNotifications(ctx context.Context, viewer *store.Account, f GroupedFilter, page store.Page) (*GroupedPage, error) {
	grouped := f.GroupedTypes
	if grouped == nil {
		grouped = DefaultGroupedTypes
	}
	scan := page
	scan.Limit = groupScan
	ns, err := s.Notifications(ctx, viewer, f.NotificationFilter, scan)
	if err != nil {
		return nil, err
	}
	// With min_id the page is the groups just above it: take them from
	// the oldest end.
	fromOldest := page.MinID != 0
	var order []string
	byKey := map[string][]*NotificationView{}
	covered := make([]*NotificationView, 0, len(ns))
	for i := range ns {
		n := ns[i]
		if fromOldest {
			n = ns[len(ns)-1-i]
		}
		key := effectiveKey(n.Notification, grouped)
		if _, ok := byKey[key]; !ok {
			if len(order) == page.Limit {
				break
			}
			order = append(order, key)
		}
		byKey[key] = append(byKey[key], n)
		covered = append(covered, n)
	}
	out := &GroupedPage{}
	if len(covered) == 0 {
		return out, nil
	}
	if fromOldest {
		out.Newest, out.Oldest = covered[len(covered)-1].Notification.ID, covered[0].Notification.ID
		for i, j := 0, len(order)-1; i < j; i, j = i+1, j-1 {
			order[i], order[j] = order[j], order[i]
		}
	} else {
		out.Newest, out.Oldest = covered[0].Notification.ID, covered[len(covered)-1].Notification.ID
	}
	for _, key := range order {
		out.Groups = append(out.Groups, pageGroup(key, byKey[key]))
	}
	if err := s.sumUpGroups(ctx, viewer, out.Groups); err != nil {
		return nil, err
	}
	return out, nil
}

// pageGroup makes a group of its notifications on the page.
func pageGroup(key string, ns []*NotificationView) *NotificationGroupView {
	g := &NotificationGroupView{Key: key, Count: int64(len(ns))}
	for _, n := range ns {
		id := n.Notification.ID
		if g.Latest == nil || id > g.Latest.Notification.ID {
			g.Latest = n
		}
		if g.PageMinID == 0 || id < g.PageMinID {
			g.PageMinID = id
		}
		g.PageMaxID = max(g.PageMaxID, id)
	}
	g.LatestID, g.LatestPageAt = g.Latest.Notification.ID, g.Latest.Notification.CreatedAt
	return g
}

// sumUpGroups sets each stored group's count, most recent notification and
// sample senders from the whole group (one query), keeping only senders
// the viewer may see. Ungrouped ones are complete already.
func (s *Service) sumUpGroups(ctx context.Context, viewer *store.Account, groups []*NotificationGroupView) error {
	const op = "social.GroupedNotifications"
	var keys []string
	for _, g := range groups {
		if !strings.HasPrefix(g.Key, "ungrouped-") {
			keys = append(keys, g.Key)
		}
	}
	sums, err := s.store.GetNotificationGroups(ctx, viewer.ID, keys, groupSamples, MaxGroupCount)
	if err != nil {
		return internal(op, err)
	}
	var senderIDs []int64
	for _, g := range groups {
		if sum, ok := sums[g.Key]; ok {
			g.Count, g.LatestID = max(sum.Count, g.Count), max(sum.LatestID, g.LatestID)
			senderIDs = append(senderIDs, sum.SampleAccountIDs...)
		} else {
			senderIDs = append(senderIDs, g.Latest.From.ID)
		}
	}
	visible, err := s.visibleSenders(ctx, viewer, senderIDs)
	if err != nil {
		return err
	}
	for _, g := range groups {
		ids := []int64{g.Latest.From.ID}
		if sum, ok := sums[g.Key]; ok {
			ids = sum.SampleAccountIDs
		}
		for _, id := range ids {
			if a, ok := visible[id]; ok {
				g.SampleAccounts = append(g.SampleAccounts, a)
			}
		}
		if !containsAccount(g.SampleAccounts, g.Latest.From.ID) {
			g.SampleAccounts = append([]*store.Account{g.Latest.From}, g.SampleAccounts...)
		}
	}
	return nil
}

func containsAccount(as []*store.Account, id int64) bool {
	for _, a := range as {
		if a.ID == id {
			return true
		}
	}
	return false
}

// visibleSenders loads ids and keeps those the viewer may see as senders:
// the rule judges each as the author of a public status, as
// viewNotifications does.
func (s *Service) visibleSenders(ctx context.Context, viewer *store.Account, ids []int64) (map[int64]*store.Account, error) {
	accounts, err := s.AccountsByIDs(ctx, ids)
	if err != nil {
		return nil, err
	}
	stand := make([]*store.Status, 0, len(ids))
	for _, id := range ids {
		stand = append(stand, &store.Status{AccountID: id, Visibility: store.VisibilityPublic})
	}
	vc, err := s.loadViewerContext(ctx, viewer, stand)
	if err != nil {
		return nil, err
	}
	for _, st := range stand {
		if !canView(vc, st, readNotifications) {
			delete(accounts, st.AccountID)
		}
	}
	return accounts, nil
}

// NotificationGroup returns one of the viewer's groups by key.
func (s *Service) NotificationGroup(ctx context.Context, viewer *store.Account, key string) (*NotificationGroupView, error) {
	const op = "social.NotificationGroup"
	ns, err := s.groupNotifications(ctx, viewer, key, 1)
	if err != nil {
		return nil, err
	}
	if len(ns) == 0 {
		return nil, notFound(op, "Record not found")
	}
	g := pageGroup(key, ns)
	if err := s.sumUpGroups(ctx, viewer, []*NotificationGroupView{g}); err != nil {
		return nil, err
	}
	return g, nil
}

// NotificationGroupAccounts returns the senders of a group's most recent
// notifications (at most limit), newest first.
func (s *Service) NotificationGroupAccounts(ctx context.Context, viewer *store.Account, key string, limit int) ([]*store.Account, error) {
	ns, err := s.groupNotifications(ctx, viewer, key, limit)
	if err != nil {
		return nil, err
	}
	if len(ns) == 0 {
		return nil, notFound("social.NotificationGroupAccounts", "Record not found")
	}
	out := make([]*store.Account, 0, len(ns))
	for _, n := range ns {
		if !containsAccount(out, n.From.ID) {
			out = append(out, n.From)
		}
	}
	return out, nil
}

// DismissNotificationGroup deletes the viewer's notifications of a group.
func (s *Service) DismissNotificationGroup(ctx context.Context, viewer *store.Account, key string) error {
	const op = "social.DismissNotificationGroup"
	if !groupKeyPattern.MatchString(key) {
		return notFound(op, "Record not found")
	}
	if id, ok := strings.CutPrefix(key, "ungrouped-"); ok {
		n, _ := strconv.ParseInt(id, 10, 64)
		return s.DismissNotification(ctx, viewer, n)
	}
	if err := s.store.DeleteNotificationGroup(ctx, viewer.ID, key); err != nil {
		return internal(op, err)
	}
	return nil
}

// groupNotifications loads the viewer's most recent notifications of a
// group (limit at most), as the viewer may see them.
func (s *Service) groupNotifications(ctx context.Context, viewer *store.Account, key string, limit int) ([]*NotificationView, error) {
	const op = "social.NotificationGroup"
	if !groupKeyPattern.MatchString(key) {
		return nil, notFound(op, "Record not found")
	}
	if id, ok := strings.CutPrefix(key, "ungrouped-"); ok {
		n, err := strconv.ParseInt(id, 10, 64)
		if err != nil {
			return nil, notFound(op, "Record not found")
		}
		v, err := s.GetNotification(ctx, viewer, n)
		var e *Error
		if errors.As(err, &e) && e.Kind == KindNotFound {
			return nil, nil
		}
		if err != nil {
			return nil, err
		}
		return []*NotificationView{v}, nil
	}
	ns, err := s.store.ListNotifications(ctx, store.NotificationQuery{AccountID: viewer.ID, GroupKey: key,
		Page: store.Page{Limit: limit}})
	if err != nil {
		return nil, internal(op, err)
	}
	return s.viewNotifications(ctx, op, viewer, ns)
}

// UnreadNotifications counts the viewer's notifications after its
// notifications marker, at most limit (v1 unread_count); with grouped
// set, it counts the groups they make (v2).
func (s *Service) UnreadNotifications(ctx context.Context, viewer *store.Account, f GroupedFilter, limit int, grouped bool) (int, error) {
	ms, err := s.Markers(ctx, viewer, []string{store.MarkerNotifications})
	if err != nil {
		return 0, err
	}
	page := store.Page{Limit: limit}
	if len(ms) > 0 {
		page.SinceID = ms[0].LastReadID
	}
	ns, err := s.Notifications(ctx, viewer, f.NotificationFilter, page)
	if err != nil || !grouped {
		return len(ns), err
	}
	types := f.GroupedTypes
	if types == nil {
		types = DefaultGroupedTypes
	}
	keys := map[string]bool{}
	for _, n := range ns {
		keys[effectiveKey(n.Notification, types)] = true
	}
	return len(keys), nil
}
