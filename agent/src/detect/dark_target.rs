//! `dark_target`: a confirmed radar track with no AIS for a configurable time, inside AIS
//! coverage. Vessels over 300 GT and all passenger ships must transmit AIS (SOLAS V/19); a
//! boat that radar sees but that says nothing, where AIS would be heard, is the smuggler's
//! signature.
//!
//! One alert per dark track: raised once, updated while the boat stays dark and moves,
//! cleared when an AIS identity binds to the track or the track ends. AIS coverage decides
//! only whether to raise: a dark boat that runs out of coverage stays a dark boat.
//!
//! A track that was bound to a vessel's AIS and fell silent is `ais_gap`'s situation when that
//! rule runs (it knows who fell silent); this rule then looks only at tracks without an AIS
//! identity.

use super::config::DarkTargetConfig;
use super::lifecycle::{Draft, Seen, Situations};
use super::scene::{Context, Scene, identity_of, usable};
use super::{Alert, AlertKind, Identity, rfc3339, round_to};
use crate::fuse::{TrackId, TrackStatus};
use serde_json::json;

/// The rule and the dark tracks it has raised.
#[derive(Debug, Clone)]
pub struct DarkTargetRule {
    config: DarkTargetConfig,
    /// Whether tracks bound to an AIS identity are left to `ais_gap`.
    leave_bound_to_ais_gap: bool,
    open: Situations<TrackId>,
}

impl DarkTargetRule {
    /// The rule; `leave_bound_to_ais_gap` when `ais_gap` runs. At most `capacity` alerts open.
    pub fn new(config: &DarkTargetConfig, leave_bound_to_ais_gap: bool, capacity: usize) -> Self {
        DarkTargetRule {
            config: config.clone(),
            leave_bound_to_ais_gap,
            open: Situations::new(AlertKind::DarkTarget, capacity),
        }
    }

    /// Open alerts.
    pub fn open(&self) -> &Situations<TrackId> {
        &self.open
    }

    /// Raises, updates and clears at the scene's time. Tracks in `spoofed` (their vessel's
    /// AIS reports a position radar contradicts) are `ais_spoofing`'s situation: one alert
    /// per situation, so none is raised here (an open one is left to clear itself).
    pub fn evaluate(
        &mut self,
        ctx: &Context,
        scene: &Scene<'_>,
        spoofed: &std::collections::BTreeSet<TrackId>,
        out: &mut Vec<Alert>,
    ) {
        if !self.config.enabled {
            return;
        }
        let now = scene.now;
        for track in scene.tracks {
            let (TrackStatus::Confirmed, Some(confirmed_at)) = (track.status, track.confirmed_at)
            else {
                continue;
            };
            if !usable(track) {
                continue;
            }
            let open = self.open.is_open(&track.id);
            if spoofed.contains(&track.id) && !open {
                continue;
            }
            if self.leave_bound_to_ais_gap && track.ais.is_some() {
                if open {
                    self.clear_identified(ctx, scene, track.id, out);
                }
                continue;
            }
            // Dark since it was confirmed, or since the last AIS report that matched it.
            let dark_since = track
                .ais
                .map_or(confirmed_at, |b| b.last_match.max(confirmed_at));
            let dark_for = now - dark_since;
            if dark_for < self.config.after_s {
                if open {
                    self.clear_identified(ctx, scene, track.id, out);
                }
                continue;
            }
            let position = track.estimate.position();
            if !open && !ctx.in_coverage(position) {
                continue;
            }
            let seen = Seen { position, state: 0 };
            let draft = || {
                let nearest = scene
                    .picture
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
                Draft {
                    severity: self.config.severity,
                    first_seen: track.created,
                    position,
                    track_id: Some(track.id),
                    identity: Identity::default(),
                    evidence: json!({
                        "sensors": ctx.sensors_of(track),
                        "ais_coverage": ctx.covering(position),
                        "dark_since": rfc3339(dark_since),
                        "dark_for_s": round_to(dark_for, 0.1),
                        "threshold_s": self.config.after_s,
                        "track": ctx.track_evidence(track),
                        "nearest_ais": nearest,
                    }),
                }
            };
            self.open
                .report(&ctx.issuer, track.id, seen, now, draft, out);
        }
        self.open.clear_where(&ctx.issuer, now, out, |id, _| {
            (!scene.alive(*id)).then_some("track_ended")
        });
    }

