package policy

import (
	"context"
	"io"
	"log"
	"log/slog"

	"github.com/hashicorp/go-hclog"
)

// slogHCLogger is an hclog.Logger writing to a slog.Logger. go-plugin logs
// through hclog, including every line a plugin writes to stderr (parsed from
// hclog's JSON when it can), so this adapter is how plugin output reaches the
// server's log, with the plugin's level and fields intact.
type slogHCLogger struct {
	base   *slog.Logger // with the implied args, without the name
	logger *slog.Logger // base plus the name, what lines are written to
	name   string
	args   []any // implied args, for ImpliedArgs
}

var _ hclog.Logger = (*slogHCLogger)(nil)

func newHCLogger(logger *slog.Logger) *slogHCLogger {
	return &slogHCLogger{base: logger, logger: logger}
}

// hclog has a Trace level below Debug; slog has none, so it is mapped the
// way slog's own docs suggest for finer levels.
const levelTrace = slog.LevelDebug - 4

func toSlogLevel(l hclog.Level) slog.Level {
	switch l {
	case hclog.Trace:
		return levelTrace
	case hclog.Debug:
		return slog.LevelDebug
	case hclog.Warn:
		return slog.LevelWarn
	case hclog.Error:
		return slog.LevelError
	default:
		return slog.LevelInfo
	}
}

func (l *slogHCLogger) Log(level hclog.Level, msg string, args ...any) {
	l.logger.Log(context.Background(), toSlogLevel(level), msg, args...)
}

func (l *slogHCLogger) Trace(msg string, args ...any) { l.Log(hclog.Trace, msg, args...) }
func (l *slogHCLogger) Debug(msg string, args ...any) { l.Log(hclog.Debug, msg, args...) }
func (l *slogHCLogger) Info(msg string, args ...any)  { l.Log(hclog.Info, msg, args...) }
func (l *slogHCLogger) Warn(msg string, args ...any)  { l.Log(hclog.Warn, msg, args...) }
func (l *slogHCLogger) Error(msg string, args ...any) { l.Log(hclog.Error, msg, args...) }

func (l *slogHCLogger) enabled(level hclog.Level) bool {
	return l.logger.Enabled(context.Background(), toSlogLevel(level))
}

func (l *slogHCLogger) IsTrace() bool { return l.enabled(hclog.Trace) }
func (l *slogHCLogger) IsDebug() bool { return l.enabled(hclog.Debug) }
func (l *slogHCLogger) IsInfo() bool  { return l.enabled(hclog.Info) }
func (l *slogHCLogger) IsWarn() bool  { return l.enabled(hclog.Warn) }
func (l *slogHCLogger) IsError() bool { return l.enabled(hclog.Error) }

func (l *slogHCLogger) ImpliedArgs() []any { return l.args }

func (l *slogHCLogger) With(args ...any) hclog.Logger {
	return &slogHCLogger{
		base:   l.base.With(args...),
		logger: l.logger.With(args...),
		name:   l.name,
		args:   append(append([]any(nil), l.args...), args...),
	}
}

func (l *slogHCLogger) Name() string { return l.name }

func (l *slogHCLogger) Named(name string) hclog.Logger {
	if l.name != "" {
		name = l.name + "." + name
	}
	return l.ResetNamed(name)
}

func (l *slogHCLogger) ResetNamed(name string) hclog.Logger {
	return &slogHCLogger{base: l.base, logger: l.base.With("logger", name), name: name, args: l.args}
}

// SetLevel does nothing: the slog handler decides what is written.
func (l *slogHCLogger) SetLevel(hclog.Level) {}

// GetLevel reports the lowest level the slog handler accepts. go-plugin uses
// it to skip parsing plugin lines that would be dropped anyway.
func (l *slogHCLogger) GetLevel() hclog.Level {
	for _, lv := range []hclog.Level{hclog.Trace, hclog.Debug, hclog.Info, hclog.Warn, hclog.Error} {
		if l.enabled(lv) {
			return lv
		}
	}
	return hclog.Off
}

func (l *slogHCLogger) StandardLogger(*hclog.StandardLoggerOptions) *log.Logger {
	return slog.NewLogLogger(l.logger.Handler(), slog.LevelInfo)
}

func (l *slogHCLogger) StandardWriter(opts *hclog.StandardLoggerOptions) io.Writer {
	return l.StandardLogger(opts).Writer()
}
