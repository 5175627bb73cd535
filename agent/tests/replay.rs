//! The pipeline (decode → fuse → detect) replaying simulated scenarios offline: the same
//! frames the nodes would send, fed in time order, without ports or a broker. Deterministic.

use borderfuse_agent::config::Config;
use borderfuse_agent::detect::{Alert, AlertKind};
use borderfuse_agent::metrics::Metrics;
use borderfuse_agent::pipeline::Pipeline;
use borderfuse_common::frame::FrameDecoder;
use borderfuse_sim::generate::generate;
use borderfuse_sim::scenario::{AisTransponderSpec, Scenario};
use std::collections::HashMap;
use std::sync::Arc;

const START_UTC_MS: u64 = 1_764_331_200_000;

fn config_for(scenario: &Scenario) -> Config {
    let ports = scenario
        .radars
        .iter()
        .map(|r| r.node_id)
        .chain(scenario.ais_receivers.iter().map(|a| a.node_id))
        .map(|id| (id, format!("/dev/null-{id}").into()))
        .collect();
    borderfuse_agent::demo::agent_config(scenario, &ports, 1883).unwrap()
}

struct Replay {
    pipeline: Pipeline,
    alerts: Vec<Alert>,
    metrics: Arc<Metrics>,
}

/// Feeds the scenario's first `until_s` seconds through a pipeline.
fn replay(scenario: &Scenario, config: &Config, until_s: f64) -> Replay {
    let metrics = Arc::new(Metrics::default());
    let mut pipeline = Pipeline::new(config, metrics.clone());
    let mut decoders: HashMap<u32, FrameDecoder> = HashMap::new();
    let mut alerts = Vec::new();
    for event in generate(scenario, START_UTC_MS).events {
        if event.t_s > until_s {
            break;
        }
        let arrival = START_UTC_MS + (event.t_s * 1000.0) as u64 + 5;
        let decoder = decoders.entry(event.node_id).or_default();
        let frames: Vec<_> = decoder.feed(&event.bytes).collect();
        for frame in frames {
            alerts
                .extend(pipeline.handle_frame(frame.expect("simulated frames are valid"), arrival));
        }
    }
    Replay {
        pipeline,
        alerts,
        metrics,
    }
}

fn truth_distance(scenario: &Scenario, vessel: usize, alert: &Alert) -> f64 {
    let frame = scenario.frame();
    let t = alert.time - START_UTC_MS as f64 / 1000.0;
    let truth = borderfuse_sim::motion::state_at(&frame, &scenario.vessels[vessel], t);
    let (e, n) = frame.to_east_north(borderfuse_common::geo::Geodetic::new(alert.lat, alert.lon));
    truth.distance_to(e, n)
}

fn dark_and_ais(scenario: &Scenario) -> (usize, usize) {
    let dark = scenario
        .vessels
        .iter()
        .position(|v| v.ais.is_none())
        .unwrap();
    let ais = scenario
        .vessels
        .iter()
        .position(|v| v.ais.is_some())
        .unwrap();
    (dark, ais)
}

#[test]
fn the_dark_boat_gives_one_dark_target_alert_on_its_position() {
    let scenario = Scenario::border_crossing();
    let config = config_for(&scenario);
    let r = replay(&scenario, &config, 120.0);
    let (dark, ais) = dark_and_ais(&scenario);
    assert_eq!(r.alerts.len(), 1, "{:#?}", r.alerts);
    let alert = &r.alerts[0];
    assert_eq!(alert.kind, AlertKind::DarkTarget);
    assert!(truth_distance(&scenario, dark, alert) < 100.0);
    assert!(truth_distance(&scenario, ais, alert) > 1000.0);
    // Raised once it had been dark for the configured time after confirmation, not later
    // than a few scans after that.
    let after = config.rules.dark_target.after_s;
    let raised_at = alert.time - START_UTC_MS as f64 / 1000.0;
    assert!(
        raised_at >= after && raised_at < after + 15.0,
        "raised at {raised_at} s"
    );

    let m = r.metrics.snapshot();
    assert_eq!(m.bad_frames(), 0);
    assert!(m.ais_bindings >= 1, "{m:?}");
    assert_eq!(m.ais_splits, 0, "{m:?}");
    // The ship's track carries its MMSI; no track without AIS but the dark boat's.
    let mmsi = scenario.vessels[ais].ais.as_ref().unwrap().mmsi;
    let tracks = r.pipeline.tracker().tracks();
    assert!(
        tracks.iter().any(|t| t.ais.map(|b| b.mmsi) == Some(mmsi)),
        "{tracks:#?}"
    );
}

