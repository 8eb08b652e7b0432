package streaming

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"
)

// DefaultChannel is the Redis pub/sub channel events travel on.
const DefaultChannel = "starling:streaming"

// Redis is a bus over Redis pub/sub: Publish goes to Redis, and one
// subscription per process feeds that process's subscribers, so every
// process sees every event.
type Redis struct {
	rdb     redis.UniversalClient
	channel string
	f       *fanout
	pubsub  *redis.PubSub
	done    chan struct{}
	once    sync.Once
}

// subscribeTimeout bounds how long NewRedis waits for Redis to confirm
// the subscription.
const subscribeTimeout = 5 * time.Second

// NewRedis subscribes to channel (DefaultChannel if empty). When Redis
// confirms in time, no event published after NewRedis returns is missed.
// When Redis is unreachable, the bus is still returned: the server starts,
// /readyz reports Redis down, and the subscription is made as soon as
// Redis answers (go-redis reconnects and resubscribes by itself).
func NewRedis(ctx context.Context, rdb redis.UniversalClient, channel string, log *slog.Logger) *Redis {
	if channel == "" {
		channel = DefaultChannel
	}
	b := &Redis{rdb: rdb, channel: channel, f: newFanout(log), done: make(chan struct{})}
	b.pubsub = rdb.Subscribe(ctx, channel)
	wctx, cancel := context.WithTimeout(ctx, subscribeTimeout)
	defer cancel()
	if _, err := b.pubsub.Receive(wctx); err != nil { // the subscription confirmation
		b.f.log.Warn("streaming: Redis unavailable; events from other processes resume when it answers",
			"channel", channel, "err", err)
	}
	go b.run()
	return b
}

func (b *Redis) run() {
	defer close(b.done)
	// Channel() reconnects and resubscribes by itself after network errors.
	for msg := range b.pubsub.Channel() {
		var m Message
		if err := json.Unmarshal([]byte(msg.Payload), &m); err != nil {
			b.f.log.Warn("streaming: undecodable message on the bus", "err", err)
			continue
		}
		b.f.deliver(m)
	}
}

// Publish sends m to every process subscribed to the channel.
func (b *Redis) Publish(ctx context.Context, m Message) error {
	payload, err := json.Marshal(m)
	if err != nil {
		return fmt.Errorf("streaming: encode: %w", err)
	}
	if err := b.rdb.Publish(ctx, b.channel, payload).Err(); err != nil {
		return fmt.Errorf("streaming: publish: %w", err)
	}
	return nil
}

// Subscribe implements Bus.
func (b *Redis) Subscribe() (<-chan Message, func()) { return b.f.subscribe() }

// Close ends the Redis subscription and every local subscription.
func (b *Redis) Close() error {
	var err error
	b.once.Do(func() {
		err = b.pubsub.Close()
		<-b.done
		b.f.close()
		if errors.Is(err, redis.ErrClosed) {
			err = nil
		}
	})
	return err
}
