package search

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/starling-social/starling/go/store"
)

// TextEmbedder turns text into a unit vector. Name identifies the model
// and its version: vectors made under another name are not comparable, so
// an index snapshot is tagged with it.
type TextEmbedder interface {
	Name() string
	Dim() int
	// Embed returns the unit vector for text, or nil if it has no words.
	Embed(text string) []float32
}

// MinScore is the lowest cosine similarity returned: below it a "match"
// shares nothing with the query and would only be noise.
const MinScore = 0.05

// tombstoneWindow is how long a deleted ID is remembered against late adds.
const tombstoneWindow = 10 * time.Minute

// Statuses is the status search service: it keeps the statuses' index in
// step with what is posted and deleted, and answers queries with status
// IDs, best first.
type Statuses struct {
	emb   TextEmbedder
	index *Index
	log   *slog.Logger
}

// NewStatuses returns a search service over index, whose vectors must come
// from emb.
func NewStatuses(emb TextEmbedder, index *Index, log *slog.Logger) *Statuses {
	if log == nil {
		log = slog.Default()
	}
	return &Statuses{emb: emb, index: index, log: log}
}

// Index is the statuses' vector index.
func (s *Statuses) Index() *Index { return s.index }

// Open makes the index current at start: it loads the snapshot in dir (if
// any, made with the same embedder), or else builds from the source, then
// catches up past the snapshot's high-water mark. dir "" skips snapshots.
func (s *Statuses) Open(ctx context.Context, dir string) error {
	start := time.Now()
	from := "snapshot"
	err := errors.New("no snapshot directory")
	if dir != "" {
		err = s.index.Load(dir, s.emb.Name())
	}
	if err != nil {
		if dir != "" && !errors.Is(err, ErrNoSnapshot) {
			s.log.Warn("search: unusable index snapshot; rebuilding from the database", "err", err)
		}
		from = "database"
		if _, err := s.index.Rebuild(ctx); err != nil {
			return err
		}
	}
	n, err := s.index.CatchUp(ctx)
	if err != nil {
		return err
	}
	st, err := s.index.Status()
	if err != nil {
		return err
	}
	s.log.Info("search: status index ready", "from", from, "kind", st.Kind, "vectors", st.Vectors,
		"caught_up", n, "memory_bytes", st.MemoryBytes, "took", time.Since(start).Round(time.Millisecond))
	return nil
}

// Save writes the index snapshot into dir.
func (s *Statuses) Save(dir string) error { return s.index.Save(dir, s.emb.Name()) }

// StatusCreated adds a newly stored status to the index. Failure is logged,
// not returned: the status is stored, and catch-up or a rebuild indexes it.
func (s *Statuses) StatusCreated(ctx context.Context, st *store.Status) {
	if st.Embedding == nil {
		return
	}
	if _, err := s.index.Add([]store.StatusEmbedding{{StatusID: st.ID, Embedding: st.Embedding}}); err != nil {
		s.log.ErrorContext(ctx, "search: index status", "status_id", st.ID, "err", err)
	}
}

// StatusesDeleted removes deleted statuses from the index. Failure is
// logged, not returned: the statuses are deleted in SQL, search skips IDs
// it cannot load, and the next rebuild leaves them out.
func (s *Statuses) StatusesDeleted(ctx context.Context, ids []int64) {
	if _, err := s.index.Remove(ids); err != nil {
		s.log.ErrorContext(ctx, "search: remove statuses", "status_ids", ids, "err", err)
	}
}

// SearchStatusIDs returns up to k status IDs most similar to query, best
// first, leaving out those below MinScore.
func (s *Statuses) SearchStatusIDs(ctx context.Context, query string, k int) ([]int64, error) {
	q := s.emb.Embed(query)
	if q == nil || k <= 0 {
		return nil, nil
	}
	hits, err := s.index.Search(q, k, nil)
	if err != nil {
		return nil, fmt.Errorf("search: statuses %q: %w", query, err)
	}
	var out []int64
	for _, h := range hits {
		if h.Score >= MinScore {
			out = append(out, h.ID)
		}
	}
	return out, nil
}
