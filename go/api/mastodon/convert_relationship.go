package mastodon

import "github.com/starling-social/starling/go/social"

// Relationship is Mastodon's Relationship entity.
type Relationship struct {
	ID                  string   `json:"id"`
	Following           bool     `json:"following"`
	ShowingReblogs      bool     `json:"showing_reblogs"`
	Notifying           bool     `json:"notifying"`
	Languages           []string `json:"languages"`
	FollowedBy          bool     `json:"followed_by"`
	Blocking            bool     `json:"blocking"`
	BlockedBy           bool     `json:"blocked_by"`
	Muting              bool     `json:"muting"`
	MutingNotifications bool     `json:"muting_notifications"`
	Requested           bool     `json:"requested"`
	RequestedBy         bool     `json:"requested_by"`
	DomainBlocking      bool     `json:"domain_blocking"`
	Endorsed            bool     `json:"endorsed"`
	Note                string   `json:"note"`
}

func relationship(r *social.Relationship) *Relationship {
	return &Relationship{
		ID: formatID(r.TargetID), Following: r.Following, ShowingReblogs: r.ShowingReblogs,
		Notifying: r.Notifying, FollowedBy: r.FollowedBy, Blocking: r.Blocking, BlockedBy: r.BlockedBy,
		Muting: r.Muting, MutingNotifications: r.MutingNotifications,
		Requested: r.Requested, RequestedBy: r.RequestedBy, Languages: []string{},
	}
}
