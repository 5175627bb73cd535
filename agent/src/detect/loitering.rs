//! `loitering`: a confirmed track slower than `max_speed_kn` for longer than `min_duration_s`
//! inside one of the configured zones: waiting off a beach for a pick-up, drifting over a
//! cable, fishing where it is forbidden.
//!
//! The speed is the track's estimate, which wanders for a drifting boat: once loitering, a
//! track must go faster than 1.5 × `max_speed_kn` to stop, and it stays in its zone until it
//! is [`EDGE_TOLERANCE_M`] outside it. The alert is updated as the boat drifts, cleared when
//! it moves on, leaves the zone, or the track ends.

use super::config::LoiteringConfig;
use super::geometry::LocalArea;
use super::lifecycle::{Draft, Seen, Situations};
use super::scene::{Context, Scene, identity_of, usable};
use super::{Alert, AlertKind, rfc3339, round_to};
use crate::decode::Time;
use crate::fuse::ais::KNOT_MPS;
use crate::fuse::{TrackId, TrackStatus};
use serde_json::json;
use std::collections::HashMap;

/// A loitering track stays in its zone until it is this far outside it, metres (an estimate
/// jittering across the edge must not restart the clock).
pub const EDGE_TOLERANCE_M: f64 = 100.0;

/// Once loitering, a track stops only above this multiple of `max_speed_kn`.
const RESUME_FACTOR: f64 = 1.5;

#[derive(Debug, Clone, Copy, PartialEq)]
struct Slow {
    zone: usize,
    since: Time,
    /// Slowest and fastest speed estimates seen while slow, knots (evidence).
    min_kn: f64,
    max_kn: f64,
}

/// The rule.
#[derive(Debug, Clone)]
pub struct LoiteringRule {
    config: LoiteringConfig,
    zones: Vec<LocalArea>,
    slow: HashMap<TrackId, Slow>,
    open: Situations<TrackId>,
}

impl LoiteringRule {
    /// The rule over `zones`, with at most `capacity` alerts open.
    pub fn new(config: &LoiteringConfig, zones: Vec<LocalArea>, capacity: usize) -> Self {
        LoiteringRule {
            config: config.clone(),
            zones,
            slow: HashMap::new(),
            open: Situations::new(AlertKind::Loitering, capacity),
        }
    }

    /// Open alerts.
    pub fn open(&self) -> &Situations<TrackId> {
        &self.open
    }

    /// Tracks being timed.
    pub fn tracks_watched(&self) -> usize {
        self.slow.len()
    }

