package store

import (
	"encoding/binary"
	"fmt"
	"math"
)

// EncodeEmbedding is how both backends store a status's vector: its
// float32 values' bits, little-endian. An empty vector is nil, stored as
// NULL (no embedding).
func EncodeEmbedding(v []float32) []byte {
	if len(v) == 0 {
		return nil
	}
	b := make([]byte, 4*len(v))
	for i, f := range v {
		binary.LittleEndian.PutUint32(b[4*i:], math.Float32bits(f))
	}
	return b
}

// DecodeEmbedding reverses EncodeEmbedding; an empty value is no embedding
// (nil), a length that is not a multiple of 4 is an error.
func DecodeEmbedding(b []byte) ([]float32, error) {
	if len(b) == 0 {
		return nil, nil
	}
	if len(b)%4 != 0 {
		return nil, fmt.Errorf("embedding is %d bytes, not a multiple of 4", len(b))
	}
	v := make([]float32, len(b)/4)
	for i := range v {
		v[i] = math.Float32frombits(binary.LittleEndian.Uint32(b[4*i:]))
	}
	return v, nil
}

// ScanStatusEmbedding reads one row of (id, embedding) through scan (a
// driver row's Scan), for ListStatusEmbeddings.
func ScanStatusEmbedding(scan func(dest ...any) error) (StatusEmbedding, error) {
	var (
		e StatusEmbedding
		b []byte
	)
	if err := scan(&e.StatusID, &b); err != nil {
		return e, err
	}
	v, err := DecodeEmbedding(b)
	if err != nil {
		return e, fmt.Errorf("status %d: %w", e.StatusID, err)
	}
	e.Embedding = v
	return e, nil
}
