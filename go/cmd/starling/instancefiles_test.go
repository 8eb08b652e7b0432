package main

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/starling-social/starling/go/social"
)

func writeFile(t *testing.T, content string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "f.txt")
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestLoadRules(t *testing.T) {
	rules, err := loadRules(writeFile(t, "# our rules\n\nBe kind.\n  No harassment,\n  of anyone.\nNo spam.\n\n"))
	if err != nil {
		t.Fatal(err)
	}
	want := []social.Rule{{ID: 1, Text: "Be kind.", Hint: "No harassment, of anyone."}, {ID: 2, Text: "No spam."}}
	if !reflect.DeepEqual(rules, want) {
		t.Errorf("rules = %+v, want %+v", rules, want)
	}
	if rules, err := loadRules(""); err != nil || rules != nil {
		t.Errorf("no file: %v, %v", rules, err)
	}
	for name, content := range map[string]string{
		"a hint first":   "  hint\nRule\n",
		"a long rule":    strings.Repeat("x", maxRuleText+1) + "\n",
		"too many rules": strings.Repeat("rule\n", maxRules+1),
		"NUL":            "Be kind\x00\n",
		"invalid UTF-8":  "Be kind \xff\n",
	} {
		if _, err := loadRules(writeFile(t, content)); err == nil {
			t.Errorf("%s: loaded", name)
		}
	}
	if _, err := loadRules(filepath.Join(t.TempDir(), "missing")); err == nil {
		t.Error("a missing file loaded")
	}
}

func TestLoadExtendedDescription(t *testing.T) {
	path := writeFile(t, "\nAbout us.\n\nMore.\n")
	at := time.Date(2025, 2, 3, 4, 5, 6, 0, time.UTC)
	if err := os.Chtimes(path, at, at); err != nil {
		t.Fatal(err)
	}
	text, mod, err := loadExtendedDescription(path)
	if err != nil || text != "About us.\n\nMore." || !mod.Equal(at) {
		t.Errorf("= %q, %v, %v", text, mod, err)
	}
	if _, _, err := loadExtendedDescription(writeFile(t, strings.Repeat("x", maxExtendedDescSize+1))); err == nil {
		t.Error("an oversized file loaded")
	}
}
