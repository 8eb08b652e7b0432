package e2e

import (
	"bytes"
	"image"
	"image/color"
	"image/jpeg"
	"testing"
)

// photoWithGPS is a w×h JPEG whose EXIF segment holds a GPS IFD with the
// marker GPS-SECRET, the way a phone camera tags where a photo was taken.
func photoWithGPS(t *testing.T, w, h int) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			img.Set(x, y, color.RGBA{uint8(x * 255 / w), uint8(y * 255 / h), uint8((x + y) % 256), 255})
		}
	}
	var b bytes.Buffer
	if err := jpeg.Encode(&b, img, &jpeg.Options{Quality: 85}); err != nil {
		t.Fatal(err)
	}
	// TIFF header (big-endian), IFD0 with one entry: GPSInfo -> IFD at 26,
	// which holds GPSLatitudeRef; the marker string follows.
	tiff := []byte("MM\x00\x2a\x00\x00\x00\x08" +
		"\x00\x01" + "\x88\x25\x00\x04\x00\x00\x00\x01\x00\x00\x00\x1a" + "\x00\x00\x00\x00" +
		"\x00\x01" + "\x00\x01\x00\x02\x00\x00\x00\x02N\x00\x00\x00" + "\x00\x00\x00\x00" +
		"GPS-SECRET-51.5N")
	payload := append([]byte("Exif\x00\x00"), tiff...)
	seg := []byte{0xFF, 0xE1, byte((len(payload) + 2) >> 8), byte(len(payload) + 2)}
	jpg := b.Bytes()
	out := append([]byte{}, jpg[:2]...)
	out = append(out, seg...)
	out = append(out, payload...)
	return append(out, jpg[2:]...)
}
