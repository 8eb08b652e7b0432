package social

import (
	"context"

	"github.com/starling-social/starling/go/store"
)

// DirectoryInput is GET /api/v1/directory's selection.
type DirectoryInput struct {
	New           bool // order=new; else order=active
	Limit, Offset int
}

// Directory lists the accounts that chose to be discoverable, for the
// profile directory; a signed-in viewer does not see the accounts it
// blocks or that block it, as in account search. Every account is local
// (there is no federation), so local=true changes nothing.
func (s *Service) Directory(ctx context.Context, viewer *store.Account, in DirectoryInput) ([]*store.Account, error) {
	const op = "social.Directory"
	if in.Limit <= 0 || in.Offset < 0 {
		return nil, invalid(op, "Validation failed: limit must be positive and offset not negative")
	}
	q := store.DirectoryQuery{New: in.New, Limit: in.Limit, Offset: in.Offset}
	if viewer != nil {
		ids, err := s.store.GetBlockedAndBlockingIDs(ctx, viewer.ID)
		if err != nil {
			return nil, internal(op, err)
		}
		q.ExcludeIDs = ids
	}
	accts, err := s.store.ListDirectory(ctx, q)
	if err != nil {
		return nil, internal(op, err)
	}
	return visibleAccounts(accts), nil
}
