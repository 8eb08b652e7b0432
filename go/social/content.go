package social

import (
	"html"
	"regexp"
	"strings"
)

// urlPattern finds http(s) links in status text.
var urlPattern = regexp.MustCompile(`https?://[^\s<>"]+[^\s<>".,;:!?)\]']`)

// renderContent turns plain status text into the safe HTML Mastodon clients
// expect: everything escaped, links made clickable, blank-line separated
// paragraphs in <p>, single newlines as <br />.
func renderContent(text string) string {
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
			b.WriteString(linkify(line))
		}
		b.WriteString("</p>")
	}
	return b.String()
}

// linkify escapes line and wraps each URL in an anchor. URLs are matched on
// the raw text so escaping cannot split them.
func linkify(line string) string {
	var b strings.Builder
	last := 0
	for _, m := range urlPattern.FindAllStringIndex(line, -1) {
		b.WriteString(html.EscapeString(line[last:m[0]]))
		u := html.EscapeString(line[m[0]:m[1]])
		b.WriteString(`<a href="` + u + `" rel="nofollow noopener noreferrer" target="_blank">` + u + `</a>`)
		last = m[1]
	}
	b.WriteString(html.EscapeString(line[last:]))
	return b.String()
}
