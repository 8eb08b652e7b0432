package mastodon

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/go-chi/chi/v5"

	"github.com/starling-social/starling/go/social"
	"github.com/starling-social/starling/go/store"
)

// An app decides which endpoints to call from the instance's version (and,
// from Mastodon 4.3, api_versions.mastodon): a server that says 4.3.0 gets
// /api/v2/notifications. impliedEndpoints is what each Mastodon version
// added that apps call, from the "Version history" of every method in
// Mastodon's API documentation; TestAdvertisedVersionIsServed walks every
// endpoint the advertised version implies and fails on one that is not
// served. To advertise a higher version, build its endpoints first.
//
// Left out, because apps only call them when the server offers the
// feature elsewhere, and Starling does not:
//   - push subscriptions: apps subscribe only with a VAPID key, and none is
//     published;
//   - POST /api/v1/statuses/:id/translate, GET
//     /api/v1/instance/translation_languages: configuration.translation is
//     disabled.
//
// Also left out: endpoints Mastodon removed (/api/v1/search,
// /statuses/:id/card, /timelines/direct, identity proofs, POST
// /notifications/dismiss), the Server-Sent Events streaming endpoints (apps
// use the WebSocket at /api/v1/streaming), /api/oembed (embeds, not apps),
// /health (operations) and /api/v1/emails/confirmations (there is no
// e-mail).
//
// Placeholders in paths: {account}, {status}, {list}, {notification} and
// {tag} name fixtures the test makes; any other {name} is only routed.
var impliedEndpoints = []struct {
	since      string // the Mastodon version that added it
	apiVersion int    // the api_versions.mastodon that implies it too; 0: none
	method     string
	path       string
	query      string // for the request the test sends
}{
	{since: "0.0.0", method: "GET", path: "/api/v1/accounts/verify_credentials"},
	{since: "0.0.0", method: "GET", path: "/api/v1/accounts/{account}"},
	{since: "0.0.0", method: "GET", path: "/api/v1/accounts/{account}/statuses"},
	{since: "0.0.0", method: "GET", path: "/api/v1/accounts/{account}/followers"},
	{since: "0.0.0", method: "GET", path: "/api/v1/accounts/{account}/following"},
	{since: "0.0.0", method: "GET", path: "/api/v1/accounts/relationships", query: "id[]={account}"},
	{since: "0.0.0", method: "GET", path: "/api/v1/accounts/search", query: "q=bob"},
	{since: "0.0.0", method: "POST", path: "/api/v1/accounts/{account}/follow"},
	{since: "0.0.0", method: "POST", path: "/api/v1/accounts/{account}/unfollow"},
	{since: "0.0.0", method: "POST", path: "/api/v1/accounts/{account}/block"},
	{since: "0.0.0", method: "POST", path: "/api/v1/accounts/{account}/unblock"},
	{since: "0.0.0", method: "POST", path: "/api/v1/accounts/{account}/mute"},
	{since: "0.0.0", method: "POST", path: "/api/v1/accounts/{account}/unmute"},
	{since: "0.0.0", method: "GET", path: "/api/v1/blocks"},
	{since: "0.0.0", method: "GET", path: "/api/v1/mutes"},
	{since: "0.0.0", method: "GET", path: "/api/v1/follow_requests"},
	{since: "0.0.0", method: "POST", path: "/api/v1/follow_requests/{account}/authorize"},
	{since: "0.0.0", method: "POST", path: "/api/v1/follow_requests/{account}/reject"},
	{since: "0.0.0", method: "GET", path: "/api/v1/favourites"},
	{since: "0.0.0", method: "GET", path: "/api/v1/notifications"},
	{since: "0.0.0", method: "GET", path: "/api/v1/notifications/{notification}"},
	{since: "0.0.0", method: "POST", path: "/api/v1/notifications/clear"},
	{since: "0.0.0", method: "POST", path: "/api/v1/apps"},
	{since: "0.0.0", method: "POST", path: "/api/v1/statuses"},
	{since: "0.0.0", method: "POST", path: "/api/v1/media"},
	{since: "0.0.0", method: "GET", path: "/api/v1/statuses/{status}"},
	{since: "0.0.0", method: "DELETE", path: "/api/v1/statuses/{status}"},
	{since: "0.0.0", method: "GET", path: "/api/v1/statuses/{status}/context"},
	{since: "0.0.0", method: "POST", path: "/api/v1/statuses/{status}/favourite"},
	{since: "0.0.0", method: "POST", path: "/api/v1/statuses/{status}/unfavourite"},
	{since: "0.0.0", method: "POST", path: "/api/v1/statuses/{status}/reblog"},
	{since: "0.0.0", method: "POST", path: "/api/v1/statuses/{status}/unreblog"},
	{since: "0.0.0", method: "GET", path: "/api/v1/statuses/{status}/favourited_by"},
	{since: "0.0.0", method: "GET", path: "/api/v1/statuses/{status}/reblogged_by"},
	{since: "0.0.0", method: "GET", path: "/api/v1/timelines/home"},
	{since: "0.0.0", method: "GET", path: "/api/v1/timelines/public"},
	{since: "0.0.0", method: "GET", path: "/api/v1/timelines/tag/{tag}"},
	{since: "0.1.0", method: "GET", path: "/oauth/authorize"},
	{since: "0.1.0", method: "POST", path: "/oauth/token"},
	{since: "0.1.0", method: "POST", path: "/oauth/revoke"},
	{since: "1.1.0", method: "GET", path: "/api/v1/instance"},
	{since: "1.1.0", method: "POST", path: "/api/v1/reports"},
	{since: "1.1.1", method: "PATCH", path: "/api/v1/accounts/update_credentials"},
	{since: "1.3.0", method: "POST", path: "/api/v1/notifications/{notification}/dismiss"},
	{since: "1.4.0", method: "GET", path: "/api/v1/domain_blocks"},
	{since: "1.4.0", method: "POST", path: "/api/v1/domain_blocks"},
	{since: "1.4.0", method: "DELETE", path: "/api/v1/domain_blocks"},
	{since: "1.4.2", method: "POST", path: "/api/v1/statuses/{status}/mute"},
	{since: "1.4.2", method: "POST", path: "/api/v1/statuses/{status}/unmute"},
	{since: "1.6.0", method: "POST", path: "/api/v1/statuses/{status}/pin"},
	{since: "1.6.0", method: "POST", path: "/api/v1/statuses/{status}/unpin"},
	{since: "2.0.0", method: "GET", path: "/api/v1/apps/verify_credentials"},
	{since: "2.0.0", method: "GET", path: "/api/v1/custom_emojis"},
	{since: "2.1.0", method: "GET", path: "/api/v1/lists"},
	{since: "2.1.0", method: "POST", path: "/api/v1/lists"},
	{since: "2.1.0", method: "GET", path: "/api/v1/lists/{list}"},
	{since: "2.1.0", method: "PUT", path: "/api/v1/lists/{list}"},
	{since: "2.1.0", method: "DELETE", path: "/api/v1/lists/{list}"},
	{since: "2.1.0", method: "GET", path: "/api/v1/lists/{list}/accounts"},
	{since: "2.1.0", method: "POST", path: "/api/v1/lists/{list}/accounts"},
	{since: "2.1.0", method: "DELETE", path: "/api/v1/lists/{list}/accounts"},
	{since: "2.1.0", method: "GET", path: "/api/v1/accounts/{account}/lists"},
	{since: "2.1.0", method: "GET", path: "/api/v1/timelines/list/{list}"},
	{since: "2.1.2", method: "GET", path: "/api/v1/instance/peers"},
	{since: "2.1.2", method: "GET", path: "/api/v1/instance/activity"},
	{since: "2.4.1", method: "GET", path: "/api/v2/search", query: "q=cats"},
	{since: "2.4.3", method: "GET", path: "/api/v1/filters"},
	{since: "2.4.3", method: "POST", path: "/api/v1/filters"},
	{since: "2.4.3", method: "GET", path: "/api/v1/filters/{filter}"},
	{since: "2.4.3", method: "PUT", path: "/api/v1/filters/{filter}"},
	{since: "2.4.3", method: "DELETE", path: "/api/v1/filters/{filter}"},
	{since: "2.4.3", method: "GET", path: "/api/v1/suggestions"},
	{since: "2.4.3", method: "DELETE", path: "/api/v1/suggestions/{account}"},
	{since: "2.5.0", method: "GET", path: "/api/v1/endorsements"},
	{since: "2.5.0", method: "POST", path: "/api/v1/accounts/{account}/pin"},
	{since: "2.5.0", method: "POST", path: "/api/v1/accounts/{account}/unpin"},
	{since: "2.6.0", method: "GET", path: "/api/v1/conversations"},
	{since: "2.6.0", method: "DELETE", path: "/api/v1/conversations/{conversation}"},
	{since: "2.6.0", method: "POST", path: "/api/v1/conversations/{conversation}/read"},
	{since: "2.7.0", method: "POST", path: "/api/v1/accounts"},
	{since: "2.7.0", method: "GET", path: "/api/v1/scheduled_statuses"},
	{since: "2.7.0", method: "GET", path: "/api/v1/scheduled_statuses/{scheduled}"},
	{since: "2.7.0", method: "PUT", path: "/api/v1/scheduled_statuses/{scheduled}"},
	{since: "2.7.0", method: "DELETE", path: "/api/v1/scheduled_statuses/{scheduled}"},
	{since: "2.8.0", method: "GET", path: "/api/v1/polls/{poll}"},
	{since: "2.8.0", method: "POST", path: "/api/v1/polls/{poll}/votes"},
	{since: "2.8.0", method: "GET", path: "/api/v1/preferences"},
	{since: "3.0.0", method: "GET", path: "/api/v1/markers", query: "timeline[]=home"},
	{since: "3.0.0", method: "POST", path: "/api/v1/markers"},
	{since: "3.0.0", method: "GET", path: "/api/v1/featured_tags"},
	{since: "3.0.0", method: "POST", path: "/api/v1/featured_tags"},
	{since: "3.0.0", method: "DELETE", path: "/api/v1/featured_tags/{featured_tag}"},
	{since: "3.0.0", method: "GET", path: "/api/v1/featured_tags/suggestions"},
	{since: "3.0.0", method: "GET", path: "/api/v1/directory"},
	{since: "3.0.0", method: "GET", path: "/api/v1/trends"},
	{since: "3.1.0", method: "GET", path: "/api/v1/announcements"},
	{since: "3.1.0", method: "POST", path: "/api/v1/announcements/{announcement}/dismiss"},
	{since: "3.1.0", method: "PUT", path: "/api/v1/announcements/{announcement}/reactions/{emoji}"},
	{since: "3.1.0", method: "DELETE", path: "/api/v1/announcements/{announcement}/reactions/{emoji}"},
	{since: "3.1.0", method: "POST", path: "/api/v1/statuses/{status}/bookmark"},
	{since: "3.1.0", method: "POST", path: "/api/v1/statuses/{status}/unbookmark"},
	{since: "3.1.0", method: "GET", path: "/api/v1/bookmarks"},
	{since: "3.1.3", method: "POST", path: "/api/v2/media"},
	{since: "3.1.3", method: "GET", path: "/api/v1/media/{media}"},
	{since: "3.1.3", method: "PUT", path: "/api/v1/media/{media}"},
	{since: "3.2.0", method: "POST", path: "/api/v1/accounts/{account}/note"},
	{since: "3.3.0", method: "GET", path: "/api/v1/accounts/{account}/featured_tags"},
	{since: "3.4.0", method: "GET", path: "/api/v1/accounts/lookup", query: "acct=bob"},
	{since: "3.4.0", method: "GET", path: "/api/v1/instance/rules"},
	{since: "3.4.0", method: "GET", path: "/api/v2/suggestions"},
	{since: "3.5.0", method: "GET", path: "/api/v1/accounts/familiar_followers", query: "id[]={account}"},
	{since: "3.5.0", method: "POST", path: "/api/v1/accounts/{account}/remove_from_followers"},
	{since: "3.5.0", method: "PUT", path: "/api/v1/statuses/{status}"},
	{since: "3.5.0", method: "GET", path: "/api/v1/statuses/{status}/history"},
	{since: "3.5.0", method: "GET", path: "/api/v1/statuses/{status}/source"},
	{since: "3.5.0", method: "GET", path: "/api/v1/trends/tags"},
	{since: "3.5.0", method: "GET", path: "/api/v1/trends/statuses"},
	{since: "3.5.0", method: "GET", path: "/api/v1/trends/links"},
	{since: "4.0.0", method: "GET", path: "/api/v2/instance"},
	{since: "4.0.0", method: "GET", path: "/api/v1/instance/extended_description"},
	{since: "4.0.0", method: "GET", path: "/api/v1/instance/domain_blocks"},
	{since: "4.0.0", method: "GET", path: "/api/v1/instance/privacy_policy"},
	{since: "4.0.0", method: "GET", path: "/api/v1/tags/{tag}"},
	{since: "4.0.0", method: "POST", path: "/api/v1/tags/{tag}/follow"},
	{since: "4.0.0", method: "POST", path: "/api/v1/tags/{tag}/unfollow"},
	{since: "4.0.0", method: "GET", path: "/api/v1/followed_tags"},
	{since: "4.0.0", method: "GET", path: "/api/v2/filters"},
	{since: "4.0.0", method: "POST", path: "/api/v2/filters"},
	{since: "4.0.0", method: "GET", path: "/api/v2/filters/{filter}"},
	{since: "4.0.0", method: "PUT", path: "/api/v2/filters/{filter}"},
	{since: "4.0.0", method: "DELETE", path: "/api/v2/filters/{filter}"},
	{since: "4.0.0", method: "GET", path: "/api/v2/filters/{filter}/keywords"},
	{since: "4.0.0", method: "POST", path: "/api/v2/filters/{filter}/keywords"},
	{since: "4.0.0", method: "GET", path: "/api/v2/filters/keywords/{keyword}"},
	{since: "4.0.0", method: "PUT", path: "/api/v2/filters/keywords/{keyword}"},
	{since: "4.0.0", method: "DELETE", path: "/api/v2/filters/keywords/{keyword}"},
	{since: "4.0.0", method: "GET", path: "/api/v2/filters/{filter}/statuses"},
	{since: "4.0.0", method: "POST", path: "/api/v2/filters/{filter}/statuses"},
	{since: "4.0.0", method: "GET", path: "/api/v2/filters/statuses/{filter_status}"},
	{since: "4.0.0", method: "DELETE", path: "/api/v2/filters/statuses/{filter_status}"},
	{since: "4.2.0", method: "DELETE", path: "/api/v1/profile/avatar"},
	{since: "4.2.0", method: "DELETE", path: "/api/v1/profile/header"},
	{since: "4.3.0", method: "GET", path: "/.well-known/oauth-authorization-server"},
	{since: "4.3.0", method: "GET", path: "/api/v1/accounts", query: "id[]={account}"},
	{since: "4.3.0", method: "GET", path: "/api/v1/statuses", query: "id[]={status}"},
	{since: "4.3.0", method: "GET", path: "/api/v1/timelines/link", query: "url=https%3A%2F%2Fexample.com%2F"},
	{since: "4.3.0", method: "GET", path: "/api/v1/notifications/unread_count"},
	{since: "4.3.0", method: "GET", path: "/api/v1/notifications/requests"},
	{since: "4.3.0", method: "GET", path: "/api/v1/notifications/requests/merged"},
	{since: "4.3.0", method: "GET", path: "/api/v1/notifications/requests/{request}"},
	{since: "4.3.0", method: "POST", path: "/api/v1/notifications/requests/{request}/accept"},
	{since: "4.3.0", method: "POST", path: "/api/v1/notifications/requests/{request}/dismiss"},
	{since: "4.3.0", method: "POST", path: "/api/v1/notifications/requests/accept"},
	{since: "4.3.0", method: "POST", path: "/api/v1/notifications/requests/dismiss"},
	{since: "4.3.0", method: "GET", path: "/api/v2/notifications/policy"},
	{since: "4.3.0", method: "PATCH", path: "/api/v2/notifications/policy"},
	{since: "4.3.0", method: "GET", path: "/api/v1/annual_reports"},
	{since: "4.3.0", method: "POST", path: "/api/v1/annual_reports/{year}/read"},
	{since: "4.3.0", apiVersion: 2, method: "GET", path: "/api/v2/notifications"},
	{since: "4.3.0", apiVersion: 2, method: "GET", path: "/api/v2/notifications/unread_count"},
	{since: "4.3.0", apiVersion: 2, method: "GET", path: "/api/v2/notifications/{group_key}"},
	{since: "4.3.0", apiVersion: 2, method: "GET", path: "/api/v2/notifications/{group_key}/accounts"},
	{since: "4.3.0", apiVersion: 2, method: "POST", path: "/api/v2/notifications/{group_key}/dismiss"},
}

