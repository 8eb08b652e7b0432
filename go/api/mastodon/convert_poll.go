package mastodon

import (
	"github.com/starling-social/starling/go/social"
)

// Poll is Mastodon's Poll entity.
type Poll struct {
	ID          string       `json:"id"`
	ExpiresAt   *string      `json:"expires_at"`
	Expired     bool         `json:"expired"`
	Multiple    bool         `json:"multiple"`
	VotesCount  int64        `json:"votes_count"`
	VotersCount *int64       `json:"voters_count"`
	Options     []PollOption `json:"options"`
	Emojis      []struct{}   `json:"emojis"`
	Voted       *bool        `json:"voted,omitempty"`
	OwnVotes    *[]int       `json:"own_votes,omitempty"` // [] for a signed-in viewer who has not voted
}

// PollOption is Mastodon's Poll::Option: votes_count is null while the
// totals are hidden.
type PollOption struct {
	Title      string `json:"title"`
	VotesCount *int64 `json:"votes_count"`
}

// pollEntity converts a poll; voted and own_votes only for a signed-in
// viewer, as Mastodon sends them.
func pollEntity(v *social.PollView, signedIn bool) *Poll {
	p := v.Poll
	exp := formatTime(p.ExpiresAt)
	out := &Poll{ID: formatID(p.ID), ExpiresAt: &exp, Expired: v.Expired, Multiple: p.Multiple,
		VotesCount: v.Results.Votes, Options: make([]PollOption, len(p.Options)), Emojis: []struct{}{}}
	if p.Multiple {
		voters := v.Results.Voters
		out.VotersCount = &voters
	}
	for i, title := range p.Options {
		out.Options[i].Title = title
		if v.ShowTotals {
			n := v.Results.PerOption[i]
			out.Options[i].VotesCount = &n
		}
	}
	if signedIn {
		voted := v.Voted
		out.Voted = &voted
		own := v.OwnVotes
		if own == nil {
			own = []int{}
		}
		out.OwnVotes = &own
	}
	return out
}
