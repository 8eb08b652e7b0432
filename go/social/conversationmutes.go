package social

import (
	"context"
	"errors"
	"fmt"

	"github.com/starling-social/starling/go/store"
)

// MaxConversationMutes bounds the conversations one account mutes.
const MaxConversationMutes = 10000

// MuteConversation mutes, for viewer, the conversation (thread) of a
// status it may see: nothing in it notifies viewer any more. Muting again
// returns the status, as Mastodon does.
func (s *Service) MuteConversation(ctx context.Context, viewer *store.Account, id int64) (*store.Status, error) {
	const op = "social.MuteConversation"
	st, err := s.GetStatus(ctx, viewer, id)
	if err != nil {
		return nil, err
	}
	switch err := s.store.PutConversationMute(ctx, viewer.ID, st.ID, s.nowUTC(), MaxConversationMutes); {
	case err == nil:
	case errors.Is(err, store.ErrLimit):
		return nil, invalid(op, fmt.Sprintf("Validation failed: You cannot mute more than %d conversations", MaxConversationMutes))
	case errors.Is(err, store.ErrNotFound): // deleted meanwhile
		return nil, notFound(op, "Record not found")
	default:
		return nil, internal(op, err)
	}
	return st, nil
}

// UnmuteConversation unmutes the conversation of a status viewer may see;
// unmuting a conversation that is not muted is not an error.
func (s *Service) UnmuteConversation(ctx context.Context, viewer *store.Account, id int64) (*store.Status, error) {
	const op = "social.UnmuteConversation"
	st, err := s.GetStatus(ctx, viewer, id)
	if err != nil {
		return nil, err
	}
	if err := removed(op, s.store.DeleteConversationMute(ctx, viewer.ID, st.ID)); err != nil {
		return nil, err
	}
	return st, nil
}

// unlessConversationMuted drops the notifications about a status in the
// conversation of statusID whose recipient mutes that conversation, as
// Mastodon's NotifyService does for every notification with a status.
func (s *Service) unlessConversationMuted(ctx context.Context, statusID int64, ns []*store.Notification) ([]*store.Notification, error) {
	if len(ns) == 0 || statusID == 0 {
		return ns, nil
	}
	recipients := make([]int64, len(ns))
	for i, n := range ns {
		recipients[i] = n.AccountID
	}
	muters, err := s.store.GetConversationMuterIDs(ctx, statusID, recipients)
	if err != nil {
		return nil, internal("social.unlessConversationMuted", err)
	}
	if len(muters) == 0 {
		return ns, nil
	}
	muting := idSet(muters)
	out := ns[:0:0]
	for _, n := range ns {
		if !muting[n.AccountID] {
			out = append(out, n)
		}
	}
	return out, nil
}
