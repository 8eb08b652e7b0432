package main

import (
	"encoding/xml"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestChartFromFeedLines draws the charts from feed, feed-crossover and
// feed-store lines (other benches' lines skipped): each file is
// well-formed XML with a bar or point per measured value, and a group
// given twice keeps its last line.
func TestChartFromFeedLines(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dir, "results.jsonl")
	lines := []string{
		`{"bench":"feed","graph":"github","accounts":37700,"strategy":"pull","store":"memory","post_p50_us":1,"post_p99_us":7,"top_post_p99_us":16,"read_p50_us":3,"read_p99_us":137,"write_amplification":0}`,
		`{"bench":"feed","graph":"github","accounts":37700,"strategy":"push","store":"memory","post_p50_us":99,"post_p99_us":99,"read_p50_us":99,"read_p99_us":99,"write_amplification":1,"timeline_inserts_per_s":1,"bytes_per_entry":1}`,
		`{"bench":"feed","graph":"github","accounts":37700,"strategy":"push","store":"memory","post_p50_us":10,"post_p99_us":3000,"top_post_p99_us":193000,"read_p50_us":4,"read_p99_us":24,"write_amplification":393,"timeline_inserts_per_s":158000,"bytes_per_entry":16.2}`,
		`{"bench":"feed","graph":"github","accounts":37700,"strategy":"push","store":"redis","post_p50_us":860,"post_p99_us":47000,"top_post_p99_us":2500000,"read_p50_us":105,"read_p99_us":319,"write_amplification":393,"timeline_inserts_per_s":14600,"raw_zadd_per_s":32000,"bytes_per_entry":69.5}`,
		`{"bench":"ann","recall_at_10":0.9}`,
		`{"bench":"feed-crossover","graph":"github","accounts":37700,"strategy":"hybrid","store":"memory","threshold":100,"cost_per_post_us":164,"write_amplification":11.3}`,
		`{"bench":"feed-crossover","graph":"github","accounts":37700,"strategy":"hybrid","store":"memory","threshold":1000000000,"cost_per_post_us":2999,"write_amplification":393}`,
		`{"bench":"feed-store","store":"memory","timelines":1000000,"bytes_per_entry":16.4,"timeline_inserts_per_s":312748}`,
	}
	if err := os.WriteFile(in, []byte(strings.Join(lines, "\n")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "charts")
	code, _, stderr := runCmd(t, "chart", "--in", in, "--out", out)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	want := map[string][]string{
		"feed-post-latency.svg":        {"github 37.7k push/redis, most followed authors&apos; post p99: 2.5 s", "github 37.7k push/memory, post p99: 3 ms", "github 37.7k pull, post p50: 1 µs"},
		"feed-read-latency.svg":        {"github 37.7k push/memory, read p99: 24 µs"},
		"feed-write-amplification.svg": {"github 37.7k push/redis, write amplification: 393"},
		"feed-fanout-rate.svg":         {"github 37.7k push/redis, redis-benchmark ZADD -P 16 /s: 32k", "store alone 1M, memory, fan-out inserts/s: 313k"},
		"feed-memory.svg":              {"github 37.7k push/redis, bytes per entry: 69.5", "store alone 1M, memory, bytes per entry: 16.4"},
		"feed-crossover.svg":           {"github 37.7k: 100, 164", "github 37.7k: 1G, 3k"},
		"feed-crossover-write-amp.svg": {"github 37.7k: 100, 11.3"},
	}
	entries, err := os.ReadDir(out)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != len(want) {
		t.Errorf("%d files, want %d", len(entries), len(want))
	}
	for name, titles := range want {
		b, err := os.ReadFile(filepath.Join(out, name))
		if err != nil {
			t.Fatal(err)
		}
		d := xml.NewDecoder(strings.NewReader(string(b)))
		for {
			if _, err := d.Token(); err == io.EOF {
				break
			} else if err != nil {
				t.Fatalf("%s: not well-formed: %v", name, err)
			}
		}
		for _, title := range titles {
			if !strings.Contains(string(b), "<title>"+title+"</title>") {
				t.Errorf("%s lacks %q", name, title)
			}
		}
		if strings.Contains(string(b), ": 99") || strings.Contains(string(b), "99 µs") {
			t.Errorf("%s draws the superseded push/memory line", name)
		}
	}
	// The push line was given twice: one group only.
	b, _ := os.ReadFile(filepath.Join(out, "feed-write-amplification.svg"))
	if n := strings.Count(string(b), "github 37.7k push/memory, write amplification"); n != 1 {
		t.Errorf("push/memory drawn %d times", n)
	}

	bad := filepath.Join(dir, "bad.jsonl")
	os.WriteFile(bad, []byte("{\"bench\":\"feed\"\n"), 0o644)
	none := filepath.Join(dir, "none.jsonl")
	os.WriteFile(none, []byte(lines[4]+"\n"), 0o644)
	for _, args := range [][]string{
		{"chart"}, // no --in
		{"chart", "--in", filepath.Join(dir, "x")}, // missing file
		{"chart", "--in", bad},                     // malformed line
		{"chart", "--in", none},                    // nothing to chart
	} {
		if code, _, _ := runCmd(t, args...); code != 2 {
			t.Errorf("%q: exit %d, want 2", args, code)
		}
	}
}
