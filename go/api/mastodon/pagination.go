package mastodon

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/starling-social/starling/go/store"
)

const (
	defaultLimit = 20
	maxLimit     = 40
)

// pageParams are Mastodon's pagination parameters.
type pageParams struct {
	MaxID   string `param:"max_id"`
	SinceID string `param:"since_id"`
	MinID   string `param:"min_id"`
	Limit   string `param:"limit"`
}

// parsePage reads limit (default 20, clamped to 40 as Mastodon does) and the
// ID bounds. Malformed values are a 400, not silently ignored: a client that
// sends them has a bug it should hear about.
func parsePage(r *http.Request) (store.Page, error) {
	return parsePageLimit(r, defaultLimit, maxLimit)
}

// parsePageLimit is parsePage for lists with other limits (followed tags
// and domain blocks page 100 by default, at most 200).
func parsePageLimit(r *http.Request, def, maxN int) (store.Page, error) {
	var p pageParams
	if err := decodeParams(r, &p); err != nil {
		return store.Page{}, err
	}
	limit, err := parseLimit(p.Limit, def, maxN)
	if err != nil {
		return store.Page{}, err
	}
	page := store.Page{Limit: limit}
	for _, b := range []struct {
		name, val string
		dst       *int64
	}{{"max_id", p.MaxID, &page.MaxID}, {"since_id", p.SinceID, &page.SinceID}, {"min_id", p.MinID, &page.MinID}} {
		if b.val == "" {
			continue
		}
		id, err := parseID(b.name, b.val)
		if err != nil {
			return store.Page{}, err
		}
		*b.dst = id
	}
	return page, nil
}

// setLinkHeader writes Mastodon's Link header for a newest-first page whose
// newest ID is first and oldest is last: "next" pages to older items with
// max_id, "prev" to newer ones with min_id.
func (h *Handler) setLinkHeader(w http.ResponseWriter, r *http.Request, page store.Page, first, last int64) {
	rest := linkQuery(r)
	if len(rest) == 0 {
		// Only paging parameters (most requests): the same URLs as
		// url.Values.Encode gives (keys sorted, digits need no escaping),
		// written into one buffer rather than built piece by piece.
		var b strings.Builder
		b.Grow(2*(len(h.baseURL)+len(r.URL.Path)) + 100)
		link := func(bound string, id int64) {
			b.WriteString("<")
			b.WriteString(h.baseURL)
			b.WriteString(r.URL.Path)
			b.WriteString("?limit=")
			b.Write(strconv.AppendInt(make([]byte, 0, 20), int64(page.Limit), 10))
			b.WriteString(bound)
			b.Write(strconv.AppendInt(make([]byte, 0, 20), id, 10))
		}
		link("&max_id=", last)
		b.WriteString(`>; rel="next", `)
		link("&min_id=", first)
		b.WriteString(`>; rel="prev"`)
		w.Header().Set("Link", b.String())
		return
	}
	limit := strconv.Itoa(page.Limit)
	next := h.linkURLFrom(r, rest, url.Values{"limit": {limit}, "max_id": {strconv.FormatInt(last, 10)}})
	prev := h.linkURLFrom(r, rest, url.Values{"limit": {limit}, "min_id": {strconv.FormatInt(first, 10)}})
	w.Header().Set("Link", "<"+next+`>; rel="next", <`+prev+`>; rel="prev"`)
}

// linkURL is the request's URL for a Link header: its query with the
// paging parameters replaced by set. An access_token parameter is dropped:
// a Link header is a URL that clients log, cache and share, and must not
// carry a credential.
func (h *Handler) linkURL(r *http.Request, set url.Values) string {
	return h.linkURLFrom(r, linkQuery(r), set)
}

// linkQuery is the request's query without the paging parameters and
// access_token (see linkURL); nil when nothing else is left.
func linkQuery(r *http.Request) url.Values {
	if onlyPagingNames(r.URL.RawQuery) {
		return nil
	}
	var q url.Values
	for k, v := range r.URL.Query() {
		switch k {
		case "max_id", "since_id", "min_id", "limit", "offset", "access_token":
		default:
			if q == nil {
				q = url.Values{}
			}
			q[k] = v
		}
	}
	return q
}

// onlyPagingNames reports whether every parameter of the raw query is one
// linkQuery drops, without parsing it (most paged requests send no other).
// A name it cannot read as is (escaped, or with a ';' that url.ParseQuery
// refuses) answers false, and linkQuery parses the query.
func onlyPagingNames(raw string) bool {
	for raw != "" {
		var part string
		part, raw, _ = strings.Cut(raw, "&")
		if part == "" {
			continue // "a&&b": url.ParseQuery skips it too
		}
		name, _, _ := strings.Cut(part, "=")
		switch name {
		case "max_id", "since_id", "min_id", "limit", "offset", "access_token":
		default:
			return false
		}
	}
	return true
}

// linkURLFrom is linkURL for a query rest already read by linkQuery.
func (h *Handler) linkURLFrom(r *http.Request, rest, set url.Values) string {
	q := make(url.Values, len(rest)+len(set))
	for k, v := range rest {
		q[k] = v
	}
	for k, v := range set {
		q[k] = v
	}
	return h.baseURL + r.URL.Path + "?" + q.Encode()
}

// maxOffset bounds offset paging (search, trends): a deeper page costs a
// scan of everything before it, and offset+limit must not overflow.
const maxOffset = 10000

// checkOffset refuses a negative offset as malformed (400) and one past
// maxOffset as out of bounds (422).
func checkOffset(offset int) error {
	if offset < 0 {
		return badRequest("Parameter offset must not be negative")
	}
	if offset > maxOffset {
		return &requestError{status: http.StatusUnprocessableEntity,
			msg: fmt.Sprintf("Validation failed: offset must be at most %d", maxOffset)}
	}
	return nil
}

// parseLimit reads a limit parameter: def when absent, clamped to [1, maxN]
// as Mastodon clamps, 400 when not a number.
func parseLimit(s string, def, maxN int) (int, error) {
	if s == "" {
		return def, nil
	}
	n, err := strconv.Atoi(strings.TrimSpace(s))
	if err != nil {
		return 0, badRequest("Parameter limit must be an integer")
	}
	return min(max(n, 1), maxN), nil
}
