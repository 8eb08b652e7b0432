package social

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"

	"go.opentelemetry.io/otel/trace"

	"github.com/starling-social/starling/go/store"
	"github.com/starling-social/starling/go/tracing"
)

// languagePattern accepts ISO 639-1/639-3 codes, optionally with a region.
var languagePattern = regexp.MustCompile(`^[a-z]{2,3}(-[A-Za-z0-9]{2,8})?$`)

// StatusInput is a status as the author submits it.
type StatusInput struct {
	Text        string
	InReplyToID int64
	Sensitive   bool
	// SensitiveGiven says the client sent sensitive, even false: a
	// scheduled status shows the given value, or null, as Mastodon does.
	SensitiveGiven bool
	SpoilerText    string
	Visibility     string // "" means the account's default
	Language       string
	// IdempotencyKey is the client's Idempotency-Key header: the same key
	// from the same account within IdempotencyWindow returns the status
	// the first request created instead of posting again.
	IdempotencyKey string
	// MediaIDs are the author's unposted uploads to attach, in order.
	MediaIDs []int64
	// Poll, when not nil, is posted with the status (not with media).
	Poll *PollInput
}

// IdempotencyWindow is how long an Idempotency-Key is remembered (Mastodon
// keeps them for an hour).
const IdempotencyWindow = time.Hour

// maxIdempotencyKey bounds the stored key.
const maxIdempotencyKey = 256

// PostStatus validates, moderates and stores a status with its mentions,
// tags and mention notifications in one transaction, then hands it to the
// indexer and publishes it. A status a moderator rejects is never stored.
func (s *Service) PostStatus(ctx context.Context, author *store.Account, in StatusInput) (_ *store.Status, err error) {
	const op = "social.PostStatus"
	ctx, span := tracing.Child(ctx, op, trace.SpanKindInternal)
	defer func() { tracing.End(span, err) }()
	return s.postStatus(ctx, op, author, in, 0)
}

// checkStatus validates in as posting it now would (defaults filled in),
// and returns its visibility and the parent it replies to, if any.
// Media reserved by the scheduled status scheduledID (0 for none) may be
// named.
func (s *Service) checkStatus(ctx context.Context, op string, author *store.Account, in *StatusInput, scheduledID int64) (store.Visibility, *store.Status, error) {
	if err := s.postingDefaults(ctx, author, in); err != nil {
		return "", nil, err
	}
	vis, err := s.validateStatus(op, in)
	if err != nil {
		return "", nil, err
	}
	if err := s.statusMedia(ctx, op, author, in.MediaIDs, 0, scheduledID); err != nil {
		return "", nil, err
	}
	if in.Poll != nil && len(in.MediaIDs) > 0 {
		return "", nil, invalid(op, "Validation failed: a status cannot have both media and a poll")
	}
	var parent *store.Status
	if in.InReplyToID != 0 {
		// The parent must be visible to the author: replying must not
		// reveal (or confirm) a status the author cannot see.
		if parent, err = s.GetStatus(ctx, author, in.InReplyToID); err != nil {
			return "", nil, err
		}
	}
	return vis, parent, nil
}

// postStatus is PostStatus, publishing the scheduled status scheduledID
// when not zero (deleted in the status's transaction; ErrNotFound, and
// nothing written, if it is gone).
func (s *Service) postStatus(ctx context.Context, op string, author *store.Account, in StatusInput, scheduledID int64) (*store.Status, error) {
	if len(in.IdempotencyKey) > maxIdempotencyKey {
		return nil, invalid(op, "Validation failed: Idempotency-Key is too long")
	}
	if st, ok, err := s.idempotentStatus(ctx, op, author, in.IdempotencyKey); ok || err != nil {
		return st, err
	}
	vis, parent, err := s.checkStatus(ctx, op, author, &in, scheduledID)
	if err != nil {
		return nil, err
	}
	flags, err := s.moderateStatus(ctx, op, author, &in, vis, 0)
	if err != nil {
		return nil, err
	}
	parsed := parseText(in.Text, s.localDomain())
	mentioned, err := s.resolveMentions(ctx, parsed.usernames)
	if err != nil {
		return nil, internal(op, err)
	}
	now := s.nowUTC()
	id, err := s.newID(ctx, op)
	if err != nil {
		return nil, err
	}
	st := &store.Status{
		ID: id, AccountID: author.ID, InReplyToID: in.InReplyToID,
		Text: in.Text, SpoilerText: in.SpoilerText,
		Content: renderer{baseURL: s.cfg.BaseURL, domain: s.localDomain(), accounts: mentioned}.render(in.Text),
		// A content warning implies sensitive, as Mastodon does.
		Sensitive:  in.Sensitive || in.SpoilerText != "",
		Visibility: vis, Language: in.Language, CreatedAt: now,
	}
	if parent != nil {
		st.InReplyToAccountID = parent.AccountID
	}
	if s.emb != nil {
		_, span := tracing.Child(ctx, "embed", trace.SpanKindInternal)
		st.Embedding = s.emb.Embed(strings.TrimSpace(in.SpoilerText + "\n" + in.Text))
		span.End()
	}
	poll, err := s.newPoll(ctx, op, st, in.Poll)
	if err != nil {
		return nil, err
	}
	storedFlags, err := s.statusFlags(ctx, op, flags)
	if err != nil {
		return nil, err
	}
	w := &store.StatusWrite{Status: st, Tags: parsed.tags, Poll: poll, Flags: storedFlags,
		IdempotencyKey: in.IdempotencyKey, IdempotencySince: now.Add(-IdempotencyWindow), MediaIDs: in.MediaIDs,
		OutboxAt: s.outboxAt(), OutboxTraceParent: tracing.TraceParent(ctx), ScheduledID: scheduledID}
	for _, a := range mentioned {
		w.Mentions = append(w.Mentions, a.ID)
		if a.ID != author.ID { // never notify yourself
			n, err := s.newNotification(ctx, op, a.ID, author.ID, store.NotificationMention, st.ID)
			if err != nil {
				return nil, err
			}
			w.Notifications = append(w.Notifications, n)
		}
	}
	if parent != nil { // a reply joins the parent's conversation, maybe muted
		if w.Notifications, err = s.unlessConversationMuted(ctx, parent.ID, w.Notifications); err != nil {
			return nil, err
		}
	}
	if err := s.store.PutStatusWrite(ctx, w); err != nil {
		if in.IdempotencyKey != "" && errors.Is(err, store.ErrConflict) {
			// A concurrent request with the same key won the race: answer
			// with its status, exactly as a later retry would get.
			if st, ok, err := s.idempotentStatus(ctx, op, author, in.IdempotencyKey); ok || err != nil {
				return st, err
			}
		}
		if scheduledID != 0 && errors.Is(err, store.ErrNotFound) {
			// Published by another process meanwhile, or cancelled.
			return nil, notFound(op, "Record not found")
		}
		if len(in.MediaIDs) > 0 && errors.Is(err, store.ErrConflict) {
			// A media ID was posted by a concurrent request meanwhile.
			return nil, invalid(op, "Validation failed: media_ids must name your own uploads not posted yet")
		}
		return nil, internal(op, err)
	}
	s.deliver(ctx, author, st, w.Tags, w.Mentions)
	s.publishConversation(ctx, w)
	s.publishNotifications(ctx, w.Notifications)
	return st, nil
}

