package admin

import (
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/starling-social/starling/go/social"
	"github.com/starling-social/starling/go/store"
)

// testRenderer stands in for api/mastodon's Account entity.
type testRenderer struct{}

func (testRenderer) AccountEntity(a *store.Account) any {
	return map[string]any{"id": formatInt(a.ID), "username": a.Username}
}

func TestAdminAccounts(t *testing.T) { onStores(t, testAdminAccounts) }

func testAdminAccounts(t *testing.T, h http.Handler, svc *social.Service, alice, bob *store.Account) {
	ctx := t.Context()
	bobTok, err := svc.PasswordGrant(ctx, mustApp(t, svc), "bob", "password123", "read")
	if err != nil {
		t.Fatal(err)
	}
	report, _, err := svc.Report(ctx, alice, social.ReportInput{AccountID: bob.ID, Category: "spam"})
	if err != nil {
		t.Fatal(err)
	}
	otherReport, _, err := svc.Report(ctx, bob, social.ReportInput{AccountID: alice.ID, Category: "spam"})
	if err != nil {
		t.Fatal(err)
	}
	bobPath := "/api/v1/admin/accounts/" + formatInt(bob.ID)

	list := func(query string) []AdminAccount {
		t.Helper()
		rec := request(t, h, http.MethodGet, "/api/v1/admin/accounts"+query, "")
		if rec.Code != http.StatusOK {
			t.Fatalf("GET accounts%s: %d %s", query, rec.Code, rec.Body)
		}
		var out []AdminAccount
		if err := json.Unmarshal(rec.Body.Bytes(), &out); err != nil {
			t.Fatal(err)
		}
		return out
	}
	names := func(as []AdminAccount) string {
		var n []string
		for _, a := range as {
			n = append(n, a.Username)
		}
		return strings.Join(n, ",")
	}
	if got := names(list("")); got != "bob,alice" {
		t.Errorf("every account, newest first: %q", got)
	}
	if got := list("?limit=1"); len(got) != 1 || got[0].Suspended || got[0].Role.ID != "-99" || got[0].Domain != nil {
		t.Errorf("one account: %+v", got)
	}

	// Refused actions change nothing.
	for _, c := range []struct {
		name, path, body string
		want             int
	}{
		{"unknown type", bobPath + "/action", `{"type": "disable"}`, http.StatusUnprocessableEntity},
		{"sensitive is not served", bobPath + "/action", `{"type": "sensitive"}`, http.StatusUnprocessableEntity},
		{"no type", bobPath + "/action", `{}`, http.StatusUnprocessableEntity},
		{"NUL in text", bobPath + "/action", `{"type": "suspend", "text": "a\u0000b"}`, http.StatusUnprocessableEntity},
		{"invalid UTF-8 in text", bobPath + "/action", "{\"type\": \"suspend\", \"text\": \"\xff\xfe\"}", http.StatusUnprocessableEntity},
		{"text too long", bobPath + "/action", `{"type": "suspend", "text": "` + strings.Repeat("é", maxAdminReasonForTest+1) + `"}`, http.StatusUnprocessableEntity},
		{"body too large", bobPath + "/action", `{"type": "suspend", "text": "` + strings.Repeat("a", maxActionBody) + `"}`, http.StatusBadRequest},
		{"malformed JSON", bobPath + "/action", `{"type": `, http.StatusBadRequest},
		{"unknown field", bobPath + "/action", `{"type": "suspend", "extra": 1}`, http.StatusBadRequest},
		{"huge report ID", bobPath + "/action", `{"type": "suspend", "report_id": "99999999999999999999"}`, http.StatusBadRequest},
		{"negative report ID", bobPath + "/action", `{"type": "suspend", "report_id": -3}`, http.StatusBadRequest},
		{"missing report", bobPath + "/action", `{"type": "suspend", "report_id": "12345"}`, http.StatusUnprocessableEntity},
		{"report on someone else", bobPath + "/action", `{"type": "suspend", "report_id": "` + formatInt(otherReport.ID) + `"}`, http.StatusUnprocessableEntity},
		{"warning presets", bobPath + "/action", `{"type": "suspend", "warning_preset_id": "1"}`, http.StatusUnprocessableEntity},
		{"e-mail", bobPath + "/action", `{"type": "suspend", "send_email_notification": true}`, http.StatusUnprocessableEntity},
		{"missing account", "/api/v1/admin/accounts/" + formatInt(bob.ID+1000) + "/action", `{"type": "suspend"}`, http.StatusNotFound},
		{"huge account ID", "/api/v1/admin/accounts/99999999999999999999/action", `{"type": "suspend"}`, http.StatusNotFound},
		{"account ID 0", "/api/v1/admin/accounts/0/unsuspend", ``, http.StatusNotFound},
		{"unsilence a missing account", "/api/v1/admin/accounts/" + formatInt(bob.ID+1000) + "/unsilence", ``, http.StatusNotFound},
	} {
		if rec := request(t, h, http.MethodPost, c.path, c.body); rec.Code != c.want {
			t.Errorf("%s: %d %s, want %d", c.name, rec.Code, rec.Body, c.want)
		}
	}
	// A bad actor name is refused too.
	req := httptest.NewRequest(http.MethodPost, bobPath+"/action", strings.NewReader(`{"type": "suspend"}`))
	req.Header.Set("Authorization", "Bearer "+testToken)
	req.Header.Set(ActorHeader, strings.Repeat("m", social.MaxActorChars+1))
	if rec := httptest.NewRecorder(); func() int { h.ServeHTTP(rec, req); return rec.Code }() != http.StatusUnprocessableEntity {
		t.Errorf("an oversized actor: %d %s, want 422", rec.Code, rec.Body)
	}
	if _, err := svc.Authenticate(ctx, bobTok.Secret); err != nil {
		t.Fatalf("bob's token fails after refused actions: %v", err)
	}
	if got := list("?suspended=true"); len(got) != 0 {
		t.Fatalf("suspended after refused actions: %+v", got)
	}

	// Suspend, acting on the report, as a form (as Mastodon's clients post).
	req = httptest.NewRequest(http.MethodPost, bobPath+"/action", strings.NewReader(url.Values{
		"type": {"suspend"}, "report_id": {formatInt(report.ID)}, "text": {"spam ✓"}}.Encode()))
	req.Header.Set("Authorization", "Bearer "+testToken)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set(ActorHeader, "mod-jo")
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code != http.StatusOK || strings.TrimSpace(rec.Body.String()) != "{}" {
		t.Fatalf("suspend: %d %s", rec.Code, rec.Body)
	}
	var se *social.Error
	if _, err := svc.Authenticate(ctx, bobTok.Secret); !errors.As(err, &se) || se.Kind != social.KindUnauthorized {
		t.Errorf("bob's token after the suspension: %v, want unauthorized", err)
	}
	if _, err := svc.PasswordGrant(ctx, mustApp(t, svc), "bob", "password123", "read"); err == nil {
		t.Error("bob signed in while suspended")
	}
	if _, err := svc.GetAccount(ctx, bob.ID); !errors.As(err, &se) || se.Kind != social.KindNotFound {
		t.Errorf("bob's profile while suspended: %v, want not found", err)
	}
	if got := names(list("?suspended=true")); got != "bob" {
		t.Errorf("suspended: %q", got)
	}
	if got := names(list("?active=true&local=true")); got != "alice" {
		t.Errorf("active: %q", got)
	}
	rec = request(t, h, http.MethodGet, bobPath, "")
	var shown AdminAccount
	if err := json.Unmarshal(rec.Body.Bytes(), &shown); err != nil || !shown.Suspended || shown.Silenced || shown.Username != "bob" {
		t.Errorf("GET %s: %d %s", bobPath, rec.Code, rec.Body)
	}
	if rp, err := svc.Reports(ctx, store.Page{Limit: 10}); err != nil || rp[1].ActionTakenAt == nil {
		t.Errorf("the report acted on is not resolved: %v", err)
	}

	// Silence, then lift both; the account is back.
	if rec := request(t, h, http.MethodPost, bobPath+"/action", `{"type": "silence"}`); rec.Code != http.StatusOK {
		t.Fatalf("silence: %d %s", rec.Code, rec.Body)
	}
	if got := names(list("?silenced=true&username=BO")); got != "bob" {
		t.Errorf("silenced bo*: %q", got)
	}
	for _, lift := range []string{"unsuspend", "unsilence"} {
		rec := request(t, h, http.MethodPost, bobPath+"/"+lift, "")
		if rec.Code != http.StatusOK {
			t.Fatalf("%s: %d %s", lift, rec.Code, rec.Body)
		}
	}
	if rec := request(t, h, http.MethodGet, bobPath, ""); !strings.Contains(rec.Body.String(), `"suspended":false`) ||
		!strings.Contains(rec.Body.String(), `"silenced":false`) {
		t.Errorf("after lifting: %s", rec.Body)
	}
	if _, err := svc.Authenticate(ctx, bobTok.Secret); err != nil {
		t.Errorf("bob's token after the unsuspension: %v", err)
	}

	// Every action is on record, with who did it.
	var log []AdminAction
	rec = request(t, h, http.MethodGet, "/admin/actions", "")
	if err := json.Unmarshal(rec.Body.Bytes(), &log); err != nil {
		t.Fatal(err)
	}
	want := []struct{ action, actor string }{{store.AdminUnsilenceAccount, DefaultActor},
		{store.AdminUnsuspendAccount, DefaultActor}, {store.AdminSilenceAccount, DefaultActor}, {store.AdminSuspendAccount, "mod-jo"}}
	if len(log) != len(want) {
		t.Fatalf("audit log: %+v, want %d entries", log, len(want))
	}
	for i, w := range want {
		if log[i].Action != w.action || log[i].Actor != w.actor || log[i].TargetAccountID != formatInt(bob.ID) {
			t.Errorf("entry %d = %+v, want %s by %s", i, log[i], w.action, w.actor)
		}
	}
	if log[3].ReportID != formatInt(report.ID) || log[3].Reason != "spam ✓" {
		t.Errorf("the suspension's entry = %+v, want report %d and the text", log[3], report.ID)
	}
}

