//! `zone_entry`: a confirmed track inside a configured zone, and a confirmed track crossing a
//! border line, with the direction (DESIGN.md: `zone_entry` includes border-line crossing;
//! the evidence's `flavour` says which).
//!
//! Zones: a track is inside once it is `hysteresis_m` past the edge inward, outside once it is
//! as far past it outward, so a track running along an edge does not raise an alert a scan.
//! A track first seen inside a zone is raised too (`entry_observed: false`): what matters is
//! that it is there. The alert is updated while it moves inside, cleared when it leaves or
//! the track ends.
//!
//! Borders: a crossing is a movement of the track's estimate that intersects the line,
//! followed by the track settling `hysteresis_m` away from it on the other side (so jitter on
//! the line is no crossing, and going round the end of the line is not one either). Crossings
//! to the configured side (`to`; either way when unset) are raised; the alert is cleared when
//! the track crosses back, the track ends, or `crossing_hold_s` has passed.

use super::config::{BorderConfig, Severity, ZoneConfig, ZoneEntryConfig};
use super::geometry::{self, Crossing, LocalArea, LocalLine, Side};
use super::lifecycle::{Draft, Seen, Situations};
use super::scene::{Context, Scene, identity_of, usable};
use super::{Alert, AlertKind, rfc3339, round_to};
use crate::config::ConfigError;
use crate::decode::Time;
use crate::fuse::{Track, TrackId, TrackStatus};
use borderfuse_common::geo::LocalFrame;
use nalgebra::Vector2;
use serde_json::json;
use std::collections::HashMap;

/// A zone, ready to test tracks against.
#[derive(Debug, Clone, PartialEq)]
pub struct Zone {
    area: LocalArea,
    severity: Option<Severity>,
}

impl Zone {
    /// Reads zone `config` (key path `key`, for errors) into `frame`.
    pub fn load(config: &ZoneConfig, key: &str, frame: &LocalFrame) -> Result<Zone, ConfigError> {
        let lonlat = geometry::load_areas(&config.source(key)?, key)?;
        Ok(Zone {
            area: LocalArea::new(&config.name, &lonlat, frame),
            severity: config.severity,
        })
    }
}

/// A border line, ready to test tracks against.
#[derive(Debug, Clone, PartialEq)]
pub struct Border {
    line: LocalLine,
    left: String,
    right: String,
    to: Option<Side>,
    severity: Option<Severity>,
}

impl Border {
    /// Reads border `config` (key path `key`, for errors) into `frame`.
    pub fn load(
        config: &BorderConfig,
        key: &str,
        frame: &LocalFrame,
    ) -> Result<Border, ConfigError> {
        let lonlat = geometry::load_lines(&config.source(key)?, key)?;
        Ok(Border {
            line: LocalLine::new(&config.name, &lonlat, frame),
            left: config.left.clone(),
            right: config.right.clone(),
            to: config.to_side(),
            severity: config.severity,
        })
    }

    fn side_name(&self, side: Side) -> &str {
        match side {
            Side::Left => &self.left,
            Side::Right => &self.right,
        }
    }
}

/// What an alert is about: a zone or a border, by index.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Target {
    /// Zone `i`.
    Zone(usize),
    /// Border `i`.
    Border(usize),
}

#[derive(Debug, Clone, Copy, Default, PartialEq)]
struct ZoneSeen {
    /// Settled inside (true) or outside (false); unknown until the track is clear of the
    /// edge.
    inside: Option<bool>,
    /// When it settled inside.
    since: Time,
    /// Whether it was seen outside before.
    entry_observed: bool,
}

/// A crossing that raised an alert.
#[derive(Debug, Clone, Copy, PartialEq)]
struct CrossingSeen {
    t: Time,
    at: Vector2<f64>,
    from: Side,
    to: Side,
}

