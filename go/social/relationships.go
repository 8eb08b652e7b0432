package social

import (
	"context"
	"errors"

	"github.com/starling-social/starling/go/store"
)

// Relationship is the viewer's relation to another account.
type Relationship struct {
	TargetID       int64
	Following      bool
	ShowingReblogs bool
	Notifying      bool
	FollowedBy     bool
}

// FollowOptions are the optional parameters of a follow.
type FollowOptions struct {
	Reblogs *bool // show the target's reblogs in home (default true)
	Notify  *bool // notify on the target's posts (default false)
}

// Follow makes viewer follow targetID. Following again is not an error: it
// returns the current relationship, as Mastodon does.
//
// Locked accounts are followed at once for now; follow requests arrive with
// the full relationship model.
func (s *Service) Follow(ctx context.Context, viewer *store.Account, targetID int64, opts FollowOptions) (*Relationship, error) {
	const op = "social.Follow"
	if targetID == viewer.ID {
		return nil, &Error{Op: op, Kind: KindForbidden, Safe: "You cannot follow yourself"}
	}
	if _, err := s.GetAccount(ctx, targetID); err != nil {
		return nil, err
	}
	f := &store.Follow{
		ID: s.ids.Next(), AccountID: viewer.ID, TargetAccountID: targetID,
		ShowReblogs: opts.Reblogs == nil || *opts.Reblogs, Notify: opts.Notify != nil && *opts.Notify,
		CreatedAt: s.nowUTC(),
	}
	if err := s.store.PutFollow(ctx, f); err != nil && !errors.Is(err, store.ErrConflict) {
		return nil, internal(op, err)
	}
	return s.Relationship(ctx, viewer, targetID)
}

// Unfollow removes the follow if there is one; unfollowing an account not
// followed is not an error.
func (s *Service) Unfollow(ctx context.Context, viewer *store.Account, targetID int64) (*Relationship, error) {
	const op = "social.Unfollow"
	if _, err := s.GetAccount(ctx, targetID); err != nil {
		return nil, err
	}
	if err := s.store.DeleteFollow(ctx, viewer.ID, targetID); err != nil && !errors.Is(err, store.ErrNotFound) {
		return nil, internal(op, err)
	}
	return s.Relationship(ctx, viewer, targetID)
}

// Relationship reports how viewer and targetID relate.
func (s *Service) Relationship(ctx context.Context, viewer *store.Account, targetID int64) (*Relationship, error) {
	const op = "social.Relationship"
	rel := &Relationship{TargetID: targetID}
	out, err := s.store.GetFollow(ctx, viewer.ID, targetID)
	switch {
	case err == nil:
		rel.Following, rel.ShowingReblogs, rel.Notifying = true, out.ShowReblogs, out.Notify
	case !errors.Is(err, store.ErrNotFound):
		return nil, internal(op, err)
	}
	_, err = s.store.GetFollow(ctx, targetID, viewer.ID)
	switch {
	case err == nil:
		rel.FollowedBy = true
	case !errors.Is(err, store.ErrNotFound):
		return nil, internal(op, err)
	}
	return rel, nil
}
