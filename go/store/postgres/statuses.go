package postgres

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/starling-social/starling/go/store"
)

const statusColumns = `id, account_id, in_reply_to_id, in_reply_to_account_id, reblog_of_id,
	text, content, spoiler_text, sensitive, visibility, language, created_at, embedding,
	replies_count, reblogs_count, favourites_count, edited_at`

func scanStatus(row pgx.CollectableRow) (*store.Status, error) {
	var (
		st                             store.Status
		inReplyTo, inReplyToAcct, ofID *int64
		visibility                     string
		embedding                      []byte
	)
	if err := row.Scan(&st.ID, &st.AccountID, &inReplyTo, &inReplyToAcct, &ofID,
		&st.Text, &st.Content, &st.SpoilerText, &st.Sensitive, &visibility, &st.Language, &st.CreatedAt, &embedding,
		&st.RepliesCount, &st.ReblogsCount, &st.FavouritesCount, &st.EditedAt); err != nil {
		return nil, err
	}
	st.InReplyToID, st.InReplyToAccountID, st.ReblogOfID = fromNullID(inReplyTo), fromNullID(inReplyToAcct), fromNullID(ofID)
	st.Visibility = store.Visibility(visibility)
	st.CreatedAt = st.CreatedAt.UTC()
	if st.EditedAt != nil {
		t := st.EditedAt.UTC()
		st.EditedAt = &t
	}
	emb, err := store.DecodeEmbedding(embedding)
	if err != nil {
		return nil, fmt.Errorf("status %d: %w", st.ID, err)
	}
	st.Embedding = emb
	return &st, nil
}

// PutStatus inserts st alone; see PutStatusWrite.
func (s *Store) PutStatus(ctx context.Context, st *store.Status) error {
	return s.PutStatusWrite(ctx, &store.StatusWrite{Status: st})
}

