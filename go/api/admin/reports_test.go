package admin

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/starling-social/starling/go/feed"
	"github.com/starling-social/starling/go/snowflake/snowflaketest"
	"github.com/starling-social/starling/go/social"
	"github.com/starling-social/starling/go/store"
)

// onStores runs f on each backend stores lists, with the admin router
// over a real social service on that fresh store, and two accounts.
func onStores(t *testing.T, f func(t *testing.T, h http.Handler, svc *social.Service, alice, bob *store.Account)) {
	for backend, open := range stores(t) {
		t.Run(backend, func(t *testing.T) {
			ctx := context.Background()
			st := open(t)
			t.Cleanup(func() { st.Close() })
			if err := st.Migrate(ctx); err != nil {
				t.Fatal(err)
			}
			svc := social.New(social.Deps{Store: st, IDs: snowflaketest.New(), Home: feed.NewPull(st)}, social.Config{BcryptCost: 4, RegistrationsOpen: true})
			alice, err := svc.CreateAccount(ctx, social.NewAccount{Username: "alice", Password: "password123"})
			if err != nil {
				t.Fatal(err)
			}
			bob, err := svc.CreateAccount(ctx, social.NewAccount{Username: "bob", Password: "password123"})
			if err != nil {
				t.Fatal(err)
			}
			f(t, NewRouter(Options{Token: testToken, Registry: prometheus.NewRegistry(), Reports: svc, Announcements: svc, Actions: svc,
				Accounts: svc, AccountRenderer: testRenderer{}}), svc, alice, bob)
		})
	}
}

