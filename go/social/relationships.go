package social

import (
	"context"
	"errors"

	"github.com/starling-social/starling/go/store"
)

// Relationship is the viewer's relation to another account (Mastodon's
// Relationship entity).
type Relationship struct {
	TargetID            int64
	Following           bool
	ShowingReblogs      bool // of the follow, or of the pending request
	Notifying           bool // of the follow, or of the pending request
	FollowedBy          bool
	Blocking            bool
	BlockedBy           bool
	Muting              bool
	MutingNotifications bool
	Requested           bool   // the viewer asked to follow a locked account
	RequestedBy         bool   // the target asked to follow the viewer
	Note                string // the viewer's private note on the target
}

// FollowOptions are the optional parameters of a follow.
type FollowOptions struct {
	Reblogs *bool // show the target's reblogs in home (default true)
	Notify  *bool // notify on the target's posts (default false)
}

// errNotAllowed is Mastodon's answer to acting on an account across a block.
func errNotAllowed(op string) error {
	return &Error{Op: op, Kind: KindForbidden, Safe: "This action is not allowed"}
}

// Follow makes viewer follow targetID, or, when the target is locked, asks
// to. It is idempotent, as Mastodon's is: following again returns the
// current relationship, and updates the follow's reblogs and notify options
// when they are given. A block either way forbids it.
func (s *Service) Follow(ctx context.Context, viewer *store.Account, targetID int64, opts FollowOptions) (*Relationship, error) {
	const op = "social.Follow"
	if targetID == viewer.ID {
		return nil, &Error{Op: op, Kind: KindForbidden, Safe: "You cannot follow yourself"}
	}
	target, err := s.GetAccount(ctx, targetID)
	if err != nil {
		return nil, err
	}
	rel, err := s.Relationship(ctx, viewer, targetID)
	if err != nil {
		return nil, err
	}
	if rel.Blocking || rel.BlockedBy {
		return nil, errNotAllowed(op)
	}
	reblogs, notify := opts.Reblogs == nil || *opts.Reblogs, opts.Notify != nil && *opts.Notify
	switch {
	case rel.Following:
		// Mastodon changes the options of an existing follow in place.
		f := &store.Follow{AccountID: viewer.ID, TargetAccountID: targetID, ShowReblogs: reblogs, Notify: notify}
		var cols []string
		if opts.Reblogs != nil && *opts.Reblogs != rel.ShowingReblogs {
			cols = append(cols, "show_reblogs")
		}
		if opts.Notify != nil && *opts.Notify != rel.Notifying {
			cols = append(cols, "notify")
		}
		if len(cols) == 0 {
			return rel, nil
		}
		if err := s.store.UpdateFollow(ctx, f, cols...); err != nil && !errors.Is(err, store.ErrNotFound) {
			return nil, internal(op, err)
		}
	case rel.Requested:
		return rel, nil // still waiting for the target's answer
	case target.Locked:
		id, err := s.newID(ctx, op)
		if err != nil {
			return nil, err
		}
		fr := &store.FollowRequest{
			ID: id, AccountID: viewer.ID, TargetAccountID: targetID,
			ShowReblogs: reblogs, Notify: notify, CreatedAt: s.nowUTC(),
		}
		if err := s.store.PutFollowRequest(ctx, fr); err != nil {
			if errors.Is(err, store.ErrConflict) {
				break // a concurrent request won; same outcome
			}
			if errors.Is(err, store.ErrBlocked) {
				return nil, errNotAllowed(op) // a block committed after the check above
			}
			return nil, internal(op, err)
		}
		s.notifyRelationship(ctx, store.NotificationFollowRequest, viewer.ID, targetID)
	default:
		id, err := s.newID(ctx, op)
		if err != nil {
			return nil, err
		}
		f := &store.Follow{
			ID: id, AccountID: viewer.ID, TargetAccountID: targetID,
			ShowReblogs: reblogs, Notify: notify, CreatedAt: s.nowUTC(),
		}
		if err := s.store.PutFollow(ctx, f); err != nil {
			if errors.Is(err, store.ErrConflict) {
				break
			}
			if errors.Is(err, store.ErrBlocked) {
				// A block committed after the check above; the store
				// checks again inside the follow's transaction.
				return nil, errNotAllowed(op)
			}
			return nil, internal(op, err)
		}
		s.notifyRelationship(ctx, store.NotificationFollow, viewer.ID, targetID)
	}
	s.relationshipChanged(ctx, viewer.ID, targetID)
	return s.Relationship(ctx, viewer, targetID)
}

// Unfollow removes the follow (and, in the same transaction, the account
// from viewer's lists, as Mastodon does), and withdraws a pending follow
// request, if there is one; unfollowing an account not followed is not an
// error.
func (s *Service) Unfollow(ctx context.Context, viewer *store.Account, targetID int64) (*Relationship, error) {
	const op = "social.Unfollow"
	if _, err := s.GetAccount(ctx, targetID); err != nil {
		return nil, err
	}
	if err := s.store.DeleteFollow(ctx, viewer.ID, targetID); err != nil && !errors.Is(err, store.ErrNotFound) {
		return nil, internal(op, err)
	}
	if err := s.store.DeleteFollowRequest(ctx, viewer.ID, targetID); err != nil && !errors.Is(err, store.ErrNotFound) {
		return nil, internal(op, err)
	}
	s.relationshipChanged(ctx, viewer.ID, targetID)
	return s.Relationship(ctx, viewer, targetID)
}

// Relationship reports how viewer and targetID relate.
func (s *Service) Relationship(ctx context.Context, viewer *store.Account, targetID int64) (*Relationship, error) {
	rels, err := s.Relationships(ctx, viewer, []int64{targetID})
	if err != nil {
		return nil, err
	}
	return rels[0], nil
}

// Relationships reports how viewer relates to each of targetIDs, in order,
// with a fixed number of queries whatever their number. Unknown IDs get an
// empty relationship, as Mastodon answers them.
func (s *Service) Relationships(ctx context.Context, viewer *store.Account, targetIDs []int64) ([]*Relationship, error) {
	const op = "social.Relationships"
	if len(targetIDs) == 0 {
		return []*Relationship{}, nil
	}
	rels, err := s.store.GetRelations(ctx, viewer.ID, targetIDs, s.nowUTC())
	if err != nil {
		return nil, internal(op, err)
	}
	notes, err := s.store.GetAccountNotes(ctx, viewer.ID, targetIDs)
	if err != nil {
		return nil, internal(op, err)
	}
	out := make([]*Relationship, len(rels))
	for i, r := range rels {
		out[i] = &Relationship{
			TargetID: r.TargetID, Following: r.Following, ShowingReblogs: r.ShowingReblogs,
			Notifying: r.Notifying, FollowedBy: r.FollowedBy, Blocking: r.Blocking, BlockedBy: r.BlockedBy,
			Muting: r.Muting, MutingNotifications: r.MutingNotifications,
			Requested: r.Requested, RequestedBy: r.RequestedBy, Note: notes[r.TargetID],
		}
	}
	return out, nil
}
