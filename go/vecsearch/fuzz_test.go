package vecsearch_test

import (
	"encoding/binary"
	"errors"
	"math"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/starling-social/starling/go/vecsearch"
)

// knownKinds are the sentinels an *Error may wrap.
var knownKinds = []error{
	vecsearch.ErrNull, vecsearch.ErrInvalidArgument, vecsearch.ErrDimension, vecsearch.ErrNotTrained,
	vecsearch.ErrIO, vecsearch.ErrCorrupt, vecsearch.ErrOutOfMemory, vecsearch.ErrUnsupported, vecsearch.ErrClosed,
}

// checkErr fails unless err is nil or an *Error with a known kind (a panic
// caught by the library, ErrPanic, is a bug and fails too).
func checkErr(t *testing.T, what string, err error) {
	t.Helper()
	if err == nil {
		return
	}
	var e *vecsearch.Error
	if !errors.As(err, &e) {
		t.Fatalf("%s: error %v is not a *vecsearch.Error", what, err)
	}
	if !slices.Contains(knownKinds, e.Kind) {
		t.Fatalf("%s: unexpected kind: %v", what, err)
	}
}

// FuzzIndex drives the binding with random configurations and inputs:
// dimensions, k, nprobe, NaNs, wrong lengths, exclusion lists and loading
// garbage bytes. Nothing may crash; every error must be a known *Error.
func FuzzIndex(f *testing.F) {
	f.Add(uint8(8), uint8(4), uint8(4), uint8(0), uint16(64), uint8(3), uint8(2), uint8(1), false, []byte{1, 2, 3})
	f.Add(uint8(6), uint8(3), uint8(2), uint8(2), uint16(20), uint8(30), uint8(0), uint8(9), true, []byte("VSINDEX\x00garbage"))
	f.Add(uint8(0), uint8(0), uint8(0), uint8(1), uint16(0), uint8(0), uint8(0), uint8(0), false, []byte{})
	f.Fuzz(func(t *testing.T, dim, nlist, m, refine uint8, n uint16, k, nprobe, nexcl uint8, nan bool, blob []byte) {
		d := int(dim%16) + 1
		cfg := vecsearch.IVFPQConfig{Dim: d, Metric: vecsearch.Metric(int(refine%4) + 1), NList: int(nlist % 9), M: int(m%5) + 1,
			NBits: int(refine%3) + 2, Refine: vecsearch.RefineStorage(refine % 4), Seed: uint64(n), TrainThreads: 1, KMeansIters: 2}
		idx, err := vecsearch.NewIVFPQ(cfg)
		checkErr(t, "new", err)
		if err != nil {
			return
		}
		defer idx.Close()
		count := int(n % 300)
		base := randomVectors(count, d, uint64(n))
		if nan && count > 0 {
			base[int(k)%len(base)] = float32(math.NaN())
		}
		checkErr(t, "train", idx.Train(base))
		ids := sequentialIDs(count, 0)
		checkErr(t, "add", idx.Add(base, ids[:count-int(k)%2*min(count, 1)]))
		checkErr(t, "add", idx.Add(base, ids))
		excl := make([]int64, nexcl)
		for i := range excl {
			excl[i] = int64(i * 3)
		}
		if nexcl%5 == 4 {
			slices.Reverse(excl)
		}
		q := randomVectors(2, d, 3)
		if nan {
			q[0] = float32(math.Inf(1))
		}
		kk := int(k % 12)
		out := make([]int64, 2*kk)
		dist := make([]float32, 2*kk)
		_, err = idx.SearchWith(q[:len(q)-int(nexcl%2)], kk, vecsearch.SearchOptions{NProbe: int(nprobe % 10), RefineFactor: int(nexcl % 3), Threads: int(k % 3), Exclude: excl}, out, dist)
		checkErr(t, "search", err)
		_, err = idx.Search(q, kk, out, dist)
		checkErr(t, "search", err)
		_, err = idx.Remove(excl)
		checkErr(t, "remove", err)
		checkErr(t, "compact", idx.Compact())
		_, err = idx.Stats()
		checkErr(t, "stats", err)

		// Save/load round trip, then garbage and mangled files.
		dir := t.TempDir()
		path := filepath.Join(dir, "i.vs")
		checkErr(t, "save", idx.Save(path))
		if raw, err := os.ReadFile(path); err == nil && len(raw) > 0 {
			if l, err := vecsearch.Load(path); err == nil {
				l.Close()
			} else {
				t.Fatalf("reload of a saved index: %v", err)
			}
			mangled := slices.Clone(raw)
			if len(blob) > 0 {
				at := int(binary.LittleEndian.Uint16(append(slices.Clone(blob), 0, 0))) % len(mangled)
				mangled[at] ^= blob[0] | 1
				mangled = mangled[:len(mangled)-int(blob[len(blob)-1])%len(mangled)]
			}
			writeAndLoad(t, filepath.Join(dir, "m.vs"), mangled)
		}
		writeAndLoad(t, filepath.Join(dir, "g.vs"), blob)
	})
}

func writeAndLoad(t *testing.T, path string, b []byte) {
	t.Helper()
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
	l, err := vecsearch.Load(path)
	checkErr(t, "load", err)
	if err == nil {
		l.Close()
	}
}
