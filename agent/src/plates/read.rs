//! A plate read as the agent keeps it, from a node's `PlateRead` frame or a camera's JSON,
//! checked before anything else sees it.
//!
//! Camera JSON is one object per read, in the field names OpenALPR, Plate Recognizer and
//! the FIWARE `AnprFlowObserved` model use (aliases in brackets):
//!
//! ```json
//! {"plate": "AB-123-CD", "confidence": 0.91, "region": "fr", "camera_id": "lane2-rear",
//!  "lane": 2, "direction": "entering", "timestamp": "2026-11-29T04:00:00Z",
//!  "candidates": [{"plate": "A8123CD", "confidence": 0.62}]}
//! ```
//!
//! `plate` (`identifier`), `confidence` (`score`) in `[0, 1]`, `region` (`country`, a code
//! or an object with `code`), `camera_id` (`camera`, `observedBy`; text or number), `lane`
//! (`laneId`), `direction` (`entering`/`towards`/`in`, `leaving`/`away`/`out`, anything else
//! unknown), `timestamp` (`dateObserved`; RFC 3339 text or Unix milliseconds, also
//! `epoch_time`), `candidates` (at most [`MAX_CANDIDATES`] are kept). Unknown members are
//! ignored: cameras send much more than this.

use super::format::{CountryFormat, FormatError, format_of, normalise};
use crate::decode::Time;
use borderfuse_common::frame::{self, Direction};
use serde::Deserialize;
use serde_json::Value;

/// Candidates kept per read: the camera's best alternatives; more only cost hashing time.
pub const MAX_CANDIDATES: usize = 8;

/// Longest camera JSON message accepted, bytes.
pub const MAX_JSON_LEN: usize = 16 * 1024;

/// One alternative reading of the plate the camera offers, normalised.
#[derive(Debug, Clone, PartialEq)]
pub struct Candidate {
    /// The plate text, normalised for the read's country.
    pub plate: String,
    /// The camera's confidence in it, `[0, 1]`.
    pub confidence: f32,
}

/// A plate read that passed every check: the only kind the plate engine stores.
#[derive(Debug, Clone, PartialEq)]
pub struct PlateObservation {
    /// The camera's best reading, normalised for `format`.
    pub plate: String,
    /// The camera's confidence in `plate`, `[0, 1]`.
    pub confidence: f32,
    /// Other readings, normalised, best first; those that do not fit the format are dropped.
    pub candidates: Vec<Candidate>,
    /// The country format the plate was normalised with.
    pub format: &'static CountryFormat,
    /// Checkpoint (a border post's lane group) where it was read.
    pub checkpoint: String,
    /// Camera at the checkpoint.
    pub camera: String,
    /// Lane, when the camera says.
    pub lane: Option<u32>,
    /// Direction of travel.
    pub direction: Direction,
    /// When the plate was read, Unix seconds (UTC).
    pub t: Time,
}

