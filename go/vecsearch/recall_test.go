package vecsearch_test

import (
	"encoding/binary"
	"math"
	"os"
	"path/filepath"
	"testing"

	"github.com/starling-social/starling/go/vecsearch"
)

// readVecs reads a little-endian texmex file (.fvecs or .ivecs: each row an
// int32 dimension, then that many 4-byte values) into raw uint32 words.
func readVecs(t *testing.T, path string) (words []uint32, rows, dim int) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(b) < 4 {
		t.Fatalf("%s: too short", path)
	}
	dim = int(binary.LittleEndian.Uint32(b))
	rowBytes := 4 * (dim + 1)
	if dim <= 0 || len(b)%rowBytes != 0 {
		t.Fatalf("%s: size %d is not a multiple of row size %d", path, len(b), rowBytes)
	}
	rows = len(b) / rowBytes
	words = make([]uint32, 0, rows*dim)
	for r := range rows {
		row := b[r*rowBytes:]
		if got := int(binary.LittleEndian.Uint32(row)); got != dim {
			t.Fatalf("%s: row %d has dimension %d, want %d", path, r, got, dim)
		}
		for i := 1; i <= dim; i++ {
			words = append(words, binary.LittleEndian.Uint32(row[4*i:]))
		}
	}
	return words, rows, dim
}

func readFvecs(t *testing.T, path string) ([]float32, int, int) {
	t.Helper()
	w, rows, dim := readVecs(t, path)
	f := make([]float32, len(w))
	for i, x := range w {
		f[i] = math.Float32frombits(x)
	}
	return f, rows, dim
}

// TestRecallOnRealData checks the flat index against the dataset's exact
// ground truth: posts-fasttext-100-angular indexed as L2 on its unit
// vectors, as its README prescribes. Exact search misses only ties.
func TestRecallOnRealData(t *testing.T) {
	root := os.Getenv("STARLING_TEST_DATA")
	if root == "" {
		t.Skip("STARLING_TEST_DATA is not set (path to the shared data folder); skipping the real-data recall test")
	}
	dir := filepath.Join(root, "posts-fasttext-100-angular")
	base, n, d := readFvecs(t, filepath.Join(dir, "base.fvecs"))
	queries, nq, qd := readFvecs(t, filepath.Join(dir, "query.fvecs"))
	gtWords, gtRows, gtK := readVecs(t, filepath.Join(dir, "groundtruth.ivecs"))
	if qd != d || gtRows != nq {
		t.Fatalf("inconsistent files: base d=%d, query d=%d, %d queries, %d ground-truth rows", d, qd, nq, gtRows)
	}
	const k = 10
	idx := newFlat(t, d, vecsearch.L2)
	if err := idx.Add(base, sequentialIDs(n, 0)); err != nil {
		t.Fatal(err)
	}
	ids := make([]int64, nq*k)
	dists := make([]float32, nq*k)
	found, err := idx.Search(queries, k, ids, dists)
	if err != nil || found != k {
		t.Fatalf("Search = %d, %v", found, err)
	}
	hits := 0
	for q := range nq {
		truth := make(map[int64]bool, k)
		for _, w := range gtWords[q*gtK : q*gtK+k] {
			truth[int64(int32(w))] = true
		}
		for _, id := range ids[q*k : (q+1)*k] {
			if truth[id] {
				hits++
			}
		}
	}
	recall := float64(hits) / float64(nq*k)
	t.Logf("recall@10 = %.4f over %d queries, %d base vectors", recall, nq, n)
	if recall < 0.99 {
		t.Errorf("recall@10 = %.4f, want >= 0.99", recall)
	}
}
