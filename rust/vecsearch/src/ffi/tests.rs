//! FFI-level tests: the exports called as C would call them, bad input of
//! every kind, panics turned into codes, and the header/export agreement.

use super::*;
use std::collections::BTreeMap;

const ERR_LEN: usize = 256;

/// Message buffer plus helpers to read it.
struct Msg([u8; ERR_LEN]);

impl Msg {
    fn new() -> Self {
        Msg([b'x'; ERR_LEN])
    }
    fn ptr(&mut self) -> *mut c_char {
        self.0.as_mut_ptr().cast()
    }
    fn text(&self) -> String {
        let end = self
            .0
            .iter()
            .position(|&b| b == 0)
            .expect("message is NUL-terminated");
        String::from_utf8(self.0[..end].to_vec()).unwrap()
    }
    /// The message after a call that returned `rc` (empty on success, when
    /// the buffer is left untouched).
    fn text_unless_ok(&self, rc: vs_status) -> String {
        if rc == VS_OK {
            String::new()
        } else {
            self.text()
        }
    }
}

fn new_flat(d: usize, metric: vs_metric) -> *mut vs_index {
    let mut out = std::ptr::null_mut();
    let mut msg = Msg::new();
    // SAFETY: `out` and `msg` are live locals of the right sizes.
    let rc = unsafe { vs_index_new_flat(d, metric, &mut out, msg.ptr(), ERR_LEN) };
    assert_eq!(rc, VS_OK, "{}", msg.text());
    out
}

fn free(index: *mut vs_index) {
    // SAFETY: `index` came from new_flat and is not used afterwards.
    let rc = unsafe { vs_index_free(index, std::ptr::null_mut(), 0) };
    assert_eq!(rc, VS_OK);
}

/// The signature shared by vs_index_len, _dim and _memory_bytes.
type Getter = unsafe extern "C" fn(*const vs_index, *mut usize, *mut c_char, usize) -> vs_status;

/// Calls a getter on a live handle and returns its value.
fn get(f: Getter, index: *const vs_index) -> usize {
    let mut out = usize::MAX;
    // SAFETY: `index` is a live handle (callers' contract) and `out` a local.
    let rc = unsafe { f(index, &mut out, std::ptr::null_mut(), 0) };
    assert_eq!(rc, VS_OK);
    out
}

/// Calls vs_index_search with Rust buffers; returns (status, found, msg).
fn search(
    index: *const vs_index,
    d: usize,
    x: &[f32],
    k: usize,
    labels: &mut [i64],
    dists: &mut [f32],
) -> (vs_status, usize, String) {
    let n = x.len() / d.max(1);
    let mut found = usize::MAX;
    let mut msg = Msg::new();
    // SAFETY: buffers are live slices; the sizes passed are checked by the
    // callers of this helper to match (or deliberately not, with a
    // matching smaller n).
    let rc = unsafe {
        vs_index_search(
            index,
            n,
            d,
            x.as_ptr(),
            k,
            labels.as_mut_ptr(),
            dists.as_mut_ptr(),
            &mut found,
            msg.ptr(),
            ERR_LEN,
        )
    };
    let text = msg.text_unless_ok(rc);
    (rc, found, text)
}

fn add(index: *mut vs_index, d: usize, x: &[f32], ids: &[i64]) -> (vs_status, String) {
    let mut msg = Msg::new();
    // SAFETY: x holds ids.len()*d floats or the test expects an error
    // raised before reading (checked by the length assertions in callers).
    let rc = unsafe {
        vs_index_add(
            index,
            ids.len(),
            d,
            x.as_ptr(),
            ids.as_ptr(),
            msg.ptr(),
            ERR_LEN,
        )
    };
    let text = msg.text_unless_ok(rc);
    (rc, text)
}

#[test]
fn round_trip() {
    for metric in [VS_METRIC_L2, VS_METRIC_INNER_PRODUCT] {
        let idx = new_flat(2, metric);
        assert_eq!(
            add(idx, 2, &[0.0, 0.0, 1.0, 0.0, 3.0, 0.0], &[10, 11, 12]).0,
            VS_OK
        );
        assert_eq!(get(vs_index_len, idx), 3);
        assert_eq!(get(vs_index_dim, idx), 2);
        let out = get(vs_index_memory_bytes, idx);
        assert!(out >= 3 * (2 * 4 + 8));

        let mut labels = [0i64; 4];
        let mut dists = [0f32; 4];
        let (rc, found, _) = search(idx, 2, &[0.9, 0.0, 2.2, 0.0], 2, &mut labels, &mut dists);
        assert_eq!((rc, found), (VS_OK, 2));
        if metric == VS_METRIC_L2 {
            assert_eq!(labels, [11, 10, 12, 11]);
            assert!((dists[0] - 0.01).abs() < 1e-6, "{dists:?}");
        } else {
            assert_eq!(labels, [12, 11, 12, 11]);
            assert!((dists[0] - 2.7).abs() < 1e-6 && (dists[1] - 0.9).abs() < 1e-6);
        }
        free(idx);
    }
}

