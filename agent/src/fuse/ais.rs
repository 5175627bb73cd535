//! AIS targets and their association with radar tracks.
//!
//! Every vessel heard on AIS is kept as an [`AisTarget`] (its latest position report and
//! static data). After each radar scan, tracks are associated with AIS targets as IMO
//! MSC.192(79) asks of radar/AIS fusion: on position (the track predicted to the time of the
//! AIS fix, within a gate that grows with the report's age) and on motion (speed and course,
//! once the track's velocity is known well enough). A bound pair is split when the two
//! diverge beyond the gates; that is evidence for `ais_spoofing` later.

use super::assign::min_cost_assignment;
use super::tracker::{AisBinding, Track, Tracker};
use crate::config::AisFusionConfig;
use crate::decode::{AisPosition, AisStatic, Time};
use borderfuse_common::geo::LocalFrame;
use nalgebra::Vector2;
use std::collections::HashMap;

/// Knots to metres per second.
pub const KNOT_MPS: f64 = 1852.0 / 3600.0;

/// Most AIS targets kept; beyond it the stalest are forgotten (a busy strait has a few
/// thousand, this bound only stops a flood of forged MMSIs from exhausting memory).
pub const MAX_AIS_TARGETS: usize = 50_000;

/// How long an AIS target is kept after its last report.
const TARGET_RETENTION_S: f64 = 1800.0;

/// Track velocity standard deviation (per axis) below which its speed and course are compared
/// with AIS; a fresh track's velocity is a guess.
const VELOCITY_KNOWN_SIGMA_MPS: f64 = 2.0;

/// Below this speed a course means nothing.
const MOVING_MPS: f64 = 1.0;

/// A vessel heard on AIS.
#[derive(Debug, Clone, PartialEq)]
pub struct AisTarget {
    /// MMSI.
    pub mmsi: u32,
    /// Time of the latest position fix.
    pub t: Time,
    /// Position east, north in the local frame, metres.
    pub position: Vector2<f64>,
    /// Latitude, degrees.
    pub lat_deg: f64,
    /// Longitude, degrees.
    pub lon_deg: f64,
    /// Speed over ground, m/s.
    pub speed_mps: Option<f64>,
    /// Course over ground, degrees.
    pub course_deg: Option<f64>,
    /// Ship name (type 5).
    pub shipname: Option<String>,
    /// Call sign (type 5).
    pub callsign: Option<String>,
    /// Ship and cargo type (type 5).
    pub shiptype: Option<u8>,
}

impl AisTarget {
    /// Velocity east, north (zero when not reported), m/s.
    pub fn velocity(&self) -> Vector2<f64> {
        match (self.speed_mps, self.course_deg) {
            (Some(s), Some(c)) => {
                let (sin, cos) = c.to_radians().sin_cos();
                Vector2::new(s * sin, s * cos)
            }
            _ => Vector2::zeros(),
        }
    }
}

/// The AIS picture: the latest of every vessel heard.
#[derive(Debug, Clone, Default)]
pub struct AisPicture {
    targets: HashMap<u32, AisTarget>,
    /// Static data heard before any position, kept until the position comes.
    statics: HashMap<u32, AisStatic>,
}

impl AisPicture {
    /// An empty picture.
    pub fn new() -> Self {
        Self::default()
    }

    /// Takes in a position report. Reports older than the one held are ignored.
    pub fn update_position(&mut self, report: &AisPosition, frame: &LocalFrame) {
        let (east, north) = frame.to_east_north(borderfuse_common::geo::Geodetic::new(
            report.lat_deg,
            report.lon_deg,
        ));
        let statics = self.statics.remove(&report.mmsi);
        let target = self
            .targets
            .entry(report.mmsi)
            .or_insert_with(|| AisTarget {
                mmsi: report.mmsi,
                t: f64::NEG_INFINITY,
                position: Vector2::zeros(),
                lat_deg: 0.0,
                lon_deg: 0.0,
                speed_mps: None,
                course_deg: None,
                shipname: None,
                callsign: None,
                shiptype: None,
            });
        if let Some(s) = statics {
            target.shipname = Some(s.shipname);
            target.callsign = Some(s.callsign);
            target.shiptype = Some(s.shiptype);
        }
        if report.t < target.t {
            return;
        }
        target.t = report.t;
        target.position = Vector2::new(east, north);
        target.lat_deg = report.lat_deg;
        target.lon_deg = report.lon_deg;
        target.speed_mps = report.speed_kn.map(|s| s * KNOT_MPS);
        target.course_deg = report.course_deg;
        self.enforce_bound();
    }

