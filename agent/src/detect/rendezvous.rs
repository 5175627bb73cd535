//! `rendezvous`: two confirmed tracks within `max_distance_m` of each other for longer than
//! `min_duration_s`, both no faster than `max_speed_kn`, away from port areas: a transfer at
//! sea (fuel, catch, people, cargo). The speed bound is what tells a transfer from two ships
//! under way in one traffic lane, which pass as close for as long.
//!
//! Close pairs are found through a grid of cells as wide as the parting distance, sorted by
//! cell: each track looks only at the tracks of its own and the eight neighbouring cells, so
//! the cost grows with the number of tracks (and of close pairs), not with its square. A pair
//! meets once closer than `max_distance_m` and parts once further than 1.5 times that (two
//! estimates alongside each other jitter). The alert is updated as the pair moves, cleared
//! when it parts, enters a port, or one of its tracks ends.
//!
//! A radar that cannot resolve two hulls alongside each other merges them into one track:
//! the meeting then ends with one of them ("track_ended"), which is itself worth a look.

use super::config::RendezvousConfig;
use super::geometry::LocalArea;
use super::lifecycle::{Draft, Seen, Situations};
use super::scene::{Context, Scene, identity_of, usable};
use super::{Alert, AlertKind, rfc3339, round_to};
use crate::decode::Time;
use crate::fuse::ais::KNOT_MPS;
use crate::fuse::{Track, TrackId, TrackStatus};
use nalgebra::Vector2;
use serde_json::json;
use std::collections::BTreeMap;

/// A pair parts once this many times `max_distance_m` apart.
const PART_FACTOR: f64 = 1.5;

#[derive(Debug, Clone, Copy, PartialEq)]
struct Meeting {
    since: Time,
    closest_m: f64,
    /// The evaluation that last saw the pair close.
    round: u64,
}

/// The rule.
#[derive(Debug, Clone)]
pub struct RendezvousRule {
    config: RendezvousConfig,
    ports: Vec<LocalArea>,
    meetings: BTreeMap<(TrackId, TrackId), Meeting>,
    capacity: usize,
    refused: u64,
    round: u64,
    /// (cell, index of the track in the scene), sorted by cell; kept between evaluations.
    cells: Vec<((i64, i64), usize)>,
    /// Distances computed at the last evaluation.
    checked: usize,
    open: Situations<(TrackId, TrackId)>,
}

impl RendezvousRule {
    /// The rule, with `ports` excluded; at most `capacity` meetings followed (and alerts
    /// open).
    pub fn new(config: &RendezvousConfig, ports: Vec<LocalArea>, capacity: usize) -> Self {
        RendezvousRule {
            config: config.clone(),
            ports,
            meetings: BTreeMap::new(),
            capacity,
            refused: 0,
            round: 0,
            cells: Vec::new(),
            checked: 0,
            open: Situations::new(AlertKind::Rendezvous, capacity),
        }
    }

    /// Open alerts.
    pub fn open(&self) -> &Situations<(TrackId, TrackId)> {
        &self.open
    }

    /// Pairs followed now.
    pub fn meetings(&self) -> usize {
        self.meetings.len()
    }

    /// Pairs of tracks whose distance the last evaluation computed: the tracks of
    /// neighbouring cells only, not every pair.
    pub fn pairs_checked(&self) -> usize {
        self.checked
    }

    /// Meetings not followed because `capacity` were already.
    pub fn refused(&self) -> u64 {
        self.refused
    }

