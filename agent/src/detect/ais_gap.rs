//! `ais_gap`: a vessel that was transmitting falls silent for longer than its reporting
//! interval allows, while radar still holds it or while it should still be inside AIS
//! coverage. Switching AIS off is how a vessel hides a detour, a transfer or a fishing
//! ground; a transponder that merely left coverage is not news.
//!
//! The expected interval is the autonomous reporting interval of ITU-R M.1371-5 Annex 1
//! (Table 1 for class A, Table 2 for class B) for the speed the vessel last reported; the
//! rule allows `interval_multiple` of them (receivers miss reports), and never less than
//! `min_gap_s`. Navigational status is not decoded yet, so a class A vessel at 3 kn or less
//! is taken to be at anchor (3 min), the longest interval it could be on.
//!
//! One alert per silence: raised, updated while the vessel moves (on radar, or dead-reckoned
//! from its last report) or when radar loses or regains it, cleared when it transmits again
//! or when nothing holds it any more (radar lost it and its dead-reckoned position left
//! coverage). Per-vessel state is bounded; the stalest vessels are forgotten first, counted.

use super::config::AisGapConfig;
use super::lifecycle::{Draft, Seen, Situations};
use super::scene::{Context, Scene, identity_of_mmsi};
use super::{Alert, AlertKind, rfc3339, round_to};
use crate::decode::{AisPosition, Time};
use crate::fuse::ais::KNOT_MPS;
use borderfuse_common::geo::Geodetic;
use nalgebra::Vector2;
use serde_json::json;
use std::collections::BTreeMap;

pub use crate::decode::AisClass;

/// The autonomous reporting interval of a station of `class` at `speed_kn` (unknown: the
/// longest it could be), seconds: ITU-R M.1371-5 Annex 1 Table 1 (class A, not changing
/// course; at anchor assumed at 3 kn or less) and Table 2 (class B).
pub fn expected_interval_s(class: AisClass, speed_kn: Option<f64>) -> f64 {
    let Some(sog) = speed_kn.filter(|s| s.is_finite() && *s >= 0.0) else {
        return 180.0;
    };
    match class {
        AisClass::A => {
            if sog <= 3.0 {
                180.0
            } else if sog <= 14.0 {
                10.0
            } else if sog <= 23.0 {
                6.0
            } else {
                2.0
            }
        }
        AisClass::BSotdma => {
            if sog <= 2.0 {
                180.0
            } else if sog <= 14.0 {
                30.0
            } else if sog <= 23.0 {
                15.0
            } else {
                5.0
            }
        }
        AisClass::BCstdma => {
            if sog <= 2.0 {
                180.0
            } else {
                30.0
            }
        }
    }
}

/// The last report heard from a vessel.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Heard {
    t: Time,
    position: Vector2<f64>,
    velocity: Vector2<f64>,
    speed_kn: Option<f64>,
    class: AisClass,
}

/// The rule, the vessels it listens to, and their silences.
#[derive(Debug, Clone)]
pub struct AisGapRule {
    config: AisGapConfig,
    heard: BTreeMap<u32, Heard>,
    capacity: usize,
    evicted: u64,
    open: Situations<u32>,
}

impl AisGapRule {
    /// The rule, listening to at most `capacity` vessels (and with at most that many alerts
    /// open).
    pub fn new(config: &AisGapConfig, capacity: usize) -> Self {
        AisGapRule {
            config: config.clone(),
            heard: BTreeMap::new(),
            capacity,
            evicted: 0,
            open: Situations::new(AlertKind::AisGap, capacity),
        }
    }

    /// Open alerts.
    pub fn open(&self) -> &Situations<u32> {
        &self.open
    }

    /// Vessels forgotten to stay within capacity.
    pub fn evicted(&self) -> u64 {
        self.evicted
    }

    /// Vessels listened to.
    pub fn vessels(&self) -> usize {
        self.heard.len()
    }

