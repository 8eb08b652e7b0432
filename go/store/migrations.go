package store

import (
	"errors"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strconv"
	"strings"
)

// Migration is one versioned schema change of a backend: a file named
// NNNN_description.sql in the backend's embedded migrations directory.
type Migration struct {
	Version int
	Name    string
	SQL     string
}

// LoadMigrations reads every migration in dir of fsys, in version order. The
// naming rule and its checks (a positive version, no version used twice)
// are the same for every backend, so they live here once.
func LoadMigrations(fsys fs.FS, dir string) ([]Migration, error) {
	entries, err := fs.ReadDir(fsys, dir)
	if err != nil {
		return nil, err
	}
	var ms []Migration
	seen := map[int]string{}
	for _, e := range entries {
		name := e.Name()
		num, _, ok := strings.Cut(name, "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil || v <= 0 || !strings.HasSuffix(name, ".sql") {
			return nil, fmt.Errorf("migration %q: want NNNN_description.sql", name)
		}
		if prev, dup := seen[v]; dup {
			return nil, fmt.Errorf("migrations %q and %q share version %d", prev, name, v)
		}
		seen[v] = name
		b, err := fs.ReadFile(fsys, path.Join(dir, name))
		if err != nil {
			return nil, err
		}
		ms = append(ms, Migration{Version: v, Name: name, SQL: string(b)})
	}
	sort.Slice(ms, func(i, j int) bool { return ms[i].Version < ms[j].Version })
	return ms, nil
}

// ErrSchemaNewer is returned by Migrate when the database holds migrations
// this binary does not have: a newer Starling wrote it. Migrations are
// forward-only, so the operator runs that version (or restores a backup
// taken before the upgrade) rather than this one.
var ErrSchemaNewer = errors.New("the database was migrated by a newer Starling than this binary")

// CheckApplied compares the applied migrations (version to name) with the
// binary's and returns an error wrapping ErrSchemaNewer that names those it
// does not know. Backends call it before applying anything.
func CheckApplied(applied map[int]string, known []Migration) error {
	st := CompareMigrations(applied, known)
	if len(st.Unknown) == 0 {
		return nil
	}
	return fmt.Errorf("%w: it has %s; run the Starling version that applied them, or restore a backup taken before the upgrade",
		ErrSchemaNewer, strings.Join(st.Unknown, ", "))
}

// MigrationStatus compares a database's schema with the binary's.
type MigrationStatus struct {
	Applied int      // migrations applied that the binary knows
	Pending []string // the binary's migrations not applied yet, in order
	Unknown []string // applied migrations the binary lacks (a newer release's), sorted
}

// CompareMigrations computes the status of applied (version to name)
// against the binary's known migrations.
func CompareMigrations(applied map[int]string, known []Migration) MigrationStatus {
	var st MigrationStatus
	have := make(map[int]bool, len(known))
	for _, m := range known {
		have[m.Version] = true
		if _, ok := applied[m.Version]; ok {
			st.Applied++
		} else {
			st.Pending = append(st.Pending, m.Name)
		}
	}
	for v, name := range applied {
		if !have[v] {
			st.Unknown = append(st.Unknown, name)
		}
	}
	sort.Strings(st.Unknown)
	return st
}