func TestAdminAccountsBadQuery(t *testing.T) { onStores(t, testAdminAccountsBadQuery) }

func testAdminAccountsBadQuery(t *testing.T, h http.Handler, _ *social.Service, _, bob *store.Account) {
	for _, c := range []struct {
		query string
		want  int
	}{
		{"?pending=true", http.StatusUnprocessableEntity},
		{"?email=a@b.c", http.StatusUnprocessableEntity},
		{"?ip=127.0.0.1", http.StatusUnprocessableEntity},
		{"?by_domain=example.com", http.StatusUnprocessableEntity},
		{"?disabled=true", http.StatusUnprocessableEntity},
		{"?sensitized=true", http.StatusUnprocessableEntity},
		{"?order=recent", http.StatusUnprocessableEntity},
		{"?active=true&active=false", http.StatusUnprocessableEntity},
		{"?active=maybe", http.StatusBadRequest},
		{"?limit=0", http.StatusBadRequest},
		{"?limit=201", http.StatusBadRequest},
		{"?limit=99999999999999999999", http.StatusBadRequest},
		{"?max_id=-1", http.StatusBadRequest},
		{"?since_id=x", http.StatusBadRequest},
		{"?min_id=99999999999999999999", http.StatusBadRequest},
		{"?username=" + url.QueryEscape("a\x00b"), http.StatusUnprocessableEntity},
		{"?username=%ff%fe", http.StatusUnprocessableEntity},
		{"?display_name=" + strings.Repeat("x", 101), http.StatusUnprocessableEntity},
	} {
		if rec := request(t, h, http.MethodGet, "/api/v1/admin/accounts"+c.query, ""); rec.Code != c.want {
			t.Errorf("GET accounts%.60s: %d %s, want %d", c.query, rec.Code, rec.Body, c.want)
		}
	}
	// What no account can match is an empty list, not an error.
	for _, q := range []string{"?remote=true", "?staff=true", "?local=false", "?username=" + url.QueryEscape("%_")} {
		rec := request(t, h, http.MethodGet, "/api/v1/admin/accounts"+q, "")
		if rec.Code != http.StatusOK || strings.TrimSpace(rec.Body.String()) != "[]" {
			t.Errorf("GET accounts%s: %d %s, want 200 []", q, rec.Code, rec.Body)
		}
	}
	// Pages link to each other.
	rec := request(t, h, http.MethodGet, "/api/v1/admin/accounts?limit=1&active=true", "")
	link := rec.Header().Get("Link")
	if !strings.Contains(link, "max_id="+formatInt(bob.ID)) || !strings.Contains(link, `rel="next"`) || !strings.Contains(link, "active=true") {
		t.Errorf("Link = %q", link)
	}
	for _, p := range []string{"0", "-1", "x", "99999999999999999999"} {
		if rec := request(t, h, http.MethodGet, "/api/v1/admin/accounts/"+p, ""); rec.Code != http.StatusNotFound {
			t.Errorf("GET account %s: %d, want 404", p, rec.Code)
		}
	}
	if rec := serve(t, h, "/api/v1/admin/accounts", ""); rec.Code != http.StatusUnauthorized {
		t.Errorf("without the admin token: %d, want 401", rec.Code)
	}
}

func mustApp(t *testing.T, svc *social.Service) *store.App {
	t.Helper()
	app, err := svc.CreateApp(t.Context(), social.AppInput{Name: "test", Scopes: "read"})
	if err != nil {
		t.Fatal(err)
	}
	return app
}
