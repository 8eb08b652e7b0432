package mastodon

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"io/fs"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-chi/chi/v5"
	"golang.org/x/crypto/bcrypt"

	"github.com/starling-social/starling/go/feed"
	"github.com/starling-social/starling/go/media"
	"github.com/starling-social/starling/go/snowflake/snowflaketest"
	"github.com/starling-social/starling/go/social"
	"github.com/starling-social/starling/go/store"
)

// mediaEnv is a testEnv with uploads stored under dir, and a clock the
// test moves (the clean-up of unattached uploads).
type mediaEnv struct {
	*testEnv
	dir   string
	mu    sync.Mutex
	clock time.Time
}

func (e *mediaEnv) now() time.Time {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.clock
}

func (e *mediaEnv) advance(d time.Duration) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.clock = e.clock.Add(d)
}

// pngBomb is a PNG header claiming 100000×100000 (CRC included): a few
// bytes that would decode to 40 GB.
var pngBomb = []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\x0dIHDR\x00\x01\x86\xa0\x00\x01\x86\xa0\x08\x06\x00\x00\x00\x4d\x4b\x4a\x5c")

// testMediaLimits are small, so the oversized cases stay small.
var testMediaLimits = media.Limits{MaxBytes: 256 << 10, MaxPixels: 4_000_000}

func newMediaEnvOn(t *testing.T, st store.Store) *mediaEnv {
	t.Helper()
	quiet := slog.New(slog.DiscardHandler)
	e := &mediaEnv{dir: t.TempDir(), clock: time.Now()}
	disk, err := media.NewDisk(e.dir)
	if err != nil {
		t.Fatal(err)
	}
	svc := social.New(social.Deps{Store: st, IDs: snowflaketest.New(), Home: feed.NewPull(st), Logger: quiet,
		Media: media.NewLibrary(disk, testMediaLimits, 2), Now: e.now},
		social.Config{MaxStatusChars: 500, RegistrationsOpen: true, BcryptCost: bcrypt.MinCost})
	h := New(svc, Options{BaseURL: testBaseURL, Version: "test", Logger: quiet,
		Media: MediaOptions{Files: disk, MaxBytes: testMediaLimits.MaxBytes, MaxPixels: testMediaLimits.MaxPixels,
			Types: media.SupportedTypes}})
	r := chi.NewRouter()
	h.Routes(r)
	app, err := svc.CreateApp(context.Background(), social.AppInput{Name: "test app", Scopes: "read write follow"})
	if err != nil {
		t.Fatal(err)
	}
	e.testEnv = &testEnv{t: t, st: st, svc: svc, h: h, router: r, app: app}
	return e
}

// files lists the regular files under the media directory.
func (e *mediaEnv) files() []string {
	e.t.Helper()
	var out []string
	err := filepath.WalkDir(e.dir, func(p string, d fs.DirEntry, err error) error {
		if err == nil && d.Type().IsRegular() {
			out = append(out, p)
		}
		return err
	})
	if err != nil {
		e.t.Fatal(err)
	}
	return out
}

// upload is a multipart body: the file part (when data is not nil) and
// the fields.
func upload(t *testing.T, data []byte, fields ...[2]string) encoded {
	t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for _, f := range fields {
		_ = mw.WriteField(f[0], f[1])
	}
	if data != nil {
		fw, err := mw.CreateFormFile("file", "photo.png") // the name lies; the bytes decide
		if err != nil {
			t.Fatal(err)
		}
		_, _ = fw.Write(data)
	}
	_ = mw.Close()
	return encoded{mw.FormDataContentType(), buf.String()}
}

func (e *mediaEnv) upload(path, tok string, body encoded) map[string]any {
	e.t.Helper()
	rec := e.do(http.MethodPost, path, tok, body.contentType, strings.NewReader(body.body))
	wantStatus(e.t, rec, http.StatusOK)
	return decodeObject(e.t, rec)
}

// patchCredentials sends body to PATCH update_credentials with tok.
func (e *mediaEnv) patchCredentials(tok string, body encoded) *httptest.ResponseRecorder {
	e.t.Helper()
	return e.do(http.MethodPatch, "/api/v1/accounts/update_credentials", tok, body.contentType, strings.NewReader(body.body))
}

// serve serves a prepared request (headers such as Range).
func (e *mediaEnv) serve(req *http.Request) *httptest.ResponseRecorder {
	rec := httptest.NewRecorder()
	e.router.ServeHTTP(rec, req)
	return rec
}

func testPhoto(t *testing.T, w, h int) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			img.Set(x, y, color.RGBA{uint8(x), uint8(y), 200, 255})
		}
	}
	var b bytes.Buffer
	if err := jpeg.Encode(&b, img, nil); err != nil {
		t.Fatal(err)
	}
	// An EXIF segment with a GPS marker, right after SOI.
	exif := []byte("Exif\x00\x00MM\x00\x2a\x00\x00\x00\x08\x00\x00GPS-SECRET-51.5N")
	seg := []byte{0xFF, 0xE1, byte((len(exif) + 2) >> 8), byte(len(exif) + 2)}
	out := append([]byte{}, b.Bytes()[:2]...)
	out = append(out, seg...)
	out = append(out, exif...)
	return append(out, b.Bytes()[2:]...)
}

