package mastodon

import "github.com/starling-social/starling/go/social"

// Suggestion is Mastodon's Suggestion entity. Source is the deprecated
// single reason older clients read; Sources the current list.
type Suggestion struct {
	Source  string   `json:"source"`
	Sources []string `json:"sources"`
	Account *Account `json:"account"`
}

// legacySource maps a source to the pre-4.3 "source" value.
func legacySource(s string) string {
	if s == social.SourceFriendsOfFriends || s == social.SourceSimilar {
		return "past_interactions"
	}
	return "global"
}