#[test]
fn timed_search_matches_search_and_reports_time() {
    let idx = new_flat(2, VS_METRIC_L2);
    assert_eq!(
        add(idx, 2, &[0.0, 0.0, 1.0, 0.0, 3.0, 0.0], &[10, 11, 12]).0,
        VS_OK
    );
    let q = [0.9f32, 0.0];
    let params = vs_search_params {
        nprobe: 1,
        refine_factor: 0,
        threads: 1,
    };
    let (mut labels, mut dists) = ([0i64; 2], [0f32; 2]);
    let (mut found, mut ns) = (0usize, 0u64);
    let mut msg = Msg::new();
    // SAFETY: live handle; every buffer is a local of the documented size.
    let rc = unsafe {
        vs_index_search_timed(
            idx,
            1,
            2,
            q.as_ptr(),
            2,
            &params,
            std::ptr::null(),
            0,
            50,
            labels.as_mut_ptr(),
            dists.as_mut_ptr(),
            &mut found,
            &mut ns,
            msg.ptr(),
            ERR_LEN,
        )
    };
    assert_eq!(rc, VS_OK, "{}", msg.text());
    assert_eq!((found, labels), (2, [11, 10]));
    assert!(ns > 0);
    // repeats = 0 is an error; a NULL elapsed_ns is allowed.
    for (repeats, want) in [(0, VS_ERR_INVALID_ARGUMENT), (1, VS_OK)] {
        // SAFETY: as above.
        let rc = unsafe {
            vs_index_search_timed(
                idx,
                1,
                2,
                q.as_ptr(),
                2,
                &params,
                std::ptr::null(),
                0,
                repeats,
                labels.as_mut_ptr(),
                dists.as_mut_ptr(),
                std::ptr::null_mut(),
                std::ptr::null_mut(),
                msg.ptr(),
                ERR_LEN,
            )
        };
        assert_eq!(rc, want, "repeats {repeats}: {}", msg.text());
    }
    free(idx);
}

/// One argument of a search export made bad, in the order the exports
/// check them.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Fault {
    Index,
    Params,
    Dim,
    K,
    Repeats,
    X,
    Exclude,
    Labels,
    Distances,
}

/// The three search exports.
#[derive(Debug, Clone, Copy)]
enum SearchExport {
    Plain,
    Opts,
    Timed,
}

/// Calls `export` with good arguments except `faults`; returns (status,
/// message).
fn search_with_faults(
    idx: *mut vs_index,
    export: SearchExport,
    faults: &[Fault],
) -> (vs_status, String) {
    let bad = |f| faults.contains(&f);
    let q = [1.0f32, 2.0];
    let exclude = [5i64];
    let params = vs_search_params {
        nprobe: 1,
        refine_factor: 0,
        threads: 1,
    };
    let (mut labels, mut dists) = ([0i64; 1], [0f32; 1]);
    let index: *const vs_index = if bad(Fault::Index) {
        std::ptr::null()
    } else {
        idx
    };
    let p: *const vs_search_params = if bad(Fault::Params) {
        std::ptr::null()
    } else {
        &params
    };
    let d = if bad(Fault::Dim) { 3 } else { 2 };
    let k = if bad(Fault::K) { 0 } else { 1 };
    let repeats = if bad(Fault::Repeats) { 0 } else { 1 };
    let x = if bad(Fault::X) {
        std::ptr::null()
    } else {
        q.as_ptr()
    };
    let ex = if bad(Fault::Exclude) {
        std::ptr::null()
    } else {
        exclude.as_ptr()
    };
    let l = if bad(Fault::Labels) {
        std::ptr::null_mut()
    } else {
        labels.as_mut_ptr()
    };
    let s = if bad(Fault::Distances) {
        std::ptr::null_mut()
    } else {
        dists.as_mut_ptr()
    };
    let mut found = 0usize;
    let mut ns = 0u64;
    let mut msg = Msg::new();
    // SAFETY: every pointer is NULL or a live local of the size passed; a
    // bad `d` (3 for 2 floats) is refused before `x` is read.
    let rc = unsafe {
        match export {
            SearchExport::Plain => {
                vs_index_search(index, 1, d, x, k, l, s, &mut found, msg.ptr(), ERR_LEN)
            }
            SearchExport::Opts => vs_index_search_opts(
                index,
                1,
                d,
                x,
                k,
                p,
                ex,
                1,
                l,
                s,
                &mut found,
                msg.ptr(),
                ERR_LEN,
            ),
            SearchExport::Timed => vs_index_search_timed(
                index,
                1,
                d,
                x,
                k,
                p,
                ex,
                1,
                repeats,
                l,
                s,
                &mut found,
                &mut ns,
                msg.ptr(),
                ERR_LEN,
            ),
        }
    };
    let text = msg.text_unless_ok(rc);
    (rc, text)
}

