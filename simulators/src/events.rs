//! What the agent should alert on in a scenario, and how well its alerts matched.
//!
//! [`expected_events`] derives the events from the scenario itself, with the agent's default
//! rule settings ([`RuleDefaults`]):
//! - `dark_target`: a vessel without AIS, for as long as a radar covers it (one event per
//!   stretch of coverage);
//! - `ais_gap`: a transponder switched off (`ais.off_s`) while a receiver heard it, until it
//!   is switched back on or the run ends;
//! - `ais_spoofing`: a transponder reporting a false position while a radar covers the
//!   vessel, or another vessel's MMSI while that vessel is heard elsewhere (and then also
//!   `ais_gap`: its own MMSI falls silent);
//! - `zone_entry`: a vessel seen by a sensor entering a watched zone, or crossing the
//!   border into `border_sides.alert_into`;
//! - `rendezvous`: two vessels within [`RuleDefaults::rendezvous_distance_m`] of each other
//!   for [`RuleDefaults::rendezvous_duration_s`], both no faster than
//!   [`RuleDefaults::rendezvous_max_speed_kn`], outside port areas, both seen by a sensor;
//! - `plate_hotlist`: a hotlisted vehicle's crossing that a camera read;
//! - `plate_clone`: a plate read at a checkpoint sooner after its read at another than a car
//!   could drive between them.
//!
//! `bordersim generate` writes them to `expected.json` with the UTC of scenario time 0.
//!
//! [`score_alerts`] matches the agent's alerts (the JSON payloads it publishes, one a line)
//! against them: an alert of an event's kind matches when it was raised within the event's
//! window (plus the allowed latency) and placed within `radius_m` of the actor at that time
//! (of either vessel of a rendezvous, of the true or the reported position of a spoofer, of
//! the checkpoint of a plate event, whose alert must also name the plate when it carries it
//! in clear). Precision is the share of the agent's alerts (distinct ids, kinds the scenario
//! scores) that match an event; recall the share of events matched by at least one alert;
//! latency the time from an event's start to its first matching alert.

use crate::checkpoint::{CameraRead, camera_reads};
use crate::motion::{Route, State};
use crate::scenario::{Scenario, VesselSpec};
use crate::traffic::{CLONE_DETOUR_FACTOR, CLONE_MAX_SPEED_KMH};
use crate::world::inside;
use borderfuse_common::geo::{Enu, Geodetic, LocalFrame, great_circle_m};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// Kinds [`expected_events`] derives; alerts of other kinds are not scored.
pub const SCORED_KINDS: &[&str] = &[
    "dark_target",
    "ais_gap",
    "ais_spoofing",
    "zone_entry",
    "rendezvous",
    "plate_hotlist",
    "plate_clone",
];

/// How far before its event an alert's time may read, s: a reported time is rounded to the
/// millisecond twice on its way (a camera's timestamp, then the alert's RFC 3339 time).
const ALERT_TIME_RESOLUTION_S: f64 = 0.002;

/// Sampling step of the coverage and geometry tests, s.
const STEP_S: f64 = 1.0;

/// The agent's default rule settings the expected events assume (`[rules.rendezvous]` and
/// `[plates.crossing]`; see the agent's config documentation). Run the agent with the same
/// values, or expect the score to say so.
#[derive(Debug, Clone, Copy)]
pub struct RuleDefaults {
    /// `rules.rendezvous.max_distance_m`.
    pub rendezvous_distance_m: f64,
    /// `rules.rendezvous.min_duration_s`.
    pub rendezvous_duration_s: f64,
    /// `rules.rendezvous.max_speed_kn`: both vessels this slow.
    pub rendezvous_max_speed_kn: f64,
}

/// The defaults.
pub const RULE_DEFAULTS: RuleDefaults = RuleDefaults {
    rendezvous_distance_m: 200.0,
    rendezvous_duration_s: 600.0,
    rendezvous_max_speed_kn: 3.0,
};

