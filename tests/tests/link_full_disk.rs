//! A full disk: while the outbox's writes fail (the file-size limit of the process is set to
//! the log's current size, so every write fails with EFBIG, as on a full disk), alerts are
//! not counted as stored: each failure is counted and retried; once writes work again every
//! alert is stored and delivered. (Its own test binary: the limit is per process.)

mod link_support;

use borderfuse_agent::metrics::Metrics;
use borderfuse_agent::publish::linktest::synthetic_alert;
use borderfuse_agent::publish::outbox::LOG_FILE;
use borderfuse_agent::publish::{Link, Message};
use link_support::{
    Mosquitto, agent_config, agent_config_text, alert_messages, free_port, wait_for,
};
use nix::sys::resource::{Resource, getrlimit, setrlimit};
use std::sync::Arc;

fn alerts(config: &borderfuse_agent::config::Config, from: u64, to: u64) -> Vec<Message> {
    let now_ms = borderfuse_agent::ingest::now_utc_ms();
    (from..to)
        .flat_map(|n| {
            let alert = synthetic_alert(format!("disk-{n:02}"), n, now_ms as f64 / 1000.0);
            alert_messages(&alert, config, now_ms).unwrap()
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn failed_outbox_writes_are_counted_and_retried_and_lose_no_alert() {
    // A write past the limit raises SIGXFSZ, which would kill the process: ignore it, so the
    // write fails with EFBIG instead.
    // SAFETY: installs the standard "ignore" disposition, no handler code runs.
    unsafe {
        nix::sys::signal::signal(
            nix::sys::signal::Signal::SIGXFSZ,
            nix::sys::signal::SigHandler::SigIgn,
        )
        .unwrap();
    }
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let broker = Mosquitto::start(dir.path(), "broker", port, "allow_anonymous true");
    let outbox = dir.path().join("outbox");
    let config = agent_config(&agent_config_text(port, &outbox, ""));
    let metrics = Arc::new(Metrics::default());
    let (shutdown_tx, shutdown) = tokio::sync::watch::channel(false);
    let link = Link::start(&config, metrics.clone(), shutdown, None).unwrap();
    link.handle().send(alerts(&config, 0, 5)).await.unwrap();
    wait_for(&metrics, "the first alerts delivered", |s| {
        s.alerts_acked == 5 && s.outbox_pending == 0
    })
    .await;

    // The disk fills up.
    let (soft, hard) = getrlimit(Resource::RLIMIT_FSIZE).unwrap();
    let size = std::fs::metadata(outbox.join(LOG_FILE)).unwrap().len();
    setrlimit(Resource::RLIMIT_FSIZE, size, hard).unwrap();
    let handle = link.handle();
    let later = alerts(&config, 5, 15);
    let sender = tokio::spawn(async move { handle.send(later).await });
    wait_for(&metrics, "write failures counted", |s| {
        s.outbox_write_errors >= 2
    })
    .await;
    let s = metrics.snapshot();
    assert_eq!(
        s.outbox_stored, 5,
        "nothing counts as stored while writes fail: {s:?}"
    );
    assert_eq!(s.alerts_acked, 5, "{s:?}");
    assert!(!sender.is_finished(), "the alerts wait for the disk");

    // Room on the disk again.
    setrlimit(Resource::RLIMIT_FSIZE, soft, hard).unwrap();
    sender.await.unwrap().expect("stored once writes work");
    wait_for(&metrics, "every alert delivered", |s| s.alerts_acked == 15).await;
    assert_eq!(metrics.snapshot().alerts_dropped, 0);
    let _ = shutdown_tx.send(true);
    link.join().await;
    drop(broker);
}