/// With two bad arguments, every search export reports the one it checks
/// first, in one fixed order (handle, params, d, k, repeats, x, exclude,
/// labels, distances), so the three exports agree with each other.
#[test]
fn search_exports_report_the_first_bad_argument() {
    let idx = new_flat(2, VS_METRIC_L2);
    assert_eq!(add(idx, 2, &[0.0, 0.0], &[1]).0, VS_OK);
    let want = |f: Fault| -> (vs_status, &str) {
        match f {
            Fault::Index => (VS_ERR_NULL, "index is NULL"),
            Fault::Params => (VS_ERR_NULL, "params is NULL"),
            Fault::Dim => (VS_ERR_DIMENSION, "search: d = 3, index dimension is 2"),
            Fault::K => (VS_ERR_INVALID_ARGUMENT, "search: k must be at least 1"),
            Fault::Repeats => (
                VS_ERR_INVALID_ARGUMENT,
                "search: repeats must be at least 1",
            ),
            Fault::X => (VS_ERR_NULL, "x is NULL"),
            Fault::Exclude => (VS_ERR_NULL, "exclude is NULL"),
            Fault::Labels => (VS_ERR_NULL, "labels is NULL"),
            Fault::Distances => (VS_ERR_NULL, "distances is NULL"),
        }
    };
    use Fault::*;
    for (export, faults) in [
        (
            SearchExport::Plain,
            &[Index, Dim, K, X, Labels, Distances][..],
        ),
        (
            SearchExport::Opts,
            &[Index, Params, Dim, K, X, Exclude, Labels, Distances][..],
        ),
        (
            SearchExport::Timed,
            &[
                Index, Params, Dim, K, Repeats, X, Exclude, Labels, Distances,
            ][..],
        ),
    ] {
        assert_eq!(search_with_faults(idx, export, &[]).0, VS_OK, "{export:?}");
        for (i, &first) in faults.iter().enumerate() {
            for &later in &faults[i..] {
                let (rc, text) = search_with_faults(idx, export, &[first, later]);
                let (want_rc, want_text) = want(first);
                assert_eq!(
                    (rc, text.as_str()),
                    (want_rc, want_text),
                    "{export:?} {first:?}+{later:?}"
                );
            }
        }
    }
    free(idx);
}

#[test]
fn null_pointers_are_errors() {
    let mut msg = Msg::new();
    let mut out = 0usize;
    let null_idx: *mut vs_index = std::ptr::null_mut();
    // SAFETY: every pointer is null or a live local.
    unsafe {
        assert_eq!(
            vs_index_len(null_idx, &mut out, msg.ptr(), ERR_LEN),
            VS_ERR_NULL
        );
        assert_eq!(msg.text(), "index is NULL");
        assert_eq!(
            vs_index_dim(null_idx, &mut out, msg.ptr(), ERR_LEN),
            VS_ERR_NULL
        );
        assert_eq!(
            vs_index_memory_bytes(null_idx, &mut out, msg.ptr(), ERR_LEN),
            VS_ERR_NULL
        );
        assert_eq!(
            vs_index_new_flat(4, VS_METRIC_L2, std::ptr::null_mut(), msg.ptr(), ERR_LEN),
            VS_ERR_NULL
        );
        assert_eq!(msg.text(), "out is NULL");
        // Freeing NULL is a no-op, like free(3).
        assert_eq!(vs_index_free(null_idx, msg.ptr(), ERR_LEN), VS_OK);
    }
    assert_eq!(add(null_idx, 2, &[1.0, 2.0], &[1]).0, VS_ERR_NULL);
    assert_eq!(
        search(null_idx, 2, &[1.0, 2.0], 1, &mut [0], &mut [0.0]).0,
        VS_ERR_NULL
    );

    let idx = new_flat(2, VS_METRIC_L2);
    // SAFETY: live handle; the null output/input pointers are the test.
    unsafe {
        assert_eq!(
            vs_index_len(idx, std::ptr::null_mut(), msg.ptr(), ERR_LEN),
            VS_ERR_NULL
        );
        let id = 1i64;
        assert_eq!(
            vs_index_add(idx, 1, 2, std::ptr::null(), &id, msg.ptr(), ERR_LEN),
            VS_ERR_NULL
        );
        assert_eq!(msg.text(), "x is NULL");
        let x = [1.0f32, 2.0];
        assert_eq!(
            vs_index_add(idx, 1, 2, x.as_ptr(), std::ptr::null(), msg.ptr(), ERR_LEN),
            VS_ERR_NULL
        );
        let mut d = 0.0f32;
        assert_eq!(
            vs_index_search(
                idx,
                1,
                2,
                x.as_ptr(),
                1,
                std::ptr::null_mut(),
                &mut d,
                std::ptr::null_mut(),
                msg.ptr(),
                ERR_LEN
            ),
            VS_ERR_NULL
        );
        assert_eq!(msg.text(), "labels is NULL");
        // n = 0: empty buffers may be NULL, and `found` is optional.
        assert_eq!(
            vs_index_add(
                idx,
                0,
                2,
                std::ptr::null(),
                std::ptr::null(),
                msg.ptr(),
                ERR_LEN
            ),
            VS_OK
        );
        let mut found = 9usize;
        assert_eq!(
            vs_index_search(
                idx,
                0,
                2,
                std::ptr::null(),
                3,
                std::ptr::null_mut(),
                std::ptr::null_mut(),
                &mut found,
                msg.ptr(),
                ERR_LEN
            ),
            VS_OK
        );
        assert_eq!(found, 0);
    }
    free(idx);
}