    /// Raises, updates and clears at the scene's time.
    pub fn evaluate(&mut self, ctx: &Context, scene: &Scene<'_>, out: &mut Vec<Alert>) {
        if !self.config.enabled {
            return;
        }
        let now = scene.now;
        self.round += 1;
        let meet = self.config.max_distance_m;
        let part = meet * PART_FACTOR;
        let cell_of = |p: Vector2<f64>| ((p.x / part).floor() as i64, (p.y / part).floor() as i64);

        self.cells.clear();
        for (i, track) in scene.tracks.iter().enumerate() {
            if track.status != TrackStatus::Confirmed || !usable(track) {
                continue;
            }
            let p = track.estimate.position();
            if self.ports.iter().any(|port| port.contains(p)) {
                continue;
            }
            self.cells.push((cell_of(p), i));
        }
        self.cells.sort_unstable();

        let cells = std::mem::take(&mut self.cells);
        self.checked = 0;
        for &((cx, cy), i) in &cells {
            let Some(a) = scene.tracks.get(i) else {
                continue;
            };
            let pa = a.estimate.position();
            for dx in -1..=1 {
                for dy in -1..=1 {
                    let cell = (cx + dx, cy + dy);
                    let start = cells.partition_point(|&(c, _)| c < cell);
                    for &(c, j) in &cells[start..] {
                        if c != cell {
                            break;
                        }
                        let Some(b) = scene.tracks.get(j) else {
                            continue;
                        };
                        // Each pair once, from its lower track id.
                        if b.id <= a.id {
                            continue;
                        }
                        self.checked += 1;
                        let d = (b.estimate.position() - pa).norm();
                        self.pair(ctx, scene, a, b, d, out);
                    }
                }
            }
        }
        self.cells = cells;

        // Pairs not seen close this round have parted (or lost a track, or gone into port).
        let round = self.round;
        let ended: Vec<(TrackId, TrackId)> = self
            .meetings
            .iter()
            .filter(|(_, m)| m.round != round)
            .map(|(k, _)| *k)
            .collect();
        for key in ended {
            self.meetings.remove(&key);
            let reason = if !scene.alive(key.0) || !scene.alive(key.1) {
                "track_ended"
            } else {
                "parted"
            };
            self.open.clear(&ctx.issuer, &key, None, reason, now, out);
        }
    }

