//! The radar node: plots handed over by the radar's digital interface, or extracted from its
//! raw video by [`crate::cfar`], framed as `RadarPlot`s, with a `RadarNorthMarker` at the end
//! of each antenna revolution.

use crate::Clock;
use crate::cfar::{CfarConfig, extract};
use crate::line::{LineAssembler, LineError};
use crate::link::LinkStats;
use crate::node::NodeCore;
use borderfuse_common::frame::{Health, Payload, RadarNorthMarker, RadarPlot, counter};
use embedded_io::{Read, ReadReady, Write, WriteReady};
use heapless::Vec;

/// Range cells one sweep of raw video holds.
pub const MAX_BINS: usize = 256;

/// Most plots one sweep may report; more is clutter, not targets (the rest are counted).
pub const MAX_PLOTS_PER_SWEEP: usize = 8;

/// Items the radar node's queue holds: a full sweep's plots and a north marker, twice.
pub const RADAR_QUEUE_LEN: usize = 2 * (MAX_PLOTS_PER_SWEEP + 1);

/// A plot as the radar hands it over.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RawPlot {
    /// Range, metres.
    pub range_m: f32,
    /// Bearing, degrees clockwise from north.
    pub bearing_deg: f32,
    /// Echo amplitude.
    pub amplitude: u16,
    /// Node time (µs since boot) at which the radar saw it, when the interface says (e.g. a
    /// plot extracted by the radar from a sweep some milliseconds ago); otherwise the node
    /// stamps the plot with the time it was handed over.
    pub t_node_us: Option<u64>,
}

/// One sweep of raw video: amplitudes of consecutive range cells along one bearing.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Sweep {
    /// Antenna bearing, degrees clockwise from north.
    pub bearing_deg: f32,
    /// Range of cell 0, metres.
    pub first_bin_m: f32,
    /// Range step between cells, metres.
    pub bin_m: f32,
    /// Amplitudes.
    pub bins: Vec<u16, MAX_BINS>,
}

/// What the radar handed over.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum RadarInput {
    /// A plot from the radar's own extractor.
    Plot(RawPlot),
    /// A sweep of raw video, now in the `sweep` buffer passed to [`RadarInterface::poll`].
    Sweep,
    /// The antenna crossed north.
    NorthMarker,
}

/// The radar's digital interface, implemented by the board (a UART line protocol, a parallel
/// video capture, a vendor's SPI link).
pub trait RadarInterface {
    /// A failure of the interface (counted by the node).
    type Error;

    /// The next thing the radar has, without blocking: `Ok(None)` when nothing is waiting.
    /// A sweep is written into `sweep`.
    fn poll(&mut self, sweep: &mut Sweep) -> Result<Option<RadarInput>, Self::Error>;

    /// Bytes received from the radar, for interfaces that count them (reported in `Health`).
    fn rx_bytes(&self) -> u32 {
        0
    }
}

/// What the node has received and dropped.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RadarNodeStats {
    /// Plots queued (handed over or extracted; not those refused by a full queue).
    pub plots: u32,
    /// Sweeps run through the extractor.
    pub sweeps: u32,
    /// Extracted plots beyond [`MAX_PLOTS_PER_SWEEP`] in one sweep.
    pub dropped_plots_per_sweep: u32,
    /// Interface errors (line noise, malformed records, UART errors).
    pub interface_errors: u32,
    /// Revolutions completed.
    pub scans: u32,
}

/// A radar node.
#[derive(Debug)]
pub struct RadarNode<R, W, C> {
    radar: R,
    core: NodeCore<W, C, RADAR_QUEUE_LEN>,
    cfar: CfarConfig,
    sweep: Sweep,
    scan: u32,
    scan_started_us: Option<u64>,
    stats: RadarNodeStats,
}

impl<R: RadarInterface, W: Write, C: Clock> RadarNode<R, W, C> {
    /// A node reading `radar`, extracting plots from raw video with `cfar`, writing frames
    /// for `node_id` to `link`, with a `Health` frame every `health_interval_us` (0: never).
    pub fn new(
        radar: R,
        link: W,
        clock: C,
        node_id: u32,
        health_interval_us: u64,
        cfar: CfarConfig,
    ) -> Self {
        RadarNode {
            radar,
            core: NodeCore::new(link, clock, node_id, health_interval_us),
            cfar,
            sweep: Sweep::default(),
            scan: 0,
            scan_started_us: None,
            stats: RadarNodeStats::default(),
        }
    }

    /// One turn of the main loop: takes what the radar has (if anything), queues its plots,
    /// sends what is queued and a `Health` frame when due. Returns whether the radar had
    /// something.
    pub fn poll(&mut self) -> bool {
        let had = self.take_input();
        let own = self.own_counters();
        self.core.flush_and_report(&own);
        had
    }

