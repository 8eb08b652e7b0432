package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/starling-social/starling/go/store"
)

const tagFollowColumns = `id, account_id, name, created_at`

// scanTagFollow reads tag_follows and featured_tags rows alike: they have
// the same columns.
func scanTagFollow(row pgx.CollectableRow) (*store.TagFollow, error) {
	var f store.TagFollow
	if err := row.Scan(&f.ID, &f.AccountID, &f.Name, &f.CreatedAt); err != nil {
		return nil, err
	}
	f.CreatedAt = f.CreatedAt.UTC()
	return &f, nil
}

// PutTagFollow inserts f unless the account follows max tags already.
func (s *Store) PutTagFollow(ctx context.Context, f *store.TagFollow, max int) error {
	err := s.insertCapped(ctx, lockAccount, f.AccountID, `
		SELECT count(*), coalesce(bool_or(name = $2), false) FROM tag_follows WHERE account_id = $1`,
		[]any{f.AccountID, f.Name}, max,
		`INSERT INTO tag_follows (`+tagFollowColumns+`) VALUES ($1, $2, $3, $4)`,
		f.ID, f.AccountID, f.Name, toDB(f.CreatedAt))
	if err != nil {
		return fmt.Errorf("postgres: follow tag %q by %d: %w", f.Name, f.AccountID, translateFK(err))
	}
	return nil
}

// DeleteTagFollow deletes (account_id, name).
func (s *Store) DeleteTagFollow(ctx context.Context, accountID int64, name string) error {
	tag, err := s.pool.Exec(ctx, `DELETE FROM tag_follows WHERE account_id = $1 AND name = $2`, accountID, name)
	if err == nil && tag.RowsAffected() == 0 {
		err = pgx.ErrNoRows
	}
	if err != nil {
		return fmt.Errorf("postgres: unfollow tag %q by %d: %w", name, accountID, translate(err))
	}
	return nil
}

// ListTagFollows selects tag_follows by account_id inside page.
func (s *Store) ListTagFollows(ctx context.Context, accountID int64, page store.Page) ([]*store.TagFollow, error) {
	out, err := listPage(ctx, s, `SELECT `+tagFollowColumns+` FROM tag_follows WHERE account_id = $1`,
		[]any{accountID}, "id", page, scanTagFollow)
	if err != nil {
		return nil, fmt.Errorf("postgres: followed tags of %d: %w", accountID, err)
	}
	return out, nil
}

// GetFollowedTagNames selects tag_follows.name by account_id, ascending.
func (s *Store) GetFollowedTagNames(ctx context.Context, accountID int64) ([]string, error) {
	rows, _ := s.pool.Query(ctx, `SELECT name FROM tag_follows WHERE account_id = $1 ORDER BY name`, accountID)
	out, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return nil, fmt.Errorf("postgres: followed tag names of %d: %w", accountID, translate(err))
	}
	return out, nil
}

// GetTagFollowerIDs selects the distinct tag_follows.account_id of names.
func (s *Store) GetTagFollowerIDs(ctx context.Context, names []string, limit int) ([]int64, error) {
	if len(names) == 0 {
		return nil, nil
	}
	rows, _ := s.pool.Query(ctx, `
		SELECT DISTINCT account_id FROM tag_follows WHERE name = ANY($1) ORDER BY account_id LIMIT $2`, names, limit)
	out, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		return nil, fmt.Errorf("postgres: tag followers: %w", translate(err))
	}
	return out, nil
}

// ListPublicTaggedStatuses selects public non-reblog statuses with any of
// names in status_tags, inside page.
func (s *Store) ListPublicTaggedStatuses(ctx context.Context, names []string, page store.Page) ([]*store.Status, error) {
	if len(names) == 0 {
		return nil, nil
	}
	out, err := listPage(ctx, s, `SELECT `+statusColumns+` FROM statuses
		WHERE visibility = 'public' AND reblog_of_id IS NULL
		  AND id IN (SELECT status_id FROM status_tags WHERE name = ANY($1))`,
		[]any{names}, "id", page, scanStatus)
	if err != nil {
		return nil, fmt.Errorf("postgres: tagged statuses: %w", err)
	}
	return out, nil
}

