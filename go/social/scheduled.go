package social

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/starling-social/starling/go/store"
)

// Scheduled statuses, as Mastodon has them: posted with scheduled_at at
// least MinScheduleAhead ahead, they are stored, not published, and the
// scheduler (RunScheduler, in every server process) publishes each at its
// time through postStatus, the path of every post (policy plugins, outbox,
// fan-out, streaming). The status's write deletes the scheduled row in its
// own transaction, so each is published at most once even when two
// processes race; the claim lease only keeps them from both trying, and a
// process that dies holding a claim leaves it to another after the lease,
// so each is published at least once too.

const (
	// MinScheduleAhead is how far ahead scheduled_at must be (Mastodon's 5 minutes).
	MinScheduleAhead = 5 * time.Minute
	// MaxScheduledTotal and MaxScheduledDaily are Mastodon's per-account
	// caps: pending at once, and pending for one UTC day.
	MaxScheduledTotal = 300
	MaxScheduledDaily = 25
	// ScheduledLease is how long, by default, a claiming process has to
	// publish a due status before another may claim it (Config.ScheduledLease).
	ScheduledLease = time.Minute
	// scheduledBatch bounds the statuses one scheduler pass claims.
	scheduledBatch = 50
)

var scheduledLimits = store.ScheduledLimits{Total: MaxScheduledTotal, Daily: MaxScheduledDaily}

// ScheduledParams is the status a scheduled status will post, as stored
// (JSON) and as Mastodon's ScheduledStatus entity shows it: what the client
// gave, nil for what it did not (the account's defaults are applied when
// the status is published, as Mastodon applies them).
type ScheduledParams struct {
	Text        string         `json:"text"`
	InReplyToID int64          `json:"in_reply_to_id,omitempty"`
	Sensitive   *bool          `json:"sensitive"`
	SpoilerText *string        `json:"spoiler_text"`
	Visibility  *string        `json:"visibility"`
	Language    *string        `json:"language"`
	MediaIDs    []int64        `json:"media_ids,omitempty"`
	Poll        *ScheduledPoll `json:"poll,omitempty"`
}

// ScheduledPoll is a scheduled status's poll; it runs for ExpiresIn
// seconds from publication.
type ScheduledPoll struct {
	Options    []string `json:"options"`
	ExpiresIn  int64    `json:"expires_in"`
	Multiple   bool     `json:"multiple"`
	HideTotals bool     `json:"hide_totals"`
}

// ScheduledView is a scheduled status as its author sees it, with the
// uploads it will carry, in order.
type ScheduledView struct {
	ID          int64
	ScheduledAt time.Time
	Params      ScheduledParams
	Media       []*store.MediaAttachment
}

// given is &v, or nil for the zero value (not given).
func given[T comparable](v T) *T {
	var zero T
	if v == zero {
		return nil
	}
	return &v
}

func scheduledParams(in *StatusInput) ScheduledParams {
	p := ScheduledParams{Text: in.Text, InReplyToID: in.InReplyToID, SpoilerText: given(in.SpoilerText),
		Visibility: given(in.Visibility), Language: given(in.Language), MediaIDs: in.MediaIDs}
	if in.Sensitive || in.SensitiveGiven {
		p.Sensitive = &in.Sensitive
	}
	if in.Poll != nil {
		p.Poll = &ScheduledPoll{Options: in.Poll.Options, ExpiresIn: int64(in.Poll.ExpiresIn / time.Second),
			Multiple: in.Poll.Multiple, HideTotals: in.Poll.HideTotals}
	}
	return p
}

func deref[T any](p *T) T {
	var v T
	if p != nil {
		v = *p
	}
	return v
}

func (p *ScheduledParams) input() StatusInput {
	in := StatusInput{Text: p.Text, InReplyToID: p.InReplyToID, Sensitive: deref(p.Sensitive),
		SpoilerText: deref(p.SpoilerText), Visibility: deref(p.Visibility), Language: deref(p.Language),
		MediaIDs: p.MediaIDs}
	if p.Poll != nil {
		in.Poll = &PollInput{Options: p.Poll.Options, ExpiresIn: time.Duration(p.Poll.ExpiresIn) * time.Second,
			Multiple: p.Poll.Multiple, HideTotals: p.Poll.HideTotals}
	}
	return in
}

func scheduledView(sch *store.ScheduledStatus) (*ScheduledView, error) {
	v := &ScheduledView{ID: sch.ID, ScheduledAt: sch.ScheduledAt}
	if err := json.Unmarshal(sch.Params, &v.Params); err != nil {
		return nil, fmt.Errorf("scheduled status %d: %w", sch.ID, err)
	}
	return v, nil
}

