package social

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// TestCachedComputesOncePerTTL: many callers at once cause one
// computation; within the TTL nobody recomputes; past it, one caller
// recomputes while the others are served the stale value at once.
func TestCachedComputesOncePerTTL(t *testing.T) {
	var (
		c       cached[int]
		calls   atomic.Int32
		release = make(chan struct{})
	)
	ctx := context.Background()
	t0 := time.Date(2025, 6, 10, 12, 0, 0, 0, time.UTC)
	compute := func(context.Context) (int, error) {
		n := calls.Add(1)
		<-release
		return int(n), nil
	}
	var wg sync.WaitGroup
	got := make([]int, 8)
	for i := range got {
		wg.Go(func() {
			v, err := c.get(ctx, t0, time.Minute, compute)
			if err != nil {
				t.Error(err)
			}
			got[i] = v
		})
	}
	close(release)
	wg.Wait()
	for i, v := range got {
		if v != 1 {
			t.Errorf("caller %d got %d, want the first computation's 1", i, v)
		}
	}
	for range 100 {
		if v, _ := c.get(ctx, t0.Add(59*time.Second), time.Minute, compute); v != 1 {
			t.Fatalf("within the TTL: got %d, want 1", v)
		}
	}
	if n := calls.Load(); n != 1 {
		t.Fatalf("%d computations for 108 calls within the TTL, want 1", n)
	}

	// Past the TTL: the first caller recomputes (and blocks in compute);
	// meanwhile another caller is served the stale value without waiting.
	started, finish := make(chan struct{}), make(chan struct{})
	slow := func(context.Context) (int, error) {
		close(started)
		<-finish
		return 2, nil
	}
	later := t0.Add(2 * time.Minute)
	done := make(chan int)
	go func() {
		v, _ := c.get(ctx, later, time.Minute, slow)
		done <- v
	}()
	<-started
	if v, err := c.get(ctx, later, time.Minute, compute); v != 1 || err != nil {
		t.Errorf("during a refresh: got %d, %v; want the stale 1 at once", v, err)
	}
	close(finish)
	if v := <-done; v != 2 {
		t.Errorf("the refreshing caller got %d, want 2", v)
	}
	if v, _ := c.get(ctx, later, time.Minute, compute); v != 2 {
		t.Errorf("after the refresh: got %d, want 2", v)
	}
	if n := calls.Load(); n != 1 {
		t.Errorf("compute ran %d times, want 1 (the refresh used slow)", n)
	}
}

// TestCachedErrors: a failed computation is its caller's error and is not
// kept; the next caller computes again.
func TestCachedErrors(t *testing.T) {
	var c cached[string]
	ctx := context.Background()
	now := time.Date(2025, 6, 10, 12, 0, 0, 0, time.UTC)
	boom := errors.New("database down")
	if _, err := c.get(ctx, now, time.Minute, func(context.Context) (string, error) { return "", boom }); !errors.Is(err, boom) {
		t.Fatalf("get = %v, want %v", err, boom)
	}
	v, err := c.get(ctx, now, time.Minute, func(context.Context) (string, error) { return "ok", nil })
	if v != "ok" || err != nil {
		t.Fatalf("after a failure: get = %q, %v; want a new computation", v, err)
	}
	// A failed refresh is not kept either: the next caller computes.
	later := now.Add(time.Hour)
	if _, err := c.get(ctx, later, time.Minute, func(context.Context) (string, error) { return "", boom }); !errors.Is(err, boom) {
		t.Fatalf("failed refresh: %v, want %v", err, boom)
	}
	if v, _ := c.get(ctx, later, time.Minute, func(context.Context) (string, error) { return "new", nil }); v != "new" {
		t.Fatalf("after a failed refresh: got %q, want a new computation", v)
	}

	// A caller waiting for the first computation gives up with its context.
	var empty cached[string]
	started, block := make(chan struct{}), make(chan struct{})
	defer close(block)
	go func() {
		_, _ = empty.get(ctx, now, time.Minute, func(context.Context) (string, error) {
			close(started)
			<-block
			return "x", nil
		})
	}()
	<-started
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := empty.get(cctx, now, time.Minute, nil); !errors.Is(err, context.Canceled) {
		t.Errorf("waiting with a cancelled context: %v, want context.Canceled", err)
	}
}
