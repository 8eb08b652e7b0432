package pluginsdk

import (
	"fmt"
	"time"

	"github.com/starling-social/starling/go/pluginsdk/internal/proto"
)

// This file is the only place that maps between the public types and the
// generated wire types (terraform-plugin-go keeps the same split in its
// fromproto and toproto packages). A new field is added here, in types.go and
// in policy.proto, and nowhere else.

// encodingRankColumns is the wire encoding of RankRequest.columns. Every
// plugin built with this SDK reads it, and says so in Info.
const encodingRankColumns = "rank_columns"

func toprotoInfoResponse(r *InfoResponse) *proto.InfoResponse {
	return &proto.InfoResponse{Name: r.Name, Version: r.Version, Hooks: r.Hooks, Encodings: []string{encodingRankColumns}}
}

func fromprotoInfoResponse(r *proto.InfoResponse) *InfoResponse {
	return &InfoResponse{Name: r.GetName(), Version: r.GetVersion(), Hooks: r.GetHooks()}
}

func toprotoConfigureRequest(r *ConfigureRequest) *proto.ConfigureRequest {
	return &proto.ConfigureRequest{Config: r.Config}
}

func fromprotoConfigureRequest(r *proto.ConfigureRequest) *ConfigureRequest {
	return &ConfigureRequest{Config: r.GetConfig()}
}

func toprotoConfigureResponse(r *ConfigureResponse) *proto.ConfigureResponse {
	return &proto.ConfigureResponse{Error: r.Error}
}

func fromprotoConfigureResponse(r *proto.ConfigureResponse) *ConfigureResponse {
	return &ConfigureResponse{Error: r.GetError()}
}

func toprotoCheckStatusRequest(r *CheckStatusRequest) *proto.CheckStatusRequest {
	return &proto.CheckStatusRequest{
		AccountId:   r.AccountID,
		Username:    r.Username,
		Text:        r.Text,
		SpoilerText: r.SpoilerText,
		Visibility:  r.Visibility,
		Language:    r.Language,
		StatusId:    r.StatusID,

		AccountCreatedAtUnix:  unixOrZero(r.AccountCreatedAt),
		AccountStatusesCount:  r.AccountStatusesCount,
		AccountFollowersCount: r.AccountFollowersCount,
	}
}

func fromprotoCheckStatusRequest(r *proto.CheckStatusRequest) *CheckStatusRequest {
	return &CheckStatusRequest{
		AccountID:   r.GetAccountId(),
		Username:    r.GetUsername(),
		Text:        r.GetText(),
		SpoilerText: r.GetSpoilerText(),
		Visibility:  r.GetVisibility(),
		Language:    r.GetLanguage(),
		StatusID:    r.GetStatusId(),

		AccountCreatedAt:      timeOrZero(r.GetAccountCreatedAtUnix(), 0),
		AccountStatusesCount:  r.GetAccountStatusesCount(),
		AccountFollowersCount: r.GetAccountFollowersCount(),
	}
}

// toprotoCheckStatusResponse drops the host-only fields (Sensitive, Flagged,
// Plugin): they describe a combined decision and never cross the wire.
func toprotoCheckStatusResponse(r *CheckStatusResponse) (*proto.CheckStatusResponse, error) {
	v, err := toprotoVerdict(r.Verdict)
	if err != nil {
		return nil, err
	}
	return &proto.CheckStatusResponse{
		Verdict:     v,
		Reason:      r.Reason,
		Text:        r.Text,
		SpoilerText: r.SpoilerText,
	}, nil
}

func fromprotoCheckStatusResponse(r *proto.CheckStatusResponse) (*CheckStatusResponse, error) {
	v, err := fromprotoVerdict(r.GetVerdict())
	if err != nil {
		return nil, err
	}
	return &CheckStatusResponse{
		Verdict:     v,
		Reason:      r.GetReason(),
		Text:        r.GetText(),
		SpoilerText: r.GetSpoilerText(),
	}, nil
}

func toprotoVerdict(v Verdict) (proto.Verdict, error) {
	switch v {
	case VerdictAllow:
		return proto.Verdict_VERDICT_ALLOW, nil
	case VerdictReject:
		return proto.Verdict_VERDICT_REJECT, nil
	case VerdictFlag:
		return proto.Verdict_VERDICT_FLAG, nil
	case VerdictMarkSensitive:
		return proto.Verdict_VERDICT_MARK_SENSITIVE, nil
	case VerdictRewrite:
		return proto.Verdict_VERDICT_REWRITE, nil
	}
	return 0, fmt.Errorf("unknown verdict %v", v)
}

