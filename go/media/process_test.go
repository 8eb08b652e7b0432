package media

import (
	"bytes"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"image"
	"image/color"
	"image/gif"
	"image/jpeg"
	"image/png"
	"testing"
)

// gradient is a w×h image with some structure, so encoders and the
// blurhash have something to work on.
func gradient(w, h int) *image.RGBA {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			img.Set(x, y, color.RGBA{uint8(x * 255 / w), uint8(y * 255 / h), 128, 255})
		}
	}
	return img
}

func encodeJPEGT(t testing.TB, img image.Image) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := jpeg.Encode(&b, img, nil); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func encodePNGT(t testing.TB, img image.Image) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// withEXIF inserts an APP1 EXIF segment after a JPEG's SOI marker: a TIFF
// header with IFD0 holding Orientation and a GPSInfo pointer to a GPS IFD
// with a latitude reference, enough for decoders and for grep.
func withEXIF(t testing.TB, jpg []byte, orientation uint16) []byte {
	t.Helper()
	var tiff bytes.Buffer
	le := binary.BigEndian
	tiff.WriteString("MM\x00\x2a")
	_ = binary.Write(&tiff, le, uint32(8)) // IFD0 offset
	// IFD0: 2 entries.
	_ = binary.Write(&tiff, le, uint16(2))
	entry := func(tag, typ uint16, count, value uint32) {
		_ = binary.Write(&tiff, le, tag)
		_ = binary.Write(&tiff, le, typ)
		_ = binary.Write(&tiff, le, count)
		_ = binary.Write(&tiff, le, value)
	}
	entry(0x0112, 3, 1, uint32(orientation)<<16) // Orientation, SHORT, left-justified
	gpsOffset := uint32(8 + 2 + 2*12 + 4)
	entry(0x8825, 4, 1, gpsOffset) // GPSInfo pointer
	_ = binary.Write(&tiff, le, uint32(0))
	// GPS IFD: GPSLatitudeRef "N" and a marker string we can search for.
	_ = binary.Write(&tiff, le, uint16(1))
	entry(0x0001, 2, 2, uint32('N')<<24)
	_ = binary.Write(&tiff, le, uint32(0))
	tiff.WriteString("GPS-SECRET-51.5N")
	payload := append([]byte("Exif\x00\x00"), tiff.Bytes()...)
	seg := []byte{0xFF, 0xE1, 0, 0}
	binary.BigEndian.PutUint16(seg[2:], uint16(len(payload)+2))
	out := append([]byte{}, jpg[:2]...)
	out = append(out, seg...)
	out = append(out, payload...)
	return append(out, jpg[2:]...)
}

// pngHeaderOnly is a PNG whose IHDR claims w×h, with a valid CRC and no
// pixel data: a decompression bomb's header.
func pngHeaderOnly(w, h uint32) []byte {
	var b bytes.Buffer
	b.WriteString("\x89PNG\r\n\x1a\n")
	ihdr := make([]byte, 13)
	binary.BigEndian.PutUint32(ihdr[0:], w)
	binary.BigEndian.PutUint32(ihdr[4:], h)
	ihdr[8], ihdr[9] = 8, 6 // 8-bit RGBA
	chunk := append([]byte("IHDR"), ihdr...)
	_ = binary.Write(&b, binary.BigEndian, uint32(13))
	b.Write(chunk)
	_ = binary.Write(&b, binary.BigEndian, crc32.ChecksumIEEE(chunk))
	return b.Bytes()
}

func TestProcessRefusesBadInput(t *testing.T) {
	valid := encodePNGT(t, gradient(40, 30))
	lim := Limits{MaxBytes: 1 << 20, MaxPixels: 10_000_000}
	cases := []struct {
		name string
		data []byte
		want error
	}{
		{"empty", nil, ErrEmpty},
		{"over the byte limit", make([]byte, lim.MaxBytes+1), ErrTooLarge},
		{"text", []byte("hello, this is not an image at all"), ErrUnsupported},
		{"NUL bytes", make([]byte, 64), ErrUnsupported},
		{"invalid UTF-8 noise", []byte{0xff, 0xfe, 0xc3, 0x28, 0xa0, 0xa1}, ErrUnsupported},
		{"HTML named .png", []byte("<html><script>alert(1)</script></html>"), ErrUnsupported},
		{"SVG", []byte(`<svg xmlns="http://www.w3.org/2000/svg"/>`), ErrUnsupported},
		{"truncated PNG", valid[:len(valid)/2], ErrCorrupt},
		{"PNG signature only", valid[:8], ErrCorrupt},
		{"100000×100000 PNG", pngHeaderOnly(100_000, 100_000), ErrTooBig},
		{"4G×1 PNG", pngHeaderOnly(1<<31-1, 1), ErrTooBig},
		{"zero-width PNG", pngHeaderOnly(0, 10), ErrCorrupt},
		{"JPEG header only", []byte{0xFF, 0xD8, 0xFF, 0xE0, 0, 0x10, 'J', 'F', 'I', 'F', 0}, ErrCorrupt},
		{"GIF header only", []byte("GIF89a\x10\x00\x10\x00"), ErrCorrupt},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			img, err := Process(c.data, lim)
			if !errors.Is(err, c.want) {
				t.Fatalf("Process = %v, %v; want %v", img, err, c.want)
			}
			var inv interface{ Invalid() string }
			if !errors.As(err, &inv) || inv.Invalid() == "" {
				t.Errorf("%v has no client-safe reason", err)
			}
		})
	}
}