    /// Tracks `a` and `b` (a.id < b.id) are `d` apart.
    fn pair(
        &mut self,
        ctx: &Context,
        scene: &Scene<'_>,
        a: &Track,
        b: &Track,
        d: f64,
        out: &mut Vec<Alert>,
    ) {
        let now = scene.now;
        let key = (a.id, b.id);
        let slowest = self.config.max_speed_kn * KNOT_MPS;
        let slow = a.speed_mps() <= slowest && b.speed_mps() <= slowest;
        let still_slow = a.speed_mps().max(b.speed_mps()) <= slowest * PART_FACTOR;
        let meeting = match self.meetings.get_mut(&key) {
            Some(m) if d <= self.config.max_distance_m * PART_FACTOR && still_slow => {
                m.round = self.round;
                m.closest_m = m.closest_m.min(d);
                *m
            }
            Some(_) => return,
            None if d <= self.config.max_distance_m && slow => {
                if self.meetings.len() >= self.capacity {
                    self.refused += 1;
                    return;
                }
                let m = Meeting {
                    since: now,
                    closest_m: d,
                    round: self.round,
                };
                self.meetings.insert(key, m);
                m
            }
            None => return,
        };
        let duration = now - meeting.since;
        if duration < self.config.min_duration_s {
            return;
        }
        let vessel = |t: &Track| {
            let id = identity_of(scene.picture, t);
            json!({
                "track_id": t.id,
                "mmsi": id.mmsi,
                "name": id.name,
                "callsign": id.callsign,
                "track": ctx.track_evidence(t),
            })
        };
        let seen = Seen {
            position: 0.5 * (a.estimate.position() + b.estimate.position()),
            state: 0,
        };
        let draft = || Draft {
            severity: self.config.severity,
            first_seen: meeting.since,
            position: 0.5 * (a.estimate.position() + b.estimate.position()),
            track_id: Some(a.id),
            identity: identity_of(scene.picture, a),
            evidence: json!({
                "vessels": [vessel(a), vessel(b)],
                "together_since": rfc3339(meeting.since),
                "duration_s": round_to(duration, 1.0),
                "distance_m": round_to(d, 1.0),
                "closest_m": round_to(meeting.closest_m, 1.0),
                "max_distance_m": self.config.max_distance_m,
                "min_duration_s": self.config.min_duration_s,
            }),
        };
        self.open.report(&ctx.issuer, key, seen, now, draft, out);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::detect::AlertState;
    use crate::detect::geometry::{GeoSource, load_areas};
    use crate::detect::testkit::{T0, World, states};

    fn rule(ports: Vec<LocalArea>) -> RendezvousRule {
        RendezvousRule::new(&RendezvousConfig::default(), ports, 1000)
    }

    /// Two boats: one at (5000, 0), the other `gap(k)` metres east of it, scanned every 2 s.
    fn meet(
        w: &mut World,
        r: &mut RendezvousRule,
        scans: u32,
        gap: impl Fn(u32) -> f64,
    ) -> Vec<Alert> {
        let mut out = Vec::new();
        for k in 0..scans {
            let t = T0 + 2.0 * f64::from(k);
            w.radar(t, &[(5000.0, 0.0), (5000.0 + gap(k), 0.0)]);
            w.eval(t, |ctx, scene| r.evaluate(ctx, scene, &mut out));
        }
        out
    }

    #[test]
    fn two_ships_under_way_together_in_a_lane_are_no_meeting() {
        let mut w = World::new();
        let mut r = rule(vec![]);
        let mut out = Vec::new();
        // 150 m abeam of each other, both north at 10 kn, for 20 minutes.
        for k in 0..600u32 {
            let t = T0 + 2.0 * f64::from(k);
            let north = 10.0 * KNOT_MPS * 2.0 * f64::from(k);
            w.radar(t, &[(5000.0, north), (5150.0, north)]);
            w.eval(t, |ctx, scene| r.evaluate(ctx, scene, &mut out));
        }
        assert!(out.is_empty(), "{out:#?}");
        assert_eq!(r.meetings(), 0);
    }

    #[test]
    fn two_boats_lying_together_at_sea_raise_once_and_clear_when_they_part() {
        let mut w = World::new();
        let mut r = rule(vec![]);
        // 150 m apart for 15 minutes, then the second leaves east, gathering speed at
        // 0.2 m/s².
        let out = meet(&mut w, &mut r, 500, |k| {
            let s = f64::from(k.saturating_sub(450));
            150.0 + 0.4 * s * s
        });
        let s = states(&out, AlertKind::Rendezvous);
        assert_eq!(s.first(), Some(&(AlertState::Raised, 0)), "{out:?}");
        let raised = &out[0];
        assert!(
            (raised.time - T0 - 610.0).abs() < 20.0,
            "{}",
            raised.time - T0
        );
        assert_eq!(raised.evidence["vessels"].as_array().map(Vec::len), Some(2));
        let last = out.last().unwrap();
        assert_eq!((last.state, &last.id), (AlertState::Cleared, &raised.id));
        assert_eq!(last.evidence["cleared"]["reason"], "parted");
        assert_eq!(r.meetings(), 0);
    }

    #[test]
    fn boats_further_apart_or_together_in_port_raise_nothing() {
        let mut w = World::new();
        let mut r = rule(vec![]);
        assert!(meet(&mut w, &mut r, 450, |_| 800.0).is_empty());

        let mut w = World::new();
        let corner = |x: f64, y: f64| {
            let g = w.frame.from_east_north(x, y, 0.0);
            [g.lon_deg, g.lat_deg]
        };
        let v = json!({"type": "Polygon", "coordinates": [[
            corner(4000.0, -1000.0), corner(6000.0, -1000.0), corner(6000.0, 1000.0),
            corner(4000.0, 1000.0), corner(4000.0, -1000.0)
        ]]});
        let port = LocalArea::new(
            "port",
            &load_areas(&GeoSource::Inline(&v), "p").unwrap(),
            &w.frame,
        );
        let mut r = rule(vec![port]);
        assert!(meet(&mut w, &mut r, 450, |_| 150.0).is_empty());
    }

    #[test]
    fn a_crowd_of_tracks_is_paired_through_the_grid_not_all_pairs() {
        let mut w = World::new();
        let config = RendezvousConfig {
            min_duration_s: 20.0,
            ..RendezvousConfig::default()
        };
        let mut r = RendezvousRule::new(&config, vec![], 1000);
        // An 8 × 8 lattice 250 m apart (no pair within 200 m), and one pair 100 m apart.
        let mut targets: Vec<(f64, f64)> = (0..64)
            .map(|i| (2000.0 + 250.0 * f64::from(i % 8), 250.0 * f64::from(i / 8)))
            .collect();
        targets.push((1000.0, 10_000.0));
        targets.push((1100.0, 10_000.0));
        let mut out = Vec::new();
        for k in 0..30u32 {
            let t = T0 + 2.0 * f64::from(k);
            w.radar(t, &targets);
            w.eval(t, |ctx, scene| r.evaluate(ctx, scene, &mut out));
        }
        let raised: Vec<&Alert> = out
            .iter()
            .filter(|a| a.state == AlertState::Raised)
            .collect();
        assert_eq!(raised.len(), 1, "{raised:?}");
        assert_eq!(r.meetings(), 1);
        // Each track meets its lattice neighbours in the 3 × 3 cells around it (300 m
        // cells): a dozen each, counted once a pair, against 66 × 65 / 2 = 2,145 pairs.
        assert!(
            r.pairs_checked() > 0 && r.pairs_checked() <= 66 * 8,
            "{}",
            r.pairs_checked()
        );
    }
}
