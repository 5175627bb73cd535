//! Frames → observations: which sensor, what it saw, when (UTC), in the tracker's terms.
//!
//! Per node the decoder keeps the state a stream needs: the last sequence number (gaps are
//! counted as lost frames), an estimate of the node clock's offset to UTC for nodes without a
//! time source, and for AIS receivers the reassembly of multi-sentence messages.

use crate::config::Config;
use crate::metrics::{Metrics, RateLimit, inc};
use borderfuse_common::ais::{AisMessage, Reassembler, ReassemblyError, StaticDataPart};
use borderfuse_common::frame::{Frame, Payload};
use borderfuse_common::nmea;
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

/// Seconds since the Unix epoch, UTC. An `f64` resolves 0.2 µs at today's dates.
pub type Time = f64;

/// Incomplete AIS messages kept per receiver; real receivers interleave at most a few.
const AIS_REASSEMBLY_SLOTS: usize = 16;
/// A multi-sentence AIS message whose fragments are further apart than this is abandoned
/// (fragments of one message are sent in one burst, milliseconds apart).
const AIS_FRAGMENT_MAX_AGE_MS: u64 = 5_000;

/// One thing a sensor reported, in agent terms.
#[derive(Debug, Clone, PartialEq)]
pub enum Observation {
    /// A radar plot.
    RadarPlot(PlotObservation),
    /// A radar finished scan `scan`.
    RadarScanEnd {
        /// When the antenna crossed north.
        t: Time,
        /// Index of the radar in the config.
        radar: usize,
        /// The scan that ended.
        scan: u32,
        /// Duration of that scan as the radar measured it, seconds (0 when unknown).
        period_s: f64,
    },
    /// An AIS position report.
    AisPosition(AisPosition),
    /// AIS static and voyage data.
    AisStatic(AisStatic),
    /// A plate-reader node's read, unchecked (the plate engine checks it).
    PlateRead {
        /// The read as the node sent it.
        read: borderfuse_common::frame::PlateRead,
        /// When (the frame's UTC time, or its arrival).
        t: Time,
        /// The checkpoint (`plates.checkpoint[].id`) of the node.
        checkpoint: String,
    },
}

/// A radar plot.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PlotObservation {
    /// When the antenna illuminated it.
    pub t: Time,
    /// Index of the radar in the config.
    pub radar: usize,
    /// Antenna revolution.
    pub scan: u32,
    /// Range from the antenna, metres.
    pub range_m: f64,
    /// Compass bearing from the antenna, degrees.
    pub bearing_deg: f64,
    /// Echo amplitude, radar units.
    pub amplitude: u16,
}

/// Which kind of AIS station sent a report: it sets the reporting interval.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub enum AisClass {
    /// Class A (SOLAS ships), messages 1-3.
    A,
    /// Class B "SO" (SOTDMA), messages 18 (CS flag clear) and 19.
    BSotdma,
    /// Class B "CS" (carrier-sense TDMA), message 18 with the CS flag set.
    BCstdma,
}

/// An AIS position report: class A (types 1, 2, 3) or class B (types 18, 19).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct AisPosition {
    /// Time of the position fix: the report's UTC second within the minute of receipt.
    pub t: Time,
    /// When the receiver heard it.
    pub t_received: Time,
    /// Index of the receiver in the config.
    pub receiver: usize,
    /// Sender.
    pub mmsi: u32,
    /// Latitude, degrees.
    pub lat_deg: f64,
    /// Longitude, degrees.
    pub lon_deg: f64,
    /// Speed over ground, knots.
    pub speed_kn: Option<f64>,
    /// Course over ground, degrees.
    pub course_deg: Option<f64>,
    /// True heading, degrees.
    pub heading_deg: Option<f64>,
    /// Position accuracy flag: better than 10 m (DGNSS).
    pub accuracy: bool,
    /// The sending station's class.
    pub class: AisClass,
}