// scheduledViews decodes rows and loads their media with one query.
func (s *Service) scheduledViews(ctx context.Context, rows []*store.ScheduledStatus) ([]*ScheduledView, error) {
	out := make([]*ScheduledView, 0, len(rows))
	var ids []int64
	for _, r := range rows {
		v, err := scheduledView(r)
		if err != nil {
			return nil, err
		}
		ids = append(ids, v.Params.MediaIDs...)
		out = append(out, v)
	}
	if len(ids) == 0 {
		return out, nil
	}
	found, err := s.store.GetMediaAttachmentsByIDs(ctx, ids)
	if err != nil {
		return nil, err
	}
	byID := make(map[int64]*store.MediaAttachment, len(found))
	for _, m := range found {
		byID[m.ID] = m
	}
	for _, v := range out {
		for _, id := range v.Params.MediaIDs {
			if m, ok := byID[id]; ok && m.ScheduledStatusID == v.ID {
				v.Media = append(v.Media, m)
			}
		}
	}
	return out, nil
}

// checkScheduledAt applies Mastodon's rule: at least MinScheduleAhead ahead.
func (s *Service) checkScheduledAt(op string, at time.Time) error {
	if at.Before(s.nowUTC().Add(MinScheduleAhead)) {
		return invalid(op, "Validation failed: Scheduled at The scheduled date must be in the future")
	}
	return nil
}

// scheduledLimitError turns store.ErrLimit into Mastodon's messages.
func scheduledLimitError(op string, err error) error {
	if errors.Is(err, store.ErrLimit) {
		return &Error{Op: op, Kind: KindInvalid, Err: err, Safe: fmt.Sprintf(
			"Validation failed: Scheduled at You have exceeded the limit of %d scheduled posts in total or %d for that day",
			MaxScheduledTotal, MaxScheduledDaily)}
	}
	if errors.Is(err, store.ErrNotFound) {
		return notFound(op, "Record not found")
	}
	return internal(op, err)
}

// ScheduleStatus validates in as posting it would and stores it for
// publication at at, reserving its media; nothing is published now. The
// policy plugins judge it when it is published, on its text as it is then.
// The same Idempotency-Key within IdempotencyWindow returns the scheduled
// status the first request created.
func (s *Service) ScheduleStatus(ctx context.Context, author *store.Account, in StatusInput, at time.Time) (*ScheduledView, error) {
	const op = "social.ScheduleStatus"
	if len(in.IdempotencyKey) > maxIdempotencyKey {
		return nil, invalid(op, "Validation failed: Idempotency-Key is too long")
	}
	if v, ok, err := s.idempotentScheduled(ctx, op, author, in.IdempotencyKey); ok || err != nil {
		return v, err
	}
	if err := s.checkScheduledAt(op, at); err != nil {
		return nil, err
	}
	// What the client gave, before checkStatus fills in the defaults.
	params := scheduledParams(&in)
	if _, _, err := s.checkStatus(ctx, op, author, &in, 0); err != nil {
		return nil, err
	}
	if _, err := s.newPoll(ctx, op, &store.Status{AccountID: author.ID, CreatedAt: at}, in.Poll); err != nil {
		return nil, err
	}
	enc, err := json.Marshal(params)
	if err != nil {
		return nil, internal(op, err)
	}
	id, err := s.newID(ctx, op)
	if err != nil {
		return nil, err
	}
	now := s.nowUTC()
	sch := &store.ScheduledStatus{ID: id, AccountID: author.ID, ScheduledAt: at.UTC().Truncate(time.Microsecond),
		Params: enc, CreatedAt: now, MediaIDs: in.MediaIDs,
		IdempotencyKey: in.IdempotencyKey, IdempotencySince: now.Add(-IdempotencyWindow)}
	if err := s.store.PutScheduledStatus(ctx, sch, scheduledLimits); errors.Is(err, store.ErrConflict) {
		if v, ok, err := s.idempotentScheduled(ctx, op, author, in.IdempotencyKey); ok || err != nil {
			return v, err // a concurrent request with the same key won
		}
		// A medium was posted or scheduled by a concurrent request.
		return nil, invalid(op, "Validation failed: media_ids must name your own uploads not posted yet")
	} else if err != nil {
		return nil, scheduledLimitError(op, err)
	}
	return s.ScheduledStatus(ctx, author, sch.ID)
}

// idempotentScheduled returns the scheduled status an earlier request with
// key created, if the key is live and the status not published yet.
func (s *Service) idempotentScheduled(ctx context.Context, op string, author *store.Account, key string) (*ScheduledView, bool, error) {
	if key == "" {
		return nil, false, nil
	}
	sch, err := s.store.GetScheduledStatusByIdempotencyKey(ctx, author.ID, key, s.nowUTC().Add(-IdempotencyWindow))
	if errors.Is(err, store.ErrNotFound) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, internal(op, err)
	}
	vs, err := s.scheduledViews(ctx, []*store.ScheduledStatus{sch})
	if err != nil {
		return nil, false, internal(op, err)
	}
	return vs[0], true, nil
}