// PutStatusWrite inserts w.Status, its mentions, tags, notifications,
// idempotency key and outbox event in one transaction. Unless the status is direct, it
// increments the author's statuses_count and moves last_status_at forward
// to the status's CreatedAt (never back, so statuses imported out of order
// leave the newest time); for a public or unlisted reply, the parent's
// replies_count when the parent still exists; for a reblog the original's
// reblogs_count.
//
// Row locks are taken in one order by every writer that touches counts
// (the status reblogged or replied to, then accounts), so concurrent writes
// and deletes cannot deadlock.
func (s *Store) PutStatusWrite(ctx context.Context, w *store.StatusWrite) error {
	st := w.Status
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		if st.ReblogOfID != 0 {
			tag, err := tx.Exec(ctx,
				`UPDATE statuses SET reblogs_count = reblogs_count + 1 WHERE id = $1`, st.ReblogOfID)
			if err == nil && tag.RowsAffected() == 0 {
				err = pgx.ErrNoRows
			}
			if err != nil {
				return fmt.Errorf("reblogs count of %d: %w", st.ReblogOfID, err)
			}
		}
		if st.InReplyToID != 0 && st.Visibility.CountsAsReply() {
			// The parent may be gone (deleted while the reply was composed);
			// the reply is kept, as Mastodon keeps orphaned replies.
			if _, err := tx.Exec(ctx,
				`UPDATE statuses SET replies_count = replies_count + 1 WHERE id = $1`, st.InReplyToID); err != nil {
				return fmt.Errorf("replies count of %d: %w", st.InReplyToID, err)
			}
		}
		createdAt := toDB(st.CreatedAt)
		if _, err := tx.Exec(ctx, `
			INSERT INTO statuses (id, account_id, in_reply_to_id, in_reply_to_account_id, reblog_of_id,
				text, content, spoiler_text, sensitive, visibility, language, created_at, embedding)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)`,
			st.ID, st.AccountID, nullID(st.InReplyToID), nullID(st.InReplyToAccountID), nullID(st.ReblogOfID),
			st.Text, st.Content, st.SpoilerText, st.Sensitive, string(st.Visibility), st.Language, createdAt,
			store.EncodeEmbedding(st.Embedding)); err != nil {
			return err
		}
		if st.Visibility.CountsOnProfile() {
			// GREATEST ignores NULL, so the first status sets last_status_at.
			tag, err := tx.Exec(ctx, `
				UPDATE accounts
				SET statuses_count = statuses_count + 1,
				    last_status_at = GREATEST(last_status_at, $1)
				WHERE id = $2`, createdAt, st.AccountID)
			if err == nil && tag.RowsAffected() == 0 {
				err = pgx.ErrNoRows
			}
			if err != nil {
				return fmt.Errorf("statuses count of %d: %w", st.AccountID, err)
			}
		}
		if len(w.Mentions) > 0 {
			if _, err := tx.Exec(ctx, `
				INSERT INTO status_mentions (status_id, account_id)
				SELECT $1, unnest($2::bigint[]) ON CONFLICT DO NOTHING`, st.ID, w.Mentions); err != nil {
				return fmt.Errorf("mentions: %w", err)
			}
		}
		if len(w.Tags) > 0 {
			if _, err := tx.Exec(ctx, `
				INSERT INTO status_tags (status_id, name)
				SELECT $1, unnest($2::text[]) ON CONFLICT DO NOTHING`, st.ID, w.Tags); err != nil {
				return fmt.Errorf("tags: %w", err)
			}
		}
		for _, n := range w.Notifications {
			if err := insertNotification(ctx, tx, n); err != nil {
				return err
			}
		}
		if err := insertFlags(ctx, tx, w); err != nil {
			return err
		}
		if !w.OutboxAt.IsZero() {
			if _, err := tx.Exec(ctx, `INSERT INTO status_outbox (status_id, available_at, trace_parent) VALUES ($1, $2, $3)`,
				st.ID, toDB(w.OutboxAt), w.OutboxTraceParent); err != nil {
				return fmt.Errorf("outbox: %w", err)
			}
		}
		if err := insertConversations(ctx, tx, w); err != nil {
			return err
		}
		// The scheduled status goes first: that frees the uploads it
		// reserved (ON DELETE SET NULL), for attachMedia to take.
		if w.ScheduledID != 0 {
			if err := deleteScheduled(ctx, tx, st.AccountID, w.ScheduledID); err != nil {
				return err
			}
		}
		if err := attachMedia(ctx, tx, st.ID, st.AccountID, w.MediaIDs); err != nil {
			return err
		}
		if w.Poll != nil {
			if err := insertPoll(ctx, tx, w.Poll); err != nil {
				return err
			}
		}
		if w.IdempotencyKey != "" {
			if _, err := tx.Exec(ctx,
				`DELETE FROM idempotency_keys WHERE account_id = $1 AND key = $2 AND created_at < $3`,
				st.AccountID, w.IdempotencyKey, toDB(w.IdempotencySince)); err != nil {
				return fmt.Errorf("stale idempotency key: %w", err)
			}
			if _, err := tx.Exec(ctx, `
				INSERT INTO idempotency_keys (account_id, key, status_id, created_at) VALUES ($1, $2, $3, $4)`,
				st.AccountID, w.IdempotencyKey, st.ID, createdAt); err != nil {
				return fmt.Errorf("idempotency key: %w", err)
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("postgres: put status %d: %w", st.ID, translateFK(err))
	}
	return nil
}

// foreignKeyViolation is SQLSTATE foreign_key_violation.
const foreignKeyViolation = "23503"

// translateFK is translate, plus a foreign-key failure (the status or
// account referenced is gone) as store.ErrNotFound.
func translateFK(err error) error {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) && pgErr.Code == foreignKeyViolation {
		return fmt.Errorf("%w: %w", store.ErrNotFound, err)
	}
	return translate(err)
}

// DeleteStatusByID locks and deletes the status and, in the same
// transaction, the reblogs of it (each with its author's statuses_count),
// and decrements what putting it incremented: the author's statuses_count,
// the parent's replies_count and, for a reblog, the original's
// reblogs_count. Mentions, tags,
// favourites, bookmarks, notifications and idempotency keys go by ON DELETE
// CASCADE.
func (s *Store) DeleteStatusByID(ctx context.Context, id int64) (*store.Status, []*store.Status, error) {
	return s.deleteStatus(ctx, id, nil)
}

