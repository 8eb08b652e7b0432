package social

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/starling-social/starling/go/store"
)

// Mastodon's profile limits, in characters (runes).
const (
	maxDisplayNameChars = 30
	maxNoteChars        = 500
	// MaxProfileFields and maxFieldChars are Mastodon's limits on profile
	// fields (fields_attributes).
	MaxProfileFields = 4
	maxFieldChars    = 255
)

// CredentialsInput is a profile edit (PATCH update_credentials). Nil fields
// are left as they are.
type CredentialsInput struct {
	DisplayName  *string
	Note         *string // plain text; rendered to HTML for display
	Locked       *bool
	Bot          *bool
	Discoverable *bool
	// Avatar and Header are uploaded images (nil: unchanged), cropped to
	// AvatarWidth×AvatarHeight and HeaderWidth×HeaderHeight.
	Avatar []byte
	Header []byte
	// Fields replace the profile fields when not nil; pairs with an empty
	// name and value are dropped, as Mastodon drops them.
	Fields *[]store.ProfileField
}

// Credentials is the account as its owner sees it (verify_credentials):
// the account and what only the owner is told about it.
type Credentials struct {
	Account             *store.Account
	FollowRequestsCount int // pending requests to follow the account
	// Preferences are the posting defaults source[privacy], source[sensitive]
	// and source[language] show.
	Preferences *store.AccountPreferences
}

// Credentials returns viewer's account, reloaded, with the number of
// pending follow requests and its posting preferences.
func (s *Service) Credentials(ctx context.Context, viewer *store.Account) (*Credentials, error) {
	const op = "social.Credentials"
	a, err := s.GetAccount(ctx, viewer.ID)
	if err != nil {
		return nil, err
	}
	n, err := s.store.CountFollowRequests(ctx, a.ID)
	if err != nil {
		return nil, internal(op, err)
	}
	p, err := s.Preferences(ctx, a)
	if err != nil {
		return nil, err
	}
	return &Credentials{Account: a, FollowRequestsCount: int(n), Preferences: p}, nil
}

// UpdateCredentials edits viewer's profile and returns the credentials as
// stored. Nothing is written unless every field is valid.
func (s *Service) UpdateCredentials(ctx context.Context, viewer *store.Account, in CredentialsInput) (*Credentials, error) {
	const op = "social.UpdateCredentials"
	a, err := s.GetAccount(ctx, viewer.ID)
	if err != nil {
		return nil, err
	}
	var cols []string
	if in.DisplayName != nil {
		if err := checkText(op, "Display name", *in.DisplayName, maxDisplayNameChars); err != nil {
			return nil, err
		}
		a.DisplayName = *in.DisplayName
		cols = append(cols, "display_name")
	}
	if in.Note != nil {
		if err := checkText(op, "Note", *in.Note, maxNoteChars); err != nil {
			return nil, err
		}
		a.Note = *in.Note
		cols = append(cols, "note")
	}
	if in.Fields != nil {
		fields, err := checkFields(op, *in.Fields)
		if err != nil {
			return nil, err
		}
		a.Fields = fields
		cols = append(cols, "fields")
	}
	for _, b := range []struct {
		in  *bool
		dst *bool
		col string
	}{{in.Locked, &a.Locked, "locked"}, {in.Bot, &a.Bot, "bot"}, {in.Discoverable, &a.Discoverable, "discoverable"}} {
		if b.in != nil {
			*b.dst = *b.in
			cols = append(cols, b.col)
		}
	}
	if len(cols) == 0 && in.Avatar == nil && in.Header == nil {
		return s.Credentials(ctx, a)
	}
	if in.DisplayName != nil || in.Note != nil || in.Fields != nil {
		// The moderator sees the profile's text: the fields go with the
		// note, one "name: value" line each.
		if err := s.moderateAccount(ctx, op, AccountDraft{AccountID: a.ID, Username: a.Username,
			DisplayName: a.DisplayName, Note: noteWithFields(a), CreatedAt: a.CreatedAt}); err != nil {
			return nil, err
		}
	}
	// Images last, once everything else is known to be valid: a refused
	// edit stores no file.
	replaced, stored, err := s.storeProfileImages(ctx, op, a, in, &cols)
	if err == nil {
		err = s.store.UpdateAccount(ctx, a, cols...)
		if errors.Is(err, store.ErrNotFound) {
			err = notFound(op, "Record not found")
		} else if err != nil {
			err = internal(op, err)
		}
	}
	if err != nil {
		s.removeUnusedKeys(ctx, stored...)
		return nil, err
	}
	s.removeUnusedKeys(ctx, replaced...)
	// Unlocking does not accept pending requests by itself: Mastodon leaves
	// them for the owner to answer, and so do we.
	return s.Credentials(ctx, viewer)
}

// checkFields validates profile fields and drops the empty pairs.
func checkFields(op string, in []store.ProfileField) ([]store.ProfileField, error) {
	var out []store.ProfileField
	for _, f := range in {
		if strings.TrimSpace(f.Name) == "" && strings.TrimSpace(f.Value) == "" {
			continue
		}
		if err := checkText(op, "Field name", f.Name, maxFieldChars); err != nil {
			return nil, err
		}
		if err := checkText(op, "Field value", f.Value, maxFieldChars); err != nil {
			return nil, err
		}
		out = append(out, f)
	}
	if len(out) > MaxProfileFields {
		return nil, invalid(op, fmt.Sprintf("Validation failed: at most %d profile fields are allowed", MaxProfileFields))
	}
	return out, nil
}

func noteWithFields(a *store.Account) string {
	var b strings.Builder
	b.WriteString(a.Note)
	for _, f := range a.Fields {
		b.WriteString("\n" + f.Name + ": " + f.Value)
	}
	return b.String()
}

// RenderField is a profile field's value as the safe HTML the Account
// entity shows: one line (no paragraph markup, as Mastodon's), escaped,
// with links, mentions and hashtags linked as in a note.
func RenderField(value string) string {
	return renderer{}.line(strings.Join(strings.Fields(value), " "))
}

func checkText(op, field, v string, maxChars int) error {
	if !utf8.ValidString(v) {
		return invalid(op, fmt.Sprintf("Validation failed: %s must be valid UTF-8", field))
	}
	// PostgreSQL text cannot hold NUL, and no client means to send one.
	if strings.ContainsRune(v, 0) {
		return invalid(op, fmt.Sprintf("Validation failed: %s must not contain NUL characters", field))
	}
	if utf8.RuneCountInString(v) > maxChars {
		return invalid(op, fmt.Sprintf("Validation failed: %s is too long (maximum is %d characters)", field, maxChars))
	}
	return nil
}

// RenderNote is an account note as the safe HTML the Account entity shows
// (the plain text is the note's source).
func RenderNote(note string) string { return renderContent(note) }
