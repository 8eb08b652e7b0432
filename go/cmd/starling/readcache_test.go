package main

import (
	"flag"
	"io"
	"strings"
	"testing"
)

// --read-cache: auto is on for SQLite only; anything but auto, on and off
// is refused at start.
func TestReadCacheFlag(t *testing.T) {
	for _, tc := range []struct {
		args    []string
		on      bool
		refused bool
	}{
		{nil, true, false},
		{[]string{"--read-cache=auto", "--db=postgres://x/y"}, false, false},
		{[]string{"--read-cache=on", "--db=postgres://x/y"}, true, false},
		{[]string{"--read-cache=off"}, false, false},
		{[]string{"--read-cache=ON"}, false, true},
		{[]string{"--read-cache="}, false, true},
		{[]string{"--read-cache=on\x00"}, false, true},
		{[]string{"--read-cache=" + strings.Repeat("a", 10000)}, false, true},
	} {
		var c serveConfig
		fs := flag.NewFlagSet("serve", flag.ContinueOnError)
		fs.SetOutput(io.Discard)
		c.register(fs)
		if err := fs.Parse(tc.args); err != nil {
			t.Fatalf("%q: %v", tc.args, err)
		}
		err := c.validate()
		if tc.refused {
			if err == nil || !strings.Contains(err.Error(), "--read-cache") {
				t.Errorf("%.40q: validate = %v, want a --read-cache error", tc.args, err)
			}
			continue
		}
		if err != nil {
			t.Errorf("%q: validate = %v", tc.args, err)
		}
		if got := c.readCacheOn(); got != tc.on {
			t.Errorf("%q: on = %v, want %v", tc.args, got, tc.on)
		}
	}
}
