package sqlite

import (
	"errors"
	"fmt"
	"os"

	"github.com/starling-social/starling/go/snowflake"
)

// ErrNoFreeNode means every snowflake node of this database file is held by
// another process.
var ErrNoFreeNode = errors.New("sqlite: every ID node is held by another process")

// NodeLease is a snowflake.Lease on the database file: an exclusive lock on
// the file <database>.idnode-<n>, held while the lease is open. The kernel
// drops the lock when the process ends, however it ends. One server process
// owns a SQLite database, but CLI commands (user create) write rows beside
// it, and must not make its IDs. A local lock is never lost while held, so
// unlike store/postgres's lease this one needs no wait and no renewal.
type NodeLease struct {
	node int
	f    *os.File
}

var _ snowflake.Lease = (*NodeLease)(nil)

// LeaseNode takes the lowest free node of the database file (lock files
// are made as needed, so a lone server makes one). It fails with
// ErrNoFreeNode when all are held.
func (s *Store) LeaseNode() (*NodeLease, error) {
	for node := range snowflake.Nodes {
		name := fmt.Sprintf("%s.idnode-%d", s.path, node)
		f, err := os.OpenFile(name, os.O_RDWR|os.O_CREATE, 0o600)
		if err != nil {
			return nil, fmt.Errorf("sqlite: lease ID node: %w", err)
		}
		ok, err := tryLock(f)
		if err != nil {
			f.Close()
			return nil, fmt.Errorf("sqlite: lease ID node: lock %s: %w", name, err)
		}
		if ok {
			return &NodeLease{node: node, f: f}, nil
		}
		f.Close()
	}
	return nil, fmt.Errorf("%w: all %d nodes of %s are taken", ErrNoFreeNode, snowflake.Nodes, s.path)
}

// Node returns the node held.
func (l *NodeLease) Node() (int, error) { return l.node, nil }

// Close gives the node back.
func (l *NodeLease) Close() error { return l.f.Close() }
