package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/starling-social/starling/go/store"
)

var _ store.BulkLoader = (*Store)(nil)

// maxBulkParams bounds the parameters of one multi-row INSERT: SQLite's
// limit is 32766 since 3.32; a few hundred rows per statement already
// takes the per-statement cost (cgo call, parse) out of the load.
const maxBulkParams = 8000

// errNotEmpty refuses a bulk load into a database with data.
var errNotEmpty = errors.New("the database already has accounts or statuses; bulk load wants an empty one")

// IsEmpty reports whether there is no account and no status.
func (s *Store) IsEmpty(ctx context.Context) (bool, error) {
	var n int
	err := s.w.QueryRowContext(ctx, `SELECT (SELECT count(*) FROM (SELECT 1 FROM accounts LIMIT 1)) +
		(SELECT count(*) FROM (SELECT 1 FROM statuses LIMIT 1))`).Scan(&n)
	if err != nil {
		return false, fmt.Errorf("sqlite: is empty: %w", err)
	}
	return n == 0, nil
}

// BulkLoad writes each batch in one transaction with multi-row INSERTs
// prepared once per shape. For the load only, the writer connection runs
// with synchronous OFF and a 256 MiB page cache: a crash mid-load leaves
// a database to delete, not a live instance's acknowledged writes (the load
// refuses a non-empty database). The configured synchronous setting is
// restored after, and the WAL checkpointed so the server starts small.
func (s *Store) BulkLoad(ctx context.Context, next func() (*store.BulkBatch, error)) (err error) {
	empty, err := s.IsEmpty(ctx)
	if err != nil {
		return err
	}
	if !empty {
		return fmt.Errorf("sqlite: bulk load: %w", errNotEmpty)
	}
	// The writer pool has one connection, so the pragmas hold for every
	// transaction below; it is pinned to be sure.
	conn, err := s.w.Conn(ctx)
	if err != nil {
		return fmt.Errorf("sqlite: bulk load: %w", err)
	}
	defer conn.Close()
	var sync, cache int
	if err := conn.QueryRowContext(ctx, `PRAGMA synchronous`).Scan(&sync); err != nil {
		return fmt.Errorf("sqlite: bulk load: %w", err)
	}
	if err := conn.QueryRowContext(ctx, `PRAGMA cache_size`).Scan(&cache); err != nil {
		return fmt.Errorf("sqlite: bulk load: %w", err)
	}
	if _, err := conn.ExecContext(ctx, `PRAGMA synchronous = OFF; PRAGMA cache_size = -262144`); err != nil {
		return fmt.Errorf("sqlite: bulk load: %w", err)
	}
	defer func() {
		_, rerr := conn.ExecContext(context.WithoutCancel(ctx),
			fmt.Sprintf(`PRAGMA synchronous = %d; PRAGMA cache_size = %d; PRAGMA wal_checkpoint(TRUNCATE)`, sync, cache))
		if err == nil && rerr != nil {
			err = fmt.Errorf("sqlite: bulk load: restore settings: %w", rerr)
		}
	}()
	for {
		b, err := next()
		if err != nil {
			return fmt.Errorf("sqlite: bulk load: %w", err)
		}
		if b == nil {
			return nil
		}
		if err := bulkBatch(ctx, conn, b); err != nil {
			return fmt.Errorf("sqlite: bulk load: %w", translateFK(err))
		}
	}
}

