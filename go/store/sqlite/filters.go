package sqlite

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/starling-social/starling/go/store"
)

const (
	filterColumns        = `id, account_id, title, context, action, expires_at, created_at`
	filterKeywordColumns = `id, filter_id, keyword, whole_word`
	filterStatusColumns  = `id, filter_id, status_id, created_at`
)

func scanFilter(row scanner) (*store.Filter, error) {
	var (
		f         store.Filter
		context   string
		expiresAt sql.NullInt64
		createdAt int64
	)
	if err := row.Scan(&f.ID, &f.AccountID, &f.Title, &context, &f.Action, &expiresAt, &createdAt); err != nil {
		return nil, err
	}
	f.Context, f.ExpiresAt, f.CreatedAt = store.SplitFilterContexts(context), fromNullDB(expiresAt), fromDB(createdAt)
	return &f, nil
}

func scanFilterKeyword(row scanner) (*store.FilterKeyword, error) {
	var k store.FilterKeyword
	err := row.Scan(&k.ID, &k.FilterID, &k.Keyword, &k.WholeWord)
	return &k, err
}

func scanFilterStatus(row scanner) (*store.FilterStatus, error) {
	var (
		fs        store.FilterStatus
		createdAt int64
	)
	err := row.Scan(&fs.ID, &fs.FilterID, &fs.StatusID, &createdAt)
	fs.CreatedAt = fromDB(createdAt)
	return &fs, err
}

// filterUpdates maps each column UpdateFilter may set to f's stored value.
func filterUpdates(f *store.Filter) map[string]any {
	return map[string]any{"title": f.Title, "context": store.FilterContexts(f.Context),
		"action": f.Action, "expires_at": nullTime(f.ExpiresAt)}
}

// PutFilter inserts the filter and its keywords, then checks the caps in
// the same write transaction (SQLite has one writer, so nothing
// interleaves).
func (s *Store) PutFilter(ctx context.Context, f *store.Filter, lim store.FilterLimits) error {
	err := s.withTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO filters (`+filterColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?)`,
			f.ID, f.AccountID, f.Title, store.FilterContexts(f.Context), f.Action, nullTime(f.ExpiresAt), toDB(f.CreatedAt)); err != nil {
			return err
		}
		if err := insertFilterKeywords(ctx, tx, f.AccountID, f.Keywords); err != nil {
			return err
		}
		return checkFilterLimits(ctx, tx, f.AccountID, lim)
	})
	if err != nil {
		return fmt.Errorf("sqlite: put filter %d of %d: %w", f.ID, f.AccountID, translateFK(err))
	}
	return nil
}

func insertFilterKeywords(ctx context.Context, tx *sql.Tx, accountID int64, kws []*store.FilterKeyword) error {
	for _, k := range kws {
		if _, err := tx.ExecContext(ctx, `INSERT INTO filter_keywords (`+filterKeywordColumns+`, account_id) VALUES (?, ?, ?, ?, ?)`,
			k.ID, k.FilterID, k.Keyword, k.WholeWord, accountID); err != nil {
			return fmt.Errorf("keyword: %w", err)
		}
	}
	return nil
}

// checkFilterLimits fails with ErrLimit when the account's filters or
// keywords, counted after the write, pass lim.
func checkFilterLimits(ctx context.Context, tx *sql.Tx, accountID int64, lim store.FilterLimits) error {
	var filters, keywords int
	if err := tx.QueryRowContext(ctx, `SELECT (SELECT count(*) FROM filters WHERE account_id = ?),
		(SELECT count(*) FROM filter_keywords WHERE account_id = ?)`, accountID, accountID).Scan(&filters, &keywords); err != nil {
		return fmt.Errorf("count: %w", err)
	}
	if filters > lim.Filters || keywords > lim.Keywords {
		return store.ErrLimit
	}
	return nil
}

