//! The plate node's camera-line parser on arbitrary bytes. Any panic is a bug: a camera's
//! half record or line noise must be a counted drop.
#![no_main]

use borderfuse_firmware::plate::parse_line;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(Some(read)) = parse_line(data) {
        // What the parser promises about a read it accepts.
        assert!((0.0..=1.0).contains(&read.confidence));
        assert!(!read.plate.is_empty());
        assert!(read.plate.bytes().all(|b| b.is_ascii_uppercase() || b.is_ascii_digit()));
        assert!(read.country.bytes().all(|b| b.is_ascii_uppercase()));
    }
});