    /// Takes what the radar has, if anything, and queues its plots.
    fn take_input(&mut self) -> bool {
        let input = self.radar.poll(&mut self.sweep);
        let now = self.core.now_us();
        match input {
            Ok(None) => false,
            Ok(Some(input)) => {
                self.handle(input, now);
                true
            }
            Err(_) => {
                self.stats.interface_errors = self.stats.interface_errors.wrapping_add(1);
                true
            }
        }
    }

    fn handle(&mut self, input: RadarInput, now: u64) {
        self.scan_started_us.get_or_insert(now);
        match input {
            RadarInput::Plot(p) => {
                // A time from the future is the interface's mistake; the arrival time is
                // the best the node knows then.
                let seen = p.t_node_us.filter(|&t| t <= now).unwrap_or(now);
                self.queue_plot(seen, p.range_m, p.bearing_deg, p.amplitude);
            }
            RadarInput::Sweep => {
                self.stats.sweeps = self.stats.sweeps.wrapping_add(1);
                let mut found: Vec<(f32, u16), MAX_PLOTS_PER_SWEEP> = Vec::new();
                let mut extra = 0u32;
                let first = self.sweep.first_bin_m;
                let step = self.sweep.bin_m;
                extract(&self.sweep.bins, &self.cfar, |d| {
                    let range = first + d.peak_bin as f32 * step;
                    if found.push((range, d.amplitude)).is_err() {
                        extra += 1;
                    }
                });
                self.stats.dropped_plots_per_sweep =
                    self.stats.dropped_plots_per_sweep.wrapping_add(extra);
                let bearing = self.sweep.bearing_deg;
                for (range, amplitude) in found {
                    self.queue_plot(now, range, bearing, amplitude);
                }
            }
            RadarInput::NorthMarker => {
                let started = self.scan_started_us.unwrap_or(now);
                let period_ms =
                    u32::try_from(now.saturating_sub(started) / 1000).unwrap_or(u32::MAX);
                self.core.enqueue(
                    now,
                    Payload::RadarNorthMarker(RadarNorthMarker {
                        scan: self.scan,
                        period_ms,
                    }),
                );
                self.scan = self.scan.wrapping_add(1);
                self.stats.scans = self.stats.scans.wrapping_add(1);
                self.scan_started_us = Some(now);
            }
        }
    }

    fn queue_plot(&mut self, now: u64, range_m: f32, bearing_deg: f32, amplitude: u16) {
        if !(range_m.is_finite() && bearing_deg.is_finite() && range_m >= 0.0) {
            self.stats.interface_errors = self.stats.interface_errors.wrapping_add(1);
            return;
        }
        let bearing_deg = match bearing_deg % 360.0 {
            b if b < 0.0 => b + 360.0,
            b => b,
        };
        let plot = Payload::RadarPlot(RadarPlot {
            scan: self.scan,
            range_m,
            bearing_deg,
            amplitude,
        });
        // Counted once queued; a full queue counts the drop instead.
        if self.core.enqueue(now, plot) {
            self.stats.plots = self.stats.plots.wrapping_add(1);
        }
    }

    fn own_counters(&self) -> [(u8, u32); 5] {
        let s = &self.stats;
        [
            (counter::RX_BYTES, self.radar.rx_bytes()),
            (counter::RADAR_PLOTS, s.plots),
            (counter::RADAR_SWEEPS, s.sweeps),
            (counter::DROPPED_PLOTS_PER_SWEEP, s.dropped_plots_per_sweep),
            (counter::DROPPED_MALFORMED, s.interface_errors),
        ]
    }

    /// The node's counters as a `Health` payload.
    pub fn health(&mut self) -> Health {
        let own = self.own_counters();
        self.core.health(&own)
    }

    /// What the node has received and dropped.
    pub fn stats(&self) -> &RadarNodeStats {
        &self.stats
    }

    /// The radar interface (e.g. for its own counters).
    pub fn radar(&self) -> &R {
        &self.radar
    }

    /// What the link has sent and lost.
    pub fn link_stats(&self) -> &LinkStats {
        self.core.link_stats()
    }

    /// The sending side: queue, link, clock.
    pub fn core(&self) -> &NodeCore<W, C, RADAR_QUEUE_LEN> {
        &self.core
    }

    /// The link's writer.
    pub fn link_writer_mut(&mut self) -> &mut W {
        self.core.link_writer_mut()
    }
}

impl<R: RadarInterface, W: Write + WriteReady, C: Clock> RadarNode<R, W, C> {
    /// One turn of the main loop, never waiting on the link: takes what the radar has (if
    /// anything), queues its plots, then sends queued frames and `Health` only as far as the
    /// link takes bytes without waiting, so the radar's UART is back to being read at once.
    /// Returns whether the radar had something.
    pub fn poll_ready(&mut self) -> bool {
        let had = self.take_input();
        let own = self.own_counters();
        self.core.pump_and_report(&own);
        had
    }

