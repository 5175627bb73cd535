//! Outage: the broker is stopped for 10 s while 1,000 alerts are raised, then restarted;
//! every alert reaches a subscriber, and the duplicates a resend makes carry the same id.

mod link_support;

use borderfuse_agent::publish::linktest::{LinkTestOptions, run};
use link_support::{Mosquitto, Subscriber, agent_config, agent_config_text, free_port};
use std::collections::HashSet;
use std::time::Duration;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn all_1000_alerts_raised_during_a_10_s_broker_outage_arrive_and_duplicates_share_ids() {
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    // Persistence, so the subscriber's session (its subscription, and what was queued for it)
    // survives the broker's restart, as it would on a real broker.
    let mut broker = Mosquitto::start(
        dir.path(),
        "broker",
        port,
        &format!(
            "allow_anonymous true\npersistence true\npersistence_location {}/\nmax_queued_messages 100000\n",
            dir.path().display()
        ),
    );
    let subscriber = Subscriber::start(port, "partner-display", true, |_| {}).await;
    let config = agent_config(&agent_config_text(port, &dir.path().join("outbox"), ""));

    // 1,000 alerts at 100 a second: 10 s of raising.
    let test = tokio::spawn(async move {
        run(
            &config,
            &LinkTestOptions {
                count: 1000,
                rate: 100.0,
                id_prefix: Some("outage".into()),
                print_ids: false,
                timeout: Duration::from_secs(90),
            },
        )
        .await
    });
    tokio::time::sleep(Duration::from_secs(1)).await;
    let received_before = subscriber.received.lock().unwrap().alert_ids.len();
    broker.stop();
    tokio::time::sleep(Duration::from_secs(10)).await;
    broker.restart();

    let report = test
        .await
        .unwrap()
        .expect("every alert acknowledged after the outage");
    eprintln!("{}", report.summary());
    assert_eq!(report.acked, 1000);
    assert!(
        report.metrics.mqtt_connects >= 2,
        "the link reconnected: {:?}",
        report.metrics
    );
    assert!(received_before > 0, "alerts flowed before the outage");

    let expected: HashSet<String> = (0..1000).map(|n| format!("outage-{n:07}")).collect();
    let got = subscriber
        .wait_for(&expected, Duration::from_secs(30))
        .await;
    let missing: Vec<_> = expected.difference(&got).collect();
    assert!(
        missing.is_empty(),
        "{} alerts lost: {missing:?}",
        missing.len()
    );
    let received = subscriber.received.lock().unwrap();
    assert!(
        received.alert_ids.iter().all(|id| expected.contains(id)),
        "every delivery, duplicates included, carries a known alert id"
    );
    eprintln!(
        "{} deliveries of {} distinct alerts",
        received.alert_ids.len(),
        got.len()
    );
}