// DeleteStatusAudited is DeleteStatusByID appending audit (its
// TargetAccountID set to the author's) in the same transaction.
func (s *Store) DeleteStatusAudited(ctx context.Context, id int64, audit *store.AdminAction) (*store.Status, []*store.Status, error) {
	return s.deleteStatus(ctx, id, audit)
}

func (s *Store) deleteStatus(ctx context.Context, id int64, audit *store.AdminAction) (*store.Status, []*store.Status, error) {
	var (
		deleted *store.Status
		reblogs []*store.Status
	)
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		rows, _ := tx.Query(ctx, `SELECT `+statusColumns+` FROM statuses WHERE id = $1`, id)
		st, err := pgx.CollectExactlyOneRow(rows, scanStatus)
		if err != nil {
			return err
		}
		// Lock in PutStatusWrite's order: the status a reblog or reply
		// points at first, then this one (its columns never change, so the
		// unlocked read above stays true), then accounts.
		if st.ReblogOfID != 0 {
			if _, err := tx.Exec(ctx, `
				UPDATE statuses SET reblogs_count = reblogs_count - 1 WHERE id = $1 AND reblogs_count > 0`,
				st.ReblogOfID); err != nil {
				return fmt.Errorf("reblogs count of %d: %w", st.ReblogOfID, err)
			}
			// The reblog notification names the original, not the reblog.
			if _, err := tx.Exec(ctx, `
				DELETE FROM notifications WHERE type = 'reblog' AND from_account_id = $1 AND status_id = $2`,
				st.AccountID, st.ReblogOfID); err != nil {
				return fmt.Errorf("reblog notification: %w", err)
			}
		}
		if st.InReplyToID != 0 && st.Visibility.CountsAsReply() {
			if _, err := tx.Exec(ctx, `
				UPDATE statuses SET replies_count = replies_count - 1 WHERE id = $1 AND replies_count > 0`,
				st.InReplyToID); err != nil {
				return fmt.Errorf("replies count of %d: %w", st.InReplyToID, err)
			}
		}
		// A concurrent delete may have won: then undo everything above.
		rows, _ = tx.Query(ctx, `SELECT id FROM statuses WHERE id = $1 FOR UPDATE`, id)
		if _, err := pgx.CollectExactlyOneRow(rows, pgx.RowTo[int64]); err != nil {
			return err
		}
		// A reblog locks its original first (PutStatusWrite), so with the
		// row locked no reblog can come or go before the delete below.
		rows, _ = tx.Query(ctx, `SELECT `+statusColumns+` FROM statuses WHERE reblog_of_id = $1 ORDER BY id`, id)
		if reblogs, err = pgx.CollectRows(rows, scanStatus); err != nil {
			return fmt.Errorf("reblogs: %w", err)
		}
		// Reblogs of this status, and the status itself, each take one off
		// its author's statuses_count, unless direct (never counted).
		if _, err := tx.Exec(ctx, `
			WITH gone AS (
				DELETE FROM statuses WHERE reblog_of_id = $1 OR id = $1 RETURNING account_id, visibility
			), per AS (
				SELECT account_id, count(*) AS n FROM gone WHERE visibility <> 'direct' GROUP BY account_id
			)
			UPDATE accounts a SET statuses_count = GREATEST(a.statuses_count - per.n, 0)
			FROM per WHERE a.id = per.account_id`, id); err != nil {
			return err
		}
		if audit != nil {
			audit.TargetAccountID, audit.TargetStatusID = st.AccountID, st.ID
			if err := putAdminAction(ctx, tx, audit); err != nil {
				return err
			}
		}
		deleted = st
		return nil
	})
	if err != nil {
		return nil, nil, fmt.Errorf("postgres: delete status %d: %w", id, translate(err))
	}
	return deleted, reblogs, nil
}

// GetStatusByID matches statuses.id.
func (s *Store) GetStatusByID(ctx context.Context, id int64) (*store.Status, error) {
	rows, _ := s.pool.Query(ctx, `SELECT `+statusColumns+` FROM statuses WHERE id = $1`, id)
	st, err := pgx.CollectExactlyOneRow(rows, scanStatus)
	if err != nil {
		return nil, fmt.Errorf("postgres: get status %d: %w", id, translate(err))
	}
	return st, nil
}

