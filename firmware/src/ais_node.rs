//! The AIS receiver node: NMEA lines from the receiver's UART, checked, timestamped and framed.
//!
//! An AIS receiver (or transponder in receive mode) prints one IEC 61162-1 sentence a line,
//! `!AIVDM` for what it hears and `!AIVDO` for its own ship, at 38 400 baud. The node forwards
//! each sentence whose checksum verifies, unchanged (tag block included), in an `AisSentence`
//! frame carrying the time its first byte arrived. It does not decode AIS: that costs flash and
//! the agent does it anyway; it only proves the sentence arrived intact.

use crate::Clock;
use crate::line::{LineAssembler, LineError};
use crate::link::{LinkStats, SendError};
use crate::node::{DEFAULT_QUEUE_LEN, NodeCore, read_ready_into};
use borderfuse_common::frame::{AisSentence, Health, MAX_SENTENCE_LEN, Payload, counter};
use borderfuse_common::nmea::{self, NmeaError, VdmError};
use embedded_io::{Read, ReadReady, Write, WriteReady};

/// Bytes read from the UART per [`AisNode::poll`].
const READ_CHUNK: usize = 64;

/// What the node has read and dropped, by reason.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct AisNodeStats {
    /// Bytes read from the receiver.
    pub rx_bytes: u32,
    /// Sentences verified and handed to the queue, including those a full queue refused
    /// (counted there too) and those lost on the link (see [`LinkStats`]).
    pub sentences: u32,
    /// Dropped: checksum wrong or missing.
    pub bad_checksum: u32,
    /// Dropped: longer than [`MAX_SENTENCE_LEN`].
    pub overlong: u32,
    /// Dropped: valid NMEA, but not `VDM`/`VDO` (e.g. the receiver's own GPS sentences).
    pub not_ais: u32,
    /// Dropped: not an NMEA sentence at all (line noise, a malformed `VDM`).
    pub malformed: u32,
    /// UART reads that returned an error.
    pub uart_errors: u32,
}

/// Why [`AisNode::poll`] returned early.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PollError<E> {
    /// The UART read failed (counted; the node keeps going on the next poll).
    Uart(E),
}

/// An AIS receiver node.
#[derive(Debug)]
pub struct AisNode<U, W, C> {
    uart: U,
    core: NodeCore<W, C, DEFAULT_QUEUE_LEN>,
    line: LineAssembler<MAX_SENTENCE_LEN>,
    /// Node time at which the current line's first byte arrived.
    line_started_us: u64,
    stats: AisNodeStats,
}

