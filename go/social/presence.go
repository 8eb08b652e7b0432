package social

import (
	"context"
	"time"

	"github.com/starling-social/starling/go/store"
)

// PresenceTracker records and answers who is online (package presence's
// Tracker, over its in-process or Redis store).
type PresenceTracker interface {
	// Mark makes an account online for the TTL and returns until when.
	Mark(ctx context.Context, id int64) (time.Time, error)
	// Online reports, in the order of ids, whether each is online.
	Online(ctx context.Context, ids []int64) ([]bool, error)
	// TTL is how long a mark lasts.
	TTL() time.Duration
}

// MaxPresenceIDs is the most accounts one presence query may name.
const MaxPresenceIDs = 80

// AccountPresence is whether an account is online.
type AccountPresence struct {
	AccountID int64
	Online    bool
}

// errNoPresence answers presence calls of a service without a tracker.
var errNoPresence = &Error{Op: "social.Presence", Kind: KindUnavailable, Safe: "Presence is not available"}

// Heartbeat marks viewer online (a client's heartbeat, and the streaming
// endpoint while a connection is open) and returns until when.
func (s *Service) Heartbeat(ctx context.Context, viewer *store.Account) (time.Time, error) {
	if s.presence == nil {
		return time.Time{}, errNoPresence
	}
	if viewer.SuspendedAt != nil {
		// Its tokens fail already (auth.go); checked here too, as the rule.
		return time.Time{}, &Error{Op: "social.Heartbeat", Kind: KindForbidden, Safe: "Your login is currently disabled"}
	}
	until, err := s.presence.Mark(ctx, viewer.ID)
	if err != nil {
		return time.Time{}, &Error{Op: "social.Heartbeat", Kind: KindUnavailable, Safe: "Presence is unavailable", Err: err}
	}
	return until, nil
}

// PresenceTTL is how long a heartbeat keeps an account online; 0 without
// a tracker.
func (s *Service) PresenceTTL() time.Duration {
	if s.presence == nil {
		return 0
	}
	return s.presence.TTL()
}

// Presence answers whether each of ids is online, for the accounts viewer
// follows with no block either way and not suspended (a suspended
// account is gone for everyone: its mark, made before the suspension,
// may outlive it by a TTL), in the order of ids. The others are
// left out of the answer, not reported offline, so a viewer learns
// nothing of an account it does not follow, not even that it exists.
func (s *Service) Presence(ctx context.Context, viewer *store.Account, ids []int64) ([]AccountPresence, error) {
	const op = "social.Presence"
	if s.presence == nil {
		return nil, errNoPresence
	}
	if len(ids) > MaxPresenceIDs {
		return nil, invalid(op, "Too many ids")
	}
	if len(ids) == 0 {
		return []AccountPresence{}, nil
	}
	rels, err := s.store.GetRelations(ctx, viewer.ID, ids, s.nowUTC())
	if err != nil {
		return nil, internal(op, err)
	}
	var visible []int64
	for _, r := range rels {
		// A block removes the follows both ways in the same transaction,
		// so Following implies no block; checked anyway, as the rule.
		if r.Following && !r.Blocking && !r.BlockedBy && r.TargetID != viewer.ID {
			visible = append(visible, r.TargetID)
		}
	}
	visible, err = s.unsuspended(ctx, visible)
	if err != nil {
		return nil, internal(op, err)
	}
	on, err := s.presence.Online(ctx, visible)
	if err != nil {
		return nil, &Error{Op: op, Kind: KindUnavailable, Safe: "Presence is unavailable", Err: err}
	}
	out := make([]AccountPresence, len(visible))
	for i, id := range visible {
		out[i] = AccountPresence{AccountID: id, Online: on[i]}
	}
	return out, nil
}

// unsuspended keeps the accounts of ids that exist and that the account
// rule (accountHidden) does not hide, in order, with one query.
func (s *Service) unsuspended(ctx context.Context, ids []int64) ([]int64, error) {
	if len(ids) == 0 {
		return ids, nil
	}
	accts, err := s.accountsInOrder(ctx, ids)
	if err != nil {
		return nil, err
	}
	out := ids[:0:0]
	for _, a := range accts {
		if !accountHidden(a) {
			out = append(out, a.ID)
		}
	}
	return out, nil
}
