package feed_test

import (
	"context"
	"math/rand/v2"
	"os"
	"slices"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/starling-social/starling/go/feed"
	"github.com/starling-social/starling/go/internal/redistest"
	"github.com/starling-social/starling/go/store"
)

// testRedis is the real Redis of STARLING_TEST_REDIS; tests keep to keys
// of their own prefix (testPrefix).
func testRedis(t *testing.T) redis.UniversalClient { return redistest.Client(t) }

func testPrefix() string { return redistest.Prefix() }

// cluster is the feed tests' three-master Redis Cluster (their port range
// is 7100-7199), started on first use.
var cluster = &redistest.Cluster{Ports: []int{7101, 7102, 7103}}

func testCluster(t *testing.T) redis.UniversalClient { return cluster.Client(t) }

func TestMain(m *testing.M) {
	code := m.Run()
	cluster.Stop()
	os.Exit(code)
}

// TestRedisTimelines checks the store's rules on Redis and Redis Cluster:
// a build keeps the writes made while it read SQL, an invalidation
// discards a build, the cap trims and makes older pages cold, a tag
// mismatch misses, and keys of one timeline share a slot.
func TestRedisTimelines(t *testing.T) {
	for name, client := range map[string]func(*testing.T) redis.UniversalClient{"redis": testRedis, "cluster": testCluster} {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			r := feed.NewRedis(client(t), testPrefix(), 3, time.Hour)
			if err := r.Load(ctx); err != nil {
				t.Fatal(err)
			}
			page := func(k feed.Key, tag uint64, p store.Page, want feed.PageState) []int64 {
				t.Helper()
				ids, state, err := r.Page(ctx, k, tag, p)
				if err != nil || state != want {
					t.Fatalf("Page(%v, %+v) = %v, state %v, err %v; want state %v", k, p, ids, state, err, want)
				}
				return ids
			}
			k := feed.HomeKey(1)
			page(k, 0, store.Page{Limit: 3}, feed.Miss)
			if n, err := r.Add(ctx, []feed.Key{k}, 5); err != nil || n != 0 { // absent: dropped
				t.Fatalf("Add to an absent timeline = %d, %v; want 0 written", n, err)
			}
			gen, err := r.BeginBuild(ctx, k)
			must(t, err)
			if n, err := r.Add(ctx, []feed.Key{k}, 9); err != nil || n != 1 {
				t.Fatalf("Add during a build = %d, %v; want 1 written", n, err)
			}
			must(t, r.Remove(ctx, []feed.Key{k}, 3))
			must(t, r.InstallBuild(ctx, k, gen, 0, []int64{5, 3, 1}, true))
			if got := page(k, 0, store.Page{Limit: 10}, feed.Hit); !slices.Equal(got, []int64{9, 5, 1}) {
				t.Fatalf("after build %v, want [9 5 1]", got)
			}
			// Only a status whose ID ends in 0 trims: past the cap, the
			// timeline stays complete until one comes.
			if _, err := r.Add(ctx, []feed.Key{k}, 12); err != nil {
				t.Fatal(err)
			}
			if got := page(k, 0, store.Page{Limit: 2, MaxID: 9}, feed.Hit); !slices.Equal(got, []int64{5, 1}) {
				t.Fatalf("over the cap, not trimmed yet: %v, want [5 1]", got)
			}
			if _, err := r.Add(ctx, []feed.Key{k}, 20); err != nil { // trims 2: incomplete from now
				t.Fatal(err)
			}
			if got := page(k, 0, store.Page{Limit: 3}, feed.Hit); !slices.Equal(got, []int64{20, 12, 9}) {
				t.Fatalf("after trim %v", got)
			}
			page(k, 0, store.Page{Limit: 2, MaxID: 12}, feed.Cold)
			if got := page(k, 0, store.Page{Limit: 1, MinID: 9}, feed.Hit); !slices.Equal(got, []int64{12}) {
				t.Fatalf("min_id page %v, want [12]", got)
			}
			page(k, 7, store.Page{Limit: 3}, feed.Miss) // built for tag 0

			k2 := feed.ListKey(2)
			gen, err = r.BeginBuild(ctx, k2)
			must(t, err)
			must(t, r.Invalidate(ctx, k2))
			must(t, r.InstallBuild(ctx, k2, gen, 0, []int64{1}, true))
			page(k2, 0, store.Page{Limit: 3}, feed.Miss)
			// A new build after the invalidation gets a new generation: the
			// stale one cannot install over it.
			gen2, err := r.BeginBuild(ctx, k2)
			must(t, err)
			must(t, r.InstallBuild(ctx, k2, gen, 0, []int64{1}, true))
			page(k2, 0, store.Page{Limit: 3}, feed.Miss)
			must(t, r.InstallBuild(ctx, k2, gen2, 0, []int64{2}, true))
			if got := page(k2, 0, store.Page{Limit: 3}, feed.Hit); !slices.Equal(got, []int64{2}) {
				t.Fatalf("list after rebuild %v", got)
			}
		})
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// TestRedisAddMany: a fan-out to more timelines than one script call
// takes (and, on the cluster, over many slots) writes every live
// timeline, keeps the write for builds under way, skips absent ones and
// says how many it wrote.
func TestRedisAddMany(t *testing.T) {
	for name, client := range map[string]func(*testing.T) redis.UniversalClient{"redis": testRedis, "cluster": testCluster} {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			r := feed.NewRedis(client(t), testPrefix(), 3, time.Hour)
			must(t, r.Load(ctx))
			var keys []feed.Key
			built, building := map[feed.Key]bool{}, map[feed.Key]uint64{}
			for i := range 300 {
				k := feed.HomeKey(int64(i + 1))
				if i%7 == 6 {
					k = feed.ListKey(int64(i + 1))
				}
				keys = append(keys, k)
				switch i % 3 {
				case 0:
					gen, err := r.BeginBuild(ctx, k)
					must(t, err)
					must(t, r.InstallBuild(ctx, k, gen, 0, []int64{10, 20, 30}, false))
					built[k] = true
				case 1:
					gen, err := r.BeginBuild(ctx, k)
					must(t, err)
					building[k] = gen
				}
			}
			n, err := r.Add(ctx, keys, 40)
			must(t, err)
			if n != len(built)+len(building) {
				t.Fatalf("Add wrote %d timelines, want %d live", n, len(built)+len(building))
			}
			if _, err := r.Add(ctx, keys, 5); err != nil { // older than the window: kept nowhere
				t.Fatal(err)
			}
			for gk, gen := range building {
				must(t, r.InstallBuild(ctx, gk, gen, 0, []int64{1}, true))
			}
			for _, k := range keys {
				ids, state, err := r.Page(ctx, k, 0, store.Page{Limit: 3})
				must(t, err)
				switch {
				case built[k]:
					if state != feed.Hit || !slices.Equal(ids, []int64{40, 30, 20}) {
						t.Fatalf("%v: %v %v, want [40 30 20], trimmed to the cap", k, ids, state)
					}
				case building[k] != 0:
					if state != feed.Hit || !slices.Equal(ids, []int64{40, 5, 1}) {
						t.Fatalf("%v: %v %v, want the build with the writes made meanwhile [40 5 1]", k, ids, state)
					}
				default:
					if state != feed.Miss {
						t.Fatalf("%v: %v %v, want a miss (never built)", k, ids, state)
					}
				}
			}
		})
	}
}

