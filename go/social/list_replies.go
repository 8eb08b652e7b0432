package social

import (
	"context"
	"errors"

	"github.com/starling-social/starling/go/store"
)

// A list's replies_policy decides which replies by its members it shows, as
// in Mastodon's FeedManager: a status that is not a reply, a reply to its
// own author and a reply to the list's owner always show; any other reply
// shows under "followed" when the owner follows the account replied to,
// under "list" when that account is a member of the list, and never under
// "none". The same rule serves the list timeline and the list stream.

// replyTargets is what a policy needs to know about the accounts replied to.
type replyTargets struct {
	members  map[int64]bool // the list's members
	followed map[int64]bool // accounts the list's owner follows; nil until needed
}

// listShows reports whether l shows st.
func listShows(l *store.List, st *store.Status, t replyTargets) bool {
	to := st.InReplyToAccountID
	if st.InReplyToID == 0 || to == st.AccountID || to == l.AccountID {
		return true
	}
	switch l.RepliesPolicy {
	case "followed":
		return t.followed[to]
	case "list":
		return t.members[to]
	default: // "none"
		return false
	}
}

// repliesToOthers reports whether any of sts is a reply to someone other
// than its author, so the rule's lookups are skipped when none is.
func repliesToOthers(sts []*store.Status) bool {
	for _, st := range sts {
		if st.InReplyToID != 0 && st.InReplyToAccountID != st.AccountID {
			return true
		}
	}
	return false
}

// filterListReplies keeps the statuses of a page that l shows.
func (s *Service) filterListReplies(ctx context.Context, l *store.List, members []int64, sts []*store.Status) ([]*store.Status, error) {
	if !repliesToOthers(sts) {
		return sts, nil
	}
	t := replyTargets{members: idSet(members)}
	if l.RepliesPolicy == "followed" {
		ids, err := s.store.GetFollowingIDs(ctx, l.AccountID)
		if err != nil {
			return nil, err
		}
		t.followed = idSet(ids)
	}
	out := sts[:0:0]
	for _, st := range sts {
		if listShows(l, st, t) {
			out = append(out, st)
		}
	}
	return out, nil
}

// listStreamShows reports whether l's stream gets st, looking up only the
// one account st replies to.
func (s *Service) listStreamShows(ctx context.Context, l *store.List, st *store.Status, targetLists map[int64]bool) (bool, error) {
	if !repliesToOthers([]*store.Status{st}) {
		return true, nil
	}
	to := st.InReplyToAccountID
	t := replyTargets{members: map[int64]bool{to: targetLists[l.ID]}, followed: map[int64]bool{}}
	if l.RepliesPolicy == "followed" {
		_, err := s.store.GetFollow(ctx, l.AccountID, to)
		switch {
		case err == nil:
			t.followed[to] = true
		case !errors.Is(err, store.ErrNotFound):
			return false, err
		}
	}
	return listShows(l, st, t), nil
}
