//! The radar node on the host: a scripted radar interface and the UART line protocol.

use borderfuse_common::frame::{FrameDecoder, Payload};
use borderfuse_firmware::Clock;
use borderfuse_firmware::cfar::CfarConfig;
use borderfuse_firmware::radar_node::{
    MAX_BINS, MAX_PLOTS_PER_SWEEP, RADAR_QUEUE_LEN, RadarInput, RadarInterface, RadarNode, RawPlot,
    Sweep, UartRadar,
};
use embedded_io::{ErrorType, Read, ReadReady};
use proptest::prelude::*;

struct StepClock(u64);

impl Clock for StepClock {
    fn now_us(&mut self) -> u64 {
        self.0 += 1000;
        self.0
    }
}

/// A UART that hands out its bytes in chunks of `chunk`: after each chunk it says it is not
/// ready once, as a UART between bursts does, so the node must carry a line over to its next
/// poll at every chunk boundary.
struct ChunkedUart {
    data: Vec<u8>,
    pos: usize,
    chunk: usize,
    /// Bytes handed out since the last pause.
    since_pause: usize,
    paused: bool,
}

impl ErrorType for ChunkedUart {
    type Error = core::convert::Infallible;
}

impl Read for ChunkedUart {
    fn read(&mut self, buf: &mut [u8]) -> Result<usize, Self::Error> {
        let n = self.chunk.min(buf.len()).min(self.data.len() - self.pos);
        buf[..n].copy_from_slice(&self.data[self.pos..self.pos + n]);
        self.pos += n;
        self.since_pause += n;
        if self.since_pause >= self.chunk {
            self.since_pause = 0;
            self.paused = true;
        }
        Ok(n)
    }
}

impl ReadReady for ChunkedUart {
    fn read_ready(&mut self) -> Result<bool, Self::Error> {
        if std::mem::take(&mut self.paused) {
            return Ok(false);
        }
        Ok(self.pos < self.data.len())
    }
}

fn sweep_line(bearing_cdeg: u32, target: usize) -> String {
    let bins: Vec<String> = (0..128)
        .map(|i| {
            if i == target {
                600
            } else {
                10 + (i * 7 % 13) as u32
            }
            .to_string()
        })
        .collect();
    format!("S,{bearing_cdeg},500,75,{}\n", bins.join(","))
}

/// (scan, kind, range, bearing) of every plot and north marker the node sent.
fn run(input: &[u8], chunk: usize) -> (Vec<(u32, &'static str, f32, f32)>, u32) {
    let uart = ChunkedUart {
        data: input.to_vec(),
        pos: 0,
        chunk,
        since_pause: 0,
        paused: false,
    };
    let mut node = RadarNode::new(
        UartRadar::new(uart),
        Vec::new(),
        StepClock(0),
        2,
        0,
        CfarConfig::default(),
    );
    // A poll with nothing ready (a pause between chunks) is not the end of the input: go on
    // until the node has read every byte and the radar has nothing more.
    let mut polls = 0;
    while node.poll() || (node.radar().rx_bytes as usize) < input.len() {
        polls += 1;
        assert!(polls <= 2 * input.len() + 2, "the node stopped reading");
    }
    let errors = node.stats().interface_errors;
    let out = FrameDecoder::new()
        .feed(node.link_writer_mut())
        .filter_map(|r| match r.expect("bad frame").payload {
            Payload::RadarPlot(p) => Some((p.scan, "plot", p.range_m, p.bearing_deg)),
            Payload::RadarNorthMarker(m) => Some((m.scan, "north", 0.0, 0.0)),
            _ => None,
        })
        .collect();
    (out, errors)
}

#[test]
fn plots_and_sweeps_become_plot_frames_at_the_right_range_and_scan() {
    let input = format!(
        "P,12345,4500,900\n{}X,junk\nN\n{}",
        sweep_line(9000, 40),
        sweep_line(27050, 100)
    );
    let (frames, errors) = run(input.as_bytes(), 64);
    assert_eq!(
        frames,
        [
            (0, "plot", 1234.5, 45.0),
            (0, "plot", 50.0 + 40.0 * 7.5, 90.0),
            (0, "north", 0.0, 0.0),
            (1, "plot", 50.0 + 100.0 * 7.5, 270.5),
        ]
    );
    assert_eq!(errors, 1);
}

#[test]
fn split_reads_at_every_byte_boundary_give_the_same_frames() {
    let input = format!("P,12345,4500,900\nN\n{}", sweep_line(9000, 40));
    let (whole, _) = run(input.as_bytes(), input.len());
    for chunk in 1..=8 {
        assert_eq!(run(input.as_bytes(), chunk).0, whole, "chunks of {chunk}");
    }
}

#[test]
fn a_full_sweep_of_five_digit_amplitudes_fits_a_line() {
    // An 18-byte header and 256 cells of five digits: the longest sweep the protocol sends.
    let header = "S,12345,12345,123,";
    assert_eq!(header.len(), 18);
    let bins: Vec<String> = (0..MAX_BINS)
        .map(|i| {
            if i == 200 {
                60000
            } else {
                10000 + (i % 7) as u32
            }
            .to_string()
        })
        .collect();
    let line = format!("{header}{}\n", bins.join(","));
    assert_eq!(
        line.len(),
        18 + 6 * MAX_BINS,
        "the longest line, with its newline"
    );
    let (frames, errors) = run(line.as_bytes(), 64);
    assert_eq!(errors, 0, "the line was refused");
    assert_eq!(frames, [(0, "plot", 1234.5 + 200.0 * 12.3, 123.45)]);
}

proptest! {
    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..4096)) {
        let _ = run(&bytes, 17);
    }

    #[test]
    fn arbitrary_records_never_panic(lines in proptest::collection::vec("[SPNX0-9,]{0,200}", 0..20)) {
        let _ = run(lines.join("\n").as_bytes(), 64);
    }
}

