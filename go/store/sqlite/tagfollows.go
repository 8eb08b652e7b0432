package sqlite

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/starling-social/starling/go/store"
)

const tagFollowColumns = `id, account_id, name, created_at`

// scanTagFollow reads tag_follows and featured_tags rows alike: they have
// the same columns.
func scanTagFollow(row scanner) (*store.TagFollow, error) {
	var (
		f         store.TagFollow
		createdAt int64
	)
	if err := row.Scan(&f.ID, &f.AccountID, &f.Name, &createdAt); err != nil {
		return nil, err
	}
	f.CreatedAt = fromDB(createdAt)
	return &f, nil
}

// PutTagFollow inserts f unless the account follows max tags already.
func (s *Store) PutTagFollow(ctx context.Context, f *store.TagFollow, max int) error {
	err := s.insertCapped(ctx, `
		SELECT count(*), coalesce(max(name = ?), 0) FROM tag_follows WHERE account_id = ?`,
		[]any{f.Name, f.AccountID}, max,
		`INSERT INTO tag_follows (`+tagFollowColumns+`) VALUES (?, ?, ?, ?)`,
		f.ID, f.AccountID, f.Name, toDB(f.CreatedAt))
	if err != nil {
		return fmt.Errorf("sqlite: follow tag %q by %d: %w", f.Name, f.AccountID, translateFK(err))
	}
	return nil
}

// DeleteTagFollow deletes (account_id, name).
func (s *Store) DeleteTagFollow(ctx context.Context, accountID int64, name string) error {
	res, err := s.w.ExecContext(ctx, `DELETE FROM tag_follows WHERE account_id = ? AND name = ?`, accountID, name)
	if err == nil {
		err = mustAffect(res)
	}
	if err != nil {
		return fmt.Errorf("sqlite: unfollow tag %q by %d: %w", name, accountID, translate(err))
	}
	return nil
}

// ListTagFollows selects tag_follows by account_id inside page.
func (s *Store) ListTagFollows(ctx context.Context, accountID int64, page store.Page) ([]*store.TagFollow, error) {
	out, err := listPage(ctx, s, `SELECT `+tagFollowColumns+` FROM tag_follows WHERE account_id = ?`,
		[]any{accountID}, "id", page, scanTagFollow)
	if err != nil {
		return nil, fmt.Errorf("sqlite: followed tags of %d: %w", accountID, err)
	}
	return out, nil
}

// GetFollowedTagNames selects tag_follows.name by account_id, ascending.
func (s *Store) GetFollowedTagNames(ctx context.Context, accountID int64) ([]string, error) {
	out, err := queryAll(ctx, s, `SELECT name FROM tag_follows WHERE account_id = ? ORDER BY name`,
		scanString, accountID)
	if err != nil {
		return nil, fmt.Errorf("sqlite: followed tag names of %d: %w", accountID, translate(err))
	}
	return out, nil
}

func scanString(row scanner) (v string, err error) {
	err = row.Scan(&v)
	return v, err
}

// GetTagFollowerIDs selects the distinct tag_follows.account_id of names.
func (s *Store) GetTagFollowerIDs(ctx context.Context, names []string, limit int) ([]int64, error) {
	if len(names) == 0 {
		return nil, nil
	}
	list, err := jsonArray(names)
	if err != nil {
		return nil, fmt.Errorf("sqlite: tag followers: %w", err)
	}
	out, err := queryAll(ctx, s, `
		SELECT DISTINCT account_id FROM tag_follows WHERE name IN (SELECT value FROM json_each(?))
		ORDER BY account_id LIMIT ?`, scanID, list, limit)
	if err != nil {
		return nil, fmt.Errorf("sqlite: tag followers: %w", translate(err))
	}
	return out, nil
}

// ListPublicTaggedStatuses selects public non-reblog statuses with any of
// names in status_tags, inside page.
func (s *Store) ListPublicTaggedStatuses(ctx context.Context, names []string, page store.Page) ([]*store.Status, error) {
	if len(names) == 0 {
		return nil, nil
	}
	list, err := jsonArray(names)
	if err != nil {
		return nil, fmt.Errorf("sqlite: tagged statuses: %w", err)
	}
	out, err := listPage(ctx, s, `SELECT `+statusColumns+` FROM statuses
		WHERE visibility = 'public' AND reblog_of_id IS NULL
		  AND id IN (SELECT status_id FROM status_tags WHERE name IN (SELECT value FROM json_each(?)))`,
		[]any{list}, "id", page, scanStatus)
	if err != nil {
		return nil, fmt.Errorf("sqlite: tagged statuses: %w", err)
	}
	return out, nil
}

