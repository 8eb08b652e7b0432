//! Saving and loading indexes.
//!
//! # File format (version 2, little-endian)
//!
//! | offset | size | field                                            |
//! |--------|------|--------------------------------------------------|
//! | 0      | 8    | magic `b"VSINDEX\0"`                              |
//! | 8      | 4    | format version (`u32`, currently 2)              |
//! | 12     | 4    | index kind (`u32`: 1 flat, 2 IVF-PQ)             |
//! | 16     | 8    | payload length in bytes (`u64`)                  |
//! | 24     | 8    | FNV-1a 64 checksum of the payload (`u64`)        |
//! | 32     | ...  | payload, laid out by the index type              |
//!
//! Loading checks, in order: magic, version (a newer one is
//! [`ErrorKind::Corrupt`] with a message saying so), that the payload length
//! equals the rest of the file exactly, the checksum, then every length
//! field inside the payload against the bytes that remain *before*
//! allocating, so a truncated or hostile file can neither crash the loader
//! nor make it allocate more than the file's size.
//!
//! Saving is atomic: the bytes go to `<path>.tmp-<pid>-<n>` in the same
//! directory, which is fsynced and renamed over `path`, then the directory
//! is fsynced (best effort). A crash leaves either the old file or the new
//! one, never a mix.

use crate::error::{Error, ErrorKind};
use crate::flat::FlatIndex;
use crate::index::{Index, IndexKind};
use crate::ivfpq::IvfPqIndex;
use std::io::Write;
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};

const MAGIC: &[u8; 8] = b"VSINDEX\0";
/// The newest format this library writes and reads.
///
/// * 1: first format.
/// * 2: IVF-PQ with 4-bit codes stores each list's codes in the packed
///   fast-scan layout instead of one byte per code. Version 1 files are
///   still read (their byte codes are packed on load).
pub const VERSION: u32 = 2;
const HEADER_LEN: usize = 32;

/// FNV-1a, 64 bits.
pub(crate) fn fnv1a64(data: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in data {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}

fn kind_code(kind: IndexKind) -> u32 {
    match kind {
        IndexKind::Flat => 1,
        IndexKind::IvfPq => 2,
    }
}

/// Builds a payload.
#[derive(Default)]
pub(crate) struct Writer {
    pub buf: Vec<u8>,
}

impl Writer {
    pub(crate) fn u8(&mut self, v: u8) {
        self.buf.push(v);
    }
    pub(crate) fn u32(&mut self, v: u32) {
        self.buf.extend_from_slice(&v.to_le_bytes());
    }
    pub(crate) fn u64(&mut self, v: u64) {
        self.buf.extend_from_slice(&v.to_le_bytes());
    }
    pub(crate) fn usize(&mut self, v: usize) {
        self.u64(v as u64);
    }
    /// Length-prefixed `f32` array.
    pub(crate) fn f32s(&mut self, v: &[f32]) -> Result<(), Error> {
        self.usize(v.len());
        self.buf.try_reserve(v.len() * 4)?;
        v.iter()
            .for_each(|x| self.buf.extend_from_slice(&x.to_le_bytes()));
        Ok(())
    }
    /// Length-prefixed `i64` array.
    pub(crate) fn i64s(&mut self, v: &[i64]) -> Result<(), Error> {
        self.usize(v.len());
        self.buf.try_reserve(v.len() * 8)?;
        v.iter()
            .for_each(|x| self.buf.extend_from_slice(&x.to_le_bytes()));
        Ok(())
    }
    /// Length-prefixed bytes.
    pub(crate) fn bytes(&mut self, v: &[u8]) -> Result<(), Error> {
        self.usize(v.len());
        self.buf.try_reserve(v.len())?;
        self.buf.extend_from_slice(v);
        Ok(())
    }
}

/// Reads a payload; every read is bounds-checked and fails with
/// [`ErrorKind::Corrupt`].
pub(crate) struct Reader<'a> {
    buf: &'a [u8],
    pos: usize,
    /// The file's format version (layouts differ between versions).
    pub(crate) version: u32,
}