// TestRedisOutOfOrder: statuses reach a timeline out of order and more
// than once (fan-outs crossing, redeliveries), and are deleted; every page
// Redis serves as a hit must equal what a timeline holding every status
// would answer, whatever the bounds. Small caps force trims, after which
// older pages must go cold rather than answer short.
func TestRedisOutOfOrder(t *testing.T) {
	for name, client := range map[string]func(*testing.T) redis.UniversalClient{"redis": testRedis, "cluster": testCluster} {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			rdb := client(t)
			rng := rand.New(rand.NewPCG(7, 11))
			hits := 0
			for round := range 20 {
				capacity := 3 + rng.IntN(10)
				r := feed.NewRedis(rdb, testPrefix(), capacity, time.Hour)
				must(t, r.Load(ctx))
				k := feed.HomeKey(int64(round + 1))
				all := map[int64]bool{} // every status the timeline's owner may see
				var initial []int64
				for range rng.IntN(capacity) {
					id := int64(1 + rng.IntN(300))
					all[id] = true
					initial = append(initial, id)
				}
				gen, err := r.BeginBuild(ctx, k)
				must(t, err)
				must(t, r.InstallBuild(ctx, k, gen, 0, initial, true))
				for range 150 {
					id := int64(1 + rng.IntN(300))
					switch op := rng.IntN(10); {
					case op < 6:
						all[id] = true
						_, err = r.Add(ctx, []feed.Key{k}, id)
					case op < 7:
						delete(all, id)
						err = r.Remove(ctx, []feed.Key{k}, id)
					default:
						p := store.Page{Limit: 1 + rng.IntN(6)}
						switch rng.IntN(4) {
						case 1:
							p.MaxID = id
						case 2:
							p.MinID = int64(rng.IntN(300))
						case 3:
							p.MaxID, p.SinceID = id, int64(rng.IntN(int(id)))
						}
						var got []int64
						var state feed.PageState
						got, state, err = r.Page(ctx, k, 0, p)
						if state == feed.Hit {
							hits++
							if want := referencePage(all, p); !slices.Equal(got, want) {
								t.Fatalf("round %d (cap %d): page %+v = %v, want %v", round, capacity, p, got, want)
							}
						}
					}
					must(t, err)
				}
				sizes, err := r.Sizes(ctx, []feed.Key{k})
				must(t, err)
				if sizes[0] > int64(capacity)+10 {
					t.Fatalf("round %d: timeline holds %d IDs, cap %d", round, sizes[0], capacity)
				}
			}
			if hits < 250 {
				t.Fatalf("only %d pages were hits: the test checks too little", hits)
			}
		})
	}
}

