package postgres_test

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/starling-social/starling/go/snowflake"
	"github.com/starling-social/starling/go/store/postgres"
	"github.com/starling-social/starling/go/store/postgres/pgtest"
)

// testLeaseTTL keeps the tests quick: each new lease waits one TTL.
const testLeaseTTL = 250 * time.Millisecond

func leaseNode(t *testing.T, s *postgres.Store) (*postgres.NodeLease, error) {
	t.Helper()
	l, err := s.LeaseNode(t.Context(), postgres.LeaseOptions{TTL: testLeaseTTL, Logger: slog.New(slog.DiscardHandler)})
	if err == nil {
		t.Cleanup(func() { l.Close() })
	}
	return l, err
}

// mustNode is the node l holds. A lease lapses for a moment when a ping is
// slow (a loaded test machine), so it waits for one.
func mustNode(t *testing.T, l *postgres.NodeLease) int {
	t.Helper()
	var (
		n   int
		err error
	)
	waitFor(t, func() bool { n, err = l.Node(); return err == nil })
	return n
}

// TestNodeLeases: processes sharing a schema get distinct nodes until none
// is left; a node comes free when its holder's session ends; another
// schema leases on its own.
func TestNodeLeases(t *testing.T) {
	t.Parallel()
	url := testURL(t)
	schema := pgtest.NewSchema(t, url)
	// Each lease is its own process: its own pool on the schema.
	open := func() *postgres.Store { return pgtest.OpenStore(t, schema) }
	// All at once, as processes starting together would.
	leases := make([]*postgres.NodeLease, snowflake.Nodes)
	var wg sync.WaitGroup
	for i := range leases {
		st := open()
		wg.Go(func() {
			l, err := leaseNode(t, st)
			if err != nil {
				t.Error(err)
			}
			leases[i] = l
		})
	}
	wg.Wait()
	if t.Failed() {
		t.FailNow()
	}
	held := map[int]*postgres.NodeLease{}
	for _, l := range leases {
		n := mustNode(t, l)
		if held[n] != nil {
			t.Fatalf("node %d leased twice", n)
		}
		held[n] = l
	}
	if _, err := leaseNode(t, open()); !errors.Is(err, postgres.ErrNoFreeNode) {
		t.Fatalf("lease with all %d nodes held: %v, want ErrNoFreeNode", snowflake.Nodes, err)
	}
	other, err := leaseNode(t, pgtest.OpenStore(t, pgtest.NewSchema(t, url)))
	if err != nil {
		t.Fatalf("another schema, whose nodes are all free: %v", err)
	}
	mustNode(t, other)

	const freed = 5
	if err := held[freed].Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := held[freed].Node(); err == nil {
		t.Fatal("a closed lease still gives its node")
	}
	l, err := leaseNode(t, open())
	if err != nil {
		t.Fatalf("after node %d's holder closed: %v", freed, err)
	}
	if n := mustNode(t, l); n != freed {
		t.Fatalf("took node %d, want the freed %d", n, freed)
	}
}

// TestNodeLeaseLost: when the lock's session dies under a live process,
// its generator refuses IDs, another process can take the node, and the
// first takes another node and makes IDs again.
func TestNodeLeaseLost(t *testing.T) {
	t.Parallel()
	url := testURL(t)
	schema := pgtest.NewSchema(t, url)
	first, err := leaseNode(t, pgtest.OpenStore(t, schema))
	if err != nil {
		t.Fatal(err)
	}
	lost := mustNode(t, first)
	ids := snowflake.New(first)
	if _, err := ids.Next(t.Context()); err != nil {
		t.Fatal(err)
	}

	admin, err := pgx.Connect(t.Context(), url)
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close(context.Background())
	if _, err := admin.Exec(t.Context(), `SELECT pg_terminate_backend($1)`, int64(postgres.LeasePID(first))); err != nil {
		t.Fatal(err)
	}
	// The lease notices within a ping (TTL/4); IDs are refused from then.
	waitFor(t, func() bool { _, err := first.Node(); return err != nil })
	ctx, cancel := context.WithTimeout(t.Context(), testLeaseTTL/10)
	defer cancel()
	if id, err := ids.Next(ctx); !errors.Is(err, snowflake.ErrUnavailable) {
		t.Fatalf("Next after the lease was lost = %d, %v; want ErrUnavailable", id, err)
	}

	second, err := leaseNode(t, pgtest.OpenStore(t, schema))
	if err != nil {
		t.Fatal(err)
	}
	// Either may win the race for the freed node; never both.
	waitFor(t, func() bool { _, err := first.Node(); return err == nil })
	if a, b := mustNode(t, first), mustNode(t, second); a == b {
		t.Fatalf("both processes hold node %d after the loss of node %d", a, lost)
	}
	if id, err := ids.Next(t.Context()); err != nil || snowflake.Node(id) != mustNode(t, first) {
		t.Fatalf("Next after leasing again = %d (node %d), %v; want node %d", id, snowflake.Node(id), err, mustNode(t, first))
	}
}

// TestLeasedGeneratorsNeverCollide: two processes on one schema making IDs
// at the same time make none alike.
func TestLeasedGeneratorsNeverCollide(t *testing.T) {
	t.Parallel()
	schema := pgtest.NewSchema(t, testURL(t))
	const each = 20000
	var gens [2]*snowflake.Generator
	for i := range gens {
		l, err := leaseNode(t, pgtest.OpenStore(t, schema))
		if err != nil {
			t.Fatal(err)
		}
		gens[i] = snowflake.New(l)
	}
	var (
		wg  sync.WaitGroup
		out [2][]int64
	)
	for i, g := range gens {
		wg.Go(func() {
			for range each {
				id, err := g.Next(t.Context())
				if err != nil {
					t.Error(err)
					return
				}
				out[i] = append(out[i], id)
			}
		})
	}
	wg.Wait()
	seen := make(map[int64]bool, 2*each)
	for _, ids := range out {
		for _, id := range ids {
			if seen[id] {
				t.Fatalf("ID %d made by both processes", id)
			}
			seen[id] = true
		}
	}
}

// waitFor polls cond for up to five seconds: the lease changes state on
// its own ticker, which a test cannot signal.
func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("condition not met within 5s")
		}
		time.Sleep(testLeaseTTL / 10)
	}
}
