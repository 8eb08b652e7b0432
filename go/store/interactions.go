package store

import (
	"context"
	"slices"
	"time"
)

// Favourite is an account's favourite of a status. Its ID orders the
// viewer's GET /api/v1/favourites and a status's favourited_by list.
type Favourite struct {
	ID        int64
	AccountID int64
	StatusID  int64
	CreatedAt time.Time
}

// Bookmark is an account's private bookmark of a status.
type Bookmark struct {
	ID        int64
	AccountID int64
	StatusID  int64
	CreatedAt time.Time
}

// NotificationType is Mastodon's notification type.
type NotificationType string

// Notification types Starling creates.
const (
	NotificationMention       NotificationType = "mention"
	NotificationReblog        NotificationType = "reblog"
	NotificationFavourite     NotificationType = "favourite"
	NotificationFollow        NotificationType = "follow"
	NotificationFollowRequest NotificationType = "follow_request"
	NotificationStatus        NotificationType = "status"
	NotificationUpdate        NotificationType = "update" // a status the recipient boosted was edited
	NotificationPoll          NotificationType = "poll"   // a poll the recipient voted in or created has ended
)

// Notification tells AccountID that FromAccountID did something. StatusID
// is the status concerned (the mentioning status, the favourited or
// reblogged original), 0 for follows.
type Notification struct {
	ID            int64
	AccountID     int64 // the recipient
	FromAccountID int64
	Type          NotificationType
	StatusID      int64
	CreatedAt     time.Time
	// GroupKey is the notification group it joined when written (grouped
	// notifications, GET /api/v2/notifications); "" for types that are
	// never grouped.
	GroupKey string
}

// NotificationQuery selects a recipient's notifications: those of a type in
// Types (any when empty), not in ExcludeTypes, from FromAccountID (any when
// 0), inside Page by notification ID.
type NotificationQuery struct {
	AccountID     int64
	Types         []NotificationType
	ExcludeTypes  []NotificationType
	FromAccountID int64
	GroupKey      string // only this group's when not ""
	Page          Page
}

// NotificationGroup sums up one group of a recipient's notifications.
type NotificationGroup struct {
	Key      string
	Count    int64 // notifications in the group
	LatestID int64 // its most recent notification
	// SampleAccountIDs are the senders of its most recent notifications,
	// newest first, without repeats.
	SampleAccountIDs []int64
}

// List is a named set of followed accounts with its own timeline.
type List struct {
	ID            int64
	AccountID     int64 // the owner
	Title         string
	RepliesPolicy string // "followed", "list" or "none"
	Exclusive     bool
	CreatedAt     time.Time
}

// AccountStatus is one account's favourite or boost of one status (the
// original, for a boost): the recommender's training data.
type AccountStatus struct {
	AccountID int64
	StatusID  int64
}

// InteractionFlags says, for a batch of statuses, which ones one account
// has favourited, reblogged and bookmarked, and which belong to a
// conversation it mutes. A map may be nil when no status of the batch has
// its flag (the read cache leaves it so): index the maps, never write them.
type InteractionFlags struct {
	Favourited map[int64]bool
	Reblogged  map[int64]bool
	Bookmarked map[int64]bool
	Muted      map[int64]bool
}

