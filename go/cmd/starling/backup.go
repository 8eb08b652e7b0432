package main

import (
	"archive/tar"
	"compress/gzip"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/starling-social/starling/go/search"
	"github.com/starling-social/starling/go/store/sqlite"
)

// backupDB is the database's name inside a backup archive.
const backupDB = "starling.db"

// runBackup writes a gzip'd tar of the data dir: the SQLite database as a
// consistent online copy (VACUUM INTO, while the server keeps serving
// writes) and every other file of the data dir (admin token, plugin
// manifest, media, index snapshots) as it is.
func runBackup(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("backup", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var c storageConfig
	c.register(fs)
	out := fs.String("out", "", "the backup file to write (a .tar.gz); must not exist")
	fs.Usage = usage(fs, "starling backup --out FILE [--data-dir DIR] [--db PATH]")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *out == "" {
		return errors.New("--out is required")
	}
	if c.isPostgres() {
		return errors.New("backup: this command backs up SQLite; for PostgreSQL use pg_dump or continuous archiving (PITR), see the README")
	}
	if _, err := os.Lstat(*out); err == nil {
		return fmt.Errorf("--out %s: file exists", *out)
	}
	if _, err := os.Stat(c.sqlitePath()); err != nil {
		return fmt.Errorf("backup: no database at %s: %w", c.sqlitePath(), err)
	}
	st, err := sqlite.Open(ctx, c.sqlitePath())
	if err != nil {
		return err
	}
	defer st.Close()
	tmpDir, err := os.MkdirTemp(filepath.Dir(*out), ".starling-backup-")
	if err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	defer os.RemoveAll(tmpDir)
	snapshot := filepath.Join(tmpDir, backupDB)
	if err := st.BackupInto(ctx, snapshot); err != nil {
		return err
	}
	partial := filepath.Join(tmpDir, "backup.tar.gz")
	n, indexErr, err := writeBackup(partial, snapshot, c.dataDir, c.sqlitePath())
	if err != nil {
		return err
	}
	if indexErr != nil {
		fmt.Fprintf(stderr, "note: the vector index snapshot is not in the backup (%v); a server started on the restored copy rebuilds the index from SQL\n", indexErr)
	}
	// The archive appears whole or not at all.
	if err := os.Rename(partial, *out); err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	fmt.Fprintf(stdout, "backup written to %s (database and %d other files)\n", *out, n)
	return nil
}

// writeBackup writes the archive to path: snapshot as backupDB, the
// vector index snapshot in dataDir/index (one generation, whole), then the
// other files under dataDir except the live database and its WAL files. It
// returns how many files besides the database it wrote, and syncs the
// archive. An index snapshot that cannot be copied whole is left out
// (indexErr says why): the index can be rebuilt, the database cannot.
func writeBackup(path, snapshot, dataDir, livePath string) (n int, indexErr, err error) {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
	if err != nil {
		return 0, nil, fmt.Errorf("backup: %w", err)
	}
	defer f.Close()
	zw := gzip.NewWriter(f)
	tw := tar.NewWriter(zw)
	if err := addFile(tw, snapshot, backupDB); err != nil {
		return 0, nil, err
	}
	n, indexErr, err = addIndexSnapshot(tw, filepath.Join(dataDir, "index"), "index")
	if err != nil {
		return 0, nil, err
	}
	live, _ := filepath.Abs(livePath)
	indexDir, _ := filepath.Abs(filepath.Join(dataDir, "index"))
	err = filepath.WalkDir(dataDir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		abs, _ := filepath.Abs(p)
		if !d.Type().IsRegular() || abs == live || abs == live+"-wal" || abs == live+"-shm" || abs == live+"-journal" ||
			strings.Contains(d.Name(), ".tmp-") || // a file being written atomically (index snapshot): not yet one
			filepath.Dir(abs) == indexDir && strings.HasPrefix(d.Name(), snapshotIndex) { // copied above
			return nil
		}
		rel, err := filepath.Rel(dataDir, p)
		if err != nil {
			return err
		}
		err = addFile(tw, p, filepath.ToSlash(rel))
		if errors.Is(err, fs.ErrNotExist) {
			// Removed since the walk listed it: an index snapshot's older
			// generation, replaced by a newer save meanwhile.
			return nil
		}
		if err == nil {
			n++
		}
		return err
	})
	if err != nil {
		return 0, nil, fmt.Errorf("backup: %w", err)
	}
	if err := errors.Join(tw.Close(), zw.Close()); err != nil {
		return 0, nil, fmt.Errorf("backup: %w", err)
	}
	if err := f.Sync(); err != nil {
		return 0, nil, fmt.Errorf("backup: %w", err)
	}
	return n, indexErr, f.Close()
}

// snapshotIndex names the index whose snapshot the server writes.
const snapshotIndex = "statuses"

