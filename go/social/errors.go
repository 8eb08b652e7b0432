package social

import (
	"errors"
	"fmt"
)

// Kind classifies a failure for the client. Values are only ever appended.
type Kind uint8

const (
	// KindInternal is a failure the client cannot fix (a database error).
	KindInternal Kind = iota
	// KindInvalid means the input was malformed or broke a rule (422).
	KindInvalid
	// KindNotFound means the thing does not exist or the viewer may not know it does (404).
	KindNotFound
	// KindForbidden means the viewer is known but not allowed (403).
	KindForbidden
	// KindConflict means the request clashes with current state, e.g. a taken username (422 in Mastodon).
	KindConflict
	// KindUnavailable means a dependency (moderation) is down; retry later (503).
	KindUnavailable
	// KindUnauthorized means no valid credentials (401).
	KindUnauthorized
	// KindRateLimited means the account did this too often lately; retry later (429).
	KindRateLimited
)

// Error is a domain failure. Safe is shown to the client; Err is logged only.
type Error struct {
	Op   string // the operation, e.g. "social.PostStatus"
	Kind Kind
	Safe string // client-safe message
	Err  error  // internal cause, may be nil
}

func (e *Error) Error() string {
	switch {
	case e.Err != nil && e.Safe != "":
		return fmt.Sprintf("%s: %s: %v", e.Op, e.Safe, e.Err)
	case e.Err != nil:
		return fmt.Sprintf("%s: %v", e.Op, e.Err)
	default:
		return fmt.Sprintf("%s: %s", e.Op, e.Safe)
	}
}

func (e *Error) Unwrap() error { return e.Err }

// KindOf returns the Kind of the first *Error in err's chain, or
// KindInternal when there is none.
func KindOf(err error) Kind {
	var e *Error
	if errors.As(err, &e) {
		return e.Kind
	}
	return KindInternal
}

// SafeMessage returns the client-safe text of the first *Error in err's
// chain, or "" when there is none (the caller then uses a generic text).
func SafeMessage(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Safe
	}
	return ""
}

func invalid(op, msg string) error { return &Error{Op: op, Kind: KindInvalid, Safe: msg} }

func notFound(op, msg string) error { return &Error{Op: op, Kind: KindNotFound, Safe: msg} }

func internal(op string, err error) error { return &Error{Op: op, Kind: KindInternal, Err: err} }
