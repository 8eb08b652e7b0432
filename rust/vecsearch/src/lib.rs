//! Starling's vector-search library.
//!
//! A safe Rust core ([`Index`], [`FlatIndex`]) behind a small C ABI
//! ([`ffi`], declared in `include/vecsearch.h`) that the Go binding
//! `go/vecsearch` links as a static library.
//!
//! * Indexes take `&self` everywhere and lock internally, so one index
//!   serves many concurrent searches while adds go on (see [`flat`]).
//! * Searches write into caller-provided buffers: the only allocations on
//!   the search path are for error messages.
//! * `unsafe` code lives only in [`ffi`] and `simd` (the AVX2 kernels);
//!   the rest of the crate denies it.
//! * [`IvfPqIndex`] is the approximate index: k-means coarse quantizer
//!   (`kmeans`), product quantizer (`pq`), persistence in [`persist`].

#![deny(
    clippy::undocumented_unsafe_blocks,
    clippy::missing_safety_doc,
    unsafe_op_in_unsafe_fn,
    unsafe_code
)]
#![warn(missing_docs)]

mod distance;
pub mod error;
mod fastscan; // 4-bit fast-scan: packed codes and the quantized-table scan
#[allow(unsafe_code)] // the C ABI; every block carries a SAFETY comment
pub mod ffi;
pub mod flat;
pub mod index;
pub mod ivfpq;
pub(crate) mod kmeans;
pub mod persist;
pub(crate) mod pq;
#[allow(unsafe_code)] // SIMD kernels; every block carries a SAFETY comment
mod simd;
mod topk;

pub use error::{Error, ErrorKind};
pub use flat::FlatIndex;
pub use index::{Index, IndexKind, Metric, RefineStorage, SearchParams, Stats};
pub use ivfpq::{IvfPqIndex, IvfPqParams};
pub use topk::EMPTY_LABEL;