// fromprotoVerdict refuses values it does not know: a newer plugin's verdict
// must not be mistaken for allow, so the call fails and the fail mode decides.
func fromprotoVerdict(v proto.Verdict) (Verdict, error) {
	switch v {
	case proto.Verdict_VERDICT_UNSPECIFIED, proto.Verdict_VERDICT_ALLOW:
		return VerdictAllow, nil
	case proto.Verdict_VERDICT_REJECT:
		return VerdictReject, nil
	case proto.Verdict_VERDICT_FLAG:
		return VerdictFlag, nil
	case proto.Verdict_VERDICT_MARK_SENSITIVE:
		return VerdictMarkSensitive, nil
	case proto.Verdict_VERDICT_REWRITE:
		return VerdictRewrite, nil
	}
	return 0, fmt.Errorf("unknown verdict %d", int32(v))
}

func toprotoCheckAccountRequest(r *CheckAccountRequest) *proto.CheckAccountRequest {
	return &proto.CheckAccountRequest{
		AccountId:     r.AccountID,
		Username:      r.Username,
		DisplayName:   r.DisplayName,
		Note:          r.Note,
		Event:         r.Event,
		CreatedAtUnix: unixOrZero(r.CreatedAt),
	}
}

func fromprotoCheckAccountRequest(r *proto.CheckAccountRequest) *CheckAccountRequest {
	return &CheckAccountRequest{
		AccountID:   r.GetAccountId(),
		Username:    r.GetUsername(),
		DisplayName: r.GetDisplayName(),
		Note:        r.GetNote(),
		Event:       r.GetEvent(),
		CreatedAt:   timeOrZero(r.GetCreatedAtUnix(), 0),
	}
}

// toprotoCheckAccountResponse drops the host-only fields, as for statuses.
func toprotoCheckAccountResponse(r *CheckAccountResponse) (*proto.CheckAccountResponse, error) {
	v, err := toprotoAccountVerdict(r.Verdict)
	if err != nil {
		return nil, err
	}
	return &proto.CheckAccountResponse{Verdict: v, Reason: r.Reason}, nil
}

func fromprotoCheckAccountResponse(r *proto.CheckAccountResponse) (*CheckAccountResponse, error) {
	v, err := fromprotoVerdict(r.GetVerdict())
	if err != nil {
		return nil, err
	}
	if !accountVerdict(v) {
		return nil, fmt.Errorf("verdict %s is not valid for an account", v)
	}
	return &CheckAccountResponse{Verdict: v, Reason: r.GetReason()}, nil
}

func toprotoAccountVerdict(v Verdict) (proto.Verdict, error) {
	if !accountVerdict(v) {
		return 0, fmt.Errorf("verdict %s is not valid for an account", v)
	}
	return toprotoVerdict(v)
}

// accountVerdict reports whether v makes sense for an account: there is no
// text to rewrite and nothing to mark sensitive.
func accountVerdict(v Verdict) bool {
	return v == VerdictAllow || v == VerdictReject || v == VerdictFlag
}

// toprotoRankRequest encodes r, column by column when the plugin reads
// columns and no candidate has named features (which have no column).
func toprotoRankRequest(r *RankRequest, columns bool) *proto.RankRequest {
	out := &proto.RankRequest{
		ViewerId:  r.ViewerID,
		Surface:   r.Surface,
		Query:     r.Query,
		NowUnixMs: unixMilliOrZero(r.Now),
	}
	for i := range r.Candidates {
		if len(r.Candidates[i].Features) > 0 {
			columns = false
			break
		}
	}
	if columns {
		out.Columns = toprotoCandidateColumns(r.Candidates)
		return out
	}
	// One backing array for all candidates: a rank of 1,000 is one
	// allocation here instead of 1,000.
	out.Candidates = make([]*proto.Candidate, len(r.Candidates))
	cs := make([]proto.Candidate, len(r.Candidates))
	for i := range r.Candidates {
		c := &r.Candidates[i]
		cs[i] = proto.Candidate{
			Id:              c.ID,
			AuthorId:        c.AuthorID,
			CreatedAtUnixMs: unixMilliOrZero(c.CreatedAt),
			Favourites:      c.Favourites,
			Reblogs:         c.Reblogs,
			Replies:         c.Replies,
			Affinity:        c.Affinity,
			Similarity:      c.Similarity,
			FollowingAuthor: c.FollowingAuthor,
			Features:        c.Features,
		}
		out.Candidates[i] = &cs[i]
	}
	return out
}

