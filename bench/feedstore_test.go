package main

import (
	"encoding/json"
	"os"
	"strings"
	"testing"
)

// TestFeedStoreRuns runs `feed store` small, on the in-process store and,
// when STARLING_TEST_REDIS is set, on Redis: every timeline is built with
// its IDs, memory per entry is measured, fan-outs and reads are counted.
func TestFeedStoreRuns(t *testing.T) {
	args := []string{"feed", "store", "--users", "500", "--entries", "7", "--timeline-cap", "20", "--posts", "30",
		"--fanout", "40", "--reads", "100", "--raw-zadd-requests", "1000"}
	want := []string{"memory"}
	if url := os.Getenv("STARLING_TEST_REDIS"); url != "" {
		args = append(args, "--stores", "memory,redis", "--redis", url)
		want = append(want, "redis")
	}
	code, stdout, stderr := runCmd(t, args...)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	lines := strings.Split(strings.TrimSpace(stdout), "\n")
	if len(lines) != len(want) {
		t.Fatalf("%d lines, want %d:\n%s", len(lines), len(want), stdout)
	}
	for i, l := range lines {
		var r feedStoreResult
		if err := json.Unmarshal([]byte(l), &r); err != nil {
			t.Fatal(err)
		}
		switch {
		case r.Store != want[i] || r.Bench != "feed-store":
			t.Errorf("line %d: store %q bench %q, want %q", i, r.Store, r.Bench, want[i])
		case r.Timelines != 500 || r.Entries != 500*7:
			t.Errorf("%s: %d timelines, %d entries; want 500 and 3500", r.Store, r.Timelines, r.Entries)
		case r.BytesPerEntry <= 0 || r.BuildsPerS <= 0 || r.InsertsPerS <= 0:
			t.Errorf("%s: nothing measured: %s", r.Store, l)
		case r.Posts != 30 || r.Fanout != 40 || r.Reads != 100 || r.ReadP50US <= 0 || r.ReadP50US > r.ReadP99US:
			t.Errorf("%s: counts or latencies: %s", r.Store, l)
		case r.Store == "redis" && r.RawZaddPerS <= 0:
			t.Errorf("redis line lacks the raw ZADD rate: %s", l)
		}
	}
	for _, bad := range [][]string{
		{"feed", "store", "--users", "0"},
		{"feed", "store", "--stores", "disk"},
		{"feed", "store", "--stores", "redis"}, // no --redis
		{"feed", "store", "extra"},
	} {
		if code, _, _ := runCmd(t, bad...); code != 2 {
			t.Errorf("%q: exit %d, want 2", bad, code)
		}
	}
}
