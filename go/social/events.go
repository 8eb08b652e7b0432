package social

import (
	"context"
	"slices"
	"strconv"

	"github.com/starling-social/starling/go/store"
)

// EventKind is a streaming event name, as Mastodon's streaming API sends it.
type EventKind string

// Event kinds.
const (
	EventUpdate       EventKind = "update"        // a new status (Status set)
	EventDelete       EventKind = "delete"        // a deleted status (StatusID set)
	EventNotification EventKind = "notification"  // a new notification (Notification set)
	EventStatusUpdate EventKind = "status.update" // an edited status (Status set)
	// EventConversation: a direct status (Status set) joined the
	// conversations of Users, for their direct streams.
	EventConversation EventKind = "conversation"
	// EventFiltersChanged: the filters of its one User changed (Mastodon's
	// filters_changed, on the user stream); streams reload what they keep
	// of the account.
	EventFiltersChanged EventKind = "filters_changed"
	// EventRelationship says a follow, block or mute between the two Users
	// changed. Streams reload what they keep of those accounts; it is never
	// sent to a client.
	EventRelationship EventKind = "relationship"
	// EventSessionsRevoked says Users may no longer be signed in (suspended
	// by a moderator): streams close their connections. Never sent to a
	// client.
	EventSessionsRevoked EventKind = "sessions_revoked"
	// EventAccountsReinstated says Users' suspension was lifted: every
	// process puts their statuses back into its search index (a suspension
	// takes them out on EventSessionsRevoked). Never sent to a client.
	EventAccountsReinstated EventKind = "accounts_reinstated"
)

// Event is something that happened, published after its transaction
// committed, with the audience the domain computed:
//
//   - Users: the accounts whose user stream receives it (for a status, the
//     author and the followers whose home timeline it reaches; the
//     recipient of a notification);
//   - Streams: the shared streams it goes to: "public", "public:local",
//     "hashtag:<tag>", "hashtag:local:<tag>", "list:<id>".
//
// Audiences are computed from the status's visibility only. Per-subscriber
// rules that depend on the viewer (blocks, mutes) are the subscriber's to
// apply with StreamStatus.VisibleTo before sending, since shared streams
// have no single viewer.
type Event struct {
	Kind         EventKind
	Status       *store.Status
	StatusID     int64
	Notification *store.Notification
	Users        []int64
	Streams      []string
}

// Publisher receives events after commit (the streaming hub). Publish must
// not block for long: it runs on the request's goroutine.
type Publisher interface {
	Publish(ctx context.Context, ev Event)
}

// publish hands ev to the publisher, if there is one.
func (s *Service) publish(ctx context.Context, ev Event) {
	if s.pub != nil {
		s.pub.Publish(ctx, ev)
	}
}

// maxFanout bounds the followers one event names; beyond it, followers
// see the status when they next load their home timeline.
const maxFanout = 10000

// publishStatus publishes an update for a committed status.
// The home feed is told first, so that a client reloading its home on the
// streamed update finds the status there. A failed fan-out is returned
// (after streaming: the status is committed either way), so the outbox
// delivers it again.
func (s *Service) publishStatus(ctx context.Context, st *store.Status, tags []string, mentioned []int64) error {
	if s.pub == nil && s.home == nil {
		return nil
	}
	home, lists := s.homeAudience(ctx, st, mentioned), s.authorLists(ctx, st)
	var err error
	if s.home != nil {
		err = s.home.StatusAdded(ctx, st, home, listIDs(lists))
	}
	if s.pub != nil {
		users, streams := s.statusAudience(ctx, st, home, lists, tags)
		s.publish(ctx, Event{Kind: EventUpdate, Status: st, Users: users, Streams: streams})
	}
	return err
}

// statusAudience is where an update of st goes: the user streams and the
// shared streams.
//
// A user stream's updates are its home timeline's, as in Mastodon's
// fan-out (feed.Pull reads the same set): the author, the followers, except
// for a reblog those who follow with show_reblogs off, and for a direct
// status only the followers it mentions; for a public status, also the
// accounts that follow one of its tags. A mentioned account that does not
// follow the author learns of the status from its mention notification,
// published separately; an update would put on its stream what its home
// never shows (api/mastodon/visibility_matrix_test.go checks the two agree).
func (s *Service) statusAudience(ctx context.Context, st *store.Status, home []int64, lists []*store.List, tags []string) (users []int64, streams []string) {
	users = slices.Clone(home)
	if st.Visibility == store.VisibilityPublic && st.ReblogOfID == 0 && len(tags) > 0 {
		users = s.withTagFollowers(ctx, users, tags)
	}
	if st.Visibility == store.VisibilityPublic && st.ReblogOfID == 0 &&
		(st.InReplyToID == 0 || st.InReplyToAccountID == st.AccountID) {
		streams = append(streams, "public", "public:local")
		for _, t := range tags {
			streams = append(streams, "hashtag:"+t, "hashtag:local:"+t)
		}
	}
	if len(lists) > 0 {
		// A reply to someone else reaches the lists whose replies_policy
		// shows it; "list" asks whether the account replied to is a member.
		var targetLists map[int64]bool
		if repliesToOthers([]*store.Status{st}) {
			tl, err := s.store.GetListsByMember(ctx, st.InReplyToAccountID)
			if err != nil {
				s.log.WarnContext(ctx, "publish: lists of the account replied to", "account", st.InReplyToAccountID, "err", err)
			}
			targetLists = map[int64]bool{}
			for _, l := range tl {
				targetLists[l.ID] = true
			}
		}
		for _, l := range lists {
			shows, err := s.listStreamShows(ctx, l, st, targetLists)
			if err != nil {
				s.log.WarnContext(ctx, "publish: list replies policy", "list", l.ID, "err", err)
				continue
			}
			if shows {
				streams = append(streams, "list:"+strconv.FormatInt(l.ID, 10))
			}
		}
	}
	return users, streams
}

