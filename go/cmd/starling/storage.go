package main

import (
	"context"
	"flag"
	"fmt"
	"io"

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
	svc := social.New(social.Deps{Store: st, IDs: snowflake.New()}, social.DefaultConfig())
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
