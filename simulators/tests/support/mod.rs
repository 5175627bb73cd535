//! Helpers shared by the integration tests.
#![allow(dead_code)]

use borderfuse_common::frame::{DecodeStats, Frame, FrameDecoder};

/// Decodes a node's byte stream; panics on any bad frame.
pub fn decode(bytes: &[u8]) -> (Vec<Frame>, DecodeStats) {
    let mut decoder = FrameDecoder::new();
    let frames = decoder
        .feed(bytes)
        .map(|r| r.expect("a frame that decodes"))
        .collect();
    (frames, *decoder.stats())
}

/// Whether segments a-b and c-d cross (proper intersection).
pub fn segments_cross(a: (f64, f64), b: (f64, f64), c: (f64, f64), d: (f64, f64)) -> bool {
    let orient = |p: (f64, f64), q: (f64, f64), r: (f64, f64)| {
        (q.0 - p.0) * (r.1 - p.1) - (q.1 - p.1) * (r.0 - p.0)
    };
    let (d1, d2) = (orient(c, d, a), orient(c, d, b));
    let (d3, d4) = (orient(a, b, c), orient(a, b, d));
    d1 * d2 < 0.0 && d3 * d4 < 0.0
}
