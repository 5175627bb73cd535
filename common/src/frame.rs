//! The node → agent wire protocol.
//!
//! A frame on the wire is `COBS(postcard(Frame) ‖ CRC-32C(postcard bytes), little endian)`
//! followed by one `0x00` delimiter. COBS guarantees the delimiter never occurs inside a frame,
//! so a reader that joins a stream mid-frame, or loses bytes, resynchronises on the next `0x00`.
//! CRC-32C (Castagnoli, the iSCSI polynomial) catches what COBS cannot: flipped bits.
//!
//! The first postcard byte is [`Frame::version`]; a reader rejects any other version before
//! trying to interpret the rest, so a format change never decodes into wrong values. A change to
//! the layout of [`Frame`] or [`Payload`] bumps [`PROTOCOL_VERSION`] and the golden vectors in
//! `common/tests/golden_frames.rs` in the same commit. Appending a new [`Payload`] variant at
//! the end is the one change that keeps old frames valid, but an older agent still rejects the
//! new variant (counted as a postcard error), so it bumps the version too.

use heapless::{String, Vec};
use serde::{Deserialize, Serialize};

/// Version of the frame layout defined in this module.
pub const PROTOCOL_VERSION: u8 = 1;

/// Longest NMEA line (tag block included, line ending excluded) a node forwards.
///
/// NMEA 0183 limits a sentence to 82 characters; NMEA 4.10 tag blocks (`\s:..,c:..*hh\`) in
/// front of it add up to about 70 more on real receivers.
pub const MAX_SENTENCE_LEN: usize = 160;

/// Longest licence plate text, in bytes (UTF-8).
pub const MAX_PLATE_LEN: usize = 16;

/// Longest target name in an ARPA `TTM` sentence that a frame keeps.
pub const MAX_TARGET_NAME_LEN: usize = 16;

/// Most counters one [`Health`] frame carries.
pub const MAX_HEALTH_COUNTERS: usize = 16;

/// Longest COBS-encoded frame, delimiter excluded. Longer runs of non-zero bytes are not frames.
pub const MAX_ENCODED_LEN: usize = 256;

/// Longest frame on the wire, delimiter included: the size of a buffer [`encode`] always fits.
pub const MAX_WIRE_LEN: usize = MAX_ENCODED_LEN + 1;

/// Longest `postcard ‖ CRC` block, so that its COBS encoding fits [`MAX_ENCODED_LEN`].
const MAX_RAW_LEN: usize = MAX_ENCODED_LEN - 2;
const CRC_LEN: usize = 4;

/// The frame delimiter.
pub const DELIMITER: u8 = 0x00;

const CRC32C: crc::Crc<u32> = crc::Crc::<u32>::new(&crc::CRC_32_ISCSI);

/// One message from a sensor node.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Frame {
    /// [`PROTOCOL_VERSION`] of the sender.
    pub version: u8,
    /// Which node sent it; the agent's config maps node ids to sensors and their positions.
    pub node_id: u32,
    /// Per-node sequence number, +1 per frame sent (wrapping); gaps tell the agent what the
    /// link lost.
    pub seq: u32,
    /// Node's monotonic clock at the time the payload was observed, in microseconds since boot.
    pub t_node_us: u64,
    /// UTC at the same instant in milliseconds since the Unix epoch, when the node has a time
    /// source (GNSS, NTP).
    pub t_utc_ms: Option<u64>,
    /// What was observed.
    pub payload: Payload,
}

impl Frame {
    /// A frame of the current [`PROTOCOL_VERSION`].
    pub fn new(
        node_id: u32,
        seq: u32,
        t_node_us: u64,
        t_utc_ms: Option<u64>,
        payload: Payload,
    ) -> Self {
        Frame {
            version: PROTOCOL_VERSION,
            node_id,
            seq,
            t_node_us,
            t_utc_ms,
            payload,
        }
    }
}

