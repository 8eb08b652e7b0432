package mastodon

import (
	"net/http"
	"strings"
	"time"

	"github.com/go-chi/chi/v5"

	"github.com/starling-social/starling/go/social"
)

// InstanceInfo is what the operator says about the server (flags
// --instance-title, --instance-description, --instance-email and
// --instance-thumbnail).
type InstanceInfo struct {
	Title       string
	Description string // plain text; shown as the short description too
	Email       string // the administrators' contact address; may be empty
	Thumbnail   string // absolute URL of a banner image; empty: the bundled one
	Languages   []string
	SourceURL   string
	// ExtendedDescription is the longer description (plain text, shown as
	// paragraphs) and when it was written; empty when none.
	ExtendedDescription          string
	ExtendedDescriptionUpdatedAt time.Time
}

func (i InstanceInfo) withDefaults() InstanceInfo {
	if i.Title == "" {
		i.Title = "Starling"
	}
	if i.Description == "" {
		i.Description = "A Starling social server"
	}
	if len(i.Languages) == 0 {
		i.Languages = []string{"en"}
	}
	if i.SourceURL == "" {
		i.SourceURL = "https://github.com/starling-social/starling"
	}
	return i
}

// instanceRoutes: what clients call first (under /api/v1).
func (h *Handler) instanceRoutes(r chi.Router) {
	r.Get("/instance", h.instanceV1)                                                 // GET /api/v1/instance
	r.Post("/apps", h.createApp)                                                     // POST /api/v1/apps
	r.With(h.requireApp("")).Get("/apps/verify_credentials", h.verifyAppCredentials) // GET /api/v1/apps/verify_credentials
}

// instanceV2Routes: the v2 instance entity (under /api/v2).
func (h *Handler) instanceV2Routes(r chi.Router) {
	r.Get("/instance", h.instanceV2) // GET /api/v2/instance
}

// streamingURL is the WebSocket base URL: the public URL with ws(s).
func (h *Handler) streamingURL() string {
	if rest, ok := strings.CutPrefix(h.baseURL, "https://"); ok {
		return "wss://" + rest
	}
	return "ws://" + strings.TrimPrefix(h.baseURL, "http://")
}

// domain is the public URL's host (with port, if any).
func (h *Handler) domain() string {
	d := h.baseURL
	if _, rest, ok := strings.Cut(d, "://"); ok {
		d = rest
	}
	d, _, _ = strings.Cut(d, "/")
	return d
}

// Configuration blocks shared by both instance versions. Images are the
// only media accepted (video limits are zero): a client reads zero as "not
// offered" rather than offering what would then fail.
type (
	accountsConfig struct {
		MaxFeaturedTags   int `json:"max_featured_tags"`
		MaxPinnedStatuses int `json:"max_pinned_statuses"`
	}
	statusesConfig struct {
		MaxCharacters            int `json:"max_characters"`
		MaxMediaAttachments      int `json:"max_media_attachments"`
		CharactersReservedPerURL int `json:"characters_reserved_per_url"`
	}
	mediaConfig struct {
		SupportedMimeTypes  []string `json:"supported_mime_types"`
		ImageSizeLimit      int      `json:"image_size_limit"`
		ImageMatrixLimit    int      `json:"image_matrix_limit"`
		VideoSizeLimit      int      `json:"video_size_limit"`
		VideoFrameRateLimit int      `json:"video_frame_rate_limit"`
		VideoMatrixLimit    int      `json:"video_matrix_limit"`
		DescriptionLimit    int      `json:"description_limit"`
	}
	pollsConfig struct {
		MaxOptions             int `json:"max_options"`
		MaxCharactersPerOption int `json:"max_characters_per_option"`
		MinExpiration          int `json:"min_expiration"`
		MaxExpiration          int `json:"max_expiration"`
	}
)

func (h *Handler) statusesConfig() statusesConfig {
	// Mastodon counts every URL as 23 characters; Starling counts URLs as
	// typed, but clients use the number only for their counter.
	c := statusesConfig{MaxCharacters: h.svc.Config().MaxStatusChars, CharactersReservedPerURL: 23}
	if h.uploads() {
		c.MaxMediaAttachments = social.MaxMediaAttachments
	}
	return c
}

// uploads reports whether media uploads are offered: a processor's limits
// are configured and Starling serves the files.
func (h *Handler) uploads() bool { return h.media.Files != nil && h.media.MaxBytes > 0 }

// pollsLimits are the limits social enforces on polls.
func pollsLimits() pollsConfig {
	return pollsConfig{MaxOptions: social.MaxPollOptions, MaxCharactersPerOption: social.MaxPollOptionChars,
		MinExpiration: int(social.MinPollExpiration.Seconds()), MaxExpiration: int(social.MaxPollExpiration.Seconds())}
}

func (h *Handler) mediaConfig() mediaConfig {
	if !h.uploads() {
		return mediaConfig{SupportedMimeTypes: []string{}}
	}
	return mediaConfig{SupportedMimeTypes: h.media.Types, ImageSizeLimit: int(h.media.MaxBytes),
		ImageMatrixLimit: int(h.media.MaxPixels), DescriptionLimit: social.MaxMediaDescription}
}

