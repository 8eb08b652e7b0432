package social

import (
	"cmp"
	"context"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/trace"

	"github.com/starling-social/starling/go/store"
	"github.com/starling-social/starling/go/tracing"
)

// The outbox is the one flow by which a committed status reaches its
// consumers: the search index, the home feed (fan-out) and the streams.
// Posting writes the status and its outbox event in one transaction
// (StatusWrite.OutboxAt), and the post is acknowledged once that commits:
// with Config.DeliveryWorkers the delivery runs off the request, on a
// worker, so the acknowledgement does not wait for a fan-out to thousands
// of timelines. Only a status whose author has at most
// Config.InlineAudience followers is delivered before the answer (a
// bounded cost: its author and followers read it at once). When the
// queue is full the status waits in the outbox instead. The event is
// deleted after delivery, in a batch. If the process dies before that,
// the relay (RunOutboxRelay, in every server process) claims the event
// once its lease has run out and delivers it again. Delivery is thus at
// least once, and every consumer applies it idempotently: the index and
// the cached timelines skip a status they hold; a stream may see an update
// twice after a crash.

// OutboxLease is how long a status's deliverer has before another process
// may claim its event and deliver it again.
const OutboxLease = 10 * time.Second

// outboxBatch bounds the events one relay pass claims.
const outboxBatch = 200

// maxRetry bounds the statuses whose delivery failed in this process and
// that its relay tries again before their lease runs out; past it, they
// wait for their lease.
const maxRetry = 4096

// relayList holds status IDs for the relay's next pass: the statuses
// delivered whose events await deletion (one DeleteOutbox per pass rather
// than a write per post), or those whose delivery failed (retried at once
// once the timeline store answers). max bounds it (0: no bound; the
// delivered list is emptied every pass).
type relayList struct {
	mu  sync.Mutex
	ids []int64
	max int
}

func (l *relayList) add(ids ...int64) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.max > 0 {
		ids = ids[:min(len(ids), max(0, l.max-len(l.ids)))]
	}
	l.ids = append(l.ids, ids...)
}

func (l *relayList) take() []int64 {
	l.mu.Lock()
	defer l.mu.Unlock()
	ids := l.ids
	l.ids = nil
	return ids
}

// deliveryQueue holds the committed statuses waiting for a delivery
// worker. Enqueueing never blocks: a full (or stopped) queue leaves the
// status to the outbox relay.
type deliveryQueue struct {
	mu      sync.Mutex
	cond    sync.Cond // signalled when pending drops to zero
	jobs    chan delivery
	running bool
	pending int // enqueued and not yet delivered
	workers sync.WaitGroup

	overflowed atomic.Int64 // statuses left to the relay by a full queue
}

// delivery is one committed status to deliver; ctx keeps the request's
// values (its trace) without its cancellation.
type delivery struct {
	ctx       context.Context
	st        *store.Status
	tags      []string
	mentioned []int64
}

// deliveryQueueSize bounds the statuses waiting for a worker; beyond it
// they wait in the outbox (durable, and claimable by any process).
const deliveryQueueSize = 4096

// enqueue hands d to a worker; false when none runs or the queue is full.
func (q *deliveryQueue) enqueue(d delivery) bool {
	q.mu.Lock()
	defer q.mu.Unlock()
	if !q.running {
		return false
	}
	select {
	case q.jobs <- d:
		q.pending++
		return true
	default:
		q.overflowed.Add(1)
		return false
	}
}

// start runs n workers delivering with deliver.
func (q *deliveryQueue) start(n int, deliver func(delivery)) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.running || n <= 0 {
		return
	}
	if q.cond.L == nil {
		q.cond.L = &q.mu
	}
	q.jobs, q.running = make(chan delivery, deliveryQueueSize), true
	for range n {
		q.workers.Add(1)
		go func(jobs <-chan delivery) {
			defer q.workers.Done()
			for d := range jobs {
				deliver(d)
				q.mu.Lock()
				if q.pending--; q.pending == 0 {
					q.cond.Broadcast()
				}
				q.mu.Unlock()
			}
		}(q.jobs)
	}
}

// stop lets the workers deliver what is queued, then ends them.
func (q *deliveryQueue) stop() {
	q.mu.Lock()
	if !q.running {
		q.mu.Unlock()
		return
	}
	q.running = false
	close(q.jobs) // no sender left: they enqueue under mu, while running
	q.mu.Unlock()
	q.workers.Wait()
}

// wait returns once nothing is queued or being delivered.
func (q *deliveryQueue) wait() {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.cond.L == nil {
		return // never started
	}
	for q.pending > 0 {
		q.cond.Wait()
	}
}