/// One event the agent should alert on.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ExpectedEvent {
    /// Alert kind.
    pub kind: String,
    /// The vessel (its scenario name) or, for plate events, the plate.
    pub actor: String,
    /// Scenario time the event begins, s.
    pub from_s: f64,
    /// Scenario time it ends, s.
    pub to_s: f64,
    /// Where it begins, latitude.
    pub lat: f64,
    /// Where it begins, longitude.
    pub lon: f64,
    /// The other vessel of a rendezvous.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub other: Option<String>,
    /// The checkpoint of a plate event.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub checkpoint: Option<String>,
}

/// `expected.json`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Expected {
    /// Scenario name.
    pub scenario: String,
    /// UTC of scenario time 0, ms since the Unix epoch.
    pub start_utc_ms: u64,
    /// The events.
    pub events: Vec<ExpectedEvent>,
}

/// Where the scenario's sensors see: radar discs and AIS reception discs, local frame.
struct Coverage {
    radars: Vec<((f64, f64), f64)>,
    receivers: Vec<((f64, f64), f64)>,
}

impl Coverage {
    fn of(scenario: &Scenario, frame: &LocalFrame) -> Coverage {
        let disc = |p: Geodetic, r: f64| (frame.to_east_north(p), r);
        Coverage {
            radars: scenario
                .radars
                .iter()
                .map(|r| disc(r.position, r.max_range_m))
                .collect(),
            receivers: scenario
                .ais_receivers
                .iter()
                .map(|r| disc(r.position, r.range_m))
                .collect(),
        }
    }

    fn radar(&self, s: &State) -> bool {
        self.radars
            .iter()
            .any(|&((x, y), r)| (s.x - x).hypot(s.y - y) <= r)
    }

    fn ais(&self, s: &State) -> bool {
        self.receivers
            .iter()
            .any(|&((x, y), r)| (s.x - x).hypot(s.y - y) <= r)
    }
}

/// Whether `vessel`'s transponder is on at `t`.
fn transmitting(vessel: &VesselSpec, t: f64) -> bool {
    vessel.ais.as_ref().is_some_and(|a| {
        let off = a.off_s.is_some_and(|off| t >= off);
        let back = a.on_s.is_some_and(|on| t >= on);
        !off || back
    })
}

fn geodetic(frame: &LocalFrame, x: f64, y: f64) -> Geodetic {
    frame.to_geodetic(Enu {
        east_m: x,
        north_m: y,
        up_m: 0.0,
    })
}

