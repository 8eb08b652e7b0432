package e2e

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
)

// as returns s reporting to t, for use inside a subtest.
func (s *server) as(t *testing.T) *server {
	c := *s
	c.t = t
	return &c
}

// users signs up each name and returns the app, an app token and each
// user's token.
func users(t *testing.T, s *server, names ...string) (oauthApp, string, map[string]string) {
	t.Helper()
	app, appTok := newApp(t, s)
	toks := map[string]string{}
	for _, n := range names {
		toks[n] = register(t, s, appTok, n)
	}
	return app, appTok, toks
}

// textEndpoint is an endpoint that takes text, with a request that is valid
// apart from the field under test.
type textEndpoint struct {
	name, method, path, token string
	base                      url.Values
	fields                    []string
	bad                       int            // answer to a NUL byte or invalid UTF-8 in any field
	big                       map[string]int // answer to a 60,000-character field
}

// badValue is one malformed text value in each encoding a client may use.
type badValue struct {
	name string
	text string // the Go string (form and query encodings)
	json string // the JSON string literal, quotes included, as sent on the wire
}

var badValues = []badValue{
	{"NUL", "a\x00b", `"a\u0000b"`},
	{"invalid UTF-8", "a\xffb", "\"a\xffb\""},
	{"lone surrogate", "a\xed\xa0\x80b", "\"a\xed\xa0\x80b\""},
}

// TestBadInput sends NUL bytes, invalid UTF-8, oversized text and huge
// numbers to every endpoint that takes them, anonymous ones included, in
// every encoding (query, form, JSON). Each is refused with a 4xx in
// Mastodon's shape, the same on both stores, and nothing is stored; the
// server log stays bounded whatever the request carried.
func TestBadInput(t *testing.T) {
	badInput(t, t.TempDir())
}

// TestBadInputPostgres is TestBadInput on PostgreSQL, which refused NUL
// bytes and invalid UTF-8 with a 500 where SQLite stored them.
func TestBadInputPostgres(t *testing.T) {
	badInput(t, t.TempDir(), "--db", freshPostgresSchema(t))
}

