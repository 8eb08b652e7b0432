package social

import (
	"context"
	"errors"
	"fmt"
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
	// MediaIDs, when not nil, replace the status's attachments (its own or
	// unposted uploads, in order); those dropped become unposted uploads.
	MediaIDs *[]int64
	// MediaAttributes change the description and focus of attachments
	// the status has after the edit (Mastodon's media_attributes).
	MediaAttributes []MediaAttribute
}

// MediaAttribute is one entry of an edit's media_attributes.
type MediaAttribute struct {
	ID          int64
	Description *string
	Focus       *string
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
	media, err := s.editedMedia(ctx, op, viewer, st, in)
	if err != nil {
		return nil, err
	}
	for _, m := range media.after {
		draft.MediaIDs = append(draft.MediaIDs, m.ID) // a status with media may have no text
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
	originalEditID, err := s.newID(ctx, op)
	if err != nil {
		return nil, err
	}
	editID, err := s.newID(ctx, op)
	if err != nil {
		return nil, err
	}
	w := &store.StatusEditWrite{Status: &edited, OriginalEditID: originalEditID, EditID: editID,
		Tags: parsed.tags, MaxVersions: MaxStatusVersions, MediaIDs: in.MediaIDs, DetachedAt: now,
		MediaUpdates: media.updates}
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
			n, err := s.newNotification(ctx, op, rb.AccountID, viewer.ID, store.NotificationUpdate, st.ID)
			if err != nil {
				return nil, err
			}
			w.Notifications = append(w.Notifications, n)
		}
	}
	switch err := s.store.EditStatus(ctx, w); {
	case errors.Is(err, store.ErrNotFound):
		return nil, notFound(op, "Record not found") // deleted meanwhile
	case errors.Is(err, store.ErrLimit):
		return nil, invalid(op, "Validation failed: this status has been edited too many times")
	case errors.Is(err, store.ErrConflict):
		// An upload named was posted by a concurrent request meanwhile.
		return nil, invalid(op, "Validation failed: media_ids must name your own uploads not posted yet")
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

// EditView is one version of a status with its attachments as they were
// then (their descriptions as in that version), and the options of its
// poll (an edit cannot change a poll, so every version has the status's).
type EditView struct {
	*store.StatusEdit
	Media       []*store.MediaAttachment
	PollOptions []string
}

// StatusHistory lists the versions of a status viewer may see, oldest
// first: the original, then each edit. A status never edited has one
// version, itself, as Mastodon answers. An attachment a version had that
// is gone since (an upload dropped by an edit and cleaned up) is left out,
// as Mastodon leaves it out.
func (s *Service) StatusHistory(ctx context.Context, viewer *store.Account, id int64) (*store.Status, []*EditView, error) {
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
		current, err := s.store.GetStatusMedia(ctx, []int64{st.ID})
		if err != nil {
			return nil, nil, internal(op, err)
		}
		v := &store.StatusEdit{StatusID: st.ID, Text: st.Text, Content: st.Content,
			SpoilerText: st.SpoilerText, Sensitive: st.Sensitive, Language: st.Language, CreatedAt: st.CreatedAt}
		for _, m := range current[st.ID] {
			v.Media = append(v.Media, store.EditMedia{ID: m.ID, Description: m.Description})
		}
		versions = []*store.StatusEdit{v}
	}
	out, err := s.editViews(ctx, st, versions)
	if err != nil {
		return nil, nil, internal(op, err)
	}
	polls, err := s.store.GetStatusPolls(ctx, []int64{st.ID})
	if err != nil {
		return nil, nil, internal(op, err)
	}
	if p := polls[st.ID]; p != nil {
		for _, v := range out {
			v.PollOptions = p.Options
		}
	}
	return st, out, nil
}

// editViews loads the attachments of versions with one query: those that
// still exist and are the author's, with each version's description.
func (s *Service) editViews(ctx context.Context, st *store.Status, versions []*store.StatusEdit) ([]*EditView, error) {
	var ids []int64
	for _, v := range versions {
		for _, m := range v.Media {
			ids = append(ids, m.ID)
		}
	}
	byID := map[int64]*store.MediaAttachment{}
	if len(ids) > 0 {
		found, err := s.store.GetMediaAttachmentsByIDs(ctx, ids)
		if err != nil {
			return nil, err
		}
		for _, m := range found {
			if m.AccountID == st.AccountID {
				byID[m.ID] = m
			}
		}
	}
	out := make([]*EditView, len(versions))
	for i, v := range versions {
		out[i] = &EditView{StatusEdit: v}
		for _, em := range v.Media {
			if m, ok := byID[em.ID]; ok {
				then := *m
				then.Description = em.Description
				out[i].Media = append(out[i].Media, &then)
			}
		}
	}
	return out, nil
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

// editMedia is what an edit does to a status's attachments.
type editMedia struct {
	after   []*store.MediaAttachment // the status's attachments after the edit, in no order
	updates []*store.MediaAttachment // media_attributes applied
}

// editedMedia checks an edit's media_ids and media_attributes against the
// status (a status has a poll or media, not both) and returns the result.
func (s *Service) editedMedia(ctx context.Context, op string, viewer *store.Account, st *store.Status, in EditInput) (*editMedia, error) {
	out := &editMedia{}
	if in.MediaIDs == nil {
		current, err := s.store.GetStatusMedia(ctx, []int64{st.ID})
		if err != nil {
			return nil, internal(op, err)
		}
		out.after = current[st.ID]
	} else {
		if err := s.statusMedia(ctx, op, viewer, *in.MediaIDs, st.ID, 0); err != nil {
			return nil, err
		}
		if len(*in.MediaIDs) > 0 {
			polls, err := s.store.GetStatusPolls(ctx, []int64{st.ID})
			if err != nil {
				return nil, internal(op, err)
			}
			if polls[st.ID] != nil {
				return nil, invalid(op, "Validation failed: a status cannot have both media and a poll")
			}
		}
		found, err := s.store.GetMediaAttachmentsByIDs(ctx, *in.MediaIDs)
		if err != nil {
			return nil, internal(op, err)
		}
		out.after = found
	}
	if len(in.MediaAttributes) > MaxMediaAttachments {
		return nil, invalid(op, fmt.Sprintf("Validation failed: at most %d media_attributes are allowed", MaxMediaAttachments))
	}
	byID := make(map[int64]*store.MediaAttachment, len(out.after))
	for _, m := range out.after {
		byID[m.ID] = m
	}
	for _, a := range in.MediaAttributes {
		m := byID[a.ID]
		if m == nil {
			return nil, invalid(op, "Validation failed: media_attributes must name the status's attachments")
		}
		if a.Description != nil {
			if err := checkDescription(op, *a.Description); err != nil {
				return nil, err
			}
			m.Description = *a.Description
		}
		if a.Focus != nil {
			x, y, err := parseFocus(op, *a.Focus)
			if err != nil {
				return nil, err
			}
			m.FocusX, m.FocusY = x, y
		}
		out.updates = append(out.updates, m)
	}
	return out, nil
}
