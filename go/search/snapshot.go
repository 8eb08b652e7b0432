package search

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"hash/fnv"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/starling-social/starling/go/snowflake"
	"github.com/starling-social/starling/go/vecsearch"
)

// ErrNoSnapshot means the directory holds no usable snapshot for this
// index and embedder: build from the source instead.
var ErrNoSnapshot = errors.New("search: no snapshot")

// snapshotFormat is the meta file's format version.
const snapshotFormat = 1

// snapshotMeta is <name>.json: which generation of files is current and
// what they hold. It is renamed into place last, so a crash mid-save
// leaves the previous generation current.
type snapshotMeta struct {
	Format     int    `json:"format"`
	Embedder   string `json:"embedder"`
	Dim        int    `json:"dim"`
	Generation int64  `json:"generation"`
	Count      int    `json:"count"`
	HighWater  int64  `json:"high_water"`
	Trained    int    `json:"trained"`
	IDsFNV     uint64 `json:"ids_fnv64a"`
	SavedAt    string `json:"saved_at"`
}

func (x *Index) metaPath(dir string) string { return filepath.Join(dir, x.cfg.Name+".json") }

func (x *Index) genPath(dir string, gen int64, ext string) string {
	return filepath.Join(dir, x.cfg.Name+"-"+strconv.FormatInt(gen, 10)+ext)
}

// Save writes a snapshot of the index into dir, tagged with the embedder
// whose vectors it holds: the index file (checksummed by the library), the
// sorted ID list (FNV-1a checksum in the meta) and the meta file with the
// high-water mark that catch-up resumes from. Adds and removes wait.
func (x *Index) Save(dir, embedder string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("search: snapshot: %w", err)
	}
	x.wmu.Lock()
	defer x.wmu.Unlock()
	gen := time.Now().UnixNano()
	ids := make([]int64, 0, len(x.ids))
	for id := range x.ids {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	buf := make([]byte, 8*len(ids))
	for i, id := range ids {
		binary.LittleEndian.PutUint64(buf[8*i:], uint64(id))
	}
	h := fnv.New64a()
	_, _ = h.Write(buf) // never fails
	if err := writeFileAtomic(x.genPath(dir, gen, ".ids"), buf); err != nil {
		return err
	}
	x.mu.RLock()
	err := x.cur.Save(x.genPath(dir, gen, ".vsi"))
	x.mu.RUnlock()
	if err != nil {
		return fmt.Errorf("search: snapshot: %w", err)
	}
	meta, _ := json.MarshalIndent(snapshotMeta{Format: snapshotFormat, Embedder: embedder, Dim: x.cfg.Dim,
		Generation: gen, Count: len(ids), HighWater: x.hwm, Trained: x.trained, IDsFNV: h.Sum64(),
		SavedAt: time.Now().UTC().Format(time.RFC3339)}, "", "  ")
	if err := writeFileAtomic(x.metaPath(dir), meta); err != nil {
		return err
	}
	x.removeOtherGenerations(dir, gen)
	return nil
}

// removeOtherGenerations deletes older snapshot files (best effort).
func (x *Index) removeOtherGenerations(dir string, keep int64) {
	matches, _ := filepath.Glob(filepath.Join(dir, x.cfg.Name+"-*"))
	for _, m := range matches {
		base := filepath.Base(m)
		if strings.HasPrefix(base, x.cfg.Name+"-"+strconv.FormatInt(keep, 10)+".") {
			continue
		}
		if err := os.Remove(m); err != nil {
			x.log.Warn("search: removing an old snapshot file", "file", m, "err", err)
		}
	}
}

func writeFileAtomic(path string, data []byte) error {
	tmp := fmt.Sprintf("%s.tmp-%d", path, os.Getpid()) // processes sharing a data dir must not collide
	f, err := os.OpenFile(tmp, os.O_CREATE|os.O_TRUNC|os.O_WRONLY, 0o644)
	if err != nil {
		return fmt.Errorf("search: snapshot: %w", err)
	}
	_, err = f.Write(data)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, path)
	}
	if err != nil {
		os.Remove(tmp)
		return fmt.Errorf("search: snapshot: %w", err)
	}
	return nil
}

