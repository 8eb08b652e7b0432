package vecsearch

import (
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"testing"
)

// TestLibraryHashMatchesLinkedLibrary fails when the Rust library on disk is
// not the one this test binary was built against, e.g. after a `cargo build`
// without `make rust`: the relink guarantee rests on the hash being current.
func TestLibraryHashMatchesLinkedLibrary(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("..", "..", "target", "release", "libvecsearch.a"))
	if err != nil {
		t.Fatalf("read the static library: %v", err)
	}
	sum := sha256.Sum256(b)
	if got, want := LibraryHash(), hex.EncodeToString(sum[:]); got != want {
		t.Fatalf("linked library hash %s, library on disk %s: run `make rust` so Go relinks", got, want)
	}
}
