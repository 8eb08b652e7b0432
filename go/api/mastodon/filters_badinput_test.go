package mastodon

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/starling-social/starling/go/social"
	"github.com/starling-social/starling/go/store"
)

// TestFiltersBadInput sends the filter endpoints oversized, malformed,
// NUL-carrying, invalid-UTF-8 and huge-number input, and passes the
// per-account caps: each is refused with a client error, never a 500, and
// nothing is stored.
func TestFiltersBadInput(t *testing.T) {
	onBothStores(t, func(t *testing.T, st store.Store) {
		e := newStreamEnvOn(t, st).testEnv
		alice, tok := e.user("alice", "read write")
		bob, _ := e.user("bob", "read write")
		sid := formatID(e.post(bob, "hello", store.VisibilityPublic).ID)
		f, err := e.svc.CreateFilter(t.Context(), alice, social.FilterInput{Title: ptr("base"), Context: []string{"home"},
			Keywords: []social.KeywordInput{{Keyword: "base"}}})
		if err != nil {
			t.Fatal(err)
		}
		fid, kid := formatID(f.ID), formatID(f.Keywords[0].ID)
		huge, maxInt := "99999999999999999999999999", "9223372036854775807"
		form := func(kv ...string) url.Values {
			v := url.Values{"context[]": {"home"}}
			for i := 0; i < len(kv); i += 2 {
				v.Set(kv[i], kv[i+1])
			}
			return v
		}
		manyKeywords := url.Values{"title": {"many"}, "context[]": {"home"}}
		for i := range 101 {
			manyKeywords.Add(fmt.Sprintf("keywords_attributes[%d][keyword]", i), "k")
		}
		cases := []struct {
			name, method, target string
			form                 url.Values
			json                 string
			code                 int
		}{
			{"no title", "POST", "/api/v2/filters", form(), "", 422},
			{"blank title", "POST", "/api/v2/filters", form("title", "  "), "", 422},
			{"NUL title", "POST", "/api/v2/filters", form("title", "a\x00b"), "", 422},
			{"invalid UTF-8 title", "POST", "/api/v2/filters", form("title", "\xff"), "", 422},
			{"oversized title", "POST", "/api/v2/filters", form("title", strings.Repeat("t", 257)), "", 422},
			{"no context", "POST", "/api/v2/filters", url.Values{"title": {"x"}}, "", 422},
			{"unknown context", "POST", "/api/v2/filters", form("title", "x", "context[]", "everywhere"), "", 422},
			{"unknown action", "POST", "/api/v2/filters", form("title", "x", "filter_action", "delete"), "", 422},
			{"expires_in negative", "POST", "/api/v2/filters", form("title", "x", "expires_in", "-5"), "", 422},
			{"expires_in huge", "POST", "/api/v2/filters", form("title", "x", "expires_in", huge), "", 422},
			{"expires_in past a century", "POST", "/api/v2/filters", form("title", "x", "expires_in", "3153600001"), "", 422},
			{"expires_in not a number", "POST", "/api/v2/filters", form("title", "x", "expires_in", "soon"), "", 422},
			{"keyword NUL", "POST", "/api/v2/filters", form("title", "x", "keywords_attributes[0][keyword]", "a\x00"), "", 422},
			{"keyword invalid UTF-8", "POST", "/api/v2/filters", form("title", "x", "keywords_attributes[0][keyword]", "\xfe"), "", 422},
			{"keyword oversized", "POST", "/api/v2/filters", form("title", "x", "keywords_attributes[0][keyword]", strings.Repeat("k", 257)), "", 422},
			{"keyword blank", "POST", "/api/v2/filters", form("title", "x", "keywords_attributes[0][keyword]", " "), "", 422},
			{"whole_word not a boolean", "POST", "/api/v2/filters", form("title", "x", "keywords_attributes[0][keyword]", "k", "keywords_attributes[0][whole_word]", "maybe"), "", 422},
			{"keywords_attributes a string", "POST", "/api/v2/filters", form("title", "x", "keywords_attributes", "k"), "", 400},
			{"keywords_attributes nested too deep", "POST", "/api/v2/filters", form("title", "x", "keywords_attributes[0][keyword][x]", "k"), "", 400},
			{"keywords_attributes JSON too deep", "POST", "/api/v2/filters", nil, `{"title":"x","context":["home"],"keywords_attributes":[{"keyword":{"a":{"b":"c"}}}]}`, 400},
			{"too many keywords_attributes", "POST", "/api/v2/filters", manyKeywords, "", 422},
			{"title as an object", "POST", "/api/v2/filters", nil, `{"title":{"x":"y"},"context":["home"]}`, 400},
			{"update a huge filter", "PUT", "/api/v2/filters/" + huge, form("title", "x"), "", 404},
			{"update the largest ID", "PUT", "/api/v2/filters/" + maxInt, form("title", "x"), "", 404},
			{"update with a huge keyword id", "PUT", "/api/v2/filters/" + fid, form("keywords_attributes[0][id]", huge), "", 400},
			{"update another filter's keyword", "PUT", "/api/v2/filters/" + fid, form("keywords_attributes[0][id]", maxInt, "keywords_attributes[0][keyword]", "x"), "", 404},
			{"get a malformed filter", "GET", "/api/v2/filters/x%00", nil, "", 404},
			{"delete a huge filter", "DELETE", "/api/v2/filters/" + huge, nil, "", 404},
			{"keyword NUL on add", "POST", "/api/v2/filters/" + fid + "/keywords", url.Values{"keyword": {"\x00"}}, "", 422},
			{"keyword to a huge filter", "POST", "/api/v2/filters/" + huge + "/keywords", url.Values{"keyword": {"x"}}, "", 404},
			{"keyword to the largest filter", "POST", "/api/v2/filters/" + maxInt + "/keywords", url.Values{"keyword": {"x"}}, "", 404},
			{"keyword update invalid UTF-8", "PUT", "/api/v2/filters/keywords/" + kid, url.Values{"keyword": {"\xc3"}}, "", 422},
			{"keyword update blank", "PUT", "/api/v2/filters/keywords/" + kid, url.Values{"keyword": {""}}, "", 422},
			{"keyword get huge", "GET", "/api/v2/filters/keywords/" + huge, nil, "", 404},
			{"status_id huge", "POST", "/api/v2/filters/" + fid + "/statuses", url.Values{"status_id": {huge}}, "", 400},
			{"status_id NUL", "POST", "/api/v2/filters/" + fid + "/statuses", url.Values{"status_id": {"1\x00"}}, "", 422},
			{"status_id missing", "POST", "/api/v2/filters/" + fid + "/statuses", nil, "", 400},
			{"status of the largest ID", "POST", "/api/v2/filters/" + fid + "/statuses", url.Values{"status_id": {maxInt}}, "", 404},
			{"status to a missing filter", "POST", "/api/v2/filters/" + maxInt + "/statuses", url.Values{"status_id": {sid}}, "", 404},
			{"filter status get huge", "GET", "/api/v2/filters/statuses/" + huge, nil, "", 404},
			{"v1 no phrase", "POST", "/api/v1/filters", form(), "", 422},
			{"v1 NUL phrase", "POST", "/api/v1/filters", form("phrase", "\x00"), "", 422},
			{"v1 oversized phrase", "POST", "/api/v1/filters", form("phrase", strings.Repeat("p", 257)), "", 422},
			{"v1 irreversible not a boolean", "POST", "/api/v1/filters", form("phrase", "p", "irreversible", "perhaps"), "", 422},
			{"v1 update the largest ID", "PUT", "/api/v1/filters/" + maxInt, form("phrase", "p"), "", 404},
			{"v1 delete huge", "DELETE", "/api/v1/filters/" + huge, nil, "", 404},
		}
		for _, c := range cases {
			var code int
			switch {
			case c.json != "":
				code = e.do(c.method, c.target, tok, "application/json", strings.NewReader(c.json)).Code
			case c.form != nil:
				code = e.do(c.method, c.target, tok, "application/x-www-form-urlencoded", strings.NewReader(c.form.Encode())).Code
			default:
				code = e.do(c.method, c.target, tok, "", nil).Code
			}
			if code != c.code {
				t.Errorf("%s: %s %s: status %d, want %d", c.name, c.method, c.target[:min(len(c.target), 80)], code, c.code)
			}
		}
		// Nothing was stored: the one filter, its one keyword, no status.
		fs := decodeList(t, e.get("/api/v2/filters", tok))
		if len(fs) != 1 || len(fs[0]["keywords"].([]any)) != 1 || len(fs[0]["statuses"].([]any)) != 0 || fs[0]["title"] != "base" {
			t.Errorf("after the bad input: %v", fs)
		}
	})
}