func badInput(t *testing.T, dataDir string, extra ...string) {
	// Rate limits off: this test sends far more than a client would.
	s := startServer(t, dataDir, append([]string{"--rate-limit", "0"}, extra...)...)
	app, appTok, tok := users(t, s, "alice", "bob")
	alice := tok["alice"]
	var bob account
	s.must(s.do("GET", "/api/v1/accounts/verify_credentials", tok["bob"], nil), http.StatusOK).decode(t, &bob)
	var list struct {
		ID string `json:"id"`
	}
	s.must(s.do("POST", "/api/v1/lists", tok["bob"], url.Values{"title": {"friends"}}), http.StatusOK).decode(t, &list)
	var st status
	s.must(s.do("POST", "/api/v1/statuses", tok["bob"], url.Values{"status": {"hello"}}), http.StatusOK).decode(t, &st)
	var upload struct {
		ID string `json:"id"`
	}
	s.must(uploadFile(s, alice, photoWithGPS(t, 32, 32)), http.StatusOK).decode(t, &upload)

	const bigN = 60000
	big := strings.Repeat("x", bigN)
	endpoints := []textEndpoint{
		{name: "register app", method: "POST", path: "/api/v1/apps",
			base:   url.Values{"client_name": {"x"}, "redirect_uris": {"urn:ietf:wg:oauth:2.0:oob"}, "scopes": {"read"}, "website": {"https://app.example"}},
			fields: []string{"client_name", "redirect_uris", "scopes", "website"}, bad: 422,
			big: map[string]int{"client_name": 422, "redirect_uris": 422, "scopes": 422, "website": 422}},
		{name: "password grant", method: "POST", path: "/oauth/token",
			base: url.Values{"grant_type": {"password"}, "client_id": {app.ClientID}, "client_secret": {app.ClientSecret},
				"username": {"alice"}, "password": {"correct horse battery"}, "scope": {"read"}},
			fields: []string{"grant_type", "client_id", "client_secret", "username", "password", "scope"}, bad: 400,
			big: map[string]int{"username": 400, "password": 400, "scope": 400, "client_id": 401}},
		{name: "code grant", method: "POST", path: "/oauth/token",
			base: url.Values{"grant_type": {"authorization_code"}, "client_id": {app.ClientID}, "client_secret": {app.ClientSecret},
				"code": {"c"}, "redirect_uri": {"urn:ietf:wg:oauth:2.0:oob"}, "code_verifier": {strings.Repeat("v", 43)}},
			fields: []string{"code", "redirect_uri", "code_verifier"}, bad: 400,
			big: map[string]int{"code": 400, "redirect_uri": 400, "code_verifier": 400}},
		{name: "revoke", method: "POST", path: "/oauth/revoke",
			base:   url.Values{"client_id": {app.ClientID}, "client_secret": {app.ClientSecret}, "token": {"t"}},
			fields: []string{"token"}, bad: 400, big: map[string]int{"token": 200}},
		{name: "authorize page", method: "GET", path: "/oauth/authorize",
			base: url.Values{"response_type": {"code"}, "client_id": {app.ClientID},
				"redirect_uri": {"urn:ietf:wg:oauth:2.0:oob"}, "scope": {"read"}, "state": {"s"}},
			fields: []string{"client_id", "redirect_uri", "scope", "state"}, bad: 400,
			big: map[string]int{"client_id": 400, "redirect_uri": 400, "scope": 400}},
		{name: "sign up", method: "POST", path: "/api/v1/accounts", token: appTok,
			base: url.Values{"username": {"carol"}, "password": {"correct horse battery"}, "email": {"c@example.test"},
				"agreement": {"true"}, "locale": {"en"}, "reason": {"hi"}},
			fields: []string{"username", "password", "email", "locale", "reason"}, bad: 422,
			big: map[string]int{"username": 422, "password": 422}},
		{name: "update credentials", method: "PATCH", path: "/api/v1/accounts/update_credentials", token: alice,
			base: url.Values{}, fields: []string{"display_name", "note", "fields_attributes[0][name]", "fields_attributes[0][value]"}, bad: 422,
			big: map[string]int{"display_name": 422, "note": 422, "fields_attributes[0][name]": 422, "fields_attributes[0][value]": 422}},
		{name: "lookup", method: "GET", path: "/api/v1/accounts/lookup", base: url.Values{"acct": {"alice"}},
			fields: []string{"acct"}, bad: 422, big: map[string]int{"acct": 404}},
		{name: "account search", method: "GET", path: "/api/v1/accounts/search", token: alice,
			base: url.Values{"q": {"al"}}, fields: []string{"q"}, bad: 422, big: map[string]int{"q": 422}},
		{name: "search", method: "GET", path: "/api/v2/search", token: alice,
			base: url.Values{"q": {"hello"}, "type": {"statuses"}}, fields: []string{"q", "type"}, bad: 422,
			big: map[string]int{"q": 422}},
		{name: "anonymous search", method: "GET", path: "/api/v2/search",
			base: url.Values{"q": {"al"}}, fields: []string{"q"}, bad: 422, big: map[string]int{"q": 422}},
		{name: "post status", method: "POST", path: "/api/v1/statuses", token: alice,
			base:   url.Values{"status": {"hi"}, "visibility": {"public"}, "language": {"en"}, "spoiler_text": {"cw"}},
			fields: []string{"status", "spoiler_text", "visibility", "language", "in_reply_to_id", "media_ids[]"}, bad: 422,
			big: map[string]int{"status": 422, "spoiler_text": 422, "visibility": 422, "language": 422, "in_reply_to_id": 400,
				"media_ids[]": 400}},
		{name: "update media", method: "PUT", path: "/api/v1/media/" + upload.ID, token: alice,
			base: url.Values{"description": {"d"}}, fields: []string{"description", "focus"}, bad: 422,
			big: map[string]int{"description": 422, "focus": 422}},
		{name: "create list", method: "POST", path: "/api/v1/lists", token: alice,
			base: url.Values{"title": {"t"}, "replies_policy": {"list"}}, fields: []string{"title", "replies_policy"}, bad: 422,
			big: map[string]int{"title": 422, "replies_policy": 422}},
		{name: "update list", method: "PUT", path: "/api/v1/lists/" + list.ID, token: tok["bob"],
			base: url.Values{"title": {"t"}}, fields: []string{"title", "replies_policy"}, bad: 422,
			big: map[string]int{"title": 422, "replies_policy": 422}},
		{name: "tag timeline", method: "GET", path: "/api/v1/timelines/tag/cats",
			base: url.Values{}, fields: []string{"any[]", "all[]", "none[]"}, bad: 422},
		{name: "profile statuses", method: "GET", path: "/api/v1/accounts/" + bob.ID + "/statuses",
			base: url.Values{}, fields: []string{"tagged"}, bad: 422},
		{name: "notifications", method: "GET", path: "/api/v1/notifications", token: alice,
			base: url.Values{}, fields: []string{"types[]", "exclude_types[]"}, bad: 422},
		{name: "edit status", method: "PUT", path: "/api/v1/statuses/" + st.ID, token: tok["bob"],
			base:   url.Values{"status": {"hello again"}, "spoiler_text": {"cw"}, "language": {"en"}},
			fields: []string{"status", "spoiler_text", "language"}, bad: 422,
			big: map[string]int{"status": 422, "spoiler_text": 422, "language": 422}},
		{name: "grouped notifications", method: "GET", path: "/api/v2/notifications", token: alice,
			base: url.Values{}, fields: []string{"types[]", "exclude_types[]", "grouped_types[]", "expand_accounts", "account_id"}, bad: 422,
			big: map[string]int{"expand_accounts": 422, "account_id": 400}},
		{name: "unread count", method: "GET", path: "/api/v2/notifications/unread_count", token: alice,
			base: url.Values{}, fields: []string{"types[]", "grouped_types[]", "limit"}, bad: 422, big: map[string]int{"limit": 400}},
		{name: "create filter", method: "POST", path: "/api/v2/filters", token: alice,
			base:   url.Values{"title": {"t"}, "context[]": {"home"}, "filter_action": {"warn"}, "expires_in": {"60"}},
			fields: []string{"title", "context[]", "filter_action", "expires_in"}, bad: 422,
			big: map[string]int{"title": 422, "context[]": 422, "filter_action": 422, "expires_in": 422}},
		{name: "create v1 filter", method: "POST", path: "/api/v1/filters", token: alice,
			base:   url.Values{"phrase": {"p"}, "context[]": {"home"}},
			fields: []string{"phrase", "context[]"}, bad: 422, big: map[string]int{"phrase": 422, "context[]": 422}},
		{name: "conversations", method: "GET", path: "/api/v1/conversations", token: alice,
			base: url.Values{}, fields: []string{"max_id", "min_id"}, bad: 422, big: map[string]int{"max_id": 400}},
	}
	for _, ep := range endpoints {
		for _, field := range ep.fields {
			for _, bv := range badValues {
				for _, enc := range encodings(ep.method) {
					t.Run(ep.name+"/"+field+"/"+bv.name+"/"+enc, func(t *testing.T) {
						s := s.as(t)
						vals := cloneWith(ep.base, field, bv.text)
						r := sendEncoded(s, ep.method, ep.path, ep.token, enc, vals, field, bv.json)
						wantRefusal(t, r, ep.bad)
					})
				}
			}
			if want, ok := ep.big[field]; ok {
				t.Run(ep.name+"/"+field+"/oversized", func(t *testing.T) {
					s := s.as(t)
					r := sendEncoded(s, ep.method, ep.path, ep.token, encodings(ep.method)[0], cloneWith(ep.base, field, big), "", "")
					if r.status != want {
						t.Fatalf("status %d, want %d: %.300s", r.status, want, r.body)
					}
				})
			}
		}
	}

	// Keys are text too, and a JSON body must be UTF-8 as a whole.
	for _, c := range []struct {
		name, ct string
		body     string
	}{
		{"NUL in a form key", "application/x-www-form-urlencoded", "status=hi&a%00b=1"},
		{"invalid UTF-8 in a JSON key", "application/json", "{\"status\":\"hi\",\"a\xff\":1}"},
		{"invalid UTF-8 outside strings", "application/json", "{\"status\":\"hi\"}\xff"},
	} {
		t.Run(c.name, func(t *testing.T) {
			s := s.as(t)
			wantRefusal(t, s.raw("POST", "/api/v1/statuses", alice, c.ct, []byte(c.body), nil), 422)
		})
	}
	// Headers and path segments that reach the store.
	t.Run("Idempotency-Key invalid UTF-8", func(t *testing.T) {
		s := s.as(t)
		r := s.raw("POST", "/api/v1/statuses", alice, "application/x-www-form-urlencoded", []byte("status=hi"),
			http.Header{"Idempotency-Key": {"k\xff"}})
		wantRefusal(t, r, 422)
	})
	for _, p := range []string{"/api/v1/tags/a%00b", "/api/v1/tags/a%FFb", "/api/v1/tags/%ED%A0%80"} {
		t.Run("tag path "+p, func(t *testing.T) {
			s := s.as(t)
			wantRefusal(t, s.do("GET", p, "", nil), 404)
		})
	}

	// Huge numbers: out of int64 is malformed (400); in range but past a
	// bound is 422; limit is clamped, as Mastodon does.
	const huge, maxInt = "99999999999999999999", "9223372036854775807"
	for _, c := range []struct {
		name, method, target, token string
		form                        url.Values
		want                        int
	}{
		{"limit out of range", "GET", "/api/v1/timelines/public?limit=" + huge, "", nil, 400},
		{"limit clamped", "GET", "/api/v1/timelines/public?limit=" + maxInt, "", nil, 200},
		{"max_id out of range", "GET", "/api/v1/timelines/public?max_id=" + huge, "", nil, 400},
		{"offset out of range", "GET", "/api/v2/search?q=hello&offset=" + huge, alice, nil, 400},
		{"status search offset", "GET", "/api/v2/search?type=statuses&q=hello&limit=40&offset=" + maxInt, alice, nil, 422},
		{"account search offset", "GET", "/api/v2/search?type=accounts&q=al&limit=40&offset=" + maxInt, alice, nil, 422},
		{"hashtag search offset", "GET", "/api/v2/search?type=hashtags&q=al&limit=40&offset=" + maxInt, alice, nil, 422},
		{"v1 account search offset", "GET", "/api/v1/accounts/search?q=al&limit=40&offset=" + maxInt, alice, nil, 422},
		{"trending tags offset", "GET", "/api/v1/trends/tags?limit=20&offset=" + maxInt, "", nil, 422},
		{"trending statuses offset", "GET", "/api/v1/trends/statuses?limit=40&offset=" + maxInt, "", nil, 422},
		{"mute duration", "POST", "/api/v1/accounts/" + bob.ID + "/mute", alice, url.Values{"duration": {maxInt}}, 422},
		{"list id out of range", "GET", "/api/v1/lists/" + huge, alice, nil, 404},
		{"filter id out of range", "GET", "/api/v2/filters/" + huge, alice, nil, 404},
		{"filter expires_in out of range", "POST", "/api/v2/filters", alice, url.Values{"title": {"t"}, "context[]": {"home"}, "expires_in": {huge}}, 422},
		{"filter status id out of range", "POST", "/api/v2/filters/" + maxInt + "/statuses", alice, url.Values{"status_id": {huge}}, 400},
		{"conversation id out of range", "POST", "/api/v1/conversations/" + huge + "/read", alice, nil, 404},
	} {
		t.Run(c.name, func(t *testing.T) {
			s := s.as(t)
			r := s.do(c.method, c.target, c.token, c.form)
			if r.status != c.want {
				t.Fatalf("status %d, want %d: %.300s", r.status, c.want, r.body)
			}
		})
	}

	// Nothing above was stored.
	var me struct {
		DisplayName   string `json:"display_name"`
		Note          string `json:"note"`
		StatusesCount int    `json:"statuses_count"`
	}
	s.must(s.do("GET", "/api/v1/accounts/verify_credentials", alice, nil), http.StatusOK).decode(t, &me)
	if me.DisplayName != "" || me.Note != "" || me.StatusesCount != 0 {
		t.Errorf("alice after the bad requests: %+v, want nothing changed", me)
	}
	var lists []struct {
		Title string `json:"title"`
	}
	s.must(s.do("GET", "/api/v1/lists", alice, nil), http.StatusOK).decode(t, &lists)
	if len(lists) != 1 || lists[0].Title != "For you" {
		t.Errorf("alice has lists %+v, want only the virtual For-you list", lists)
	}
	s.must(s.do("GET", "/api/v1/lists", tok["bob"], nil), http.StatusOK).decode(t, &lists)
	if len(lists) != 2 || lists[1].Title != "friends" {
		t.Errorf("bob's lists %+v, want [For you, friends] unchanged", lists)
	}
	var filters []struct{}
	s.must(s.do("GET", "/api/v2/filters", alice, nil), http.StatusOK).decode(t, &filters)
	if len(filters) != 0 {
		t.Errorf("alice has %d filters after the bad requests, want none", len(filters))
	}
	if r := s.do("GET", "/api/v1/accounts/lookup?acct=carol", "", nil); r.status != http.StatusNotFound {
		t.Errorf("carol was registered by a refused sign-up: %d %.200s", r.status, r.body)
	}

	// Request content reaches the log only truncated: a 300 KB path is one
	// access-log line, not 300 KB of log.
	s.must(s.do("GET", "/api/v1/"+strings.Repeat("q", 300_000), "", nil), http.StatusNotFound)
	s.stop()
	for _, line := range strings.Split(s.logs.String(), "\n") {
		if len(line) > 20_000 {
			t.Errorf("a log line of %d bytes: %.200s…", len(line), line)
		}
	}
}

