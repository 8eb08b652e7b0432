package mastodon

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/go-chi/chi/v5"
	"golang.org/x/crypto/bcrypt"

	"github.com/starling-social/starling/go/snowflake/snowflaketest"
	"github.com/starling-social/starling/go/social"
	"github.com/starling-social/starling/go/store"
)

// testBaseURL is the public URL the handler under test believes it has;
// Link headers and entity URLs start with it.
const testBaseURL = "https://starling.test"

// testPassword is every test account's password.
const testPassword = "password123"

// testEnv is a Mastodon handler over a real social service and a fresh
// SQLite database, served in-process through a chi router.
type testEnv struct {
	t      *testing.T
	st     store.Store // for arranging what the API would take long to build
	svc    *social.Service
	h      *Handler
	router chi.Router
	app    *store.App // an app allowed every scope the tests use
}

func newTestEnv(t *testing.T) *testEnv {
	t.Helper()
	return newTestEnvWithRules(t, nil)
}

// newTestEnvWithRules is newTestEnv on an instance with rules.
func newTestEnvWithRules(t *testing.T, rules []social.Rule) *testEnv {
	t.Helper()
	return newTestEnvOn(t, openSQLite(t), nil, rules)
}

// newTestEnvOn is newTestEnv on st, with meaning as the typeahead's
// embedder (nil: prefix only).
func newTestEnvOn(t *testing.T, st store.Store, meaning social.Embedder, rules []social.Rule) *testEnv {
	t.Helper()
	ctx := context.Background()
	quiet := slog.New(slog.DiscardHandler)
	svc := social.New(social.Deps{Store: st, IDs: snowflaketest.New(), Home: newTestHome(t, st, testStrategy(t)), TypeaheadMeaning: meaning, Logger: quiet},
		social.Config{MaxStatusChars: 500, RegistrationsOpen: true, BcryptCost: bcrypt.MinCost, Rules: rules})
	// The trailing slash checks that New trims it.
	h := New(svc, Options{BaseURL: testBaseURL + "/", Version: "test", Logger: quiet})
	r := chi.NewRouter()
	h.Routes(r)
	app, err := svc.CreateApp(ctx, social.AppInput{Name: "test app", Scopes: "read write follow"})
	if err != nil {
		t.Fatal(err)
	}
	return &testEnv{t: t, st: st, svc: svc, h: h, router: r, app: app}
}

// user creates an account and returns it with a token holding scopes.
func (e *testEnv) user(name, scopes string) (*store.Account, string) {
	e.t.Helper()
	ctx := context.Background()
	a, err := e.svc.CreateAccount(ctx, social.NewAccount{Username: name, Password: testPassword})
	if err != nil {
		e.t.Fatal(err)
	}
	tok, err := e.svc.PasswordGrant(ctx, e.app, name, testPassword, scopes)
	if err != nil {
		e.t.Fatal(err)
	}
	return a, tok.Secret
}

// appToken returns an app-only (client_credentials) token holding scopes.
func (e *testEnv) appToken(scopes string) string {
	e.t.Helper()
	tok, err := e.svc.ClientCredentialsGrant(context.Background(), e.app, scopes)
	if err != nil {
		e.t.Fatal(err)
	}
	return tok.Secret
}

// post stores a status by author through the service.
func (e *testEnv) post(author *store.Account, text string, vis store.Visibility) *store.Status {
	e.t.Helper()
	st, err := e.svc.PostStatus(context.Background(), author, social.StatusInput{Text: text, Visibility: string(vis)})
	if err != nil {
		e.t.Fatal(err)
	}
	return st
}

// do serves one request; token may be empty, body may be nil.
func (e *testEnv) do(method, target, token, contentType string, body io.Reader) *httptest.ResponseRecorder {
	e.t.Helper()
	req := httptest.NewRequest(method, target, body)
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	rec := httptest.NewRecorder()
	e.router.ServeHTTP(rec, req)
	return rec
}

func (e *testEnv) get(target, token string) *httptest.ResponseRecorder {
	e.t.Helper()
	return e.do(http.MethodGet, target, token, "", nil)
}

func (e *testEnv) postForm(target, token string, form url.Values) *httptest.ResponseRecorder {
	e.t.Helper()
	return e.do(http.MethodPost, target, token, "application/x-www-form-urlencoded", strings.NewReader(form.Encode()))
}

