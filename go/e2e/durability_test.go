package e2e

import "testing"

// TestSQLiteDurabilityFlag runs the real binary with the default and with
// --sqlite-sync=normal and checks what its SQLite connections run with, as
// the server reads it back (PRAGMA synchronous) and logs it at start: FULL,
// every acknowledged write synced to disk, unless the operator chose
// otherwise.
func TestSQLiteDurabilityFlag(t *testing.T) {
	for _, tt := range []struct {
		args []string
		want string
	}{
		{nil, "FULL"},
		{[]string{"--sqlite-sync", "normal"}, "NORMAL"},
		{[]string{"--sqlite-sync", "full"}, "FULL"},
	} {
		s := startServer(t, t.TempDir(), tt.args...)
		rec := s.startupRecord("database opened")
		if rec == nil || rec["synchronous"] != tt.want {
			t.Errorf("serve %v: database opened with %v, want synchronous %s", tt.args, rec, tt.want)
		}
		s.stop()
	}
}
