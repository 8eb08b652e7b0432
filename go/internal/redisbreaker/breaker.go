// Package redisbreaker keeps a server from waiting on a Redis that is
// down.
//
// go-redis attempts a command four times, with backoff, and while Redis is
// down each attempt dials again. Every command, and with them every post
// (its fan-out, its stream publish) and every cached read, waited
// 100–300 ms before falling back to SQL or the outbox, for as long as
// Redis was gone. A Breaker, added to the client as a hook, fails commands
// at once for a cooldown after one failed for want of Redis; then it lets
// one command through as a probe, and an answer closes it.
package redisbreaker

import (
	"context"
	"errors"
	"io"
	"net"
	"sync/atomic"
	"time"

	"github.com/redis/go-redis/v9"
)

// ErrOpen is the error of a command not sent because Redis did not answer
// a moment ago.
var ErrOpen = errors.New("redis: unavailable (a recent command found it down)")

// Breaker is a go-redis hook (Client.AddHook). Safe for concurrent use.
type Breaker struct {
	cooldown time.Duration
	now      func() time.Time

	openUntil atomic.Int64 // Unix nanoseconds; 0 while closed
	probing   atomic.Bool  // a command let through after the cooldown is out
}

// New returns a closed Breaker that, once open, fails commands for
// cooldown before it probes.
func New(cooldown time.Duration) *Breaker {
	return &Breaker{cooldown: cooldown, now: time.Now}
}

// DialHook is go-redis's own.
func (b *Breaker) DialHook(next redis.DialHook) redis.DialHook { return next }

// ProcessHook guards one command.
func (b *Breaker) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error {
		ctx, probe, err := b.admit(ctx)
		if err != nil {
			cmd.SetErr(err)
			return err
		}
		err = next(ctx, cmd)
		b.record(ctx, probe, err)
		return err
	}
}

// ProcessPipelineHook guards a pipeline (or transaction) as one command.
func (b *Breaker) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []redis.Cmder) error {
		ctx, probe, err := b.admit(ctx)
		if err != nil {
			for _, c := range cmds {
				c.SetErr(err)
			}
			return err
		}
		err = next(ctx, cmds)
		b.record(ctx, probe, err)
		return err
	}
}

// probingKey marks the context of a probe: the commands go-redis sends
// inside it (HELLO and the like, on the new connection the probe dials)
// pass too.
type probingKey struct{}

// admit says whether a command may be sent now, and whether it is the
// probe of an open breaker (then ctx comes back marked).
func (b *Breaker) admit(ctx context.Context) (_ context.Context, probe bool, err error) {
	until := b.openUntil.Load()
	if until == 0 || ctx.Value(probingKey{}) != nil {
		return ctx, false, nil
	}
	if b.now().UnixNano() < until || !b.probing.CompareAndSwap(false, true) {
		return ctx, false, ErrOpen
	}
	return context.WithValue(ctx, probingKey{}, true), true, nil
}

// record opens the breaker when err says Redis could not be reached, and
// closes it when Redis answered (a reply, error replies included).
func (b *Breaker) record(ctx context.Context, probe bool, err error) {
	switch {
	case unreachable(ctx, err):
		b.openUntil.Store(b.now().Add(b.cooldown).UnixNano())
	case err == nil || isReply(err):
		b.openUntil.Store(0)
	}
	if probe {
		b.probing.Store(false)
	}
}

// unreachable reports whether err means Redis did not answer, rather than
// that it refused the command or that the caller gave up.
func unreachable(ctx context.Context, err error) bool {
	if err == nil || isReply(err) || ctx.Err() != nil {
		return false
	}
	var netErr net.Error
	return errors.As(err, &netErr) || errors.Is(err, net.ErrClosed) || errors.Is(err, io.EOF) ||
		errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, redis.ErrPoolTimeout)
}

// isReply reports whether err is Redis's answer (redis.Nil, WRONGTYPE, …).
func isReply(err error) bool {
	var reply redis.Error
	return errors.As(err, &reply)
}
