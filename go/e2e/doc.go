// Package e2e holds end-to-end tests: they start the real bin/starling (and
// its real plugin processes) on free ports with a temporary data dir, and
// talk to it only over HTTP, as a Mastodon client would.
//
// `make test` builds the binaries first and points the tests at them with
// STARLING_TEST_BIN and STARLING_TEST_PLUGIN_DIR; run directly with
// `go test ./go/e2e` and those unset, the tests skip and say so.
package e2e
