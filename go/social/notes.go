package social

import (
	"context"

	"github.com/starling-social/starling/go/store"
)

// maxAccountNoteChars bounds a private note, as Mastodon's AccountNote does.
const maxAccountNoteChars = 2000

// SetAccountNote sets viewer's private note on targetID (an empty comment
// clears it) and returns the relationship, which carries the note.
func (s *Service) SetAccountNote(ctx context.Context, viewer *store.Account, targetID int64, comment string) (*Relationship, error) {
	const op = "social.SetAccountNote"
	if err := checkText(op, "Comment", comment, maxAccountNoteChars); err != nil {
		return nil, err
	}
	if _, err := s.GetAccount(ctx, targetID); err != nil {
		return nil, err
	}
	if err := s.store.PutAccountNote(ctx, viewer.ID, targetID, comment, s.nowUTC()); err != nil {
		return nil, internal(op, err)
	}
	return s.Relationship(ctx, viewer, targetID)
}