// referencePage is page's answer from every status there is: newest
// first, for a min_id page the ones closest above MinID.
func referencePage(all map[int64]bool, p store.Page) []int64 {
	var ids []int64
	for id := range all {
		if id > p.SinceID && id > p.MinID && (p.MaxID == 0 || id < p.MaxID) {
			ids = append(ids, id)
		}
	}
	slices.Sort(ids)
	if p.MinID != 0 {
		ids = ids[:min(p.Limit, len(ids))]
	} else {
		ids = ids[max(0, len(ids)-p.Limit):]
	}
	slices.Reverse(ids)
	return ids
}

// TestRedisDropsOldLayout: a timeline a process of an older version wrote
// as a sorted set (sharing Redis during a rolling upgrade) reads as a miss
// and is dropped, so the next build installs it in the current layout.
func TestRedisDropsOldLayout(t *testing.T) {
	for name, client := range map[string]func(*testing.T) redis.UniversalClient{"redis": testRedis, "cluster": testCluster} {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			rdb, prefix := client(t), testPrefix()
			r := feed.NewRedis(rdb, prefix, 10, time.Hour)
			must(t, r.Load(ctx))
			k := feed.HomeKey(1)
			must(t, rdb.ZAdd(ctx, prefix+"tl:{h1}:ids", redis.Z{Score: 5, Member: "5"}).Err())
			must(t, rdb.HSet(ctx, prefix+"tl:{h1}:meta", "tag", "0").Err())
			if ids, state, err := r.Page(ctx, k, 0, store.Page{Limit: 3}); err != nil || state != feed.Miss {
				t.Fatalf("page of an old-layout timeline = %v, %v, %v; want a miss", ids, state, err)
			}
			gen, err := r.BeginBuild(ctx, k)
			must(t, err)
			must(t, r.InstallBuild(ctx, k, gen, 0, []int64{7, 5}, true))
			if ids, state, err := r.Page(ctx, k, 0, store.Page{Limit: 3}); err != nil || state != feed.Hit || !slices.Equal(ids, []int64{7, 5}) {
				t.Fatalf("page after the rebuild = %v, %v, %v; want [7 5]", ids, state, err)
			}
		})
	}
}

// TestRebuildForOtherMembers: a list timeline built for other members is
// rebuilt, and a status fanned out while the rebuild reads SQL is kept,
// on every store. (The timeline of the old members used to stay until the
// install, take that write, and be replaced without it.)
func TestRebuildForOtherMembers(t *testing.T) {
	stores := map[string]func(*testing.T) feed.Timelines{
		"memory":  func(*testing.T) feed.Timelines { return feed.NewMemory(10, 1<<20) },
		"redis":   func(t *testing.T) feed.Timelines { return feed.NewRedis(testRedis(t), testPrefix(), 10, time.Hour) },
		"cluster": func(t *testing.T) feed.Timelines { return feed.NewRedis(testCluster(t), testPrefix(), 10, time.Hour) },
	}
	for name, open := range stores {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			tl := open(t)
			if r, ok := tl.(*feed.Redis); ok {
				must(t, r.Load(ctx))
			}
			k := feed.ListKey(3)
			gen, err := tl.BeginBuild(ctx, k)
			must(t, err)
			must(t, tl.InstallBuild(ctx, k, gen, 1, []int64{2, 1}, true)) // members of tag 1
			if _, state, err := tl.Page(ctx, k, 2, store.Page{Limit: 5}); err != nil || state != feed.Miss {
				t.Fatalf("page for other members: state %v, %v; want a miss", state, err)
			}
			gen, err = tl.BeginBuild(ctx, k)
			must(t, err)
			if n, err := tl.Add(ctx, []feed.Key{k}, 9); err != nil || n != 1 {
				t.Fatalf("Add during the rebuild = %d, %v; want 1 written", n, err)
			}
			must(t, tl.InstallBuild(ctx, k, gen, 2, []int64{4}, true)) // SQL, read before 9 committed
			ids, state, err := tl.Page(ctx, k, 2, store.Page{Limit: 5})
			if err != nil || state != feed.Hit || !slices.Equal(ids, []int64{9, 4}) {
				t.Fatalf("after the rebuild: %v, state %v, %v; want [9 4]", ids, state, err)
			}
		})
	}
}
