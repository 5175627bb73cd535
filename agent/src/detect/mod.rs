//! Detect: rules that turn tracks and AIS into alerts.
//!
//! Each rule is a small module with its config struct (in [`config`]), fed the fused picture
//! after every radar scan ([`scene::Scene`]), AIS reports as they arrive, and the clock; all
//! of them together are [`Rules`], which the pipeline drives. A situation is one alert with
//! one id, raised once, updated when something material changed (at most every
//! `rules.update_interval_s`), cleared when it ends ([`lifecycle`]): a boat that stays dark
//! gives one alert and its updates, not one alert per scan.
//!
//! | rule | module | situation |
//! |---|---|---|
//! | `dark_target` | [`dark_target`] | a confirmed radar track without AIS inside coverage |
//! | `ais_gap` | [`ais_gap`] | a vessel silent longer than ITU-R M.1371 allows, still held |
//! | `ais_spoofing` | [`ais_spoofing`] | invalid MMSI, implausible jump, duplicate MMSI, AIS contradicted by radar |
//! | `zone_entry` | [`zone`] | a track inside a zone, or across a border line (with direction) |
//! | `loitering` | [`loitering`] | slow for long inside a zone |
//! | `rendezvous` | [`rendezvous`] | two tracks close for long away from ports |
//!
//! `plate_hotlist`, `plate_clone` and `repeat_crossing` are raised by the plate engine
//! ([`crate::plates`]), one alert per event (no update or clear).

pub mod ais_gap;
pub mod ais_spoofing;
pub mod config;
pub mod dark_target;
pub mod engine;
pub mod geometry;
pub mod lifecycle;
pub mod loitering;
pub mod rendezvous;
pub mod scene;
#[cfg(test)]
mod testkit;
pub mod zone;

use crate::decode::Time;
use crate::fuse::TrackId;
pub use config::{RulesConfig, Severity};
use serde::Serialize;

pub use dark_target::DarkTargetRule;
pub use engine::{RuleStats, Rules};

/// Version of the alert payload schema, carried in every alert.
pub const ALERT_SCHEMA: &str = "borderfuse.alert/1";

/// The kinds of alert (DESIGN.md: alert kinds).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AlertKind {
    /// A confirmed radar track without AIS inside AIS coverage.
    DarkTarget,
    /// A vessel that was transmitting AIS fell silent while still held.
    AisGap,
    /// AIS that cannot be true: invalid or duplicated MMSI, implausible jump, position
    /// contradicted by radar.
    AisSpoofing,
    /// A track entered a configured zone or crossed a border line.
    ZoneEntry,
    /// A track slow for long inside a configured zone.
    Loitering,
    /// Two tracks close together for long away from port.
    Rendezvous,
    /// A plate read matched the hashed watchlist ([`crate::plates`]).
    PlateHotlist,
    /// The same plate at two checkpoints closer in time than the road allows.
    PlateClone,
    /// A plate crossing more often than allowed within a window.
    RepeatCrossing,
}

impl AlertKind {
    /// Every kind the rules and the plate engine raise.
    pub const ALL: [AlertKind; 9] = [
        AlertKind::DarkTarget,
        AlertKind::AisGap,
        AlertKind::AisSpoofing,
        AlertKind::ZoneEntry,
        AlertKind::Loitering,
        AlertKind::Rendezvous,
        AlertKind::PlateHotlist,
        AlertKind::PlateClone,
        AlertKind::RepeatCrossing,
    ];

    /// The name used in topics and payloads.
    pub fn as_str(&self) -> &'static str {
        match self {
            AlertKind::DarkTarget => "dark_target",
            AlertKind::AisGap => "ais_gap",
            AlertKind::AisSpoofing => "ais_spoofing",
            AlertKind::ZoneEntry => "zone_entry",
            AlertKind::Loitering => "loitering",
            AlertKind::Rendezvous => "rendezvous",
            AlertKind::PlateHotlist => "plate_hotlist",
            AlertKind::PlateClone => "plate_clone",
            AlertKind::RepeatCrossing => "repeat_crossing",
        }
    }
}

/// Where an alert is in its life. A situation gives one alert id: raised once, updated while
/// it lasts (position, evidence), cleared when it ends; receivers keep the latest revision.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AlertState {
    /// First report of the situation.
    Raised,
    /// The situation goes on; something about it changed.
    Updated,
    /// The situation is over (the vessel transmits again, left the zone, the track ended).
    Cleared,
}

/// Who the alert is about, as far as the post knows.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Identity {
    /// AIS MMSI.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mmsi: Option<u32>,
    /// AIS ship name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// AIS call sign.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub callsign: Option<String>,
    /// IMO number.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub imo: Option<u32>,
    /// Licence plate in clear, as read at the post (the sharing policy decides whether it
    /// leaves the post, and then usually only as a keyed hash).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub plate: Option<String>,
}

impl Identity {
    /// Whether nothing is known.
    pub fn is_empty(&self) -> bool {
        *self == Identity::default()
    }
}

