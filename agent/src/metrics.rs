//! Counters of everything the agent takes in, makes and drops, shared between its tasks, and
//! a rate limiter so that a flood of bad input is logged without flooding the log.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

macro_rules! counters {
    ($($(#[$doc:meta])* $name:ident),* $(,)?) => {
        /// Counters shared by the agent's tasks. Every drop of data has one.
        #[derive(Debug, Default)]
        pub struct Metrics {
            $($(#[$doc])* pub $name: AtomicU64,)*
        }

        /// A copy of [`Metrics`] at one instant.
        #[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
        pub struct Snapshot {
            $($(#[$doc])* pub $name: u64,)*
        }

        impl Metrics {
            /// Reads every counter.
            pub fn snapshot(&self) -> Snapshot {
                Snapshot { $($name: self.$name.load(Ordering::Relaxed),)* }
            }
        }
    };
}

counters! {
    /// Bytes read from sources.
    bytes_in,
    /// Valid frames decoded.
    frames_in,
    /// Frames rejected: invalid COBS.
    bad_frames_cobs,
    /// Frames rejected: too short.
    bad_frames_short,
    /// Frames rejected: CRC mismatch.
    bad_frames_crc,
    /// Frames rejected: unknown protocol version.
    bad_frames_version,
    /// Frames rejected: not a frame despite a valid CRC.
    bad_frames_postcard,
    /// Frames rejected: no delimiter within the maximum frame length.
    bad_frames_oversize,
    /// Frames the nodes sent that never arrived (gaps in sequence numbers).
    frames_lost,
    /// Frames from a node id not in the config.
    frames_unknown_node,
    /// Frames whose payload does not fit the node's kind (a radar plot from an AIS node).
    frames_wrong_kind,
    /// Frames of kinds this agent does not use yet (plate reads, ARPA tracks).
    frames_unused,
    /// Failures to open a source (a serial port, a camera listener's address).
    source_open_errors,
    /// Camera result lines received (plate cameras over TCP).
    camera_lines,
    /// Camera lines dropped: longer than the limit.
    camera_lines_overlong,
    /// Camera lines dropped: not UTF-8.
    camera_lines_not_utf8,
    /// Camera connections refused: too many at once.
    camera_connections_refused,
    /// Shared hotlist messages received over MQTT.
    hotlist_messages,
    /// Shared hotlist messages refused: too large, not a list, a bad digest, too many.
    hotlist_malformed,
    /// The hotlist subscriber's broker connection failing or a subscription refused.
    hotlist_link_errors,
    /// HTTP requests from plate cameras (any method and path).
    camera_http_requests,
    /// HTTP requests answered with an error (4xx, 503): no read in them reached the engine
    /// except a malformed body's, which the engine counts as one malformed read.
    camera_http_refused,
    /// Sources lost while open (read error or end of file).
    source_disconnects,
    /// NMEA 0183 lines received from `nmea_source`s (within the length limit, UTF-8).
    nmea_lines,
    /// NMEA lines dropped: longer than the limit.
    nmea_lines_overlong,
    /// NMEA lines dropped: not UTF-8.
    nmea_lines_not_utf8,
    /// NMEA lines that are not NMEA sentences (no start character, bad checksum, garbage).
    nmea_lines_malformed,
    /// NMEA sentences of kinds the agent does not use (neither AIS nor radar ARPA).
    nmea_lines_unused,
    /// NMEA sources' connections lost (TCP closed, serial port gone, socket failed): each is
    /// followed by a reconnection attempt after backoff.
    nmea_reconnects,
    /// Radar ARPA sentences (`TTM`, `TLL`) read from NMEA sources: parsed and counted, not
    /// fused yet.
    arpa_sentences,
    /// Radar ARPA sentences that did not parse.
    arpa_bad_sentences,
    /// Radar plots taken in.
    radar_plots,
    /// Radar plots dropped: their scan already ended, or beyond the per-scan limit.
    radar_plots_dropped,
    /// Radar scans processed.
    radar_scans,
    /// AIS sentences taken in.
    ais_sentences,
    /// AIS sentences rejected by the NMEA or VDM layer (checksum, fields).
    ais_bad_sentences,
    /// AIS fragments or incomplete messages dropped (duplicates, bad payloads, messages
    /// abandoned incomplete: expired, evicted or contradicted).
    ais_fragments_dropped,
    /// AIS messages decoded.
    ais_messages,
    /// AIS messages not decoded (wrong length, unsupported type).
    ais_undecoded,
    /// AIS position reports without a valid position.
    ais_no_position,
    /// Tracks started.
    tracks_started,
    /// Tracks confirmed.
    tracks_confirmed,
    /// Tracks deleted.
    tracks_deleted,
    /// Tracks alive now (gauge).
    tracks_alive,
    /// Confirmed tracks alive now (gauge).
    tracks_confirmed_alive,
    /// AIS ↔ track associations made.
    ais_bindings,
    /// AIS ↔ track associations split because they diverged.
    ais_splits,
    /// Alerts raised (first report of a situation).
    alerts_raised,
    /// Alert updates (a situation going on changed: a new revision of its alert).
    alerts_updated,
    /// Alerts cleared (the situation is over).
    alerts_cleared,
    /// Alerts acknowledged by the broker (PUBACK with a success reason code).
    alerts_acked,
    /// Alerts that could not be made into a message (serialisation failed): dropped.
    alerts_publish_errors,
    /// Alerts lost: unstorable in the outbox, or still refused by it when the agent stopped.
    alerts_dropped,
    /// Messages stored durably in the outbox (alerts and track pictures).
    outbox_stored,
    /// Alerts refused by a full outbox; each waits in memory and is retried (counted once).
    outbox_alerts_refused,
    /// Failed writes of the outbox (full disk, I/O errors) and failures to open it: retried.
    outbox_write_errors,
    /// Bytes cut from the end of the outbox log at start-up (a torn or corrupt record).
    outbox_cut_bytes,
    /// Messages waiting in the outbox for the broker's acknowledgement (gauge).
    outbox_pending,
    /// Size of the outbox log file, bytes (gauge).
    outbox_file_bytes,
    /// Track messages acknowledged by the broker.
    tracks_acked,
    /// Track messages shed: the oldest when the outbox was full, ones expired before they
    /// could be sent, or pictures the link was too busy to take.
    tracks_shed,
    /// Messages the broker refused (PUBACK reason code ≥ 0x80, or larger than it accepts):
    /// kept in the outbox and retried with backoff.
    publish_refused,
    /// Connections to the MQTT broker made.
    mqtt_connects,
    /// MQTT connection errors (refused, TLS, lost).
    mqtt_errors,
}

impl Snapshot {
    /// Frames rejected for any reason.
    pub fn bad_frames(&self) -> u64 {
        self.bad_frames_cobs
            + self.bad_frames_short
            + self.bad_frames_crc
            + self.bad_frames_version
            + self.bad_frames_postcard
            + self.bad_frames_oversize
    }
}

impl Snapshot {
    /// NMEA lines dropped for any reason before they could be used.
    pub fn nmea_bad_lines(&self) -> u64 {
        self.nmea_lines_overlong
            + self.nmea_lines_not_utf8
            + self.nmea_lines_malformed
            + self.arpa_bad_sentences
    }
}

/// Adds `n` to a counter.
pub fn add(counter: &AtomicU64, n: u64) {
    counter.fetch_add(n, Ordering::Relaxed);
}

/// Adds one to a counter.
pub fn inc(counter: &AtomicU64) {
    add(counter, 1);
}

/// Sets a gauge.
pub fn set(counter: &AtomicU64, v: u64) {
    counter.store(v, Ordering::Relaxed);
}

/// Lets one event through per interval and counts the ones it holds back, so a log line can
/// say "and 1,234 more".
#[derive(Debug)]
pub struct RateLimit {
    interval: Duration,
    last: Option<Instant>,
    suppressed: u64,
}

impl RateLimit {
    /// At most one event per `interval`.
    pub const fn new(interval: Duration) -> Self {
        RateLimit {
            interval,
            last: None,
            suppressed: 0,
        }
    }

    /// `Some(n)` when this event should be logged, with the number held back since the last
    /// one; `None` when it should be held back.
    pub fn check(&mut self) -> Option<u64> {
        self.check_at(Instant::now())
    }

    fn check_at(&mut self, now: Instant) -> Option<u64> {
        match self.last {
            Some(last) if now.duration_since(last) < self.interval => {
                self.suppressed += 1;
                None
            }
            _ => {
                self.last = Some(now);
                Some(std::mem::take(&mut self.suppressed))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_rate_limit_lets_one_through_per_interval_and_counts_the_rest() {
        let mut r = RateLimit::new(Duration::from_secs(1));
        let t0 = Instant::now();
        assert_eq!(r.check_at(t0), Some(0));
        assert_eq!(r.check_at(t0 + Duration::from_millis(10)), None);
        assert_eq!(r.check_at(t0 + Duration::from_millis(20)), None);
        assert_eq!(r.check_at(t0 + Duration::from_millis(1001)), Some(2));
    }
}
