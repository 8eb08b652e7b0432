//! The IVF-PQ persistence payload (the file around it: `crate::persist`).
//!
//! Layout: the parameters, a trained flag, then if trained the coarse
//! centroids, the PQ centroids, the SQ8 ranges (with SQ8 re-rank storage)
//! and per list its ids, its codes (as [`ListCodes::write`] lays them out
//! for the format version) and its re-rank vectors.

use super::build::Sq8;
use super::lists::{InvList, ListCodes, Lists, MAX_LIST_LEN};
use super::{IvfPqIndex, IvfPqParams, TOMBSTONE};
use crate::error::Error;
use crate::index::{Metric, RefineStorage};
use crate::persist::{Reader, Writer};
use crate::pq::ProductQuantizer;

/// Persisted metric code.
pub(crate) fn metric_code(m: Metric) -> u8 {
    match m {
        Metric::L2 => 1,
        Metric::InnerProduct => 2,
        Metric::Cosine => 3,
    }
}

/// Metric from its persisted code.
pub(crate) fn metric_from_code(c: u8) -> Result<Metric, Error> {
    match c {
        1 => Ok(Metric::L2),
        2 => Ok(Metric::InnerProduct),
        3 => Ok(Metric::Cosine),
        _ => Err(Error::corrupt(format!("load: unknown metric {c}"))),
    }
}

fn refine_code(r: RefineStorage) -> u8 {
    match r {
        RefineStorage::None => 0,
        RefineStorage::F32 => 1,
        RefineStorage::Sq8 => 2,
    }
}

impl IvfPqIndex {
    /// The persistence payload in format `version` (only tests write an
    /// older one, to check that it still loads).
    pub(crate) fn payload_in(&self, version: u32) -> Result<Vec<u8>, Error> {
        let p = &self.p;
        let mut w = Writer::default();
        w.u32(p.dim as u32);
        w.u8(metric_code(p.metric));
        w.u32(p.nlist as u32);
        w.u32(p.m as u32);
        w.u32(p.nbits as u32);
        w.u8(refine_code(p.refine));
        w.u64(p.seed);
        w.u32(p.train_threads.min(u32::MAX as usize) as u32);
        w.u32(p.kmeans_iters.min(u32::MAX as usize) as u32);
        let Some(t) = self.state.get() else {
            w.u8(0);
            return Ok(w.buf);
        };
        w.u8(1);
        w.f32s(&t.coarse)?;
        w.f32s(&t.pq.centroids)?;
        if let Some(q) = &t.sq {
            w.f32s(&q.vmin)?;
            w.f32s(&q.step)?;
        }
        // A consistent snapshot: adds and removes wait, searches go on.
        let g = t.read();
        for list in &g.lists {
            w.i64s(&list.ids)?;
            list.codes.write(&mut w, version)?;
            match p.refine {
                RefineStorage::F32 => w.f32s(&list.vecs)?,
                RefineStorage::Sq8 => w.bytes(&list.sq)?,
                RefineStorage::None => {}
            }
        }
        Ok(w.buf)
    }

    /// Rebuilds an index from a persistence payload.
    pub(crate) fn from_payload(r: &mut Reader<'_>) -> Result<Self, Error> {
        let dim = r.u32()? as usize;
        let metric = metric_from_code(r.u8()?)?;
        let nlist = r.u32()? as usize;
        let m = r.u32()? as usize;
        let nbits = r.u32()? as usize;
        let refine = match r.u8()? {
            0 => RefineStorage::None,
            1 => RefineStorage::F32,
            2 => RefineStorage::Sq8,
            c => return Err(Error::corrupt(format!("load: unknown refine kind {c}"))),
        };
        let seed = r.u64()?;
        let train_threads = r.u32()? as usize;
        let kmeans_iters = r.u32()? as usize;
        let p = IvfPqParams {
            dim,
            metric,
            nlist,
            m,
            nbits,
            refine,
            seed,
            train_threads,
            kmeans_iters,
        };
        let idx = Self::new(p).map_err(|e| Error::corrupt(format!("load: {}", e.message())))?;
        if idx.p.nbits != nbits || nbits == 0 {
            return Err(Error::corrupt("load: bad nbits"));
        }
        match r.u8()? {
            0 => return Ok(idx),
            1 => {}
            c => return Err(Error::corrupt(format!("load: bad trained flag {c}"))),
        }
        let too_big = || Error::corrupt("load: sizes overflow");
        let coarse = r.f32s(
            Some(nlist.checked_mul(dim).ok_or_else(too_big)?),
            "coarse centroids",
        )?;
        let ksub = 1usize << nbits;
        let centroids = r.f32s(
            Some(ksub.checked_mul(dim).ok_or_else(too_big)?),
            "pq centroids",
        )?;
        let pq = ProductQuantizer::from_centroids(dim, m, nbits, centroids);
        let sq = if refine == RefineStorage::Sq8 {
            let vmin = r.f32s(Some(dim), "sq8 min")?;
            let step = r.f32s(Some(dim), "sq8 step")?;
            Some(Sq8 { vmin, step })
        } else {
            None
        };
        let mut lists = Lists::default();
        lists.lists.try_reserve_exact(nlist)?;
        for _ in 0..nlist {
            let ids = r.i64s(None, "list ids")?;
            let n = ids.len();
            if n > MAX_LIST_LEN {
                return Err(Error::corrupt("load: a list holds too many entries"));
            }
            let codes: ListCodes = idx.layout.read(r, m, ksub, n)?;
            let want = n.checked_mul(dim).ok_or_else(too_big)?;
            let (vecs, sqc) = match refine {
                RefineStorage::None => (Vec::new(), Vec::new()),
                RefineStorage::F32 => (r.f32s(Some(want), "list vectors")?, Vec::new()),
                RefineStorage::Sq8 => (Vec::new(), r.bytes(Some(want), "list sq8")?),
            };
            for &id in &ids {
                if id >= 0 {
                    lists.len += 1;
                } else if id == TOMBSTONE {
                    lists.tombstones += 1;
                } else {
                    return Err(Error::corrupt("load: negative id"));
                }
            }
            lists.lists.push(InvList {
                ids,
                codes,
                vecs,
                sq: sqc,
            });
        }
        let t = idx.build(coarse, pq, sq, lists)?;
        let _ = idx.state.set(t);
        Ok(idx)
    }
}
