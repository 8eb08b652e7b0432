package social

import (
	"context"
	"errors"

	"github.com/starling-social/starling/go/store"
	"github.com/starling-social/starling/go/tracing"
)

// Cursor is the ID range of a page whose items are not paged by their own
// IDs (favourites by favourite row, followers by follow row): the Link
// header's max_id and min_id. Zero when the page is empty.
type Cursor struct {
	Newest, Oldest int64
}

// DeleteStatus deletes one of viewer's own statuses (or reblogs) and
// returns it, with its source text, for the "delete and redraft" response.
// Its own statuses are the viewer's to delete even where the visibility
// rule hides them from it (a boost whose original's author has blocked the
// viewer since), as Mastodon finds them among the viewer's own.
func (s *Service) DeleteStatus(ctx context.Context, viewer *store.Account, id int64) (*store.Status, error) {
	st, _, err := s.RedraftStatus(ctx, viewer, id, false)
	return st, err
}

// RedraftStatus is DeleteStatus returning the status's attachments too:
// unless deleteMedia, they become the viewer's unposted uploads again (for
// UnattachedMediaTTL), so the client can post them again, as Mastodon's
// "delete and redraft" does; with deleteMedia they are deleted with it.
func (s *Service) RedraftStatus(ctx context.Context, viewer *store.Account, id int64, deleteMedia bool) (*store.Status, []*store.MediaAttachment, error) {
	const op = "social.DeleteStatus"
	st, err := s.store.GetStatusByID(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil, notFound(op, "Record not found")
	}
	if err != nil {
		return nil, nil, internal(op, err)
	}
	if st.AccountID != viewer.ID {
		// Someone else's: whether it exists is told only to those who may
		// see it.
		if _, err := s.GetStatus(ctx, viewer, id); err != nil {
			return nil, nil, err
		}
		return nil, nil, &Error{Op: op, Kind: KindForbidden, Safe: "This action is not allowed"}
	}
	return s.removeStatus(ctx, op, id, deleteMedia, nil)
}

// removeStatus deletes status id, with its reblogs, and tells the index
// and the streams (the home feeds drop it through the delete events). Its
// attachments are deleted with it when deleteMedia, else detached and
// returned (see RedraftStatus). A moderator's removal passes its audit
// entry, written in the delete's transaction; an author's passes nil.
func (s *Service) removeStatus(ctx context.Context, op string, id int64, deleteMedia bool, audit *store.AdminAction) (*store.Status, []*store.MediaAttachment, error) {
	tags, mentioned, err := s.streamFacts(ctx, id)
	if err != nil {
		return nil, nil, internal(op, err)
	}
	media, err := s.store.GetStatusMedia(ctx, []int64{id})
	if err != nil {
		return nil, nil, internal(op, err)
	}
	if !deleteMedia && len(media[id]) > 0 {
		// Detached first: if the delete then fails, they are unposted
		// uploads, which the clean-up removes in time.
		if err := s.store.DetachStatusMedia(ctx, id, s.nowUTC()); err != nil {
			return nil, nil, internal(op, err)
		}
	}
	var (
		deleted *store.Status
		reblogs []*store.Status
	)
	if audit != nil {
		deleted, reblogs, err = s.store.DeleteStatusAudited(ctx, id, audit)
	} else {
		deleted, reblogs, err = s.store.DeleteStatusByID(ctx, id)
	}
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil, notFound(op, "Record not found")
	}
	if err != nil {
		return nil, nil, internal(op, err)
	}
	if deleteMedia {
		// The rows went with the status (ON DELETE CASCADE); the files go now.
		s.removeUnusedFiles(ctx, media[id]...)
	}
	if s.index != nil {
		// Its vector goes with it: a deleted status left in the index
		// would crowd live ones out of every search's candidates.
		s.index.StatusesDeleted(ctx, []int64{deleted.ID})
	}
	s.publishDelete(ctx, deleted, tags, mentioned)
	// The reblogs went with the status: the streams that showed them
	// (their boosters' homes) must drop them as well.
	for _, rb := range reblogs {
		s.publishDelete(ctx, rb, nil, nil) // a reblog has no text of its own
	}
	return deleted, media[id], nil
}

