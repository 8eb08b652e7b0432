package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/starling-social/starling/go/store"
)

// PutAccountNote upserts account_notes, or deletes the row for an empty
// comment.
func (s *Store) PutAccountNote(ctx context.Context, accountID, targetID int64, comment string, updatedAt time.Time) error {
	var err error
	if comment == "" {
		_, err = s.pool.Exec(ctx,
			`DELETE FROM account_notes WHERE account_id = $1 AND target_account_id = $2`, accountID, targetID)
	} else {
		_, err = s.pool.Exec(ctx, `
			INSERT INTO account_notes (account_id, target_account_id, comment, updated_at) VALUES ($1, $2, $3, $4)
			ON CONFLICT (account_id, target_account_id) DO UPDATE SET
				comment = excluded.comment, updated_at = excluded.updated_at`,
			accountID, targetID, comment, toDB(updatedAt))
	}
	if err != nil {
		return fmt.Errorf("postgres: note of %d on %d: %w", accountID, targetID, translateFK(err))
	}
	return nil
}

// GetAccountNotes selects account_notes by account_id among targetIDs.
func (s *Store) GetAccountNotes(ctx context.Context, accountID int64, targetIDs []int64) (map[int64]string, error) {
	out := make(map[int64]string)
	if len(targetIDs) == 0 {
		return out, nil
	}
	rows, _ := s.pool.Query(ctx, `
		SELECT target_account_id, comment FROM account_notes
		WHERE account_id = $1 AND target_account_id = ANY($2)`, accountID, targetIDs)
	var (
		target  int64
		comment string
	)
	_, err := pgx.ForEachRow(rows, []any{&target, &comment}, func() error {
		out[target] = comment
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("postgres: notes of %d: %w", accountID, translate(err))
	}
	return out, nil
}

const domainBlockColumns = `id, account_id, domain, created_at`

// PutAccountDomainBlock inserts b unless the account blocks max domains.
func (s *Store) PutAccountDomainBlock(ctx context.Context, b *store.AccountDomainBlock, max int) error {
	err := s.insertCapped(ctx, lockAccount, b.AccountID, `
		SELECT count(*), coalesce(bool_or(domain = $2), false) FROM account_domain_blocks WHERE account_id = $1`,
		[]any{b.AccountID, b.Domain}, max,
		`INSERT INTO account_domain_blocks (`+domainBlockColumns+`) VALUES ($1, $2, $3, $4)`,
		b.ID, b.AccountID, b.Domain, toDB(b.CreatedAt))
	if err != nil {
		return fmt.Errorf("postgres: block domain %q by %d: %w", b.Domain, b.AccountID, translateFK(err))
	}
	return nil
}

// DeleteAccountDomainBlock deletes (account_id, domain).
func (s *Store) DeleteAccountDomainBlock(ctx context.Context, accountID int64, domain string) error {
	tag, err := s.pool.Exec(ctx,
		`DELETE FROM account_domain_blocks WHERE account_id = $1 AND domain = $2`, accountID, domain)
	if err == nil && tag.RowsAffected() == 0 {
		err = pgx.ErrNoRows
	}
	if err != nil {
		return fmt.Errorf("postgres: unblock domain %q by %d: %w", domain, accountID, translate(err))
	}
	return nil
}

// ListAccountDomainBlocks selects account_domain_blocks by account_id
// inside page.
func (s *Store) ListAccountDomainBlocks(ctx context.Context, accountID int64, page store.Page) ([]*store.AccountDomainBlock, error) {
	out, err := listPage(ctx, s, `SELECT `+domainBlockColumns+` FROM account_domain_blocks WHERE account_id = $1`,
		[]any{accountID}, "id", page, func(row pgx.CollectableRow) (*store.AccountDomainBlock, error) {
			var b store.AccountDomainBlock
			err := row.Scan(&b.ID, &b.AccountID, &b.Domain, &b.CreatedAt)
			b.CreatedAt = b.CreatedAt.UTC()
			return &b, err
		})
	if err != nil {
		return nil, fmt.Errorf("postgres: domain blocks of %d: %w", accountID, err)
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
	rows, _ := s.pool.Query(ctx, `
		SELECT target_account_id, account_id FROM (
			SELECT f.target_account_id, f.account_id,
				row_number() OVER (PARTITION BY f.target_account_id ORDER BY f.id DESC) AS n
			FROM follows f JOIN follows mine ON mine.target_account_id = f.account_id AND mine.account_id = $1
			WHERE f.target_account_id = ANY($2)
		) ranked WHERE n <= $3 ORDER BY target_account_id, n`, accountID, targetIDs, perTarget)
	var target, follower int64
	_, err := pgx.ForEachRow(rows, []any{&target, &follower}, func() error {
		out[target] = append(out[target], follower)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("postgres: familiar followers for %d: %w", accountID, translate(err))
	}
	return out, nil
}

// GetListsByAccountAndMember selects accountID's lists whose list_accounts
// hold memberID.
func (s *Store) GetListsByAccountAndMember(ctx context.Context, accountID, memberID int64) ([]*store.List, error) {
	rows, _ := s.pool.Query(ctx, `SELECT `+listColumns+` FROM lists
		WHERE account_id = $1 AND id IN (SELECT list_id FROM list_accounts WHERE account_id = $2) ORDER BY id`,
		accountID, memberID)
	out, err := pgx.CollectRows(rows, scanList)
	if err != nil {
		return nil, fmt.Errorf("postgres: lists of %d containing %d: %w", accountID, memberID, translate(err))
	}
	return out, nil
}