// servedPath is the path of a media URL on the test server.
func servedPath(t *testing.T, u any) string {
	t.Helper()
	s, ok := u.(string)
	if !ok || !strings.HasPrefix(s, testBaseURL+mediaPath+"/") {
		t.Fatalf("media URL %v is not under %s", u, testBaseURL+mediaPath)
	}
	return strings.TrimPrefix(s, testBaseURL)
}

func TestMediaUploadAndPost(t *testing.T) { onBothStores(t, runMediaUploadAndPost) }

func runMediaUploadAndPost(t *testing.T, st store.Store) {
	e := newMediaEnvOn(t, st)
	_, tok := e.user("alice", "read write")
	_, bobTok := e.user("bob", "read write")
	photo := testPhoto(t, 700, 350) // larger than a preview: two files
	if !bytes.Contains(photo, []byte("GPS-SECRET")) {
		t.Fatal("the test photo lacks its GPS marker")
	}

	m := e.upload("/api/v2/media", tok, upload(t, photo, [2]string{"description", "A gradiënt"}, [2]string{"focus", "0.5,-0.25"}))
	if m["type"] != "image" || m["description"] != "A gradiënt" || m["blurhash"] == "" {
		t.Fatalf("uploaded = %v", m)
	}
	meta := m["meta"].(map[string]any)
	orig := meta["original"].(map[string]any)
	if orig["width"] != 700.0 || orig["height"] != 350.0 || orig["aspect"] != 2.0 || orig["size"] != "700x350" {
		t.Errorf("meta.original = %v", orig)
	}
	if f := meta["focus"].(map[string]any); f["x"] != 0.5 || f["y"] != -0.25 {
		t.Errorf("meta.focus = %v", f)
	}
	id := m["id"].(string)

	// The served file: an image, without the GPS tag, cacheable, ranged.
	file := e.get(servedPath(t, m["url"]), "")
	wantStatus(t, file, http.StatusOK)
	if ct := file.Header().Get("Content-Type"); ct != "image/jpeg" {
		t.Errorf("Content-Type = %q", ct)
	}
	if bytes.Contains(file.Body.Bytes(), []byte("GPS-SECRET")) || bytes.Contains(file.Body.Bytes(), []byte("Exif")) {
		t.Error("the served file carries EXIF")
	}
	if _, err := jpeg.Decode(bytes.NewReader(file.Body.Bytes())); err != nil {
		t.Errorf("served file does not decode: %v", err)
	}
	etag := file.Header().Get("ETag")
	if etag == "" || !strings.Contains(file.Header().Get("Cache-Control"), "max-age=31536000") {
		t.Errorf("ETag %q, Cache-Control %q", etag, file.Header().Get("Cache-Control"))
	}
	req, _ := http.NewRequest(http.MethodGet, servedPath(t, m["url"]), nil)
	req.Header.Set("Range", "bytes=0-9")
	rec := e.serve(req)
	if rec.Code != http.StatusPartialContent || rec.Body.Len() != 10 {
		t.Errorf("Range: %d with %d bytes", rec.Code, rec.Body.Len())
	}
	req, _ = http.NewRequest(http.MethodGet, servedPath(t, m["url"]), nil)
	req.Header.Set("If-None-Match", etag)
	if rec := e.serve(req); rec.Code != http.StatusNotModified {
		t.Errorf("If-None-Match: %d", rec.Code)
	}
	wantStatus(t, e.get(servedPath(t, m["preview_url"]), ""), http.StatusOK)
	wantStatus(t, e.get(mediaPath+"/..%2F..%2Fetc%2Fpasswd", ""), http.StatusNotFound)
	wantStatus(t, e.get(mediaPath+"/"+strings.Repeat("0", 64)+".jpg", ""), http.StatusNotFound)

	// Only its uploader sees and changes it.
	wantStatus(t, e.get("/api/v1/media/"+id, tok), http.StatusOK)
	wantError(t, e.get("/api/v1/media/"+id, bobTok), http.StatusNotFound)
	wantError(t, e.do(http.MethodPut, "/api/v1/media/"+id, bobTok, "application/json", strings.NewReader(`{"description":"mine"}`)), http.StatusNotFound)
	got := decodeObject(t, e.do(http.MethodPut, "/api/v1/media/"+id, tok, "application/json",
		strings.NewReader(`{"description":"Sunset","focus":"-1,1"}`)))
	if got["description"] != "Sunset" || got["meta"].(map[string]any)["focus"].(map[string]any)["x"] != -1.0 {
		t.Errorf("after PUT = %v", got)
	}

	// Bob cannot post it; five are too many; alice posts it without text.
	wantError(t, e.postForm("/api/v1/statuses", bobTok, url.Values{"status": {"stolen"}, "media_ids[]": {id}}), http.StatusUnprocessableEntity)
	wantError(t, e.postForm("/api/v1/statuses", tok, url.Values{"status": {"x"}, "media_ids[]": {id, "1", "2", "3", "4"}}), http.StatusUnprocessableEntity)
	wantError(t, e.postForm("/api/v1/statuses", tok, url.Values{"status": {"x"}, "media_ids[]": {id, id}}), http.StatusUnprocessableEntity)
	wantError(t, e.postForm("/api/v1/statuses", tok, url.Values{"status": {"x"}, "media_ids[]": {"abc"}}), http.StatusBadRequest)
	second := e.upload("/api/v1/media", tok, upload(t, testPhoto(t, 30, 60)))
	posted := decodeObject(t, e.do(http.MethodPost, "/api/v1/statuses", tok, "application/json",
		strings.NewReader(`{"media_ids":["`+second["id"].(string)+`","`+id+`"]}`)))
	atts := posted["media_attachments"].([]any)
	if len(atts) != 2 || atts[0].(map[string]any)["id"] != second["id"] || atts[1].(map[string]any)["description"] != "Sunset" {
		t.Fatalf("posted media_attachments = %v", atts)
	}
	// Posted media are no longer the uploader's to change, nor to attach twice.
	wantError(t, e.get("/api/v1/media/"+id, tok), http.StatusNotFound)
	wantError(t, e.postForm("/api/v1/statuses", tok, url.Values{"status": {"again"}, "media_ids[]": {id}}), http.StatusUnprocessableEntity)
	// Readers see them on the status, in timelines.
	sid := posted["id"].(string)
	seen := decodeObject(t, e.get("/api/v1/statuses/"+sid, bobTok))
	if len(seen["media_attachments"].([]any)) != 2 {
		t.Errorf("bob sees %v", seen["media_attachments"])
	}
	// only_media keeps it and leaves a text-only status out.
	wantStatus(t, e.postForm("/api/v1/statuses", tok, url.Values{"status": {"just text"}}), http.StatusOK)
	aliceID := decodeObject(t, e.get("/api/v1/accounts/verify_credentials", tok))["id"].(string)
	for _, path := range []string{"/api/v1/accounts/" + aliceID + "/statuses?only_media=true",
		"/api/v1/timelines/public?only_media=true", "/api/v1/timelines/public?local=true&only_media=true"} {
		list := decodeList(t, e.get(path, bobTok))
		if len(list) != 1 || list[0]["id"] != sid {
			t.Errorf("%s = %d statuses, want only %s", path, len(list), sid)
		}
	}
	if n := len(decodeList(t, e.get("/api/v1/accounts/"+aliceID+"/statuses", bobTok))); n != 2 {
		t.Errorf("all statuses = %d, want 2", n)
	}
	if n := len(e.files()); n != 3 { // the first's original and preview; the second is its own preview
		t.Errorf("%d files on disk, want 3", n)
	}
	// Deleting the status with delete_media deletes its media and their
	// files (TestMediaDeleteAndRedraft: without, they are kept to redraft).
	wantStatus(t, e.do(http.MethodDelete, "/api/v1/statuses/"+sid+"?delete_media=true", tok, "", nil), http.StatusOK)
	if files := e.files(); len(files) != 0 {
		t.Errorf("files left after deleting the status: %v", files)
	}
	wantStatus(t, e.get(servedPath(t, m["url"]), ""), http.StatusNotFound)
}