// semver is a Mastodon version's leading x.y.z.
type semver [3]int

// parseSemver reads the x.y.z that starts s ("4.3.0 (compatible; ...)").
func parseSemver(s string) (semver, error) {
	head, _, _ := strings.Cut(s, " ")
	parts := strings.Split(head, ".")
	var v semver
	if len(parts) != 3 {
		return v, fmt.Errorf("version %q does not start with x.y.z", s)
	}
	for i, p := range parts {
		n, err := strconv.Atoi(p)
		if err != nil || n < 0 {
			return v, fmt.Errorf("version %q does not start with x.y.z", s)
		}
		v[i] = n
	}
	return v, nil
}

func (v semver) atLeast(w semver) bool {
	for i := range v {
		if v[i] != w[i] {
			return v[i] > w[i]
		}
	}
	return true
}

// impliedBy reports whether a server advertising version and apiVersion
// tells apps the entry is there.
func impliedBy(since string, entryAPI int, version semver, apiVersion int) bool {
	s, err := parseSemver(since)
	if err != nil {
		panic(err)
	}
	return version.atLeast(s) || (entryAPI > 0 && apiVersion >= entryAPI)
}

// fillPath replaces the placeholders of path and query with fixture values,
// or with "1" for placeholders without a fixture (then ok is false).
func fillPath(s string, fixtures map[string]string) (string, bool) {
	ok := true
	for {
		i := strings.Index(s, "{")
		j := strings.Index(s, "}")
		if i < 0 || j < i {
			return s, ok
		}
		v, found := fixtures[s[i+1:j]]
		if !found {
			v, ok = "1", false
		}
		s = s[:i] + v + s[j+1:]
	}
}

