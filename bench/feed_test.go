package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/redis/go-redis/v9"

	"github.com/starling-social/starling/go/store"
)

// writeEdges writes a tiny github-social-graph style edges.csv: a star
// around account 0 (its hub) plus a ring.
func writeEdges(t *testing.T, n int) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "edges.csv")
	var b strings.Builder
	b.WriteString("id_1,id_2\n")
	for i := 1; i < n; i++ {
		fmt.Fprintf(&b, "0,%d\n", i)
		if i+1 < n {
			fmt.Fprintf(&b, "%d,%d\n", i, i+1)
		}
	}
	if err := os.WriteFile(p, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestFeedRunsOnTinyGraphs(t *testing.T) {
	edges := writeEdges(t, 60)
	code, stdout, stderr := runCmd(t, "feed", "--graphs", "github,powerlaw", "--github-edges", edges,
		"--users", "300", "--seed-statuses", "200", "--posts", "50", "--reads", "40", "--built", "100",
		"--top-authors", "1", "--top-posts", "3", "--celebrity-threshold", "50", "--sweep", "5,1000")
	if code != 0 {
		t.Fatalf("feed: exit %d\n%s", code, stderr)
	}
	var rows []feedResult
	sc := bufio.NewScanner(strings.NewReader(stdout))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var r feedResult
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			t.Fatalf("decode %q: %v", sc.Text(), err)
		}
		rows = append(rows, r)
	}
	if len(rows) != 2*5 { // per graph: 3 strategies + 2 sweep thresholds
		t.Fatalf("got %d lines, want 10:\n%s", len(rows), stdout)
	}
	for _, r := range rows {
		switch {
		case r.Posts != 50 || r.TopPosts != 3 || r.HomeReads != 40:
			t.Errorf("%s %s: counts %+v", r.Graph, r.Strategy, r)
		case r.ReadP50US <= 0 || r.ReadP50US > r.ReadP99US || r.PostP50US <= 0 || r.PostP50US > r.PostP99US:
			t.Errorf("%s %s: implausible latencies %+v", r.Graph, r.Strategy, r)
		case r.Strategy == "pull" && (r.Inserts != 0 || r.Rebuilt != 0):
			t.Errorf("%s pull wrote timelines: %+v", r.Graph, r)
		case r.Strategy != "pull" && (r.Rebuilt != min(100, r.Accounts) || r.Entries <= 0 || r.WriteAmp < 1):
			t.Errorf("%s %s: no timelines built or written: %+v", r.Graph, r.Strategy, r)
		}
	}
	// The github hub (account 0) has 59 followers: push writes each of its
	// posts (3 top posts, and any random ones) to 60 homes, hybrid with
	// threshold 50 to its own home and its author timeline: 58 fewer.
	byKey := map[string]feedResult{}
	for _, r := range rows {
		byKey[r.Graph+"/"+r.Bench+"/"+r.Strategy+fmt.Sprint(r.Threshold)] = r
	}
	push, hybrid := byKey["github/feed/push0"], byKey["github/feed/hybrid50"]
	if d := push.Inserts - hybrid.Inserts; push.TopAuthors[0] != 59 || d < 3*58 || d%58 != 0 {
		t.Errorf("hub posts: push %d inserts, hybrid %d; want a difference of at least 3x58, a multiple of 58", push.Inserts, hybrid.Inserts)
	}
	if pl := byKey["powerlaw/feed/push0"]; pl.MaxFollowers != 300 || pl.Accounts != 301 {
		t.Errorf("power-law graph: %d accounts, top author %d followers; want 301 and 300", pl.Accounts, pl.MaxFollowers)
	}
	for _, args := range [][]string{
		{"--strategies", "fanout"},
		{"--graphs", "twitter"},
		{"--posts", "0"},
		{"--sweep", "0"},
		{"--github-edges", filepath.Join(t.TempDir(), "missing.csv"), "--graphs", "github"},
	} {
		if code, _, _ := runCmd(t, append([]string{"feed"}, args...)...); code != 2 {
			t.Errorf("feed %v: exit %d, want 2", args, code)
		}
	}
}

