package mastodon

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/starling-social/starling/go/social"
	"github.com/starling-social/starling/go/store"
)

// direct posts a direct status by author (mentioning by text), replying
// to parent when not 0.
func (e *testEnv) direct(author *store.Account, text string, parent int64) *store.Status {
	e.t.Helper()
	st, err := e.svc.PostStatus(e.t.Context(), author, social.StatusInput{Text: text, Visibility: "direct", InReplyToID: parent})
	if err != nil {
		e.t.Fatal(err)
	}
	return st
}

// conversationSummary renders a conversation list as
// "<last status text>/<participants>/<unread>".
func conversationSummary(t *testing.T, list []map[string]any) []string {
	t.Helper()
	out := make([]string, len(list))
	for i, c := range list {
		var names []string
		for _, a := range c["accounts"].([]any) {
			names = append(names, a.(map[string]any)["username"].(string))
		}
		last := "<nil>"
		if s, ok := c["last_status"].(map[string]any); ok {
			last = stripTags(s["content"].(string))
		}
		out[i] = fmt.Sprintf("%s/%v/%v", last, names, c["unread"])
	}
	return out
}

func stripTags(html string) string {
	var b strings.Builder
	in := false
	for _, r := range html {
		switch {
		case r == '<':
			in = true
		case r == '>':
			in = false
		case !in:
			b.WriteRune(r)
		}
	}
	return b.String()
}

func TestConversations(t *testing.T) {
	onBothStores(t, func(t *testing.T, st store.Store) {
		e := newStreamEnvOn(t, st).testEnv
		alice, aliceTok := e.user("alice", "read write follow")
		bob, bobTok := e.user("bob", "read write follow")
		carol, carolTok := e.user("carol", "read write follow")

		d1 := e.direct(alice, "@bob hi bob", 0)
		e.direct(bob, "@alice hi alice", d1.ID)
		e.post(bob, "a public post", store.VisibilityPublic)
		e.direct(carol, "@alice @bob group chat", 0)

		rec := e.get("/api/v1/conversations", aliceTok)
		wantStatus(t, rec, http.StatusOK)
		list := decodeList(t, rec)
		if len(list) > 0 {
			wantShape(t, "Conversation", list[0], map[string]string{"id": "string", "unread": "boolean",
				"accounts": "array", "last_status": "object"})
		}
		if got := conversationSummary(t, list); !slices.Equal(got, []string{
			"@alice @bob group chat/[bob carol]/true", "@alice hi alice/[bob]/true"}) {
			t.Fatalf("alice's conversations = %v", got)
		}
		if got := conversationSummary(t, decodeList(t, e.get("/api/v1/conversations", bobTok))); !slices.Equal(got, []string{
			"@alice @bob group chat/[alice carol]/true", "@alice hi alice/[alice]/false"}) {
			t.Errorf("bob's conversations = %v", got)
		}

		// Paging by the last status, with Link headers.
		rec = e.get("/api/v1/conversations?limit=1", aliceTok)
		if got := conversationSummary(t, decodeList(t, rec)); len(got) != 1 || !strings.HasPrefix(got[0], "@alice @bob group") {
			t.Fatalf("page 1 = %v", got)
		}
		next := linkURL(t, rec.Header().Get("Link"), "next")
		rec = e.get(strings.TrimPrefix(next, testBaseURL), aliceTok)
		if got := conversationSummary(t, decodeList(t, rec)); len(got) != 1 || !strings.HasPrefix(got[0], "@alice hi alice") {
			t.Errorf("page 2 = %v", got)
		}

		// Read; someone else's conversation is not found.
		id := list[1]["id"].(string)
		wantError(t, e.postForm("/api/v1/conversations/"+id+"/read", carolTok, nil), http.StatusNotFound)
		rec = e.postForm("/api/v1/conversations/"+id+"/read", aliceTok, nil)
		wantStatus(t, rec, http.StatusOK)
		if c := decodeObject(t, rec); c["unread"] != false || c["id"] != id {
			t.Errorf("read conversation = %v", c)
		}
		if got := conversationSummary(t, decodeList(t, e.get("/api/v1/conversations", aliceTok))); got[1] != "@alice hi alice/[bob]/false" {
			t.Errorf("after reading: %v", got)
		}

		// A block hides the conversation whose last status is the blocked
		// account's (the visibility rule).
		if _, err := e.svc.Block(t.Context(), alice, carol.ID); err != nil {
			t.Fatal(err)
		}
		if got := conversationSummary(t, decodeList(t, e.get("/api/v1/conversations", aliceTok))); !slices.Equal(got, []string{
			"@alice hi alice/[bob]/false"}) {
			t.Errorf("alice's conversations after blocking carol = %v", got)
		}

		// Deleting is for the deleter only.
		wantError(t, e.do("DELETE", "/api/v1/conversations/"+id, bobTok, "", nil), http.StatusNotFound)
		wantStatus(t, e.do("DELETE", "/api/v1/conversations/"+id, aliceTok, "", nil), http.StatusOK)
		wantError(t, e.do("DELETE", "/api/v1/conversations/"+id, aliceTok, "", nil), http.StatusNotFound)
		if got := decodeList(t, e.get("/api/v1/conversations", aliceTok)); len(got) != 0 {
			t.Errorf("after deleting: %v", conversationSummary(t, got))
		}
		if got := decodeList(t, e.get("/api/v1/conversations", bobTok)); len(got) != 2 {
			t.Errorf("bob's conversations after alice deleted hers: %v", conversationSummary(t, got))
		}

		// Scopes and bad input.
		_, readOnly := e.user("dave", "read")
		wantStatus(t, e.get("/api/v1/conversations", readOnly), http.StatusOK)
		wantError(t, e.postForm("/api/v1/conversations/"+id+"/read", readOnly, nil), http.StatusForbidden)
		wantError(t, e.get("/api/v1/conversations", ""), http.StatusUnauthorized)
		huge := "99999999999999999999999999"
		for _, c := range []struct {
			method, target string
			code           int
		}{
			{"POST", "/api/v1/conversations/" + huge + "/read", 404},
			{"POST", "/api/v1/conversations/9223372036854775807/read", 404},
			{"DELETE", "/api/v1/conversations/x%00", 404},
			{"DELETE", "/api/v1/conversations/%FF", 404},
			{"GET", "/api/v1/conversations?limit=" + huge, 400},
			{"GET", "/api/v1/conversations?max_id=" + huge, 400},
			{"GET", "/api/v1/conversations?max_id=1%00", 422},
			{"GET", "/api/v1/conversations?since_id=%FF", 422},
		} {
			if got := e.do(c.method, c.target, aliceTok, "", nil).Code; got != c.code {
				t.Errorf("%s %s: %d, want %d", c.method, c.target, got, c.code)
			}
		}
	})
}