func TestMediaUnattachedPruned(t *testing.T) { onBothStores(t, runMediaUnattachedPruned) }

func runMediaUnattachedPruned(t *testing.T, st store.Store) {
	e := newMediaEnvOn(t, st)
	_, tok := e.user("alice", "read write")
	old := e.upload("/api/v2/media", tok, upload(t, testPhoto(t, 40, 40)))
	e.advance(social.UnattachedMediaTTL - time.Minute)
	kept := e.upload("/api/v2/media", tok, upload(t, testPhoto(t, 50, 40)))
	e.advance(2 * time.Minute)
	n, err := e.svc.PruneMedia(t.Context())
	if err != nil || n != 1 {
		t.Fatalf("PruneMedia = %d, %v; want 1", n, err)
	}
	wantError(t, e.get("/api/v1/media/"+old["id"].(string), tok), http.StatusNotFound)
	wantStatus(t, e.get("/api/v1/media/"+kept["id"].(string), tok), http.StatusOK)
	wantStatus(t, e.get(servedPath(t, old["url"]), ""), http.StatusNotFound)
	if n := len(e.files()); n != 1 {
		t.Errorf("%d files on disk, want the kept upload's (small enough to be its own preview)", n)
	}
	// Deleting an upload by hand removes its files too.
	wantStatus(t, e.do(http.MethodDelete, "/api/v1/media/"+kept["id"].(string), tok, "", nil), http.StatusOK)
	if files := e.files(); len(files) != 0 {
		t.Errorf("files left: %v", files)
	}
}

func TestMediaUploadBadInput(t *testing.T) { onBothStores(t, runMediaUploadBadInput) }

