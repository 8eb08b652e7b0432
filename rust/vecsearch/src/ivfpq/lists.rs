//! The inverted lists: what one list holds, the code layouts a list can
//! keep its PQ codes in, and [`EntryRef`], an entry's address.

use super::fastscan::FS_RESIDUAL_MAX_DSUB;
use crate::error::Error;
use crate::fastscan::PackedCodes;
use crate::index::Metric;
use crate::persist::{Reader, Writer};
use std::collections::TryReserveError;

/// An entry's address, list `list` at position `pos`, packed into one
/// integer as `(list << 32) | pos` so it travels where an id would: as a
/// [`crate::topk::TopK`] label (the re-rank candidates) or a fast-scan
/// candidate key. The fast-scan step puts a probe *rank* (an index into
/// the query's probed lists) in the `list` half until it resolves the list
/// (see `fastscan`).
///
/// Invariant: `list < 2^31` and `pos < 2^32`, because `nlist` is at most
/// `MAX_NLIST` (2^24) and [`IvfPqIndex`](super::IvfPqIndex)'s add keeps
/// every list at or below [`MAX_LIST_LEN`] entries. So the packed value is
/// non-negative (never `EMPTY_LABEL` nor [`super::TOMBSTONE`]) and orders
/// as the pair `(list, pos)` does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(super) struct EntryRef(i64);

impl EntryRef {
    /// Entry `pos` of list `list` (see the invariant).
    #[inline]
    pub(super) fn new(list: usize, pos: usize) -> Self {
        debug_assert!(list < 1 << 31 && pos < 1 << 32, "EntryRef({list}, {pos})");
        Self(((list as i64) << 32) | pos as i64)
    }

    /// The list (or, in the fast-scan step, the probe rank).
    #[inline]
    pub(super) fn list(self) -> usize {
        (self.0 >> 32) as usize
    }

    /// The position in the list.
    #[inline]
    pub(super) fn pos(self) -> usize {
        (self.0 & 0xffff_ffff) as usize
    }

    /// As a heap label.
    #[inline]
    pub(super) fn label(self) -> i64 {
        self.0
    }

    /// From a heap label made by [`EntryRef::label`].
    #[inline]
    pub(super) fn from_label(label: i64) -> Self {
        Self(label)
    }

    /// As a fast-scan candidate key.
    #[inline]
    pub(super) fn key(self) -> u64 {
        self.0 as u64
    }

    /// From a candidate key made by [`EntryRef::key`].
    #[inline]
    pub(super) fn from_key(key: u64) -> Self {
        Self(key as i64)
    }
}

/// Most entries (live or removed) one list may hold: positions must fit
/// the low half of an [`EntryRef`].
pub(super) const MAX_LIST_LEN: usize = u32::MAX as usize;

/// How an index's lists keep their PQ codes. [`CodeLayout::of`] is the one
/// place the layout is chosen (from `nbits`); add, compaction, persistence,
/// the training of term 1 and the search's scan all follow it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum CodeLayout {
    /// One byte per sub-quantizer code, scanned with float tables (any
    /// `nbits` but 4).
    Bytes,
    /// 4-bit codes in the fast-scan block layout ([`PackedCodes`]), `m / 2`
    /// bytes a vector, scanned with quantized tables (`fastscan`).
    Packed4,
}

impl CodeLayout {
    /// The layout for `nbits` bits per code.
    pub(super) fn of(nbits: usize) -> Self {
        if nbits == 4 {
            Self::Packed4
        } else {
            Self::Bytes
        }
    }

    /// An empty list's code store for `m` sub-quantizers.
    pub(super) fn empty(self, m: usize) -> ListCodes {
        match self {
            Self::Bytes => ListCodes::Bytes {
                m,
                codes: Vec::new(),
            },
            Self::Packed4 => ListCodes::Packed4(PackedCodes::new(m)),
        }
    }

    /// Whether the index keeps term 1 of the L2 tables (see the module
    /// docs). Inner product never needs it. Packed lists with sub-vectors
    /// of at most [`FS_RESIDUAL_MAX_DSUB`] dimensions build each list's
    /// table from the query's residual instead, where term 1 would be a
    /// large share of the memory.
    pub(super) fn keeps_term1(self, metric: Metric, dsub: usize) -> bool {
        metric != Metric::InnerProduct && (self == Self::Bytes || dsub > FS_RESIDUAL_MAX_DSUB)
    }