// GetStatusesByIDs matches statuses.id against ids, in no particular order;
// missing IDs are skipped.
func (s *Store) GetStatusesByIDs(ctx context.Context, ids []int64) ([]*store.Status, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	rows, _ := s.pool.Query(ctx, `SELECT `+statusColumns+` FROM statuses WHERE id = ANY($1)`, ids)
	out, err := pgx.CollectRows(rows, scanStatus)
	if err != nil {
		return nil, fmt.Errorf("postgres: get %d statuses: %w", len(ids), translate(err))
	}
	return out, nil
}

// ListStatuses selects statuses by account_id and visibility inside
// q.Page, newest (highest id) first. Every nonzero bound filters
// (exclusively). With MinID set it takes the Limit rows just above the lower
// bounds, ascending, and reverses them; otherwise the Limit rows just below
// MaxID, descending.
func (s *Store) ListStatuses(ctx context.Context, q store.StatusQuery) ([]*store.Status, error) {
	return listStatuses(ctx, s, q, statusColumns, scanStatus)
}

// ListStatusIDs answers q as ListStatuses does, with the IDs alone.
func (s *Store) ListStatusIDs(ctx context.Context, q store.StatusQuery) ([]int64, error) {
	return listStatuses(ctx, s, q, "id", pgx.RowTo[int64])
}

// listStatuses answers q with columns, each row read by scan.
func listStatuses[T any](ctx context.Context, s *Store, q store.StatusQuery, columns string, scan pgx.RowToFunc[T]) ([]T, error) {
	query, args, err := statusQuery(q, columns)
	if err != nil || query == "" {
		return nil, err
	}
	out, err := listPage(ctx, s, query, args, "id", q.Page, scan)
	if err != nil {
		return nil, fmt.Errorf("postgres: list statuses: %w", err)
	}
	return out, nil
}

// statusQuery is the SELECT of columns answering q before its page
// window; "" when nothing can match.
func statusQuery(q store.StatusQuery, columns string) (string, []any, error) {
	if err := q.Page.Check(); err != nil {
		return "", nil, fmt.Errorf("postgres: list statuses: %w", err)
	}
	if len(q.AccountIDs) == 0 || len(q.Visibilities) == 0 && q.DirectMentioning == 0 {
		return "", nil, nil // nothing can match; skip the query
	}
	visibilities := make([]string, len(q.Visibilities))
	for i, v := range q.Visibilities {
		visibilities[i] = string(v)
	}

	// Only the bounds in use appear in the SQL, so the planner sees plain
	// range conditions rather than "$3 = 0 OR id < $3".
	var b strings.Builder
	args := []any{q.AccountIDs, visibilities}
	arg := binder(&args)
	b.WriteString(`SELECT ` + columns + ` FROM statuses
		WHERE account_id = ANY($1) AND account_id NOT IN (` + suspendedAuthors + `) AND (visibility = ANY($2)`)
	if q.DirectMentioning != 0 {
		b.WriteString(` OR visibility = 'direct' AND id IN (
			SELECT status_id FROM status_mentions WHERE account_id = ` + arg(q.DirectMentioning) + `)`)
	}
	b.WriteString(`)`)
	if len(q.HideReblogsOf) > 0 {
		b.WriteString(` AND NOT (reblog_of_id IS NOT NULL AND account_id = ANY(` + arg(q.HideReblogsOf) + `))`)
	}
	if q.OnlyMedia {
		b.WriteString(` AND id IN (SELECT status_id FROM media_attachments WHERE status_id IS NOT NULL)`)
	}
	return b.String(), args, nil
}

