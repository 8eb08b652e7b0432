package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"

	"github.com/starling-social/starling/go/snowflake"
	"github.com/starling-social/starling/go/social"
	"github.com/starling-social/starling/go/store"
	"github.com/starling-social/starling/go/store/postgres"
	"github.com/starling-social/starling/go/store/sqlite"
)

// openStore opens the configured database and applies pending migrations,
// so every subcommand works on a fresh data dir.
func openStore(ctx context.Context, c storageConfig) (store.Store, error) {
	var (
		st  store.Store
		err error
	)
	if c.isPostgres() {
		st, err = postgres.Open(ctx, c.db)
	} else {
		sync, perr := sqlite.ParseSynchronous(c.sqliteSync)
		if perr != nil {
			return nil, fmt.Errorf("--sqlite-sync: %w", perr)
		}
		st, err = sqlite.Open(ctx, c.sqlitePath(), sqlite.WithSynchronous(sync))
	}
	if err != nil {
		return nil, fmt.Errorf("open database: %w", err)
	}
	if err := st.Migrate(ctx); err != nil {
		st.Close()
		return nil, fmt.Errorf("migrate database: %w", err)
	}
	return st, nil
}

// newIDs returns the process's one ID generator, on a node no other live
// process on st's database uses, and the func that gives the node back.
// On PostgreSQL the node is an advisory lock, on SQLite a lock file beside
// the database (CLI commands such as user create write rows beside the
// server). With every node held it fails: the server does not start.
func newIDs(ctx context.Context, st store.Store, log *slog.Logger) (*snowflake.Generator, func(), error) {
	var (
		lease interface {
			snowflake.Lease
			Close() error
		}
		kind string
		err  error
	)
	switch s := st.(type) {
	case *postgres.Store:
		lease, err = s.LeaseNode(ctx, postgres.LeaseOptions{Logger: log})
		kind = "PostgreSQL advisory lock"
	case *sqlite.Store:
		lease, err = s.LeaseNode()
		kind = "lock file"
	default:
		return nil, nil, fmt.Errorf("lease an ID node: no leases on %T", st)
	}
	if err != nil {
		return nil, nil, fmt.Errorf("lease an ID node: %w", err)
	}
	node, err := lease.Node()
	if err != nil {
		lease.Close()
		return nil, nil, fmt.Errorf("lease an ID node: %w", err)
	}
	log.Info("ID node", "node", node, "lease", kind)
	return snowflake.New(lease), func() { lease.Close() }, nil
}

func runMigrate(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("migrate", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var c storageConfig
	c.register(fs)
	fs.Usage = usage(fs, "starling migrate [--data-dir DIR] [--db URL]")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	st, err := openStore(ctx, c)
	if err != nil {
		return err
	}
	defer st.Close()
	fmt.Fprintln(stdout, "migrations applied")
	return nil
}

func runUser(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "create" {
		return fmt.Errorf(`usage: starling user create --username U --password P`)
	}
	fs := flag.NewFlagSet("user create", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var c storageConfig
	c.register(fs)
	username := fs.String("username", "", "the new account's username (letters, digits, underscore)")
	password := fs.String("password", "", "the new account's password (8 to 72 bytes)")
	fs.Usage = usage(fs, "starling user create --username U --password P [--data-dir DIR] [--db URL]")
	if err := parseFlags(fs, args[1:]); err != nil {
		return err
	}
	if *username == "" || *password == "" {
		return fmt.Errorf("--username and --password are required")
	}
	st, err := openStore(ctx, c)
	if err != nil {
		return err
	}
	defer st.Close()
	ids, release, err := newIDs(ctx, st, slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelWarn})))
	if err != nil {
		return err
	}
	defer release()
	svc := social.New(social.Deps{Store: st, IDs: ids}, social.DefaultConfig())
	a, err := svc.CreateAccount(ctx, social.NewAccount{Username: *username, Password: *password})
	if err != nil {
		if msg := social.SafeMessage(err); msg != "" {
			return fmt.Errorf("user create: %s", msg)
		}
		return err
	}
	fmt.Fprintf(stdout, "created account %s (id %d)\n", a.Username, a.ID)
	return nil
}