/// AIS static data: type 5 carries all of it; class B sends it in pieces (type 24 part A the
/// name, part B the call sign and type; type 19 the name and type), so each is optional and
/// only what a message carries replaces what is known.
#[derive(Debug, Clone, PartialEq)]
pub struct AisStatic {
    /// When the receiver heard it.
    pub t: Time,
    /// Sender.
    pub mmsi: u32,
    /// Ship name.
    pub shipname: Option<String>,
    /// Call sign.
    pub callsign: Option<String>,
    /// Ship and cargo type, as transmitted.
    pub shiptype: Option<u8>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum NodeKind {
    Radar(usize),
    AisReceiver(usize),
    /// A plate reader at checkpoint `plates.checkpoint[i]`.
    PlateReader(usize),
}

#[derive(Debug)]
struct NodeState {
    kind: NodeKind,
    last_seq: Option<u32>,
    last_t_node_us: u64,
    /// Smallest (arrival − node clock) seen, µs: the node clock's offset to UTC plus the
    /// smallest link latency. Reset when the node clock goes backwards (a reboot).
    clock_offset_us: Option<i128>,
    reassembler: Option<Box<Reassembler<AIS_REASSEMBLY_SLOTS>>>,
}

/// An `nmea_source`'s state: the receiver its lines are attributed to, and its own fragment
/// reassembler (fragments of one message arrive on one feed; two feeds of one receiver must
/// not mix theirs).
#[derive(Debug)]
struct NmeaSourceState {
    receiver: usize,
    reassembler: Box<Reassembler<AIS_REASSEMBLY_SLOTS>>,
}

/// Turns frames into observations.
#[derive(Debug)]
pub struct Decoder {
    nodes: HashMap<u32, NodeState>,
    /// By `nmea_source` index; `None` for a source whose receiver is not configured (only
    /// possible with an unvalidated config: its lines are counted malformed).
    nmea_sources: Vec<Option<NmeaSourceState>>,
    /// `plates.checkpoint[].id`, by index.
    checkpoints: Vec<String>,
    metrics: Arc<Metrics>,
    log_limit: RateLimit,
}

impl Decoder {
    /// A decoder for the nodes of `config`.
    pub fn new(config: &Config, metrics: Arc<Metrics>) -> Self {
        let mut nodes = HashMap::new();
        let state = |kind| NodeState {
            kind,
            last_seq: None,
            last_t_node_us: 0,
            clock_offset_us: None,
            reassembler: None,
        };
        for (i, r) in config.radars.iter().enumerate() {
            nodes.insert(r.node_id, state(NodeKind::Radar(i)));
        }
        for (i, a) in config.ais_receivers.iter().enumerate() {
            let mut s = state(NodeKind::AisReceiver(i));
            s.reassembler = Some(Box::new(Reassembler::new(AIS_FRAGMENT_MAX_AGE_MS)));
            nodes.insert(a.node_id, s);
        }
        for (i, c) in config.plates.checkpoints.iter().enumerate() {
            for node in &c.nodes {
                nodes.insert(*node, state(NodeKind::PlateReader(i)));
            }
        }
        let checkpoints = config
            .plates
            .checkpoints
            .iter()
            .map(|c| c.id.clone())
            .collect();
        let nmea_sources = config
            .nmea_sources
            .iter()
            .map(|source| {
                let receiver = config
                    .ais_receivers
                    .iter()
                    .position(|a| a.name == source.receiver)?;
                Some(NmeaSourceState {
                    receiver,
                    reassembler: Box::new(Reassembler::new(AIS_FRAGMENT_MAX_AGE_MS)),
                })
            })
            .collect();
        Decoder {
            nodes,
            nmea_sources,
            checkpoints,
            metrics,
            log_limit: RateLimit::new(Duration::from_secs(10)),
        }
    }

