package store

import (
	"context"
	"time"
)

// ConversationMutes stores muted conversations. A status's conversation is
// fixed when the status is stored: its parent's conversation, or, for a
// status that replies to nothing (or to a status already deleted), the
// status's own ID; it outlives deletions in the thread, as Mastodon's
// conversation_id does. The backends keep statuses.conversation_id so.
type ConversationMutes interface {
	// PutConversationMute mutes, for accountID, the conversation of
	// statusID, unless accountID already mutes max conversations (ErrLimit,
	// counted in the insert's transaction); muting it again is not an
	// error. ErrNotFound if the status or the account does not exist.
	PutConversationMute(ctx context.Context, accountID, statusID int64, createdAt time.Time, max int) error
	// DeleteConversationMute unmutes the conversation of statusID for
	// accountID; unmuting a conversation that is not muted is not an
	// error. ErrNotFound if the status does not exist.
	DeleteConversationMute(ctx context.Context, accountID, statusID int64) error
	// Which statuses of a batch belong to a conversation an account
	// mutes: Interactions.GetInteractionFlags (Muted), in the same query
	// as the other flags.
	// GetConversationMuterIDs lists, ascending, those of accountIDs that
	// mute the conversation of statusID.
	GetConversationMuterIDs(ctx context.Context, statusID int64, accountIDs []int64) ([]int64, error)
}