// TestFilterCaps: the per-account caps on filters and keywords hold.
func TestFilterCaps(t *testing.T) {
	onBothStores(t, func(t *testing.T, st store.Store) {
		e := newStreamEnvOn(t, st).testEnv
		alice, tok := e.user("alice", "read write")
		ctx := t.Context()
		for i := range social.MaxFilters {
			if _, err := e.svc.CreateFilter(ctx, alice, social.FilterInput{Title: ptr(fmt.Sprint(i)), Context: []string{"home"}}); err != nil {
				t.Fatalf("filter %d: %v", i, err)
			}
		}
		wantError(t, e.postForm("/api/v2/filters", tok, url.Values{"title": {"one more"}, "context[]": {"home"}}), http.StatusUnprocessableEntity)
		fs := decodeList(t, e.get("/api/v2/filters", tok))
		if len(fs) != social.MaxFilters {
			t.Fatalf("%d filters stored, want %d", len(fs), social.MaxFilters)
		}
		// Keywords: fill the account's budget through several filters, 100
		// a request.
		for i := 0; i < social.MaxFilterKeywords/100; i++ {
			in := social.FilterInput{}
			for j := range 100 {
				in.Keywords = append(in.Keywords, social.KeywordInput{Keyword: fmt.Sprintf("k%d-%d", i, j)})
			}
			if _, err := e.svc.UpdateFilter(ctx, alice, mustID(t, fs[i]["id"]), in); err != nil {
				t.Fatalf("keywords batch %d: %v", i, err)
			}
		}
		wantError(t, e.postForm("/api/v2/filters/"+fs[0]["id"].(string)+"/keywords", tok, url.Values{"keyword": {"over"}}), http.StatusUnprocessableEntity)
		if n := len(decodeList(t, e.get("/api/v1/filters", tok))); n != social.MaxFilterKeywords {
			t.Errorf("%d keywords stored, want %d", n, social.MaxFilterKeywords)
		}
	})
}
