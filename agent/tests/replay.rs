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