// authorLists are the lists holding st's author, which show st unless it
// is direct. A failure is logged, as for followers.
func (s *Service) authorLists(ctx context.Context, st *store.Status) []*store.List {
	if st.Visibility == store.VisibilityDirect {
		return nil
	}
	lists, err := s.store.GetListsByMember(ctx, st.AccountID)
	if err != nil {
		s.log.WarnContext(ctx, "publish: lists of author", "account", st.AccountID, "err", err)
	}
	return lists
}

func listIDs(ls []*store.List) []int64 {
	out := make([]int64, len(ls))
	for i, l := range ls {
		out[i] = l.ID
	}
	return out
}

// homeAudience is the author and its followers whose home timeline st
// reaches (statusAudience says which).
func (s *Service) homeAudience(ctx context.Context, st *store.Status, mentioned []int64) []int64 {
	users := []int64{st.AccountID}
	isMentioned := idSet(mentioned)
	for _, f := range s.followers(ctx, st.AccountID) {
		switch {
		case st.Visibility == store.VisibilityDirect && !isMentioned[f.AccountID]:
		case st.ReblogOfID != 0 && !f.ShowReblogs:
		default:
			users = append(users, f.AccountID)
		}
	}
	return users
}

// withTagFollowers adds to users the accounts that follow any of tags
// (their homes show the status: feed.Pull reads the same set), each once,
// at most maxFanout. A failure is logged, as for followers.
func (s *Service) withTagFollowers(ctx context.Context, users []int64, tags []string) []int64 {
	ids, err := s.store.GetTagFollowerIDs(ctx, tags, maxFanout)
	if err != nil {
		s.log.WarnContext(ctx, "publish: tag followers", "tags", tags, "err", err)
		return users
	}
	seen := idSet(users)
	for _, id := range ids {
		if !seen[id] {
			users = append(users, id)
		}
	}
	return users
}

// followers lists up to maxFanout follows of accountID (with their
// show_reblogs option). A failure is logged, not returned: the status is
// committed, and streaming is best effort.
func (s *Service) followers(ctx context.Context, accountID int64) []*store.Follow {
	var out []*store.Follow
	page := store.Page{Limit: 1000}
	for len(out) < maxFanout {
		fs, err := s.store.ListFollowers(ctx, accountID, page)
		if err != nil {
			s.log.WarnContext(ctx, "publish: followers", "account", accountID, "err", err)
			return out
		}
		out = append(out, fs...)
		if len(fs) < page.Limit {
			break
		}
		page.MaxID = fs[len(fs)-1].ID
	}
	return out
}

// publishDelete tells the streams that were sent st's update to drop it,
// and no others: a delete names a status, and an anonymous public listener
// must not learn that a private one existed. The accounts st mentions are
// told too: their notifications showed it. A reblog deleted with its
// original is published on its own, for its booster's audience.
func (s *Service) publishDelete(ctx context.Context, st *store.Status, tags []string, mentioned []int64) {
	if s.pub == nil && s.home == nil {
		return
	}
	home, lists := s.homeAudience(ctx, st, mentioned), s.authorLists(ctx, st)
	if s.home != nil {
		if err := s.home.StatusRemoved(ctx, st.ID, home, listIDs(lists)); err != nil {
			// A dangling ID at worst: reads skip deleted statuses.
			s.log.WarnContext(ctx, "delete: timeline removal", "status", st.ID, "err", err)
		}
	}
	if s.pub == nil {
		return
	}
	users, streams := s.statusAudience(ctx, st, home, lists, tags)
	for _, id := range mentioned {
		if !slices.Contains(users, id) {
			users = append(users, id)
		}
	}
	s.publish(ctx, Event{Kind: EventDelete, StatusID: st.ID, Users: users, Streams: streams})
}

// streamFacts loads what statusAudience needs of a stored status (its tags
// and mentions), before a delete takes them away. Without a publisher
// there is nothing to load.
func (s *Service) streamFacts(ctx context.Context, id int64) (tags []string, mentioned []int64, err error) {
	if s.pub == nil && s.home == nil {
		return nil, nil, nil
	}
	ts, err := s.store.GetStatusTags(ctx, []int64{id})
	if err != nil {
		return nil, nil, err
	}
	ms, err := s.store.GetStatusMentions(ctx, []int64{id})
	if err != nil {
		return nil, nil, err
	}
	return ts[id], ms[id], nil
}

// publishNotifications publishes committed notifications to their recipients.
func (s *Service) publishNotifications(ctx context.Context, ns []*store.Notification) {
	for _, n := range ns {
		s.publish(ctx, Event{Kind: EventNotification, Notification: n, Users: []int64{n.AccountID}})
	}
}
