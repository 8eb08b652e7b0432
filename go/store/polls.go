package store

import (
	"context"
	"time"
)

// Poll is a status's poll. Results are counted from the votes when read,
// so they are exact whatever races the votes ran.
type Poll struct {
	ID         int64
	StatusID   int64
	AccountID  int64 // the status's author
	Options    []string
	Multiple   bool
	HideTotals bool
	ExpiresAt  time.Time
	CreatedAt  time.Time
}

// PollResults are a poll's counts: votes per option index, all votes, and
// the accounts that voted.
type PollResults struct {
	PerOption map[int]int64
	Votes     int64
	Voters    int64
}

// Polls stores polls (written with their status, StatusWrite.Poll) and
// votes.
type Polls interface {
	// GetPollByID matches polls.id.
	GetPollByID(ctx context.Context, id int64) (*Poll, error)
	// GetStatusPolls returns the polls of those of statusIDs that have one,
	// by status ID.
	GetStatusPolls(ctx context.Context, statusIDs []int64) (map[int64]*Poll, error)
	// GetPollResults counts the votes of each of pollIDs (absent: none).
	GetPollResults(ctx context.Context, pollIDs []int64) (map[int64]*PollResults, error)
	// GetPollVotes returns accountID's choices in each of pollIDs it voted
	// in, ascending.
	GetPollVotes(ctx context.Context, accountID int64, pollIDs []int64) (map[int64][]int, error)
	// PutPollVotes records accountID's choices in one transaction;
	// ErrConflict if the account voted in the poll already (also when two
	// votes race: one wins); ErrNotFound if the poll or account is gone.
	PutPollVotes(ctx context.Context, pollID, accountID int64, choices []int, at time.Time) error
	// ListEndedPolls lists up to limit polls expired at now whose end was
	// not notified yet, earliest first.
	ListEndedPolls(ctx context.Context, now time.Time, limit int) ([]*Poll, error)
	// GetPollVoterIDs returns the accounts that voted in the poll.
	GetPollVoterIDs(ctx context.Context, pollID int64) ([]int64, error)
	// PutPollEndNotifications marks the poll's end notified and inserts ns,
	// in one transaction; ErrConflict (nothing written) if it was notified
	// already (by another process).
	PutPollEndNotifications(ctx context.Context, pollID int64, ns []*Notification) error
}
