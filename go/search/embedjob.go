package search

import (
	"context"
	"time"

	"github.com/starling-social/starling/go/snowflake"
	"github.com/starling-social/starling/go/store"
)

// embedBatch is how many statuses the embedding job reads at once.
const embedBatch = 64

// maxRedo bounds the edited statuses waiting for the embedding job; past
// it, the job scans every status again instead (as at start), so a burst
// of edits costs one scan, not unbounded memory.
const maxRedo = 1024

// RunEmbedder embeds, until ctx ends, every status that has no vector
// under the current embedder: the backlog at start (statuses stored while
// the service was down, or all of them after the embedder changed), then
// each new one as StatusCreated wakes it, or every interval, and each
// edited one StatusEdited hands it (redoLater). A failed batch
// is retried at the next wake-up; the server keeps serving meanwhile, with
// full-text search and the vectors it has. After a change of embedder the
// previous one's index (ServePrevious) answers searches until the backlog
// is done.
func (s *Statuses) RunEmbedder(ctx context.Context, interval time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	var cursor int64
	for {
		redo, rescan := s.takeRedo()
		if rescan {
			cursor = 0
		}
		if err := s.embedEdited(ctx, redo); err != nil && ctx.Err() == nil {
			s.log.Warn("search: embedding job (edited statuses); will retry", "err", err)
		}
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
	if err := s.embedTexts(ctx, todo); err != nil {
		return 0, err
	}
	*cursor = todo[len(todo)-1].ID
	return len(todo), nil
}

// embedTexts embeds todo, stores the vectors and adds the visible ones to
// the index.
func (s *Statuses) embedTexts(ctx context.Context, todo []store.StatusText) error {
	name := s.emb.Name()
	texts := make([]string, len(todo))
	for i, st := range todo {
		texts[i] = statusText(st.SpoilerText, st.Text)
	}
	vs, err := s.emb.EmbedBatch(ctx, texts)
	if err != nil {
		return err
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
		return err
	}
	if err := s.add(ctx, visible); err != nil {
		return err
	}
	if total := s.embedded.Add(int64(len(rows))); total/10_000 != (total-int64(len(rows)))/10_000 {
		s.log.Info("search: embedding job progress", "embedder", name, "embedded", total)
	}
	return nil
}

// redoLater hands the embedding job an edited status whose vector the
// edit deleted: the job's backlog scan looks only a little behind the
// newest status, and an edit may be of any.
func (s *Statuses) redoLater(id int64) {
	s.requeue([]int64{id})
	s.wake()
}

// takeRedo returns the edited statuses handed to the job since it last
// asked, and whether it must scan every status again instead.
func (s *Statuses) takeRedo() ([]int64, bool) {
	s.redoMu.Lock()
	defer s.redoMu.Unlock()
	redo, rescan := s.redo, s.rescan
	s.redo, s.rescan = nil, false
	if rescan {
		return nil, true // the scan from the start embeds them too
	}
	return redo, false
}

// embedEdited embeds the edited statuses in ids that still have no vector
// (deleted ones, and ones embedded meanwhile, are skipped). On failure
// they go back to the list, for the next wake-up.
func (s *Statuses) embedEdited(ctx context.Context, ids []int64) error {
	var todo []store.StatusText
	for i, id := range ids {
		next, err := s.vectors.ListStatusesToEmbed(ctx, s.emb.Name(), id-1, 1)
		if err != nil {
			s.requeue(append(textIDs(todo), ids[i:]...))
			return err
		}
		if len(next) == 1 && next[0].ID == id {
			todo = append(todo, next[0])
		}
	}
	for len(todo) > 0 {
		batch := todo[:min(embedBatch, len(todo))]
		if err := s.embedTexts(ctx, batch); err != nil {
			s.requeue(textIDs(todo))
			return err
		}
		todo = todo[len(batch):]
	}
	return nil
}

// textIDs are the IDs of sts.
func textIDs(sts []store.StatusText) []int64 {
	ids := make([]int64, len(sts))
	for i, st := range sts {
		ids[i] = st.ID
	}
	return ids
}

// requeue puts ids on the redo list (or asks for a rescan, past maxRedo)
// without waking the job.
func (s *Statuses) requeue(ids []int64) {
	s.redoMu.Lock()
	defer s.redoMu.Unlock()
	if len(s.redo)+len(ids) > maxRedo {
		s.rescan = true
		return
	}
	s.redo = append(s.redo, ids...)
}
