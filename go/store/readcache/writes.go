package readcache

import (
	"context"
	"time"

	"github.com/starling-social/starling/go/store"
)

// The write methods below call the store, then bump what the write may
// have changed: after the commit, before the caller (and so any client)
// learns the write happened. They bump on errors too: an error may come
// after the commit (a cancelled context), and a needless bump costs one
// read.

// unaffected lists the store's write methods that change nothing this
// package caches, each with the reason; every other write method is
// overridden in this file (TestEveryWriteIsClassified).
var unaffected = map[string]string{
	"ClaimDueScheduledStatuses":   "scheduled statuses are not cached; publishing goes through PutStatusWrite",
	"ClaimOutbox":                 "outbox leases",
	"OldestOutbox":                "a read (named without Get): the outbox's oldest pending event",
	"ClearNotifications":          "notifications",
	"DeleteAccountConversation":   "conversations",
	"DeleteAnnouncement":          "announcements",
	"DeleteAnnouncementReaction":  "announcements",
	"DeleteExpiredAuthCodes":      "authorization codes (their tokens are revoked by DeleteAuthCodeToken)",
	"DeleteFeaturedTag":           "featured tags are not part of a cached row",
	"DeleteListAccounts":          "lists",
	"DeleteListByID":              "lists",
	"DeleteNotification":          "notifications",
	"DeleteNotificationGroup":     "notifications",
	"DeleteOutbox":                "outbox",
	"DeleteScheduledStatus":       "scheduled statuses",
	"MarkAccountConversationRead": "conversations",
	"PutAccount":                  "a new account: absent rows are never cached",
	"PutAccountNote":              "notes",
	"PutAccountPreferences":       "preferences",
	"PutAdminAction":              "audit log (the action itself is another write)",
	"PutAnnouncement":             "announcements",
	"PutAnnouncementDismissal":    "announcements",
	"PutAnnouncementReaction":     "announcements",
	"PutApp":                      "apps",
	"PutAuthCode":                 "authorization codes",
	"PutFeaturedTag":              "featured tags are not part of a cached row",
	"PutList":                     "lists",
	"PutListAccounts":             "lists",
	"UpdateList":                  "lists",
	"PutMarker":                   "markers",
	"PutMediaAttachment":          "an unattached upload; attaching goes through PutStatusWrite or EditStatus",
	"PutNotification":             "notifications",
	"PutPolicyDecision":           "policy audit log",
	"PutPollEndNotifications":     "notifications",
	"PutPollVotes":                "votes are counted apart (GetPollResults, not cached); the poll row does not change",
	"PutReport":                   "reports",
	"ResolveReport":               "reports",
	"PutScheduledStatus":          "scheduled statuses",
	"RescheduleStatus":            "scheduled statuses",
	"PutStatusVectors":            "search vectors",
	"PutSuggestionDismissal":      "suggestions",
	"PutToken":                    "a new token: absent rows are never cached",
	"RedeemAuthCode":              "a new token: absent rows are never cached",
}

// statusWritten bumps what posting st changes: the status, the original it
// reblogs and the status it replies to (counts), the author (counts, and
// the "reblogged" flag), its media and poll.
func (s *Store) statusWritten(st *store.Status) {
	if st == nil {
		s.statuses.bumpAll()
		s.accounts.bumpAll()
		s.flags.bumpAll()
		s.media.bumpAll()
		s.polls.bumpAll()
		return
	}
	s.statuses.bump(st.ID, st.ReblogOfID, st.InReplyToID)
	s.accounts.bump(st.AccountID)
	s.viewerChanged(st.AccountID)
	s.media.bump(st.ID)
	s.polls.bump(st.ID)
}

// PutStatus bumps the status, its original, its parent and its author.
func (s *Store) PutStatus(ctx context.Context, st *store.Status) error {
	defer s.statusWritten(st)
	return s.Store.PutStatus(ctx, st)
}

// PutStatusWrite bumps as PutStatus.
func (s *Store) PutStatusWrite(ctx context.Context, w *store.StatusWrite) error {
	var st *store.Status
	if w != nil {
		st = w.Status
	}
	defer s.statusWritten(st)
	return s.Store.PutStatusWrite(ctx, w)
}