impl<'a> Reader<'a> {
    /// A reader of a payload in the current format.
    #[allow(dead_code)] // used by tests
    pub(crate) fn new(buf: &'a [u8]) -> Self {
        Self::with_version(buf, VERSION)
    }

    /// A reader of a payload written in format `version`.
    pub(crate) fn with_version(buf: &'a [u8], version: u32) -> Self {
        Self {
            buf,
            pos: 0,
            version,
        }
    }

    fn take(&mut self, n: usize) -> Result<&'a [u8], Error> {
        if n > self.buf.len() - self.pos {
            return Err(Error::corrupt(format!(
                "load: truncated payload (need {n} bytes at offset {}, {} left)",
                self.pos,
                self.buf.len() - self.pos
            )));
        }
        let s = &self.buf[self.pos..self.pos + n];
        self.pos += n;
        Ok(s)
    }

    pub(crate) fn u8(&mut self) -> Result<u8, Error> {
        Ok(self.take(1)?[0])
    }
    pub(crate) fn u32(&mut self) -> Result<u32, Error> {
        Ok(u32::from_le_bytes(
            self.take(4)?.try_into().expect("4 bytes"),
        ))
    }
    pub(crate) fn u64(&mut self) -> Result<u64, Error> {
        Ok(u64::from_le_bytes(
            self.take(8)?.try_into().expect("8 bytes"),
        ))
    }
    /// A `u64` that must fit `usize` and be at most `max`.
    pub(crate) fn usize_max(&mut self, max: usize, what: &str) -> Result<usize, Error> {
        let v = self.u64()?;
        if v > max as u64 {
            return Err(Error::corrupt(format!(
                "load: {what} = {v} is out of range (max {max})"
            )));
        }
        Ok(v as usize)
    }
    /// A length prefix for elements of `size` bytes, checked against the
    /// bytes left (so the caller may allocate it), and equal to `want` if
    /// given.
    fn len(&mut self, size: usize, want: Option<usize>, what: &str) -> Result<usize, Error> {
        let left = (self.buf.len() - self.pos) / size;
        let n = self.usize_max(left, what)?;
        if let Some(w) = want
            && n != w
        {
            return Err(Error::corrupt(format!(
                "load: {what} has {n} elements, expected {w}"
            )));
        }
        Ok(n)
    }
    pub(crate) fn f32s(&mut self, want: Option<usize>, what: &str) -> Result<Vec<f32>, Error> {
        let n = self.len(4, want, what)?;
        let raw = self.take(n * 4)?;
        let v: Vec<f32> = raw
            .chunks_exact(4)
            .map(|c| f32::from_le_bytes(c.try_into().expect("4 bytes")))
            .collect();
        if v.iter().any(|x| !x.is_finite()) {
            return Err(Error::corrupt(format!(
                "load: {what} holds a non-finite value"
            )));
        }
        Ok(v)
    }
    pub(crate) fn i64s(&mut self, want: Option<usize>, what: &str) -> Result<Vec<i64>, Error> {
        let n = self.len(8, want, what)?;
        let raw = self.take(n * 8)?;
        Ok(raw
            .chunks_exact(8)
            .map(|c| i64::from_le_bytes(c.try_into().expect("8 bytes")))
            .collect())
    }
    pub(crate) fn bytes(&mut self, want: Option<usize>, what: &str) -> Result<Vec<u8>, Error> {
        let n = self.len(1, want, what)?;
        Ok(self.take(n)?.to_vec())
    }
    /// Fails unless every byte was consumed.
    pub(crate) fn finish(&self) -> Result<(), Error> {
        if self.pos != self.buf.len() {
            return Err(Error::corrupt(format!(
                "load: {} trailing bytes in payload",
                self.buf.len() - self.pos
            )));
        }
        Ok(())
    }
}

fn io_err(what: &str, path: &Path, e: std::io::Error) -> Error {
    Error::new(ErrorKind::Io, format!("{what} {}: {e}", path.display()))
}

