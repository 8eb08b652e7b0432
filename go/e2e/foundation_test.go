package e2e

import (
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
)

type account struct {
	ID             string `json:"id"`
	Username       string `json:"username"`
	StatusesCount  int    `json:"statuses_count"`
	FollowingCount int    `json:"following_count"`
	FollowersCount int    `json:"followers_count"`
}

type status struct {
	ID      string  `json:"id"`
	Content string  `json:"content"`
	Account account `json:"account"`
}

func ids(sts []status) []string {
	out := make([]string, len(sts))
	for i, s := range sts {
		out[i] = s.ID
	}
	return out
}

// oauthApp is a registered app's client credentials.
type oauthApp struct {
	ClientID     string `json:"client_id"`
	ClientSecret string `json:"client_secret"`
}

// newApp registers an app and returns it with an app token
// (client_credentials), which can sign accounts up.
func newApp(t *testing.T, s *server) (oauthApp, string) {
	t.Helper()
	var app oauthApp
	s.must(s.do("POST", "/api/v1/apps", "", url.Values{
		"client_name": {"e2e"}, "redirect_uris": {"urn:ietf:wg:oauth:2.0:oob"}, "scopes": {"read write follow"},
	}), http.StatusOK).decode(t, &app)
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	s.must(s.do("POST", "/oauth/token", "", url.Values{
		"grant_type": {"client_credentials"}, "client_id": {app.ClientID}, "client_secret": {app.ClientSecret},
		"scope": {"read write follow"},
	}), http.StatusOK).decode(t, &tok)
	return app, tok.AccessToken
}

// register creates an account through the API with an app token and
// returns its user token.
func register(t *testing.T, s *server, appToken, username string) string {
	t.Helper()
	var tok struct {
		AccessToken string `json:"access_token"`
		TokenType   string `json:"token_type"`
	}
	s.must(s.do("POST", "/api/v1/accounts", appToken, url.Values{
		"username": {username}, "password": {"correct horse battery"}, "email": {username + "@example.test"}, "agreement": {"true"},
	}), http.StatusOK).decode(t, &tok)
	if tok.AccessToken == "" || tok.TokenType != "Bearer" {
		t.Fatalf("registration token: %+v", tok)
	}
	return tok.AccessToken
}

// registerAll registers names through s and returns their user tokens and
// account IDs by name.
func registerAll(t *testing.T, s *server, appToken string, names ...string) (tokens, ids map[string]string) {
	t.Helper()
	tokens, ids = map[string]string{}, map[string]string{}
	for _, name := range names {
		tokens[name] = register(t, s, appToken, name)
		var acct account
		s.must(s.do("GET", "/api/v1/accounts/verify_credentials", tokens[name], nil), http.StatusOK).decode(t, &acct)
		ids[name] = acct.ID
	}
	return tokens, ids
}

func TestFoundationFlow(t *testing.T) {
	foundationFlow(t, t.TempDir())
}

// TestFoundationFlowPostgres runs the same flow with the server on the real
// PostgreSQL (STARLING_TEST_PG), in a schema of its own.
func TestFoundationFlowPostgres(t *testing.T) {
	foundationFlow(t, t.TempDir(), "--db", freshPostgresSchema(t))
}