// ScheduledStatuses pages the viewer's scheduled statuses.
func (s *Service) ScheduledStatuses(ctx context.Context, viewer *store.Account, page store.Page) ([]*ScheduledView, error) {
	const op = "social.ScheduledStatuses"
	rows, err := s.store.ListScheduledStatuses(ctx, viewer.ID, page)
	if err != nil {
		return nil, internal(op, err)
	}
	out, err := s.scheduledViews(ctx, rows)
	if err != nil {
		return nil, internal(op, err)
	}
	return out, nil
}

// ScheduledStatus returns one of the viewer's scheduled statuses.
func (s *Service) ScheduledStatus(ctx context.Context, viewer *store.Account, id int64) (*ScheduledView, error) {
	const op = "social.ScheduledStatus"
	sch, err := s.store.GetScheduledStatus(ctx, viewer.ID, id)
	if err != nil {
		return nil, scheduledLimitError(op, err)
	}
	vs, err := s.scheduledViews(ctx, []*store.ScheduledStatus{sch})
	if err != nil {
		return nil, internal(op, err)
	}
	return vs[0], nil
}

// RescheduleStatus moves one of the viewer's scheduled statuses to at.
func (s *Service) RescheduleStatus(ctx context.Context, viewer *store.Account, id int64, at time.Time) (*ScheduledView, error) {
	const op = "social.RescheduleStatus"
	if err := s.checkScheduledAt(op, at); err != nil {
		return nil, err
	}
	if err := s.store.RescheduleStatus(ctx, viewer.ID, id, at.UTC().Truncate(time.Microsecond), scheduledLimits); err != nil {
		return nil, scheduledLimitError(op, err)
	}
	return s.ScheduledStatus(ctx, viewer, id)
}

// CancelScheduledStatus deletes one of the viewer's scheduled statuses.
func (s *Service) CancelScheduledStatus(ctx context.Context, viewer *store.Account, id int64) error {
	const op = "social.CancelScheduledStatus"
	if err := s.store.DeleteScheduledStatus(ctx, viewer.ID, id); err != nil {
		return scheduledLimitError(op, err)
	}
	return nil
}

// PublishScheduled claims the due scheduled statuses and publishes each; it
// returns how many it published. One that can no longer be posted (its
// parent is gone, a policy plugin rejects it, its text breaks a rule
// changed since) is dropped, as Mastodon drops it; one that failed on
// something passing (the database, a plugin down) is retried after its
// lease.
func (s *Service) PublishScheduled(ctx context.Context) (int, error) {
	const op = "social.PublishScheduled"
	lease := s.cfg.ScheduledLease
	if lease <= 0 {
		lease = ScheduledLease
	}
	due, err := s.store.ClaimDueScheduledStatuses(ctx, s.nowUTC(), lease, scheduledBatch)
	if err != nil {
		return 0, internal(op, err)
	}
	n := 0
	for _, sch := range due {
		ok, err := s.publishScheduled(ctx, sch)
		if err != nil {
			s.log.WarnContext(ctx, "scheduler: publishing failed; retried after the lease", "scheduled", sch.ID, "err", err)
			continue
		}
		if ok {
			n++
		}
	}
	return n, nil
}

// publishScheduled posts one claimed scheduled status; false when it was
// dropped (or was published by another process meanwhile).
func (s *Service) publishScheduled(ctx context.Context, sch *store.ScheduledStatus) (bool, error) {
	const op = "social.publishScheduled"
	v, err := scheduledView(sch)
	if err != nil {
		s.drop(ctx, sch, err)
		return false, nil
	}
	author, err := s.store.GetAccountByID(ctx, sch.AccountID)
	if errors.Is(err, store.ErrNotFound) {
		return false, nil // the account and its scheduled statuses are gone
	}
	if err != nil {
		return false, internal(op, err)
	}
	_, err = s.postStatus(ctx, op, author, v.Params.input(), sch.ID)
	switch KindOf(err) {
	case KindInternal, KindUnavailable:
		if err != nil {
			return false, err
		}
		return true, nil
	default:
		s.drop(ctx, sch, err)
		return false, nil
	}
}

// drop deletes a scheduled status that cannot be published.
func (s *Service) drop(ctx context.Context, sch *store.ScheduledStatus, why error) {
	s.log.InfoContext(ctx, "scheduler: dropping a scheduled status that cannot be posted", "scheduled", sch.ID, "err", why)
	if err := s.store.DeleteScheduledStatus(ctx, sch.AccountID, sch.ID); err != nil && !errors.Is(err, store.ErrNotFound) {
		s.log.WarnContext(ctx, "scheduler: dropping", "scheduled", sch.ID, "err", err)
	}
}

// RunScheduler runs the timed jobs every interval until ctx ends, first at
// once (what fell due while no process ran): PublishScheduled and
// NotifyEndedPolls.
func (s *Service) RunScheduler(ctx context.Context, interval time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		if _, err := s.PublishScheduled(ctx); err != nil && ctx.Err() == nil {
			s.log.ErrorContext(ctx, "scheduler", "err", err)
		}
		if _, err := s.NotifyEndedPolls(ctx); err != nil && ctx.Err() == nil {
			s.log.ErrorContext(ctx, "scheduler: poll ends", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
