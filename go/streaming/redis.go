package streaming

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"sync"

	"github.com/redis/go-redis/v9"
)

// DefaultChannel is the Redis pub/sub channel events travel on.
const DefaultChannel = "starling:streaming"

// Redis is a bus over Redis pub/sub: Publish goes to Redis, and one
// subscription per process feeds that process's subscribers, so every
// process sees every event.
type Redis struct {
	rdb     *redis.Client
	channel string
	f       *fanout
	pubsub  *redis.PubSub
	done    chan struct{}
	once    sync.Once
}

// NewRedis subscribes to channel (DefaultChannel if empty) and returns the
// bus once Redis has confirmed the subscription, so no event published
// after NewRedis returns is missed.
func NewRedis(ctx context.Context, rdb *redis.Client, channel string, log *slog.Logger) (*Redis, error) {
	if channel == "" {
		channel = DefaultChannel
	}
	ps := rdb.Subscribe(ctx, channel)
	if _, err := ps.Receive(ctx); err != nil { // the subscription confirmation
		ps.Close()
		return nil, fmt.Errorf("streaming: subscribe %s: %w", channel, err)
	}
	b := &Redis{rdb: rdb, channel: channel, f: newFanout(log), pubsub: ps, done: make(chan struct{})}
	go b.run()
	return b, nil
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