    /// Reads `n` entries' codes as [`ListCodes::write`] wrote them in
    /// format `r.version`.
    pub(super) fn read(
        self,
        r: &mut Reader<'_>,
        m: usize,
        ksub: usize,
        n: usize,
    ) -> Result<ListCodes, Error> {
        if self == Self::Packed4 && r.version >= 2 {
            // Nibbles are below 16 = ksub by construction: nothing to check.
            let raw = r.bytes(None, "list packed codes")?;
            let p = PackedCodes::from_raw(m, n, raw)
                .ok_or_else(|| Error::corrupt("load: packed codes do not match the ids"))?;
            return Ok(ListCodes::Packed4(p));
        }
        let want = n
            .checked_mul(m)
            .ok_or_else(|| Error::corrupt("load: sizes overflow"))?;
        let codes = r.bytes(Some(want), "list codes")?;
        if codes.iter().any(|&c| usize::from(c) >= ksub) {
            return Err(Error::corrupt("load: code out of range"));
        }
        Ok(match self {
            Self::Bytes => ListCodes::Bytes { m, codes },
            // A format-1 file: pack the byte codes.
            Self::Packed4 => ListCodes::Packed4(PackedCodes::from_codes(m, &codes)),
        })
    }
}

/// One list's PQ codes, in its index's [`CodeLayout`] (every list of an
/// index has the same one).
#[derive(Debug)]
pub(super) enum ListCodes {
    /// Entry `i` is `codes[i*m..(i+1)*m]`.
    Bytes {
        /// Sub-quantizers (bytes per entry).
        m: usize,
        /// The codes, entry after entry.
        codes: Vec<u8>,
    },
    /// Entry `i` is position `i` of the packed blocks.
    Packed4(PackedCodes),
}

impl ListCodes {
    /// The byte codes, if this list keeps them.
    #[inline]
    pub(super) fn bytes(&self) -> Option<&[u8]> {
        match self {
            Self::Bytes { codes, .. } => Some(codes),
            Self::Packed4(_) => None,
        }
    }

    /// The packed codes, if this list keeps them.
    #[inline]
    pub(super) fn packed(&self) -> Option<&PackedCodes> {
        match self {
            Self::Packed4(p) => Some(p),
            Self::Bytes { .. } => None,
        }
    }

    /// Reserves room for `extra` more entries.
    pub(super) fn try_reserve(&mut self, extra: usize) -> Result<(), TryReserveError> {
        match self {
            Self::Bytes { m, codes } => codes.try_reserve(extra * *m),
            Self::Packed4(p) => p.try_reserve(extra),
        }
    }

    /// Appends one entry's code (`m` bytes, one per sub-quantizer).
    pub(super) fn push(&mut self, code: &[u8]) {
        match self {
            Self::Bytes { codes, .. } => codes.extend_from_slice(code),
            Self::Packed4(p) => p.push(code),
        }
    }

    /// Keeps the entries for which `keep(position)` holds, in order, and
    /// releases the spare capacity.
    pub(super) fn retain(&mut self, keep: impl FnMut(usize) -> bool) {
        match self {
            Self::Bytes { m, codes } => retain_rows(codes, *m, keep),
            Self::Packed4(p) => {
                p.retain(keep);
                p.shrink_to_fit();
            }
        }
    }

    /// Heap bytes held.
    pub(super) fn memory_bytes(&self) -> usize {
        match self {
            Self::Bytes { codes, .. } => codes.capacity(),
            Self::Packed4(p) => p.memory_bytes(),
        }
    }

    /// Writes the codes in format `version`: byte codes as they are;
    /// packed codes as their blocks from format 2 on, unpacked to one byte
    /// per code before.
    pub(super) fn write(&self, w: &mut Writer, version: u32) -> Result<(), Error> {
        match self {
            Self::Bytes { codes, .. } => w.bytes(codes),
            Self::Packed4(p) if version >= 2 => w.bytes(p.raw()),
            Self::Packed4(p) => {
                let m = p.m();
                let mut codes = vec![0u8; p.len() * m];
                for (i, c) in codes.chunks_exact_mut(m).enumerate() {
                    p.get(i, c);
                }
                w.bytes(&codes)
            }
        }
    }
}

