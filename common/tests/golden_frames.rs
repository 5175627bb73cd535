//! The wire format, pinned: frames of every payload kind against bytes computed by an
//! independent encoder (`scripts/gen_golden_frames.py`), and the incremental decoder against
//! every chunking and garbage.

use borderfuse_common::frame::{
    AisSentence, Counter, Direction, Frame, FrameDecoder, Health, MAX_WIRE_LEN, Payload, PlateRead,
    RadarNorthMarker, RadarPlot, RadarTrack, TargetStatus, counter, encode,
};
use proptest::prelude::*;

fn golden_frames() -> Vec<(&'static str, Frame)> {
    vec![
        (
            "ais_sentence",
            Frame::new(
                7,
                42,
                1_000_000,
                Some(1_764_331_200_000),
                Payload::AisSentence(
                    AisSentence::new("!AIVDM,1,1,,A,15RTgt0PAso;90TKcjM8h6g208CQ,0*4A").unwrap(),
                ),
            ),
        ),
        (
            "radar_plot",
            Frame::new(
                17,
                300,
                123_456_789,
                Some(1_764_331_200_250),
                Payload::RadarPlot(RadarPlot {
                    scan: 12,
                    range_m: 5230.5,
                    bearing_deg: 87.25,
                    amplitude: 900,
                }),
            ),
        ),
        (
            "radar_track",
            Frame::new(
                17,
                301,
                123_456_999,
                None,
                Payload::RadarTrack(RadarTrack {
                    target: 12,
                    distance_m: 1852.0,
                    bearing_deg: 270.5,
                    bearing_true: true,
                    speed_mps: 5.0,
                    course_deg: 90.0,
                    course_true: true,
                    cpa_m: 400.0,
                    tcpa_s: -30.0,
                    name: "TGT12".try_into().unwrap(),
                    status: TargetStatus::Tracking,
                    reference: false,
                }),
            ),
        ),
        (
            "plate_read",
            Frame::new(
                301,
                0,
                5,
                Some(1_764_331_200_999),
                Payload::PlateRead(PlateRead {
                    plate: "AB123CD".try_into().unwrap(),
                    country: "FR".try_into().unwrap(),
                    confidence: 0.875,
                    camera: 1,
                    lane: 2,
                    direction: Direction::Entering,
                }),
            ),
        ),
        (
            "health",
            Frame::new(
                7,
                43,
                60_000_000,
                None,
                Payload::Health(Health {
                    uptime_ms: 60_000,
                    counters: [
                        (counter::RX_BYTES, 10_000),
                        (counter::FRAMES_SENT, 41),
                        (counter::DROPPED_BAD_CHECKSUM, 2),
                    ]
                    .into_iter()
                    .map(|(id, value)| Counter { id, value })
                    .collect(),
                }),
            ),
        ),
        (
            "radar_north_marker",
            Frame::new(
                17,
                302,
                125_956_789,
                Some(1_764_331_202_750),
                Payload::RadarNorthMarker(RadarNorthMarker {
                    scan: 12,
                    period_ms: 2500,
                }),
            ),
        ),
    ]
}

fn golden_bytes(name: &str) -> Vec<u8> {
    let text = include_str!("data/golden_frames.txt");
    let hex = text
        .lines()
        .find_map(|l| l.strip_prefix(name).and_then(|r| r.strip_prefix(' ')))
        .unwrap_or_else(|| panic!("no golden vector {name}"));
    (0..hex.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&hex[i..i + 2], 16).unwrap())
        .collect()
}

fn wire(frame: &Frame) -> Vec<u8> {
    let mut buf = [0u8; MAX_WIRE_LEN];
    let n = encode(frame, &mut buf).unwrap();
    buf[..n].to_vec()
}

#[test]
fn every_payload_kind_encodes_to_its_golden_bytes() {
    for (name, frame) in golden_frames() {
        assert_eq!(wire(&frame), golden_bytes(name), "{name}");
    }
}