// TestConversationsDirectStream: the direct stream carries a conversation
// event, rendered for the listener, for each direct status that reaches
// it, and nothing else.
func TestConversationsDirectStream(t *testing.T) {
	onBothStores(t, func(t *testing.T, st store.Store) {
		e := newStreamEnvOn(t, st)
		alice, aliceTok := e.user("alice", "read write follow")
		bob, _ := e.user("bob", "read write follow")
		carol, _ := e.user("carol", "read write follow")
		e.user("dave", "read write")
		e.follow(alice, bob)

		direct := e.dial("?stream=direct", aliceTok)
		direct.barrier()
		user := e.dial("?stream=user", aliceTok)
		user.barrier()

		e.direct(bob, "@alice secret", 0)
		e.direct(carol, "@dave not for alice", 0)
		e.post(bob, "public news", store.VisibilityPublic)
		marker := e.direct(alice, "note to self", 0)

		var got []string
		for {
			m := direct.next()
			if m["event"] != "conversation" || fmt.Sprint(m["stream"]) != "[direct]" {
				t.Fatalf("direct stream sent %v", m)
			}
			var c map[string]any
			if err := json.Unmarshal([]byte(m["payload"].(string)), &c); err != nil {
				t.Fatal(err)
			}
			got = append(got, conversationSummary(t, []map[string]any{c})...)
			if c["last_status"].(map[string]any)["id"] == formatID(marker.ID) {
				break
			}
		}
		if !slices.Equal(got, []string{"@alice secret/[bob]/true", "note to self/[]/false"}) {
			t.Errorf("direct stream conversations = %v", got)
		}
		// The user stream has its updates and notifications and no
		// conversation event.
		for {
			m := user.next()
			if m["event"] != "update" && m["event"] != "notification" {
				t.Fatalf("user stream sent %v", m)
			}
			if m["event"] == "update" && payloadID(t, m) == formatID(marker.ID) {
				break
			}
		}

		// The direct stream needs a signed-in viewer.
		anon := e.dial("", "")
		anon.send(map[string]string{"type": "subscribe", "stream": "direct"})
		anon.wantError(http.StatusUnauthorized, "Missing access token")
	})
}
