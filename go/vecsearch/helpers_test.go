package vecsearch_test

import (
	"strconv"
	"unsafe"
)

func unsafePointer[T any](p *T) unsafe.Pointer { return unsafe.Pointer(p) }

func itoa(i int) string { return strconv.Itoa(i) }
