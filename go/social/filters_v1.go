package social

import (
	"context"

	"github.com/starling-social/starling/go/store"
)

// V1Filter is Mastodon's v1 view of filters: one keyword with the filter
// it belongs to. A v1 filter's ID is its keyword's.
type V1Filter struct {
	Keyword *store.FilterKeyword
	Filter  *store.Filter
}

// V1FilterInput creates or changes a v1 filter; nil fields keep their
// value on a change.
type V1FilterInput struct {
	Phrase       *string
	Context      []string
	Irreversible *bool // hide, else warn
	WholeWord    *bool
	ExpiresIn    *int // as FilterInput.ExpiresIn
}

// V1Filters lists every keyword of viewer's filters with its filter.
func (s *Service) V1Filters(ctx context.Context, viewer *store.Account) ([]V1Filter, error) {
	fs, err := s.Filters(ctx, viewer)
	if err != nil {
		return nil, err
	}
	var out []V1Filter
	for _, f := range fs {
		for _, k := range f.Keywords {
			out = append(out, V1Filter{Keyword: k, Filter: f})
		}
	}
	return out, nil
}

// V1Filter returns viewer's keyword id with its filter.
func (s *Service) V1Filter(ctx context.Context, viewer *store.Account, id int64) (V1Filter, error) {
	k, err := s.FilterKeyword(ctx, viewer, id)
	if err != nil {
		return V1Filter{}, err
	}
	f, err := s.Filter(ctx, viewer, k.FilterID)
	if err != nil {
		return V1Filter{}, err
	}
	return V1Filter{Keyword: k, Filter: f}, nil
}

// v1Action is the filter action irreversible names.
func v1Action(irreversible *bool) *string {
	if irreversible == nil {
		return nil
	}
	a := FilterWarn
	if *irreversible {
		a = FilterHide
	}
	return &a
}

// CreateV1Filter stores a filter titled with the phrase, holding the
// phrase as its one keyword, as Mastodon's v1 API does.
func (s *Service) CreateV1Filter(ctx context.Context, viewer *store.Account, in V1FilterInput) (V1Filter, error) {
	const op = "social.CreateV1Filter"
	if in.Phrase == nil {
		return V1Filter{}, invalid(op, "Validation failed: Keyword can't be blank")
	}
	f, err := s.CreateFilter(ctx, viewer, FilterInput{Title: in.Phrase, Context: in.Context, Action: v1Action(in.Irreversible),
		ExpiresIn: in.ExpiresIn, Keywords: []KeywordInput{{Keyword: *in.Phrase, WholeWord: in.WholeWord != nil && *in.WholeWord}}})
	if err != nil {
		return V1Filter{}, err
	}
	if len(f.Keywords) == 0 {
		return V1Filter{}, invalid(op, "Validation failed: Keyword can't be blank")
	}
	return V1Filter{Keyword: f.Keywords[0], Filter: f}, nil
}

// UpdateV1Filter changes viewer's keyword id and its filter. A filter with
// several keywords cannot be changed through one of them (Mastodon's
// "deprecated API, multiple keywords" refusal); its keyword can.
func (s *Service) UpdateV1Filter(ctx context.Context, viewer *store.Account, id int64, in V1FilterInput) (V1Filter, error) {
	const op = "social.UpdateV1Filter"
	cur, err := s.V1Filter(ctx, viewer, id)
	if err != nil {
		return V1Filter{}, err
	}
	kw := KeywordInput{ID: id, Keyword: cur.Keyword.Keyword, WholeWord: cur.Keyword.WholeWord}
	if in.Phrase != nil {
		kw.Keyword = *in.Phrase
	}
	if in.WholeWord != nil {
		kw.WholeWord = *in.WholeWord
	}
	fin := FilterInput{Context: in.Context, Action: v1Action(in.Irreversible), ExpiresIn: in.ExpiresIn, Keywords: []KeywordInput{kw}}
	if len(cur.Filter.Keywords) == 1 {
		fin.Title = in.Phrase
	} else if fin.Context != nil || fin.Action != nil || fin.ExpiresIn != nil {
		return V1Filter{}, invalid(op, "Validation failed: this filter has several keywords; change it through /api/v2/filters")
	}
	if _, err := s.UpdateFilter(ctx, viewer, cur.Filter.ID, fin); err != nil {
		return V1Filter{}, err
	}
	return s.V1Filter(ctx, viewer, id)
}

// DeleteV1Filter removes viewer's keyword id, and its filter when nothing
// else is left in it.
func (s *Service) DeleteV1Filter(ctx context.Context, viewer *store.Account, id int64) error {
	cur, err := s.V1Filter(ctx, viewer, id)
	if err != nil {
		return err
	}
	if len(cur.Filter.Keywords) == 1 && len(cur.Filter.Statuses) == 0 {
		return s.DeleteFilter(ctx, viewer, cur.Filter.ID)
	}
	return s.DeleteFilterKeyword(ctx, viewer, id)
}