// EditStatus bumps the status, its media and its poll.
func (s *Store) EditStatus(ctx context.Context, w *store.StatusEditWrite) error {
	defer func() {
		if w == nil || w.Status == nil {
			s.statuses.bumpAll()
			s.media.bumpAll()
			s.polls.bumpAll()
			return
		}
		s.statuses.bump(w.Status.ID)
		s.media.bump(w.Status.ID)
		s.polls.bump(w.Status.ID)
	}()
	return s.Store.EditStatus(ctx, w)
}

// DeleteStatusByID invalidates every status (the deletion reaches the
// status's reblogs, its parent's count and its replies' rows), the
// authors of what was deleted, and every filter (filters name statuses).
func (s *Store) DeleteStatusByID(ctx context.Context, id int64) (*store.Status, []*store.Status, error) {
	st, reblogs, err := s.Store.DeleteStatusByID(ctx, id)
	s.statusDeleted(id, st, reblogs)
	return st, reblogs, err
}

// statusDeleted bumps what deleting status id changed; st and reblogs are
// what the store says it deleted (nil when unknown).
func (s *Store) statusDeleted(id int64, st *store.Status, reblogs []*store.Status) {
	s.statuses.bumpAll()
	s.filters.bumpAll()
	s.media.bump(id)
	s.polls.bump(id)
	if st == nil {
		s.accounts.bumpAll()
		s.flags.bumpAll()
		s.pins.bumpAll()
		return
	}
	authors := []int64{st.AccountID}
	for _, r := range reblogs {
		authors = append(authors, r.AccountID)
	}
	s.accounts.bump(authors...)
	s.viewerChanged(authors...)
}

// DeleteStatusAudited bumps as DeleteStatusByID (the audit entry is not
// cached).
func (s *Store) DeleteStatusAudited(ctx context.Context, id int64, a *store.AdminAction) (*store.Status, []*store.Status, error) {
	st, reblogs, err := s.Store.DeleteStatusAudited(ctx, id, a)
	s.statusDeleted(id, st, reblogs)
	return st, reblogs, err
}

// ModerateAccount bumps the account (its SuspendedAt and SilencedAt) and
// every viewer's relations, which list the suspended and silenced
// accounts of the whole instance for the visibility rule.
func (s *Store) ModerateAccount(ctx context.Context, id int64, m store.AccountModeration) (*store.Account, error) {
	defer func() {
		s.accounts.bump(id)
		s.relations.bumpAll()
	}()
	return s.Store.ModerateAccount(ctx, id, m)
}

// PutFavourite bumps the status (its count) and the viewer (its flag).
func (s *Store) PutFavourite(ctx context.Context, f *store.Favourite, n *store.Notification) error {
	defer s.interacted(f.AccountID, f.StatusID)
	return s.Store.PutFavourite(ctx, f, n)
}

// DeleteFavourite bumps as PutFavourite.
func (s *Store) DeleteFavourite(ctx context.Context, accountID, statusID int64) error {
	defer s.interacted(accountID, statusID)
	return s.Store.DeleteFavourite(ctx, accountID, statusID)
}

func (s *Store) interacted(accountID, statusID int64) {
	s.statuses.bump(statusID)
	s.viewerChanged(accountID)
}

// PutBookmark bumps the viewer.
func (s *Store) PutBookmark(ctx context.Context, b *store.Bookmark) error {
	defer s.viewerChanged(b.AccountID)
	return s.Store.PutBookmark(ctx, b)
}

// DeleteBookmark bumps the viewer.
func (s *Store) DeleteBookmark(ctx context.Context, accountID, statusID int64) error {
	defer s.viewerChanged(accountID)
	return s.Store.DeleteBookmark(ctx, accountID, statusID)
}

// PutConversationMute bumps the viewer.
func (s *Store) PutConversationMute(ctx context.Context, accountID, statusID int64, createdAt time.Time, max int) error {
	defer s.viewerChanged(accountID)
	return s.Store.PutConversationMute(ctx, accountID, statusID, createdAt, max)
}

