package social

import (
	"context"

	"github.com/starling-social/starling/go/store"
)

// moderateStatus asks the moderator about a status being posted
// (statusID 0) or edited (its ID), and applies the verdict to in: a reject
// is KindInvalid with the reason, a failed moderator KindUnavailable, a
// rewrite replaces the text, sensitive marks it. It returns the flags to
// store with the status. Editing statuses does not exist yet; when it
// does, it calls this with the status's ID so plugins see edits too.
func (s *Service) moderateStatus(ctx context.Context, op string, author *store.Account, in *StatusInput, vis store.Visibility, statusID int64) ([]Flag, error) {
	if s.mod == nil {
		return nil, nil
	}
	v, err := s.mod.CheckStatus(ctx, Draft{
		AccountID: author.ID, Username: author.Username, Text: in.Text,
		SpoilerText: in.SpoilerText, Visibility: vis, Language: in.Language, StatusID: statusID,
		AccountCreatedAt: author.CreatedAt, AccountStatusesCount: author.StatusesCount,
		AccountFollowersCount: author.FollowersCount,
	})
	if err != nil {
		return nil, &Error{Op: op, Kind: KindUnavailable, Safe: "Moderation is unavailable; try again later", Err: err}
	}
	if v.Reject {
		return nil, &Error{Op: op, Kind: KindInvalid, Safe: "Validation failed: " + v.Reason}
	}
	if v.Rewritten {
		in.Text, in.SpoilerText = v.Text, v.SpoilerText
	}
	in.Sensitive = in.Sensitive || v.Sensitive
	return v.Flags, nil
}

// statusFlags gives each flag its ID for the store.
func (s *Service) statusFlags(ctx context.Context, op string, flags []Flag) ([]store.StatusFlag, error) {
	if len(flags) == 0 {
		return nil, nil
	}
	out := make([]store.StatusFlag, len(flags))
	for i, f := range flags {
		id, err := s.newID(ctx, op)
		if err != nil {
			return nil, err
		}
		out[i] = store.StatusFlag{ID: id, Plugin: f.Plugin, PluginVersion: f.Version, Reason: f.Reason}
	}
	return out, nil
}

// moderateAccount asks the moderator about a sign-up or a profile change.
// Flags are kept in the moderator's audit log; only statuses have a
// moderators' list so far.
func (s *Service) moderateAccount(ctx context.Context, op string, d AccountDraft) error {
	if s.mod == nil {
		return nil
	}
	v, err := s.mod.CheckAccount(ctx, d)
	if err != nil {
		return &Error{Op: op, Kind: KindUnavailable, Safe: "Moderation is unavailable; try again later", Err: err}
	}
	if v.Reject {
		return &Error{Op: op, Kind: KindInvalid, Safe: "Validation failed: " + v.Reason}
	}
	return nil
}

// rankByRanker lets the Ranker order sts, which the viewer may all see
// (visibility applied before). Visibility is applied after as well, in the
// only way a ranker could break it: what comes back is kept only if it was
// a candidate, once, so a ranker can reorder and drop but never add.
func (s *Service) rankByRanker(ctx context.Context, op string, viewer *store.Account, surface, query string, sts []*store.Status) ([]*store.Status, error) {
	if s.rank == nil || len(sts) < 2 {
		return sts, nil
	}
	req := RankRequest{Surface: surface, Query: query, Candidates: make([]RankCandidate, len(sts))}
	var following map[int64]bool
	if viewer != nil {
		req.ViewerID = viewer.ID
		ids, err := s.store.GetFollowingIDs(ctx, viewer.ID)
		if err != nil {
			return nil, internal(op, err)
		}
		following = idSet(ids)
	}
	byID := make(map[int64]*store.Status, len(sts))
	for i, st := range sts {
		byID[st.ID] = st
		req.Candidates[i] = RankCandidate{
			ID: st.ID, AuthorID: st.AccountID, CreatedAt: st.CreatedAt,
			Favourites: st.FavouritesCount, Reblogs: st.ReblogsCount, Replies: st.RepliesCount,
			Similarity:      1 - float64(i)/float64(len(sts)),
			FollowingAuthor: following[st.AccountID],
		}
	}
	ids, err := s.rank.Rank(ctx, req)
	if err != nil {
		return nil, &Error{Op: op, Kind: KindUnavailable, Safe: "Ranking is unavailable; try again later", Err: err}
	}
	out := make([]*store.Status, 0, len(ids))
	for _, id := range ids {
		if st, ok := byID[id]; ok {
			out = append(out, st)
			delete(byID, id)
		}
	}
	return out, nil
}
