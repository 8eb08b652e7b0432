package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/starling-social/starling/go/store"
)

const pollColumns = `id, status_id, account_id, options, multiple, hide_totals, expires_at, created_at`

func scanPoll(row pgx.CollectableRow) (*store.Poll, error) {
	var p store.Poll
	if err := row.Scan(&p.ID, &p.StatusID, &p.AccountID, &p.Options, &p.Multiple, &p.HideTotals, &p.ExpiresAt, &p.CreatedAt); err != nil {
		return nil, err
	}
	p.ExpiresAt, p.CreatedAt = p.ExpiresAt.UTC(), p.CreatedAt.UTC()
	return &p, nil
}

// insertPoll stores p inside the status's write transaction.
func insertPoll(ctx context.Context, tx pgx.Tx, p *store.Poll) error {
	if _, err := tx.Exec(ctx, `INSERT INTO polls (`+pollColumns+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
		p.ID, p.StatusID, p.AccountID, p.Options, p.Multiple, p.HideTotals, toDB(p.ExpiresAt), toDB(p.CreatedAt)); err != nil {
		return fmt.Errorf("poll: %w", err)
	}
	return nil
}

// GetPollByID matches polls.id.
func (s *Store) GetPollByID(ctx context.Context, id int64) (*store.Poll, error) {
	rows, _ := s.pool.Query(ctx, `SELECT `+pollColumns+` FROM polls WHERE id = $1`, id)
	p, err := pgx.CollectExactlyOneRow(rows, scanPoll)
	if err != nil {
		return nil, fmt.Errorf("postgres: get poll %d: %w", id, translate(err))
	}
	return p, nil
}

// GetStatusPolls matches polls.status_id (unique).
func (s *Store) GetStatusPolls(ctx context.Context, statusIDs []int64) (map[int64]*store.Poll, error) {
	out := map[int64]*store.Poll{}
	if len(statusIDs) == 0 {
		return out, nil
	}
	rows, _ := s.pool.Query(ctx, `SELECT `+pollColumns+` FROM polls WHERE status_id = ANY($1)`, statusIDs)
	list, err := pgx.CollectRows(rows, scanPoll)
	if err != nil {
		return nil, fmt.Errorf("postgres: polls of %d statuses: %w", len(statusIDs), translate(err))
	}
	for _, p := range list {
		out[p.StatusID] = p
	}
	return out, nil
}

// GetPollResults counts poll_votes by (poll, choice) and poll_voters by
// poll.
func (s *Store) GetPollResults(ctx context.Context, pollIDs []int64) (map[int64]*store.PollResults, error) {
	out := map[int64]*store.PollResults{}
	if len(pollIDs) == 0 {
		return out, nil
	}
	get := func(id int64) *store.PollResults {
		if out[id] == nil {
			out[id] = &store.PollResults{PerOption: map[int]int64{}}
		}
		return out[id]
	}
	var (
		id     int64
		choice int
		n      int64
	)
	rows, _ := s.pool.Query(ctx, `SELECT poll_id, choice, count(*) FROM poll_votes
		WHERE poll_id = ANY($1) GROUP BY poll_id, choice`, pollIDs)
	_, err := pgx.ForEachRow(rows, []any{&id, &choice, &n}, func() error {
		res := get(id)
		res.PerOption[choice] = n
		res.Votes += n
		return nil
	})
	if err == nil {
		rows, _ = s.pool.Query(ctx, `SELECT poll_id, count(*) FROM poll_voters WHERE poll_id = ANY($1) GROUP BY poll_id`, pollIDs)
		_, err = pgx.ForEachRow(rows, []any{&id, &n}, func() error {
			get(id).Voters = n
			return nil
		})
	}
	if err != nil {
		return nil, fmt.Errorf("postgres: results of %d polls: %w", len(pollIDs), translate(err))
	}
	return out, nil
}

// GetPollVotes selects accountID's poll_votes in pollIDs.
func (s *Store) GetPollVotes(ctx context.Context, accountID int64, pollIDs []int64) (map[int64][]int, error) {
	out := map[int64][]int{}
	if len(pollIDs) == 0 {
		return out, nil
	}
	var (
		id     int64
		choice int
	)
	rows, _ := s.pool.Query(ctx, `SELECT poll_id, choice FROM poll_votes
		WHERE account_id = $1 AND poll_id = ANY($2) ORDER BY poll_id, choice`, accountID, pollIDs)
	_, err := pgx.ForEachRow(rows, []any{&id, &choice}, func() error {
		out[id] = append(out[id], choice)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("postgres: poll votes: %w", translate(err))
	}
	return out, nil
}

// PutPollVotes inserts the voter row (its primary key refuses a second
// vote, also a racing one) and the choices in one transaction.
func (s *Store) PutPollVotes(ctx context.Context, pollID, accountID int64, choices []int, at time.Time) error {
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `INSERT INTO poll_voters (poll_id, account_id, created_at) VALUES ($1, $2, $3)`,
			pollID, accountID, toDB(at)); err != nil {
			return err
		}
		for _, c := range choices {
			if _, err := tx.Exec(ctx, `INSERT INTO poll_votes (poll_id, account_id, choice) VALUES ($1, $2, $3)`,
				pollID, accountID, c); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("postgres: vote in poll %d: %w", pollID, translateFK(err))
	}
	return nil
}

// ListEndedPolls reads the unnotified expired polls by their partial index.
func (s *Store) ListEndedPolls(ctx context.Context, now time.Time, limit int) ([]*store.Poll, error) {
	rows, _ := s.pool.Query(ctx, `SELECT `+pollColumns+` FROM polls
		WHERE NOT notified AND expires_at <= $1 ORDER BY expires_at, id LIMIT $2`, toDB(now), limit)
	out, err := pgx.CollectRows(rows, scanPoll)
	if err != nil {
		return nil, fmt.Errorf("postgres: ended polls: %w", err)
	}
	return out, nil
}

// GetPollVoterIDs reads poll_voters.
func (s *Store) GetPollVoterIDs(ctx context.Context, pollID int64) ([]int64, error) {
	rows, _ := s.pool.Query(ctx, `SELECT account_id FROM poll_voters WHERE poll_id = $1 ORDER BY account_id`, pollID)
	ids, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		return nil, fmt.Errorf("postgres: voters of poll %d: %w", pollID, err)
	}
	return ids, nil
}

// PutPollEndNotifications flips polls.notified (the row lock makes a
// racing process's flip wait, then find it done) and inserts ns in one
// transaction. The status's row is share-locked first, the order in which
// deleting the status locks the two.
func (s *Store) PutPollEndNotifications(ctx context.Context, pollID int64, ns []*store.Notification) error {
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `SELECT 1 FROM statuses
			WHERE id = (SELECT status_id FROM polls WHERE id = $1) FOR KEY SHARE`, pollID); err != nil {
			return fmt.Errorf("lock status: %w", err)
		}
		tag, err := tx.Exec(ctx, `UPDATE polls SET notified = true WHERE id = $1 AND NOT notified`, pollID)
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 0 {
			return store.ErrConflict
		}
		for _, n := range ns {
			if err := insertNotification(ctx, tx, n); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("postgres: poll %d end notifications: %w", pollID, translateFK(err))
	}
	return nil
}