// The graph store answers ListStatuses as SQL does: newest first within
// the page's bounds, limited, of the given authors only.
func TestGraphStorePages(t *testing.T) {
	g := newFollowGraph(3)
	s := newGraphStore(g)
	for id := int64(1); id <= 9; id++ {
		s.add(&store.Status{ID: id, AccountID: id%3 + 1, Visibility: store.VisibilityPublic})
	}
	vis := []store.Visibility{store.VisibilityPublic}
	for _, tc := range []struct {
		page store.Page
		want []int64
	}{
		// Authors 2 and 3 wrote 1, 2, 4, 5, 7 and 8.
		{store.Page{Limit: 3}, []int64{8, 7, 5}},
		{store.Page{Limit: 10, MaxID: 8}, []int64{7, 5, 4, 2, 1}},
		{store.Page{Limit: 10, SinceID: 5}, []int64{8, 7}},
		{store.Page{Limit: 2, MinID: 2}, []int64{5, 4}},
	} {
		sts, err := s.ListStatuses(context.Background(), store.StatusQuery{AccountIDs: []int64{2, 3}, Visibilities: vis, Page: tc.page})
		if err != nil {
			t.Fatal(err)
		}
		var got []int64
		for _, st := range sts {
			got = append(got, st.ID)
		}
		if fmt.Sprint(got) != fmt.Sprint(tc.want) {
			t.Errorf("%+v: got %v, want %v", tc.page, got, tc.want)
		}
	}
}

// On the real Redis (STARLING_TEST_REDIS): push and hybrid write their
// timelines there, the raw ZADD rate is measured beside them, and the
// bench's keys are gone afterwards.
func TestFeedOnRedis(t *testing.T) {
	url := os.Getenv("STARLING_TEST_REDIS")
	if url == "" {
		t.Skip("STARLING_TEST_REDIS is not set")
	}
	opt, err := redis.ParseURL(url)
	if err != nil {
		t.Fatal(err)
	}
	rdb := redis.NewClient(opt)
	defer rdb.Close()
	edges := writeEdges(t, 40)
	code, stdout, stderr := runCmd(t, "feed", "--graphs", "github", "--github-edges", edges, "--redis", url,
		"--strategies", "push,hybrid", "--celebrity-threshold", "30", "--seed-statuses", "100", "--posts", "20",
		"--reads", "20", "--built", "40", "--top-authors", "1", "--top-posts", "2", "--sweep", "", "--raw-zadd-requests", "10000")
	if code != 0 {
		t.Fatalf("feed --redis: exit %d\n%s", code, stderr)
	}
	var redisRows int
	for _, line := range strings.Split(strings.TrimSpace(stdout), "\n") {
		var r feedResult
		if err := json.Unmarshal([]byte(line), &r); err != nil {
			t.Fatalf("decode %q: %v", line, err)
		}
		if r.Store != "redis" {
			continue
		}
		redisRows++
		if r.Rebuilt != 40 || r.Timelines != 40 || r.Entries <= 0 || r.RawZaddPerS <= 0 || r.FanoutShare <= 0 || r.PostErrors != 0 ||
			r.RedisCPUUSPerInsert <= 0 || r.RawZaddRedisCPUUS <= 0 {
			t.Errorf("%s on redis: %+v", r.Strategy, r)
		}
	}
	if redisRows != 2 {
		t.Fatalf("%d redis lines, want 2:\n%s", redisRows, stdout)
	}
	keys, err := rdb.Keys(context.Background(), "starling-bench-feed:*").Result()
	if err != nil || len(keys) > 0 {
		t.Errorf("bench keys left behind: %v (%v)", keys, err)
	}
}