// UpdateFilter applies u in one write transaction.
func (s *Store) UpdateFilter(ctx context.Context, u *store.FilterUpdate, lim store.FilterLimits) error {
	f := u.Filter
	err := s.withTx(ctx, func(tx *sql.Tx) error {
		var owned int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM filters WHERE id = ? AND account_id = ?`,
			f.ID, f.AccountID).Scan(&owned); err != nil {
			return err
		}
		if owned == 0 {
			return sql.ErrNoRows
		}
		if len(u.Columns) > 0 {
			set, args, err := store.SetClause(filterUpdates(f), u.Columns, nil, placeholder)
			if err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, `UPDATE filters SET `+set+` WHERE id = ?`, append(args, f.ID)...); err != nil {
				return err
			}
		}
		for _, id := range u.DeleteKeywordIDs {
			res, err := tx.ExecContext(ctx, `DELETE FROM filter_keywords WHERE id = ? AND filter_id = ?`, id, f.ID)
			if err == nil {
				err = mustAffect(res)
			}
			if err != nil {
				return fmt.Errorf("delete keyword %d: %w", id, err)
			}
		}
		for _, k := range u.UpdateKeywords {
			res, err := tx.ExecContext(ctx, `UPDATE filter_keywords SET keyword = ?, whole_word = ? WHERE id = ? AND filter_id = ?`,
				k.Keyword, k.WholeWord, k.ID, f.ID)
			if err == nil {
				err = mustAffect(res)
			}
			if err != nil {
				return fmt.Errorf("update keyword %d: %w", k.ID, err)
			}
		}
		if err := insertFilterKeywords(ctx, tx, f.AccountID, u.AddKeywords); err != nil {
			return err
		}
		return checkFilterLimits(ctx, tx, f.AccountID, lim)
	})
	if err != nil {
		return fmt.Errorf("sqlite: update filter %d of %d: %w", f.ID, f.AccountID, translateFK(err))
	}
	return nil
}

// DeleteFilter deletes filters by (account_id, id); keywords and statuses
// go by ON DELETE CASCADE.
func (s *Store) DeleteFilter(ctx context.Context, accountID, id int64) error {
	res, err := s.w.ExecContext(ctx, `DELETE FROM filters WHERE id = ? AND account_id = ?`, id, accountID)
	if err == nil {
		err = mustAffect(res)
	}
	if err != nil {
		return fmt.Errorf("sqlite: delete filter %d of %d: %w", id, accountID, translate(err))
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
		return nil, fmt.Errorf("sqlite: filter %d of %d: %w", id, accountID, err)
	}
	return fs[0], nil
}

// ListFilters selects filters by account_id, ascending by id, with their
// keywords and statuses.
func (s *Store) ListFilters(ctx context.Context, accountID int64) ([]*store.Filter, error) {
	fs, err := s.listFilters(ctx, accountID, 0)
	if err != nil {
		return nil, fmt.Errorf("sqlite: filters of %d: %w", accountID, err)
	}
	return fs, nil
}

// listFilters reads accountID's filters (only filter id when nonzero) and
// their parts, in three queries; the parts are read only when there are
// filters, so an account without any costs one indexed lookup.
func (s *Store) listFilters(ctx context.Context, accountID, id int64) ([]*store.Filter, error) {
	fs, err := queryAll(ctx, s, `SELECT `+filterColumns+` FROM filters WHERE account_id = ? AND (? = 0 OR id = ?) ORDER BY id`,
		scanFilter, accountID, id, id)
	if err != nil || len(fs) == 0 {
		return fs, translate(err)
	}
	kws, err := queryAll(ctx, s, `SELECT `+filterKeywordColumns+` FROM filter_keywords
		WHERE account_id = ? AND (? = 0 OR filter_id = ?) ORDER BY id`, scanFilterKeyword, accountID, id, id)
	if err != nil {
		return nil, translate(err)
	}
	sts, err := queryAll(ctx, s, `SELECT `+filterStatusColumns+` FROM filter_statuses
		WHERE account_id = ? AND (? = 0 OR filter_id = ?) ORDER BY id`, scanFilterStatus, accountID, id, id)
	if err != nil {
		return nil, translate(err)
	}
	store.AttachFilterParts(fs, kws, sts)
	return fs, nil
}

// GetFilterKeyword selects filter_keywords by (account_id, id).
func (s *Store) GetFilterKeyword(ctx context.Context, accountID, id int64) (*store.FilterKeyword, error) {
	k, err := scanFilterKeyword(s.r.QueryRowContext(ctx,
		`SELECT `+filterKeywordColumns+` FROM filter_keywords WHERE id = ? AND account_id = ?`, id, accountID))
	if err != nil {
		return nil, fmt.Errorf("sqlite: filter keyword %d of %d: %w", id, accountID, translate(err))
	}
	return k, nil
}

// PutFilterStatus inserts into filter_statuses unless the account's
// filters name max statuses already.
func (s *Store) PutFilterStatus(ctx context.Context, accountID int64, fs *store.FilterStatus, max int) error {
	err := s.insertCapped(ctx, `
		SELECT count(*), coalesce(max(filter_id = ? AND status_id = ?), 0) FROM filter_statuses WHERE account_id = ?`,
		[]any{fs.FilterID, fs.StatusID, accountID}, max,
		`INSERT INTO filter_statuses (`+filterStatusColumns+`, account_id)
		 SELECT ?, id, ?, ?, account_id FROM filters WHERE id = ? AND account_id = ?`,
		fs.ID, fs.StatusID, toDB(fs.CreatedAt), fs.FilterID, accountID)
	if err == nil {
		// The INSERT ... SELECT inserted nothing when the filter is not
		// the account's.
		_, err = s.GetFilterStatus(ctx, accountID, fs.ID)
	}
	if err != nil {
		return fmt.Errorf("sqlite: put filter status %d of %d: %w", fs.StatusID, accountID, translateFK(err))
	}
	return nil
}

// GetFilterStatus selects filter_statuses by (account_id, id).
func (s *Store) GetFilterStatus(ctx context.Context, accountID, id int64) (*store.FilterStatus, error) {
	fs, err := scanFilterStatus(s.r.QueryRowContext(ctx,
		`SELECT `+filterStatusColumns+` FROM filter_statuses WHERE id = ? AND account_id = ?`, id, accountID))
	if err != nil {
		return nil, fmt.Errorf("sqlite: filter status %d of %d: %w", id, accountID, translate(err))
	}
	return fs, nil
}

// DeleteFilterStatus deletes filter_statuses by (account_id, id).
func (s *Store) DeleteFilterStatus(ctx context.Context, accountID, id int64) error {
	res, err := s.w.ExecContext(ctx, `DELETE FROM filter_statuses WHERE id = ? AND account_id = ?`, id, accountID)
	if err == nil {
		err = mustAffect(res)
	}
	if err != nil {
		return fmt.Errorf("sqlite: delete filter status %d of %d: %w", id, accountID, translate(err))
	}
	return nil
}
