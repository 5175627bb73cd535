//! Plate cameras at land checkpoints: what each camera reports as vehicles pass.
//!
//! A camera watches one lane in one direction. Each passage through a watched lane is read
//! with the camera's `read_probability`; a read's best reading carries one OCR confusion
//! (O/0, I/1, B/8, S/5, Z/2, either way) with `misread_probability`, then with a middling
//! confidence and, most of the time, the true plate among its candidates, as ANPR engines
//! report an uncertain read. Confusions only produce characters the plate's country uses
//! (engines read against country templates). A correct read comes with a high confidence
//! and sometimes a confused alternative as a low-confidence candidate.
//!
//! Reads go out as camera JSON (OpenALPR / Plate Recognizer field names, plus the
//! `checkpoint` the camera belongs to) and, for cameras behind a plate-reader node, as
//! `PlateRead` frames through the firmware's framing code.

use crate::generate::{SimClock, TimedBytes, stream_rng};
use crate::scenario::Scenario;
use crate::world::{CheckpointSpec, TravelDirection};
use borderfuse_common::frame::{Direction, Payload, PlateRead};
use borderfuse_firmware::link::FrameLink;
use rand::Rng;
use std::collections::BTreeMap;

/// OCR confusions, both ways.
pub const CONFUSIONS: [(char, char); 5] =
    [('O', '0'), ('I', '1'), ('B', '8'), ('S', '5'), ('Z', '2')];

/// Time from the vehicle passing to the camera reporting, s.
pub const READ_LATENCY_S: f64 = 0.3;

/// One camera read.
#[derive(Debug, Clone, PartialEq)]
pub struct CameraRead {
    /// When the camera reports it, s since the scenario start.
    pub t_s: f64,
    /// Index of the vehicle in the scenario.
    pub vehicle: usize,
    /// Index of the crossing in the vehicle's list.
    pub crossing: usize,
    /// Checkpoint id.
    pub checkpoint: String,
    /// Camera id.
    pub camera: String,
    /// Index of the camera at its checkpoint (what a `PlateRead` frame carries).
    pub camera_index: u8,
    /// The camera's plate-reader node, if it has one.
    pub node_id: Option<u32>,
    /// Lane.
    pub lane: u8,
    /// Direction.
    pub direction: TravelDirection,
    /// Country of the plate (as the camera recognises it).
    pub country: String,
    /// The best reading.
    pub plate: String,
    /// Its confidence.
    pub confidence: f32,
    /// Other readings, best first.
    pub candidates: Vec<(String, f32)>,
    /// Whether `plate` differs from the true plate.
    pub misread: bool,
}

impl CameraRead {
    /// The read as a camera pushes it: one JSON object, with `timestamp` in RFC 3339 (UTC of
    /// scenario time 0 is `start_utc_ms`) and the `checkpoint` it belongs to.
    pub fn to_json(&self, start_utc_ms: u64) -> serde_json::Value {
        let utc_ms = crate::ais::utc_at(start_utc_ms, self.t_s);
        let time = std::time::UNIX_EPOCH + std::time::Duration::from_millis(utc_ms);
        serde_json::json!({
            "plate": self.plate,
            "confidence": round3(self.confidence),
            "region": self.country.to_ascii_lowercase(),
            "camera_id": self.camera,
            "lane": self.lane,
            "direction": self.direction.as_str(),
            "timestamp": humantime::format_rfc3339_millis(time).to_string(),
            "candidates": self.candidates.iter().map(|(p, c)| serde_json::json!({
                "plate": p,
                "confidence": round3(*c),
            })).collect::<Vec<_>>(),
            "checkpoint": self.checkpoint,
        })
    }
}

fn round3(x: f32) -> f64 {
    (f64::from(x) * 1000.0).round() / 1000.0
}