func TestAdvertisedVersionIsServed(t *testing.T) {
	e := newTestEnv(t)
	ctx := context.Background()
	alice, tok := e.user("alice", "read write follow")
	bob, bobTok := e.user("bob", "read write follow")
	st := e.post(alice, "hello #cats", store.VisibilityPublic)
	wantStatus(t, e.postForm("/api/v1/accounts/"+formatID(alice.ID)+"/follow", bobTok, nil), http.StatusOK)
	list, err := e.svc.CreateList(ctx, alice, social.ListInput{Title: ptr("friends")})
	if err != nil {
		t.Fatal(err)
	}
	ns := decodeList(t, e.get("/api/v1/notifications", tok))
	if len(ns) == 0 {
		t.Fatal("alice has no notification to use as a fixture")
	}
	fixtures := map[string]string{
		"account": formatID(bob.ID), "status": formatID(st.ID), "list": formatID(list.ID),
		"notification": ns[0]["id"].(string), "tag": "cats",
	}

	inst := decodeObject(t, e.get("/api/v2/instance", ""))
	version, err := parseSemver(inst["version"].(string))
	if err != nil {
		t.Fatal(err)
	}
	apiVersion := 0
	if av, ok := inst["api_versions"].(map[string]any); ok {
		n, _ := av["mastodon"].(float64)
		apiVersion = int(n)
	}
	if v1 := decodeObject(t, e.get("/api/v1/instance", ""))["version"]; v1 != inst["version"] {
		t.Errorf("v1 instance version %v, v2 %v: they must agree", v1, inst["version"])
	}

	missing := map[string][]string{} // since -> endpoints not served, for the log below
	for _, ep := range impliedEndpoints {
		path, _ := fillPath(ep.path, fixtures)
		served := e.router.Match(chiContext(), ep.method, path)
		if !served {
			missing[ep.since] = append(missing[ep.since], ep.method+" "+ep.path)
		}
		if !impliedBy(ep.since, ep.apiVersion, version, apiVersion) {
			continue
		}
		t.Run(ep.method+" "+ep.path, func(t *testing.T) {
			if !served {
				t.Fatalf("the instance advertises %v (api_versions.mastodon %d), which implies %s %s (Mastodon %s), and it is not served: "+
					"build it or advertise a lower version", inst["version"], apiVersion, ep.method, ep.path, ep.since)
			}
			// A GET on fixtures is also sent: a route that answers 404 to
			// an object that exists is not served either.
			query, qok := fillPath(ep.query, fixtures)
			if _, pok := fillPath(ep.path, fixtures); ep.method != http.MethodGet || !pok || !qok {
				return
			}
			target := path
			if query != "" {
				target += "?" + query
			}
			rec := e.get(target, tok)
			if rec.Code == http.StatusNotFound || rec.Code == http.StatusMethodNotAllowed {
				t.Fatalf("GET %s: %d %s", target, rec.Code, rec.Body)
			}
		})
	}

	// Which version could be advertised today, for whoever raises it.
	var highest string
	for _, ep := range impliedEndpoints {
		if len(missing[ep.since]) > 0 {
			break
		}
		highest = ep.since
	}
	t.Logf("advertised %v; every endpoint up to Mastodon %s is served; the next version lacks %v",
		inst["version"], highest, nextMissing(missing))
}

