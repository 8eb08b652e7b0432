package main

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/starling-social/starling/go/social"
)

// Limits on what the operator's files may hold: Mastodon's rule lengths,
// and sizes no real description reaches.
const (
	maxRules            = 100
	maxRuleText         = 300
	maxRuleHint         = 2000
	maxExtendedDescSize = 100 << 10
)

// loadRules reads the --instance-rules file: each line that does not
// start with whitespace is a rule; indented lines right below it are its
// hint; blank lines and lines starting with '#' are skipped. Rules get IDs
// 1, 2, … in file order, so reordering the file renumbers them. No path
// means no rules.
func loadRules(path string) ([]social.Rule, error) {
	if path == "" {
		return nil, nil
	}
	b, err := readOperatorFile(path, maxRules*(maxRuleText+maxRuleHint))
	if err != nil {
		return nil, fmt.Errorf("--instance-rules: %w", err)
	}
	var rules []social.Rule
	sc := bufio.NewScanner(bytes.NewReader(b))
	sc.Buffer(make([]byte, 0, 4096), len(b)+1)
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		text := strings.TrimSpace(line)
		switch {
		case text == "" || strings.HasPrefix(text, "#"):
		case unicode.IsSpace([]rune(line)[0]):
			if len(rules) == 0 {
				return nil, fmt.Errorf("--instance-rules %s:%d: a hint before any rule", path, n)
			}
			r := &rules[len(rules)-1]
			r.Hint = strings.TrimSpace(r.Hint + " " + text)
			if utf8.RuneCountInString(r.Hint) > maxRuleHint {
				return nil, fmt.Errorf("--instance-rules %s:%d: hint longer than %d characters", path, n, maxRuleHint)
			}
		default:
			if utf8.RuneCountInString(text) > maxRuleText {
				return nil, fmt.Errorf("--instance-rules %s:%d: rule longer than %d characters", path, n, maxRuleText)
			}
			if len(rules) == maxRules {
				return nil, fmt.Errorf("--instance-rules %s: more than %d rules", path, maxRules)
			}
			rules = append(rules, social.Rule{ID: int64(len(rules) + 1), Text: text})
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("--instance-rules %s: %w", path, err)
	}
	return rules, nil
}

// loadExtendedDescription reads the --instance-extended-description file
// and when it was last changed. No path means none.
func loadExtendedDescription(path string) (string, time.Time, error) {
	if path == "" {
		return "", time.Time{}, nil
	}
	b, err := readOperatorFile(path, maxExtendedDescSize)
	if err != nil {
		return "", time.Time{}, fmt.Errorf("--instance-extended-description: %w", err)
	}
	fi, err := os.Stat(path)
	if err != nil {
		return "", time.Time{}, fmt.Errorf("--instance-extended-description: %w", err)
	}
	return strings.TrimSpace(string(b)), fi.ModTime().UTC(), nil
}

// readOperatorFile reads a text file of at most maxSize bytes that must be
// UTF-8 without NUL characters (they could not be stored or served).
func readOperatorFile(path string, maxSize int) ([]byte, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	if len(b) > maxSize {
		return nil, fmt.Errorf("%s: larger than %d bytes", path, maxSize)
	}
	if !utf8.Valid(b) || bytes.IndexByte(b, 0) >= 0 {
		return nil, fmt.Errorf("%s: not UTF-8 text", path)
	}
	return b, nil
}
