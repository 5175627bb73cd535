//! The plate-reader node: the checkpoint camera's serial output, one result a line (JSON or
//! CSV, see [`crate::plate`]), parsed into `PlateRead` frames.

use crate::Clock;
use crate::line::{LineAssembler, LineError};
use crate::link::LinkStats;
use crate::node::{DEFAULT_QUEUE_LEN, NodeCore, read_ready_into};
use crate::plate::{MAX_CAMERA_LINE, PlateLineError, parse_line};
use borderfuse_common::frame::{Health, Payload, counter};
use embedded_io::{Read, ReadReady, Write, WriteReady};

/// Bytes read from the camera per poll.
const READ_CHUNK: usize = 64;

/// What the node has read and dropped, by reason.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PlateNodeStats {
    /// Bytes read from the camera.
    pub rx_bytes: u32,
    /// Plate reads queued for the link (not those refused by a full queue).
    pub reads: u32,
    /// Dropped: record cut short.
    pub half_record: u32,
    /// Dropped: confidence missing or outside `[0, 1]`.
    pub bad_confidence: u32,
    /// Dropped: plate missing, too long or with characters no plate has.
    pub bad_plate: u32,
    /// Dropped: not a camera record.
    pub malformed: u32,
    /// Dropped: longer than [`MAX_CAMERA_LINE`].
    pub overlong: u32,
    /// Camera UART reads that failed.
    pub uart_errors: u32,
}

/// A plate-reader node.
#[derive(Debug)]
pub struct PlateNode<U, W, C> {
    uart: U,
    core: NodeCore<W, C, DEFAULT_QUEUE_LEN>,
    line: LineAssembler<MAX_CAMERA_LINE>,
    line_started_us: u64,
    stats: PlateNodeStats,
}

impl<U: Read, W: Write, C: Clock> PlateNode<U, W, C> {
    /// A node reading the camera on `uart`, writing frames for `node_id` to `link`, with a
    /// `Health` frame every `health_interval_us` (0: never).
    pub fn new(uart: U, link: W, clock: C, node_id: u32, health_interval_us: u64) -> Self {
        PlateNode {
            uart,
            core: NodeCore::new(link, clock, node_id, health_interval_us),
            line: LineAssembler::new(),
            line_started_us: 0,
            stats: PlateNodeStats::default(),
        }
    }

    /// Reads what the UART has (blocking until a byte arrives), queues and sends every read
    /// completed. Returns the bytes read; 0 means end of input. A read error is counted and
    /// returned.
    pub fn poll(&mut self) -> Result<usize, U::Error> {
        let mut chunk = [0u8; READ_CHUNK];
        match self.uart.read(&mut chunk) {
            Ok(n) => {
                self.process(chunk.get(..n).unwrap_or(&chunk));
                Ok(n)
            }
            Err(e) => {
                self.stats.uart_errors = self.stats.uart_errors.wrapping_add(1);
                Err(e)
            }
        }
    }

    /// Handles bytes already read from the camera, then sends what is queued.
    pub fn process(&mut self, bytes: &[u8]) {
        self.ingest(bytes);
        let own = self.own_counters();
        self.core.flush_and_report(&own);
    }

    /// Assembles lines from bytes read from the camera and queues the reads completed.
    fn ingest(&mut self, bytes: &[u8]) {
        let now_us = self.core.now_us();
        self.stats.rx_bytes = self.stats.rx_bytes.wrapping_add(bytes.len() as u32);
        for &byte in bytes {
            if !self.line.in_line() && byte != b'\r' && byte != b'\n' {
                self.line_started_us = now_us;
            }
            let verdict = match self.line.push(byte) {
                None => continue,
                Some(Err(LineError::Overlong { .. })) => Err(Drop::Overlong),
                Some(Ok(line)) => parse_line(line).map_err(Drop::Line),
            };
            match verdict {
                Ok(None) => {}
                Ok(Some(read)) => {
                    // Counted once queued; a full queue counts the drop instead.
                    if self
                        .core
                        .enqueue(self.line_started_us, Payload::PlateRead(read))
                    {
                        self.stats.reads = self.stats.reads.wrapping_add(1);
                    }
                }
                Err(drop) => self.count(drop),
            }
        }
    }

    fn count(&mut self, drop: Drop) {
        let s = &mut self.stats;
        let c = match drop {
            Drop::Overlong => &mut s.overlong,
            Drop::Line(PlateLineError::HalfRecord) => &mut s.half_record,
            Drop::Line(PlateLineError::BadConfidence) => &mut s.bad_confidence,
            Drop::Line(PlateLineError::BadPlate) => &mut s.bad_plate,
            Drop::Line(PlateLineError::Malformed) => &mut s.malformed,
        };
        *c = c.wrapping_add(1);
    }

    fn own_counters(&self) -> [(u8, u32); 8] {
        let s = &self.stats;
        [
            (counter::RX_BYTES, s.rx_bytes),
            (counter::PLATE_READS, s.reads),
            (counter::DROPPED_HALF_RECORD, s.half_record),
            (counter::DROPPED_BAD_CONFIDENCE, s.bad_confidence),
            (counter::DROPPED_BAD_PLATE, s.bad_plate),
            (counter::DROPPED_MALFORMED, s.malformed),
            (counter::DROPPED_OVERLONG, s.overlong),
            (counter::UART_READ_ERRORS, s.uart_errors),
        ]
    }

    /// The node's counters as a `Health` payload.
    pub fn health(&mut self) -> Health {
        let own = self.own_counters();
        self.core.health(&own)
    }

    /// What the node has read and dropped.
    pub fn stats(&self) -> &PlateNodeStats {
        &self.stats
    }

    /// What the link has sent and lost.
    pub fn link_stats(&self) -> &LinkStats {
        self.core.link_stats()
    }

    /// The sending side: queue, link, clock.
    pub fn core(&self) -> &NodeCore<W, C, DEFAULT_QUEUE_LEN> {
        &self.core
    }

    /// The link's writer.
    pub fn link_writer_mut(&mut self) -> &mut W {
        self.core.link_writer_mut()
    }
}

impl<U: Read + ReadReady, W: Write + WriteReady, C: Clock> PlateNode<U, W, C> {
    /// One turn of the main loop, never waiting: reads what the UART holds (while it has
    /// bytes ready, up to a chunk), then sends queued frames and `Health` only as far as the
    /// link takes bytes without waiting, so the camera's UART never overruns behind a frame.
    pub fn poll_ready(&mut self) -> Result<usize, U::Error> {
        let mut chunk = [0u8; READ_CHUNK];
        let (n, error) = read_ready_into(&mut self.uart, &mut chunk);
        // The bytes before an error are good: keep them.
        self.ingest(chunk.get(..n).unwrap_or(&[]));
        let own = self.own_counters();
        self.core.pump_and_report(&own);
        match error {
            None => Ok(n),
            Some(e) => {
                self.stats.uart_errors = self.stats.uart_errors.wrapping_add(1);
                Err(e)
            }
        }
    }

    /// Sets how long a frame may go without the link taking a byte before it is abandoned
    /// (default [`crate::node::DEFAULT_LINK_TIMEOUT_US`]).
    pub fn with_link_timeout_us(mut self, timeout_us: u64) -> Self {
        self.core.set_link_timeout_us(timeout_us);
        self
    }
}

#[derive(Debug, Clone, Copy)]
enum Drop {
    Overlong,
    Line(PlateLineError),
}
