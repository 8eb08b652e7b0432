package feed

import (
	"slices"

	"github.com/starling-social/starling/go/store"
)

// Reblog de-duplication, after Mastodon's FeedManager: a status boosted
// again soon after it was posted or boosted does not reappear. Mastodon
// decides at insertion, against what its Redis feed holds then, so its
// outcome depends on the order fan-outs arrive in. Ours is a function of
// the timeline's candidates alone (what pull selects, newest first): a
// reblog is left out when the status it reblogs, or another reblog of it,
// is among the reblogFalloff candidates just older than it. Pull, the
// cached timelines of push and hybrid on either store, a rebuild and a
// hybrid merge therefore agree whatever order deliveries came in (the
// delivery workers and the relay deliver out of order), and deleting the
// reblog shown brings the next one back, as Mastodon's "extra reblogs"
// set does. The window counts candidates, before the viewer's filters.
//
// The cost falls on reads, and only on pages holding a reblog: such a
// page reads on, reblogFalloff more candidates below it.

// reblogFalloff is how many older candidates a reblog is compared with
// (Mastodon's REBLOG_FALLOFF).
const reblogFalloff = 40

// maxDedupRead bounds the candidates one page reads to fill itself when
// long runs of repeated reblogs are left out; a page past it is returned
// short (the next page goes on from its oldest).
const maxDedupRead = 1000

// withoutRepeatedReblogs returns page of the timeline read selects, the
// repeated reblogs left out. read answers a page of candidates, newest
// first.
func withoutRepeatedReblogs(page store.Page, read func(store.Page) ([]*store.Status, error)) ([]*store.Status, error) {
	sts, err := read(page)
	if err != nil || !slices.ContainsFunc(sts, func(s *store.Status) bool { return s.ReblogOfID != 0 }) {
		// No reblog: nothing left out, so these are the page's entries.
		return sts, err
	}
	if page.MinID != 0 {
		return dedupAbove(page, read)
	}
	return dedupBelow(page, sts, read)
}

// dedupBelow answers a newest-first page (max_id, since_id) whose
// candidates first (newest first, not empty) were read: it reads on below
// them, past the page's lower bound by the window. Each read continues
// below the last candidate, so no status is loaded twice.
func dedupBelow(page store.Page, first []*store.Status, read func(store.Page) ([]*store.Status, error)) ([]*store.Status, error) {
	lo, _ := pageBounds(page)
	cands := slices.Clip(first)
	more := true // whether candidates may remain below cands
	for k := page.Limit + reblogFalloff; ; k *= 2 {
		if more && len(cands) < k {
			next, err := read(store.Page{MaxID: cands[len(cands)-1].ID, Limit: k - len(cands)})
			if err != nil {
				return nil, err
			}
			more = len(next) == k-len(cands)
			cands = append(cands, next...)
		}
		whole := !more // the timeline ends here: every candidate can be decided
		out := make([]*store.Status, 0, page.Limit)
		decided := true
		for i, c := range cands {
			if c.ID <= lo {
				break
			}
			if !whole && i+reblogFalloff >= len(cands) {
				decided = false
				break
			}
			if !repeated(cands, i) {
				if out = append(out, c); len(out) == page.Limit {
					return out, nil
				}
			}
		}
		if decided || k >= maxDedupRead {
			return out, nil
		}
	}
}

// dedupAbove answers a min_id page: the entries closest above its lower
// bound, newest first, each compared with the candidates below it.
func dedupAbove(page store.Page, read func(store.Page) ([]*store.Status, error)) ([]*store.Status, error) {
	lo, _ := pageBounds(page)
	below, err := read(store.Page{MaxID: lo + 1, Limit: reblogFalloff})
	if err != nil {
		return nil, err
	}
	for k := page.Limit + reblogFalloff; ; k *= 2 {
		above, err := read(store.Page{MaxID: page.MaxID, SinceID: page.SinceID, MinID: page.MinID, Limit: k})
		if err != nil {
			return nil, err
		}
		seq := append(slices.Clip(above), below...)
		out := make([]*store.Status, 0, page.Limit)
		for i := len(above) - 1; i >= 0 && len(out) < page.Limit; i-- {
			if !repeated(seq, i) {
				out = append(out, seq[i])
			}
		}
		if len(out) == page.Limit || len(above) < k || k >= maxDedupRead {
			slices.Reverse(out)
			return out, nil
		}
	}
}

// repeated says whether seq[i] (seq newest first) is a reblog of a status
// that, or another reblog of which, is among the reblogFalloff entries
// after it.
func repeated(seq []*store.Status, i int) bool {
	orig := seq[i].ReblogOfID
	if orig == 0 {
		return false
	}
	for _, s := range seq[i+1 : min(len(seq), i+1+reblogFalloff)] {
		if s.ID == orig || s.ReblogOfID == orig {
			return true
		}
	}
	return false
}
