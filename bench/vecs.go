package main

import (
	"encoding/binary"
	"fmt"
	"io"
	"math"
	"os"
)

// Texmex vector files (the ANN_SIFT1M format used by ann-benchmarks and
// FAISS): each row is a little-endian int32 dimension d followed by d
// little-endian 4-byte values, float32 in .fvecs and int32 in .ivecs. Every
// row of a file must have the same d.

// readFvecs reads a whole .fvecs file: rows*dim float32 values, row-major.
func readFvecs(path string) (data []float32, rows, dim int, err error) {
	words, rows, dim, err := readVecs(path)
	if err != nil {
		return nil, 0, 0, err
	}
	data = make([]float32, len(words))
	for i, w := range words {
		data[i] = math.Float32frombits(w)
	}
	return data, rows, dim, nil
}

// readIvecs reads a whole .ivecs file: rows*dim int32 values, row-major.
func readIvecs(path string) (data []int32, rows, dim int, err error) {
	words, rows, dim, err := readVecs(path)
	if err != nil {
		return nil, 0, 0, err
	}
	data = make([]int32, len(words))
	for i, w := range words {
		data[i] = int32(w)
	}
	return data, rows, dim, nil
}

// readVecs opens path and decodes it with decodeVecs.
func readVecs(path string) ([]uint32, int, int, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, 0, 0, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, 0, 0, err
	}
	words, rows, dim, err := decodeVecs(f, st.Size())
	if err != nil {
		return nil, 0, 0, fmt.Errorf("%s: %w", path, err)
	}
	return words, rows, dim, nil
}

// maxDim bounds the dimension read from a file header, so a corrupt or
// wrong-format file fails fast instead of asking for gigabytes.
const maxDim = 1 << 16

// decodeVecs decodes size bytes of texmex rows from r into raw 4-byte words.
func decodeVecs(r io.Reader, size int64) (words []uint32, rows, dim int, err error) {
	if size == 0 {
		return nil, 0, 0, fmt.Errorf("empty file")
	}
	var head [4]byte
	if _, err := io.ReadFull(r, head[:]); err != nil {
		return nil, 0, 0, fmt.Errorf("reading first row: %w", err)
	}
	d := int64(int32(binary.LittleEndian.Uint32(head[:])))
	if d < 1 || d > maxDim {
		return nil, 0, 0, fmt.Errorf("first row has dimension %d (want 1..%d): not a texmex vector file?", d, maxDim)
	}
	rowBytes := 4 * (d + 1)
	if size%rowBytes != 0 {
		return nil, 0, 0, fmt.Errorf("size %d bytes is not a multiple of the row size %d (dimension %d): truncated or mixed dimensions", size, rowBytes, d)
	}
	rows, dim = int(size/rowBytes), int(d)
	words = make([]uint32, 0, rows*dim)
	buf := make([]byte, rowBytes)
	copy(buf, head[:])
	for row := range rows {
		start := 0
		if row == 0 {
			start = 4 // the dimension was read already
		}
		if _, err := io.ReadFull(r, buf[start:]); err != nil {
			return nil, 0, 0, fmt.Errorf("row %d: %w", row, err)
		}
		if got := int32(binary.LittleEndian.Uint32(buf)); int64(got) != d {
			return nil, 0, 0, fmt.Errorf("row %d has dimension %d, row 0 has %d", row, got, d)
		}
		for i := 1; i <= dim; i++ {
			words = append(words, binary.LittleEndian.Uint32(buf[4*i:]))
		}
	}
	return words, rows, dim, nil
}
