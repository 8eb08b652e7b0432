package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"syscall"

	"github.com/starling-social/starling/go/policy"
	"github.com/starling-social/starling/go/search"
	"github.com/starling-social/starling/go/store/sqlite"
)

// minFreeBytes is the free space below which doctor warns: SQLite needs
// room for its WAL and for a VACUUM INTO backup as large as the database.
const minFreeBytes = 1 << 30

// doctorCheck is one line of the report.
type doctorCheck struct {
	name, result string
	ok           bool
	todo         string // what to do when not ok
}

// runDoctor checks a SQLite data dir without changing it: schema version
// against this binary, SQLite's integrity check, the vector index
// snapshot's checksums, the plugin manifest's hashes and the free disk space; it prints one line per check and what to
// do, and fails (exit status 1) when a check does.
func runDoctor(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("doctor", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var c storageConfig
	c.register(fs)
	plugins := fs.String("plugins", autoManifest, `plugin manifest to check ("auto": as serve resolves it; empty skips)`)
	indexDir := fs.String("index-dir", "", "directory of the vector index snapshots (default <data-dir>/index)")
	fs.Usage = usage(fs, "starling doctor [--data-dir DIR] [--db PATH] [--plugins FILE] [--index-dir DIR]")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if c.isPostgres() {
		return errors.New("doctor checks a SQLite data dir; for PostgreSQL use its own tools (pg_amcheck, pg_stat_*) and `starling migrate`")
	}
	var checks []doctorCheck
	checks = append(checks, doctorDatabase(ctx, c.sqlitePath())...)
	checks = append(checks, doctorIndex((&indexConfig{dir: *indexDir}).snapshotDir(c.dataDir)))
	if path := resolveManifest(*plugins, c.dataDir); path != "" {
		checks = append(checks, doctorPlugins(path)...)
	}
	checks = append(checks, doctorDisk(c.dataDir))
	failed := 0
	for _, ch := range checks {
		mark := "ok  "
		if !ch.ok {
			mark = "FAIL"
			failed++
		}
		fmt.Fprintf(stdout, "%s %-22s %s\n", mark, ch.name, ch.result)
		if !ch.ok && ch.todo != "" {
			fmt.Fprintf(stdout, "     %-22s -> %s\n", "", ch.todo)
		}
	}
	if failed > 0 {
		return fmt.Errorf("doctor: %d of %d checks failed", failed, len(checks))
	}
	return nil
}

func doctorDatabase(ctx context.Context, path string) []doctorCheck {
	if _, err := os.Stat(path); err != nil {
		return []doctorCheck{{name: "database", result: fmt.Sprintf("%s: %v", path, err),
			todo: "check --data-dir/--db; `starling serve` or `starling migrate` creates a new database"}}
	}
	st, err := sqlite.Open(ctx, path)
	if err != nil {
		return []doctorCheck{{name: "database", result: err.Error(), todo: "check the file's permissions; restore a backup if it is not a database"}}
	}
	defer st.Close()
	var out []doctorCheck
	ms, err := st.MigrationStatus(ctx)
	switch {
	case err != nil:
		out = append(out, doctorCheck{name: "schema", result: err.Error(), todo: "restore a backup (starling restore)"})
	case len(ms.Unknown) > 0:
		out = append(out, doctorCheck{name: "schema", result: "newer than this binary: " + strings.Join(ms.Unknown, ", "),
			todo: "run the Starling release that applied them, or restore the backup taken before the upgrade"})
	case len(ms.Pending) > 0:
		out = append(out, doctorCheck{name: "schema", ok: true,
			result: fmt.Sprintf("%d applied, %d pending (applied at the next start or by `starling migrate`)", ms.Applied, len(ms.Pending))})
	default:
		out = append(out, doctorCheck{name: "schema", ok: true, result: fmt.Sprintf("up to date (%d migrations)", ms.Applied)})
	}
	if err := st.IntegrityCheck(ctx); err != nil {
		out = append(out, doctorCheck{name: "integrity", result: err.Error(),
			todo: "stop the server and restore the latest backup (starling restore); keep the damaged file for analysis"})
	} else {
		out = append(out, doctorCheck{name: "integrity", ok: true, result: "ok (PRAGMA integrity_check)"})
	}
	return out
}

// doctorIndex checks the status index's snapshot as the server would load
// it. None is fine (the server builds the index from SQL); a damaged one
// is too, in that the server rebuilds, but slowly, so doctor says so.
func doctorIndex(dir string) doctorCheck {
	info, err := search.VerifySnapshot(dir, "statuses")
	switch {
	case errors.Is(err, search.ErrNoSnapshot):
		return doctorCheck{name: "index snapshot", ok: true, result: "none in " + dir + " (the server builds the index from SQL at start)"}
	case err != nil:
		return doctorCheck{name: "index snapshot", result: err.Error(),
			todo: "delete the statuses* files in " + dir + " (the server rebuilds the index from SQL at start), or restore them from a backup"}
	}
	return doctorCheck{name: "index snapshot", ok: true,
		result: fmt.Sprintf("checksums ok: %d vectors of embedder %s, saved %s", info.Vectors, info.Embedder, info.SavedAt)}
}

func doctorPlugins(path string) []doctorCheck {
	m, err := policy.LoadManifest(path)
	if err != nil {
		return []doctorCheck{{name: "plugins", result: err.Error(),
			todo: "fix the manifest, or pin it again (starling plugins pin / plugins init)"}}
	}
	var out []doctorCheck
	for _, p := range m.Plugins {
		ch := doctorCheck{name: "plugin " + p.Name, ok: true, result: "sha256 matches " + path}
		if err := m.VerifyBinary(p); err != nil {
			ch = doctorCheck{name: "plugin " + p.Name, result: err.Error(),
				todo: "install the pinned binary, or pin the installed one (starling plugins pin) if you meant to change it"}
		}
		out = append(out, ch)
	}
	return out
}

func doctorDisk(dir string) doctorCheck {
	var fs syscall.Statfs_t
	if err := syscall.Statfs(dir, &fs); err != nil {
		return doctorCheck{name: "disk", result: err.Error(), todo: "check --data-dir"}
	}
	free := fs.Bavail * uint64(fs.Bsize)
	ch := doctorCheck{name: "disk", ok: free >= minFreeBytes, result: fmt.Sprintf("%.1f GiB free in %s", float64(free)/(1<<30), dir)}
	if !ch.ok {
		ch.todo = "free space: SQLite needs room for its WAL, and a backup for a copy as large as the database"
	}
	return ch
}
