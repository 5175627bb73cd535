//! The node's side of the node → agent link: frame numbering, encoding, writing.

use borderfuse_common::frame::{self, EncodeError, Frame, MAX_WIRE_LEN, Payload};
use embedded_io::{Error as _, ErrorKind, Write, WriteReady};

/// Why a frame did not reach the link. The frame is lost and counted; its sequence number is
/// still used, so the agent sees the gap.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SendError<E> {
    /// The frame could not be encoded.
    Encode(EncodeError),
    /// The link's writer failed.
    Write(E),
    /// The link's writer accepted no bytes (a link that stopped accepting data).
    Stalled,
}

impl<E> SendError<E> {
    /// Whether the link itself is unwell (stalled, timed out, failed), so that sending more
    /// frames right now would only wait again; an encode error is the frame's own fault.
    pub fn is_link_fault(&self) -> bool {
        !matches!(self, SendError::Encode(_))
    }
}

/// What a [`FrameLink`] has sent and lost.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct LinkStats {
    /// Frames written whole.
    pub frames_sent: u32,
    /// Bytes written.
    pub bytes_sent: u32,
    /// Frames lost to encode or write failures (timeouts included).
    pub write_errors: u32,
    /// Of those, frames lost because the link accepted no byte in time (see
    /// [`crate::deadline::DeadlineWriter`]).
    pub write_timeouts: u32,
}

/// Why [`FrameLink::start`] did not take a frame.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StartError {
    /// A frame is still going out (check [`FrameLink::is_busy`] first); no sequence number
    /// is used.
    Busy,
    /// The frame could not be encoded (counted as a write error; its sequence number is used).
    Encode(EncodeError),
}

/// What one [`FrameLink::pump`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Progress {
    /// No frame was going out.
    Idle,
    /// The frame went out whole; the link is idle.
    Sent,
    /// The frame is still going out: the link took what it could for now.
    Sending,
    /// The frame was abandoned (the link failed, or took no byte for the timeout) and
    /// counted; the link is idle and the next frame starts with a delimiter.
    Dropped,
}

/// Numbers, encodes and writes frames for one node.
///
/// Two ways to send. [`FrameLink::send`] writes a whole frame at once, for writers that never
/// make the caller wait (a buffer in the simulators). A node's UART link is slower than its
/// sensor, and a frame takes 20-25 ms at 38 400 baud, longer than the sensor UART can hold its
/// bytes; so the nodes [`FrameLink::start`] a frame into the link's buffer and
/// [`FrameLink::pump`] it out, only as many bytes as the link takes without waiting, between
/// reads of the sensor.
#[derive(Debug)]
pub struct FrameLink<W> {
    writer: W,
    node_id: u32,
    next_seq: u32,
    /// The next frame starts with a delimiter, closing whatever partial frame the receiver
    /// holds (after boot, or after a write failed midway), so that it is not lost too.
    resync: bool,
    stats: LinkStats,
    /// The frame going out, with room for the leading delimiter: `buf[pos..len]` is still to
    /// be written.
    buf: [u8; MAX_WIRE_LEN + 1],
    pos: usize,
    len: usize,
    /// Node time the link last took a byte (or the frame started), for the stuck-link timeout.
    last_progress_us: u64,
}

impl<W: Write> FrameLink<W> {
    /// A link for node `node_id`, starting at sequence number 0.
    pub fn new(writer: W, node_id: u32) -> Self {
        FrameLink {
            writer,
            node_id,
            next_seq: 0,
            resync: true,
            stats: LinkStats::default(),
            buf: [0; MAX_WIRE_LEN + 1],
            pos: 0,
            len: 0,
            last_progress_us: 0,
        }
    }

    /// Sends one payload observed at `t_node_us` (and `t_utc_ms`, when known), writing until
    /// the whole frame is out. A frame still going out from [`FrameLink::start`] is finished
    /// first.
    pub fn send(
        &mut self,
        t_node_us: u64,
        t_utc_ms: Option<u64>,
        payload: Payload,
    ) -> Result<(), SendError<W::Error>> {
        if self.is_busy() {
            // Its outcome is counted; this call reports on its own frame.
            let _ = self.finish_blocking();
        }
        match self.start(t_node_us, t_node_us, t_utc_ms, payload) {
            Ok(()) => self.finish_blocking(),
            Err(StartError::Encode(e)) => Err(SendError::Encode(e)),
            // `finish_blocking` left the link idle.
            Err(StartError::Busy) => Err(SendError::Stalled),
        }
    }

