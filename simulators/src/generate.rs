//! From a scenario to the bytes each sensor node sends, with truth and detections beside them.
//!
//! Radar plots go through the firmware's [`FrameLink`] and AIS sentences through the
//! firmware's [`AisNode`] (one per receiver, fed the receiver's NMEA output byte for byte), so
//! the frames are exactly what a node would send: same numbering, same timestamps, the same
//! leading delimiter after boot.
//!
//! Random draws come from ChaCha8 streams derived from the scenario seed and a name: one per
//! radar–vessel pair, one per radar for clutter, one per transponder, one per AIS
//! receiver–vessel pair for message losses. Adding, removing or
//! reordering a vessel therefore leaves every other vessel's noise as it was.

use crate::ais::{self, RECEIVER_BAUD, RECEPTION_LATENCY_S, Transmission};
use crate::csv::{DetectionRow, MeasurementModel, TruthRow, time_key_ms};
use crate::motion::Route;
use crate::radar::{self, RadarEvent, Target};
use crate::scenario::{Scenario, ScenarioError};
use borderfuse_common::frame::{Payload, RadarNorthMarker, RadarPlot};
use borderfuse_firmware::Clock;
use borderfuse_firmware::ais_node::AisNode;
use borderfuse_firmware::link::FrameLink;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::cell::Cell;
use std::collections::{BTreeMap, BTreeSet};
use std::f64::consts::PI;
use std::num::NonZeroU64;
use std::rc::Rc;

/// How long every simulated node has been up when the scenario starts: its `t_node_us` is
/// `NODE_BOOT_OFFSET_US + t_s · 10⁶` (an hour, so node time is clearly not scenario time).
pub const NODE_BOOT_OFFSET_US: u64 = 3_600_000_000;

/// Quantisation step of AIS latitude, metres (1/10 000 minute of arc).
const AIS_LAT_STEP_M: f64 = 1852.0 / 10_000.0;

/// Bytes one node writes at one instant: whole encoded frames, as the node would write them.
#[derive(Debug, Clone, PartialEq)]
pub struct TimedBytes {
    /// When the node writes them, seconds since the scenario start.
    pub t_s: f64,
    /// The node.
    pub node_id: u32,
    /// The frames' bytes (one frame per `TimedBytes`; the first of a node starts with the
    /// delimiter a node sends after boot).
    pub bytes: Vec<u8>,
}

/// Everything a scenario produces.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Generated {
    /// Every node's output, sorted by time (stable: a node's frames stay in sending order).
    pub events: Vec<TimedBytes>,
    /// Ground truth of every vessel at the times [`GenerateOptions::truth`] asks for (by
    /// default every detection time).
    pub truth: Vec<TruthRow>,
    /// Radar plots (`rb`) and AIS positions (`xy`), sorted by time.
    pub detections: Vec<DetectionRow>,
    /// What each AIS receiver prints, one NMEA 0183 line (`\r\n`-terminated) an event, sorted
    /// by time: what a receiver's own TCP or UDP output carries, unframed.
    pub nmea: Vec<TimedBytes>,
    /// Every plate camera's reads, sorted by time (those of cameras behind a plate-reader
    /// node are also in `events`, as `PlateRead` frames).
    pub camera_reads: Vec<crate::checkpoint::CameraRead>,
}

impl Generated {
    /// Each node's bytes, concatenated in sending order: what its serial line carries.
    pub fn bytes_by_node(&self) -> BTreeMap<u32, Vec<u8>> {
        let mut out: BTreeMap<u32, Vec<u8>> = BTreeMap::new();
        for e in &self.events {
            out.entry(e.node_id)
                .or_default()
                .extend_from_slice(&e.bytes);
        }
        out
    }
}

/// Generates a scenario's output; deterministic for a given scenario (seed included) and
/// `start_utc_ms` (UTC of scenario time 0, milliseconds since the Unix epoch).
///
/// The scenario must be valid ([`Scenario::from_toml`] validates; check one built in code with
/// [`Scenario::validate`], or call [`try_generate`]): an invalid one is logged as an error and
/// gives empty output rather than a panic or an endless loop.
pub fn generate(s: &Scenario, start_utc_ms: u64) -> Generated {
    match try_generate(s, start_utc_ms) {
        Ok(g) => g,
        Err(e) => {
            tracing::error!(scenario = %s.name, error = %e, "invalid scenario: nothing generated");
            Generated::default()
        }
    }
}

