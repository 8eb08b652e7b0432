package admin

import (
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/starling-social/starling/go/social"
	"github.com/starling-social/starling/go/store"
)

func TestAdminDeleteStatus(t *testing.T) { onStores(t, testAdminDeleteStatus) }

func testAdminDeleteStatus(t *testing.T, h http.Handler, svc *social.Service, alice, bob *store.Account) {
	ctx := t.Context()
	if _, err := svc.Follow(ctx, alice, bob.ID, social.FollowOptions{}); err != nil {
		t.Fatal(err)
	}
	bad, err := svc.PostStatus(ctx, bob, social.StatusInput{Text: "buy pills now", Visibility: "public"})
	if err != nil {
		t.Fatal(err)
	}
	path := "/admin/statuses/" + formatInt(bad.ID)
	if home, err := svc.HomeTimeline(ctx, alice, store.Page{Limit: 20}); err != nil || len(home) != 1 {
		t.Fatalf("alice's home before the delete: %d statuses, %v", len(home), err)
	}

	// Refused requests change nothing.
	for _, c := range []struct {
		body string
		want int
	}{
		{`{"reason": "x\u0000y"}`, http.StatusUnprocessableEntity},
		{`{"reason": "` + strings.Repeat("é", maxAdminReasonForTest+1) + `"}`, http.StatusUnprocessableEntity},
		{`{"reason": "spam", "extra": 1}`, http.StatusBadRequest},
		{`{"reason": `, http.StatusBadRequest},
		{`["spam"]`, http.StatusBadRequest},
		{`{"reason": "` + strings.Repeat("a", maxActionBody) + `"}`, http.StatusBadRequest},
	} {
		if rec := request(t, h, http.MethodDelete, path, c.body); rec.Code != c.want {
			t.Errorf("delete with body %.40q: %d %s, want %d", c.body, rec.Code, rec.Body, c.want)
		}
	}
	for _, p := range []string{"0", "-1", "x", "99999999999999999999", formatInt(bad.ID + 1000)} {
		if rec := request(t, h, http.MethodDelete, "/admin/statuses/"+p, ""); rec.Code != http.StatusNotFound {
			t.Errorf("delete %s: %d, want 404", p, rec.Code)
		}
	}
	if _, err := svc.GetStatus(ctx, alice, bad.ID); err != nil {
		t.Fatalf("the status is gone after refused deletes: %v", err)
	}

	rec := request(t, h, http.MethodDelete, path, `{"reason": "spam ✓"}`)
	var got DeletedStatus
	if err := json.Unmarshal(rec.Body.Bytes(), &got); err != nil || rec.Code != http.StatusOK ||
		got.ID != formatInt(bad.ID) || got.AccountID != formatInt(bob.ID) || got.Text != "buy pills now" {
		t.Fatalf("delete: %d %s", rec.Code, rec.Body)
	}
	var se *social.Error
	if _, err := svc.GetStatus(ctx, alice, bad.ID); !errors.As(err, &se) || se.Kind != social.KindNotFound {
		t.Errorf("the deleted status is still served: %v", err)
	}
	home, err := svc.HomeTimeline(ctx, alice, store.Page{Limit: 20})
	if err != nil || len(home) != 0 {
		t.Errorf("alice's home after the delete: %d statuses, %v", len(home), err)
	}
	if rec := request(t, h, http.MethodDelete, path, ""); rec.Code != http.StatusNotFound {
		t.Errorf("deleting it again: %d, want 404", rec.Code)
	}

	// A resolved report is logged too; the log is newest first, and pages.
	report, _, err := svc.Report(ctx, alice, social.ReportInput{AccountID: bob.ID, Category: "spam"})
	if err != nil {
		t.Fatal(err)
	}
	if rec := request(t, h, http.MethodPost, "/admin/reports/"+formatInt(report.ID)+"/resolve", ""); rec.Code != http.StatusOK {
		t.Fatalf("resolve: %d %s", rec.Code, rec.Body)
	}
	rec = request(t, h, http.MethodGet, "/admin/actions", "")
	var log []AdminAction
	if err := json.Unmarshal(rec.Body.Bytes(), &log); err != nil || rec.Code != http.StatusOK {
		t.Fatalf("actions: %d %s", rec.Code, rec.Body)
	}
	if len(log) != 2 {
		t.Fatalf("audit log = %+v, want the resolve and the delete", log)
	}
	if r := log[0]; r.Action != store.AdminResolveReport || r.ReportID != formatInt(report.ID) || r.TargetAccountID != formatInt(bob.ID) || r.TargetStatusID != "" {
		t.Errorf("newest entry = %+v, want the resolve of report %d", r, report.ID)
	}
	if d := log[1]; d.Action != store.AdminDeleteStatus || d.TargetStatusID != formatInt(bad.ID) || d.TargetAccountID != formatInt(bob.ID) ||
		d.Reason != "spam ✓" || d.ReportID != "" || d.CreatedAt.IsZero() {
		t.Errorf("older entry = %+v, want the delete with its reason", d)
	}
	rec = request(t, h, http.MethodGet, "/admin/actions?limit=1&max_id="+log[0].ID, "")
	if err := json.Unmarshal(rec.Body.Bytes(), &log); err != nil || len(log) != 1 || log[0].Action != store.AdminDeleteStatus {
		t.Errorf("the page below the newest: %s", rec.Body)
	}
	for _, q := range []string{"?limit=x", "?limit=0", "?limit=201", "?max_id=-3", "?max_id=99999999999999999999"} {
		if rec := request(t, h, http.MethodGet, "/admin/actions"+q, ""); rec.Code != http.StatusBadRequest {
			t.Errorf("actions%s: %d, want 400", q, rec.Code)
		}
	}
}

// maxAdminReasonForTest is social's bound on a reason, in characters.
const maxAdminReasonForTest = 1000
