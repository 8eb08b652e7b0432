package mastodon

import (
	"maps"
	"net/http"
	"net/url"
	"slices"
	"testing"

	"github.com/starling-social/starling/go/store"
)

// TestListRepliesPolicy: a list's replies_policy is applied, to its
// timeline and its stream alike, on both backends; it used to be stored
// and shown but never applied.
func TestListRepliesPolicy(t *testing.T) {
	onBothStores(t, runListRepliesPolicy)
}

func runListRepliesPolicy(t *testing.T, st store.Store) {
	e := newStreamEnvOn(t, st)
	const scopes = "read write follow"
	owner, ownerTok := e.user("owner", scopes)
	member, memberTok := e.user("member", scopes)
	other, otherTok := e.user("other", scopes)          // a second member
	followed, followedTok := e.user("followed", scopes) // followed by the owner, not a member
	_, strangerTok := e.user("stranger", scopes)        // neither
	for _, a := range []*store.Account{member, other, followed} {
		e.follow(owner, a)
	}

	// One list per policy, each holding member and other.
	lists := map[string]string{}
	streams := map[string]*wsClient{}
	for _, policy := range []string{"followed", "list", "none"} {
		rec := e.postForm("/api/v1/lists", ownerTok, url.Values{"title": {policy}, "replies_policy": {policy}})
		wantStatus(t, rec, http.StatusOK)
		id := decodeObject(t, rec)["id"].(string)
		wantStatus(t, e.postForm("/api/v1/lists/"+id+"/accounts", ownerTok,
			url.Values{"account_ids[]": {formatID(member.ID), formatID(other.ID)}}), http.StatusOK)
		lists[policy] = id
		streams[policy] = e.dial("?stream=list&list="+id, ownerTok)
	}

	roots := map[string]string{}
	for name, tok := range map[string]string{"owner": ownerTok, "member": memberTok, "other": otherTok,
		"followed": followedTok, "stranger": strangerTok} {
		roots[name] = mxPost(e, tok, "root by "+name, "public", "")
	}
	posts := map[string]string{"top": mxPost(e, memberTok, "top level", "public", "")}
	for _, to := range []string{"member", "owner", "other", "followed", "stranger"} {
		posts["reply to "+to] = mxPost(e, memberTok, "a reply", "public", roots[to])
	}
	end := mxPost(e, memberTok, "the end", "public", "")

	want := map[string][]string{
		"followed": {"top", "reply to member", "reply to owner", "reply to other", "reply to followed"},
		"list":     {"top", "reply to member", "reply to owner", "reply to other"},
		"none":     {"top", "reply to member", "reply to owner"},
	}
	for policy, names := range want {
		wantIDs := map[string]bool{}
		for _, n := range names {
			wantIDs[posts[n]] = true
		}
		// The timeline: member's posts only (the roots by member too).
		got := map[string]bool{}
		for _, s := range decodeList(t, e.get("/api/v1/timelines/list/"+lists[policy]+"?limit=40", ownerTok)) {
			if id := s["id"].(string); id != roots["member"] && id != roots["other"] && id != end {
				got[id] = true
			}
		}
		if !maps.Equal(got, wantIDs) {
			t.Errorf("%s timeline: %v, want %v", policy, namesOf(got, posts), names)
		}
		// The stream, up to the last post, which every list shows.
		streamed := map[string]bool{}
		for {
			m := streams[policy].next()
			if m["event"] != "update" {
				continue
			}
			id := payloadID(t, m)
			if id == end {
				break
			}
			if id != roots["member"] && id != roots["other"] {
				streamed[id] = true
			}
		}
		if !maps.Equal(streamed, wantIDs) {
			t.Errorf("%s stream: %v, want %v", policy, namesOf(streamed, posts), names)
		}
	}

	// Exclusive lists are refused: home does not leave their members out.
	rec := e.postForm("/api/v1/lists", ownerTok, url.Values{"title": {"x"}, "exclusive": {"true"}})
	wantError(t, rec, http.StatusUnprocessableEntity)
	wantStatus(t, e.postForm("/api/v1/lists", ownerTok, url.Values{"title": {"y"}, "exclusive": {"false"}}), http.StatusOK)
}

// namesOf names the IDs in got by the posts map, for failure messages.
func namesOf(got map[string]bool, posts map[string]string) []string {
	var out []string
	for name, id := range posts {
		if got[id] {
			out = append(out, name)
		}
	}
	slices.Sort(out)
	return out
}
