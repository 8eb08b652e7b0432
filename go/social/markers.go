package social

import (
	"context"
	"slices"

	"github.com/starling-social/starling/go/store"
)

// markerTimelines are the timelines that have markers, Mastodon's two.
var markerTimelines = []string{store.MarkerHome, store.MarkerNotifications}

// MarkerInput is a read position a client saves: the ID of the last status
// (home) or notification (notifications) read.
type MarkerInput struct {
	Timeline   string
	LastReadID int64
}

// Markers returns viewer's markers among timelines; names other than home
// and notifications are ignored, as Mastodon ignores them, and so are
// timelines without a marker yet.
func (s *Service) Markers(ctx context.Context, viewer *store.Account, timelines []string) ([]*store.Marker, error) {
	var known []string
	for _, t := range markerTimelines {
		if slices.Contains(timelines, t) {
			known = append(known, t)
		}
	}
	if len(known) == 0 {
		return nil, nil
	}
	ms, err := s.store.GetMarkers(ctx, viewer.ID, known)
	if err != nil {
		return nil, internal("social.Markers", err)
	}
	return ms, nil
}

// SaveMarkers stores viewer's read positions and returns the markers as
// stored, each with its new version. Every write increments the version,
// and concurrent writes are each counted, so Mastodon's 409 (a stale
// optimistic lock) never happens here. An account holds at most one marker
// per timeline, so at most two rows.
func (s *Service) SaveMarkers(ctx context.Context, viewer *store.Account, in []MarkerInput) ([]*store.Marker, error) {
	const op = "social.SaveMarkers"
	now := s.nowUTC()
	out := make([]*store.Marker, 0, len(in))
	for _, m := range in {
		if !slices.Contains(markerTimelines, m.Timeline) {
			return nil, invalid(op, "Validation failed: Timeline is not included in the list")
		}
		if m.LastReadID <= 0 {
			return nil, invalid(op, "Validation failed: Last read ID can't be blank")
		}
		mk := &store.Marker{AccountID: viewer.ID, Timeline: m.Timeline, LastReadID: m.LastReadID, UpdatedAt: now}
		if err := s.store.PutMarker(ctx, mk); err != nil {
			return nil, internal(op, err)
		}
		out = append(out, mk)
	}
	return out, nil
}