// deliver delivers a committed status by author: on a worker when the
// author's audience is over Config.InlineAudience and a worker has room,
// else on the caller (the request).
func (s *Service) deliver(ctx context.Context, author *store.Account, st *store.Status, tags []string, mentioned []int64) {
	if author.FollowersCount > int64(s.cfg.InlineAudience) && s.cfg.DeliveryWorkers > 0 {
		d := delivery{ctx: context.WithoutCancel(ctx), st: st, tags: tags, mentioned: mentioned}
		if s.queue.enqueue(d) {
			return
		}
		if s.queueRunning() {
			// Full: the status is in the outbox, whose relay delivers it
			// after its lease; the request does not wait for a backlog.
			s.log.WarnContext(ctx, "outbox: delivery queue full; left to the relay", "status", st.ID)
			return
		}
	}
	s.deliverStatus(ctx, st, tags, mentioned)
}

func (s *Service) queueRunning() bool {
	s.queue.mu.Lock()
	defer s.queue.mu.Unlock()
	return s.queue.running
}

// startDeliveries starts the delivery workers.
func (s *Service) startDeliveries() {
	s.queue.start(s.cfg.DeliveryWorkers, func(d delivery) { s.deliverStatus(d.ctx, d.st, d.tags, d.mentioned) })
}

// WaitDelivered returns once every status handed to the delivery workers
// has been delivered (tests, and a drain before shutdown).
func (s *Service) WaitDelivered() { s.queue.wait() }

// DeliveryStats are the delivery queue's length and the statuses a full
// queue left to the relay since the start (metrics).
func (s *Service) DeliveryStats() (queued int, overflowed int64) {
	s.queue.mu.Lock()
	defer s.queue.mu.Unlock()
	return s.queue.pending, s.queue.overflowed.Load()
}

// outboxAt is when a status written now becomes claimable by the relay.
func (s *Service) outboxAt() time.Time { return s.nowUTC().Add(OutboxLease) }

// deliverStatus hands a committed status to its consumers and marks its
// outbox event done, unless the fan-out failed (the timeline store is
// down): the event then stays, and the relay delivers it again, at its
// next pass if the store is back by then (retryFailed), else after its
// lease. It reports whether the fan-out succeeded.
func (s *Service) deliverStatus(ctx context.Context, st *store.Status, tags []string, mentioned []int64) bool {
	ctx, span := tracing.Child(ctx, "outbox.deliver", trace.SpanKindInternal, attribute.Int64("status.id", st.ID))
	if s.index != nil {
		s.index.StatusCreated(ctx, st)
	}
	err := s.publishStatus(ctx, st, tags, mentioned)
	tracing.End(span, err)
	if err != nil {
		s.log.WarnContext(ctx, "outbox: delivery failed; the relay retries", "status", st.ID, "err", err)
		s.retry.add(st.ID)
		return false
	}
	s.done.add(st.ID)
	return true
}

// RelayOutbox delivers again the statuses whose delivery failed in this
// process (retryFailed), deletes the events delivered since the last pass
// (those just retried among them, so that the claim below does not
// deliver them twice), then claims and delivers the events whose
// deliverer did not finish (it crashed, or another process's lease ran
// out); it returns how many of those it delivered (those whose fan-out
// failed again are not counted). A status deleted meanwhile took its
// event with it.
func (s *Service) RelayOutbox(ctx context.Context) (_ int, err error) {
	const op = "social.RelayOutbox"
	retryErr := s.retryFailed(ctx)
	if ids := s.done.take(); len(ids) > 0 {
		if err := s.store.DeleteOutbox(ctx, ids); err != nil {
			// They will be delivered again after their lease: harmless.
			s.log.WarnContext(ctx, "outbox: deleting delivered events", "n", len(ids), "err", err)
		}
	}
	if retryErr != nil {
		return 0, internal(op, retryErr)
	}
	ids, err := s.store.ClaimOutbox(ctx, s.nowUTC(), OutboxLease, outboxBatch)
	if err != nil || len(ids) == 0 {
		return 0, internalOrNil(op, err)
	}
	// A trace of its own only when there is something to redeliver (an
	// idle relay would otherwise make one every pass), linked to the
	// requests that posted the statuses.
	ctx, span := tracing.Tracer().Start(ctx, "outbox.relay", trace.WithSpanKind(trace.SpanKindInternal),
		trace.WithAttributes(attribute.Int("outbox.claimed", len(ids))), trace.WithLinks(s.postingLinks(ctx, ids)...))
	defer func() { tracing.End(span, err) }()
	delivered, _, err := s.deliverPending(ctx, ids, false)
	if err != nil {
		return 0, internal(op, err)
	}
	s.log.InfoContext(ctx, "outbox: delivered pending statuses", "n", delivered, "claimed", len(ids))
	return delivered, nil
}

