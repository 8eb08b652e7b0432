package mastodon

import (
	"bytes"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/go-chi/chi/v5/middleware"

	"github.com/starling-social/starling/go/social"
)

// TestWriteError checks the one Kind→HTTP mapping and that internal causes
// reach the log (with the request ID) but never the client.
func TestWriteError(t *testing.T) {
	secret := errors.New("db: disk /var/lib/secret full")
	tests := []struct {
		name   string
		err    error
		code   int
		msg    string
		logged bool
	}{
		{"request error", &requestError{status: http.StatusBadRequest, msg: "Parameter x"}, http.StatusBadRequest, "Parameter x", false},
		{"body too large", fmt.Errorf("decode: %w", &http.MaxBytesError{Limit: 10}), http.StatusRequestEntityTooLarge, "Request body too large", false},
		{"invalid", &social.Error{Kind: social.KindInvalid, Safe: "Validation failed: x"}, http.StatusUnprocessableEntity, "Validation failed: x", false},
		{"conflict", &social.Error{Kind: social.KindConflict, Safe: "taken"}, http.StatusUnprocessableEntity, "taken", false},
		{"not found", &social.Error{Kind: social.KindNotFound, Safe: "Record not found"}, http.StatusNotFound, "Record not found", false},
		{"forbidden", &social.Error{Kind: social.KindForbidden, Safe: "no"}, http.StatusForbidden, "no", false},
		{"unauthorized", &social.Error{Kind: social.KindUnauthorized, Safe: "token"}, http.StatusUnauthorized, "token", false},
		{"unavailable", &social.Error{Kind: social.KindUnavailable, Safe: "later", Err: secret}, http.StatusServiceUnavailable, "later", true},
		{"rate limited", &social.Error{Kind: social.KindRateLimited, Safe: "slow down"}, http.StatusTooManyRequests, "slow down", false},
		{"internal", &social.Error{Op: "social.X", Kind: social.KindInternal, Err: secret}, http.StatusInternalServerError, "Internal Server Error", true},
		{"wrapped domain error", fmt.Errorf("op: %w", &social.Error{Kind: social.KindNotFound, Safe: "gone"}), http.StatusNotFound, "gone", false},
		{"plain error", secret, http.StatusInternalServerError, "Internal Server Error", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var logBuf bytes.Buffer
			h := &Handler{log: slog.New(slog.NewTextHandler(&logBuf, nil))}
			req := httptest.NewRequest(http.MethodGet, "/x", nil)
			var rec *httptest.ResponseRecorder
			// Run under chi's RequestID so the log line can carry the ID.
			middleware.RequestID(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				rec = httptest.NewRecorder()
				h.writeError(rec, r, tt.err)
			})).ServeHTTP(httptest.NewRecorder(), req)

			if got := wantError(t, rec, tt.code); got != tt.msg {
				t.Errorf("error = %q, want %q", got, tt.msg)
			}
			if strings.Contains(rec.Body.String(), "secret") {
				t.Errorf("response leaks the internal cause: %s", rec.Body)
			}
			if logged := logBuf.Len() > 0; logged != tt.logged {
				t.Fatalf("logged = %v, want %v: %s", logged, tt.logged, &logBuf)
			}
			if tt.logged && (!strings.Contains(logBuf.String(), "secret") || !strings.Contains(logBuf.String(), "request_id=")) {
				t.Errorf("log line lacks the cause or request ID: %s", &logBuf)
			}
		})
	}
}
