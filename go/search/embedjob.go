package search

import (
	"context"
	"time"

	"github.com/starling-social/starling/go/snowflake"
	"github.com/starling-social/starling/go/store"
)

// embedBatch is how many statuses the embedding job reads at once.
const embedBatch = 64

// RunEmbedder embeds, until ctx ends, every status that has no vector
// under the current embedder: the backlog at start (statuses stored while
// the service was down, or all of them after the embedder changed), then
// each new one as StatusCreated wakes it, or every interval. A failed batch
// is retried at the next wake-up; the server keeps serving meanwhile, with
// full-text search and the vectors it has. After a change of embedder the
// previous one's index (ServePrevious) answers searches until the backlog
// is done.
func (s *Statuses) RunEmbedder(ctx context.Context, interval time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	var cursor int64
	for {
		if err := s.embedBacklog(ctx, &cursor); err != nil && ctx.Err() == nil {
			s.log.Warn("search: embedding job; will retry", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-s.nudge:
		case <-t.C:
		}
		// Statuses commit out of ID order (several processes' clocks):
		// look a little behind the last one embedded.
		cursor = max(cursor-snowflake.FromTime(snowflake.Epoch.Add(catchUpLag)), 0)
	}
}

// embedBacklog embeds batches after *cursor until none is full; then every
// status has a vector under the current embedder, and a previous
// embedder's index stops serving.
func (s *Statuses) embedBacklog(ctx context.Context, cursor *int64) error {
	for {
		n, err := s.embedPending(ctx, cursor)
		if err != nil {
			return err
		}
		if n < embedBatch {
			s.retirePrevious()
			return nil
		}
	}
}

// embedPending embeds one batch after *cursor and advances it; it returns
// how many statuses it read.
func (s *Statuses) embedPending(ctx context.Context, cursor *int64) (int, error) {
	name := s.emb.Name()
	todo, err := s.vectors.ListStatusesToEmbed(ctx, name, *cursor, embedBatch)
	if err != nil || len(todo) == 0 {
		return 0, err
	}
	texts := make([]string, len(todo))
	for i, st := range todo {
		texts[i] = statusText(st.SpoilerText, st.Text)
	}
	vs, err := s.emb.EmbedBatch(ctx, texts)
	if err != nil {
		return 0, err
	}
	rows := make([]store.StatusEmbedding, 0, len(todo))
	visible := make([]store.StatusEmbedding, 0, len(todo))
	for i, v := range vs {
		if v != nil { // no words: nothing to find it by
			r := store.StatusEmbedding{StatusID: todo[i].ID, Embedding: v}
			rows = append(rows, r)
			if !todo[i].Hidden { // a suspended author's: stored for when it is lifted
				visible = append(visible, r)
			}
		}
	}
	if err := s.vectors.PutStatusVectors(ctx, name, rows); err != nil {
		return 0, err
	}
	if err := s.add(ctx, visible); err != nil {
		return 0, err
	}
	*cursor = todo[len(todo)-1].ID
	if total := s.embedded.Add(int64(len(rows))); total/10_000 != (total-int64(len(rows)))/10_000 {
		s.log.Info("search: embedding job progress", "embedder", name, "embedded", total)
	}
	return len(todo), nil
}