    /// Raises, updates and clears at the scene's time.
    pub fn evaluate(&mut self, ctx: &Context, scene: &Scene<'_>, out: &mut Vec<Alert>) {
        if !self.config.enabled || self.zones.is_empty() {
            return;
        }
        let now = scene.now;
        for track in scene.tracks {
            if track.status != TrackStatus::Confirmed || !usable(track) {
                continue;
            }
            let p = track.estimate.position();
            let speed_kn = track.speed_mps() / KNOT_MPS;
            let current = self.slow.get(&track.id).copied();
            let still = current.filter(|s| {
                speed_kn <= self.config.max_speed_kn * RESUME_FACTOR
                    && self
                        .zones
                        .get(s.zone)
                        .is_some_and(|z| z.contains(p) || z.edge_distance(p) <= EDGE_TOLERANCE_M)
            });
            let slow = match still {
                Some(mut s) => {
                    s.min_kn = s.min_kn.min(speed_kn);
                    s.max_kn = s.max_kn.max(speed_kn);
                    Some(s)
                }
                None if speed_kn <= self.config.max_speed_kn => self
                    .zones
                    .iter()
                    .position(|z| z.contains(p))
                    .map(|zone| Slow {
                        zone,
                        since: now,
                        min_kn: speed_kn,
                        max_kn: speed_kn,
                    }),
                None => None,
            };
            if current.is_some() && still.is_none() {
                let reason = if speed_kn > self.config.max_speed_kn * RESUME_FACTOR {
                    "moved_on"
                } else {
                    "left_zone"
                };
                self.open
                    .clear(&ctx.issuer, &track.id, None, reason, now, out);
            }
            let Some(s) = slow else {
                self.slow.remove(&track.id);
                continue;
            };
            self.slow.insert(track.id, s);
            let duration = now - s.since;
            if duration < self.config.min_duration_s {
                continue;
            }
            let Some(zone) = self.zones.get(s.zone) else {
                continue;
            };
            let seen = Seen {
                position: p,
                state: 0,
            };
            let draft = || Draft {
                severity: self.config.severity,
                first_seen: s.since,
                position: p,
                track_id: Some(track.id),
                identity: identity_of(scene.picture, track),
                evidence: json!({
                    "zone": zone.name,
                    "slow_since": rfc3339(s.since),
                    "duration_s": round_to(duration, 1.0),
                    "min_duration_s": self.config.min_duration_s,
                    "speed_kn": {
                        "now": round_to(speed_kn, 0.1),
                        "min": round_to(s.min_kn, 0.1),
                        "max": round_to(s.max_kn, 0.1),
                        "threshold": self.config.max_speed_kn,
                    },
                    "track": ctx.track_evidence(track),
                }),
            };
            self.open
                .report(&ctx.issuer, track.id, seen, now, draft, out);
        }
        self.slow.retain(|id, _| scene.alive(*id));
        self.open.clear_where(&ctx.issuer, now, out, |id, _| {
            (!scene.alive(*id)).then_some("track_ended")
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::detect::AlertState;
    use crate::detect::geometry::{GeoSource, load_areas};
    use crate::detect::testkit::{T0, World, states};

    fn area(w: &World) -> LocalArea {
        let corner = |x: f64, y: f64| {
            let g = w.frame.from_east_north(x, y, 0.0);
            [g.lon_deg, g.lat_deg]
        };
        let v = json!({"type": "Polygon", "coordinates": [[
            corner(4000.0, -1000.0), corner(6000.0, -1000.0), corner(6000.0, 1000.0),
            corner(4000.0, 1000.0), corner(4000.0, -1000.0)
        ]]});
        let lonlat = load_areas(&GeoSource::Inline(&v), "z").unwrap();
        LocalArea::new("anchorage", &lonlat, &w.frame)
    }

    fn rule(w: &World) -> LoiteringRule {
        let config = LoiteringConfig {
            min_duration_s: 600.0,
            ..LoiteringConfig::default()
        };
        LoiteringRule::new(&config, vec![area(w)], 100)
    }

    /// A boat at (`x`, 0) drifting at `v` m/s northwards, scanned every 2 s.
    fn drift(w: &mut World, r: &mut LoiteringRule, x: f64, v: f64, scans: u32) -> Vec<Alert> {
        let mut out = Vec::new();
        for k in 0..scans {
            let t = T0 + 2.0 * f64::from(k);
            w.radar(t, &[(x, v * 2.0 * f64::from(k))]);
            w.eval(t, |ctx, scene| r.evaluate(ctx, scene, &mut out));
        }
        out
    }

    #[test]
    fn a_boat_drifting_slowly_in_the_zone_for_long_enough_raises_once() {
        let mut w = World::new();
        let mut r = rule(&w);
        // 0.5 m/s (~1 kn) for 15 minutes.
        let out = drift(&mut w, &mut r, 5000.0, 0.5, 450);
        let s = states(&out, AlertKind::Loitering);
        assert_eq!(s.first(), Some(&(AlertState::Raised, 0)), "{out:?}");
        assert!(s.iter().skip(1).all(|x| x.0 == AlertState::Updated));
        assert_eq!(out[0].evidence["zone"], "anchorage");
        let waited = out[0].time - T0;
        // Slow from confirmation (~10 s, once the speed estimate settles) plus 10 minutes.
        assert!((600.0..700.0).contains(&waited), "{waited}");
    }

    #[test]
    fn a_boat_passing_through_the_zone_or_slow_outside_it_raises_nothing() {
        let mut w = World::new();
        let mut r = rule(&w);
        assert!(drift(&mut w, &mut r, 5000.0, 8.0, 450).is_empty());
        let mut w = World::new();
        let mut r = rule(&w);
        assert!(drift(&mut w, &mut r, 8000.0, 0.5, 450).is_empty());
    }

    #[test]
    fn the_alert_is_cleared_when_the_boat_moves_on() {
        let mut w = World::new();
        let mut r = rule(&w);
        let mut out = Vec::new();
        for k in 0..500u32 {
            let t = T0 + 2.0 * f64::from(k);
            // 15 minutes still, then away south at 6 m/s (~12 kn).
            let y = if k < 450 {
                0.0
            } else {
                -12.0 * f64::from(k - 450)
            };
            w.radar(t, &[(5000.0, y)]);
            w.eval(t, |ctx, scene| r.evaluate(ctx, scene, &mut out));
        }
        let last = out.last().unwrap();
        assert_eq!(last.state, AlertState::Cleared, "{out:?}");
        assert_eq!(last.evidence["cleared"]["reason"], "moved_on");
        assert_eq!(r.tracks_watched(), 0);
    }
}
