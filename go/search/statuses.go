package search

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/trace"

	"github.com/starling-social/starling/go/store"
	"github.com/starling-social/starling/go/tracing"
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

// Embedder is a TextEmbedder that can also embed many texts at once and
// fail doing it (a remote service): the background embedding job uses it.
type Embedder interface {
	TextEmbedder
	EmbedBatch(ctx context.Context, texts []string) ([][]float32, error)
}

// VectorStore is where status vectors live, per embedder (the store).
type VectorStore interface {
	PutStatusVectors(ctx context.Context, embedder string, rows []store.StatusEmbedding) error
	ListStatusVectors(ctx context.Context, embedder string, afterID int64, limit int) ([]store.StatusEmbedding, error)
	ListAccountStatusVectors(ctx context.Context, embedder string, accountID, afterID int64, limit int) ([]store.StatusEmbedding, error)
	ListStatusesToEmbed(ctx context.Context, embedder string, afterID int64, limit int) ([]store.StatusText, error)
}

// EmbedderVectors is the VectorSource of one embedder's stored vectors.
type EmbedderVectors struct {
	Store    VectorStore
	Embedder string
}

// ListStatusEmbeddings pages through the embedder's vectors.
func (v EmbedderVectors) ListStatusEmbeddings(ctx context.Context, afterID int64, limit int) ([]store.StatusEmbedding, error) {
	return v.Store.ListStatusVectors(ctx, v.Embedder, afterID, limit)
}

// MinScore is the lowest cosine similarity returned, unless the embedder
// has its own MinScore method (a dense embedder's unrelated texts score
// higher than the hash embedder's): below it a "match" shares nothing with
// the query and would only be noise.
const MinScore = 0.05

// tombstoneWindow is how long a deleted ID is remembered against late adds.
const tombstoneWindow = 10 * time.Minute

// Statuses is the status search service: it keeps the statuses' index in
// step with what is posted and deleted, and answers queries with status
// IDs, best first.
type Statuses struct {
	emb     Embedder
	index   *Index
	vectors VectorStore
	inline  bool
	log     *slog.Logger

	prev     atomic.Pointer[Previous] // answers searches while emb's backlog is embedded
	nudge    chan struct{}            // wakes the embedding job
	embedded atomic.Int64             // vectors the job stored

	// Edited statuses the embedding job must embed again (see redoLater).
	redoMu sync.Mutex
	redo   []int64
	rescan bool // redo overflowed: the job scans every status again
}

