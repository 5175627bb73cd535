//! The rules driven through the whole pipeline: node frames (radar plots, north markers, AIS
//! sentences) in, alerts out, with their lifecycle (raised, updated, cleared), as the agent
//! runs them. Zones and the border come from the GeoJSON files under `tests/data/rules/`.

use borderfuse_agent::config::Config;
use borderfuse_agent::detect::{Alert, AlertKind, AlertState};
use borderfuse_agent::metrics::Metrics;
use borderfuse_agent::pipeline::Pipeline;
use borderfuse_common::ais::{AisMessage, PositionReport, StaticVoyage, encode_sentences};
use borderfuse_common::frame::{AisSentence, Frame, Payload, RadarNorthMarker, RadarPlot};
use borderfuse_common::geo::{Geodetic, LocalFrame};
use std::sync::Arc;

const T0_MS: u64 = 1_764_331_200_000;
const RADAR: u32 = 17;
const AIS: u32 = 7;
const SHIP: u32 = 239_123_000;

fn config_text(rules: &str) -> String {
    let data = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/rules");
    format!(
        r#"
[post]
country = "GR"
post = "rules-test"
origin = {{ lat = 37.70, lon = 27.00 }}
[[radar]]
node_id = {RADAR}
name = "radar"
position = {{ lat = 37.70, lon = 27.00 }}
sigma_range_m = 15.0
sigma_bearing_deg = 0.3
[[ais_receiver]]
node_id = {AIS}
name = "ais"
position = {{ lat = 37.70, lon = 27.00 }}
range_m = 40000.0
[tracker]
reorder_window_s = 0.0
[mqtt]
host = "localhost"

[[rules.zone_entry.zones]]
name = "restricted"
geojson_file = "{data}/zone.geojson"
severity = "high"

[[rules.zone_entry.borders]]
name = "median"
geojson_file = "{data}/border.geojson"
left = "GR"
right = "TR"
from = "TR"
to = "GR"
{rules}
"#
    )
}

/// Whether something holds at time `t` (s).
type When = Box<dyn Fn(f64) -> bool>;

/// A vessel in a scenario: where it is at time `t` (s), and whether it transmits AIS then.
struct Vessel {
    at: Box<dyn Fn(f64) -> (f64, f64)>,
    /// Velocity east, north, m/s (for the AIS report).
    velocity: (f64, f64),
    /// Its MMSI, and when it transmits.
    ais: Option<(u32, When)>,
    /// When radar sees it.
    radar: When,
}

struct Run {
    pipeline: Pipeline,
    metrics: Arc<Metrics>,
    frame: LocalFrame,
    seq: u32,
    alerts: Vec<Alert>,
    /// How far the wall clock (arrival times, ticks) is ahead of the nodes' UTC, ms.
    wall_ahead_ms: u64,
}

impl Run {
    fn new(rules: &str) -> Run {
        let config = Config::parse(&config_text(rules)).expect("config is valid");
        let metrics = Arc::new(Metrics::default());
        Run {
            pipeline: Pipeline::new(&config, metrics.clone()),
            metrics,
            frame: LocalFrame::new(Geodetic::new(37.70, 27.00)),
            seq: 0,
            alerts: Vec::new(),
            wall_ahead_ms: 0,
        }
    }

    fn send(&mut self, node: u32, t_ms: u64, payload: Payload) {
        let frame = Frame::new(node, self.seq, t_ms * 1000, Some(T0_MS + t_ms), payload);
        self.seq += 1;
        let arrival = T0_MS + t_ms + 3 + self.wall_ahead_ms;
        let alerts = self.pipeline.handle_frame(frame, arrival);
        self.alerts.extend(alerts);
    }

    fn ais_message(&mut self, t_ms: u64, message: AisMessage) {
        let bits = message.encode().expect("encodable");
        let mut lines = Vec::new();
        encode_sentences(&bits, "AI", false, Some('A'), 1, |l| {
            lines.push(l.to_string())
        })
        .expect("encodable");
        for line in lines {
            let s = AisSentence::new(&line).expect("a sentence fits");
            self.send(AIS, t_ms, Payload::AisSentence(s));
        }
    }