/// Every camera read of the scenario, in time order.
pub fn camera_reads(s: &Scenario) -> Vec<CameraRead> {
    let mut out = Vec::new();
    for (v, vehicle) in s.vehicles.iter().enumerate() {
        // One stream per vehicle and crossing: adding a vehicle changes no other's reads.
        for (x, crossing) in vehicle.crossings.iter().enumerate() {
            let Some(checkpoint) = s.checkpoints.iter().find(|c| c.id == crossing.checkpoint)
            else {
                continue;
            };
            let mut rng = stream_rng(
                s.seed,
                &[
                    b"plate-read",
                    vehicle.plate.as_bytes(),
                    &(v as u64).to_le_bytes(),
                    &(x as u64).to_le_bytes(),
                ],
            );
            for (index, camera) in cameras_over(checkpoint, crossing.lane, crossing.direction) {
                // Always draw the same numbers, so one camera's outcome leaves the next
                // camera's draws as they were.
                let seen: f64 = rng.random();
                let confused: f64 = rng.random();
                let confidence: f32 = rng.random();
                let candidate: f64 = rng.random();
                let position: u64 = rng.random();
                if seen >= camera.read_probability {
                    continue;
                }
                // The letters the traffic generator draws this country's plates from.
                let (_, letters) = crate::traffic::plate_pattern(&vehicle.country);
                let confusable = confusable_positions(&vehicle.plate, letters);
                let pick = |k: u64| {
                    (!confusable.is_empty())
                        .then(|| confusable[(k % confusable.len() as u64) as usize])
                };
                let (plate, confidence, candidates, misread) =
                    match pick(position).filter(|_| confused < camera.misread_probability) {
                        Some(at) => {
                            let wrong = substituted(&vehicle.plate, at);
                            let c = 0.6 + 0.25 * confidence;
                            // Most engines keep the right reading among their candidates.
                            let candidates = if candidate < 0.7 {
                                vec![(vehicle.plate.clone(), c - 0.02 - 0.15 * confidence)]
                            } else {
                                Vec::new()
                            };
                            (wrong, c, candidates, true)
                        }
                        None => {
                            let c = 0.85 + 0.14 * confidence;
                            let candidates = match pick(position) {
                                Some(at) if candidate < 0.5 => {
                                    vec![(substituted(&vehicle.plate, at), 0.1 + 0.3 * confidence)]
                                }
                                _ => Vec::new(),
                            };
                            (vehicle.plate.clone(), c, candidates, false)
                        }
                    };
                out.push(CameraRead {
                    t_s: crossing.t_s + READ_LATENCY_S,
                    vehicle: v,
                    crossing: x,
                    checkpoint: checkpoint.id.clone(),
                    camera: camera.id.clone(),
                    camera_index: index,
                    node_id: camera.node_id,
                    lane: crossing.lane,
                    direction: crossing.direction,
                    country: vehicle.country.clone(),
                    plate,
                    confidence,
                    candidates,
                    misread,
                });
            }
        }
    }
    out.sort_by(|a, b| a.t_s.total_cmp(&b.t_s));
    out
}

/// The `PlateRead` frames that plate-reader nodes send for `reads` (those of cameras with a
/// `node_id`), through the firmware's framing code, one [`TimedBytes`] a frame.
pub(crate) fn reader_frames(reads: &[CameraRead], clock: &SimClock) -> Vec<TimedBytes> {
    let mut links: BTreeMap<u32, FrameLink<Vec<u8>>> = BTreeMap::new();
    let mut out = Vec::new();
    for r in reads {
        let Some(node_id) = r.node_id else { continue };
        let link = links
            .entry(node_id)
            .or_insert_with(|| FrameLink::new(Vec::new(), node_id));
        let (Ok(plate), Ok(country)) = (
            heapless::String::try_from(r.plate.as_str()),
            heapless::String::try_from(r.country.as_str()),
        ) else {
            // Scenario validation bounds plates and countries to what a frame carries.
            tracing::error!(plate = %r.plate, "plate does not fit a PlateRead frame; not sent");
            continue;
        };
        let payload = Payload::PlateRead(PlateRead {
            plate,
            country,
            confidence: r.confidence,
            camera: r.camera_index,
            lane: r.lane,
            direction: match r.direction {
                TravelDirection::Entering => Direction::Entering,
                TravelDirection::Leaving => Direction::Leaving,
            },
        });
        clock.set(r.t_s);
        let (now_us, utc_ms) = clock.read();
        if let Err(e) = link.send(now_us, utc_ms, payload) {
            tracing::error!(node = node_id, error = ?e, "plate frame not sent");
        }
        out.push(TimedBytes {
            t_s: r.t_s,
            node_id,
            bytes: std::mem::take(link.writer_mut()),
        });
    }
    out
}

/// The cameras of `checkpoint` over `lane` in `direction`, with their index there.
fn cameras_over(
    checkpoint: &CheckpointSpec,
    lane: u8,
    direction: TravelDirection,
) -> impl Iterator<Item = (u8, &crate::world::CameraSpec)> {
    checkpoint
        .cameras
        .iter()
        .enumerate()
        .filter(move |(_, c)| c.lane == lane && c.direction == direction)
        .map(|(i, c)| (u8::try_from(i).unwrap_or(u8::MAX), c))
}

/// Positions of `plate` whose character has a confusion the country's plates could show.
fn confusable_positions(plate: &str, letters: &str) -> Vec<usize> {
    plate
        .chars()
        .enumerate()
        .filter(|&(_, c)| confused(c).is_some_and(|o| o.is_ascii_digit() || letters.contains(o)))
        .map(|(i, _)| i)
        .collect()
}

fn confused(c: char) -> Option<char> {
    CONFUSIONS.iter().find_map(|&(a, b)| {
        if c == a {
            Some(b)
        } else if c == b {
            Some(a)
        } else {
            None
        }
    })
}

fn substituted(plate: &str, at: usize) -> String {
    plate
        .chars()
        .enumerate()
        .map(|(i, c)| if i == at { confused(c).unwrap_or(c) } else { c })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn confusions_go_both_ways_and_respect_the_alphabet() {
        assert_eq!(substituted("ABE1234", 1), "A8E1234");
        assert_eq!(substituted("ABE1234", 3), "ABEI234");
        // On a Greek plate 5 cannot become S (no S on Greek plates); 0 can become O.
        assert_eq!(
            confusable_positions("ABE5000", "ABEHIKMNOPTXYZ"),
            [1, 4, 5, 6]
        );
    }
}
