//! The multi-sensor, multi-target tracker: global nearest neighbour over independent
//! clusters, with a spatial index in front of the chi-square gate.
//!
//! One scan at a time (the detections a sensor, or several, reported for one instant or one
//! antenna revolution), in time order:
//!
//! 1. every track is predicted to the scan; a grid index over the detections finds, per
//!    track, the few detections near its gate, and the chi-square test on the Mahalanobis
//!    distance (each pair at the detection's own time) keeps those inside it;
//! 2. confirmed tracks, then tentative ones, take detections by an optimal assignment solved
//!    per cluster of tracks and detections that share gates (each track may also be missed,
//!    at the gate's cost), so the cost grows with cluster sizes, not with the scene;
//! 3. AIS reports carry an identity: a report goes to the track bound to its MMSI when that
//!    track gates it, never to a track bound to another MMSI, and binds an unbound track
//!    when position and motion agree (IMO MSC.192(79)); a bound track that no longer gates
//!    its vessel's report is split from it;
//! 4. assigned tracks are updated (KF / EKF per detection, in an IMM or a single model); a
//!    track a looking sensor could have seen but did not is missed;
//! 5. M-of-N confirms tentative tracks, consecutive misses delete tracks; detections that no
//!    track took and no confirmed track gated start tentative tracks; ids are never reused.
//!
//! Measurements older than the last scan ([`Tracker::process_late`]) are fitted into the
//! track that gates them at their own time by re-filtering its last measurements; older than
//! those, they are counted as too old. Nothing is dropped silently: every rejection has a
//! counter in [`TrackerStats`].

use super::assign::{Clusters, Solver, SparseProblem};
use super::filter::{Filter, FilterState};
use super::gating::GridIndex;
use super::kalman::{GateTest, Gaussian, MeasurementModel, chi2_gate_2dof};
use crate::config::{AisFusionConfig, TrackerConfig};
use crate::decode::Time;
use nalgebra::{Matrix2, Vector2};
use serde::{Deserialize, Serialize};

/// A track's identity, unique for the tracker's lifetime.
pub type TrackId = u64;

/// Index of a sensor in the tracker's sensor list.
pub type SensorId = u16;

/// A detection that several confirmed tracks explain equally well (targets passing close) may
/// belong to any of them: it updates the track it was assigned to with its covariance scaled
/// by this (its standard deviations by 4), so that the targets lean on their own velocities
/// instead of pulling each other's together (track coalescence), and keep their identities
/// when they separate. Chosen on `bordersim scenario crossing` seeds 1-4 (pairs crossing at
/// 5-10°, 20 pairs in all) with [`UNRESOLVED_SIGMAS`]: ×16 at 4σ swapped 3 pairs with GOSPA
/// 9.0-9.6 m per vessel; ×25 at 4σ swapped 5 (9.4-9.9 m), ×9 at 3σ 4 (8.4-9.1 m) and ×4 at
/// 4σ 5 (8.5-8.9 m), and the last two fail the 10° crossing of the tests below.
const AMBIGUOUS_INFLATION: f64 = 16.0;

/// A detection is ambiguous when it is inside the gates of two confirmed tracks that are
/// closer to each other than this many measurement standard deviations: the sensor cannot
/// tell the targets apart (not merely two wide gates overlapping, as young tracks' do).
const UNRESOLVED_SIGMAS: f64 = 4.0;

/// Velocity standard deviation (largest axis) below which a track's velocity is established
/// and worth keeping through an ambiguous encounter, m/s.
const ESTABLISHED_VELOCITY_SIGMA_MPS: f64 = 2.0;

/// Past measurements a track keeps for re-filtering late ones.
const REPLAY_LEN: usize = 8;

/// Distinct measurement models a scan's gates are sized for one by one; a scan with more uses
/// its widest spread for every gate.
const GATE_MODELS: usize = 16;

/// What kind of sensor, which decides how its silence is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SensorKind {
    /// A scanning radar: every scan looks at its whole coverage, so a track it did not
    /// detect was missed.
    Radar,
    /// AIS: vessels report on their own schedule; a report says nothing of the others.
    Ais,
    /// A sensor delivering synchronised position plots, each scan covering its area (the
    /// tracker-neutral CSV's `xy` sensors).
    Plots,
}

/// A sensor as the tracker knows it.
#[derive(Debug, Clone, PartialEq)]
pub struct SensorInfo {
    /// Name, for evidence.
    pub name: String,
    /// Kind.
    pub kind: SensorKind,
    /// Where it can see: centre and radius (`None`: everywhere).
    pub coverage: Option<(Vector2<f64>, f64)>,
}

impl SensorInfo {
    fn covers(&self, p: Vector2<f64>) -> bool {
        self.coverage
            .is_none_or(|(center, range)| (p - center).norm() <= range)
    }
}

/// Speed and course a vessel reports about itself (AIS), for the motion gates.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ReportedMotion {
    /// Speed over ground, m/s.
    pub speed_mps: f64,
    /// Course over ground, compass degrees.
    pub course_deg: Option<f64>,
}

/// One measurement of one target (or clutter).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Detection {
    /// Time of applicability.
    pub t: Time,
    /// Which sensor.
    pub sensor: SensorId,
    /// The measurement under `model`.
    pub z: Vector2<f64>,
    /// How it was measured.
    pub model: MeasurementModel,
    /// The identity the target declared (AIS MMSI).
    pub mmsi: Option<u32>,
    /// The motion the target declared (AIS SOG/COG).
    pub motion: Option<ReportedMotion>,
}

/// Where a track is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum TrackStatus {
    /// Seen, not yet often enough to be believed.
    Tentative,
    /// Seen on M of N scans.
    Confirmed,
}

/// An AIS identity bound to a track.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct AisBinding {
    /// The vessel's MMSI.
    pub mmsi: u32,
    /// When the binding was made.
    pub since: Time,
    /// Time of the latest AIS report of this vessel the track took.
    pub last_match: Time,
}

#[derive(Debug, Clone, Copy, PartialEq)]
struct PastMeasurement {
    t: Time,
    z: Vector2<f64>,
    model: MeasurementModel,
}

/// Measurements a track keeps for re-filtering: at least [`REPLAY_LEN`] once it has had
/// them, at most twice that.
const REPLAY_CAP: usize = 2 * REPLAY_LEN;

/// What a track needs to take a late measurement: its state before its last few
/// measurements, and those measurements.
///
/// Keeping exactly the last [`REPLAY_LEN`] would mean re-filtering the oldest into the anchor
/// at every update, a second filter update per track per scan. Instead the history grows to
/// [`REPLAY_CAP`] and then drops its older half at once, the new anchor being the state the
/// filter already made after the last dropped measurement (`mid`).
#[derive(Debug, Clone, PartialEq)]
struct Replay {
    anchor: FilterState,
    anchor_t: Time,
    past: [Option<PastMeasurement>; REPLAY_CAP],
    len: usize,
    /// The state just after `past[REPLAY_LEN - 1]`, when `len > REPLAY_LEN`.
    mid: FilterState,
    mid_t: Time,
}