    fn position_report(&mut self, t_ms: u64, mmsi: u32, xy: (f64, f64), v: (f64, f64)) {
        let g = self.frame.from_east_north(xy.0, xy.1, 0.0);
        let (lon, lat) = PositionReport::raw_position(g.lat_deg, g.lon_deg);
        let speed_kn = v.0.hypot(v.1) / (1852.0 / 3600.0);
        let course = borderfuse_common::geo::bearing_deg(v.0, v.1);
        let report = PositionReport {
            msg_type: 1,
            repeat: 0,
            mmsi,
            status: 0,
            turn: -128,
            speed: (speed_kn * 10.0).round() as u16,
            accuracy: true,
            lon,
            lat,
            course: ((course * 10.0).round() as u16) % 3600,
            heading: (course.round() as u16) % 360,
            second: (((T0_MS + t_ms) / 1000) % 60) as u8,
            maneuver: 0,
            raim: false,
            radio: 0,
        };
        self.ais_message(t_ms, AisMessage::Position(report));
    }

    fn static_data(&mut self, t_ms: u64, mmsi: u32) {
        let report = StaticVoyage {
            repeat: 0,
            mmsi,
            ais_version: 2,
            imo: 0,
            callsign: "SVA1234".try_into().unwrap(),
            shipname: "AEGEAN STAR".try_into().unwrap(),
            shiptype: 60,
            to_bow: 90,
            to_stern: 30,
            to_port: 10,
            to_starboard: 10,
            epfd: 1,
            month: 0,
            day: 0,
            hour: 24,
            minute: 60,
            draught: 45,
            destination: "SAMOS".try_into().unwrap(),
            dte: false,
        };
        self.ais_message(t_ms, AisMessage::StaticVoyage(report));
    }

    /// Runs `vessels` for `seconds`: a radar scan every 2 s (plots mid-scan, a north marker
    /// at its end), AIS reports every 10 s, the pipeline's clock ticked every scan.
    fn play(&mut self, vessels: &[Vessel], from_s: u32, seconds: u32) {
        for scan in from_s / 2..(from_s + seconds) / 2 {
            let t_ms = 2000 * u64::from(scan);
            let t = t_ms as f64 / 1000.0;
            for v in vessels {
                if (v.radar)(t + 1.0) {
                    let (x, y) = (v.at)(t + 1.0);
                    self.send(
                        RADAR,
                        t_ms + 1000,
                        Payload::RadarPlot(RadarPlot {
                            scan,
                            range_m: x.hypot(y) as f32,
                            bearing_deg: borderfuse_common::geo::bearing_deg(x, y) as f32,
                            amplitude: 500,
                        }),
                    );
                }
            }
            for v in vessels {
                if let Some((mmsi, on)) = &v.ais
                    && scan % 5 == 0
                    && on(t)
                {
                    let (mmsi, xy) = (*mmsi, (v.at)(t + 1.5));
                    self.position_report(t_ms + 1500, mmsi, xy, v.velocity);
                    if scan % 150 == 0 {
                        self.static_data(t_ms + 1600, mmsi);
                    }
                }
            }
            self.send(
                RADAR,
                t_ms + 2000,
                Payload::RadarNorthMarker(RadarNorthMarker {
                    scan,
                    period_ms: 2000,
                }),
            );
            self.tick(t_ms + 2000);
        }
    }

    /// The pipeline's clock at `t_ms` after the start (as the wall clock reads it).
    fn tick(&mut self, t_ms: u64) {
        let now = (T0_MS + t_ms + self.wall_ahead_ms) as f64 / 1000.0;
        let ticked = self.pipeline.tick(now);
        self.alerts.extend(ticked);
    }

    fn of(&self, kind: AlertKind) -> Vec<&Alert> {
        self.alerts.iter().filter(|a| a.kind == kind).collect()
    }
}

fn always(_: f64) -> bool {
    true
}

/// The states and revisions of `alerts`, and checks they are one situation's life.
fn one_life(alerts: &[&Alert]) -> Vec<(AlertState, u32)> {
    assert!(!alerts.is_empty());
    assert!(alerts.iter().all(|a| a.id == alerts[0].id), "one id");
    let life: Vec<(AlertState, u32)> = alerts.iter().map(|a| (a.state, a.revision)).collect();
    assert_eq!(life[0], (AlertState::Raised, 0), "{life:?}");
    for (k, (state, revision)) in life.iter().enumerate().skip(1) {
        assert_eq!(*revision as usize, k, "{life:?}");
        assert_ne!(*state, AlertState::Raised, "{life:?}");
    }
    life
}

