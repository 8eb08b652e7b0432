package social

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/starling-social/starling/go/store"
)

// Poll limits, Mastodon's (the instance entity advertises them).
const (
	MaxPollOptions     = 4
	MaxPollOptionChars = 50
	MinPollExpiration  = 5 * time.Minute
	MaxPollExpiration  = 2_629_746 * time.Second // a month
)

// PollInput is a poll posted with a status.
type PollInput struct {
	Options    []string
	ExpiresIn  time.Duration
	Multiple   bool
	HideTotals bool
}

// PollView is a poll as one viewer sees it.
type PollView struct {
	Poll    *store.Poll
	Results *store.PollResults // never nil
	Expired bool
	// Voted and OwnVotes are the viewer's (false and nil when anonymous).
	Voted    bool
	OwnVotes []int
	// ShowTotals is false while a hide_totals poll runs, except for its
	// author: the counts are then hidden.
	ShowTotals bool
}

// newPoll validates in and returns the poll to store with st.
func (s *Service) newPoll(ctx context.Context, op string, st *store.Status, in *PollInput) (*store.Poll, error) {
	if in == nil {
		return nil, nil
	}
	if len(in.Options) < 2 || len(in.Options) > MaxPollOptions {
		return nil, invalid(op, fmt.Sprintf("Validation failed: a poll must have from 2 to %d options", MaxPollOptions))
	}
	seen := map[string]bool{}
	for _, o := range in.Options {
		if strings.TrimSpace(o) == "" {
			return nil, invalid(op, "Validation failed: poll options must not be blank")
		}
		if err := checkText(op, "Poll option", o, MaxPollOptionChars); err != nil {
			return nil, err
		}
		if seen[o] {
			return nil, invalid(op, "Validation failed: poll options must be different")
		}
		seen[o] = true
	}
	if in.ExpiresIn < MinPollExpiration || in.ExpiresIn > MaxPollExpiration {
		return nil, invalid(op, fmt.Sprintf("Validation failed: poll expires_in must be from %d to %d seconds",
			int(MinPollExpiration.Seconds()), int(MaxPollExpiration.Seconds())))
	}
	id, err := s.newID(ctx, op)
	if err != nil {
		return nil, err
	}
	return &store.Poll{ID: id, StatusID: st.ID, AccountID: st.AccountID, Options: in.Options,
		Multiple: in.Multiple, HideTotals: in.HideTotals, ExpiresAt: st.CreatedAt.Add(in.ExpiresIn), CreatedAt: st.CreatedAt}, nil
}

// pollViews loads the polls of the statuses ids, by status ID, with their results and the viewer's
// votes, in three queries whatever the batch size.
func (s *Service) pollViews(ctx context.Context, viewer *store.Account, ids []int64) (map[int64]*PollView, error) {
	const op = "social.pollViews"
	polls, err := s.store.GetStatusPolls(ctx, ids)
	if err != nil {
		return nil, internal(op, err)
	}
	if len(polls) == 0 {
		return nil, nil
	}
	pollIDs := make([]int64, 0, len(polls))
	for _, p := range polls {
		pollIDs = append(pollIDs, p.ID)
	}
	results, err := s.store.GetPollResults(ctx, pollIDs)
	if err != nil {
		return nil, internal(op, err)
	}
	votes := map[int64][]int{}
	if viewer != nil {
		if votes, err = s.store.GetPollVotes(ctx, viewer.ID, pollIDs); err != nil {
			return nil, internal(op, err)
		}
	}
	now := s.now()
	out := make(map[int64]*PollView, len(polls))
	for sid, p := range polls {
		out[sid] = s.pollView(viewer, p, results[p.ID], votes[p.ID], now)
	}
	return out, nil
}

func (s *Service) pollView(viewer *store.Account, p *store.Poll, res *store.PollResults, own []int, now time.Time) *PollView {
	if res == nil {
		res = &store.PollResults{PerOption: map[int]int64{}}
	}
	expired := !now.Before(p.ExpiresAt)
	return &PollView{Poll: p, Results: res, Expired: expired, Voted: own != nil, OwnVotes: own,
		ShowTotals: !p.HideTotals || expired || (viewer != nil && viewer.ID == p.AccountID)}
}

