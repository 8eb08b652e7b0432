package mastodon

import (
	"context"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/starling-social/starling/go/store"
)

// trendScanStore counts the trend scans, the expensive reads behind
// /api/v1/trends.
type trendScanStore struct {
	store.Store
	tagScans, statusScans atomic.Int32
}

func (s *trendScanStore) ListTagUses(ctx context.Context, since, until time.Time, limit int) ([]store.TagUse, error) {
	s.tagScans.Add(1)
	return s.Store.ListTagUses(ctx, since, until, limit)
}

func (s *trendScanStore) ListStatusEngagement(ctx context.Context, since, until time.Time, limit int) ([]store.StatusEngagement, error) {
	s.statusScans.Add(1)
	return s.Store.ListStatusEngagement(ctx, since, until, limit)
}

// TestTrendsScannedOncePerMinute: however many callers ask, anonymous or
// signed in, at once or one after another, the trend scans run once per
// minute (the rankings are shared), and every caller still gets its page
// and its own filters.
func TestTrendsScannedOncePerMinute(t *testing.T) {
	onBothStores(t, func(t *testing.T, st store.Store) {
		ts := &trendScanStore{Store: st}
		e := newStreamEnvOn(t, ts)
		_, aliceTok := e.user("alice", "read write follow")
		bob, bobTok := e.user("bob", "read write follow")
		liked := mxPost(e, aliceTok, "#birds are out", "public", "")
		bobs := mxPost(e, bobTok, "#birds and #cats", "public", "")
		mxOK(e, http.MethodPost, "/api/v1/statuses/"+liked+"/favourite", bobTok)
		mxOK(e, http.MethodPost, "/api/v1/statuses/"+bobs+"/favourite", aliceTok)
		mxOK(e, http.MethodPost, "/api/v1/accounts/"+formatID(bob.ID)+"/block", aliceTok)

		var wg sync.WaitGroup
		for range 8 {
			wg.Go(func() {
				for range 5 {
					for _, tok := range []string{"", aliceTok} {
						tags := decodeList(t, e.get("/api/v1/trends/tags", tok))
						if len(tags) != 2 || tags[0]["name"] != "birds" {
							t.Errorf("trending tags = %v, want birds first of two", tags)
						}
						sts := mxIDs(e, "/api/v1/trends/statuses", tok)
						// alice blocked bob: his status leaves her trends only.
						if want := tok == ""; !sts[liked] || sts[bobs] != want {
							t.Errorf("trending statuses for %q = %v, want %s and bob's %t", tok, sts, liked, want)
						}
					}
				}
			})
		}
		wg.Wait()
		if n, m := ts.tagScans.Load(), ts.statusScans.Load(); n != 1 || m != 1 {
			t.Errorf("80 trend requests of each kind scanned tags %d and statuses %d times, want once each", n, m)
		}
	})
}