func request(t *testing.T, h http.Handler, method, target, body string) *httptest.ResponseRecorder {
	t.Helper()
	req := httptest.NewRequest(method, target, strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+testToken)
	if strings.HasPrefix(body, "{") || strings.HasPrefix(body, "[") {
		req.Header.Set("Content-Type", "application/json")
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

func TestReportQueue(t *testing.T) { onStores(t, testReportQueue) }

func testReportQueue(t *testing.T, h http.Handler, svc *social.Service, alice, bob *store.Account) {
	ctx := t.Context()
	st, err := svc.PostStatus(ctx, bob, social.StatusInput{Text: "buy now"})
	if err != nil {
		t.Fatal(err)
	}
	first, _, err := svc.Report(ctx, alice, social.ReportInput{AccountID: bob.ID, StatusIDs: []int64{st.ID}, Comment: "spam", Category: "spam"})
	if err != nil {
		t.Fatal(err)
	}
	second, _, err := svc.Report(ctx, bob, social.ReportInput{AccountID: alice.ID})
	if err != nil {
		t.Fatal(err)
	}
	rec := request(t, h, http.MethodGet, "/admin/reports", "")
	if rec.Code != http.StatusOK {
		t.Fatalf("status %d: %s", rec.Code, rec.Body)
	}
	var got []map[string]any
	if err := json.Unmarshal(rec.Body.Bytes(), &got); err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0]["id"] != formatInt(second.ID) || got[1]["id"] != formatInt(first.ID) {
		t.Fatalf("queue = %v, want the two reports, newest first", got)
	}
	r := got[1]
	if r["account_id"] != formatInt(alice.ID) || r["target_account_id"] != formatInt(bob.ID) || r["category"] != "spam" ||
		r["comment"] != "spam" || r["action_taken"] != false || r["action_taken_at"] != nil {
		t.Errorf("first report = %v", r)
	}
	if ids := r["status_ids"].([]any); len(ids) != 1 || ids[0] != formatInt(st.ID) {
		t.Errorf("status_ids = %v", ids)
	}
	rec = request(t, h, http.MethodGet, "/admin/reports?limit=1&max_id="+formatInt(second.ID), "")
	if err := json.Unmarshal(rec.Body.Bytes(), &got); err != nil || len(got) != 1 || got[0]["id"] != formatInt(first.ID) {
		t.Errorf("the page below the newest = %s", rec.Body)
	}
	for _, bad := range []string{"?limit=x", "?limit=0", "?limit=201", "?max_id=-3", "?max_id=99999999999999999999"} {
		if rec := request(t, h, http.MethodGet, "/admin/reports"+bad, ""); rec.Code != http.StatusBadRequest {
			t.Errorf("reports%s: %d, want 400", bad, rec.Code)
		}
	}

	// Resolve: the report comes back acted on, and stays so with its first time.
	rec = request(t, h, http.MethodPost, "/admin/reports/"+formatInt(first.ID)+"/resolve", "")
	var resolved map[string]any
	if err := json.Unmarshal(rec.Body.Bytes(), &resolved); err != nil || rec.Code != http.StatusOK ||
		resolved["id"] != formatInt(first.ID) || resolved["action_taken"] != true || resolved["action_taken_at"] == nil {
		t.Fatalf("resolve: %d %s", rec.Code, rec.Body)
	}
	rec = request(t, h, http.MethodPost, "/admin/reports/"+formatInt(first.ID)+"/resolve", "")
	var again map[string]any
	if err := json.Unmarshal(rec.Body.Bytes(), &again); err != nil || again["action_taken_at"] != resolved["action_taken_at"] {
		t.Errorf("second resolve: %s, want action_taken_at %v kept", rec.Body, resolved["action_taken_at"])
	}
	rec = request(t, h, http.MethodGet, "/admin/reports?limit=1&max_id="+formatInt(second.ID), "")
	if !strings.Contains(rec.Body.String(), `"action_taken":true`) {
		t.Errorf("the queue after resolving: %s", rec.Body)
	}
	for _, bad := range []string{"0", "-1", "x", "99999999999999999999", formatInt(second.ID + 1000)} {
		if rec := request(t, h, http.MethodPost, "/admin/reports/"+bad+"/resolve", ""); rec.Code != http.StatusNotFound {
			t.Errorf("resolve %s: %d, want 404", bad, rec.Code)
		}
	}
}

func TestAdminAnnouncements(t *testing.T) { onStores(t, testAdminAnnouncements) }

func testAdminAnnouncements(t *testing.T, h http.Handler, svc *social.Service, alice, _ *store.Account) {
	ends := time.Now().Add(time.Hour).UTC().Format(time.RFC3339)
	rec := request(t, h, http.MethodPost, "/admin/announcements", `{"text": "Maintenance at 22:00", "ends_at": "`+ends+`"}`)
	if rec.Code != http.StatusOK {
		t.Fatalf("create: %d %s", rec.Code, rec.Body)
	}
	var a map[string]any
	if err := json.Unmarshal(rec.Body.Bytes(), &a); err != nil {
		t.Fatal(err)
	}
	if a["text"] != "Maintenance at 22:00" || a["content"] != "<p>Maintenance at 22:00</p>" || a["ends_at"] == nil || a["starts_at"] != nil {
		t.Errorf("created = %v", a)
	}
	// Users see it.
	views, err := svc.Announcements(t.Context(), alice)
	if err != nil || len(views) != 1 || formatInt(views[0].Announcement.ID) != a["id"] {
		t.Fatalf("alice sees %v, %v", views, err)
	}
	rec = request(t, h, http.MethodGet, "/admin/announcements", "")
	if !strings.Contains(rec.Body.String(), `"Maintenance at 22:00"`) {
		t.Errorf("listing = %s", rec.Body)
	}
	for _, c := range []struct {
		body string
		code int
	}{
		{`{"text": ""}`, http.StatusUnprocessableEntity},
		{`{"text": "a\u0000b"}`, http.StatusUnprocessableEntity},
		{`{"text": "x", "colour": "red"}`, http.StatusBadRequest},
		{`{"text": "x", "starts_at": "tomorrow"}`, http.StatusBadRequest},
		{`{"text": "x", "starts_at": "2030-01-02T00:00:00Z", "ends_at": "2030-01-01T00:00:00Z"}`, http.StatusUnprocessableEntity},
		{`not json`, http.StatusBadRequest},
		{`{"text": "` + strings.Repeat("x", 70<<10) + `"}`, http.StatusBadRequest},
	} {
		if rec := request(t, h, http.MethodPost, "/admin/announcements", c.body); rec.Code != c.code {
			t.Errorf("create %.40s: %d, want %d (%s)", c.body, rec.Code, c.code, rec.Body)
		}
	}
	if rec := request(t, h, http.MethodDelete, "/admin/announcements/"+a["id"].(string), ""); rec.Code != http.StatusOK {
		t.Errorf("delete: %d", rec.Code)
	}
	for _, id := range []string{a["id"].(string), "abc", "99999999999999999999"} {
		if rec := request(t, h, http.MethodDelete, "/admin/announcements/"+id, ""); rec.Code != http.StatusNotFound {
			t.Errorf("delete %s: %d, want 404", id, rec.Code)
		}
	}
	if views, _ := svc.Announcements(t.Context(), alice); len(views) != 0 {
		t.Errorf("withdrawn announcement still shown: %v", views)
	}
	// Without the admin token, nothing.
	req := httptest.NewRequest(http.MethodGet, "/admin/reports", nil)
	rec = httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code != http.StatusUnauthorized {
		t.Errorf("reports without a token: %d", rec.Code)
	}
}

func formatInt(id int64) string { return strconv.FormatInt(id, 10) }