/// One tracked target.
#[derive(Debug, Clone, PartialEq)]
pub struct Track {
    /// Identity.
    pub id: TrackId,
    /// Combined estimate at `t`.
    pub estimate: Gaussian,
    /// Time of the estimate (the last update).
    pub t: Time,
    /// Tentative or confirmed.
    pub status: TrackStatus,
    /// When the first detection was seen.
    pub created: Time,
    /// When it was confirmed.
    pub confirmed_at: Option<Time>,
    /// Detection history, one bit a scan that could have seen it, latest in bit 0.
    pub history: u32,
    /// Scans that could have seen it since it started.
    pub scans: u32,
    /// Consecutive such scans without a detection.
    pub misses: u32,
    /// Detections used.
    pub updates: u32,
    /// Bit `i` set when sensor `i` contributed (sensors 0-63).
    pub sensors: u64,
    /// Last update by a radar.
    pub last_radar_update: Option<Time>,
    /// Last update by an AIS report.
    pub last_ais_update: Option<Time>,
    /// The AIS identity bound to it.
    pub ais: Option<AisBinding>,
    filter: FilterState,
    /// Boxed: two thirds of a track's bytes, read only on updates and late measurements;
    /// inline, it spread the tracks' hot fields 3 KB apart, and every scan's pass over them
    /// missed the cache (one allocation per track started, none per update).
    replay: Box<Replay>,
}

impl Track {
    /// Speed over ground, m/s.
    pub fn speed_mps(&self) -> f64 {
        self.estimate.velocity().norm()
    }

    /// Course over ground, compass degrees.
    pub fn course_deg(&self) -> f64 {
        let v = self.estimate.velocity();
        borderfuse_common::geo::bearing_deg(v.x, v.y)
    }

    /// The filter state (for predictions).
    pub fn filter_state(&self) -> &FilterState {
        &self.filter
    }
}

/// Events of AIS association.
#[derive(Debug, Clone, PartialEq)]
pub enum AisEvent {
    /// A track took an AIS identity.
    Bound {
        /// The track.
        track: TrackId,
        /// The vessel.
        mmsi: u32,
    },
    /// A track and its AIS identity diverged and were split.
    Split {
        /// The track.
        track: TrackId,
        /// The vessel.
        mmsi: u32,
        /// Distance between the report and the track at the report's time, m.
        distance_m: f64,
    },
}

/// What one scan changed.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ScanReport {
    /// Detections that updated tracks.
    pub assigned: usize,
    /// Tracks started.
    pub started: Vec<TrackId>,
    /// Tracks confirmed.
    pub confirmed: Vec<TrackId>,
    /// Tracks deleted. (Ids only: a scan of a busy picture deletes a thousand clutter
    /// tracks, and copying each whole track out cost more than the rest of the deletion.)
    pub deleted: Vec<TrackId>,
    /// AIS bindings made and split.
    pub ais: Vec<AisEvent>,
}

/// Counters of everything the tracker refused or could not use.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct TrackerStats {
    /// Scans processed.
    pub scans: u64,
    /// Detections taken in.
    pub detections: u64,
    /// Refused: non-finite value, covariance not positive definite, negative range.
    pub invalid: u64,
    /// Refused: a sensor the tracker does not know.
    pub unknown_sensor: u64,
    /// Late detections fitted into a track by re-filtering.
    pub late_used: u64,
    /// Late detections older than every track's replay history: counted and dropped.
    pub too_old: u64,
    /// Late detections no track gated (too late to start a track from): counted, dropped.
    pub late_unassociated: u64,
    /// Detections that would have started a track beyond the track limit.
    pub initiations_refused: u64,
    /// Updates refused because the filter would have diverged (singular geometry, NaN).
    pub diverged: u64,
}

/// The tracker.
#[derive(Debug, Clone)]
pub struct Tracker {
    config: TrackerConfig,
    ais_gates: AisFusionConfig,
    filter: Filter,
    gate: f64,
    sensors: Vec<SensorInfo>,
    tracks: Vec<Track>,
    next_id: TrackId,
    last_scan: Option<Time>,
    stats: TrackerStats,
    scratch: Scratch,
}

/// An edge of the gating graph.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Edge {
    track: u32,
    det: u32,
    cost: f64,
}

/// Buffers reused from scan to scan: after the first scans nothing is allocated.
#[derive(Debug, Clone, Default)]
struct Scratch {
    valid: Vec<bool>,
    /// Each track's status at the start of the scan.
    status: Vec<TrackStatus>,
    predicted: Vec<FilterState>,
    /// The distinct measurement models of the scan, up to [`GATE_MODELS`].
    models: Vec<MeasurementModel>,
    /// Per detection, its model's index in `models` (`u8::MAX`: not there).
    det_model: Vec<u8>,
    /// Per track and model (`track * models.len() + model`), the track linearised for it.
    gate_tests: Vec<Option<GateTest>>,
    /// The combined estimate of each prediction (an IMM's moment match, computed once).
    estimate: Vec<Gaussian>,
    center: Vec<Vector2<f64>>,
    radius: Vec<f64>,
    det_pos: Vec<Vector2<f64>>,
    grid: GridIndex,
    edges: Vec<Edge>,
    det_taken: Vec<bool>,
    det_in_confirmed_gate: Vec<bool>,
    /// Per detection, the two confirmed tracks that explain it best: (squared distance, track).
    det_best: Vec<[(f64, u32); 2]>,
    track_det: Vec<Option<u32>>,
    clusters: Clusters,
    by_cluster: Vec<(u32, u32)>,
    cluster_tracks: Vec<u32>,
    cluster_dets: Vec<u32>,
    /// A cluster's (row, column, cost) pairs, sorted by row.
    row_pairs: Vec<(u32, u32, f64)>,
    problem: SparseProblem,
    solver: Solver,
    radii: Vec<f64>,
}

/// Largest eigenvalue of a symmetric 2×2 matrix.
fn max_eigen(m: &Matrix2<f64>) -> f64 {
    let (a, b, d) = (m[(0, 0)], 0.5 * (m[(0, 1)] + m[(1, 0)]), m[(1, 1)]);
    let mean = 0.5 * (a + d);
    mean + ((0.5 * (a - d)).powi(2) + b * b).sqrt()
}

/// Angle difference in degrees, in (-180, 180].
fn angle_diff_deg(a: f64, b: f64) -> f64 {
    (a - b + 540.0).rem_euclid(360.0) - 180.0
}

impl Tracker {
    /// A tracker over `sensors` (indexed by [`SensorId`]).
    pub fn new(
        config: &TrackerConfig,
        ais_gates: &AisFusionConfig,
        sensors: Vec<SensorInfo>,
    ) -> Self {
        Tracker {
            config: config.clone(),
            ais_gates: ais_gates.clone(),
            filter: Filter::new(config.filter),
            gate: chi2_gate_2dof(config.gate_probability),
            sensors,
            tracks: Vec::new(),
            next_id: 1,
            last_scan: None,
            stats: TrackerStats::default(),
            scratch: Scratch::default(),
        }
    }

    /// The live tracks.
    pub fn tracks(&self) -> &[Track] {
        &self.tracks
    }

    /// The sensors.
    pub fn sensors(&self) -> &[SensorInfo] {
        &self.sensors
    }

    /// What has been refused and used late.
    pub fn stats(&self) -> &TrackerStats {
        &self.stats
    }

    /// Time of the last scan processed.
    pub fn last_scan(&self) -> Option<Time> {
        self.last_scan
    }

