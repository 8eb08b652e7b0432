package search

import (
	"context"
	"errors"
	"fmt"
	"sort"
)

// ErrNoIndex means no index has the name asked for.
var ErrNoIndex = errors.New("search: no such index")

// maxCheckQueries bounds the sample of one recall check (each query costs
// a scan of the collection).
const maxCheckQueries = 1000

// Indexes are the server's vector indexes by collection name, as the
// admin listener (starling index status|rebuild|check) drives them.
type Indexes map[string]*Index

// Statuses returns every index's state, by name.
func (s Indexes) Statuses() ([]Status, error) {
	names := make([]string, 0, len(s))
	for n := range s {
		names = append(names, n)
	}
	sort.Strings(names)
	out := make([]Status, 0, len(names))
	for _, n := range names {
		st, err := s[n].Status()
		if err != nil {
			return nil, err
		}
		out = append(out, st)
	}
	return out, nil
}

// Rebuild starts a background rebuild of the named index; false when one
// is already running.
func (s Indexes) Rebuild(name string) (bool, error) {
	x, ok := s[name]
	if !ok {
		return false, fmt.Errorf("%w %q", ErrNoIndex, name)
	}
	return x.RebuildInBackground(), nil
}

// Check measures the named index's recall@10 on queries sampled vectors.
func (s Indexes) Check(ctx context.Context, name string, queries int) (CheckResult, error) {
	x, ok := s[name]
	if !ok {
		return CheckResult{}, fmt.Errorf("%w %q", ErrNoIndex, name)
	}
	return x.Check(ctx, min(max(queries, 1), maxCheckQueries), 10)
}