// PutFeaturedTag inserts t unless the account features max tags already.
func (s *Store) PutFeaturedTag(ctx context.Context, t *store.FeaturedTag, max int) error {
	err := s.insertCapped(ctx, lockAccount, t.AccountID, `
		SELECT count(*), coalesce(bool_or(name = $2), false) FROM featured_tags WHERE account_id = $1`,
		[]any{t.AccountID, t.Name}, max,
		`INSERT INTO featured_tags (`+tagFollowColumns+`) VALUES ($1, $2, $3, $4)`,
		t.ID, t.AccountID, t.Name, toDB(t.CreatedAt))
	if err != nil {
		return fmt.Errorf("postgres: feature tag %q by %d: %w", t.Name, t.AccountID, translateFK(err))
	}
	return nil
}

// DeleteFeaturedTag deletes featured_tags by (account_id, id).
func (s *Store) DeleteFeaturedTag(ctx context.Context, accountID, id int64) error {
	tag, err := s.pool.Exec(ctx, `DELETE FROM featured_tags WHERE account_id = $1 AND id = $2`, accountID, id)
	if err == nil && tag.RowsAffected() == 0 {
		err = pgx.ErrNoRows
	}
	if err != nil {
		return fmt.Errorf("postgres: unfeature tag %d of %d: %w", id, accountID, translate(err))
	}
	return nil
}

// ListFeaturedTags selects featured_tags by account_id, ascending by id.
func (s *Store) ListFeaturedTags(ctx context.Context, accountID int64) ([]*store.FeaturedTag, error) {
	rows, _ := s.pool.Query(ctx, `SELECT `+tagFollowColumns+` FROM featured_tags WHERE account_id = $1 ORDER BY id`, accountID)
	out, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (*store.FeaturedTag, error) {
		f, err := scanTagFollow(row)
		if err != nil {
			return nil, err
		}
		return (*store.FeaturedTag)(f), nil
	})
	if err != nil {
		return nil, fmt.Errorf("postgres: featured tags of %d: %w", accountID, translate(err))
	}
	return out, nil
}

// GetTagUsage counts the account's public and unlisted originals per tag.
func (s *Store) GetTagUsage(ctx context.Context, accountID int64, names []string) ([]store.TagUsage, error) {
	rows, _ := s.pool.Query(ctx, `
		SELECT t.name, count(*), max(s.created_at)
		FROM statuses s JOIN status_tags t ON t.status_id = s.id
		WHERE s.account_id = $1 AND s.visibility IN ('public', 'unlisted') AND s.reblog_of_id IS NULL
		  AND t.name = ANY($2)
		GROUP BY t.name`, accountID, names)
	found, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (store.TagUsage, error) {
		var (
			u    store.TagUsage
			last *time.Time
		)
		err := row.Scan(&u.Name, &u.StatusesCount, &last)
		u.LastStatusAt = utcPtr(last)
		return u, err
	})
	if err != nil {
		return nil, fmt.Errorf("postgres: tag usage of %d: %w", accountID, translate(err))
	}
	return store.UsageInOrder(names, found), nil
}

// ListRecentlyUsedTags ranks the tags of the account's newest recent
// originals.
func (s *Store) ListRecentlyUsedTags(ctx context.Context, accountID int64, recent int, exclude []string, limit int) ([]string, error) {
	if exclude == nil {
		exclude = []string{}
	}
	rows, _ := s.pool.Query(ctx, `
		SELECT t.name
		FROM (SELECT id FROM statuses WHERE account_id = $1 AND reblog_of_id IS NULL ORDER BY id DESC LIMIT $2) r
		JOIN status_tags t ON t.status_id = r.id
		WHERE t.name <> ALL($3)
		GROUP BY t.name ORDER BY count(*) DESC, t.name LIMIT $4`, accountID, recent, exclude, limit)
	out, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return nil, fmt.Errorf("postgres: recent tags of %d: %w", accountID, translate(err))
	}
	return out, nil
}
