//! Ingest: byte streams from the outside world into frames (serial node links), NMEA 0183
//! lines ([`nmea`]: AIS receivers over TCP, UDP or serial) and camera results ([`camera`] over TCP, [`camera_http`] over HTTP).
//!
//! Each source runs in its own task with its own [`FrameDecoder`](borderfuse_common::frame::FrameDecoder),
//! counts what it could not decode, and survives the device going away: it reopens it with
//! jittered exponential backoff for as long as the agent runs.

pub mod camera;
pub mod camera_http;
pub mod hotlist_mqtt;
pub mod nmea;
pub mod serial;

use crate::metrics::{Metrics, inc};
use borderfuse_common::frame::{Frame, FrameError};

/// A frame and where and when it arrived.
#[derive(Debug, Clone, PartialEq)]
pub struct SourceFrame {
    /// Index of the source in the config.
    pub source: usize,
    /// The frame.
    pub frame: Frame,
    /// Arrival time, UTC milliseconds.
    pub arrival_ms: u64,
}

/// Counts a rejected frame under its reason.
pub fn count_bad_frame(metrics: &Metrics, error: &FrameError) {
    let counter = match error {
        FrameError::Cobs => &metrics.bad_frames_cobs,
        FrameError::Short { .. } => &metrics.bad_frames_short,
        FrameError::Crc { .. } => &metrics.bad_frames_crc,
        FrameError::Version { .. } => &metrics.bad_frames_version,
        FrameError::Postcard(_) => &metrics.bad_frames_postcard,
        FrameError::Oversize => &metrics.bad_frames_oversize,
    };
    inc(counter);
}

/// Now, UTC milliseconds since the Unix epoch.
pub fn now_utc_ms() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as u64)
}