// addIndexSnapshot adds the current generation of the index snapshot in
// dir (if any) under prefix: its files as they were when the meta file
// named them, even if the server saves a newer one meanwhile, so the
// restored snapshot loads. It returns how many files it added, and
// skipped, why it left out a snapshot it could not open whole; err is a
// failure to write the archive.
func addIndexSnapshot(tw *tar.Writer, dir, prefix string) (n int, skipped, err error) {
	meta, files, err := search.OpenSnapshot(dir, snapshotIndex)
	if errors.Is(err, search.ErrNoSnapshot) {
		return 0, nil, nil
	}
	if err != nil {
		return 0, err, nil
	}
	defer func() {
		for _, f := range files {
			f.Close()
		}
	}()
	for base, f := range files {
		if err := addOpen(tw, f, prefix+"/"+base); err != nil {
			return 0, nil, err
		}
	}
	// The meta file last, as a save renames it into place last.
	if err := tw.WriteHeader(&tar.Header{Name: prefix + "/" + snapshotIndex + ".json", Mode: 0o644, Size: int64(len(meta)),
		ModTime: time.Now(), Typeflag: tar.TypeReg}); err != nil {
		return 0, nil, fmt.Errorf("backup: index meta: %w", err)
	}
	if _, err := tw.Write(meta); err != nil {
		return 0, nil, fmt.Errorf("backup: index meta: %w", err)
	}
	return len(files) + 1, nil, nil
}

func addFile(tw *tar.Writer, path, name string) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	defer f.Close()
	return addOpen(tw, f, name)
}

// addOpen adds the open file f as name.
func addOpen(tw *tar.Writer, f *os.File, name string) error {
	fi, err := f.Stat()
	if err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	if err := tw.WriteHeader(&tar.Header{Name: name, Mode: int64(fi.Mode().Perm()), Size: fi.Size(),
		ModTime: fi.ModTime(), Typeflag: tar.TypeReg}); err != nil {
		return fmt.Errorf("backup: %s: %w", name, err)
	}
	// Size is fixed in the header: a file still growing is copied up to it.
	if _, err := io.CopyN(tw, f, fi.Size()); err != nil {
		return fmt.Errorf("backup: %s: %w", name, err)
	}
	return nil
}

// runRestore unpacks a backup into an empty data dir and checks the
// database's integrity before saying it is ready.
func runRestore(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("restore", flag.ContinueOnError)
	fs.SetOutput(stderr)
	in := fs.String("in", "", "the backup file (from starling backup)")
	dataDir := fs.String("data-dir", "", "the data dir to restore into; must be empty or not exist")
	fs.Usage = usage(fs, "starling restore --in FILE --data-dir DIR")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *in == "" || *dataDir == "" {
		return errors.New("--in and --data-dir are required")
	}
	if entries, err := os.ReadDir(*dataDir); err == nil && len(entries) > 0 {
		return fmt.Errorf("restore: %s is not empty: restore into a new directory, then point --data-dir at it", *dataDir)
	}
	if err := os.MkdirAll(*dataDir, 0o700); err != nil {
		return fmt.Errorf("restore: %w", err)
	}
	if err := extractBackup(*in, *dataDir); err != nil {
		return err
	}
	dbPath := filepath.Join(*dataDir, backupDB)
	st, err := sqlite.Open(ctx, dbPath)
	if err != nil {
		return fmt.Errorf("restore: %w", err)
	}
	defer st.Close()
	if err := st.IntegrityCheck(ctx); err != nil {
		return fmt.Errorf("restore: the restored database is damaged: %w", err)
	}
	fmt.Fprintf(stdout, "restored into %s; start it with: starling serve --data-dir %s\n", *dataDir, *dataDir)
	return nil
}

// extractBackup unpacks regular files only, each inside dir.
func extractBackup(path, dir string) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("restore: %w", err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		return fmt.Errorf("restore: %s is not a starling backup: %w", path, err)
	}
	tr := tar.NewReader(zr)
	sawDB := false
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return fmt.Errorf("restore: %w", err)
		}
		name := filepath.FromSlash(h.Name)
		if h.Typeflag != tar.TypeReg || !filepath.IsLocal(name) || strings.ContainsRune(name, 0) {
			return fmt.Errorf("restore: refusing entry %q (only plain files inside the data dir)", h.Name)
		}
		sawDB = sawDB || h.Name == backupDB
		target := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(target), 0o700); err != nil {
			return fmt.Errorf("restore: %w", err)
		}
		out, err := os.OpenFile(target, os.O_CREATE|os.O_EXCL|os.O_WRONLY, os.FileMode(h.Mode).Perm()|0o600)
		if err != nil {
			return fmt.Errorf("restore: %w", err)
		}
		_, cerr := io.Copy(out, tr)
		if err := errors.Join(cerr, out.Sync(), out.Close()); err != nil {
			return fmt.Errorf("restore: %s: %w", h.Name, err)
		}
	}
	if !sawDB {
		return fmt.Errorf("restore: %s holds no %s", path, backupDB)
	}
	return nil
}
