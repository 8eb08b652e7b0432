package mastodon

import (
	"encoding/json"
	"net/http"

	"github.com/go-chi/chi/v5"
)

// discoveryRoutes: what clients read to find out what the server is and how
// to log in to it (outside /api).
func (h *Handler) discoveryRoutes(r chi.Router) {
	r.Get("/.well-known/oauth-authorization-server", h.oauthMetadata) // GET /.well-known/oauth-authorization-server
	r.Get("/.well-known/nodeinfo", h.nodeInfoLinks)                   // GET /.well-known/nodeinfo
	r.Get("/nodeinfo/2.0", h.nodeInfo("2.0"))                         // GET /nodeinfo/2.0
	r.Get("/nodeinfo/2.1", h.nodeInfo("2.1"))                         // GET /nodeinfo/2.1
}

// oauthMetadataDoc is RFC 8414's authorization server metadata, with
// Mastodon's app_registration_endpoint. Each list says what this server
// does, which is not always what Mastodon does: PKCE plain is accepted,
// clients authenticate in the body only, and the code comes back in the
// query only.
type oauthMetadataDoc struct {
	Issuer                            string   `json:"issuer"`
	ServiceDocumentation              string   `json:"service_documentation"`
	AuthorizationEndpoint             string   `json:"authorization_endpoint"`
	TokenEndpoint                     string   `json:"token_endpoint"`
	AppRegistrationEndpoint           string   `json:"app_registration_endpoint"`
	RevocationEndpoint                string   `json:"revocation_endpoint"`
	ScopesSupported                   []string `json:"scopes_supported"`
	ResponseTypesSupported            []string `json:"response_types_supported"`
	ResponseModesSupported            []string `json:"response_modes_supported"`
	GrantTypesSupported               []string `json:"grant_types_supported"`
	TokenEndpointAuthMethodsSupported []string `json:"token_endpoint_auth_methods_supported"`
	CodeChallengeMethodsSupported     []string `json:"code_challenge_methods_supported"`
}

// oauthScopes are the scopes a token can be granted, in Mastodon's order.
// The admin scopes are accepted by the token endpoint but grant nothing on
// this listener (administration is on the admin listener), so they are not
// offered.
var oauthScopes = []string{
	"read", "write",
	"write:accounts", "write:blocks", "write:bookmarks", "write:conversations", "write:favourites",
	"write:filters", "write:follows", "write:lists", "write:media", "write:mutes",
	"write:notifications", "write:reports", "write:statuses",
	"read:accounts", "read:blocks", "read:bookmarks", "read:favourites", "read:filters", "read:follows",
	"read:lists", "read:mutes", "read:notifications", "read:search", "read:statuses",
	"follow", "push", "profile",
}

// oauthMetadata handles GET /.well-known/oauth-authorization-server.
func (h *Handler) oauthMetadata(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, oauthMetadataDoc{
		Issuer:                            h.baseURL + "/",
		ServiceDocumentation:              h.info.SourceURL,
		AuthorizationEndpoint:             h.baseURL + "/oauth/authorize",
		TokenEndpoint:                     h.baseURL + "/oauth/token",
		AppRegistrationEndpoint:           h.baseURL + "/api/v1/apps",
		RevocationEndpoint:                h.baseURL + "/oauth/revoke",
		ScopesSupported:                   oauthScopes,
		ResponseTypesSupported:            []string{"code"},
		ResponseModesSupported:            []string{"query"},
		GrantTypesSupported:               []string{"authorization_code", "password", "client_credentials"},
		TokenEndpointAuthMethodsSupported: []string{"client_secret_post"},
		CodeChallengeMethodsSupported:     []string{"S256", "plain"},
	})
}

// NodeInfo (nodeinfo.diaspora.software): how tools and some clients tell
// which software a server runs. megalodon (Whalebird, Fedistar) reads the
// first 2.0 or 2.1 link, then software.name, and for software it does not
// know, metadata.upstream.name: "mastodon" there makes it use its Mastodon
// client. Without NodeInfo it refuses to add the account at all.
const nodeInfoSchema = "http://nodeinfo.diaspora.software/ns/schema/"

