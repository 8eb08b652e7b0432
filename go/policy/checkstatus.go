package policy

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/starling-social/starling/go/pluginsdk"
)

// CheckStatus asks every plugin routed pluginsdk.HookCheckStatus, in
// manifest order, about a status before it is stored, and combines their
// answers:
//
//   - the first reject wins: later plugins are not asked, and the response
//     has VerdictReject with that plugin's Reason and name (Plugin);
//   - rewrites chain: each plugin sees the text as rewritten by the ones
//     before it;
//   - mark_sensitive and flag accumulate (Sensitive, Flagged).
//
// Otherwise Verdict is the strongest verdict given (rewrite, then
// mark_sensitive, then flag, then allow), Reason joins the non-allow reasons
// as "plugin: reason", and Text and SpoilerText always hold the final text,
// rewritten or not.
//
// A plugin call that fails (timeout, crash, bad answer) is skipped if the
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

	for _, p := range h.table.Load().checkStatus {
		resp, err := h.callCheckStatus(ctx, p, &cur)
		if err != nil {
			if ctx.Err() != nil {
				return nil, fmt.Errorf("policy: %s: %w", hook, ctx.Err())
			}
			if err := h.failed(ctx, p, hook, err); err != nil {
				return nil, err
			}
			continue
		}
		h.decided(ctx, p, hook, req.AccountID, resp.Verdict, resp.Reason)
		switch resp.Verdict {
		case pluginsdk.VerdictReject:
			return &pluginsdk.CheckStatusResponse{
				Verdict:     pluginsdk.VerdictReject,
				Reason:      resp.Reason,
				Plugin:      p.spec.Name,
				Text:        cur.Text,
				SpoilerText: cur.SpoilerText,
				Sensitive:   out.Sensitive,
				Flagged:     out.Flagged,
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
			reasons = append(reasons, p.spec.Name+": "+resp.Reason)
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

// callCheckStatus makes one call with the plugin's timeout.
func (h *Host) callCheckStatus(ctx context.Context, p *runningPlugin, req *pluginsdk.CheckStatusRequest) (*pluginsdk.CheckStatusResponse, error) {
	ctx, cancel := context.WithTimeout(ctx, time.Duration(p.spec.Timeout))
	defer cancel()
	resp, err := p.policy.CheckStatus(ctx, req)
	if err == nil && resp == nil {
		err = errors.New("nil response")
	}
	return resp, err
}

// decided counts a decision and audits it unless it is allow. The status
// text is not logged: the audit line says who decided what and why, and the
// status itself (if stored) is the record of its content.
func (h *Host) decided(ctx context.Context, p *runningPlugin, hook string, accountID int64, v pluginsdk.Verdict, reason string) {
	h.decisions.WithLabelValues(p.spec.Name, hook, v.String()).Inc()
	if v == pluginsdk.VerdictAllow {
		return
	}
	h.logger.LogAttrs(ctx, slog.LevelInfo, "policy decision",
		slog.String("plugin", p.spec.Name),
		slog.String("hook", hook),
		slog.String("verdict", v.String()),
		slog.String("reason", reason),
		slog.Int64("account_id", accountID),
	)
}

// failed counts and logs a failed call and applies the plugin's fail mode:
// nil to skip the plugin (open), an error wrapping ErrUnavailable (closed).
func (h *Host) failed(ctx context.Context, p *runningPlugin, hook string, err error) error {
	h.decisions.WithLabelValues(p.spec.Name, hook, "error").Inc()
	what := "failed"
	if status.Code(err) == codes.DeadlineExceeded {
		what = fmt.Sprintf("timed out after %s", time.Duration(p.spec.Timeout))
	}
	attrs := []slog.Attr{
		slog.String("plugin", p.spec.Name),
		slog.String("hook", hook),
		slog.String("fail_mode", string(p.spec.FailMode)),
		slog.String("error", err.Error()),
	}
	if p.spec.FailMode == FailOpen {
		h.logger.LogAttrs(ctx, slog.LevelWarn, "policy plugin "+what+"; skipped (fail_mode open)", attrs...)
		return nil
	}
	h.logger.LogAttrs(ctx, slog.LevelError, "policy plugin "+what+"; request refused (fail_mode closed)", attrs...)
	return fmt.Errorf("policy: plugin %q: %s %s: %w: %w", p.spec.Name, hook, what, ErrUnavailable, err)
}