// interactable loads the status viewer acts on: visible to the viewer, and
// for a reblog its original (favouriting a boost favourites the post), as
// Mastodon does. Favourite and reblog, and their undos, share it.
func (s *Service) interactable(ctx context.Context, viewer *store.Account, id int64) (*store.Status, error) {
	st, err := s.GetStatus(ctx, viewer, id)
	if err != nil {
		return nil, err
	}
	if st.ReblogOfID != 0 {
		return s.GetStatus(ctx, viewer, st.ReblogOfID)
	}
	return st, nil
}

// reload reads a status again after a write, for its new counts.
func (s *Service) reload(ctx context.Context, op string, id int64) (*store.Status, error) {
	st, err := s.store.GetStatusByID(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return nil, notFound(op, "Record not found")
	}
	if err != nil {
		return nil, internal(op, err)
	}
	return st, nil
}

// Favourite favourites a status and notifies its author, in one
// transaction. Favouriting twice is not an error: it returns the status.
func (s *Service) Favourite(ctx context.Context, viewer *store.Account, id int64) (*store.Status, error) {
	const op = "social.Favourite"
	st, err := s.interactable(ctx, viewer, id)
	if err != nil {
		return nil, err
	}
	favID, err := s.newID(ctx, op)
	if err != nil {
		return nil, err
	}
	f := &store.Favourite{ID: favID, AccountID: viewer.ID, StatusID: st.ID, CreatedAt: s.nowUTC()}
	var n *store.Notification
	if st.AccountID != viewer.ID {
		fav, err := s.newNotification(ctx, op, st.AccountID, viewer.ID, store.NotificationFavourite, st.ID)
		if err != nil {
			return nil, err
		}
		ns, err := s.unlessConversationMuted(ctx, st.ID, []*store.Notification{fav})
		if err != nil {
			return nil, err
		}
		if len(ns) == 1 {
			n = ns[0]
		}
	}
	switch err := s.store.PutFavourite(ctx, f, n); {
	case errors.Is(err, store.ErrConflict):
	case errors.Is(err, store.ErrNotFound):
		return nil, notFound(op, "Record not found") // deleted meanwhile
	case err != nil:
		return nil, internal(op, err)
	case n != nil:
		s.publishNotifications(ctx, []*store.Notification{n})
	}
	return s.reload(ctx, op, st.ID)
}

// Unfavourite removes the viewer's favourite, if any, and returns the status.
func (s *Service) Unfavourite(ctx context.Context, viewer *store.Account, id int64) (*store.Status, error) {
	const op = "social.Unfavourite"
	st, err := s.interactable(ctx, viewer, id)
	if err != nil {
		return nil, err
	}
	if err := s.store.DeleteFavourite(ctx, viewer.ID, st.ID); err != nil && !errors.Is(err, store.ErrNotFound) {
		return nil, internal(op, err)
	}
	return s.reload(ctx, op, st.ID)
}

