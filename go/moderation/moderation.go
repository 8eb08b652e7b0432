package moderation

import (
	"context"
	"time"

	"github.com/starling-social/starling/go/pluginsdk"
	"github.com/starling-social/starling/go/policy"
	"github.com/starling-social/starling/go/social"
)

// Moderator adapts a policy.Host to what package social consumes: it is a
// social.Moderator and a social.Ranker. cmd/starling wires it in.
type Moderator struct {
	Host *policy.Host
}

var (
	_ social.Moderator = Moderator{}
	_ social.Ranker    = Moderator{}
)

// CheckStatus asks the plugins about a draft. A host error (a fail-closed
// plugin that is down) is returned, so social refuses the post with 503.
func (m Moderator) CheckStatus(ctx context.Context, d social.Draft) (social.Verdict, error) {
	resp, err := m.Host.CheckStatus(ctx, &pluginsdk.CheckStatusRequest{
		AccountID: d.AccountID, Username: d.Username, Text: d.Text, SpoilerText: d.SpoilerText,
		Visibility: string(d.Visibility), Language: d.Language, StatusID: d.StatusID,
		AccountCreatedAt: d.AccountCreatedAt, AccountStatusesCount: d.AccountStatusesCount,
		AccountFollowersCount: d.AccountFollowersCount,
	})
	if err != nil {
		return social.Verdict{}, err
	}
	return statusVerdict(resp), nil
}

// statusVerdict maps the host's combined decision to social's verdict.
func statusVerdict(resp *pluginsdk.CheckStatusResponse) social.Verdict {
	v := social.Verdict{
		Sensitive: resp.Sensitive || resp.Verdict == pluginsdk.VerdictMarkSensitive,
		Flags:     flags(resp.Decisions),
	}
	switch resp.Verdict {
	case pluginsdk.VerdictReject:
		v.Reject, v.Reason = true, resp.Reason
	case pluginsdk.VerdictRewrite:
		v.Rewritten, v.Text, v.SpoilerText = true, resp.Text, resp.SpoilerText
	}
	return v
}

// CheckAccount asks the plugins about a sign-up or a profile change.
func (m Moderator) CheckAccount(ctx context.Context, d social.AccountDraft) (social.Verdict, error) {
	ev := pluginsdk.AccountProfile
	if d.Signup {
		ev = pluginsdk.AccountSignup
	}
	resp, err := m.Host.CheckAccount(ctx, &pluginsdk.CheckAccountRequest{
		AccountID: d.AccountID, Username: d.Username, DisplayName: d.DisplayName, Note: d.Note,
		Event: ev, CreatedAt: d.CreatedAt,
	})
	if err != nil {
		return social.Verdict{}, err
	}
	return accountVerdict(resp), nil
}

func accountVerdict(resp *pluginsdk.CheckAccountResponse) social.Verdict {
	v := social.Verdict{Flags: flags(resp.Decisions)}
	if resp.Verdict == pluginsdk.VerdictReject {
		v.Reject, v.Reason = true, resp.Reason
	}
	return v
}

// flags picks the flag decisions, each with its plugin's name and version.
func flags(ds []pluginsdk.Decision) []social.Flag {
	var out []social.Flag
	for _, d := range ds {
		if d.Verdict == pluginsdk.VerdictFlag {
			out = append(out, social.Flag{Plugin: d.Plugin, Version: d.Version, Reason: d.Reason})
		}
	}
	return out
}

// Ranking reports whether a rank plugin is enabled.
func (m Moderator) Ranking() bool { return m.Host.Routed(pluginsdk.HookRank) }

// Rank asks the rank plugins to order the candidates.
func (m Moderator) Rank(ctx context.Context, r social.RankRequest) ([]int64, error) {
	return m.Host.Rank(ctx, rankRequest(r, time.Now()))
}

func rankRequest(r social.RankRequest, now time.Time) *pluginsdk.RankRequest {
	out := &pluginsdk.RankRequest{ViewerID: r.ViewerID, Surface: r.Surface, Query: r.Query, Now: now,
		Candidates: make([]pluginsdk.Candidate, len(r.Candidates))}
	for i, c := range r.Candidates {
		out.Candidates[i] = pluginsdk.Candidate{
			ID: c.ID, AuthorID: c.AuthorID, CreatedAt: c.CreatedAt,
			Favourites: c.Favourites, Reblogs: c.Reblogs, Replies: c.Replies,
			Similarity: c.Similarity, FollowingAuthor: c.FollowingAuthor,
		}
	}
	return out
}
