package mastodon

import (
	"net/http"
	"os"
	"path"
	"strings"

	"github.com/go-chi/chi/v5"

	"github.com/starling-social/starling/go/social"
)

// MediaOptions configure uploads and the serving of their files.
type MediaOptions struct {
	// URL is the base URL of the files (a CDN or proxy in front, or
	// Starling's own mediaPath); empty means <BaseURL>/system/media.
	URL string
	// Files opens a stored file by key, for Starling to serve under
	// mediaPath; nil serves none (and advertises no uploads).
	Files interface {
		Open(key string) (*os.File, error)
	}
	// MaxBytes and MaxPixels are the upload limits the processor enforces,
	// advertised by the instance entity.
	MaxBytes  int64
	MaxPixels int64
	// Types are the MIME types the processor accepts.
	Types []string
}

// mediaPath is where Starling serves uploaded files.
const mediaPath = "/system/media"

// mediaCacheControl: a key names its bytes (content-addressed), so a file
// never changes and may be cached for a year.
const mediaCacheControl = "public, max-age=31536000, immutable"

// mediaRoutes: uploads (under /api/v1).
func (h *Handler) mediaRoutes(r chi.Router) {
	r.With(h.requireUser("write:media")).Post("/media", h.uploadMedia)        // POST /api/v1/media
	r.With(h.requireUser("write:media")).Get("/media/{id}", h.getMedia)       // GET /api/v1/media/:id
	r.With(h.requireUser("write:media")).Put("/media/{id}", h.updateMedia)    // PUT /api/v1/media/:id
	r.With(h.requireUser("write:media")).Delete("/media/{id}", h.deleteMedia) // DELETE /api/v1/media/:id
}

// mediaV2Routes: uploads (under /api/v2).
func (h *Handler) mediaV2Routes(r chi.Router) {
	r.With(h.requireUser("write:media")).Post("/media", h.uploadMedia) // POST /api/v2/media
}

// mediaFileRoutes: the uploaded files (outside /api).
func (h *Handler) mediaFileRoutes(r chi.Router) {
	r.Get(mediaPath+"/{key}", h.serveMedia)  // GET /system/media/:key
	r.Head(mediaPath+"/{key}", h.serveMedia) // and HEAD
}

// IsUpload reports whether r carries a file upload, so the router lets its
// body be larger than other requests'.
func IsUpload(r *http.Request) bool {
	switch r.URL.Path {
	case "/api/v1/media", "/api/v2/media":
		return r.Method == http.MethodPost
	case "/api/v1/accounts/update_credentials":
		return r.Method == http.MethodPatch
	}
	return false
}

type uploadMediaRequest struct {
	Description string       `param:"description"`
	Focus       string       `param:"focus"`
	Thumbnail   notSupported `param:"thumbnail"` // for audio and video, which are not accepted
}

// uploadMedia handles POST /api/v1/media and /api/v2/media. Images are
// processed before the answer, so both answer 200 with the URL set (v2's
// 202 is for media still processing, which never happens here).
func (h *Handler) uploadMedia(w http.ResponseWriter, r *http.Request) {
	if !h.uploads() {
		h.writeError(w, r, &requestError{status: http.StatusUnprocessableEntity,
			msg: "Validation failed: media uploads are not enabled on this server"})
		return
	}
	var req uploadMediaRequest
	data, err := decodeUpload(r, "file", h.media.MaxBytes, &req)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	m, err := h.svc.UploadMedia(r.Context(), viewer(r.Context()),
		social.MediaInput{Data: data, Description: req.Description, Focus: req.Focus})
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, h.mediaAttachment(m))
}

// getMedia handles GET /api/v1/media/:id.
func (h *Handler) getMedia(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	m, err := h.svc.GetMedia(r.Context(), viewer(r.Context()), id)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, h.mediaAttachment(m))
}

type updateMediaRequest struct {
	Description *string      `param:"description"`
	Focus       *string      `param:"focus"`
	Thumbnail   notSupported `param:"thumbnail"`
}

// updateMedia handles PUT /api/v1/media/:id.
func (h *Handler) updateMedia(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	var req updateMediaRequest
	if err := decodeParams(r, &req); err != nil {
		h.writeError(w, r, err)
		return
	}
	m, err := h.svc.UpdateMedia(r.Context(), viewer(r.Context()), id,
		social.MediaUpdate{Description: req.Description, Focus: req.Focus})
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, h.mediaAttachment(m))
}

// deleteMedia handles DELETE /api/v1/media/:id (an upload not posted).
func (h *Handler) deleteMedia(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	if err := h.svc.DeleteMedia(r.Context(), viewer(r.Context()), id); err != nil {
		h.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, struct{}{})
}

// serveMedia serves one stored file. http.ServeContent answers HEAD, Range
// and If-None-Match; the ETag is the key's hash, the bytes' own.
func (h *Handler) serveMedia(w http.ResponseWriter, r *http.Request) {
	key := chi.URLParam(r, "key")
	if h.media.Files == nil {
		notFoundHandler(w, r)
		return
	}
	f, err := h.media.Files.Open(key)
	if err != nil {
		notFoundHandler(w, r)
		return
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	hd := w.Header()
	ct := "image/png"
	if path.Ext(key) == ".jpg" {
		ct = "image/jpeg"
	}
	hd.Set("Content-Type", ct)
	hd.Set("Cache-Control", mediaCacheControl)
	hd.Set("ETag", `"`+strings.TrimSuffix(key, path.Ext(key))+`"`)
	hd.Set("X-Content-Type-Options", "nosniff")
	hd.Set("Content-Security-Policy", "default-src 'none'; sandbox")
	http.ServeContent(w, r, "", fi.ModTime(), f)
}
