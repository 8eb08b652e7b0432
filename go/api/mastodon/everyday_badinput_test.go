package mastodon

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/starling-social/starling/go/social"
	"github.com/starling-social/starling/go/store"
)

// TestEverydayBadInput sends every everyday endpoint oversized, malformed,
// NUL-carrying, invalid-UTF-8 and huge-number input: each is refused with
// the client error Mastodon gives, never a 500 and never a success that
// stored something.
func TestEverydayBadInput(t *testing.T) {
	onBothStores(t, func(t *testing.T, st store.Store) {
		e := newStreamEnvOn(t, st).testEnv
		_, tok := e.user("alice", "read write follow")
		bob, _ := e.user("bob", "read write")
		sid := formatID(e.post(bob, "hello", store.VisibilityPublic).ID)
		a, err := e.svc.CreateAnnouncement(t.Context(), "test", social.AnnouncementInput{Text: "hello"})
		if err != nil {
			t.Fatal(err)
		}
		acct, ann := formatID(bob.ID), formatID(a.ID)
		huge := "99999999999999999999999999"
		maxInt := "9223372036854775807"
		form := func(kv ...string) url.Values {
			v := url.Values{}
			for i := 0; i < len(kv); i += 2 {
				v.Add(kv[i], kv[i+1])
			}
			return v
		}
		cases := []struct {
			name, method, target string
			form                 url.Values
			json                 string // a raw JSON body instead of the form
			code                 int
		}{
			// markers
			{"marker id not a number", "POST", "/api/v1/markers", form("home[last_read_id]", "abc"), "", 400},
			{"marker id huge", "POST", "/api/v1/markers", form("home[last_read_id]", huge), "", 400},
			{"marker id with NUL", "POST", "/api/v1/markers", form("notifications[last_read_id]", "12\x00"), "", 422},
			{"marker id invalid UTF-8", "POST", "/api/v1/markers", form("home[last_read_id]", "\xff"), "", 422},
			{"markers JSON nested too deep", "POST", "/api/v1/markers", nil, `{"home":{"last_read_id":{"x":{"y":{"z":{"w":1}}}}}}`, 400},
			{"markers JSON object for an ID", "POST", "/api/v1/markers", nil, `{"home":{"last_read_id":{"x":1}}}`, 400},
			{"markers form object for an ID", "POST", "/api/v1/markers", form("home[last_read_id][x]", "1"), "", 400},
			{"markers JSON malformed", "POST", "/api/v1/markers", nil, `{"home":`, 400},
			{"markers timeline[] oversized", "GET", "/api/v1/markers?" + strings.Repeat("timeline[]=home&", 11), nil, "", 400},
			// followed and featured tags
			{"follow a NUL tag", "POST", "/api/v1/tags/a%00b/follow", nil, "", 404},
			{"follow an invalid UTF-8 tag", "POST", "/api/v1/tags/%FF/follow", nil, "", 404},
			{"follow an oversized tag", "POST", "/api/v1/tags/" + strings.Repeat("a", 10000) + "/follow", nil, "", 404},
			{"followed_tags limit not a number", "GET", "/api/v1/followed_tags?limit=many", nil, "", 400},
			{"followed_tags max_id huge", "GET", "/api/v1/followed_tags?max_id=" + huge, nil, "", 400},
			{"feature a NUL tag", "POST", "/api/v1/featured_tags", form("name", "cats\x00"), "", 422},
			{"feature an invalid UTF-8 tag", "POST", "/api/v1/featured_tags", form("name", "\xffcats"), "", 422},
			{"feature an oversized tag", "POST", "/api/v1/featured_tags", form("name", strings.Repeat("a", 100000)), "", 422},
			{"feature a tag as an object", "POST", "/api/v1/featured_tags", nil, `{"name":{"x":"cats"}}`, 400},
			{"unfeature a huge ID", "DELETE", "/api/v1/featured_tags/" + huge, nil, "", 404},
			{"unfeature the largest ID", "DELETE", "/api/v1/featured_tags/" + maxInt, nil, "", 404},
			{"featured tags of a huge account", "GET", "/api/v1/accounts/" + huge + "/featured_tags", nil, "", 404},
			// conversation mutes, statuses by ID
			{"mute a huge status", "POST", "/api/v1/statuses/" + huge + "/mute", nil, "", 404},
			{"mute the largest ID", "POST", "/api/v1/statuses/" + maxInt + "/mute", nil, "", 404},
			{"unmute a malformed status", "POST", "/api/v1/statuses/x%00/unmute", nil, "", 404},
			{"statuses id[] huge", "GET", "/api/v1/statuses?id[]=" + huge, nil, "", 400},
			{"statuses id[] NUL", "GET", "/api/v1/statuses?id[]=1%00", nil, "", 422},
			{"statuses id[] too many", "GET", "/api/v1/statuses?" + strings.Repeat("id[]="+sid+"&", 21), nil, "", 422},
			// notes, lists, familiar followers
			{"note with NUL", "POST", "/api/v1/accounts/" + acct + "/note", form("comment", "hi\x00there"), "", 422},
			{"note invalid UTF-8", "POST", "/api/v1/accounts/" + acct + "/note", form("comment", "caf\xe9"), "", 422},
			{"note oversized", "POST", "/api/v1/accounts/" + acct + "/note", form("comment", strings.Repeat("x", 2001)), "", 422},
			{"note on a huge account", "POST", "/api/v1/accounts/" + huge + "/note", form("comment", "x"), "", 404},
			{"note comment as an array", "POST", "/api/v1/accounts/" + acct + "/note", nil, `{"comment":[["x"]]}`, 400},
			{"lists of the largest ID", "GET", "/api/v1/accounts/" + maxInt + "/lists", nil, "", 404},
			{"familiar followers huge", "GET", "/api/v1/accounts/familiar_followers?id[]=" + huge, nil, "", 400},
			{"familiar followers too many", "GET", "/api/v1/accounts/familiar_followers?" + strings.Repeat("id[]=1&", 81), nil, "", 400},
			// reports
			{"report NUL comment", "POST", "/api/v1/reports", form("account_id", acct, "comment", "bad\x00"), "", 422},
			{"report invalid UTF-8 comment", "POST", "/api/v1/reports", form("account_id", acct, "comment", "\xff\xfe"), "", 422},
			{"report oversized comment", "POST", "/api/v1/reports", form("account_id", acct, "comment", strings.Repeat("é", 1001)), "", 422},
			{"report huge account", "POST", "/api/v1/reports", form("account_id", huge), "", 400},
			{"report largest account", "POST", "/api/v1/reports", form("account_id", maxInt), "", 404},
			{"report huge status", "POST", "/api/v1/reports", form("account_id", acct, "status_ids[]", huge), "", 400},
			{"report too many statuses", "POST", "/api/v1/reports?account_id=" + acct + "&" + strings.Repeat("status_ids[]="+sid+"&", 21), nil, "", 422},
			{"report huge rule", "POST", "/api/v1/reports", form("account_id", acct, "rule_ids[]", huge), "", 400},
			{"report NUL category", "POST", "/api/v1/reports", form("account_id", acct, "category", "spam\x00"), "", 422},
			{"report forward not a boolean", "POST", "/api/v1/reports", form("account_id", acct, "forward", "maybe"), "", 422},
			// domain blocks
			{"block a NUL domain", "POST", "/api/v1/domain_blocks", form("domain", "a\x00.example"), "", 422},
			{"block an invalid UTF-8 domain", "POST", "/api/v1/domain_blocks", form("domain", "\xff.example"), "", 422},
			{"block an oversized domain", "POST", "/api/v1/domain_blocks", form("domain", strings.Repeat("a", 100000)), "", 422},
			{"block no domain", "POST", "/api/v1/domain_blocks", nil, "", 422},
			{"unblock a NUL domain", "DELETE", "/api/v1/domain_blocks?domain=a%00", nil, "", 422},
			{"domain_blocks limit huge", "GET", "/api/v1/domain_blocks?limit=" + huge, nil, "", 400},
			// announcements
			{"react with NUL", "PUT", "/api/v1/announcements/" + ann + "/reactions/%F0%9F%8E%89%00", nil, "", 422},
			{"react with invalid UTF-8", "PUT", "/api/v1/announcements/" + ann + "/reactions/%FF", nil, "", 422},
			{"react oversized", "PUT", "/api/v1/announcements/" + ann + "/reactions/" + strings.Repeat("%F0%9F%8E%89", 100), nil, "", 422},
			{"react to a huge announcement", "PUT", "/api/v1/announcements/" + huge + "/reactions/%F0%9F%8E%89", nil, "", 404},
			{"dismiss the largest announcement", "POST", "/api/v1/announcements/" + maxInt + "/dismiss", nil, "", 404},
			// public pages
			{"trends/links offset negative", "GET", "/api/v1/trends/links?offset=-1", nil, "", 400},
			{"trends/links limit huge", "GET", "/api/v1/trends/links?limit=" + huge, nil, "", 400},
		}
		for _, c := range cases {
			var rec interface {
				Result() *http.Response
			}
			switch {
			case c.json != "":
				rec = e.do(c.method, c.target, tok, "application/json", strings.NewReader(c.json))
			case c.form != nil:
				rec = e.do(c.method, c.target, tok, "application/x-www-form-urlencoded", strings.NewReader(c.form.Encode()))
			default:
				rec = e.do(c.method, c.target, tok, "", nil)
			}
			if got := rec.Result().StatusCode; got != c.code {
				t.Errorf("%s: %s %s: status %d, want %d", c.name, c.method, c.target[:min(len(c.target), 80)], got, c.code)
			}
		}
		// Nothing bad was stored.
		for _, target := range []string{"/api/v1/featured_tags", "/api/v1/followed_tags", "/api/v1/domain_blocks"} {
			if rec := e.get(target, tok); rec.Body.String() != "[]\n" {
				t.Errorf("%s after the bad input holds %d bytes, want []", target, rec.Body.Len())
			}
		}
		if rels := decodeList(t, e.get("/api/v1/accounts/relationships?id[]="+acct, tok)); rels[0]["note"] != "" {
			t.Errorf("a note was stored: %v", rels[0]["note"])
		}
		if rs, err := e.svc.Reports(t.Context(), store.Page{Limit: 10}); err != nil || len(rs) != 0 {
			t.Errorf("reports stored by bad input: %d, %v", len(rs), err)
		}
	})
}