// Load replaces the index's contents with the snapshot in dir, if there is
// one for this embedder and dimension (else ErrNoSnapshot, or an error for
// a damaged one: the caller rebuilds from the source either way). Call it
// before the index is shared.
func (x *Index) Load(dir, embedder string) error {
	snap, err := readSnapshot(dir, x.cfg.Name, func(meta snapshotMeta) error {
		if meta.Format != snapshotFormat || meta.Embedder != embedder || meta.Dim != x.cfg.Dim {
			return fmt.Errorf("%w for embedder %q (dim %d): the snapshot holds %q (dim %d, format %d)",
				ErrNoSnapshot, embedder, x.cfg.Dim, meta.Embedder, meta.Dim, meta.Format)
		}
		return nil
	})
	if err != nil {
		return err
	}
	x.wmu.Lock()
	x.mu.Lock()
	old := x.cur
	x.cur, x.nlist, x.ids, x.hwm, x.trained = snap.idx, snap.nlist, snap.ids, snap.meta.HighWater, snap.meta.Trained
	x.size.Store(int64(len(snap.ids)))
	x.mu.Unlock()
	x.wmu.Unlock()
	return old.Close()
}

// snapshot is a snapshot read and checked whole.
type snapshot struct {
	meta  snapshotMeta
	ids   map[int64]struct{}
	idx   *vecsearch.Index
	nlist int
}

// readSnapshot reads the snapshot of the index name in dir and checks it:
// accept vets the meta file first; the ID list must match its length and
// FNV-1a checksum, and the index file (checksummed by the library) must
// load and hold as many vectors, of the meta's dimension. The caller owns
// the returned index.
func readSnapshot(dir, name string, accept func(snapshotMeta) error) (*snapshot, error) {
	raw, err := os.ReadFile(filepath.Join(dir, name+".json"))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, ErrNoSnapshot
	}
	if err != nil {
		return nil, fmt.Errorf("search: snapshot: %w", err)
	}
	var meta snapshotMeta
	if err := json.Unmarshal(raw, &meta); err != nil {
		return nil, fmt.Errorf("search: snapshot meta: %w", err)
	}
	if err := accept(meta); err != nil {
		return nil, err
	}
	gen := func(ext string) string {
		return filepath.Join(dir, name+"-"+strconv.FormatInt(meta.Generation, 10)+ext)
	}
	buf, err := os.ReadFile(gen(".ids"))
	if err != nil {
		return nil, fmt.Errorf("search: snapshot ids: %w", err)
	}
	h := fnv.New64a()
	_, _ = h.Write(buf)
	if len(buf) != 8*meta.Count || h.Sum64() != meta.IDsFNV {
		return nil, fmt.Errorf("search: snapshot ids: checksum or length mismatch (%d bytes for %d ids)", len(buf), meta.Count)
	}
	idx, err := vecsearch.Load(gen(".vsi"))
	if err != nil {
		return nil, fmt.Errorf("search: snapshot index: %w", err)
	}
	st, err := idx.Stats()
	if err == nil && (st.Len != meta.Count || st.Dim != meta.Dim) {
		err = fmt.Errorf("holds %d vectors of dim %d, meta says %d of dim %d", st.Len, st.Dim, meta.Count, meta.Dim)
	}
	if err != nil {
		idx.Close()
		return nil, fmt.Errorf("search: snapshot index: %w", err)
	}
	ids := make(map[int64]struct{}, meta.Count)
	for i := range meta.Count {
		ids[int64(binary.LittleEndian.Uint64(buf[8*i:]))] = struct{}{}
	}
	return &snapshot{meta: meta, ids: ids, idx: idx, nlist: st.NList}, nil
}

