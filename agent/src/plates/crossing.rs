//! Where and when each plate crossed: `plate_clone` and `repeat_crossing`.
//!
//! Plates are tracked by digest ([`PlateDigest`]), never in clear, so sightings reported by
//! partner posts (which send only hashes) count like the post's own. Per plate a small
//! ring of recent passages (checkpoint, time); reads of one passage (several cameras, several
//! frames: the same plate at the same checkpoint within `passage_merge_s`) merge into one.
//!
//! - `plate_clone`: a new passage at checkpoint B closer in time to a passage at A than the
//!   road allows: great-circle distance × `detour_factor` at `max_speed_mps`.
//! - `repeat_crossing`: more than `max_crossings` passages within `window_s`.
//!
//! Memory is bounded: at most `max_plates` plates (a new plate beyond it is not tracked,
//! and the caller counts it), each with at most [`RING_LEN`] passages, and [`purge`]
//! forgets plates not seen for `retention_s`.
//!
//! [`purge`]: CrossingTracker::purge

use super::hotlist::PlateDigest;
use crate::decode::Time;
use std::collections::{HashMap, VecDeque};

/// Passages kept per plate.
pub const RING_LEN: usize = 16;

/// A checkpoint: a post's lanes, or a partner's.
#[derive(Debug, Clone, PartialEq)]
pub struct Checkpoint {
    /// Its name, as reads and partner sightings give it.
    pub id: String,
    /// Latitude, degrees.
    pub lat: f64,
    /// Longitude, degrees.
    pub lon: f64,
}

/// Great-circle distance between two checkpoints, metres.
pub fn great_circle_m(a: &Checkpoint, b: &Checkpoint) -> f64 {
    use borderfuse_common::geo::{Geodetic, great_circle_m};
    great_circle_m(Geodetic::new(a.lat, a.lon), Geodetic::new(b.lat, b.lon))
}

/// The tracker's settings.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CrossingLimits {
    /// Fastest plausible road speed, m/s.
    pub max_speed_mps: f64,
    /// Road distance / great-circle distance.
    pub detour_factor: f64,
    /// Reads of one plate at one checkpoint this close in time are one passage, s.
    pub passage_merge_s: f64,
    /// More passages than this within `repeat_window_s` is a `repeat_crossing`.
    pub max_crossings: usize,
    /// Window of `repeat_crossing`, s.
    pub repeat_window_s: f64,
    /// A plate not seen for this long is forgotten, s.
    pub retention_s: f64,
    /// Most plates tracked at once.
    pub max_plates: usize,
}

impl Default for CrossingLimits {
    fn default() -> Self {
        CrossingLimits {
            max_speed_mps: 130.0 / 3.6,
            detour_factor: 1.3,
            passage_merge_s: 60.0,
            max_crossings: 4,
            repeat_window_s: 86_400.0,
            retention_s: 2.0 * 86_400.0,
            max_plates: 1_000_000,
        }
    }
}

/// One passage of a plate.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Passage {
    checkpoint: usize,
    t: Time,
    /// Whether the hotlist already matched a read of this passage.
    hotlisted: bool,
}

/// A plate's recent passages, oldest first.
#[derive(Debug, Default)]
struct History {
    passages: VecDeque<Passage>,
    last_t: Time,
}

/// Evidence of a clone: the earlier passage it cannot have driven from.
#[derive(Debug, Clone, PartialEq)]
pub struct CloneEvidence {
    /// The other checkpoint.
    pub other_checkpoint: String,
    /// Time of the passage there, Unix s.
    pub other_t: Time,
    /// Great-circle distance × detour factor, metres.
    pub road_m: f64,
    /// Shortest plausible travel time, s.
    pub min_travel_s: f64,
    /// Time between the passages, s.
    pub elapsed_s: f64,
}

/// What recording a sighting found.
#[derive(Debug, Clone, PartialEq)]
pub enum Recorded {
    /// Part of a passage already recorded; `hotlisted` says whether it already matched.
    Merged {
        /// Whether the hotlist matched an earlier read of this passage.
        hotlisted: bool,
    },
    /// A new passage.
    Passage {
        /// A passage elsewhere the plate cannot have come from in time.
        clone: Option<CloneEvidence>,
        /// Passages within the repeat window, this one included, when over the limit.
        repeat: Option<usize>,
    },
    /// A plate not tracked before, refused: `max_plates` reached.
    Full,
}

