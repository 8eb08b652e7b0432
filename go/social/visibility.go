package social

import (
	"context"

	"github.com/starling-social/starling/go/store"
)

// readPath names the read path asking. The rule differs by path: a mute
// hides an account from home and notifications but not from its profile or
// a status opened by link; unlisted stays out of public timelines.
type readPath uint8

const (
	readDirect        readPath = iota // one status by ID, its context
	readHome                          // the home timeline
	readPublic                        // public, local, hashtag timelines
	readAccount                       // an account's own statuses
	readNotifications                 // notifications
	readSearch                        // search results, suggestions
	readTrends                        // trending statuses
	readBatch                         // several statuses by ID (GET /api/v1/statuses?id[]=)
	readForYou                        // the For-you timeline (recommendations)
)

// viewerContext is what the visibility rule needs to know about a viewer
// for one batch of statuses. It is loaded once per batch, never one query
// per status: follows, blocks and mutes in one query (relations.go),
// mentions and reblogged originals in one each.
type viewerContext struct {
	id        int64  // 0 for an anonymous viewer
	following idList // accounts the viewer follows
	blocked   idList // accounts the viewer blocks or is blocked by (relations.go)
	muted     idList // accounts the viewer mutes, mute not expired (relations.go)
	// mutedNotifications: those of muted whose mute also hides their
	// notifications (Mastodon's notifications=true, the default); a mute
	// with notifications=false leaves notifications alone (relations.go).
	mutedNotifications idList
	mentioned          map[int64]bool // statuses of the batch that mention the viewer (mentions.go)
	// originals are the originals of the batch's reblogs, by ID, loaded for
	// every viewer (anonymous too): a reblog is judged with its original.
	originals map[int64]*store.Status
	// suspended and silenced are the instance's moderated accounts
	// (moderators' actions, adminaccounts.go), loaded for every viewer,
	// anonymous too, in the relations query.
	suspended idList
	silenced  idList
}

// canView is THE visibility rule. Every read path (single status, context,
// profiles, timelines, notifications, search, streaming) goes through it,
// so a rule changes in one place.
//
//   - a suspended author's statuses are hidden from everyone, on every
//     path (its own sessions are refused anyway);
//   - authors see their own statuses everywhere;
//   - a silenced (Mastodon: limited) author's statuses reach its
//     followers only (and itself), and never the public timelines nor
//     trending statuses, not even its own (Mastodon keeps limited
//     accounts out of trends altogether);
//   - blocks hide both ways, on every path;
//   - mutes hide the muted account on home, For-you, in trends and in a batch of
//     statuses asked for by ID (Mastodon's permitted_statuses_from_ids), and
//     in notifications when the mute covers notifications;
//   - public: everyone; unlisted: everyone, but not on public timelines;
//   - private: the author's followers and the accounts it mentions;
//   - direct: the accounts it mentions;
//   - a reblog needs both: the viewer may see the reblog itself (its
//     visibility, its booster) AND its original (see canViewReblogged). A
//     reblog whose original is not in vc.originals (deleted, or a caller
//     that did not load it) is hidden: the rule fails closed.
func canView(vc *viewerContext, s *store.Status, path readPath) bool {
	if !canViewOwn(vc, s, path) {
		return false
	}
	if s.ReblogOfID == 0 {
		return true
	}
	o, ok := vc.originals[s.ReblogOfID]
	return ok && canViewReblogged(vc, o, path)
}

// canViewOwn is the rule for a status on its own, without the original a
// reblog points at.
func canViewOwn(vc *viewerContext, s *store.Status, path readPath) bool {
	if moderatedOn(vc, s.AccountID, path) {
		return false
	}
	if vc.id != 0 && vc.id == s.AccountID {
		return true
	}
	if authorHidden(vc, s.AccountID, path) {
		return false
	}
	switch s.Visibility {
	case store.VisibilityPublic:
		return true
	case store.VisibilityUnlisted:
		return path != readPublic
	case store.VisibilityPrivate:
		return vc.id != 0 && (vc.following.has(s.AccountID) || vc.mentioned[s.ID])
	case store.VisibilityDirect:
		return vc.id != 0 && vc.mentioned[s.ID]
	default:
		return false
	}
}

