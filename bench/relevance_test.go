package main

import (
	"compress/gzip"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// writePosts writes a tiny posts.tsv.gz in short-posts-en's format: n
// posts per topic word of the first clusters topics.
func writePosts(t *testing.T, clusters, n int) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "posts.tsv.gz")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	zw := gzip.NewWriter(f)
	fmt.Fprintf(zw, "row\tsource\ttext\n")
	row := 0
	for c := range clusters {
		for i := range n {
			fmt.Fprintf(zw, "%d\ttest\tpost %d about the %s number %d\n", row, row, topicWords[c], i)
			row++
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestRelevanceEndToEnd generates a log with planted clusters, writes it,
// replays the written files, and checks the four methods are reported and
// that the replay reads the same log (events, users): the file
// format round-trips. On planted clusters, For you must beat popularity
// and random by far (the structure is there to learn).
func TestRelevanceEndToEnd(t *testing.T) {
	posts := writePosts(t, 4, 60)
	dir := filepath.Join(t.TempDir(), "log")
	gen := []string{"relevance", "--posts", posts, "--users", "200", "--clusters", "4", "--per-cluster", "50",
		"--events", "15", "--write", dir, "--factors", "8"}
	code, stdout, stderr := runCmd(t, gen...)
	if code != 0 {
		t.Fatalf("exit %d, stderr:\n%s", code, stderr)
	}
	generated := relevanceScores(t, stdout)
	code, stdout, stderr = runCmd(t, "relevance", "--log", filepath.Join(dir, "log.csv"), "--items", filepath.Join(dir, "items.tsv"), "--factors", "8")
	if code != 0 {
		t.Fatalf("replay: exit %d, stderr:\n%s", code, stderr)
	}
	replayed := relevanceScores(t, stdout)
	for _, m := range []string{"random", "popularity", "item_knn", "for_you"} {
		if _, ok := generated[m]; !ok {
			t.Errorf("no %s result in %s", m, stdout)
		}
	}
	if generated["sizes"] != replayed["sizes"] {
		t.Errorf("replayed log differs: generated %v, replayed %v", generated, replayed)
	}
	if generated["for_you"] < 1.5*generated["popularity"] || generated["for_you"] < 5*generated["random"] {
		t.Errorf("for_you HitRate@10 %v, want far above popularity %v and random %v", generated["for_you"], generated["popularity"], generated["random"])
	}
}

func relevanceScores(t *testing.T, stdout string) map[string]float64 {
	t.Helper()
	out := map[string]float64{}
	for _, line := range strings.Split(strings.TrimSpace(stdout), "\n") {
		var r relevanceResult
		if err := json.Unmarshal([]byte(line), &r); err != nil {
			t.Fatalf("not JSON: %v\n%s", err, line)
		}
		out[r.Method] = r.HitRate10
		out["sizes"] = float64(r.Events*1e3 + r.Users) // items: a generated post no one touched is not in the file
	}
	return out
}

func TestRelevanceBadInput(t *testing.T) {
	for _, args := range [][]string{
		{"relevance", "--log", "/nonexistent.csv", "--items", "/nonexistent.tsv"},
		{"relevance", "--log", "x.csv"},
		{"relevance", "--users", "0"},
		{"relevance", "--noise", "2"},
		{"relevance", "--posts", "/nonexistent.gz"},
		{"relevance", "--split", "train"},
		{"relevance", "--methods", "random,oracle"},
	} {
		if code, _, _ := runCmd(t, args...); code != 2 {
			t.Errorf("%v: exit %d, want 2", args, code)
		}
	}
}

// The validation split never trains on, nor holds out, a user's last
// interaction: weights tuned there have not seen the test items.
func TestLeaveLastOutValidation(t *testing.T) {
	l := &relLog{}
	for u := range 3 {
		for k := range 4 {
			l.events = append(l.events, event{user: u, item: 10*u + k, ts: int64(100 - k)}) // logged newest first
		}
	}
	l.events = append(l.events, event{user: 3, item: 99, ts: 1}, event{user: 3, item: 98, ts: 2})
	train, test := leaveLastOut(l, false)
	if test[1] != 10 || !slices.Equal(train[1], []int{13, 12, 11}) {
		t.Fatalf("test split: held out %d, trained on %v", test[1], train[1])
	}
	train, test = leaveLastOut(l, true)
	if test[1] != 11 || !slices.Equal(train[1], []int{13, 12}) {
		t.Fatalf("validation split: held out %d, trained on %v; want 11 held out, the last (10) nowhere", test[1], train[1])
	}
	if _, ok := test[3]; ok || !slices.Equal(train[3], []int{99}) {
		t.Fatalf("a user with 2 interactions in the validation split: test %v, train %v; want nothing held out", test, train[3])
	}
}

// --sweep gives one line per grid point, each with its weights, on the
// validation split.
func TestRelevanceSweep(t *testing.T) {
	posts := writePosts(t, 2, 40)
	code, stdout, stderr := runCmd(t, "relevance", "--posts", posts, "--users", "40", "--clusters", "2", "--per-cluster", "30",
		"--events", "8", "--factors", "4", "--split", "validation", "--methods", "for_you", "--sweep")
	if code != 0 {
		t.Fatalf("exit %d, stderr:\n%s", code, stderr)
	}
	lines := strings.Split(strings.TrimSpace(stdout), "\n")
	if len(lines) != len(sweepGrid()) {
		t.Fatalf("%d lines, want %d", len(lines), len(sweepGrid()))
	}
	var r relevanceResult
	if err := json.Unmarshal([]byte(lines[len(lines)-1]), &r); err != nil {
		t.Fatal(err)
	}
	if r.Method != "for_you" || r.Split != "validation" || r.Weights == nil || *r.Weights != sweepGrid()[len(lines)-1] {
		t.Fatalf("last line %+v", r)
	}
}