/// Why a sighting was not recorded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CrossingError {
    /// The checkpoint is not configured.
    #[error("unknown checkpoint {0:?}")]
    UnknownCheckpoint(String),
}

/// Every tracked plate's passages.
#[derive(Debug)]
pub struct CrossingTracker {
    limits: CrossingLimits,
    checkpoints: Vec<Checkpoint>,
    plates: HashMap<PlateDigest, History>,
}

impl CrossingTracker {
    /// A tracker for these checkpoints.
    pub fn new(checkpoints: Vec<Checkpoint>, limits: CrossingLimits) -> CrossingTracker {
        CrossingTracker {
            limits,
            checkpoints,
            plates: HashMap::new(),
        }
    }

    /// The index of checkpoint `id`.
    pub fn checkpoint(&self, id: &str) -> Result<usize, CrossingError> {
        self.checkpoints
            .iter()
            .position(|c| c.id == id)
            .ok_or_else(|| CrossingError::UnknownCheckpoint(id.to_owned()))
    }

    /// Plates tracked.
    pub fn len(&self) -> usize {
        self.plates.len()
    }

    /// Whether no plate is tracked.
    pub fn is_empty(&self) -> bool {
        self.plates.is_empty()
    }

    /// Whether `digest` is tracked.
    pub fn contains(&self, digest: &PlateDigest) -> bool {
        self.plates.contains_key(digest)
    }

    /// Whether `digest` has a passage at `checkpoint` within the merge window of `t`: `None`
    /// when not, else whether the hotlist already matched it.
    pub fn passage(&self, digest: &PlateDigest, checkpoint: usize, t: Time) -> Option<bool> {
        self.plates.get(digest).and_then(|h| {
            h.passages
                .iter()
                .find(|p| {
                    p.checkpoint == checkpoint && (p.t - t).abs() <= self.limits.passage_merge_s
                })
                .map(|p| p.hotlisted)
        })
    }

    /// Marks the passage of `digest` at `checkpoint` around `t` as matched by the hotlist.
    pub fn mark_hotlisted(&mut self, digest: &PlateDigest, checkpoint: usize, t: Time) {
        let merge_s = self.limits.passage_merge_s;
        if let Some(p) = self.plates.get_mut(digest).and_then(|h| {
            h.passages
                .iter_mut()
                .rev()
                .find(|p| p.checkpoint == checkpoint && (p.t - t).abs() <= merge_s)
        }) {
            p.hotlisted = true;
        }
    }

    /// Records a sighting of `digest` at checkpoint index `checkpoint` at `t`.
    pub fn record(&mut self, digest: PlateDigest, checkpoint: usize, t: Time) -> Recorded {
        let limits = self.limits;
        if !self.plates.contains_key(&digest) && self.plates.len() >= limits.max_plates {
            return Recorded::Full;
        }
        let history = self.plates.entry(digest).or_default();
        if let Some(p) = history
            .passages
            .iter()
            .find(|p| p.checkpoint == checkpoint && (p.t - t).abs() <= limits.passage_merge_s)
        {
            let hotlisted = p.hotlisted;
            history.last_t = history.last_t.max(t);
            return Recorded::Merged { hotlisted };
        }
        // The most recent conflicting passage elsewhere is the evidence.
        let here = self.checkpoints.get(checkpoint);
        let clone = history
            .passages
            .iter()
            .rev()
            .filter(|p| p.checkpoint != checkpoint)
            .find_map(|p| {
                let there = self.checkpoints.get(p.checkpoint)?;
                let road_m = great_circle_m(here?, there) * limits.detour_factor;
                let min_travel_s = road_m / limits.max_speed_mps;
                let elapsed_s = (t - p.t).abs();
                (elapsed_s < min_travel_s).then(|| CloneEvidence {
                    other_checkpoint: there.id.clone(),
                    other_t: p.t,
                    road_m,
                    min_travel_s,
                    elapsed_s,
                })
            });
        if history.passages.len() >= RING_LEN {
            history.passages.pop_front();
        }
        history.passages.push_back(Passage {
            checkpoint,
            t,
            hotlisted: false,
        });
        history.last_t = history.last_t.max(t);
        let recent = history
            .passages
            .iter()
            .filter(|p| (t - p.t).abs() <= limits.repeat_window_s)
            .count();
        let repeat = (recent > limits.max_crossings).then_some(recent);
        Recorded::Passage { clone, repeat }
    }

