package presence

import (
	"context"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"
)

// Redis keeps marks in Redis, shared by every server process: one key per
// account, `SET key 1 EX ttl`, read with EXISTS in one pipeline (not MGET:
// on Redis Cluster the keys of several accounts sit in several slots, and
// the cluster client splits a pipeline by node).
type Redis struct {
	rdb    redis.UniversalClient
	prefix string
}

// NewRedis returns a Redis store: the mark of account N is the key
// prefix+N.
func NewRedis(rdb redis.UniversalClient, prefix string) *Redis {
	return &Redis{rdb: rdb, prefix: prefix}
}

func (r *Redis) key(id int64) string {
	return r.prefix + strconv.FormatInt(id, 10)
}

// Mark implements Store: SET with PX (go-redis picks EX for whole
// seconds); Redis refuses a TTL under a millisecond, so it is raised to
// one.
func (r *Redis) Mark(ctx context.Context, id int64, ttl time.Duration) error {
	return r.rdb.Set(ctx, r.key(id), "1", max(ttl, time.Millisecond)).Err()
}

// Online implements Store.
func (r *Redis) Online(ctx context.Context, ids []int64) ([]bool, error) {
	cmds := make([]*redis.IntCmd, len(ids))
	_, err := r.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		for i, id := range ids {
			cmds[i] = p.Exists(ctx, r.key(id))
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	out := make([]bool, len(ids))
	for i, c := range cmds {
		n, err := c.Result()
		if err != nil {
			return nil, err
		}
		out[i] = n > 0
	}
	return out, nil
}
