package vecsearch

/*
#include "vecsearch.h"
*/
import "C"

import (
	"errors"
	"fmt"
	"unsafe"
)

// Sentinel errors. Each library status code maps to exactly one of them;
// test with errors.Is. New ones are only ever added, like the codes.
var (
	// ErrNull means the library was handed a NULL pointer (a binding bug).
	ErrNull = errors.New("null pointer")
	// ErrInvalidArgument means an argument has a bad value: k < 1, a
	// dimension < 1, an unknown metric, a NaN or infinite value, a negative
	// id, mismatched lengths or an output buffer that is too small.
	ErrInvalidArgument = errors.New("invalid argument")
	// ErrDimension means a vector's length does not match the index's
	// dimension.
	ErrDimension = errors.New("dimension mismatch")
	// ErrNotTrained means the index must be trained before this call.
	ErrNotTrained = errors.New("index not trained")
	// ErrPanic means the library panicked; the panic was caught at the
	// boundary and the index is still usable.
	ErrPanic = errors.New("library panic")
	// ErrIO means reading or writing an index file failed.
	ErrIO = errors.New("i/o error")
	// ErrCorrupt means data read back is not a valid index.
	ErrCorrupt = errors.New("corrupt index data")
	// ErrOutOfMemory means memory for new vectors could not be reserved.
	ErrOutOfMemory = errors.New("out of memory")
	// ErrUnsupported means the operation does not apply to this index
	// (e.g. RefineFactor > 0 on an index without refine storage).
	ErrUnsupported = errors.New("unsupported")
	// ErrClosed means the Index was closed (or is nil).
	ErrClosed = errors.New("index closed")
	// ErrUnknown means the library returned a status code this binding does
	// not know (a newer library than the binding).
	ErrUnknown = errors.New("unknown status")
)

// Status codes of include/vecsearch.h, as Go constants.
const (
	statusOK              = C.VS_OK
	statusNull            = C.VS_ERR_NULL
	statusInvalidArgument = C.VS_ERR_INVALID_ARGUMENT
	statusDimension       = C.VS_ERR_DIMENSION
	statusNotTrained      = C.VS_ERR_NOT_TRAINED
	statusPanic           = C.VS_ERR_PANIC
	statusIO              = C.VS_ERR_IO
	statusCorrupt         = C.VS_ERR_CORRUPT
	statusOutOfMemory     = C.VS_ERR_OUT_OF_MEMORY
	statusUnsupported     = C.VS_ERR_UNSUPPORTED
)

// Error is an error from an Index method: which operation failed, the
// sentinel saying what kind of failure it was, and the detail (the
// library's own message when the library reported it).
type Error struct {
	// Op is the operation: "new flat", "add", "search", "len", ...
	Op string
	// Kind is one of the sentinels above; Unwrap returns it.
	Kind error
	// Code is the library's status code, or 0 when the binding itself
	// rejected the call before crossing into the library.
	Code int32
	// Msg is the detail.
	Msg string
}

// Error formats as "vecsearch: <op>: <kind>: <detail>".
func (e *Error) Error() string {
	if e.Msg == "" {
		return "vecsearch: " + e.Op + ": " + e.Kind.Error()
	}
	return "vecsearch: " + e.Op + ": " + e.Kind.Error() + ": " + e.Msg
}

// Unwrap returns the sentinel, so errors.Is(err, ErrDimension) works.
func (e *Error) Unwrap() error { return e.Kind }

// kindOf maps a library status code to its sentinel.
func kindOf(code int32) error {
	switch code {
	case statusNull:
		return ErrNull
	case statusInvalidArgument:
		return ErrInvalidArgument
	case statusDimension:
		return ErrDimension
	case statusNotTrained:
		return ErrNotTrained
	case statusPanic:
		return ErrPanic
	case statusIO:
		return ErrIO
	case statusCorrupt:
		return ErrCorrupt
	case statusOutOfMemory:
		return ErrOutOfMemory
	case statusUnsupported:
		return ErrUnsupported
	}
	return ErrUnknown
}

// errBufLen is the size of the message buffer each call passes to the
// library. Longer messages are truncated by the library.
const errBufLen = 256

// msgBuf receives the library's message. It lives on the caller's stack
// (the C functions are declared noescape), so success costs no allocation.
type msgBuf [errBufLen]C.char

// statusError builds the error for a failed library call, copying the
// message out of buf. Only called on the error path.
func statusError(op string, code C.vs_status, buf *msgBuf) error {
	b := unsafe.Slice((*byte)(unsafe.Pointer(&buf[0])), len(buf))
	n := 0
	for n < len(b) && b[n] != 0 {
		n++
	}
	msg := string(b[:n])
	if kindOf(int32(code)) == ErrUnknown {
		msg = fmt.Sprintf("status %d: %s", int32(code), msg)
	}
	return &Error{Op: op, Kind: kindOf(int32(code)), Code: int32(code), Msg: msg}
}

// checkError builds an error for a call rejected in Go, before crossing.
func checkError(op string, kind error, format string, args ...any) error {
	return &Error{Op: op, Kind: kind, Msg: fmt.Sprintf(format, args...)}
}
