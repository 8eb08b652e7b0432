package social

import (
	"context"
	"errors"

	"github.com/starling-social/starling/go/store"
)

// FollowRequests lists the accounts asking to follow viewer, newest request
// first.
func (s *Service) FollowRequests(ctx context.Context, viewer *store.Account, page store.Page) (*AccountPage, error) {
	const op = "social.FollowRequests"
	rows, err := s.store.ListFollowRequests(ctx, viewer.ID, page)
	if err != nil {
		return nil, internal(op, err)
	}
	rowIDs, accountIDs := make([]int64, len(rows)), make([]int64, len(rows))
	for i, fr := range rows {
		rowIDs[i], accountIDs[i] = fr.ID, fr.AccountID
	}
	return s.accountPage(ctx, op, rowIDs, accountIDs, nil)
}

// AuthorizeFollowRequest accepts requesterID's request to follow viewer:
// the request becomes a follow, in one store transaction.
func (s *Service) AuthorizeFollowRequest(ctx context.Context, viewer *store.Account, requesterID int64) (*Relationship, error) {
	const op = "social.AuthorizeFollowRequest"
	if _, err := s.GetAccount(ctx, requesterID); err != nil {
		return nil, err
	}
	id, err := s.newID(ctx, op)
	if err != nil {
		return nil, err
	}
	_, err = s.store.AuthorizeFollowRequest(ctx, requesterID, viewer.ID, id, s.nowUTC())
	switch {
	case errors.Is(err, store.ErrNotFound):
		return nil, notFound(op, "Record not found")
	case errors.Is(err, store.ErrBlocked):
		// A request left across a block (from before the store checked
		// blocks): it grants nothing, so it goes, and it is answered as
		// the block would have left it, absent.
		if err := s.store.DeleteFollowRequest(ctx, requesterID, viewer.ID); err != nil && !errors.Is(err, store.ErrNotFound) {
			return nil, internal(op, err)
		}
		return nil, notFound(op, "Record not found")
	case errors.Is(err, store.ErrConflict):
		// Already following (a request left over from a race): the request
		// has nothing left to grant.
		if err := s.store.DeleteFollowRequest(ctx, requesterID, viewer.ID); err != nil && !errors.Is(err, store.ErrNotFound) {
			return nil, internal(op, err)
		}
	case err != nil:
		return nil, internal(op, err)
	}
	s.relationshipChanged(ctx, viewer.ID, requesterID)
	return s.Relationship(ctx, viewer, requesterID)
}

// RejectFollowRequest drops requesterID's request to follow viewer.
func (s *Service) RejectFollowRequest(ctx context.Context, viewer *store.Account, requesterID int64) (*Relationship, error) {
	const op = "social.RejectFollowRequest"
	if _, err := s.GetAccount(ctx, requesterID); err != nil {
		return nil, err
	}
	err := s.store.DeleteFollowRequest(ctx, requesterID, viewer.ID)
	if errors.Is(err, store.ErrNotFound) {
		return nil, notFound(op, "Record not found")
	}
	if err != nil {
		return nil, internal(op, err)
	}
	return s.Relationship(ctx, viewer, requesterID)
}

// notifyRelationship tells targetID that fromID followed it or asked to,
// through the one notification path (notify). The follow is already
// committed, so a failed notification is logged, not returned: the
// client's action did happen.
func (s *Service) notifyRelationship(ctx context.Context, typ store.NotificationType, fromID, targetID int64) {
	if err := s.notify(ctx, targetID, fromID, typ, 0); err != nil {
		s.log.WarnContext(ctx, "relationship notification failed", "type", typ, "from", fromID, "to", targetID, "err", err)
	}
}
