package mastodon

import (
	"github.com/starling-social/starling/go/social"
	"github.com/starling-social/starling/go/store"
)

// Filter is Mastodon's (v2) Filter entity.
type Filter struct {
	ID           string          `json:"id"`
	Title        string          `json:"title"`
	Context      []string        `json:"context"`
	ExpiresAt    *string         `json:"expires_at"`
	FilterAction string          `json:"filter_action"`
	Keywords     []FilterKeyword `json:"keywords"`
	Statuses     []FilterStatus  `json:"statuses"`
}

// FilterKeyword is Mastodon's FilterKeyword entity.
type FilterKeyword struct {
	ID        string `json:"id"`
	Keyword   string `json:"keyword"`
	WholeWord bool   `json:"whole_word"`
}

// FilterStatus is Mastodon's FilterStatus entity.
type FilterStatus struct {
	ID       string `json:"id"`
	StatusID string `json:"status_id"`
}

// FilterResult is Mastodon's FilterResult entity, in Status.filtered.
type FilterResult struct {
	Filter         *Filter  `json:"filter"`
	KeywordMatches []string `json:"keyword_matches"`
	StatusMatches  []string `json:"status_matches"`
}

// V1Filter is Mastodon's v1 Filter entity: one keyword of a filter.
type V1Filter struct {
	ID           string   `json:"id"`
	Phrase       string   `json:"phrase"`
	Context      []string `json:"context"`
	ExpiresAt    *string  `json:"expires_at"`
	Irreversible bool     `json:"irreversible"`
	WholeWord    bool     `json:"whole_word"`
}

func filterEntity(f *store.Filter) *Filter {
	out := &Filter{ID: formatID(f.ID), Title: f.Title, Context: f.Context, FilterAction: f.Action,
		Keywords: make([]FilterKeyword, len(f.Keywords)), Statuses: make([]FilterStatus, len(f.Statuses))}
	if f.ExpiresAt != nil {
		e := formatTime(*f.ExpiresAt)
		out.ExpiresAt = &e
	}
	for i, k := range f.Keywords {
		out.Keywords[i] = filterKeywordEntity(k)
	}
	for i, s := range f.Statuses {
		out.Statuses[i] = filterStatusEntity(s)
	}
	return out
}

func filterKeywordEntity(k *store.FilterKeyword) FilterKeyword {
	return FilterKeyword{ID: formatID(k.ID), Keyword: k.Keyword, WholeWord: k.WholeWord}
}

func filterStatusEntity(s *store.FilterStatus) FilterStatus {
	return FilterStatus{ID: formatID(s.ID), StatusID: formatID(s.StatusID)}
}

func filterEntities(fs []*store.Filter) []*Filter {
	out := make([]*Filter, len(fs))
	for i, f := range fs {
		out[i] = filterEntity(f)
	}
	return out
}

// filterResults renders a status's matches; the keyword and status
// matches are null when the filter matched the other way, as Mastodon's.
func filterResults(ms []social.FilterMatch) []FilterResult {
	out := make([]FilterResult, len(ms))
	for i, m := range ms {
		out[i] = FilterResult{Filter: filterEntity(m.Filter), KeywordMatches: m.KeywordMatches}
		if len(m.StatusMatches) > 0 {
			out[i].StatusMatches = formatIDs(m.StatusMatches)
		}
	}
	return out
}

func v1FilterEntity(v social.V1Filter) V1Filter {
	out := V1Filter{ID: formatID(v.Keyword.ID), Phrase: v.Keyword.Keyword, Context: v.Filter.Context,
		Irreversible: v.Filter.Action == social.FilterHide, WholeWord: v.Keyword.WholeWord}
	if v.Filter.ExpiresAt != nil {
		e := formatTime(*v.Filter.ExpiresAt)
		out.ExpiresAt = &e
	}
	return out
}