/// The events of `scenario`.
pub fn expected_events(scenario: &Scenario) -> Vec<ExpectedEvent> {
    let frame = scenario.frame();
    let coverage = Coverage::of(scenario, &frame);
    let routes: Vec<Route> = scenario
        .vessels
        .iter()
        .map(|v| Route::new(&frame, v))
        .collect();
    let steps = (scenario.duration_s / STEP_S).floor().max(0.0) as u64;
    let times: Vec<f64> = (0..=steps).map(|k| k as f64 * STEP_S).collect();
    let event = |kind: &str, actor: &str, from_s: f64, to_s: f64, at: (f64, f64)| {
        let g = geodetic(&frame, at.0, at.1);
        ExpectedEvent {
            kind: kind.into(),
            actor: actor.into(),
            from_s,
            to_s,
            lat: g.lat_deg,
            lon: g.lon_deg,
            other: None,
            checkpoint: None,
        }
    };
    let mut events = Vec::new();

    // dark_target: stretches of radar coverage of vessels without AIS.
    for (vessel, route) in scenario.vessels.iter().zip(&routes) {
        if vessel.ais.is_some() {
            continue;
        }
        for (from, to) in stretches(&times, |t| coverage.radar(&route.state_at(t))) {
            let s = route.state_at(from);
            events.push(event("dark_target", &vessel.name, from, to, (s.x, s.y)));
        }
    }

    for (vessel, route) in scenario.vessels.iter().zip(&routes) {
        let Some(ais) = &vessel.ais else { continue };
        // ais_gap: switched off where a receiver heard it.
        if let Some(off) = ais.off_s {
            let s = route.state_at(off);
            if coverage.ais(&s) {
                let to = ais.on_s.unwrap_or(scenario.duration_s);
                events.push(event("ais_gap", &vessel.name, off, to, (s.x, s.y)));
            }
        }
        // ais_spoofing: a false position a radar can contradict, or a stolen identity.
        if let Some(spoof) = &ais.spoof {
            let until = spoof.until_s.unwrap_or(scenario.duration_s);
            let lies_about_position = spoof.position.is_some()
                || spoof.offset_east_m != 0.0
                || spoof.offset_north_m != 0.0;
            let window: Vec<f64> = times
                .iter()
                .copied()
                .filter(|&t| t >= spoof.from_s && t < until && transmitting(vessel, t))
                .collect();
            let contradicted = lies_about_position
                && window.iter().any(|&t| {
                    let s = route.state_at(t);
                    coverage.radar(&s) && coverage.ais(&s)
                });
            // The vessel whose identity is borrowed, if it is heard meanwhile.
            let victim = spoof.mmsi.and_then(|m| {
                scenario
                    .vessels
                    .iter()
                    .zip(&routes)
                    .find(|(other, r)| {
                        other.name != vessel.name
                            && other.ais.as_ref().is_some_and(|a| a.mmsi == m)
                            && window
                                .iter()
                                .any(|&t| transmitting(other, t) && coverage.ais(&r.state_at(t)))
                    })
                    .map(|(other, _)| other.name.clone())
            });
            if let (true, Some(&first)) = (contradicted || victim.is_some(), window.first()) {
                let s = route.state_at(first);
                let mut e = event("ais_spoofing", &vessel.name, first, until, (s.x, s.y));
                // Two transmitters share a number: the alert may stand at either.
                e.other = victim;
                events.push(e);
            }
            // Under another MMSI, the vessel's own falls silent where it was heard.
            if let (Some(_), Some(&first)) = (spoof.mmsi, window.first()) {
                let s = route.state_at(first);
                if coverage.ais(&s) {
                    events.push(event("ais_gap", &vessel.name, first, until, (s.x, s.y)));
                }
            }
        }
    }

    // zone_entry: entries into watched zones and crossings of the border into the watched
    // side, by vessels a sensor sees at that moment.
    let seen = |v: &VesselSpec, s: &State, t: f64| {
        coverage.radar(s) || (transmitting(v, t) && coverage.ais(s))
    };
    let rings: Vec<(String, Vec<(f64, f64)>)> = scenario
        .zones
        .iter()
        .map(|z| (z.name.clone(), z.ring(&frame)))
        .collect();
    let border: Vec<(f64, f64)> = scenario
        .border
        .iter()
        .map(|p| frame.to_east_north(*p))
        .collect();
    let watched_side = scenario.border_sides.as_ref().and_then(|b| {
        let into = b.alert_into.as_ref()?;
        Some(if *into == b.left { 1.0 } else { -1.0 })
    });
    for (vessel, route) in scenario.vessels.iter().zip(&routes) {
        for (_, ring) in &rings {
            let mut was_inside = inside(ring, {
                let s = route.state_at(0.0);
                (s.x, s.y)
            });
            let mut entered: Option<f64> = None;
            for &t in &times[1..] {
                let s = route.state_at(t);
                let now_inside = inside(ring, (s.x, s.y));
                if now_inside && !was_inside && seen(vessel, &s, t) {
                    entered = Some(t);
                }
                if !now_inside
                    && was_inside
                    && let Some(from) = entered.take()
                {
                    let e = route.state_at(from);
                    events.push(event("zone_entry", &vessel.name, from, t, (e.x, e.y)));
                }
                was_inside = now_inside;
            }
            if let Some(from) = entered {
                let e = route.state_at(from);
                events.push(event(
                    "zone_entry",
                    &vessel.name,
                    from,
                    scenario.duration_s,
                    (e.x, e.y),
                ));
            }
        }
        if let Some(side) = watched_side {
            let mut before = route.state_at(0.0);
            for &t in &times[1..] {
                let now = route.state_at(t);
                let crossed_into = crossing_side(&border, (before.x, before.y), (now.x, now.y));
                if crossed_into == Some(side) && seen(vessel, &now, t) {
                    events.push(event("zone_entry", &vessel.name, t, t, (now.x, now.y)));
                }
                before = now;
            }
        }
    }

    // rendezvous: pairs close together long enough, outside ports, both seen. Pairs are
    // found per time step on a grid of cells as wide as the distance (each vessel checks
    // its own and the eight neighbouring cells), so a busy strait costs vessels × steps,
    // not vessels² × steps.
    let ports: Vec<Vec<(f64, f64)>> = scenario.ports.iter().map(|p| p.ring(&frame)).collect();
    let in_port = |s: &State| ports.iter().any(|r| inside(r, (s.x, s.y)));
    let reach = RULE_DEFAULTS.rendezvous_distance_m;
    let cell_of = |s: &State| ((s.x / reach).floor() as i64, (s.y / reach).floor() as i64);
    // Pair → (first, last) time of its current run together.
    let mut runs: BTreeMap<(usize, usize), (f64, f64)> = BTreeMap::new();
    let mut finished: Vec<((usize, usize), (f64, f64))> = Vec::new();
    let mut grid: HashMap<(i64, i64), Vec<usize>> = HashMap::new();
    for &t in &times {
        grid.clear();
        let states: Vec<Option<State>> = scenario
            .vessels
            .iter()
            .zip(&routes)
            .map(|(v, r)| {
                let s = r.state_at(t);
                let slow = s.speed_kn() <= RULE_DEFAULTS.rendezvous_max_speed_kn;
                (slow && !in_port(&s) && seen(v, &s, t)).then_some(s)
            })
            .collect();
        for (i, s) in states.iter().enumerate() {
            if let Some(s) = s {
                grid.entry(cell_of(s)).or_default().push(i);
            }
        }
        let mut together: BTreeSet<(usize, usize)> = BTreeSet::new();
        for (i, s) in states.iter().enumerate() {
            let Some(a) = s else { continue };
            let (cx, cy) = cell_of(a);
            for dx in -1..=1 {
                for dy in -1..=1 {
                    for &j in grid.get(&(cx + dx, cy + dy)).into_iter().flatten() {
                        let close = states[j]
                            .as_ref()
                            .is_some_and(|b| (a.x - b.x).hypot(a.y - b.y) <= reach);
                        if j > i && close {
                            together.insert((i, j));
                        }
                    }
                }
            }
        }
        runs.retain(|pair, run| {
            let goes_on = together.contains(pair);
            if !goes_on {
                finished.push((*pair, *run));
            }
            goes_on
        });
        for pair in together {
            runs.entry(pair)
                .and_modify(|run| run.1 = t)
                .or_insert((t, t));
        }
    }
    finished.extend(runs);
    finished.sort_by(|a, b| a.1.0.total_cmp(&b.1.0).then(a.0.cmp(&b.0)));
    for ((i, j), (from, to)) in finished {
        let raised = from + RULE_DEFAULTS.rendezvous_duration_s;
        if to >= raised {
            let s = routes[i].state_at(raised);
            let mut e = event(
                "rendezvous",
                &scenario.vessels[i].name,
                raised,
                to,
                (s.x, s.y),
            );
            e.other = Some(scenario.vessels[j].name.clone());
            events.push(e);
        }
    }

    events.extend(plate_events(scenario, &camera_reads(scenario)));
    events
}