    /// Encodes a frame into the link's buffer for [`FrameLink::pump`] to send; `now_us` starts
    /// its stuck-link clock. Refused while a frame is going out.
    pub fn start(
        &mut self,
        now_us: u64,
        t_node_us: u64,
        t_utc_ms: Option<u64>,
        payload: Payload,
    ) -> Result<(), StartError> {
        if self.is_busy() {
            return Err(StartError::Busy);
        }
        let frame = Frame::new(self.node_id, self.next_seq, t_node_us, t_utc_ms, payload);
        self.next_seq = self.next_seq.wrapping_add(1);
        let body = self.buf.get_mut(1..).unwrap_or(&mut []);
        match frame::encode(&frame, body) {
            Ok(n) => {
                // `buf[0]` is never written: it stays the delimiter a resync sends.
                self.pos = usize::from(!self.resync);
                self.len = (n + 1).min(self.buf.len());
                self.last_progress_us = now_us;
                Ok(())
            }
            Err(e) => {
                self.stats.write_errors = self.stats.write_errors.wrapping_add(1);
                self.resync = true;
                Err(StartError::Encode(e))
            }
        }
    }

    /// Whether a frame is going out.
    pub fn is_busy(&self) -> bool {
        self.pos < self.len
    }

    /// Bytes of the current frame still to go out.
    pub fn pending_len(&self) -> usize {
        self.len.saturating_sub(self.pos)
    }

    /// Writes the rest of the current frame, waiting as the writer makes it wait.
    fn finish_blocking(&mut self) -> Result<(), SendError<W::Error>> {
        // Not `write_all`: it panics when a writer accepts zero bytes, and a stalled link must
        // be a counted loss, not a crash.
        while self.is_busy() {
            let rest = self.buf.get(self.pos..self.len).unwrap_or(&[]);
            match self.writer.write(rest) {
                Ok(0) => {
                    self.abandon(false);
                    return Err(SendError::Stalled);
                }
                Ok(n) => self.pos += n.min(rest.len()),
                Err(e) => {
                    self.abandon(e.kind() == ErrorKind::TimedOut);
                    return Err(SendError::Write(e));
                }
            }
        }
        if let Err(e) = self.writer.flush() {
            // Every byte was handed over, but the writer says they did not all go out.
            self.abandon(e.kind() == ErrorKind::TimedOut);
            return Err(SendError::Write(e));
        }
        self.complete();
        Ok(())
    }

    /// The frame went out whole.
    fn complete(&mut self) {
        self.stats.frames_sent = self.stats.frames_sent.wrapping_add(1);
        self.stats.bytes_sent = self.stats.bytes_sent.wrapping_add(self.len as u32);
        self.resync = false;
        self.pos = 0;
        self.len = 0;
    }

    /// The frame is lost: counted, and the next one closes whatever part of it went out.
    fn abandon(&mut self, timed_out: bool) {
        self.stats.write_errors = self.stats.write_errors.wrapping_add(1);
        if timed_out {
            self.stats.write_timeouts = self.stats.write_timeouts.wrapping_add(1);
        }
        self.resync = true;
        self.pos = 0;
        self.len = 0;
    }
}

impl<W: Write + WriteReady> FrameLink<W> {
    /// Writes as much of the current frame as the link takes without waiting, and returns at
    /// once. A frame the link took no byte of for `timeout_us` (node time `now_us` against the
    /// last byte taken) is abandoned and counted as a write timeout: a stuck link costs frames,
    /// never the caller's time.
    ///
    /// The writer is not flushed: flushing a UART waits for its transmit buffer to empty, and
    /// the buffer empties by itself.
    pub fn pump(&mut self, now_us: u64, timeout_us: u64) -> Progress {
        if !self.is_busy() {
            return Progress::Idle;
        }
        while self.is_busy() {
            match self.writer.write_ready() {
                Ok(true) => {}
                Ok(false) => break,
                Err(e) => {
                    self.abandon(e.kind() == ErrorKind::TimedOut);
                    return Progress::Dropped;
                }
            }
            let rest = self.buf.get(self.pos..self.len).unwrap_or(&[]);
            match self.writer.write(rest) {
                Ok(0) => break,
                Ok(n) => {
                    self.pos += n.min(rest.len());
                    self.last_progress_us = now_us;
                }
                Err(e) => {
                    self.abandon(e.kind() == ErrorKind::TimedOut);
                    return Progress::Dropped;
                }
            }
        }
        if !self.is_busy() {
            self.complete();
            Progress::Sent
        } else if now_us.saturating_sub(self.last_progress_us) >= timeout_us {
            self.abandon(true);
            Progress::Dropped
        } else {
            Progress::Sending
        }
    }
}

