package store

import (
	"strings"
	"testing"
	"testing/fstest"
)

func TestLoadMigrations(t *testing.T) {
	tests := []struct {
		name    string
		files   []string
		want    []int
		wantErr string
	}{
		{"sorted by version, not name", []string{"0010_b.sql", "0002_a.sql", "0001_init.sql"}, []int{1, 2, 10}, ""},
		{"duplicate version", []string{"0001_a.sql", "1_b.sql"}, nil, "share version 1"},
		{"no version", []string{"init.sql"}, nil, "want NNNN_description.sql"},
		{"zero version", []string{"0000_zero.sql"}, nil, "want NNNN_description.sql"},
		{"not sql", []string{"0001_notes.txt"}, nil, "want NNNN_description.sql"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fsys := fstest.MapFS{}
			for _, f := range tt.files {
				fsys["m/"+f] = &fstest.MapFile{Data: []byte("-- " + f)}
			}
			ms, err := LoadMigrations(fsys, "m")
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			for i, m := range ms {
				if m.Version != tt.want[i] || m.SQL != "-- "+m.Name {
					t.Fatalf("migration %d = %+v", i, m)
				}
			}
		})
	}
}
