package main

import (
	"bytes"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/starling-social/starling/go/snowflake"
	"github.com/starling-social/starling/go/store"
	"github.com/starling-social/starling/go/store/postgres"
	"github.com/starling-social/starling/go/store/postgres/pgtest"
	"github.com/starling-social/starling/go/store/sqlite"
)

// TestServeNeedsAnIDNode: with every ID node of its database held by other
// processes, serve refuses to start and says why; with one free, the
// process takes it and logs which.
func TestServeNeedsAnIDNode(t *testing.T) {
	tests := []struct {
		name string
		// open returns the --db (or --data-dir) flags of a fresh database and
		// a func opening it as another process would.
		open func(t *testing.T) ([]string, func() store.Store)
	}{
		{"sqlite", func(t *testing.T) ([]string, func() store.Store) {
			dir := t.TempDir()
			return []string{"--data-dir", dir}, func() store.Store {
				s, err := sqlite.Open(t.Context(), filepath.Join(dir, "starling.db"))
				if err != nil {
					t.Fatal(err)
				}
				t.Cleanup(func() { s.Close() })
				return s
			}
		}},
		{"postgres", func(t *testing.T) ([]string, func() store.Store) {
			pg := os.Getenv("STARLING_TEST_PG")
			if pg == "" {
				t.Skip("STARLING_TEST_PG not set: .ci/run sets it to the local PostgreSQL")
			}
			schema := pgtest.NewSchema(t, pg)
			return []string{"--data-dir", t.TempDir(), "--db", schema}, func() store.Store { return pgtest.OpenStore(t, schema) }
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			flags, open := tt.open(t)
			var leases []interface{ Close() error }
			for range snowflake.Nodes {
				var (
					l   interface{ Close() error }
					err error
				)
				switch s := open().(type) {
				case *sqlite.Store:
					l, err = s.LeaseNode()
				case *postgres.Store:
					l, err = s.LeaseNode(t.Context(), postgres.LeaseOptions{TTL: 50 * time.Millisecond, Logger: slog.New(slog.DiscardHandler)})
				}
				if err != nil {
					t.Fatal(err)
				}
				t.Cleanup(func() { l.Close() })
				leases = append(leases, l)
			}
			var stderr bytes.Buffer
			args := append([]string{"serve", "--addr", "127.0.0.1:0", "--admin-addr", "", "--plugins", ""}, flags...)
			err := run(t.Context(), args, io.Discard, &stderr)
			if err == nil || !strings.Contains(err.Error(), "every ID node is held") {
				t.Fatalf("serve with every ID node held: %v, want a refusal naming the ID nodes", err)
			}

			leases[3].Close()
			var logged bytes.Buffer
			ids, release, err := newIDs(t.Context(), open(), slog.New(slog.NewTextHandler(&logged, nil)))
			if err != nil {
				t.Fatalf("with node 3 free again: %v", err)
			}
			defer release()
			id, err := ids.Next(t.Context())
			if err != nil || snowflake.Node(id) != 3 || !strings.Contains(logged.String(), "msg=\"ID node\" node=3") {
				t.Fatalf("ID %d (node %d), %v; log %q; want node 3 used and logged", id, snowflake.Node(id), err, logged.String())
			}
		})
	}
}
