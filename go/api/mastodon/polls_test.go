package mastodon

import (
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/starling-social/starling/go/social"
	"github.com/starling-social/starling/go/store"
)

func TestPolls(t *testing.T) { onBothStores(t, runPolls) }

func runPolls(t *testing.T, st store.Store) {
	e := newMediaEnvOn(t, st)
	_, alice := e.user("alice", "read write")
	_, bob := e.user("bob", "read write")
	_, carol := e.user("carol", "read write")

	// Every encoding a client uses.
	for name, body := range map[string]encoded{
		"form": form(url.Values{"status": {"Tea?"}, "poll[options][]": {"tea", "coffee"}, "poll[expires_in]": {"3600"}}),
		"JSON": jsonBody(`{"status":"Tea?","poll":{"options":["tea","coffee"],"expires_in":3600}}`),
		"multipart": multipartFields(t, [][2]string{{"status", "Tea?"}, {"poll[options][]", "tea"}, {"poll[options][]", "coffee"},
			{"poll[expires_in]", "3600"}}),
	} {
		t.Run(name, func(t *testing.T) {
			rec := e.do(http.MethodPost, "/api/v1/statuses", alice, body.contentType, strings.NewReader(body.body))
			wantStatus(t, rec, http.StatusOK)
			p, ok := decodeObject(t, rec)["poll"].(map[string]any)
			if !ok || len(p["options"].([]any)) != 2 || p["expired"] != false || p["multiple"] != false || p["voters_count"] != nil {
				t.Fatalf("poll = %v", p)
			}
		})
	}

	posted := decodeObject(t, e.do(http.MethodPost, "/api/v1/statuses", alice, "application/json", strings.NewReader(
		`{"status":"Which?","poll":{"options":["a","b","c"],"expires_in":600,"multiple":true,"hide_totals":true}}`)))
	poll := posted["poll"].(map[string]any)
	pid := poll["id"].(string)
	path := "/api/v1/polls/" + pid
	// Hidden totals: null counts for others while it runs, shown to the author.
	got := decodeObject(t, e.get(path, bob))
	if got["options"].([]any)[0].(map[string]any)["votes_count"] != nil || got["voted"] != false || len(got["own_votes"].([]any)) != 0 {
		t.Errorf("bob sees %v", got)
	}
	if anon := decodeObject(t, e.get(path, "")); anon["voted"] != nil {
		t.Errorf("anonymous sees voted = %v", anon["voted"])
	}
	wantError(t, e.postForm(path+"/votes", alice, url.Values{"choices[]": {"0"}}), http.StatusUnprocessableEntity) // own poll
	for _, bad := range []url.Values{{}, {"choices[]": {"3"}}, {"choices[]": {"-1"}}, {"choices[]": {"0", "0"}},
		{"choices[]": {"99999999999999999999"}}, {"choices[]": {"a\x00"}}} {
		rec := e.postForm(path+"/votes", bob, bad)
		if rec.Code != http.StatusUnprocessableEntity && rec.Code != http.StatusBadRequest {
			t.Errorf("choices %v: %d", bad, rec.Code)
		}
	}
	voted := decodeObject(t, e.postForm(path+"/votes", bob, url.Values{"choices[]": {"2", "0"}}))
	if voted["voted"] != true || len(voted["own_votes"].([]any)) != 2 || voted["votes_count"] != 2.0 || voted["voters_count"] != 1.0 {
		t.Errorf("after bob's vote: %v", voted)
	}
	wantError(t, e.postForm(path+"/votes", bob, url.Values{"choices[]": {"1"}}), http.StatusUnprocessableEntity) // again
	author := decodeObject(t, e.get(path, alice))
	if n := author["options"].([]any)[2].(map[string]any)["votes_count"]; n != 1.0 {
		t.Errorf("the author sees option c at %v, want 1", n)
	}
	// The status carries it, for each reader.
	s := decodeObject(t, e.get("/api/v1/statuses/"+posted["id"].(string), bob))
	if s["poll"].(map[string]any)["voted"] != true {
		t.Errorf("status poll for bob = %v", s["poll"])
	}
	// Expired: no vote, totals shown.
	e.advance(11 * time.Minute)
	wantError(t, e.postForm(path+"/votes", carol, url.Values{"choices[]": {"1"}}), http.StatusUnprocessableEntity)
	ended := decodeObject(t, e.get(path, carol))
	if ended["expired"] != true || ended["options"].([]any)[0].(map[string]any)["votes_count"] != 1.0 {
		t.Errorf("ended poll = %v", ended)
	}
	// A private status's poll is not found by others.
	priv := decodeObject(t, e.do(http.MethodPost, "/api/v1/statuses", alice, "application/json", strings.NewReader(
		`{"status":"secret","visibility":"private","poll":{"options":["x","y"],"expires_in":600}}`)))
	ppath := "/api/v1/polls/" + priv["poll"].(map[string]any)["id"].(string)
	wantError(t, e.get(ppath, bob), http.StatusNotFound)
	wantError(t, e.postForm(ppath+"/votes", bob, url.Values{"choices[]": {"0"}}), http.StatusNotFound)
	wantError(t, e.get("/api/v1/polls/12345", bob), http.StatusNotFound)

	// Bad polls are refused, nothing posted.
	long := strings.Repeat("é", social.MaxPollOptionChars+1)
	for name, body := range map[string]string{
		"one option":       `{"status":"x","poll":{"options":["a"],"expires_in":600}}`,
		"five options":     `{"status":"x","poll":{"options":["a","b","c","d","e"],"expires_in":600}}`,
		"long option":      `{"status":"x","poll":{"options":["a","` + long + `"],"expires_in":600}}`,
		"blank option":     `{"status":"x","poll":{"options":["a"," "],"expires_in":600}}`,
		"same options":     `{"status":"x","poll":{"options":["a","a"],"expires_in":600}}`,
		"too short":        `{"status":"x","poll":{"options":["a","b"],"expires_in":60}}`,
		"too long":         `{"status":"x","poll":{"options":["a","b"],"expires_in":99999999}}`,
		"huge expires_in":  `{"status":"x","poll":{"options":["a","b"],"expires_in":1e400}}`,
		"no expires_in":    `{"status":"x","poll":{"options":["a","b"]}}`,
		"NUL option":       `{"status":"x","poll":{"options":["a\u0000","b"],"expires_in":600}}`,
		"nested option":    `{"status":"x","poll":{"options":[["a"],"b"],"expires_in":600}}`,
		"options as value": `{"status":"x","poll":{"options":"a","expires_in":600}}`,
	} {
		t.Run(name, func(t *testing.T) {
			rec := e.do(http.MethodPost, "/api/v1/statuses", carol, "application/json", strings.NewReader(body))
			if rec.Code != http.StatusUnprocessableEntity && rec.Code != http.StatusBadRequest {
				t.Errorf("%d %s", rec.Code, rec.Body)
			}
		})
	}
	if n := decodeObject(t, e.get("/api/v1/accounts/verify_credentials", carol))["statuses_count"]; n != 0.0 {
		t.Errorf("carol has %v statuses after refused polls", n)
	}
}