    /// Clears the alert of a track that now has an AIS identity, naming it.
    fn clear_identified(
        &mut self,
        ctx: &Context,
        scene: &Scene<'_>,
        id: TrackId,
        out: &mut Vec<Alert>,
    ) {
        let Some(track) = scene.track(id) else {
            return;
        };
        let draft = self.open.last(&id).map(|last| Draft {
            severity: last.severity,
            first_seen: last.first_seen,
            position: track.estimate.position(),
            track_id: Some(id),
            identity: identity_of(scene.picture, track),
            evidence: json!({
                "sensors": ctx.sensors_of(track),
                "track": ctx.track_evidence(track),
            }),
        });
        self.open
            .clear(&ctx.issuer, &id, draft, "ais_identified", scene.now, out);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::detect::AlertState;
    use crate::detect::testkit::{T0, World, states};

    fn rule(leave_bound: bool) -> DarkTargetRule {
        DarkTargetRule::new(&DarkTargetConfig::default(), leave_bound, 100)
    }

    /// A boat at 5 km east moving north at 5 m/s, scanned every 2 s from `from` to `to` s.
    fn scan_boat(w: &mut World, r: &mut DarkTargetRule, from: u32, to: u32) -> Vec<Alert> {
        let mut out = Vec::new();
        for k in from..to {
            let t = T0 + 2.0 * f64::from(k);
            w.radar(t, &[(5000.0, 5.0 * 2.0 * f64::from(k))]);
            w.eval(t, |ctx, scene| {
                r.evaluate(ctx, scene, &Default::default(), &mut out)
            });
        }
        out
    }

    #[test]
    fn a_track_whose_ais_radar_contradicts_is_left_to_ais_spoofing() {
        let mut w = World::new();
        let mut r = rule(true);
        let mut out = Vec::new();
        for k in 0..100u32 {
            let t = T0 + 2.0 * f64::from(k);
            w.radar(t, &[(5000.0, 5.0 * 2.0 * f64::from(k))]);
            w.eval(t, |ctx, scene| {
                let spoofed = scene.tracks.iter().map(|t| t.id).collect();
                r.evaluate(ctx, scene, &spoofed, &mut out)
            });
        }
        assert!(out.is_empty(), "{out:#?}");
        // The same boat without the contradiction is dark.
        assert!(!scan_boat(&mut World::new(), &mut rule(true), 0, 100).is_empty());
    }

    #[test]
    fn a_boat_that_stays_dark_gives_one_alert_updated_as_it_moves_not_one_per_scan() {
        let mut w = World::new();
        let mut r = rule(true);
        // Ten minutes of scans: 300 scans.
        let out = scan_boat(&mut w, &mut r, 0, 300);
        let s = states(&out, AlertKind::DarkTarget);
        assert_eq!(s[0], (AlertState::Raised, 0));
        assert!(
            s[1..].iter().all(|(st, _)| *st == AlertState::Updated),
            "{s:?}"
        );
        // Raised after ~70 s (confirmation + 60 s); at 5 m/s it moves 300 m a minute, so
        // about one update a minute: 8-9, never one a scan.
        assert!((7..=10).contains(&s.len()), "{s:?}");
        assert!(out.iter().all(|a| a.id == out[0].id));
        let revisions: Vec<u32> = s.iter().map(|x| x.1).collect();
        assert_eq!(revisions, (0..s.len() as u32).collect::<Vec<_>>());
        assert_eq!(out[0].evidence["sensors"], json!(["radar"]));
        assert!(
            (out[0].time - T0 - 60.0).abs() < 20.0,
            "{}",
            out[0].time - T0
        );
    }

    #[test]
    fn a_boat_seen_for_less_than_the_threshold_raises_nothing() {
        let mut w = World::new();
        let mut r = rule(true);
        assert!(scan_boat(&mut w, &mut r, 0, 30).is_empty());
    }

    #[test]
    fn the_alert_is_cleared_when_the_track_ends() {
        let mut w = World::new();
        let mut r = rule(true);
        let mut out = scan_boat(&mut w, &mut r, 0, 50);
        assert_eq!(states(&out, AlertKind::DarkTarget).len(), 1);
        // The boat vanishes: empty scans until the track is deleted.
        for k in 50..60 {
            let t = T0 + 2.0 * f64::from(k);
            w.radar(t, &[]);
            w.eval(t, |ctx, scene| {
                r.evaluate(ctx, scene, &Default::default(), &mut out)
            });
        }
        let last = out.last().unwrap();
        assert_eq!(
            (last.state, last.revision),
            (AlertState::Cleared, 1),
            "{out:?}"
        );
        assert_eq!(last.evidence["cleared"]["reason"], "track_ended");
        assert!(r.open().is_empty());
    }

    #[test]
    fn the_alert_is_cleared_naming_the_vessel_when_its_ais_binds() {
        let mut w = World::new();
        let mut r = rule(true);
        let mut out = scan_boat(&mut w, &mut r, 0, 50);
        // The boat switches its AIS on where radar sees it.
        let t = T0 + 100.0;
        let report = w.ais_report(t, 239_123_000, 5000.0, 500.0, 9.7, 0.0);
        w.ais(&report);
        w.eval(t, |ctx, scene| {
            r.evaluate(ctx, scene, &Default::default(), &mut out)
        });
        let last = out.last().unwrap();
        assert_eq!(last.state, AlertState::Cleared, "{out:?}");
        assert_eq!(last.identity.mmsi, Some(239_123_000));
        assert_eq!(last.evidence["cleared"]["reason"], "ais_identified");
    }

    #[test]
    fn a_track_outside_ais_coverage_is_not_raised() {
        let mut w = World::new();
        w.ctx.coverage[0].range_m = 1000.0;
        let mut r = rule(true);
        assert!(scan_boat(&mut w, &mut r, 0, 100).is_empty());
    }

    #[test]
    fn without_ais_gap_a_silent_bound_track_is_dark_after_its_last_report() {
        let mut w = World::new();
        let mut with_gap = rule(true);
        let mut alone = rule(false);
        let (mut a, mut b) = (Vec::new(), Vec::new());
        for k in 0..100u32 {
            let t = T0 + 2.0 * f64::from(k);
            let y = 10.0 * f64::from(k);
            w.radar(t, &[(5000.0, y)]);
            if k < 10 {
                let report = w.ais_report(t + 1.0, 239_123_000, 5000.0, y + 5.0, 9.7, 0.0);
                w.ais(&report);
            }
            w.eval(t, |ctx, scene| {
                with_gap.evaluate(ctx, scene, &Default::default(), &mut a);
                alone.evaluate(ctx, scene, &Default::default(), &mut b);
            });
        }
        assert!(a.is_empty(), "{a:?}");
        assert_eq!(
            states(&b, AlertKind::DarkTarget)[0],
            (AlertState::Raised, 0)
        );
    }
}
