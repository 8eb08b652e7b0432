package search

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"time"
)

// Previous is the index of the embedder in use before a change. Until the
// embedding job has given every status a vector under the new embedder,
// searches embed the query with the previous embedder and search its
// index, so a change of embedder never leaves search with a half-filled
// index; then it is retired (RunEmbedder).
type Previous struct {
	Emb   TextEmbedder
	Index *Index
}

// retireGrace is how long a retired index stays open: a search that picked
// it just before the switch finishes on it rather than on a closed index.
const retireGrace = 30 * time.Second

// ServePrevious makes searches use p until the new embedder's backlog is
// embedded. Call it before serving.
func (s *Statuses) ServePrevious(p *Previous) {
	s.prev.Store(p)
	s.index.SetNote(fmt.Sprintf("filling with %s; searches use %s's index (%d vectors) until every status has a vector here",
		s.emb.Name(), p.Emb.Name(), p.Index.Len()))
}

// Serving names the embedder whose index answers searches, and the one
// being filled in the background ("" when none is).
func (s *Statuses) Serving() (serving, filling string) {
	if p := s.prev.Load(); p != nil {
		return p.Emb.Name(), s.emb.Name()
	}
	return s.emb.Name(), ""
}

// searchTarget is the embedder and index that answer queries now.
func (s *Statuses) searchTarget() (TextEmbedder, *Index) {
	if p := s.prev.Load(); p != nil {
		return p.Emb, p.Index
	}
	return s.emb, s.index
}

// retirePrevious switches searches to the new index once the embedding
// job has caught up with the backlog.
func (s *Statuses) retirePrevious() {
	p := s.prev.Swap(nil)
	if p == nil {
		return
	}
	s.index.SetNote("")
	s.log.Info("search: every status embedded under the new embedder; searches use its index now",
		"embedder", s.emb.Name(), "vectors", s.index.Len(), "previous", p.Emb.Name())
	time.AfterFunc(retireGrace, func() { _ = p.Index.Close() })
}

// SnapshotEmbedder returns the embedder name of the statuses' snapshot in
// dir, or "" when there is none (or it is unreadable: the caller then
// builds from the database as usual).
func SnapshotEmbedder(dir string) string {
	raw, err := os.ReadFile(filepath.Join(dir, "statuses.json"))
	if err != nil {
		return ""
	}
	var meta snapshotMeta
	if json.Unmarshal(raw, &meta) != nil {
		return ""
	}
	return meta.Embedder
}

// OpenPrevious loads the previous embedder's index from its snapshot in
// dir and catches it up with that embedder's stored vectors.
func OpenPrevious(ctx context.Context, emb TextEmbedder, idx *Index, dir string) (*Previous, error) {
	if err := idx.Load(dir, emb.Name()); err != nil {
		return nil, err
	}
	if _, err := idx.CatchUp(ctx); err != nil {
		return nil, err
	}
	return &Previous{Emb: emb, Index: idx}, nil
}

// ClosePrevious frees the previous embedder's index, if one still serves
// (at shutdown, after its snapshot is saved).
func (s *Statuses) ClosePrevious() {
	if p := s.prev.Swap(nil); p != nil {
		_ = p.Index.Close()
	}
}