/// What a node observed. Variant order is part of the wire format.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Payload {
    /// One NMEA 0183 `!xxVDM`/`!xxVDO` sentence as the AIS receiver sent it, checksum verified
    /// by the node, line ending removed.
    AisSentence(AisSentence),
    /// One radar plot (a detection, before tracking).
    RadarPlot(RadarPlot),
    /// One target of the radar's own ARPA tracker (`TTM`).
    RadarTrack(RadarTrack),
    /// One licence plate read.
    PlateRead(PlateRead),
    /// The node's own counters.
    Health(Health),
    /// The antenna crossed north: scan `scan` is complete (as ASTERIX CAT034 north markers).
    RadarNorthMarker(RadarNorthMarker),
}

/// An NMEA sentence of at most [`MAX_SENTENCE_LEN`] bytes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AisSentence(pub String<MAX_SENTENCE_LEN>);

impl AisSentence {
    /// Copies `line`; `None` when it is longer than [`MAX_SENTENCE_LEN`].
    pub fn new(line: &str) -> Option<Self> {
        String::try_from(line).ok().map(AisSentence)
    }

    /// The sentence text.
    pub fn as_str(&self) -> &str {
        self.0.as_str()
    }
}

/// A radar plot: one detection of one antenna sweep, relative to the radar.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct RadarPlot {
    /// Antenna revolution the plot belongs to (see [`RadarNorthMarker`]).
    pub scan: u32,
    /// Slant range from the antenna, metres.
    pub range_m: f32,
    /// Bearing from the antenna, degrees clockwise from true north, in `[0, 360)`.
    pub bearing_deg: f32,
    /// Peak amplitude of the echo, in the radar's own units (video level).
    pub amplitude: u16,
}

/// End of one antenna revolution.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct RadarNorthMarker {
    /// The revolution that just ended; every plot of it has been sent.
    pub scan: u32,
    /// Measured duration of that revolution, milliseconds.
    pub period_ms: u32,
}

/// Status of an ARPA target (`TTM` field 12).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum TargetStatus {
    /// `L`: lost, tracking stopped.
    Lost,
    /// `Q`: query, acquisition in progress.
    Query,
    /// `T`: tracking.
    Tracking,
}

/// One target of a radar's ARPA tracker, the fields of an IEC 61162-1 `TTM` sentence in SI units.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RadarTrack {
    /// Target number, 0-999.
    pub target: u16,
    /// Distance from own ship / radar, metres.
    pub distance_m: f32,
    /// Bearing from own ship, degrees.
    pub bearing_deg: f32,
    /// Bearing is true (`T`) rather than relative (`R`).
    pub bearing_true: bool,
    /// Target speed, metres per second.
    pub speed_mps: f32,
    /// Target course, degrees.
    pub course_deg: f32,
    /// Course is true rather than relative.
    pub course_true: bool,
    /// Distance of closest point of approach, metres.
    pub cpa_m: f32,
    /// Time to closest point of approach, seconds (negative when past).
    pub tcpa_s: f32,
    /// Target name or label, when the radar gives one.
    pub name: String<MAX_TARGET_NAME_LEN>,
    /// Tracking status.
    pub status: TargetStatus,
    /// The radar marks this as its reference target.
    pub reference: bool,
}

/// Direction of travel through a checkpoint lane.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Direction {
    /// The camera could not tell.
    Unknown,
    /// Towards the country of the post.
    Entering,
    /// Away from the country of the post.
    Leaving,
}

/// One licence-plate read from a checkpoint camera.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PlateRead {
    /// Plate text as read, upper case, separators removed.
    pub plate: String<MAX_PLATE_LEN>,
    /// ISO 3166-1 alpha-2 or alpha-3 code of the plate's country, when recognised (may be
    /// empty).
    pub country: String<3>,
    /// Camera's confidence in the read, `[0, 1]`.
    pub confidence: f32,
    /// Camera index at the checkpoint.
    pub camera: u8,
    /// Lane number at the checkpoint.
    pub lane: u8,
    /// Direction of travel.
    pub direction: Direction,
}

