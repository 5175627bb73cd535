//! The demo's whole path, for real: simulated radar and AIS nodes framing through the
//! firmware code onto pseudo-terminals, the agent reading them as serial ports, tracking,
//! raising alerts, publishing them with QoS 1 to an MQTT broker (rumqttd), and a subscriber
//! receiving them back. Run at 3× speed so it takes about 12 s.

use borderfuse_agent::demo::{DemoOptions, run};
use std::time::Duration;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_dark_boat_raises_exactly_one_dark_target_alert_and_the_ais_ship_none() {
    let report = run(DemoOptions {
        scenario: None,
        duration: Duration::from_secs(12),
        speed: 3.0,
        print_alerts: false,
        print_status: false,
        expected_out: None,
    })
    .await
    .expect("demo runs");
    eprintln!("{}", report.summary());

    let m = &report.metrics;
    assert!(m.frames_in > 50, "frames reached the agent: {m:?}");
    assert_eq!(m.bad_frames(), 0, "a clean link has no bad frames: {m:?}");
    assert_eq!(m.frames_lost, 0, "no frame lost on a pty: {m:?}");
    assert!(
        m.ais_bindings >= 1,
        "the AIS ship's track took its identity: {m:?}"
    );

    assert_eq!(report.alerts.len(), 1, "alerts: {:#?}", report.alerts);
    assert_eq!(
        (report.signatures_valid, report.signatures_invalid),
        (1, 0),
        "the alert's signature checks out with the agent's public key"
    );
    let alert = &report.alerts[0];
    assert_eq!(alert["kind"], "dark_target");
    assert_eq!(alert["severity"], "high");
    for field in ["id", "time", "lat", "lon", "track_id", "evidence"] {
        assert!(!alert[field].is_null(), "alert lacks {field}: {alert}");
    }
    assert_eq!(
        m.alerts_acked, 1,
        "the broker acknowledged the alert (QoS 1)"
    );

    let dark = report
        .vessels
        .iter()
        .find(|v| !v.transmits_ais)
        .expect("a dark vessel");
    let ais = report
        .vessels
        .iter()
        .find(|v| v.transmits_ais)
        .expect("an AIS vessel");
    assert!(
        dark.distance_to_alerts_m[0] < 150.0,
        "alert is on the dark boat: {dark:?}"
    );
    assert!(
        ais.distance_to_alerts_m[0] > 1000.0,
        "alert is not on the AIS ship: {ais:?}"
    );

    // Scored as `bordersim score-alerts` scores them: the one event the scenario expects
    // (the dark boat under radar cover) is found, and no alert is false.
    let scenario = borderfuse_sim::Scenario::border_crossing();
    let expected = borderfuse_sim::events::expected_events(&scenario);
    let observed: Vec<_> = report
        .alerts
        .iter()
        .map(|a| {
            borderfuse_sim::events::parse_alert(
                &a.to_string(),
                &scenario.frame(),
                report.start_utc_ms,
            )
            .expect("an alert payload")
        })
        .collect();
    let rules = borderfuse_sim::events::MatchRules {
        max_latency_s: 60.0,
        radius_m: 500.0,
    };
    let scores = borderfuse_sim::events::score_alerts(&scenario, &expected, &observed, rules);
    let dark = &scores[0];
    assert_eq!(dark.kind, "dark_target");
    assert_eq!((dark.precision, dark.recall), (1.0, 1.0), "{scores:?}");

    assert!(
        report.statuses.iter().any(|s| s["state"] == "online"),
        "retained status says online: {:?}",
        report.statuses
    );
}