// PutFeaturedTag inserts t unless the account features max tags already.
func (s *Store) PutFeaturedTag(ctx context.Context, t *store.FeaturedTag, max int) error {
	err := s.insertCapped(ctx, `
		SELECT count(*), coalesce(max(name = ?), 0) FROM featured_tags WHERE account_id = ?`,
		[]any{t.Name, t.AccountID}, max,
		`INSERT INTO featured_tags (`+tagFollowColumns+`) VALUES (?, ?, ?, ?)`,
		t.ID, t.AccountID, t.Name, toDB(t.CreatedAt))
	if err != nil {
		return fmt.Errorf("sqlite: feature tag %q by %d: %w", t.Name, t.AccountID, translateFK(err))
	}
	return nil
}

// DeleteFeaturedTag deletes featured_tags by (account_id, id).
func (s *Store) DeleteFeaturedTag(ctx context.Context, accountID, id int64) error {
	res, err := s.w.ExecContext(ctx, `DELETE FROM featured_tags WHERE account_id = ? AND id = ?`, accountID, id)
	if err == nil {
		err = mustAffect(res)
	}
	if err != nil {
		return fmt.Errorf("sqlite: unfeature tag %d of %d: %w", id, accountID, translate(err))
	}
	return nil
}

// ListFeaturedTags selects featured_tags by account_id, ascending by id.
func (s *Store) ListFeaturedTags(ctx context.Context, accountID int64) ([]*store.FeaturedTag, error) {
	out, err := queryAll(ctx, s, `SELECT `+tagFollowColumns+` FROM featured_tags WHERE account_id = ? ORDER BY id`,
		func(row scanner) (*store.FeaturedTag, error) {
			f, err := scanTagFollow(row)
			if err != nil {
				return nil, err
			}
			return (*store.FeaturedTag)(f), nil
		}, accountID)
	if err != nil {
		return nil, fmt.Errorf("sqlite: featured tags of %d: %w", accountID, translate(err))
	}
	return out, nil
}

// GetTagUsage counts the account's public and unlisted originals per tag.
// The scan starts from the account's statuses (CROSS JOIN keeps SQLite
// from starting at a popular tag's every use).
func (s *Store) GetTagUsage(ctx context.Context, accountID int64, names []string) ([]store.TagUsage, error) {
	list, err := jsonArray(names)
	if err != nil {
		return nil, fmt.Errorf("sqlite: tag usage of %d: %w", accountID, err)
	}
	rows, err := queryAll(ctx, s, `
		SELECT t.name, count(*), max(s.created_at)
		FROM statuses s CROSS JOIN status_tags t ON t.status_id = s.id
		WHERE s.account_id = ? AND s.visibility IN ('public', 'unlisted') AND s.reblog_of_id IS NULL
		  AND t.name IN (SELECT value FROM json_each(?))
		GROUP BY t.name`,
		func(row scanner) (store.TagUsage, error) {
			var (
				u    store.TagUsage
				last sql.NullInt64
			)
			err := row.Scan(&u.Name, &u.StatusesCount, &last)
			u.LastStatusAt = fromNullDB(last)
			return u, err
		}, accountID, list)
	if err != nil {
		return nil, fmt.Errorf("sqlite: tag usage of %d: %w", accountID, translate(err))
	}
	return store.UsageInOrder(names, rows), nil
}

// ListRecentlyUsedTags ranks the tags of the account's newest recent
// originals.
func (s *Store) ListRecentlyUsedTags(ctx context.Context, accountID int64, recent int, exclude []string, limit int) ([]string, error) {
	if exclude == nil {
		exclude = []string{}
	}
	list, err := jsonArray(exclude)
	if err != nil {
		return nil, fmt.Errorf("sqlite: recent tags of %d: %w", accountID, err)
	}
	out, err := queryAll(ctx, s, `
		SELECT t.name
		FROM (SELECT id FROM statuses WHERE account_id = ? AND reblog_of_id IS NULL ORDER BY id DESC LIMIT ?) r
		JOIN status_tags t ON t.status_id = r.id
		WHERE t.name NOT IN (SELECT value FROM json_each(?))
		GROUP BY t.name ORDER BY count(*) DESC, t.name LIMIT ?`,
		scanString, accountID, recent, list, limit)
	if err != nil {
		return nil, fmt.Errorf("sqlite: recent tags of %d: %w", accountID, translate(err))
	}
	return out, nil
}