#[test]
fn every_golden_vector_decodes_to_its_frame() {
    for (name, frame) in golden_frames() {
        let mut decoder = FrameDecoder::new();
        let out: Vec<_> = decoder.feed(&golden_bytes(name)).collect();
        assert_eq!(out, vec![Ok(frame)], "{name}");
    }
}

#[test]
fn the_largest_frames_fit_the_wire_buffer() {
    let sentence = "!".repeat(borderfuse_common::frame::MAX_SENTENCE_LEN);
    let big = Frame::new(
        u32::MAX,
        u32::MAX,
        u64::MAX,
        Some(u64::MAX),
        Payload::AisSentence(AisSentence::new(&sentence).unwrap()),
    );
    let health = Frame::new(
        u32::MAX,
        u32::MAX,
        u64::MAX,
        Some(u64::MAX),
        Payload::Health(Health {
            uptime_ms: u64::MAX,
            counters: (0..16)
                .map(|id| Counter {
                    id,
                    value: u32::MAX,
                })
                .collect(),
        }),
    );
    for frame in [big, health] {
        let bytes = wire(&frame);
        let mut decoder = FrameDecoder::new();
        assert_eq!(decoder.feed(&bytes).collect::<Vec<_>>(), vec![Ok(frame)]);
    }
}

fn stream() -> (Vec<u8>, Vec<Frame>) {
    let frames: Vec<Frame> = golden_frames().into_iter().map(|(_, f)| f).collect();
    (frames.iter().flat_map(wire).collect(), frames)
}

proptest! {
    #[test]
    fn any_chunking_of_a_stream_yields_the_same_frames(cuts in proptest::collection::vec(any::<prop::sample::Index>(), 0..40)) {
        let (bytes, frames) = stream();
        let mut cuts: Vec<usize> = cuts.iter().map(|i| i.index(bytes.len() + 1)).collect();
        cuts.sort_unstable();
        let mut decoder = FrameDecoder::new();
        let mut out = Vec::new();
        let mut at = 0;
        for cut in cuts.into_iter().chain([bytes.len()]) {
            out.extend(decoder.feed(&bytes[at..cut]));
            at = cut;
        }
        prop_assert_eq!(out, frames.into_iter().map(Ok).collect::<Vec<_>>());
        prop_assert_eq!(decoder.stats().bad_frames(), 0);
    }

    #[test]
    fn garbage_before_between_and_inside_frames_never_panics_and_is_counted(
        prefix in proptest::collection::vec(any::<u8>(), 0..600),
        noise in proptest::collection::vec(any::<u8>(), 1..64),
        at in any::<prop::sample::Index>(),
    ) {
        let (clean, frames) = stream();
        // Garbage in front, then the clean stream: every frame after the first delimiter that
        // follows the garbage decodes; what the garbage spoiled is counted, never silently lost.
        let mut bytes = prefix.clone();
        bytes.push(0);
        bytes.extend(&clean);
        let mut decoder = FrameDecoder::new();
        let good: Vec<Frame> = decoder.feed(&bytes).filter_map(Result::ok).collect();
        prop_assert_eq!(&good[good.len() - frames.len()..], &frames[..]);

        // Noise spliced into the middle of the stream: at most the frames it touches are lost,
        // and every loss is counted.
        let cut = at.index(clean.len());
        let mut spliced = clean[..cut].to_vec();
        spliced.extend(&noise);
        spliced.extend(&clean[cut..]);
        let mut decoder = FrameDecoder::new();
        let results: Vec<_> = decoder.feed(&spliced).collect();
        let ok = results.iter().filter(|r| r.is_ok()).count() as u64;
        prop_assert_eq!(decoder.stats().frames, ok);
        prop_assert!(ok + 2 >= frames.len() as u64);
        prop_assert_eq!(decoder.stats().bad_frames(), results.len() as u64 - ok);
    }
}
