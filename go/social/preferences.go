package social

import (
	"context"

	"github.com/starling-social/starling/go/store"
)

// maxLanguage bounds a stored language code (languagePattern admits
// "xxx-xxxxxxxx" at most).
const maxLanguage = 12

// PreferencesInput changes an account's preferences (nil fields are left
// as they are). update_credentials' source[privacy], source[sensitive] and
// source[language] map onto the posting fields.
type PreferencesInput struct {
	PostingVisibility *string // public, unlisted, private, direct; "" unsets
	PostingSensitive  *bool
	PostingLanguage   *string // an ISO 639 code; "" unsets
	ExpandMedia       *string // default, show_all, hide_all
	ExpandSpoilers    *bool
}

// Preferences returns viewer's preferences; those never set are zero (the
// API shows Mastodon's defaults for them).
func (s *Service) Preferences(ctx context.Context, viewer *store.Account) (*store.AccountPreferences, error) {
	p, err := s.store.GetAccountPreferences(ctx, viewer.ID)
	if err != nil {
		return nil, internal("social.Preferences", err)
	}
	return p, nil
}

// UpdatePreferences validates and stores viewer's preferences and returns
// them as stored. Nothing is written unless every field is valid.
func (s *Service) UpdatePreferences(ctx context.Context, viewer *store.Account, in PreferencesInput) (*store.AccountPreferences, error) {
	const op = "social.UpdatePreferences"
	p, err := s.Preferences(ctx, viewer)
	if err != nil {
		return nil, err
	}
	if in.PostingVisibility != nil {
		switch v := store.Visibility(*in.PostingVisibility); v {
		case "", store.VisibilityPublic, store.VisibilityUnlisted, store.VisibilityPrivate, store.VisibilityDirect:
			p.PostingVisibility = v
		default:
			return nil, invalid(op, "Validation failed: Privacy is not included in the list")
		}
	}
	if in.PostingLanguage != nil {
		l := *in.PostingLanguage
		if l != "" && (len(l) > maxLanguage || !languagePattern.MatchString(l)) {
			return nil, invalid(op, "Validation failed: Language is not a valid ISO 639 code")
		}
		p.PostingLanguage = l
	}
	if in.ExpandMedia != nil {
		switch *in.ExpandMedia {
		case "default", "show_all", "hide_all":
			p.ExpandMedia = *in.ExpandMedia
		default:
			return nil, invalid(op, "Validation failed: Expand media is not included in the list")
		}
	}
	if in.PostingSensitive != nil {
		p.PostingSensitive = *in.PostingSensitive
	}
	if in.ExpandSpoilers != nil {
		p.ExpandSpoilers = *in.ExpandSpoilers
	}
	p.UpdatedAt = s.nowUTC()
	if err := s.store.PutAccountPreferences(ctx, p); err != nil {
		return nil, internal(op, err)
	}
	return p, nil
}

// postingDefaults fills what the author left out of a new status from its
// preferences, as Mastodon does: the default visibility and language.
func (s *Service) postingDefaults(ctx context.Context, author *store.Account, in *StatusInput) error {
	if in.Visibility != "" && in.Language != "" {
		return nil
	}
	p, err := s.Preferences(ctx, author)
	if err != nil {
		return err
	}
	if in.Visibility == "" {
		in.Visibility = string(p.PostingVisibility)
	}
	if in.Language == "" {
		in.Language = p.PostingLanguage
	}
	return nil
}