    /// Takes in static data.
    pub fn update_static(&mut self, report: &AisStatic) {
        match self.targets.get_mut(&report.mmsi) {
            Some(target) => {
                target.shipname = Some(report.shipname.clone());
                target.callsign = Some(report.callsign.clone());
                target.shiptype = Some(report.shiptype);
            }
            None => {
                self.statics.insert(report.mmsi, report.clone());
                if self.statics.len() > MAX_AIS_TARGETS {
                    // Static data without positions is the least useful: forget any one.
                    if let Some(&mmsi) = self.statics.keys().next() {
                        self.statics.remove(&mmsi);
                    }
                }
            }
        }
    }

    /// The target with this MMSI.
    pub fn get(&self, mmsi: u32) -> Option<&AisTarget> {
        self.targets.get(&mmsi)
    }

    /// All targets.
    pub fn targets(&self) -> impl Iterator<Item = &AisTarget> {
        self.targets.values()
    }

    /// Number of targets.
    pub fn len(&self) -> usize {
        self.targets.len()
    }

    /// Whether no vessel has been heard.
    pub fn is_empty(&self) -> bool {
        self.targets.is_empty()
    }

    /// Forgets vessels not heard for half an hour.
    pub fn prune(&mut self, now: Time) {
        self.targets.retain(|_, t| now - t.t <= TARGET_RETENTION_S);
    }

    fn enforce_bound(&mut self) {
        if self.targets.len() <= MAX_AIS_TARGETS {
            return;
        }
        if let Some(stalest) = self
            .targets
            .values()
            .min_by(|a, b| a.t.total_cmp(&b.t))
            .map(|t| t.mmsi)
        {
            self.targets.remove(&stalest);
        }
    }
}

/// What association changed.
#[derive(Debug, Clone, PartialEq)]
pub enum AisEvent {
    /// A track took an AIS identity.
    Bound {
        /// The track.
        track: u64,
        /// The vessel.
        mmsi: u32,
    },
    /// A track and its AIS identity diverged and were split.
    Split {
        /// The track.
        track: u64,
        /// The vessel.
        mmsi: u32,
        /// Distance between them at the AIS fix time, metres.
        distance_m: f64,
    },
}

/// Associates radar tracks with AIS targets.
#[derive(Debug, Clone)]
pub struct AisAssociator {
    config: AisFusionConfig,
}

impl AisAssociator {
    /// An associator with these gates.
    pub fn new(config: &AisFusionConfig) -> Self {
        AisAssociator {
            config: config.clone(),
        }
    }

    /// Normalised distance (≤ 1 inside the gates) between a track and an AIS target at the
    /// target's fix time, or `None` when outside a gate. Also returns the distance in metres.
    fn match_score(
        &self,
        tracker: &Tracker,
        track: &Track,
        target: &AisTarget,
    ) -> Option<(f64, f64)> {
        let at_fix = tracker.predict(track, target.t);
        let distance = (at_fix.position() - target.position).norm();
        let gate = self.config.gate_m + self.config.gate_growth_mps * (track.t - target.t).abs();
        if distance > gate {
            return None;
        }
        let vel_cov = at_fix.velocity_covariance();
        let velocity_known =
            vel_cov[(0, 0)].max(vel_cov[(1, 1)]).sqrt() <= VELOCITY_KNOWN_SIGMA_MPS;
        if velocity_known && let Some(ais_speed) = target.speed_mps {
            let track_speed = at_fix.velocity().norm();
            if (track_speed - ais_speed).abs() > self.config.speed_gate_mps {
                return None;
            }
            if let Some(ais_course) = target.course_deg
                && track_speed > MOVING_MPS
                && ais_speed > MOVING_MPS
            {
                let v = at_fix.velocity();
                let track_course = borderfuse_common::geo::bearing_deg(v.x, v.y);
                let diff = (track_course - ais_course + 540.0).rem_euclid(360.0) - 180.0;
                if diff.abs() > self.config.course_gate_deg {
                    return None;
                }
            }
        }
        Some((distance / gate, distance))
    }

