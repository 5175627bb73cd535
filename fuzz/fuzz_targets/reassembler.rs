//! A `Reassembler` fed arbitrary sequences of fragments: valid sentences (checksums right)
//! whose fragment numbers, counts, ids, channels, tag-block groups, payloads and arrival times
//! are arbitrary, so that the fuzzer spends its time in reassembly rather than in checksums.
#![no_main]

use arbitrary::Arbitrary;
use borderfuse_common::ais::{AisMessage, Reassembler, sixbit_char};
use borderfuse_common::nmea;
use libfuzzer_sys::fuzz_target;

const SLOTS: usize = 4;
const MAX_AGE_MS: u64 = 1_000;

#[derive(Debug, Arbitrary)]
struct Fragment {
    talker: u8,
    own_ship: bool,
    count: u8,
    number: u8,
    message_id: Option<u8>,
    channel: Option<bool>,
    /// NMEA 4.10 tag-block group `g:number-count-id`.
    group: Option<(u8, u8, u16)>,
    /// Six-bit values, armoured below.
    payload: Vec<u8>,
    fill_bits: u8,
    advance_ms: u16,
}

impl Fragment {
    fn line(&self) -> String {
        const TALKERS: [&str; 4] = ["AI", "AB", "BS", "SA"];
        let talker = TALKERS[usize::from(self.talker) % TALKERS.len()];
        let formatter = if self.own_ship { "VDO" } else { "VDM" };
        let id = self
            .message_id
            .map_or(String::new(), |id| (id % 10).to_string());
        let channel = match self.channel {
            Some(true) => "A",
            Some(false) => "B",
            None => "",
        };
        let payload: String = self
            .payload
            .iter()
            .take(90)
            .map(|&v| char::from(sixbit_char(v)))
            .collect();
        let body = format!(
            "{talker}{formatter},{},{},{id},{channel},{payload},{}",
            self.count % 10,
            self.number % 10,
            self.fill_bits % 6
        );
        let sentence = format!("!{body}*{:02X}", nmea::checksum(body.as_bytes()));
        match self.group {
            Some((n, m, g)) => {
                let tag = format!("g:{}-{}-{g}", n % 10, m % 10);
                format!("\\{tag}*{:02X}\\{sentence}", nmea::checksum(tag.as_bytes()))
            }
            None => sentence,
        }
    }
}

fuzz_target!(|fragments: Vec<Fragment>| {
    let mut reassembler = Reassembler::<SLOTS>::new(MAX_AGE_MS);
    let mut now_ms = 0u64;
    let mut completed = 0u64;
    for fragment in &fragments {
        now_ms += u64::from(fragment.advance_ms);
        let line = fragment.line();
        let Ok(sentence) = nmea::parse(&line) else {
            continue;
        };
        let Ok(vdm) = nmea::parse_vdm(&sentence) else {
            continue;
        };
        if let Ok(Some(bits)) = reassembler.push(&vdm, now_ms) {
            completed += 1;
            let _ = AisMessage::decode(&bits);
        }
        assert!(reassembler.pending() <= SLOTS, "more pending than slots");
    }
    assert_eq!(reassembler.stats().messages, completed, "stats disagree");
});