/// Keeps the rows (`width` elements each) of `v` for which `keep(row)`
/// holds, in order, and releases the spare capacity. An empty `v` (no
/// such storage) stays empty.
fn retain_rows<T: Copy>(v: &mut Vec<T>, width: usize, mut keep: impl FnMut(usize) -> bool) {
    if v.is_empty() || width == 0 {
        return;
    }
    let rows = v.len() / width;
    let mut w = 0;
    for r in 0..rows {
        if !keep(r) {
            continue;
        }
        if w != r {
            v.copy_within(r * width..(r + 1) * width, w * width);
        }
        w += 1;
    }
    v.truncate(w * width);
    v.shrink_to_fit();
}

/// One inverted list. Entry `i` is `ids[i]`, code `i` of `codes`, and, with
/// re-rank storage, `vecs[i*d..]` (f32) or `sq[i*d..]` (SQ8).
#[derive(Debug)]
pub(super) struct InvList {
    pub(super) ids: Vec<i64>,
    pub(super) codes: ListCodes,
    pub(super) vecs: Vec<f32>,
    pub(super) sq: Vec<u8>,
}

impl InvList {
    /// An empty list keeping its codes in `codes`.
    pub(super) fn new(codes: ListCodes) -> Self {
        Self {
            ids: Vec::new(),
            codes,
            vecs: Vec::new(),
            sq: Vec::new(),
        }
    }

    /// Heap bytes held.
    pub(super) fn heap_bytes(&self) -> usize {
        self.ids.capacity() * 8
            + self.codes.memory_bytes()
            + self.vecs.capacity() * 4
            + self.sq.capacity()
    }

    /// Drops the removed entries (ids `< 0`) of a list of `d`-dimensional
    /// vectors, keeping the rest in order, and returns how many it dropped.
    pub(super) fn compact(&mut self, d: usize) -> usize {
        let dropped = self.ids.iter().filter(|&&id| id < 0).count();
        if dropped == 0 {
            return 0;
        }
        let ids = &self.ids;
        self.codes.retain(|i| ids[i] >= 0);
        retain_rows(&mut self.vecs, d, |i| ids[i] >= 0);
        retain_rows(&mut self.sq, d, |i| ids[i] >= 0);
        self.ids.retain(|&id| id >= 0);
        self.ids.shrink_to_fit();
        dropped
    }
}

/// The lists of an index and their counts.
#[derive(Default)]
pub(super) struct Lists {
    pub(super) lists: Vec<InvList>,
    /// Live entries.
    pub(super) len: usize,
    /// Tombstoned entries.
    pub(super) tombstones: usize,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entry_ref_round_trips_at_the_bounds() {
        for (l, p) in [(0, 0), (1, 0), (0, MAX_LIST_LEN), ((1 << 24) - 1, 12345)] {
            let e = EntryRef::new(l, p);
            assert!(e.label() >= 0, "({l}, {p})");
            assert_eq!((e.list(), e.pos()), (l, p));
            assert_eq!(EntryRef::from_label(e.label()), e);
            assert_eq!(EntryRef::from_key(e.key()), e);
        }
        // Orders as the pair does, as a label and as a key.
        let (a, b) = (EntryRef::new(1, MAX_LIST_LEN), EntryRef::new(2, 0));
        assert!(a < b && a.label() < b.label() && a.key() < b.key());
    }

    #[test]
    fn compaction_keeps_codes_vectors_and_ids_aligned() {
        let (d, m) = (2, 3);
        for layout in [CodeLayout::Bytes, CodeLayout::Packed4] {
            let mut list = InvList::new(layout.empty(m));
            for i in 0..40u8 {
                list.ids.push(i64::from(i));
                list.codes.push(&[i % 16, (i + 1) % 16, (i + 2) % 16]);
                list.vecs.extend_from_slice(&[f32::from(i), -f32::from(i)]);
            }
            for i in (0..40).filter(|i| i % 3 == 0) {
                list.ids[i] = super::super::TOMBSTONE;
            }
            assert_eq!(list.compact(d), 14);
            assert_eq!(list.compact(d), 0);
            let mut code = [0u8; 3];
            for (pos, &id) in list.ids.iter().enumerate() {
                assert_ne!(id % 3, 0);
                let i = id as u8;
                match &list.codes {
                    ListCodes::Bytes { codes, .. } => code.copy_from_slice(&codes[pos * m..][..m]),
                    ListCodes::Packed4(p) => p.get(pos, &mut code),
                }
                assert_eq!(code, [i % 16, (i + 1) % 16, (i + 2) % 16], "{layout:?}");
                assert_eq!(list.vecs[pos * d..][..d], [f32::from(i), -f32::from(i)]);
            }
            assert!(list.sq.is_empty());
        }
    }
}