// Reblog boosts a status with visibility vis ("" is public) and notifies
// its author. Reblogging twice returns the existing reblog. Private
// statuses may only be boosted by their author, direct ones never: a boost
// would show them to an audience the author did not choose. For the same
// reason a boost of a private status is private whatever vis says, as
// Mastodon's ReblogService keeps a hidden original's visibility.
func (s *Service) Reblog(ctx context.Context, viewer *store.Account, id int64, vis string) (*store.Status, error) {
	const op = "social.Reblog"
	orig, err := s.interactable(ctx, viewer, id)
	if err != nil {
		return nil, err
	}
	if orig.Visibility == store.VisibilityDirect ||
		orig.Visibility == store.VisibilityPrivate && orig.AccountID != viewer.ID {
		return nil, &Error{Op: op, Kind: KindForbidden, Safe: "This action is not allowed"}
	}
	v := store.Visibility(vis)
	switch v {
	case "":
		v = store.VisibilityPublic
	case store.VisibilityPublic, store.VisibilityUnlisted, store.VisibilityPrivate:
	default:
		return nil, invalid(op, "Validation failed: Visibility is not included in the list")
	}
	if orig.Visibility == store.VisibilityPrivate {
		v = store.VisibilityPrivate
	}
	rbID, err := s.newID(ctx, op)
	if err != nil {
		return nil, err
	}
	rb := &store.Status{ID: rbID, AccountID: viewer.ID, ReblogOfID: orig.ID,
		Visibility: v, CreatedAt: s.nowUTC()}
	w := &store.StatusWrite{Status: rb, OutboxAt: s.outboxAt(), OutboxTraceParent: tracing.TraceParent(ctx)}
	if orig.AccountID != viewer.ID {
		n, err := s.newNotification(ctx, op, orig.AccountID, viewer.ID, store.NotificationReblog, orig.ID)
		if err != nil {
			return nil, err
		}
		w.Notifications, err = s.unlessConversationMuted(ctx, orig.ID, []*store.Notification{n})
		if err != nil {
			return nil, err
		}
	}
	switch err := s.store.PutStatusWrite(ctx, w); {
	case errors.Is(err, store.ErrConflict):
		existing, err := s.store.GetReblog(ctx, viewer.ID, orig.ID)
		if err != nil {
			return nil, internal(op, err)
		}
		return existing, nil
	case errors.Is(err, store.ErrNotFound):
		return nil, notFound(op, "Record not found")
	case err != nil:
		return nil, internal(op, err)
	}
	s.deliver(ctx, viewer, rb, nil, nil)
	s.publishNotifications(ctx, w.Notifications)
	return rb, nil
}

// Unreblog deletes the viewer's reblog of a status, if any, and returns
// the original.
func (s *Service) Unreblog(ctx context.Context, viewer *store.Account, id int64) (*store.Status, error) {
	const op = "social.Unreblog"
	orig, err := s.interactable(ctx, viewer, id)
	if err != nil {
		return nil, err
	}
	rb, err := s.store.GetReblog(ctx, viewer.ID, orig.ID)
	switch {
	case errors.Is(err, store.ErrNotFound):
		return orig, nil
	case err != nil:
		return nil, internal(op, err)
	}
	deleted, _, err := s.store.DeleteStatusByID(ctx, rb.ID) // a reblog has no reblogs
	switch {
	case errors.Is(err, store.ErrNotFound): // a concurrent unreblog won
	case err != nil:
		return nil, internal(op, err)
	default:
		s.publishDelete(ctx, deleted, nil, nil)
	}
	return s.reload(ctx, op, orig.ID)
}

// Bookmark bookmarks a status for the viewer (idempotent).
func (s *Service) Bookmark(ctx context.Context, viewer *store.Account, id int64) (*store.Status, error) {
	const op = "social.Bookmark"
	st, err := s.interactable(ctx, viewer, id)
	if err != nil {
		return nil, err
	}
	bid, err := s.newID(ctx, op)
	if err != nil {
		return nil, err
	}
	err = s.store.PutBookmark(ctx, &store.Bookmark{ID: bid, AccountID: viewer.ID, StatusID: st.ID, CreatedAt: s.nowUTC()})
	switch {
	case errors.Is(err, store.ErrConflict):
	case errors.Is(err, store.ErrNotFound):
		return nil, notFound(op, "Record not found")
	case err != nil:
		return nil, internal(op, err)
	}
	return st, nil
}

// Unbookmark removes the viewer's bookmark, if any.
func (s *Service) Unbookmark(ctx context.Context, viewer *store.Account, id int64) (*store.Status, error) {
	const op = "social.Unbookmark"
	st, err := s.interactable(ctx, viewer, id)
	if err != nil {
		return nil, err
	}
	if err := s.store.DeleteBookmark(ctx, viewer.ID, st.ID); err != nil && !errors.Is(err, store.ErrNotFound) {
		return nil, internal(op, err)
	}
	return st, nil
}

