package policy

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"time"
	"unicode"

	"github.com/starling-social/starling/go/pluginsdk"
	"github.com/starling-social/starling/go/snowflake"
	"github.com/starling-social/starling/go/store"
)

// AuditRecord is one plugin decision other than allow.
type AuditRecord struct {
	Time      time.Time
	Plugin    string
	Version   string // the version that decided, as it reported itself
	Hook      string
	Verdict   string // pluginsdk.Verdict.String()
	Reason    string
	AccountID int64 // the author or the account checked; 0 at sign-up
	StatusID  int64 // the edited status; 0 for a new one (not stored yet)
}

// AuditLog keeps decisions for operators (the store's policy audit table).
type AuditLog interface {
	RecordPolicyDecision(ctx context.Context, r AuditRecord) error
}

// StoreAudit is an AuditLog writing to the store's policy_decisions table,
// IDs from ids.
func StoreAudit(st store.Moderation, ids *snowflake.Generator) AuditLog {
	return &storeAudit{st: st, ids: ids}
}

type storeAudit struct {
	st  store.Moderation
	ids *snowflake.Generator
}

func (a *storeAudit) RecordPolicyDecision(ctx context.Context, r AuditRecord) error {
	id, err := a.ids.Next(ctx)
	if err != nil {
		return fmt.Errorf("policy: audit: %w", err)
	}
	return a.st.PutPolicyDecision(ctx, &store.PolicyDecision{
		ID: id, CreatedAt: r.Time, Plugin: r.Plugin, PluginVersion: r.Version, Hook: r.Hook,
		Verdict: r.Verdict, Reason: r.Reason, AccountID: r.AccountID, StatusID: r.StatusID,
	})
}

// decided counts a decision and audits it unless it is allow. The status
// text is not logged: the audit says who decided what and why, and the
// status itself (if stored) is the record of its content.
func (h *Host) decided(ctx context.Context, in *instance, hook string, accountID, statusID int64, v pluginsdk.Verdict, reason string) {
	h.metrics.decisions.WithLabelValues(in.spec.Name, in.version, hook, v.String()).Inc()
	if v == pluginsdk.VerdictAllow {
		return
	}
	r := AuditRecord{
		Time: time.Now().UTC(), Plugin: in.spec.Name, Version: in.version, Hook: hook,
		Verdict: v.String(), Reason: reason, AccountID: accountID, StatusID: statusID,
	}
	h.logger.LogAttrs(ctx, slog.LevelInfo, "policy decision",
		slog.String("plugin", r.Plugin),
		slog.String("version", r.Version),
		slog.String("hook", hook),
		slog.String("verdict", r.Verdict),
		slog.String("reason", reason),
		slog.Int64("account_id", accountID),
	)
	if h.opts.Audit == nil {
		return
	}
	// The request's deadline must not lose the record of a decision that
	// was made; the write is short and bounded on its own.
	actx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	if err := h.opts.Audit.RecordPolicyDecision(actx, r); err != nil {
		h.logger.LogAttrs(ctx, slog.LevelError, "policy audit write failed", slog.String("plugin", r.Plugin), slog.String("error", err.Error()))
	}
}

// maxReason bounds a plugin's reason wherever the host keeps or shows it.
const maxReason = 512

// cleanText makes a plugin-supplied string (a reason, a version) safe to
// log, store and show: valid UTF-8, no NUL or other control characters
// (PostgreSQL text cannot hold NUL), at most max bytes.
func cleanText(s string, max int) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	s = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return ' '
		}
		return r
	}, s)
	if len(s) > max {
		s = s[:max]
		s = strings.ToValidUTF8(s, "") // a rune cut in half
	}
	return s
}
