package social

import (
	"context"
	"errors"
	"slices"
	"strings"

	"github.com/starling-social/starling/go/store"
)

// MaxStatusVersions bounds one status's history (GET .../history): the
// original and the edits after it. An edit beyond it is refused, so no
// status's history grows without bound.
const MaxStatusVersions = 50

// maxUpdateNotifications bounds the `update` notifications one edit writes
// (one per booster, newest boosts first), as every write is bounded.
const maxUpdateNotifications = 1000

// EditInput is an edit as the author submits it (PUT /api/v1/statuses/:id).
// Visibility and the reply cannot change, as in Mastodon.
type EditInput struct {
	Text        string
	SpoilerText string
	Sensitive   *bool  // nil keeps the status's
	Language    string // "" keeps the status's
}

// EditStatus replaces the text, content warning, sensitivity and language
// of one of viewer's statuses. The policy plugins check the new version as
// they check a new status (a rejected edit changes nothing); the old
// versions stay in the history; those who boosted it get an `update`
// notification, and the streams that were sent the status get a
// status.update event.
func (s *Service) EditStatus(ctx context.Context, viewer *store.Account, id int64, in EditInput) (*store.Status, error) {
	const op = "social.EditStatus"
	st, err := s.store.GetStatusByID(ctx, id)
	if errors.Is(err, store.ErrNotFound) || err == nil && (st.AccountID != viewer.ID || st.ReblogOfID != 0) {
		// Only the author's own statuses are editable, and which others
		// exist is not told (Mastodon looks among the author's statuses).
		return nil, notFound(op, "Record not found")
	}
	if err != nil {
		return nil, internal(op, err)
	}
	draft := StatusInput{Text: in.Text, SpoilerText: in.SpoilerText, Sensitive: st.Sensitive,
		Visibility: string(st.Visibility), Language: in.Language}
	if in.Sensitive != nil {
		draft.Sensitive = *in.Sensitive
	}
	if draft.Language == "" {
		draft.Language = st.Language
	}
	vis, err := s.validateStatus(op, &draft)
	if err != nil {
		return nil, err
	}
	if _, err := s.moderateStatus(ctx, op, viewer, &draft, vis, st.ID); err != nil {
		return nil, err
	}
	parsed := parseText(draft.Text, s.localDomain())
	mentioned, err := s.resolveMentions(ctx, parsed.usernames)
	if err != nil {
		return nil, internal(op, err)
	}
	before, err := s.store.GetStatusMentions(ctx, []int64{st.ID})
	if err != nil {
		return nil, internal(op, err)
	}
	now := s.nowUTC()
	edited := *st
	edited.Text, edited.SpoilerText, edited.Language = draft.Text, draft.SpoilerText, draft.Language
	edited.Content = renderer{baseURL: s.cfg.BaseURL, domain: s.localDomain(), accounts: mentioned}.render(draft.Text)
	edited.Sensitive = draft.Sensitive || draft.SpoilerText != ""
	edited.EditedAt = &now
	if s.emb != nil {
		edited.Embedding = s.emb.Embed(strings.TrimSpace(draft.SpoilerText + "\n" + draft.Text))
	}
	w := &store.StatusEditWrite{Status: &edited, OriginalEditID: s.ids.Next(), EditID: s.ids.Next(),
		Tags: parsed.tags, MaxVersions: MaxStatusVersions}
	allMentions := before[st.ID]
	for _, a := range mentioned {
		if !slices.Contains(allMentions, a.ID) {
			w.Mentions = append(w.Mentions, a.ID)
			allMentions = append(allMentions, a.ID)
		}
	}
	boosts, err := s.store.ListRebloggedBy(ctx, st.ID, store.Page{Limit: maxUpdateNotifications})
	if err != nil {
		return nil, internal(op, err)
	}
	for _, rb := range boosts {
		if rb.AccountID != viewer.ID {
			w.Notifications = append(w.Notifications, s.newNotification(rb.AccountID, viewer.ID, store.NotificationUpdate, st.ID))
		}
	}
	switch err := s.store.EditStatus(ctx, w); {
	case errors.Is(err, store.ErrNotFound):
		return nil, notFound(op, "Record not found") // deleted meanwhile
	case errors.Is(err, store.ErrLimit):
		return nil, invalid(op, "Validation failed: this status has been edited too many times")
	case err != nil:
		return nil, internal(op, err)
	}
	if s.index != nil {
		s.index.StatusEdited(ctx, &edited)
	}
	if s.pub != nil {
		home, lists := s.homeAudience(ctx, &edited, allMentions), s.authorLists(ctx, &edited)
		users, streams := s.statusAudience(ctx, &edited, home, lists, w.Tags)
		s.publish(ctx, Event{Kind: EventStatusUpdate, Status: &edited, Users: users, Streams: streams})
	}
	s.publishNotifications(ctx, w.Notifications)
	return &edited, nil
}

// StatusHistory lists the versions of a status viewer may see, oldest
// first: the original, then each edit. A status never edited has one
// version, itself, as Mastodon answers.
func (s *Service) StatusHistory(ctx context.Context, viewer *store.Account, id int64) (*store.Status, []*store.StatusEdit, error) {
	const op = "social.StatusHistory"
	st, err := s.GetStatus(ctx, viewer, id)
	if err != nil {
		return nil, nil, err
	}
	if st.ReblogOfID != 0 {
		return nil, nil, notFound(op, "Record not found") // a boost has no text of its own
	}
	versions, err := s.store.ListStatusEdits(ctx, id)
	if err != nil {
		return nil, nil, internal(op, err)
	}
	if len(versions) == 0 {
		versions = []*store.StatusEdit{{StatusID: st.ID, Text: st.Text, Content: st.Content,
			SpoilerText: st.SpoilerText, Sensitive: st.Sensitive, Language: st.Language, CreatedAt: st.CreatedAt}}
	}
	return st, versions, nil
}

// StatusSource returns a status viewer may see, for its source text
// (GET /api/v1/statuses/:id/source: what an editing client starts from).
func (s *Service) StatusSource(ctx context.Context, viewer *store.Account, id int64) (*store.Status, error) {
	st, err := s.GetStatus(ctx, viewer, id)
	if err != nil {
		return nil, err
	}
	if st.ReblogOfID != 0 {
		return nil, notFound("social.StatusSource", "Record not found")
	}
	return st, nil
}
