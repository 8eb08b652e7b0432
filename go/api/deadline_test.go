package api

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/starling-social/starling/go/api/mastodon"
	"github.com/starling-social/starling/go/store"
)

// hangingStore's trend scan runs until its context ends, as a query too
// slow for any deadline does; both drivers return once the context ends
// (store/sqlite and store/postgres TestSlowQueryCutByDeadline show it on
// the real databases).
type hangingStore struct {
	store.Store
	ended chan error // the scan's context error, once it ended
}

func (s *hangingStore) ListTagUses(ctx context.Context, _, _ time.Time, _ int) ([]store.TagUse, error) {
	<-ctx.Done()
	s.ended <- ctx.Err()
	return nil, ctx.Err()
}

// TestRequestTimeoutCutsSlowQueries: with RequestTimeout set, a request
// whose query would run forever is cut off at the deadline: the query's
// context ends, the client gets 503 in Mastodon's shape, and other
// requests are served as usual.
func TestRequestTimeoutCutsSlowQueries(t *testing.T) {
	hs := &hangingStore{ended: make(chan error, 1)}
	s := newTestServerOn(t, Options{RequestTimeout: 100 * time.Millisecond}, func(st store.Store) store.Store {
		hs.Store = st
		return hs
	})
	rec := s.get(t, "/api/v1/trends/tags")
	if rec.Code != http.StatusServiceUnavailable {
		t.Fatalf("slow request: status %d, want 503; body %s", rec.Code, rec.Body)
	}
	if body := decodeBody(t, rec.Code, rec.Header(), rec.Body.Bytes()); body["error"] != "Request timed out" {
		t.Errorf("slow request: body %v", body)
	}
	if err := <-hs.ended; !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("the query's context ended with %v, want the request deadline", err)
	}
	if rec := s.get(t, "/api/v1/instance"); rec.Code != http.StatusOK {
		t.Errorf("a quick request after it: status %d", rec.Code)
	}
}

// TestDeadlineSparesStreaming: every request's context gets the deadline
// but the streaming WebSocket's, which lasts as long as its connection.
func TestDeadlineSparesStreaming(t *testing.T) {
	seen := map[string]bool{}
	h := deadline(time.Minute, mastodon.LongLived)(
		http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) {
			_, has := r.Context().Deadline()
			seen[r.URL.Path] = has
		}))
	for _, path := range []string{"/api/v1/timelines/public", "/api/v1/streaming", "/oauth/token"} {
		h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodGet, path, nil))
	}
	want := map[string]bool{"/api/v1/timelines/public": true, "/api/v1/streaming": false, "/oauth/token": true}
	for path, w := range want {
		if seen[path] != w {
			t.Errorf("%s: deadline set = %t, want %t", path, seen[path], w)
		}
	}
	// Zero disables it.
	deadline(0, nil)(http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) {
		if _, has := r.Context().Deadline(); has {
			t.Error("RequestTimeout 0 set a deadline")
		}
	})).ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodGet, "/api/v1/instance", nil))
}