    /// Decodes one frame that arrived at `arrival_ms` (UTC ms), appending what it says to
    /// `out`. Anything unusable is counted and logged at a rate limit.
    pub fn decode(&mut self, frame: Frame, arrival_ms: u64, out: &mut Vec<Observation>) {
        let m = &self.metrics;
        inc(&m.frames_in);
        let Some(node) = self.nodes.get_mut(&frame.node_id) else {
            inc(&m.frames_unknown_node);
            if let Some(more) = self.log_limit.check() {
                tracing::warn!(
                    node_id = frame.node_id,
                    more,
                    "frame from a node not in the config"
                );
            }
            return;
        };
        // Sequence gaps: frames the node sent that never arrived.
        if let Some(last) = node.last_seq {
            let gap = frame.seq.wrapping_sub(last).wrapping_sub(1);
            // A huge "gap" is a node restart (sequence back to 0), not a loss.
            if gap > 0 && gap < 1_000_000 {
                crate::metrics::add(&m.frames_lost, u64::from(gap));
            }
        }
        node.last_seq = Some(frame.seq);
        let t = node_time(node, &frame, arrival_ms);

        match (frame.payload, node.kind) {
            (Payload::RadarPlot(p), NodeKind::Radar(radar)) => {
                let valid = p.range_m.is_finite()
                    && p.range_m >= 0.0
                    && p.bearing_deg.is_finite()
                    && (0.0..=360.0).contains(&p.bearing_deg);
                if valid {
                    out.push(Observation::RadarPlot(PlotObservation {
                        t,
                        radar,
                        scan: p.scan,
                        range_m: f64::from(p.range_m),
                        bearing_deg: f64::from(p.bearing_deg) % 360.0,
                        amplitude: p.amplitude,
                    }));
                } else {
                    inc(&m.radar_plots_dropped);
                }
            }
            (Payload::RadarNorthMarker(n), NodeKind::Radar(radar)) => {
                out.push(Observation::RadarScanEnd {
                    t,
                    radar,
                    scan: n.scan,
                    period_s: f64::from(n.period_ms) / 1000.0,
                });
            }
            (Payload::AisSentence(s), NodeKind::AisReceiver(receiver)) => {
                if let Some(reassembler) = node.reassembler.as_deref_mut() {
                    decode_ais(
                        s.as_str(),
                        t,
                        receiver,
                        reassembler,
                        m,
                        &mut self.log_limit,
                        out,
                    );
                }
            }
            (Payload::Health(h), _) => {
                tracing::debug!(node_id = frame.node_id, uptime_ms = h.uptime_ms, counters = ?h.counters, "node health");
            }
            (Payload::PlateRead(read), NodeKind::PlateReader(checkpoint)) => {
                out.push(Observation::PlateRead {
                    read,
                    t,
                    checkpoint: self
                        .checkpoints
                        .get(checkpoint)
                        .cloned()
                        .unwrap_or_default(),
                });
            }
            (Payload::PlateRead(_) | Payload::RadarTrack(_), _) => inc(&m.frames_unused),
            (payload, kind) => {
                inc(&m.frames_wrong_kind);
                if let Some(more) = self.log_limit.check() {
                    tracing::warn!(node_id = frame.node_id, ?kind, payload = ?std::mem::discriminant(&payload), more, "payload does not fit the node's kind");
                }
            }
        }
    }
}

impl Decoder {
    /// Decodes one line of `nmea_source[source]` that arrived at `arrival_ms` (UTC ms),
    /// appending what it says to `out`: AIS sentences take the same path as node-framed
    /// ones, timed by their arrival (a raw feed has no node clock); ARPA `TTM`/`TLL` are
    /// parsed and counted but not fused yet; anything else is counted.
    pub fn decode_nmea_line(
        &mut self,
        source: usize,
        line: &str,
        arrival_ms: u64,
        out: &mut Vec<Observation>,
    ) {
        let m = &self.metrics;
        let Some(Some(state)) = self.nmea_sources.get_mut(source) else {
            inc(&m.nmea_lines_malformed);
            return;
        };
        let t = arrival_ms as f64 / 1000.0;
        let formatter = match nmea::parse(line) {
            Ok(sentence) => Some((sentence.start, sentence.formatter())),
            Err(_) => None,
        };
        match formatter {
            Some((b'!', "VDM" | "VDO")) => {}
            Some((b'$', "TTM" | "TLL")) => {
                // Only checksummed sentences: a radar always sends one, and without it a
                // corrupted line could pass for a target.
                let parsed = nmea::parse(line)
                    .and_then(nmea::Sentence::require_checksum)
                    .map_err(|e| e.to_string())
                    .and_then(|s| {
                        borderfuse_common::arpa::parse_arpa(&s)
                            .map(|_| ())
                            .map_err(|e| e.to_string())
                    });
                match parsed {
                    Ok(()) => inc(&m.arpa_sentences),
                    Err(e) => {
                        inc(&m.arpa_bad_sentences);
                        if let Some(more) = self.log_limit.check() {
                            tracing::warn!(%line, error = %e, more, "ARPA sentence rejected");
                        }
                    }
                }
                return;
            }
            Some(_) => {
                inc(&m.nmea_lines_unused);
                return;
            }
            // A damaged AIS sentence (bad checksum) still goes the AIS way, to be counted
            // with the AIS sentences rejected, as a node's would be.
            None if line.contains("VDM,") || line.contains("VDO,") => {}
            None => {
                inc(&m.nmea_lines_malformed);
                if let Some(more) = self.log_limit.check() {
                    tracing::debug!(%line, more, "not an NMEA sentence");
                }
                return;
            }
        }
        decode_ais(
            line,
            t,
            state.receiver,
            &mut state.reassembler,
            m,
            &mut self.log_limit,
            out,
        );
    }
}

/// UTC of a frame: the node's own UTC when it has a time source, otherwise its monotonic clock
/// mapped to UTC through the smallest offset seen (the frame that travelled fastest).
fn node_time(node: &mut NodeState, frame: &Frame, arrival_ms: u64) -> Time {
    if frame.t_node_us < node.last_t_node_us {
        node.clock_offset_us = None;
    }
    node.last_t_node_us = frame.t_node_us;
    if let Some(utc_ms) = frame.t_utc_ms {
        return utc_ms as f64 / 1000.0;
    }
    let offset = i128::from(arrival_ms) * 1000 - i128::from(frame.t_node_us);
    let best = node.clock_offset_us.map_or(offset, |o| o.min(offset));
    node.clock_offset_us = Some(best);
    (i128::from(frame.t_node_us) + best) as f64 / 1e6
}

fn decode_ais(
    line: &str,
    t: Time,
    receiver: usize,
    reassembler: &mut Reassembler<AIS_REASSEMBLY_SLOTS>,
    m: &Metrics,
    log_limit: &mut RateLimit,
    out: &mut Vec<Observation>,
) {
    inc(&m.ais_sentences);
    // Nodes forward only verified sentences (firmware/src/ais_node.rs): one without its
    // checksum here did not come from a node, and is refused.
    let vdm = match nmea::parse(line)
        .and_then(nmea::Sentence::require_checksum)
        .map_err(|e| e.to_string())
        .and_then(|s| nmea::parse_vdm(&s).map_err(|e| e.to_string()))
    {
        Ok(vdm) => vdm,
        Err(e) => {
            inc(&m.ais_bad_sentences);
            if let Some(more) = log_limit.check() {
                tracing::warn!(%line, error = %e, more, "AIS sentence rejected");
            }
            return;
        }
    };
    let now_ms = (t * 1000.0) as u64;
    let abandoned_before = reassembler.stats().abandoned();
    let pushed = reassembler.push(&vdm, now_ms);
    // Messages abandoned by this push (expired, evicted, contradicted) lose their fragments.
    let abandoned = reassembler.stats().abandoned() - abandoned_before;
    if abandoned > 0 {
        crate::metrics::add(&m.ais_fragments_dropped, abandoned);
        if let Some(more) = log_limit.check() {
            tracing::warn!(
                abandoned,
                more,
                "incomplete multi-sentence AIS messages abandoned"
            );
        }
    }
    let bits = match pushed {
        Ok(Some(bits)) => bits,
        Ok(None) => return,
        Err(e) => {
            inc(&m.ais_fragments_dropped);
            if !matches!(e, ReassemblyError::Duplicate)
                && let Some(more) = log_limit.check()
            {
                tracing::warn!(%line, error = %e, more, "AIS fragment dropped");
            }
            return;
        }
    };
    // A position report's fields, whichever class sent it.
    let position =
        |mmsi: u32,
         (lat, lon): (Option<f64>, Option<f64>),
         second: u8,
         (speed_kn, course_deg, heading_deg): (Option<f64>, Option<f64>, Option<f64>),
         accuracy: bool,
         class: AisClass|
         -> Option<Observation> {
            let (Some(lat_deg), Some(lon_deg)) = (lat, lon) else {
                inc(&m.ais_no_position);
                return None;
            };
            Some(Observation::AisPosition(AisPosition {
                t: fix_time(t, second),
                t_received: t,
                receiver,
                mmsi,
                lat_deg,
                lon_deg,
                speed_kn,
                course_deg,
                heading_deg,
                accuracy,
                class,
            }))
        };
    let statics =
        |mmsi: u32, shipname: Option<&str>, callsign: Option<&str>, shiptype: Option<u8>| {
            Observation::AisStatic(AisStatic {
                t,
                mmsi,
                shipname: shipname.map(str::to_string),
                callsign: callsign.map(str::to_string),
                shiptype,
            })
        };
    // The three position reports (1-3, 18, 19) share field names, not a type.
    macro_rules! position_of {
        ($p:expr, $class:expr) => {
            position(
                $p.mmsi,
                ($p.lat_deg(), $p.lon_deg()),
                $p.second,
                ($p.speed_knots(), $p.course_deg(), $p.heading_deg()),
                $p.accuracy,
                $class,
            )
        };
    }
    match AisMessage::decode(&bits) {
        Ok(AisMessage::Position(p)) => {
            inc(&m.ais_messages);
            out.extend(position_of!(p, AisClass::A));
        }
        Ok(AisMessage::ClassBPosition(p)) => {
            inc(&m.ais_messages);
            let class = if p.cs {
                AisClass::BCstdma
            } else {
                AisClass::BSotdma
            };
            out.extend(position_of!(p, class));
        }
        Ok(AisMessage::ClassBExtended(p)) => {
            inc(&m.ais_messages);
            out.extend(position_of!(p, AisClass::BSotdma));
            out.push(statics(p.mmsi, Some(&p.shipname), None, Some(p.shiptype)));
        }
        Ok(AisMessage::StaticVoyage(s)) => {
            inc(&m.ais_messages);
            out.push(statics(
                s.mmsi,
                Some(&s.shipname),
                Some(&s.callsign),
                Some(s.shiptype),
            ));
        }
        Ok(AisMessage::StaticData(s)) => {
            inc(&m.ais_messages);
            out.push(match &s.part {
                StaticDataPart::A { shipname } => statics(s.mmsi, Some(shipname), None, None),
                StaticDataPart::B {
                    shiptype, callsign, ..
                } => statics(s.mmsi, None, Some(callsign), Some(*shiptype)),
            });
        }
        // Other types (base stations, aids to navigation, binary messages, ...) do not feed
        // the tracker.
        Ok(_) => inc(&m.ais_messages),
        Err(e) => {
            inc(&m.ais_undecoded);
            if let Some(more) = log_limit.check() {
                tracing::debug!(%line, error = %e, more, "AIS message not decoded");
            }
        }
    }
}

/// The time of an AIS position fix from its UTC second (0-59) and the time of receipt: the
/// latest instant at or before receipt with that second. Positions are often seconds old when
/// heard; using their own time keeps the fusion honest. Without a usable second (60-63), or
/// when it would be implausibly old, the receipt time stands.
pub fn fix_time(received: Time, second: u8) -> Time {
    if second >= 60 {
        return received;
    }
    let whole = received.floor();
    let received_second = (whole as i64).rem_euclid(60);
    let back = (received_second - i64::from(second)).rem_euclid(60);
    if back > 30 {
        return received;
    }
    whole - back as f64
}

#[cfg(test)]
mod tests {
    use super::*;
    use borderfuse_common::frame::RadarNorthMarker;

