package mastodon

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/starling-social/starling/go/social"
	"github.com/starling-social/starling/go/store"
)

func TestScheduledStatuses(t *testing.T) { onBothStores(t, runScheduledStatuses) }

// statusesOf counts the account's statuses with text as its own timeline
// lists them.
func statusesOf(t *testing.T, e *mediaEnv, id, text, token string) int {
	t.Helper()
	n := 0
	for _, s := range decodeList(t, e.get("/api/v1/accounts/"+id+"/statuses?limit=40", token)) {
		if strings.Contains(s["content"].(string), text) {
			n++
		}
	}
	return n
}

func runScheduledStatuses(t *testing.T, st store.Store) {
	e := newMediaEnvOn(t, st)
	aliceAcct, alice := e.user("alice", "read write")
	_, bob := e.user("bob", "read write")
	aliceID := formatID(aliceAcct.ID)
	ctx := context.Background()
	at := func(d time.Duration) string { return e.now().Add(d).UTC().Format(time.RFC3339Nano) }

	// Scheduled, not published: a ScheduledStatus comes back.
	rec := e.do(http.MethodPost, "/api/v1/statuses", alice, "application/json", strings.NewReader(
		`{"status":"later, with a poll","visibility":"unlisted","poll":{"options":["yes","no"],"expires_in":600},"scheduled_at":"`+at(10*time.Minute)+`"}`))
	wantStatus(t, rec, http.StatusOK)
	sch := decodeObject(t, rec)
	sid, _ := sch["id"].(string)
	params, _ := sch["params"].(map[string]any)
	if sid == "" || params["text"] != "later, with a poll" || params["visibility"] != "unlisted" ||
		params["poll"].(map[string]any)["expires_in"] != float64(600) || len(sch["media_attachments"].([]any)) != 0 {
		t.Fatalf("scheduled status = %v", sch)
	}
	formRec := e.postForm("/api/v1/statuses", alice, url.Values{"status": {"later by form"}, "scheduled_at": {at(time.Hour)}})
	wantStatus(t, formRec, http.StatusOK)
	formID := decodeObject(t, formRec)["id"].(string)
	if n := statusesOf(t, e, aliceID, "later", alice); n != 0 {
		t.Fatalf("%d statuses published at once", n)
	}

	// Read, list (newest first, paged), reschedule, only by the author.
	wantStatus(t, e.get("/api/v1/scheduled_statuses/"+sid, alice), http.StatusOK)
	list := e.get("/api/v1/scheduled_statuses?limit=1", alice)
	if l := decodeList(t, list); len(l) != 1 || l[0]["id"] != formID || !strings.Contains(list.Header().Get("Link"), "max_id="+formID) {
		t.Fatalf("list = %v (Link %q)", l, list.Header().Get("Link"))
	}
	if l := decodeList(t, e.get("/api/v1/scheduled_statuses", bob)); len(l) != 0 {
		t.Fatalf("bob lists %v", l)
	}
	for _, m := range []string{http.MethodGet, http.MethodDelete} {
		wantStatus(t, e.do(m, "/api/v1/scheduled_statuses/"+sid, bob, "", nil), http.StatusNotFound)
	}
	wantStatus(t, e.do(http.MethodPut, "/api/v1/scheduled_statuses/"+sid, bob, "application/x-www-form-urlencoded",
		strings.NewReader(url.Values{"scheduled_at": {at(time.Hour)}}.Encode())), http.StatusNotFound)
	moved := e.do(http.MethodPut, "/api/v1/scheduled_statuses/"+sid, alice, "application/x-www-form-urlencoded",
		strings.NewReader(url.Values{"scheduled_at": {at(6 * time.Minute)}}.Encode()))
	wantStatus(t, moved, http.StatusOK)
	if got := decodeObject(t, moved)["scheduled_at"]; got != formatTime(e.now().Add(6*time.Minute)) {
		t.Errorf("rescheduled at %v", got)
	}
	wantStatus(t, e.do(http.MethodDelete, "/api/v1/scheduled_statuses/"+formID, alice, "", nil), http.StatusOK)
	wantStatus(t, e.get("/api/v1/scheduled_statuses/"+formID, alice), http.StatusNotFound)

	// Bad input: each a clear 4xx, nothing scheduled.
	for name, body := range map[string]encoded{
		"too soon":          jsonBody(`{"status":"x","scheduled_at":"` + at(4*time.Minute) + `"}`),
		"in the past":       jsonBody(`{"status":"x","scheduled_at":"2001-01-01T00:00:00Z"}`),
		"not a date":        form(url.Values{"status": {"x"}, "scheduled_at": {"tomorrow"}}),
		"NUL":               form(url.Values{"status": {"x"}, "scheduled_at": {"2030-01-01T00:00:00Z\x00"}}),
		"invalid UTF-8":     form(url.Values{"status": {"x"}, "scheduled_at": {"2030-01-01T00:00:00\xffZ"}}),
		"huge year":         form(url.Values{"status": {"x"}, "scheduled_at": {"99999999999-01-01T00:00:00Z"}}),
		"oversized":         form(url.Values{"status": {"x"}, "scheduled_at": {strings.Repeat("2", 100000)}}),
		"a number":          jsonBody(`{"status":"x","scheduled_at":1e308}`),
		"empty status":      jsonBody(`{"status":"","scheduled_at":"` + at(time.Hour) + `"}`),
		"bad poll":          jsonBody(`{"status":"x","poll":{"options":["a"],"expires_in":600},"scheduled_at":"` + at(time.Hour) + `"}`),
		"unseen parent":     jsonBody(`{"status":"x","in_reply_to_id":"99999999","scheduled_at":"` + at(time.Hour) + `"}`),
		"unknown media":     jsonBody(`{"status":"x","media_ids":["1"],"scheduled_at":"` + at(time.Hour) + `"}`),
		"too long a status": jsonBody(`{"status":"` + strings.Repeat("a", 501) + `","scheduled_at":"` + at(time.Hour) + `"}`),
	} {
		rec := e.do(http.MethodPost, "/api/v1/statuses", alice, body.contentType, strings.NewReader(body.body))
		if rec.Code < 400 || rec.Code >= 500 {
			t.Errorf("%s: %d %s", name, rec.Code, rec.Body)
		}
	}
	for name, v := range map[string]string{"too soon": at(time.Minute), "none": "", "NUL": "\x00", "malformed": "2030-13-45T99:00:00Z"} {
		rec := e.do(http.MethodPut, "/api/v1/scheduled_statuses/"+sid, alice, "application/x-www-form-urlencoded",
			strings.NewReader(url.Values{"scheduled_at": {v}}.Encode()))
		if rec.Code != http.StatusUnprocessableEntity && rec.Code != http.StatusBadRequest {
			t.Errorf("PUT %s: %d", name, rec.Code)
		}
	}
	for _, id := range []string{"abc", "99999999999999999999999", "-1", "1%00"} {
		for _, m := range []string{http.MethodGet, http.MethodPut, http.MethodDelete} {
			if rec := e.do(m, "/api/v1/scheduled_statuses/"+id, alice, "", nil); rec.Code != http.StatusNotFound {
				t.Errorf("%s %s: %d", m, id, rec.Code)
			}
		}
	}
	wantStatus(t, e.get("/api/v1/scheduled_statuses?limit=many", alice), http.StatusBadRequest)
	wantStatus(t, e.get("/api/v1/scheduled_statuses", ""), http.StatusUnauthorized)
	if l := decodeList(t, e.get("/api/v1/scheduled_statuses", alice)); len(l) != 1 {
		t.Fatalf("%d scheduled after the bad input, want 1", len(l))
	}

	// Nothing is due before its time; at its time it is published once,
	// through the posting path (its poll runs from then).
	if n, err := e.svc.PublishScheduled(ctx); err != nil || n != 0 {
		t.Fatalf("early publish = %d, %v", n, err)
	}
	e.advance(6*time.Minute + time.Second)
	if n, err := e.svc.PublishScheduled(ctx); err != nil || n != 1 {
		t.Fatalf("publish = %d, %v", n, err)
	}
	if n, err := e.svc.PublishScheduled(ctx); err != nil || n != 0 {
		t.Fatalf("second publish = %d, %v", n, err)
	}
	sts := decodeList(t, e.get("/api/v1/accounts/"+aliceID+"/statuses", alice))
	if len(sts) != 1 || sts[0]["visibility"] != "unlisted" || sts[0]["poll"] == nil {
		t.Fatalf("published = %v", sts)
	}
	if exp, _ := time.Parse(time.RFC3339, sts[0]["poll"].(map[string]any)["expires_at"].(string)); exp.Before(e.now().Add(9 * time.Minute)) {
		t.Errorf("poll expires at %v: not 10 minutes from publication", exp)
	}
	wantStatus(t, e.get("/api/v1/scheduled_statuses/"+sid, alice), http.StatusNotFound)

	// A scheduled status whose parent was deleted meanwhile is dropped.
	parent := e.post(aliceAcct, "parent", store.VisibilityPublic)
	wantStatus(t, e.postForm("/api/v1/statuses", alice, url.Values{"status": {"orphan reply"},
		"in_reply_to_id": {formatID(parent.ID)}, "scheduled_at": {at(10 * time.Minute)}}), http.StatusOK)
	wantStatus(t, e.do(http.MethodDelete, "/api/v1/statuses/"+formatID(parent.ID), alice, "", nil), http.StatusOK)
	e.advance(11 * time.Minute)
	if n, err := e.svc.PublishScheduled(ctx); err != nil || n != 0 {
		t.Fatalf("orphan publish = %d, %v", n, err)
	}
	if l := decodeList(t, e.get("/api/v1/scheduled_statuses", alice)); len(l) != 0 {
		t.Fatalf("the orphan reply is still scheduled: %v", l)
	}

	// Mastodon's daily cap (25 for one UTC day), then the next day is free.
	day := e.now().UTC().Truncate(24*time.Hour).AddDate(0, 0, 2)
	for i := range social.MaxScheduledDaily + 1 {
		rec := e.postForm("/api/v1/statuses", bob, url.Values{"status": {"daily"},
			"scheduled_at": {day.Add(time.Duration(i) * time.Minute).Format(time.RFC3339)}})
		want := http.StatusOK
		if i == social.MaxScheduledDaily {
			want = http.StatusUnprocessableEntity
		}
		wantStatus(t, rec, want)
	}
	wantStatus(t, e.postForm("/api/v1/statuses", bob, url.Values{"status": {"daily"},
		"scheduled_at": {day.AddDate(0, 0, 1).Format(time.RFC3339)}}), http.StatusOK)

	// The total cap and the daily cap on reschedule, at small limits.
	small := store.ScheduledLimits{Total: 2, Daily: 1}
	put := func(id int64, when time.Time) error {
		return st.PutScheduledStatus(ctx, &store.ScheduledStatus{ID: id, AccountID: aliceAcct.ID, ScheduledAt: when,
			Params: []byte(`{"text":"capped"}`), CreatedAt: e.now()}, small)
	}
	if err := put(1, day); err != nil {
		t.Fatal(err)
	}
	if err := put(2, day.Add(time.Hour)); !errors.Is(err, store.ErrLimit) {
		t.Fatalf("second on one day: %v, want ErrLimit", err)
	}
	if err := put(3, day.AddDate(0, 0, 1)); err != nil {
		t.Fatal(err)
	}
	if err := put(4, day.AddDate(0, 0, 2)); !errors.Is(err, store.ErrLimit) {
		t.Fatalf("third in total: %v, want ErrLimit", err)
	}
	if err := st.RescheduleStatus(ctx, aliceAcct.ID, 3, day.Add(time.Minute), small); !errors.Is(err, store.ErrLimit) {
		t.Fatalf("reschedule onto a full day: %v, want ErrLimit", err)
	}
	if err := st.RescheduleStatus(ctx, aliceAcct.ID, 1, day.Add(time.Minute), small); err != nil {
		t.Fatalf("reschedule within its own day: %v", err)
	}
	for _, id := range []int64{1, 3} {
		if err := st.DeleteScheduledStatus(ctx, aliceAcct.ID, id); err != nil {
			t.Fatal(err)
		}
	}

	// A write publishing a scheduled status that is gone writes nothing.
	ghost := &store.Status{ID: 777, AccountID: aliceAcct.ID, Text: "ghost", Content: "<p>ghost</p>",
		Visibility: store.VisibilityPublic, CreatedAt: e.now()}
	if err := st.PutStatusWrite(ctx, &store.StatusWrite{Status: ghost, ScheduledID: 12345}); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("publishing a gone scheduled status: %v, want ErrNotFound", err)
	}
	if _, err := st.GetStatusByID(ctx, ghost.ID); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("the ghost status was written: %v", err)
	}
}

