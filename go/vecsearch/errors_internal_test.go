package vecsearch

import (
	"errors"
	"testing"
	"unsafe"
)

// TestStatusMapping pins every library status code to its sentinel. A code
// appended to the header without a sentinel here shows up as ErrUnknown.
func TestStatusMapping(t *testing.T) {
	tests := []struct {
		code int32
		want error
	}{
		{statusNull, ErrNull},
		{statusInvalidArgument, ErrInvalidArgument},
		{statusDimension, ErrDimension},
		{statusNotTrained, ErrNotTrained},
		{statusPanic, ErrPanic},
		{statusIO, ErrIO},
		{statusCorrupt, ErrCorrupt},
		{statusOutOfMemory, ErrOutOfMemory},
		{statusUnsupported, ErrUnsupported},
		{9999, ErrUnknown},
		{statusOK, ErrUnknown}, // never passed: success is not an error
	}
	seen := map[error]bool{}
	for _, tt := range tests {
		if got := kindOf(tt.code); got != tt.want {
			t.Errorf("kindOf(%d) = %v, want %v", tt.code, got, tt.want)
		}
		if tt.want != ErrUnknown {
			if seen[tt.want] {
				t.Errorf("sentinel %v used for two codes", tt.want)
			}
			seen[tt.want] = true
		}
	}
}

// TestStatusErrorMessage checks that the library's message is copied out of
// the C buffer (up to the NUL) and wrapped with the op and the sentinel.
func TestStatusErrorMessage(t *testing.T) {
	var buf msgBuf
	copy(unsafe.Slice((*byte)(unsafe.Pointer(&buf[0])), len(buf)), "search: d = 3, index dimension is 2\x00")
	err := statusError("search", statusDimension, &buf)
	if !errors.Is(err, ErrDimension) {
		t.Fatalf("errors.Is(%v, ErrDimension) = false", err)
	}
	want := "vecsearch: search: dimension mismatch: search: d = 3, index dimension is 2"
	if err.Error() != want {
		t.Errorf("Error() = %q, want %q", err.Error(), want)
	}
	var e *Error
	if !errors.As(err, &e) || e.Code != statusDimension {
		t.Errorf("errors.As = %+v, want Code %d", e, statusDimension)
	}
	unknown := statusError("search", 42, &buf)
	if !errors.Is(unknown, ErrUnknown) {
		t.Errorf("unknown code: %v", unknown)
	}
}
