package e2e

import (
	"bytes"
	"image"
	"image/color"
	"image/jpeg"
	"io/fs"
	"mime/multipart"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// photoWithGPS is a w×h JPEG whose EXIF segment holds a GPS IFD with the
// marker GPS-SECRET, the way a phone camera tags where a photo was taken.
func photoWithGPS(t *testing.T, w, h int) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			img.Set(x, y, color.RGBA{uint8(x * 255 / w), uint8(y * 255 / h), uint8((x + y) % 256), 255})
		}
	}
	var b bytes.Buffer
	if err := jpeg.Encode(&b, img, &jpeg.Options{Quality: 85}); err != nil {
		t.Fatal(err)
	}
	return withGPS(b.Bytes())
}

// realPhotoWithGPS is a photograph (a frame of real video that ships with
// every Go toolchain, under GOROOT), tagged by withGPS.
func realPhotoWithGPS(t *testing.T) []byte {
	t.Helper()
	jpg, err := os.ReadFile(filepath.Join(runtime.GOROOT(), "src", "image", "testdata", "video-001.jpeg"))
	if err != nil {
		t.Fatalf("the Go toolchain's test photograph: %v", err)
	}
	return withGPS(jpg)
}

// withGPS inserts, right after the JPEG's SOI marker, an EXIF segment
// whose GPS IFD holds the marker GPS-SECRET.
func withGPS(jpg []byte) []byte {
	// TIFF header (big-endian), IFD0 with one entry: GPSInfo -> IFD at 26,
	// which holds GPSLatitudeRef; the marker string follows.
	tiff := []byte("MM\x00\x2a\x00\x00\x00\x08" +
		"\x00\x01" + "\x88\x25\x00\x04\x00\x00\x00\x01\x00\x00\x00\x1a" + "\x00\x00\x00\x00" +
		"\x00\x01" + "\x00\x01\x00\x02\x00\x00\x00\x02N\x00\x00\x00" + "\x00\x00\x00\x00" +
		"GPS-SECRET-51.5N")
	payload := append([]byte("Exif\x00\x00"), tiff...)
	seg := []byte{0xFF, 0xE1, byte((len(payload) + 2) >> 8), byte(len(payload) + 2)}
	out := append([]byte{}, jpg[:2]...)
	out = append(out, seg...)
	out = append(out, payload...)
	return append(out, jpg[2:]...)
}

// uploadFile sends data as the file part of POST /api/v2/media.
func uploadFile(s *server, token string, data []byte) response {
	s.t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	fw, err := mw.CreateFormFile("file", "photo.jpg")
	if err != nil {
		s.t.Fatal(err)
	}
	_, _ = fw.Write(data)
	_ = mw.Close()
	return s.raw("POST", "/api/v2/media", token, mw.FormDataContentType(), buf.Bytes(), nil)
}

// TestMediaUploadLimits runs the real binary's limits: a file over
// --media-max-bytes is a 422, a body past the upload limit a 413 (the
// other endpoints keep --body-limit), a decompression bomb a 422, and
// none leaves a file under the media directory.
func TestMediaUploadLimits(t *testing.T) {
	dataDir := t.TempDir()
	s := startServer(t, dataDir, "--media-max-bytes", "200000", "--body-limit", "65536")
	_, appTok := newApp(t, s)
	tok := register(t, s, appTok, "uploader")
	small := photoWithGPS(t, 64, 48)
	var m struct {
		ID  string `json:"id"`
		URL string `json:"url"`
	}
	s.must(uploadFile(s, tok, small), http.StatusOK).decode(t, &m)
	if !strings.HasPrefix(m.URL, s.base+"/system/media/") {
		t.Fatalf("url %q", m.URL)
	}
	served := s.must(s.raw("GET", m.URL, "", "", nil, nil), http.StatusOK)
	if bytes.Contains(served.body, []byte("GPS-SECRET")) {
		t.Fatal("served file carries the GPS tag")
	}
	before := countFiles(t, filepath.Join(dataDir, "media"))
	s.must(uploadFile(s, tok, append(append([]byte{}, small...), make([]byte, 200000)...)), http.StatusUnprocessableEntity)
	s.must(uploadFile(s, tok, make([]byte, 1_400_000)), http.StatusRequestEntityTooLarge)
	bomb := []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\x0dIHDR\x00\x01\x86\xa0\x00\x01\x86\xa0\x08\x06\x00\x00\x00\x4d\x4b\x4a\x5c")
	s.must(uploadFile(s, tok, bomb), http.StatusUnprocessableEntity)
	if after := countFiles(t, filepath.Join(dataDir, "media")); after != before {
		t.Errorf("%d files under the media directory after refused uploads, %d before", after, before)
	}
	// Elsewhere the body limit stays --body-limit.
	s.must(s.raw("POST", "/api/v1/statuses", tok, "application/x-www-form-urlencoded",
		[]byte("status="+strings.Repeat("x", 70000)), nil), http.StatusRequestEntityTooLarge)
}

func countFiles(t *testing.T, dir string) int {
	t.Helper()
	n := 0
	err := filepath.WalkDir(dir, func(_ string, d fs.DirEntry, err error) error {
		if err == nil && d.Type().IsRegular() {
			n++
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return n
}
