package mastodon

import (
	"bytes"
	"errors"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"
)

// testParams covers every field kind decodeParams supports.
type testParams struct {
	Name     string   `param:"name"`
	Tags     []string `param:"tags"`
	Flag     bool     `param:"flag"`
	Opt      *bool    `param:"opt"`
	N        int      `param:"n"`
	Untagged string
}

func ptr[T any](v T) *T { return &v }

// multipartBody encodes fields (in order) as multipart/form-data and returns
// the body and its content type.
func multipartBody(t testing.TB, fields [][2]string) (string, string) {
	t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for _, f := range fields {
		if err := mw.WriteField(f[0], f[1]); err != nil {
			t.Fatal(err)
		}
	}
	if err := mw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.String(), mw.FormDataContentType()
}

// wantRequestError fails unless err is a *requestError with status.
func wantRequestError(t *testing.T, err error, status int) {
	t.Helper()
	var re *requestError
	if !errors.As(err, &re) {
		t.Fatalf("err = %v (%T), want *requestError", err, err)
	}
	if re.status != status {
		t.Fatalf("status = %d, want %d (%v)", re.status, status, re)
	}
}

func TestDecodeParams(t *testing.T) {
	mpBody, mpType := multipartBody(t, [][2]string{
		{"name", "alice"}, {"tags[]", "a"}, {"tags[]", "b"}, {"flag", "true"}, {"opt", "0"}, {"n", "7"},
	})
	mpNUL, mpNULType := multipartBody(t, [][2]string{{"name", "a\x00b"}})
	tests := []struct {
		name        string
		method      string
		target      string
		contentType string
		body        string
		want        testParams
		wantStatus  int // 0: no error
	}{
		{
			name: "query string", method: http.MethodGet,
			target: "/x?name=alice&tags[]=a&tags[]=b&flag=1&opt=false&n=3&Untagged=no",
			want:   testParams{Name: "alice", Tags: []string{"a", "b"}, Flag: true, Opt: ptr(false), N: 3},
		},
		{
			name: "query array without brackets", method: http.MethodGet, target: "/x?tags=a&tags=b",
			want: testParams{Tags: []string{"a", "b"}},
		},
		{
			name: "GET ignores the body", method: http.MethodGet, target: "/x?name=q",
			contentType: "application/x-www-form-urlencoded", body: "name=body",
			want: testParams{Name: "q"},
		},
		{
			name: "urlencoded form", method: http.MethodPost, target: "/x",
			contentType: "application/x-www-form-urlencoded",
			body:        "name=alice&tags%5B%5D=a&tags%5B%5D=b&flag=on&opt=1&n=42",
			want:        testParams{Name: "alice", Tags: []string{"a", "b"}, Flag: true, Opt: ptr(true), N: 42},
		},
		{
			name: "form body overrides query", method: http.MethodPost, target: "/x?name=q&n=1",
			contentType: "application/x-www-form-urlencoded", body: "name=body",
			want: testParams{Name: "body", N: 1},
		},
		{
			name: "form without content type", method: http.MethodPost, target: "/x?name=q",
			want: testParams{Name: "q"},
		},
		{
			name: "multipart", method: http.MethodPost, target: "/x",
			contentType: mpType, body: mpBody,
			want: testParams{Name: "alice", Tags: []string{"a", "b"}, Flag: true, Opt: ptr(false), N: 7},
		},
		{
			name: "JSON", method: http.MethodPost, target: "/x",
			contentType: "application/json; charset=utf-8",
			body:        `{"name":"alice","tags":["a","b"],"flag":true,"opt":false,"n":7,"unknown":"ignored"}`,
			want:        testParams{Name: "alice", Tags: []string{"a", "b"}, Flag: true, Opt: ptr(false), N: 7},
		},
		{
			name: "JSON scalars in an array", method: http.MethodPost, target: "/x",
			contentType: "application/json", body: `{"tags":[1, true, "s", 2.5]}`,
			want: testParams{Tags: []string{"1", "true", "s", "2.5"}},
		},
		{
			name: "JSON strings for booleans and numbers", method: http.MethodPost, target: "/x",
			contentType: "application/json", body: `{"flag":"1","opt":"on","n":"12"}`,
			want: testParams{Flag: true, Opt: ptr(true), N: 12},
		},
		{
			name: "JSON null is absent", method: http.MethodPost, target: "/x?name=q",
			contentType: "application/json", body: `{"name":null,"opt":null}`,
			want: testParams{Name: "q"},
		},
		{
			name: "JSON body overrides query", method: http.MethodPost, target: "/x?name=q&n=1",
			contentType: "application/json", body: `{"name":"body"}`,
			want: testParams{Name: "body", N: 1},
		},
		{
			// masto.js (Elk) sends this on follow; Mastodon treats it as no parameters.
			name: "empty JSON body", method: http.MethodPost, target: "/x?name=q",
			contentType: "application/json", body: "",
			want: testParams{Name: "q"},
		},
		{
			name: "JSON body null", method: http.MethodPost, target: "/x",
			contentType: "application/json", body: "null",
		},
		{
			name: "int with spaces", method: http.MethodGet, target: "/x?n=+5+",
			want: testParams{N: 5},
		},
		{
			// An explicit empty list in the body wins over the query.
			name: "empty JSON array", method: http.MethodPost, target: "/x?tags[]=q",
			contentType: "application/json", body: `{"tags":[]}`,
			want: testParams{Tags: []string{}}, // given, empty: not absent
		},
		{name: "bad boolean", method: http.MethodGet, target: "/x?flag=maybe", wantStatus: http.StatusUnprocessableEntity},
		{name: "bad optional boolean", method: http.MethodGet, target: "/x?opt=2", wantStatus: http.StatusUnprocessableEntity},
		{
			name: "JSON number as boolean", method: http.MethodPost, target: "/x",
			contentType: "application/json", body: `{"flag":2}`, wantStatus: http.StatusUnprocessableEntity,
		},
		{name: "bad int", method: http.MethodGet, target: "/x?n=ten", wantStatus: http.StatusBadRequest},
		{
			name: "JSON fraction as int", method: http.MethodPost, target: "/x",
			contentType: "application/json", body: `{"n":1.5}`, wantStatus: http.StatusBadRequest,
		},
		{
			name: "malformed JSON", method: http.MethodPost, target: "/x",
			contentType: "application/json", body: `{"name":`, wantStatus: http.StatusBadRequest,
		},
		{
			name: "JSON array body", method: http.MethodPost, target: "/x",
			contentType: "application/json", body: `["name"]`, wantStatus: http.StatusBadRequest,
		},
		{
			name: "JSON object value", method: http.MethodPost, target: "/x",
			contentType: "application/json", body: `{"name":{"first":"a"}}`, wantStatus: http.StatusBadRequest,
		},
		{
			name: "JSON object in an array", method: http.MethodPost, target: "/x",
			contentType: "application/json", body: `{"tags":[{"a":1}]}`, wantStatus: http.StatusBadRequest,
		},
		{
			name: "JSON nested array", method: http.MethodPost, target: "/x",
			contentType: "application/json", body: `{"tags":[["a"]]}`, wantStatus: http.StatusBadRequest,
		},
		{
			name: "JSON null in an array", method: http.MethodPost, target: "/x",
			contentType: "application/json", body: `{"tags":[null]}`, wantStatus: http.StatusBadRequest,
		},
		{
			name: "malformed form", method: http.MethodPost, target: "/x",
			contentType: "application/x-www-form-urlencoded", body: "name=%zz", wantStatus: http.StatusBadRequest,
		},
		{
			name: "multipart without boundary", method: http.MethodPost, target: "/x",
			contentType: "multipart/form-data", body: "--x\r\n", wantStatus: http.StatusBadRequest,
		},
		{
			name: "truncated multipart", method: http.MethodPost, target: "/x",
			contentType: mpType, body: mpBody[:len(mpBody)/2], wantStatus: http.StatusBadRequest,
		},
		// Text is valid UTF-8 without NUL bytes in every encoding, in names
		// and values, read by dst or not.
		{name: "NUL in the query", method: http.MethodGet, target: "/x?name=a%00b", wantStatus: http.StatusUnprocessableEntity},
		{name: "invalid UTF-8 in the query", method: http.MethodGet, target: "/x?name=a%FFb", wantStatus: http.StatusUnprocessableEntity},
		{name: "surrogate in the query", method: http.MethodGet, target: "/x?tags[]=%ED%A0%80", wantStatus: http.StatusUnprocessableEntity},
		{name: "NUL in a parameter not read", method: http.MethodGet, target: "/x?other=%00", wantStatus: http.StatusUnprocessableEntity},
		{name: "NUL in a name", method: http.MethodGet, target: "/x?na%00me=a", wantStatus: http.StatusUnprocessableEntity},
		{
			name: "NUL in a form", method: http.MethodPost, target: "/x",
			contentType: "application/x-www-form-urlencoded", body: "name=a%00", wantStatus: http.StatusUnprocessableEntity,
		},
		{
			name: "invalid UTF-8 in a form", method: http.MethodPost, target: "/x",
			contentType: "application/x-www-form-urlencoded", body: "name=%C3", wantStatus: http.StatusUnprocessableEntity,
		},
		{
			name: "NUL in multipart", method: http.MethodPost, target: "/x",
			contentType: mpNULType, body: mpNUL, wantStatus: http.StatusUnprocessableEntity,
		},
		{
			name: "escaped NUL in JSON", method: http.MethodPost, target: "/x",
			contentType: "application/json", body: `{"name":"a\u0000"}`, wantStatus: http.StatusUnprocessableEntity,
		},
		{
			name: "escaped NUL in a JSON array", method: http.MethodPost, target: "/x",
			contentType: "application/json", body: `{"tags":["ok","\u0000"]}`, wantStatus: http.StatusUnprocessableEntity,
		},
		{
			name: "escaped NUL in a JSON key", method: http.MethodPost, target: "/x",
			contentType: "application/json", body: `{"\u0000":"a"}`, wantStatus: http.StatusUnprocessableEntity,
		},
		{
			// encoding/json would make this U+FFFD; it is refused instead.
			name: "invalid UTF-8 in a JSON string", method: http.MethodPost, target: "/x",
			contentType: "application/json", body: "{\"name\":\"a\xff\"}", wantStatus: http.StatusUnprocessableEntity,
		},
		{
			// A lone surrogate escape is valid JSON; it decodes to U+FFFD.
			name: "JSON surrogate escape", method: http.MethodPost, target: "/x",
			contentType: "application/json", body: `{"name":"a\ud800"}`, want: testParams{Name: "a\uFFFD"},
		},
		{
			name: "other control characters are text", method: http.MethodGet, target: "/x?name=a%01%09%0D%0A%7F",
			want: testParams{Name: "a\x01\t\r\n\x7f"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := httptest.NewRequest(tt.method, tt.target, strings.NewReader(tt.body))
			if tt.contentType != "" {
				req.Header.Set("Content-Type", tt.contentType)
			}
			var got testParams
			err := decodeParams(req, &got)
			if tt.wantStatus != 0 {
				wantRequestError(t, err, tt.wantStatus)
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Fatalf("decoded %+v (opt %v), want %+v (opt %v)", got, deref(got.Opt), tt.want, deref(tt.want.Opt))
			}
		})
	}
}