// idempotentStatus returns the status an earlier request with key created,
// if the key is live and the status still exists.
func (s *Service) idempotentStatus(ctx context.Context, op string, author *store.Account, key string) (*store.Status, bool, error) {
	if key == "" {
		return nil, false, nil
	}
	id, err := s.store.GetIdempotentStatusID(ctx, author.ID, key, s.nowUTC().Add(-IdempotencyWindow))
	if errors.Is(err, store.ErrNotFound) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, internal(op, err)
	}
	st, err := s.store.GetStatusByID(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return nil, false, nil // deleted since: the key died with it
	}
	if err != nil {
		return nil, false, internal(op, err)
	}
	return st, true, nil
}

// localDomain is the host of BaseURL: @user@thisdomain is a local mention.
func (s *Service) localDomain() string {
	u, err := url.Parse(s.cfg.BaseURL)
	if err != nil {
		return ""
	}
	return u.Hostname()
}

func (s *Service) validateStatus(op string, in *StatusInput) (store.Visibility, error) {
	if strings.TrimSpace(in.Text) == "" && len(in.MediaIDs) == 0 {
		return "", invalid(op, "Validation failed: Text can't be blank")
	}
	if !utf8.ValidString(in.Text) || !utf8.ValidString(in.SpoilerText) {
		return "", invalid(op, "Validation failed: Text must be valid UTF-8")
	}
	if n := utf8.RuneCountInString(in.Text) + utf8.RuneCountInString(in.SpoilerText); n > s.cfg.MaxStatusChars {
		return "", invalid(op, fmt.Sprintf("Validation failed: Text character limit of %d exceeded", s.cfg.MaxStatusChars))
	}
	vis := store.Visibility(in.Visibility)
	switch vis {
	case "":
		vis = store.VisibilityPublic
	case store.VisibilityPublic, store.VisibilityUnlisted, store.VisibilityPrivate, store.VisibilityDirect:
	default:
		return "", invalid(op, "Validation failed: Visibility is not included in the list")
	}
	if in.Language != "" && !languagePattern.MatchString(in.Language) {
		return "", invalid(op, "Validation failed: Language is not a valid ISO 639 code")
	}
	return vis, nil
}

// GetStatus returns a status if viewer (nil when anonymous) may see it. A
// status the viewer may not see is reported as not found, so its existence
// does not leak.
func (s *Service) GetStatus(ctx context.Context, viewer *store.Account, id int64) (*store.Status, error) {
	const op = "social.GetStatus"
	st, err := s.store.GetStatusByID(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return nil, notFound(op, "Record not found")
	}
	if err != nil {
		return nil, internal(op, err)
	}
	vis, err := s.filterVisible(ctx, viewer, []*store.Status{st}, readDirect)
	if err != nil {
		return nil, err
	}
	if len(vis) == 0 {
		return nil, notFound(op, "Record not found")
	}
	return st, nil
}

// statusesInOrder loads ids with one query and returns them in the order of
// ids, skipping any deleted meanwhile.
func (s *Service) statusesInOrder(ctx context.Context, op string, ids []int64) ([]*store.Status, error) {
	found, err := s.store.GetStatusesByIDs(ctx, ids)
	if err != nil {
		return nil, internal(op, err)
	}
	byID := make(map[int64]*store.Status, len(found))
	for _, st := range found {
		byID[st.ID] = st
	}
	out := make([]*store.Status, 0, len(ids))
	for _, id := range ids {
		if st, ok := byID[id]; ok {
			out = append(out, st)
		}
	}
	return out, nil
}
