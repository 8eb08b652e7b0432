package social

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/net/idna"

	"github.com/starling-social/starling/go/store"
)

// MaxDomainBlocks bounds the domains one account blocks.
const MaxDomainBlocks = 10000

// maxDomainLength is DNS's limit on a name, in ASCII.
const maxDomainLength = 253

// normalizeDomain is Mastodon's normalization of a blocked domain: trimmed,
// without a trailing dot or slash, lower case, internationalized names in
// their ASCII (punycode) form. Blanks, spaces and control characters inside
// are refused, as Mastodon refuses them; anything else is accepted, since
// blocking "a domain that is not a domain" succeeds there too.
func normalizeDomain(op, domain string) (string, error) {
	d := strings.TrimSuffix(strings.TrimSuffix(strings.TrimSpace(domain), "/"), ".")
	if d == "" {
		return "", invalid(op, "Validation failed: Domain can't be blank")
	}
	if !utf8.ValidString(d) ||
		strings.IndexFunc(d, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) || r == '/' }) >= 0 {
		return "", invalid(op, "Validation failed: Domain is not a domain name")
	}
	ascii, err := idna.ToASCII(strings.ToLower(d))
	if err != nil || len(ascii) > maxDomainLength {
		return "", invalid(op, "Validation failed: Domain is not a domain name")
	}
	return ascii, nil
}

// BlockDomain stores viewer's block of domain. Every account is local, so
// without federation no content comes from any other domain and the block
// hides nothing yet; it is kept so clients can list and lift it. Blocking
// again is not an error.
func (s *Service) BlockDomain(ctx context.Context, viewer *store.Account, domain string) error {
	const op = "social.BlockDomain"
	d, err := normalizeDomain(op, domain)
	if err != nil {
		return err
	}
	id, err := s.newID(ctx, op)
	if err != nil {
		return err
	}
	b := &store.AccountDomainBlock{ID: id, AccountID: viewer.ID, Domain: d, CreatedAt: s.nowUTC()}
	switch err := s.store.PutAccountDomainBlock(ctx, b, MaxDomainBlocks); {
	case err == nil, errors.Is(err, store.ErrConflict):
		return nil
	case errors.Is(err, store.ErrLimit):
		return invalid(op, fmt.Sprintf("Validation failed: You cannot block more than %d domains", MaxDomainBlocks))
	default:
		return internal(op, err)
	}
}

// UnblockDomain lifts viewer's block of domain; lifting a block that does
// not exist is not an error.
func (s *Service) UnblockDomain(ctx context.Context, viewer *store.Account, domain string) error {
	const op = "social.UnblockDomain"
	d, err := normalizeDomain(op, domain)
	if err != nil {
		return err
	}
	if err := s.store.DeleteAccountDomainBlock(ctx, viewer.ID, d); err != nil && !errors.Is(err, store.ErrNotFound) {
		return internal(op, err)
	}
	return nil
}

// DomainBlocks lists viewer's blocked domains, newest block first, paged by
// the block.
func (s *Service) DomainBlocks(ctx context.Context, viewer *store.Account, page store.Page) ([]string, Cursor, error) {
	bs, err := s.store.ListAccountDomainBlocks(ctx, viewer.ID, page)
	if err != nil {
		return nil, Cursor{}, internal("social.DomainBlocks", err)
	}
	out := make([]string, len(bs))
	for i, b := range bs {
		out[i] = b.Domain
	}
	return out, cursorOf(bs, func(b *store.AccountDomainBlock) int64 { return b.ID }), nil
}
