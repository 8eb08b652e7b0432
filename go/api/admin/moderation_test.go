package admin

import (
	"context"
	"encoding/json"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/starling-social/starling/go/store"
	"github.com/starling-social/starling/go/store/postgres"
	"github.com/starling-social/starling/go/store/postgres/pgtest"
	"github.com/starling-social/starling/go/store/sqlite"
)

// stores returns each backend to run against: SQLite always, PostgreSQL
// when STARLING_TEST_PG is set.
func stores(t *testing.T) map[string]func(t *testing.T) store.Store {
	t.Helper()
	open := map[string]func(t *testing.T) store.Store{
		"sqlite": func(t *testing.T) store.Store {
			st, err := sqlite.Open(context.Background(), t.TempDir()+"/admin.db")
			if err != nil {
				t.Fatal(err)
			}
			return st
		},
	}
	if url := os.Getenv("STARLING_TEST_PG"); url != "" {
		open["postgres"] = func(t *testing.T) store.Store {
			st, err := postgres.Open(context.Background(), pgtest.NewSchema(t, url))
			if err != nil {
				t.Fatal(err)
			}
			return st
		}
	}
	return open
}

func TestModerationLists(t *testing.T) {
	for backend, open := range stores(t) {
		t.Run(backend, func(t *testing.T) {
			ctx := context.Background()
			st := open(t)
			t.Cleanup(func() { st.Close() })
			if err := st.Migrate(ctx); err != nil {
				t.Fatal(err)
			}
			now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
			a := &store.Account{ID: 1 << 40, Username: "alice", CreatedAt: now}
			if err := st.PutAccount(ctx, a); err != nil {
				t.Fatal(err)
			}
			s := &store.Status{ID: 1<<40 + 5, AccountID: a.ID, Text: "x", Content: "<p>x</p>", Visibility: store.VisibilityPublic, CreatedAt: now}
			if err := st.PutStatusWrite(ctx, &store.StatusWrite{Status: s, Flags: []store.StatusFlag{{ID: 1<<40 + 6, Plugin: "spamguard", PluginVersion: "1.0.0", Reason: "links"}}}); err != nil {
				t.Fatal(err)
			}
			for i := range 3 {
				if err := st.PutPolicyDecision(ctx, &store.PolicyDecision{ID: int64(1<<40 + 10 + i), CreatedAt: now, Plugin: "wordfilter",
					PluginVersion: "1.1.0", Hook: "check_status", Verdict: "reject", Reason: "blocked", AccountID: a.ID}); err != nil {
					t.Fatal(err)
				}
			}
			h := newTestRouterWith(t, Options{Moderation: st})
			auth := "Bearer " + testToken

			rec := serve(t, h, "/admin/flagged", auth)
			var flagged []FlaggedStatus
			if err := json.Unmarshal(rec.Body.Bytes(), &flagged); err != nil || rec.Code != 200 {
				t.Fatalf("flagged: %d %s", rec.Code, rec.Body)
			}
			if len(flagged) != 1 || flagged[0].StatusID != id(s.ID) || flagged[0].Plugin != "spamguard" || flagged[0].PluginVersion != "1.0.0" {
				t.Errorf("flagged = %+v", flagged)
			}
			rec = serve(t, h, "/admin/audit?limit=2", auth)
			var audit []Decision
			if err := json.Unmarshal(rec.Body.Bytes(), &audit); err != nil || rec.Code != 200 {
				t.Fatalf("audit: %d %s", rec.Code, rec.Body)
			}
			if len(audit) != 2 || audit[0].ID != id(1<<40+12) || audit[0].PluginVersion != "1.1.0" || audit[0].AccountID != id(a.ID) || audit[0].StatusID != "" {
				t.Errorf("audit = %+v", audit)
			}
			rec = serve(t, h, "/admin/audit?max_id="+audit[1].ID, auth)
			if err := json.Unmarshal(rec.Body.Bytes(), &audit); err != nil || len(audit) != 1 || audit[0].ID != id(1<<40+10) {
				t.Errorf("audit page 2: %s", rec.Body)
			}

			for _, q := range []string{
				"limit=0", "limit=201", "limit=-1", "limit=abc", "limit=99999999999999999999",
				"max_id=0", "max_id=-5", "max_id=1e3", "max_id=99999999999999999999", "min_id=%00", "min_id=%ff", "limit=" + strings.Repeat("9", 5000),
			} {
				for _, path := range []string{"/admin/flagged?", "/admin/audit?"} {
					rec := serve(t, h, path+q, auth)
					var body map[string]string
					if rec.Code != http.StatusBadRequest || json.Unmarshal(rec.Body.Bytes(), &body) != nil || body["error"] == "" {
						t.Errorf("%s%s: %d %s, want 400 with an error", path, q, rec.Code, rec.Body)
					}
				}
			}
		})
	}
}

func TestModerationListsWithoutStore(t *testing.T) {
	rec := serve(t, newTestRouter(t, nil), "/admin/flagged", "Bearer "+testToken)
	if rec.Code != http.StatusNotFound {
		t.Errorf("status %d", rec.Code)
	}
}
