package main

import (
	"bytes"
	"errors"
	"runtime/debug"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

// TestLogValuesBounded logs request-sized values of each kind that carries
// request content; every line stays bounded, valid UTF-8, and says how much
// was cut.
func TestLogValuesBounded(t *testing.T) {
	big := strings.Repeat("é", 100_000) // 200 KB, two bytes a rune
	for _, format := range []string{"text", "json"} {
		var buf bytes.Buffer
		log := newLogger(&buf, format, "info")
		log.Info("request", "path", big)
		log.Error("request failed", "err", errors.New("sqlite: search "+big))
		log.Info("short", "path", "/api/v1/instance")
		log.Warn("kinds", "status", 200, "duration", 1500*time.Microsecond, "at", time.Date(2026, 12, 6, 0, 0, 0, 0, time.UTC))
		lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
		if len(lines) != 4 {
			t.Fatalf("%s: %d lines, want 4", format, len(lines))
		}
		for _, l := range lines[:2] {
			if len(l) > 2*maxLogValue || !utf8.ValidString(l) || !strings.Contains(l, "bytes truncated") {
				t.Errorf("%s: line of %d bytes (valid UTF-8: %v): %.100s…", format, len(l), utf8.ValidString(l), l)
			}
		}
		if !strings.Contains(lines[2], "/api/v1/instance") || strings.Contains(lines[2], "truncated") {
			t.Errorf("%s: a short value was changed: %s", format, lines[2])
		}
		// Values that pass through untouched keep their kind's rendering,
		// and the level reads as before.
		want := map[string][]string{
			"json": {`"level":"WARN"`, `"status":200`, `"duration":1500000`, `"at":"2026-12-06T00:00:00Z"`},
			"text": {`level=WARN`, `status=200`, `duration=1.5ms`, `at=2026-12-06T00:00:00.000Z`},
		}[format]
		for _, w := range want {
			if !strings.Contains(lines[3], w) {
				t.Errorf("%s: %q missing from %s", format, w, lines[3])
			}
		}
	}
}

func TestVersionNamesTheCommit(t *testing.T) {
	for _, tc := range []struct {
		settings []debug.BuildSetting
		want     string
	}{
		{nil, "starling " + version},
		{[]debug.BuildSetting{{Key: "vcs.revision", Value: "abc123"}, {Key: "vcs.modified", Value: "false"}},
			"starling " + version + " (commit abc123)"},
		{[]debug.BuildSetting{{Key: "vcs.modified", Value: "true"}, {Key: "vcs.revision", Value: "abc123"}},
			"starling " + version + " (commit abc123+dirty)"},
		{[]debug.BuildSetting{{Key: "vcs.modified", Value: "true"}}, "starling " + version},
	} {
		if got := versionWith(tc.settings); got != tc.want {
			t.Errorf("versionWith(%v) = %q, want %q", tc.settings, got, tc.want)
		}
	}
}