type nodeInfoLinksDoc struct {
	Links []nodeInfoLink `json:"links"`
}

type nodeInfoLink struct {
	Rel  string `json:"rel"`
	Href string `json:"href"`
}

// nodeInfoLinks handles GET /.well-known/nodeinfo.
func (h *Handler) nodeInfoLinks(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, nodeInfoLinksDoc{Links: []nodeInfoLink{
		{Rel: nodeInfoSchema + "2.0", Href: h.baseURL + "/nodeinfo/2.0"},
		{Rel: nodeInfoSchema + "2.1", Href: h.baseURL + "/nodeinfo/2.1"},
	}})
}

type nodeInfoDoc struct {
	Version           string           `json:"version"`
	Software          nodeInfoSoftware `json:"software"`
	Protocols         []string         `json:"protocols"`
	Services          nodeInfoServices `json:"services"`
	OpenRegistrations bool             `json:"openRegistrations"`
	Usage             nodeInfoUsage    `json:"usage"`
	Metadata          nodeInfoMetadata `json:"metadata"`
}

type nodeInfoSoftware struct {
	Name       string `json:"name"`
	Version    string `json:"version"`
	Repository string `json:"repository,omitempty"` // 2.1
	Homepage   string `json:"homepage,omitempty"`   // 2.1
}

type nodeInfoServices struct {
	Inbound  []string `json:"inbound"`
	Outbound []string `json:"outbound"`
}

// nodeInfoUsage leaves out activeHalfyear: Starling counts monthly
// activity only, and the field is optional.
type nodeInfoUsage struct {
	Users struct {
		Total       int64 `json:"total"`
		ActiveMonth int64 `json:"activeMonth"`
	} `json:"users"`
	LocalPosts int64 `json:"localPosts"`
}

type nodeInfoMetadata struct {
	NodeName        string           `json:"nodeName"`
	NodeDescription string           `json:"nodeDescription"`
	Upstream        nodeInfoUpstream `json:"upstream"`
}

// nodeInfoUpstream names the API Starling speaks, at the version it
// advertises on the instance endpoints.
type nodeInfoUpstream struct {
	Name    string `json:"name"`
	Version string `json:"version"`
}

// nodeInfo handles GET /nodeinfo/2.0 and /nodeinfo/2.1. Protocols is empty:
// Starling does not federate, and NodeInfo has no name for "client API
// only"; claiming activitypub would send other servers to endpoints that do
// not exist.
func (h *Handler) nodeInfo(version string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		st, err := h.svc.InstanceStats(r.Context())
		if err != nil {
			h.writeError(w, r, err)
			return
		}
		doc := nodeInfoDoc{
			Version:           version,
			Software:          nodeInfoSoftware{Name: "starling", Version: h.version},
			Protocols:         []string{},
			Services:          nodeInfoServices{Inbound: []string{}, Outbound: []string{}},
			OpenRegistrations: h.svc.Config().RegistrationsOpen,
			Metadata: nodeInfoMetadata{NodeName: h.info.Title, NodeDescription: h.info.Description,
				Upstream: nodeInfoUpstream{Name: "mastodon", Version: compatVersion}},
		}
		if version == "2.1" {
			doc.Software.Repository, doc.Software.Homepage = h.info.SourceURL, h.info.SourceURL
		}
		doc.Usage.Users.Total, doc.Usage.Users.ActiveMonth = st.Users, st.ActiveMonth
		doc.Usage.LocalPosts = st.Statuses
		w.Header().Set("Content-Type", `application/json; profile="`+nodeInfoSchema+version+`#"`)
		w.WriteHeader(http.StatusOK)
		_ = json.NewEncoder(w).Encode(doc)
	}
}
