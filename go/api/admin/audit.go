package admin

import (
	"context"
	"log/slog"
	"net/http"

	"github.com/go-chi/chi/v5"

	"github.com/starling-social/starling/go/social"
)

// Auditor records the operator's actions that change no table (package
// social): plugins reloaded, enabled or disabled, the feed strategy
// switched, an index rebuilt.
type Auditor interface {
	RecordAdminAction(ctx context.Context, actor, action, target string) error
}

// statusRecorder remembers the status a handler answered with.
type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (s *statusRecorder) WriteHeader(code int) {
	s.status = code
	s.ResponseWriter.WriteHeader(code)
}

// audited records action, on the route's {name}, once the handler has
// done it (a 2xx answer). The answer is already sent by then, so a failed
// record is logged for the operator, not returned. Before the handler,
// the actor is checked, so a bad one refuses the action instead.
func audited(a Auditor, log *slog.Logger, action string) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if a == nil {
				next.ServeHTTP(w, r)
				return
			}
			if err := social.CheckActor(actor(r)); err != nil {
				writeDomainError(w, err)
				return
			}
			rec := &statusRecorder{ResponseWriter: w, status: http.StatusOK}
			next.ServeHTTP(rec, r)
			if rec.status/100 != 2 {
				return
			}
			target := chi.URLParam(r, "name")
			if err := a.RecordAdminAction(context.WithoutCancel(r.Context()), actor(r), action, target); err != nil {
				log.ErrorContext(r.Context(), "admin action done but not recorded in the audit log",
					"action", action, "target", target, "err", err)
			}
		})
	}
}
