//! `ais-decode` benchmarks on the real feeds of `tests/data/ais/input/`: decoding alone per
//! message type family (payloads reassembled beforehand), and the whole stream (sentence
//! layer, reassembly, decoding, gpsd JSON) on the feeds mixed.
//!
//! `cargo bench -p borderfuse-agent --bench ais_decode`; the whole-process comparison with
//! gpsdecode is `scripts/bench-ais-decode.sh`.

use borderfuse_agent::ais_decode::{DecodeOptions, FragmentClock, decode_stream};
use borderfuse_common::ais::{AisBits, AisMessage, Reassembler};
use borderfuse_common::nmea;
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use std::hint::black_box;
use std::path::Path;

/// Every input feed, concatenated (each file ends with a line ending).
fn mixed_feed() -> Vec<u8> {
    fn walk(dir: &Path, files: &mut Vec<std::path::PathBuf>) {
        for entry in std::fs::read_dir(dir).expect("test data directory") {
            let path = entry.expect("directory entry").path();
            if path.is_dir() {
                walk(&path, files);
            } else if !path.ends_with("COPYING") && !path.ends_with("LICENSE") {
                files.push(path);
            }
        }
    }
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/ais/input");
    let mut files = Vec::new();
    walk(&root, &mut files);
    files.sort();
    let mut feed = Vec::new();
    for file in files {
        feed.extend(std::fs::read(file).expect("test data file"));
        if !feed.ends_with(b"\n") {
            feed.push(b'\n');
        }
    }
    feed
}

/// The payloads of every AIS message of `feed` that decodes.
fn payloads(feed: &[u8]) -> Vec<AisBits> {
    let mut reassembler = Reassembler::<32>::new(u64::MAX);
    let text = String::from_utf8_lossy(feed);
    text.lines()
        .filter_map(|line| {
            let sentence = nmea::parse(line).ok()?;
            let vdm = nmea::parse_vdm(&sentence).ok()?;
            reassembler.push(&vdm, 0).ok().flatten()
        })
        .filter(|bits| AisMessage::decode(bits).is_ok())
        .collect()
}

/// Message type families, by the types they hold.
const FAMILIES: [(&str, &[u8]); 8] = [
    ("class A position (1-3)", &[1, 2, 3]),
    ("base station (4, 11)", &[4, 11]),
    ("static and voyage (5)", &[5]),
    ("binary (6, 8, 25, 26)", &[6, 8, 25, 26]),
    ("class B (18, 19, 24)", &[18, 19, 24]),
    ("aid to navigation (21)", &[21]),
    ("long range (27)", &[27]),
    (
        "others (7, 9, 10, 12-17, 20, 22, 23)",
        &[7, 9, 10, 12, 13, 14, 15, 16, 17, 20, 22, 23],
    ),
];

fn decode_by_family(c: &mut Criterion) {
    let all = payloads(&mixed_feed());
    let mut group = c.benchmark_group("decode");
    for (name, types) in FAMILIES {
        let family: Vec<&AisBits> = all
            .iter()
            .filter(|bits| bits.msg_type().is_some_and(|t| types.contains(&t)))
            .collect();
        assert!(!family.is_empty(), "no {name} message in the test data");
        group.throughput(Throughput::Elements(family.len() as u64));
        group.bench_function(name, |b| {
            b.iter(|| {
                for bits in &family {
                    let _ = black_box(AisMessage::decode(black_box(bits)));
                }
            })
        });
    }
    group.finish();
}

fn decode_stream_mixed(c: &mut Criterion) {
    let feed = mixed_feed();
    let sentences = feed
        .split(|&b| b == b'\n')
        .filter(|line| matches!(line.first(), Some(b'!' | b'$' | b'\\')))
        .count();
    let options = DecodeOptions {
        fragment_timeout_ms: 1_000,
        clock: FragmentClock::Lines,
    };
    let mut group = c.benchmark_group("decode_stream");
    group.throughput(Throughput::Elements(sentences as u64));
    group.bench_function("mixed feed, sentences to gpsd JSON", |b| {
        b.iter(|| decode_stream(black_box(&feed[..]), std::io::sink(), &options))
    });
    group.finish();
}

criterion_group!(benches, decode_by_family, decode_stream_mixed);
criterion_main!(benches);