/// [`generate`], refusing an invalid scenario with the validation error.
pub fn try_generate(s: &Scenario, start_utc_ms: u64) -> Result<Generated, ScenarioError> {
    try_generate_with(s, start_utc_ms, &GenerateOptions::default())
}

/// When `truth.csv` has rows: every vessel at each of these times.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum TruthSampling {
    /// At every detection time (what the GOSPA scorer of `stonesoup_gnn.py` needs: it scores
    /// at every truth or track time). Rows: vessels × distinct detection times, which grows
    /// as the square of the traffic (1,000 vessels for an hour: about 2·10⁹ rows).
    #[default]
    AtDetections,
    /// Every so many milliseconds from 0 (times of the CSV's millisecond resolution), for
    /// scenarios too large for [`TruthSampling::AtDetections`].
    EveryMs(NonZeroU64),
    /// None: playing to sensors needs no truth.
    None,
}

/// What [`try_generate_with`] produces beyond the sensors' bytes.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct GenerateOptions {
    /// Times of the truth rows.
    pub truth: TruthSampling,
}

/// [`try_generate`] with options.
pub fn try_generate_with(
    s: &Scenario,
    start_utc_ms: u64,
    options: &GenerateOptions,
) -> Result<Generated, ScenarioError> {
    s.validate()?;
    let frame = s.frame();
    let routes: Vec<Route> = s.vessels.iter().map(|v| Route::new(&frame, v)).collect();
    let mut events = Vec::new();
    let mut detections = Vec::new();
    let clock = SimClock::new(start_utc_ms);

    for spec in &s.radars {
        let radar_xy = frame.to_east_north(spec.position);
        let id = spec.node_id.to_le_bytes();
        let mut targets: Vec<Target<'_, ChaCha8Rng>> = s
            .vessels
            .iter()
            .zip(&routes)
            .enumerate()
            .map(|(i, (v, route))| Target {
                vessel: i,
                route,
                rcs_m2: v.rcs_m2,
                rng: stream_rng(s.seed, &[b"radar-target", &id, v.name.as_bytes()]),
            })
            .collect();
        let mut clutter = stream_rng(s.seed, &[b"radar-clutter", &id]);
        let output = radar::simulate(spec, radar_xy, &mut targets, &mut clutter, s.duration_s);
        let mut link = FrameLink::new(Vec::new(), spec.node_id);
        for event in output {
            let t = event.t_s();
            let payload = match event {
                RadarEvent::Plot(p) => {
                    detections.push(plot_row(spec, radar_xy, &p));
                    Payload::RadarPlot(RadarPlot {
                        scan: p.scan,
                        range_m: p.range_m,
                        bearing_deg: p.bearing_deg,
                        amplitude: p.amplitude,
                    })
                }
                RadarEvent::NorthMarker {
                    scan, period_ms, ..
                } => Payload::RadarNorthMarker(RadarNorthMarker { scan, period_ms }),
            };
            clock.set(t);
            let (now_us, utc_ms) = clock.read();
            if let Err(e) = link.send(now_us, utc_ms, payload) {
                // A Vec never refuses a write and these payloads always encode.
                tracing::error!(node = spec.node_id, error = ?e, "radar frame not sent");
            }
            let bytes = std::mem::take(link.writer_mut());
            events.push(TimedBytes {
                t_s: t,
                node_id: spec.node_id,
                bytes,
            });
        }
    }

    let transponders = s.vessels.iter().filter(|v| v.ais.is_some()).count() as u32;
    let transmissions: Vec<(usize, Vec<Transmission>)> = s
        .vessels
        .iter()
        .enumerate()
        .filter_map(|(i, v)| {
            let spec = v.ais.as_ref()?;
            let mut rng = stream_rng(s.seed, &[b"ais", v.name.as_bytes()]);
            let tx = ais::transmissions(
                spec,
                &routes[i],
                &frame,
                &mut rng,
                start_utc_ms,
                s.duration_s,
                transponders.saturating_sub(1),
            );
            Some((i, tx))
        })
        .collect();

    let mut nmea = Vec::new();
    for spec in &s.ais_receivers {
        let rx_xy = frame.to_east_north(spec.position);
        let id = spec.node_id.to_le_bytes();
        let mut heard: Vec<(f64, usize, &Transmission)> = Vec::new();
        for (i, txs) in &transmissions {
            let route = &routes[*i];
            // Losses (slot collisions) drawn on a stream of this receiver–vessel pair, one
            // draw per message in range, so that no other vessel changes them.
            let mut loss = (spec.loss_probability > 0.0)
                .then(|| stream_rng(s.seed, &[b"ais-loss", &id, s.vessels[*i].name.as_bytes()]));
            for tx in txs {
                if route.state_at(tx.t_s).distance_to(rx_xy.0, rx_xy.1) > spec.range_m {
                    continue;
                }
                if let Some(rng) = loss.as_mut()
                    && rng.random::<f64>() < spec.loss_probability
                {
                    continue;
                }
                heard.push((tx.t_s + RECEPTION_LATENCY_S, *i, tx));
            }
        }
        heard.sort_by(|a, b| a.0.total_cmp(&b.0));

        let mut node = AisNode::new(&[][..], Vec::new(), clock.clone(), spec.node_id, 0);
        // The receiver prints one line at a time on its serial port; a message heard while a
        // line is still going out waits for it.
        let mut uart_free_at = f64::NEG_INFINITY;
        for (t_rx, vessel, tx) in heard {
            let mut t_line = t_rx.max(uart_free_at);
            for sentence in &tx.sentences {
                let mut line = sentence.as_bytes().to_vec();
                line.extend_from_slice(b"\r\n");
                let t_end = t_line + line.len() as f64 * 10.0 / RECEIVER_BAUD;
                // The node stamps a line with the arrival of its first byte and frames it when
                // the line ending arrives.
                clock.set(t_line);
                node.process(&line[..1]);
                clock.set(t_end);
                node.process(&line[1..]);
                nmea.push(TimedBytes {
                    t_s: t_end,
                    node_id: spec.node_id,
                    bytes: line,
                });
                let bytes = std::mem::take(node.link_writer_mut());
                if !bytes.is_empty() {
                    events.push(TimedBytes {
                        t_s: t_end,
                        node_id: spec.node_id,
                        bytes,
                    });
                }
                t_line = t_end;
            }
            uart_free_at = t_line;
            if let (Some((x, y)), Some(ais)) = (tx.reported_xy, &s.vessels[vessel].ais) {
                detections.push(ais_row(
                    spec.node_id,
                    rx_xy,
                    s.origin.lat_deg,
                    ais.gnss_sigma_m,
                    tx.t_s,
                    x,
                    y,
                    vessel,
                ));
            }
        }
    }

    let camera_reads = crate::checkpoint::camera_reads(s);
    events.extend(crate::checkpoint::reader_frames(&camera_reads, &clock));
    events.sort_by(|a, b| a.t_s.total_cmp(&b.t_s));
    nmea.sort_by(|a, b| a.t_s.total_cmp(&b.t_s));
    detections.sort_by(|a, b| a.t.total_cmp(&b.t));
    let truth = truth_rows(
        &routes,
        &truth_times(options.truth, &detections, s.duration_s),
    );
    Ok(Generated {
        events,
        nmea,
        truth,
        detections,
        camera_reads,
    })
}