/// Why a read was refused. Every refusal is counted ([`super::PlateStats`]) and the read
/// is not stored.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ReadError {
    /// Not JSON, not an object, or a member of the wrong type.
    #[error("malformed camera JSON: {0}")]
    Malformed(String),
    /// A member every read needs is missing.
    #[error("camera JSON without {0:?}")]
    Missing(&'static str),
    /// The plate (or a candidate) does not fit its country's format.
    #[error(transparent)]
    Format(#[from] FormatError),
    /// A confidence outside `[0, 1]` (or not a number).
    #[error("confidence {0} outside [0, 1]")]
    Confidence(f64),
    /// A timestamp that cannot be read, or not a finite time.
    #[error("timestamp {0:?} is not RFC 3339 text or Unix milliseconds")]
    Timestamp(String),
    /// Read further in the future than the allowed clock skew.
    #[error("read at {t} s is {ahead_s:.0} s ahead of the post's clock")]
    Future {
        /// The read's time, Unix seconds.
        t: Time,
        /// How far ahead of the post's clock, seconds.
        ahead_s: f64,
    },
}

/// A camera's message as serde sees it; the checks are in [`from_camera_json`].
#[derive(Debug, Deserialize)]
struct CameraJson {
    #[serde(alias = "identifier")]
    plate: Option<String>,
    #[serde(alias = "score")]
    confidence: Option<f64>,
    #[serde(alias = "country")]
    region: Option<Value>,
    #[serde(alias = "camera", alias = "observedBy")]
    camera_id: Option<Value>,
    #[serde(alias = "laneId")]
    lane: Option<Value>,
    /// Text; Plate Recognizer Stream sends a number (degrees in the image), or `""`, which
    /// says nothing about entering or leaving: unknown.
    direction: Option<Value>,
    #[serde(alias = "dateObserved")]
    timestamp: Option<Value>,
    epoch_time: Option<u64>,
    #[serde(default)]
    candidates: Vec<CameraCandidate>,
}

#[derive(Debug, Deserialize)]
struct CameraCandidate {
    #[serde(alias = "identifier")]
    plate: String,
    /// Plate Recognizer Stream's webhooks list candidates without a score: such a candidate
    /// is dropped (counted), since a variant's score is built from it.
    #[serde(alias = "score")]
    confidence: Option<f64>,
}

/// Checks a confidence figure.
fn confidence(value: f64) -> Result<f32, ReadError> {
    if (0.0..=1.0).contains(&value) {
        // In range, so the narrowing loses only precision.
        Ok(value as f32)
    } else {
        Err(ReadError::Confidence(value))
    }
}

/// Refuses reads from the future beyond `max_skew_s`.
fn check_time(t: Time, now: Time, max_skew_s: f64) -> Result<(), ReadError> {
    if !t.is_finite() {
        return Err(ReadError::Timestamp(t.to_string()));
    }
    let ahead_s = t - now;
    if ahead_s > max_skew_s {
        return Err(ReadError::Future { t, ahead_s });
    }
    Ok(())
}

/// Normalises the candidates, dropping those that do not fit the format or repeat the
/// plate; returns them with the number dropped.
fn candidates(
    plate: &str,
    raw: impl IntoIterator<Item = (String, Option<f64>)>,
    format: &'static CountryFormat,
) -> Result<(Vec<Candidate>, u64), ReadError> {
    let mut kept: Vec<Candidate> = Vec::new();
    let mut dropped = 0;
    for (text, c) in raw {
        let confidence = c.map(confidence).transpose()?;
        match (normalise(&text, format), confidence) {
            // Stream lists the plate itself first, unscored: not a loss.
            (Ok(p), None) if p == plate => {}
            (_, None) => dropped += 1,
            (Ok(p), Some(confidence)) if p != plate && !kept.iter().any(|k| k.plate == p) => {
                if kept.len() < MAX_CANDIDATES {
                    kept.push(Candidate {
                        plate: p,
                        confidence,
                    });
                } else {
                    dropped += 1;
                }
            }
            (Ok(_), Some(_)) => {}
            (Err(_), Some(_)) => dropped += 1,
        }
    }
    kept.sort_by(|a, b| b.confidence.total_cmp(&a.confidence));
    Ok((kept, dropped))
}

/// A node's `PlateRead` frame read at `t` (the frame's UTC time, or its arrival), at
/// `checkpoint`. Returns the observation and the number of candidates dropped.
pub fn from_frame(
    read: &frame::PlateRead,
    t: Time,
    checkpoint: &str,
    now: Time,
    max_skew_s: f64,
) -> Result<PlateObservation, ReadError> {
    let format = format_of(read.country.as_str());
    let plate = normalise(read.plate.as_str(), format)?;
    let confidence = confidence(f64::from(read.confidence))?;
    check_time(t, now, max_skew_s)?;
    Ok(PlateObservation {
        plate,
        confidence,
        candidates: Vec::new(),
        format,
        checkpoint: checkpoint.to_owned(),
        camera: read.camera.to_string(),
        lane: Some(u32::from(read.lane)),
        direction: read.direction,
        t,
    })
}

/// Text of a JSON string or number (camera ids and lanes come as either).
fn text_of(value: &Value) -> Option<String> {
    match value {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

fn direction(text: Option<&str>) -> Direction {
    match text.map(str::to_ascii_lowercase).as_deref() {
        Some("entering" | "towards" | "in" | "approaching") => Direction::Entering,
        Some("leaving" | "away" | "out" | "receding") => Direction::Leaving,
        _ => Direction::Unknown,
    }
}

/// The read's time, Unix seconds: an RFC 3339 text or Unix milliseconds.
fn timestamp(value: Option<&Value>, epoch_ms: Option<u64>) -> Result<Time, ReadError> {
    match (value, epoch_ms) {
        (Some(Value::String(s)), _) => humantime::parse_rfc3339_weak(s)
            .map_err(|_| ReadError::Timestamp(s.clone()))
            .and_then(|st| {
                st.duration_since(std::time::UNIX_EPOCH)
                    .map(|d| d.as_secs_f64())
                    .map_err(|_| ReadError::Timestamp(s.clone()))
            }),
        (Some(Value::Number(n)), _) => n
            .as_f64()
            .map(|ms| ms / 1000.0)
            .ok_or_else(|| ReadError::Timestamp(n.to_string())),
        (Some(other), _) => Err(ReadError::Timestamp(other.to_string())),
        // Milliseconds fit an f64 exactly for the next 285,000 years.
        (None, Some(ms)) => Ok(ms as f64 / 1000.0),
        (None, None) => Err(ReadError::Missing("timestamp")),
    }
}

/// One camera JSON message (see the module documentation) read at `checkpoint`. Returns
/// the observation and the number of candidates dropped.
pub fn from_camera_json(
    text: &str,
    checkpoint: &str,
    now: Time,
    max_skew_s: f64,
) -> Result<(PlateObservation, u64), ReadError> {
    if text.len() > MAX_JSON_LEN {
        return Err(ReadError::Malformed(format!(
            "{} bytes, at most {MAX_JSON_LEN}",
            text.len()
        )));
    }
    let msg: CameraJson =
        serde_json::from_str(text).map_err(|e| ReadError::Malformed(e.to_string()))?;
    let raw_plate = msg.plate.ok_or(ReadError::Missing("plate"))?;
    let country = match &msg.region {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Object(o)) => o
            .get("code")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned(),
        Some(Value::Null) | None => String::new(),
        Some(other) => return Err(ReadError::Malformed(format!("region {other}"))),
    };
    let format = format_of(&country);
    let plate = normalise(&raw_plate, format)?;
    let confidence = confidence(msg.confidence.ok_or(ReadError::Missing("confidence"))?)?;
    let t = timestamp(msg.timestamp.as_ref(), msg.epoch_time)?;
    check_time(t, now, max_skew_s)?;
    let (candidates, dropped) = candidates(
        &plate,
        msg.candidates.into_iter().map(|c| (c.plate, c.confidence)),
        format,
    )?;
    let lane = match msg.lane.as_ref() {
        None | Some(Value::Null) => None,
        Some(v) => text_of(v).and_then(|s| s.parse().ok()),
    };
    Ok((
        PlateObservation {
            plate,
            confidence,
            candidates,
            format,
            checkpoint: checkpoint.to_owned(),
            camera: msg.camera_id.as_ref().and_then(text_of).unwrap_or_default(),
            lane,
            direction: direction(msg.direction.as_ref().and_then(Value::as_str)),
            t,
        },
        dropped,
    ))
}

/// Most reads one HTTP body may carry: a Stream webhook has one result per vehicle in the
/// frame, a batch from an agent a few dozen; the body's size bounds it too.
pub const MAX_READS_PER_BODY: usize = 256;

/// The reads of a body a camera POSTed, each as the JSON text of one read
/// ([`from_camera_json`] checks them): the body is one read object, an array of them, or a
/// Plate Recognizer Stream webhook, `{"hook": {"id": ...}, "data": {"camera_id": ...,
/// "timestamp": ..., "results": [{"plate": ..., "score": ..., "region": {"code": ...},
/// "candidates": [...]}, ...]}}`, whose results take the envelope's `camera_id` (else
/// `hook.id`) and `timestamp` unless they carry their own.
///
/// Only the body's shape is checked here; an error means no read could be found in it at
/// all (not JSON, not an object or array, more than [`MAX_READS_PER_BODY`] reads).
pub fn camera_reads(body: &str) -> Result<Vec<String>, ReadError> {
    let value: Value =
        serde_json::from_str(body).map_err(|e| ReadError::Malformed(e.to_string()))?;
    let reads: Vec<Value> = match value {
        Value::Array(items) => items,
        Value::Object(mut object) => match object.remove("data") {
            Some(Value::Object(mut data)) if data.contains_key("results") => {
                let Some(Value::Array(results)) = data.remove("results") else {
                    return Err(ReadError::Malformed("data.results is not an array".into()));
                };
                let hook_id = object
                    .get("hook")
                    .and_then(|h| h.get("id"))
                    .filter(|id| !id.is_null())
                    .cloned();
                let camera = data.remove("camera_id").or(hook_id);
                let timestamp = data.remove("timestamp");
                results
                    .into_iter()
                    .map(|mut result| {
                        if let Value::Object(r) = &mut result {
                            for (name, value) in [("camera_id", &camera), ("timestamp", &timestamp)]
                            {
                                if let Some(v) = value
                                    && !r.contains_key(name)
                                {
                                    r.insert(name.to_owned(), v.clone());
                                }
                            }
                        }
                        result
                    })
                    .collect()
            }
            // A read that happens to have a `data` member: put it back.
            Some(data) => {
                object.insert("data".to_owned(), data);
                vec![Value::Object(object)]
            }
            None => vec![Value::Object(object)],
        },
        other => {
            return Err(ReadError::Malformed(format!(
                "body is {other}, not an object or array"
            )));
        }
    };
    if reads.len() > MAX_READS_PER_BODY {
        return Err(ReadError::Malformed(format!(
            "{} reads in one body, at most {MAX_READS_PER_BODY}",
            reads.len()
        )));
    }
    // A read that is not an object is passed on as it is: the engine refuses and counts it
    // like any malformed read.
    Ok(reads.iter().map(Value::to_string).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: Time = 1_795_000_000.0;

    fn json(s: &str) -> Result<(PlateObservation, u64), ReadError> {
        from_camera_json(s, "kipoi", NOW, 30.0)
    }

    #[test]
    fn an_openalpr_style_message_becomes_a_normalised_observation() {
        let (o, dropped) = json(
            r#"{"plate": "ab-123-cd", "confidence": 0.91, "region": "fr", "camera_id": 3,
                "lane": 2, "direction": "towards", "epoch_time": 1795000000000,
                "candidates": [{"plate": "A8123CD", "confidence": 0.5},
                               {"plate": "AB123CD", "confidence": 0.9},
                               {"plate": "ABЖ123", "confidence": 0.1},
                               {"plate": "AB123C0", "confidence": 0.7}],
                "vehicle": {"type": "car"}}"#,
        )
        .unwrap();
        assert_eq!(o.plate, "AB123CD");
        assert_eq!(o.format.country, "FR");
        assert_eq!(o.camera, "3");
        assert_eq!(o.lane, Some(2));
        assert_eq!(o.direction, Direction::Entering);
        assert_eq!(o.t, NOW);
        let cands: Vec<&str> = o.candidates.iter().map(|c| c.plate.as_str()).collect();
        assert_eq!(
            cands,
            ["AB123C0", "A8123CD"],
            "best first, the plate itself left out"
        );
        assert_eq!(dropped, 1, "Ж is not used on French plates");
    }

    #[test]
    fn a_fiware_style_message_is_read_with_its_field_names() {
        let (o, _) = json(
            r#"{"identifier": "ΙΚΒ 1234", "score": 0.8, "country": {"code": "GR"},
                "observedBy": "ANPR1", "laneId": "1", "dateObserved": "2026-11-18T00:00:00Z"}"#,
        )
        .unwrap();
        assert_eq!(o.plate, "IKB1234");
        assert_eq!(o.camera, "ANPR1");
        assert_eq!(o.lane, Some(1));
        assert!(o.t < NOW);
    }

    #[test]
    fn malformed_json_is_refused() {
        assert!(matches!(json("{\"plate\": "), Err(ReadError::Malformed(_))));
        assert!(matches!(json("[1, 2]"), Err(ReadError::Malformed(_))));
        assert!(matches!(
            json(r#"{"plate": 12, "confidence": 0.5, "epoch_time": 1}"#),
            Err(ReadError::Malformed(_))
        ));
        assert!(matches!(
            json(r#"{"confidence": 0.5, "epoch_time": 1}"#),
            Err(ReadError::Missing("plate"))
        ));
        let huge = format!("{{\"plate\": \"{}\"}}", "A".repeat(MAX_JSON_LEN));
        assert!(matches!(json(&huge), Err(ReadError::Malformed(_))));
    }

    #[test]
    fn characters_outside_the_countrys_alphabet_are_refused() {
        assert!(matches!(
            json(r#"{"plate": "AO123BC", "confidence": 0.9, "region": "it", "epoch_time": 1}"#),
            Err(ReadError::Format(FormatError::Alphabet {
                character: 'O',
                ..
            }))
        ));
    }

    #[test]
    fn confidences_outside_zero_to_one_are_refused_for_plate_and_candidates() {
        for c in ["1.5", "-0.1", "91.2"] {
            let m = format!(r#"{{"plate": "AB123CD", "confidence": {c}, "epoch_time": 1}}"#);
            assert!(matches!(json(&m), Err(ReadError::Confidence(_))), "{c}");
        }
        assert!(matches!(
            json(
                r#"{"plate": "AB123CD", "confidence": 0.5, "epoch_time": 1,
                    "candidates": [{"plate": "A8123CD", "confidence": 2}]}"#
            ),
            Err(ReadError::Confidence(_))
        ));
    }

    #[test]
    fn reads_from_the_future_beyond_the_skew_are_refused() {
        let ok = format!(
            r#"{{"plate": "AB123CD", "confidence": 0.5, "timestamp": {}}}"#,
            (NOW + 29.0) * 1000.0
        );
        assert!(json(&ok).is_ok());
        let late = format!(
            r#"{{"plate": "AB123CD", "confidence": 0.5, "timestamp": {}}}"#,
            (NOW + 3600.0) * 1000.0
        );
        assert!(matches!(json(&late), Err(ReadError::Future { .. })));
        assert!(matches!(
            json(r#"{"plate": "AB123CD", "confidence": 0.5, "timestamp": "yesterday"}"#),
            Err(ReadError::Timestamp(_))
        ));
    }

    #[test]
    fn a_node_frame_read_is_checked_like_camera_json() {
        let mut read = frame::PlateRead {
            plate: "AB123CD".try_into().unwrap(),
            country: "FR".try_into().unwrap(),
            confidence: 0.8,
            camera: 1,
            lane: 2,
            direction: Direction::Leaving,
        };
        let o = from_frame(&read, NOW, "kipoi", NOW, 30.0).unwrap();
        assert_eq!((o.plate.as_str(), o.lane), ("AB123CD", Some(2)));
        read.confidence = f32::NAN;
        assert!(matches!(
            from_frame(&read, NOW, "kipoi", NOW, 30.0),
            Err(ReadError::Confidence(_))
        ));
        read.confidence = 0.8;
        assert!(matches!(
            from_frame(&read, NOW + 100.0, "kipoi", NOW, 30.0),
            Err(ReadError::Future { .. })
        ));
    }

    #[test]
    fn a_stream_webhook_becomes_one_read_per_result_with_the_envelopes_camera_and_time() {
        // As Plate Recognizer Stream posts it (its documentation's sample, shortened):
        // candidates without scores, `direction` empty or in degrees.
        let body = r#"{"hook": {"target": "http://post/plates", "id": "camera-1",
            "event": "recognition"},
          "data": {"camera_id": "camera-1", "timestamp": "2026-11-18T05:56:13.606935Z",
            "timestamp_local": "2026-11-18 05:56:13.606935+00:00",
            "results": [
              {"box": {"xmin": 460, "ymin": 57, "xmax": 557, "ymax": 82}, "plate": "ab123cd",
               "region": {"code": "fr", "score": 0.413}, "score": 0.839,
               "candidates": [{"plate": "ab123cd"}, {"plate": "a8123cd", "score": 0.5}],
               "dscore": 0.441, "vehicle": {"type": "Sedan"}, "direction": ""},
              {"plate": "xy987", "score": 0.7, "direction": 212, "camera_id": "other",
               "timestamp": "2026-11-18T05:56:14Z"}]}}"#;
        let reads = camera_reads(body).unwrap();
        assert_eq!(reads.len(), 2);
        let (first, dropped) = json(&reads[0]).unwrap();
        assert_eq!(first.plate, "AB123CD");
        assert_eq!(first.format.country, "FR");
        assert!((first.confidence - 0.839).abs() < 1e-6);
        assert_eq!(first.camera, "camera-1");
        assert!(
            (first.t - 1_794_981_373.606_935).abs() < 1e-3,
            "{}",
            first.t
        );
        assert_eq!(first.direction, Direction::Unknown);
        let cands: Vec<&str> = first.candidates.iter().map(|c| c.plate.as_str()).collect();
        assert_eq!(cands, ["A8123CD"]);
        assert_eq!(dropped, 0, "the plate itself is left out, not dropped");
        let (second, _) = json(&reads[1]).unwrap();
        assert_eq!(
            (second.plate.as_str(), second.camera.as_str()),
            ("XY987", "other")
        );
        assert_eq!(second.t, 1_794_981_374.0);
        let unscored = r#"{"plate": "AB123CD", "confidence": 0.9, "epoch_time": 1,
            "candidates": [{"plate": "A8123CD"}]}"#;
        assert_eq!(
            json(unscored).unwrap().1,
            1,
            "an unscored candidate is dropped"
        );
    }

    #[test]
    fn a_body_is_one_read_or_an_array_of_reads() {
        let one = r#"{"plate": "AB123CD", "confidence": 0.9, "epoch_time": 1, "data": 3}"#;
        assert_eq!(camera_reads(one).unwrap().len(), 1);
        let reads = camera_reads(&format!("[{one}, 7]")).unwrap();
        assert_eq!(reads.len(), 2);
        assert!(matches!(json(&reads[1]), Err(ReadError::Malformed(_))));
        for bad in ["", "{", "3", "\"null\"", r#"{"data": {"results": 1}}"#] {
            assert!(
                matches!(camera_reads(bad), Err(ReadError::Malformed(_))),
                "{bad}"
            );
        }
        let many = format!("[{}]", vec!["{}"; MAX_READS_PER_BODY + 1].join(","));
        assert!(matches!(camera_reads(&many), Err(ReadError::Malformed(_))));
    }
}
