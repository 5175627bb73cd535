//! What the rules look at: the post's sensors (names, AIS coverage), and at each evaluation
//! the fused picture (tracks, indexed by id and by bound MMSI) and the AIS picture.

use super::lifecycle::Issuer;
use super::{Identity, rfc3339, round_to};
use crate::decode::Time;
use crate::fuse::ais::KNOT_MPS;
use crate::fuse::{AisPicture, Track, TrackId};
use nalgebra::Vector2;
use serde_json::json;
use std::collections::HashMap;

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

/// The post as the rules know it.
#[derive(Debug, Clone)]
pub struct Context {
    /// Issues alerts (ids, positions, update policy).
    pub issuer: Issuer,
    /// AIS receivers' coverage.
    pub coverage: Vec<AisCoverage>,
    /// Tracker sensor names, by sensor id.
    pub sensor_names: Vec<String>,
}

impl Context {
    /// Names of the sensors that contributed to `track`.
    pub fn sensors_of(&self, track: &Track) -> Vec<&str> {
        self.sensor_names
            .iter()
            .enumerate()
            .filter(|(i, _)| *i < 64 && track.sensors & (1u64 << i) != 0)
            .map(|(_, n)| n.as_str())
            .collect()
    }

    /// Names of the AIS receivers whose coverage holds `p`.
    pub fn covering(&self, p: Vector2<f64>) -> Vec<&str> {
        self.coverage
            .iter()
            .filter(|c| (p - c.position).norm() <= c.range_m)
            .map(|c| c.name.as_str())
            .collect()
    }

    /// Whether some AIS receiver covers `p`.
    pub fn in_coverage(&self, p: Vector2<f64>) -> bool {
        self.coverage
            .iter()
            .any(|c| (p - c.position).norm() <= c.range_m)
    }

    /// The numbers of a track that back an alert about it.
    pub fn track_evidence(&self, track: &Track) -> serde_json::Value {
        let p = track.estimate.position_covariance();
        json!({
            "sensors": self.sensors_of(track),
            "created": rfc3339(track.created),
            "confirmed_at": track.confirmed_at.map(rfc3339),
            "last_update": rfc3339(track.t),
            "last_radar_update": track.last_radar_update.map(rfc3339),
            "last_ais_update": track.last_ais_update.map(rfc3339),
            "updates": track.updates,
            "speed_kn": round_to(track.speed_mps() / KNOT_MPS, 0.1),
            "course_deg": round_to(track.course_deg(), 0.1),
            "sigma_position_m": round_to((p[(0, 0)] + p[(1, 1)]).sqrt(), 0.1),
            "ais": track.ais.map(|b| json!({"mmsi": b.mmsi, "last_match": rfc3339(b.last_match)})),
        })
    }
}

/// Who MMSI `mmsi` is, from the AIS picture.
pub fn identity_of_mmsi(picture: &AisPicture, mmsi: u32) -> Identity {
    let target = picture.get(mmsi);
    Identity {
        mmsi: Some(mmsi),
        name: target.and_then(|t| t.shipname.clone()),
        callsign: target.and_then(|t| t.callsign.clone()),
        ..Identity::default()
    }
}

/// Who a track is: its bound vessel, if any.
pub fn identity_of(picture: &AisPicture, track: &Track) -> Identity {
    track
        .ais
        .map_or_else(Identity::default, |b| identity_of_mmsi(picture, b.mmsi))
}

/// Whether a track's numbers are usable (a diverged filter must not put NaN in an alert).
pub fn usable(track: &Track) -> bool {
    let p = track.estimate.position();
    let v = track.estimate.velocity();
    p.x.is_finite() && p.y.is_finite() && v.x.is_finite() && v.y.is_finite() && track.t.is_finite()
}

/// The maps a [`Scene`] looks tracks up in, kept between evaluations so that they allocate
/// only when the picture grows.
#[derive(Debug, Clone, Default)]
pub struct SceneIndex {
    by_id: HashMap<TrackId, usize>,
    by_mmsi: HashMap<u32, usize>,
}

impl SceneIndex {
    /// The scene at `now` of `tracks` and `picture`.
    pub fn scene<'a>(
        &'a mut self,
        now: Time,
        tracks: &'a [Track],
        picture: &'a AisPicture,
    ) -> Scene<'a> {
        self.by_id.clear();
        self.by_mmsi.clear();
        for (i, t) in tracks.iter().enumerate() {
            self.by_id.insert(t.id, i);
            if let Some(b) = t.ais {
                self.by_mmsi.insert(b.mmsi, i);
            }
        }
        Scene {
            now,
            tracks,
            picture,
            index: self,
        }
    }
}

/// The picture at one evaluation.
#[derive(Debug, Clone, Copy)]
pub struct Scene<'a> {
    /// Time of the evaluation (data time, UTC).
    pub now: Time,
    /// Live tracks.
    pub tracks: &'a [Track],
    /// The AIS picture.
    pub picture: &'a AisPicture,
    index: &'a SceneIndex,
}

impl<'a> Scene<'a> {
    /// The live track `id`.
    pub fn track(&self, id: TrackId) -> Option<&'a Track> {
        self.index.by_id.get(&id).and_then(|&i| self.tracks.get(i))
    }

    /// Whether track `id` is alive.
    pub fn alive(&self, id: TrackId) -> bool {
        self.index.by_id.contains_key(&id)
    }

    /// The live track bound to MMSI `mmsi`.
    pub fn track_of_mmsi(&self, mmsi: u32) -> Option<&'a Track> {
        self.index
            .by_mmsi
            .get(&mmsi)
            .and_then(|&i| self.tracks.get(i))
    }
}