    /// Takes in a position report (`position` east/north in the local frame). A vessel that
    /// was silent transmits again: its alert is cleared.
    pub fn observe(
        &mut self,
        ctx: &Context,
        report: &AisPosition,
        class: AisClass,
        position: Vector2<f64>,
        out: &mut Vec<Alert>,
    ) {
        let usable = report.t.is_finite() && position.x.is_finite() && position.y.is_finite();
        if !(self.config.enabled && usable) {
            return;
        }
        let speed_kn = report.speed_kn.filter(|s| s.is_finite() && *s >= 0.0);
        let velocity = match (speed_kn, report.course_deg.filter(|c| c.is_finite())) {
            (Some(s), Some(c)) => {
                let (sin, cos) = c.to_radians().sin_cos();
                Vector2::new(s * KNOT_MPS * sin, s * KNOT_MPS * cos)
            }
            _ => Vector2::zeros(),
        };
        let heard = Heard {
            t: report.t,
            position,
            velocity,
            speed_kn,
            class,
        };
        match self.heard.get_mut(&report.mmsi) {
            // An older report than the one held says nothing new.
            Some(h) if report.t < h.t => {}
            Some(h) => {
                let silent_s = report.t - h.t;
                *h = heard;
                if self.open.is_open(&report.mmsi) {
                    let draft = self.open.last(&report.mmsi).map(|last| {
                        let mut evidence = last.evidence.clone();
                        evidence["gap_s"] = json!(round_to(silent_s, 0.1));
                        evidence["heard_again"] = json!(rfc3339(report.t));
                        Draft {
                            severity: last.severity,
                            first_seen: last.first_seen,
                            position,
                            track_id: last.track_id,
                            identity: last.identity.clone(),
                            evidence,
                        }
                    });
                    self.open.clear(
                        &ctx.issuer,
                        &report.mmsi,
                        draft,
                        "transmitting_again",
                        report.t,
                        out,
                    );
                }
            }
            None => {
                self.heard.insert(report.mmsi, heard);
                self.enforce_capacity(ctx, report.t, out);
            }
        }
    }

    /// Forgets the stalest eighth of the vessels when over capacity (a flood of forged MMSIs
    /// must not grow memory), clearing their alerts.
    fn enforce_capacity(&mut self, ctx: &Context, now: Time, out: &mut Vec<Alert>) {
        if self.heard.len() <= self.capacity {
            return;
        }
        let excess = self.heard.len() - self.capacity;
        let n = excess.max(self.capacity / 8).min(self.heard.len());
        let mut by_age: Vec<(Time, u32)> = self.heard.iter().map(|(m, h)| (h.t, *m)).collect();
        by_age.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
        for &(_, mmsi) in by_age.iter().take(n) {
            self.heard.remove(&mmsi);
            self.open
                .clear(&ctx.issuer, &mmsi, None, "forgotten", now, out);
        }
        self.evicted += n as u64;
    }

    /// Raises, updates and clears silences at the scene's time.
    pub fn evaluate(&mut self, ctx: &Context, scene: &Scene<'_>, out: &mut Vec<Alert>) {
        if !self.config.enabled {
            return;
        }
        let now = scene.now;
        let mut gone = Vec::new();
        for (&mmsi, h) in &self.heard {
            let gap = now - h.t;
            let interval = expected_interval_s(h.class, h.speed_kn);
            let threshold = (self.config.interval_multiple * interval).max(self.config.min_gap_s);
            // False for a NaN gap too (a clock gone wrong).
            let overdue = gap >= threshold;
            if !overdue {
                continue;
            }
            let track = scene.track_of_mmsi(mmsi).filter(|t| {
                t.last_radar_update
                    .is_some_and(|r| r > h.t && now - r <= self.config.radar_fresh_s)
                    && super::scene::usable(t)
            });
            let dead_reckoned = h.position + h.velocity * gap;
            let position = track.map_or(dead_reckoned, |t| t.estimate.position());
            let in_coverage = ctx.in_coverage(position) && ctx.in_coverage(h.position);
            if track.is_none() && !in_coverage {
                gone.push(mmsi);
                continue;
            }
            let seen = Seen {
                position,
                state: u64::from(track.is_some()),
            };
            let draft = || {
                let last = ctx
                    .issuer
                    .frame()
                    .from_east_north(h.position.x, h.position.y, 0.0);
                Draft {
                    severity: self.config.severity,
                    first_seen: h.t,
                    position,
                    track_id: track.map(|t| t.id),
                    identity: identity_of_mmsi(scene.picture, mmsi),
                    evidence: json!({
                        "mmsi": mmsi,
                        "class": h.class,
                        "last_report": {
                            "time": rfc3339(h.t),
                            "lat": round_to(last.lat_deg, 1e-6),
                            "lon": round_to(last.lon_deg, 1e-6),
                            "speed_kn": h.speed_kn,
                        },
                        "gap_s": round_to(gap, 0.1),
                        "expected_interval_s": interval,
                        "threshold_s": round_to(threshold, 0.1),
                        "held_by": if track.is_some() { "radar" } else { "ais_coverage" },
                        "position_from": if track.is_some() { "radar_track" } else { "dead_reckoning" },
                        "ais_coverage": ctx.covering(position),
                        "track": track.map(|t| ctx.track_evidence(t)),
                    }),
                }
            };
            self.open.report(&ctx.issuer, mmsi, seen, now, draft, out);
        }
        for mmsi in gone {
            // Nothing holds it: radar does not see it and it should be out of coverage. It
            // is no longer a silence this post can speak of.
            self.heard.remove(&mmsi);
            self.open
                .clear(&ctx.issuer, &mmsi, None, "no_longer_held", now, out);
        }
    }
}

