package seed

import (
	"runtime"
	"sync"
	"time"

	"github.com/starling-social/starling/go/snowflake"
	"github.com/starling-social/starling/go/store"
)

// Phases of Batches, in the order their rows may reference each other.
const (
	phaseAccounts = iota
	phaseFollows
	phaseStatuses
	phaseBoosts
	phaseFavourites
	phaseDone
)

// Batches hands out the plan's rows, at most Config.Batch per batch
// (statuses count once with their vector), for store.BulkLoader.BulkLoad.
type Batches struct {
	p     *Plan
	phase int
	next  int // index within the phase
	// Progress, if set, is told each phase's name and rows done so far.
	Progress func(phase string, done, total int)
}

// Batches starts handing out p's rows.
func (p *Plan) Batches() *Batches { return &Batches{p: p} }

// Next returns the next batch, nil after the last.
func (b *Batches) Next() (*store.BulkBatch, error) {
	n := b.p.cfg.Batch
	for b.phase < phaseDone {
		var out *store.BulkBatch
		switch b.phase {
		case phaseAccounts:
			out = b.accounts(n)
		case phaseFollows:
			out = b.follows(n)
		case phaseStatuses:
			out = b.statuses(n)
		case phaseBoosts:
			out = b.boosts(n)
		case phaseFavourites:
			out = b.favourites(n)
		}
		if out != nil {
			if b.Progress != nil {
				b.Progress(phaseNames[b.phase], b.next, b.total())
			}
			return out, nil
		}
		b.phase, b.next = b.phase+1, 0
	}
	return nil, nil
}

var phaseNames = [...]string{"accounts", "follows", "statuses", "boosts", "favourites"}

func (b *Batches) total() int {
	p := b.p
	return [...]int{len(p.accID), len(p.follows), len(p.statID), len(p.boosts), len(p.favs)}[b.phase]
}

// span returns the next range of at most n rows of the phase, or false.
func (b *Batches) span(n int) (lo, hi int, ok bool) {
	lo, hi = b.next, min(b.next+n, b.total())
	b.next = hi
	return lo, hi, lo < hi
}

func (b *Batches) accounts(n int) *store.BulkBatch {
	lo, hi, ok := b.span(n)
	if !ok {
		return nil
	}
	p := b.p
	created := p.cfg.Now.Add(-2 * p.cfg.Span)
	out := &store.BulkBatch{Accounts: make([]*store.Account, 0, hi-lo)}
	for i := lo; i < hi; i++ {
		a := &store.Account{ID: p.accID[i], Username: p.usernames[i], DisplayName: displayName(p.usernames[i]),
			PasswordHash: p.cfg.PasswordHash, Discoverable: true, CreatedAt: created,
			FollowersCount: int64(p.followers[i]), FollowingCount: int64(p.following[i]), StatusesCount: int64(p.accStatus[i])}
		if p.cfg.PasswordHash == "" {
			a.PasswordHash = "!" // no bcrypt hash: no password matches
		}
		if p.accLastAt[i] != 0 {
			t := time.UnixMicro(p.accLastAt[i]).UTC()
			a.LastStatusAt = &t
		}
		out.Accounts = append(out.Accounts, a)
	}
	return out
}

// displayName is "Word 1a" for "word_1a".
func displayName(username string) string {
	b := []byte(username)
	for i := range b {
		if b[i] == '_' {
			b[i] = ' '
		}
	}
	if len(b) > 0 && b[0] >= 'a' && b[0] <= 'z' {
		b[0] -= 'a' - 'A'
	}
	return string(b)
}

func (b *Batches) follows(n int) *store.BulkBatch {
	lo, hi, ok := b.span(n)
	if !ok {
		return nil
	}
	p := b.p
	at := p.cfg.Now.Add(-p.cfg.Span - time.Hour)
	base := snowflake.FromTime(at)
	out := &store.BulkBatch{Follows: make([]*store.Follow, 0, hi-lo)}
	for i := lo; i < hi; i++ {
		f := p.follows[i]
		out.Follows = append(out.Follows, &store.Follow{ID: base + int64(i), AccountID: p.accID[f[0]],
			TargetAccountID: p.accID[f[1]], ShowReblogs: true, CreatedAt: at})
	}
	return out
}

func (b *Batches) statuses(n int) *store.BulkBatch {
	lo, hi, ok := b.span(n)
	if !ok {
		return nil
	}
	p := b.p
	out := &store.BulkBatch{Statuses: make([]*store.Status, hi-lo)}
	for i := lo; i < hi; i++ {
		text := p.text(i)
		out.Statuses[i-lo] = &store.Status{ID: p.statID[i], AccountID: p.accID[p.statAuthor[i]], Text: text,
			Content: p.cfg.Render(text), Visibility: p.statVis[i], Language: "en",
			CreatedAt: time.UnixMicro(p.statAt[i]).UTC(), FavouritesCount: int64(p.statFavs[i]), ReblogsCount: int64(p.statBoosts[i])}
	}
	if p.cfg.Embedder != nil {
		out.Embedder = p.cfg.Embedder.Name()
		out.Vectors = embedAll(p.cfg.Embedder, out.Statuses)
	}
	return out
}

// embedAll embeds the statuses' texts on every CPU (the embedder is
// read-only, so safe to share).
func embedAll(e Embedder, sts []*store.Status) []store.StatusEmbedding {
	vs := make([][]float32, len(sts))
	workers := max(1, min(runtime.GOMAXPROCS(0), len(sts)))
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := w; i < len(sts); i += workers {
				vs[i] = e.Embed(sts[i].Text)
			}
		}()
	}
	wg.Wait()
	out := make([]store.StatusEmbedding, 0, len(sts))
	for i, v := range vs {
		if len(v) > 0 { // a text with nothing to embed has no vector, as when posted
			out = append(out, store.StatusEmbedding{StatusID: sts[i].ID, Embedding: v})
		}
	}
	return out
}

func (b *Batches) boosts(n int) *store.BulkBatch {
	lo, hi, ok := b.span(n)
	if !ok {
		return nil
	}
	p := b.p
	out := &store.BulkBatch{Statuses: make([]*store.Status, 0, hi-lo)}
	for i := lo; i < hi; i++ {
		x := p.boosts[i]
		out.Statuses = append(out.Statuses, &store.Status{ID: p.boostID[i], AccountID: p.accID[x[0]],
			ReblogOfID: p.statID[x[1]], Visibility: store.VisibilityPublic, Language: "en",
			CreatedAt: time.UnixMicro(p.boostAt[i]).UTC()})
	}
	return out
}

func (b *Batches) favourites(n int) *store.BulkBatch {
	lo, hi, ok := b.span(n)
	if !ok {
		return nil
	}
	p := b.p
	out := &store.BulkBatch{Favourites: make([]*store.Favourite, 0, hi-lo)}
	for i := lo; i < hi; i++ {
		x := p.favs[i]
		out.Favourites = append(out.Favourites, &store.Favourite{ID: p.favID[i], AccountID: p.accID[x[0]],
			StatusID: p.statID[x[1]], CreatedAt: time.UnixMicro(p.favAt[i]).UTC()})
	}
	return out
}