/// The maximal runs of `times` where `holds`, as (first, last) times.
fn stretches(times: &[f64], mut holds: impl FnMut(f64) -> bool) -> Vec<(f64, f64)> {
    let mut out = Vec::new();
    let mut open: Option<(f64, f64)> = None;
    for &t in times {
        if holds(t) {
            open = Some(open.map_or((t, t), |(from, _)| (from, t)));
        } else if let Some(run) = open.take() {
            out.push(run);
        }
    }
    out.extend(open);
    out
}

/// If the move from `a` to `b` crosses `line`, the side it ends on: `1.0` left of the line
/// walked from its first point to its last, `-1.0` right.
fn crossing_side(line: &[(f64, f64)], a: (f64, f64), b: (f64, f64)) -> Option<f64> {
    let cross = |o: (f64, f64), p: (f64, f64), q: (f64, f64)| {
        (p.0 - o.0) * (q.1 - o.1) - (p.1 - o.1) * (q.0 - o.0)
    };
    line.windows(2).find_map(|w| {
        let (p, q) = (w[0], w[1]);
        let (da, db) = (cross(p, q, a), cross(p, q, b));
        let (dp, dq) = (cross(a, b, p), cross(a, b, q));
        let proper = (da > 0.0) != (db > 0.0) && (dp > 0.0) != (dq > 0.0) && db != 0.0;
        proper.then_some(if db > 0.0 { 1.0 } else { -1.0 })
    })
}

