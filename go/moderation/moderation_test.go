package moderation

import (
	"reflect"
	"testing"
	"time"

	"github.com/starling-social/starling/go/pluginsdk"
	"github.com/starling-social/starling/go/social"
)

func TestStatusVerdict(t *testing.T) {
	flag := pluginsdk.Decision{Plugin: "spamguard", Version: "1.0.0", Hook: "check_status", Verdict: pluginsdk.VerdictFlag, Reason: "links"}
	rewrite := pluginsdk.Decision{Plugin: "wordfilter", Version: "1.1.0", Hook: "check_status", Verdict: pluginsdk.VerdictRewrite, Reason: "masked"}
	tests := []struct {
		name string
		in   pluginsdk.CheckStatusResponse
		want social.Verdict
	}{
		{"allow", pluginsdk.CheckStatusResponse{Text: "t"}, social.Verdict{}},
		{"reject keeps the reason", pluginsdk.CheckStatusResponse{Verdict: pluginsdk.VerdictReject, Reason: "blocked word", Plugin: "wordfilter"},
			social.Verdict{Reject: true, Reason: "blocked word"}},
		{"rewrite", pluginsdk.CheckStatusResponse{Verdict: pluginsdk.VerdictRewrite, Text: "a ***", SpoilerText: "cw", Decisions: []pluginsdk.Decision{rewrite}},
			social.Verdict{Rewritten: true, Text: "a ***", SpoilerText: "cw"}},
		{"sensitive verdict", pluginsdk.CheckStatusResponse{Verdict: pluginsdk.VerdictMarkSensitive},
			social.Verdict{Sensitive: true}},
		{"sensitive under a rewrite", pluginsdk.CheckStatusResponse{Verdict: pluginsdk.VerdictRewrite, Sensitive: true, Text: "x"},
			social.Verdict{Sensitive: true, Rewritten: true, Text: "x"}},
		{"flag carries plugin and version", pluginsdk.CheckStatusResponse{Verdict: pluginsdk.VerdictFlag, Flagged: true, Decisions: []pluginsdk.Decision{rewrite, flag}},
			social.Verdict{Flags: []social.Flag{{Plugin: "spamguard", Version: "1.0.0", Reason: "links"}}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := statusVerdict(&tt.in); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestAccountVerdict(t *testing.T) {
	got := accountVerdict(&pluginsdk.CheckAccountResponse{Verdict: pluginsdk.VerdictReject, Reason: "no"})
	if !got.Reject || got.Reason != "no" {
		t.Errorf("reject: %+v", got)
	}
	got = accountVerdict(&pluginsdk.CheckAccountResponse{Verdict: pluginsdk.VerdictFlag,
		Decisions: []pluginsdk.Decision{{Plugin: "p", Version: "2", Verdict: pluginsdk.VerdictFlag, Reason: "r"}}})
	if got.Reject || !reflect.DeepEqual(got.Flags, []social.Flag{{Plugin: "p", Version: "2", Reason: "r"}}) {
		t.Errorf("flag: %+v", got)
	}
}

func TestRankRequestMapping(t *testing.T) {
	now := time.Unix(1700000000, 0)
	in := social.RankRequest{ViewerID: 3, Surface: "search", Query: "q", Candidates: []social.RankCandidate{
		{ID: 1, AuthorID: 2, CreatedAt: now.Add(-time.Hour), Favourites: 4, Reblogs: 5, Replies: 6, Similarity: 0.5, FollowingAuthor: true},
	}}
	got := rankRequest(in, now)
	want := &pluginsdk.RankRequest{ViewerID: 3, Surface: "search", Query: "q", Now: now, Candidates: []pluginsdk.Candidate{
		{ID: 1, AuthorID: 2, CreatedAt: now.Add(-time.Hour), Favourites: 4, Reblogs: 5, Replies: 6, Similarity: 0.5, FollowingAuthor: true},
	}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %+v, want %+v", got, want)
	}
}
