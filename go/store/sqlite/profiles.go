package sqlite

import (
	"context"
	"fmt"
	"time"

	"github.com/starling-social/starling/go/store"
)

// PutAccountNote upserts account_notes, or deletes the row for an empty
// comment.
func (s *Store) PutAccountNote(ctx context.Context, accountID, targetID int64, comment string, updatedAt time.Time) error {
	var err error
	if comment == "" {
		_, err = s.w.ExecContext(ctx,
			`DELETE FROM account_notes WHERE account_id = ? AND target_account_id = ?`, accountID, targetID)
	} else {
		_, err = s.w.ExecContext(ctx, `
			INSERT INTO account_notes (account_id, target_account_id, comment, updated_at) VALUES (?, ?, ?, ?)
			ON CONFLICT (account_id, target_account_id) DO UPDATE SET
				comment = excluded.comment, updated_at = excluded.updated_at`,
			accountID, targetID, comment, toDB(updatedAt))
	}
	if err != nil {
		return fmt.Errorf("sqlite: note of %d on %d: %w", accountID, targetID, translateFK(err))
	}
	return nil
}

// GetAccountNotes selects account_notes by account_id among targetIDs.
func (s *Store) GetAccountNotes(ctx context.Context, accountID int64, targetIDs []int64) (map[int64]string, error) {
	out := make(map[int64]string)
	if len(targetIDs) == 0 {
		return out, nil
	}
	list, err := idList(targetIDs)
	if err != nil {
		return nil, fmt.Errorf("sqlite: notes of %d: %w", accountID, err)
	}
	type note struct {
		target  int64
		comment string
	}
	notes, err := queryAll(ctx, s, `
		SELECT target_account_id, comment FROM account_notes
		WHERE account_id = ? AND target_account_id IN (SELECT value FROM json_each(?))`,
		func(row scanner) (n note, err error) {
			err = row.Scan(&n.target, &n.comment)
			return n, err
		}, accountID, list)
	if err != nil {
		return nil, fmt.Errorf("sqlite: notes of %d: %w", accountID, translate(err))
	}
	for _, n := range notes {
		out[n.target] = n.comment
	}
	return out, nil
}

const domainBlockColumns = `id, account_id, domain, created_at`

// PutAccountDomainBlock inserts b unless the account blocks max domains.
func (s *Store) PutAccountDomainBlock(ctx context.Context, b *store.AccountDomainBlock, max int) error {
	err := s.insertCapped(ctx, `
		SELECT count(*), coalesce(max(domain = ?), 0) FROM account_domain_blocks WHERE account_id = ?`,
		[]any{b.Domain, b.AccountID}, max,
		`INSERT INTO account_domain_blocks (`+domainBlockColumns+`) VALUES (?, ?, ?, ?)`,
		b.ID, b.AccountID, b.Domain, toDB(b.CreatedAt))
	if err != nil {
		return fmt.Errorf("sqlite: block domain %q by %d: %w", b.Domain, b.AccountID, translateFK(err))
	}
	return nil
}

// DeleteAccountDomainBlock deletes (account_id, domain).
func (s *Store) DeleteAccountDomainBlock(ctx context.Context, accountID int64, domain string) error {
	res, err := s.w.ExecContext(ctx,
		`DELETE FROM account_domain_blocks WHERE account_id = ? AND domain = ?`, accountID, domain)
	if err == nil {
		err = mustAffect(res)
	}
	if err != nil {
		return fmt.Errorf("sqlite: unblock domain %q by %d: %w", domain, accountID, translate(err))
	}
	return nil
}

// ListAccountDomainBlocks selects account_domain_blocks by account_id
// inside page.
func (s *Store) ListAccountDomainBlocks(ctx context.Context, accountID int64, page store.Page) ([]*store.AccountDomainBlock, error) {
	out, err := listPage(ctx, s, `SELECT `+domainBlockColumns+` FROM account_domain_blocks WHERE account_id = ?`,
		[]any{accountID}, "id", page, func(row scanner) (*store.AccountDomainBlock, error) {
			var (
				b         store.AccountDomainBlock
				createdAt int64
			)
			err := row.Scan(&b.ID, &b.AccountID, &b.Domain, &createdAt)
			b.CreatedAt = fromDB(createdAt)
			return &b, err
		})
	if err != nil {
		return nil, fmt.Errorf("sqlite: domain blocks of %d: %w", accountID, err)
	}
	return out, nil
}

// ListFamiliarFollowers joins the targets' follows with the account's own,
// numbering each target's rows newest first (a window function) to cut
// them at perTarget.
func (s *Store) ListFamiliarFollowers(ctx context.Context, accountID int64, targetIDs []int64, perTarget int) (map[int64][]int64, error) {
	out := make(map[int64][]int64)
	if len(targetIDs) == 0 {
		return out, nil
	}
	list, err := idList(targetIDs)
	if err != nil {
		return nil, fmt.Errorf("sqlite: familiar followers for %d: %w", accountID, err)
	}
	pairs, err := queryAll(ctx, s, `
		SELECT target_account_id, account_id FROM (
			SELECT f.target_account_id, f.account_id,
				row_number() OVER (PARTITION BY f.target_account_id ORDER BY f.id DESC) AS n
			FROM follows f JOIN follows mine ON mine.target_account_id = f.account_id AND mine.account_id = ?
			WHERE f.target_account_id IN (SELECT value FROM json_each(?))
		) WHERE n <= ? ORDER BY target_account_id, n`,
		func(row scanner) (p [2]int64, err error) {
			err = row.Scan(&p[0], &p[1])
			return p, err
		}, accountID, list, perTarget)
	if err != nil {
		return nil, fmt.Errorf("sqlite: familiar followers for %d: %w", accountID, translate(err))
	}
	for _, p := range pairs {
		out[p[0]] = append(out[p[0]], p[1])
	}
	return out, nil
}

// GetListsByAccountAndMember selects accountID's lists whose list_accounts
// hold memberID.
func (s *Store) GetListsByAccountAndMember(ctx context.Context, accountID, memberID int64) ([]*store.List, error) {
	out, err := s.queryLists(ctx, `SELECT `+listColumns+` FROM lists
		WHERE account_id = ? AND id IN (SELECT list_id FROM list_accounts WHERE account_id = ?) ORDER BY id`,
		accountID, memberID)
	if err != nil {
		return nil, fmt.Errorf("sqlite: lists of %d containing %d: %w", accountID, memberID, err)
	}
	return out, nil
}
