package social

import (
	"context"
	"errors"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/starling-social/starling/go/store"
)

// Announcement limits: the text an operator writes, how many active
// announcements clients get, and Mastodon's limit of distinct reactions
// per announcement.
const (
	maxAnnouncementChars     = 5000
	maxActiveAnnouncements   = 50
	MaxAnnouncementReactions = 8
)

// AnnouncementInput is an announcement as the operator writes it (admin
// listener).
type AnnouncementInput struct {
	Text     string
	StartsAt *time.Time
	EndsAt   *time.Time
	AllDay   bool
}

// AnnouncementView is an announcement as one account sees it: whether it
// dismissed it, and the reactions with its own marked.
type AnnouncementView struct {
	Announcement *store.Announcement
	Read         bool
	Reactions    []store.ReactionCount
}

// CreateAnnouncement publishes an announcement now. Its text is rendered
// as a status's is (paragraphs, links); an end before its start is refused.
// It is on record in the audit log as actor's, in the same transaction.
func (s *Service) CreateAnnouncement(ctx context.Context, actor string, in AnnouncementInput) (*store.Announcement, error) {
	const op = "social.CreateAnnouncement"
	if strings.TrimSpace(in.Text) == "" {
		return nil, invalid(op, "Validation failed: Text can't be blank")
	}
	if err := checkText(op, "Text", in.Text, maxAnnouncementChars); err != nil {
		return nil, err
	}
	if in.StartsAt != nil && in.EndsAt != nil && !in.EndsAt.After(*in.StartsAt) {
		return nil, invalid(op, "Validation failed: Ends at must be after starts at")
	}
	audit, err := s.auditEntry(ctx, op, actor, store.AdminPublishAnnouncement, "")
	if err != nil {
		return nil, err
	}
	id, err := s.newID(ctx, op)
	if err != nil {
		return nil, err
	}
	now := s.nowUTC()
	a := &store.Announcement{ID: id, Text: in.Text, Content: renderContent(in.Text),
		StartsAt: in.StartsAt, EndsAt: in.EndsAt, AllDay: in.AllDay, PublishedAt: now, UpdatedAt: now}
	if err := s.store.PutAnnouncement(ctx, a, audit); err != nil {
		return nil, internal(op, err)
	}
	return a, nil
}

// DeleteAnnouncement withdraws an announcement, with its dismissals and
// reactions, on record in the audit log as actor's (one transaction).
func (s *Service) DeleteAnnouncement(ctx context.Context, actor string, id int64) error {
	const op = "social.DeleteAnnouncement"
	audit, err := s.auditEntry(ctx, op, actor, store.AdminWithdrawAnnouncement, "")
	if err != nil {
		return err
	}
	return removed(op, s.store.DeleteAnnouncement(ctx, id, audit))
}

// AllAnnouncements lists every announcement, newest first, active or not
// (admin listener).
func (s *Service) AllAnnouncements(ctx context.Context) ([]*store.Announcement, error) {
	as, err := s.store.ListAnnouncements(ctx)
	if err != nil {
		return nil, internal("social.AllAnnouncements", err)
	}
	return as, nil
}

// Announcements lists the active announcements (their window holds now),
// oldest first, as viewer sees them.
func (s *Service) Announcements(ctx context.Context, viewer *store.Account) ([]*AnnouncementView, error) {
	const op = "social.Announcements"
	as, err := s.store.ListActiveAnnouncements(ctx, s.nowUTC(), maxActiveAnnouncements)
	if err != nil {
		return nil, internal(op, err)
	}
	ids := make([]int64, len(as))
	for i, a := range as {
		ids[i] = a.ID
	}
	read, err := s.store.GetDismissedAnnouncementIDs(ctx, viewer.ID, ids)
	if err != nil {
		return nil, internal(op, err)
	}
	counts, err := s.store.GetReactionCounts(ctx, ids, viewer.ID)
	if err != nil {
		return nil, internal(op, err)
	}
	out := make([]*AnnouncementView, len(as))
	byID := make(map[int64]*AnnouncementView, len(as))
	for i, a := range as {
		out[i] = &AnnouncementView{Announcement: a, Read: read[a.ID], Reactions: []store.ReactionCount{}}
		byID[a.ID] = out[i]
	}
	for _, c := range counts {
		if v, ok := byID[c.AnnouncementID]; ok {
			v.Reactions = append(v.Reactions, c)
		}
	}
	return out, nil
}

