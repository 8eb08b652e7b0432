package main

import (
	"encoding/json"
	"math"
	"os"
	"strings"
	"testing"
)

func TestFitLine(t *testing.T) {
	slope, base := fitLine([]int{1, 100, 400, 1000}, []float64{1003, 1300, 2200, 4000})
	if math.Abs(slope-3) > 1e-9 || math.Abs(base-1000) > 1e-9 {
		t.Fatalf("fitLine = %v, %v; want 3, 1000", slope, base)
	}
}

func TestParseLevels(t *testing.T) {
	if got, err := parseLevels("1, 100,400"); err != nil || len(got) != 3 || got[2] != 400 {
		t.Fatalf("parseLevels = %v, %v", got, err)
	}
	for _, bad := range []string{"", "0", "100,1", "1,1", "x"} {
		if _, err := parseLevels(bad); err == nil {
			t.Errorf("parseLevels(%q) accepted", bad)
		}
	}
}

// TestStreamEndToEnd runs the real server with a few listeners: every
// listener must receive every posted status (the harness checks), and the
// lines must carry the figures.
func TestStreamEndToEnd(t *testing.T) {
	bin := os.Getenv("STARLING_TEST_BIN")
	if bin == "" {
		t.Skip("STARLING_TEST_BIN not set: run `make test`, which builds bin/starling first")
	}
	code, stdout, stderr := runCmd(t, "stream", "--server", bin, "--listeners", "1,3", "--signed-in", "1",
		"--events", "3", "--rounds", "2")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	lines := strings.Split(strings.TrimSpace(stdout), "\n")
	if len(lines) != 3 {
		t.Fatalf("want 2 level lines and a fit line, got:\n%s", stdout)
	}
	for i, l := range lines {
		var r streamResult
		if err := json.Unmarshal([]byte(l), &r); err != nil {
			t.Fatal(err)
		}
		switch {
		case i < 2 && (r.Op != "listeners" || r.Delivered != int64(r.Listeners*3*2) || r.CPUPerEventMedian <= 0 || r.FrameBytes <= 0):
			t.Errorf("level line %s", l)
		case i == 2 && (r.Op != "fit" || r.PerListenerUs == nil || r.FloorWriteUs == nil || *r.FloorWriteUs <= 0 || r.Commit == ""):
			t.Errorf("fit line %s", l)
		}
	}
	if code, _, _ := runCmd(t, "stream", "--listeners", "5,2"); code != 2 {
		t.Errorf("descending listeners: exit %d, want 2", code)
	}
}