/// An alert as raised by a rule.
#[derive(Debug, Clone, PartialEq)]
pub struct Alert {
    /// Unique id of the situation, the same across its updates, so receivers can drop
    /// duplicates and replace older revisions.
    pub id: String,
    /// Revision: 0 when raised, +1 at every update and at the clearing.
    pub revision: u32,
    /// Where it is in its life.
    pub state: AlertState,
    /// What kind.
    pub kind: AlertKind,
    /// How urgent.
    pub severity: Severity,
    /// When this revision was issued (data time, UTC).
    pub time: Time,
    /// When the alert was first raised.
    pub raised: Time,
    /// When the situation began (e.g. when the track was confirmed).
    pub first_seen: Time,
    /// Where, latitude.
    pub lat: f64,
    /// Where, longitude.
    pub lon: f64,
    /// The track it is about.
    pub track_id: Option<TrackId>,
    /// Who, where known.
    pub identity: Identity,
    /// Why: sensors, measurements, numbers behind the decision.
    pub evidence: serde_json::Value,
}

/// The alert payload as published (JSON).
#[derive(Debug, Serialize)]
pub struct AlertPayload<'a> {
    /// [`ALERT_SCHEMA`].
    pub schema: &'static str,
    /// Unique id of the situation.
    pub id: &'a str,
    /// Revision of this alert (0 when raised).
    pub revision: u32,
    /// raised, updated or cleared.
    pub state: AlertState,
    /// Kind.
    pub kind: AlertKind,
    /// Severity.
    pub severity: Severity,
    /// When this revision was issued, RFC 3339 UTC.
    pub time: String,
    /// When first raised, RFC 3339 UTC.
    pub raised: String,
    /// When the situation began, RFC 3339 UTC.
    pub first_seen: String,
    /// ISO country of the post.
    pub country: &'a str,
    /// Post id.
    pub post: &'a str,
    /// Latitude, degrees.
    pub lat: f64,
    /// Longitude, degrees.
    pub lon: f64,
    /// Track id at this post.
    pub track_id: Option<TrackId>,
    /// Who, where known (absent when nothing is).
    #[serde(skip_serializing_if = "Identity::is_empty")]
    pub identity: &'a Identity,
    /// Evidence.
    pub evidence: &'a serde_json::Value,
}

impl Alert {
    /// The payload of this alert from post `post` of `country`.
    pub fn payload<'a>(&'a self, country: &'a str, post: &'a str) -> AlertPayload<'a> {
        AlertPayload {
            schema: ALERT_SCHEMA,
            id: &self.id,
            revision: self.revision,
            state: self.state,
            kind: self.kind,
            severity: self.severity,
            time: rfc3339(self.time),
            raised: rfc3339(self.raised),
            first_seen: rfc3339(self.first_seen),
            country,
            post,
            lat: round_to(self.lat, 1e-6),
            lon: round_to(self.lon, 1e-6),
            track_id: self.track_id,
            identity: &self.identity,
            evidence: &self.evidence,
        }
    }
}

/// `t` as RFC 3339 UTC with milliseconds; times before 1970 or absurdly far in the future
/// print as the epoch rather than panic.
pub fn rfc3339(t: Time) -> String {
    let d = if t.is_finite() && (0.0..1e11).contains(&t) {
        std::time::Duration::from_secs_f64(t)
    } else {
        std::time::Duration::ZERO
    };
    humantime::format_rfc3339_millis(std::time::UNIX_EPOCH + d).to_string()
}

/// Rounds `v` to a multiple of `step` (positions to ~0.1 m keep payloads short).
pub fn round_to(v: f64, step: f64) -> f64 {
    // Dividing by the scale, not multiplying by the step: 37_700_000 × 1e-6 is
    // 37.699999999999996, 37_700_000 / 1e6 is 37.7, the double a reader expects.
    let scale = step.recip();
    (v * scale).round() / scale
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rounding_gives_the_double_nearest_the_decimal() {
        assert_eq!(round_to(37.7, 1e-6), 37.7);
        assert_eq!(round_to(37.700_000_4, 1e-6), 37.7);
        assert_eq!(round_to(26.123_456_7, 1e-6), 26.123_457);
        assert_eq!(round_to(12.34, 0.1), 12.3);
        assert_eq!(round_to(-0.05, 0.1), -0.1);
    }

    #[test]
    fn kind_names_are_the_snake_case_of_the_design() {
        for kind in AlertKind::ALL {
            let json = serde_json::to_value(kind).unwrap();
            assert_eq!(json, kind.as_str());
        }
        let names: Vec<&str> = AlertKind::ALL.iter().map(AlertKind::as_str).collect();
        assert_eq!(
            names,
            [
                "dark_target",
                "ais_gap",
                "ais_spoofing",
                "zone_entry",
                "loitering",
                "rendezvous",
                "plate_hotlist",
                "plate_clone",
                "repeat_crossing"
            ]
        );
    }
}
