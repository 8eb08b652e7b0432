package policy

import (
	"context"
	"fmt"
	"strings"

	"github.com/starling-social/starling/go/pluginsdk"
)

// CheckAccount asks every plugin routed pluginsdk.HookCheckAccount, in
// order, about an account at sign-up or after a profile change. The first
// reject wins (Plugin names it); flags accumulate into VerdictFlag with the
// reasons joined. Failed calls follow the fail mode, as in CheckStatus.
func (h *Host) CheckAccount(ctx context.Context, req *pluginsdk.CheckAccountRequest) (*pluginsdk.CheckAccountResponse, error) {
	const hook = pluginsdk.HookCheckAccount
	if h.closed.Load() {
		return nil, fmt.Errorf("policy: %s: host is closed: %w", hook, ErrUnavailable)
	}
	out := &pluginsdk.CheckAccountResponse{}
	var reasons []string
	for _, s := range h.routes.Load().byHook[hook] {
		resp, in, err := call(ctx, h, s, hook, func(ctx context.Context, c pluginsdk.Client) (*pluginsdk.CheckAccountResponse, error) {
			return c.CheckAccount(ctx, req)
		})
		if err != nil {
			if err := h.failed(ctx, s, hook, err); err != nil {
				return nil, err
			}
			continue
		}
		h.decided(ctx, in, hook, req.AccountID, 0, resp.Verdict, resp.Reason)
		if resp.Verdict == pluginsdk.VerdictAllow {
			continue
		}
		out.Decisions = append(out.Decisions, pluginsdk.Decision{Plugin: s.name, Version: in.version, Hook: hook, Verdict: resp.Verdict, Reason: resp.Reason})
		if resp.Verdict == pluginsdk.VerdictReject {
			return &pluginsdk.CheckAccountResponse{Verdict: pluginsdk.VerdictReject, Reason: resp.Reason, Plugin: s.name, Decisions: out.Decisions}, nil
		}
		out.Verdict = pluginsdk.VerdictFlag
		if resp.Reason != "" {
			reasons = append(reasons, s.name+": "+resp.Reason)
		}
	}
	out.Reason = strings.Join(reasons, "; ")
	return out, nil
}
