//! `dark_target`: a confirmed radar track with no AIS for a configurable time, inside AIS
//! coverage. Vessels over 300 GT and all passenger ships must transmit AIS (SOLAS V/19); a
//! boat that radar sees but that says nothing, where AIS would be heard, is the smuggler's
//! signature.

use super::{Alert, AlertKind, AlertState, Identity, round_to};
use crate::config::DarkTargetConfig;
use crate::decode::Time;
use crate::fuse::{AisPicture, Track, TrackId, TrackStatus};
use borderfuse_common::geo::LocalFrame;
use nalgebra::Vector2;
use serde_json::json;
use std::collections::HashSet;

/// An AIS receiver's coverage: a disc around it.
#[derive(Debug, Clone, PartialEq)]
pub struct AisCoverage {
    /// Receiver name.
    pub name: String,
    /// Position east, north, m.
    pub position: Vector2<f64>,
    /// Radius, m.
    pub range_m: f64,
}

/// The rule and what it has raised.
#[derive(Debug, Clone)]
pub struct DarkTargetRule {
    config: DarkTargetConfig,
    coverage: Vec<AisCoverage>,
    /// Tracker sensor names, by sensor id.
    sensor_names: Vec<String>,
    /// Tracks already alerted on: one alert per dark track, not one per scan.
    raised: HashSet<TrackId>,
}

impl DarkTargetRule {
    /// The rule with AIS coverage, and the tracker's sensor names (by sensor id) for evidence.
    pub fn new(
        config: &DarkTargetConfig,
        coverage: Vec<AisCoverage>,
        sensor_names: Vec<String>,
    ) -> Self {
        DarkTargetRule {
            config: config.clone(),
            coverage,
            sensor_names,
            raised: HashSet::new(),
        }
    }

    /// Forgets a deleted track.
    pub fn forget(&mut self, track: TrackId) {
        self.raised.remove(&track);
    }

    /// Alerts for tracks that have been dark for long enough at time `now`.
    pub fn evaluate(
        &mut self,
        now: Time,
        tracks: &[Track],
        picture: &AisPicture,
        frame: &LocalFrame,
    ) -> Vec<Alert> {
        if !self.config.enabled {
            return Vec::new();
        }
        let mut alerts = Vec::new();
        for track in tracks {
            let (TrackStatus::Confirmed, Some(confirmed_at)) = (track.status, track.confirmed_at)
            else {
                continue;
            };
            if self.raised.contains(&track.id) {
                continue;
            }
            // Dark since it was confirmed, or since the last AIS report that matched it.
            let dark_since = track
                .ais
                .map_or(confirmed_at, |b| b.last_match.max(confirmed_at));
            let dark_for = now - dark_since;
            if dark_for < self.config.after_s {
                continue;
            }
            let position = track.estimate.position();
            let covering: Vec<&str> = self
                .coverage
                .iter()
                .filter(|c| (position - c.position).norm() <= c.range_m)
                .map(|c| c.name.as_str())
                .collect();
            if covering.is_empty() {
                continue;
            }
            self.raised.insert(track.id);
            let at = frame.from_east_north(position.x, position.y, 0.0);
            let nearest = picture
                .targets()
                .map(|t| (t, (t.position - position).norm()))
                .min_by(|a, b| a.1.total_cmp(&b.1))
                .map(|(t, d)| {
                    json!({
                        "mmsi": t.mmsi,
                        "shipname": t.shipname,
                        "distance_m": round_to(d, 1.0),
                        "report_age_s": round_to(now - t.t, 0.1),
                    })
                });
            let sensors: Vec<&str> = self
                .sensor_names
                .iter()
                .enumerate()
                .filter(|(i, _)| *i < 64 && track.sensors & (1u64 << i) != 0)
                .map(|(_, n)| n.as_str())
                .collect();
            let p = track.estimate.position_covariance();
            alerts.push(Alert {
                id: uuid::Uuid::new_v4().to_string(),
                revision: 0,
                state: AlertState::Raised,
                kind: AlertKind::DarkTarget,
                severity: self.config.severity,
                time: now,
                raised: now,
                first_seen: track.created,
                lat: at.lat_deg,
                lon: at.lon_deg,
                track_id: Some(track.id),
                identity: Identity::default(),
                evidence: json!({
                    "sensors": sensors,
                    "ais_coverage": covering,
                    "dark_for_s": round_to(dark_for, 0.1),
                    "threshold_s": self.config.after_s,
                    "track": {
                        "confirmed_at": super::rfc3339(confirmed_at),
                        "last_update": super::rfc3339(track.t),
                        "updates": track.updates,
                        "speed_kn": round_to(track.speed_mps() / crate::fuse::ais::KNOT_MPS, 0.1),
                        "course_deg": round_to(track.course_deg(), 0.1),
                        "sigma_position_m": round_to((p[(0, 0)] + p[(1, 1)]).sqrt(), 0.1),
                    },
                    "last_ais": track.ais.map(|b| json!({"mmsi": b.mmsi, "last_match": super::rfc3339(b.last_match)})),
                    "nearest_ais": nearest,
                }),
            });
        }
        alerts
    }
}