// OpenSnapshot opens the files of the current snapshot of the index name
// in dir for a copy (starling backup): the meta file's bytes, and its
// generation's files, opened, by base name. A save running meanwhile
// cannot mix generations into the copy: a generation's files are complete
// before its meta names them and never change after, and an open file
// stays readable when a later save removes it. ErrNoSnapshot when there
// is none. The caller closes the files.
func OpenSnapshot(dir, name string) (meta []byte, files map[string]*os.File, err error) {
	for range 3 { // a save may remove the generation between the two reads
		meta, err = os.ReadFile(filepath.Join(dir, name+".json"))
		if errors.Is(err, fs.ErrNotExist) {
			return nil, nil, ErrNoSnapshot
		}
		if err != nil {
			return nil, nil, fmt.Errorf("search: snapshot: %w", err)
		}
		var m snapshotMeta
		if err := json.Unmarshal(meta, &m); err != nil {
			return nil, nil, fmt.Errorf("search: snapshot meta: %w", err)
		}
		files = map[string]*os.File{}
		for _, ext := range []string{".ids", ".vsi"} {
			base := name + "-" + strconv.FormatInt(m.Generation, 10) + ext
			f, ferr := os.Open(filepath.Join(dir, base))
			if ferr != nil {
				err = ferr
				break
			}
			files[base] = f
		}
		if err == nil {
			return meta, files, nil
		}
		for _, f := range files {
			f.Close()
		}
		if !errors.Is(err, fs.ErrNotExist) {
			return nil, nil, fmt.Errorf("search: snapshot: %w", err)
		}
	}
	return nil, nil, fmt.Errorf("search: snapshot: replaced during every attempt to copy it: %w", err)
}

// SnapshotInfo describes a snapshot that passed VerifySnapshot.
type SnapshotInfo struct {
	Embedder string
	Vectors  int
	SavedAt  string
}

// VerifySnapshot checks the snapshot of the index name in dir as Load
// would, without an index to load it into (starling doctor): ErrNoSnapshot
// when there is none, an error naming the damaged part otherwise.
func VerifySnapshot(dir, name string) (SnapshotInfo, error) {
	snap, err := readSnapshot(dir, name, func(meta snapshotMeta) error {
		if meta.Format != snapshotFormat {
			return fmt.Errorf("search: snapshot format %d, this binary reads %d", meta.Format, snapshotFormat)
		}
		return nil
	})
	if err != nil {
		return SnapshotInfo{}, err
	}
	defer snap.idx.Close()
	return SnapshotInfo{Embedder: snap.meta.Embedder, Vectors: snap.meta.Count, SavedAt: snap.meta.SavedAt}, nil
}

// catchUpLag is how far below the high-water mark catch-up reads again:
// IDs come from each process's clock and commit out of order, so a status
// with a slightly lower ID can become visible after a higher one was read.
const catchUpLag = 30 * time.Second

// CatchUp adds the source's vectors newer than the high-water mark (less
// catchUpLag) and returns how many it added. At start it brings a loaded
// snapshot up to date; run periodically it lets every server process see
// the statuses the others stored.
func (x *Index) CatchUp(ctx context.Context) (int, error) {
	if x.src == nil {
		return 0, nil
	}
	x.wmu.Lock()
	after := x.hwm - (snowflake.FromTime(snowflake.Epoch.Add(catchUpLag)))
	x.wmu.Unlock()
	after = max(after, 0)
	total := 0
	for {
		rows, err := x.src.ListStatusEmbeddings(ctx, after, buildPage)
		if err != nil {
			return total, fmt.Errorf("search: index %q: catch up after %d: %w", x.cfg.Name, after, err)
		}
		if len(rows) == 0 {
			return total, nil
		}
		n, err := x.Add(rows)
		total += n
		if err != nil {
			return total, err
		}
		after = rows[len(rows)-1].StatusID
	}
}

// Follow calls CatchUp every interval until ctx ends (several server
// processes on one database: each keeps its own index current).
func (x *Index) Follow(ctx context.Context, interval time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if _, err := x.CatchUp(ctx); err != nil && ctx.Err() == nil {
				x.log.Warn("search: index catch-up", "err", err)
			}
		}
	}
}
