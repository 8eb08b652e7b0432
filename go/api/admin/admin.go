// Package admin serves the operator's listener: pprof, metrics, the policy
// plugins (list, reload, enable, disable), flagged statuses, the policy
// audit log, the report queue, the announcements, the home timeline
// strategy, status deletion, account moderation (Mastodon's
// /api/v1/admin/accounts: list, show, suspend, silence and lift them) and
// the moderators' audit log, behind a bearer admin
// token. It binds to 127.0.0.1 by default; the token guards it even there,
// because any local process could otherwise profile the server, read its
// plugin state or the reports.
package admin

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/pprof"
	"strings"

	"github.com/go-chi/chi/v5"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/starling-social/starling/go/store"
)

// Options configure the admin router.
type Options struct {
	// Token is the bearer token every request must present. Required.
	Token    string
	Registry *prometheus.Registry
	// Plugins is the policy plugin host; nil when the server runs without
	// plugins (the listing is empty, and reload/enable/disable are 404).
	Plugins PluginHost
	// Moderation lists flagged statuses and the policy audit log. Nil
	// answers 404 on those routes.
	Moderation Moderation
	// Reports is the users' report queue and Announcements the
	// operator's messages to them (package social). Nil answers 404 on
	// their routes.
	Reports       Reports
	Announcements Announcements
	// Indexes are the vector indexes (starling index status|rebuild|check);
	// nil lists none.
	Indexes VectorIndexes
	// Feed switches the home timeline strategy while the server runs; nil
	// answers 404 on its routes.
	Feed FeedSwitch
	// Actions are the moderators' actions and their audit log (package
	// social); nil answers 404 on their routes.
	Actions Actions
	// Accounts are the moderators' account actions (package social) and
	// AccountRenderer the Account entity they embed; nil Accounts answers
	// 404 on their routes, and Accounts without AccountRenderer panics.
	Accounts        Accounts
	AccountRenderer AccountRenderer
	// Audit records the operator's actions on the running processes
	// (plugins, feed strategy, index rebuilds); nil records none. Logger
	// reports a record that failed after its action was done.
	Audit  Auditor
	Logger *slog.Logger
}

// NewRouter returns the admin handler. It panics on an empty token, so a
// misconfigured server fails at start instead of exposing pprof.
func NewRouter(o Options) http.Handler {
	if o.Token == "" || o.Registry == nil {
		panic("admin.NewRouter: Token and Registry are required")
	}
	if o.Accounts != nil && o.AccountRenderer == nil {
		panic("admin.NewRouter: Accounts needs an AccountRenderer")
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	audit := func(action string) func(http.Handler) http.Handler { return audited(o.Audit, o.Logger, action) }
	r := chi.NewRouter()
	r.Use(requireToken(o.Token))
	r.Get("/debug/pprof/*", pprof.Index)         // heap, goroutine, allocs, …
	r.Get("/debug/pprof/cmdline", pprof.Cmdline) // command line
	r.Get("/debug/pprof/profile", pprof.Profile) // CPU profile
	r.Get("/debug/pprof/symbol", pprof.Symbol)   // symbol lookup
	r.Get("/debug/pprof/trace", pprof.Trace)     // execution trace
	r.Handle("/metrics", promhttp.HandlerFor(o.Registry, promhttp.HandlerOpts{EnableOpenMetrics: true}))
	r.Route("/admin", func(r chi.Router) {
		r.Get("/plugins", listPlugins(o.Plugins))                                                                  // policy plugins with state and call statistics
		r.With(pluginName, audit(store.AdminReloadPlugin)).Post("/plugins/{name}/reload", reloadPlugin(o.Plugins)) // hot swap to the manifest's entry
		r.With(pluginName, audit(store.AdminEnablePlugin)).Post("/plugins/{name}/enable", setEnabled(o.Plugins, true))
		r.With(pluginName, audit(store.AdminDisablePlugin)).Post("/plugins/{name}/disable", setEnabled(o.Plugins, false))
		r.Get("/flagged", listFlagged(o.Moderation))              // statuses flagged by plugins, newest first
		r.Get("/audit", listAudit(o.Moderation))                  // policy decisions, newest first
		r.Get("/reports", listReports(o.Reports))                 // users' reports, newest first
		r.Post("/reports/{id}/resolve", resolveReport(o.Reports)) // mark one acted on (Mastodon: POST /api/v1/admin/reports/:id/resolve)
		r.Get("/announcements", listAnnouncements(o.Announcements))
		r.Post("/announcements", createAnnouncement(o.Announcements))                                   // publish one (JSON body)
		r.Delete("/announcements/{id}", deleteAnnouncement(o.Announcements))                            // withdraw one
		r.Get("/indexes", listIndexes(o.Indexes))                                                       // vector indexes: kind, size, memory, build state
		r.With(audit(store.AdminRebuildIndex)).Post("/indexes/{name}/rebuild", rebuildIndex(o.Indexes)) // retrain and swap in the background
		r.Post("/indexes/{name}/check", checkIndex(o.Indexes))                                          // served recall@10 against exact search
		r.Get("/feed", getFeed(o.Feed))                                                                 // home strategy in force, cache size
		r.With(audit(store.AdminSwitchFeed)).Post("/feed/strategy/{name}", setFeedStrategy(o.Feed))     // switch strategy (pull, push, hybrid)
		r.Delete("/statuses/{id}", deleteStatus(o.Actions))                                             // delete any status (JSON {reason}), audited
		r.Get("/actions", listActions(o.Actions))                                                       // the moderators' audit log, newest first
	})
	r.Get("/api/v1/admin/plugins", listPlugins(o.Plugins)) // earlier path of GET /admin/plugins
	r.Route("/api/v1/admin/accounts", func(r chi.Router) {
		r.Get("/", listAccounts(o.Accounts, o.AccountRenderer))                                       // GET /api/v1/admin/accounts (v1 filters)
		r.Get("/{id}", getAccount(o.Accounts, o.AccountRenderer))                                     // GET /api/v1/admin/accounts/:id
		r.Post("/{id}/action", accountAction(o.Accounts))                                             // none, silence, suspend (audited)
		r.Post("/{id}/unsuspend", liftAction(o.Accounts, o.AccountRenderer, Accounts.AdminUnsuspend)) // lift a suspension (audited)
		r.Post("/{id}/unsilence", liftAction(o.Accounts, o.AccountRenderer, Accounts.AdminUnsilence)) // lift a silence (audited)
	})
	return r
}

func requireToken(token string) func(http.Handler) http.Handler {
	want := sha256.Sum256([]byte(token))
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			scheme, got, _ := strings.Cut(r.Header.Get("Authorization"), " ")
			// Compare fixed-length digests so timing reveals neither content nor length.
			sum := sha256.Sum256([]byte(got))
			if !strings.EqualFold(scheme, "Bearer") || subtle.ConstantTimeCompare(sum[:], want[:]) != 1 {
				writeJSON(w, http.StatusUnauthorized, map[string]string{"error": "admin token required"})
				return
			}
			next.ServeHTTP(w, r)
		})
	}
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
