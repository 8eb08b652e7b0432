package feed

import "sync/atomic"

// Counters count what the cached strategies do, for the server's metrics:
// fan-out throughput and how often a read is served by its cached
// timeline. They add up across strategy switches (Switch.Counters).
type Counters struct {
	FanoutStatuses  atomic.Int64 // statuses written into cached timelines
	FanoutTimelines atomic.Int64 // timeline writes they made (one per home, list or author timeline)
	FanoutFailures  atomic.Int64 // fan-outs that failed (the outbox delivers them again)
	ReadsHit        atomic.Int64 // pages served by a cached timeline
	ReadsRebuilt    atomic.Int64 // pages served after rebuilding a missing timeline from SQL
	ReadsSQL        atomic.Int64 // pages read from SQL: past the cached window, or the timeline store failed
}

// read counts a page read: state is the timeline's first answer, served
// whether the cached timeline answered in the end.
func (k *Counters) read(first PageState, served bool) {
	switch {
	case !served:
		k.ReadsSQL.Add(1)
	case first == Miss:
		k.ReadsRebuilt.Add(1)
	default:
		k.ReadsHit.Add(1)
	}
}
