package social

import (
	"context"
	"errors"
	"fmt"

	"github.com/starling-social/starling/go/store"
)

// MaxFollowedTags is how many hashtags an account may follow: each is a
// term of the home timeline's tagged-statuses query.
const MaxFollowedTags = 1000

// FollowTag makes viewer follow the hashtag name (a leading '#' and case
// are ignored): its public statuses reach viewer's home timeline. Following
// it again returns the tag, as Mastodon 4.1+ does; a malformed name is not
// found.
func (s *Service) FollowTag(ctx context.Context, viewer *store.Account, name string) (*Tag, error) {
	const op = "social.FollowTag"
	tag := normalizeTag(name)
	if tag == "" {
		return nil, notFound(op, "Record not found")
	}
	id, err := s.newID(ctx, op)
	if err != nil {
		return nil, err
	}
	f := &store.TagFollow{ID: id, AccountID: viewer.ID, Name: tag, CreatedAt: s.nowUTC()}
	switch err := s.store.PutTagFollow(ctx, f, MaxFollowedTags); {
	case err == nil, errors.Is(err, store.ErrConflict):
	case errors.Is(err, store.ErrLimit):
		return nil, invalid(op, fmt.Sprintf("Validation failed: You cannot follow more than %d hashtags", MaxFollowedTags))
	default:
		return nil, internal(op, err)
	}
	return s.GetTag(ctx, viewer, tag)
}

// UnfollowTag stops viewer following the hashtag; unfollowing a tag that
// is not followed returns it too.
func (s *Service) UnfollowTag(ctx context.Context, viewer *store.Account, name string) (*Tag, error) {
	const op = "social.UnfollowTag"
	tag := normalizeTag(name)
	if tag == "" {
		return nil, notFound(op, "Record not found")
	}
	if err := s.store.DeleteTagFollow(ctx, viewer.ID, tag); err != nil && !errors.Is(err, store.ErrNotFound) {
		return nil, internal(op, err)
	}
	return s.GetTag(ctx, viewer, tag)
}

// FollowedTags lists the hashtags viewer follows, newest follow first,
// paged by the follow (Mastodon's Link header does the same).
func (s *Service) FollowedTags(ctx context.Context, viewer *store.Account, page store.Page) ([]*Tag, Cursor, error) {
	const op = "social.FollowedTags"
	fs, err := s.store.ListTagFollows(ctx, viewer.ID, page)
	if err != nil {
		return nil, Cursor{}, internal(op, err)
	}
	names := make([]string, len(fs))
	for i, f := range fs {
		names[i] = f.Name
	}
	tags, err := s.tagsWithHistory(ctx, op, viewer, names)
	if err != nil {
		return nil, Cursor{}, err
	}
	return tags, cursorOf(fs, func(f *store.TagFollow) int64 { return f.ID }), nil
}
