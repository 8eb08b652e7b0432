//go:build !linux

package policy

import "os"

// sealedCopy needs Linux's sealed memfds; elsewhere the stager keeps
// verified file copies and hashes them again before each run.
func sealedCopy(string, string) (*os.File, error) { return nil, errSealUnsupported }

func sealedPath(f *os.File) string { return f.Name() }
