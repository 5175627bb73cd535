//! The main loop on a board-like model: the sensor UART holds one byte (a byte that arrives
//! before the previous one was read overruns it), and the link takes a few bytes per turn of
//! the loop, as a UART at the same baud rate does. A node that waited for the link to take a
//! whole frame would lose the sensor's bytes; `poll_ready` must not.

use borderfuse_common::frame::{Frame, FrameDecoder, Payload};
use borderfuse_firmware::Clock;
use borderfuse_firmware::ais_node::AisNode;
use embedded_io::{ErrorKind, ErrorType, Read, ReadReady, Write, WriteReady};
use std::cell::{Cell, RefCell};
use std::collections::VecDeque;
use std::rc::Rc;

const TYPE1: &str = "!AIVDM,1,1,,A,15RTgt0PAso;90TKcjM8h6g208CQ,0*4A";
const TYPE5_1: &str =
    "!AIVDM,2,1,1,A,55?MbV02;H;s<HtKR20EHE:0@T4@Dn2222222216L961O5Gf0NSQEp6ClRp8,0*1C";
const TYPE5_2: &str = "!AIVDM,2,2,1,A,88888888880,2*25";

/// One byte-time at 38 400 baud, µs: the loop turns once per byte the sensor sends.
const BYTE_US: u64 = 260;

/// Node time, advanced only by the test (a turn of the loop takes no time of its own).
#[derive(Clone, Default)]
struct Time(Rc<Cell<u64>>);

impl Clock for Time {
    fn now_us(&mut self) -> u64 {
        self.0.get()
    }
}

#[derive(Default)]
struct Sensor {
    input: VecDeque<u8>,
    held: Option<u8>,
    lost: usize,
}

impl Sensor {
    /// The next byte arrives; one still held is overwritten and lost (an overrun).
    fn arrive(&mut self) {
        if let Some(byte) = self.input.pop_front() {
            if self.held.replace(byte).is_some() {
                self.lost += 1;
            }
        }
    }
}

/// The sensor UART: a one-byte receive buffer.
#[derive(Clone, Default)]
struct OneByteUart(Rc<RefCell<Sensor>>);

impl ErrorType for OneByteUart {
    type Error = ErrorKind;
}

impl Read for OneByteUart {
    fn read(&mut self, buf: &mut [u8]) -> Result<usize, ErrorKind> {
        match (self.0.borrow_mut().held.take(), buf.first_mut()) {
            (Some(byte), Some(slot)) => {
                *slot = byte;
                Ok(1)
            }
            _ => panic!("a read of an empty UART would block"),
        }
    }
}

impl ReadReady for OneByteUart {
    fn read_ready(&mut self) -> Result<bool, ErrorKind> {
        Ok(self.0.borrow().held.is_some())
    }
}

#[derive(Default)]
struct LinkState {
    /// Bytes the link takes before the next turn.
    budget: usize,
    out: Vec<u8>,
}

/// The link UART: takes `budget` bytes a turn, and is not ready once they are taken.
#[derive(Clone, Default)]
struct SlowLink(Rc<RefCell<LinkState>>);

impl ErrorType for SlowLink {
    type Error = ErrorKind;
}

impl Write for SlowLink {
    fn write(&mut self, buf: &[u8]) -> Result<usize, ErrorKind> {
        let mut link = self.0.borrow_mut();
        assert!(link.budget > 0, "a write the link is not ready for blocks");
        let n = link.budget.min(buf.len());
        link.budget -= n;
        link.out.extend_from_slice(&buf[..n]);
        Ok(n)
    }
    fn flush(&mut self) -> Result<(), ErrorKind> {
        panic!("flushing a UART waits for its transmit buffer to empty")
    }
}

impl WriteReady for SlowLink {
    fn write_ready(&mut self) -> Result<bool, ErrorKind> {
        Ok(self.0.borrow().budget > 0)
    }
}

type Node = AisNode<OneByteUart, SlowLink, Time>;

struct Bench {
    node: Node,
    sensor: OneByteUart,
    link: SlowLink,
    time: Time,
}

impl Bench {
    fn new(input: &[u8], health_interval_us: u64) -> Self {
        let sensor = OneByteUart::default();
        sensor.0.borrow_mut().input.extend(input);
        let link = SlowLink::default();
        let time = Time::default();
        let node = AisNode::new(
            sensor.clone(),
            link.clone(),
            time.clone(),
            9,
            health_interval_us,
        );
        Bench {
            node,
            sensor,
            link,
            time,
        }
    }

