package e2e

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// TestScheduledCrashDrillPostgres: two real server processes on one
// PostgreSQL publish the same due scheduled statuses; one is killed -9
// while publishing, with claims of its own outstanding. Every scheduled
// status is published exactly once (after the dead one's lease), none
// is left, and the restarted process publishes nothing again.
func TestScheduledCrashDrillPostgres(t *testing.T) {
	db := freshPostgresSchema(t)
	args := []string{"--db", db, "--rate-limit", "0", "--scheduler-interval", "20ms", "--scheduler-lease", "3s"}
	a := startServer(t, t.TempDir(), args...)
	b := startServer(t, t.TempDir(), args...)
	_, appTok := newApp(t, a)
	tok := register(t, a, appTok, "planner")
	var me account
	a.must(a.do("GET", "/api/v1/accounts/verify_credentials", tok, nil), http.StatusOK).decode(t, &me)

	const n = 120 // over the days of Mastodon's daily cap (25)
	start := time.Now().UTC().Add(time.Hour)
	for i := range n {
		at := start.AddDate(0, 0, i/20).Add(time.Duration(i) * time.Second).Format(time.RFC3339)
		a.must(a.do("POST", "/api/v1/statuses", tok, url.Values{"status": {fmt.Sprintf("scheduled #%d#", i)},
			"scheduled_at": {at}}), http.StatusOK)
	}
	// Time passes: the test makes them all due at once (the rule that they
	// are at least 5 minutes ahead holds only when scheduling).
	ctx := context.Background()
	u, err := url.Parse(db)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	for k := range q {
		if strings.HasPrefix(k, "pool_") { // pgxpool's, not PostgreSQL's
			q.Del(k)
		}
	}
	u.RawQuery = q.Encode()
	conn, err := pgx.Connect(ctx, u.String())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	left := func() int {
		var c int
		if err := conn.QueryRow(ctx, `SELECT count(*) FROM scheduled_statuses`).Scan(&c); err != nil {
			t.Fatal(err)
		}
		return c
	}
	if _, err := conn.Exec(ctx, `UPDATE scheduled_statuses SET scheduled_at = now() - interval '1 second'`); err != nil {
		t.Fatal(err)
	}
	// Kill a once publishing is under way, before it is done.
	deadline := time.Now().Add(30 * time.Second)
	for left() == n && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond)
	}
	if err := a.cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	<-a.exited
	atKill := left()
	if atKill == n {
		t.Fatal("nothing was published within 30s")
	}

	// b publishes the rest, a's claims after their lease.
	deadline = time.Now().Add(30 * time.Second)
	for left() > 0 && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
	}
	if c := left(); c != 0 {
		t.Fatalf("%d scheduled statuses left 30s after the kill", c)
	}
	a = startServer(t, t.TempDir(), args...)
	time.Sleep(500 * time.Millisecond) // a few scheduler passes of the restarted process

	count := map[int]int{}
	target := "/api/v1/accounts/" + me.ID + "/statuses?limit=40"
	for range 20 {
		var page []status
		b.must(b.do("GET", target, tok, nil), http.StatusOK).decode(t, &page)
		if len(page) == 0 {
			break
		}
		for _, st := range page {
			var i int
			if _, err := fmt.Sscanf(st.Content[strings.Index(st.Content, "#"):], "#%d#", &i); err != nil {
				t.Fatalf("status %q: %v", st.Content, err)
			}
			count[i]++
		}
		target = "/api/v1/accounts/" + me.ID + "/statuses?limit=40&max_id=" + page[len(page)-1].ID
	}
	for i := range n {
		if count[i] != 1 {
			t.Errorf("scheduled status %d published %d times", i, count[i])
		}
	}
	t.Logf("%d of %d published when a was killed", n-atKill, n)
}