/// `plate_hotlist` and `plate_clone` events from the camera reads.
fn plate_events(scenario: &Scenario, reads: &[CameraRead]) -> Vec<ExpectedEvent> {
    let checkpoints: HashMap<&str, &crate::world::CheckpointSpec> = scenario
        .checkpoints
        .iter()
        .map(|c| (c.id.as_str(), c))
        .collect();
    // Passages a camera read: (vehicle, crossing) → first read.
    let mut read: BTreeMap<(usize, usize), &CameraRead> = BTreeMap::new();
    for r in reads {
        read.entry((r.vehicle, r.crossing)).or_insert(r);
    }
    let mut events = Vec::new();
    let at = |r: &CameraRead, kind: &str, plate: &str| {
        let p = checkpoints
            .get(r.checkpoint.as_str())
            .map_or(Geodetic::new(f64::NAN, f64::NAN), |c| c.position);
        ExpectedEvent {
            kind: kind.into(),
            actor: plate.into(),
            from_s: r.t_s,
            to_s: r.t_s,
            lat: p.lat_deg,
            lon: p.lon_deg,
            other: None,
            checkpoint: Some(r.checkpoint.clone()),
        }
    };
    for (&(v, _), r) in &read {
        let vehicle = &scenario.vehicles[v];
        if vehicle.hotlisted {
            events.push(at(r, "plate_hotlist", &vehicle.plate));
        }
    }
    // Every read passage of each plate, in time order: a clone is a passage too soon after
    // the previous one at another checkpoint.
    let mut by_plate: BTreeMap<&str, Vec<&CameraRead>> = BTreeMap::new();
    for r in read.values() {
        by_plate
            .entry(scenario.vehicles[r.vehicle].plate.as_str())
            .or_default()
            .push(r);
    }
    for (plate, mut passages) in by_plate {
        passages.sort_by(|a, b| a.t_s.total_cmp(&b.t_s));
        for w in passages.windows(2) {
            let (a, b) = (w[0], w[1]);
            if a.checkpoint == b.checkpoint {
                continue;
            }
            let (Some(ca), Some(cb)) = (
                checkpoints.get(a.checkpoint.as_str()),
                checkpoints.get(b.checkpoint.as_str()),
            ) else {
                continue;
            };
            let road_m = great_circle_m(ca.position, cb.position) * CLONE_DETOUR_FACTOR;
            let min_travel_s = road_m / (CLONE_MAX_SPEED_KMH / 3.6);
            if b.t_s - a.t_s < min_travel_s {
                events.push(at(b, "plate_clone", plate));
            }
        }
    }
    events
}

