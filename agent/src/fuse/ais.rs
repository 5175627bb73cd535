//! The AIS picture: every vessel heard, by MMSI, with its latest position report and static
//! data. The tracker fuses AIS reports as measurements and binds identities to tracks
//! ([`super::tracker`]); this picture answers "who is MMSI 239123000, and where did it last
//! say it was" for evidence and rules.

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
    /// Ship name (type 5, 19 or 24 A).
    pub shipname: Option<String>,
    /// Call sign (type 5 or 24 B).
    pub callsign: Option<String>,
    /// Ship and cargo type (type 5, 19 or 24 B).
    pub shiptype: Option<u8>,
}

impl AisTarget {
    /// Takes what `report` carries; what it leaves out stays as known.
    fn take_static(&mut self, report: AisStatic) {
        if report.shipname.is_some() {
            self.shipname = report.shipname;
        }
        if report.callsign.is_some() {
            self.callsign = report.callsign;
        }
        if report.shiptype.is_some() {
            self.shiptype = report.shiptype;
        }
    }

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
            target.take_static(s);
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
            Some(target) => target.take_static(report.clone()),
            None => {
                // Class B sends its static data in parts: keep what each part adds.
                match self.statics.get_mut(&report.mmsi) {
                    Some(known) => {
                        known.t = report.t;
                        known.shipname = report.shipname.clone().or(known.shipname.take());
                        known.callsign = report.callsign.clone().or(known.callsign.take());
                        known.shiptype = report.shiptype.or(known.shiptype);
                    }
                    None => {
                        self.statics.insert(report.mmsi, report.clone());
                    }
                }
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
