package main

import (
	"math"
	"strings"
	"testing"
)

func TestRecallAt(t *testing.T) {
	gt := []int32{
		1, 2, 3, 4, // query 0
		5, 6, 7, 8, // query 1
	}
	tests := []struct {
		name string
		r    int
		got  []int64 // k = 3 per query
		want float64
	}{
		{"perfect at 1", 1, []int64{1, 9, 9, 5, 9, 9}, 1},
		{"perfect at 3", 3, []int64{1, 2, 3, 5, 6, 7}, 1},
		{"order within r does not matter", 3, []int64{3, 1, 2, 7, 5, 6}, 1},
		{"none", 3, []int64{9, 10, 11, 12, 13, 14}, 0},
		{"half the queries right at 1", 1, []int64{1, 2, 3, 6, 5, 7}, 0.5},
		{"a true neighbour beyond r does not count", 2, []int64{1, 3, 2, 5, 6, 8}, 0.75},
		{"true neighbour of rank 4 is not in the top 3", 3, []int64{1, 2, 4, 5, 6, 7}, 5.0 / 6},
		{"empty slots never match", 3, []int64{1, -1, -1, 5, 6, -1}, 0.5},
		{"duplicates count once per slot", 2, []int64{1, 1, 9, 5, 6, 9}, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := recallAt(tt.r, tt.got, 3, gt, 4); math.Abs(got-tt.want) > 1e-12 {
				t.Errorf("recallAt(%d) = %v, want %v", tt.r, got, tt.want)
			}
		})
	}
}

func TestCheckIDs(t *testing.T) {
	tests := []struct {
		name    string
		got     []int64 // k = 3
		wantErr string
	}{
		{"valid", []int64{0, 1, 2, 2, 1, 0}, ""},
		{"padding at the end", []int64{4, -1, -1, -1, -1, -1}, ""},
		{"duplicate", []int64{0, 1, 2, 3, 3, 4}, "query 1: id 3 returned twice"},
		{"out of range", []int64{0, 1, 5, 0, 1, 2}, "id 5 is not a base row"},
		{"negative", []int64{0, -2, 1, 0, 1, 2}, "id -2 is not a base row"},
		{"result after a gap", []int64{0, -1, 1, 0, 1, 2}, "result 1 follows an empty slot"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := checkIDs(tt.got, 3, 5)
			if tt.wantErr == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("err = %v, want %q", err, tt.wantErr)
			}
		})
	}
}

func TestPercentile(t *testing.T) {
	lat := make([]int, 100)
	for i := range lat {
		lat[i] = i + 1
	}
	sorted := toDurations(lat)
	for _, tt := range []struct {
		q    float64
		want int
	}{{0.5, 50}, {0.95, 95}, {0.99, 99}, {1, 100}, {0, 1}} {
		if got := percentile(sorted, tt.q); int(got) != tt.want {
			t.Errorf("percentile(%v) = %v, want %v", tt.q, int(got), tt.want)
		}
	}
	if percentile(nil, 0.5) != 0 {
		t.Error("percentile of nothing")
	}
}
