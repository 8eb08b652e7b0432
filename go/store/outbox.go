package store

import (
	"context"
	"time"
)

// Outbox holds the statuses whose delivery (home fan-out, streaming, the
// search index) is pending. PutStatusWrite adds a status's event in the
// status's own transaction (StatusWrite.OutboxAt), so an acknowledged
// status always has either been delivered or still has its event: a crash
// between commit and delivery loses nothing. Events are claimed under a
// lease, so several server processes share one outbox and an event whose
// deliverer died is claimed again when its lease runs out. An event goes
// with its status (a deleted status needs no delivery).
type Outbox interface {
	// ClaimOutbox leases up to limit events available at now (oldest
	// availability first), making them unavailable until now+lease, and
	// returns their status IDs. Concurrent claimers get disjoint events.
	ClaimOutbox(ctx context.Context, now time.Time, lease time.Duration, limit int) ([]int64, error)
	// DeleteOutbox removes the events of the delivered statuses ids;
	// missing ones are skipped.
	DeleteOutbox(ctx context.Context, ids []int64) error
	// GetOutboxTraceParents returns the trace parent stored with each of
	// the events of ids that has one (StatusWrite.OutboxTraceParent).
	GetOutboxTraceParents(ctx context.Context, ids []int64) (map[int64]string, error)
	// OldestOutbox returns the lowest status ID with a pending event (the
	// oldest status: IDs are snowflakes), 0 when none is (metrics).
	OldestOutbox(ctx context.Context) (int64, error)
	// CountOutbox returns how many events are pending (metrics, tests).
	CountOutbox(ctx context.Context) (int, error)
}