func runMediaUploadBadInput(t *testing.T, st store.Store) {
	e := newMediaEnvOn(t, st)
	_, tok := e.user("alice", "read write")
	var pngBuf bytes.Buffer
	_ = png.Encode(&pngBuf, image.NewGray(image.Rect(0, 0, 10, 10)))
	valid := pngBuf.Bytes()
	cases := []struct {
		name string
		body encoded
		code int
	}{
		{"zero-byte file", upload(t, []byte{}), 422},
		{"text file", upload(t, []byte("just some text, not an image")), 422},
		{"NUL bytes", upload(t, make([]byte, 512)), 422},
		{"invalid UTF-8 bytes", upload(t, []byte{0xc3, 0x28, 0xff, 0xfe}), 422},
		{"truncated PNG", upload(t, valid[:len(valid)-20]), 422},
		{"100000×100000 PNG", upload(t, pngBomb), 422},
		{"over the size limit", upload(t, append(append([]byte{}, valid...), make([]byte, testMediaLimits.MaxBytes)...)), 422},
		{"no file", upload(t, nil, [2]string{"description", "x"}), 422},
		{"file as text", upload(t, nil, [2]string{"file", "aGVsbG8="}), 400},
		{"not multipart", form(url.Values{"description": {"x"}}), 422},
		{"JSON", jsonBody(`{"file":"x"}`), 422},
		{"NUL in description", upload(t, valid, [2]string{"description", "a\x00b"}), 422},
		{"invalid UTF-8 description", upload(t, valid, [2]string{"description", "a\xffb"}), 422},
		{"description too long", upload(t, valid, [2]string{"description", strings.Repeat("é", social.MaxMediaDescription+1)}), 422},
		{"focus out of range", upload(t, valid, [2]string{"focus", "2,0"}), 422},
		{"focus NaN", upload(t, valid, [2]string{"focus", "NaN,0"}), 422},
		{"focus huge", upload(t, valid, [2]string{"focus", "1e999,0"}), 422},
		{"focus one number", upload(t, valid, [2]string{"focus", "0.5"}), 422},
		{"thumbnail", upload(t, valid, [2]string{"thumbnail", "x"}), 422},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			rec := e.do(http.MethodPost, "/api/v2/media", tok, c.body.contentType, strings.NewReader(c.body.body))
			wantError(t, rec, c.code)
			if files := e.files(); len(files) != 0 {
				t.Fatalf("files left on disk: %v", files)
			}
		})
	}
	// A second file part is refused too.
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for _, name := range []string{"file", "file"} {
		fw, _ := mw.CreateFormFile(name, "a.png")
		_, _ = fw.Write(valid)
	}
	_ = mw.Close()
	wantError(t, e.do(http.MethodPost, "/api/v2/media", tok, mw.FormDataContentType(), &buf), http.StatusUnprocessableEntity)
	ok := upload(t, valid)
	wantError(t, e.do(http.MethodPost, "/api/v2/media", "", ok.contentType, strings.NewReader(ok.body)), http.StatusUnauthorized)
	if files := e.files(); len(files) != 0 {
		t.Fatalf("files left on disk: %v", files)
	}
	// Media IDs on a status: malformed, huge, unknown.
	for _, v := range []string{"abc", "99999999999999999999999", "-1", "1\x00"} {
		rec := e.postForm("/api/v1/statuses", tok, url.Values{"status": {"x"}, "media_ids[]": {v}})
		if rec.Code != http.StatusBadRequest && rec.Code != http.StatusUnprocessableEntity {
			t.Errorf("media_ids[]=%q: %d", v, rec.Code)
		}
	}
	wantError(t, e.postForm("/api/v1/statuses", tok, url.Values{"status": {"x"}, "media_ids[]": {"123"}}), http.StatusUnprocessableEntity)
	// The upload rate: MediaUploadsPerRate per window, then 429.
	for i := range social.MediaUploadsPerRate {
		rec := e.do(http.MethodPost, "/api/v1/media", tok, ok.contentType, strings.NewReader(ok.body))
		if rec.Code != http.StatusOK {
			t.Fatalf("upload %d: %d %s", i, rec.Code, rec.Body)
		}
	}
	wantError(t, e.do(http.MethodPost, "/api/v1/media", tok, ok.contentType, strings.NewReader(ok.body)), http.StatusTooManyRequests)
	e.advance(social.MediaUploadWindow + time.Second)
	wantStatus(t, e.do(http.MethodPost, "/api/v1/media", tok, ok.contentType, strings.NewReader(ok.body)), http.StatusOK)
}

// The instance advertises uploads exactly as configured, and none without
// a media store.
func TestInstanceAdvertisesMedia(t *testing.T) {
	e := newMediaEnvOn(t, openSQLite(t))
	for _, path := range []string{"/api/v1/instance", "/api/v2/instance"} {
		conf := decodeObject(t, e.get(path, ""))["configuration"].(map[string]any)
		m := conf["media_attachments"].(map[string]any)
		types := m["supported_mime_types"].([]any)
		if len(types) != len(media.SupportedTypes) || m["image_size_limit"] != float64(testMediaLimits.MaxBytes) ||
			m["image_matrix_limit"] != float64(testMediaLimits.MaxPixels) || m["video_size_limit"] != 0.0 {
			t.Errorf("%s media_attachments = %v", path, m)
		}
		if n := conf["statuses"].(map[string]any)["max_media_attachments"]; n != float64(social.MaxMediaAttachments) {
			t.Errorf("%s max_media_attachments = %v", path, n)
		}
	}
	plain := newTestEnv(t)
	conf := decodeObject(t, plain.get("/api/v2/instance", ""))["configuration"].(map[string]any)
	if n := conf["statuses"].(map[string]any)["max_media_attachments"]; n != 0.0 {
		t.Errorf("without a media store max_media_attachments = %v, want 0", n)
	}
	_, tok := plain.user("alice", "write")
	wantError(t, plain.do(http.MethodPost, "/api/v2/media", tok, upload(t, []byte("x")).contentType,
		strings.NewReader(upload(t, []byte("x")).body)), http.StatusUnprocessableEntity)
}

