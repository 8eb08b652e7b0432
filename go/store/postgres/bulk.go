package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/starling-social/starling/go/store"
)

var _ store.BulkLoader = (*Store)(nil)

// IsEmpty reports whether there is no account and no status.
func (s *Store) IsEmpty(ctx context.Context) (bool, error) {
	var any bool
	err := s.pool.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM accounts) OR EXISTS (SELECT 1 FROM statuses)`).Scan(&any)
	if err != nil {
		return false, fmt.Errorf("postgres: is empty: %w", err)
	}
	return !any, nil
}

// BulkLoad writes each batch in one transaction with COPY, one per table.
// Statuses are copied with conversation_id set (their own thread), so the
// insert trigger keeps it; search_vector is a generated column and fills
// itself. The transactions commit without waiting for the WAL flush
// (synchronous_commit off, for the load's transactions only): a crash
// mid-load loses the last batches of a load that is started again anyway.
// The database is analysed at the end.
func (s *Store) BulkLoad(ctx context.Context, next func() (*store.BulkBatch, error)) error {
	empty, err := s.IsEmpty(ctx)
	if err != nil {
		return err
	}
	if !empty {
		return errors.New("postgres: bulk load: the database already has accounts or statuses; bulk load wants an empty one")
	}
	for {
		b, err := next()
		if err != nil {
			return fmt.Errorf("postgres: bulk load: %w", err)
		}
		if b == nil {
			// Statistics now, not when autovacuum gets round to it (if it
			// runs): without them the planner ranks every match of a
			// common word in search (a GIN scan of 60k rows at 100k
			// statuses, 0.6 s) instead of walking the newest.
			if _, err := s.pool.Exec(ctx, `ANALYZE`); err != nil {
				return fmt.Errorf("postgres: bulk load: analyze: %w", translate(err))
			}
			return nil
		}
		if err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error { return bulkBatch(ctx, tx, b) }); err != nil {
			return fmt.Errorf("postgres: bulk load: %w", translate(err))
		}
	}
}

func bulkBatch(ctx context.Context, tx pgx.Tx, b *store.BulkBatch) error {
	if _, err := tx.Exec(ctx, `SET LOCAL synchronous_commit = off`); err != nil {
		return err
	}
	copyRows := func(table string, cols []string, n int, row func(i int) []any) error {
		if n == 0 {
			return nil
		}
		_, err := tx.CopyFrom(ctx, pgx.Identifier{table}, cols, pgx.CopyFromSlice(n, func(i int) ([]any, error) { return row(i), nil }))
		if err != nil {
			return fmt.Errorf("%s: %w", table, err)
		}
		return nil
	}
	if err := copyRows("accounts", []string{"id", "username", "display_name", "note", "password_hash", "locked", "bot",
		"discoverable", "created_at", "followers_count", "following_count", "statuses_count", "last_status_at", "avatar_key",
		"header_key", "fields"}, len(b.Accounts), func(i int) []any {
		a := b.Accounts[i]
		var lastAt *time.Time
		if a.LastStatusAt != nil {
			t := toDB(*a.LastStatusAt)
			lastAt = &t
		}
		return []any{a.ID, a.Username, a.DisplayName, a.Note, a.PasswordHash, a.Locked, a.Bot, a.Discoverable,
			toDB(a.CreatedAt), a.FollowersCount, a.FollowingCount, a.StatusesCount, lastAt, a.AvatarKey, a.HeaderKey,
			store.EncodeProfileFields(a.Fields)}
	}); err != nil {
		return err
	}
	if err := copyRows("follows", []string{"id", "account_id", "target_account_id", "show_reblogs", "notify", "created_at"},
		len(b.Follows), func(i int) []any {
			f := b.Follows[i]
			return []any{f.ID, f.AccountID, f.TargetAccountID, f.ShowReblogs, f.Notify, toDB(f.CreatedAt)}
		}); err != nil {
		return err
	}
	for _, st := range b.Statuses {
		if st.InReplyToID != 0 {
			return fmt.Errorf("status %d: replies are not bulk loaded", st.ID)
		}
	}
	if err := copyRows("statuses", []string{"id", "account_id", "reblog_of_id", "text", "content", "spoiler_text", "sensitive",
		"visibility", "language", "created_at", "replies_count", "reblogs_count", "favourites_count", "conversation_id"},
		len(b.Statuses), func(i int) []any {
			st := b.Statuses[i]
			return []any{st.ID, st.AccountID, nullID(st.ReblogOfID), st.Text, st.Content, st.SpoilerText, st.Sensitive,
				string(st.Visibility), st.Language, toDB(st.CreatedAt), st.RepliesCount, st.ReblogsCount, st.FavouritesCount, st.ID}
		}); err != nil {
		return err
	}
	if err := copyRows("favourites", []string{"id", "account_id", "status_id", "created_at"}, len(b.Favourites), func(i int) []any {
		f := b.Favourites[i]
		return []any{f.ID, f.AccountID, f.StatusID, toDB(f.CreatedAt)}
	}); err != nil {
		return err
	}
	if len(b.Vectors) > 0 && b.Embedder == "" {
		return errors.New("vectors without an embedder name")
	}
	return copyRows("status_vectors", []string{"embedder", "status_id", "vector"}, len(b.Vectors), func(i int) []any {
		v := b.Vectors[i]
		return []any{b.Embedder, v.StatusID, store.EncodeEmbedding(v.Embedding)}
	})
}
