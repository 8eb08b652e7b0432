package admin

import (
	"context"
	"errors"
	"net/http"
	"regexp"
	"time"

	"github.com/go-chi/chi/v5"

	"github.com/starling-social/starling/go/policy"
)

// PluginHost is the policy host as the admin listener drives it
// (*policy.Host).
type PluginHost interface {
	Plugins() []policy.PluginInfo
	Reload(ctx context.Context, name string) (policy.SwapResult, error)
	SetEnabled(ctx context.Context, name string, enabled bool) (policy.SwapResult, error)
}

// Plugin is one policy plugin in GET /admin/plugins.
type Plugin struct {
	Name      string       `json:"name"`
	Version   string       `json:"version"` // the running version; empty when not running
	SHA256    string       `json:"sha256"`
	State     policy.State `json:"state"`
	LastError string       `json:"last_error,omitempty"`
	Enabled   bool         `json:"enabled"`
	Hooks     []string     `json:"hooks"`
	FailMode  string       `json:"fail_mode"`
	Timeout   string       `json:"timeout"`
	Order     int          `json:"order"`
	Path      string       `json:"path"`
	PID       int          `json:"pid,omitempty"`
	StartedAt *time.Time   `json:"started_at,omitempty"`
	Calls     int64        `json:"calls"`
	Errors    int64        `json:"errors"`
	P50Micros int64        `json:"p50_us"`
	P99Micros int64        `json:"p99_us"`
	Restarts  int64        `json:"restarts"`
	Swaps     int64        `json:"swaps"`
	LastSwap  string       `json:"last_swap,omitempty"`
}

func toPlugin(p policy.PluginInfo) Plugin {
	out := Plugin{
		Name: p.Name, Version: p.Version, SHA256: p.SHA256, State: p.State, LastError: p.LastError,
		Enabled: p.Enabled, Hooks: p.Hooks, FailMode: string(p.FailMode), Timeout: p.Timeout.String(),
		Order: p.Order, Path: p.Path, PID: p.PID, Calls: p.Calls, Errors: p.Errors,
		P50Micros: p.P50.Microseconds(), P99Micros: p.P99.Microseconds(), Restarts: p.Restarts, Swaps: p.Swaps,
	}
	if !p.Started.IsZero() {
		t := p.Started.UTC()
		out.StartedAt = &t
	}
	if p.LastSwap > 0 {
		out.LastSwap = p.LastSwap.String()
	}
	if out.Hooks == nil {
		out.Hooks = []string{}
	}
	return out
}

// SwapResult answers reload, enable and disable.
type SwapResult struct {
	Plugin  string       `json:"plugin"`
	Version string       `json:"version,omitempty"`
	State   policy.State `json:"state"`
	Took    string       `json:"took"`
}

func listPlugins(h PluginHost) http.HandlerFunc {
	return func(w http.ResponseWriter, _ *http.Request) {
		list := []Plugin{}
		if h != nil {
			for _, p := range h.Plugins() {
				list = append(list, toPlugin(p))
			}
		}
		writeJSON(w, http.StatusOK, list)
	}
}

// pluginNameRE is the manifest's rule for names; anything else cannot name
// a plugin and is refused before it reaches the host.
var pluginNameRE = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]{0,63}$`)

func pluginName(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !pluginNameRE.MatchString(chi.URLParam(r, "name")) {
			writeJSON(w, http.StatusBadRequest, errorBody{"plugin names are lower-case letters, digits, '-' or '_' (at most 64)"})
			return
		}
		next.ServeHTTP(w, r)
	})
}

func reloadPlugin(h PluginHost) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if h == nil {
			writeJSON(w, http.StatusNotFound, errorBody{"no policy plugins are configured"})
			return
		}
		res, err := h.Reload(r.Context(), chi.URLParam(r, "name"))
		writeSwap(w, res, err)
	}
}

func setEnabled(h PluginHost, enabled bool) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if h == nil {
			writeJSON(w, http.StatusNotFound, errorBody{"no policy plugins are configured"})
			return
		}
		res, err := h.SetEnabled(r.Context(), chi.URLParam(r, "name"), enabled)
		writeSwap(w, res, err)
	}
}

// writeSwap answers a swap: 200 with the result, or the reason it failed
// (the old version keeps serving): 404 for an unknown plugin, 503 when the
// host is closed, 422 for everything else (a bad manifest, a binary that
// does not verify, start, configure or answer its canary call).
func writeSwap(w http.ResponseWriter, res policy.SwapResult, err error) {
	switch {
	case errors.Is(err, policy.ErrUnknownPlugin):
		writeJSON(w, http.StatusNotFound, errorBody{err.Error()})
	case errors.Is(err, policy.ErrUnavailable):
		writeJSON(w, http.StatusServiceUnavailable, errorBody{err.Error()})
	case err != nil:
		writeJSON(w, http.StatusUnprocessableEntity, errorBody{err.Error()})
	default:
		writeJSON(w, http.StatusOK, SwapResult{Plugin: res.Plugin, Version: res.Version, State: res.State, Took: res.Took.String()})
	}
}

type errorBody struct {
	Error string `json:"error"`
}