    /// A track's estimate moved to time `t`.
    pub fn predict(&self, track: &Track, t: Time) -> Gaussian {
        self.filter
            .estimate(&self.filter.predict(&track.filter, t - track.t))
    }

    /// Probability that a track is turning (IMM; 0 for a single model).
    pub fn turn_probability(&self, track: &Track) -> f64 {
        self.filter.turn_probability(&track.filter)
    }

    fn check(&mut self, det: &Detection) -> bool {
        if usize::from(det.sensor) >= self.sensors.len() {
            self.stats.unknown_sensor += 1;
            return false;
        }
        if !det.t.is_finite() || det.model.validate(det.z).is_err() {
            self.stats.invalid += 1;
            return false;
        }
        true
    }

    /// Processes one scan: the detections `dets` of the sensors `looking`, at time `t_scan`
    /// (each detection keeps its own time, e.g. a radar plot's illumination time). A scan
    /// older than the last one goes through [`Tracker::process_late`] detection by detection.
    pub fn process_scan(
        &mut self,
        t_scan: Time,
        dets: &[Detection],
        looking: &[SensorId],
    ) -> ScanReport {
        let mut report = ScanReport::default();
        if !t_scan.is_finite() {
            self.stats.invalid += dets.len() as u64;
            return report;
        }
        if self.last_scan.is_some_and(|last| t_scan < last) {
            for det in dets {
                self.process_late(det, &mut report);
            }
            return report;
        }
        self.last_scan = Some(t_scan);
        self.stats.scans += 1;
        self.stats.detections += dets.len() as u64;

        let mut s = std::mem::take(&mut self.scratch);
        s.valid.clear();
        for det in dets {
            let ok = self.check(det);
            s.valid.push(ok);
        }

        self.gate_scan(t_scan, dets, &mut s, &mut report);

        // Association: confirmed tracks first, tentative ones with what is left.
        s.det_taken.clear();
        s.det_taken.resize(dets.len(), false);
        s.track_det.clear();
        s.track_det.resize(self.tracks.len(), None);
        for stage in [TrackStatus::Confirmed, TrackStatus::Tentative] {
            self.associate_stage(stage, &mut s);
        }

        // Updates, hits and misses.
        for i in 0..self.tracks.len() {
            let updated = match s.track_det[i] {
                Some(j) => {
                    let mut det = dets[j as usize];
                    if self.unresolved(&s, &dets[j as usize], j as usize) {
                        det.model = det.model.inflated(AMBIGUOUS_INFLATION);
                    }
                    // The scan's prediction serves a detection at the scan time.
                    let predicted = (det.t == t_scan).then_some(&s.predicted[i]);
                    self.apply_update(i, &det, predicted, &mut report)
                }
                None => false,
            };
            let track = &mut self.tracks[i];
            if updated {
                report.assigned += 1;
                track.history = track.history << 1 | 1;
                track.scans = track.scans.saturating_add(1);
                track.misses = 0;
            } else {
                let p = s.center[i];
                let could_see = looking.iter().any(|&sensor| {
                    self.sensors
                        .get(usize::from(sensor))
                        .is_some_and(|info| info.kind != SensorKind::Ais && info.covers(p))
                });
                if could_see {
                    track.history <<= 1;
                    track.scans = track.scans.saturating_add(1);
                    track.misses += 1;
                }
            }
        }

        self.confirm_and_delete(t_scan, &mut report);

        // Initiation from what no track took and no confirmed track gated.
        for (j, det) in dets.iter().enumerate() {
            if !s.valid[j] || s.det_taken[j] || s.det_in_confirmed_gate[j] {
                continue;
            }
            if self.tracks.len() >= self.config.max_tracks {
                self.stats.initiations_refused += 1;
                continue;
            }
            let id = self.start_track(det);
            report.started.push(id);
            if let Some(mmsi) = det.mmsi {
                report.ais.push(AisEvent::Bound { track: id, mmsi });
            }
        }
        self.scratch = s;
        report
    }