// encodings are the ways a client may send parameters to method.
func encodings(method string) []string {
	if method == "GET" {
		return []string{"query"}
	}
	return []string{"form", "json"}
}

func cloneWith(base url.Values, field, v string) url.Values {
	out := url.Values{}
	for k, vs := range base {
		out[k] = vs
	}
	out[field] = []string{v}
	return out
}

// sendEncoded sends vals in enc; for JSON, field's value is the raw literal
// jsonLit when given (json.Marshal would repair invalid UTF-8).
func sendEncoded(s *server, method, path, token, enc string, vals url.Values, field, jsonLit string) response {
	s.t.Helper()
	switch enc {
	case "query":
		return s.raw(method, path+"?"+vals.Encode(), token, "", nil, nil)
	case "form":
		return s.raw(method, path, token, "application/x-www-form-urlencoded", []byte(vals.Encode()), nil)
	}
	var parts []string
	for k, vs := range vals {
		name := strings.TrimSuffix(k, "[]")
		lit := ""
		if k == field && jsonLit != "" {
			lit = jsonLit
		} else {
			b, _ := json.Marshal(vs[0])
			lit = string(b)
		}
		if strings.HasSuffix(k, "[]") {
			lit = "[" + lit + "]"
		}
		parts = append(parts, strconv.Quote(name)+":"+lit)
	}
	return s.raw(method, path, token, "application/json", []byte("{"+strings.Join(parts, ",")+"}"), nil)
}

// wantRefusal checks the status and that the answer is an error, in
// Mastodon's JSON shape unless it is the authorization page.
func wantRefusal(t *testing.T, r response, want int) {
	t.Helper()
	if r.status != want {
		t.Fatalf("status %d, want %d: %.300s", r.status, want, r.body)
	}
	if strings.HasPrefix(r.header.Get("Content-Type"), "application/json") {
		r.errorText(t)
	}
}