func TestProcessFormats(t *testing.T) {
	src := gradient(1200, 800)
	var gifBuf bytes.Buffer
	pal := image.NewPaletted(image.Rect(0, 0, 64, 48), []color.Color{color.Black, color.White, color.RGBA{255, 0, 0, 255}})
	pal2 := image.NewPaletted(image.Rect(0, 0, 64, 48), pal.Palette)
	if err := gif.EncodeAll(&gifBuf, &gif.GIF{Image: []*image.Paletted{pal, pal2}, Delay: []int{10, 10}}); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name         string
		data         []byte
		wantType     string
		wantW, wantH int
	}{
		{"JPEG", encodeJPEGT(t, src), "image/jpeg", 1200, 800},
		{"PNG", encodePNGT(t, src), "image/png", 1200, 800},
		{"animated GIF, first frame", gifBuf.Bytes(), "image/png", 64, 48},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			img, err := Process(c.data, DefaultLimits)
			if err != nil {
				t.Fatal(err)
			}
			if img.ContentType != c.wantType || img.Width != c.wantW || img.Height != c.wantH {
				t.Errorf("got %s %d×%d, want %s %d×%d", img.ContentType, img.Width, img.Height, c.wantType, c.wantW, c.wantH)
			}
			if img.SmallWidth*img.SmallHeight > smallPixels || img.SmallWidth > img.Width {
				t.Errorf("preview %d×%d is larger than %d pixels or than the original", img.SmallWidth, img.SmallHeight, smallPixels)
			}
			for what, b := range map[string][]byte{"original": img.Data, "preview": img.Small} {
				cfg, format, err := image.DecodeConfig(bytes.NewReader(b))
				if err != nil || "image/"+format != c.wantType {
					t.Errorf("%s does not decode as %s: %v %s", what, c.wantType, err, format)
				}
				if what == "preview" && (cfg.Width != img.SmallWidth || cfg.Height != img.SmallHeight) {
					t.Errorf("preview is %d×%d, reported %d×%d", cfg.Width, cfg.Height, img.SmallWidth, img.SmallHeight)
				}
			}
			if len(img.Blurhash) < 6 {
				t.Errorf("blurhash %q", img.Blurhash)
			}
		})
	}
}

// The served original must carry no metadata: EXIF (GPS above all) is
// gone, and the orientation it asked for is applied to the pixels.
func TestProcessStripsEXIFAndAppliesOrientation(t *testing.T) {
	jpg := withEXIF(t, encodeJPEGT(t, gradient(60, 20)), 6) // 6: rotate 90° clockwise
	if !bytes.Contains(jpg, []byte("GPS-SECRET")) {
		t.Fatal("test input lacks its GPS marker")
	}
	img, err := Process(jpg, DefaultLimits)
	if err != nil {
		t.Fatal(err)
	}
	for what, b := range map[string][]byte{"original": img.Data, "preview": img.Small} {
		if bytes.Contains(b, []byte("GPS-SECRET")) || bytes.Contains(b, []byte("Exif\x00\x00")) {
			t.Errorf("the %s still carries EXIF", what)
		}
	}
	if img.Width != 20 || img.Height != 60 {
		t.Errorf("orientation 6 gave %d×%d, want 20×60", img.Width, img.Height)
	}
}

// FuzzProcess feeds arbitrary bytes to the decoder entry point: it must
// refuse or succeed, never panic, and a success must be a real image.
func FuzzProcess(f *testing.F) {
	f.Add(encodePNGT(f, gradient(8, 8)))
	f.Add(encodeJPEGT(f, gradient(8, 8)))
	f.Add(withEXIF(f, encodeJPEGT(f, gradient(8, 4)), 8))
	f.Add(pngHeaderOnly(100_000, 100_000))
	f.Add([]byte("GIF89a\x01\x00\x01\x00\x00\x00\x00,\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x00;"))
	f.Add([]byte("RIFF\x00\x00\x00\x00WEBPVP8 "))
	lim := Limits{MaxBytes: 1 << 20, MaxPixels: 1 << 20}
	f.Fuzz(func(t *testing.T, data []byte) {
		img, err := Process(data, lim)
		if err != nil {
			var inv interface{ Invalid() string }
			if !errors.As(err, &inv) {
				t.Fatalf("a non-refusal error: %v", err)
			}
			return
		}
		if img.Width*img.Height > int(lim.MaxPixels) {
			t.Fatalf("accepted %d×%d over the pixel limit", img.Width, img.Height)
		}
		if _, _, err := image.DecodeConfig(bytes.NewReader(img.Data)); err != nil {
			t.Fatalf("original does not decode: %v", err)
		}
	})
}