    /// Predicts tracks, indexes detections, and collects the gated pairs into `s.edges`.
    fn gate_scan(
        &mut self,
        t_scan: Time,
        dets: &[Detection],
        s: &mut Scratch,
        report: &mut ScanReport,
    ) {
        s.predicted.clear();
        s.status.clear();
        s.status.extend(self.tracks.iter().map(|t| t.status));
        s.estimate.clear();
        s.center.clear();
        s.radius.clear();
        s.edges.clear();
        s.det_in_confirmed_gate.clear();
        s.det_in_confirmed_gate.resize(dets.len(), false);
        s.det_best.clear();
        s.det_best
            .resize(dets.len(), [(f64::INFINITY, u32::MAX); 2]);

        // Detection positions, the scan's measurement models (a few sensors: a few models),
        // the widest measurement spread, and the scan's time spread.
        s.det_pos.clear();
        s.models.clear();
        s.det_model.clear();
        s.gate_tests.clear();
        let mut meas_var: f64 = 0.0;
        let mut max_dt: f64 = 0.0;
        let mut too_many_models = false;
        for (j, det) in dets.iter().enumerate() {
            let (pos, cov) = det.model.position_of(det.z);
            s.det_pos.push(if s.valid[j] {
                pos
            } else {
                Vector2::new(f64::NAN, f64::NAN)
            });
            if s.valid[j] {
                meas_var = meas_var.max(max_eigen(&cov));
                max_dt = max_dt.max((det.t - t_scan).abs());
                if !too_many_models && !s.models.contains(&det.model) {
                    too_many_models = s.models.len() == GATE_MODELS;
                    s.models.push(det.model);
                }
            }
        }
        if too_many_models {
            s.models.clear();
        }
        for det in dets {
            let k = s.models.iter().position(|m| *m == det.model);
            s.det_model.push(k.map_or(u8::MAX, |k| k as u8));
        }

        for track in &self.tracks {
            let predicted = self.filter.predict(&track.filter, t_scan - track.t);
            let est = self.filter.estimate(&predicted);
            let pos_var = max_eigen(&est.position_covariance());
            let vel_var = max_eigen(&est.velocity_covariance());
            // The gate's extent for the measurement models of this scan at this track, not
            // one size for all: a radar's plots 40 km out spread across 200 m, those nearby
            // across a few metres, and every gate sized for the widest would test ten times
            // the candidates. Widened by how far the target can move between the scan time
            // and a detection's own time.
            let mut extent: Option<f64> = (!too_many_models).then_some(0.0);
            for model in &s.models {
                let gate = model.gate(&est, self.gate);
                extent = extent.zip(gate).map(|(e, (_, g))| e.max(g));
                s.gate_tests.push(gate.map(|(test, _)| test));
            }
            let extent = extent.unwrap_or_else(|| {
                // Many sensors, or a model singular here: the scan's widest spread, with
                // room for the polar-to-plane curvature.
                1.25 * (self.gate * (pos_var + meas_var)).sqrt()
            });
            let r = extent + max_dt * (est.velocity().norm() + (self.gate * vel_var).sqrt());
            s.predicted.push(predicted);
            s.center.push(est.position());
            s.estimate.push(est);
            s.radius.push(r);
        }
        // Cells about the size of a typical gate.
        s.radii.clear();
        s.radii
            .extend(s.radius.iter().copied().filter(|r| r.is_finite()));
        let cell = if s.radii.is_empty() {
            1000.0
        } else {
            let mid = s.radii.len() / 2;
            let (_, median, _) = s.radii.select_nth_unstable_by(mid, f64::total_cmp);
            median.clamp(20.0, 20_000.0)
        };
        s.grid.build(s.det_pos.iter().copied(), cell);

        for i in 0..self.tracks.len() {
            let track = &self.tracks[i];
            let (center, radius) = (s.center[i], s.radius[i]);
            let grid = &s.grid;
            let edges = &mut s.edges;
            let in_confirmed_gate = &mut s.det_in_confirmed_gate;
            let det_best = &mut s.det_best;
            let valid = &s.valid;
            let predicted = &s.predicted[i];
            let estimate = &s.estimate[i];
            let n_models = s.models.len();
            let gate_tests = &s.gate_tests[i * n_models..(i + 1) * n_models];
            let det_model = &s.det_model;
            // The gate circle holds every detection the gate can accept (see its radius).
            grid.query(center, radius, |j| {
                if !valid[j] {
                    return;
                }
                let det = &dets[j];
                // Identity: never give a vessel's report to a track bound to another vessel.
                let bound = track.ais.map(|b| b.mmsi);
                if let (Some(a), Some(b)) = (bound, det.mmsi)
                    && a != b
                {
                    return;
                }
                // Most detections are at the scan time, where the prediction and its
                // estimate are already made.
                let late_pred;
                let (pred, d2) = if det.t == t_scan {
                    // The track linearised once for this detection's model, or now.
                    let test = match gate_tests.get(usize::from(det_model[j])) {
                        Some(test) => *test,
                        None => det.model.gate_test(estimate),
                    };
                    (predicted, test.and_then(|t| t.d2(det.z)))
                } else {
                    late_pred = self.filter.predict(&track.filter, det.t - track.t);
                    let inn = self.filter.innovation(&late_pred, &det.model, det.z);
                    (&late_pred, inn.map(|inn| inn.d2))
                };
                let Some(d2) = d2 else {
                    return;
                };
                if d2 > self.gate {
                    return;
                }
                if track.status == TrackStatus::Confirmed {
                    in_confirmed_gate[j] = true;
                    let best = &mut det_best[j];
                    let entry = (d2, i as u32);
                    if d2 < best[0].0 {
                        *best = [entry, best[0]];
                    } else if d2 < best[1].0 {
                        best[1] = entry;
                    }
                }
                let mut cost = d2;
                if det.mmsi.is_some() {
                    if bound == det.mmsi {
                        // The vessel's own track: preferred over any other pairing.
                        cost = 0.0;
                    } else if !self.motion_agrees(pred, det) {
                        return;
                    }
                }
                edges.push(Edge {
                    track: i as u32,
                    det: j as u32,
                    cost,
                });
            });
        }

        // A vessel's report that its bound track did not gate: the two diverged. Split them,
        // so the report can find its vessel's real track (or start one).
        for (j, det) in dets.iter().enumerate() {
            let Some(mmsi) = det.mmsi.filter(|_| s.valid[j]) else {
                continue;
            };
            let Some(i) = self
                .tracks
                .iter()
                .position(|t| t.ais.is_some_and(|b| b.mmsi == mmsi))
            else {
                continue;
            };
            let gated = s
                .edges
                .iter()
                .any(|e| e.track as usize == i && e.det as usize == j);
            if !gated {
                let track = &self.tracks[i];
                let at = self.predict(track, det.t).position();
                report.ais.push(AisEvent::Split {
                    track: track.id,
                    mmsi,
                    distance_m: (at - s.det_pos[j]).norm(),
                });
                self.tracks[i].ais = None;
            }
        }
    }

    /// Whether detection `j` could be either of two confirmed tracks the sensor cannot
    /// resolve.
    fn unresolved(&self, s: &Scratch, det: &Detection, j: usize) -> bool {
        let [(_, a), (d2, b)] = s.det_best[j];
        if !d2.is_finite() {
            return false;
        }
        let (_, cov) = det.model.position_of(det.z);
        let separation = (s.center[a as usize] - s.center[b as usize]).norm();
        // Only velocities worth protecting: a young track's is still a guess.
        let established = |i: u32| {
            let est = &s.estimate[i as usize];
            max_eigen(&est.velocity_covariance()).sqrt() <= ESTABLISHED_VELOCITY_SIGMA_MPS
        };
        separation <= UNRESOLVED_SIGMAS * max_eigen(&cov).sqrt() && established(a) && established(b)
    }

    /// MSC.192(79) motion gates: reported speed and course against the track's, when the
    /// track's velocity is known well enough to say.
    fn motion_agrees(&self, pred: &FilterState, det: &Detection) -> bool {
        let Some(motion) = det.motion else {
            return true;
        };
        let est = self.filter.estimate(pred);
        let vel_sigma = max_eigen(&est.velocity_covariance()).sqrt();
        if vel_sigma > 2.0 {
            return true;
        }
        let speed = est.velocity().norm();
        if (speed - motion.speed_mps).abs() > self.ais_gates.speed_gate_mps + 2.0 * vel_sigma {
            return false;
        }
        match motion.course_deg {
            Some(course) if speed > 1.0 && motion.speed_mps > 1.0 => {
                let v = est.velocity();
                let track_course = borderfuse_common::geo::bearing_deg(v.x, v.y);
                angle_diff_deg(track_course, course).abs() <= self.ais_gates.course_gate_deg
            }
            _ => true,
        }
    }

    /// Optimal assignment of `stage` tracks to untaken detections, cluster by cluster.
    fn associate_stage(&mut self, stage: TrackStatus, s: &mut Scratch) {
        let n_tracks = self.tracks.len();
        let n_dets = s.det_taken.len();
        s.clusters.reset(n_tracks + n_dets);
        // From the scan's compact copy of the statuses: reading them from the tracks, a few
        // kilobytes apart, missed the cache on every edge.
        let usable = |e: &Edge, status: &[TrackStatus], taken: &[bool]| {
            status[e.track as usize] == stage && !taken[e.det as usize]
        };
        for e in &s.edges {
            if usable(e, &s.status, &s.det_taken) {
                s.clusters
                    .union(e.track as usize, n_tracks + e.det as usize);
            }
        }
        // Edges grouped by cluster.
        s.by_cluster.clear();
        for (k, e) in s.edges.iter().enumerate() {
            if usable(e, &s.status, &s.det_taken) {
                let root = s.clusters.find(e.track as usize) as u32;
                s.by_cluster.push((root, k as u32));
            }
        }
        s.by_cluster.sort_unstable();
        let mut start = 0;
        while start < s.by_cluster.len() {
            let root = s.by_cluster[start].0;
            let end = start + s.by_cluster[start..].partition_point(|&(r, _)| r == root);
            self.solve_cluster(start, end, s);
            start = end;
        }
    }