impl<U, W, C> AisNode<U, W, C>
where
    U: Read,
    W: Write,
    C: Clock,
{
    /// A node reading `uart` and writing frames for `node_id` to `link`, with a `Health` frame
    /// every `health_interval_us` microseconds (0: never).
    pub fn new(uart: U, link: W, clock: C, node_id: u32, health_interval_us: u64) -> Self {
        AisNode {
            uart,
            core: NodeCore::new(link, clock, node_id, health_interval_us),
            line: LineAssembler::new(),
            line_started_us: 0,
            stats: AisNodeStats::default(),
        }
    }

    /// Reads what the UART has (blocking until at least one byte, as [`Read::read`] does),
    /// forwards every sentence completed, and sends a `Health` frame when one is due. Returns
    /// the number of bytes read; 0 means the UART reported end of input.
    pub fn poll(&mut self) -> Result<usize, PollError<U::Error>> {
        let mut chunk = [0u8; READ_CHUNK];
        let n = match self.uart.read(&mut chunk) {
            Ok(n) => n,
            Err(e) => {
                self.stats.uart_errors = self.stats.uart_errors.wrapping_add(1);
                return Err(PollError::Uart(e));
            }
        };
        self.process(&chunk[..n.min(READ_CHUNK)]);
        Ok(n)
    }

    /// Handles bytes already read from the receiver: the node's logic without the UART.
    /// Completed sentences are queued, then sent, and a `Health` frame follows when due.
    pub fn process(&mut self, bytes: &[u8]) {
        self.assemble(bytes);
        let own = self.own_counters();
        self.core.flush_and_report(&own);
    }

    fn assemble(&mut self, bytes: &[u8]) {
        let now_us = self.core.now_us();
        self.stats.rx_bytes = self.stats.rx_bytes.wrapping_add(bytes.len() as u32);
        for &byte in bytes {
            if !self.line.in_line() && byte != b'\r' && byte != b'\n' {
                self.line_started_us = now_us;
            }
            match self.line.push(byte) {
                None => {}
                Some(Err(LineError::Overlong { .. })) => {
                    self.stats.overlong = self.stats.overlong.wrapping_add(1);
                }
                Some(Ok([])) => {}
                Some(Ok(line)) => {
                    let verdict = classify(line);
                    let sentence = verdict.and_then(|()| {
                        // Valid ASCII: `classify` parsed it as `str`.
                        core::str::from_utf8(line)
                            .ok()
                            .and_then(AisSentence::new)
                            .ok_or(Drop::Malformed)
                    });
                    match sentence {
                        Ok(sentence) => self.forward(sentence),
                        Err(drop) => self.count_drop(drop),
                    }
                }
            }
        }
    }

    fn forward(&mut self, sentence: AisSentence) {
        self.stats.sentences = self.stats.sentences.wrapping_add(1);
        // Stamped with the time of the line's first byte. A full queue counts the drop.
        self.core
            .enqueue(self.line_started_us, Payload::AisSentence(sentence));
    }

    fn count_drop(&mut self, drop: Drop) {
        let c = match drop {
            Drop::BadChecksum => &mut self.stats.bad_checksum,
            Drop::NotAis => &mut self.stats.not_ais,
            Drop::Malformed => &mut self.stats.malformed,
        };
        *c = c.wrapping_add(1);
    }

    fn own_counters(&self) -> [(u8, u32); 6] {
        let s = &self.stats;
        [
            (counter::RX_BYTES, s.rx_bytes),
            (counter::DROPPED_BAD_CHECKSUM, s.bad_checksum),
            (counter::DROPPED_OVERLONG, s.overlong),
            (counter::DROPPED_NOT_AIS, s.not_ais),
            (counter::DROPPED_MALFORMED, s.malformed),
            (counter::UART_READ_ERRORS, s.uart_errors),
        ]
    }

    /// The node's counters as a `Health` payload.
    pub fn health(&mut self) -> Health {
        let own = self.own_counters();
        self.core.health(&own)
    }

    /// What the node has read and dropped.
    pub fn stats(&self) -> &AisNodeStats {
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

    /// The link's writer (the simulators drain a buffer through it).
    pub fn link_writer_mut(&mut self) -> &mut W {
        self.core.link_writer_mut()
    }

    /// Sends an arbitrary payload on this node's link now (used for `Health` on demand).
    pub fn send(&mut self, payload: Payload) -> Result<(), SendError<W::Error>> {
        self.core.send_now(payload)
    }
}

impl<U, W, C> AisNode<U, W, C>
where
    U: Read + ReadReady,
    W: Write + WriteReady,
    C: Clock,
{
    /// One turn of the node's main loop, never waiting: reads what the UART holds (while it
    /// has bytes ready, up to a chunk), forwards the sentences completed, then sends queued
    /// frames and `Health` only as far as the link takes bytes without waiting. Returns the
    /// number of bytes read (0: none were waiting).
    ///
    /// Sending a frame takes 20-25 ms at 38 400 baud, and the sensor UART holds one byte:
    /// a loop that waited for the link would lose the receiver's sentences meanwhile.
    pub fn poll_ready(&mut self) -> Result<usize, PollError<U::Error>> {
        let mut chunk = [0u8; READ_CHUNK];
        let (n, error) = read_ready_into(&mut self.uart, &mut chunk);
        // The bytes before an error are good: keep them.
        self.assemble(chunk.get(..n).unwrap_or(&[]));
        let own = self.own_counters();
        self.core.pump_and_report(&own);
        match error {
            None => Ok(n),
            Some(e) => {
                self.stats.uart_errors = self.stats.uart_errors.wrapping_add(1);
                Err(PollError::Uart(e))
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

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Drop {
    BadChecksum,
    NotAis,
    Malformed,
}

/// Decides whether a line is an intact AIS sentence.
fn classify(line: &[u8]) -> Result<(), Drop> {
    let text = core::str::from_utf8(line).map_err(|_| Drop::Malformed)?;
    // A node forwards only sentences it could verify: over a UART, a line without its
    // checksum is most likely one that lost its end.
    let sentence = nmea::parse(text)
        .and_then(nmea::Sentence::require_checksum)
        .map_err(|e| match e {
            NmeaError::MissingChecksum
            | NmeaError::MalformedChecksum
            | NmeaError::ChecksumMismatch { .. } => Drop::BadChecksum,
            _ => Drop::Malformed,
        })?;
    match nmea::parse_vdm(&sentence) {
        Ok(_) => Ok(()),
        Err(VdmError::NotVdm) => Err(Drop::NotAis),
        Err(_) => Err(Drop::Malformed),
    }
}