/// Times of the truth rows, milliseconds, ascending and distinct.
pub fn truth_times(
    sampling: TruthSampling,
    detections: &[DetectionRow],
    duration_s: f64,
) -> Vec<i64> {
    match sampling {
        TruthSampling::AtDetections => {
            let times: BTreeSet<i64> = detections.iter().map(|d| time_key_ms(d.t)).collect();
            times.into_iter().collect()
        }
        TruthSampling::EveryMs(step) => {
            let step = i64::try_from(step.get()).unwrap_or(i64::MAX);
            // Within the scenario, end included; a validated duration is at most a day.
            let end = (duration_s * 1000.0).round() as i64;
            (0..=end / step).map(|k| k * step).collect()
        }
        TruthSampling::None => Vec::new(),
    }
}

/// Every vessel of `s` at each of `times_ms` (see [`truth_times`]), time-major: what
/// [`try_generate_with`] puts in [`Generated::truth`].
pub fn truth_at(s: &Scenario, times_ms: &[i64]) -> Vec<TruthRow> {
    let frame = s.frame();
    let routes: Vec<Route> = s.vessels.iter().map(|v| Route::new(&frame, v)).collect();
    truth_rows(&routes, times_ms)
}

fn truth_rows(routes: &[Route], times_ms: &[i64]) -> Vec<TruthRow> {
    let mut truth = Vec::with_capacity(times_ms.len().saturating_mul(routes.len()));
    for &key in times_ms {
        let t = key as f64 / 1000.0;
        for (i, route) in routes.iter().enumerate() {
            let st = route.state_at(t);
            truth.push(TruthRow {
                t,
                truth_id: i as i64,
                x: st.x,
                vx: st.vx,
                y: st.y,
                vy: st.vy,
            });
        }
    }
    truth
}

