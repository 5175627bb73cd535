//! A hostile broker: one that answers CONNECT with garbage, one that sends half a CONNACK
//! and hangs up, one that accepts and then breaks off in the middle of a packet, one that
//! closes at once. The link counts each failure and retries, never panics, and when a real
//! broker takes the port every alert is delivered.

mod link_support;

use borderfuse_agent::metrics::Metrics;
use borderfuse_agent::publish::Link;
use borderfuse_agent::publish::linktest::synthetic_alert;
use link_support::{Mosquitto, agent_config, agent_config_text, alert_messages, free_port};
use std::io::{Read, Write};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Answers four connections badly, one way each, then closes its port.
fn hostile_server(port: u16) -> std::thread::JoinHandle<()> {
    let listener = std::net::TcpListener::bind(("127.0.0.1", port)).unwrap();
    std::thread::spawn(move || {
        let answers: [&[u8]; 4] = [
            // Not MQTT at all.
            b"HTTP/1.1 400 Bad Request\r\n\r\n\xff\xff\xff\xff",
            // Half a CONNACK.
            &[0x20, 0x03, 0x00],
            // A good CONNACK (MQTT 5, success), then a PUBACK that announces 127 bytes and
            // stops after two.
            &[0x20, 0x03, 0x00, 0x00, 0x00, 0x40, 0x7f, 0x00, 0x01],
            // Nothing.
            &[],
        ];
        for answer in answers {
            let Ok((mut stream, _)) = listener.accept() else {
                return;
            };
            let _ = stream.set_read_timeout(Some(Duration::from_secs(2)));
            let mut buf = [0u8; 4096];
            let _ = stream.read(&mut buf);
            let _ = stream.write_all(answer);
            if answer.len() > 5 {
                // Let the client publish before the connection breaks off.
                std::thread::sleep(Duration::from_millis(200));
                let _ = stream.read(&mut buf);
            }
        }
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn garbage_half_packets_and_hangups_are_counted_retried_and_lose_no_alert() {
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let server = hostile_server(port);
    let config = agent_config(&agent_config_text(port, &dir.path().join("outbox"), ""));
    let metrics = Arc::new(Metrics::default());
    let (shutdown_tx, shutdown) = tokio::sync::watch::channel(false);
    let link = Link::start(&config, metrics.clone(), shutdown, None).unwrap();
    let now_ms = borderfuse_agent::ingest::now_utc_ms();
    let mut messages = Vec::new();
    for n in 0..20 {
        let alert = synthetic_alert(format!("hostile-{n}"), n, now_ms as f64 / 1000.0);
        messages.extend(alert_messages(&alert, &config, now_ms).unwrap());
    }
    link.handle().send(messages).await.unwrap();

    tokio::task::spawn_blocking(move || server.join())
        .await
        .unwrap()
        .unwrap();
    let s = metrics.snapshot();
    assert!(
        s.mqtt_errors >= 3,
        "each bad answer is a counted error: {s:?}"
    );
    assert_eq!(
        s.alerts_acked, 0,
        "nothing counts as delivered by a broken broker"
    );
    assert_eq!(s.outbox_pending, 20, "every alert waits in the outbox");

    let broker = Mosquitto::start(dir.path(), "broker", port, "allow_anonymous true");
    let deadline = Instant::now() + Duration::from_secs(20);
    while metrics.snapshot().alerts_acked < 20 {
        assert!(
            Instant::now() < deadline,
            "alerts delivered by the real broker: {:?}\n{}",
            metrics.snapshot(),
            broker.log()
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let _ = shutdown_tx.send(true);
    link.join().await;
}
