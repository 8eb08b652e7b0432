package store

// RelationEdges are the rows GetRelations reads for an account and its
// targets. Each backend selects them with its own SQL; FoldRelations turns
// them into Relations, so the rule is written once.
type RelationEdges struct {
	Follows  []*Follow        // between the account and a target, either way
	Blocks   []*Block         // either way
	Mutes    []*Mute          // the account's own, unexpired at the time asked
	Requests []*FollowRequest // either way
}

// FoldRelations answers GetRelations from its edges: one Relation per
// target, in the order of targetIDs (duplicates kept, each its own copy).
// Edges that do not join accountID to one of targetIDs are ignored. The
// ShowingReblogs and Notifying of a pending request show only when there is
// no follow: a follow's own options win.
func FoldRelations(accountID int64, targetIDs []int64, e RelationEdges) []*Relation {
	if len(targetIDs) == 0 {
		return nil
	}
	rel := make(map[int64]*Relation, len(targetIDs))
	for _, id := range targetIDs {
		rel[id] = &Relation{TargetID: id}
	}
	// edge calls fn with the relation of the other end of from→to and
	// whether the edge goes out from accountID (once for each direction
	// that joins accountID to a target).
	edge := func(from, to int64, fn func(r *Relation, out bool)) {
		if r := rel[to]; from == accountID && r != nil {
			fn(r, true)
		}
		if r := rel[from]; to == accountID && r != nil {
			fn(r, false)
		}
	}
	for _, f := range e.Follows {
		edge(f.AccountID, f.TargetAccountID, func(r *Relation, out bool) {
			if out {
				r.Following, r.ShowingReblogs, r.Notifying = true, f.ShowReblogs, f.Notify
			} else {
				r.FollowedBy = true
			}
		})
	}
	for _, b := range e.Blocks {
		edge(b.AccountID, b.TargetAccountID, func(r *Relation, out bool) {
			if out {
				r.Blocking = true
			} else {
				r.BlockedBy = true
			}
		})
	}
	for _, m := range e.Mutes {
		edge(m.AccountID, m.TargetAccountID, func(r *Relation, out bool) {
			if out {
				r.Muting, r.MutingNotifications = true, m.Notifications
			}
		})
	}
	for _, fr := range e.Requests {
		edge(fr.AccountID, fr.TargetAccountID, func(r *Relation, out bool) {
			if !out {
				r.RequestedBy = true
				return
			}
			r.Requested = true
			if !r.Following {
				r.ShowingReblogs, r.Notifying = fr.ShowReblogs, fr.Notify
			}
		})
	}
	out := make([]*Relation, len(targetIDs))
	for i, id := range targetIDs {
		c := *rel[id]
		out[i] = &c
	}
	return out
}
