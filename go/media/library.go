package media

import (
	"context"
	"fmt"

	"github.com/starling-social/starling/go/store"
)

// Library is social.MediaProcessor: Process, then both files into a
// FileStore. A semaphore bounds the uploads decoded at once, so memory is
// bounded by concurrency × the largest image allowed (MaxPixels × 4 bytes
// for the decoded original, plus its encoding), not by the number of
// clients uploading.
type Library struct {
	files FileStore
	lim   Limits
	sem   chan struct{}
}

// NewLibrary returns a Library storing into files, accepting uploads
// within lim, decoding at most concurrency at once (at least 1).
func NewLibrary(files FileStore, lim Limits, concurrency int) *Library {
	return &Library{files: files, lim: lim, sem: make(chan struct{}, max(1, concurrency))}
}

// Limits are the library's limits (the instance entity advertises them).
func (l *Library) Limits() Limits { return l.lim }

// StoreMedia processes data and stores the original and the preview.
func (l *Library) StoreMedia(ctx context.Context, data []byte) (*store.MediaAttachment, error) {
	var img *Image
	err := l.decoding(ctx, func() (err error) {
		img, err = Process(data, l.lim)
		return err
	})
	if err != nil {
		return nil, err
	}
	ext := extension(img.ContentType)
	key, err := l.files.Put(ctx, img.Data, ext)
	if err != nil {
		return nil, err
	}
	small, err := l.files.Put(ctx, img.Small, ext)
	if err != nil {
		return nil, err
	}
	return &store.MediaAttachment{Type: "image", FileKey: key, PreviewKey: small, ContentType: img.ContentType,
		FileSize: int64(len(img.Data)), Width: img.Width, Height: img.Height,
		SmallWidth: img.SmallWidth, SmallHeight: img.SmallHeight, Blurhash: img.Blurhash}, nil
}

// StoreProfileImage processes data into a w×h profile image (cropped to
// fill) and stores it, returning its key.
func (l *Library) StoreProfileImage(ctx context.Context, data []byte, w, h int) (string, error) {
	var img *Image
	err := l.decoding(ctx, func() (err error) {
		img, err = ProcessProfile(data, l.lim, w, h)
		return err
	})
	if err != nil {
		return "", err
	}
	return l.files.Put(ctx, img.Data, extension(img.ContentType))
}

// decoding runs process once the semaphore admits it, or gives up when
// ctx ends first.
func (l *Library) decoding(ctx context.Context, process func() error) error {
	select {
	case l.sem <- struct{}{}:
	case <-ctx.Done():
		return fmt.Errorf("media: waiting to process: %w", ctx.Err())
	}
	defer func() { <-l.sem }()
	return process()
}

func extension(contentType string) string {
	if contentType == "image/jpeg" {
		return "jpg"
	}
	return "png"
}

// RemoveMedia deletes the files under keys.
func (l *Library) RemoveMedia(ctx context.Context, keys ...string) error {
	for _, k := range keys {
		if err := l.files.Delete(ctx, k); err != nil {
			return err
		}
	}
	return nil
}
