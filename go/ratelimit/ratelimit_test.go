package ratelimit

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"os"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// exerciseStore runs the checks every Store must pass.
func exerciseStore(t *testing.T, s Store) {
	ctx := context.Background()
	const window = time.Minute
	start := time.Now()
	for i := int64(1); i <= 3; i++ {
		n, reset, err := s.Hit(ctx, "a", window)
		if err != nil {
			t.Fatal(err)
		}
		if n != i {
			t.Fatalf("hit %d: count %d", i, n)
		}
		if reset.Before(start) || reset.After(time.Now().Add(window+time.Second)) {
			t.Fatalf("hit %d: reset %v not within the window from %v", i, reset, start)
		}
	}
	if n, _, err := s.Hit(ctx, "b", window); err != nil || n != 1 {
		t.Fatalf("another key: count %d, %v; want 1", n, err)
	}

	// Concurrent hits are all counted.
	var wg sync.WaitGroup
	for range 50 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, _, err := s.Hit(ctx, "c", window); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	if n, _, err := s.Hit(ctx, "c", window); err != nil || n != 51 {
		t.Fatalf("after 50 concurrent hits: count %d, %v; want 51", n, err)
	}
}

func TestMemory(t *testing.T) {
	exerciseStore(t, NewMemory())
}

func TestMemoryWindowsEnd(t *testing.T) {
	m := NewMemory()
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	m.now = func() time.Time { return now }
	ctx := context.Background()
	for i := range 100 {
		_, _, _ = m.Hit(ctx, strconv.Itoa(i), time.Minute)
	}
	_, _, _ = m.Hit(ctx, "0", time.Minute)
	if n, _, _ := m.Hit(ctx, "0", time.Minute); n != 3 {
		t.Fatalf("count within the window %d, want 3", n)
	}
	now = now.Add(2 * time.Minute)
	if n, _, _ := m.Hit(ctx, "0", time.Minute); n != 1 {
		t.Fatalf("count after the window %d, want a new window", n)
	}
	if n := m.Len(); n != 1 {
		t.Errorf("after the windows expired, %d keys held, want 1", n)
	}
}

// redisClient connects to STARLING_TEST_REDIS and returns a key prefix of
// this test's own, whose keys are deleted when the test ends.
func redisClient(t *testing.T) (*redis.Client, string) {
	t.Helper()
	url := os.Getenv("STARLING_TEST_REDIS")
	if url == "" {
		t.Skip("STARLING_TEST_REDIS is not set")
	}
	opts, err := redis.ParseURL(url)
	if err != nil {
		t.Fatal(err)
	}
	rdb := redis.NewClient(opts)
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	prefix := "starling-test-" + hex.EncodeToString(b) + ":"
	t.Cleanup(func() {
		ctx := context.Background()
		if keys, _ := rdb.Keys(ctx, prefix+"*").Result(); len(keys) > 0 {
			rdb.Del(ctx, keys...)
		}
		rdb.Close()
	})
	return rdb, prefix
}

func TestRedis(t *testing.T) {
	rdb, prefix := redisClient(t)
	exerciseStore(t, NewRedis(rdb, prefix))

	// Two stores (two server processes) over one Redis share counts, and
	// every key carries an expiry.
	ctx := context.Background()
	a, b := NewRedis(rdb, prefix), NewRedis(rdb, prefix)
	_, _, _ = a.Hit(ctx, "shared", time.Minute)
	if n, _, err := b.Hit(ctx, "shared", time.Minute); err != nil || n != 2 {
		t.Fatalf("second process: count %d, %v; want 2", n, err)
	}
	keys, err := rdb.Keys(ctx, prefix+"*").Result()
	if err != nil || len(keys) != 4 {
		t.Fatalf("keys %v %v, want a, b, c and shared", keys, err)
	}
	for _, k := range keys {
		if ttl := rdb.PTTL(ctx, k).Val(); ttl <= 0 || ttl > time.Minute {
			t.Errorf("key %s has expiry %v, want within the window", k, ttl)
		}
	}
}