/// A node's periodic report of its own state.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Health {
    /// Milliseconds since boot.
    pub uptime_ms: u64,
    /// Named counters; ids from [`counter`], unknown ids are kept by receivers as numbers.
    pub counters: Vec<Counter, MAX_HEALTH_COUNTERS>,
}

/// One counter of a [`Health`] frame.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Counter {
    /// What is counted, one of [`counter`]'s ids.
    pub id: u8,
    /// The count since boot (wrapping).
    pub value: u32,
}

/// Ids of [`Counter`]s. A number, not an enum, so that an older agent keeps a counter it does
/// not know instead of rejecting the whole frame.
pub mod counter {
    /// Bytes read from the sensor.
    pub const RX_BYTES: u8 = 1;
    /// Frames written to the link.
    pub const FRAMES_SENT: u8 = 2;
    /// Sentences dropped because their NMEA checksum was wrong or missing.
    pub const DROPPED_BAD_CHECKSUM: u8 = 3;
    /// Lines dropped because they were longer than any sentence.
    pub const DROPPED_OVERLONG: u8 = 4;
    /// Valid sentences dropped because they were not AIS (`VDM`/`VDO`).
    pub const DROPPED_NOT_AIS: u8 = 5;
    /// Frames lost because the link refused or failed a write.
    pub const LINK_WRITE_ERRORS: u8 = 6;
    /// Lines dropped because they were not NMEA sentences at all (line noise).
    pub const DROPPED_MALFORMED: u8 = 7;
    /// Reads from the sensor UART that failed.
    pub const UART_READ_ERRORS: u8 = 8;
    /// Items dropped because the node's queue between reading and sending was full.
    pub const DROPPED_QUEUE_FULL: u8 = 9;
    /// Most items the node's queue has held at once since boot (a level, not a count).
    pub const QUEUE_HIGH_WATER: u8 = 10;
    /// Frames lost because the link accepted no byte within the write timeout.
    pub const LINK_WRITE_TIMEOUTS: u8 = 11;
    /// Plate-camera lines dropped because the record was cut short (half a JSON object, a
    /// CSV line without all its fields).
    pub const DROPPED_HALF_RECORD: u8 = 12;
    /// Plate reads dropped because their confidence was not a number in `[0, 1]`.
    pub const DROPPED_BAD_CONFIDENCE: u8 = 13;
    /// Plate reads dropped because the plate text was empty, too long or had characters no
    /// plate has.
    pub const DROPPED_BAD_PLATE: u8 = 14;
    /// Radar plots queued for the link (handed over by the radar or extracted from its
    /// video); those a full queue refused are in `DROPPED_QUEUE_FULL`, those lost on the link
    /// in `LINK_WRITE_ERRORS`.
    pub const RADAR_PLOTS: u8 = 15;
    /// Range-bin sweeps of raw video run through the plot extractor.
    pub const RADAR_SWEEPS: u8 = 16;
    /// Plots the extractor found beyond what one sweep may report (the rest were dropped).
    pub const DROPPED_PLOTS_PER_SWEEP: u8 = 17;
    /// Plate reads queued for the link; those a full queue refused are in
    /// `DROPPED_QUEUE_FULL`, those lost on the link in `LINK_WRITE_ERRORS`.
    pub const PLATE_READS: u8 = 18;

