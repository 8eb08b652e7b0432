package feed

import (
	"slices"
	"testing"

	"github.com/starling-social/starling/go/store"
)

func statuses(ids ...int64) []*store.Status {
	out := make([]*store.Status, len(ids))
	for i, id := range ids {
		out[i] = &store.Status{ID: id}
	}
	return out
}

func ids(sts []*store.Status) []int64 {
	out := make([]int64, len(sts))
	for i, s := range sts {
		out[i] = s.ID
	}
	return out
}

func TestMergePage(t *testing.T) {
	tests := []struct {
		name string
		a, b []int64
		page store.Page
		want []int64
	}{
		{"interleaves newest first", []int64{9, 5, 1}, []int64{8, 6, 2}, store.Page{Limit: 10}, []int64{9, 8, 6, 5, 2, 1}},
		{"cuts to the newest", []int64{9, 5, 1}, []int64{8, 6, 2}, store.Page{Limit: 3}, []int64{9, 8, 6}},
		{"min_id keeps the oldest", []int64{9, 5, 3}, []int64{8, 6, 4}, store.Page{Limit: 3, MinID: 2}, []int64{5, 4, 3}},
		{"min_id window", []int64{9, 5}, []int64{8, 6}, store.Page{Limit: 2, MinID: 4}, []int64{6, 5}},
		{"one side empty", nil, []int64{3, 2}, store.Page{Limit: 5}, []int64{3, 2}},
		{"both empty", nil, nil, store.Page{Limit: 5}, []int64{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := ids(mergePage(statuses(tt.a...), statuses(tt.b...), tt.page))
			if !slices.Equal(got, tt.want) {
				t.Fatalf("mergePage = %v, want %v", got, tt.want)
			}
		})
	}
}
