package mastodon

import (
	"bytes"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// Parameters Mastodon documents and Starling does not implement yet are
// refused with 422 in every encoding a client uses, and the refused request
// changes nothing; the empty values clients send by default ask for
// nothing and pass.

// encoded is one request body and its content type.
type encoded struct{ contentType, body string }

func form(v url.Values) encoded {
	return encoded{"application/x-www-form-urlencoded", v.Encode()}
}

func jsonBody(s string) encoded { return encoded{"application/json", s} }

func multipartFields(t *testing.T, fields [][2]string) encoded {
	t.Helper()
	body, ct := multipartBody(t, fields)
	return encoded{ct, body}
}

// multipartFile is a multipart body with one field and one file part.
func multipartFile(t *testing.T, field, value, fileField string) encoded {
	t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	_ = mw.WriteField(field, value)
	fw, err := mw.CreateFormFile(fileField, "a.png")
	if err != nil {
		t.Fatal(err)
	}
	_, _ = fw.Write(pngMagic)
	_ = mw.Close()
	return encoded{mw.FormDataContentType(), buf.String()}
}

// refusal is a request that must be refused naming param.
type refusal struct {
	name  string
	param string
	body  encoded
}

// wantRefused sends each refusal and checks the 422 names its parameter.
func wantRefused(t *testing.T, e *testEnv, method, path, tok string, refused []refusal) {
	t.Helper()
	for _, tt := range refused {
		t.Run(tt.name, func(t *testing.T) {
			rec := e.do(method, path, tok, tt.body.contentType, strings.NewReader(tt.body.body))
			msg := wantError(t, rec, http.StatusUnprocessableEntity)
			if !strings.Contains(msg, tt.param) || !strings.Contains(msg, "not supported") {
				t.Errorf("error %q does not name %s as not supported", msg, tt.param)
			}
		})
	}
}

func TestCreateStatusRefusesUnsupported(t *testing.T) {
	e := newTestEnv(t)
	_, tok := e.user("alice", "read write")
	wantRefused(t, e, http.MethodPost, "/api/v1/statuses", tok, []refusal{
		{"quoted_status_id", "quoted_status_id", jsonBody(`{"status":"quote","quoted_status_id":"1"}`)},
		{"quote_approval_policy", "quote_approval_policy", form(url.Values{"status": {"x"}, "quote_approval_policy": {"public"}})},
		{"a file part", "media", multipartFile(t, "status", "pic", "media")},
	})
	if n := decodeObject(t, e.get("/api/v1/accounts/verify_credentials", tok))["statuses_count"]; n != 0.0 {
		t.Fatalf("statuses_count = %v after refused posts, want 0", n)
	}

	accepted := []struct {
		name string
		body encoded
	}{
		{"empty media_ids JSON", jsonBody(`{"status":"a","media_ids":[]}`)},
		{"null poll and scheduled_at", jsonBody(`{"status":"b","poll":null,"scheduled_at":null}`)},
		{"empty scheduled_at", form(url.Values{"status": {"c"}, "scheduled_at": {""}})},
		{"empty media_ids[] form", form(url.Values{"status": {"d"}, "media_ids[]": {""}})},
		{"empty poll object", jsonBody(`{"status":"e","poll":{"options":[]}}`)},
	}
	for _, tt := range accepted {
		t.Run(tt.name, func(t *testing.T) {
			rec := e.do(http.MethodPost, "/api/v1/statuses", tok, tt.body.contentType, strings.NewReader(tt.body.body))
			wantStatus(t, rec, http.StatusOK)
		})
	}
}

func TestUpdateCredentialsRefusesUnsupported(t *testing.T) {
	e := newTestEnv(t)
	_, tok := e.user("alice", "read write")
	wantRefused(t, e, http.MethodPatch, "/api/v1/accounts/update_credentials", tok, []refusal{
		{"source[privacy] form", "source", form(url.Values{"display_name": {"New"}, "source[privacy]": {"private"}})},
		{"source JSON", "source", jsonBody(`{"display_name":"New","source":{"sensitive":true}}`)},
		{"source[language]", "source", form(url.Values{"source[language]": {"de"}})},
		{"hide_collections", "hide_collections", form(url.Values{"display_name": {"New"}, "hide_collections": {"true"}})},
		{"indexable", "indexable", jsonBody(`{"display_name":"New","indexable":false}`)},
		{"attribution_domains", "attribution_domains", form(url.Values{"attribution_domains[]": {"example.com"}})},
	})
	if name := decodeObject(t, e.get("/api/v1/accounts/verify_credentials", tok))["display_name"]; name != "" {
		t.Fatalf("display_name = %q: a refused update changed the account", name)
	}
}

func TestFollowRefusesLanguages(t *testing.T) {
	e := newTestEnv(t)
	_, tok := e.user("alice", "read write follow")
	bob, _ := e.user("bob", "read")
	path := "/api/v1/accounts/" + formatID(bob.ID) + "/follow"
	wantError(t, e.postForm(path, tok, url.Values{"languages[]": {"en"}}), http.StatusUnprocessableEntity)
	rels := decodeList(t, e.get("/api/v1/accounts/relationships?id[]="+formatID(bob.ID), tok))
	if len(rels) != 1 || rels[0]["following"] != false {
		t.Fatalf("relationship after a refused follow: %v", rels)
	}
	wantStatus(t, e.do(http.MethodPost, path, tok, "application/json", strings.NewReader(`{"languages":[]}`)), http.StatusOK)
}
