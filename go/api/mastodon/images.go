package mastodon

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"net/http"
	"time"

	"github.com/go-chi/chi/v5"
)

// The bundled images: an account's avatar and header until media uploads
// exist, and the instance's thumbnail unless --instance-thumbnail names
// another. Clients always get a URL that answers with a real image: a JSON
// 404 there shows as a broken image, and Chromium's ORB blocks it.
//
//go:embed images/*.png
var imageFiles embed.FS

// Mastodon's paths for accounts without images, and ours for the thumbnail.
const (
	missingAvatar = "/avatars/original/missing.png"
	missingHeader = "/headers/original/missing.png"
	thumbnailPath = "/instance/thumbnail.png"
)

// imageCacheControl lets browsers and proxies keep an image for a week; the
// ETag makes a later check cheap (304) when the binary has changed.
const imageCacheControl = "public, max-age=604800"

// imageRoutes: the bundled images (outside /api).
func (h *Handler) imageRoutes(r chi.Router) {
	for path, file := range map[string]string{
		missingAvatar: "images/avatar-missing.png",
		missingHeader: "images/header-missing.png",
		thumbnailPath: "images/thumbnail.png",
	} {
		serve := imageHandler(file)
		r.Get(path, serve)  // GET /avatars/original/missing.png, /headers/original/missing.png, /instance/thumbnail.png
		r.Head(path, serve) // and HEAD, which image checkers send
	}
}

// imageHandler serves one embedded PNG. A missing file is a build error, so
// it panics at start rather than answering 500 per request.
func imageHandler(file string) http.HandlerFunc {
	body, err := imageFiles.ReadFile(file)
	if err != nil {
		panic("mastodon: bundled image " + file + ": " + err.Error())
	}
	sum := sha256.Sum256(body)
	etag := `"` + hex.EncodeToString(sum[:8]) + `"`
	return func(w http.ResponseWriter, r *http.Request) {
		hd := w.Header()
		hd.Set("Content-Type", "image/png")
		hd.Set("Cache-Control", imageCacheControl)
		hd.Set("ETag", etag)
		hd.Set("X-Content-Type-Options", "nosniff")
		// ServeContent answers HEAD, Range and If-None-Match (304).
		http.ServeContent(w, r, file, time.Time{}, bytes.NewReader(body))
	}
}
