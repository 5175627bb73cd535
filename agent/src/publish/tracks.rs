//! The fused picture as messages to `borderfuse/v1/{country}/{post}/tracks`: the confirmed
//! tracks with position, motion, uncertainty and AIS identity where bound.
//!
//! The payload is the *batch* form of `schemas/track.schema.json`:
//!
//! ```json
//! {"schema":"borderfuse.tracks/1","country":"GR","post":"samos-east",
//!  "time":"2025-11-28T12:00:05.000Z",
//!  "tracks":[{"id":12,"time":"2025-11-28T12:00:04.500Z","lat":37.712345,"lon":26.998765,
//!             "speed_kn":10.1,"course_deg":87.5,"sigma_m":18.3,
//!             "identity":{"mmsi":237000001,"name":"AGIOS NIKOLAOS","callsign":"SV1234"}}]}
//! ```
//!
//! A picture of more than `mqtt.tracks_per_message` tracks is split into several messages
//! with the same `time`. Each is signed, and plates hashed, by the sharing [`Policy`].

use super::mqtt::SCHEMA_PROPERTY;
use super::outbox::{Class, Message};
use crate::config::Config;
use crate::detect::{rfc3339, round_to};
use crate::fuse::{AisPicture, Track, TrackStatus, Tracker};
use crate::share::Policy;
use borderfuse_common::geo::LocalFrame;
use serde::Serialize;

/// Version of the tracks payload schema.
pub const TRACKS_SCHEMA: &str = "borderfuse.tracks/1";

/// Who a track is, from the AIS identity bound to it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TrackIdentity {
    /// MMSI.
    pub mmsi: u32,
    /// Ship name, when heard (AIS type 5 or 24).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Call sign, when heard.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub callsign: Option<String>,
}

/// One track as published.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TrackEntry {
    /// Track id at this post.
    pub id: u64,
    /// Latitude, degrees.
    pub lat: f64,
    /// Longitude, degrees.
    pub lon: f64,
    /// Speed over ground, knots.
    pub speed_kn: f64,
    /// Course over ground, degrees from true north, clockwise, in [0, 360).
    pub course_deg: f64,
    /// Position uncertainty: the root of the position covariance's trace, metres.
    pub sigma_m: f64,
    /// Time of the estimate, RFC 3339 UTC.
    pub time: String,
    /// AIS identity, when bound.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub identity: Option<TrackIdentity>,
}

#[derive(Debug, Serialize)]
struct TracksPayload<'a> {
    schema: &'static str,
    country: &'a str,
    post: &'a str,
    time: String,
    tracks: &'a [TrackEntry],
}

/// The published form of `track`, or `None` for a track whose estimate is not finite.
pub fn track_entry(track: &Track, picture: &AisPicture, frame: &LocalFrame) -> Option<TrackEntry> {
    const KNOTS_PER_MPS: f64 = 3600.0 / 1852.0;
    let p = track.estimate.position();
    let c = track.estimate.position_covariance();
    let g = frame.from_east_north(p.x, p.y, 0.0);
    let entry = TrackEntry {
        id: track.id,
        lat: round_to(g.lat_deg, 1e-6),
        lon: round_to(g.lon_deg, 1e-6),
        speed_kn: round_to(track.speed_mps() * KNOTS_PER_MPS, 0.01),
        // Rounding may give 360.0, which is 0.
        course_deg: round_to(track.course_deg(), 0.1).rem_euclid(360.0) % 360.0,
        sigma_m: round_to(c.trace().max(0.0).sqrt(), 0.1),
        time: rfc3339(track.t),
        identity: track.ais.map(|binding| {
            let target = picture.get(binding.mmsi);
            TrackIdentity {
                mmsi: binding.mmsi,
                name: target.and_then(|t| t.shipname.clone()),
                callsign: target.and_then(|t| t.callsign.clone()),
            }
        }),
    };
    [
        entry.lat,
        entry.lon,
        entry.speed_kn,
        entry.course_deg,
        entry.sigma_m,
    ]
    .iter()
    .all(|v| v.is_finite())
    .then_some(entry)
}