// NewStatuses returns a search service over index, whose vectors must come
// from emb and are stored in vectors. inline embeds a new status as it is
// posted (a fast local embedder); otherwise the background job does
// (RunEmbedder), so a slow or failing service never holds up a post.
func NewStatuses(emb Embedder, index *Index, vectors VectorStore, inline bool, log *slog.Logger) *Statuses {
	if log == nil {
		log = slog.Default()
	}
	return &Statuses{emb: emb, index: index, vectors: vectors, inline: inline, log: log, nudge: make(chan struct{}, 1)}
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
// While a previous embedder serves, its index is the one saved: the new one
// is rebuilt from its stored vectors at the next start.
func (s *Statuses) Save(dir string) error {
	if p := s.prev.Load(); p != nil {
		return p.Index.Save(dir, p.Emb.Name())
	}
	return s.index.Save(dir, s.emb.Name())
}

// StatusCreated embeds a newly stored status, stores its vector and adds
// it to the index (inline), or wakes the embedding job. Failure is logged,
// not returned: the status is stored, and the job embeds it later.
func (s *Statuses) StatusCreated(ctx context.Context, st *store.Status) {
	if st.ReblogOfID != 0 {
		return // a reblog has no text of its own
	}
	if p := s.prev.Load(); p != nil { // searchable now, not only after the switch
		if v := p.Emb.Embed(statusText(st.SpoilerText, st.Text)); v != nil {
			if _, err := p.Index.Add([]store.StatusEmbedding{{StatusID: st.ID, Embedding: v}}); err != nil {
				s.log.ErrorContext(ctx, "search: index status (previous embedder)", "status_id", st.ID, "err", err)
			}
		}
	}
	if !s.inline {
		s.wake()
		return
	}
	v := s.embed(ctx, statusText(st.SpoilerText, st.Text))
	if v == nil {
		return
	}
	row := []store.StatusEmbedding{{StatusID: st.ID, Embedding: v}}
	if err := s.vectors.PutStatusVectors(ctx, s.emb.Name(), row); err != nil {
		s.log.ErrorContext(ctx, "search: store status vector", "status_id", st.ID, "err", err)
		s.wake()
		return
	}
	if err := s.add(ctx, row); err != nil {
		s.log.ErrorContext(ctx, "search: index status", "status_id", st.ID, "err", err)
	}
}

// embed embeds text under a span: with a remote embedder, this is where a
// slow post or search spends its time.
func (s *Statuses) embed(ctx context.Context, text string) []float32 {
	return embedTraced(ctx, s.emb, text)
}

// embedTraced embeds text with emb under a span.
func embedTraced(ctx context.Context, emb TextEmbedder, text string) []float32 {
	_, span := tracing.Child(ctx, "embed", trace.SpanKindInternal, attribute.String("embedder", emb.Name()))
	defer span.End()
	return emb.Embed(text)
}

// add adds rows to the index under a span (the Rust index call).
func (s *Statuses) add(ctx context.Context, rows []store.StatusEmbedding) error {
	_, span := tracing.Child(ctx, "vecsearch.Add", trace.SpanKindInternal, attribute.Int("vecsearch.vectors", len(rows)))
	_, err := s.index.Add(rows)
	tracing.End(span, err)
	return err
}

// statusText is what is embedded of a status: its content warning and text.
func statusText(spoiler, text string) string {
	return strings.TrimSpace(spoiler + "\n" + text)
}

func (s *Statuses) wake() {
	select {
	case s.nudge <- struct{}{}:
	default:
	}
}

// StatusEdited re-embeds an edited status, so search finds it by what it
// says now and no longer by the words the edit took out: inline, its
// stored vector is replaced and so is its index entry; otherwise its index
// entry is dropped (the edit deleted the stored vector) and the embedding
// job embeds it again, however old it is. Failure is logged, as for
// StatusCreated.
func (s *Statuses) StatusEdited(ctx context.Context, st *store.Status) {
	if st.ReblogOfID != 0 {
		return
	}
	var rows []store.StatusEmbedding
	if s.inline {
		if v := s.embed(ctx, statusText(st.SpoilerText, st.Text)); v != nil {
			rows = []store.StatusEmbedding{{StatusID: st.ID, Embedding: v}}
			if err := s.vectors.PutStatusVectors(ctx, s.emb.Name(), rows); err != nil {
				s.log.ErrorContext(ctx, "search: store edited status vector", "status_id", st.ID, "err", err)
				rows = nil
			}
		}
	}
	_, span := tracing.Child(ctx, "vecsearch.Replace", trace.SpanKindInternal, attribute.Int("vecsearch.vectors", len(rows)))
	_, err := s.index.Replace([]int64{st.ID}, rows)
	tracing.End(span, err)
	if err != nil {
		s.log.ErrorContext(ctx, "search: index edited status", "status_id", st.ID, "err", err)
	}
	if len(rows) == 0 {
		s.redoLater(st.ID)
	}
	if p := s.prev.Load(); p != nil {
		var old []store.StatusEmbedding
		if v := p.Emb.Embed(statusText(st.SpoilerText, st.Text)); v != nil {
			old = []store.StatusEmbedding{{StatusID: st.ID, Embedding: v}}
		}
		if _, err := p.Index.Replace([]int64{st.ID}, old); err != nil {
			s.log.ErrorContext(ctx, "search: index edited status (previous embedder)", "status_id", st.ID, "err", err)
		}
	}
}

// StatusesDeleted removes deleted statuses from the index. Failure is
// logged, not returned: the statuses are deleted in SQL, search skips IDs
// it cannot load, and the next rebuild leaves them out.
func (s *Statuses) StatusesDeleted(ctx context.Context, ids []int64) {
	if p := s.prev.Load(); p != nil {
		if _, err := p.Index.Remove(ids); err != nil {
			s.log.ErrorContext(ctx, "search: remove statuses (previous embedder)", "status_ids", ids, "err", err)
		}
	}
	_, span := tracing.Child(ctx, "vecsearch.Remove", trace.SpanKindInternal, attribute.Int("vecsearch.ids", len(ids)))
	_, err := s.index.Remove(ids)
	tracing.End(span, err)
	if err != nil {
		s.log.ErrorContext(ctx, "search: remove statuses", "status_ids", ids, "err", err)
	}
}

// AccountSuspended takes the statuses of a suspended account out of the
// index (suspended true), or puts them back from their stored vectors
// when the suspension is lifted: nothing is embedded again. Every process
// calls it, for the moderator's action reaches them all over the bus, as
// deletions do; catch-up and rebuilds read no suspended account's vectors
// (ListStatusVectors), so a restart does not bring them back. Failure is
// logged: the visibility rule hides the statuses from every read anyway.
func (s *Statuses) AccountSuspended(ctx context.Context, accountID int64, suspended bool) {
	if err := s.moderate(ctx, s.index, s.emb.Name(), accountID, suspended); err != nil {
		s.log.ErrorContext(ctx, "search: index after moderation", "account_id", accountID, "suspended", suspended, "err", err)
	}
	if p := s.prev.Load(); p != nil {
		if err := s.moderate(ctx, p.Index, p.Emb.Name(), accountID, suspended); err != nil {
			s.log.ErrorContext(ctx, "search: index after moderation (previous embedder)", "account_id", accountID, "err", err)
		}
	}
}

// moderate pages through accountID's vectors under embedder, removing
// them from idx or restoring them.
func (s *Statuses) moderate(ctx context.Context, idx *Index, embedder string, accountID int64, suspended bool) error {
	var after int64
	for {
		rows, err := s.vectors.ListAccountStatusVectors(ctx, embedder, accountID, after, buildPage)
		if err != nil || len(rows) == 0 {
			return err
		}
		if suspended {
			ids := make([]int64, len(rows))
			for i, r := range rows {
				ids[i] = r.StatusID
			}
			_, err = idx.Remove(ids)
		} else {
			_, err = idx.Restore(rows)
		}
		if err != nil {
			return err
		}
		after = rows[len(rows)-1].StatusID
	}
}

// SearchStatusIDs returns up to k status IDs most similar to query, best
// first, leaving out those below MinScore.
func (s *Statuses) SearchStatusIDs(ctx context.Context, query string, k int) ([]int64, error) {
	emb, idx := s.searchTarget()
	q := embedTraced(ctx, emb, query)
	if q == nil || k <= 0 {
		return nil, nil
	}
	floor := float32(MinScore)
	if f, ok := emb.(interface{ MinScore() float32 }); ok {
		floor = f.MinScore()
	}
	_, span := tracing.Child(ctx, "vecsearch.Search", trace.SpanKindInternal,
		attribute.Int("vecsearch.k", k), attribute.Int("vecsearch.size", idx.Len()))
	if span.IsRecording() {
		nprobe, candidates := idx.Plan(k)
		span.SetAttributes(attribute.Int("vecsearch.nprobe", nprobe), attribute.Int("vecsearch.candidates", candidates))
	}
	hits, err := idx.Search(q, k, nil)
	span.SetAttributes(attribute.Int("vecsearch.hits", len(hits)))
	tracing.End(span, err)
	if err != nil {
		return nil, fmt.Errorf("search: statuses %q: %w", query, err)
	}
	var out []int64
	for _, h := range hits {
		if h.Score >= floor {
			out = append(out, h.ID)
		}
	}
	return out, nil
}
