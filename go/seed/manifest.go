package seed

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
)

// ManifestFile is the manifest's name inside a seeded data dir.
const ManifestFile = "seed.json"

// Manifest is <data-dir>/seed.json, written by `starling seed` and read by
// the benches: what was generated, and a sample of usernames across the
// popularity ranks for benches to sign in as.
type Manifest struct {
	Accounts   int     `json:"accounts"`
	Statuses   int     `json:"statuses"`
	Follows    int     `json:"follows"`
	Favourites int     `json:"favourites"`
	Boosts     int     `json:"boosts"`
	Embedder   string  `json:"embedder"`
	Seed       uint64  `json:"seed"`
	Seconds    float64 `json:"seconds"`
	// Graph is the --graph edge list the follows came from ("" drawn).
	Graph     string   `json:"graph,omitempty"`
	Usernames []string `json:"usernames"`
	// Top are the most followed accounts, most first, with their
	// follower counts (benches sign in as them to post as celebrities).
	Top          []string `json:"top_usernames"`
	TopFollowers []int    `json:"top_followers"`
}

// WriteManifest writes m into dir, creating dir if need be.
func WriteManifest(dir string, m *Manifest) error {
	b, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return err
	}
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, ManifestFile), append(b, '\n'), 0o644)
}

// ReadManifest reads dir's manifest and refuses one that names no
// usernames or whose top accounts and follower counts disagree.
func ReadManifest(dir string) (*Manifest, error) {
	path := filepath.Join(dir, ManifestFile)
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("%s is not a seeded data dir: %w", dir, err)
	}
	var m Manifest
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if len(m.Usernames) == 0 || len(m.Top) != len(m.TopFollowers) {
		return nil, fmt.Errorf("%s: %w", path, errors.New("no usernames, or top usernames and follower counts of different lengths"))
	}
	return &m, nil
}