func deref(b *bool) any {
	if b == nil {
		return nil
	}
	return *b
}

func TestDecodeParamsRailsBooleans(t *testing.T) {
	tests := []struct {
		in   string
		want bool
	}{
		{"1", true}, {"true", true}, {"TRUE", true}, {"t", true}, {"on", true}, {"yes", true}, {" true ", true},
		{"0", false}, {"false", false}, {"f", false}, {"off", false}, {"no", false}, {"", false},
	}
	for _, tt := range tests {
		for _, ct := range []string{"application/x-www-form-urlencoded", "application/json"} {
			t.Run(ct+"/"+tt.in, func(t *testing.T) {
				body := "flag=" + tt.in + "&opt=" + tt.in
				if ct == "application/json" {
					body = `{"flag":"` + tt.in + `","opt":"` + tt.in + `"}`
				}
				req := httptest.NewRequest(http.MethodPost, "/x", strings.NewReader(body))
				req.Header.Set("Content-Type", ct)
				var got testParams
				if err := decodeParams(req, &got); err != nil {
					t.Fatal(err)
				}
				if got.Flag != tt.want || got.Opt == nil || *got.Opt != tt.want {
					t.Fatalf("flag=%v opt=%v, want %v", got.Flag, deref(got.Opt), tt.want)
				}
			})
		}
	}
}