    /// Forgets plates not seen since `now - retention_s`; returns how many.
    pub fn purge(&mut self, now: Time) -> usize {
        let before = self.plates.len();
        let horizon = now - self.limits.retention_s;
        self.plates.retain(|_, h| h.last_t >= horizon);
        before - self.plates.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn checkpoints() -> Vec<Checkpoint> {
        vec![
            // Kipoi (GR-TR) and Evzoni (GR-MK): 310 km apart as the crow flies.
            Checkpoint {
                id: "kipoi".into(),
                lat: 40.93,
                lon: 26.33,
            },
            Checkpoint {
                id: "evzoni".into(),
                lat: 41.11,
                lon: 22.56,
            },
        ]
    }

    fn d(n: u8) -> PlateDigest {
        PlateDigest([n; 32])
    }

    #[test]
    fn the_great_circle_between_two_posts_is_as_measured_elsewhere() {
        let c = checkpoints();
        let m = great_circle_m(&c[0], &c[1]);
        assert!((m - 317_000.0).abs() < 3_000.0, "{m}");
    }

    #[test]
    fn a_plate_at_two_posts_faster_than_the_road_allows_is_a_clone() {
        let mut t = CrossingTracker::new(checkpoints(), CrossingLimits::default());
        assert_eq!(
            t.record(d(1), 0, 1000.0),
            Recorded::Passage {
                clone: None,
                repeat: None
            }
        );
        // 317 km × 1.3 at 130 km/h is 3 h 10 min; one hour later is impossible.
        let Recorded::Passage {
            clone: Some(e),
            repeat: None,
        } = t.record(d(1), 1, 4600.0)
        else {
            panic!("no clone")
        };
        assert_eq!(e.other_checkpoint, "kipoi");
        assert!(e.min_travel_s > 11_000.0 && e.elapsed_s == 3600.0);
        // Five hours later is a drive.
        assert_eq!(
            t.record(d(2), 0, 0.0),
            Recorded::Passage {
                clone: None,
                repeat: None
            }
        );
        assert_eq!(
            t.record(d(2), 1, 18_000.0),
            Recorded::Passage {
                clone: None,
                repeat: None
            }
        );
    }

    #[test]
    fn reads_of_one_passage_merge_and_remember_the_hotlist_match() {
        let mut t = CrossingTracker::new(checkpoints(), CrossingLimits::default());
        t.record(d(1), 0, 100.0);
        t.mark_hotlisted(&d(1), 0, 100.0);
        assert_eq!(
            t.record(d(1), 0, 130.0),
            Recorded::Merged { hotlisted: true }
        );
        assert_eq!(t.passage(&d(1), 0, 150.0), Some(true));
        assert_eq!(t.passage(&d(1), 0, 300.0), None);
        assert!(matches!(t.record(d(1), 0, 300.0), Recorded::Passage { .. }));
    }

    #[test]
    fn more_crossings_than_allowed_in_the_window_is_a_repeat_crossing() {
        let mut t = CrossingTracker::new(checkpoints(), CrossingLimits::default());
        for i in 0..4 {
            let r = t.record(d(1), 0, f64::from(i) * 3600.0);
            assert!(matches!(r, Recorded::Passage { repeat: None, .. }));
        }
        assert!(matches!(
            t.record(d(1), 0, 4.0 * 3600.0),
            Recorded::Passage {
                repeat: Some(5),
                ..
            }
        ));
        // A day later, the early ones are out of the window.
        assert!(matches!(
            t.record(d(1), 0, 30.0 * 3600.0),
            Recorded::Passage { repeat: None, .. }
        ));
    }

    #[test]
    fn memory_is_bounded_by_the_plate_cap_the_ring_and_the_retention() {
        let limits = CrossingLimits {
            max_plates: 2,
            max_crossings: 100,
            ..CrossingLimits::default()
        };
        let mut t = CrossingTracker::new(checkpoints(), limits);
        t.record(d(1), 0, 0.0);
        t.record(d(2), 0, 0.0);
        assert_eq!(t.record(d(3), 0, 0.0), Recorded::Full);
        for i in 0..100 {
            t.record(d(1), 0, f64::from(i) * 100.0);
        }
        assert_eq!(t.plates[&d(1)].passages.len(), RING_LEN);
        assert_eq!(t.purge(limits.retention_s + 1.0), 1, "d(2), last seen at 0");
        assert!(t.contains(&d(1)) && !t.contains(&d(2)));
        assert_eq!(
            t.checkpoint("nowhere"),
            Err(CrossingError::UnknownCheckpoint("nowhere".into()))
        );
    }
}