#[test]
fn a_dark_boat_gives_one_raised_alert_then_updates_then_a_clearing_not_one_per_scan() {
    let mut run = Run::new("");
    // West of the border and the zone, 2 km east of the radar, running north at 8 m/s for
    // ten minutes, then gone.
    let boat = Vessel {
        at: Box::new(|t| (2000.0, -2000.0 + 8.0 * t)),
        velocity: (0.0, 8.0),
        ais: None,
        radar: Box::new(|t| t < 600.0),
    };
    run.play(&[boat], 0, 640);
    let dark = run.of(AlertKind::DarkTarget);
    let life = one_life(&dark);
    let updates = life.iter().filter(|x| x.0 == AlertState::Updated).count();
    // Ten minutes, raised after ~70 s, updated at most every two minutes: 4 updates.
    assert!((2..=5).contains(&updates), "{life:?}");
    assert_eq!(life.last().map(|x| x.0), Some(AlertState::Cleared));
    assert_eq!(
        dark.last().unwrap().evidence["cleared"]["reason"],
        "track_ended"
    );
    assert_eq!(
        run.alerts.len(),
        dark.len(),
        "nothing else: {:#?}",
        run.alerts
    );
    let counted = run.metrics.snapshot();
    assert_eq!(
        (
            counted.alerts_raised,
            counted.alerts_updated,
            counted.alerts_cleared
        ),
        (1, updates as u64, 1)
    );
    // Every revision is a valid payload carrying its state and revision.
    for a in &dark {
        let json = serde_json::to_value(a.payload("GR", "rules-test")).unwrap();
        assert_eq!(json["id"], dark[0].id.as_str());
        assert_eq!(json["revision"], a.revision);
        assert!(json["state"].is_string() && json["lat"].is_f64());
    }
    assert_eq!(run.pipeline.rule_stats().open_alerts, 0);
}

#[test]
fn a_ship_that_switches_its_ais_off_under_radar_raises_an_ais_gap_cleared_when_it_transmits() {
    let mut run = Run::new("");
    let ship = Vessel {
        at: Box::new(|t| (2000.0, -3000.0 + 5.0 * t)),
        velocity: (0.0, 5.0),
        ais: Some((SHIP, Box::new(|t| !(120.0..400.0).contains(&t)))),
        radar: Box::new(always),
    };
    run.play(&[ship], 0, 440);
    let gap = run.of(AlertKind::AisGap);
    let life = one_life(&gap);
    assert_eq!(
        life.last().map(|x| x.0),
        Some(AlertState::Cleared),
        "{life:?}"
    );
    let raised = gap[0];
    assert_eq!(raised.identity.mmsi, Some(SHIP));
    assert_eq!(raised.identity.name.as_deref(), Some("AEGEAN STAR"));
    assert_eq!(raised.evidence["held_by"], "radar");
    assert!(raised.track_id.is_some());
    // Silent from ~111.5 s; a 10 kn class A ship may be silent 6 × 10 s.
    let silent_for = raised.time - (T0_MS as f64 / 1000.0 + 111.5);
    assert!((60.0..66.0).contains(&silent_for), "{silent_for}");
    assert_eq!(
        gap.last().unwrap().evidence["cleared"]["reason"],
        "transmitting_again"
    );
    // The silent ship is ais_gap's situation, not a dark target's.
    assert!(
        run.of(AlertKind::DarkTarget).is_empty(),
        "{:#?}",
        run.alerts
    );
}

#[test]
fn with_nothing_arriving_the_clock_alone_notices_a_ship_falling_silent() {
    let mut run = Run::new("");
    // Outside radar range (24 km), inside AIS coverage (40 km): AIS only, then nothing.
    let ship = Vessel {
        at: Box::new(|t| (30_000.0, 5.0 * t)),
        velocity: (0.0, 5.0),
        ais: Some((SHIP, Box::new(|t| t < 60.0))),
        radar: Box::new(|_| false),
    };
    run.play(&[ship], 0, 60);
    assert!(run.alerts.is_empty(), "{:#?}", run.alerts);
    // No frame at all from now on: only the clock.
    for s in 61..200 {
        run.tick(1000 * s);
    }
    let gap = run.of(AlertKind::AisGap);
    assert_eq!(gap.len(), 1, "{:#?}", run.alerts);
    assert_eq!(gap[0].evidence["held_by"], "ais_coverage");
    assert_eq!(gap[0].evidence["position_from"], "dead_reckoning");
}

#[test]
fn a_node_clock_an_hour_behind_the_wall_clock_does_not_make_a_transmitting_ship_silent() {
    let mut run = Run::new("");
    run.wall_ahead_ms = 3_600_000;
    let ship = Vessel {
        at: Box::new(|t| (2000.0, -3000.0 + 5.0 * t)),
        velocity: (0.0, 5.0),
        ais: Some((SHIP, Box::new(always))),
        radar: Box::new(always),
    };
    run.play(&[ship], 0, 300);
    assert!(run.alerts.is_empty(), "{:#?}", run.alerts);
}

