package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/mattn/go-sqlite3"

	"github.com/starling-social/starling/go/store"
)

const statusColumns = `id, account_id, in_reply_to_id, in_reply_to_account_id, reblog_of_id,
	text, content, spoiler_text, sensitive, visibility, language, created_at, embedding,
	replies_count, reblogs_count, favourites_count, edited_at`

func scanStatus(row scanner) (*store.Status, error) {
	var (
		st                             store.Status
		inReplyTo, inReplyToAcct, ofID sql.NullInt64
		visibility                     string
		createdAt                      int64
		embedding                      []byte
		editedAt                       sql.NullInt64
	)
	if err := row.Scan(&st.ID, &st.AccountID, &inReplyTo, &inReplyToAcct, &ofID,
		&st.Text, &st.Content, &st.SpoilerText, &st.Sensitive, &visibility, &st.Language, &createdAt, &embedding,
		&st.RepliesCount, &st.ReblogsCount, &st.FavouritesCount, &editedAt); err != nil {
		return nil, err
	}
	st.InReplyToID, st.InReplyToAccountID, st.ReblogOfID = inReplyTo.Int64, inReplyToAcct.Int64, ofID.Int64
	st.Visibility = store.Visibility(visibility)
	st.CreatedAt = fromDB(createdAt)
	if editedAt.Valid {
		t := fromDB(editedAt.Int64)
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
func (s *Store) PutStatusWrite(ctx context.Context, w *store.StatusWrite) error {
	st := w.Status
	err := s.withTx(ctx, func(tx *sql.Tx) error {
		if st.ReblogOfID != 0 {
			res, err := tx.ExecContext(ctx,
				`UPDATE statuses SET reblogs_count = reblogs_count + 1 WHERE id = ?`, st.ReblogOfID)
			if err == nil {
				err = mustAffect(res)
			}
			if err != nil {
				return fmt.Errorf("reblogs count of %d: %w", st.ReblogOfID, err)
			}
		}
		createdAt := toDB(st.CreatedAt)
		if _, err := tx.ExecContext(ctx, `
			INSERT INTO statuses (id, account_id, in_reply_to_id, in_reply_to_account_id, reblog_of_id,
				text, content, spoiler_text, sensitive, visibility, language, created_at, embedding)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			st.ID, st.AccountID, nullID(st.InReplyToID), nullID(st.InReplyToAccountID), nullID(st.ReblogOfID),
			st.Text, st.Content, st.SpoilerText, st.Sensitive, string(st.Visibility), st.Language, createdAt,
			embeddingArg(st.Embedding)); err != nil {
			return err
		}
		if st.Visibility.CountsOnProfile() {
			res, err := tx.ExecContext(ctx, `
				UPDATE accounts
				SET statuses_count = statuses_count + 1,
				    last_status_at = max(coalesce(last_status_at, ?1), ?1)
				WHERE id = ?2`, createdAt, st.AccountID)
			if err == nil {
				err = mustAffect(res)
			}
			if err != nil {
				return fmt.Errorf("statuses count of %d: %w", st.AccountID, err)
			}
		}
		if st.InReplyToID != 0 && st.Visibility.CountsAsReply() {
			// The parent may be gone (deleted while the reply was composed);
			// the reply is kept, as Mastodon keeps orphaned replies.
			if _, err := tx.ExecContext(ctx,
				`UPDATE statuses SET replies_count = replies_count + 1 WHERE id = ?`, st.InReplyToID); err != nil {
				return fmt.Errorf("replies count of %d: %w", st.InReplyToID, err)
			}
		}
		for _, id := range w.Mentions {
			if _, err := tx.ExecContext(ctx,
				`INSERT INTO status_mentions (status_id, account_id) VALUES (?, ?) ON CONFLICT DO NOTHING`,
				st.ID, id); err != nil {
				return fmt.Errorf("mention of %d: %w", id, err)
			}
		}
		for _, name := range w.Tags {
			if _, err := tx.ExecContext(ctx,
				`INSERT INTO status_tags (status_id, name) VALUES (?, ?) ON CONFLICT DO NOTHING`,
				st.ID, name); err != nil {
				return fmt.Errorf("tag %q: %w", name, err)
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
			if err := insertOutbox(ctx, tx, st.ID, w.OutboxAt, w.OutboxTraceParent); err != nil {
				return err
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
			if _, err := tx.ExecContext(ctx,
				`DELETE FROM idempotency_keys WHERE account_id = ? AND key = ? AND created_at < ?`,
				st.AccountID, w.IdempotencyKey, toDB(w.IdempotencySince)); err != nil {
				return fmt.Errorf("stale idempotency key: %w", err)
			}
			if _, err := tx.ExecContext(ctx, `
				INSERT INTO idempotency_keys (account_id, key, status_id, created_at) VALUES (?, ?, ?, ?)`,
				st.AccountID, w.IdempotencyKey, st.ID, createdAt); err != nil {
				return fmt.Errorf("idempotency key: %w", err)
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("sqlite: put status %d: %w", st.ID, translateFK(err))
	}
	return nil
}

// translateFK is translate, plus a foreign-key failure (the status or
// account referenced is gone) as store.ErrNotFound.
func translateFK(err error) error {
	var se sqlite3.Error
	if errors.As(err, &se) && se.ExtendedCode == sqlite3.ErrConstraintForeignKey {
		return fmt.Errorf("%w: %w", store.ErrNotFound, err)
	}
	return translate(err)
}

// DeleteStatusByID deletes the status and, in the same transaction, the
// reblogs of it (each with its author's statuses_count), and decrements
// what putting it incremented: the author's statuses_count, the parent's
// replies_count and, for a reblog, the original's reblogs_count. Mentions, tags, favourites, bookmarks,
// notifications, pins and idempotency keys go by ON DELETE CASCADE. It
// returns the status and its deleted reblogs, ascending by id.
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
	err := s.withTx(ctx, func(tx *sql.Tx) error {
		st, err := scanStatus(tx.QueryRowContext(ctx, `SELECT `+statusColumns+` FROM statuses WHERE id = ?`, id))
		if err != nil {
			return err
		}
		rows, err := tx.QueryContext(ctx,
			`SELECT `+statusColumns+` FROM statuses WHERE reblog_of_id = ? ORDER BY id`, id)
		if err != nil {
			return err
		}
		reblogs, err = collect(rows, scanStatus)
		if err != nil {
			return fmt.Errorf("reblogs: %w", err)
		}
		for _, rb := range reblogs {
			if err := deleteStatusRow(ctx, tx, rb); err != nil {
				return fmt.Errorf("reblog %d: %w", rb.ID, err)
			}
		}
		if err := deleteStatusRow(ctx, tx, st); err != nil {
			return err
		}
		if st.InReplyToID != 0 && st.Visibility.CountsAsReply() {
			if _, err := tx.ExecContext(ctx, `
				UPDATE statuses SET replies_count = replies_count - 1 WHERE id = ? AND replies_count > 0`,
				st.InReplyToID); err != nil {
				return fmt.Errorf("replies count of %d: %w", st.InReplyToID, err)
			}
		}
		if st.ReblogOfID != 0 {
			if _, err := tx.ExecContext(ctx, `
				UPDATE statuses SET reblogs_count = reblogs_count - 1 WHERE id = ? AND reblogs_count > 0`,
				st.ReblogOfID); err != nil {
				return fmt.Errorf("reblogs count of %d: %w", st.ReblogOfID, err)
			}
			// The reblog notification names the original, not the reblog.
			if _, err := tx.ExecContext(ctx, `
				DELETE FROM notifications WHERE type = 'reblog' AND from_account_id = ? AND status_id = ?`,
				st.AccountID, st.ReblogOfID); err != nil {
				return fmt.Errorf("reblog notification: %w", err)
			}
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
		return nil, nil, fmt.Errorf("sqlite: delete status %d: %w", id, translate(err))
	}
	return deleted, reblogs, nil
}

// deleteStatusRow deletes one status row and decrements its author's
// statuses_count if the status was counted there.
func deleteStatusRow(ctx context.Context, tx *sql.Tx, st *store.Status) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM statuses WHERE id = ?`, st.ID); err != nil {
		return err
	}
	if !st.Visibility.CountsOnProfile() {
		return nil
	}
	_, err := tx.ExecContext(ctx, `
		UPDATE accounts SET statuses_count = statuses_count - 1 WHERE id = ? AND statuses_count > 0`, st.AccountID)
	return err
}

// GetStatusByID matches statuses.id.
func (s *Store) GetStatusByID(ctx context.Context, id int64) (*store.Status, error) {
	st, err := scanStatus(s.r.QueryRowContext(ctx,
		`SELECT `+statusColumns+` FROM statuses WHERE id = ?`, id))
	if err != nil {
		return nil, fmt.Errorf("sqlite: get status %d: %w", id, translate(err))
	}
	return st, nil
}

// GetStatusesByIDs matches statuses.id against ids, in no particular order;
// missing IDs are skipped.
func (s *Store) GetStatusesByIDs(ctx context.Context, ids []int64) ([]*store.Status, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	list, err := jsonArray(ids)
	if err != nil {
		return nil, fmt.Errorf("sqlite: get %d statuses: %w", len(ids), err)
	}
	rows, err := s.r.QueryContext(ctx,
		`SELECT `+statusColumns+` FROM statuses WHERE id IN (SELECT value FROM json_each(?))`, list)
	if err != nil {
		return nil, fmt.Errorf("sqlite: get %d statuses: %w", len(ids), translate(err))
	}
	out, err := collect(rows, scanStatus)
	if err != nil {
		return nil, fmt.Errorf("sqlite: get %d statuses: %w", len(ids), translate(err))
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
	return listStatuses(ctx, s, q, "id", scanID)
}

// listStatuses answers q with columns, each row read by scan.
func listStatuses[T any](ctx context.Context, s *Store, q store.StatusQuery, columns string, scan func(scanner) (T, error)) ([]T, error) {
	where, args, err := statusWhere(q)
	if err != nil || where == "" {
		return nil, err
	}
	if rows, ok := s.recentWalk(ctx, q); ok {
		query, walkArgs := walkQuery(columns, where, args, q.Page, rows)
		out, err := listPage(ctx, s, query, walkArgs, "id", q.Page, scan)
		if err != nil {
			return nil, fmt.Errorf("sqlite: list statuses: %w", err)
		}
		if len(out) >= q.Page.Limit {
			return out, nil
		}
		// Fewer than a page among the newest: older matches may exist.
	}
	out, err := listPage(ctx, s, `SELECT `+columns+` FROM statuses WHERE `+where, args, "id", q.Page, scan)
	if err != nil {
		return nil, fmt.Errorf("sqlite: list statuses: %w", err)
	}
	return out, nil
}

// A status query names its authors in a list, whose length SQLite cannot
// see when it plans: it always seeks each author in
// statuses_account_id_id_idx and sorts all their statuses, newest first,
// to keep a page. For a viewer following a large share of all accounts
// that reads most of the table (49 ms to rebuild the home of a viewer
// following 9,458 of 37,700 accounts on the github graph, against 4 ms for
// walking statuses newest first and keeping those of the followed, which
// stops once the page is full). recentWalk chooses that walk when the
// authors are many and a large enough share of all accounts that a page
// is expected within recentScanRows statuses, and bounds it to the newest
// 2 × recentScanRows below the page, so a wrong guess (authors who post
// less than the rest) costs a bounded scan before the usual plan.
const (
	recentScanMinAuthors = 64
	recentScanRows       = 20_000
)

// recentWalk says whether q's page is expected among the newest statuses
// walked, and how many rows that expectation allows (the walk is bounded
// to twice as many); false when the usual plan is better or the page is
// read oldest first (min_id).
func (s *Store) recentWalk(ctx context.Context, q store.StatusQuery) (rows int, ok bool) {
	if len(q.AccountIDs) < recentScanMinAuthors || q.Page.MinID != 0 || q.Page.Limit <= 0 {
		return 0, false
	}
	accounts := s.accountCount(ctx)
	if accounts <= 0 {
		return 0, false
	}
	share := min(1, float64(len(q.AccountIDs))/float64(accounts))
	rows = s.recentRows
	if rows == 0 {
		rows = recentScanRows
	}
	if rows < 0 || float64(q.Page.Limit)/share > float64(rows) {
		return 0, false
	}
	return rows, true
}

// walkQuery is the SELECT of columns matching where (statusWhere's, with
// its args) that walks statuses newest first, bounded to the newest
// 2 × rows below page.
func walkQuery(columns, where string, args []any, page store.Page, rows int) (string, []any) {
	below := page.MaxID
	if below == 0 {
		below = math.MaxInt64
	}
	return `SELECT ` + columns + ` FROM statuses NOT INDEXED WHERE ` + where +
			` AND id > COALESCE((SELECT id FROM statuses WHERE id < ? ORDER BY id DESC LIMIT 1 OFFSET ?), 0)`,
		append(slices.Clip(args), below, 2*rows)
}

// accountCount is the number of accounts, read at most once a minute
// (plan choices need its magnitude, not its exact value); 0 if unknown.
func (s *Store) accountCount(ctx context.Context) int64 {
	s.accounts.mu.Lock()
	defer s.accounts.mu.Unlock()
	if time.Since(s.accounts.at) < time.Minute {
		return s.accounts.n
	}
	var n int64
	if err := s.r.QueryRowContext(ctx, `SELECT count(*) FROM accounts`).Scan(&n); err != nil {
		return 0
	}
	s.accounts.n, s.accounts.at = n, time.Now()
	return n
}

// statusWhere is the condition (after WHERE) on statuses answering q
// before its page window, and its args; "" when nothing can match.
func statusWhere(q store.StatusQuery) (string, []any, error) {
	if err := q.Page.Check(); err != nil {
		return "", nil, fmt.Errorf("sqlite: list statuses: %w", err)
	}
	if len(q.AccountIDs) == 0 || len(q.Visibilities) == 0 && q.DirectMentioning == 0 {
		return "", nil, nil // nothing can match; skip the query
	}
	accounts, err := jsonArray(q.AccountIDs)
	if err != nil {
		return "", nil, fmt.Errorf("sqlite: list statuses: %w", err)
	}
	visibilities, err := jsonArray(q.Visibilities)
	if err != nil {
		return "", nil, fmt.Errorf("sqlite: list statuses: %w", err)
	}

	var b strings.Builder
	b.WriteString(`account_id IN (SELECT value FROM json_each(?))
		AND account_id NOT IN (` + suspendedAuthors + `)
		AND (visibility IN (SELECT value FROM json_each(?))`)
	args := []any{accounts, visibilities}
	if q.DirectMentioning != 0 {
		b.WriteString(` OR visibility = 'direct' AND id IN (
			SELECT status_id FROM status_mentions WHERE account_id = ?)`)
		args = append(args, q.DirectMentioning)
	}
	b.WriteString(`)`)
	if len(q.HideReblogsOf) > 0 {
		hidden, err := jsonArray(q.HideReblogsOf)
		if err != nil {
			return "", nil, fmt.Errorf("sqlite: list statuses: %w", err)
		}
		b.WriteString(` AND NOT (reblog_of_id IS NOT NULL AND account_id IN (SELECT value FROM json_each(?)))`)
		args = append(args, hidden)
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
		return nil, fmt.Errorf("sqlite: list status embeddings: limit %d, want > 0", limit)
	}
	rows, err := s.r.QueryContext(ctx, `
		SELECT id, embedding FROM statuses
		WHERE embedding IS NOT NULL AND id > ?
		ORDER BY id ASC LIMIT ?`, afterID, limit)
	if err != nil {
		return nil, fmt.Errorf("sqlite: list status embeddings after %d: %w", afterID, translate(err))
	}
	out, err := collect(rows, func(row scanner) (store.StatusEmbedding, error) {
		return store.ScanStatusEmbedding(row.Scan)
	})
	if err != nil {
		return nil, fmt.Errorf("sqlite: list status embeddings after %d: %w", afterID, translate(err))
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
	cond.WriteString(`visibility = 'public' AND reblog_of_id IS NULL
		AND (in_reply_to_id IS NULL OR in_reply_to_account_id = account_id)
		AND account_id NOT IN (` + moderatedAuthors + `)`)
	if len(q.AnyTags) > 0 {
		list, err := jsonArray(q.AnyTags)
		if err != nil {
			return nil, fmt.Errorf("sqlite: list public statuses: %w", err)
		}
		cond.WriteString(` AND id IN (SELECT status_id FROM status_tags WHERE name IN (SELECT value FROM json_each(?)))`)
		args = append(args, list)
	}
	for _, name := range q.AllTags {
		cond.WriteString(` AND id IN (SELECT status_id FROM status_tags WHERE name = ?)`)
		args = append(args, name)
	}
	if len(q.NoneTags) > 0 {
		list, err := jsonArray(q.NoneTags)
		if err != nil {
			return nil, fmt.Errorf("sqlite: list public statuses: %w", err)
		}
		cond.WriteString(` AND id NOT IN (SELECT status_id FROM status_tags WHERE name IN (SELECT value FROM json_each(?)))`)
		args = append(args, list)
	}
	if q.OnlyMedia {
		cond.WriteString(` AND id IN (SELECT status_id FROM media_attachments WHERE status_id IS NOT NULL)`)
	}
	out, err := listPage(ctx, s, `SELECT `+statusColumns+` FROM statuses WHERE `+cond.String(), args, "id", q.Page, scanStatus)
	if err != nil {
		return nil, fmt.Errorf("sqlite: list public statuses: %w", err)
	}
	return out, nil
}

// ListStatusAncestors follows in_reply_to_id up from id (a recursive CTE
// bounded by limit), root first.
func (s *Store) ListStatusAncestors(ctx context.Context, id int64, limit int) ([]*store.Status, error) {
	rows, err := s.r.QueryContext(ctx, `
		WITH RECURSIVE up(id, depth) AS (
			SELECT in_reply_to_id, 1 FROM statuses WHERE id = ?1 AND in_reply_to_id IS NOT NULL
			UNION ALL
			SELECT s.in_reply_to_id, up.depth + 1 FROM statuses s JOIN up ON s.id = up.id
			WHERE s.in_reply_to_id IS NOT NULL AND up.depth < ?2
		)
		SELECT `+store.Qualify("s", statusColumns)+` FROM up JOIN statuses s ON s.id = up.id
		ORDER BY up.depth DESC`, id, limit)
	if err != nil {
		return nil, fmt.Errorf("sqlite: ancestors of %d: %w", id, translate(err))
	}
	out, err := collect(rows, scanStatus)
	if err != nil {
		return nil, fmt.Errorf("sqlite: ancestors of %d: %w", id, translate(err))
	}
	return out, nil
}

// ListStatusDescendants walks the reply tree down from id breadth first (a
// recursive CTE), at most limit statuses, returned ascending by id.
func (s *Store) ListStatusDescendants(ctx context.Context, id int64, limit int) ([]*store.Status, error) {
	rows, err := s.r.QueryContext(ctx, `
		WITH RECURSIVE down(id) AS (
			SELECT id FROM statuses WHERE in_reply_to_id = ?1
			UNION
			SELECT s.id FROM statuses s JOIN down ON s.in_reply_to_id = down.id
			LIMIT ?2
		)
		SELECT `+store.Qualify("s", statusColumns)+` FROM down JOIN statuses s ON s.id = down.id
		ORDER BY s.id`, id, limit)
	if err != nil {
		return nil, fmt.Errorf("sqlite: descendants of %d: %w", id, translate(err))
	}
	out, err := collect(rows, scanStatus)
	if err != nil {
		return nil, fmt.Errorf("sqlite: descendants of %d: %w", id, translate(err))
	}
	return out, nil
}

// GetReblog matches (account_id, reblog_of_id).
func (s *Store) GetReblog(ctx context.Context, accountID, statusID int64) (*store.Status, error) {
	st, err := scanStatus(s.r.QueryRowContext(ctx,
		`SELECT `+statusColumns+` FROM statuses WHERE account_id = ? AND reblog_of_id = ?`, accountID, statusID))
	if err != nil {
		return nil, fmt.Errorf("sqlite: get reblog of %d by %d: %w", statusID, accountID, translate(err))
	}
	return st, nil
}

// ListRebloggedBy selects statuses by reblog_of_id, newest first inside page.
func (s *Store) ListRebloggedBy(ctx context.Context, statusID int64, page store.Page) ([]*store.Status, error) {
	out, err := listPage(ctx, s, `SELECT `+statusColumns+` FROM statuses WHERE reblog_of_id = ?`, []any{statusID}, "id", page, scanStatus)
	if err != nil {
		return nil, fmt.Errorf("sqlite: reblogs of %d: %w", statusID, err)
	}
	return out, nil
}

// GetStatusMentions matches status_mentions.status_id against statusIDs.
func (s *Store) GetStatusMentions(ctx context.Context, statusIDs []int64) (map[int64][]int64, error) {
	out := map[int64][]int64{}
	err := s.pairsByStatus(ctx, `SELECT status_id, account_id FROM status_mentions
		WHERE status_id IN (SELECT value FROM json_each(?)) ORDER BY status_id, account_id`, statusIDs,
		func(r scanner) error {
			var sid, aid int64
			if err := r.Scan(&sid, &aid); err != nil {
				return err
			}
			out[sid] = append(out[sid], aid)
			return nil
		})
	if err != nil {
		return nil, fmt.Errorf("sqlite: mentions of %d statuses: %w", len(statusIDs), err)
	}
	return out, nil
}

// GetStatusTags matches status_tags.status_id against statusIDs.
func (s *Store) GetStatusTags(ctx context.Context, statusIDs []int64) (map[int64][]string, error) {
	out := map[int64][]string{}
	err := s.pairsByStatus(ctx, `SELECT status_id, name FROM status_tags
		WHERE status_id IN (SELECT value FROM json_each(?)) ORDER BY status_id, name`, statusIDs,
		func(r scanner) error {
			var (
				sid  int64
				name string
			)
			if err := r.Scan(&sid, &name); err != nil {
				return err
			}
			out[sid] = append(out[sid], name)
			return nil
		})
	if err != nil {
		return nil, fmt.Errorf("sqlite: tags of %d statuses: %w", len(statusIDs), err)
	}
	return out, nil
}

// pairsByStatus runs query with statusIDs as its one JSON-array argument and
// hands each row to add.
func (s *Store) pairsByStatus(ctx context.Context, query string, statusIDs []int64, add func(scanner) error) error {
	if len(statusIDs) == 0 {
		return nil
	}
	list, err := jsonArray(statusIDs)
	if err != nil {
		return err
	}
	rows, err := s.r.QueryContext(ctx, query, list)
	if err != nil {
		return translate(err)
	}
	defer rows.Close()
	for rows.Next() {
		if err := add(rows); err != nil {
			return err
		}
	}
	return translate(rows.Err())
}

// GetIdempotentStatusID matches idempotency_keys (account_id, key) with
// created_at >= since.
func (s *Store) GetIdempotentStatusID(ctx context.Context, accountID int64, key string, since time.Time) (int64, error) {
	var id int64
	err := s.r.QueryRowContext(ctx, `
		SELECT status_id FROM idempotency_keys WHERE account_id = ? AND key = ? AND created_at >= ?`,
		accountID, key, toDB(since)).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("sqlite: idempotency key of %d: %w", accountID, translate(err))
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
