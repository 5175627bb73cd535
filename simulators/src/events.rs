//! What the agent should alert on in a scenario, and how well its alerts matched.
//!
//! [`expected_events`] derives the events from the scenario itself: today `dark_target`, a
//! vessel without AIS for as long as a radar covers it (one event per stretch of coverage).
//! `bordersim generate` writes them to `expected.json` with the UTC of scenario time 0.
//!
//! [`score_alerts`] matches the agent's alerts (the JSON payloads it publishes, one a line)
//! against them: an alert of an event's kind matches when it was raised within the event's
//! window (plus the allowed latency) and placed within `radius_m` of the actor at that time.
//! Precision is the share of the agent's alerts (distinct ids, kinds the scenario scores)
//! that match an event; recall the share of events matched by at least one alert; latency
//! the time from an event's start to its first matching alert.

use crate::motion::Route;
use crate::scenario::Scenario;
use borderfuse_common::geo::{Geodetic, LocalFrame};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

/// Kinds [`expected_events`] derives; alerts of other kinds are not scored.
pub const SCORED_KINDS: &[&str] = &["dark_target"];

/// Sampling step of the coverage test, s.
const STEP_S: f64 = 1.0;

/// One event the agent should alert on.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ExpectedEvent {
    /// Alert kind.
    pub kind: String,
    /// The vessel (its scenario name).
    pub actor: String,
    /// Scenario time the event begins, s.
    pub from_s: f64,
    /// Scenario time it ends, s.
    pub to_s: f64,
    /// Where it begins, latitude.
    pub lat: f64,
    /// Where it begins, longitude.
    pub lon: f64,
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

/// The events of `scenario`.
pub fn expected_events(scenario: &Scenario) -> Vec<ExpectedEvent> {
    let frame = scenario.frame();
    let radars: Vec<((f64, f64), f64)> = scenario
        .radars
        .iter()
        .map(|r| {
            let enu = frame.to_enu(r.position);
            ((enu.east_m, enu.north_m), r.max_range_m)
        })
        .collect();
    let steps = (scenario.duration_s / STEP_S).floor().max(0.0) as u64;
    let mut events = Vec::new();
    for vessel in scenario.vessels.iter().filter(|v| v.ais.is_none()) {
        let route = Route::new(&frame, vessel);
        let mut open: Option<f64> = None;
        for k in 0..=steps {
            let t = k as f64 * STEP_S;
            let s = route.state_at(t);
            let covered = radars
                .iter()
                .any(|&((x, y), range)| (s.x - x).hypot(s.y - y) <= range);
            match (open, covered) {
                (None, true) => open = Some(t),
                (Some(from), false) => {
                    events.push(dark_event(&frame, &route, vessel, from, t - STEP_S));
                    open = None;
                }
                _ => {}
            }
        }
        if let Some(from) = open {
            events.push(dark_event(
                &frame,
                &route,
                vessel,
                from,
                scenario.duration_s,
            ));
        }
    }
    events
}

fn dark_event(
    frame: &LocalFrame,
    route: &Route,
    vessel: &crate::scenario::VesselSpec,
    from_s: f64,
    to_s: f64,
) -> ExpectedEvent {
    let s = route.state_at(from_s);
    let at = frame.to_geodetic(borderfuse_common::geo::Enu {
        east_m: s.x,
        north_m: s.y,
        up_m: 0.0,
    });
    ExpectedEvent {
        kind: "dark_target".into(),
        actor: vessel.name.clone(),
        from_s,
        to_s,
        lat: at.lat_deg,
        lon: at.lon_deg,
    }
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
    Ok(ObservedAlert {
        id: text("id")?.into(),
        kind: text("kind")?.into(),
        t_s: (utc_ms - start_utc_ms as f64) / 1000.0,
        at: (enu.east_m, enu.north_m),
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
/// `expected`, for the kinds in [`SCORED_KINDS`].
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
    // First revision of each alert id.
    let mut first: BTreeMap<&str, &ObservedAlert> = BTreeMap::new();
    for a in alerts {
        let keep = first.get(a.id.as_str()).is_none_or(|f| a.t_s < f.t_s);
        if keep {
            first.insert(&a.id, a);
        }
    }
    let matches = |e: &ExpectedEvent, a: &ObservedAlert| {
        if a.kind != e.kind || a.t_s < e.from_s || a.t_s > e.to_s + rules.max_latency_s {
            return false;
        }
        let Some(route) = routes.get(e.actor.as_str()) else {
            return false;
        };
        let s = route.state_at(a.t_s.min(e.to_s));
        (s.x - a.at.0).hypot(s.y - a.at.1) <= rules.radius_m
    };
    SCORED_KINDS
        .iter()
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
                    latencies.push(t - e.from_s);
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
