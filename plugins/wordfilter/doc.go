// Command wordfilter is Starling's bundled word-filter policy plugin. The
// host starts it; run by hand it only explains that it is a plugin.
//
// It serves the check_status hook. Configuration (the manifest entry's
// "config"):
//
//	{"words": ["spamword", "scamlink"], "action": "reject", "reason": "optional text"}
//
// A status matches when its text or spoiler text contains one of the words
// as a whole word, compared case-insensitively (Unicode simple case
// folding): "Spamword!" matches "spamword", "class" does not match "ass". A
// word is a maximal run of letters, combining marks and digits, so
// punctuation, spaces and symbols separate words in any script. Scripts
// written without spaces (Chinese, Japanese, Thai) only match whole runs.
//
// With action "reject" a matching status is refused; the reason says it
// contains a blocked word but never which, so the list cannot be probed.
// With action "mask" each blocked word is replaced by as many asterisks as
// it has characters, in text and spoiler text, and the status is stored.
package main
