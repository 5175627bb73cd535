//! The AIS node on the host, with scripted UARTs and links.

use borderfuse_common::frame::{Frame, FrameDecoder, Payload, counter};
use borderfuse_firmware::Clock;
use borderfuse_firmware::ais_node::AisNode;
use embedded_io::{ErrorKind, ErrorType, Read, Write};

/// gpsd test/sample.aivdm: a type 1 and the two fragments of a type 5.
const TYPE1: &str = "!AIVDM,1,1,,A,15RTgt0PAso;90TKcjM8h6g208CQ,0*4A";
const TYPE5_1: &str =
    "!AIVDM,2,1,1,A,55?MbV02;H;s<HtKR20EHE:0@T4@Dn2222222216L961O5Gf0NSQEp6ClRp8,0*1C";
const TYPE5_2: &str = "!AIVDM,2,2,1,A,88888888880,2*25";

/// A clock that advances 1 ms per reading, with UTC 1.7e12 ms at boot.
struct StepClock(u64);

impl Clock for StepClock {
    fn now_us(&mut self) -> u64 {
        self.0 += 1000;
        self.0
    }
    fn utc_ms(&mut self) -> Option<u64> {
        Some(1_700_000_000_000 + self.0 / 1000)
    }
}

/// A UART that hands out `data` in chunks of the given sizes (cycling), then reports EOF.
struct ScriptedUart<'a> {
    data: &'a [u8],
    chunks: Vec<usize>,
    i: usize,
}

impl ErrorType for ScriptedUart<'_> {
    type Error = ErrorKind;
}

impl Read for ScriptedUart<'_> {
    fn read(&mut self, buf: &mut [u8]) -> Result<usize, Self::Error> {
        let want = self.chunks[self.i % self.chunks.len()].max(1);
        self.i += 1;
        let n = want.min(buf.len()).min(self.data.len());
        buf[..n].copy_from_slice(&self.data[..n]);
        self.data = &self.data[n..];
        Ok(n)
    }
}

fn run(
    input: &[u8],
    chunks: Vec<usize>,
) -> (Vec<Frame>, borderfuse_firmware::ais_node::AisNodeStats) {
    let uart = ScriptedUart {
        data: input,
        chunks,
        i: 0,
    };
    let mut node = AisNode::new(uart, Vec::new(), StepClock(0), 42, 0);
    while node.poll().unwrap() > 0 {}
    let stats = *node.stats();
    let mut decoder = FrameDecoder::new();
    let frames = decoder
        .feed(node.link_writer_mut())
        .map(|r| r.expect("node wrote a bad frame"))
        .collect();
    (frames, stats)
}

fn sentences(frames: &[Frame]) -> Vec<String> {
    frames
        .iter()
        .filter_map(|f| match &f.payload {
            Payload::AisSentence(s) => Some(s.as_str().to_owned()),
            _ => None,
        })
        .collect()
}

#[test]
fn valid_sentences_are_forwarded_in_order_with_sequence_numbers_and_times() {
    let input = format!("{TYPE1}\r\n{TYPE5_1}\r\n{TYPE5_2}\r\n");
    let (frames, stats) = run(input.as_bytes(), vec![64]);
    assert_eq!(sentences(&frames), [TYPE1, TYPE5_1, TYPE5_2]);
    assert_eq!(frames.iter().map(|f| f.seq).collect::<Vec<_>>(), [0, 1, 2]);
    assert!(
        frames
            .iter()
            .all(|f| f.node_id == 42 && f.t_utc_ms.is_some())
    );
    assert!(frames.windows(2).all(|w| w[0].t_node_us <= w[1].t_node_us));
    assert_eq!(stats.sentences, 3);
}

#[test]
fn split_reads_at_every_byte_boundary_give_the_same_frames() {
    let input = format!("{TYPE1}\r\n{TYPE5_1}\r\n{TYPE5_2}\r\n");
    for first in 1..input.len() {
        let (frames, _) = run(input.as_bytes(), vec![first, input.len()]);
        assert_eq!(
            sentences(&frames),
            [TYPE1, TYPE5_1, TYPE5_2],
            "split at {first}"
        );
    }
    for size in 1..8 {
        let (frames, _) = run(input.as_bytes(), vec![size]);
        assert_eq!(
            sentences(&frames),
            [TYPE1, TYPE5_1, TYPE5_2],
            "chunks of {size}"
        );
    }
}

