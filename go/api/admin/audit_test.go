package admin

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/starling-social/starling/go/store"
)

// recordingAuditor keeps what it was asked to record.
type recordingAuditor struct{ got []string }

func (a *recordingAuditor) RecordAdminAction(_ context.Context, actor, action, target string) error {
	a.got = append(a.got, actor+" "+action+" "+target)
	return nil
}

// TestOperatorActionsAudited: a plugin action is on record once done, with
// who and on what; a refused one is not, and a bad actor refuses it.
func TestOperatorActionsAudited(t *testing.T) {
	for _, tt := range []struct {
		name, path, actor string
		hostErr           error
		code              int
		want              string // the record; "" for none
		hostCalled        bool
	}{
		{"disable", "/admin/plugins/ranker/disable", "ops-kim", nil, 200, "ops-kim " + store.AdminDisablePlugin + " ranker", true},
		{"reload without a name", "/admin/plugins/wordfilter/reload", "", nil, 200, DefaultActor + " " + store.AdminReloadPlugin + " wordfilter", true},
		{"refused reload", "/admin/plugins/wordfilter/reload", "ops-kim", errors.New("policy: verify: sha256 mismatch"), 422, "", true},
		{"bad name", "/admin/plugins/Bad/enable", "ops-kim", nil, 400, "", false},
		{"oversized actor", "/admin/plugins/ranker/enable", strings.Repeat("k", 65), nil, 422, "", false},
		{"control character in actor", "/admin/plugins/ranker/enable", "ops\x07", nil, 422, "", false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			host, audit := &fakeHost{err: tt.hostErr}, &recordingAuditor{}
			h := newTestRouterWith(t, Options{Plugins: host, Audit: audit})
			req := httptest.NewRequest(http.MethodPost, tt.path, nil)
			req.Header.Set("Authorization", "Bearer "+testToken)
			if tt.actor != "" {
				req.Header.Set(ActorHeader, tt.actor)
			}
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			if rec.Code != tt.code {
				t.Fatalf("status %d, want %d; body %s", rec.Code, tt.code, rec.Body)
			}
			if got := strings.Join(audit.got, "|"); got != tt.want {
				t.Errorf("recorded %q, want %q", got, tt.want)
			}
			if (len(host.calls) > 0) != tt.hostCalled {
				t.Errorf("host calls %v, want called: %v", host.calls, tt.hostCalled)
			}
		})
	}
}
