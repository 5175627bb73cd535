//! `ais-decode`'s whole stream decoder on arbitrary bytes: never a panic, only I/O errors end
//! it (and an in-memory stream has none), every output line is one JSON object, and one line
//! is written per message counted.
#![no_main]

use borderfuse_agent::ais_decode::{DecodeOptions, FragmentClock, decode_stream};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    // The line clock keeps runs reproducible; a short timeout exercises expiry.
    let options = DecodeOptions {
        fragment_timeout_ms: 8,
        clock: FragmentClock::Lines,
    };
    let mut out = Vec::new();
    let summary = match decode_stream(data, &mut out, &options) {
        Ok(summary) => summary,
        Err(e) => panic!("in-memory decoding failed: {e}"),
    };
    let mut lines = 0;
    for line in out.split(|&b| b == b'\n').filter(|l| !l.is_empty()) {
        lines += 1;
        match serde_json::from_slice::<serde_json::Value>(line) {
            Ok(value) => assert!(value.is_object()),
            Err(e) => panic!("invalid JSON ({e}): {}", String::from_utf8_lossy(line)),
        }
    }
    assert_eq!(lines, summary.messages);
    assert!(summary.lines <= data.len() as u64);
});