// canViewReblogged judges the original o of a reblog read on path. Its
// audience and its author's blocks are judged as if o were opened by ID, so
// an unlisted original may be boosted onto a timeline, as in Mastodon; a
// followers-only original stays with its author's followers however the
// boost was made. A mute of o's author hides the boost wherever a mute
// hides authors, and on profiles too: Mastodon's account statuses leave out
// boosts of muted accounts' posts (while the muted account's own profile
// stays readable).
func canViewReblogged(vc *viewerContext, o *store.Status, path readPath) bool {
	if !canViewOwn(vc, o, readDirect) {
		return false
	}
	if vc.id == o.AccountID {
		return true
	}
	if path == readAccount {
		return !vc.muted.has(o.AccountID)
	}
	return !mutedOn(vc, o.AccountID, path)
}

// authorHidden is the part of the rule that depends only on the author:
// blocks hide both ways on every path; mutes hide on home, trends (as
// Mastodon's trends do) and batches by ID, and in notifications only when
// the mute says so.
// Paths that rank many candidates (trends) apply it before loading
// statuses, so pages stay exact.
func authorHidden(vc *viewerContext, authorID int64, path readPath) bool {
	if moderatedOn(vc, authorID, path) {
		return true
	}
	if vc.id != 0 && vc.id == authorID {
		return false
	}
	if vc.silenced.has(authorID) && !vc.following.has(authorID) {
		return true
	}
	if vc.blocked.has(authorID) {
		return true
	}
	return mutedOn(vc, authorID, path)
}

// accountHidden is the rule for an account itself (profiles, account
// lists, search, typeahead, suggestions, the directory): a suspended
// account is gone for everyone, as a deleted one would be, until a
// moderator lifts the suspension. A silenced account stays findable; the
// store leaves it out of the directory and suggestions, as Mastodon does.
func accountHidden(a *store.Account) bool { return a.SuspendedAt != nil }

// visibleAccounts keeps the accounts of as that accountHidden does not
// hide, in order.
func visibleAccounts(as []*store.Account) []*store.Account {
	out := as[:0:0]
	for _, a := range as {
		if !accountHidden(a) {
			out = append(out, a)
		}
	}
	return out
}

// moderatedOn reports whether a moderator's action hides authorID on path
// from everyone, the author included: a suspension everywhere, a silence
// on the public timelines and in trending statuses (Mastodon's leave
// silenced authors out for everyone, as the store's query does).
func moderatedOn(vc *viewerContext, authorID int64, path readPath) bool {
	return vc.suspended.has(authorID) || vc.silenced.has(authorID) && (path == readPublic || path == readTrends)
}

// mutedOn reports whether a mute hides authorID on path.
func mutedOn(vc *viewerContext, authorID int64, path readPath) bool {
	switch path {
	case readHome, readTrends, readBatch, readForYou:
		return vc.muted.has(authorID)
	case readNotifications:
		return vc.mutedNotifications.has(authorID)
	default:
		return false
	}
}

// loadViewerContext gathers the facts canView needs for sts: the
// originals of its reblogs and the moderated accounts for every viewer,
// and for a signed-in one its follows, blocks, mutes and mentions over sts
// and those originals. Anonymous viewers need no more: nothing but public
// and unlisted reaches them.
func (s *Service) loadViewerContext(ctx context.Context, viewer *store.Account, sts []*store.Status) (*viewerContext, error) {
	originals, err := s.reblogOriginals(ctx, sts)
	if err != nil {
		return nil, err
	}
	vc := &viewerContext{originals: originals}
	if len(sts) == 0 {
		return vc, nil
	}
	if viewer != nil {
		vc.id = viewer.ID
	}
	// Anonymous viewers too: the moderated accounts come with the relations.
	if err := s.loadRelations(ctx, vc); err != nil {
		return nil, err
	}
	if viewer == nil {
		return vc, nil
	}
	if err := s.loadMentions(ctx, vc, withOriginals(sts, originals)); err != nil {
		return nil, err
	}
	return vc, nil
}

// withOriginals is sts followed by the originals of its reblogs, in a new
// slice (sts is the caller's).
func withOriginals(sts []*store.Status, originals map[int64]*store.Status) []*store.Status {
	all := make([]*store.Status, 0, len(sts)+len(originals))
	all = append(all, sts...)
	for _, o := range originals {
		all = append(all, o)
	}
	return all
}

// filterVisible keeps the statuses viewer may see on path, in order;
// reblogs are judged with their originals, loaded in one query.
func (s *Service) filterVisible(ctx context.Context, viewer *store.Account, sts []*store.Status, path readPath) ([]*store.Status, error) {
	vc, err := s.loadViewerContext(ctx, viewer, sts)
	if err != nil {
		return nil, err
	}
	out := sts[:0:0]
	for _, st := range sts {
		if canView(vc, st, path) {
			out = append(out, st)
		}
	}
	return out, nil
}
