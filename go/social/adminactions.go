package social

import (
	"context"
	"unicode"

	"github.com/starling-social/starling/go/store"
)

// Bounds of what a moderator's action carries into the audit log.
const (
	maxAdminReason = 1000
	// MaxActorChars bounds the name a caller of the admin listener gives
	// itself (the audit log's "who").
	MaxActorChars = 64
)

// auditEntry is a new audit log entry for action by actor with reason,
// both checked: the admin listener is guarded by its token, but what it
// passes on is stored and shown, so it is bounded like any input. The
// store writes it in the action's own transaction.
func (s *Service) auditEntry(ctx context.Context, op, actor, action, reason string) (*store.AdminAction, error) {
	if err := checkText(op, "Reason", reason, maxAdminReason); err != nil {
		return nil, err
	}
	if err := checkActor(op, actor); err != nil {
		return nil, err
	}
	id, err := s.newID(ctx, op)
	if err != nil {
		return nil, err
	}
	return &store.AdminAction{ID: id, CreatedAt: s.nowUTC(), Actor: actor, Action: action, Reason: reason}, nil
}

// CheckActor accepts what the admin listener records as who acted: a
// printable name of at most MaxActorChars, or none (KindInvalid else).
func CheckActor(actor string) error { return checkActor("social.CheckActor", actor) }

// checkActor is CheckActor for op.
func checkActor(op, actor string) error {
	if err := checkText(op, "Actor", actor, MaxActorChars); err != nil {
		return err
	}
	for _, r := range actor {
		if !unicode.IsPrint(r) {
			return invalid(op, "Validation failed: Actor must be printable")
		}
	}
	return nil
}

// AdminDeleteStatus deletes any status, whoever wrote it, as a moderator
// (the admin listener; Mastodon's DELETE /api/v1/admin/...), and records
// it in the audit log as actor's, with reason, in the delete's
// transaction. The status leaves timelines, search and streams as when its
// author deletes it. NotFound if there is none.
func (s *Service) AdminDeleteStatus(ctx context.Context, actor string, id int64, reason string) (*store.Status, error) {
	const op = "social.AdminDeleteStatus"
	a, err := s.auditEntry(ctx, op, actor, store.AdminDeleteStatus, reason)
	if err != nil {
		return nil, err
	}
	// A moderator's removal takes the attachments with it: nobody redrafts.
	deleted, _, err := s.removeStatus(ctx, op, id, true, a)
	if err != nil {
		return nil, err
	}
	return deleted, nil
}

// AdminActions lists the moderators' audit log, newest first.
func (s *Service) AdminActions(ctx context.Context, page store.Page) ([]*store.AdminAction, error) {
	as, err := s.store.ListAdminActions(ctx, page)
	if err != nil {
		return nil, internal("social.AdminActions", err)
	}
	return as, nil
}

// RecordAdminAction puts an operator's action on the running processes
// (a plugin reloaded, a feed strategy switched) on record as actor's,
// naming its target. Those actions change no table, so there is no
// transaction to share: the admin listener records them once they are
// done.
func (s *Service) RecordAdminAction(ctx context.Context, actor, action, target string) error {
	const op = "social.RecordAdminAction"
	a, err := s.auditEntry(ctx, op, actor, action, "")
	if err != nil {
		return err
	}
	a.TargetName = target
	if err := s.store.PutAdminAction(ctx, a); err != nil {
		return internal(op, err)
	}
	return nil
}
