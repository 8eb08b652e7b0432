package postgres

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/starling-social/starling/go/store"
)

const (
	filterColumns        = `id, account_id, title, context, action, expires_at, created_at`
	filterKeywordColumns = `id, filter_id, keyword, whole_word`
	filterStatusColumns  = `id, filter_id, status_id, created_at`
)

func scanFilter(row pgx.CollectableRow) (*store.Filter, error) {
	var (
		f       store.Filter
		context string
	)
	if err := row.Scan(&f.ID, &f.AccountID, &f.Title, &context, &f.Action, &f.ExpiresAt, &f.CreatedAt); err != nil {
		return nil, err
	}
	f.Context, f.ExpiresAt, f.CreatedAt = store.SplitFilterContexts(context), utcPtr(f.ExpiresAt), f.CreatedAt.UTC()
	return &f, nil
}

func scanFilterKeyword(row pgx.CollectableRow) (*store.FilterKeyword, error) {
	var k store.FilterKeyword
	err := row.Scan(&k.ID, &k.FilterID, &k.Keyword, &k.WholeWord)
	return &k, err
}

func scanFilterStatus(row pgx.CollectableRow) (*store.FilterStatus, error) {
	var fs store.FilterStatus
	err := row.Scan(&fs.ID, &fs.FilterID, &fs.StatusID, &fs.CreatedAt)
	fs.CreatedAt = fs.CreatedAt.UTC()
	return &fs, err
}

// filterUpdates maps each column UpdateFilter may set to f's stored value.
func filterUpdates(f *store.Filter) map[string]any {
	var expires any
	if f.ExpiresAt != nil {
		expires = toDB(*f.ExpiresAt)
	}
	return map[string]any{"title": f.Title, "context": store.FilterContexts(f.Context),
		"action": f.Action, "expires_at": expires}
}

// withFilterLimits runs write in a transaction that first row-locks the
// account (so concurrent filter writes of one account count one after the
// other) and after it checks the caps.
func (s *Store) withFilterLimits(ctx context.Context, accountID int64, lim store.FilterLimits, write func(tx pgx.Tx) error) error {
	return pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, lockAccount, accountID)
		if err != nil {
			return fmt.Errorf("lock owner: %w", err)
		}
		if tag.RowsAffected() == 0 {
			return pgx.ErrNoRows
		}
		if err := write(tx); err != nil {
			return err
		}
		var filters, keywords int
		if err := tx.QueryRow(ctx, `SELECT (SELECT count(*) FROM filters WHERE account_id = $1),
			(SELECT count(*) FROM filter_keywords WHERE account_id = $1)`, accountID).Scan(&filters, &keywords); err != nil {
			return fmt.Errorf("count: %w", err)
		}
		if filters > lim.Filters || keywords > lim.Keywords {
			return store.ErrLimit
		}
		return nil
	})
}

func insertFilterKeywords(ctx context.Context, tx pgx.Tx, accountID int64, kws []*store.FilterKeyword) error {
	for _, k := range kws {
		if _, err := tx.Exec(ctx, `INSERT INTO filter_keywords (`+filterKeywordColumns+`, account_id) VALUES ($1, $2, $3, $4, $5)`,
			k.ID, k.FilterID, k.Keyword, k.WholeWord, accountID); err != nil {
			return fmt.Errorf("keyword: %w", err)
		}
	}
	return nil
}

