package media

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/draw"
	_ "image/gif" // registers the GIF decoder (first frame only)
	"image/jpeg"
	"image/png"
	"math"
	"net/http"
	"slices"

	"github.com/buckket/go-blurhash"
	"github.com/disintegration/imaging"
	_ "golang.org/x/image/webp" // registers the WebP decoder
)

// Limits bound what Process accepts.
type Limits struct {
	// MaxBytes is the largest upload, in bytes.
	MaxBytes int64
	// MaxPixels is the largest width × height, read from the header before
	// decoding (a 100000×100000 PNG is a few kilobytes on the wire and 40 GB
	// decoded).
	MaxPixels int64
}

// Mastodon's image limits, which the instance entity advertises.
const (
	DefaultMaxBytes  = 16 << 20   // image_size_limit
	DefaultMaxPixels = 33_177_600 // image_matrix_limit (7680×4320)
)

// DefaultLimits are Mastodon's.
var DefaultLimits = Limits{MaxBytes: DefaultMaxBytes, MaxPixels: DefaultMaxPixels}

// SupportedTypes are the MIME types Process decodes (sniffed from the
// bytes, never taken from the file name or the client's Content-Type).
var SupportedTypes = []string{"image/jpeg", "image/png", "image/gif", "image/webp"}

// smallPixels is the preview's area, Mastodon's (480×480 for a square).
const smallPixels = 230_400

// blurhash components, Mastodon's (4 across, 4 down).
const blurX, blurY = 4, 4

// Error is an upload Process refuses: the client can fix it, and its text
// is safe to show. social recognises it by its Invalid method.
type Error struct{ msg string }

func (e *Error) Error() string { return e.msg }

// Invalid marks the error as the client's (social maps it to 422).
func (e *Error) Invalid() string { return e.msg }

// Refusals, for errors.Is.
var (
	ErrEmpty       = &Error{"File is empty"}
	ErrTooLarge    = &Error{"File is too large"}
	ErrUnsupported = &Error{"File type is not supported (JPEG, PNG, GIF and WebP images are)"}
	ErrTooBig      = &Error{"Image dimensions are too large"}
	ErrCorrupt     = &Error{"File could not be processed as an image"}
)

// Image is a processed upload: the re-encoded original and its preview,
// both without metadata.
type Image struct {
	Data        []byte
	ContentType string // image/jpeg or image/png
	Width       int
	Height      int
	Small       []byte // the preview, same content type
	SmallWidth  int
	SmallHeight int
	Blurhash    string
}

// Process decodes data within lim and re-encodes it (see the package doc).
// A refusal is one of the Err values; anything else is a bug.
func Process(data []byte, lim Limits) (*Image, error) {
	img, ct, err := decode(data, lim)
	if err != nil {
		return nil, err
	}
	out := &Image{Width: img.Bounds().Dx(), Height: img.Bounds().Dy()}
	encode := encoderFor(ct, &out.ContentType)
	if out.Data, err = encode(img); err != nil {
		return nil, fmt.Errorf("media: encode original: %w", err)
	}
	small := fitArea(img, smallPixels)
	out.SmallWidth, out.SmallHeight = small.Bounds().Dx(), small.Bounds().Dy()
	if out.Small, err = encode(small); err != nil {
		return nil, fmt.Errorf("media: encode preview: %w", err)
	}
	// The hash only needs a few colours: computing it from a 32-pixel-wide
	// copy costs microseconds instead of seconds.
	tiny := imaging.Resize(small, 32, 0, imaging.Box)
	if out.Blurhash, err = blurhash.Encode(blurX, blurY, opaque(tiny)); err != nil {
		return nil, fmt.Errorf("media: blurhash: %w", err)
	}
	return out, nil
}

// ProcessProfile decodes data within lim like Process and crops it to fill
// w×h around its centre (Mastodon's avatars are 400×400, headers
// 1500×500), re-encoded without metadata; Small and Blurhash stay empty.
func ProcessProfile(data []byte, lim Limits, w, h int) (*Image, error) {
	img, ct, err := decode(data, lim)
	if err != nil {
		return nil, err
	}
	filled := imaging.Fill(img, w, h, imaging.Center, imaging.Lanczos)
	out := &Image{Width: w, Height: h}
	if out.Data, err = encoderFor(ct, &out.ContentType)(filled); err != nil {
		return nil, fmt.Errorf("media: encode profile image: %w", err)
	}
	return out, nil
}

// decode checks data against lim (bytes; type sniffed from the bytes;
// pixels from the header, before decoding) and decodes it with its EXIF
// orientation applied. It returns the sniffed content type.
func decode(data []byte, lim Limits) (image.Image, string, error) {
	if len(data) == 0 {
		return nil, "", ErrEmpty
	}
	if int64(len(data)) > lim.MaxBytes {
		return nil, "", ErrTooLarge
	}
	ct := http.DetectContentType(data)
	if !supported(ct) {
		return nil, "", ErrUnsupported
	}
	cfg, format, err := image.DecodeConfig(bytes.NewReader(data))
	if err != nil || "image/"+format != ct { // or sniffed as one format, parsed as another
		return nil, "", ErrCorrupt
	}
	if cfg.Width <= 0 || cfg.Height <= 0 {
		return nil, "", ErrCorrupt
	}
	if int64(cfg.Width)*int64(cfg.Height) > lim.MaxPixels {
		return nil, "", ErrTooBig
	}
	img, err := imaging.Decode(bytes.NewReader(data), imaging.AutoOrientation(true))
	if err != nil {
		return nil, "", ErrCorrupt
	}
	return img, ct, nil
}

// encoderFor picks the output format for a source of type ct and records
// it in *contentType: a JPEG stays a JPEG; the others become PNG, which
// keeps transparency (x/image has no WebP encoder, and a GIF is served as
// its still).
func encoderFor(ct string, contentType *string) func(image.Image) ([]byte, error) {
	if ct == "image/jpeg" {
		*contentType = "image/jpeg"
		return encodeJPEG
	}
	*contentType = "image/png"
	return encodePNG
}

func supported(ct string) bool {
	return slices.Contains(SupportedTypes, ct)
}

// fitArea scales img down (never up) to at most area pixels, keeping its
// aspect ratio.
func fitArea(img image.Image, area int) image.Image {
	w, h := img.Bounds().Dx(), img.Bounds().Dy()
	if w*h <= area {
		return img
	}
	scale := math.Sqrt(float64(area) / float64(w*h))
	nw, nh := max(1, int(float64(w)*scale)), max(1, int(float64(h)*scale))
	return imaging.Resize(img, nw, nh, imaging.Lanczos)
}

// opaque composes img on white, so transparent pixels hash as the
// background a client shows them on, not as black.
func opaque(img image.Image) image.Image {
	dst := image.NewRGBA(img.Bounds())
	draw.Draw(dst, dst.Bounds(), &image.Uniform{C: color.White}, image.Point{}, draw.Src)
	draw.Draw(dst, dst.Bounds(), img, img.Bounds().Min, draw.Over)
	return dst
}

func encodeJPEG(img image.Image) ([]byte, error) {
	var b bytes.Buffer
	err := jpeg.Encode(&b, img, &jpeg.Options{Quality: 90})
	return b.Bytes(), err
}

func encodePNG(img image.Image) ([]byte, error) {
	var b bytes.Buffer
	err := (&png.Encoder{CompressionLevel: png.BestSpeed}).Encode(&b, img)
	return b.Bytes(), err
}