#[test]
fn bad_values_are_errors() {
    let mut msg = Msg::new();
    let mut out = std::ptr::null_mut();
    // SAFETY: live locals.
    unsafe {
        assert_eq!(
            vs_index_new_flat(0, VS_METRIC_L2, &mut out, msg.ptr(), ERR_LEN),
            VS_ERR_INVALID_ARGUMENT
        );
        assert!(msg.text().contains("dimension"), "{}", msg.text());
        assert_eq!(
            vs_index_new_flat(4, 99, &mut out, msg.ptr(), ERR_LEN),
            VS_ERR_INVALID_ARGUMENT
        );
        assert_eq!(msg.text(), "unknown metric 99");
        assert_eq!(
            vs_index_new_flat(4, 0, &mut out, msg.ptr(), ERR_LEN),
            VS_ERR_INVALID_ARGUMENT
        );
    }
    assert!(out.is_null(), "out is untouched on error");

    let idx = new_flat(2, VS_METRIC_L2);
    // Wrong d: the caller's idea of the buffer size disagrees with the index.
    let (rc, text) = add(idx, 3, &[1.0, 2.0, 3.0], &[1]);
    assert_eq!(rc, VS_ERR_DIMENSION);
    assert_eq!(text, "add: d = 3, index dimension is 2");
    assert_eq!(
        search(idx, 3, &[1.0, 2.0, 3.0], 1, &mut [0], &mut [0.0]).0,
        VS_ERR_DIMENSION
    );
    // NaN and infinity, in vectors and queries.
    assert_eq!(
        add(idx, 2, &[1.0, f32::NAN], &[1]).0,
        VS_ERR_INVALID_ARGUMENT
    );
    assert_eq!(
        add(idx, 2, &[f32::NEG_INFINITY, 0.0], &[1]).0,
        VS_ERR_INVALID_ARGUMENT
    );
    assert_eq!(add(idx, 2, &[1.0, 2.0], &[-5]).0, VS_ERR_INVALID_ARGUMENT);
    let (rc, _, text) = search(idx, 2, &[f32::NAN, 0.0], 1, &mut [0], &mut [0.0]);
    assert_eq!(rc, VS_ERR_INVALID_ARGUMENT);
    assert!(text.contains("finite"), "{text}");
    // k = 0.
    assert_eq!(
        search(idx, 2, &[1.0, 2.0], 0, &mut [], &mut []).0,
        VS_ERR_INVALID_ARGUMENT
    );
    // SAFETY: the sizes overflow, so the call fails before touching memory.
    unsafe {
        let x = [0.0f32; 2];
        let ids = [0i64; 1];
        assert_eq!(
            vs_index_add(
                idx,
                usize::MAX,
                2,
                x.as_ptr(),
                ids.as_ptr(),
                msg.ptr(),
                ERR_LEN
            ),
            VS_ERR_INVALID_ARGUMENT
        );
        assert!(msg.text().contains("overflows"), "{}", msg.text());
        let mut l = [0i64; 1];
        let mut d = [0f32; 1];
        assert_eq!(
            vs_index_search(
                idx,
                1,
                2,
                x.as_ptr(),
                usize::MAX,
                l.as_mut_ptr(),
                d.as_mut_ptr(),
                std::ptr::null_mut(),
                msg.ptr(),
                ERR_LEN
            ),
            VS_ERR_INVALID_ARGUMENT
        );
    }
    // A misaligned output buffer is rejected, not written.
    let mut raw = [0u8; 8 * 3];
    let misaligned = if (raw.as_ptr() as usize).is_multiple_of(8) {
        1
    } else {
        0
    };
    // SAFETY: the pointer is within `raw` (16 bytes free after it) but
    // misaligned, which the export must detect before forming a slice.
    unsafe {
        let labels = raw.as_mut_ptr().add(misaligned).cast::<i64>();
        let x = [1.0f32, 2.0];
        let mut d = [0f32; 1];
        assert_eq!(
            vs_index_search(
                idx,
                1,
                2,
                x.as_ptr(),
                1,
                labels,
                d.as_mut_ptr(),
                std::ptr::null_mut(),
                msg.ptr(),
                ERR_LEN
            ),
            VS_ERR_INVALID_ARGUMENT
        );
        assert_eq!(msg.text(), "labels is not aligned");
    }
    // Nothing was added by the failed calls.
    assert_eq!(get(vs_index_len, idx), 0);
    free(idx);
}