    fn solve_cluster(&mut self, start: usize, end: usize, s: &mut Scratch) {
        let edges = &s.edges;
        let group = &s.by_cluster[start..end];
        s.cluster_tracks.clear();
        s.cluster_dets.clear();
        for &(_, k) in group {
            let e = edges[k as usize];
            s.cluster_tracks.push(e.track);
            s.cluster_dets.push(e.det);
        }
        s.cluster_tracks.sort_unstable();
        s.cluster_tracks.dedup();
        s.cluster_dets.sort_unstable();
        s.cluster_dets.dedup();
        let (rows, dets) = (s.cluster_tracks.len(), s.cluster_dets.len());
        if rows == 1 {
            // One track: its cheapest detection (every edge is inside the gate).
            let best = group
                .iter()
                .map(|&(_, k)| edges[k as usize])
                .min_by(|a, b| a.cost.total_cmp(&b.cost));
            if let Some(e) = best {
                s.track_det[e.track as usize] = Some(e.det);
                s.det_taken[e.det as usize] = true;
            }
            return;
        }
        // The cluster's pairs by track (row), plus column dets + r: "track r missed", at the
        // gate's cost.
        s.row_pairs.clear();
        for &(_, k) in group {
            let e = edges[k as usize];
            if let (Ok(r), Ok(c)) = (
                s.cluster_tracks.binary_search(&e.track),
                s.cluster_dets.binary_search(&e.det),
            ) {
                s.row_pairs.push((r as u32, c as u32, e.cost));
            }
        }
        s.row_pairs.sort_unstable_by_key(|&(r, c, _)| (r, c));
        s.problem.reset(dets + rows);
        let mut next = 0;
        for r in 0..rows {
            let end = next + s.row_pairs[next..].partition_point(|p| p.0 as usize == r);
            let pairs = s.row_pairs[next..end]
                .iter()
                .map(|&(_, c, cost)| (c as usize, cost));
            s.problem.push_row(pairs.chain([(dets + r, self.gate)]));
            next = end;
        }
        let Ok(assignment) = s.solver.solve(&s.problem) else {
            // Cannot happen (every row has its own missed column); if it did, every track of
            // the cluster is missed rather than guessed.
            return;
        };
        for (r, &c) in assignment.iter().enumerate() {
            if c < dets {
                let (track, det) = (s.cluster_tracks[r], s.cluster_dets[c]);
                s.track_det[track as usize] = Some(det);
                s.det_taken[det as usize] = true;
            }
        }
    }

    /// Updates track `i` with `det`, from `predicted` (the track predicted to `det.t`) when
    /// the caller has it.
    fn apply_update(
        &mut self,
        i: usize,
        det: &Detection,
        predicted: Option<&FilterState>,
        report: &mut ScanReport,
    ) -> bool {
        let track = &self.tracks[i];
        let own_prediction;
        let predicted = match predicted {
            Some(p) => p,
            None => {
                own_prediction = self.filter.predict(&track.filter, det.t - track.t);
                &own_prediction
            }
        };
        let Some(updated) = self.filter.update(predicted, &det.model, det.z) else {
            self.stats.diverged += 1;
            return false;
        };
        let filter = self.filter;
        let track = &mut self.tracks[i];
        // Before the state changes: the history may keep the state this measurement updated.
        remember(track, det);
        track.filter = updated;
        track.estimate = filter.estimate(&updated);
        track.t = det.t;
        track.updates += 1;
        if det.sensor < 64 {
            track.sensors |= 1u64 << det.sensor;
        }
        match self.sensors.get(usize::from(det.sensor)).map(|s| s.kind) {
            Some(SensorKind::Ais) => track.last_ais_update = Some(det.t),
            Some(SensorKind::Radar | SensorKind::Plots) => track.last_radar_update = Some(det.t),
            None => {}
        }
        if let Some(mmsi) = det.mmsi {
            match &mut track.ais {
                Some(b) if b.mmsi == mmsi => b.last_match = b.last_match.max(det.t),
                Some(_) => {}
                None => {
                    track.ais = Some(AisBinding {
                        mmsi,
                        since: det.t,
                        last_match: det.t,
                    });
                    report.ais.push(AisEvent::Bound {
                        track: track.id,
                        mmsi,
                    });
                }
            }
        }
        true
    }

    fn confirm_and_delete(&mut self, now: Time, report: &mut ScanReport) {
        let (m, n) = (
            u32::from(self.config.confirm_m),
            u32::from(self.config.confirm_n),
        );
        let window = if n >= 32 { u32::MAX } else { (1u32 << n) - 1 };
        let tentative_misses = u32::from(self.config.tentative_max_misses);
        let delete_after = u32::from(self.config.delete_after_misses);
        let mut k = 0;
        while k < self.tracks.len() {
            let track = &mut self.tracks[k];
            let delete = match track.status {
                TrackStatus::Tentative => {
                    if (track.history & window).count_ones() >= m {
                        track.status = TrackStatus::Confirmed;
                        track.confirmed_at = Some(track.t);
                        report.confirmed.push(track.id);
                        false
                    } else {
                        track.misses >= tentative_misses || track.scans >= n
                    }
                }
                TrackStatus::Confirmed => track.misses >= delete_after,
            } || now - track.t > self.config.max_coast_s;
            if delete {
                // Order does not matter to the tracker; swap_remove keeps deletion O(1).
                report.deleted.push(self.tracks.swap_remove(k).id);
            } else {
                k += 1;
            }
        }
    }

    fn start_track(&mut self, det: &Detection) -> TrackId {
        let mut g = det.model.initiate(
            det.z,
            self.config.initial_speed_sigma_mps,
            self.config.initial_turn_sigma_deg_s.to_radians(),
        );
        // An AIS report says how fast and where the vessel goes: start from that.
        if let Some(ReportedMotion {
            speed_mps,
            course_deg: Some(course),
        }) = det.motion
        {
            let (sin, cos) = course.to_radians().sin_cos();
            g.x[super::kalman::VX] = speed_mps * sin;
            g.x[super::kalman::VY] = speed_mps * cos;
            let v = (self.ais_gates.speed_gate_mps / 2.0).powi(2);
            g.p[(super::kalman::VX, super::kalman::VX)] = v;
            g.p[(super::kalman::VY, super::kalman::VY)] = v;
        }
        let id = self.next_id;
        self.next_id += 1;
        let filter = self.filter.initiate(g);
        let kind = self.sensors.get(usize::from(det.sensor)).map(|s| s.kind);
        self.tracks.push(Track {
            id,
            estimate: g,
            t: det.t,
            status: TrackStatus::Tentative,
            created: det.t,
            confirmed_at: None,
            history: 1,
            scans: 1,
            misses: 0,
            updates: 1,
            sensors: if det.sensor < 64 {
                1u64 << det.sensor
            } else {
                0
            },
            last_radar_update: (kind != Some(SensorKind::Ais)).then_some(det.t),
            last_ais_update: (kind == Some(SensorKind::Ais)).then_some(det.t),
            ais: det.mmsi.map(|mmsi| AisBinding {
                mmsi,
                since: det.t,
                last_match: det.t,
            }),
            filter,
            replay: Box::new(Replay {
                anchor: filter,
                anchor_t: det.t,
                past: [None; REPLAY_CAP],
                len: 0,
                mid: filter,
                mid_t: det.t,
            }),
        });
        id
    }

