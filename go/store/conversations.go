package store

import (
	"context"
	"slices"
	"strconv"
	"strings"
)

// AccountConversation is one account's view of a direct-message
// conversation (Mastodon's AccountConversation): the direct statuses of
// one thread (statuses.conversation_id) among one set of participants.
// The backends keep it in the transaction that stores each direct status
// (for its author and every account it mentions), and drop a status from
// it when the status is deleted, the conversation with its last status.
type AccountConversation struct {
	ID             int64
	AccountID      int64
	ConversationID int64   // statuses.conversation_id of its statuses
	ParticipantIDs []int64 // the other accounts, ascending
	LastStatusID   int64   // its newest status
	Unread         bool    // a status by someone else arrived since it was read
}

// Conversations stores accounts' direct-message conversations.
type Conversations interface {
	// ListAccountConversations lists accountID's conversations inside
	// page, which windows last_status_id, most recent first.
	ListAccountConversations(ctx context.Context, accountID int64, page Page) ([]*AccountConversation, error)
	// GetAccountConversation matches (account_id, id).
	GetAccountConversation(ctx context.Context, accountID, id int64) (*AccountConversation, error)
	// GetAccountConversationByStatus matches accountID's conversation
	// holding statusID.
	GetAccountConversationByStatus(ctx context.Context, accountID, statusID int64) (*AccountConversation, error)
	// MarkAccountConversationRead clears unread of (account_id, id);
	// ErrNotFound if there is none.
	MarkAccountConversationRead(ctx context.Context, accountID, id int64) error
	// DeleteAccountConversation deletes (account_id, id) for that account
	// only; a later direct status in it starts it again. ErrNotFound if
	// there is none.
	DeleteAccountConversation(ctx context.Context, accountID, id int64) error
}

// ConversationRecipients are the accounts a direct status w reaches, each
// with its participants (the others, ascending, as text for the unique
// key): its author and every account it mentions. Nil unless w's status
// is direct.
func ConversationRecipients(w *StatusWrite) map[int64]string {
	st := w.Status
	if st.Visibility != VisibilityDirect || st.ReblogOfID != 0 {
		return nil
	}
	all := append([]int64{st.AccountID}, w.Mentions...)
	slices.Sort(all)
	all = slices.Compact(all)
	out := make(map[int64]string, len(all))
	for _, r := range all {
		others := make([]string, 0, len(all)-1)
		for _, a := range all {
			if a != r {
				others = append(others, strconv.FormatInt(a, 10))
			}
		}
		out[r] = strings.Join(others, ",")
	}
	return out
}

// ParseParticipants reads the participants text ConversationRecipients
// writes.
func ParseParticipants(s string) []int64 {
	if s == "" {
		return []int64{}
	}
	parts := strings.Split(s, ",")
	out := make([]int64, 0, len(parts))
	for _, p := range parts {
		if id, err := strconv.ParseInt(p, 10, 64); err == nil {
			out = append(out, id)
		}
	}
	return out
}