#[test]
fn message_buffer_rules() {
    let idx = new_flat(2, VS_METRIC_L2);
    // Untouched on success.
    let mut msg = Msg::new();
    let mut len = 0usize;
    // SAFETY: live handle and locals.
    unsafe { vs_index_len(idx, &mut len, msg.ptr(), ERR_LEN) };
    assert!(msg.0.iter().all(|&b| b == b'x'));
    // NULL buffer, or a non-NULL one of length 0: code only, nothing written.
    // SAFETY: live locals; err is NULL or given length 0.
    unsafe {
        assert_eq!(
            vs_index_len(idx, std::ptr::null_mut(), std::ptr::null_mut(), 100),
            VS_ERR_NULL
        );
        assert_eq!(
            vs_index_len(idx, std::ptr::null_mut(), msg.ptr(), 0),
            VS_ERR_NULL
        );
    }
    assert!(msg.0.iter().all(|&b| b == b'x'));
    // Truncated to fit, always NUL-terminated.
    let mut small = [b'x'; 6];
    // SAFETY: `small` is 6 writable bytes.
    unsafe {
        vs_index_len(
            idx,
            std::ptr::null_mut(),
            small.as_mut_ptr().cast(),
            small.len(),
        )
    };
    assert_eq!(&small, b"out i\0");
    let mut one = [b'x'; 1];
    // SAFETY: `one` is 1 writable byte.
    unsafe { vs_index_len(idx, std::ptr::null_mut(), one.as_mut_ptr().cast(), 1) };
    assert_eq!(one, [0]);
    // Never splits a UTF-8 character.
    let mut buf = [b'x'; 3];
    // SAFETY: `buf` is 3 writable bytes.
    unsafe { write_message(buf.as_mut_ptr().cast(), 3, "hé!") };
    assert_eq!(&buf, b"h\0x");
    free(idx);
}

/// An index whose every call panics, to prove the exports catch it.
struct PanickingIndex;

impl Index for PanickingIndex {
    fn dim(&self) -> usize {
        2
    }
    fn metric(&self) -> Metric {
        Metric::L2
    }
    fn len(&self) -> usize {
        panic!("len exploded")
    }
    fn memory_bytes(&self) -> usize {
        panic!("{}", String::from("memory_bytes exploded"))
    }
    fn add(&self, _: &[f32], _: &[i64]) -> Result<(), Error> {
        panic!("add exploded")
    }
    fn search_with(
        &self,
        _: &[f32],
        _: usize,
        _: &SearchParams<'_>,
        _: &mut [i64],
        _: &mut [f32],
    ) -> Result<usize, Error> {
        panic!("search exploded")
    }
}

#[test]
fn panic_inside_an_export_becomes_a_status() {
    let idx = Box::into_raw(Box::new(vs_index {
        inner: Box::new(PanickingIndex),
    }));
    let mut labels = [0i64; 1];
    let mut dists = [0f32; 1];
    let (rc, _, text) = search(idx, 2, &[1.0, 2.0], 1, &mut labels, &mut dists);
    assert_eq!(rc, VS_ERR_PANIC);
    assert_eq!(text, "panic: search exploded");
    let (rc, text) = add(idx, 2, &[1.0, 2.0], &[1]);
    assert_eq!((rc, text.as_str()), (VS_ERR_PANIC, "panic: add exploded"));
    let mut msg = Msg::new();
    let mut out = 0usize;
    // SAFETY: live handle and locals.
    unsafe {
        assert_eq!(
            vs_index_len(idx, &mut out, msg.ptr(), ERR_LEN),
            VS_ERR_PANIC
        );
        assert_eq!(msg.text(), "panic: len exploded");
        // A String payload (formatted panic) is reported too.
        assert_eq!(
            vs_index_memory_bytes(idx, &mut out, msg.ptr(), ERR_LEN),
            VS_ERR_PANIC
        );
        assert_eq!(msg.text(), "panic: memory_bytes exploded");
        // The handle is still usable after a caught panic.
        assert_eq!(vs_index_dim(idx, &mut out, msg.ptr(), ERR_LEN), VS_OK);
        assert_eq!(out, 2);
    }
    free(idx);
}

#[test]
fn concurrent_calls_through_the_abi() {
    let d = 4;
    let idx = new_flat(d, VS_METRIC_L2) as usize; // usize so threads can share it
    std::thread::scope(|s| {
        s.spawn(|| {
            for i in 0..200 {
                let v = [i as f32; 4];
                assert_eq!(add(idx as *mut vs_index, d, &v, &[i]).0, VS_OK);
            }
        });
        for _ in 0..2 {
            s.spawn(|| {
                let mut l = [0i64; 3];
                let mut ds = [0f32; 3];
                for _ in 0..200 {
                    let (rc, found, _) =
                        search(idx as *const vs_index, d, &[0.0; 4], 3, &mut l, &mut ds);
                    assert_eq!(rc, VS_OK);
                    // Ids arrive in order, so the best are 0, 1, 2 once added.
                    let want = [0, 1, 2];
                    assert_eq!(&l[..found], &want[..found]);
                }
            });
        }
    });
    free(idx as *mut vs_index);
}