func (e *testEnv) postJSON(target, token string, v any) *httptest.ResponseRecorder {
	e.t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		e.t.Fatal(err)
	}
	return e.do(http.MethodPost, target, token, "application/json", strings.NewReader(string(b)))
}

// wantStatus fails unless rec has the status code; it shows the body, which
// for errors carries the reason.
func wantStatus(t *testing.T, rec *httptest.ResponseRecorder, code int) {
	t.Helper()
	if rec.Code != code {
		t.Fatalf("status = %d, want %d; body: %s", rec.Code, code, rec.Body)
	}
}

// decodeObject checks the JSON content type and decodes an object body.
func decodeObject(t *testing.T, rec *httptest.ResponseRecorder) map[string]any {
	t.Helper()
	if ct := rec.Header().Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Fatalf("Content-Type = %q, want application/json", ct)
	}
	var m map[string]any
	if err := json.Unmarshal(rec.Body.Bytes(), &m); err != nil {
		t.Fatalf("decoding %s: %v", rec.Body, err)
	}
	return m
}

// decodeList decodes a JSON array of objects.
func decodeList(t *testing.T, rec *httptest.ResponseRecorder) []map[string]any {
	t.Helper()
	var l []map[string]any
	if err := json.Unmarshal(rec.Body.Bytes(), &l); err != nil {
		t.Fatalf("decoding %s: %v", rec.Body, err)
	}
	return l
}

// wantError checks a Mastodon error entity: the status and a non-empty
// "error" string.
func wantError(t *testing.T, rec *httptest.ResponseRecorder, code int) string {
	t.Helper()
	wantStatus(t, rec, code)
	msg, ok := decodeObject(t, rec)["error"].(string)
	if !ok || msg == "" {
		t.Fatalf("body %s has no error string", rec.Body)
	}
	return msg
}

// jsonKind names a JSON value's type as the entity documentation does.
func jsonKind(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case string:
		return "string"
	case float64:
		return "number"
	case bool:
		return "boolean"
	case []any:
		return "array"
	case map[string]any:
		return "object"
	}
	return "unknown"
}

// wantShape checks that obj has every field with the JSON type given.
func wantShape(t *testing.T, entity string, obj map[string]any, shape map[string]string) {
	t.Helper()
	for field, kind := range shape {
		v, ok := obj[field]
		if !ok {
			t.Errorf("%s: field %q missing", entity, field)
			continue
		}
		if got := jsonKind(v); got != kind {
			t.Errorf("%s.%s is %s (%v), want %s", entity, field, got, v, kind)
		}
	}
}

// mastodonTime is the datetime format Mastodon clients parse.
var mastodonTime = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$`)

// accountShape is the Mastodon Account entity's required fields.
var accountShape = map[string]string{
	"id": "string", "username": "string", "acct": "string", "display_name": "string",
	"locked": "boolean", "bot": "boolean", "discoverable": "boolean", "group": "boolean",
	"created_at": "string", "note": "string", "url": "string", "uri": "string",
	"avatar": "string", "avatar_static": "string", "header": "string", "header_static": "string",
	"followers_count": "number", "following_count": "number", "statuses_count": "number",
	"emojis": "array", "fields": "array",
}

func wantAccount(t *testing.T, obj map[string]any, want *store.Account) {
	t.Helper()
	wantShape(t, "Account", obj, accountShape)
	if obj["id"] != formatID(want.ID) || obj["username"] != want.Username || obj["acct"] != want.Username {
		t.Errorf("account id/username/acct = %v/%v/%v, want %d/%s/%s", obj["id"], obj["username"], obj["acct"],
			want.ID, want.Username, want.Username)
	}
	if s, _ := obj["created_at"].(string); !mastodonTime.MatchString(s) {
		t.Errorf("account created_at = %q, want the form 2006-01-02T15:04:05.000Z", s)
	}
	if _, ok := obj["last_status_at"]; !ok {
		t.Error("account last_status_at missing (it is null until the first status)")
	}
}

func TestNotFoundAndMethodNotAllowedShape(t *testing.T) {
	e := newTestEnv(t)
	wantError(t, e.get("/api/v1/nope", ""), http.StatusNotFound)
	wantError(t, e.do(http.MethodDelete, "/api/v1/instance", "", "", nil), http.StatusMethodNotAllowed)
}
