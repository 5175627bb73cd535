//! The node's side of the node → agent link: frame numbering, encoding, writing.

use borderfuse_common::frame::{self, EncodeError, Frame, MAX_WIRE_LEN, Payload};
use embedded_io::{Error as _, ErrorKind, Write};

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

/// Numbers, encodes and writes frames for one node.
#[derive(Debug)]
pub struct FrameLink<W> {
    writer: W,
    node_id: u32,
    next_seq: u32,
    /// The next frame starts with a delimiter, closing whatever partial frame the receiver
    /// holds (after boot, or after a write failed midway), so that it is not lost too.
    resync: bool,
    stats: LinkStats,
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
        }
    }

    /// Sends one payload observed at `t_node_us` (and `t_utc_ms`, when known).
    pub fn send(
        &mut self,
        t_node_us: u64,
        t_utc_ms: Option<u64>,
        payload: Payload,
    ) -> Result<(), SendError<W::Error>> {
        let frame = Frame::new(self.node_id, self.next_seq, t_node_us, t_utc_ms, payload);
        self.next_seq = self.next_seq.wrapping_add(1);
        let result = self.write_frame(&frame);
        self.resync = result.is_err();
        match result {
            Ok(n) => {
                self.stats.frames_sent = self.stats.frames_sent.wrapping_add(1);
                self.stats.bytes_sent = self.stats.bytes_sent.wrapping_add(n as u32);
                Ok(())
            }
            Err(e) => {
                self.stats.write_errors = self.stats.write_errors.wrapping_add(1);
                if matches!(&e, SendError::Write(w) if w.kind() == ErrorKind::TimedOut) {
                    self.stats.write_timeouts = self.stats.write_timeouts.wrapping_add(1);
                }
                Err(e)
            }
        }
    }

    fn write_frame(&mut self, frame: &Frame) -> Result<usize, SendError<W::Error>> {
        let mut buf = [0u8; MAX_WIRE_LEN + 1];
        let skip = usize::from(!self.resync);
        let len = frame::encode(frame, &mut buf[1..]).map_err(SendError::Encode)? + 1 - skip;
        // Not `write_all`: it panics when a writer accepts zero bytes, and a stalled link must
        // be a counted loss, not a crash.
        let mut rest = &buf[skip..skip + len];
        while !rest.is_empty() {
            match self.writer.write(rest) {
                Ok(0) => return Err(SendError::Stalled),
                Ok(n) => rest = &rest[n.min(rest.len())..],
                Err(e) => return Err(SendError::Write(e)),
            }
        }
        self.writer.flush().map_err(SendError::Write)?;
        Ok(len)
    }

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