func toprotoCandidateColumns(in []Candidate) *proto.CandidateColumns {
	n := len(in)
	ints := make([]int64, 6*n) // one allocation for the six integer columns
	floats := make([]float64, 2*n)
	cols := &proto.CandidateColumns{
		Id: ints[0*n : 1*n : 1*n], AuthorId: ints[1*n : 2*n : 2*n], CreatedAtUnixMs: ints[2*n : 3*n : 3*n],
		Favourites: ints[3*n : 4*n : 4*n], Reblogs: ints[4*n : 5*n : 5*n], Replies: ints[5*n : 6*n : 6*n],
		Affinity: floats[:n:n], Similarity: floats[n:], FollowingAuthor: make([]bool, n),
	}
	for i := range in {
		c := &in[i]
		cols.Id[i], cols.AuthorId[i], cols.CreatedAtUnixMs[i] = c.ID, c.AuthorID, unixMilliOrZero(c.CreatedAt)
		cols.Favourites[i], cols.Reblogs[i], cols.Replies[i] = c.Favourites, c.Reblogs, c.Replies
		cols.Affinity[i], cols.Similarity[i], cols.FollowingAuthor[i] = c.Affinity, c.Similarity, c.FollowingAuthor
	}
	return cols
}

// fromprotoRankRequest decodes a rank request in either encoding. Columns
// of different lengths are an error: the candidates would not line up.
func fromprotoRankRequest(r *proto.RankRequest) (*RankRequest, error) {
	out := &RankRequest{
		ViewerID: r.GetViewerId(),
		Surface:  r.GetSurface(),
		Query:    r.GetQuery(),
		Now:      timeOrZero(0, r.GetNowUnixMs()),
	}
	if cols := r.GetColumns(); cols != nil && len(r.GetCandidates()) == 0 {
		n := len(cols.GetId())
		for _, l := range []int{len(cols.GetAuthorId()), len(cols.GetCreatedAtUnixMs()), len(cols.GetFavourites()), len(cols.GetReblogs()),
			len(cols.GetReplies()), len(cols.GetAffinity()), len(cols.GetSimilarity()), len(cols.GetFollowingAuthor())} {
			if l != n {
				return nil, fmt.Errorf("rank columns of different lengths (%d ids, a column of %d)", n, l)
			}
		}
		out.Candidates = make([]Candidate, n)
		for i := range out.Candidates {
			out.Candidates[i] = Candidate{
				ID:              cols.Id[i],
				AuthorID:        cols.AuthorId[i],
				CreatedAt:       timeOrZero(0, cols.CreatedAtUnixMs[i]),
				Favourites:      cols.Favourites[i],
				Reblogs:         cols.Reblogs[i],
				Replies:         cols.Replies[i],
				Affinity:        cols.Affinity[i],
				Similarity:      cols.Similarity[i],
				FollowingAuthor: cols.FollowingAuthor[i],
			}
		}
		return out, nil
	}
	in := r.GetCandidates()
	out.Candidates = make([]Candidate, len(in))
	for i, c := range in {
		out.Candidates[i] = Candidate{
			ID:              c.GetId(),
			AuthorID:        c.GetAuthorId(),
			CreatedAt:       timeOrZero(0, c.GetCreatedAtUnixMs()),
			Favourites:      c.GetFavourites(),
			Reblogs:         c.GetReblogs(),
			Replies:         c.GetReplies(),
			Affinity:        c.GetAffinity(),
			Similarity:      c.GetSimilarity(),
			FollowingAuthor: c.GetFollowingAuthor(),
			Features:        c.GetFeatures(),
		}
	}
	return out, nil
}

func toprotoRankResponse(r *RankResponse) *proto.RankResponse {
	return &proto.RankResponse{Scores: r.Scores, Order: r.Order}
}

func fromprotoRankResponse(r *proto.RankResponse) *RankResponse {
	return &RankResponse{Scores: r.GetScores(), Order: r.GetOrder()}
}

// unixOrZero keeps "unknown" distinguishable from 1970 on the wire.
func unixOrZero(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.Unix()
}

func unixMilliOrZero(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixMilli()
}

// timeOrZero is the inverse of unixOrZero (sec) or unixMilliOrZero (ms):
// 0 is the zero Time.
func timeOrZero(sec, ms int64) time.Time {
	switch {
	case sec != 0:
		return time.Unix(sec, 0).UTC()
	case ms != 0:
		return time.UnixMilli(ms).UTC()
	}
	return time.Time{}
}