// DeleteConversationMute bumps the viewer.
func (s *Store) DeleteConversationMute(ctx context.Context, accountID, statusID int64) error {
	defer s.viewerChanged(accountID)
	return s.Store.DeleteConversationMute(ctx, accountID, statusID)
}

// PutStatusPin bumps the viewer.
func (s *Store) PutStatusPin(ctx context.Context, p *store.StatusPin, max int) error {
	defer s.viewerChanged(p.AccountID)
	return s.Store.PutStatusPin(ctx, p, max)
}

// DeleteStatusPin bumps the viewer.
func (s *Store) DeleteStatusPin(ctx context.Context, accountID, statusID int64) error {
	defer s.viewerChanged(accountID)
	return s.Store.DeleteStatusPin(ctx, accountID, statusID)
}

// PutTagFollow bumps the viewer.
func (s *Store) PutTagFollow(ctx context.Context, tf *store.TagFollow, max int) error {
	defer s.viewerChanged(tf.AccountID)
	return s.Store.PutTagFollow(ctx, tf, max)
}

// DeleteTagFollow bumps the viewer.
func (s *Store) DeleteTagFollow(ctx context.Context, accountID int64, name string) error {
	defer s.viewerChanged(accountID)
	return s.Store.DeleteTagFollow(ctx, accountID, name)
}

// PutAccountDomainBlock bumps the viewer.
func (s *Store) PutAccountDomainBlock(ctx context.Context, b *store.AccountDomainBlock, max int) error {
	defer s.viewerChanged(b.AccountID)
	return s.Store.PutAccountDomainBlock(ctx, b, max)
}

// DeleteAccountDomainBlock bumps the viewer.
func (s *Store) DeleteAccountDomainBlock(ctx context.Context, accountID int64, domain string) error {
	defer s.viewerChanged(accountID)
	return s.Store.DeleteAccountDomainBlock(ctx, accountID, domain)
}

// related bumps both ends of a relationship: their counts and everything
// cached per viewer.
func (s *Store) related(a, b int64) {
	s.accounts.bump(a, b)
	s.viewerChanged(a, b)
}

// PutFollow bumps both accounts.
func (s *Store) PutFollow(ctx context.Context, f *store.Follow) error {
	defer s.related(f.AccountID, f.TargetAccountID)
	return s.Store.PutFollow(ctx, f)
}

// UpdateFollow bumps both accounts.
func (s *Store) UpdateFollow(ctx context.Context, f *store.Follow, columns ...string) error {
	defer s.related(f.AccountID, f.TargetAccountID)
	return s.Store.UpdateFollow(ctx, f, columns...)
}

// DeleteFollow bumps both accounts.
func (s *Store) DeleteFollow(ctx context.Context, accountID, targetID int64) error {
	defer s.related(accountID, targetID)
	return s.Store.DeleteFollow(ctx, accountID, targetID)
}

// PutFollowRequest bumps both accounts.
func (s *Store) PutFollowRequest(ctx context.Context, r *store.FollowRequest) error {
	defer s.related(r.AccountID, r.TargetAccountID)
	return s.Store.PutFollowRequest(ctx, r)
}

// DeleteFollowRequest bumps both accounts.
func (s *Store) DeleteFollowRequest(ctx context.Context, accountID, targetID int64) error {
	defer s.related(accountID, targetID)
	return s.Store.DeleteFollowRequest(ctx, accountID, targetID)
}

// AuthorizeFollowRequest bumps both accounts.
func (s *Store) AuthorizeFollowRequest(ctx context.Context, accountID, targetID, followID int64, createdAt time.Time) (*store.Follow, error) {
	defer s.related(accountID, targetID)
	return s.Store.AuthorizeFollowRequest(ctx, accountID, targetID, followID, createdAt)
}

