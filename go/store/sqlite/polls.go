package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/starling-social/starling/go/store"
)

const pollColumns = `id, status_id, account_id, options, multiple, hide_totals, expires_at, created_at`

func scanPoll(row scanner) (*store.Poll, error) {
	var (
		p                    store.Poll
		options              string
		expiresAt, createdAt int64
	)
	if err := row.Scan(&p.ID, &p.StatusID, &p.AccountID, &options, &p.Multiple, &p.HideTotals, &expiresAt, &createdAt); err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(options), &p.Options); err != nil {
		return nil, fmt.Errorf("poll %d options: %w", p.ID, err)
	}
	p.ExpiresAt, p.CreatedAt = fromDB(expiresAt), fromDB(createdAt)
	return &p, nil
}

// insertPoll stores p inside the status's write transaction.
func insertPoll(ctx context.Context, tx *sql.Tx, p *store.Poll) error {
	options, err := jsonArray(p.Options)
	if err != nil {
		return fmt.Errorf("poll options: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO polls (`+pollColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
		p.ID, p.StatusID, p.AccountID, options, p.Multiple, p.HideTotals, toDB(p.ExpiresAt), toDB(p.CreatedAt)); err != nil {
		return fmt.Errorf("poll: %w", err)
	}
	return nil
}

// GetPollByID matches polls.id.
func (s *Store) GetPollByID(ctx context.Context, id int64) (*store.Poll, error) {
	p, err := scanPoll(s.r.QueryRowContext(ctx, `SELECT `+pollColumns+` FROM polls WHERE id = ?`, id))
	if err != nil {
		return nil, fmt.Errorf("sqlite: get poll %d: %w", id, translate(err))
	}
	return p, nil
}

// GetStatusPolls matches polls.status_id (unique).
func (s *Store) GetStatusPolls(ctx context.Context, statusIDs []int64) (map[int64]*store.Poll, error) {
	out := map[int64]*store.Poll{}
	err := s.pairsByStatus(ctx, `SELECT `+pollColumns+` FROM polls WHERE status_id IN (SELECT value FROM json_each(?))`,
		statusIDs, func(r scanner) error {
			p, err := scanPoll(r)
			if err == nil {
				out[p.StatusID] = p
			}
			return err
		})
	if err != nil {
		return nil, fmt.Errorf("sqlite: polls of %d statuses: %w", len(statusIDs), err)
	}
	return out, nil
}

// GetPollResults counts poll_votes by (poll, choice) and poll_voters by
// poll.
func (s *Store) GetPollResults(ctx context.Context, pollIDs []int64) (map[int64]*store.PollResults, error) {
	out := map[int64]*store.PollResults{}
	get := func(id int64) *store.PollResults {
		if out[id] == nil {
			out[id] = &store.PollResults{PerOption: map[int]int64{}}
		}
		return out[id]
	}
	err := s.pairsByStatus(ctx, `SELECT poll_id, choice, count(*) FROM poll_votes
		WHERE poll_id IN (SELECT value FROM json_each(?)) GROUP BY poll_id, choice`, pollIDs, func(r scanner) error {
		var (
			id     int64
			choice int
			n      int64
		)
		if err := r.Scan(&id, &choice, &n); err != nil {
			return err
		}
		res := get(id)
		res.PerOption[choice] = n
		res.Votes += n
		return nil
	})
	if err == nil {
		err = s.pairsByStatus(ctx, `SELECT poll_id, count(*) FROM poll_voters
			WHERE poll_id IN (SELECT value FROM json_each(?)) GROUP BY poll_id`, pollIDs, func(r scanner) error {
			var id, n int64
			if err := r.Scan(&id, &n); err != nil {
				return err
			}
			get(id).Voters = n
			return nil
		})
	}
	if err != nil {
		return nil, fmt.Errorf("sqlite: results of %d polls: %w", len(pollIDs), err)
	}
	return out, nil
}

// GetPollVotes selects accountID's poll_votes in pollIDs.
func (s *Store) GetPollVotes(ctx context.Context, accountID int64, pollIDs []int64) (map[int64][]int, error) {
	out := map[int64][]int{}
	if len(pollIDs) == 0 {
		return out, nil
	}
	list, err := jsonArray(pollIDs)
	if err != nil {
		return nil, fmt.Errorf("sqlite: poll votes: %w", err)
	}
	rows, err := s.r.QueryContext(ctx, `SELECT poll_id, choice FROM poll_votes
		WHERE account_id = ? AND poll_id IN (SELECT value FROM json_each(?)) ORDER BY poll_id, choice`, accountID, list)
	if err != nil {
		return nil, fmt.Errorf("sqlite: poll votes: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var (
			id     int64
			choice int
		)
		if err := rows.Scan(&id, &choice); err != nil {
			return nil, fmt.Errorf("sqlite: poll votes: %w", err)
		}
		out[id] = append(out[id], choice)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlite: poll votes: %w", err)
	}
	return out, nil
}

// PutPollVotes inserts the voter row (its primary key refuses a second
// vote) and the choices in one transaction.
func (s *Store) PutPollVotes(ctx context.Context, pollID, accountID int64, choices []int, at time.Time) error {
	err := s.withTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO poll_voters (poll_id, account_id, created_at) VALUES (?, ?, ?)`,
			pollID, accountID, toDB(at)); err != nil {
			return err
		}
		for _, c := range choices {
			if _, err := tx.ExecContext(ctx, `INSERT INTO poll_votes (poll_id, account_id, choice) VALUES (?, ?, ?)`,
				pollID, accountID, c); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("sqlite: vote in poll %d: %w", pollID, translateFK(err))
	}
	return nil
}

// ListEndedPolls reads the unnotified expired polls by their partial index.
func (s *Store) ListEndedPolls(ctx context.Context, now time.Time, limit int) ([]*store.Poll, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT `+pollColumns+` FROM polls
		WHERE notified = 0 AND expires_at <= ? ORDER BY expires_at, id LIMIT ?`, toDB(now), limit)
	if err != nil {
		return nil, fmt.Errorf("sqlite: ended polls: %w", err)
	}
	defer rows.Close()
	var out []*store.Poll
	for rows.Next() {
		p, err := scanPoll(rows)
		if err != nil {
			return nil, fmt.Errorf("sqlite: ended polls: %w", err)
		}
		out = append(out, p)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlite: ended polls: %w", err)
	}
	return out, nil
}

// GetPollVoterIDs reads poll_voters.
func (s *Store) GetPollVoterIDs(ctx context.Context, pollID int64) ([]int64, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT account_id FROM poll_voters WHERE poll_id = ? ORDER BY account_id`, pollID)
	if err != nil {
		return nil, fmt.Errorf("sqlite: voters of poll %d: %w", pollID, err)
	}
	defer rows.Close()
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, fmt.Errorf("sqlite: voters of poll %d: %w", pollID, err)
		}
		ids = append(ids, id)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlite: voters of poll %d: %w", pollID, err)
	}
	return ids, nil
}

// PutPollEndNotifications flips polls.notified and inserts ns in one write
// transaction.
func (s *Store) PutPollEndNotifications(ctx context.Context, pollID int64, ns []*store.Notification) error {
	err := s.withTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE polls SET notified = 1 WHERE id = ? AND notified = 0`, pollID)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n == 0 {
			return errors.Join(store.ErrConflict, err)
		}
		for _, n := range ns {
			if err := insertNotification(ctx, tx, n); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("sqlite: poll %d end notifications: %w", pollID, translateFK(err))
	}
	return nil
}
