//! The NMEA 0183 sentence layer on arbitrary bytes: `nmea::parse`, then `parse_vdm` on what
//! it accepts. Any panic is a bug: outside input must get a typed error.
#![no_main]

use borderfuse_common::nmea;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    // The agent hands the sentence layer only UTF-8 lines; everything else is rejected before.
    let Ok(line) = core::str::from_utf8(data) else {
        return;
    };
    let Ok(sentence) = nmea::parse(line) else {
        return;
    };
    // Every accessor of an accepted sentence must hold up too.
    let _ = sentence.talker();
    let _ = sentence.formatter();
    assert!(sentence.field_iter().count() >= 1);
    if let Ok(vdm) = nmea::parse_vdm(&sentence) {
        assert!(vdm.fragment_number >= 1 && vdm.fragment_number <= vdm.fragment_count);
        assert!(vdm.fill_bits <= 5);
    }
});