// ListStatusEmbeddings lists (id, embedding) of statuses whose embedding is
// not NULL and id > afterID, ascending by id, at most limit rows.
func (s *Store) ListStatusEmbeddings(ctx context.Context, afterID int64, limit int) ([]store.StatusEmbedding, error) {
	if limit <= 0 {
		return nil, fmt.Errorf("postgres: list status embeddings: limit %d, want > 0", limit)
	}
	rows, _ := s.pool.Query(ctx, `
		SELECT id, embedding FROM statuses
		WHERE embedding IS NOT NULL AND id > $1
		ORDER BY id ASC LIMIT $2`, afterID, limit)
	out, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (store.StatusEmbedding, error) {
		return store.ScanStatusEmbedding(row.Scan)
	})
	if err != nil {
		return nil, fmt.Errorf("postgres: list status embeddings after %d: %w", afterID, translate(err))
	}
	return out, nil
}

// ListPublicStatuses selects public statuses that are not reblogs and not
// replies to another account, filtered by q's tags, newest first inside
// q.Page.
func (s *Store) ListPublicStatuses(ctx context.Context, q store.PublicQuery) ([]*store.Status, error) {
	var (
		cond strings.Builder
		args []any
	)
	arg := binder(&args)
	cond.WriteString(`visibility = 'public' AND reblog_of_id IS NULL
		AND (in_reply_to_id IS NULL OR in_reply_to_account_id = account_id)
		AND account_id NOT IN (` + moderatedAuthors + `)`)
	if len(q.AnyTags) > 0 {
		cond.WriteString(` AND id IN (SELECT status_id FROM status_tags WHERE name = ANY(` + arg(q.AnyTags) + `))`)
	}
	for _, name := range q.AllTags {
		cond.WriteString(` AND id IN (SELECT status_id FROM status_tags WHERE name = ` + arg(name) + `)`)
	}
	if len(q.NoneTags) > 0 {
		cond.WriteString(` AND id NOT IN (SELECT status_id FROM status_tags WHERE name = ANY(` + arg(q.NoneTags) + `))`)
	}
	if q.OnlyMedia {
		cond.WriteString(` AND id IN (SELECT status_id FROM media_attachments WHERE status_id IS NOT NULL)`)
	}
	out, err := listPage(ctx, s, `SELECT `+statusColumns+` FROM statuses WHERE `+cond.String(), args, "id", q.Page, scanStatus)
	if err != nil {
		return nil, fmt.Errorf("postgres: list public statuses: %w", err)
	}
	return out, nil
}

// ListStatusAncestors follows in_reply_to_id up from id (a recursive CTE
// bounded by limit), root first.
func (s *Store) ListStatusAncestors(ctx context.Context, id int64, limit int) ([]*store.Status, error) {
	rows, _ := s.pool.Query(ctx, `
		WITH RECURSIVE up(id, depth) AS (
			SELECT in_reply_to_id, 1 FROM statuses WHERE id = $1 AND in_reply_to_id IS NOT NULL
			UNION ALL
			SELECT s.in_reply_to_id, up.depth + 1 FROM statuses s JOIN up ON s.id = up.id
			WHERE s.in_reply_to_id IS NOT NULL AND up.depth < $2
		)
		SELECT `+store.Qualify("s", statusColumns)+` FROM up JOIN statuses s ON s.id = up.id
		ORDER BY up.depth DESC`, id, limit)
	out, err := pgx.CollectRows(rows, scanStatus)
	if err != nil {
		return nil, fmt.Errorf("postgres: ancestors of %d: %w", id, translate(err))
	}
	return out, nil
}

// maxThreadDepth bounds the descendant walk; PostgreSQL allows no LIMIT
// inside a recursive term, so depth bounds the work and the outer LIMIT
// the answer.
const maxThreadDepth = 256

// ListStatusDescendants walks the reply tree down from id (a recursive
// CTE), at most limit statuses, returned ascending by id.
func (s *Store) ListStatusDescendants(ctx context.Context, id int64, limit int) ([]*store.Status, error) {
	rows, _ := s.pool.Query(ctx, `
		WITH RECURSIVE down(id, depth) AS (
			SELECT id, 1 FROM statuses WHERE in_reply_to_id = $1
			UNION ALL
			SELECT s.id, down.depth + 1 FROM statuses s JOIN down ON s.in_reply_to_id = down.id
			WHERE down.depth < $3
		)
		SELECT `+store.Qualify("s", statusColumns)+` FROM statuses s
		WHERE s.id IN (SELECT id FROM down ORDER BY depth, id LIMIT $2)
		ORDER BY s.id`, id, limit, maxThreadDepth)
	out, err := pgx.CollectRows(rows, scanStatus)
	if err != nil {
		return nil, fmt.Errorf("postgres: descendants of %d: %w", id, translate(err))
	}
	return out, nil
}