// PutBlock bumps both accounts (a block ends follows both ways) and every
// status, in case the block removed interactions.
func (s *Store) PutBlock(ctx context.Context, b *store.Block) error {
	defer func() {
		s.related(b.AccountID, b.TargetAccountID)
		s.statuses.bumpAll()
	}()
	return s.Store.PutBlock(ctx, b)
}

// DeleteBlock bumps both accounts.
func (s *Store) DeleteBlock(ctx context.Context, accountID, targetID int64) error {
	defer s.related(accountID, targetID)
	return s.Store.DeleteBlock(ctx, accountID, targetID)
}

// PutMute bumps both accounts.
func (s *Store) PutMute(ctx context.Context, m *store.Mute) error {
	defer s.related(m.AccountID, m.TargetAccountID)
	return s.Store.PutMute(ctx, m)
}

// DeleteMute bumps both accounts.
func (s *Store) DeleteMute(ctx context.Context, accountID, targetID int64) error {
	defer s.related(accountID, targetID)
	return s.Store.DeleteMute(ctx, accountID, targetID)
}

// UpdateAccount bumps the account.
func (s *Store) UpdateAccount(ctx context.Context, a *store.Account, columns ...string) error {
	defer s.accounts.bump(a.ID)
	return s.Store.UpdateAccount(ctx, a, columns...)
}

// DeleteTokenByHash invalidates every cached token.
func (s *Store) DeleteTokenByHash(ctx context.Context, hash []byte) error {
	defer s.tokens.bumpAll()
	return s.Store.DeleteTokenByHash(ctx, hash)
}

// DeleteAuthCodeToken invalidates every cached token.
func (s *Store) DeleteAuthCodeToken(ctx context.Context, codeID int64) error {
	defer s.tokens.bumpAll()
	return s.Store.DeleteAuthCodeToken(ctx, codeID)
}

// PutFilter bumps the account's filters.
func (s *Store) PutFilter(ctx context.Context, f *store.Filter, lim store.FilterLimits) error {
	defer s.filters.bump(f.AccountID)
	return s.Store.PutFilter(ctx, f, lim)
}

// UpdateFilter bumps the account's filters.
func (s *Store) UpdateFilter(ctx context.Context, u *store.FilterUpdate, lim store.FilterLimits) error {
	defer func() {
		if u == nil || u.Filter == nil {
			s.filters.bumpAll()
			return
		}
		s.filters.bump(u.Filter.AccountID)
	}()
	return s.Store.UpdateFilter(ctx, u, lim)
}

// DeleteFilter bumps the account's filters.
func (s *Store) DeleteFilter(ctx context.Context, accountID, id int64) error {
	defer s.filters.bump(accountID)
	return s.Store.DeleteFilter(ctx, accountID, id)
}

// PutFilterStatus bumps the account's filters.
func (s *Store) PutFilterStatus(ctx context.Context, accountID int64, fs *store.FilterStatus, max int) error {
	defer s.filters.bump(accountID)
	return s.Store.PutFilterStatus(ctx, accountID, fs, max)
}

// DeleteFilterStatus bumps the account's filters.
func (s *Store) DeleteFilterStatus(ctx context.Context, accountID, id int64) error {
	defer s.filters.bump(accountID)
	return s.Store.DeleteFilterStatus(ctx, accountID, id)
}

// UpdateMediaAttachment invalidates every status's media (the attachment
// names no status).
func (s *Store) UpdateMediaAttachment(ctx context.Context, m *store.MediaAttachment, columns ...string) error {
	defer s.media.bumpAll()
	return s.Store.UpdateMediaAttachment(ctx, m, columns...)
}

// DetachStatusMedia bumps the status's media.
func (s *Store) DetachStatusMedia(ctx context.Context, statusID int64, at time.Time) error {
	defer s.media.bump(statusID)
	return s.Store.DetachStatusMedia(ctx, statusID, at)
}

// DeleteMediaAttachmentByID invalidates every status's media (only
// unattached uploads are deleted, but the cost of being sure is nil).
func (s *Store) DeleteMediaAttachmentByID(ctx context.Context, id int64) error {
	defer s.media.bumpAll()
	return s.Store.DeleteMediaAttachmentByID(ctx, id)
}
