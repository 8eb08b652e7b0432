package mastodon

import (
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
)

func TestDomainBlocks(t *testing.T) {
	e := newTestEnv(t)
	_, tok := e.user("alice", "read write follow")
	_, bobTok := e.user("bob", "read write follow")
	block := func(domain string) *http.Response {
		return e.postForm("/api/v1/domain_blocks", tok, url.Values{"domain": {domain}}).Result()
	}
	list := func(target string) ([]string, string) {
		t.Helper()
		rec := e.get(target, tok)
		wantStatus(t, rec, http.StatusOK)
		var out []string
		if err := json.Unmarshal(rec.Body.Bytes(), &out); err != nil {
			t.Fatalf("domain blocks %s: %v", rec.Body, err)
		}
		return out, rec.Header().Get("Link")
	}
	for _, d := range []string{"spam.example", " Shouting.EXAMPLE. ", "bücher.example", "spam.example"} {
		if got := block(d).StatusCode; got != http.StatusOK {
			t.Errorf("blocking %q: %d", d, got)
		}
	}
	got, _ := list("/api/v1/domain_blocks")
	if want := []string{"xn--bcher-kva.example", "shouting.example", "spam.example"}; !slices.Equal(got, want) {
		t.Errorf("domain blocks = %v, want %v (normalized, newest first, each once)", got, want)
	}
	got, link := list("/api/v1/domain_blocks?limit=2")
	if len(got) != 2 || !strings.Contains(link, `rel="next"`) {
		t.Fatalf("first page = %v, link %q", got, link)
	}
	got, _ = list(strings.TrimPrefix(linkURL(t, link, "next"), testBaseURL))
	if !slices.Equal(got, []string{"spam.example"}) {
		t.Errorf("second page = %v", got)
	}
	if rec := e.get("/api/v1/domain_blocks", bobTok); rec.Body.String() != "[]\n" {
		t.Errorf("bob's domain blocks = %s", rec.Body)
	}
	// Unblocking, even twice or a domain never blocked, answers {}.
	for _, d := range []string{"SPAM.example", "spam.example", "never.example"} {
		rec := e.do(http.MethodDelete, "/api/v1/domain_blocks?"+url.Values{"domain": {d}}.Encode(), tok, "", nil)
		wantStatus(t, rec, http.StatusOK)
		if rec.Body.String() != "{}\n" {
			t.Errorf("unblock answered %s", rec.Body)
		}
	}
	got, _ = list("/api/v1/domain_blocks")
	if slices.Contains(got, "spam.example") {
		t.Errorf("spam.example still blocked: %v", got)
	}
	for _, bad := range []string{"", "   ", "has space.example", "tab\t.example", "nul\x00.example", strings.Repeat("a", 254)} {
		wantError(t, e.postForm("/api/v1/domain_blocks", tok, url.Values{"domain": {bad}}), http.StatusUnprocessableEntity)
	}
}
