//! The plate-reader node on the host, with byte-slice UARTs and scripted links.

use borderfuse_common::frame::{Direction, FrameDecoder, Payload, PlateRead};
use borderfuse_firmware::Clock;
use borderfuse_firmware::deadline::DeadlineWriter;
use borderfuse_firmware::plate_node::PlateNode;
use embedded_io::{ErrorKind, ErrorType, Write, WriteReady};
use proptest::prelude::*;
use std::cell::Cell;
use std::rc::Rc;

const INPUT: &str = concat!(
    r#"{"plate":"ab-123cd","score":0.91,"region":{"code":"gr"},"camera_id":"3","lane":2,"direction":"entering"}"#,
    "\r\n",
    "plate,confidence,country,camera,lane,direction\r\n",
    "IKH 4521,0.875,gr,1,4,leaving\r\n",
    r#"{"plate":"HALF123","score":0.9,"lane""#,
    "\r\n",
);

/// A clock that advances 1 ms per reading.
#[derive(Clone, Default)]
struct StepClock(Rc<Cell<u64>>);

impl Clock for StepClock {
    fn now_us(&mut self) -> u64 {
        self.0.set(self.0.get() + 1000);
        self.0.get()
    }
}

fn reads(wire: &[u8]) -> Vec<PlateRead> {
    FrameDecoder::new()
        .feed(wire)
        .filter_map(|r| match r.expect("the node wrote a bad frame").payload {
            Payload::PlateRead(read) => Some(read),
            _ => None,
        })
        .collect()
}

fn run_in_chunks(input: &[u8], split: usize) -> Vec<PlateRead> {
    let mut node = PlateNode::new(&[][..], Vec::new(), StepClock::default(), 3, 0);
    let (a, b) = input.split_at(split);
    node.process(a);
    node.process(b);
    reads(node.link_writer_mut())
}

#[test]
fn reads_from_a_uart_come_out_as_plate_frames_and_half_records_are_counted() {
    let mut node = PlateNode::new(INPUT.as_bytes(), Vec::new(), StepClock::default(), 3, 0);
    while node.poll().unwrap() > 0 {}
    let got = reads(node.link_writer_mut());
    assert_eq!(
        got.iter()
            .map(|r| (r.plate.as_str(), r.camera, r.lane, r.direction))
            .collect::<Vec<_>>(),
        [
            ("AB123CD", 3, 2, Direction::Entering),
            ("IKH4521", 1, 4, Direction::Leaving)
        ]
    );
    assert_eq!(node.stats().half_record, 1);
    assert_eq!(node.stats().rx_bytes, INPUT.len() as u32);
}

#[test]
fn split_reads_at_every_byte_boundary_give_the_same_reads() {
    let whole = run_in_chunks(INPUT.as_bytes(), 0);
    assert_eq!(whole.len(), 2);
    for split in 1..INPUT.len() {
        assert_eq!(
            run_in_chunks(INPUT.as_bytes(), split),
            whole,
            "split at {split}"
        );
    }
}

/// A link that never becomes ready (CTS held).
struct StuckLink;

impl ErrorType for StuckLink {
    type Error = ErrorKind;
}

impl Write for StuckLink {
    fn write(&mut self, _: &[u8]) -> Result<usize, ErrorKind> {
        panic!("a write to a stuck link would block forever")
    }
    fn flush(&mut self) -> Result<(), ErrorKind> {
        Ok(())
    }
}

impl WriteReady for StuckLink {
    fn write_ready(&mut self) -> Result<bool, ErrorKind> {
        Ok(false)
    }
}

#[test]
fn a_stuck_link_times_out_and_the_node_keeps_reading() {
    let clock = StepClock::default();
    let link = DeadlineWriter::new(StuckLink, clock.clone(), 20_000);
    let mut node = PlateNode::new(INPUT.as_bytes(), link, clock, 3, 0);
    while node.poll().unwrap() > 0 {}
    assert_eq!(node.stats().reads, 2);
    let link = node.link_stats();
    assert_eq!(link.frames_sent, 0);
    assert_eq!(link.write_timeouts, 2, "{link:?}");
}

#[test]
fn reads_a_full_queue_refuses_are_counted_as_queue_full_not_as_reads() {
    let line = "IKH 4521,0.875,gr,1,4,leaving\r\n";
    let input = line.repeat(12);
    // The link never takes a byte and never times out: the first read waits in the link,
    // the queue takes eight, and the last three are refused.
    let mut node = PlateNode::new(input.as_bytes(), StuckLink, StepClock::default(), 3, 0)
        .with_link_timeout_us(u64::MAX);
    while node.poll_ready().unwrap() > 0 {}
    assert_eq!(node.stats().rx_bytes, input.len() as u32);
    assert_eq!(node.stats().reads, 9);
    assert_eq!(node.core().outbox().dropped_full(), 3);
}

proptest! {
    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..2048)) {
        let mut node = PlateNode::new(&bytes[..], Vec::new(), StepClock::default(), 3, 1);
        while node.poll().unwrap() > 0 {}
        let _ = reads(node.link_writer_mut());
    }

    #[test]
    fn arbitrary_text_lines_never_panic(lines in proptest::collection::vec("[ -~]{0,80}", 0..20)) {
        let input = lines.join("\n");
        let mut node = PlateNode::new(input.as_bytes(), Vec::new(), StepClock::default(), 3, 0);
        while node.poll().unwrap() > 0 {}
    }
}
