package social

import (
	"context"
	"slices"
	"strings"

	"github.com/starling-social/starling/go/store"
)

// AccountStatusesInput filters an account's statuses (GET
// /api/v1/accounts/:id/statuses).
type AccountStatusesInput struct {
	Page           store.Page
	ExcludeReplies bool   // leave out replies to other accounts (threads stay)
	ExcludeReblogs bool   // leave out reblogs
	OnlyMedia      bool   // only statuses with media attachments (so no reblogs)
	Pinned         bool   // only pinned statuses, newest pin first
	Tagged         string // only statuses with this hashtag (a leading # is ignored)
}

// maxFillRounds bounds how many store pages AccountStatuses reads to fill
// one page when filters drop statuses.
const maxFillRounds = 4

// AccountStatuses returns accountID's statuses viewer (nil when anonymous)
// may see, newest first. It goes through canView on the account read path:
// a block either way hides everything, a mute hides nothing here.
func (s *Service) AccountStatuses(ctx context.Context, viewer *store.Account, accountID int64, in AccountStatusesInput) ([]*store.Status, error) {
	const op = "social.AccountStatuses"
	if _, err := s.GetAccount(ctx, accountID); err != nil {
		return nil, err
	}
	if in.Pinned {
		return s.pinnedStatuses(ctx, op, viewer, accountID, in.Page)
	}
	tag := strings.ToLower(strings.TrimPrefix(strings.TrimSpace(in.Tagged), "#"))
	// Ask the store only for visibilities the viewer could see, so few rows
	// are read just to be dropped; canView still decides. An anonymous
	// viewer can see only public and unlisted statuses. A signed-in one can
	// also see private and direct statuses that mention it, follower or
	// not (Mastodon's AccountStatusesFilter adds them), so it reads every
	// visibility: filtering by following alone hid those from a mentioned
	// non-follower. The fill loop tops up pages canView thins out.
	vis := []store.Visibility{store.VisibilityPublic, store.VisibilityUnlisted}
	if viewer != nil && viewer.ID != accountID {
		rel, err := s.Relationship(ctx, viewer, accountID)
		if err != nil {
			return nil, err
		}
		if rel.Blocking || rel.BlockedBy {
			return []*store.Status{}, nil
		}
	}
	if viewer != nil {
		vis = append(vis, store.VisibilityPrivate, store.VisibilityDirect)
	}
	page := in.Page
	out := []*store.Status{}
	for round := 0; round < maxFillRounds; round++ {
		batch, err := s.store.ListStatuses(ctx, store.StatusQuery{AccountIDs: []int64{accountID}, Visibilities: vis,
			OnlyMedia: in.OnlyMedia, Page: page})
		if err != nil {
			return nil, internal(op, err)
		}
		visible, err := s.filterVisible(ctx, viewer, batch, readAccount)
		if err != nil {
			return nil, err
		}
		visible = slices.DeleteFunc(visible, func(st *store.Status) bool {
			return (in.ExcludeReblogs && st.ReblogOfID != 0) ||
				(in.ExcludeReplies && st.InReplyToID != 0 && st.InReplyToAccountID != accountID)
		})
		if tag != "" {
			if visible, err = s.withTag(ctx, op, visible, tag); err != nil {
				return nil, err
			}
		}
		out = append(out, visible...)
		// With min_id the page is the one just above it; filling it would
		// mean reading upwards and keeping the oldest, which clients that
		// page with min_id do by asking again. Otherwise continue below the
		// oldest row read while the store had more.
		if len(out) >= in.Page.Limit || len(batch) < page.Limit || page.MinID != 0 {
			break
		}
		page.MaxID = batch[len(batch)-1].ID
	}
	if len(out) > in.Page.Limit {
		out = out[:in.Page.Limit]
	}
	return out, nil
}

// withTag keeps the statuses of sts that carry tag (one query per batch).
// Tags are filtered after the store query rather than in it, so a page may
// take several rounds of AccountStatuses' fill loop.
func (s *Service) withTag(ctx context.Context, op string, sts []*store.Status, tag string) ([]*store.Status, error) {
	if len(sts) == 0 {
		return sts, nil
	}
	ids := make([]int64, len(sts))
	for i, st := range sts {
		ids[i] = st.ID
	}
	tags, err := s.store.GetStatusTags(ctx, ids)
	if err != nil {
		return nil, internal(op, err)
	}
	return slices.DeleteFunc(sts, func(st *store.Status) bool { return !slices.Contains(tags[st.ID], tag) }), nil
}