// retryFailed delivers again, in ID order, the statuses whose delivery
// failed in this process, without waiting for their lease: the timeline
// store that failed a moment ago may answer again (a Redis that came back
// empty has its timelines rebuilt from SQL; one that kept them, after a
// partition, would otherwise miss these statuses until the lease ran
// out). It stops at the first that fails again (the store is still down)
// and keeps the rest for the next pass, so a store that is down costs one
// attempt a pass.
func (s *Service) retryFailed(ctx context.Context) error {
	ids := s.retry.take()
	slices.Sort(ids)
	ids = slices.Compact(ids) // one that failed again after its lease was listed twice
	for at := 0; at < len(ids); at += outboxBatch {
		next := min(at+outboxBatch, len(ids))
		_, left, err := s.deliverPending(ctx, ids[at:next], true)
		if err != nil { // not read: the whole batch waits for the next pass
			s.retry.add(ids[at:]...)
			return err
		}
		if len(left) > 0 {
			s.retry.add(append(left, ids[next:]...)...)
			return nil
		}
	}
	return nil
}

// deliverPending delivers the committed statuses ids, in ID order, with
// their tags and mentions (a status deleted meanwhile is skipped), and
// returns how many it delivered. With stop, it stops at the first whose
// fan-out fails and returns the IDs after it (the failed one is on the
// retry list already).
func (s *Service) deliverPending(ctx context.Context, ids []int64, stop bool) (delivered int, left []int64, err error) {
	sts, err := s.store.GetStatusesByIDs(ctx, ids)
	if err != nil {
		return 0, nil, err
	}
	tags, err := s.store.GetStatusTags(ctx, ids)
	if err != nil {
		return 0, nil, err
	}
	mentions, err := s.store.GetStatusMentions(ctx, ids)
	if err != nil {
		return 0, nil, err
	}
	slices.SortFunc(sts, func(a, b *store.Status) int { return cmp.Compare(a.ID, b.ID) })
	for i, st := range sts {
		if s.deliverStatus(ctx, st, tags[st.ID], mentions[st.ID]) {
			delivered++
			continue
		}
		if stop {
			for _, rest := range sts[i+1:] {
				left = append(left, rest.ID)
			}
			return delivered, left, nil
		}
	}
	return delivered, nil, nil
}

// postingLinks returns links to the spans of the requests that posted the
// statuses ids (those that were traced). Best effort: without them the
// relay's trace stands alone.
func (s *Service) postingLinks(ctx context.Context, ids []int64) []trace.Link {
	tps, err := s.store.GetOutboxTraceParents(ctx, ids)
	if err != nil {
		s.log.WarnContext(ctx, "outbox: reading trace parents", "err", err)
		return nil
	}
	links := make([]trace.Link, 0, len(tps))
	for _, tp := range tps {
		if l, ok := tracing.LinkTo(tp); ok {
			links = append(links, l)
		}
	}
	return links
}

// RunOutboxRelay runs the delivery workers (Config.DeliveryWorkers) and
// RelayOutbox every interval until ctx ends, the relay first at once (what
// a crashed predecessor left), and again at once after a pass that
// delivered a whole batch: a backlog (the fan-outs that failed while the
// timeline store was down) drains as fast as it is delivered, not a batch
// per interval. A pass whose fan-outs fail waits for the interval. On the
// way out the workers deliver what is queued before the delivered events
// are deleted.
func (s *Service) RunOutboxRelay(ctx context.Context, interval time.Duration) {
	s.startDeliveries()
	defer s.queue.stop()
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		n, err := s.RelayOutbox(ctx)
		if err != nil && ctx.Err() == nil {
			s.log.ErrorContext(ctx, "outbox relay", "err", err)
		}
		if n == outboxBatch && ctx.Err() == nil {
			continue
		}
		select {
		case <-ctx.Done():
			s.queue.stop()
			// Delete what was delivered, so a restart does not deliver it again.
			if ids := s.done.take(); len(ids) > 0 {
				_ = s.store.DeleteOutbox(context.WithoutCancel(ctx), ids)
			}
			return
		case <-t.C:
		}
	}
}

func internalOrNil(op string, err error) error {
	if err == nil {
		return nil
	}
	return internal(op, err)
}
