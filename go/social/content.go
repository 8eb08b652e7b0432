package social

import (
	"html"
	"net/url"
	"regexp"
	"slices"
	"strings"

	"github.com/starling-social/starling/go/store"
)

var (
	// urlPattern finds http(s) links in status text.
	urlPattern = regexp.MustCompile(`https?://[^\s<>"]+[^\s<>".,;:!?)\]']`)
	// mentionPattern finds @username (optionally @username@domain) not
	// inside a word, an e-mail address or a URL path. Group 2 is the
	// username, group 3 the domain.
	mentionPattern = regexp.MustCompile(`(^|[^\w@/.])@([A-Za-z0-9_]{1,30})(?:@([A-Za-z0-9.-]+[A-Za-z0-9]))?\b`)
	// hashtagPattern finds #tag not inside a word or a URL fragment; a tag
	// has at least one letter or underscore, as Mastodon requires.
	hashtagPattern = regexp.MustCompile(`(^|[^\p{L}\p{N}_&/#])#([\p{L}\p{N}_]*[\p{L}_][\p{L}\p{N}_]*)`)
)

// maxMentions and maxTags bound the lookups one status can cause.
const (
	maxMentions = 20
	maxTags     = 20
)

// parsedText is what a status's text refers to: the usernames it mentions
// and the hashtags it carries (lower case), each once, in order of first use.
type parsedText struct {
	usernames []string
	tags      []string
}

// parseText finds mentions and hashtags. Mentions of another domain are
// not ours to resolve and are left as text.
func parseText(text string, localDomain string) parsedText {
	var p parsedText
	for _, m := range mentionPattern.FindAllStringSubmatch(text, -1) {
		if m[3] != "" && !strings.EqualFold(m[3], localDomain) {
			continue
		}
		name := strings.ToLower(m[2])
		if !slices.Contains(p.usernames, name) && len(p.usernames) < maxMentions {
			p.usernames = append(p.usernames, name)
		}
	}
	for _, m := range hashtagPattern.FindAllStringSubmatch(text, -1) {
		tag := strings.ToLower(m[2])
		if !slices.Contains(p.tags, tag) && len(p.tags) < maxTags {
			p.tags = append(p.tags, tag)
		}
	}
	return p
}

// renderer turns plain status text into the safe HTML Mastodon clients
// expect: everything escaped, links made clickable, mentions of known
// local accounts and hashtags linked in Mastodon's markup, blank-line
// separated paragraphs in <p>, single newlines as <br />.
type renderer struct {
	baseURL  string
	domain   string                    // this server's host: @user@domain is local
	accounts map[string]*store.Account // lower-case username → mentioned account
}

// renderContent renders text with no mentions resolved.
func renderContent(text string) string { return renderer{}.render(text) }

func (r renderer) render(text string) string {
	text = strings.ReplaceAll(text, "\r\n", "\n")
	var b strings.Builder
	for _, para := range strings.Split(text, "\n\n") {
		para = strings.Trim(para, "\n")
		if para == "" {
			continue
		}
		b.WriteString("<p>")
		for i, line := range strings.Split(para, "\n") {
			if i > 0 {
				b.WriteString("<br />")
			}
			b.WriteString(r.line(line))
		}
		b.WriteString("</p>")
	}
	return b.String()
}

// span is a piece of a line to be replaced by markup.
type span struct {
	start, end int
	html       string
}

// line escapes one line and links its URLs, mentions and hashtags. All
// three are matched on the raw text, so escaping cannot split them; a
// mention or hashtag inside a URL is part of the URL.
func (r renderer) line(line string) string {
	var spans []span
	for _, m := range urlPattern.FindAllStringIndex(line, -1) {
		u := html.EscapeString(line[m[0]:m[1]])
		spans = append(spans, span{m[0], m[1],
			`<a href="` + u + `" rel="nofollow noopener noreferrer" target="_blank">` + u + `</a>`})
	}
	for _, m := range mentionPattern.FindAllStringSubmatchIndex(line, -1) {
		if m[6] >= 0 && !strings.EqualFold(line[m[6]:m[7]], r.domain) {
			continue // another server's account: not ours to link
		}
		a, ok := r.accounts[strings.ToLower(line[m[4]:m[5]])]
		if !ok {
			continue // not a local account: plain text, as Mastodon leaves unknown mentions
		}
		start := m[2+1] // end of the prefix group = the '@'
		spans = append(spans, span{start, m[1],
			`<span class="h-card" translate="no"><a href="` + html.EscapeString(r.baseURL+"/@"+a.Username) +
				`" class="u-url mention">@<span>` + html.EscapeString(a.Username) + `</span></a></span>`})
	}
	for _, m := range hashtagPattern.FindAllStringSubmatchIndex(line, -1) {
		tag := line[m[4]:m[5]]
		spans = append(spans, span{m[3], m[1],
			`<a href="` + html.EscapeString(r.baseURL+"/tags/"+url.PathEscape(strings.ToLower(tag))) +
				`" class="mention hashtag" rel="tag">#<span>` + html.EscapeString(tag) + `</span></a>`})
	}
	// Earlier spans win; URLs were added first, so on a tie they win too.
	slices.SortStableFunc(spans, func(a, b span) int { return a.start - b.start })
	var b strings.Builder
	last := 0
	for _, s := range spans {
		if s.start < last {
			continue // overlaps a span already written
		}
		b.WriteString(html.EscapeString(line[last:s.start]))
		b.WriteString(s.html)
		last = s.end
	}
	b.WriteString(html.EscapeString(line[last:]))
	return b.String()
}