fn plot_row(
    spec: &crate::scenario::RadarSpec,
    radar_xy: (f64, f64),
    p: &radar::Plot,
) -> DetectionRow {
    // The row carries what the frame carries (f32), so a tracker reading either sees the same.
    let compass = f64::from(p.bearing_deg);
    DetectionRow {
        t: p.t_s,
        sensor_id: spec.node_id,
        model: MeasurementModel::RangeBearing,
        z0: wrap_pi((90.0 - compass).to_radians()),
        z1: f64::from(p.range_m),
        r00: spec.sigma_bearing_deg.to_radians().powi(2),
        r01: 0.0,
        r11: spec.sigma_range_m.powi(2),
        sx: radar_xy.0,
        sy: radar_xy.1,
        truth_id: p.vessel.map_or(crate::csv::CLUTTER, |v| v as i64),
    }
}

#[allow(clippy::too_many_arguments)]
fn ais_row(
    node_id: u32,
    rx_xy: (f64, f64),
    lat_deg: f64,
    sigma_m: f64,
    t: f64,
    x: f64,
    y: f64,
    vessel: usize,
) -> DetectionRow {
    // GNSS noise plus the field's quantisation (uniform over one step: variance step²/12);
    // a degree of longitude shrinks with latitude.
    let q_north = AIS_LAT_STEP_M;
    let q_east = AIS_LAT_STEP_M * lat_deg.to_radians().cos();
    DetectionRow {
        t,
        sensor_id: node_id,
        model: MeasurementModel::Xy,
        z0: x,
        z1: y,
        r00: sigma_m * sigma_m + q_east * q_east / 12.0,
        r01: 0.0,
        r11: sigma_m * sigma_m + q_north * q_north / 12.0,
        sx: rx_xy.0,
        sy: rx_xy.1,
        truth_id: vessel as i64,
    }
}

/// An angle in radians wrapped to `(-π, π]`.
fn wrap_pi(a: f64) -> f64 {
    let w = a.rem_euclid(2.0 * PI);
    if w > PI { w - 2.0 * PI } else { w }
}

/// A random stream of the scenario: seeded by the scenario seed, on a ChaCha stream named by
/// `parts` (FNV-1a of the parts, each followed by a separator so that `["ab", "c"]` and
/// `["a", "bc"]` differ).
pub fn stream_rng(seed: u64, parts: &[&[u8]]) -> ChaCha8Rng {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for part in parts {
        for &b in part.iter().chain(&[0xff]) {
            hash ^= u64::from(b);
            hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
        }
    }
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    rng.set_stream(hash);
    rng
}

/// The nodes' clock, set to scenario time by the generator; shared with the [`AisNode`] that
/// owns a copy.
#[derive(Debug, Clone)]
pub(crate) struct SimClock {
    t_us: Rc<Cell<u64>>,
    start_utc_ms: u64,
}