    /// A short name for logs and status output.
    pub fn name(id: u8) -> Option<&'static str> {
        Some(match id {
            RX_BYTES => "rx_bytes",
            FRAMES_SENT => "frames_sent",
            DROPPED_BAD_CHECKSUM => "dropped_bad_checksum",
            DROPPED_OVERLONG => "dropped_overlong",
            DROPPED_NOT_AIS => "dropped_not_ais",
            LINK_WRITE_ERRORS => "link_write_errors",
            DROPPED_MALFORMED => "dropped_malformed",
            UART_READ_ERRORS => "uart_read_errors",
            DROPPED_QUEUE_FULL => "dropped_queue_full",
            QUEUE_HIGH_WATER => "queue_high_water",
            LINK_WRITE_TIMEOUTS => "link_write_timeouts",
            DROPPED_HALF_RECORD => "dropped_half_record",
            DROPPED_BAD_CONFIDENCE => "dropped_bad_confidence",
            DROPPED_BAD_PLATE => "dropped_bad_plate",
            RADAR_PLOTS => "radar_plots",
            RADAR_SWEEPS => "radar_sweeps",
            DROPPED_PLOTS_PER_SWEEP => "dropped_plots_per_sweep",
            PLATE_READS => "plate_reads",
            _ => return None,
        })
    }
}

/// Why a frame could not be encoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EncodeError {
    /// The output buffer is smaller than the encoded frame; [`MAX_WIRE_LEN`] always fits.
    BufferTooSmall,
    /// The serialised frame exceeds the protocol's maximum (cannot happen with the bounded
    /// payload types of this version; kept so the encoder never panics).
    FrameTooLarge,
}

impl core::fmt::Display for EncodeError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            EncodeError::BufferTooSmall => f.write_str("output buffer too small for frame"),
            EncodeError::FrameTooLarge => f.write_str("frame exceeds the protocol maximum"),
        }
    }
}

impl core::error::Error for EncodeError {}

/// Encodes `frame` into `out` as it goes on the wire, delimiter included; returns its length.
pub fn encode(frame: &Frame, out: &mut [u8]) -> Result<usize, EncodeError> {
    let mut raw = [0u8; MAX_RAW_LEN];
    let body_len = postcard::to_slice(frame, &mut raw[..MAX_RAW_LEN - CRC_LEN])
        .map_err(|_| EncodeError::FrameTooLarge)?
        .len();
    let crc = CRC32C.checksum(&raw[..body_len]);
    raw[body_len..body_len + CRC_LEN].copy_from_slice(&crc.to_le_bytes());
    let raw_len = body_len + CRC_LEN;
    let encoded_len =
        cobs::try_encode(&raw[..raw_len], out).map_err(|_| EncodeError::BufferTooSmall)?;
    let delimiter = out
        .get_mut(encoded_len)
        .ok_or(EncodeError::BufferTooSmall)?;
    *delimiter = DELIMITER;
    Ok(encoded_len + 1)
}

/// Why bytes between two delimiters were not a frame. Each is counted in [`DecodeStats`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FrameError {
    /// Not valid COBS (a code byte points past the end): a truncated or corrupted frame.
    Cobs,
    /// Too short to hold a CRC and a version byte.
    Short {
        /// Decoded length.
        len: usize,
    },
    /// The CRC-32C does not match: bits were flipped or bytes lost.
    Crc {
        /// CRC carried by the frame.
        expected: u32,
        /// CRC computed over the received bytes.
        actual: u32,
    },
    /// A protocol version this decoder does not speak.
    Version {
        /// The version byte received.
        found: u8,
    },
    /// The CRC matched but the content is not a valid [`Frame`] of this version.
    Postcard(postcard::Error),
    /// More than [`MAX_ENCODED_LEN`] bytes without a delimiter; they were discarded.
    Oversize,
}

impl core::fmt::Display for FrameError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            FrameError::Cobs => f.write_str("invalid COBS encoding"),
            FrameError::Short { len } => write!(f, "frame too short ({len} bytes)"),
            FrameError::Crc { expected, actual } => {
                write!(
                    f,
                    "CRC mismatch (frame says {expected:#010x}, computed {actual:#010x})"
                )
            }
            FrameError::Version { found } => {
                write!(
                    f,
                    "unsupported protocol version {found} (this is {PROTOCOL_VERSION})"
                )
            }
            FrameError::Postcard(e) => write!(f, "invalid frame content: {e}"),
            FrameError::Oversize => {
                write!(f, "more than {MAX_ENCODED_LEN} bytes without a delimiter")
            }
        }
    }
}

