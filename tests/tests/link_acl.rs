//! ACL: a broker whose ACL forbids this post's alert topic answers the alert's PUBLISH with
//! PUBACK 0x87 (not authorised); the link counts the refusal, never as a delivery, keeps the
//! alert in the outbox and retries it, while a topic the ACL allows still gets through.

mod link_support;

use borderfuse_agent::metrics::Metrics;
use borderfuse_agent::publish::outbox::Outbox;
use borderfuse_agent::publish::{Link, Message};
use link_support::{
    Mosquitto, agent_config, agent_config_text, alert_messages, free_port, wait_for,
};
use std::sync::Arc;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_acl_refusal_is_counted_not_delivered_and_the_alert_stays_in_the_outbox() {
    let dir = tempfile::tempdir().unwrap();
    let acl = dir.path().join("acl");
    std::fs::write(
        &acl,
        "topic readwrite borderfuse/v1/GR/samos-east/status\n\
         topic readwrite borderfuse/v1/GR/samos-east/tracks\n\
         topic read borderfuse/#\n",
    )
    .unwrap();
    let port = free_port();
    let broker = Mosquitto::start(
        dir.path(),
        "broker",
        port,
        &format!("allow_anonymous true\nacl_file {}\n", acl.display()),
    );
    let outbox_dir = dir.path().join("outbox");
    let config = agent_config(&agent_config_text(port, &outbox_dir, ""));
    let metrics = Arc::new(Metrics::default());
    let (shutdown_tx, shutdown) = tokio::sync::watch::channel(false);
    let link = Link::start(&config, metrics.clone(), shutdown, None).unwrap();

    let now_ms = borderfuse_agent::ingest::now_utc_ms();
    let alert = borderfuse_agent::publish::linktest::synthetic_alert(
        "forbidden-1".into(),
        1,
        now_ms as f64 / 1000.0,
    );
    let mut messages = alert_messages(&alert, &config, now_ms).unwrap();
    let mut track = Message {
        class: borderfuse_agent::publish::Class::Track,
        topic: "borderfuse/v1/GR/samos-east/tracks".into(),
        payload: br#"{"schema":"borderfuse.tracks/1","country":"GR","post":"samos-east","time":"2025-01-01T00:00:00Z","tracks":[]}"#.to_vec(),
        id: "tracks-1".into(),
        created_ms: now_ms,
        expiry_s: Some(60),
        user_properties: Vec::new(),
    };
    messages.push(track.clone());
    link.handle().send(messages).await.unwrap();

    // Refused, and refused again on the retry: never counted as delivered. (The delivered
    // track leaves the outbox with the next commit, or 20 ms later: wait for that too.)
    let s = wait_for(&metrics, "two refusals and the track delivered", |s| {
        s.publish_refused >= 2 && s.tracks_acked >= 1 && s.outbox_pending <= 1
    })
    .await;
    assert_eq!(s.alerts_acked, 0, "a refusal is not a delivery");
    assert_eq!(s.outbox_pending, 1, "the alert waits in the outbox");
    // The held topic does not stop other topics.
    track.id = "tracks-2".into();
    link.handle().send(vec![track]).await.unwrap();
    wait_for(&metrics, "the second track delivered", |s| {
        s.tracks_acked >= 2
    })
    .await;

    let _ = shutdown_tx.send(true);
    link.join().await;
    let (outbox, _) = Outbox::open(&outbox_dir, config.outbox.limits()).unwrap();
    let pending: Vec<String> = outbox.pending().map(|(_, m)| m.id.clone()).collect();
    assert_eq!(pending, ["forbidden-1#0"], "broker log:\n{}", broker.log());
}