// TestDecodeParamsBodyTooLarge checks that the body-size limit surfaces as
// *http.MaxBytesError (which writeError maps to 413) in every encoding,
// never as a 400 for a "malformed" body.
func TestDecodeParamsBodyTooLarge(t *testing.T) {
	big := strings.Repeat("x", 4096)
	mpBody, mpType := multipartBody(t, [][2]string{{"name", big}})
	tests := []struct {
		name, contentType, body string
	}{
		{"JSON", "application/json", `{"name":"` + big + `"}`},
		{"form", "application/x-www-form-urlencoded", "name=" + big},
		{"multipart", mpType, mpBody},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := httptest.NewRecorder()
			req := httptest.NewRequest(http.MethodPost, "/x", strings.NewReader(tt.body))
			req.Header.Set("Content-Type", tt.contentType)
			req.Body = http.MaxBytesReader(rec, req.Body, 1024)
			var got testParams
			err := decodeParams(req, &got)
			var tooBig *http.MaxBytesError
			if !errors.As(err, &tooBig) {
				t.Fatalf("err = %v (%T), want *http.MaxBytesError", err, err)
			}
			h := &Handler{log: logger(nil)}
			h.writeError(rec, req, err)
			wantError(t, rec, http.StatusRequestEntityTooLarge)
		})
	}
}

