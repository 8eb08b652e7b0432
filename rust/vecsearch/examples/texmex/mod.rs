//! Texmex files (`.fvecs`, `.ivecs`) for the examples: each row is an
//! int32 dimension followed by that many 32-bit values.

use std::path::Path;

/// The dimension and every row's values (as bits) of a texmex file.
pub fn read_vecs(path: &Path) -> (usize, Vec<u32>) {
    let b = std::fs::read(path).expect("read");
    let d = u32::from_le_bytes(b[0..4].try_into().unwrap()) as usize;
    let mut out = Vec::with_capacity(b.len() / 4);
    for row in b.chunks_exact(4 * (d + 1)) {
        for c in row[4..].chunks_exact(4) {
            out.push(u32::from_le_bytes(c.try_into().unwrap()));
        }
    }
    (d, out)
}

/// Scales every row of `x` (dimension `d`) to unit length.
pub fn normalise(x: &mut [f32], d: usize) {
    for r in x.chunks_exact_mut(d) {
        let n = r.iter().map(|v| v * v).sum::<f32>().sqrt();
        if n > 0.0 {
            r.iter_mut().for_each(|v| *v /= n);
        }
    }
}