func TestProfileImages(t *testing.T) { onBothStores(t, runProfileImages) }

func runProfileImages(t *testing.T, st store.Store) {
	e := newMediaEnvOn(t, st)
	_, tok := e.user("alice", "read write")
	patch := func(body encoded) *httptest.ResponseRecorder { return e.patchCredentials(tok, body) }
	// Refused first: nothing changes, nothing is stored.
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	_ = mw.WriteField("display_name", "Alice")
	fw, _ := mw.CreateFormFile("avatar", "a.png")
	_, _ = fw.Write(pngBomb)
	_ = mw.Close()
	wantError(t, patch(encoded{mw.FormDataContentType(), buf.String()}), http.StatusUnprocessableEntity)
	wantError(t, patch(form(url.Values{"display_name": {"Alice"}, "avatar": {"https://x.example/a.png"}})), http.StatusBadRequest)
	me := decodeObject(t, e.get("/api/v1/accounts/verify_credentials", tok))
	if me["display_name"] != "" || !strings.HasSuffix(me["avatar"].(string), missingAvatar) || len(e.files()) != 0 {
		t.Fatalf("a refused update changed the account (%v, %v) or left %d files", me["display_name"], me["avatar"], len(e.files()))
	}

	profile := func(avatar, header []byte) encoded {
		var buf bytes.Buffer
		mw := multipart.NewWriter(&buf)
		_ = mw.WriteField("display_name", "Alice")
		for name, data := range map[string][]byte{"avatar": avatar, "header": header} {
			if data != nil {
				fw, _ := mw.CreateFormFile(name, name+".jpg")
				_, _ = fw.Write(data)
			}
		}
		_ = mw.Close()
		return encoded{mw.FormDataContentType(), buf.String()}
	}
	rec := patch(profile(testPhoto(t, 640, 480), testPhoto(t, 900, 300)))
	wantStatus(t, rec, http.StatusOK)
	me = decodeObject(t, rec)
	if me["display_name"] != "Alice" || me["avatar"] != me["avatar_static"] {
		t.Fatalf("after update: %v", me)
	}
	for field, size := range map[string][2]int{"avatar": {social.AvatarWidth, social.AvatarHeight}, "header": {social.HeaderWidth, social.HeaderHeight}} {
		file := e.get(servedPath(t, me[field]), "")
		wantStatus(t, file, http.StatusOK)
		cfg, err := jpeg.DecodeConfig(bytes.NewReader(file.Body.Bytes()))
		if err != nil || cfg.Width != size[0] || cfg.Height != size[1] {
			t.Errorf("%s is %d×%d (%v), want %d×%d", field, cfg.Width, cfg.Height, err, size[0], size[1])
		}
		if bytes.Contains(file.Body.Bytes(), []byte("GPS-SECRET")) {
			t.Errorf("%s carries EXIF", field)
		}
	}
	// Others see it on the account.
	_, bobTok := e.user("bob", "read")
	if got := decodeObject(t, e.get("/api/v1/accounts/"+me["id"].(string), bobTok))["avatar"]; got != me["avatar"] {
		t.Errorf("bob sees avatar %v, want %v", got, me["avatar"])
	}
	if n := len(e.files()); n != 2 {
		t.Fatalf("%d files, want 2", n)
	}
	// A new avatar replaces the old file; deleting it restores the default.
	rec = patch(profile(testPhoto(t, 300, 500), nil))
	wantStatus(t, rec, http.StatusOK)
	if decodeObject(t, rec)["avatar"] == me["avatar"] || len(e.files()) != 2 {
		t.Errorf("replacing the avatar: %d files, want 2 (old one removed)", len(e.files()))
	}
	rec = e.do(http.MethodDelete, "/api/v1/profile/avatar", tok, "", nil)
	wantStatus(t, rec, http.StatusOK)
	if got := decodeObject(t, rec)["avatar"].(string); !strings.HasSuffix(got, missingAvatar) {
		t.Errorf("after DELETE avatar = %q", got)
	}
	wantStatus(t, e.do(http.MethodDelete, "/api/v1/profile/header", tok, "", nil), http.StatusOK)
	wantStatus(t, e.do(http.MethodDelete, "/api/v1/profile/header", tok, "", nil), http.StatusOK) // idempotent
	if files := e.files(); len(files) != 0 {
		t.Errorf("files left after deleting both: %v", files)
	}
}

func TestProfileFields(t *testing.T) { onBothStores(t, runProfileFields) }

