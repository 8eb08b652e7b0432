package mastodon

import (
	"fmt"
	"math"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/starling-social/starling/go/store"
)

func TestParsePage(t *testing.T) {
	tests := []struct {
		query      string
		want       store.Page
		wantStatus int // 0: no error
	}{
		{"", store.Page{Limit: 20}, 0},
		{"limit=5", store.Page{Limit: 5}, 0},
		{"limit=40", store.Page{Limit: 40}, 0},
		{"limit=41", store.Page{Limit: 40}, 0},
		{"limit=1000000", store.Page{Limit: 40}, 0},
		{"limit=0", store.Page{Limit: 1}, 0},
		{"limit=-3", store.Page{Limit: 1}, 0},
		{"limit=", store.Page{Limit: 20}, 0},
		{"max_id=100&since_id=10&min_id=50&limit=3", store.Page{MaxID: 100, SinceID: 10, MinID: 50, Limit: 3}, 0},
		{"limit=ten", store.Page{}, http.StatusBadRequest},
		{"limit=2.5", store.Page{}, http.StatusBadRequest},
		{"max_id=abc", store.Page{}, http.StatusBadRequest},
		{"since_id=-1", store.Page{}, http.StatusBadRequest},
		{"min_id=0", store.Page{}, http.StatusBadRequest},
		{"max_id=1e5", store.Page{}, http.StatusBadRequest},
		{"min_id=99999999999999999999", store.Page{}, http.StatusBadRequest},
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			got, err := parsePage(httptest.NewRequest(http.MethodGet, "/api/v1/timelines/home?"+tt.query, nil))
			if tt.wantStatus != 0 {
				wantRequestError(t, err, tt.wantStatus)
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Fatalf("parsePage(%q) = %+v, want %+v", tt.query, got, tt.want)
			}
		})
	}
}

// linkPattern matches one entry of a Link header.
var linkPattern = regexp.MustCompile(`<([^>]*)>; rel="([a-z]+)"`)

// parseLinks returns the URLs of a Link header by rel.
func parseLinks(t *testing.T, header string) map[string]*url.URL {
	t.Helper()
	out := map[string]*url.URL{}
	for _, m := range linkPattern.FindAllStringSubmatch(header, -1) {
		u, err := url.Parse(m[1])
		if err != nil {
			t.Fatalf("Link %q: %v", m[1], err)
		}
		out[m[2]] = u
	}
	return out
}

func TestSetLinkHeader(t *testing.T) {
	h := &Handler{baseURL: testBaseURL}
	tests := []struct {
		name        string
		target      string
		page        store.Page
		first, last int64
		next, prev  url.Values
	}{
		{
			name: "first page", target: "/api/v1/timelines/home", page: store.Page{Limit: 20},
			first: 300, last: 200,
			next: url.Values{"max_id": {"200"}, "limit": {"20"}},
			prev: url.Values{"min_id": {"300"}, "limit": {"20"}},
		},
		{
			name:   "pagination replaced, other parameters kept",
			target: "/api/v1/timelines/home?local=true&max_id=999&since_id=5&min_id=7&limit=100&exclude_types[]=a&exclude_types[]=b",
			page:   store.Page{MaxID: 999, SinceID: 5, MinID: 7, Limit: 40}, first: 90, last: 80,
			next: url.Values{"max_id": {"80"}, "limit": {"40"}, "local": {"true"}, "exclude_types[]": {"a", "b"}},
			prev: url.Values{"min_id": {"90"}, "limit": {"40"}, "local": {"true"}, "exclude_types[]": {"a", "b"}},
		},
		{
			// A token in the query is a credential; the header must not repeat it.
			name: "access_token dropped", target: "/api/v1/timelines/home?access_token=s3cret&local=1",
			page: store.Page{Limit: 20}, first: 2, last: 1,
			next: url.Values{"max_id": {"1"}, "limit": {"20"}, "local": {"1"}},
			prev: url.Values{"min_id": {"2"}, "limit": {"20"}, "local": {"1"}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := httptest.NewRecorder()
			h.setLinkHeader(rec, httptest.NewRequest(http.MethodGet, tt.target, nil), tt.page, tt.first, tt.last)
			links := parseLinks(t, rec.Header().Get("Link"))
			for rel, want := range map[string]url.Values{"next": tt.next, "prev": tt.prev} {
				u, ok := links[rel]
				if !ok {
					t.Fatalf("Link %q has no rel=%q", rec.Header().Get("Link"), rel)
				}
				if base := u.Scheme + "://" + u.Host + u.Path; base != testBaseURL+"/api/v1/timelines/home" {
					t.Errorf("%s link points at %s", rel, base)
				}
				if got := u.Query(); fmt.Sprint(got) != fmt.Sprint(want) {
					t.Errorf("%s query = %v, want %v", rel, got, want)
				}
			}
		})
	}
}

