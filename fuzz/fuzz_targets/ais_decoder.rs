//! The AIS decoder on arbitrary payloads: armour → `AisBits::from_armour` →
//! `AisMessage::decode` → `write_gpsd_json` into a bounded string. Whatever the bits, decoding
//! must not panic, and JSON that is written must be one valid JSON object.
#![no_main]

use borderfuse_common::ais::{AisBits, AisMessage, GpsdJsonWriter, sixbit_char};
use libfuzzer_sys::fuzz_target;

/// Longer than any object gpsd writes (a five-slot binary message in hex is under 1 KiB).
const JSON_CAPACITY: usize = 4096;

fuzz_target!(|data: &[u8]| {
    let Some((&control, rest)) = data.split_first() else {
        return;
    };
    let fill_bits = control % 8;
    // Mostly valid armour, so that the fuzzer explores the message layouts; with the top bit
    // of the control byte, the raw bytes, to exercise armour validation too.
    let armour: String = if control & 0x80 == 0 {
        rest.iter().map(|&b| char::from(sixbit_char(b))).collect()
    } else {
        String::from_utf8_lossy(rest).into_owned()
    };
    let Ok(bits) = AisBits::from_armour(&armour, fill_bits) else {
        return;
    };
    let Ok(message) = AisMessage::decode(&bits) else {
        return;
    };
    let _ = message.mmsi();
    let mut json = heapless::String::<JSON_CAPACITY>::new();
    if message.write_gpsd_json(&mut json).is_ok() {
        check_json(&json);
    }
    // The stateful writer (type 24 name memory) on the same message twice.
    let mut writer = GpsdJsonWriter::new();
    for _ in 0..2 {
        json.clear();
        if writer.write(&message, &mut json).is_ok() {
            check_json(&json);
        }
    }
});

fn check_json(json: &str) {
    match serde_json::from_str::<serde_json::Value>(json) {
        Ok(value) => assert!(value.is_object(), "not an object: {json}"),
        Err(e) => panic!("invalid JSON ({e}): {json}"),
    }
}