#[test]
fn a_ship_that_keeps_transmitting_raises_nothing() {
    let mut run = Run::new("");
    let ship = Vessel {
        at: Box::new(|t| (2000.0, -3000.0 + 5.0 * t)),
        velocity: (0.0, 5.0),
        ais: Some((SHIP, Box::new(always))),
        radar: Box::new(always),
    };
    run.play(&[ship], 0, 440);
    assert!(run.alerts.is_empty(), "{:#?}", run.alerts);
}

#[test]
fn a_boat_crossing_the_border_into_greece_raises_a_border_crossing_naming_both_sides() {
    let mut run = Run::new("");
    // From the Turkish side (4.5 km east, north of the zone) westwards across the line at
    // x = 3 km.
    let boat = Vessel {
        at: Box::new(|t| (4500.0 - 8.0 * t, 3000.0)),
        velocity: (-8.0, 0.0),
        ais: Some((SHIP, Box::new(always))),
        radar: Box::new(always),
    };
    run.play(&[boat], 0, 400);
    let zone = run.of(AlertKind::ZoneEntry);
    one_life(&zone);
    let a = zone[0];
    assert_eq!(a.evidence["flavour"], "border_crossing");
    assert_eq!(a.evidence["border"], "median");
    assert_eq!(
        (&a.evidence["from"], &a.evidence["to"]),
        (&"TR".into(), &"GR".into())
    );
    assert_eq!(a.identity.mmsi, Some(SHIP));
    // Crossed at ~187 s, raised once 100 m past the line (~200 s).
    let t = a.time - T0_MS as f64 / 1000.0;
    assert!((190.0..215.0).contains(&t), "{t}");
}

#[test]
fn a_boat_crossing_the_other_way_and_into_the_zone_raises_only_the_zone_entry() {
    let mut run = Run::new("");
    // From Greek waters eastwards: across the border (not watched that way), into the zone.
    let boat = Vessel {
        at: Box::new(|t| (2000.0 + 8.0 * t, 0.0)),
        velocity: (8.0, 0.0),
        ais: Some((SHIP, Box::new(always))),
        radar: Box::new(always),
    };
    run.play(&[boat], 0, 400);
    let zone = run.of(AlertKind::ZoneEntry);
    one_life(&zone);
    assert_eq!(zone[0].evidence["flavour"], "zone");
    assert_eq!(zone[0].evidence["zone"], "restricted");
    assert_eq!(zone[0].evidence["entry_observed"], true);
    assert_eq!(zone[0].severity, borderfuse_agent::detect::Severity::High);
}

#[test]
fn rule_settings_that_make_no_sense_are_refused_naming_the_key() {
    let cases = [
        (
            "[rules.ais_gap]\ninterval_multiple = 0.5\n",
            "rules.ais_gap.interval_multiple",
        ),
        (
            "[rules]\nupdate_interval_s = 0\n",
            "rules.update_interval_s",
        ),
        (
            "[[rules.loitering.zones]]\nname = \"z\"\ngeojson_file = \"/nonexistent.geojson\"\n",
            "rules.loitering.zones[0].geojson_file: cannot read",
        ),
        (
            "[[rules.rendezvous.ports]]\nname = \"p\"\ngeojson = { type = \"Point\", coordinates = [27.0, 37.7] }\n",
            "rules.rendezvous.ports[0].geojson: a Point where an area",
        ),
        (
            "[[rules.rendezvous.ports]]\nname = \"p\"\n",
            "rules.rendezvous.ports[0]: needs geojson",
        ),
    ];
    for (rules, want) in cases {
        let e = Config::parse(&config_text(rules)).unwrap_err().to_string();
        assert!(e.starts_with(want), "{rules}: {e}");
    }
    let bad_direction = config_text("").replace("to = \"GR\"", "to = \"TR\"");
    let e = Config::parse(&bad_direction).unwrap_err().to_string();
    assert!(e.starts_with("rules.zone_entry.borders[0].to"), "{e}");
    let unknown = config_text("[rules.loitering]\nmax_sped_kn = 2.0\n");
    let e = Config::parse(&unknown).unwrap_err().to_string();
    assert!(e.contains("max_sped_kn"), "{e}");
}

#[test]
fn an_inline_geojson_string_defines_a_zone() {
    let rules = r#"
[[rules.loitering.zones]]
name = "anchorage"
geojson = '{"type": "Polygon", "coordinates": [[[27.04, 37.69], [27.07, 37.69], [27.07, 37.71], [27.04, 37.71], [27.04, 37.69]]]}'
"#;
    let config = Config::parse(&config_text(rules)).unwrap();
    assert_eq!(config.rules.loitering.zones[0].name, "anchorage");
}