// PutFilter inserts the filter and its keywords under the account's lock.
func (s *Store) PutFilter(ctx context.Context, f *store.Filter, lim store.FilterLimits) error {
	err := s.withFilterLimits(ctx, f.AccountID, lim, func(tx pgx.Tx) error {
		var expires any
		if f.ExpiresAt != nil {
			expires = toDB(*f.ExpiresAt)
		}
		if _, err := tx.Exec(ctx, `INSERT INTO filters (`+filterColumns+`) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
			f.ID, f.AccountID, f.Title, store.FilterContexts(f.Context), f.Action, expires, toDB(f.CreatedAt)); err != nil {
			return err
		}
		return insertFilterKeywords(ctx, tx, f.AccountID, f.Keywords)
	})
	if err != nil {
		return fmt.Errorf("postgres: put filter %d of %d: %w", f.ID, f.AccountID, translateFK(err))
	}
	return nil
}

// mustAffect turns "no row changed" into pgx.ErrNoRows (ErrNotFound).
func mustAffect(tag interface{ RowsAffected() int64 }, err error) error {
	if err == nil && tag.RowsAffected() == 0 {
		return pgx.ErrNoRows
	}
	return err
}

// UpdateFilter applies u in one transaction under the account's lock.
func (s *Store) UpdateFilter(ctx context.Context, u *store.FilterUpdate, lim store.FilterLimits) error {
	f := u.Filter
	err := s.withFilterLimits(ctx, f.AccountID, lim, func(tx pgx.Tx) error {
		args := []any{f.ID, f.AccountID}
		set := "id = id"
		if len(u.Columns) > 0 {
			var err error
			if set, args, err = store.SetClause(filterUpdates(f), u.Columns, args, placeholder); err != nil {
				return err
			}
		}
		if err := mustAffect(tx.Exec(ctx, `UPDATE filters SET `+set+` WHERE id = $1 AND account_id = $2`, args...)); err != nil {
			return err
		}
		for _, id := range u.DeleteKeywordIDs {
			if err := mustAffect(tx.Exec(ctx, `DELETE FROM filter_keywords WHERE id = $1 AND filter_id = $2`, id, f.ID)); err != nil {
				return fmt.Errorf("delete keyword %d: %w", id, err)
			}
		}
		for _, k := range u.UpdateKeywords {
			if err := mustAffect(tx.Exec(ctx, `UPDATE filter_keywords SET keyword = $1, whole_word = $2 WHERE id = $3 AND filter_id = $4`,
				k.Keyword, k.WholeWord, k.ID, f.ID)); err != nil {
				return fmt.Errorf("update keyword %d: %w", k.ID, err)
			}
		}
		return insertFilterKeywords(ctx, tx, f.AccountID, u.AddKeywords)
	})
	if err != nil {
		return fmt.Errorf("postgres: update filter %d of %d: %w", f.ID, f.AccountID, translateFK(err))
	}
	return nil
}

// DeleteFilter deletes filters by (account_id, id); keywords and statuses
// go by ON DELETE CASCADE.
func (s *Store) DeleteFilter(ctx context.Context, accountID, id int64) error {
	if err := mustAffect(s.pool.Exec(ctx, `DELETE FROM filters WHERE id = $1 AND account_id = $2`, id, accountID)); err != nil {
		return fmt.Errorf("postgres: delete filter %d of %d: %w", id, accountID, translate(err))
	}
	return nil
}

// GetFilter selects filters by (account_id, id) with its keywords and
// statuses.
func (s *Store) GetFilter(ctx context.Context, accountID, id int64) (*store.Filter, error) {
	fs, err := s.listFilters(ctx, accountID, id)
	if err == nil && len(fs) == 0 {
		err = store.ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("postgres: filter %d of %d: %w", id, accountID, err)
	}
	return fs[0], nil
}

// ListFilters selects filters by account_id, ascending by id, with their
// keywords and statuses.
func (s *Store) ListFilters(ctx context.Context, accountID int64) ([]*store.Filter, error) {
	fs, err := s.listFilters(ctx, accountID, 0)
	if err != nil {
		return nil, fmt.Errorf("postgres: filters of %d: %w", accountID, err)
	}
	return fs, nil
}

// listFilters reads accountID's filters (only filter id when nonzero) and
// their parts, in three queries; the parts are read only when there are
// filters, so an account without any costs one indexed lookup.
func (s *Store) listFilters(ctx context.Context, accountID, id int64) ([]*store.Filter, error) {
	rows, _ := s.pool.Query(ctx, `SELECT `+filterColumns+` FROM filters
		WHERE account_id = $1 AND ($2::bigint = 0 OR id = $2) ORDER BY id`, accountID, id)
	fs, err := pgx.CollectRows(rows, scanFilter)
	if err != nil || len(fs) == 0 {
		return fs, translate(err)
	}
	rows, _ = s.pool.Query(ctx, `SELECT `+filterKeywordColumns+` FROM filter_keywords
		WHERE account_id = $1 AND ($2::bigint = 0 OR filter_id = $2) ORDER BY id`, accountID, id)
	kws, err := pgx.CollectRows(rows, scanFilterKeyword)
	if err != nil {
		return nil, translate(err)
	}
	rows, _ = s.pool.Query(ctx, `SELECT `+filterStatusColumns+` FROM filter_statuses
		WHERE account_id = $1 AND ($2::bigint = 0 OR filter_id = $2) ORDER BY id`, accountID, id)
	sts, err := pgx.CollectRows(rows, scanFilterStatus)
	if err != nil {
		return nil, translate(err)
	}
	store.AttachFilterParts(fs, kws, sts)
	return fs, nil
}

// GetFilterKeyword selects filter_keywords by (account_id, id).
func (s *Store) GetFilterKeyword(ctx context.Context, accountID, id int64) (*store.FilterKeyword, error) {
	rows, _ := s.pool.Query(ctx, `SELECT `+filterKeywordColumns+` FROM filter_keywords WHERE id = $1 AND account_id = $2`, id, accountID)
	k, err := pgx.CollectExactlyOneRow(rows, scanFilterKeyword)
	if err != nil {
		return nil, fmt.Errorf("postgres: filter keyword %d of %d: %w", id, accountID, translate(err))
	}
	return k, nil
}

// PutFilterStatus inserts into filter_statuses unless the account's
// filters name max statuses already. The INSERT ... SELECT inserts nothing
// when the filter is not the account's, which the read after it reports.
func (s *Store) PutFilterStatus(ctx context.Context, accountID int64, fs *store.FilterStatus, max int) error {
	err := s.insertCapped(ctx, lockAccount, accountID, `
		SELECT count(*), coalesce(bool_or(filter_id = $2 AND status_id = $3), false) FROM filter_statuses WHERE account_id = $1`,
		[]any{accountID, fs.FilterID, fs.StatusID}, max, `
		INSERT INTO filter_statuses (`+filterStatusColumns+`, account_id)
		SELECT $1, id, $2, $3, account_id FROM filters WHERE id = $4 AND account_id = $5`,
		fs.ID, fs.StatusID, toDB(fs.CreatedAt), fs.FilterID, accountID)
	if err == nil {
		_, err = s.GetFilterStatus(ctx, accountID, fs.ID)
	}
	if err != nil {
		return fmt.Errorf("postgres: put filter status %d of %d: %w", fs.StatusID, accountID, translateFK(err))
	}
	return nil
}

// GetFilterStatus selects filter_statuses by (account_id, id).
func (s *Store) GetFilterStatus(ctx context.Context, accountID, id int64) (*store.FilterStatus, error) {
	rows, _ := s.pool.Query(ctx, `SELECT `+filterStatusColumns+` FROM filter_statuses WHERE id = $1 AND account_id = $2`, id, accountID)
	fs, err := pgx.CollectExactlyOneRow(rows, scanFilterStatus)
	if err != nil {
		return nil, fmt.Errorf("postgres: filter status %d of %d: %w", id, accountID, translate(err))
	}
	return fs, nil
}

// DeleteFilterStatus deletes filter_statuses by (account_id, id).
func (s *Store) DeleteFilterStatus(ctx context.Context, accountID, id int64) error {
	if err := mustAffect(s.pool.Exec(ctx, `DELETE FROM filter_statuses WHERE id = $1 AND account_id = $2`, id, accountID)); err != nil {
		return fmt.Errorf("postgres: delete filter status %d of %d: %w", id, accountID, translate(err))
	}
	return nil
}
