package feed

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strconv"

	"github.com/redis/go-redis/v9"
)

// addBatch is the most timelines one addScript call writes: large enough
// that the per-call cost is spread thin, small enough that one call does
// not hold Redis (single-threaded) for long (about 64 × 4 commands).
const addBatch = 64

// Add inserts id into each of keys' timelines that is present or being
// built, and returns how many were (the rest are inactive). It is one
// pipeline, so one round trip per node, of addScript calls over up to
// addBatch timelines each; on a cluster a call's timelines share a slot.
// A timeline goes on the wire as its hash tag, in one space-separated
// argument per call: the cost per follower is a few bytes, no allocation.
func (r *Redis) Add(ctx context.Context, keys []Key, id int64) (int, error) {
	if len(keys) == 0 {
		return 0, nil
	}
	if err := r.ready(ctx); err != nil {
		return 0, fmt.Errorf("feed: redis add %d: %w", id, err)
	}
	keys, groups := r.addGroups(keys)
	tags, ends := joinedTags(keys)
	prefix := r.prefix + "tl:{"
	exec := func() ([]redis.Cmder, error) {
		return r.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
			at, start := 0, 0
			for _, n := range groups {
				end := ends[at+n-1]
				first := tags[start:ends[at]]
				addScript.EvalSha(ctx, p, []string{prefix + first + "}:ids"}, id, r.cap, prefix, tags[start:end])
				at, start = at+n, end+1
			}
			return nil
		})
	}
	cmds, err := exec()
	if err != nil && redis.HasErrorPrefix(err, "NOSCRIPT") {
		if err = r.Load(ctx); err == nil {
			cmds, err = exec() // an insert applied twice is one insert
		}
	}
	if err != nil {
		return 0, fmt.Errorf("feed: redis add %d to %d timelines: %w", id, len(keys), err)
	}
	written := 0
	for _, c := range cmds {
		if n, err := c.(*redis.Cmd).Int(); err == nil {
			written += n
		}
	}
	return written, nil
}

// joinedTags returns the hash tags of keys ("h<id>", "l<id>") joined by
// spaces, and where each ends in that string.
func joinedTags(keys []Key) (string, []int) {
	buf := make([]byte, 0, len(keys)*12)
	ends := make([]int, len(keys))
	for i, k := range keys {
		if i > 0 {
			buf = append(buf, ' ')
		}
		buf = strconv.AppendInt(append(buf, k.Kind), k.ID, 10)
		ends[i] = len(buf)
	}
	return string(buf), ends
}

// addGroups returns keys in the order of the addScript calls and the
// calls' sizes: runs of up to addBatch keys, each run within one cluster
// slot when the client is a cluster's.
func (r *Redis) addGroups(keys []Key) ([]Key, []int) {
	groups := make([]int, 0, len(keys)/addBatch+1)
	if _, ok := r.rdb.(*redis.ClusterClient); !ok {
		for at := 0; at < len(keys); at += addBatch {
			groups = append(groups, min(addBatch, len(keys)-at))
		}
		return keys, groups
	}
	slots := make([]uint16, len(keys))
	order := make([]int, len(keys))
	var tag []byte
	for i, k := range keys {
		tag = strconv.AppendInt(append(tag[:0], k.Kind), k.ID, 10)
		slots[i], order[i] = clusterSlot(tag), i
	}
	slices.SortFunc(order, func(a, b int) int { return cmp.Compare(slots[a], slots[b]) })
	sorted := make([]Key, len(keys))
	prev, n := -1, 0
	for i, o := range order {
		sorted[i] = keys[o]
		if s := int(slots[o]); s != prev || n == addBatch {
			if n > 0 {
				groups = append(groups, n)
			}
			prev, n = s, 0
		}
		n++
	}
	return sorted, append(groups, n)
}

// clusterSlot is Redis Cluster's slot of a hash tag: CRC16 (XMODEM) of
// it, modulo 16384.
func clusterSlot(tag []byte) uint16 {
	var crc uint16
	for _, b := range tag {
		crc ^= uint16(b) << 8
		for range 8 {
			if crc&0x8000 != 0 {
				crc = crc<<1 ^ 0x1021
			} else {
				crc <<= 1
			}
		}
	}
	return crc % 16384
}
