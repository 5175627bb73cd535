//! A small world for the rules' unit tests: a real tracker fed synthetic radar plots and AIS
//! reports, an AIS picture, and the post's context (radar and AIS receiver at the origin).

use super::lifecycle::Issuer;
use super::scene::{AisCoverage, Context, Scene, SceneIndex};
use super::{Alert, AlertKind, AlertState};
use crate::config::{AisFusionConfig, TrackerConfig};
use crate::decode::{AisPosition, Time};
use crate::fuse::kalman::MeasurementModel;
use crate::fuse::{
    AisPicture, Detection, ReportedMotion, ScanReport, SensorInfo, SensorKind, Tracker,
};
use borderfuse_common::geo::{Geodetic, LocalFrame};
use nalgebra::Vector2;

/// A moment in the tests' day (2025-11-28 12:00 UTC).
pub const T0: Time = 1_764_331_200.0;

/// Radar range of the test world, m.
pub const RADAR_RANGE_M: f64 = 20_000.0;
/// AIS coverage of the test world, m.
pub const AIS_RANGE_M: f64 = 40_000.0;

/// Tracker, AIS picture and context.
pub struct World {
    pub tracker: Tracker,
    pub picture: AisPicture,
    pub ctx: Context,
    pub index: SceneIndex,
    pub frame: LocalFrame,
}

impl World {
    /// Radar (sensor 0) and AIS receiver (sensor 1) at the origin; default tracker.
    pub fn new() -> Self {
        let frame = LocalFrame::new(Geodetic::new(37.70, 27.00));
        let sensors = vec![
            SensorInfo {
                name: "radar".into(),
                kind: SensorKind::Radar,
                coverage: Some((Vector2::zeros(), RADAR_RANGE_M)),
            },
            SensorInfo {
                name: "ais".into(),
                kind: SensorKind::Ais,
                coverage: Some((Vector2::zeros(), AIS_RANGE_M)),
            },
        ];
        World {
            tracker: Tracker::new(
                &TrackerConfig::default(),
                &AisFusionConfig::default(),
                sensors,
            ),
            picture: AisPicture::new(),
            ctx: Context {
                issuer: Issuer::new("GR", "unit", frame, 60.0, 250.0),
                coverage: vec![AisCoverage {
                    name: "ais".into(),
                    position: Vector2::zeros(),
                    range_m: AIS_RANGE_M,
                }],
                sensor_names: vec!["radar".into(), "ais".into()],
            },
            index: SceneIndex::default(),
            frame,
        }
    }

    /// A radar scan at `t` detecting targets at `positions` (east, north).
    pub fn radar(&mut self, t: Time, positions: &[(f64, f64)]) -> ScanReport {
        let dets: Vec<Detection> = positions
            .iter()
            .map(|&(x, y)| Detection {
                t,
                sensor: 0,
                z: Vector2::new(x.hypot(y), x.atan2(y)),
                model: MeasurementModel::range_bearing(Vector2::zeros(), 10.0, 0.2f64.to_radians()),
                mmsi: None,
                motion: None,
            })
            .collect();
        self.tracker.process_scan(t, &dets, &[0])
    }

    /// The AIS position report of `mmsi` at `t` from (`x`, `y`), moving at `speed_kn` on
    /// `course_deg`.
    pub fn ais_report(
        &self,
        t: Time,
        mmsi: u32,
        x: f64,
        y: f64,
        speed_kn: f64,
        course_deg: f64,
    ) -> AisPosition {
        let g = self.frame.from_east_north(x, y, 0.0);
        AisPosition {
            t,
            t_received: t,
            receiver: 0,
            mmsi,
            lat_deg: g.lat_deg,
            lon_deg: g.lon_deg,
            speed_kn: Some(speed_kn),
            course_deg: Some(course_deg),
            heading_deg: None,
            accuracy: true,
            class: crate::decode::AisClass::A,
        }
    }

    /// Takes in an AIS report: the picture, then the tracker (as its receiver's scan).
    pub fn ais(&mut self, report: &AisPosition) -> ScanReport {
        self.picture.update_position(report, &self.frame);
        let (x, y) = self
            .frame
            .to_east_north(Geodetic::new(report.lat_deg, report.lon_deg));
        let det = Detection {
            t: report.t,
            sensor: 1,
            z: Vector2::new(x, y),
            model: MeasurementModel::position(5.0),
            mmsi: Some(report.mmsi),
            motion: report.speed_kn.map(|s| ReportedMotion {
                speed_mps: s * crate::fuse::ais::KNOT_MPS,
                course_deg: report.course_deg,
            }),
        };
        self.tracker.process_scan(report.t, &[det], &[1])
    }

    /// Runs `f` on the scene at `now`.
    pub fn eval<R>(&mut self, now: Time, f: impl FnOnce(&Context, &Scene<'_>) -> R) -> R {
        let scene = self.index.scene(now, self.tracker.tracks(), &self.picture);
        f(&self.ctx, &scene)
    }
}

/// The alerts of `kind` in `alerts`, as (state, revision).
pub fn states(alerts: &[Alert], kind: AlertKind) -> Vec<(AlertState, u32)> {
    alerts
        .iter()
        .filter(|a| a.kind == kind)
        .map(|a| (a.state, a.revision))
        .collect()
}
