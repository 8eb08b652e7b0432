package social

import (
	"context"
	"errors"
	"time"

	"github.com/starling-social/starling/go/store"
)

// MuteOptions are the optional parameters of a mute.
type MuteOptions struct {
	Notifications *bool // also hide notifications from the account (default true)
	Duration      int   // seconds until the mute lifts; 0 means never
}

// maxMuteDuration bounds a mute's duration so the expiry time cannot
// overflow; a century is "never" for any client.
const maxMuteDuration = 100 * 365 * 24 * 60 * 60

// Mute makes viewer mute targetID: its statuses leave viewer's home
// timeline (and, with Notifications, its notifications), but its profile
// and statuses opened directly stay readable. Muting again replaces the
// options, as Mastodon does.
func (s *Service) Mute(ctx context.Context, viewer *store.Account, targetID int64, opts MuteOptions) (*Relationship, error) {
	const op = "social.Mute"
	if targetID == viewer.ID {
		return nil, errNotAllowed(op)
	}
	if opts.Duration < 0 || opts.Duration > maxMuteDuration {
		return nil, invalid(op, "Validation failed: Duration must be a number of seconds, 0 for indefinite")
	}
	if _, err := s.GetAccount(ctx, targetID); err != nil {
		return nil, err
	}
	now := s.nowUTC()
	id, err := s.newID(ctx, op)
	if err != nil {
		return nil, err
	}
	m := &store.Mute{
		ID: id, AccountID: viewer.ID, TargetAccountID: targetID,
		Notifications: opts.Notifications == nil || *opts.Notifications, CreatedAt: now,
	}
	if opts.Duration > 0 {
		exp := now.Add(time.Duration(opts.Duration) * time.Second)
		m.ExpiresAt = &exp
	}
	if err := s.store.PutMute(ctx, m); err != nil {
		return nil, internal(op, err)
	}
	s.relationshipChanged(ctx, viewer.ID, targetID)
	return s.Relationship(ctx, viewer, targetID)
}

// Unmute removes viewer's mute of targetID, if there is one.
func (s *Service) Unmute(ctx context.Context, viewer *store.Account, targetID int64) (*Relationship, error) {
	const op = "social.Unmute"
	if _, err := s.GetAccount(ctx, targetID); err != nil {
		return nil, err
	}
	if err := s.store.DeleteMute(ctx, viewer.ID, targetID); err != nil && !errors.Is(err, store.ErrNotFound) {
		return nil, internal(op, err)
	}
	s.relationshipChanged(ctx, viewer.ID, targetID)
	return s.Relationship(ctx, viewer, targetID)
}

// Mutes lists the accounts viewer mutes (unexpired mutes), newest mute first.
func (s *Service) Mutes(ctx context.Context, viewer *store.Account, page store.Page) (*AccountPage, error) {
	const op = "social.Mutes"
	rows, err := s.store.ListMutes(ctx, viewer.ID, s.nowUTC(), page)
	if err != nil {
		return nil, internal(op, err)
	}
	rowIDs, accountIDs := make([]int64, len(rows)), make([]int64, len(rows))
	for i, m := range rows {
		rowIDs[i], accountIDs[i] = m.ID, m.TargetAccountID
	}
	return s.accountPage(ctx, op, rowIDs, accountIDs, nil)
}