// ---- header / export agreement ----------------------------------------

/// What the two sides declare: functions (name -> return type and
/// parameters as (name, C type)), constants and typedefs.
#[derive(Debug, Default, PartialEq)]
struct Abi {
    functions: BTreeMap<String, (String, Vec<(String, String)>)>,
    constants: BTreeMap<String, i64>,
    typedefs: BTreeMap<String, String>,
    /// `#[repr(C)]` structs: name -> fields as (name, C type), in order.
    structs: BTreeMap<String, Vec<(String, String)>>,
}

/// Parses `typedef struct NAME { fields } NAME;` blocks out of comment-free
/// C, returning the structs and the code with the blocks removed.
fn take_c_structs(code: &str) -> (BTreeMap<String, Vec<(String, String)>>, String) {
    let mut structs = BTreeMap::new();
    let mut rest = code;
    let mut out = String::new();
    while let Some(at) = rest.find("typedef struct ") {
        let after = &rest[at..];
        let (Some(open), Some(semi)) = (after.find('{'), after.find(';')) else {
            break;
        };
        if semi < open {
            // `typedef struct vs_index vs_index;`: an opaque type.
            out.push_str(&rest[..at + semi + 1]);
            rest = &rest[at + semi + 1..];
            continue;
        }
        let close = after.find('}').expect("struct closes");
        let name = after["typedef struct ".len()..open].trim().to_owned();
        let fields = after[open + 1..close]
            .split(';')
            .map(str::trim)
            .filter(|f| !f.is_empty())
            .map(|f| {
                let spaced = f.split_whitespace().collect::<Vec<_>>().join(" ");
                // `size_t nlist, m` style lists are not allowed: one per line.
                assert!(!spaced.contains(','), "one field per declaration: {spaced}");
                c_param(&spaced)
            })
            .collect();
        let end = close + after[close..].find(';').expect("typedef ends") + 1;
        out.push_str(&rest[..at]);
        structs.insert(name, fields);
        rest = &rest[at + end..];
    }
    out.push_str(rest);
    (structs, out)
}

/// Parses `#[repr(C)] pub struct vs_x { pub f: T, ... }` from Rust source.
fn rust_structs(src: &str) -> BTreeMap<String, Vec<(String, String)>> {
    let mut structs = BTreeMap::new();
    let mut rest = src;
    while let Some(at) = rest.find("pub struct vs_") {
        let after = &rest[at + "pub struct ".len()..];
        let open = after.find('{');
        let semi = after.find(';');
        match (open, semi) {
            (Some(open), semi) if semi.is_none_or(|s| open < s) => {
                let name = after[..open].trim().to_owned();
                let close = after.find('}').unwrap();
                let fields = after[open + 1..close]
                    .split(',')
                    .map(str::trim)
                    .filter(|f| f.starts_with("pub "))
                    .map(|f| {
                        let (n, t) = f["pub ".len()..].split_once(':').unwrap();
                        (n.trim().to_owned(), rust_to_c(t))
                    })
                    .collect::<Vec<_>>();
                if name != "vs_index" {
                    structs.insert(name, fields);
                }
                rest = &after[close..];
            }
            _ => rest = &after[1..],
        }
    }
    structs
}

fn strip_c_comments(src: &str) -> String {
    let mut out = String::new();
    let mut rest = src;
    loop {
        let block = rest.find("/*");
        let line = rest.find("//");
        match (block, line) {
            (Some(b), l) if l.is_none_or(|l| b < l) => {
                out.push_str(&rest[..b]);
                let end = rest[b..].find("*/").expect("unterminated comment") + b + 2;
                rest = &rest[end..];
            }
            (_, Some(l)) => {
                out.push_str(&rest[..l]);
                rest = rest[l..].find('\n').map_or("", |e| &rest[l + e..]);
            }
            _ => {
                out.push_str(rest);
                return out;
            }
        }
    }
}

/// "const float *x" -> ("x", "const float*").
fn c_param(p: &str) -> (String, String) {
    let spaced = p.replace('*', " * ");
    let mut tokens: Vec<&str> = spaced.split_whitespace().collect();
    let name = tokens.pop().expect("parameter name").to_owned();
    let words: Vec<&str> = tokens.iter().copied().filter(|t| *t != "*").collect();
    let stars = tokens.iter().filter(|t| **t == "*").count();
    (name, format!("{}{}", words.join(" "), "*".repeat(stars)))
}

