// Package media turns an uploaded image into the files Starling serves and
// keeps them on disk.
//
// Process decodes an upload (JPEG, PNG, GIF as its first frame, WebP) with
// limits checked before any pixel is decoded (bytes, and the pixel count the
// header declares, against decompression bombs), applies the EXIF
// orientation, and re-encodes it: the served original carries no metadata
// at all (no EXIF GPS), because Go's encoders write none. It also makes the
// small preview and the blurhash.
//
// Disk is the default file store: content-addressed (the SHA-256 of the
// bytes names the file) and written atomically (temp file, fsync, rename),
// so a reader never sees half a file and a crash leaves none behind.
//
// Package social declares what it consumes (social.MediaProcessor);
// Library implements it over Process and a FileStore.
package media