// Votes are exact under concurrency: many accounts, each voting several
// times at once, count once each.
func TestPollVotesConcurrent(t *testing.T) { onBothStores(t, runPollVotesConcurrent) }

func runPollVotesConcurrent(t *testing.T, st store.Store) {
	e := newMediaEnvOn(t, st)
	_, alice := e.user("alice", "read write")
	posted := decodeObject(t, e.do(http.MethodPost, "/api/v1/statuses", alice, "application/json", strings.NewReader(
		`{"status":"Race","poll":{"options":["a","b"],"expires_in":600}}`)))
	path := "/api/v1/polls/" + posted["poll"].(map[string]any)["id"].(string) + "/votes"
	var toks []string
	for _, n := range []string{"v1", "v2", "v3", "v4", "v5", "v6"} {
		_, tok := e.user(n, "read write")
		toks = append(toks, tok)
	}
	var (
		wg   sync.WaitGroup
		mu   sync.Mutex
		oks  int
		errs = map[int]int{}
	)
	for _, tok := range toks {
		for i := range 5 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				rec := e.postForm(path, tok, url.Values{"choices[]": {[]string{"0", "1"}[i%2]}})
				mu.Lock()
				defer mu.Unlock()
				if rec.Code == http.StatusOK {
					oks++
				} else {
					errs[rec.Code]++
				}
			}()
		}
	}
	wg.Wait()
	if oks != len(toks) || errs[http.StatusUnprocessableEntity] != 4*len(toks) {
		t.Errorf("%d accepted, refusals %v; want %d accepted and the rest 422", oks, errs, len(toks))
	}
	p := decodeObject(t, e.get("/api/v1/polls/"+posted["poll"].(map[string]any)["id"].(string), alice))
	if p["votes_count"] != float64(len(toks)) {
		t.Errorf("votes_count = %v, want %d", p["votes_count"], len(toks))
	}
}

