package store

import (
	"context"
	"time"
)

// AccountDomainBlock is an account's block of a whole domain. Without
// federation no other domain's content reaches this server, so a domain
// block is stored and listed but changes nothing else.
type AccountDomainBlock struct {
	ID        int64
	AccountID int64
	Domain    string // lower case, ASCII (punycode)
	CreatedAt time.Time
}

// AccountNotes stores the private notes an account keeps on others
// (Relationship.note).
type AccountNotes interface {
	// PutAccountNote sets accountID's note on targetID to comment; an
	// empty comment deletes the note. ErrNotFound if either account does
	// not exist.
	PutAccountNote(ctx context.Context, accountID, targetID int64, comment string, updatedAt time.Time) error
	// GetAccountNotes returns accountID's notes on targetIDs, by target;
	// targets without a note are absent.
	GetAccountNotes(ctx context.Context, accountID int64, targetIDs []int64) (map[int64]string, error)
}

// DomainBlocks stores account domain blocks.
type DomainBlocks interface {
	// PutAccountDomainBlock inserts b unless b.AccountID already blocks max
	// domains, in one transaction: ErrLimit then; ErrConflict if the
	// domain is blocked already; ErrNotFound if the account does not exist.
	PutAccountDomainBlock(ctx context.Context, b *AccountDomainBlock, max int) error
	// DeleteAccountDomainBlock removes (account_id, domain); ErrNotFound if
	// there is none.
	DeleteAccountDomainBlock(ctx context.Context, accountID int64, domain string) error
	// ListAccountDomainBlocks lists accountID's domain blocks inside page,
	// newest (highest account_domain_blocks.id) first.
	ListAccountDomainBlocks(ctx context.Context, accountID int64, page Page) ([]*AccountDomainBlock, error)
}

// ProfileViews answers the questions a profile page asks that join the
// viewed account's edges with the viewer's own.
type ProfileViews interface {
	// ListFamiliarFollowers returns, for each of targetIDs, the accounts
	// that follow it and that accountID follows, newest follow first, at
	// most perTarget each; targets without any are absent.
	ListFamiliarFollowers(ctx context.Context, accountID int64, targetIDs []int64, perTarget int) (map[int64][]int64, error)
	// GetListsByAccountAndMember lists accountID's lists that contain
	// memberID, ascending by ID.
	GetListsByAccountAndMember(ctx context.Context, accountID, memberID int64) ([]*List, error)
}