// GetReblog matches (account_id, reblog_of_id).
func (s *Store) GetReblog(ctx context.Context, accountID, statusID int64) (*store.Status, error) {
	rows, _ := s.pool.Query(ctx,
		`SELECT `+statusColumns+` FROM statuses WHERE account_id = $1 AND reblog_of_id = $2`, accountID, statusID)
	st, err := pgx.CollectExactlyOneRow(rows, scanStatus)
	if err != nil {
		return nil, fmt.Errorf("postgres: get reblog of %d by %d: %w", statusID, accountID, translate(err))
	}
	return st, nil
}

// ListRebloggedBy selects statuses by reblog_of_id, newest first inside page.
func (s *Store) ListRebloggedBy(ctx context.Context, statusID int64, page store.Page) ([]*store.Status, error) {
	out, err := listPage(ctx, s, `SELECT `+statusColumns+` FROM statuses WHERE reblog_of_id = $1`, []any{statusID}, "id", page, scanStatus)
	if err != nil {
		return nil, fmt.Errorf("postgres: reblogs of %d: %w", statusID, err)
	}
	return out, nil
}

// GetStatusMentions matches status_mentions.status_id against statusIDs.
func (s *Store) GetStatusMentions(ctx context.Context, statusIDs []int64) (map[int64][]int64, error) {
	out := map[int64][]int64{}
	if len(statusIDs) == 0 {
		return out, nil
	}
	rows, _ := s.pool.Query(ctx, `SELECT status_id, account_id FROM status_mentions
		WHERE status_id = ANY($1) ORDER BY status_id, account_id`, statusIDs)
	var sid, aid int64
	_, err := pgx.ForEachRow(rows, []any{&sid, &aid}, func() error {
		out[sid] = append(out[sid], aid)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("postgres: mentions of %d statuses: %w", len(statusIDs), translate(err))
	}
	return out, nil
}

// GetStatusTags matches status_tags.status_id against statusIDs.
func (s *Store) GetStatusTags(ctx context.Context, statusIDs []int64) (map[int64][]string, error) {
	out := map[int64][]string{}
	if len(statusIDs) == 0 {
		return out, nil
	}
	rows, _ := s.pool.Query(ctx, `SELECT status_id, name FROM status_tags
		WHERE status_id = ANY($1) ORDER BY status_id, name`, statusIDs)
	var (
		sid  int64
		name string
	)
	_, err := pgx.ForEachRow(rows, []any{&sid, &name}, func() error {
		out[sid] = append(out[sid], name)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("postgres: tags of %d statuses: %w", len(statusIDs), translate(err))
	}
	return out, nil
}

// GetIdempotentStatusID matches idempotency_keys (account_id, key) with
// created_at >= since.
func (s *Store) GetIdempotentStatusID(ctx context.Context, accountID int64, key string, since time.Time) (int64, error) {
	rows, _ := s.pool.Query(ctx, `
		SELECT status_id FROM idempotency_keys WHERE account_id = $1 AND key = $2 AND created_at >= $3`,
		accountID, key, toDB(since))
	id, err := pgx.CollectExactlyOneRow(rows, pgx.RowTo[int64])
	if err != nil {
		return 0, fmt.Errorf("postgres: idempotency key of %d: %w", accountID, translate(err))
	}
	return id, nil
}

// suspendedAuthors and moderatedAuthors select the suspended accounts, and
// the suspended or silenced ones, each through its partial index (0101).
// The timelines leave their statuses out in SQL so that pages stay full;
// the visibility rule (social) still has the last word on every read.
const (
	suspendedAuthors = `SELECT id FROM accounts WHERE suspended_at IS NOT NULL`
	moderatedAuthors = suspendedAuthors + ` UNION ALL SELECT id FROM accounts WHERE silenced_at IS NOT NULL`
)