/// One of the agent's alerts, as scored.
#[derive(Debug, Clone, PartialEq)]
pub struct ObservedAlert {
    /// Alert id (revisions of one alert share it).
    pub id: String,
    /// Kind.
    pub kind: String,
    /// Scenario time it was raised, s.
    pub t_s: f64,
    /// Where, metres east and north of the scenario origin.
    pub at: (f64, f64),
    /// The plate it names in clear (`identity.plate`), if any; a hashed plate is `None`.
    pub plate: Option<String>,
}

/// Why an alert line was not scored.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum AlertLineError {
    /// Not a JSON object.
    #[error("not JSON")]
    NotJson,
    /// A member missing or of the wrong type.
    #[error("no {0}")]
    Missing(&'static str),
    /// `time` is not RFC 3339.
    #[error("time {0:?} is not RFC 3339")]
    Time(String),
}

/// Reads one alert payload (`id`, `kind`, `time` RFC 3339, `lat`, `lon`) into scenario time
/// and the scenario's frame.
pub fn parse_alert(
    line: &str,
    frame: &LocalFrame,
    start_utc_ms: u64,
) -> Result<ObservedAlert, AlertLineError> {
    let v: serde_json::Value = serde_json::from_str(line).map_err(|_| AlertLineError::NotJson)?;
    let text = |name: &'static str| {
        v.get(name)
            .and_then(|x| x.as_str())
            .ok_or(AlertLineError::Missing(name))
    };
    let number = |name: &'static str| {
        v.get(name)
            .and_then(|x| x.as_f64())
            .ok_or(AlertLineError::Missing(name))
    };
    let time = text("time")?;
    let utc = humantime::parse_rfc3339(time).map_err(|_| AlertLineError::Time(time.into()))?;
    let utc_ms = utc
        .duration_since(std::time::UNIX_EPOCH)
        .map_err(|_| AlertLineError::Time(time.into()))?
        .as_secs_f64()
        * 1000.0;
    let enu = frame.to_enu(Geodetic::new(number("lat")?, number("lon")?));
    let plate = v
        .pointer("/identity/plate")
        .and_then(|p| p.as_str())
        .filter(|p| !p.contains(':'))
        .map(str::to_string);
    Ok(ObservedAlert {
        id: text("id")?.into(),
        kind: text("kind")?.into(),
        t_s: (utc_ms - start_utc_ms as f64) / 1000.0,
        at: (enu.east_m, enu.north_m),
        plate,
    })
}

/// How alerts are matched.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MatchRules {
    /// An alert may come this long after its event's window, s (the rule's own delay, e.g.
    /// `dark_target.after_s`, plus the pipeline's).
    pub max_latency_s: f64,
    /// An alert must be placed within this of the actor, m.
    pub radius_m: f64,
}

/// Scores of one alert kind.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct KindScore {
    /// Kind.
    pub kind: String,
    /// Expected events.
    pub expected: usize,
    /// Events matched by at least one alert.
    pub detected: usize,
    /// Distinct alerts of this kind.
    pub alerts: usize,
    /// Alerts that matched an event.
    pub true_alerts: usize,
    /// `true_alerts / alerts` (1 when there are no alerts).
    pub precision: f64,
    /// `detected / expected` (1 when nothing was expected).
    pub recall: f64,
    /// Median latency from event start to first matching alert, s (`None`: none matched).
    pub median_latency_s: Option<f64>,
    /// Largest such latency, s.
    pub max_latency_s: Option<f64>,
}

