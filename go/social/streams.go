package social

import (
	"context"
	"errors"
	"slices"
	"unicode/utf8"

	"github.com/starling-social/starling/go/store"
)

// Streaming sends one event to many listeners. To keep the cost of an extra
// listener small, the streaming endpoint applies the visibility rule to each
// from memory: a StreamStatus holds what the rule needs to know about the
// event's status (loaded once per event), a StreamViewer what it needs to
// know about one listener (loaded when it connects, and again after an
// EventRelationship names it). The rule itself is canView, as on every
// other read path.

// StreamViewer is what the visibility rule needs to know about a streaming
// listener: whom it follows, blocks or is blocked by, and mutes.
type StreamViewer struct {
	id                 int64
	following          idList
	blocked            idList
	muted              idList
	mutedNotifications idList
	filters            streamFilters
}

// LoadStreamViewer loads viewer's follows, blocks, mutes and filters (two
// queries).
// The caller reloads it after an EventRelationship naming viewer; a mute
// that expires meanwhile keeps hiding until then, which errs on the side
// of hiding.
func (s *Service) LoadStreamViewer(ctx context.Context, viewer *store.Account) (*StreamViewer, error) {
	const op = "social.LoadStreamViewer"
	vc := &viewerContext{id: viewer.ID}
	if err := s.loadRelations(ctx, vc); err != nil {
		return nil, err
	}
	filters, err := s.store.ListFilters(ctx, viewer.ID)
	if err != nil {
		return nil, internal(op, err)
	}
	return &StreamViewer{id: viewer.ID, following: vc.following,
		blocked: vc.blocked, muted: vc.muted, mutedNotifications: vc.mutedNotifications,
		filters: streamFilters{all: filters}}, nil
}

// StreamStatus is an event's status with what the visibility rule needs to
// judge it for any viewer: the reblogged original and, for private and
// direct statuses, the accounts they mention.
type StreamStatus struct {
	status    *store.Status
	originals map[int64]*store.Status
	mentions  map[int64][]int64 // by status ID
	// suspended and silenced are the moderated accounts when the event
	// was loaded: the same for every listener, so read once per event.
	suspended idList
	silenced  idList
}

// LoadStreamStatus loads status id for streaming, with the moderated
// accounts: a fixed number of queries whatever the number of listeners. A deleted status is KindNotFound.
func (s *Service) LoadStreamStatus(ctx context.Context, id int64) (*StreamStatus, error) {
	const op = "social.LoadStreamStatus"
	st, err := s.store.GetStatusByID(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return nil, notFound(op, "Record not found")
	}
	if err != nil {
		return nil, internal(op, err)
	}
	originals, err := s.reblogOriginals(ctx, []*store.Status{st})
	if err != nil {
		return nil, err
	}
	mod := &viewerContext{} // anonymous: the moderated accounts only
	if err := s.loadRelations(ctx, mod); err != nil {
		return nil, err
	}
	ss := &StreamStatus{status: st, originals: originals, suspended: mod.suspended, silenced: mod.silenced}
	var ids []int64
	for _, x := range ss.all() {
		// As loadMentions: only private and direct statuses need the answer.
		if x.Visibility == store.VisibilityPrivate || x.Visibility == store.VisibilityDirect {
			ids = append(ids, x.ID)
		}
	}
	if len(ids) > 0 {
		if ss.mentions, err = s.store.GetStatusMentions(ctx, ids); err != nil {
			return nil, internal(op, err)
		}
	}
	return ss, nil
}

// Status is the event's status.
func (ss *StreamStatus) Status() *store.Status { return ss.status }

// all is the status and its original, if any.
func (ss *StreamStatus) all() []*store.Status {
	out := []*store.Status{ss.status}
	if o, ok := ss.originals[ss.status.ReblogOfID]; ok {
		out = append(out, o)
	}
	return out
}

// VisibleTo reports whether v (nil when anonymous) may receive the status:
// on a user stream (and a list) by the home timeline's rule, on a shared
// stream (public, hashtag) by the public timelines' rule.
func (ss *StreamStatus) VisibleTo(v *StreamViewer, userStream bool) bool {
	path := readPublic
	if userStream {
		path = readHome
	}
	vc := &viewerContext{originals: ss.originals}
	if v != nil {
		vc = v.contextFor(ss)
	}
	vc.suspended, vc.silenced = ss.suspended, ss.silenced
	return canView(vc, ss.status, path)
}

// contextFor is v's viewerContext for ss, from memory.
func (v *StreamViewer) contextFor(ss *StreamStatus) *viewerContext {
	vc := &viewerContext{id: v.id, following: v.following, blocked: v.blocked, muted: v.muted,
		mutedNotifications: v.mutedNotifications, originals: ss.originals}
	for _, st := range ss.all() {
		if slices.Contains(ss.mentions[st.ID], v.id) {
			if vc.mentioned == nil {
				vc.mentioned = map[int64]bool{}
			}
			vc.mentioned[st.ID] = true
		}
	}
	return vc
}

// StreamTag returns name as a hashtag stream's tag, by the rule every tag
// path applies (normalizeTag), or false when it is not a tag or is longer
// than a status may be (no status could carry it). Length is checked
// first, so an oversized name costs nothing more.
func (s *Service) StreamTag(name string) (string, bool) {
	if len(name) > utf8.UTFMax*s.cfg.MaxStatusChars || utf8.RuneCountInString(name) > s.cfg.MaxStatusChars {
		return "", false
	}
	t := normalizeTag(name)
	return t, t != ""
}

// relationshipChanged tells the home feed and the streams that a follow,
// block or mute between a and b changed, so what they hold in memory about
// either account (cached homes, StreamViewer) is reloaded before use.
func (s *Service) relationshipChanged(ctx context.Context, a, b int64) {
	if s.home != nil {
		s.home.HomeChanged(ctx, a, b)
	}
	s.publish(ctx, Event{Kind: EventRelationship, Users: []int64{a, b}})
}