func bulkBatch(ctx context.Context, conn *sql.Conn, b *store.BulkBatch) error {
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback() //nolint:errcheck // harmless after Commit
	// Columns named here, not accountColumns: moderation state (and what
	// else accounts gain) takes its defaults in a new instance.
	if err := bulkInsert(ctx, tx, `accounts (id, username, display_name, note, password_hash, locked, bot, discoverable,
		created_at, followers_count, following_count, statuses_count, last_status_at, avatar_key, header_key, fields)`, 16,
		len(b.Accounts), func(i int, a []any) []any {
			x := b.Accounts[i]
			var lastAt any
			if x.LastStatusAt != nil {
				lastAt = toDB(*x.LastStatusAt)
			}
			return append(a, x.ID, x.Username, x.DisplayName, x.Note, x.PasswordHash, x.Locked, x.Bot, x.Discoverable,
				toDB(x.CreatedAt), x.FollowersCount, x.FollowingCount, x.StatusesCount, lastAt, x.AvatarKey, x.HeaderKey,
				store.EncodeProfileFields(x.Fields))
		}); err != nil {
		return fmt.Errorf("accounts: %w", err)
	}
	if err := bulkInsert(ctx, tx, `follows (id, account_id, target_account_id, show_reblogs, notify, created_at)`, 6,
		len(b.Follows), func(i int, a []any) []any {
			f := b.Follows[i]
			return append(a, f.ID, f.AccountID, f.TargetAccountID, f.ShowReblogs, f.Notify, toDB(f.CreatedAt))
		}); err != nil {
		return fmt.Errorf("follows: %w", err)
	}
	for _, st := range b.Statuses {
		if st.InReplyToID != 0 {
			return fmt.Errorf("status %d: replies are not bulk loaded", st.ID)
		}
	}
	// conversation_id is set (a thread of its own, as the trigger would
	// make it) so the insert trigger has nothing to do; replies are not
	// bulk loaded.
	if err := bulkInsert(ctx, tx, `statuses (id, account_id, reblog_of_id, text, content, spoiler_text, sensitive,
		visibility, language, created_at, replies_count, reblogs_count, favourites_count, conversation_id)`, 14,
		len(b.Statuses), func(i int, a []any) []any {
			st := b.Statuses[i]
			return append(a, st.ID, st.AccountID, nullID(st.ReblogOfID), st.Text, st.Content, st.SpoilerText, st.Sensitive,
				string(st.Visibility), st.Language, toDB(st.CreatedAt), st.RepliesCount, st.ReblogsCount, st.FavouritesCount, st.ID)
		}); err != nil {
		return fmt.Errorf("statuses: %w", err)
	}
	if err := bulkInsert(ctx, tx, `favourites (id, account_id, status_id, created_at)`, 4, len(b.Favourites),
		func(i int, a []any) []any {
			f := b.Favourites[i]
			return append(a, f.ID, f.AccountID, f.StatusID, toDB(f.CreatedAt))
		}); err != nil {
		return fmt.Errorf("favourites: %w", err)
	}
	if len(b.Vectors) > 0 && b.Embedder == "" {
		return errors.New("vectors without an embedder name")
	}
	if err := bulkInsert(ctx, tx, `status_vectors (embedder, status_id, vector)`, 3, len(b.Vectors),
		func(i int, a []any) []any {
			v := b.Vectors[i]
			return append(a, b.Embedder, v.StatusID, store.EncodeEmbedding(v.Embedding))
		}); err != nil {
		return fmt.Errorf("vectors: %w", err)
	}
	return tx.Commit()
}

// bulkInsert inserts n rows into target ("table (columns)") of cols
// columns, as many per statement as maxBulkParams allows; args appends
// row i's values. The full-size statement is prepared once per call.
func bulkInsert(ctx context.Context, tx *sql.Tx, target string, cols, n int, args func(i int, a []any) []any) error {
	if n == 0 {
		return nil
	}
	per := max(1, maxBulkParams/cols)
	row := "(" + strings.TrimSuffix(strings.Repeat("?,", cols), ",") + ")"
	text := func(rows int) string {
		return "INSERT INTO " + target + " VALUES " + strings.TrimSuffix(strings.Repeat(row+",", rows), ",")
	}
	var full *sql.Stmt
	defer func() {
		if full != nil {
			full.Close()
		}
	}()
	a := make([]any, 0, per*cols)
	for lo := 0; lo < n; lo += per {
		hi := min(n, lo+per)
		a = a[:0]
		for i := lo; i < hi; i++ {
			a = args(i, a)
		}
		if hi-lo < per {
			if _, err := tx.ExecContext(ctx, text(hi-lo), a...); err != nil {
				return err
			}
			continue
		}
		if full == nil {
			var err error
			if full, err = tx.PrepareContext(ctx, text(per)); err != nil {
				return err
			}
		}
		if _, err := full.ExecContext(ctx, a...); err != nil {
			return err
		}
	}
	return nil
}