    /// Fits a measurement older than the last scan into the track that gates it at its own
    /// time, by re-filtering that track's recent measurements with it in its place. Counted
    /// as too old when it predates every track's replay history, and as unassociated when no
    /// track gates it.
    pub fn process_late(&mut self, det: &Detection, report: &mut ScanReport) {
        self.stats.detections += 1;
        if !self.check(det) {
            return;
        }
        let (det_pos, det_cov) = det.model.position_of(det.z);
        let meas_var = max_eigen(&det_cov);
        let mut best: Option<(usize, f64, FilterState)> = None;
        let mut any_history = false;
        for (i, track) in self.tracks.iter().enumerate() {
            if det.t < track.replay.anchor_t {
                continue;
            }
            if let (Some(a), Some(b)) = (track.ais.map(|b| b.mmsi), det.mmsi)
                && a != b
            {
                continue;
            }
            any_history = true;
            // Cheap screen: where the track was at det.t by its current velocity.
            let back = track.estimate.position() - track.estimate.velocity() * (track.t - det.t);
            let spread =
                (self.gate * (max_eigen(&track.estimate.position_covariance()) + meas_var)).sqrt()
                    + 3.0
                        * (track.t - det.t).abs()
                        * max_eigen(&track.estimate.velocity_covariance()).sqrt();
            if (back - det_pos).norm() > spread + 50.0 {
                continue;
            }
            let at = self.state_at(track, det.t);
            let Some(inn) = self.filter.innovation(&at, &det.model, det.z) else {
                continue;
            };
            let bound_to_it = det.mmsi.is_some() && track.ais.map(|b| b.mmsi) == det.mmsi;
            let cost = if bound_to_it { 0.0 } else { inn.d2 };
            if inn.d2 <= self.gate && best.as_ref().is_none_or(|(_, c, _)| cost < *c) {
                best = Some((i, cost, at));
            }
        }
        let Some((i, _, _)) = best else {
            if any_history {
                self.stats.late_unassociated += 1;
            } else {
                self.stats.too_old += 1;
            }
            return;
        };
        self.refilter_with(i, det, report);
    }

    /// The state of `track` at time `t` (between its replay anchor and now), from its
    /// replayed measurements.
    fn state_at(&self, track: &Track, t: Time) -> FilterState {
        let mut state = track.replay.anchor;
        let mut state_t = track.replay.anchor_t;
        for past in track.replay.past.iter().take(track.replay.len).flatten() {
            if past.t > t {
                break;
            }
            let predicted = self.filter.predict(&state, past.t - state_t);
            state = self
                .filter
                .update(&predicted, &past.model, past.z)
                .unwrap_or(predicted);
            state_t = past.t;
        }
        self.filter.predict(&state, t - state_t)
    }

    fn refilter_with(&mut self, i: usize, det: &Detection, report: &mut ScanReport) {
        let filter = self.filter;
        let track = &mut self.tracks[i];
        // Insert the late measurement in time order, then replay everything from the anchor.
        let late = PastMeasurement {
            t: det.t,
            z: det.z,
            model: det.model,
        };
        let mut merged: [Option<PastMeasurement>; REPLAY_CAP + 1] = [None; REPLAY_CAP + 1];
        let mut n = 0;
        let mut inserted = false;
        for past in track.replay.past.iter().take(track.replay.len).flatten() {
            if !inserted && det.t < past.t {
                merged[n] = Some(late);
                n += 1;
                inserted = true;
            }
            merged[n] = Some(*past);
            n += 1;
        }
        if !inserted {
            merged[n] = Some(late);
            n += 1;
        }
        let mut state = track.replay.anchor;
        let mut state_t = track.replay.anchor_t;
        // The states after merged[REPLAY_LEN - 1] and merged[REPLAY_LEN]: the middle of the
        // new history, whether or not its oldest measurement is folded away below.
        let mut after = [(state, state_t); 2];
        for (k, past) in merged.iter().take(n).enumerate() {
            let Some(past) = past else { continue };
            let predicted = filter.predict(&state, past.t - state_t);
            state = filter
                .update(&predicted, &past.model, past.z)
                .unwrap_or(predicted);
            state_t = past.t;
            if let Some(slot) = (k + 1)
                .checked_sub(REPLAY_LEN)
                .and_then(|i| after.get_mut(i))
            {
                *slot = (state, state_t);
            }
        }
        if !filter.estimate(&state).is_sane() {
            self.stats.diverged += 1;
            return;
        }
        (track.replay.mid, track.replay.mid_t) = after[0];
        // Keep at most REPLAY_CAP measurements; fold the oldest into the anchor if over.
        if n > REPLAY_CAP
            && let Some(oldest) = merged[0]
        {
            (track.replay.mid, track.replay.mid_t) = after[1];
            let predicted = filter.predict(&track.replay.anchor, oldest.t - track.replay.anchor_t);
            track.replay.anchor = filter
                .update(&predicted, &oldest.model, oldest.z)
                .unwrap_or(predicted);
            track.replay.anchor_t = oldest.t;
            merged.rotate_left(1);
            n -= 1;
        }
        track.replay.past = [None; REPLAY_CAP];
        for (slot, past) in track.replay.past.iter_mut().zip(merged.iter().take(n)) {
            *slot = *past;
        }
        track.replay.len = n;
        track.filter = state;
        track.estimate = filter.estimate(&state);
        track.t = state_t;
        track.updates += 1;
        if det.sensor < 64 {
            track.sensors |= 1u64 << det.sensor;
        }
        match self.sensors.get(usize::from(det.sensor)).map(|s| s.kind) {
            Some(SensorKind::Ais) => {
                track.last_ais_update = Some(track.last_ais_update.map_or(det.t, |t| t.max(det.t)));
            }
            Some(_) => {
                track.last_radar_update =
                    Some(track.last_radar_update.map_or(det.t, |t| t.max(det.t)));
            }
            None => {}
        }
        if let Some(mmsi) = det.mmsi {
            match &mut track.ais {
                Some(b) if b.mmsi == mmsi => b.last_match = b.last_match.max(det.t),
                Some(_) => {}
                None => {
                    track.ais = Some(AisBinding {
                        mmsi,
                        since: det.t,
                        last_match: det.t,
                    });
                    report.ais.push(AisEvent::Bound {
                        track: track.id,
                        mmsi,
                    });
                }
            }
        }
        self.stats.late_used += 1;
    }
}

