package main

import (
	"bytes"
	"encoding/binary"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// rowsBytes encodes rows as texmex: each row's length, then its words.
func rowsBytes(rows ...[]uint32) []byte {
	var b []byte
	for _, r := range rows {
		b = binary.LittleEndian.AppendUint32(b, uint32(len(r)))
		for _, w := range r {
			b = binary.LittleEndian.AppendUint32(b, w)
		}
	}
	return b
}

func f32(xs ...float32) []uint32 {
	out := make([]uint32, len(xs))
	for i, x := range xs {
		out[i] = math.Float32bits(x)
	}
	return out
}

func TestDecodeVecs(t *testing.T) {
	tests := []struct {
		name      string
		data      []byte
		wantRows  int
		wantDim   int
		wantWords []uint32
		wantErr   string
	}{
		{"two rows", rowsBytes([]uint32{1, 2, 3}, []uint32{4, 5, 6}), 2, 3, []uint32{1, 2, 3, 4, 5, 6}, ""},
		{"one value", rowsBytes([]uint32{7}), 1, 1, []uint32{7}, ""},
		{"empty file", nil, 0, 0, nil, "empty file"},
		{"short header", []byte{1, 0}, 0, 0, nil, "reading first row"},
		{"truncated row", rowsBytes([]uint32{1, 2, 3})[:14], 0, 0, nil, "not a multiple of the row size"},
		{"mixed dimensions", rowsBytes([]uint32{1, 2}, []uint32{3}, []uint32{4}), 0, 0, nil, "not a multiple"},
		{"second row dimension differs", rowsBytes([]uint32{1, 2, 3}, []uint32{4}, []uint32{5}), 0, 0, nil, "row 1 has dimension 1"},
		{"zero dimension", rowsBytes([]uint32{}), 0, 0, nil, "dimension 0"},
		{"negative dimension", binary.LittleEndian.AppendUint32(nil, uint32(0xFFFFFFFF)), 0, 0, nil, "dimension -1"},
		{"absurd dimension", binary.LittleEndian.AppendUint32(make([]byte, 0, 8), 1<<30), 0, 0, nil, "not a texmex vector file"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			words, rows, dim, err := decodeVecs(bytes.NewReader(tt.data), int64(len(tt.data)))
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want it to mention %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if rows != tt.wantRows || dim != tt.wantDim || !slices.Equal(words, tt.wantWords) {
				t.Errorf("got rows=%d dim=%d words=%v, want %d %d %v", rows, dim, words, tt.wantRows, tt.wantDim, tt.wantWords)
			}
		})
	}
}

func TestReadFvecsAndIvecs(t *testing.T) {
	dir := t.TempDir()
	fpath := filepath.Join(dir, "x.fvecs")
	if err := os.WriteFile(fpath, rowsBytes(f32(1.5, -2), f32(0, float32(math.Pi))), 0o644); err != nil {
		t.Fatal(err)
	}
	data, rows, dim, err := readFvecs(fpath)
	if err != nil || rows != 2 || dim != 2 || !slices.Equal(data, []float32{1.5, -2, 0, float32(math.Pi)}) {
		t.Errorf("readFvecs = %v, %d, %d, %v", data, rows, dim, err)
	}
	ipath := filepath.Join(dir, "gt.ivecs")
	neg := int32(-1)
	if err := os.WriteFile(ipath, rowsBytes([]uint32{3, 1, uint32(neg)}), 0o644); err != nil {
		t.Fatal(err)
	}
	ids, rows, dim, err := readIvecs(ipath)
	if err != nil || rows != 1 || dim != 3 || !slices.Equal(ids, []int32{3, 1, -1}) {
		t.Errorf("readIvecs = %v, %d, %d, %v", ids, rows, dim, err)
	}
	if _, _, _, err := readFvecs(filepath.Join(dir, "missing.fvecs")); !os.IsNotExist(err) {
		t.Errorf("missing file: %v", err)
	}
	// Errors name the file.
	bad := filepath.Join(dir, "bad.fvecs")
	if err := os.WriteFile(bad, []byte{9, 9, 9}, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, _, _, err := readFvecs(bad); err == nil || !strings.Contains(err.Error(), bad) {
		t.Errorf("bad file: %v", err)
	}
}
