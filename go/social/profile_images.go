package social

import (
	"context"
	"errors"

	"github.com/starling-social/starling/go/store"
)

// Profile image sizes, Mastodon's: an upload is cropped to fill them.
const (
	AvatarWidth, AvatarHeight = 400, 400
	HeaderWidth, HeaderHeight = 1500, 500
)

// profileImage is one of the two images of a profile.
type profileImage struct {
	name   string  // the parameter and column prefix: "avatar" or "header"
	data   []byte  // the upload; nil leaves the image as it is
	key    *string // the account's field
	width  int
	height int
}

func profileImages(a *store.Account, avatar, header []byte) []profileImage {
	return []profileImage{
		{"avatar", avatar, &a.AvatarKey, AvatarWidth, AvatarHeight},
		{"header", header, &a.HeaderKey, HeaderWidth, HeaderHeight},
	}
}

// storeProfileImages processes the uploaded images of in, sets their keys
// on a and adds their columns. It returns the keys replaced (to remove once
// the account no longer names them) and the keys stored (to remove if the
// update then fails).
func (s *Service) storeProfileImages(ctx context.Context, op string, a *store.Account, in CredentialsInput, cols *[]string) (replaced, stored []string, err error) {
	for _, img := range profileImages(a, in.Avatar, in.Header) {
		if img.data == nil {
			continue
		}
		if s.media == nil {
			return nil, stored, invalid(op, "Validation failed: image uploads are not enabled on this server")
		}
		key, err := s.media.StoreProfileImage(ctx, img.data, img.width, img.height)
		if err != nil {
			return nil, stored, mediaError(op, err)
		}
		stored = append(stored, key)
		if *img.key != "" && *img.key != key {
			replaced = append(replaced, *img.key)
		}
		*img.key = key
		*cols = append(*cols, img.name+"_key")
	}
	return replaced, stored, nil
}

// DeleteProfileImage removes the viewer's avatar (header false) or header
// and returns the account as its owner sees it; without one, nothing
// changes (Mastodon answers the same).
func (s *Service) DeleteProfileImage(ctx context.Context, viewer *store.Account, header bool) (*Credentials, error) {
	const op = "social.DeleteProfileImage"
	a, err := s.GetAccount(ctx, viewer.ID)
	if err != nil {
		return nil, err
	}
	img := profileImages(a, nil, nil)[0]
	if header {
		img = profileImages(a, nil, nil)[1]
	}
	if old := *img.key; old != "" {
		*img.key = ""
		if err := s.store.UpdateAccount(ctx, a, img.name+"_key"); err != nil {
			return nil, internal(op, err)
		}
		s.removeUnusedKeys(ctx, old)
	}
	return s.Credentials(ctx, a)
}

// mediaError maps a MediaProcessor failure: a refusal is the client's
// (422, with its reason), anything else internal.
func mediaError(op string, err error) error {
	var bad mediaInvalid
	if errors.As(err, &bad) {
		return &Error{Op: op, Kind: KindInvalid, Safe: "Validation failed: " + bad.Invalid(), Err: err}
	}
	return internal(op, err)
}