/// Matches `alerts` (revisions included: the first revision of each id counts) to
/// `expected`, for the kinds in [`SCORED_KINDS`] that have events or alerts.
pub fn score_alerts(
    scenario: &Scenario,
    expected: &[ExpectedEvent],
    alerts: &[ObservedAlert],
    rules: MatchRules,
) -> Vec<KindScore> {
    let frame = scenario.frame();
    let routes: BTreeMap<&str, Route> = scenario
        .vessels
        .iter()
        .map(|v| (v.name.as_str(), Route::new(&frame, v)))
        .collect();
    let spoofs: BTreeMap<&str, &crate::scenario::SpoofSpec> = scenario
        .vessels
        .iter()
        .filter_map(|v| Some((v.name.as_str(), v.ais.as_ref()?.spoof.as_ref()?)))
        .collect();
    // First revision of each alert id.
    let mut first: BTreeMap<&str, &ObservedAlert> = BTreeMap::new();
    for a in alerts {
        let keep = first.get(a.id.as_str()).is_none_or(|f| a.t_s < f.t_s);
        if keep {
            first.insert(&a.id, a);
        }
    }
    let matches = |e: &ExpectedEvent, a: &ObservedAlert| {
        // Times are printed to the millisecond: an alert a hair before its event's start
        // (rounded down) is on time.
        let from = e.from_s - ALERT_TIME_RESOLUTION_S;
        if a.kind != e.kind || a.t_s < from || a.t_s > e.to_s + rules.max_latency_s {
            return false;
        }
        let close = |(x, y): (f64, f64)| (x - a.at.0).hypot(y - a.at.1) <= rules.radius_m;
        if e.checkpoint.is_some() {
            // A plate event: at the checkpoint, and the same plate when the alert says it.
            let place = frame.to_east_north(Geodetic::new(e.lat, e.lon));
            return close(place) && a.plate.as_ref().is_none_or(|p| *p == e.actor);
        }
        let t = a.t_s.min(e.to_s);
        let actors = std::iter::once(e.actor.as_str()).chain(e.other.as_deref());
        actors.into_iter().any(|name| {
            let Some(route) = routes.get(name) else {
                return false;
            };
            let s = route.state_at(t);
            // A spoofer may be placed where it claims to be.
            let claimed = spoofs.get(name).map(|sp| match sp.position {
                Some(p) => frame.to_east_north(p),
                None => (s.x + sp.offset_east_m, s.y + sp.offset_north_m),
            });
            close((s.x, s.y)) || claimed.is_some_and(close)
        })
    };
    SCORED_KINDS
        .iter()
        .filter(|&&kind| {
            expected.iter().any(|e| e.kind == kind) || first.values().any(|a| a.kind == kind)
        })
        .map(|&kind| {
            let events: Vec<&ExpectedEvent> = expected.iter().filter(|e| e.kind == kind).collect();
            let kind_alerts: Vec<&ObservedAlert> =
                first.values().copied().filter(|a| a.kind == kind).collect();
            let mut matched_alerts = BTreeSet::new();
            let mut latencies = Vec::new();
            for e in &events {
                let mut earliest: Option<f64> = None;
                for (k, a) in kind_alerts.iter().enumerate() {
                    if matches(e, a) {
                        matched_alerts.insert(k);
                        earliest = Some(earliest.map_or(a.t_s, |t: f64| t.min(a.t_s)));
                    }
                }
                if let Some(t) = earliest {
                    latencies.push((t - e.from_s).max(0.0));
                }
            }
            latencies.sort_by(f64::total_cmp);
            let ratio = |n: usize, d: usize| if d == 0 { 1.0 } else { n as f64 / d as f64 };
            KindScore {
                kind: kind.into(),
                expected: events.len(),
                detected: latencies.len(),
                alerts: kind_alerts.len(),
                true_alerts: matched_alerts.len(),
                precision: ratio(matched_alerts.len(), kind_alerts.len()),
                recall: ratio(latencies.len(), events.len()),
                median_latency_s: latencies.get(latencies.len() / 2).copied(),
                max_latency_s: latencies.last().copied(),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scenario() -> Scenario {
        Scenario::border_crossing()
    }

    #[test]
    fn the_dark_boat_is_expected_and_the_ais_ship_is_not() {
        let s = scenario();
        let events = expected_events(&s);
        assert_eq!(events.len(), 1, "{events:?}");
        let e = &events[0];
        assert_eq!(e.kind, "dark_target");
        assert_eq!(e.actor, "dark boat");
        // 4.1-5.8 km from a 12 km radar all along: covered from start to end.
        assert_eq!((e.from_s, e.to_s), (0.0, s.duration_s));
    }

    fn alert_at(
        s: &Scenario,
        id: &str,
        kind: &str,
        actor: &str,
        t: f64,
        off_m: f64,
    ) -> ObservedAlert {
        let v = s.vessels.iter().find(|v| v.name == actor).unwrap();
        let st = crate::motion::state_at(&s.frame(), v, t);
        ObservedAlert {
            id: id.into(),
            kind: kind.into(),
            t_s: t,
            at: (st.x + off_m, st.y),
            plate: None,
        }
    }

    #[test]
    fn precision_recall_and_latency_count_what_they_say() {
        let s = scenario();
        let expected = expected_events(&s);
        let rules = MatchRules {
            max_latency_s: 60.0,
            radius_m: 300.0,
        };
        let good = alert_at(&s, "a", "dark_target", "dark boat", 20.0, 50.0);
        // A later revision of the same alert does not count twice.
        let revision = alert_at(&s, "a", "dark_target", "dark boat", 80.0, 0.0);
        // On the ship with AIS: a false alert.
        let wrong_vessel = alert_at(&s, "b", "dark_target", "MV AEGEAN STAR", 30.0, 0.0);
        // Placed 2 km off the boat: false too.
        let far = alert_at(&s, "c", "dark_target", "dark boat", 40.0, 2000.0);
        // Another kind: not scored here.
        let other = alert_at(&s, "d", "loitering", "dark boat", 40.0, 0.0);
        let score = score_alerts(
            &s,
            &expected,
            &[good, revision, wrong_vessel, far, other],
            rules,
        );
        assert_eq!(score.len(), 1);
        let k = &score[0];
        assert_eq!(
            (k.expected, k.detected, k.alerts, k.true_alerts),
            (1, 1, 3, 1)
        );
        assert!((k.precision - 1.0 / 3.0).abs() < 1e-12);
        assert_eq!(k.recall, 1.0);
        assert_eq!(k.median_latency_s, Some(20.0));
        // Nothing raised: recall 0, precision 1 (no false alert).
        let none = score_alerts(&s, &expected, &[], rules);
        assert_eq!((none[0].recall, none[0].precision), (0.0, 1.0));
        assert_eq!(none[0].median_latency_s, None);
    }

    #[test]
    fn an_alert_payload_is_read_into_scenario_time_and_frame() {
        let s = scenario();
        let frame = s.frame();
        let start = 1_795_000_000_000u64;
        let line = r#"{"id":"GR-1#1","kind":"dark_target","severity":"high",
            "time":"2026-11-18T11:06:55.5Z","lat":37.683,"lon":27.0}"#;
        // 2026-11-18T11:06:40Z is 1_795_000_000 s after the epoch.
        let a = parse_alert(&line.replace('\n', " "), &frame, start).unwrap();
        assert_eq!(a.kind, "dark_target");
        assert!((a.t_s - 15.5).abs() < 1e-6, "{}", a.t_s);
        assert!(a.at.0.abs() < 1e-3 && a.at.1.abs() < 1e-3, "{:?}", a.at);
        assert_eq!(
            parse_alert(
                r#"{"id":"x","kind":"k","time":"yesterday","lat":0,"lon":0}"#,
                &frame,
                start
            ),
            Err(AlertLineError::Time("yesterday".into()))
        );
        assert_eq!(
            parse_alert("{", &frame, start),
            Err(AlertLineError::NotJson)
        );
        assert_eq!(
            parse_alert(
                r#"{"id":"x","time":"2026-11-18T11:06:55Z","lat":0,"lon":0}"#,
                &frame,
                start
            ),
            Err(AlertLineError::Missing("kind"))
        );
    }
}