func runProfileFields(t *testing.T, st store.Store) {
	e := newMediaEnvOn(t, st)
	_, tok := e.user("alice", "read write")
	patch := func(body encoded) *httptest.ResponseRecorder { return e.patchCredentials(tok, body) }
	fields := func(rec *httptest.ResponseRecorder) (shown, source []any) {
		t.Helper()
		wantStatus(t, rec, http.StatusOK)
		a := decodeObject(t, rec)
		return a["fields"].([]any), a["source"].(map[string]any)["fields"].([]any)
	}
	// Every encoding a client uses, the same result.
	for name, body := range map[string]encoded{
		"form": form(url.Values{"fields_attributes[0][name]": {"Site"}, "fields_attributes[0][value]": {"https://alice.example"},
			"fields_attributes[1][name]": {"Pronouns"}, "fields_attributes[1][value]": {"she/her <b>"}}),
		"multipart": multipartFields(t, [][2]string{{"fields_attributes[0][name]", "Site"}, {"fields_attributes[0][value]", "https://alice.example"},
			{"fields_attributes[1][name]", "Pronouns"}, {"fields_attributes[1][value]", "she/her <b>"}}),
		"JSON array": jsonBody(`{"fields_attributes":[{"name":"Site","value":"https://alice.example"},{"name":"Pronouns","value":"she/her <b>"}]}`),
		"JSON hash":  jsonBody(`{"fields_attributes":{"1":{"name":"Pronouns","value":"she/her <b>"},"0":{"name":"Site","value":"https://alice.example"}}}`),
	} {
		t.Run(name, func(t *testing.T) {
			shown, source := fields(patch(body))
			if len(shown) != 2 || len(source) != 2 {
				t.Fatalf("fields %v, source %v", shown, source)
			}
			site, pro := shown[0].(map[string]any), shown[1].(map[string]any)
			if site["name"] != "Site" || !strings.Contains(site["value"].(string), `<a href="https://alice.example"`) || site["verified_at"] != nil {
				t.Errorf("site field = %v", site)
			}
			if pro["value"] != "she/her &lt;b&gt;" || source[1].(map[string]any)["value"] != "she/her <b>" {
				t.Errorf("pronouns shown %v, source %v", pro["value"], source[1])
			}
		})
	}
	// Others see them; clearing with empty pairs removes them.
	_, bobTok := e.user("bob", "read")
	id := decodeObject(t, e.get("/api/v1/accounts/verify_credentials", tok))["id"].(string)
	if got := decodeObject(t, e.get("/api/v1/accounts/"+id, bobTok))["fields"].([]any); len(got) != 2 {
		t.Errorf("bob sees %v", got)
	}
	if shown, _ := fields(patch(form(url.Values{"fields_attributes[0][name]": {""}, "fields_attributes[0][value]": {""}}))); len(shown) != 0 {
		t.Errorf("after clearing: %v", shown)
	}
	// Bad input: each refused, nothing changed.
	long := strings.Repeat("é", 256)
	for name, c := range map[string]struct {
		body encoded
		code int
	}{
		"five fields": {form(url.Values{"fields_attributes[0][name]": {"a"}, "fields_attributes[1][name]": {"b"}, "fields_attributes[2][name]": {"c"},
			"fields_attributes[3][name]": {"d"}, "fields_attributes[4][name]": {"e"}}), 422},
		"long name":     {form(url.Values{"fields_attributes[0][name]": {long}}), 422},
		"long value":    {form(url.Values{"fields_attributes[0][name]": {"a"}, "fields_attributes[0][value]": {long}}), 422},
		"NUL":           {form(url.Values{"fields_attributes[0][name]": {"a\x00"}}), 422},
		"invalid UTF-8": {form(url.Values{"fields_attributes[0][value]": {"a\xff"}}), 422},
		"unknown key":   {form(url.Values{"fields_attributes[0][verified]": {"true"}}), 422},
		"not a list":    {form(url.Values{"fields_attributes": {"Site"}}), 400},
		"too deep":      {form(url.Values{"fields_attributes[0][name][x]": {"a"}}), 400},
		"many entries":  {form(manyFields(40)), 422},
		"nested JSON":   {jsonBody(`{"fields_attributes":[{"name":{"x":"y"}}]}`), 400},
	} {
		t.Run(name, func(t *testing.T) {
			rec := patch(c.body)
			wantError(t, rec, c.code)
		})
	}
	if got := decodeObject(t, e.get("/api/v1/accounts/verify_credentials", tok))["fields"].([]any); len(got) != 0 {
		t.Errorf("refused updates changed the fields: %v", got)
	}
}

func manyFields(n int) url.Values {
	v := url.Values{}
	for i := range n {
		v.Set("fields_attributes["+strconv.Itoa(i)+"][name]", "f")
	}
	return v
}

// TestMediaDeleteAndRedraft: deleting a status answers with its
// attachments, which the client posts again (Mastodon's "delete and
// redraft"); with delete_media=true they go with the status, files too.
func TestMediaDeleteAndRedraft(t *testing.T) { onBothStores(t, runMediaDeleteAndRedraft) }