// activeAnnouncement loads an announcement clients may act on: one whose
// window holds now.
func (s *Service) activeAnnouncement(ctx context.Context, op string, id int64) (*store.Announcement, error) {
	a, err := s.store.GetAnnouncementByID(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return nil, notFound(op, "Record not found")
	}
	if err != nil {
		return nil, internal(op, err)
	}
	now := s.nowUTC()
	if a.StartsAt != nil && a.StartsAt.After(now) || a.EndsAt != nil && !a.EndsAt.After(now) {
		return nil, notFound(op, "Record not found")
	}
	return a, nil
}

// DismissAnnouncement marks an active announcement read for viewer.
func (s *Service) DismissAnnouncement(ctx context.Context, viewer *store.Account, id int64) error {
	const op = "social.DismissAnnouncement"
	if _, err := s.activeAnnouncement(ctx, op, id); err != nil {
		return err
	}
	// Not found here means deleted meanwhile.
	return removed(op, s.store.PutAnnouncementDismissal(ctx, viewer.ID, id))
}

// ReactToAnnouncement adds viewer's emoji reaction to an active
// announcement; reacting again with the same emoji is not an error. There
// are no custom emoji, so name must be a Unicode emoji; an announcement
// takes at most MaxAnnouncementReactions different ones.
func (s *Service) ReactToAnnouncement(ctx context.Context, viewer *store.Account, id int64, name string) error {
	const op = "social.ReactToAnnouncement"
	if !isEmoji(name) {
		return invalid(op, "Validation failed: Name is not a recognized emoji")
	}
	if _, err := s.activeAnnouncement(ctx, op, id); err != nil {
		return err
	}
	r := &store.AnnouncementReaction{AnnouncementID: id, AccountID: viewer.ID, Name: name, CreatedAt: s.nowUTC()}
	switch err := s.store.PutAnnouncementReaction(ctx, r, MaxAnnouncementReactions); {
	case err == nil, errors.Is(err, store.ErrConflict):
		return nil
	case errors.Is(err, store.ErrLimit):
		return invalid(op, "Validation failed: Maximum number of reactions reached")
	case errors.Is(err, store.ErrNotFound):
		return notFound(op, "Record not found")
	default:
		return internal(op, err)
	}
}

// UnreactToAnnouncement removes viewer's reaction; one that does not exist
// is not found, as in Mastodon.
func (s *Service) UnreactToAnnouncement(ctx context.Context, viewer *store.Account, id int64, name string) error {
	const op = "social.UnreactToAnnouncement"
	if _, err := s.activeAnnouncement(ctx, op, id); err != nil {
		return err
	}
	return removed(op, s.store.DeleteAnnouncementReaction(ctx, viewer.ID, id, name))
}

// maxEmojiRunes bounds an emoji sequence: the longest standard ones (a
// family, a flag of a subdivision) have ten code points at most.
const maxEmojiRunes = 10

// isEmoji reports whether name looks like one Unicode emoji: a short
// sequence of pictographs, regional indicators and keycaps, with their
// modifiers (skin tones, variation selectors, zero-width joiners, tag
// characters), at least one of them a pictograph, flag letter or keycap.
func isEmoji(name string) bool {
	if !utf8.ValidString(name) || name == "" || utf8.RuneCountInString(name) > maxEmojiRunes {
		return false
	}
	marks := 0
	for _, r := range name {
		switch {
		case r >= 0x1F000 && r <= 0x1FAFF, r >= 0x2600 && r <= 0x27BF, r >= 0x2190 && r <= 0x21FF,
			r >= 0x2300 && r <= 0x23FF, r >= 0x2B00 && r <= 0x2BFF, r >= 0x25A0 && r <= 0x25FF,
			r == 0x00A9, r == 0x00AE, r == 0x203C, r == 0x2049, r == 0x2122, r == 0x2139, r == 0x24C2,
			r == 0x3030, r == 0x303D, r == 0x3297, r == 0x3299, r == 0x20E3:
			marks++
		case r == 0x200D, r == 0xFE0F, r == 0xFE0E, r >= 0xE0020 && r <= 0xE007F,
			r >= '0' && r <= '9', r == '#', r == '*':
		default:
			return false
		}
	}
	return marks > 0
}