fn parse_header(src: &str) -> Abi {
    let mut abi = Abi::default();
    let (structs, code) = take_c_structs(&strip_c_comments(src));
    abi.structs = structs;
    for line in code.lines() {
        let words: Vec<&str> = line.split_whitespace().collect();
        if let ["#define", name, value] = words[..]
            && name.starts_with("VS_")
        {
            abi.constants
                .insert(name.to_owned(), value.parse().expect("integer #define"));
        }
    }
    // Declarations only: no preprocessor lines, and nothing before the
    // last brace of a statement (the C++ `extern "C" {` wrapper).
    let decls: String = code
        .lines()
        .filter(|l| !l.trim_start().starts_with('#'))
        .collect::<Vec<_>>()
        .join("\n");
    for stmt in decls.split(';') {
        let stmt = &stmt[stmt.rfind(['{', '}']).map_or(0, |i| i + 1)..];
        let stmt = stmt.split_whitespace().collect::<Vec<_>>().join(" ");
        if stmt.is_empty() {
            continue;
        }
        if let Some(def) = stmt.strip_prefix("typedef ") {
            let (ty, name) = def.rsplit_once(' ').unwrap();
            if !ty.starts_with("struct") {
                abi.typedefs.insert(name.to_owned(), ty.to_owned());
            }
            continue;
        }
        let Some(open) = stmt.find('(') else { continue };
        let (ret, name) = stmt[..open].trim().rsplit_once(' ').unwrap();
        if !name.starts_with("vs_") {
            continue;
        }
        let params = stmt[open + 1..stmt.rfind(')').unwrap()]
            .split(',')
            .map(c_param)
            .collect();
        abi.functions
            .insert(name.to_owned(), (ret.to_owned(), params));
    }
    abi
}

/// Rust type -> the C spelling the header must use.
fn rust_to_c(t: &str) -> String {
    let t = t.trim();
    if let Some(inner) = t.strip_prefix("*const ") {
        let c = rust_to_c(inner);
        assert!(!c.ends_with('*'), "unsupported: {t}");
        return format!("const {c}*");
    }
    if let Some(inner) = t.strip_prefix("*mut ") {
        return format!("{}*", rust_to_c(inner));
    }
    match t {
        "usize" => "size_t",
        "f32" => "float",
        "i32" => "int32_t",
        "i64" => "int64_t",
        "u64" => "uint64_t",
        "c_char" => "char",
        "vs_status" | "vs_metric" | "vs_index" | "vs_ivfpq_params" | "vs_search_params"
        | "vs_stats" => t,
        other => panic!("no C spelling for Rust type {other}"),
    }
    .to_owned()
}

fn parse_rust(src: &str) -> Abi {
    let mut abi = Abi::default();
    // Only the module body: stop where the tests are declared.
    let src = &src[..src.find("#[cfg(test)]").unwrap_or(src.len())];
    abi.structs = rust_structs(src);
    for line in src.lines() {
        let line = line.trim();
        if let Some(rest) = line.strip_prefix("pub const VS_") {
            let (name, value) = rest.split_once(':').unwrap();
            let value = value
                .split('=')
                .nth(1)
                .unwrap()
                .trim()
                .trim_end_matches(';');
            abi.constants
                .insert(format!("VS_{name}"), value.parse().unwrap());
        }
        if let Some(rest) = line.strip_prefix("pub type vs_") {
            let (name, ty) = rest.split_once('=').unwrap();
            abi.typedefs.insert(
                format!("vs_{}", name.trim()),
                rust_to_c(ty.trim().trim_end_matches(';')),
            );
        }
    }
    let marker = "pub unsafe extern \"C\" fn ";
    let mut rest = src;
    while let Some(at) = rest.find(marker) {
        let before = &rest[..at];
        let attrs = &before[before.rfind("///").unwrap_or(0)..];
        let sig = &rest[at + marker.len()..];
        let open = sig.find('(').unwrap();
        let name = sig[..open].to_owned();
        assert!(
            attrs.contains("#[unsafe(no_mangle)]"),
            "{name} is not #[unsafe(no_mangle)]"
        );
        let close = sig.find(')').unwrap();
        let params = sig[open + 1..close]
            .split(',')
            .map(str::trim)
            .filter(|p| !p.is_empty())
            .map(|p| {
                let (n, t) = p.split_once(':').unwrap();
                (n.trim().to_owned(), rust_to_c(t))
            })
            .collect();
        let ret = sig[close + 1..sig.find('{').unwrap()]
            .trim()
            .trim_start_matches("->");
        abi.functions.insert(name, (rust_to_c(ret), params));
        rest = &sig[close..];
    }
    abi
}

const HEADER: &str = include_str!("../../../../include/vecsearch.h");
const FFI_SOURCE: &str = include_str!("../ffi.rs");