#[derive(Debug, Clone, Copy, Default, PartialEq)]
struct BorderSeen {
    /// The estimate at the last evaluation.
    last: Option<Vector2<f64>>,
    /// The side it settled on.
    settled: Option<Side>,
    /// The latest intersection with the line since it settled: when and where.
    crossed: Option<(Time, Vector2<f64>)>,
    /// The crossing of the open alert.
    alerted: Option<CrossingSeen>,
}

#[derive(Debug, Clone, PartialEq)]
struct TrackSeen {
    zones: Vec<ZoneSeen>,
    borders: Vec<BorderSeen>,
}

/// The rule.
#[derive(Debug, Clone)]
pub struct ZoneEntryRule {
    config: ZoneEntryConfig,
    zones: Vec<Zone>,
    borders: Vec<Border>,
    tracks: HashMap<TrackId, TrackSeen>,
    crossings: Vec<Crossing>,
    open: Situations<(TrackId, Target)>,
}

impl ZoneEntryRule {
    /// The rule over `zones` and `borders`, with at most `capacity` alerts open.
    pub fn new(
        config: &ZoneEntryConfig,
        zones: Vec<Zone>,
        borders: Vec<Border>,
        capacity: usize,
    ) -> Self {
        ZoneEntryRule {
            config: config.clone(),
            zones,
            borders,
            tracks: HashMap::new(),
            crossings: Vec::new(),
            open: Situations::new(AlertKind::ZoneEntry, capacity),
        }
    }

    /// Open alerts.
    pub fn open(&self) -> &Situations<(TrackId, Target)> {
        &self.open
    }

    /// Tracks with per-track state.
    pub fn tracks_watched(&self) -> usize {
        self.tracks.len()
    }

    /// Raises, updates and clears at the scene's time.
    pub fn evaluate(&mut self, ctx: &Context, scene: &Scene<'_>, out: &mut Vec<Alert>) {
        if !self.config.enabled || (self.zones.is_empty() && self.borders.is_empty()) {
            return;
        }
        let now = scene.now;
        let h = self.config.hysteresis_m;
        for track in scene.tracks {
            if track.status != TrackStatus::Confirmed || !usable(track) {
                continue;
            }
            let p = track.estimate.position();
            let seen = self.tracks.entry(track.id).or_insert_with(|| TrackSeen {
                zones: vec![ZoneSeen::default(); self.zones.len()],
                borders: vec![BorderSeen::default(); self.borders.len()],
            });
            for (z, (zone, zs)) in self.zones.iter().zip(seen.zones.iter_mut()).enumerate() {
                let key = (track.id, Target::Zone(z));
                let inside = zone.area.contains(p);
                if zs.inside != Some(inside) && zone.area.edge_distance(p) >= h {
                    let before = zs.inside.replace(inside);
                    if inside {
                        zs.since = now;
                        zs.entry_observed = before == Some(false);
                    } else {
                        self.open
                            .clear(&ctx.issuer, &key, None, "left_zone", now, out);
                    }
                }
                if zs.inside == Some(true) {
                    let seen = Seen {
                        position: p,
                        state: 0,
                    };
                    let zs = *zs;
                    let draft = || zone_draft(ctx, scene, track, zone, &zs, &self.config, p);
                    self.open.report(&ctx.issuer, key, seen, now, draft, out);
                }
            }
            for (b, (border, bs)) in self.borders.iter().zip(seen.borders.iter_mut()).enumerate() {
                let key = (track.id, Target::Border(b));
                if let Some(last) = bs.last {
                    border.line.crossings(last, p, &mut self.crossings);
                    if let Some(c) = self.crossings.last() {
                        bs.crossed = Some((now, c.at));
                    }
                }
                bs.last = Some(p);
                // The side matters only to settle a new track or a track that crossed: the
                // cost of a long border is paid only then.
                let unsettled = bs.settled.is_none() || bs.crossed.is_some();
                if unsettled
                    && border.line.distance(p) >= h
                    && let Some(side) = border.line.side_of(p)
                {
                    let before = bs.settled.replace(side);
                    if let (Some(from), Some((t, at))) = (before, bs.crossed)
                        && from != side
                    {
                        self.open
                            .clear(&ctx.issuer, &key, None, "crossed_back", now, out);
                        bs.alerted = None;
                        if border.to.is_none_or(|to| to == side) {
                            bs.alerted = Some(CrossingSeen {
                                t,
                                at,
                                from,
                                to: side,
                            });
                        }
                    }
                    bs.crossed = None;
                }
                let Some(crossing) = bs.alerted else {
                    continue;
                };
                let expired = self
                    .open
                    .last(&key)
                    .is_some_and(|a| now - a.raised >= self.config.crossing_hold_s);
                if expired {
                    self.open
                        .clear(&ctx.issuer, &key, None, "hold_expired", now, out);
                    bs.alerted = None;
                    continue;
                }
                let seen = Seen {
                    position: p,
                    state: 0,
                };
                let draft = || border_draft(ctx, scene, track, border, &crossing, &self.config, p);
                self.open.report(&ctx.issuer, key, seen, now, draft, out);
            }
        }
        // Tracks that ended: their state goes, their alerts are cleared.
        self.tracks.retain(|id, _| scene.alive(*id));
        self.open.clear_where(&ctx.issuer, now, out, |(id, _), _| {
            (!scene.alive(*id)).then_some("track_ended")
        });
    }
}