func TestAssignUnsupportedFieldPanics(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Fatal("assign accepted a float64 field; want a panic naming the wiring bug")
		}
	}()
	var dst struct {
		F float64 `param:"f"`
	}
	_ = assign(map[string][]string{"f": {"1"}}, &dst)
}

func TestParseID(t *testing.T) {
	tests := []struct {
		in   string
		want int64
		ok   bool
	}{
		{"1", 1, true},
		{"109876543210987654", 109876543210987654, true},
		{"0", 0, false},
		{"-5", 0, false},
		{"abc", 0, false},
		{"", 0, false},
		{"1.5", 0, false},
		{"99999999999999999999", 0, false}, // overflows int64
	}
	for _, tt := range tests {
		got, err := parseID("max_id", tt.in)
		if !tt.ok {
			if err == nil {
				t.Errorf("parseID(%q) = %d, want an error", tt.in, got)
			} else {
				wantRequestError(t, err, http.StatusBadRequest)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("parseID(%q) = %d, %v; want %d", tt.in, got, err, tt.want)
		}
	}
}

// FuzzDecodeParams feeds arbitrary bodies, content types and query strings
// through decodeParams and assign for the status form: nothing may panic,
// and every failure must be one writeError maps to a 4xx.
func FuzzDecodeParams(f *testing.F) {
	mpBody, mpType := multipartBody(f, [][2]string{{"status", "hi"}, {"sensitive", "1"}, {"media_ids[]", "1"}})
	mpNUL, mpNULType := multipartBody(f, [][2]string{{"status", "a\x00"}, {"spoiler_text", "\xff"}})
	seeds := []struct{ ct, query, body string }{
		{"application/json", "", `{"status":"hello","visibility":"private","sensitive":true}`},
		{"application/json", "status=q", `{"status":["a","b"],"sensitive":"yes","language":null}`},
		{"application/json", "", `{"status":{"a":1}}`},
		{"application/json; charset=utf-8", "", ``},
		{"application/x-www-form-urlencoded", "sensitive=0", "status=hi&spoiler_text=cw&sensitive=on"},
		{"application/x-www-form-urlencoded", "", "status=%zz"},
		{mpType, "", mpBody},
		{"multipart/form-data; boundary=x", "", "--x\r\nContent-Disposition: form-data; name=\"status\"\r\n\r\nhi\r\n--x--\r\n"},
		{"", "status=hi&sensitive[]=1&sensitive[]=0", ""},
		{"text/plain", "status=%", "status=hi"},
		{"application/json", "", `{"status":"a\u0000b"}`},
		{"application/json", "", "{\"status\":\"a\xffb\"}"},
		{"application/json", "", `{"sta\u0000tus":"a","spoiler_text":"\ud800"}`},
		{"application/x-www-form-urlencoded", "language=%00", "status=%FF%FE"},
		{"", "status=%ED%A0%80&visibility=%C0%80", ""},
		{mpNULType, "", mpNUL},
	}
	for _, s := range seeds {
		f.Add(s.ct, s.query, []byte(s.body))
	}
	f.Fuzz(func(t *testing.T, contentType, query string, body []byte) {
		rec := httptest.NewRecorder()
		req := httptest.NewRequest(http.MethodPost, "/api/v1/statuses", bytes.NewReader(body))
		req.URL.RawQuery = query
		req.Header.Set("Content-Type", contentType)
		req.Body = http.MaxBytesReader(rec, req.Body, 4096)
		var dst createStatusRequest
		err := decodeParams(req, &dst)
		if req.MultipartForm != nil {
			_ = req.MultipartForm.RemoveAll()
		}
		if err == nil {
			// What gets through is text, in every field.
			for _, v := range []string{dst.Status, dst.InReplyToID, dst.SpoilerText, dst.Visibility, dst.Language} {
				if checkText(v) != nil {
					t.Fatalf("decoded %q, which is not text", v)
				}
			}
			return
		}
		var re *requestError
		var tooBig *http.MaxBytesError
		switch {
		case errors.As(err, &re):
			if re.status < 400 || re.status > 499 || re.msg == "" {
				t.Fatalf("requestError %d %q, want a 4xx with a message", re.status, re.msg)
			}
		case errors.As(err, &tooBig):
		default:
			t.Fatalf("err = %v (%T), want *requestError or *http.MaxBytesError", err, err)
		}
	})
}

// TestDecodeNested: JSON objects become the bracketed keys a form uses, a
// notSupported parameter is refused in either shape, an object where a
// value belongs is refused rather than read as absent, and nesting is
// bounded.
func TestDecodeNested(t *testing.T) {
	type params struct {
		Name string       `param:"name"`
		Poll notSupported `param:"poll"`
	}
	tests := []struct {
		name        string
		contentType string
		body        string
		wantStatus  int
	}{
		{"JSON object under a refused name", "application/json", `{"name":"a","poll":{"options":["x"]}}`, http.StatusUnprocessableEntity},
		{"form keys under a refused name", "application/x-www-form-urlencoded", "name=a&poll%5Boptions%5D%5B%5D=x", http.StatusUnprocessableEntity},
		{"refused name with a plain value", "application/x-www-form-urlencoded", "poll=1", http.StatusUnprocessableEntity},
		{"refused name, empty values", "application/json", `{"name":"a","poll":{"options":[],"expires_in":null,"multiple":""}}`, 0},
		{"refused name, array of objects", "application/json", `{"poll":[{"a":"1"}]}`, http.StatusUnprocessableEntity},
		{"object for a value", "application/json", `{"name":{"first":"a"}}`, http.StatusBadRequest},
		{"form sub-key for a value", "application/x-www-form-urlencoded", "name%5Bfirst%5D=a", http.StatusBadRequest},
		{"deep nesting", "application/json", `{"x":{"a":{"b":{"c":{"d":"e"}}}}}`, http.StatusBadRequest},
		{"deep arrays of objects", "application/json", `{"x":[{"a":[{"b":[{"c":"1"}]}]}]}`, http.StatusBadRequest},
		// Names are text too: the one gate refuses these, nested or not.
		{"NUL in a nested key", "application/json", "{\"x\":{\"\\u0000\":\"a\"},\"name\":\"n\"}", http.StatusUnprocessableEntity},
		{"invalid UTF-8 in a nested key", "application/json", "{\"x\":{\"\xff\":\"b\"},\"name\":\"n\"}", http.StatusUnprocessableEntity},
		{"unknown nested keys", "application/json", `{"name":"a","other":{"k":"v"}}`, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := httptest.NewRequest(http.MethodPost, "/x", strings.NewReader(tt.body))
			req.Header.Set("Content-Type", tt.contentType)
			var got params
			err := decodeParams(req, &got)
			if tt.wantStatus == 0 {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			wantRequestError(t, err, tt.wantStatus)
		})
	}

	// Many objects in one body stay within the body limit's cost.
	body := `{"x":[` + strings.Repeat(`{"a":"1"},`, 5000) + `{"a":"1"}]}`
	req := httptest.NewRequest(http.MethodPost, "/x", strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	var got params
	if err := decodeParams(req, &got); err != nil {
		t.Fatalf("5001 objects: %v", err)
	}
}

// TestDecodeRefusesFiles: no endpoint stores uploads yet, so a file part is
// a 422 naming it, whatever the struct.
func TestDecodeRefusesFiles(t *testing.T) {
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	_ = mw.WriteField("name", "a")
	fw, _ := mw.CreateFormFile("avatar", "a.png")
	_, _ = fw.Write([]byte("\x89PNG"))
	_ = mw.Close()
	req := httptest.NewRequest(http.MethodPost, "/x", &buf)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	var got testParams
	err := decodeParams(req, &got)
	wantRequestError(t, err, http.StatusUnprocessableEntity)
	if !strings.Contains(err.Error(), "avatar") {
		t.Errorf("error %q does not name the file part", err)
	}
}