/// Serialises `index` with header and checksum (the file's bytes).
pub fn to_bytes(index: &dyn Index) -> Result<Vec<u8>, Error> {
    let payload = index.to_payload()?;
    let mut out = Vec::new();
    out.try_reserve_exact(HEADER_LEN + payload.len())?;
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(&VERSION.to_le_bytes());
    out.extend_from_slice(&kind_code(index.kind()).to_le_bytes());
    out.extend_from_slice(&(payload.len() as u64).to_le_bytes());
    out.extend_from_slice(&fnv1a64(&payload).to_le_bytes());
    out.extend_from_slice(&payload);
    Ok(out)
}

/// A file's bytes for `payload` of index `kind`, labelled format `version`
/// (tests write older formats with it).
#[cfg(test)]
pub(crate) fn frame(kind: IndexKind, version: u32, payload: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(&version.to_le_bytes());
    out.extend_from_slice(&kind_code(kind).to_le_bytes());
    out.extend_from_slice(&(payload.len() as u64).to_le_bytes());
    out.extend_from_slice(&fnv1a64(payload).to_le_bytes());
    out.extend_from_slice(payload);
    out
}

/// Parses a file's bytes back into an index.
pub fn from_bytes(b: &[u8]) -> Result<Box<dyn Index>, Error> {
    if b.len() < HEADER_LEN {
        return Err(Error::corrupt(format!(
            "load: {} bytes is shorter than the {HEADER_LEN}-byte header",
            b.len()
        )));
    }
    if &b[..8] != MAGIC {
        return Err(Error::corrupt(
            "load: bad magic (not a vecsearch index file)",
        ));
    }
    let word = |at: usize| u32::from_le_bytes(b[at..at + 4].try_into().expect("4 bytes"));
    let version = word(8);
    if version == 0 || version > VERSION {
        return Err(Error::corrupt(format!(
            "load: format version {version}, this library reads up to {VERSION}"
        )));
    }
    let kind = word(12);
    let len = u64::from_le_bytes(b[16..24].try_into().expect("8 bytes"));
    let sum = u64::from_le_bytes(b[24..32].try_into().expect("8 bytes"));
    let payload = &b[HEADER_LEN..];
    if len != payload.len() as u64 {
        return Err(Error::corrupt(format!(
            "load: header says {len} payload bytes, file has {} (truncated?)",
            payload.len()
        )));
    }
    if fnv1a64(payload) != sum {
        return Err(Error::corrupt("load: checksum mismatch"));
    }
    let mut r = Reader::with_version(payload, version);
    let index: Box<dyn Index> = match kind {
        1 => Box::new(FlatIndex::from_payload(&mut r)?),
        2 => Box::new(IvfPqIndex::from_payload(&mut r)?),
        k => return Err(Error::corrupt(format!("load: unknown index kind {k}"))),
    };
    r.finish()?;
    Ok(index)
}

static TMP_COUNTER: AtomicU64 = AtomicU64::new(0);

