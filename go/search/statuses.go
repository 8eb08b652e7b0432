package search

import (
	"context"
	"fmt"
	"log/slog"
	"sync"

	"github.com/starling-social/starling/go/store"
)

// VectorIndex is the part of a vecsearch index the service uses. Scores are
// inner products of unit vectors (higher is more similar).
type VectorIndex interface {
	Add(vectors []float32, ids []int64) error
	Remove(ids []int64) (int, error)
	Search(queries []float32, k int, ids []int64, scores []float32) (int, error)
	Len() (int, error)
}

// EmbeddingLister pages through the stored status vectors.
type EmbeddingLister interface {
	ListStatusEmbeddings(ctx context.Context, afterID int64, limit int) ([]store.StatusEmbedding, error)
}

// MinScore is the lowest cosine similarity returned: below it a "match"
// shares no words with the query and would only be noise.
const MinScore = 0.05

// Statuses is the status search service: it keeps the index in step with
// the stored vectors and answers queries with status IDs, best first.
type Statuses struct {
	emb   *HashEmbedder
	index VectorIndex
	store EmbeddingLister
	log   *slog.Logger

	// addMu serialises adds so Rebuild and StatusCreated never insert the
	// same status twice (the index is safe for concurrent use by itself).
	addMu   sync.Mutex
	indexed map[int64]struct{}
}

// NewStatuses returns a search service over index. index must be empty and
// of dimension emb.Dim(), using inner product.
func NewStatuses(emb *HashEmbedder, index VectorIndex, st EmbeddingLister, log *slog.Logger) *Statuses {
	if log == nil {
		log = slog.Default()
	}
	return &Statuses{emb: emb, index: index, store: st, log: log, indexed: map[int64]struct{}{}}
}

// rebuildBatch is how many vectors Rebuild reads and adds at once.
const rebuildBatch = 2048

// Rebuild loads every stored status vector into the index, logging progress.
// It returns the number of vectors added.
func (s *Statuses) Rebuild(ctx context.Context) (int, error) {
	var after int64
	total := 0
	for {
		rows, err := s.store.ListStatusEmbeddings(ctx, after, rebuildBatch)
		if err != nil {
			return total, fmt.Errorf("search: rebuild after %d: %w", after, err)
		}
		if len(rows) == 0 {
			break
		}
		n, err := s.add(rows)
		if err != nil {
			return total, fmt.Errorf("search: rebuild after %d: %w", after, err)
		}
		total += n
		after = rows[len(rows)-1].StatusID
		if total%(16*rebuildBatch) < n {
			s.log.Info("search index rebuild", "vectors", total)
		}
	}
	s.log.Info("search index ready", "vectors", total)
	return total, nil
}

// StatusCreated adds a newly stored status to the index. Failure is logged,
// not returned: the status is stored, and the next Rebuild indexes it.
func (s *Statuses) StatusCreated(ctx context.Context, st *store.Status) {
	if st.Embedding == nil {
		return
	}
	if _, err := s.add([]store.StatusEmbedding{{StatusID: st.ID, Embedding: st.Embedding}}); err != nil {
		s.log.ErrorContext(ctx, "search: index status", "status_id", st.ID, "err", err)
	}
}

// StatusEdited replaces an edited status's vector, so similarity search
// finds it by what it says now and no longer by the words an edit took
// out. Failure is logged, as for StatusCreated: the stored vector is the
// new one, and the next Rebuild indexes it.
func (s *Statuses) StatusEdited(ctx context.Context, st *store.Status) {
	s.addMu.Lock()
	_, err := s.index.Remove([]int64{st.ID})
	if err == nil {
		delete(s.indexed, st.ID)
	}
	s.addMu.Unlock()
	if err != nil {
		s.log.ErrorContext(ctx, "search: remove edited status", "status_id", st.ID, "err", err)
		return
	}
	s.StatusCreated(ctx, st)
}

func (s *Statuses) add(rows []store.StatusEmbedding) (int, error) {
	dim := s.emb.Dim()
	vecs := make([]float32, 0, len(rows)*dim)
	ids := make([]int64, 0, len(rows))
	s.addMu.Lock()
	defer s.addMu.Unlock()
	for _, r := range rows {
		if _, dup := s.indexed[r.StatusID]; dup {
			continue
		}
		if len(r.Embedding) != dim {
			// A vector from another embedder (a changed Dim): skip it rather
			// than fail the whole rebuild; re-embedding is an index job.
			s.log.Warn("search: skipping vector of wrong dimension", "status_id", r.StatusID, "dim", len(r.Embedding), "want", dim)
			continue
		}
		vecs = append(vecs, r.Embedding...)
		ids = append(ids, r.StatusID)
	}
	if len(ids) == 0 {
		return 0, nil
	}
	if err := s.index.Add(vecs, ids); err != nil {
		return 0, err
	}
	for _, id := range ids {
		s.indexed[id] = struct{}{}
	}
	return len(ids), nil
}

// SearchStatusIDs returns up to k status IDs most similar to query, best
// first, leaving out those below MinScore.
func (s *Statuses) SearchStatusIDs(ctx context.Context, query string, k int) ([]int64, error) {
	q := s.emb.Embed(query)
	size, err := s.index.Len()
	if err != nil {
		return nil, fmt.Errorf("search: statuses: %w", err)
	}
	// The index refuses k larger than its size; ask for what it has.
	k = min(k, size)
	if q == nil || k <= 0 {
		return nil, nil
	}
	ids := make([]int64, k)
	scores := make([]float32, k)
	n, err := s.index.Search(q, k, ids, scores)
	if err != nil {
		return nil, fmt.Errorf("search: statuses %q: %w", query, err)
	}
	out := ids[:0]
	for i := range n {
		if ids[i] >= 0 && scores[i] >= MinScore {
			out = append(out, ids[i])
		}
	}
	return out, nil
}