// TestHomeTimelinePagination walks the home timeline with the Link header,
// both ways, across the viewer's own statuses and a followee's.
func TestHomeTimelinePagination(t *testing.T) {
	e := newTestEnv(t)
	alice, _ := e.user("alice", "read write follow")
	bob, bobTok := e.user("bob", "read write follow")
	carol, _ := e.user("carol", "read write follow")
	wantStatus(t, e.postForm("/api/v1/accounts/"+formatID(alice.ID)+"/follow", bobTok, nil), http.StatusOK)

	// Newest first, as the timeline returns them: visible ones only.
	var want []string
	for i := range 7 {
		author := alice
		if i%3 == 0 {
			author = bob
		}
		want = append([]string{formatID(e.post(author, fmt.Sprintf("status %d", i), store.VisibilityPublic).ID)}, want...)
	}
	e.post(carol, "not followed", store.VisibilityPublic)
	e.post(alice, "only alice", store.VisibilityDirect)

	var got []string
	var pages [][]string
	target := "/api/v1/timelines/home?limit=3&local=false"
	for range 10 { // far more than needed; a loop would fail below
		rec := e.get(target, bobTok)
		wantStatus(t, rec, http.StatusOK)
		list := decodeList(t, rec)
		if len(list) == 0 {
			if l := rec.Header().Get("Link"); l != "" {
				t.Errorf("empty page has Link %q", l)
			}
			break
		}
		var ids []string
		for _, st := range list {
			ids = append(ids, st["id"].(string))
		}
		got, pages = append(got, ids...), append(pages, ids)
		next := parseLinks(t, rec.Header().Get("Link"))["next"]
		if next == nil {
			t.Fatalf("page %v has no next link", ids)
		}
		if q := next.Query(); q.Get("limit") != "3" || q.Get("local") != "false" || q.Get("max_id") != ids[len(ids)-1] {
			t.Fatalf("next link %s: want limit=3, local=false, max_id=%s", next, ids[len(ids)-1])
		}
		target = next.RequestURI()
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("walked %v, want %v", got, want)
	}
	if len(pages) != 3 {
		t.Fatalf("got %d pages (%v), want 3 of limit 3", len(pages), pages)
	}

	// The second page's prev link leads back to exactly the first page.
	rec := e.get("/api/v1/timelines/home?limit=3&max_id="+pages[0][2], bobTok)
	prev := parseLinks(t, rec.Header().Get("Link"))["prev"]
	if prev == nil || prev.Query().Get("min_id") != pages[1][0] {
		t.Fatalf("prev link %v, want min_id=%s", prev, pages[1][0])
	}
	var back []string
	for _, st := range decodeList(t, e.get(prev.RequestURI(), bobTok)) {
		back = append(back, st["id"].(string))
	}
	if fmt.Sprint(back) != fmt.Sprint(pages[0]) {
		t.Fatalf("prev page %v, want %v", back, pages[0])
	}
}

func TestHomeTimelineErrors(t *testing.T) {
	e := newTestEnv(t)
	_, tok := e.user("alice", "read")
	tests := []struct {
		query string
		code  int
	}{
		{"limit=x", http.StatusBadRequest},
		{"max_id=-1", http.StatusBadRequest},
		{"min_id=abc", http.StatusBadRequest},
		{"limit=" + strconv.Itoa(maxLimit+1), http.StatusOK},
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			rec := e.get("/api/v1/timelines/home?"+tt.query, tok)
			if tt.code == http.StatusOK {
				wantStatus(t, rec, tt.code)
				return
			}
			wantError(t, rec, tt.code)
		})
	}
	wantError(t, e.get("/api/v1/timelines/home", ""), http.StatusUnauthorized)
}

func TestCheckOffset(t *testing.T) {
	for _, tt := range []struct {
		offset, status int // 0: accepted
	}{
		{0, 0}, {maxOffset, 0},
		{-1, http.StatusBadRequest},
		{maxOffset + 1, http.StatusUnprocessableEntity},
		{math.MaxInt, http.StatusUnprocessableEntity}, // offset+limit would overflow
	} {
		err := checkOffset(tt.offset)
		if tt.status == 0 {
			if err != nil {
				t.Errorf("checkOffset(%d) = %v, want nil", tt.offset, err)
			}
			continue
		}
		wantRequestError(t, err, tt.status)
	}
}

// The Link header written without url.Values (a query of paging
// parameters only) is byte for byte what the general path writes.
func TestSetLinkHeaderFastPathMatchesEncode(t *testing.T) {
	h := New(nil, Options{BaseURL: testBaseURL})
	for _, target := range []string{"/api/v1/timelines/home", "/api/v1/timelines/home?limit=5&max_id=9",
		"/api/v1/timelines/home?access_token=x&since_id=3"} {
		r := httptest.NewRequest(http.MethodGet, target, nil)
		rec := httptest.NewRecorder()
		h.setLinkHeader(rec, r, store.Page{Limit: 20}, 200, 100)
		next := h.linkURL(r, url.Values{"limit": {"20"}, "max_id": {"100"}})
		prev := h.linkURL(r, url.Values{"limit": {"20"}, "min_id": {"200"}})
		want := "<" + next + `>; rel="next", <` + prev + `>; rel="prev"`
		if got := rec.Header().Get("Link"); got != want {
			t.Errorf("%s: Link = %q, want %q", target, got, want)
		}
	}
}

// onlyPagingNames, which spares linkQuery a parse, never says a query has
// only paging parameters when url.ParseQuery reads another in it.
func TestOnlyPagingNamesAgreesWithParseQuery(t *testing.T) {
	for _, raw := range []string{
		"", "limit=20", "limit=20&max_id=5", "max_id=1&since_id=2&min_id=3&offset=4&access_token=x",
		"&&limit=2&", "=x&limit=1", "limit", "local=true&limit=20", "max%5Fid=1", "limit=1;x=2",
		"x;y=1&limit=2", "access_token=a%26b", "limit=20&only_media=1", "LIMIT=3", "limit[]=3",
	} {
		q, _ := url.ParseQuery(raw)
		paging := true
		for k := range q {
			switch k {
			case "max_id", "since_id", "min_id", "limit", "offset", "access_token":
			default:
				paging = false
			}
		}
		if got := onlyPagingNames(raw); got && !paging {
			t.Errorf("onlyPagingNames(%q) = true, but the query holds %v", raw, q)
		} else if got != paging && !strings.ContainsAny(raw, "%;") {
			t.Errorf("onlyPagingNames(%q) = %v, want %v", raw, got, paging)
		}
	}
}