/// Differences between the two sides, as readable lines.
fn diff(header: &Abi, rust: &Abi) -> Vec<String> {
    let mut out = Vec::new();
    let names: std::collections::BTreeSet<_> = header
        .functions
        .keys()
        .chain(rust.functions.keys())
        .collect();
    for name in names {
        let (h, r) = (header.functions.get(name), rust.functions.get(name));
        if h != r {
            out.push(format!("function {name}: header {h:?} vs rust {r:?}"));
        }
    }
    if header.constants != rust.constants {
        out.push(format!(
            "constants: header {:?} vs rust {:?}",
            header.constants, rust.constants
        ));
    }
    if header.structs != rust.structs {
        out.push(format!(
            "structs: header {:?} vs rust {:?}",
            header.structs, rust.structs
        ));
    }
    if header.typedefs != rust.typedefs {
        out.push(format!(
            "typedefs: header {:?} vs rust {:?}",
            header.typedefs, rust.typedefs
        ));
    }
    out
}

#[test]
fn header_matches_exports() {
    let header = parse_header(HEADER);
    let rust = parse_rust(FFI_SOURCE);
    // Guard against a parser that silently finds nothing.
    assert_eq!(rust.functions.len(), 16, "{:?}", rust.functions.keys());
    assert!(rust.constants.len() >= 11);
    assert_eq!(rust.structs.len(), 3, "{:?}", rust.structs.keys());
    assert_eq!(rust.structs["vs_ivfpq_params"].len(), 9);
    assert!(HEADER.contains("typedef struct vs_index vs_index;"));
    let d = diff(&header, &rust);
    assert!(
        d.is_empty(),
        "include/vecsearch.h and src/ffi.rs disagree:\n{}",
        d.join("\n")
    );
    // The constants parsed from source are the ones compiled in.
    let compiled = [
        ("VS_OK", VS_OK),
        ("VS_ERR_NULL", VS_ERR_NULL),
        ("VS_ERR_INVALID_ARGUMENT", VS_ERR_INVALID_ARGUMENT),
        ("VS_ERR_DIMENSION", VS_ERR_DIMENSION),
        ("VS_ERR_NOT_TRAINED", VS_ERR_NOT_TRAINED),
        ("VS_ERR_PANIC", VS_ERR_PANIC),
        ("VS_ERR_IO", VS_ERR_IO),
        ("VS_ERR_CORRUPT", VS_ERR_CORRUPT),
        ("VS_ERR_OUT_OF_MEMORY", VS_ERR_OUT_OF_MEMORY),
        ("VS_METRIC_L2", VS_METRIC_L2),
        ("VS_METRIC_INNER_PRODUCT", VS_METRIC_INNER_PRODUCT),
        ("VS_ERR_UNSUPPORTED", VS_ERR_UNSUPPORTED),
        ("VS_METRIC_COSINE", VS_METRIC_COSINE),
        ("VS_INDEX_FLAT", VS_INDEX_FLAT),
        ("VS_INDEX_IVFPQ", VS_INDEX_IVFPQ),
        ("VS_REFINE_NONE", VS_REFINE_NONE),
        ("VS_REFINE_F32", VS_REFINE_F32),
        ("VS_REFINE_SQ8", VS_REFINE_SQ8),
    ];
    for (name, value) in compiled {
        assert_eq!(rust.constants.get(name), Some(&i64::from(value)), "{name}");
    }
    assert_eq!(
        compiled.len(),
        rust.constants.len(),
        "a constant is missing from the list above"
    );
}

#[test]
fn header_check_catches_drift() {
    let rust = parse_rust(FFI_SOURCE);
    let drifted = [
        HEADER.replace("#define VS_ERR_PANIC 5", "#define VS_ERR_PANIC 6"),
        HEADER.replace("vs_status vs_index_dim(", "vs_status vs_index_dims("),
        HEADER.replace(
            "const vs_index *index, size_t *out",
            "vs_index *index, size_t *out",
        ),
        HEADER.replace("int64_t *labels", "int32_t *labels"),
        HEADER.replace("#define VS_ERR_OUT_OF_MEMORY 8", ""),
        HEADER.replace("typedef int32_t vs_metric;", "typedef int64_t vs_metric;"),
        HEADER.replace("size_t k,", ""),
        HEADER.replace("    uint64_t seed;", "    uint32_t seed;"),
        HEADER.replace("    size_t nprobe;", "    size_t nprobes;"),
        HEADER.replace("#define VS_REFINE_SQ8 2", "#define VS_REFINE_SQ8 3"),
    ];
    for (i, h) in drifted.iter().enumerate() {
        assert_ne!(h, HEADER, "mutation {i} did not apply");
        assert!(
            !diff(&parse_header(h), &rust).is_empty(),
            "mutation {i} went unnoticed"
        );
    }
    let dropped_export = FFI_SOURCE.replacen(
        "pub unsafe extern \"C\" fn vs_index_dim",
        "pub unsafe extern \"C\" fn vs_index_dim2",
        1,
    );
    assert!(!diff(&parse_header(HEADER), &parse_rust(&dropped_export)).is_empty());
}