impl<W> FrameLink<W> {
    /// What has been sent and lost.
    pub fn stats(&self) -> &LinkStats {
        &self.stats
    }

    /// The node id frames carry.
    pub fn node_id(&self) -> u32 {
        self.node_id
    }

    /// The writer, e.g. to drain a buffer in the simulators.
    pub fn writer_mut(&mut self) -> &mut W {
        &mut self.writer
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use borderfuse_common::frame::{FrameDecoder, RadarNorthMarker};
    use embedded_io::ErrorType;
    use std::vec::Vec;

    /// A link that takes `budget` bytes, then is not ready until given more.
    #[derive(Default)]
    struct Trickle {
        budget: usize,
        out: Vec<u8>,
    }

    impl ErrorType for Trickle {
        type Error = ErrorKind;
    }

    impl Write for Trickle {
        fn write(&mut self, buf: &[u8]) -> Result<usize, ErrorKind> {
            let n = self.budget.min(buf.len());
            self.budget -= n;
            self.out.extend_from_slice(&buf[..n]);
            Ok(n)
        }
        fn flush(&mut self) -> Result<(), ErrorKind> {
            Ok(())
        }
    }

    impl WriteReady for Trickle {
        fn write_ready(&mut self) -> Result<bool, ErrorKind> {
            Ok(self.budget > 0)
        }
    }

    fn marker(scan: u32) -> Payload {
        Payload::RadarNorthMarker(RadarNorthMarker { scan, period_ms: 0 })
    }

    #[test]
    fn a_slow_link_that_keeps_taking_bytes_never_times_out() {
        let mut link = FrameLink::new(Trickle::default(), 1);
        assert_eq!(link.start(0, 0, None, marker(0)), Ok(()));
        assert_eq!(link.start(0, 0, None, marker(1)), Err(StartError::Busy));
        // One byte every 15 ms against a 20 ms timeout: slow, but never stuck.
        let mut now = 0;
        let mut progress = Progress::Sending;
        while progress == Progress::Sending {
            now += 15_000;
            link.writer_mut().budget = 1;
            progress = link.pump(now, 20_000);
        }
        assert_eq!(progress, Progress::Sent);
        assert_eq!(link.stats().write_timeouts, 0);
        let frames: Vec<_> = FrameDecoder::new().feed(&link.writer_mut().out).collect();
        assert_eq!(frames.len(), 1);
        assert!(frames[0].is_ok());
    }

    #[test]
    fn a_frame_stuck_midway_is_dropped_after_the_timeout_and_the_next_one_resynchronises() {
        let mut link = FrameLink::new(Trickle::default(), 1);
        assert_eq!(link.start(0, 0, None, marker(0)), Ok(()));
        link.writer_mut().budget = 5;
        assert_eq!(link.pump(1_000, 20_000), Progress::Sending);
        assert_eq!(link.pump(20_999, 20_000), Progress::Sending);
        assert_eq!(link.pump(21_000, 20_000), Progress::Dropped);
        assert!(!link.is_busy());
        let stats = *link.stats();
        assert_eq!((stats.write_errors, stats.write_timeouts), (1, 1));
        // The next frame starts with a delimiter, closing the 5 bytes the agent holds.
        let cut = link.writer_mut().out.len();
        assert_eq!(link.start(30_000, 30_000, None, marker(1)), Ok(()));
        link.writer_mut().budget = usize::MAX;
        assert_eq!(link.pump(30_000, 20_000), Progress::Sent);
        let out = &link.writer_mut().out;
        assert_eq!(out[cut], 0, "a delimiter first");
        let frames: Vec<_> = FrameDecoder::new().feed(out).collect();
        assert_eq!(frames.len(), 2);
        assert!(frames[0].is_err(), "the cut frame is bad");
        assert_eq!(frames[1].as_ref().map(|f| f.seq), Ok(1));
    }
}