// TestScheduledExactlyOnce: two services (two server processes) on one
// store race to publish the same due statuses, one of them after a third
// claimed them and died; each is published exactly once.
func TestScheduledExactlyOnce(t *testing.T) { onBothStores(t, runScheduledExactlyOnce) }

func runScheduledExactlyOnce(t *testing.T, st store.Store) {
	e := newMediaEnvOn(t, st)
	other := newMediaEnvOn(t, st)
	acct, tok := e.user("alice", "read write")
	ctx := context.Background()
	const n = 12
	for i := range n {
		wantStatus(t, e.postForm("/api/v1/statuses", tok, url.Values{"status": {"race " + string(rune('a'+i))},
			"scheduled_at": {e.now().Add(6 * time.Minute).Format(time.RFC3339Nano)}}), http.StatusOK)
	}
	later := 7 * time.Minute
	e.advance(later)
	other.advance(later)
	// A process claims them all and dies: nobody publishes them until the
	// lease runs out.
	if claimed, err := st.ClaimDueScheduledStatuses(ctx, e.now(), social.ScheduledLease, 100); err != nil || len(claimed) != n {
		t.Fatalf("claimed %d, %v", len(claimed), err)
	}
	if got, err := e.svc.PublishScheduled(ctx); err != nil || got != 0 {
		t.Fatalf("publish under a live lease = %d, %v", got, err)
	}
	e.advance(social.ScheduledLease)
	other.advance(social.ScheduledLease)
	var (
		wg    sync.WaitGroup
		total [2]int
	)
	for i, svc := range []*social.Service{e.svc, other.svc} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 3 {
				got, err := svc.PublishScheduled(ctx)
				if err != nil {
					t.Error(err)
				}
				total[i] += got
			}
		}()
	}
	wg.Wait()
	if total[0]+total[1] != n {
		t.Errorf("published %d + %d, want %d in all", total[0], total[1], n)
	}
	if got := statusesOf(t, e, formatID(acct.ID), "race", tok); got != n {
		t.Errorf("%d statuses, want %d", got, n)
	}
	if l, err := st.ListScheduledStatuses(ctx, acct.ID, store.Page{Limit: 40}); err != nil || len(l) != 0 {
		t.Errorf("left scheduled: %d, %v", len(l), err)
	}
}