impl core::error::Error for FrameError {}

/// Counts of what a [`FrameDecoder`] has seen, one counter per reason a frame is rejected.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DecodeStats {
    /// Bytes fed in.
    pub bytes: u64,
    /// Valid frames decoded.
    pub frames: u64,
    /// Rejected: invalid COBS.
    pub cobs: u64,
    /// Rejected: too short for a CRC and a version.
    pub short: u64,
    /// Rejected: CRC mismatch.
    pub crc: u64,
    /// Rejected: unknown protocol version.
    pub version: u64,
    /// Rejected: CRC valid, content not a frame.
    pub postcard: u64,
    /// Rejected: no delimiter within [`MAX_ENCODED_LEN`] bytes.
    pub oversize: u64,
}

impl DecodeStats {
    /// All rejected frames, whatever the reason.
    pub fn bad_frames(&self) -> u64 {
        self.cobs + self.short + self.crc + self.version + self.postcard + self.oversize
    }

    /// Adds `other`'s counts to these (to total several links).
    pub fn add(&mut self, other: &DecodeStats) {
        self.bytes += other.bytes;
        self.frames += other.frames;
        self.cobs += other.cobs;
        self.short += other.short;
        self.crc += other.crc;
        self.version += other.version;
        self.postcard += other.postcard;
        self.oversize += other.oversize;
    }

    fn count(&mut self, error: &FrameError) {
        let counter = match error {
            FrameError::Cobs => &mut self.cobs,
            FrameError::Short { .. } => &mut self.short,
            FrameError::Crc { .. } => &mut self.crc,
            FrameError::Version { .. } => &mut self.version,
            FrameError::Postcard(_) => &mut self.postcard,
            FrameError::Oversize => &mut self.oversize,
        };
        *counter += 1;
    }
}

/// Decodes one frame from its COBS-encoded bytes (no delimiter), in place.
pub fn decode_in_place(encoded: &mut [u8]) -> Result<Frame, FrameError> {
    let len = cobs::decode_in_place(encoded).map_err(|_| FrameError::Cobs)?;
    let raw = &encoded[..len];
    if len < CRC_LEN + 1 {
        return Err(FrameError::Short { len });
    }
    let (body, crc_bytes) = raw.split_at(len - CRC_LEN);
    let expected = u32::from_le_bytes([crc_bytes[0], crc_bytes[1], crc_bytes[2], crc_bytes[3]]);
    let actual = CRC32C.checksum(body);
    if expected != actual {
        return Err(FrameError::Crc { expected, actual });
    }
    // postcard writes a u8 as one raw byte, so the version is the first byte whatever follows.
    if body[0] != PROTOCOL_VERSION {
        return Err(FrameError::Version { found: body[0] });
    }
    match postcard::take_from_bytes::<Frame>(body) {
        Ok((frame, [])) => Ok(frame),
        Ok((_, _trailing)) => Err(FrameError::Postcard(
            postcard::Error::DeserializeBadEncoding,
        )),
        Err(e) => Err(FrameError::Postcard(e)),
    }
}

/// Incremental frame decoder: takes bytes in any chunking, yields frames and errors, and
/// resynchronises on the next delimiter after any error. Memory is bounded by
/// [`MAX_ENCODED_LEN`].
#[derive(Debug, Default)]
pub struct FrameDecoder {
    buf: Vec<u8, MAX_ENCODED_LEN>,
    /// Bytes were discarded since the last delimiter because the buffer was full.
    overflowed: bool,
    stats: DecodeStats,
}

