//! A full outbox: with the broker away and the outbox at its limit, new alerts are refused by
//! the outbox, counted, and wait in memory (the sender waits: back-pressure); as the broker
//! comes back and acknowledges, room frees and every alert is stored and delivered, in order.

mod link_support;

use borderfuse_agent::metrics::Metrics;
use borderfuse_agent::publish::linktest::synthetic_alert;
use borderfuse_agent::publish::{Delivered, Link};
use link_support::{Mosquitto, agent_config, agent_config_text, alert_messages, free_port};
use std::sync::Arc;
use std::time::{Duration, Instant};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn alerts_refused_by_a_full_outbox_are_counted_wait_and_are_all_delivered() {
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let config = agent_config(
        &agent_config_text(port, &dir.path().join("outbox"), "")
            .replace("[outbox]\n", "[outbox]\nmax_messages = 5\n"),
    );
    let metrics = Arc::new(Metrics::default());
    let (shutdown_tx, shutdown) = tokio::sync::watch::channel(false);
    let (delivered_tx, mut delivered) = tokio::sync::mpsc::unbounded_channel::<Delivered>();
    let link = Link::start(&config, metrics.clone(), shutdown, Some(delivered_tx)).unwrap();

    // No broker yet: 20 alerts for an outbox that holds 5.
    let now_ms = borderfuse_agent::ingest::now_utc_ms();
    let mut messages = Vec::new();
    for n in 0..20 {
        let alert = synthetic_alert(format!("full-{n:02}"), n, now_ms as f64 / 1000.0);
        messages.extend(alert_messages(&alert, &config, now_ms).unwrap());
    }
    let handle = link.handle();
    let sender = tokio::spawn(async move { handle.send(messages).await });
    let deadline = Instant::now() + Duration::from_secs(10);
    while metrics.snapshot().outbox_alerts_refused == 0 {
        assert!(Instant::now() < deadline, "{:?}", metrics.snapshot());
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let s = metrics.snapshot();
    assert_eq!(s.outbox_pending, 5, "the outbox is full: {s:?}");
    assert_eq!(
        s.outbox_alerts_refused, 15,
        "every refused alert is counted: {s:?}"
    );
    assert!(!sender.is_finished(), "the sender waits for room");

    let _broker = Mosquitto::start(dir.path(), "broker", port, "allow_anonymous true");
    sender
        .await
        .unwrap()
        .expect("every alert stored once room was made");
    let mut ids = Vec::new();
    while ids.len() < 20 {
        let d = tokio::time::timeout(Duration::from_secs(20), delivered.recv())
            .await
            .expect("deliveries keep coming")
            .unwrap();
        ids.push(d.id);
    }
    let expected: Vec<String> = (0..20).map(|n| format!("full-{n:02}#0")).collect();
    assert_eq!(ids, expected, "all delivered, in the order raised");
    assert_eq!(metrics.snapshot().alerts_dropped, 0);
    let _ = shutdown_tx.send(true);
    link.join().await;
}