// Interactions stores what accounts do with statuses beyond posting them:
// favourites, bookmarks, notifications and lists. Reblogs are statuses (see
// StatusWrite). Every count change happens in the transaction of its row.
type Interactions interface {
	// PutFavourite inserts f, increments the status's FavouritesCount and
	// inserts n (when not nil) in one transaction. ErrConflict if the
	// account already favourited the status; ErrNotFound if the status does
	// not exist.
	PutFavourite(ctx context.Context, f *Favourite, n *Notification) error
	// DeleteFavourite deletes the favourite (account_id, status_id), its
	// notification, and decrements FavouritesCount in one transaction;
	// ErrNotFound if there was none.
	DeleteFavourite(ctx context.Context, accountID, statusID int64) error
	// ListFavourites lists accountID's favourites, newest (highest
	// favourite ID) first inside page.
	ListFavourites(ctx context.Context, accountID int64, page Page) ([]*Favourite, error)
	// ListFavouritedBy lists the favourites of statusID, newest first
	// inside page (by favourite ID).
	ListFavouritedBy(ctx context.Context, statusID int64, page Page) ([]*Favourite, error)

	// ListRecentInteractions lists the newest favourites and boosts
	// (favourites.id, statuses.id of the reblog), newest first, at most
	// limit, a boost as (booster, original). Both are read by index on id.
	ListRecentInteractions(ctx context.Context, limit int) ([]AccountStatus, error)

	// PutBookmark inserts b; ErrConflict if it exists, ErrNotFound if the
	// status does not.
	PutBookmark(ctx context.Context, b *Bookmark) error
	// DeleteBookmark deletes (account_id, status_id); ErrNotFound if none.
	DeleteBookmark(ctx context.Context, accountID, statusID int64) error
	// ListBookmarks lists accountID's bookmarks, newest (highest bookmark
	// ID) first inside page.
	ListBookmarks(ctx context.Context, accountID int64, page Page) ([]*Bookmark, error)

	// GetInteractionFlags answers, with one query each, which of statusIDs
	// accountID has favourited, reblogged and bookmarked.
	GetInteractionFlags(ctx context.Context, accountID int64, statusIDs []int64) (*InteractionFlags, error)

	// PutNotification inserts n on its own (follows; status-caused
	// notifications go in with their cause).
	PutNotification(ctx context.Context, n *Notification) error
	// GetNotificationByID matches notifications.id.
	GetNotificationByID(ctx context.Context, id int64) (*Notification, error)
	// ListNotifications answers q, newest first inside q.Page.
	ListNotifications(ctx context.Context, q NotificationQuery) ([]*Notification, error)
	// DeleteNotification deletes notification id of recipient accountID;
	// ErrNotFound if there is none.
	DeleteNotification(ctx context.Context, accountID, id int64) error
	// ClearNotifications deletes every notification of recipient accountID.
	ClearNotifications(ctx context.Context, accountID int64) error
	// GetNotificationGroups sums up the groups keys of recipient accountID
	// in one query, reading a bounded number of rows per group: Count
	// stops at maxCount, the samples are the senders of the samples most
	// recent notifications. Keys without a notification are absent from
	// the map.
	GetNotificationGroups(ctx context.Context, accountID int64, keys []string, samples, maxCount int) (map[string]*NotificationGroup, error)
	// DeleteNotificationGroup deletes recipient accountID's notifications
	// whose group_key is key (not ""); none is not an error.
	DeleteNotificationGroup(ctx context.Context, accountID int64, key string) error

	// PutList inserts l unless l.AccountID already owns max lists, in one
	// transaction so concurrent creates cannot pass the limit together:
	// ErrLimit then.
	PutList(ctx context.Context, l *List, max int) error
	// GetListByID matches lists.id.
	GetListByID(ctx context.Context, id int64) (*List, error)
	// GetListsByAccountID lists the lists owned by accountID, ascending by ID.
	GetListsByAccountID(ctx context.Context, accountID int64) ([]*List, error)
	// GetListsByMember lists the lists that contain memberID, ascending by ID.
	GetListsByMember(ctx context.Context, memberID int64) ([]*List, error)
	// UpdateList writes l's title, replies policy and exclusive flag;
	// ErrNotFound if the list does not exist.
	UpdateList(ctx context.Context, l *List) error
	// DeleteListByID deletes the list and its members; ErrNotFound if none.
	DeleteListByID(ctx context.Context, id int64) error
	// PutListAccounts adds accountIDs to the list; members already in it
	// are left as they are.
	PutListAccounts(ctx context.Context, listID int64, accountIDs []int64) error
	// DeleteListAccounts removes accountIDs from the list; absent ones are
	// ignored.
	DeleteListAccounts(ctx context.Context, listID int64, accountIDs []int64) error
	// ListListAccountIDs lists the member account IDs of the list,
	// descending inside page (Limit 0 is not allowed).
	ListListAccountIDs(ctx context.Context, listID int64, page Page) ([]int64, error)
}

// NewNotificationGroup is a group as a backend's query found it: senders
// are those of its most recent notifications, newest first, possibly
// repeated (a favourite undone and made again).
func NewNotificationGroup(key string, count, latestID int64, senders []int64) *NotificationGroup {
	g := &NotificationGroup{Key: key, Count: count, LatestID: latestID}
	for _, id := range senders {
		if !slices.Contains(g.SampleAccountIDs, id) {
			g.SampleAccountIDs = append(g.SampleAccountIDs, id)
		}
	}
	return g
}