#[test]
fn bad_lines_are_dropped_and_counted_by_reason() {
    let bad_checksum = TYPE1.replace("*4A", "*4B");
    let no_checksum = &TYPE1[..TYPE1.len() - 3];
    let overlong = format!("!AIVDM,1,1,,A,{},0*00", "0".repeat(300));
    let gps = "$GPGGA,123519,4807.038,N,01131.000,E,1,08,0.9,545.4,M,46.9,M,,*47";
    let noise = "\u{7}\u{1b}zz!!$$";
    let input = format!("{bad_checksum}\n{no_checksum}\n{overlong}\n{gps}\n{noise}\n{TYPE1}\n");
    let (frames, stats) = run(input.as_bytes(), vec![13]);
    assert_eq!(sentences(&frames), [TYPE1]);
    assert_eq!(stats.bad_checksum, 2);
    assert_eq!(stats.overlong, 1);
    assert_eq!(stats.not_ais, 1);
    assert_eq!(stats.malformed, 1);
}

#[test]
fn binary_line_noise_never_panics_and_later_sentences_survive() {
    let mut input: Vec<u8> = (0..5000u32)
        .map(|i| (i.wrapping_mul(2654435761) >> 13) as u8)
        .collect();
    input.extend(format!("\n{TYPE1}\n").as_bytes());
    let (frames, _) = run(&input, vec![7, 64, 1]);
    assert_eq!(sentences(&frames).last().map(String::as_str), Some(TYPE1));
}

/// A link that accepts `budget` bytes and then stops accepting any.
struct StallingLink {
    out: Vec<u8>,
    budget: usize,
}

impl ErrorType for StallingLink {
    type Error = ErrorKind;
}

impl Write for StallingLink {
    fn write(&mut self, buf: &[u8]) -> Result<usize, Self::Error> {
        let n = buf.len().min(self.budget);
        self.budget -= n;
        self.out.extend_from_slice(&buf[..n]);
        Ok(n)
    }
    fn flush(&mut self) -> Result<(), Self::Error> {
        Ok(())
    }
}

#[test]
fn a_link_that_stops_accepting_bytes_is_counted_not_a_panic_and_resyncs() {
    let input = format!("{TYPE1}\n{TYPE1}\n");
    let uart = ScriptedUart {
        data: input.as_bytes(),
        chunks: vec![200],
        i: 0,
    };
    let link = StallingLink {
        out: Vec::new(),
        budget: 70,
    };
    let mut node = AisNode::new(uart, link, StepClock(0), 1, 0);
    while node.poll().unwrap() > 0 {}
    assert_eq!(node.link_stats().write_errors, 1);
    assert_eq!(node.link_stats().frames_sent, 1);
    // The link comes back: the next frame opens with a delimiter, so the receiver drops the
    // partial frame and decodes this one.
    node.link_writer_mut().budget = 10_000;
    node.process(format!("{TYPE5_2}\n").as_bytes());
    let mut decoder = FrameDecoder::new();
    let results: Vec<_> = decoder.feed(&node.link_writer_mut().out).collect();
    assert_eq!(results.len(), 3, "{results:?}");
    assert!(results[1].is_err());
    let last = results[2].as_ref().unwrap();
    assert!(matches!(&last.payload, Payload::AisSentence(s) if s.as_str() == TYPE5_2));
    assert_eq!(last.seq, 2, "the lost frame's sequence number is skipped");
}

#[test]
fn health_frames_carry_the_drop_counters() {
    let input = format!("{TYPE1}\n$GPGGA,1*00\n");
    let uart = ScriptedUart {
        data: input.as_bytes(),
        chunks: vec![200],
        i: 0,
    };
    let mut node = AisNode::new(uart, Vec::new(), StepClock(0), 9, 1);
    while node.poll().unwrap() > 0 {}
    let mut decoder = FrameDecoder::new();
    let health = decoder
        .feed(node.link_writer_mut())
        .filter_map(|r| match r.unwrap().payload {
            Payload::Health(h) => Some(h),
            _ => None,
        })
        .last()
        .expect("a health frame");
    let get = |id| health.counters.iter().find(|c| c.id == id).map(|c| c.value);
    assert_eq!(get(counter::DROPPED_BAD_CHECKSUM), Some(1));
    assert_eq!(get(counter::RX_BYTES), Some(input.len() as u32));
}