impl FrameDecoder {
    /// An empty decoder.
    pub const fn new() -> Self {
        FrameDecoder {
            buf: Vec::new(),
            overflowed: false,
            stats: DecodeStats {
                bytes: 0,
                frames: 0,
                cobs: 0,
                short: 0,
                crc: 0,
                version: 0,
                postcard: 0,
                oversize: 0,
            },
        }
    }

    /// Feeds one byte. Returns `Some` when the byte was a delimiter that closed a frame:
    /// the frame, or why the bytes before it were not one. Consecutive delimiters (idle line,
    /// or a sender flushing the line before its first frame) yield nothing.
    pub fn push_byte(&mut self, byte: u8) -> Option<Result<Frame, FrameError>> {
        self.stats.bytes += 1;
        if byte != DELIMITER {
            if self.buf.push(byte).is_err() {
                self.overflowed = true;
            }
            return None;
        }
        let result = if self.overflowed {
            Err(FrameError::Oversize)
        } else if self.buf.is_empty() {
            return None;
        } else {
            decode_in_place(&mut self.buf)
        };
        self.buf.clear();
        self.overflowed = false;
        match &result {
            Ok(_) => self.stats.frames += 1,
            Err(e) => self.stats.count(e),
        }
        Some(result)
    }

    /// Feeds a chunk of bytes; the iterator yields each frame or error as its delimiter is
    /// reached. Bytes after the last delimiter stay buffered for the next call. Dropping the
    /// iterator early leaves the unconsumed bytes unread.
    pub fn feed<'d, 'b>(&'d mut self, bytes: &'b [u8]) -> Feed<'d, 'b> {
        Feed {
            decoder: self,
            bytes: bytes.iter(),
        }
    }

    /// What the decoder has seen so far.
    pub fn stats(&self) -> &DecodeStats {
        &self.stats
    }

    /// Bytes buffered of a frame not yet closed by a delimiter.
    pub fn pending(&self) -> usize {
        self.buf.len()
    }
}

/// Iterator returned by [`FrameDecoder::feed`].
#[derive(Debug)]
pub struct Feed<'d, 'b> {
    decoder: &'d mut FrameDecoder,
    bytes: core::slice::Iter<'b, u8>,
}

impl Iterator for Feed<'_, '_> {
    type Item = Result<Frame, FrameError>;