// FavouritedBy lists the accounts that favourited a status the viewer may
// see, newest favourite first, by the account-list rule (accountList); the
// cursor is in favourite IDs.
func (s *Service) FavouritedBy(ctx context.Context, viewer *store.Account, id int64, page store.Page) (*AccountPage, error) {
	const op = "social.FavouritedBy"
	st, err := s.interactable(ctx, viewer, id)
	if err != nil {
		return nil, err
	}
	favs, err := s.store.ListFavouritedBy(ctx, st.ID, page)
	if err != nil {
		return nil, internal(op, err)
	}
	rowIDs, accountIDs := make([]int64, len(favs)), make([]int64, len(favs))
	for i, f := range favs {
		rowIDs[i], accountIDs[i] = f.ID, f.AccountID
	}
	return s.accountList(ctx, op, viewer, rowIDs, accountIDs)
}

// RebloggedBy lists the accounts that reblogged a status the viewer may
// see, newest reblog first, by the account-list rule (accountList); the
// cursor is in reblog status IDs.
func (s *Service) RebloggedBy(ctx context.Context, viewer *store.Account, id int64, page store.Page) (*AccountPage, error) {
	const op = "social.RebloggedBy"
	st, err := s.interactable(ctx, viewer, id)
	if err != nil {
		return nil, err
	}
	rbs, err := s.store.ListRebloggedBy(ctx, st.ID, page)
	if err != nil {
		return nil, internal(op, err)
	}
	// Boosts the viewer may not see (a private boost) do not name their
	// booster either.
	vis, err := s.filterVisible(ctx, viewer, rbs, readDirect)
	if err != nil {
		return nil, err
	}
	rowIDs, accountIDs := make([]int64, len(rbs)), make([]int64, len(vis))
	for i, rb := range rbs {
		rowIDs[i] = rb.ID
	}
	for i, rb := range vis {
		accountIDs[i] = rb.AccountID
	}
	return s.accountList(ctx, op, viewer, rowIDs, accountIDs)
}

// accountsInOrder loads accounts by ID in one query, keeping ids' order.
func (s *Service) accountsInOrder(ctx context.Context, ids []int64) ([]*store.Account, error) {
	m, err := s.AccountsByIDs(ctx, ids)
	if err != nil {
		return nil, err
	}
	out := make([]*store.Account, 0, len(ids))
	for _, id := range ids {
		if a, ok := m[id]; ok {
			out = append(out, a)
		}
	}
	return out, nil
}

// Favourites lists the statuses the viewer favourited that it may still
// see, newest favourite first; the cursor is in favourite IDs.
func (s *Service) Favourites(ctx context.Context, viewer *store.Account, page store.Page) ([]*store.Status, Cursor, error) {
	const op = "social.Favourites"
	favs, err := s.store.ListFavourites(ctx, viewer.ID, page)
	if err != nil {
		return nil, Cursor{}, internal(op, err)
	}
	ids := make([]int64, len(favs))
	for i, f := range favs {
		ids[i] = f.StatusID
	}
	var c Cursor
	if len(favs) > 0 {
		c = Cursor{Newest: favs[0].ID, Oldest: favs[len(favs)-1].ID}
	}
	sts, err := s.visibleInOrder(ctx, op, viewer, ids)
	return sts, c, err
}

// Bookmarks lists the viewer's bookmarked statuses it may still see,
// newest bookmark first; the cursor is in bookmark IDs.
func (s *Service) Bookmarks(ctx context.Context, viewer *store.Account, page store.Page) ([]*store.Status, Cursor, error) {
	const op = "social.Bookmarks"
	bms, err := s.store.ListBookmarks(ctx, viewer.ID, page)
	if err != nil {
		return nil, Cursor{}, internal(op, err)
	}
	ids := make([]int64, len(bms))
	for i, b := range bms {
		ids[i] = b.StatusID
	}
	var c Cursor
	if len(bms) > 0 {
		c = Cursor{Newest: bms[0].ID, Oldest: bms[len(bms)-1].ID}
	}
	sts, err := s.visibleInOrder(ctx, op, viewer, ids)
	return sts, c, err
}

// visibleInOrder loads statuses by ID in one query and keeps those the
// viewer may see, in ids' order.
func (s *Service) visibleInOrder(ctx context.Context, op string, viewer *store.Account, ids []int64) ([]*store.Status, error) {
	ordered, err := s.statusesInOrder(ctx, op, ids)
	if err != nil {
		return nil, err
	}
	return s.filterVisible(ctx, viewer, ordered, readDirect)
}