    /// Sets how long a frame may go without the link taking a byte before it is abandoned
    /// (default [`crate::node::DEFAULT_LINK_TIMEOUT_US`]).
    pub fn with_link_timeout_us(mut self, timeout_us: u64) -> Self {
        self.core.set_link_timeout_us(timeout_us);
        self
    }
}

/// Longest line of the [`UartRadar`] protocol: a sweep of [`MAX_BINS`] cells of up to five
/// digits and a comma each (`6 * MAX_BINS`, one comma to spare), after a header of up to 32
/// bytes (`S,` and three numbers of up to nine digits, each with its comma).
pub const MAX_RADAR_LINE: usize = 32 + 6 * MAX_BINS;

/// Why a [`UartRadar`] line was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UartRadarError<E> {
    /// The UART failed.
    Uart(E),
    /// Longer than [`MAX_RADAR_LINE`].
    Overlong,
    /// Not a record of the protocol.
    Malformed,
}

/// A radar whose digital interface is a text line protocol on a UART, in integers so the node
/// formats and parses no floats:
///
/// - `P,<range dm>,<bearing centidegrees>,<amplitude>`: a plot;
/// - `S,<bearing centidegrees>,<range of cell 0 dm>,<cell size dm>,<a0>,<a1>,...`: a sweep;
/// - `N`: the antenna crossed north.
#[derive(Debug)]
pub struct UartRadar<U> {
    uart: U,
    line: LineAssembler<MAX_RADAR_LINE>,
    /// Bytes read from the UART.
    pub rx_bytes: u32,
}

impl<U> UartRadar<U> {
    /// A radar on `uart`.
    pub fn new(uart: U) -> Self {
        UartRadar {
            uart,
            line: LineAssembler::new(),
            rx_bytes: 0,
        }
    }
}

impl<U: Read + ReadReady> RadarInterface for UartRadar<U> {
    type Error = UartRadarError<U::Error>;

    fn poll(&mut self, sweep: &mut Sweep) -> Result<Option<RadarInput>, Self::Error> {
        // One byte at a time: a line ends mid-read, and what follows it must stay in the UART
        // for the next call (the one-byte FIFO of the board's UART makes this no slower).
        while self.uart.read_ready().map_err(UartRadarError::Uart)? {
            let mut byte = [0u8; 1];
            if self.uart.read(&mut byte).map_err(UartRadarError::Uart)? == 0 {
                return Ok(None);
            }
            self.rx_bytes = self.rx_bytes.wrapping_add(1);
            match self.line.push(byte[0]) {
                None | Some(Ok([])) => {}
                Some(Err(LineError::Overlong { .. })) => return Err(UartRadarError::Overlong),
                Some(Ok(line)) => return parse_radar_line(line, sweep).map(Some),
            }
        }
        Ok(None)
    }

    fn rx_bytes(&self) -> u32 {
        self.rx_bytes
    }
}

fn parse_radar_line<E>(line: &[u8], sweep: &mut Sweep) -> Result<RadarInput, UartRadarError<E>> {
    let mut fields = line.split(|&b| b == b',');
    let kind = fields.next().unwrap_or(&[]);
    let mut number = || -> Result<u32, UartRadarError<E>> {
        let field = fields.next().ok_or(UartRadarError::Malformed)?;
        parse_u32(field).ok_or(UartRadarError::Malformed)
    };
    match kind {
        b"N" => Ok(RadarInput::NorthMarker),
        b"P" => {
            let range_dm = number()?;
            let bearing_cdeg = number()?;
            let amplitude = u16::try_from(number()?).map_err(|_| UartRadarError::Malformed)?;
            Ok(RadarInput::Plot(RawPlot {
                range_m: range_dm as f32 / 10.0,
                bearing_deg: bearing_cdeg as f32 / 100.0,
                amplitude,
                t_node_us: None,
            }))
        }
        b"S" => {
            let bearing_cdeg = number()?;
            let first_dm = number()?;
            let bin_dm = number()?;
            sweep.bins.clear();
            for field in fields {
                let amplitude = parse_u32(field)
                    .and_then(|a| u16::try_from(a).ok())
                    .ok_or(UartRadarError::Malformed)?;
                sweep
                    .bins
                    .push(amplitude)
                    .map_err(|_| UartRadarError::Malformed)?;
            }
            sweep.bearing_deg = bearing_cdeg as f32 / 100.0;
            sweep.first_bin_m = first_dm as f32 / 10.0;
            sweep.bin_m = bin_dm as f32 / 10.0;
            Ok(RadarInput::Sweep)
        }
        _ => Err(UartRadarError::Malformed),
    }
}

/// A decimal of 1-9 digits.
fn parse_u32(field: &[u8]) -> Option<u32> {
    if field.is_empty() || field.len() > 9 || !field.iter().all(u8::is_ascii_digit) {
        return None;
    }
    Some(
        field
            .iter()
            .fold(0u32, |a, &d| a * 10 + u32::from(d - b'0')),
    )
}
