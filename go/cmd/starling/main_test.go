package main

import (
	"bytes"
	"errors"
	"strings"
	"testing"
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
		lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
		if len(lines) != 3 {
			t.Fatalf("%s: %d lines, want 3", format, len(lines))
		}
		for _, l := range lines[:2] {
			if len(l) > 2*maxLogValue || !utf8.ValidString(l) || !strings.Contains(l, "bytes truncated") {
				t.Errorf("%s: line of %d bytes (valid UTF-8: %v): %.100s…", format, len(l), utf8.ValidString(l), l)
			}
		}
		if !strings.Contains(lines[2], "/api/v1/instance") || strings.Contains(lines[2], "truncated") {
			t.Errorf("%s: a short value was changed: %s", format, lines[2])
		}
	}
}