func runMediaDeleteAndRedraft(t *testing.T, st store.Store) {
	e := newMediaEnvOn(t, st)
	_, tok := e.user("alice", "read write")
	_, bob := e.user("bob", "read write")
	postWith := func(text string, ids ...string) string {
		rec := e.postForm("/api/v1/statuses", tok, url.Values{"status": {text}, "media_ids[]": ids})
		wantStatus(t, rec, http.StatusOK)
		return decodeObject(t, rec)["id"].(string)
	}
	a := e.upload("/api/v2/media", tok, upload(t, testPhoto(t, 40, 40), [2]string{"description", "a red square"}))
	b := e.upload("/api/v2/media", tok, upload(t, testPhoto(t, 50, 40)))
	sid := postWith("with two", a["id"].(string), b["id"].(string))
	// Someone else's status is not theirs to delete (nor are its media).
	wantStatus(t, e.do(http.MethodDelete, "/api/v1/statuses/"+sid, bob, "", nil), http.StatusForbidden)
	del := e.do(http.MethodDelete, "/api/v1/statuses/"+sid, tok, "", nil)
	wantStatus(t, del, http.StatusOK)
	media := decodeObject(t, del)["media_attachments"].([]any)
	if len(media) != 2 || media[0].(map[string]any)["id"] != a["id"] || media[0].(map[string]any)["description"] != "a red square" ||
		media[1].(map[string]any)["id"] != b["id"] {
		t.Fatalf("delete response media = %v", media)
	}
	// The redraft posts them again; their files were kept.
	wantStatus(t, e.get(servedPath(t, a["url"]), ""), http.StatusOK)
	redraft := postWith("redrafted", a["id"].(string), b["id"].(string))
	if got := decodeObject(t, e.get("/api/v1/statuses/"+redraft, tok))["media_attachments"].([]any); len(got) != 2 {
		t.Fatalf("redraft media = %v", got)
	}
	// delete_media=true: the attachments and their files go.
	for _, bad := range []string{"?delete_media=maybe", "?delete_media=%00"} {
		rec := e.do(http.MethodDelete, "/api/v1/statuses/"+redraft+bad, tok, "", nil)
		if rec.Code != http.StatusBadRequest && rec.Code != http.StatusUnprocessableEntity {
			t.Errorf("delete_media %s: %d", bad, rec.Code)
		}
	}
	wantStatus(t, e.do(http.MethodDelete, "/api/v1/statuses/"+redraft+"?delete_media=true", tok, "", nil), http.StatusOK)
	wantError(t, e.get("/api/v1/media/"+a["id"].(string), tok), http.StatusNotFound)
	if files := e.files(); len(files) != 0 {
		t.Errorf("files left after delete_media: %v", files)
	}
	// Kept attachments not posted again are pruned as any unposted upload.
	c := e.upload("/api/v2/media", tok, upload(t, testPhoto(t, 30, 30)))
	sid = postWith("once", c["id"].(string))
	wantStatus(t, e.do(http.MethodDelete, "/api/v1/statuses/"+sid, tok, "", nil), http.StatusOK)
	e.advance(social.UnattachedMediaTTL + time.Minute)
	if n, err := e.svc.PruneMedia(t.Context()); err != nil || n != 1 {
		t.Fatalf("PruneMedia = %d, %v; want 1", n, err)
	}
	if files := e.files(); len(files) != 0 {
		t.Errorf("files left after the prune: %v", files)
	}
}

// TestMediaOnEdit: PUT /api/v1/statuses/:id with media_ids replaces the
// attachments (order, removal, new uploads), media_attributes changes their
// description and focus, absent media_ids keeps them; bad input changes
// nothing.
func TestMediaOnEdit(t *testing.T) { onBothStores(t, runMediaOnEdit) }