/// A radar interface scripted as a list of inputs, as a board's driver would hand them over.
struct ScriptedRadar {
    inputs: std::collections::VecDeque<(RadarInput, Option<Sweep>)>,
}

impl RadarInterface for ScriptedRadar {
    type Error = ();

    fn poll(&mut self, sweep: &mut Sweep) -> Result<Option<RadarInput>, ()> {
        Ok(self.inputs.pop_front().map(|(input, s)| {
            if let Some(s) = s {
                *sweep = s;
            }
            input
        }))
    }
}

fn scripted(
    inputs: Vec<(RadarInput, Option<Sweep>)>,
) -> RadarNode<ScriptedRadar, Vec<u8>, StepClock> {
    RadarNode::new(
        ScriptedRadar {
            inputs: inputs.into(),
        },
        Vec::new(),
        StepClock(100_000),
        2,
        0,
        CfarConfig::default(),
    )
}

#[test]
fn a_plot_handed_over_keeps_the_time_the_radar_saw_it() {
    let plot = |t| RawPlot {
        range_m: 800.0,
        bearing_deg: -10.0,
        amplitude: 300,
        t_node_us: t,
    };
    let mut node = scripted(vec![
        (RadarInput::Plot(plot(Some(50_000))), None),
        (RadarInput::Plot(plot(Some(u64::MAX))), None),
    ]);
    while node.poll() {}
    let frames: Vec<_> = FrameDecoder::new()
        .feed(node.link_writer_mut())
        .map(|r| r.unwrap())
        .collect();
    assert_eq!(frames[0].t_node_us, 50_000);
    assert!(
        frames[1].t_node_us > 100_000,
        "a time from the future is replaced by arrival"
    );
    assert!(matches!(frames[0].payload, Payload::RadarPlot(p) if p.bearing_deg == 350.0));
}

#[test]
fn a_sweep_full_of_targets_sends_the_first_few_and_counts_the_rest() {
    let mut bins = heapless::Vec::new();
    for i in 0..200u16 {
        // Twelve targets, 16 cells apart.
        bins.push(if i % 16 == 8 { 900 } else { 10 }).unwrap();
    }
    let sweep = Sweep {
        bearing_deg: 12.0,
        first_bin_m: 0.0,
        bin_m: 10.0,
        bins,
    };
    let mut node = scripted(vec![(RadarInput::Sweep, Some(sweep))]);
    while node.poll() {}
    let plots = FrameDecoder::new()
        .feed(node.link_writer_mut())
        .filter(|r| matches!(r.as_ref().unwrap().payload, Payload::RadarPlot(_)))
        .count();
    assert_eq!(plots, MAX_PLOTS_PER_SWEEP);
    assert_eq!(
        node.stats().dropped_plots_per_sweep,
        12 - MAX_PLOTS_PER_SWEEP as u32
    );
}

/// A link that never becomes ready (CTS held).
struct StuckLink;

impl embedded_io::ErrorType for StuckLink {
    type Error = embedded_io::ErrorKind;
}

impl embedded_io::Write for StuckLink {
    fn write(&mut self, _: &[u8]) -> Result<usize, Self::Error> {
        panic!("a write to a stuck link would block forever")
    }
    fn flush(&mut self) -> Result<(), Self::Error> {
        Ok(())
    }
}

impl embedded_io::WriteReady for StuckLink {
    fn write_ready(&mut self) -> Result<bool, Self::Error> {
        Ok(false)
    }
}

#[test]
fn plots_a_full_queue_refuses_are_counted_as_queue_full_not_as_plots() {
    let plot = RawPlot {
        range_m: 800.0,
        bearing_deg: 10.0,
        amplitude: 300,
        t_node_us: None,
    };
    let inputs = vec![(RadarInput::Plot(plot), None); RADAR_QUEUE_LEN + 3];
    // The link never takes a byte and never times out: the first plot waits in the link,
    // the queue fills, and the last two are refused.
    let mut node = RadarNode::new(
        ScriptedRadar {
            inputs: inputs.into(),
        },
        StuckLink,
        StepClock(0),
        2,
        0,
        CfarConfig::default(),
    )
    .with_link_timeout_us(u64::MAX);
    while node.poll_ready() {}
    assert_eq!(node.stats().plots, RADAR_QUEUE_LEN as u32 + 1);
    assert_eq!(node.core().outbox().dropped_full(), 2);
}
