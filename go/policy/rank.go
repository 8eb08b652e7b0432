package policy

import (
	"context"
	"errors"
	"fmt"
	"math"
	"slices"

	"github.com/starling-social/starling/go/pluginsdk"
)

// maxRankCandidates bounds one rank call: the request is one gRPC message,
// and a plugin's time grows with it.
const maxRankCandidates = 10_000

// Routed reports whether an enabled plugin takes hook now.
func (h *Host) Routed(hook string) bool { return len(h.routes.Load().byHook[hook]) > 0 }

// Rank asks every plugin routed pluginsdk.HookRank, in order, to order
// req.Candidates; each sees the order the one before it produced. It
// returns candidate IDs, best first.
//
// The caller passes only candidates the viewer may see, and the result is
// always a subsequence of them: IDs a plugin invents or repeats are
// dropped, so a plugin can reorder and drop, never widen what a viewer
// sees. Callers still filter the result by visibility again, since time
// has passed. With no rank plugin, or when a fail-open plugin fails, the
// order is kept; a fail-closed plugin's failure is an error wrapping
// ErrUnavailable.
func (h *Host) Rank(ctx context.Context, req *pluginsdk.RankRequest) ([]int64, error) {
	const hook = pluginsdk.HookRank
	if h.closed.Load() {
		return nil, fmt.Errorf("policy: %s: host is closed: %w", hook, ErrUnavailable)
	}
	if len(req.Candidates) > maxRankCandidates {
		return nil, fmt.Errorf("policy: %s: %d candidates, at most %d", hook, len(req.Candidates), maxRankCandidates)
	}
	cur := *req
	for _, s := range h.routes.Load().byHook[hook] {
		resp, in, err := call(ctx, h, s, hook, func(ctx context.Context, c pluginsdk.Client) (*pluginsdk.RankResponse, error) {
			return c.Rank(ctx, &cur)
		})
		var next []pluginsdk.Candidate
		if err == nil {
			next, err = applyRanking(cur.Candidates, resp)
		}
		if err != nil {
			if err := h.failed(ctx, s, hook, err); err != nil {
				return nil, err
			}
			continue
		}
		h.metrics.decisions.WithLabelValues(s.name, in.version, hook, "ranked").Inc()
		cur.Candidates = next
	}
	ids := make([]int64, len(cur.Candidates))
	for i, c := range cur.Candidates {
		ids[i] = c.ID
	}
	return ids, nil
}

// applyRanking returns cands in the order resp gives. With Order, unknown
// and repeated IDs are ignored and missing ones dropped; with Scores there
// must be one finite score per candidate, sorted descending and stable.
func applyRanking(cands []pluginsdk.Candidate, resp *pluginsdk.RankResponse) ([]pluginsdk.Candidate, error) {
	switch {
	case len(resp.Order) > 0:
		pos := make(map[int64]int, len(cands))
		for i, c := range cands {
			pos[c.ID] = i
		}
		out := make([]pluginsdk.Candidate, 0, min(len(resp.Order), len(cands)))
		for _, id := range resp.Order {
			if i, ok := pos[id]; ok {
				out = append(out, cands[i])
				delete(pos, id) // a repeat is ignored
			}
		}
		return out, nil
	case len(resp.Scores) == len(cands):
		for _, sc := range resp.Scores {
			if math.IsNaN(sc) || math.IsInf(sc, 0) {
				return nil, errors.New("rank: a score is NaN or infinite")
			}
		}
		idx := make([]int, len(cands))
		for i := range idx {
			idx[i] = i
		}
		slices.SortStableFunc(idx, func(a, b int) int {
			switch {
			case resp.Scores[a] > resp.Scores[b]:
				return -1
			case resp.Scores[a] < resp.Scores[b]:
				return 1
			}
			return 0
		})
		out := make([]pluginsdk.Candidate, len(cands))
		for i, j := range idx {
			out[i] = cands[j]
		}
		return out, nil
	case len(cands) == 0:
		return nil, nil
	}
	return nil, fmt.Errorf("rank: %d scores for %d candidates and no order", len(resp.Scores), len(cands))
}
