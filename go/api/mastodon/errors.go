package mastodon

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"

	"github.com/go-chi/chi/v5/middleware"

	"github.com/starling-social/starling/go/social"
)

// requestError is a failure found in the HTTP layer itself (a malformed
// parameter, a missing token) before the domain was called.
type requestError struct {
	status int
	msg    string
}

func (e *requestError) Error() string { return e.msg }

func badRequest(msg string) error { return &requestError{status: http.StatusBadRequest, msg: msg} }

// statusFor is the one place a domain Kind becomes an HTTP status.
func statusFor(k social.Kind) int {
	switch k {
	case social.KindInvalid, social.KindConflict:
		return http.StatusUnprocessableEntity // Mastodon uses 422 for validation failures
	case social.KindNotFound:
		return http.StatusNotFound
	case social.KindForbidden:
		return http.StatusForbidden
	case social.KindUnauthorized:
		return http.StatusUnauthorized
	case social.KindUnavailable:
		return http.StatusServiceUnavailable
	default:
		return http.StatusInternalServerError
	}
}

// errorBody is Mastodon's error entity.
type errorBody struct {
	Error            string `json:"error"`
	ErrorDescription string `json:"error_description,omitempty"`
}

// writeError renders err in Mastodon's {"error": "..."} shape. Internal
// details are logged with the request ID, never sent.
func (h *Handler) writeError(w http.ResponseWriter, r *http.Request, err error) {
	status, msg := http.StatusInternalServerError, ""
	var reqErr *requestError
	var tooBig *http.MaxBytesError
	switch {
	case errors.As(err, &reqErr):
		status, msg = reqErr.status, reqErr.msg
	case errors.As(err, &tooBig):
		status, msg = http.StatusRequestEntityTooLarge, "Request body too large"
	case errors.Is(r.Context().Err(), context.DeadlineExceeded):
		// The request's deadline (api.Options.RequestTimeout) cut its
		// work short, whatever error that surfaced as.
		status, msg = http.StatusServiceUnavailable, "Request timed out"
	default:
		status, msg = statusFor(social.KindOf(err)), social.SafeMessage(err)
	}
	if status >= 500 {
		h.log.ErrorContext(r.Context(), "request failed", "err", err,
			"request_id", middleware.GetReqID(r.Context()), "method", r.Method, "path", r.URL.Path)
	}
	if msg == "" {
		msg = http.StatusText(status)
	}
	writeJSON(w, status, errorBody{Error: msg})
}

// writeJSON encodes v with status. An encoding failure after the header is
// sent can only be logged by the caller's middleware; the values encoded here
// are plain structs that always marshal.
func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// notFoundHandler and methodNotAllowed keep unknown routes in Mastodon's shape.
func notFoundHandler(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusNotFound, errorBody{Error: "Record not found"})
}

func methodNotAllowed(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusMethodNotAllowed, errorBody{Error: "Method not allowed"})
}

// logger tolerates a nil logger in tests.
func logger(l *slog.Logger) *slog.Logger {
	if l == nil {
		return slog.Default()
	}
	return l
}
