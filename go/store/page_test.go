package store

import (
	"slices"
	"strconv"
	"testing"
)

func TestPageWindow(t *testing.T) {
	sqlite := func(int) string { return "?" }
	postgres := func(n int) string { return "$" + strconv.Itoa(n) }
	tests := []struct {
		name     string
		p        Page
		ph       Placeholder
		wantSQL  string
		wantArgs []any
	}{
		{"newest", Page{Limit: 20}, postgres,
			` ORDER BY id DESC LIMIT $2`, []any{int64(7), 20}},
		{"below max", Page{MaxID: 100, Limit: 5}, postgres,
			` AND id < $2 ORDER BY id DESC LIMIT $3`, []any{int64(7), int64(100), 5}},
		{"every bound", Page{MaxID: 100, SinceID: 10, MinID: 50, Limit: 5}, postgres,
			` AND id < $2 AND id > $3 AND id > $4 ORDER BY id ASC LIMIT $5`,
			[]any{int64(7), int64(100), int64(10), int64(50), 5}},
		{"since, sqlite", Page{SinceID: 10, Limit: 3}, sqlite,
			` AND id > ? ORDER BY id DESC LIMIT ?`, []any{int64(7), int64(10), 3}},
		{"min, sqlite", Page{MinID: 10, Limit: 3}, sqlite,
			` AND id > ? ORDER BY id ASC LIMIT ?`, []any{int64(7), int64(10), 3}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sql, args := tt.p.Window("id", []any{int64(7)}, tt.ph)
			if sql != tt.wantSQL || !slices.Equal(args, tt.wantArgs) {
				t.Errorf("Window = %q %v, want %q %v", sql, args, tt.wantSQL, tt.wantArgs)
			}
		})
	}
}

func TestNewestFirst(t *testing.T) {
	if got := NewestFirst(Page{MinID: 1, Limit: 3}, []int{2, 3, 4}); !slices.Equal(got, []int{4, 3, 2}) {
		t.Errorf("ascending window: %v, want reversed", got)
	}
	if got := NewestFirst(Page{MaxID: 9, Limit: 3}, []int{8, 7, 6}); !slices.Equal(got, []int{8, 7, 6}) {
		t.Errorf("descending window: %v, want unchanged", got)
	}
}

func TestPageCheck(t *testing.T) {
	for _, limit := range []int{0, -1} {
		if (Page{Limit: limit}).Check() == nil {
			t.Errorf("Limit %d accepted", limit)
		}
	}
	if err := (Page{Limit: 1}).Check(); err != nil {
		t.Errorf("Limit 1: %v", err)
	}
}