// foundationFlow registers, follows, posts, pages and searches over HTTP,
// then restarts the server on the same data and checks nothing was lost.
func foundationFlow(t *testing.T, dataDir string, extra ...string) {
	s := startServer(t, dataDir, extra...)

	// Operational endpoints.
	s.must(s.do("GET", "/healthz", "", nil), http.StatusOK)
	s.must(s.do("GET", "/readyz", "", nil), http.StatusOK)

	// An app, an app token, two users.
	app, appTok := newApp(t, s)
	alice := register(t, s, appTok, "alice")
	_ = register(t, s, appTok, "bob")

	// Bob logs in again with the password grant, as a client would.
	var bobTok struct {
		AccessToken string `json:"access_token"`
	}
	s.must(s.do("POST", "/oauth/token", "", url.Values{
		"grant_type": {"password"}, "client_id": {app.ClientID}, "client_secret": {app.ClientSecret},
		"username": {"bob"}, "password": {"correct horse battery"}, "scope": {"read write follow"},
	}), http.StatusOK).decode(t, &bobTok)
	bob := bobTok.AccessToken
	wrongPw := s.do("POST", "/oauth/token", "", url.Values{
		"grant_type": {"password"}, "client_id": {app.ClientID}, "client_secret": {app.ClientSecret},
		"username": {"bob"}, "password": {"wrong password"},
	})
	if wrongPw.status != http.StatusBadRequest || wrongPw.errorText(t) != "invalid_grant" {
		t.Fatalf("wrong password: %d %s", wrongPw.status, wrongPw.body)
	}

	var me, bobAcct account
	s.must(s.do("GET", "/api/v1/accounts/verify_credentials", alice, nil), http.StatusOK).decode(t, &me)
	s.must(s.do("GET", "/api/v1/accounts/verify_credentials", bob, nil), http.StatusOK).decode(t, &bobAcct)
	if me.Username != "alice" || bobAcct.Username != "bob" {
		t.Fatalf("verify_credentials: %+v %+v", me, bobAcct)
	}

	// Alice follows Bob.
	var rel struct {
		ID        string `json:"id"`
		Following bool   `json:"following"`
	}
	s.must(s.do("POST", "/api/v1/accounts/"+bobAcct.ID+"/follow", alice, nil), http.StatusOK).decode(t, &rel)
	if !rel.Following || rel.ID != bobAcct.ID {
		t.Fatalf("follow: %+v", rel)
	}

	// Posts: four by Bob (one JSON-encoded), one by Alice, interleaved.
	post := func(token, text string) status {
		t.Helper()
		var st status
		s.must(s.do("POST", "/api/v1/statuses", token, url.Values{"status": {text}}), http.StatusOK).decode(t, &st)
		return st
	}
	var posted []status
	posted = append(posted, post(bob, "Morning run along the river, cold but bright"))
	posted = append(posted, post(alice, "Reading about vector quantization tonight"))
	posted = append(posted, post(bob, "The sourdough starter finally doubled overnight"))
	var jsonPost status
	s.must(s.doJSON("POST", "/api/v1/statuses", bob, map[string]any{"status": "Trying a new espresso grinder today", "visibility": "public"}), http.StatusOK).decode(t, &jsonPost)
	posted = append(posted, jsonPost)
	posted = append(posted, post(bob, "Planted tomatoes and basil on the balcony"))

	// The wordfilter plugin rejects a blocked word with 422 and its reason;
	// the status is not stored.
	rejected := s.do("POST", "/api/v1/statuses", bob, url.Values{"status": {"click this scamlink now"}})
	if rejected.status != http.StatusUnprocessableEntity {
		t.Fatalf("blocked word: status %d, want 422: %s", rejected.status, rejected.body)
	}
	if msg := rejected.errorText(t); !strings.Contains(msg, "blocked word") {
		t.Fatalf("reject reason %q does not come from the plugin", msg)
	}
	s.must(s.do("GET", "/api/v1/accounts/"+bobAcct.ID, alice, nil), http.StatusOK).decode(t, &bobAcct)
	if bobAcct.StatusesCount != 4 {
		t.Fatalf("bob has %d statuses, want 4 (the rejected one must not be stored)", bobAcct.StatusesCount)
	}

	// Bad input is answered in Mastodon's error shape.
	for _, c := range []struct {
		name   string
		r      response
		status int
	}{
		{"empty status", s.do("POST", "/api/v1/statuses", bob, url.Values{"status": {"  "}}), 422},
		{"over the limit", s.do("POST", "/api/v1/statuses", bob, url.Values{"status": {strings.Repeat("x", 501)}}), 422},
		{"no token", s.do("GET", "/api/v1/timelines/home", "", nil), 401},
		{"bad token", s.do("GET", "/api/v1/timelines/home", "nope", nil), 401},
		{"unknown status", s.do("GET", "/api/v1/statuses/12345", alice, nil), 404},
		{"malformed id", s.do("GET", "/api/v1/statuses/abc", alice, nil), 404},
		{"unknown account", s.do("POST", "/api/v1/accounts/999/follow", alice, nil), 404},
		{"bad max_id", s.do("GET", "/api/v1/timelines/home?max_id=x", alice, nil), 400},
		{"taken username", s.do("POST", "/api/v1/accounts", appTok, url.Values{"username": {"ALICE"}, "password": {"long enough pw"}}), 422},
	} {
		if c.r.status != c.status {
			t.Errorf("%s: status %d, want %d: %s", c.name, c.r.status, c.status, c.r.body)
			continue
		}
		c.r.errorText(t)
	}

	// Alice's home: everything above, newest first, paged by 2 with Link.
	want := ids(posted)
	slices.Reverse(want)
	var got []string
	next := "/api/v1/timelines/home?limit=2"
	for range 10 {
		r := s.must(s.do("GET", next, alice, nil), http.StatusOK)
		var page []status
		r.decode(t, &page)
		if len(page) == 0 {
			break
		}
		if len(page) > 2 {
			t.Fatalf("page of %d with limit=2", len(page))
		}
		got = append(got, ids(page)...)
		next = nextLink(t, r.header, "next")
	}
	if !slices.Equal(got, want) {
		t.Fatalf("home timeline pages = %v, want %v", got, want)
	}
	// prev (min_id) from the oldest page returns the statuses just newer.
	var prev []status
	s.must(s.do("GET", "/api/v1/timelines/home?limit=2&min_id="+want[len(want)-1], alice, nil), http.StatusOK).decode(t, &prev)
	if !slices.Equal(ids(prev), want[len(want)-3:len(want)-1]) {
		t.Fatalf("min_id page = %v, want %v", ids(prev), want[len(want)-3:len(want)-1])
	}
	// Bob does not follow Alice: his home has only his own posts.
	var bobHome []status
	s.must(s.do("GET", "/api/v1/timelines/home", bob, nil), http.StatusOK).decode(t, &bobHome)
	if len(bobHome) != 4 {
		t.Fatalf("bob's home has %d statuses, want his 4", len(bobHome))
	}

	// A single status by ID.
	var one status
	s.must(s.do("GET", "/api/v1/statuses/"+posted[2].ID, alice, nil), http.StatusOK).decode(t, &one)
	if one.ID != posted[2].ID || !strings.Contains(one.Content, "sourdough") || one.Account.Username != "bob" {
		t.Fatalf("get status: %+v", one)
	}

	// Search by similarity through the Rust index finds the right post first.
	searchFor := func(q string) []status {
		t.Helper()
		var res struct {
			Statuses []status `json:"statuses"`
		}
		s.must(s.do("GET", "/api/v2/search?type=statuses&q="+url.QueryEscape(q), alice, nil), http.StatusOK).decode(t, &res)
		return res.Statuses
	}
	if hits := searchFor("sourdough starter"); len(hits) == 0 || hits[0].ID != posted[2].ID {
		t.Fatalf("search sourdough: %v, want %s first", ids(hits), posted[2].ID)
	}
	if hits := searchFor("espresso"); len(hits) == 0 || hits[0].ID != jsonPost.ID {
		t.Fatalf("search espresso: %v, want %s first", ids(hits), jsonPost.ID)
	}
	if hits := searchFor("scamlink"); len(hits) != 0 {
		t.Fatalf("the rejected status was found by search: %v", ids(hits))
	}

	// Metrics and the admin listener.
	metrics := s.must(s.do("GET", s.adminBase+"/metrics", "e2e-admin-token", nil), http.StatusOK)
	if !strings.Contains(string(metrics.body), `starling_http_requests_total{code="200",method="GET",route="/api/v1/timelines/home"}`) {
		t.Fatalf("metrics lack the home timeline counter")
	}
	s.must(s.do("GET", s.adminBase+"/debug/pprof/", "", nil), http.StatusUnauthorized)
	s.must(s.do("GET", s.adminBase+"/debug/pprof/", "e2e-admin-token", nil), http.StatusOK)
	plugins := s.must(s.do("GET", s.adminBase+"/api/v1/admin/plugins", "e2e-admin-token", nil), http.StatusOK)
	if !strings.Contains(string(plugins.body), "wordfilter") {
		t.Fatalf("admin plugin listing lacks wordfilter: %s", plugins.body)
	}

	// Restart on the same data: accounts, timeline and the search index
	// (rebuilt from the vectors in SQL) survive.
	s.stop()
	s2 := startServer(t, s.dataDir, extra...)
	var again []status
	s2.must(s2.do("GET", "/api/v1/timelines/home?limit=40", alice, nil), http.StatusOK).decode(t, &again)
	if !slices.Equal(ids(again), want) {
		t.Fatalf("home after restart = %v, want %v", ids(again), want)
	}
	var res struct {
		Statuses []status `json:"statuses"`
	}
	s2.must(s2.do("GET", "/api/v2/search?q=tomatoes+balcony", alice, nil), http.StatusOK).decode(t, &res)
	if len(res.Statuses) == 0 || res.Statuses[0].ID != posted[4].ID {
		t.Fatalf("search after restart: %v, want %s first", ids(res.Statuses), posted[4].ID)
	}
}
