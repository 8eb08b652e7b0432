package e2e

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// TestFeedCrashDrill: sustained posting through the real binary (hybrid
// strategy, one author over the celebrity threshold; every status
// delivered after its acknowledgement, by the delivery workers), kill -9
// while statuses are being committed and fanned out, restart on the same data:
// every acknowledged status is in every follower's home exactly once,
// before and after the outbox relay redelivers what the dead process left.
func TestFeedCrashDrill(t *testing.T) { crashDrill(t, t.TempDir()) }

// TestFeedCrashDrillPostgres is the drill on the real PostgreSQL.
func TestFeedCrashDrillPostgres(t *testing.T) {
	crashDrill(t, t.TempDir(), "--db", freshPostgresSchema(t))
}

func crashDrill(t *testing.T, dataDir string, extra ...string) {
	args := append([]string{"--feed-strategy", "hybrid", "--celebrity-threshold", "3", "--rate-limit", "0",
		"--inline-audience", "0"}, extra...)
	s := startServer(t, dataDir, args...)
	_, appTok := newApp(t, s)
	authors := make([]string, 3)
	authorIDs := make([]string, 3)
	for i := range authors {
		authors[i] = register(t, s, appTok, fmt.Sprintf("author%d", i))
		var a account
		s.must(s.do("GET", "/api/v1/accounts/verify_credentials", authors[i], nil), http.StatusOK).decode(t, &a)
		authorIDs[i] = a.ID
	}
	// Every follower follows author0 (4 followers: a celebrity, merged at
	// read time); author1 and author2 have two each (pushed).
	followers := make([]string, 4)
	follows := make([][]int, 4)
	for i := range followers {
		followers[i] = register(t, s, appTok, fmt.Sprintf("follower%d", i))
		follows[i] = []int{0, 1 + i/2}
		for _, a := range follows[i] {
			s.must(s.do("POST", "/api/v1/accounts/"+authorIDs[a]+"/follow", followers[i], nil), http.StatusOK)
		}
		homeIDs(t, s, followers[i]) // builds the cached home: fan-out writes into it
	}

	acked := make([][]string, len(authors)) // each poster appends to its own, read after wg.Wait
	var (
		wg    sync.WaitGroup
		nAcks atomic.Int64
	)
	client := &http.Client{Timeout: 10 * time.Second}
	for i, tok := range authors {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for n := 0; ; n++ {
				req, _ := http.NewRequest("POST", s.base+"/api/v1/statuses",
					strings.NewReader(url.Values{"status": {fmt.Sprintf("drill %d/%d", i, n)}}.Encode()))
				req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
				req.Header.Set("Authorization", "Bearer "+tok)
				resp, err := client.Do(req)
				if err != nil {
					return // the server is gone
				}
				var st status
				err = json.NewDecoder(resp.Body).Decode(&st)
				resp.Body.Close()
				if err != nil || resp.StatusCode != http.StatusOK {
					return
				}
				acked[i] = append(acked[i], st.ID)
				nAcks.Add(1)
			}
		}()
	}
	// Kill once the posting is well under way, readers reading too.
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		homeIDs(t, s, followers[0])
		if nAcks.Load() >= 60 {
			break
		}
	}
	if err := s.cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	<-s.exited
	wg.Wait()
	total := 0
	for _, a := range acked {
		total += len(a)
	}
	if total < 30 {
		t.Fatalf("only %d statuses acknowledged before the kill: no sustained posting", total)
	}

	s = startServer(t, dataDir, args...)
	check := func(when string) {
		t.Helper()
		for i, tok := range followers {
			got := homeIDs(t, s, tok)
			count := map[string]int{}
			for _, id := range got {
				count[id]++
			}
			for id, c := range count {
				if c > 1 {
					t.Fatalf("%s: follower%d's home holds %s %d times", when, i, id, c)
				}
			}
			for _, a := range follows[i] {
				for _, id := range acked[a] {
					if count[id] != 1 {
						t.Fatalf("%s: follower%d's home lacks acknowledged status %s of author%d", when, i, id, a)
					}
				}
			}
		}
	}
	check("after restart")
	// The relay claims what the dead process left once its lease has run
	// out (10 s); homes must be unchanged by the redelivery.
	time.Sleep(12 * time.Second)
	check("after the relay")
	t.Logf("%d statuses acknowledged before kill -9; relay: %v", total,
		strings.Contains(s.logs.String(), "outbox: delivered pending statuses"))
}

// homeIDs reads a whole home timeline, 40 a page, following max_id.
func homeIDs(t *testing.T, s *server, token string) []string {
	t.Helper()
	var out []string
	target := "/api/v1/timelines/home?limit=40"
	for range 200 {
		var page []status
		s.must(s.do("GET", target, token, nil), http.StatusOK).decode(t, &page)
		if len(page) == 0 {
			return out
		}
		out = append(out, ids(page)...)
		target = "/api/v1/timelines/home?limit=40&max_id=" + page[len(page)-1].ID
	}
	t.Fatal("home timeline did not end within 200 pages")
	return nil
}
