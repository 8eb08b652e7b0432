// Package snowflaketest gives tests ID generators that behave like those of
// separate server processes. It is a package of its own so that importing
// testing stays out of the server binary; only tests import it.
package snowflaketest

import (
	"sync/atomic"
	"testing"

	"github.com/starling-social/starling/go/snowflake"
)

var nodes atomic.Int64

// New returns a generator on the next of the snowflake.Nodes nodes in turn,
// as if each call were a server process that leased its own node: a test
// that runs two "processes" on one store gets two nodes, and their IDs
// never collide. It takes snowflake.Nodes more calls, anywhere in the test
// binary, before a node comes round again.
func New() *snowflake.Generator {
	return snowflake.New(snowflake.Fixed((nodes.Add(1) - 1) % snowflake.Nodes))
}

// NextID returns g's next ID, failing t when there is none (a generator
// from New always has one unless the clock stalls).
func NextID(t testing.TB, g *snowflake.Generator) int64 {
	t.Helper()
	id, err := g.Next(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	return id
}