// instanceV1 is Mastodon's v1 Instance entity (deprecated upstream, still
// read by many clients).
type instanceV1 struct {
	URI              string          `json:"uri"`
	Title            string          `json:"title"`
	ShortDescription string          `json:"short_description"`
	Description      string          `json:"description"`
	Email            string          `json:"email"`
	Version          string          `json:"version"`
	URLs             instanceV1URLs  `json:"urls"`
	Stats            instanceV1Stats `json:"stats"`
	Thumbnail        string          `json:"thumbnail"`
	Languages        []string        `json:"languages"`
	Registrations    bool            `json:"registrations"`
	ApprovalRequired bool            `json:"approval_required"`
	InvitesEnabled   bool            `json:"invites_enabled"`
	Configuration    instanceV1Conf  `json:"configuration"`
	ContactAccount   *Account        `json:"contact_account"`
	Rules            []Rule          `json:"rules"`
}

type instanceV1URLs struct {
	StreamingAPI string `json:"streaming_api"`
}

type instanceV1Stats struct {
	UserCount   int64 `json:"user_count"`
	StatusCount int64 `json:"status_count"`
	DomainCount int64 `json:"domain_count"`
}

type instanceV1Conf struct {
	Accounts         accountsConfig `json:"accounts"`
	Statuses         statusesConfig `json:"statuses"`
	MediaAttachments mediaConfig    `json:"media_attachments"`
	Polls            pollsConfig    `json:"polls"`
}

// instanceV1 handles GET /api/v1/instance.
func (h *Handler) instanceV1(w http.ResponseWriter, r *http.Request) {
	st, err := h.svc.InstanceStats(r.Context())
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, instanceV1{
		URI: h.domain(), Title: h.info.Title, ShortDescription: h.info.Description,
		Description: h.info.Description, Email: h.info.Email, Version: instanceVersion(h.version),
		URLs:      instanceV1URLs{StreamingAPI: h.streamingURL()},
		Stats:     instanceV1Stats{UserCount: st.Users, StatusCount: st.Statuses},
		Thumbnail: h.info.Thumbnail, Languages: h.info.Languages, Registrations: h.svc.Config().RegistrationsOpen,
		Configuration: instanceV1Conf{
			Statuses: h.statusesConfig(), MediaAttachments: h.mediaConfig(), Polls: pollsLimits(),
			Accounts: accountsConfig{MaxPinnedStatuses: social.MaxPinnedStatuses, MaxFeaturedTags: social.MaxFeaturedTags},
		},
		Rules: h.rules(),
	})
}

// instanceV2 is Mastodon's v2 Instance entity.
type instanceV2 struct {
	Domain        string                `json:"domain"`
	Title         string                `json:"title"`
	Version       string                `json:"version"`
	SourceURL     string                `json:"source_url"`
	Description   string                `json:"description"`
	Usage         instanceUsage         `json:"usage"`
	Thumbnail     instanceThumbnail     `json:"thumbnail"`
	Languages     []string              `json:"languages"`
	Configuration instanceV2Conf        `json:"configuration"`
	Registrations instanceRegistrations `json:"registrations"`
	APIVersions   map[string]int        `json:"api_versions,omitempty"`
	Contact       instanceContact       `json:"contact"`
	Rules         []Rule                `json:"rules"`
}

type instanceUsage struct {
	Users struct {
		ActiveMonth int64 `json:"active_month"`
	} `json:"users"`
}

type instanceThumbnail struct {
	URL string `json:"url"`
}

type instanceV2Conf struct {
	URLs             instanceV2URLs `json:"urls"`
	Accounts         accountsConfig `json:"accounts"`
	Statuses         statusesConfig `json:"statuses"`
	MediaAttachments mediaConfig    `json:"media_attachments"`
	Polls            pollsConfig    `json:"polls"`
	Translation      struct {
		Enabled bool `json:"enabled"`
	} `json:"translation"`
}

type instanceV2URLs struct {
	Streaming string `json:"streaming"`
}

type instanceRegistrations struct {
	Enabled          bool    `json:"enabled"`
	ApprovalRequired bool    `json:"approval_required"`
	Message          *string `json:"message"`
}

type instanceContact struct {
	Email   string   `json:"email"`
	Account *Account `json:"account"`
}

// instanceV2 handles GET /api/v2/instance.
func (h *Handler) instanceV2(w http.ResponseWriter, r *http.Request) {
	st, err := h.svc.InstanceStats(r.Context())
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	out := instanceV2{
		Domain: h.domain(), Title: h.info.Title, Version: instanceVersion(h.version), SourceURL: h.info.SourceURL,
		Description: h.info.Description, Thumbnail: instanceThumbnail{URL: h.info.Thumbnail},
		Languages: h.info.Languages,
		Configuration: instanceV2Conf{
			URLs:     instanceV2URLs{Streaming: h.streamingURL()},
			Statuses: h.statusesConfig(), MediaAttachments: h.mediaConfig(), Polls: pollsLimits(),
			Accounts: accountsConfig{MaxPinnedStatuses: social.MaxPinnedStatuses, MaxFeaturedTags: social.MaxFeaturedTags},
		},
		Registrations: instanceRegistrations{Enabled: h.svc.Config().RegistrationsOpen},
		APIVersions:   apiVersions(),
		Contact:       instanceContact{Email: h.info.Email},
		Rules:         h.rules(),
	}
	out.Usage.Users.ActiveMonth = st.ActiveMonth
	writeJSON(w, http.StatusOK, out)
}
