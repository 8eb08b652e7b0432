package mastodon

import (
	"bytes"
	"image/png"
	"net/http"
	"net/http/httptest"
	"testing"
)

// pngMagic starts every PNG file.
var pngMagic = []byte("\x89PNG\r\n\x1a\n")

// TestBundledImages: every account points at the default avatar and
// header, and those URLs answer with real PNGs that browsers cache (a JSON
// 404 there is a broken image, and Chromium's ORB blocks it).
func TestBundledImages(t *testing.T) {
	e := newTestEnv(t)
	alice, tok := e.user("alice", "read")
	acct := decodeObject(t, e.get("/api/v1/accounts/"+formatID(alice.ID), tok))
	for field, path := range map[string]string{
		"avatar": missingAvatar, "avatar_static": missingAvatar, "header": missingHeader, "header_static": missingHeader,
	} {
		if acct[field] != testBaseURL+path {
			t.Errorf("account %s = %v, want %s", field, acct[field], testBaseURL+path)
		}
	}

	for _, path := range []string{missingAvatar, missingHeader, thumbnailPath} {
		t.Run(path, func(t *testing.T) {
			rec := e.get(path, "")
			wantStatus(t, rec, http.StatusOK)
			h := rec.Header()
			if h.Get("Content-Type") != "image/png" || h.Get("X-Content-Type-Options") != "nosniff" {
				t.Errorf("Content-Type %q, X-Content-Type-Options %q", h.Get("Content-Type"), h.Get("X-Content-Type-Options"))
			}
			if h.Get("Cache-Control") != imageCacheControl || h.Get("ETag") == "" {
				t.Errorf("Cache-Control %q, ETag %q: want a cacheable image", h.Get("Cache-Control"), h.Get("ETag"))
			}
			img, err := png.Decode(bytes.NewReader(rec.Body.Bytes()))
			if err != nil {
				t.Fatalf("not a PNG: %v", err)
			}
			if b := img.Bounds(); b.Dx() < 100 || b.Dy() < 100 {
				t.Errorf("image is %dx%d", b.Dx(), b.Dy())
			}

			// A revalidation with the ETag costs nothing.
			rec = doWithHeader(e, http.MethodGet, path, "If-None-Match", h.Get("ETag"))
			wantStatus(t, rec, http.StatusNotModified)
			if rec.Body.Len() != 0 {
				t.Errorf("304 with a %d-byte body", rec.Body.Len())
			}
			rec = doWithHeader(e, http.MethodHead, path, "", "")
			wantStatus(t, rec, http.StatusOK)
			if rec.Body.Len() != 0 || rec.Header().Get("Content-Type") != "image/png" {
				t.Errorf("HEAD: %d-byte body, Content-Type %q", rec.Body.Len(), rec.Header().Get("Content-Type"))
			}
			// Odd and hostile ranges get a range answer or a refusal, never
			// a server error.
			for _, bad := range []string{"bytes=99999999999999999999-", "bytes=-0", "bytes=5-1", "bytes=\x00", "bytes=0-0,1-1,2-2,3-3"} {
				switch rec := doWithHeader(e, http.MethodGet, path, "Range", bad); rec.Code {
				case http.StatusOK, http.StatusPartialContent, http.StatusRequestedRangeNotSatisfiable:
				default:
					t.Errorf("Range %q: status %d", bad, rec.Code)
				}
			}
		})
	}
	wantError(t, e.get("/avatars/original/other.png", ""), http.StatusNotFound)
	wantError(t, e.do(http.MethodPost, missingAvatar, "", "", nil), http.StatusMethodNotAllowed)
}

// doWithHeader serves one request with one extra header.
func doWithHeader(e *testEnv, method, target, name, value string) *httptest.ResponseRecorder {
	e.t.Helper()
	req := httptest.NewRequest(method, target, nil)
	if name != "" {
		req.Header.Set(name, value)
	}
	rec := httptest.NewRecorder()
	e.router.ServeHTTP(rec, req)
	return rec
}