func TestScheduledMediaAndIdempotency(t *testing.T) { onBothStores(t, runScheduledMediaAndIdempotency) }

// runScheduledMediaAndIdempotency: media named by a scheduled status are
// listed with it, reserved for it (no other status takes them, the
// clean-up keeps them, they cannot be deleted) and attached on
// publication; cancelling frees them. The same Idempotency-Key returns the
// same scheduled status. params show what was given, null for the rest.
func runScheduledMediaAndIdempotency(t *testing.T, st store.Store) {
	e := newMediaEnvOn(t, st)
	aliceAcct, alice := e.user("alice", "read write")
	_, bob := e.user("bob", "read write")
	ctx := context.Background()
	at := func(d time.Duration) string { return e.now().Add(d).UTC().Format(time.RFC3339Nano) }
	up := func(tok string, w int) string {
		return e.upload("/api/v2/media", tok, upload(t, testPhoto(t, w, 40)))["id"].(string)
	}
	a, b, c, bobs := up(alice, 40), up(alice, 50), up(alice, 30), up(bob, 20)
	schedule := func(key string, body encoded) *httptest.ResponseRecorder {
		h := http.Header{}
		if key != "" {
			h.Set("Idempotency-Key", key)
		}
		return e.doWith(http.MethodPost, "/api/v1/statuses", alice, body.contentType, strings.NewReader(body.body), h)
	}
	withMedia := jsonBody(`{"status":"later, with photos","media_ids":["` + b + `","` + a + `"],"scheduled_at":"` + at(10*time.Minute) + `"}`)

	rec := schedule("k1", withMedia)
	wantStatus(t, rec, http.StatusOK)
	sch := decodeObject(t, rec)
	sid := sch["id"].(string)
	params := sch["params"].(map[string]any)
	for _, k := range []string{"visibility", "sensitive", "spoiler_text", "language", "poll", "in_reply_to_id",
		"idempotency", "scheduled_at", "application_id"} {
		if v, ok := params[k]; !ok || v != nil {
			t.Errorf("params[%s] = %v (present %v), want null", k, v, ok)
		}
	}
	if params["with_rate_limit"] != false || fmt.Sprint(params["media_ids"]) != fmt.Sprint([]any{b, a}) {
		t.Errorf("params = %v", params)
	}
	atts := sch["media_attachments"].([]any)
	if len(atts) != 2 || atts[0].(map[string]any)["id"] != b || atts[1].(map[string]any)["id"] != a {
		t.Fatalf("media_attachments = %v", atts)
	}
	// The same key: the same scheduled status, nothing new.
	again := schedule("k1", withMedia)
	wantStatus(t, again, http.StatusOK)
	if id := decodeObject(t, again)["id"]; id != sid {
		t.Fatalf("the same Idempotency-Key scheduled %v, first %s", id, sid)
	}
	if l := decodeList(t, e.get("/api/v1/scheduled_statuses", alice)); len(l) != 1 ||
		len(l[0]["media_attachments"].([]any)) != 2 {
		t.Fatalf("listed %v", l)
	}

	// Given values show as given.
	rec = schedule("", jsonBody(`{"status":"given","sensitive":false,"visibility":"private","language":"de",
		"spoiler_text":"cw","media_ids":["`+c+`"],"scheduled_at":"`+at(time.Hour)+`"}`))
	wantStatus(t, rec, http.StatusOK)
	given := decodeObject(t, rec)
	gp := given["params"].(map[string]any)
	if gp["sensitive"] != false || gp["visibility"] != "private" || gp["language"] != "de" || gp["spoiler_text"] != "cw" {
		t.Errorf("given params = %v", gp)
	}

	// Reserved: no other status, scheduled or not, may take them, nor may
	// they be deleted; a new key with the same media is refused too.
	for name, body := range map[string]encoded{
		"post with reserved":     form(url.Values{"status": {"now"}, "media_ids[]": {a}}),
		"schedule with reserved": jsonBody(`{"status":"x","media_ids":["` + a + `"],"scheduled_at":"` + at(time.Hour) + `"}`),
		"someone else's upload":  jsonBody(`{"status":"x","media_ids":["` + bobs + `"],"scheduled_at":"` + at(time.Hour) + `"}`),
		"media and a poll": jsonBody(`{"status":"x","media_ids":["` + up(alice, 25) + `"],"poll":{"options":["a","b"],"expires_in":600},` +
			`"scheduled_at":"` + at(time.Hour) + `"}`),
		"five media": jsonBody(`{"status":"x","media_ids":["1","2","3","4","5"],"scheduled_at":"` + at(time.Hour) + `"}`),
		"twice":      jsonBody(`{"status":"x","media_ids":["` + a + `","` + a + `"],"scheduled_at":"` + at(time.Hour) + `"}`),
		"huge ID":    jsonBody(`{"status":"x","media_ids":["99999999999999999999999"],"scheduled_at":"` + at(time.Hour) + `"}`),
		"NUL ID":     form(url.Values{"status": {"x"}, "media_ids[]": {a + "\x00"}, "scheduled_at": {at(time.Hour)}}),
		"ID object":  jsonBody(`{"status":"x","media_ids":[{"id":"` + a + `"}],"scheduled_at":"` + at(time.Hour) + `"}`),
		"sensitive?": jsonBody(`{"status":"x","sensitive":"maybe","scheduled_at":"` + at(time.Hour) + `"}`),
	} {
		if rec := schedule("k-"+name, body); rec.Code != http.StatusUnprocessableEntity && rec.Code != http.StatusBadRequest {
			t.Errorf("%s: %d %s", name, rec.Code, rec.Body)
		}
	}
	for name, key := range map[string]string{"oversized": strings.Repeat("k", 257), "NUL": "k\x00", "invalid UTF-8": "k\xff"} {
		if rec := schedule(key, jsonBody(`{"status":"x","scheduled_at":"`+at(time.Hour)+`"}`)); rec.Code != http.StatusUnprocessableEntity && rec.Code != http.StatusBadRequest {
			t.Errorf("Idempotency-Key %s: %d %s", name, rec.Code, rec.Body)
		}
	}
	wantError(t, e.do(http.MethodDelete, "/api/v1/media/"+a, alice, "", nil), http.StatusUnprocessableEntity)
	if l := decodeList(t, e.get("/api/v1/scheduled_statuses", alice)); len(l) != 2 {
		t.Fatalf("%d scheduled after the bad input, want 2", len(l))
	}

	// Cancelling frees the media: they may be posted now.
	wantStatus(t, e.do(http.MethodDelete, "/api/v1/scheduled_statuses/"+given["id"].(string), alice, "", nil), http.StatusOK)
	wantStatus(t, e.postForm("/api/v1/statuses", alice, url.Values{"status": {"c now"}, "media_ids[]": {c}}), http.StatusOK)

	// A day later than the uploads the clean-up keeps the reserved ones;
	// publication attaches them in order, with the account's defaults.
	e.advance(social.UnattachedMediaTTL + time.Minute)
	if _, err := e.svc.PruneMedia(ctx); err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{a, b} {
		if m, err := st.GetMediaAttachmentByID(ctx, mustID(t, id)); err != nil || m.ScheduledStatusID != mustID(t, sid) {
			t.Fatalf("reserved upload %s after the clean-up: %+v, %v", id, m, err)
		}
	}
	if n, err := e.svc.PublishScheduled(ctx); err != nil || n != 1 {
		t.Fatalf("publish = %d, %v", n, err)
	}
	sts := decodeList(t, e.get("/api/v1/accounts/"+formatID(aliceAcct.ID)+"/statuses?only_media=true", alice))
	if len(sts) != 2 || sts[0]["visibility"] != "public" {
		t.Fatalf("published = %v", sts)
	}
	if got := sts[0]["media_attachments"].([]any); len(got) != 2 || got[0].(map[string]any)["id"] != b || got[1].(map[string]any)["id"] != a {
		t.Fatalf("published media = %v", got)
	}
	for _, id := range []string{a, b} {
		if m, err := st.GetMediaAttachmentByID(ctx, mustID(t, id)); err != nil || m.ScheduledStatusID != 0 || m.StatusID == 0 {
			t.Errorf("upload %s after publication: %+v, %v", id, m, err)
		}
	}
	// The key died with the scheduled status: the same request schedules anew.
	wantStatus(t, schedule("k1", jsonBody(`{"status":"new","scheduled_at":"`+at(time.Hour)+`"}`)), http.StatusOK)

	// Concurrent retries with one key schedule one status, and all get it.
	before := len(decodeList(t, e.get("/api/v1/scheduled_statuses", alice)))
	var (
		wg  sync.WaitGroup
		mu  sync.Mutex
		got = map[string]int{}
	)
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rec := schedule("racing", jsonBody(`{"status":"raced","scheduled_at":"`+at(2*time.Hour)+`"}`))
			mu.Lock()
			defer mu.Unlock()
			if rec.Code != http.StatusOK {
				t.Errorf("racing retry: %d %s", rec.Code, rec.Body)
				return
			}
			got[decodeObject(t, rec)["id"].(string)]++
		}()
	}
	wg.Wait()
	if len(got) != 1 {
		t.Errorf("8 concurrent retries with one key scheduled %v", got)
	}
	if after := len(decodeList(t, e.get("/api/v1/scheduled_statuses", alice))); after != before+1 {
		t.Errorf("%d scheduled after the racing retries, want %d", after, before+1)
	}
}
