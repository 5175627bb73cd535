//! Sensor-node firmware logic, `no_std` and without a heap.
//!
//! A node reads its sensor's own output from a UART ([`embedded_io::Read`]), timestamps what
//! it reads with a [`Clock`], and sends compact, checksummed frames
//! ([`borderfuse_common::frame`]) to the edge agent over a link ([`embedded_io::Write`]).
//! Everything it drops is counted, and the counts travel to the agent in `Health` frames.
//!
//! - [`link::FrameLink`]: numbering, encoding and writing frames; shared by every node kind
//!   and by the simulators, so simulated sensors frame exactly as real nodes do. The nodes
//!   send a frame a few bytes per turn of the main loop, as the link UART takes them, and
//!   read the sensor in between: the sensor UART holds one byte, a frame takes 20 ms to go.
//! - [`line::LineAssembler`]: bounded assembly of text lines from arbitrary UART chunks.
//! - [`node::NodeCore`]: what every node shares: the bounded [`outbox::Outbox`] between
//!   reading and sending, the `Health` schedule and counters.
//! - [`deadline::DeadlineWriter`]: blocking link writes that time out instead of hanging (the
//!   nodes' own main loops never block on the link: see `poll_ready`).
//! - [`ais_node::AisNode`]: the AIS receiver node.
#![no_std]
// The board support touches registers and needs `unsafe`, each block with its reason; the
// node logic does not, and without the board feature nothing may.
#![cfg_attr(not(feature = "board"), forbid(unsafe_code))]
#![cfg_attr(feature = "board", deny(unsafe_code))]
#![warn(missing_docs)]

#[cfg(test)]
extern crate std;

pub mod ais_node;
#[cfg(all(feature = "board", target_arch = "arm", target_os = "none"))]
#[allow(unsafe_code)]
pub mod board;
pub mod cfar;
pub mod cmsdk;
pub mod deadline;
pub mod line;
pub mod link;
pub mod node;
pub mod outbox;
pub mod plate;
pub mod plate_node;
pub mod radar_node;
pub mod status;

/// The node's time sources.
pub trait Clock {
    /// Microseconds since boot, monotonic.
    fn now_us(&mut self) -> u64;

    /// UTC in milliseconds since the Unix epoch, when the node has a time source (GNSS PPS,
    /// NTP); `None` otherwise, and the agent then timestamps on arrival.
    fn utc_ms(&mut self) -> Option<u64> {
        None
    }
}