impl SimClock {
    fn new(start_utc_ms: u64) -> Self {
        SimClock {
            t_us: Rc::new(Cell::new(0)),
            start_utc_ms,
        }
    }

    pub(crate) fn set(&self, t_s: f64) {
        self.t_us.set((t_s.max(0.0) * 1e6).round() as u64);
    }

    pub(crate) fn read(&self) -> (u64, Option<u64>) {
        let mut c = self.clone();
        (c.now_us(), c.utc_ms())
    }
}

impl Clock for SimClock {
    fn now_us(&mut self) -> u64 {
        NODE_BOOT_OFFSET_US + self.t_us.get()
    }

    fn utc_ms(&mut self) -> Option<u64> {
        // Rounded from microseconds so that node time and UTC agree to the millisecond.
        Some(self.start_utc_ms + (self.t_us.get() + 500) / 1000)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use borderfuse_common::frame::FrameDecoder;

    #[test]
    fn the_same_seed_gives_the_same_bytes() {
        let s = Scenario::border_crossing();
        assert_eq!(generate(&s, 1_000), generate(&s, 1_000));
        let mut other = s.clone();
        other.seed += 1;
        assert_ne!(generate(&other, 1_000).events, generate(&s, 1_000).events);
    }

    #[test]
    fn adding_a_vessel_leaves_the_others_noise_unchanged() {
        let s = Scenario::border_crossing();
        let mut more = s.clone();
        let mut extra = s.vessels[0].clone();
        extra.name = "another boat".into();
        more.vessels.push(extra);
        let rows = |g: &Generated| -> Vec<DetectionRow> {
            g.detections
                .iter()
                .filter(|d| d.truth_id == 1)
                .copied()
                .collect()
        };
        assert_eq!(rows(&generate(&s, 0)), rows(&generate(&more, 0)));
    }

    #[test]
    fn an_invalid_scenario_gives_nothing_rather_than_a_panic() {
        let mut s = Scenario::border_crossing();
        s.radars[0].scan_period_s = 0.0;
        assert!(try_generate(&s, 0).is_err());
        assert_eq!(generate(&s, 0), Generated::default());
    }

    #[test]
    fn each_event_is_exactly_one_frame() {
        let g = generate(&Scenario::border_crossing(), 0);
        for e in &g.events {
            let mut d = FrameDecoder::new();
            let frames: Vec<_> = d.feed(&e.bytes).collect();
            assert_eq!(frames.len(), 1, "{e:?}");
            assert!(frames[0].is_ok());
        }
    }

    #[test]
    fn truth_is_sampled_at_detections_by_default_or_as_asked() {
        let s = Scenario::border_crossing();
        let g = generate(&s, 0);
        let distinct: BTreeSet<i64> = g.detections.iter().map(|d| time_key_ms(d.t)).collect();
        assert_eq!(g.truth.len(), distinct.len() * s.vessels.len());
        assert_eq!(
            g.truth,
            truth_at(
                &s,
                &truth_times(TruthSampling::AtDetections, &g.detections, s.duration_s)
            )
        );

        let every = |ms: u64| GenerateOptions {
            truth: TruthSampling::EveryMs(NonZeroU64::new(ms).unwrap()),
        };
        let sampled = try_generate_with(&s, 0, &every(250)).unwrap();
        // 600 s every 0.25 s, both ends included.
        assert_eq!(sampled.truth.len(), 2_401 * s.vessels.len());
        assert_eq!(sampled.truth.last().map(|r| r.t), Some(600.0));
        assert_eq!(sampled.events, g.events);
        let none = GenerateOptions {
            truth: TruthSampling::None,
        };
        let bare = try_generate_with(&s, 0, &none).unwrap();
        assert!(bare.truth.is_empty());
        assert_eq!(bare.detections, g.detections);
    }

    #[test]
    fn bearings_wrap_into_the_half_open_interval() {
        assert!((wrap_pi(3.0 * PI / 2.0) + PI / 2.0).abs() < 1e-12);
        assert_eq!(wrap_pi(PI), PI);
        assert!((wrap_pi(-PI) - PI).abs() < 1e-12);
    }
}