// TestPollEndNotifications: when a poll ends, its author and each voter get
// one `poll` notification, however many processes run the job at once.
func TestPollEndNotifications(t *testing.T) { onBothStores(t, runPollEndNotifications) }

func runPollEndNotifications(t *testing.T, st store.Store) {
	e := newMediaEnvOn(t, st)
	other := newMediaEnvOn(t, st) // a second server process
	_, alice := e.user("alice", "read write")
	_, bob := e.user("bob", "read write")
	_, carol := e.user("carol", "read write")
	_, dave := e.user("dave", "read write")
	ctx := t.Context()
	post := func(text string) (statusID, pollID string) {
		m := decodeObject(t, e.do(http.MethodPost, "/api/v1/statuses", alice, "application/json", strings.NewReader(
			`{"status":"`+text+`","poll":{"options":["a","b"],"expires_in":300}}`)))
		return m["id"].(string), m["poll"].(map[string]any)["id"].(string)
	}
	sid, pid := post("ends")
	goneID, gonePoll := post("deleted before its end")
	for _, tok := range []string{bob, carol} {
		for _, p := range []string{pid, gonePoll} {
			wantStatus(t, e.postForm("/api/v1/polls/"+p+"/votes", tok, url.Values{"choices[]": {"1"}}), http.StatusOK)
		}
	}
	wantStatus(t, e.do(http.MethodDelete, "/api/v1/statuses/"+goneID, alice, "", nil), http.StatusOK)
	pollNotes := func(tok string) []map[string]any {
		return decodeList(t, e.get("/api/v1/notifications?types[]=poll", tok))
	}
	if n, err := e.svc.NotifyEndedPolls(ctx); err != nil || n != 0 {
		t.Fatalf("before the end: %d, %v", n, err)
	}
	e.advance(301 * time.Second)
	other.advance(301 * time.Second)
	var (
		wg   sync.WaitGroup
		sums [2]int
	)
	for i, svc := range []*social.Service{e.svc, other.svc} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			n, err := svc.NotifyEndedPolls(ctx)
			if err != nil {
				t.Error(err)
			}
			sums[i] = n
		}()
	}
	wg.Wait()
	if sums[0]+sums[1] != 1 {
		t.Fatalf("polls notified: %d + %d, want 1", sums[0], sums[1])
	}
	if n, err := e.svc.NotifyEndedPolls(ctx); err != nil || n != 0 {
		t.Fatalf("second pass: %d, %v", n, err)
	}
	for name, tok := range map[string]string{"alice (author)": alice, "bob": bob, "carol": carol} {
		ns := pollNotes(tok)
		if len(ns) != 1 || ns[0]["type"] != "poll" || ns[0]["status"].(map[string]any)["id"] != sid ||
			ns[0]["status"].(map[string]any)["poll"].(map[string]any)["expired"] != true {
			t.Errorf("%s: poll notifications %v", name, ns)
		}
	}
	if ns := pollNotes(dave); len(ns) != 0 {
		t.Errorf("dave, who did not vote: %v", ns)
	}
	if ns := decodeList(t, e.get("/api/v1/notifications?exclude_types[]=poll&exclude_types[]=mention", bob)); len(ns) != 0 {
		t.Errorf("bob excluding poll: %v", ns)
	}
}