// GetPoll returns a poll the viewer may see (its status's visibility).
func (s *Service) GetPoll(ctx context.Context, viewer *store.Account, id int64) (*PollView, error) {
	const op = "social.GetPoll"
	p, err := s.store.GetPollByID(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return nil, notFound(op, "Record not found")
	}
	if err != nil {
		return nil, internal(op, err)
	}
	if _, err := s.GetStatus(ctx, viewer, p.StatusID); err != nil {
		return nil, err
	}
	views, err := s.pollViews(ctx, viewer, []int64{p.StatusID})
	if err != nil {
		return nil, err
	}
	if v := views[p.StatusID]; v != nil {
		return v, nil
	}
	return nil, notFound(op, "Record not found") // deleted meanwhile
}

// Vote records the viewer's choices (option indexes) in a poll it may see:
// not its own, not ended, once, one choice unless multiple.
func (s *Service) Vote(ctx context.Context, viewer *store.Account, id int64, choices []int) (*PollView, error) {
	const op = "social.Vote"
	v, err := s.GetPoll(ctx, viewer, id)
	if err != nil {
		return nil, err
	}
	p := v.Poll
	switch {
	case p.AccountID == viewer.ID:
		return nil, invalid(op, "Validation failed: You cannot vote in your own poll")
	case v.Expired:
		return nil, invalid(op, "Validation failed: The poll has already ended")
	case v.Voted:
		return nil, invalid(op, "Validation failed: You have already voted on this poll")
	case len(choices) == 0:
		return nil, invalid(op, "Validation failed: choices can't be blank")
	case !p.Multiple && len(choices) > 1:
		return nil, invalid(op, "Validation failed: this poll takes one choice")
	}
	sorted := slices.Sorted(slices.Values(choices))
	for i, c := range sorted {
		if c < 0 || c >= len(p.Options) || (i > 0 && sorted[i-1] == c) {
			return nil, invalid(op, "Validation failed: choices must be different option indexes of the poll")
		}
	}
	if err := s.store.PutPollVotes(ctx, p.ID, viewer.ID, sorted, s.nowUTC()); err != nil {
		if errors.Is(err, store.ErrConflict) { // a concurrent vote won
			return nil, invalid(op, "Validation failed: You have already voted on this poll")
		}
		if errors.Is(err, store.ErrNotFound) {
			return nil, notFound(op, "Record not found")
		}
		return nil, internal(op, err)
	}
	return s.GetPoll(ctx, viewer, id)
}

// endedPollsBatch bounds the polls one pass notifies.
const endedPollsBatch = 100

// NotifyEndedPolls writes the `poll` notifications of the polls that have
// ended (to each voter and to the author, from the author, as Mastodon
// does) and returns how many polls it notified. Each poll is marked in the
// transaction that writes its notifications, so two processes racing
// notify it once; one that fails is retried on the next pass.
func (s *Service) NotifyEndedPolls(ctx context.Context) (int, error) {
	const op = "social.NotifyEndedPolls"
	polls, err := s.store.ListEndedPolls(ctx, s.nowUTC(), endedPollsBatch)
	if err != nil {
		return 0, internal(op, err)
	}
	done := 0
	for _, p := range polls {
		voters, err := s.store.GetPollVoterIDs(ctx, p.ID)
		if err != nil {
			return done, internal(op, err)
		}
		author, err := s.newNotification(ctx, op, p.AccountID, p.AccountID, store.NotificationPoll, p.StatusID)
		if err != nil {
			return done, err
		}
		ns := []*store.Notification{author}
		for _, v := range voters {
			if v == p.AccountID {
				continue
			}
			n, err := s.newNotification(ctx, op, v, p.AccountID, store.NotificationPoll, p.StatusID)
			if err != nil {
				return done, err
			}
			ns = append(ns, n)
		}
		switch err := s.store.PutPollEndNotifications(ctx, p.ID, ns); {
		case errors.Is(err, store.ErrConflict), errors.Is(err, store.ErrNotFound):
			continue // notified by another process, or the status is gone
		case err != nil:
			return done, internal(op, err)
		}
		s.publishNotifications(ctx, ns)
		done++
	}
	return done, nil
}