    fn next(&mut self) -> Option<Self::Item> {
        for &byte in self.bytes.by_ref() {
            if let Some(result) = self.decoder.push_byte(byte) {
                return Some(result);
            }
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::vec;
    use std::vec::Vec as StdVec;

    fn ais_frame(seq: u32) -> Frame {
        Frame::new(
            7,
            seq,
            1_000_000 + u64::from(seq),
            Some(1_764_000_000_000),
            Payload::AisSentence(
                AisSentence::new("!AIVDM,1,1,,A,15RTgt0PAso;90TKcjM8h6g208CQ,0*4A").unwrap(),
            ),
        )
    }

    fn wire(frame: &Frame) -> StdVec<u8> {
        let mut buf = [0u8; MAX_WIRE_LEN];
        let n = encode(frame, &mut buf).unwrap();
        buf[..n].to_vec()
    }

    #[test]
    fn a_frame_round_trips_and_ends_with_the_only_zero_byte() {
        let frame = ais_frame(1);
        let bytes = wire(&frame);
        assert_eq!(bytes.last(), Some(&DELIMITER));
        assert!(!bytes[..bytes.len() - 1].contains(&DELIMITER));
        let mut decoder = FrameDecoder::new();
        let out: StdVec<_> = decoder.feed(&bytes).collect();
        assert_eq!(out, vec![Ok(frame)]);
        assert_eq!(decoder.stats().frames, 1);
        assert_eq!(decoder.stats().bad_frames(), 0);
    }

    #[test]
    fn a_flipped_bit_is_a_crc_error_and_the_next_frame_still_decodes() {
        let mut bytes = wire(&ais_frame(1));
        bytes[10] ^= 0x04;
        bytes.extend(wire(&ais_frame(2)));
        let mut decoder = FrameDecoder::new();
        let out: StdVec<_> = decoder.feed(&bytes).collect();
        assert!(matches!(out[0], Err(FrameError::Crc { .. })));
        assert_eq!(out[1], Ok(ais_frame(2)));
        assert_eq!(decoder.stats().crc, 1);
    }

    #[test]
    fn a_truncated_frame_is_rejected_and_resynchronised() {
        let first = wire(&ais_frame(1));
        let mut bytes = first[..first.len() / 2].to_vec();
        bytes.push(DELIMITER);
        bytes.extend(wire(&ais_frame(2)));
        let mut decoder = FrameDecoder::new();
        let out: StdVec<_> = decoder.feed(&bytes).collect();
        assert_eq!(out.len(), 2);
        assert!(out[0].is_err());
        assert_eq!(out[1], Ok(ais_frame(2)));
        assert_eq!(decoder.stats().bad_frames(), 1);
    }

    #[test]
    fn another_protocol_version_is_counted_as_such() {
        let mut frame = ais_frame(1);
        frame.version = 9;
        let bytes = wire(&frame);
        let mut decoder = FrameDecoder::new();
        let out: StdVec<_> = decoder.feed(&bytes).collect();
        assert_eq!(out, vec![Err(FrameError::Version { found: 9 })]);
        assert_eq!(decoder.stats().version, 1);
    }

    #[test]
    fn a_valid_crc_over_garbage_is_a_postcard_error() {
        // version 1, then an enum variant index far beyond Payload's.
        let body = [PROTOCOL_VERSION, 1, 1, 1, 0, 0x7f];
        let mut raw = body.to_vec();
        raw.extend(CRC32C.checksum(&body).to_le_bytes());
        let mut encoded = [0u8; 32];
        let n = cobs::encode(&raw, &mut encoded);
        let mut decoder = FrameDecoder::new();
        let out: StdVec<_> = decoder.feed(&encoded[..=n]).collect();
        assert!(matches!(out[..], [Err(FrameError::Postcard(_))]));
        assert_eq!(decoder.stats().postcard, 1);
    }

    #[test]
    fn a_long_run_without_delimiter_is_dropped_with_bounded_memory() {
        let mut bytes = vec![0x55u8; 10_000];
        bytes.push(DELIMITER);
        bytes.extend(wire(&ais_frame(3)));
        let mut decoder = FrameDecoder::new();
        let out: StdVec<_> = decoder.feed(&bytes).collect();
        assert_eq!(out, vec![Err(FrameError::Oversize), Ok(ais_frame(3))]);
        assert_eq!(decoder.stats().oversize, 1);
    }

    #[test]
    fn idle_delimiters_are_not_frames() {
        let mut bytes = vec![0u8; 5];
        bytes.extend(wire(&ais_frame(4)));
        bytes.extend([0u8; 3]);
        let mut decoder = FrameDecoder::new();
        let out: StdVec<_> = decoder.feed(&bytes).collect();
        assert_eq!(out, vec![Ok(ais_frame(4))]);
        assert_eq!(decoder.stats().bad_frames(), 0);
    }

    #[test]
    fn a_short_frame_is_counted_as_short() {
        let raw = [PROTOCOL_VERSION, 2];
        let mut encoded = [0u8; 8];
        let n = cobs::encode(&raw, &mut encoded);
        let mut decoder = FrameDecoder::new();
        let out: StdVec<_> = decoder.feed(&encoded[..=n]).collect();
        assert_eq!(out, vec![Err(FrameError::Short { len: 2 })]);
    }

    #[test]
    fn encode_refuses_a_small_buffer_without_panicking() {
        let mut buf = [0u8; 20];
        assert_eq!(
            encode(&ais_frame(1), &mut buf),
            Err(EncodeError::BufferTooSmall)
        );
    }
}
