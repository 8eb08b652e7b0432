package mastodon

import (
	"fmt"

	"github.com/starling-social/starling/go/store"
)

// MediaAttachment is Mastodon's MediaAttachment entity (images only).
type MediaAttachment struct {
	ID          string    `json:"id"`
	Type        string    `json:"type"`
	URL         string    `json:"url"`
	PreviewURL  string    `json:"preview_url"`
	RemoteURL   *string   `json:"remote_url"`
	Meta        mediaMeta `json:"meta"`
	Description *string   `json:"description"`
	Blurhash    string    `json:"blurhash"`
}

type mediaMeta struct {
	Original mediaSize  `json:"original"`
	Small    mediaSize  `json:"small"`
	Focus    mediaFocus `json:"focus"`
}

type mediaSize struct {
	Width  int     `json:"width"`
	Height int     `json:"height"`
	Size   string  `json:"size"`
	Aspect float64 `json:"aspect"`
}

type mediaFocus struct {
	X float64 `json:"x"`
	Y float64 `json:"y"`
}

func newMediaSize(w, h int) mediaSize {
	return mediaSize{Width: w, Height: h, Size: fmt.Sprintf("%dx%d", w, h), Aspect: float64(w) / float64(h)}
}

// mediaAttachment converts one attachment; its files are under h.mediaURL.
func (h *Handler) mediaAttachment(m *store.MediaAttachment) *MediaAttachment {
	out := &MediaAttachment{ID: formatID(m.ID), Type: m.Type,
		URL: h.media.URL + "/" + m.FileKey, PreviewURL: h.media.URL + "/" + m.PreviewKey,
		Meta: mediaMeta{Original: newMediaSize(m.Width, m.Height), Small: newMediaSize(m.SmallWidth, m.SmallHeight),
			Focus: mediaFocus{X: m.FocusX, Y: m.FocusY}},
		Blurhash: m.Blurhash}
	if m.Description != "" {
		out.Description = &m.Description
	}
	return out
}