// nextMissing is the unserved endpoints of the lowest version that has any.
func nextMissing(missing map[string][]string) []string {
	for _, ep := range impliedEndpoints {
		if m := missing[ep.since]; len(m) > 0 {
			return m
		}
	}
	return nil
}

func TestParseSemver(t *testing.T) {
	for in, want := range map[string]semver{
		"4.3.0": {4, 3, 0}, "1.0.0 (compatible; Starling 0.1.0)": {1, 0, 0}, "10.20.30": {10, 20, 30},
	} {
		if got, err := parseSemver(in); err != nil || got != want {
			t.Errorf("parseSemver(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	for _, bad := range []string{"", "4.3", "4.3.x", "v4.3.0", "4.-1.0"} {
		if _, err := parseSemver(bad); err == nil {
			t.Errorf("parseSemver(%q) succeeded", bad)
		}
	}
	if !(semver{4, 3, 0}).atLeast(semver{4, 2, 9}) || (semver{4, 2, 9}).atLeast(semver{4, 3, 0}) ||
		!(semver{1, 0, 0}).atLeast(semver{1, 0, 0}) {
		t.Error("atLeast orders versions wrongly")
	}
	if !impliedBy("4.3.0", 2, semver{4, 0, 0}, 2) || impliedBy("4.3.0", 0, semver{4, 0, 0}, 2) {
		t.Error("impliedBy ignores api_versions")
	}
}

// chiContext is a fresh routing context for Router.Match.
func chiContext() *chi.Context { return chi.NewRouteContext() }