func runMediaOnEdit(t *testing.T, st store.Store) {
	e := newMediaEnvOn(t, st)
	_, tok := e.user("alice", "read write")
	_, bob := e.user("bob", "read write")
	put := func(id, token string, body encoded) *httptest.ResponseRecorder {
		return e.do(http.MethodPut, "/api/v1/statuses/"+id, token, body.contentType, strings.NewReader(body.body))
	}
	mediaOf := func(rec *httptest.ResponseRecorder) []map[string]any {
		var out []map[string]any
		for _, m := range decodeObject(t, rec)["media_attachments"].([]any) {
			out = append(out, m.(map[string]any))
		}
		return out
	}
	a := e.upload("/api/v2/media", tok, upload(t, testPhoto(t, 40, 40)))["id"].(string)
	b := e.upload("/api/v2/media", tok, upload(t, testPhoto(t, 50, 40)))["id"].(string)
	c := e.upload("/api/v2/media", tok, upload(t, testPhoto(t, 30, 30)))["id"].(string)
	bobs := e.upload("/api/v2/media", bob, upload(t, testPhoto(t, 20, 20)))["id"].(string)
	rec := e.postForm("/api/v1/statuses", tok, url.Values{"status": {"two"}, "media_ids[]": {a, b}})
	wantStatus(t, rec, http.StatusOK)
	sid := decodeObject(t, rec)["id"].(string)

	// Reorder, drop b, add c, describe a: one edit.
	rec = put(sid, tok, jsonBody(`{"status":"edited","media_ids":["`+c+`","`+a+`"],
		"media_attributes":[{"id":"`+a+`","description":"now described","focus":"0.5,-0.5"}]}`))
	wantStatus(t, rec, http.StatusOK)
	got := mediaOf(rec)
	if len(got) != 2 || got[0]["id"] != c || got[1]["id"] != a || got[1]["description"] != "now described" ||
		got[1]["meta"].(map[string]any)["focus"].(map[string]any)["x"] != 0.5 {
		t.Fatalf("after the edit: %v", got)
	}
	// The history keeps each version's media in order, with the
	// description each had then.
	var history []map[string]any
	for _, v := range decodeList(t, e.get("/api/v1/statuses/"+sid+"/history", tok)) {
		var ms []string
		for _, m := range v["media_attachments"].([]any) {
			mm := m.(map[string]any)
			ms = append(ms, fmt.Sprintf("%s:%v", mm["id"], mm["description"]))
		}
		history = append(history, map[string]any{"media": strings.Join(ms, ",")})
	}
	if want := []map[string]any{{"media": a + ":<nil>," + b + ":<nil>"}, {"media": c + ":<nil>," + a + ":now described"}}; fmt.Sprint(history) != fmt.Sprint(want) {
		t.Errorf("history media = %v, want %v", history, want)
	}
	// b is an unposted upload again: it may be posted elsewhere.
	wantStatus(t, e.postForm("/api/v1/statuses", tok, url.Values{"status": {"b again"}, "media_ids[]": {b}}), http.StatusOK)
	// No media_ids: the attachments stay.
	rec = put(sid, tok, form(url.Values{"status": {"text only"}}))
	wantStatus(t, rec, http.StatusOK)
	if got := mediaOf(rec); len(got) != 2 {
		t.Fatalf("an edit without media_ids changed them: %v", got)
	}

	// Bad input: each refused, the status unchanged.
	for name, body := range map[string]encoded{
		"someone else's upload":     jsonBody(`{"status":"x","media_ids":["` + bobs + `"]}`),
		"posted elsewhere":          jsonBody(`{"status":"x","media_ids":["` + b + `"]}`),
		"twice":                     jsonBody(`{"status":"x","media_ids":["` + a + `","` + a + `"]}`),
		"five":                      jsonBody(`{"status":"x","media_ids":["` + a + `","` + c + `","1","2","3"]}`),
		"not an ID":                 jsonBody(`{"status":"x","media_ids":["abc"]}`),
		"huge ID":                   jsonBody(`{"status":"x","media_ids":["99999999999999999999999"]}`),
		"NUL ID":                    form(url.Values{"status": {"x"}, "media_ids[]": {a + "\x00"}}),
		"attribute of another":      jsonBody(`{"status":"x","media_attributes":[{"id":"` + b + `","description":"no"}]}`),
		"attribute without id":      jsonBody(`{"status":"x","media_attributes":[{"description":"no"}]}`),
		"attribute unknown field":   jsonBody(`{"status":"x","media_attributes":[{"id":"` + a + `","colour":"red"}]}`),
		"thumbnail":                 jsonBody(`{"status":"x","media_attributes":[{"id":"` + a + `","thumbnail":"x"}]}`),
		"bad focus":                 jsonBody(`{"status":"x","media_attributes":[{"id":"` + a + `","focus":"2,0"}]}`),
		"oversized description":     jsonBody(`{"status":"x","media_attributes":[{"id":"` + a + `","description":"` + strings.Repeat("d", 5000) + `"}]}`),
		"invalid UTF-8 description": form(url.Values{"status": {"x"}, "media_attributes[][id]": {a}, "media_attributes[][description]": {"\xff"}}),
	} {
		rec := put(sid, tok, body)
		if rec.Code != http.StatusUnprocessableEntity && rec.Code != http.StatusBadRequest {
			t.Errorf("%s: %d %s", name, rec.Code, rec.Body)
		}
	}
	if got := mediaOf(e.get("/api/v1/statuses/"+sid, tok)); len(got) != 2 || got[0]["id"] != c || got[1]["description"] != "now described" {
		t.Fatalf("bad input changed the media: %v", got)
	}
	// A poll status takes no media; media_ids: [] removes them all.
	rec = e.do(http.MethodPost, "/api/v1/statuses", tok, "application/json", strings.NewReader(
		`{"status":"poll","poll":{"options":["a","b"],"expires_in":600}}`))
	wantStatus(t, rec, http.StatusOK)
	pollID := decodeObject(t, rec)["id"].(string)
	wantError(t, put(pollID, tok, jsonBody(`{"status":"poll","media_ids":["`+a+`"]}`)), http.StatusUnprocessableEntity)
	// Every version of a poll status shows the poll's options; a status
	// without one shows none.
	wantStatus(t, put(pollID, tok, form(url.Values{"status": {"poll, edited"}})), http.StatusOK)
	versions := decodeList(t, e.get("/api/v1/statuses/"+pollID+"/history", tok))
	for i, v := range versions {
		if p, _ := v["poll"].(map[string]any); fmt.Sprint(p["options"]) != "[map[title:a] map[title:b]]" {
			t.Errorf("version %d poll = %v", i, v["poll"])
		}
	}
	if len(versions) != 2 {
		t.Errorf("%d versions of the poll status, want 2", len(versions))
	}
	for _, v := range decodeList(t, e.get("/api/v1/statuses/"+sid+"/history", tok)) {
		if v["poll"] != nil {
			t.Errorf("a version without a poll shows %v", v["poll"])
		}
	}
	rec = put(sid, tok, jsonBody(`{"status":"no media now","media_ids":[]}`))
	wantStatus(t, rec, http.StatusOK)
	if got := mediaOf(rec); len(got) != 0 {
		t.Fatalf("media_ids: [] left %v", got)
	}
}