/// Saves `index` to `path` atomically (see the module docs).
pub fn save(index: &dyn Index, path: &Path) -> Result<(), Error> {
    let bytes = to_bytes(index)?;
    let name = path
        .file_name()
        .ok_or_else(|| Error::invalid(format!("save: {} has no file name", path.display())))?;
    let mut tmp_name = name.to_os_string();
    tmp_name.push(format!(
        ".tmp-{}-{}",
        std::process::id(),
        TMP_COUNTER.fetch_add(1, Ordering::Relaxed)
    ));
    let tmp = path.with_file_name(tmp_name);
    let result = (|| {
        let mut f = std::fs::File::create(&tmp).map_err(|e| io_err("save: create", &tmp, e))?;
        f.write_all(&bytes)
            .map_err(|e| io_err("save: write", &tmp, e))?;
        f.sync_all().map_err(|e| io_err("save: fsync", &tmp, e))?;
        drop(f);
        std::fs::rename(&tmp, path).map_err(|e| io_err("save: rename to", path, e))
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
        return result;
    }
    // Make the rename durable; not every platform lets a directory be
    // opened and synced, so this is best effort.
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    if let Ok(d) = std::fs::File::open(dir) {
        let _ = d.sync_all();
    }
    Ok(())
}

/// Loads an index saved by [`save`].
pub fn load(path: &Path) -> Result<Box<dyn Index>, Error> {
    let bytes = std::fs::read(path).map_err(|e| io_err("load: read", path, e))?;
    from_bytes(&bytes)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::index::Metric;

    fn tmpdir(name: &str) -> std::path::PathBuf {
        let d =
            std::env::temp_dir().join(format!("vecsearch-persist-{}-{name}", std::process::id()));
        std::fs::create_dir_all(&d).unwrap();
        d
    }

    fn small_flat() -> FlatIndex {
        let idx = FlatIndex::new(3, Metric::L2).unwrap();
        idx.add(&[1.0, 2.0, 3.0, 4.0, 5.0, 6.0], &[7, 9]).unwrap();
        idx
    }

    #[test]
    fn flat_round_trip_and_atomic_save() {
        let dir = tmpdir("flat");
        let path = dir.join("idx.bin");
        let idx = small_flat();
        save(&idx, &path).unwrap();
        save(&idx, &path).unwrap(); // overwrite
        let back = load(&path).unwrap();
        assert_eq!(back.len(), 2);
        assert_eq!(back.dim(), 3);
        let mut l = [0; 2];
        let mut s = [0.0; 2];
        back.search(&[4.0, 5.0, 6.0], 2, &mut l, &mut s).unwrap();
        assert_eq!(l, [9, 7]);
        // No temporary files left behind.
        let names: Vec<_> = std::fs::read_dir(&dir).unwrap().collect();
        assert_eq!(names.len(), 1);
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn every_truncation_and_bit_flip_is_an_error() {
        let bytes = to_bytes(&small_flat()).unwrap();
        assert!(from_bytes(&bytes).is_ok());
        for cut in 0..bytes.len() {
            let e = from_bytes(&bytes[..cut]).err().unwrap();
            assert_eq!(e.kind(), ErrorKind::Corrupt, "cut {cut}");
        }
        for at in 0..bytes.len() {
            let mut b = bytes.clone();
            b[at] ^= 0x10;
            let e = from_bytes(&b).err().unwrap();
            assert_eq!(e.kind(), ErrorKind::Corrupt, "flip {at}");
        }
    }

    #[test]
    fn future_version_and_garbage() {
        let mut b = to_bytes(&small_flat()).unwrap();
        b[8..12].copy_from_slice(&(VERSION + 1).to_le_bytes());
        let e = from_bytes(&b).err().unwrap();
        assert_eq!(e.kind(), ErrorKind::Corrupt);
        assert!(e.message().contains("version 3"), "{e}");
        assert_eq!(
            from_bytes(b"hello world, not an index at all!!")
                .err()
                .unwrap()
                .kind(),
            ErrorKind::Corrupt
        );
    }

    #[test]
    fn huge_lengths_with_valid_checksum_do_not_allocate() {
        // A payload claiming 2^60 vectors, with a correct checksum.
        let mut w = Writer::default();
        w.u32(3); // dim
        w.u8(1); // metric
        w.u64(1 << 60);
        let payload = w.buf;
        let mut b = Vec::new();
        b.extend_from_slice(MAGIC);
        b.extend_from_slice(&VERSION.to_le_bytes());
        b.extend_from_slice(&1u32.to_le_bytes());
        b.extend_from_slice(&(payload.len() as u64).to_le_bytes());
        b.extend_from_slice(&fnv1a64(&payload).to_le_bytes());
        b.extend_from_slice(&payload);
        assert_eq!(from_bytes(&b).err().unwrap().kind(), ErrorKind::Corrupt);
    }

    #[test]
    fn missing_file_is_io() {
        let e = load(Path::new("/nonexistent/vecsearch/idx")).err().unwrap();
        assert_eq!(e.kind(), ErrorKind::Io);
        let e = save(&small_flat(), Path::new("/nonexistent/dir/idx")).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Io);
    }
}
