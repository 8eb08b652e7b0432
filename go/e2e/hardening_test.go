package e2e

import (
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// TestHardening checks the operational and OAuth defects found when the
// running server was attacked (issue #7 §11 and §16), on SQLite.
func TestHardening(t *testing.T) {
	hardening(t, t.TempDir())
}

// TestHardeningPostgres is TestHardening on PostgreSQL.
func TestHardeningPostgres(t *testing.T) {
	hardening(t, t.TempDir(), "--db", freshPostgresSchema(t))
}

func hardening(t *testing.T, dataDir string, extra ...string) {
	s := startServer(t, dataDir, append([]string{"--rate-limit", "0"}, extra...)...)
	_, _, tok := users(t, s, "alice")
	alice := tok["alice"]

	t.Run("metrics only on the admin listener", func(t *testing.T) {
		s := s.as(t)
		s.must(s.do("GET", "/api/v1/instance", "", nil), http.StatusOK)
		s.must(s.do("GET", "/metrics", "", nil), http.StatusNotFound)
		s.must(s.do("GET", s.adminBase+"/metrics", "", nil), http.StatusUnauthorized)
		m := s.must(s.do("GET", s.adminBase+"/metrics", "e2e-admin-token", nil), http.StatusOK)
		if !strings.Contains(string(m.body), `starling_http_requests_total{code="200",method="GET",route="/api/v1/instance"}`) {
			t.Fatalf("admin metrics lack the public listener's request counter")
		}
	})

	t.Run("app registration is bounded", func(t *testing.T) {
		s := s.as(t)
		long := func(n int) string { return "https://app.example/" + strings.Repeat("p", n-len("https://app.example/")) }
		many := make([]string, 11)
		for i := range many {
			many[i] = fmt.Sprintf("https://app.example/cb%d", i)
		}
		for _, c := range []struct {
			name   string
			params url.Values
			want   int
		}{
			{"name at the limit", url.Values{"client_name": {strings.Repeat("n", 60)}}, 200},
			{"name too long", url.Values{"client_name": {strings.Repeat("n", 61)}}, 422},
			{"website at the limit", url.Values{"website": {long(2000)}}, 200},
			{"website too long", url.Values{"website": {long(2001)}}, 422},
			{"website javascript:", url.Values{"website": {"javascript:alert(1)"}}, 422},
			{"website not a URL", url.Values{"website": {"app dot example"}}, 422},
			{"redirect at the limit", url.Values{"redirect_uris": {long(2000)}}, 200},
			{"redirect too long", url.Values{"redirect_uris": {long(2001)}}, 422},
			{"redirects too long together", url.Values{"redirect_uris": {long(1000) + "\n" + long(1001)}}, 422},
			{"ten redirects", url.Values{"redirect_uris": {strings.Join(many[:10], "\n")}}, 200},
			{"eleven redirects", url.Values{"redirect_uris": {strings.Join(many, "\n")}}, 422},
			{"custom app scheme", url.Values{"redirect_uris": {"com.example.app:/oauth2redirect"}}, 200},
			{"custom scheme with host", url.Values{"redirect_uris": {"elk://callback"}}, 200},
			{"loopback http", url.Values{"redirect_uris": {"http://127.0.0.1:4000/cb"}}, 200},
			{"javascript:", url.Values{"redirect_uris": {"javascript:alert(document.cookie)"}}, 422},
			{"JavaScript: in capitals", url.Values{"redirect_uris": {"JavaScript:alert(1)"}}, 422},
			{"data:", url.Values{"redirect_uris": {"data:text/html,<script>alert(1)</script>"}}, 422},
			{"vbscript:", url.Values{"redirect_uris": {"vbscript:msgbox(1)"}}, 422},
			{"file:", url.Values{"redirect_uris": {"file:///etc/passwd"}}, 422},
			{"fragment", url.Values{"redirect_uris": {"https://app.example/cb#x"}}, 422},
			{"relative", url.Values{"redirect_uris": {"/cb"}}, 422},
			{"https without a host", url.Values{"redirect_uris": {"https:/cb"}}, 422},
		} {
			t.Run(c.name, func(t *testing.T) {
				s := s.as(t)
				p := url.Values{"client_name": {"e2e"}, "scopes": {"read"}}
				for k, v := range c.params {
					p[k] = v
				}
				if r := s.do("POST", "/api/v1/apps", "", p); r.status != c.want {
					t.Fatalf("status %d, want %d: %.300s", r.status, c.want, r.body)
				}
			})
		}
	})

	t.Run("lists are capped per account", func(t *testing.T) {
		s := s.as(t)
		var last struct {
			ID string `json:"id"`
		}
		for i := range 50 {
			s.must(s.do("POST", "/api/v1/lists", alice, url.Values{"title": {fmt.Sprint("list ", i)}}), http.StatusOK).decode(t, &last)
		}
		r := s.do("POST", "/api/v1/lists", alice, url.Values{"title": {"one too many"}})
		if r.status != http.StatusUnprocessableEntity {
			t.Fatalf("51st list: %d, want 422: %s", r.status, r.body)
		}
		var lists []struct {
			ID string `json:"id"`
		}
		s.must(s.do("GET", "/api/v1/lists", alice, nil), http.StatusOK).decode(t, &lists)
		// The virtual "For you" list comes first and counts against no cap.
		if len(lists) != 51 || lists[0].ID != "for_you" {
			t.Fatalf("%d lists (first %+v), want the For you list and 50 own", len(lists), lists[:min(1, len(lists))])
		}
		s.must(s.do("DELETE", "/api/v1/lists/"+last.ID, alice, nil), http.StatusOK)
		s.must(s.do("POST", "/api/v1/lists", alice, url.Values{"title": {"room again"}}), http.StatusOK)
	})

	t.Run("authorization errors are shown, not redirected", func(t *testing.T) {
		s := s.as(t)
		// Anyone may register an app with any redirect URI, so a redirect
		// before the user has acted would make the server an open
		// redirector (RFC 9700 §4.11.2).
		const evil = "https://evil.example/landing"
		var app oauthApp
		s.must(s.do("POST", "/api/v1/apps", "", url.Values{"client_name": {"not evil"}, "redirect_uris": {evil}, "scopes": {"read"}}),
			http.StatusOK).decode(t, &app)
		base := url.Values{"response_type": {"code"}, "client_id": {app.ClientID}, "redirect_uri": {evil}, "scope": {"read"}, "state": {"s"}}
		with := func(k, v string) string {
			q := url.Values{}
			for kk, vv := range base {
				q[kk] = vv
			}
			q.Set(k, v)
			return "/oauth/authorize?" + q.Encode()
		}
		for name, target := range map[string]string{
			"unsupported response type": with("response_type", "token"),
			"no response type":          with("response_type", ""),
			"unknown scope":             with("scope", "admin:write"),
			"scope beyond the app's":    with("scope", "push"),
			"bad PKCE method":           with("code_challenge_method", "S512"),
			"bad PKCE challenge":        with("code_challenge", "short"),
			"trailing slash":            with("redirect_uri", evil+"/"),
			"other case":                with("redirect_uri", strings.ToUpper(evil)),
			"extra query":               with("redirect_uri", evil+"?next=https://elsewhere.example"),
			"prefix":                    with("redirect_uri", "https://evil.example/"),
			"unknown client":            with("client_id", "nope"),
		} {
			t.Run(name, func(t *testing.T) {
				s := s.as(t)
				r := noRedirect(t, s, target)
				if r.status != http.StatusBadRequest || r.header.Get("Location") != "" {
					t.Fatalf("status %d Location %q, want 400 without a redirect: %.300s", r.status, r.header.Get("Location"), r.body)
				}
				if !strings.HasPrefix(r.header.Get("Content-Type"), "text/html") {
					t.Fatalf("Content-Type %q, want the error page", r.header.Get("Content-Type"))
				}
			})
		}
		// The well-formed request shows the consent page.
		if r := noRedirect(t, s, with("state", "s")); r.status != http.StatusOK {
			t.Fatalf("valid request: %d %.300s", r.status, r.body)
		}
	})

	t.Run("Link headers drop access_token", func(t *testing.T) {
		s := s.as(t)
		var me account
		s.must(s.do("GET", "/api/v1/accounts/verify_credentials", alice, nil), http.StatusOK).decode(t, &me)
		for _, text := range []string{"first #linktest", "second #linktest"} {
			s.must(s.do("POST", "/api/v1/statuses", alice, url.Values{"status": {text}}), http.StatusOK)
		}
		for _, target := range []string{
			"/api/v1/timelines/public?limit=1&local=true",
			"/api/v1/timelines/home?limit=1",
			"/api/v1/accounts/" + me.ID + "/statuses?limit=1",
			"/api/v1/trends/tags?limit=1&offset=1",
			"/api/v1/trends/statuses?limit=1&offset=1",
		} {
			t.Run(target, func(t *testing.T) {
				s := s.as(t)
				r := s.must(s.do("GET", target+"&access_token="+url.QueryEscape(alice), "", nil), http.StatusOK)
				link := r.header.Get("Link")
				if link == "" {
					t.Fatal("no Link header")
				}
				if strings.Contains(link, alice) || strings.Contains(link, "access_token") {
					t.Fatalf("Link header carries the token: %s", link)
				}
				if !strings.Contains(link, "limit=1") {
					t.Fatalf("Link header lost the other parameters: %s", link)
				}
			})
		}
	})
}

// noRedirect GETs target without following a redirect.
func noRedirect(t *testing.T, s *server, target string) response {
	t.Helper()
	c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := c.Get(s.base + target)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return response{status: resp.StatusCode, header: resp.Header, body: b}
}

// TestReadyzHidesErrors runs the server with a Redis where nothing listens:
// /readyz, which anyone may call, names the failing check but not the
// internal error (addresses, driver text), which goes to the log.
func TestReadyzHidesErrors(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	s := startServer(t, t.TempDir(), "--redis", "redis://"+addr+"/0")
	r := s.must(s.do("GET", "/readyz", "", nil), http.StatusOK) // Redis is optional: degraded
	if string(r.body) != `{"database":"ok","plugins":"ok","redis":"error","status":"degraded"}`+"\n" {
		t.Fatalf("readyz body %s, want only the check names and a generic error", r.body)
	}
	_, port, _ := net.SplitHostPort(addr)
	s.stop()
	if !strings.Contains(s.logs.String(), "readiness check failed") || !strings.Contains(s.logs.String(), port) {
		t.Fatalf("the log lacks the failed check's error:\n%s", s.logs)
	}
}
