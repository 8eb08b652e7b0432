package main

import (
	"compress/gzip"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// writePostsFile writes n texts as a short-posts-en style gzip'd TSV.
func writePostsFile(t *testing.T, n int) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "posts.tsv.gz")
	f, err := os.Create(p)
	if err != nil {
		t.Fatal(err)
	}
	zw := gzip.NewWriter(f)
	fmt.Fprintln(zw, "row\tsource\ttext")
	for i := range n {
		fmt.Fprintf(zw, "%d\ttest\tpost number %d about #bench\n", i, i)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestStoreWriteEndToEnd(t *testing.T) {
	posts := writePostsFile(t, 30)
	for _, mode := range []string{"full", "normal"} {
		code, stdout, stderr := runCmd(t, "store-write", "--sqlite-sync", mode, "--posts", "24", "--clients", "3",
			"--posts-file", posts, "--dir", t.TempDir())
		if code != 0 {
			t.Fatalf("store-write --sqlite-sync %s: exit %d\n%s", mode, code, stderr)
		}
		var res storeWriteResult
		if err := json.Unmarshal([]byte(stdout), &res); err != nil {
			t.Fatalf("decode %q: %v", stdout, err)
		}
		if res.Synchronous != strings.ToUpper(mode) || res.Posts != 24 || res.Clients != 3 ||
			res.PostsPerS <= 0 || res.P50US <= 0 || res.P50US > res.P99US || res.P99US > res.MaxUS {
			t.Errorf("store-write --sqlite-sync %s: implausible result %+v", mode, res)
		}
	}
	for _, args := range [][]string{
		{"--sqlite-sync", "off", "--posts-file", posts},
		{"--posts", "0", "--posts-file", posts},
		{"--posts", "31", "--posts-file", posts}, // more than the file holds
		{"--posts-file", filepath.Join(t.TempDir(), "missing.tsv.gz")},
	} {
		if code, _, _ := runCmd(t, append([]string{"store-write"}, args...)...); code != 2 {
			t.Errorf("store-write %v: exit %d, want 2", args, code)
		}
	}
}
