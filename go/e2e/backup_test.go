package e2e

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// TestBackupUnderWriteLoad is the backup drill: while a client keeps
// posting, `starling backup` copies the running server's data dir; every
// status acknowledged before the backup started must be in the restored
// copy, which a server then serves, and the media and index snapshot files
// come along (doctor checks the snapshot's checksums). Restore refuses a
// data dir in use.
func TestBackupUnderWriteLoad(t *testing.T) {
	bin, _ := binaries(t)
	dir := t.TempDir()
	// A first run leaves an index snapshot in the data dir (written at
	// shutdown), as a server that has run a while has.
	first := startServer(t, dir, "--rate-limit", "0")
	_, appTok := newApp(t, first)
	if _, err := postStatus(first.base, register(t, first, appTok, "early"), "before the snapshot"); err != nil {
		t.Fatal(err)
	}
	first.stop()
	if _, err := os.Stat(filepath.Join(dir, "index", "statuses.json")); err != nil {
		t.Fatalf("no index snapshot after the first run: %v", err)
	}
	s := startServer(t, dir, "--rate-limit", "0")
	// A file of the data dir besides the database (as media will be).
	if err := os.MkdirAll(filepath.Join(dir, "media", "ab"), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "media", "ab", "file.bin"), []byte("media bytes"), 0o600); err != nil {
		t.Fatal(err)
	}
	_, appTok = newApp(t, s)
	token := register(t, s, appTok, "writer")

	var (
		mu    sync.Mutex
		acked []string
		fail  error
	)
	stop, done, warm := make(chan struct{}), make(chan struct{}), make(chan struct{})
	go func() {
		defer close(done)
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			id, err := postStatus(s.base, token, fmt.Sprintf("drill status %d", i))
			mu.Lock()
			if err != nil {
				fail = err
				mu.Unlock()
				close(warm)
				return
			}
			acked = append(acked, id)
			if len(acked) == 20 {
				close(warm)
			}
			mu.Unlock()
		}
	}()
	<-warm
	mu.Lock()
	before := append([]string(nil), acked...)
	mu.Unlock()
	out := filepath.Join(t.TempDir(), "backup.tar.gz")
	b, err := exec.Command(bin, "backup", "--data-dir", dir, "--out", out).CombinedOutput()
	close(stop)
	<-done
	if err != nil || fail != nil {
		t.Fatalf("backup: %v %s; poster: %v", err, b, fail)
	}
	mu.Lock()
	during := len(acked) - len(before)
	mu.Unlock()
	t.Logf("%d statuses acknowledged before the backup, %d while and after it ran", len(before), during)

	// Restore refuses a directory with anything in it.
	if b, err := exec.Command(bin, "restore", "--in", out, "--data-dir", dir).CombinedOutput(); err == nil ||
		!strings.Contains(string(b), "not empty") {
		t.Fatalf("restore into the live data dir: %v %s", err, b)
	}
	restored := filepath.Join(t.TempDir(), "restored")
	if b, err := exec.Command(bin, "restore", "--in", out, "--data-dir", restored).CombinedOutput(); err != nil {
		t.Fatalf("restore: %v %s", err, b)
	}
	s.stop()
	// The restored dir passes doctor: schema, integrity, and the index
	// snapshot that came along, whole (its checksums match).
	if b, err := exec.Command(bin, "doctor", "--data-dir", restored, "--plugins", "").CombinedOutput(); err != nil ||
		!strings.Contains(string(b), "ok   index snapshot") || !strings.Contains(string(b), "checksums ok") {
		t.Fatalf("doctor on the restored dir: %v\n%s", err, b)
	}
	r := startServer(t, restored, "--rate-limit", "0")
	for _, id := range before {
		r.must(r.do("GET", "/api/v1/statuses/"+id, token, nil), http.StatusOK)
	}
	// The data dir's other files came along with the database.
	if b, err := os.ReadFile(filepath.Join(restored, "media", "ab", "file.bin")); err != nil || string(b) != "media bytes" {
		t.Errorf("restored media file: %q, %v", b, err)
	}
}

// postStatus posts text and returns the new status's ID; it does not use
// testing.T, so the poster goroutine can run it.
func postStatus(base, token, text string) (string, error) {
	req, err := http.NewRequest("POST", base+"/api/v1/statuses", strings.NewReader(url.Values{"status": {text}}.Encode()))
	if err != nil {
		return "", err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		return "", fmt.Errorf("post: %d %s", resp.StatusCode, body)
	}
	var st struct{ ID string }
	if err := json.Unmarshal(body, &st); err != nil || st.ID == "" {
		return "", fmt.Errorf("post: %q: %v", body, err)
	}
	return st.ID, nil
}