    /// Checks existing bindings and makes new ones at time `now`.
    pub fn associate(
        &self,
        tracker: &mut Tracker,
        picture: &AisPicture,
        now: Time,
    ) -> Vec<AisEvent> {
        let max_age = self.config.max_report_age_s;
        let mut events = Vec::new();
        let fresh = |target: &AisTarget| now - target.t <= max_age;

        // 1. Existing bindings: refresh on a consistent new report, split on divergence.
        let snapshot: Vec<Track> = tracker.tracks().to_vec();
        let mut updates: Vec<(usize, Option<AisBinding>)> = Vec::new();
        for (i, track) in snapshot.iter().enumerate() {
            let Some(binding) = track.ais else { continue };
            let Some(target) = picture.get(binding.mmsi) else {
                continue;
            };
            if !fresh(target) || target.t <= binding.last_match {
                continue;
            }
            match self.match_score(tracker, track, target) {
                Some(_) => updates.push((
                    i,
                    Some(AisBinding {
                        last_match: target.t,
                        ..binding
                    }),
                )),
                None => {
                    let at_fix = tracker.predict(track, target.t);
                    events.push(AisEvent::Split {
                        track: track.id,
                        mmsi: binding.mmsi,
                        distance_m: (at_fix.position() - target.position).norm(),
                    });
                    updates.push((i, None));
                }
            }
        }
        for (i, binding) in updates {
            tracker.tracks_mut()[i].ais = binding;
        }

        // 2. Unbound tracks × unbound fresh targets: optimal one-to-one assignment.
        let bound: std::collections::HashSet<u32> = tracker
            .tracks()
            .iter()
            .filter_map(|t| t.ais.map(|b| b.mmsi))
            .collect();
        let targets: Vec<&AisTarget> = picture
            .targets()
            .filter(|t| fresh(t) && !bound.contains(&t.mmsi))
            .collect();
        let free: Vec<usize> = tracker
            .tracks()
            .iter()
            .enumerate()
            .filter(|(_, t)| t.ais.is_none())
            .map(|(i, _)| i)
            .collect();
        if targets.is_empty() || free.is_empty() {
            return events;
        }
        let n_targets = targets.len();
        let mut cost = vec![f64::INFINITY; free.len() * n_targets];
        let mut any = false;
        for (r, &i) in free.iter().enumerate() {
            for (c, target) in targets.iter().enumerate() {
                if let Some((score, _)) = self.match_score(tracker, &tracker.tracks()[i], target) {
                    cost[r * n_targets + c] = score;
                    any = true;
                }
            }
        }
        if !any {
            return events;
        }
        let rows = free.len();
        let Ok(assignment) = min_cost_assignment(rows, n_targets + rows, |r, c| {
            if c < n_targets {
                cost[r * n_targets + c]
            } else if c - n_targets == r {
                1.0
            } else {
                f64::INFINITY
            }
        }) else {
            return events;
        };
        for (r, &c) in assignment.iter().enumerate() {
            if c >= n_targets || !cost[r * n_targets + c].is_finite() {
                continue;
            }
            let target = targets[c];
            let track = &mut tracker.tracks_mut()[free[r]];
            track.ais = Some(AisBinding {
                mmsi: target.mmsi,
                since: now,
                last_match: target.t,
            });
            events.push(AisEvent::Bound {
                track: track.id,
                mmsi: target.mmsi,
            });
        }
        events
    }
}