#[test]
fn when_both_vessels_transmit_ais_no_alert_is_raised() {
    let mut scenario = Scenario::border_crossing();
    let (dark, _) = dark_and_ais(&scenario);
    scenario.vessels[dark].ais = Some(AisTransponderSpec {
        mmsi: 239_555_000,
        callsign: "SVB5555".into(),
        shipname: "HONEST FISHER".into(),
        ship_type: 30,
        gnss_sigma_m: 5.0,
        class: Default::default(),
        off_s: None,
        on_s: None,
        spoof: None,
    });
    let config = config_for(&scenario);
    let r = replay(&scenario, &config, 120.0);
    assert!(r.alerts.is_empty(), "{:#?}", r.alerts);
    assert!(r.metrics.snapshot().ais_bindings >= 2);
}

#[test]
fn a_dark_boat_outside_ais_coverage_raises_nothing() {
    let scenario = Scenario::border_crossing();
    let mut config = config_for(&scenario);
    // Coverage shrunk to 500 m around the receiver: both vessels are outside it.
    for receiver in &mut config.ais_receivers {
        receiver.range_m = 500.0;
    }
    let r = replay(&scenario, &config, 120.0);
    assert!(r.alerts.is_empty(), "{:#?}", r.alerts);
}

/// One scenario of the library (`simulators/scenarios/NAME.toml`) replayed whole, its alerts
/// scored against the events the scenario expects, as `bordersim score-alerts` scores them.
fn library_scores(name: &str) -> Vec<borderfuse_sim::events::KindScore> {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../simulators/scenarios")
        .join(format!("{name}.toml"));
    let text = std::fs::read_to_string(&path).unwrap();
    let scenario = Scenario::from_toml(&text).unwrap();
    let mut config = config_for(&scenario);
    // The operational minute, not the 30-second demo's 15 s: a class B vessel reports every
    // 30 s and is not dark between two reports.
    config.rules.dark_target.after_s =
        borderfuse_agent::detect::config::DarkTargetConfig::default().after_s;
    let r = replay(&scenario, &config, scenario.duration_s);
    assert_eq!(r.metrics.snapshot().bad_frames(), 0);
    let frame = scenario.frame();
    let observed: Vec<_> = r
        .alerts
        .iter()
        .map(|a| {
            let line = serde_json::to_string(&a.payload("GR", "samos-east")).unwrap();
            borderfuse_sim::events::parse_alert(&line, &frame, START_UTC_MS).unwrap()
        })
        .collect();
    for a in &r.alerts {
        eprintln!(
            "alert {:?} t={:.0} at ({:.5}, {:.5}) track {:?} identity {:?} evidence {}",
            a.kind,
            a.time - START_UTC_MS as f64 / 1000.0,
            a.lat,
            a.lon,
            a.track_id,
            a.identity,
            a.evidence
        );
    }
    let expected = borderfuse_sim::events::expected_events(&scenario);
    let rules = borderfuse_sim::events::MatchRules {
        max_latency_s: 60.0,
        radius_m: 500.0,
    };
    let scores = borderfuse_sim::events::score_alerts(&scenario, &expected, &observed, rules);
    eprintln!("{name}: {scores:#?}");
    scores
}

/// Every kind scored in `name` is found (recall 1) without a false alert (precision 1), and
/// the kinds are exactly `kinds`.
fn assert_library_scenario(name: &str, kinds: &[&str]) {
    let scores = library_scores(name);
    let scored: Vec<&str> = scores.iter().map(|k| k.kind.as_str()).collect();
    assert_eq!(scored, kinds, "{scores:#?}");
    for k in &scores {
        assert_eq!((k.recall, k.precision), (1.0, 1.0), "{name}: {k:#?}");
    }
}

#[test]
fn library_night_crossing_raises_dark_target_and_both_zone_entries() {
    assert_library_scenario("night_crossing", &["dark_target", "zone_entry"]);
}

#[test]
fn library_rendezvous_raises_rendezvous_and_dark_target() {
    assert_library_scenario("rendezvous", &["dark_target", "rendezvous"]);
}

#[test]
fn library_ais_spoofer_raises_ais_spoofing_and_the_silence_of_the_borrowers_own_mmsi() {
    assert_library_scenario("ais_spoofer", &["ais_gap", "ais_spoofing"]);
}

#[test]
fn library_going_dark_raises_ais_gap() {
    assert_library_scenario("going_dark", &["ais_gap"]);
}
