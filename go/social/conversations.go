package social

import (
	"context"
	"slices"

	"github.com/starling-social/starling/go/store"
)

// Conversation is a direct-message conversation as its account sees it.
type Conversation struct {
	ID       int64
	Unread   bool
	Accounts []*store.Account // the other participants, ascending by ID
	// LastStatus is its newest status, nil when the viewer may no longer
	// see it (its author blocked or was blocked since).
	LastStatus *store.Status
}

// Conversations lists viewer's direct-message conversations, the most
// recently active first, paged by their last status (as Mastodon pages
// them). A conversation whose last status the viewer may not see under
// the visibility rule is left out.
func (s *Service) Conversations(ctx context.Context, viewer *store.Account, page store.Page) ([]*Conversation, Cursor, error) {
	const op = "social.Conversations"
	cs, err := s.store.ListAccountConversations(ctx, viewer.ID, page)
	if err != nil {
		return nil, Cursor{}, internal(op, err)
	}
	views, err := s.viewConversations(ctx, op, viewer, cs)
	if err != nil {
		return nil, Cursor{}, err
	}
	out := views[:0]
	for _, v := range views {
		if v.LastStatus != nil {
			out = append(out, v)
		}
	}
	return out, cursorOf(cs, func(c *store.AccountConversation) int64 { return c.LastStatusID }), nil
}

// viewConversations loads the last statuses (through the visibility rule)
// and the participants of cs, with one query each.
func (s *Service) viewConversations(ctx context.Context, op string, viewer *store.Account, cs []*store.AccountConversation) ([]*Conversation, error) {
	statusIDs := make([]int64, 0, len(cs))
	var accountIDs []int64
	for _, c := range cs {
		statusIDs = append(statusIDs, c.LastStatusID)
		accountIDs = append(accountIDs, c.ParticipantIDs...)
	}
	sts, err := s.store.GetStatusesByIDs(ctx, statusIDs)
	if err != nil {
		return nil, internal(op, err)
	}
	if sts, err = s.filterVisible(ctx, viewer, sts, readDirect); err != nil {
		return nil, err
	}
	last := make(map[int64]*store.Status, len(sts))
	for _, st := range sts {
		last[st.ID] = st
	}
	accounts, err := s.AccountsByIDs(ctx, accountIDs)
	if err != nil {
		return nil, err
	}
	out := make([]*Conversation, len(cs))
	for i, c := range cs {
		v := &Conversation{ID: c.ID, Unread: c.Unread, LastStatus: last[c.LastStatusID], Accounts: []*store.Account{}}
		for _, id := range c.ParticipantIDs {
			if a, ok := accounts[id]; ok {
				v.Accounts = append(v.Accounts, a)
			}
		}
		out[i] = v
	}
	return out, nil
}

// ReadConversation marks viewer's conversation id read and returns it.
func (s *Service) ReadConversation(ctx context.Context, viewer *store.Account, id int64) (*Conversation, error) {
	const op = "social.ReadConversation"
	if err := s.store.MarkAccountConversationRead(ctx, viewer.ID, id); err != nil {
		return nil, removed(op, err)
	}
	c, err := s.store.GetAccountConversation(ctx, viewer.ID, id)
	if err != nil {
		return nil, removed(op, err)
	}
	views, err := s.viewConversations(ctx, op, viewer, []*store.AccountConversation{c})
	if err != nil {
		return nil, err
	}
	return views[0], nil
}

// publishConversation tells the direct streams of the accounts a direct
// status reached that their conversation changed.
func (s *Service) publishConversation(ctx context.Context, w *store.StatusWrite) {
	recipients := store.ConversationRecipients(w)
	if len(recipients) == 0 {
		return
	}
	users := make([]int64, 0, len(recipients))
	for id := range recipients {
		users = append(users, id)
	}
	slices.Sort(users)
	s.publish(ctx, Event{Kind: EventConversation, Status: w.Status, Users: users})
}

// ConversationOfStatus is viewer's conversation holding statusID, for the
// direct stream; not found when there is none.
func (s *Service) ConversationOfStatus(ctx context.Context, viewer *store.Account, statusID int64) (*Conversation, error) {
	const op = "social.ConversationOfStatus"
	c, err := s.store.GetAccountConversationByStatus(ctx, viewer.ID, statusID)
	if err != nil {
		return nil, removed(op, err)
	}
	views, err := s.viewConversations(ctx, op, viewer, []*store.AccountConversation{c})
	if err != nil {
		return nil, err
	}
	if views[0].LastStatus == nil {
		return nil, notFound(op, "Record not found")
	}
	return views[0], nil
}

// DeleteConversation removes viewer's conversation id, for viewer only: the
// statuses stay, and a new one in it starts it again.
func (s *Service) DeleteConversation(ctx context.Context, viewer *store.Account, id int64) error {
	return removed("social.DeleteConversation", s.store.DeleteAccountConversation(ctx, viewer.ID, id))
}
