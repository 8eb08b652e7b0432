package policy

import (
	"context"
	"fmt"
	"log/slog"
	"strings"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/starling-social/starling/go/pluginsdk"
)

// CheckStatus asks every plugin routed pluginsdk.HookCheckStatus, in order,
// about a status before it is stored (new, or edited when req.StatusID is
// set), and combines their answers:
//
//   - the first reject wins: later plugins are not asked, and the response
//     has VerdictReject with that plugin's Reason and name (Plugin);
//   - rewrites chain: each plugin sees the text as rewritten by the ones
//     before it, so a rewrite is checked again by the plugins after it;
//   - mark_sensitive and flag accumulate (Sensitive, Flagged).
//
// Otherwise Verdict is the strongest verdict given (rewrite, then
// mark_sensitive, then flag, then allow), Reason joins the non-allow reasons
// as "plugin: reason", and Text and SpoilerText always hold the final text,
// rewritten or not. Decisions lists every non-allow verdict with the name
// and version of the plugin that gave it.
//
// A plugin call that fails (timeout, crash, restarting) is skipped if the
// plugin's fail mode is open; if it is closed, CheckStatus returns an error
// wrapping ErrUnavailable. If ctx ends first, its error is returned instead,
// whatever the fail mode.
func (h *Host) CheckStatus(ctx context.Context, req *pluginsdk.CheckStatusRequest) (*pluginsdk.CheckStatusResponse, error) {
	const hook = pluginsdk.HookCheckStatus
	if h.closed.Load() {
		return nil, fmt.Errorf("policy: %s: host is closed: %w", hook, ErrUnavailable)
	}
	cur := *req // rewritten in place as plugins rewrite; req is not modified
	out := &pluginsdk.CheckStatusResponse{}
	var reasons []string
	rewritten := false

	for _, s := range h.routes.Load().byHook[hook] {
		resp, in, err := call(ctx, h, s, hook, func(ctx context.Context, c pluginsdk.Client) (*pluginsdk.CheckStatusResponse, error) {
			return c.CheckStatus(ctx, &cur)
		})
		if err != nil {
			if err := h.failed(ctx, s, hook, err); err != nil {
				return nil, err
			}
			continue
		}
		h.decided(ctx, in, hook, req.AccountID, req.StatusID, resp.Verdict, resp.Reason)
		if resp.Verdict != pluginsdk.VerdictAllow {
			out.Decisions = append(out.Decisions, pluginsdk.Decision{Plugin: s.name, Version: in.version, Hook: hook, Verdict: resp.Verdict, Reason: resp.Reason})
		}
		switch resp.Verdict {
		case pluginsdk.VerdictReject:
			return &pluginsdk.CheckStatusResponse{
				Verdict:     pluginsdk.VerdictReject,
				Reason:      resp.Reason,
				Plugin:      s.name,
				Text:        cur.Text,
				SpoilerText: cur.SpoilerText,
				Sensitive:   out.Sensitive,
				Flagged:     out.Flagged,
				Decisions:   out.Decisions,
			}, nil
		case pluginsdk.VerdictRewrite:
			cur.Text, cur.SpoilerText = resp.Text, resp.SpoilerText
			rewritten = true
		case pluginsdk.VerdictMarkSensitive:
			out.Sensitive = true
		case pluginsdk.VerdictFlag:
			out.Flagged = true
		}
		if resp.Verdict != pluginsdk.VerdictAllow && resp.Reason != "" {
			reasons = append(reasons, s.name+": "+resp.Reason)
		}
	}

	switch {
	case rewritten:
		out.Verdict = pluginsdk.VerdictRewrite
	case out.Sensitive:
		out.Verdict = pluginsdk.VerdictMarkSensitive
	case out.Flagged:
		out.Verdict = pluginsdk.VerdictFlag
	}
	out.Reason = strings.Join(reasons, "; ")
	out.Text, out.SpoilerText = cur.Text, cur.SpoilerText
	return out, nil
}

// failed decides a failed call. If the caller's ctx ended, that is the
// error, whatever the fail mode (the caller gave up; there is no verdict).
// Otherwise it counts and logs the failure and applies the plugin's fail
// mode: nil to skip the plugin (open), an error wrapping ErrUnavailable
// (closed).
func (h *Host) failed(ctx context.Context, s *slot, hook string, err error) error {
	if ctx.Err() != nil {
		return fmt.Errorf("policy: %s: %w", hook, ctx.Err())
	}
	spec := s.spec.Load()
	h.metrics.decisions.WithLabelValues(s.name, s.lastVersion(), hook, "error").Inc()
	what := "failed"
	switch {
	case status.Code(err) == codes.DeadlineExceeded:
		what = fmt.Sprintf("timed out after %s", spec.timeout(hook))
	case err == errNotRunning:
		what = "is restarting"
	}
	attrs := []slog.Attr{
		slog.String("plugin", s.name),
		slog.String("hook", hook),
		slog.String("fail_mode", string(spec.FailMode)),
		slog.String("error", err.Error()),
	}
	if spec.FailMode == FailOpen {
		h.logger.LogAttrs(ctx, slog.LevelWarn, "policy plugin "+what+"; skipped (fail_mode open)", attrs...)
		return nil
	}
	h.logger.LogAttrs(ctx, slog.LevelError, "policy plugin "+what+"; request refused (fail_mode closed)", attrs...)
	return fmt.Errorf("policy: plugin %q: %s %s: %w: %w", s.name, hook, what, ErrUnavailable, err)
}