    /// One byte-time: a sensor byte arrives, the link takes up to `k` bytes, the loop turns.
    fn turn(&mut self, k: usize) {
        self.time.0.set(self.time.0.get() + BYTE_US);
        self.sensor.0.borrow_mut().arrive();
        self.link.0.borrow_mut().budget = k;
        let _ = self.node.poll_ready();
    }

    fn decoded(&self) -> (Vec<Frame>, usize) {
        let mut frames = Vec::new();
        let mut errors = 0;
        for r in FrameDecoder::new().feed(&self.link.0.borrow().out) {
            match r {
                Ok(f) => frames.push(f),
                Err(_) => errors += 1,
            }
        }
        (frames, errors)
    }
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

fn input(repeats: usize) -> (String, Vec<&'static str>) {
    let mut text = String::new();
    let mut want = Vec::new();
    for _ in 0..repeats {
        for s in [TYPE1, TYPE5_1, TYPE5_2] {
            text.push_str(s);
            text.push_str("\r\n");
            want.push(s);
        }
    }
    (text, want)
}

#[test]
fn no_sensor_byte_is_lost_while_frames_and_health_go_out_a_few_bytes_a_turn() {
    let (text, want) = input(20);
    // Health every 50 ms, so several go out between the sentences.
    let mut bench = Bench::new(text.as_bytes(), 50_000);
    for _ in 0..text.len() + 2_000 {
        bench.turn(3);
    }
    assert_eq!(bench.sensor.0.borrow().lost, 0, "sensor bytes overran");
    assert_eq!(bench.node.stats().rx_bytes, text.len() as u32);
    assert_eq!(bench.node.stats().uart_errors, 0);
    let (frames, errors) = bench.decoded();
    assert_eq!(errors, 0, "every frame decodes");
    assert_eq!(sentences(&frames), want);
    let health = frames
        .iter()
        .filter(|f| matches!(f.payload, Payload::Health(_)))
        .count();
    assert!(health >= 5, "{health} Health frames");
    let seqs: Vec<u32> = frames.iter().map(|f| f.seq).collect();
    assert_eq!(seqs, (0..frames.len() as u32).collect::<Vec<_>>());
    let link = bench.node.link_stats();
    assert_eq!((link.write_errors, link.write_timeouts), (0, 0), "{link:?}");
    assert_eq!(bench.node.core().outbox().dropped_full(), 0);
}

#[test]
fn a_link_slower_than_the_sensor_drops_queued_frames_not_sensor_bytes() {
    let (text, want) = input(20);
    let mut bench = Bench::new(text.as_bytes(), 0);
    for _ in 0..text.len() {
        bench.turn(1);
    }
    assert_eq!(bench.sensor.0.borrow().lost, 0, "sensor bytes overran");
    assert_eq!(bench.node.stats().sentences, want.len() as u32);
    assert!(bench.node.core().outbox().dropped_full() > 0);
    for _ in 0..20_000 {
        bench.turn(1);
    }
    let (frames, errors) = bench.decoded();
    assert_eq!(errors, 0);
    let got = sentences(&frames);
    assert_eq!(
        got.len() as u32 + bench.node.core().outbox().dropped_full(),
        want.len() as u32,
        "every sentence either went out or was counted as a queue-full drop"
    );
    assert_eq!(bench.node.link_stats().write_errors, 0);
}

#[test]
fn a_stuck_link_never_stops_the_reading_and_costs_frames_as_timeouts() {
    let (text, want) = input(10);
    let mut bench = Bench::new(text.as_bytes(), 50_000);
    // The link takes the first 30 bytes (the delimiter and part of the first frame), then
    // nothing for the rest of the input: CTS held.
    bench.turn(30);
    for _ in 1..text.len() {
        bench.turn(0);
    }
    assert_eq!(bench.sensor.0.borrow().lost, 0, "sensor bytes overran");
    assert_eq!(bench.node.stats().rx_bytes, text.len() as u32);
    assert_eq!(bench.node.stats().uart_errors, 0, "not counted as overruns");
    let link = *bench.node.link_stats();
    assert!(link.write_timeouts >= 2, "{link:?}");
    assert_eq!(link.write_errors, link.write_timeouts);
    assert!(bench.node.core().outbox().dropped_full() > 0);
    // The link recovers: the next frame closes the partial one with a delimiter, so the
    // agent's decoder loses that one frame and reads the rest.
    for _ in 0..5_000 {
        bench.turn(3);
    }
    let (frames, errors) = bench.decoded();
    assert_eq!(errors, 1, "only the frame cut short is bad");
    assert!(!frames.is_empty());
    assert!(
        sentences(&frames)
            .iter()
            .all(|s| want.contains(&s.as_str()))
    );
    assert!(frames.windows(2).all(|w| w[0].seq < w[1].seq));
}