/// A report's position in the local frame.
pub fn local_position(ctx: &Context, report: &AisPosition) -> Vector2<f64> {
    let (e, n) = ctx
        .issuer
        .frame()
        .to_east_north(Geodetic::new(report.lat_deg, report.lon_deg));
    Vector2::new(e, n)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::detect::AlertState;
    use crate::detect::testkit::{AIS_RANGE_M, T0, World, states};

    const MMSI: u32 = 239_123_000;

    fn rule() -> AisGapRule {
        AisGapRule::new(&AisGapConfig::default(), 1000)
    }

    #[test]
    fn reporting_intervals_follow_itu_r_m1371_tables_1_and_2() {
        use AisClass::*;
        let cases = [
            (A, Some(0.0), 180.0),
            (A, Some(3.0), 180.0),
            (A, Some(10.0), 10.0),
            (A, Some(14.0), 10.0),
            (A, Some(20.0), 6.0),
            (A, Some(30.0), 2.0),
            (A, None, 180.0),
            (A, Some(f64::NAN), 180.0),
            (BSotdma, Some(1.0), 180.0),
            (BSotdma, Some(10.0), 30.0),
            (BSotdma, Some(20.0), 15.0),
            (BSotdma, Some(25.0), 5.0),
            (BCstdma, Some(1.5), 180.0),
            (BCstdma, Some(25.0), 30.0),
        ];
        for (class, sog, want) in cases {
            assert_eq!(expected_interval_s(class, sog), want, "{class:?} {sog:?}");
        }
    }

    /// A vessel 5 km east going north at ~10 kn (5 m/s): radar every 2 s for `scans` scans,
    /// AIS every 10 s until `ais_until` s.
    fn run(
        w: &mut World,
        r: &mut AisGapRule,
        scans: u32,
        ais_until: f64,
        radar: bool,
    ) -> Vec<Alert> {
        let mut out = Vec::new();
        for k in 0..scans {
            let t = T0 + 2.0 * f64::from(k);
            let y = 5.0 * 2.0 * f64::from(k);
            if radar {
                w.radar(t, &[(5000.0, y)]);
            }
            if k % 5 == 0 && t - T0 < ais_until {
                let report = w.ais_report(t + 0.5, MMSI, 5000.0, y + 2.5, 9.7, 0.0);
                w.ais(&report);
                let p = local_position(&w.ctx, &report);
                r.observe(&w.ctx, &report, AisClass::A, p, &mut out);
            }
            w.eval(t, |ctx, scene| r.evaluate(ctx, scene, &mut out));
        }
        out
    }

    #[test]
    fn a_vessel_that_goes_silent_while_radar_holds_it_raises_a_gap() {
        let mut w = World::new();
        let mut r = rule();
        // AIS for 2 min, then 5 min of silence under radar.
        let out = run(&mut w, &mut r, 210, 120.0, true);
        let s = states(&out, AlertKind::AisGap);
        assert_eq!(s.first(), Some(&(AlertState::Raised, 0)), "{out:?}");
        assert!(s[1..].iter().all(|x| x.0 == AlertState::Updated));
        let a = &out[0];
        assert_eq!(a.identity.mmsi, Some(MMSI));
        assert_eq!(a.evidence["held_by"], "radar");
        assert!(a.track_id.is_some());
        // Raised a minute after the last report (at 110.5 s; 6 × 10 s = 60 s = the floor).
        let last_report = T0 + 110.5;
        assert!(
            (a.time - last_report - 60.0).abs() <= 2.0,
            "{}",
            a.time - last_report
        );
    }

    #[test]
    fn a_vessel_that_keeps_transmitting_raises_nothing() {
        let mut w = World::new();
        let mut r = rule();
        assert!(run(&mut w, &mut r, 210, f64::INFINITY, true).is_empty());
    }

    #[test]
    fn a_silent_vessel_is_cleared_when_it_transmits_again() {
        let mut w = World::new();
        let mut r = rule();
        let mut out = run(&mut w, &mut r, 100, 60.0, true);
        let raised = states(&out, AlertKind::AisGap)
            .iter()
            .filter(|s| s.0 == AlertState::Raised)
            .count();
        assert_eq!(raised, 1);
        let report = w.ais_report(T0 + 201.0, MMSI, 5000.0, 1000.0, 9.7, 0.0);
        let p = local_position(&w.ctx, &report);
        r.observe(&w.ctx, &report, AisClass::A, p, &mut out);
        let last = out.last().unwrap();
        assert_eq!(last.state, AlertState::Cleared);
        assert_eq!(last.evidence["cleared"]["reason"], "transmitting_again");
        assert!(r.open().is_empty());
    }

    #[test]
    fn without_radar_a_vessel_silent_inside_coverage_raises_and_one_leaving_it_does_not() {
        let mut w = World::new();
        let mut r = rule();
        let out = run(&mut w, &mut r, 100, 60.0, false);
        let s = states(&out, AlertKind::AisGap);
        assert_eq!(s.first(), Some(&(AlertState::Raised, 0)));
        assert_eq!(out[0].evidence["held_by"], "ais_coverage");

        // The same vessel at the edge of coverage, heading out: silence is expected.
        let mut w = World::new();
        let mut r = rule();
        let mut out = Vec::new();
        for k in 0..6 {
            let t = T0 + 10.0 * f64::from(k);
            let x = AIS_RANGE_M - 300.0 + 100.0 * f64::from(k);
            let report = w.ais_report(t, MMSI, x, 0.0, 20.0, 90.0);
            let p = local_position(&w.ctx, &report);
            r.observe(&w.ctx, &report, AisClass::A, p, &mut out);
        }
        w.eval(T0 + 300.0, |ctx, scene| r.evaluate(ctx, scene, &mut out));
        assert!(out.is_empty(), "{out:?}");
        assert_eq!(r.vessels(), 0, "a vessel nothing holds is forgotten");
    }

    #[test]
    fn a_vessel_at_anchor_is_allowed_its_three_minutes() {
        let mut w = World::new();
        let mut r = rule();
        let mut out = Vec::new();
        let report = w.ais_report(T0, MMSI, 5000.0, 0.0, 0.1, 0.0);
        let p = local_position(&w.ctx, &report);
        r.observe(&w.ctx, &report, AisClass::A, p, &mut out);
        // 6 × 180 s = 18 min.
        w.eval(T0 + 1000.0, |ctx, scene| r.evaluate(ctx, scene, &mut out));
        assert!(out.is_empty());
        w.eval(T0 + 1100.0, |ctx, scene| r.evaluate(ctx, scene, &mut out));
        assert_eq!(
            states(&out, AlertKind::AisGap),
            vec![(AlertState::Raised, 0)]
        );
    }

    #[test]
    fn per_vessel_memory_is_bounded_and_evictions_are_counted() {
        let w = World::new();
        let mut r = AisGapRule::new(&AisGapConfig::default(), 100);
        let mut out = Vec::new();
        for k in 0..1000u32 {
            let report = w.ais_report(T0 + f64::from(k), 200_000_000 + k, 1000.0, 0.0, 10.0, 0.0);
            let p = local_position(&w.ctx, &report);
            r.observe(&w.ctx, &report, AisClass::A, p, &mut out);
        }
        assert!(r.vessels() <= 100);
        assert_eq!(r.evicted(), 1000 - r.vessels() as u64);
    }

    #[test]
    fn odd_input_is_ignored_without_panic() {
        let w = World::new();
        let mut r = rule();
        let mut out = Vec::new();
        let mut report = w.ais_report(f64::NAN, MMSI, 0.0, 0.0, 10.0, 0.0);
        r.observe(&w.ctx, &report, AisClass::A, Vector2::zeros(), &mut out);
        report.t = T0;
        report.speed_kn = Some(f64::INFINITY);
        report.course_deg = Some(f64::NAN);
        r.observe(
            &w.ctx,
            &report,
            AisClass::A,
            Vector2::new(f64::NAN, 0.0),
            &mut out,
        );
        r.observe(&w.ctx, &report, AisClass::A, Vector2::zeros(), &mut out);
        assert_eq!(r.vessels(), 1);
        let mut w = w;
        w.eval(T0 + 10_000.0, |ctx, scene| r.evaluate(ctx, scene, &mut out));
        assert!(out.iter().all(|a| a.lat.is_finite() && a.lon.is_finite()));
    }
}