    fn node() -> NodeState {
        NodeState {
            kind: NodeKind::Radar(0),
            last_seq: None,
            last_t_node_us: 0,
            clock_offset_us: None,
            reassembler: None,
        }
    }

    fn frame(t_node_us: u64, t_utc_ms: Option<u64>) -> Frame {
        Frame::new(
            1,
            0,
            t_node_us,
            t_utc_ms,
            Payload::RadarNorthMarker(RadarNorthMarker {
                scan: 0,
                period_ms: 0,
            }),
        )
    }

    #[test]
    fn a_node_without_utc_is_timed_by_its_fastest_frame() {
        let mut n = node();
        // Node clock 5 s at arrival 1000.080 s (80 ms latency), then 6 s at 1001.020 (20 ms).
        assert_eq!(
            node_time(&mut n, &frame(5_000_000, None), 1_000_080),
            1000.080
        );
        assert_eq!(
            node_time(&mut n, &frame(6_000_000, None), 1_001_020),
            1001.020
        );
        // Later frames use the best offset seen, whatever their own latency.
        assert_eq!(
            node_time(&mut n, &frame(7_000_000, None), 1_002_500),
            1002.020
        );
        // A reboot (node clock back to 1 s) starts the estimate again.
        assert_eq!(
            node_time(&mut n, &frame(1_000_000, None), 1_010_000),
            1010.0
        );
    }

    #[test]
    fn a_node_with_utc_is_timed_by_it() {
        let mut n = node();
        assert_eq!(
            node_time(&mut n, &frame(5_000_000, Some(999_500)), 1_000_080),
            999.5
        );
    }

    #[test]
    fn an_ais_fix_time_is_the_last_matching_second_before_receipt() {
        // 12:00:07.400 UTC on some day; the fix was at second 05.
        let received = 1_764_331_207.4;
        assert_eq!(fix_time(received, 5), 1_764_331_205.0);
        // Second 58 of the previous minute.
        assert_eq!(fix_time(received, 58), 1_764_331_198.0);
        assert_eq!(fix_time(received, 60), received);
        // 40 s back is not plausible for a live report: keep the receipt time.
        assert_eq!(fix_time(received, 27), received);
    }
}