/// Appends an in-order measurement to a track's replay history; `before` is the track's
/// state (and its time) before this measurement, the state after the previous one.
/// Adds `det` to the track's replay history; called before the track takes it, so that the
/// track's state is the one `det` updates. (A copy of that state is kept only when it becomes
/// the history's middle: copying it on every update cost more than the rest of this.)
fn remember(track: &mut Track, det: &Detection) {
    let replay = &mut track.replay;
    if replay.len == REPLAY_CAP {
        // Drop the older half: the new anchor is the state after the last of it.
        replay.anchor = replay.mid;
        replay.anchor_t = replay.mid_t;
        replay.past.copy_within(REPLAY_LEN.., 0);
        replay.past[REPLAY_LEN..].fill(None);
        replay.len = REPLAY_LEN;
    }
    if replay.len == REPLAY_LEN {
        (replay.mid, replay.mid_t) = (track.filter, track.t);
    }
    replay.past[replay.len] = Some(PastMeasurement {
        t: det.t,
        z: det.z,
        model: det.model,
    });
    replay.len += 1;
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fuse::filter::FilterConfig;

    fn config(m: u8, n: u8) -> TrackerConfig {
        TrackerConfig {
            confirm_m: m,
            confirm_n: n,
            ..TrackerConfig::default()
        }
    }

    fn tracker(config: TrackerConfig) -> Tracker {
        let sensors = vec![
            SensorInfo {
                name: "radar".into(),
                kind: SensorKind::Radar,
                coverage: Some((Vector2::zeros(), 20_000.0)),
            },
            SensorInfo {
                name: "ais".into(),
                kind: SensorKind::Ais,
                coverage: None,
            },
        ];
        Tracker::new(&config, &AisFusionConfig::default(), sensors)
    }

    fn plot(t: Time, x: f64, y: f64) -> Detection {
        Detection {
            t,
            sensor: 0,
            z: Vector2::new(x.hypot(y), x.atan2(y)),
            model: MeasurementModel::range_bearing(Vector2::zeros(), 10.0, 0.2f64.to_radians()),
            mmsi: None,
            motion: None,
        }
    }

    fn ais(t: Time, x: f64, y: f64, mmsi: u32) -> Detection {
        Detection {
            t,
            sensor: 1,
            z: Vector2::new(x, y),
            model: MeasurementModel::position(5.0),
            mmsi: Some(mmsi),
            motion: None,
        }
    }

    #[test]
    fn a_target_seen_three_scans_in_four_is_confirmed_and_tracked() {
        let mut t = tracker(config(3, 4));
        let truth = |t: f64| (2000.0 + 8.0 * t, 3000.0 - 4.0 * t);
        let mut confirmed = Vec::new();
        for scan in 0..15u32 {
            let time = f64::from(scan) * 2.0;
            let dets = if scan == 1 {
                vec![]
            } else {
                let (x, y) = truth(time);
                vec![plot(time, x, y)]
            };
            confirmed.extend(t.process_scan(time, &dets, &[0]).confirmed);
        }
        assert_eq!(confirmed, vec![1]);
        let track = &t.tracks()[0];
        assert!(
            (track.estimate.x[1] - 8.0).abs() < 1.0,
            "{:?}",
            track.estimate.x
        );
        assert!(
            (track.estimate.x[3] + 4.0).abs() < 1.0,
            "{:?}",
            track.estimate.x
        );
    }

    #[test]
    fn a_confirmed_track_is_deleted_after_consecutive_misses_and_a_one_off_plot_dies() {
        let mut t = tracker(config(3, 4));
        for scan in 0..4u32 {
            let time = f64::from(scan) * 2.0;
            t.process_scan(time, &[plot(time, 1000.0, 1000.0 + 10.0 * time)], &[0]);
        }
        assert_eq!(t.tracks()[0].status, TrackStatus::Confirmed);
        t.process_scan(8.0, &[plot(8.0, -5000.0, 0.0)], &[0]);
        let mut deleted = Vec::new();
        for scan in 5..10u32 {
            deleted.extend(t.process_scan(f64::from(scan) * 2.0, &[], &[0]).deleted);
        }
        assert_eq!(deleted.len(), 2, "{deleted:#?}");
        assert!(t.tracks().is_empty());
    }

    /// Deterministic noise, roughly uniform in ±`scale`.
    fn noise(i: u32, scale: f64) -> f64 {
        (f64::from(i.wrapping_mul(2_654_435_761) >> 8) / f64::from(1u32 << 24) - 0.5) * 2.0 * scale
    }

    #[test]
    fn two_targets_crossing_at_a_small_angle_keep_their_identities() {
        crossing_keeps_identities(FilterConfig::default());
    }

    fn crossing_keeps_identities(filter: FilterConfig) {
        let mut t = tracker(TrackerConfig {
            filter,
            ..config(3, 4)
        });
        // Both at 6 m/s: a due east, b 10° south of east; they meet at t = 300 s.
        let a = |t: f64| (3000.0 + 6.0 * t, 4000.0);
        let (bvx, bvy) = (
            6.0 * 10f64.to_radians().cos(),
            -6.0 * 10f64.to_radians().sin(),
        );
        let b = move |t: f64| (4800.0 + bvx * (t - 300.0), 4000.0 + bvy * (t - 300.0));
        let mut k = 0;
        for scan in 0..300u32 {
            let time = f64::from(scan) * 2.0;
            let mut dets = Vec::new();
            for (x, y) in [b(time), a(time)] {
                let mut d = plot(time, x, y);
                d.z.x += noise(k, 10.0);
                d.z.y += noise(k + 1, 0.2f64.to_radians());
                k += 2;
                dets.push(d);
            }
            t.process_scan(time, &dets, &[0]);
        }
        let mut ids: Vec<_> = t
            .tracks()
            .iter()
            .filter(|tr| tr.status == TrackStatus::Confirmed)
            .map(|tr| (tr.id, tr.estimate.x[2]))
            .collect();
        ids.sort_by(|p, q| p.1.total_cmp(&q.1));
        // b started first (id 1) north of a; after the crossing it is south of a.
        assert_eq!(
            ids.iter().map(|p| p.0).collect::<Vec<_>>(),
            vec![1, 2],
            "{filter:?}: {ids:?}"
        );
    }

    #[test]
    fn an_ais_report_binds_its_track_and_never_goes_to_a_track_bound_elsewhere() {
        let mut t = tracker(config(3, 4));
        let mut events = Vec::new();
        for scan in 0..6u32 {
            let time = f64::from(scan) * 2.0;
            let x = 2000.0 + 5.0 * time;
            events.extend(t.process_scan(time, &[plot(time, x, 3000.0)], &[0]).ais);
            events.extend(
                t.process_scan(
                    time + 1.0,
                    &[ais(time + 1.0, x + 5.0, 3000.0, 211_000_001)],
                    &[1],
                )
                .ais,
            );
        }
        assert_eq!(
            events,
            vec![AisEvent::Bound {
                track: 1,
                mmsi: 211_000_001
            }]
        );
        assert_eq!(t.tracks().len(), 1);
        // Another vessel's report at the same place starts its own track instead.
        let r = t.process_scan(13.0, &[ais(13.0, 2065.0, 3000.0, 211_000_002)], &[1]);
        assert_eq!(r.started.len(), 1);
        assert_eq!(t.tracks()[0].ais.map(|b| b.mmsi), Some(211_000_001));
    }

    #[test]
    fn a_track_and_its_vessel_that_diverge_are_split() {
        let mut t = tracker(config(3, 4));
        for scan in 0..6u32 {
            let time = f64::from(scan) * 2.0;
            t.process_scan(time, &[plot(time, 2000.0, 3000.0)], &[0]);
            t.process_scan(
                time + 1.0,
                &[ais(time + 1.0, 2000.0, 3000.0, 211_000_001)],
                &[1],
            );
        }
        // The AIS position jumps 2 km away while radar still holds the boat.
        let r = t.process_scan(13.0, &[ais(13.0, 4000.0, 3000.0, 211_000_001)], &[1]);
        assert!(
            matches!(r.ais[..], [
                AisEvent::Split { track: 1, mmsi: 211_000_001, distance_m },
                AisEvent::Bound { track: 2, mmsi: 211_000_001 },
            ] if distance_m > 1500.0),
            "{r:?}"
        );
        assert_eq!(t.tracks()[0].ais, None);
    }

    #[test]
    fn a_late_measurement_is_fitted_by_refiltering_and_an_ancient_one_is_counted() {
        let mut t = tracker(config(3, 4));
        for scan in 0..10u32 {
            let time = f64::from(scan) * 2.0;
            t.process_scan(time, &[plot(time, 2000.0 + 5.0 * time, 3000.0)], &[0]);
        }
        let before = t.tracks()[0].updates;
        // An AIS report of 15 s ago arrives now.
        t.process_scan(15.0, &[ais(5.0, 2025.0, 3000.0, 211_000_009)], &[1]);
        assert_eq!(t.stats().late_used, 1);
        assert_eq!(t.tracks()[0].updates, before + 1);
        assert_eq!(t.tracks()[0].ais.map(|b| b.mmsi), Some(211_000_009));
        t.process_scan(16.0, &[ais(-100.0, 2000.0, 3000.0, 211_000_009)], &[1]);
        assert_eq!(t.stats().too_old, 1);
    }

    #[test]
    fn a_late_measurement_after_the_history_wrapped_gives_the_in_order_estimate() {
        // Same plots to two trackers; one gets the plot of scan `late` only at the end. With
        // the history past its capacity several times, re-filtering must start from the
        // right anchor and reach the in-order estimate.
        let scans = 3 * REPLAY_CAP as u32 + 5;
        for late in [scans - 2, scans - REPLAY_LEN as u32] {
            let (mut in_order, mut delayed) = (tracker(config(3, 4)), tracker(config(3, 4)));
            let mut held = None;
            for scan in 0..scans {
                let time = f64::from(scan) * 2.0;
                let wobble = 10.0 * noise(scan, 1.0);
                let p = plot(time, 2000.0 + 5.0 * time + wobble, 3000.0 - wobble);
                in_order.process_scan(time, &[p], &[0]);
                if scan == late {
                    // The radar saw nothing then (as far as the delayed tracker knows).
                    delayed.process_scan(time, &[], &[]);
                    held = Some(p);
                } else {
                    delayed.process_scan(time, &[p], &[0]);
                }
            }
            let held = held.unwrap();
            delayed.process_scan(held.t, &[held], &[0]);
            assert_eq!(delayed.stats().late_used, 1, "late = {late}");
            let (a, b) = (&in_order.tracks()[0], &delayed.tracks()[0]);
            let gap = (a.estimate.position() - b.estimate.position()).norm();
            assert!(gap < 1e-6, "late = {late}: estimates differ by {gap} m");
        }
    }

    #[test]
    fn the_gate_circle_holds_every_measurement_the_gate_accepts() {
        // Points on the edge of the χ² gate in (range, bearing) space, for targets near and
        // far from the radar and with small and large uncertainty, all fall inside the
        // circle the spatial index is queried with: the index never hides a candidate.
        use crate::fuse::kalman::{Covariance, State, X, Y};
        let gate = chi2_gate_2dof(0.9999);
        let radar =
            MeasurementModel::range_bearing(Vector2::new(500.0, -300.0), 15.0, 0.3f64.to_radians());
        let plots = MeasurementModel::position(15.0);
        for (x, y) in [(1_500.0, 200.0), (-9_000.0, 4_000.0), (30_000.0, 40_000.0)] {
            for sigma in [5.0, 50.0, 300.0] {
                let mut state = State::zeros();
                state[X] = x;
                state[Y] = y;
                let est = Gaussian {
                    x: state,
                    p: Covariance::identity() * (sigma * sigma),
                };
                let at = est.position();
                let radius = radar
                    .gate_extent(&est, gate)
                    .unwrap()
                    .max(plots.gate_extent(&est, gate).unwrap());
                let d = at - Vector2::new(500.0, -300.0);
                let predicted = Vector2::new(d.norm(), d.x.atan2(d.y));
                let s = radar.innovation(&est, predicted).unwrap().s;
                // Cholesky of the 2 × 2 innovation covariance.
                let l11 = s[(0, 0)].sqrt();
                let l21 = s[(1, 0)] / l11;
                let l22 = (s[(1, 1)] - l21 * l21).sqrt();
                for k in 0..360 {
                    let a = f64::from(k).to_radians();
                    let (u, v) = (gate.sqrt() * a.cos(), gate.sqrt() * a.sin());
                    let z = predicted + Vector2::new(l11 * u, l21 * u + l22 * v);
                    let p = radar.position_of(z).0;
                    let off = (p - at).norm();
                    // (On the edge itself the two may differ in the last bits.)
                    assert!(
                        off <= radius * (1.0 + 1e-12),
                        "target at ({x}, {y}) σ {sigma}: edge point {off:.1} m out, radius {radius:.1} m"
                    );
                }
            }
        }
    }

    #[test]
    fn bad_detections_are_counted_not_used() {
        let mut t = tracker(config(3, 4));
        let mut nan = plot(0.0, 100.0, 100.0);
        nan.z.x = f64::NAN;
        let mut not_pd = plot(0.0, 100.0, 100.0);
        not_pd.model = MeasurementModel::Position {
            r: Matrix2::new(1.0, 5.0, 5.0, 1.0),
        };
        let mut unknown = plot(0.0, 100.0, 100.0);
        unknown.sensor = 9;
        let r = t.process_scan(0.0, &[nan, not_pd, unknown], &[0]);
        assert!(r.started.is_empty());
        assert_eq!(t.stats().invalid, 2);
        assert_eq!(t.stats().unknown_sensor, 1);
        assert!(t.tracks().iter().all(|tr| tr.estimate.is_sane()));
    }

    #[test]
    fn the_track_limit_bounds_memory_and_counts_what_it_refuses() {
        let mut t = tracker(TrackerConfig {
            max_tracks: 3,
            ..config(3, 4)
        });
        let dets: Vec<_> = (0..10)
            .map(|i| plot(0.0, 1000.0 * f64::from(i + 1), 0.0))
            .collect();
        t.process_scan(0.0, &dets, &[0]);
        assert_eq!(t.tracks().len(), 3);
        assert_eq!(t.stats().initiations_refused, 7);
    }

    #[test]
    fn a_thousand_targets_are_all_tracked_through_the_spatial_index() {
        let mut t = tracker(TrackerConfig {
            filter: FilterConfig::Cv { q: 0.05 },
            ..config(3, 4)
        });
        // A 40 × 25 grid of targets 300 m apart moving north-east at 5 m/s.
        let truth = |i: u32, time: f64| {
            let (gx, gy) = (f64::from(i % 40), f64::from(i / 40));
            (
                -6000.0 + 300.0 * gx + 3.5 * time,
                2000.0 + 300.0 * gy + 3.5 * time,
            )
        };
        for scan in 0..6u32 {
            let time = f64::from(scan) * 2.0;
            let dets: Vec<_> = (0..1000)
                .map(|i| {
                    let (x, y) = truth(i, time);
                    let mut d = plot(time, x, y);
                    d.model = MeasurementModel::position(10.0);
                    d.z = Vector2::new(x, y);
                    d
                })
                .collect();
            t.process_scan(time, &dets, &[0]);
        }
        let confirmed = t
            .tracks()
            .iter()
            .filter(|tr| tr.status == TrackStatus::Confirmed)
            .count();
        assert_eq!(confirmed, 1000);
        assert_eq!(t.tracks().len(), 1000);
    }
}
