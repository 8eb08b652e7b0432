package readcache_test

import (
	"testing"
	"time"

	"github.com/starling-social/starling/go/store"
	"github.com/starling-social/starling/go/store/readcache"
	"github.com/starling-social/starling/go/store/sqlite/sqlitetest"
)

// A cached relations answer ends when its first mute expires: asked again
// at or after the expiry, the mute is gone, with no write in between.
func TestRelationsEndWithTheirMute(t *testing.T) {
	ctx := t.Context()
	s := readcache.New(sqlitetest.NewStore(t), 0)
	at := time.Date(2026, 12, 6, 12, 0, 0, 0, time.UTC)
	var ids []int64
	for i, name := range []string{"me", "them"} {
		a := &store.Account{ID: int64(100 + i), Username: name, CreatedAt: at}
		if err := s.PutAccount(ctx, a); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, a.ID)
	}
	until := at.Add(time.Hour)
	if err := s.PutMute(ctx, &store.Mute{ID: 1, AccountID: ids[0], TargetAccountID: ids[1], ExpiresAt: &until, CreatedAt: at}); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		now   time.Time
		muted bool
	}{
		{at, true}, {at.Add(time.Minute), true}, // the second from the cache
		{until.Add(-time.Microsecond), true},
		{until, false}, {until.Add(time.Minute), false},
	} {
		r, err := s.GetViewerRelations(ctx, ids[0], tc.now)
		if err != nil {
			t.Fatal(err)
		}
		if got := len(r.Muted) == 1; got != tc.muted {
			t.Errorf("at %v: muted = %v, want %v", tc.now, got, tc.muted)
		}
	}
}