/// The confirmed tracks of `tracker` as messages of at most `mqtt.tracks_per_message`
/// tracks each (one message with no tracks when there are none, so receivers see the picture
/// empty). Tracks whose estimate is not finite are left out and counted in the second value.
pub fn track_messages(
    tracker: &Tracker,
    picture: &AisPicture,
    frame: &LocalFrame,
    policy: &Policy,
    config: &Config,
    now_ms: u64,
) -> (Vec<Message>, usize) {
    let mut skipped = 0;
    let entries: Vec<TrackEntry> = tracker
        .tracks()
        .iter()
        .filter(|t| t.status == TrackStatus::Confirmed)
        .filter_map(|t| {
            let e = track_entry(t, picture, frame);
            skipped += usize::from(e.is_none());
            e
        })
        .collect();
    let per = config.mqtt.tracks_per_message.max(1);
    let time = rfc3339(now_ms as f64 / 1000.0);
    let empty: [&[TrackEntry]; 1] = [&[]];
    let chunks: Vec<&[TrackEntry]> = if entries.is_empty() {
        empty.to_vec()
    } else {
        entries.chunks(per).collect()
    };
    let messages = chunks
        .into_iter()
        .enumerate()
        .filter_map(|(i, chunk)| {
            let payload = serde_json::to_value(TracksPayload {
                schema: TRACKS_SCHEMA,
                country: &config.post.country,
                post: &config.post.post,
                time: time.clone(),
                tracks: chunk,
            })
            .ok()?;
            let signed = match policy.tracks_message(payload) {
                Ok(signed) => signed,
                Err(e) => {
                    tracing::error!(error = %e, "track picture cannot be shared");
                    return None;
                }
            };
            Some(Message {
                class: Class::Track,
                topic: signed.topic,
                payload: signed.payload,
                id: format!("tracks-{now_ms}-{}", i + 1),
                created_ms: now_ms,
                expiry_s: Some(config.mqtt.track_expiry_s),
                user_properties: vec![(SCHEMA_PROPERTY.into(), TRACKS_SCHEMA.into())],
            })
        })
        .collect();
    (messages, skipped)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::{AisFusionConfig, TrackerConfig};
    use crate::fuse::kalman::MeasurementModel;
    use crate::fuse::{Detection, SensorInfo, SensorKind};
    use borderfuse_common::geo::Geodetic;
    use nalgebra::Vector2;

    const T0: f64 = 1_764_331_200.0;

    fn config(per_message: usize) -> Config {
        Config::parse(&format!(
            r#"
[post]
country = "GR"
post = "samos-east"
origin = {{ lat = 37.70, lon = 27.00 }}
[mqtt]
host = "localhost"
tracks_per_message = {per_message}
"#
        ))
        .unwrap()
    }

    /// Two vessels tracked on position plots, the second also reporting AIS.
    fn tracker() -> Tracker {
        let sensors = vec![
            SensorInfo {
                name: "radar".into(),
                kind: SensorKind::Plots,
                coverage: None,
            },
            SensorInfo {
                name: "ais".into(),
                kind: SensorKind::Ais,
                coverage: None,
            },
        ];
        let mut t = Tracker::new(
            &TrackerConfig {
                confirm_m: 3,
                confirm_n: 4,
                ..TrackerConfig::default()
            },
            &AisFusionConfig::default(),
            sensors,
        );
        for scan in 0..12u32 {
            let time = T0 + f64::from(scan) * 2.0;
            let s = f64::from(scan) * 2.0;
            let plot = |x: f64, y: f64| Detection {
                t: time,
                sensor: 0,
                z: Vector2::new(x, y),
                model: MeasurementModel::position(10.0),
                mmsi: None,
                motion: None,
            };
            t.process_scan(
                time,
                &[
                    plot(1000.0 + 5.0 * s, 2000.0),
                    plot(-3000.0, 500.0 - 4.0 * s),
                ],
                &[0],
            );
            let ais = Detection {
                t: time + 0.5,
                sensor: 1,
                z: Vector2::new(-3000.0, 500.0 - 4.0 * (s + 0.5)),
                model: MeasurementModel::position(5.0),
                mmsi: Some(237_000_001),
                motion: None,
            };
            t.process_scan(time + 0.5, &[ais], &[1]);
        }
        t
    }

    fn policy() -> Policy {
        Policy::of_agent_or_throwaway(&config(500)).unwrap()
    }

    fn frame() -> LocalFrame {
        LocalFrame::new(Geodetic::new(37.70, 27.00))
    }

    fn validator() -> jsonschema::Validator {
        let schema: serde_json::Value = serde_json::from_str(include_str!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../schemas/track.schema.json"
        )))
        .unwrap();
        jsonschema::draft202012::options()
            .should_validate_formats(true)
            .build(&schema)
            .unwrap()
    }

    fn payload(m: &Message) -> serde_json::Value {
        serde_json::from_slice(&m.payload).unwrap()
    }

    #[test]
    fn confirmed_tracks_are_published_with_position_motion_sigma_and_ais_identity() {
        let t = tracker();
        let (messages, skipped) = track_messages(
            &t,
            &AisPicture::new(),
            &frame(),
            &policy(),
            &config(500),
            1_764_331_230_000,
        );
        assert_eq!(skipped, 0);
        assert_eq!(messages.len(), 1);
        let m = &messages[0];
        assert_eq!(m.class, Class::Track);
        assert_eq!(m.topic, "borderfuse/v1/GR/samos-east/tracks");
        assert_eq!(m.expiry_s, Some(60));
        let p = payload(m);
        let errors: Vec<String> = validator().iter_errors(&p).map(|e| e.to_string()).collect();
        assert!(errors.is_empty(), "{errors:?}\n{p:#}");
        let tracks = p["tracks"].as_array().unwrap();
        assert_eq!(tracks.len(), 2, "{p:#}");
        let east = tracks.iter().find(|t| t["identity"].is_null()).unwrap();
        // 5 m/s due east, about a kilometre east and two north of the origin.
        assert!(
            (east["speed_kn"].as_f64().unwrap() - 9.72).abs() < 1.0,
            "{east}"
        );
        assert!(
            (east["course_deg"].as_f64().unwrap() - 90.0).abs() < 5.0,
            "{east}"
        );
        assert!(east["lat"].as_f64().unwrap() > 37.70 && east["lon"].as_f64().unwrap() > 27.00);
        assert!(east["sigma_m"].as_f64().unwrap() > 0.0);
        let ais = tracks.iter().find(|t| !t["identity"].is_null()).unwrap();
        assert_eq!(ais["identity"]["mmsi"], 237_000_001);
    }

    #[test]
    fn a_large_picture_is_split_and_an_empty_one_still_says_so() {
        let (messages, _) = track_messages(
            &tracker(),
            &AisPicture::new(),
            &frame(),
            &policy(),
            &config(1),
            1_764_331_230_000,
        );
        assert_eq!(messages.len(), 2);
        assert!(
            messages
                .iter()
                .all(|m| payload(m)["tracks"].as_array().unwrap().len() == 1)
        );
        assert_ne!(messages[0].id, messages[1].id);

        let empty = Tracker::new(
            &TrackerConfig::default(),
            &AisFusionConfig::default(),
            Vec::new(),
        );
        let (messages, _) = track_messages(
            &empty,
            &AisPicture::new(),
            &frame(),
            &policy(),
            &config(500),
            1_764_331_230_000,
        );
        assert_eq!(messages.len(), 1);
        let p = payload(&messages[0]);
        assert_eq!(p["tracks"], serde_json::json!([]));
        assert!(validator().is_valid(&p));
    }
}
