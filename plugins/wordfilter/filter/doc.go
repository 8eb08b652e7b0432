// Package filter is the word filter the wordfilter plugin serves. It is a
// package of its own so the bench can call it in process and compare with
// the same code over gRPC.
//
// It serves check_status and check_account. Configuration (the manifest
// entry's "config"):
//
//	{"words": ["spamword", "buy followers"], "action": "reject", "reason": "optional text"}
//
// Text is normalized first (package textnorm: NFKC, diacritics and
// zero-width characters removed, full case folding, Cyrillic and Greek
// look-alikes folded to Latin), and the words, normalized the same way, are
// found in one pass by an Aho–Corasick automaton. A match counts only as a
// whole word or phrase (not inside a longer run of letters or digits), so
// "ＳＰＡＭ", "sp\u200bam", "spám" and "ѕраm" all match "spam" while
// "class" does not match "ass". Scripts written without spaces (Chinese,
// Japanese, Thai) only match whole runs.
//
// Actions: "reject" refuses the status (the reason says it contains a
// blocked word but never which, so the list cannot be probed); "mask"
// replaces each match by one asterisk per character as written and stores
// the status; "flag" stores it and lists it for moderators. For accounts
// (username, display name, bio), "reject" refuses the sign-up or the
// change, and "mask" and "flag" flag the account.
package filter
