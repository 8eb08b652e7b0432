package store

import (
	"math"
	"slices"
	"testing"
)

func TestEmbeddingCodec(t *testing.T) {
	v := []float32{0, -1.5, 3.25, math.MaxFloat32, float32(math.Inf(-1))}
	b := EncodeEmbedding(v)
	if len(b) != 4*len(v) || b[4] != 0 || b[7] != 0xbf { // -1.5 is 0xbfc00000, little-endian
		t.Fatalf("EncodeEmbedding = % x", b)
	}
	got, err := DecodeEmbedding(b)
	if err != nil || !slices.Equal(got, v) {
		t.Errorf("round trip = %v, %v; want %v", got, err, v)
	}
	if EncodeEmbedding(nil) != nil || EncodeEmbedding([]float32{}) != nil {
		t.Error("an empty vector must encode as nil (NULL)")
	}
	if got, err := DecodeEmbedding(nil); got != nil || err != nil {
		t.Errorf("DecodeEmbedding(nil) = %v, %v; want nil, nil", got, err)
	}
	if _, err := DecodeEmbedding([]byte{1, 2, 3}); err == nil {
		t.Error("3 bytes decoded; want an error")
	}
}
