package policy

import (
	"bytes"
	"log/slog"
	"strings"
	"testing"

	"github.com/hashicorp/go-hclog"
)

func TestSlogHCLogger(t *testing.T) {
	var buf bytes.Buffer
	l := newHCLogger(slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelInfo})))

	if got := l.GetLevel(); got != hclog.Info {
		t.Errorf("GetLevel = %v, want info (so go-plugin skips debug lines)", got)
	}
	if l.IsDebug() || !l.IsWarn() {
		t.Error("IsDebug/IsWarn disagree with the handler's level")
	}

	named := l.Named("stderr").Named("wordfilter").With("k", "v")
	named.Warn("plugin said", "x", 1)
	named.Debug("dropped")
	out := buf.String()
	for _, s := range []string{"level=WARN", `msg="plugin said"`, "logger=stderr.wordfilter", "k=v", "x=1"} {
		if !strings.Contains(out, s) {
			t.Errorf("log %q lacks %q", out, s)
		}
	}
	if strings.Count(out, "logger=") != 1 {
		t.Errorf("name repeated: %q", out)
	}
	if strings.Contains(out, "dropped") {
		t.Errorf("debug line written at info level: %q", out)
	}
	if named.Name() != "stderr.wordfilter" {
		t.Errorf("Name = %q", named.Name())
	}
}

func TestPluginLogLevel(t *testing.T) {
	for _, tt := range []struct {
		level slog.Level
		want  string
	}{
		{levelTrace, "trace"},
		{slog.LevelDebug, "debug"},
		{slog.LevelInfo, "info"},
		{slog.LevelError, "error"},
	} {
		l := slog.New(slog.NewTextHandler(&bytes.Buffer{}, &slog.HandlerOptions{Level: tt.level}))
		if got := pluginLogLevel(l); got != tt.want {
			t.Errorf("level %v: got %q, want %q", tt.level, got, tt.want)
		}
	}
}
