package social

import (
	"context"

	"github.com/starling-social/starling/go/store"
)

// Bounds of a thread: Mastodon shows at most 40 ancestors and a bounded
// number of descendants; a long thread is read in pieces by opening deeper
// statuses.
const (
	maxAncestors   = 40
	maxDescendants = 200
)

// StatusContext returns the visible ancestors (root first) and descendants
// (depth first, each reply after its parent, siblings oldest first) of a
// status the viewer may see.
func (s *Service) StatusContext(ctx context.Context, viewer *store.Account, id int64) (ancestors, descendants []*store.Status, err error) {
	const op = "social.StatusContext"
	st, err := s.GetStatus(ctx, viewer, id)
	if err != nil {
		return nil, nil, err
	}
	up, err := s.store.ListStatusAncestors(ctx, st.ID, maxAncestors)
	if err != nil {
		return nil, nil, internal(op, err)
	}
	down, err := s.store.ListStatusDescendants(ctx, st.ID, maxDescendants)
	if err != nil {
		return nil, nil, internal(op, err)
	}
	if ancestors, err = s.filterVisible(ctx, viewer, up, readDirect); err != nil {
		return nil, nil, err
	}
	visible, err := s.filterVisible(ctx, viewer, down, readDirect)
	if err != nil {
		return nil, nil, err
	}
	return ancestors, depthFirst(st.ID, visible), nil
}

// depthFirst orders a thread's replies as a reader follows them. sts is
// ascending by ID; a reply whose parent was filtered out is dropped with
// its subtree, as the conversation it belongs to is hidden.
func depthFirst(rootID int64, sts []*store.Status) []*store.Status {
	children := make(map[int64][]*store.Status, len(sts))
	for _, st := range sts {
		children[st.InReplyToID] = append(children[st.InReplyToID], st)
	}
	out := make([]*store.Status, 0, len(sts))
	var walk func(id int64)
	walk = func(id int64) {
		for _, c := range children[id] {
			out = append(out, c)
			walk(c.ID)
		}
	}
	walk(rootID)
	return out
}