fn zone_draft(
    ctx: &Context,
    scene: &Scene<'_>,
    track: &Track,
    zone: &Zone,
    seen: &ZoneSeen,
    config: &ZoneEntryConfig,
    p: Vector2<f64>,
) -> Draft {
    Draft {
        severity: zone.severity.unwrap_or(config.severity),
        first_seen: seen.since,
        position: p,
        track_id: Some(track.id),
        identity: identity_of(scene.picture, track),
        evidence: json!({
            "flavour": "zone",
            "zone": zone.area.name,
            "entered": rfc3339(seen.since),
            "entry_observed": seen.entry_observed,
            "inside_by_m": round_to(zone.area.edge_distance(p), 1.0),
            "hysteresis_m": config.hysteresis_m,
            "track": ctx.track_evidence(track),
        }),
    }
}

fn border_draft(
    ctx: &Context,
    scene: &Scene<'_>,
    track: &Track,
    border: &Border,
    crossing: &CrossingSeen,
    config: &ZoneEntryConfig,
    p: Vector2<f64>,
) -> Draft {
    let at = ctx
        .issuer
        .frame()
        .from_east_north(crossing.at.x, crossing.at.y, 0.0);
    Draft {
        severity: border.severity.unwrap_or(config.severity),
        first_seen: crossing.t,
        position: p,
        track_id: Some(track.id),
        identity: identity_of(scene.picture, track),
        evidence: json!({
            "flavour": "border_crossing",
            "border": border.line.name,
            "from": border.side_name(crossing.from),
            "to": border.side_name(crossing.to),
            "crossed": rfc3339(crossing.t),
            "crossing_point": {"lat": round_to(at.lat_deg, 1e-6), "lon": round_to(at.lon_deg, 1e-6)},
            "past_line_m": round_to(border.line.distance(p), 1.0),
            "hysteresis_m": config.hysteresis_m,
            "track": ctx.track_evidence(track),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::detect::AlertState;
    use crate::detect::testkit::{T0, World, states};

    /// A square zone 4-6 km east, -1..1 km north, in the test world's frame.
    fn zone(w: &World) -> Zone {
        let corner = |x: f64, y: f64| {
            let g = w.frame.from_east_north(x, y, 0.0);
            [g.lon_deg, g.lat_deg]
        };
        let config = ZoneConfig {
            name: "box".into(),
            geojson: Some(json!({"type": "Polygon", "coordinates": [[
                corner(4000.0, -1000.0), corner(6000.0, -1000.0), corner(6000.0, 1000.0),
                corner(4000.0, 1000.0), corner(4000.0, -1000.0)
            ]]})),
            geojson_file: None,
            severity: Some(Severity::High),
        };
        Zone::load(&config, "rules.zone_entry.zones[0]", &w.frame).unwrap()
    }

    /// A border along x = 3 km, drawn northwards: west is its left ("GR"), east its right
    /// ("TR"); only crossings from TR to GR raise.
    fn border(w: &World) -> Border {
        let p = |x: f64, y: f64| {
            let g = w.frame.from_east_north(x, y, 0.0);
            [g.lon_deg, g.lat_deg]
        };
        let config = BorderConfig {
            name: "median".into(),
            geojson: Some(
                json!({"type": "LineString", "coordinates": [p(3000.0, -5000.0), p(3000.0, 5000.0)]}),
            ),
            geojson_file: None,
            left: "GR".into(),
            right: "TR".into(),
            from: Some("TR".into()),
            to: Some("GR".into()),
            severity: None,
        };
        Border::load(&config, "rules.zone_entry.borders[0]", &w.frame).unwrap()
    }

    /// A boat moving east→west or west→east along y = 0 at `vx` m/s from `x0`, scanned every
    /// 2 s for `scans` scans.
    fn sail(w: &mut World, r: &mut ZoneEntryRule, x0: f64, vx: f64, scans: u32) -> Vec<Alert> {
        let mut out = Vec::new();
        for k in 0..scans {
            let t = T0 + 2.0 * f64::from(k);
            w.radar(t, &[(x0 + vx * 2.0 * f64::from(k), 0.0)]);
            w.eval(t, |ctx, scene| r.evaluate(ctx, scene, &mut out));
        }
        out
    }

    fn rule(zones: Vec<Zone>, borders: Vec<Border>) -> ZoneEntryRule {
        ZoneEntryRule::new(&ZoneEntryConfig::default(), zones, borders, 100)
    }

    #[test]
    fn a_boat_entering_a_zone_raises_once_and_is_cleared_when_it_leaves() {
        let mut w = World::new();
        let mut r = rule(vec![zone(&w)], vec![]);
        // From 2 km east to 9 km east at 10 m/s: enters at 4 km, leaves at 6 km.
        let out = sail(&mut w, &mut r, 2000.0, 10.0, 350);
        let s = states(&out, AlertKind::ZoneEntry);
        assert_eq!(s.first(), Some(&(AlertState::Raised, 0)), "{out:?}");
        assert_eq!(s.last().map(|x| x.0), Some(AlertState::Cleared));
        assert!(s[1..s.len() - 1].iter().all(|x| x.0 == AlertState::Updated));
        let raised = &out[0];
        assert_eq!(raised.evidence["zone"], "box");
        assert_eq!(raised.evidence["entry_observed"], true);
        assert_eq!(raised.severity, Severity::High);
        // Raised ~100 m inside (hysteresis) → x ≈ 4.1 km, t ≈ 210 s.
        assert!(
            (raised.time - T0 - 210.0).abs() < 10.0,
            "{}",
            raised.time - T0
        );
        assert_eq!(
            out.last().unwrap().evidence["cleared"]["reason"],
            "left_zone"
        );
    }

    #[test]
    fn a_boat_passing_by_a_zone_raises_nothing() {
        let mut w = World::new();
        let mut r = rule(vec![zone(&w)], vec![]);
        let mut out = Vec::new();
        for k in 0..300u32 {
            let t = T0 + 2.0 * f64::from(k);
            // Along y = 1.5 km, 500 m north of the zone.
            w.radar(t, &[(2000.0 + 20.0 * f64::from(k), 1500.0)]);
            w.eval(t, |ctx, scene| r.evaluate(ctx, scene, &mut out));
        }
        assert!(out.is_empty(), "{out:?}");
    }

    #[test]
    fn a_crossing_in_the_watched_direction_raises_with_both_sides_named() {
        let mut w = World::new();
        let mut r = rule(vec![], vec![border(&w)]);
        // From TR (x = 4 km) westwards into GR.
        let out = sail(&mut w, &mut r, 4000.0, -8.0, 150);
        let s = states(&out, AlertKind::ZoneEntry);
        assert_eq!(s.first(), Some(&(AlertState::Raised, 0)), "{out:?}");
        assert_eq!(out[0].evidence["flavour"], "border_crossing");
        assert_eq!(out[0].evidence["from"], "TR");
        assert_eq!(out[0].evidence["to"], "GR");
        assert_eq!(out[0].severity, Severity::Medium);
        // The crossing point is on the line.
        let at = &out[0].evidence["crossing_point"];
        let g = borderfuse_common::geo::Geodetic::new(
            at["lat"].as_f64().unwrap(),
            at["lon"].as_f64().unwrap(),
        );
        let (x, _) = w.frame.to_east_north(g);
        assert!((x - 3000.0).abs() < 30.0, "{x}");
    }

    #[test]
    fn a_crossing_the_other_way_raises_nothing() {
        let mut w = World::new();
        let mut r = rule(vec![], vec![border(&w)]);
        assert!(sail(&mut w, &mut r, 2000.0, 8.0, 150).is_empty());
    }

    #[test]
    fn jitter_on_the_line_is_no_crossing() {
        let mut w = World::new();
        let mut r = rule(vec![], vec![border(&w)]);
        let mut out = Vec::new();
        // Confirmed on the TR side, then wanders ±40 m about the line for 10 minutes.
        for k in 0..300u32 {
            let t = T0 + 2.0 * f64::from(k);
            let x = if k < 20 {
                3500.0
            } else if k % 2 == 0 {
                3040.0
            } else {
                2960.0
            };
            w.radar(t, &[(x, 0.0)]);
            w.eval(t, |ctx, scene| r.evaluate(ctx, scene, &mut out));
        }
        assert!(out.is_empty(), "{out:?}");
    }

    #[test]
    fn a_crossing_back_clears_the_alert() {
        let mut w = World::new();
        let mut r = rule(vec![], vec![border(&w)]);
        let mut out = Vec::new();
        // West at 8 m/s (16 m a scan) for 100 scans, 40 scans of turning about (slowing,
        // then back east), then east at 8 m/s.
        let mut x = 4000.0;
        for k in 0..250u32 {
            let t = T0 + 2.0 * f64::from(k);
            let v = match k {
                0..100 => -16.0,
                100..140 => -16.0 + 32.0 * f64::from(k - 100) / 40.0,
                _ => 16.0,
            };
            x += v;
            w.radar(t, &[(x, 0.0)]);
            w.eval(t, |ctx, scene| r.evaluate(ctx, scene, &mut out));
        }
        let s = states(&out, AlertKind::ZoneEntry);
        assert_eq!(s.first(), Some(&(AlertState::Raised, 0)), "{out:?}");
        let last = out.last().unwrap();
        assert_eq!(last.state, AlertState::Cleared);
        assert_eq!(last.evidence["cleared"]["reason"], "crossed_back");
        assert!(r.open().is_empty());
    }

    #[test]
    fn state_of_ended_tracks_is_dropped() {
        let mut w = World::new();
        let mut r = rule(vec![zone(&w)], vec![border(&w)]);
        sail(&mut w, &mut r, 5000.0, 1.0, 20);
        assert_eq!(r.tracks_watched(), 1);
        let mut out = Vec::new();
        for k in 20..40u32 {
            let t = T0 + 2.0 * f64::from(k);
            w.radar(t, &[]);
            w.eval(t, |ctx, scene| r.evaluate(ctx, scene, &mut out));
        }
        assert_eq!(r.tracks_watched(), 0);
        assert!(r.open().is_empty());
        assert_eq!(
            out.last().unwrap().evidence["cleared"]["reason"],
            "track_ended"
        );
    }
}
