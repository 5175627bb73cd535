//! Shared hotlists over MQTT, against a real mosquitto: a partner's list published retained
//! before the agent starts, and its next version published while it runs, both make a plate
//! a camera POSTs raise `plate_hotlist` on the post's alert topic; a list with a plate in
//! clear is counted and changes nothing.

mod link_support;

use borderfuse_agent::metrics::Metrics;
use borderfuse_agent::share::{PlateKey, Policy};
use link_support::{Mosquitto, Subscriber, agent_config, agent_config_text, free_port, wait_for};
use rumqttc::v5::mqttbytes::QoS;
use rumqttc::v5::{AsyncClient, Event, MqttOptions};
use std::os::unix::fs::PermissionsExt;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

const TOPIC: &str = "borderfuse/v1/hotlist/bg";

/// Publishes `payload` retained on `topic` with QoS 1 and returns once the broker has it.
async fn publish_retained(port: u16, topic: &str, payload: String) {
    let mut options = MqttOptions::new(format!("partner-{}", rand_suffix()), "127.0.0.1", port);
    options.set_keep_alive(Duration::from_secs(5));
    let (client, mut eventloop) = AsyncClient::new(options, 8);
    client
        .publish(topic, QoS::AtLeastOnce, true, payload)
        .await
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        assert!(Instant::now() < deadline, "no PUBACK for the hotlist");
        match tokio::time::timeout(Duration::from_secs(10), eventloop.poll()).await {
            Ok(Ok(Event::Incoming(rumqttc::v5::mqttbytes::v5::Packet::PubAck(_)))) => break,
            Ok(Ok(_)) => {}
            other => panic!("publishing the hotlist: {other:?}"),
        }
    }
    let _ = client.disconnect().await;
}

fn rand_suffix() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos() as u64
}

fn list(version: u64, key: &PlateKey, plates: &[&str]) -> String {
    let digests: Vec<String> = plates.iter().map(|p| key.hash(p)).collect();
    serde_json::json!({ "list": "wanted", "version": version, "digests": digests }).to_string()
}

/// POSTs one read of `plate` now to the camera listener; returns the answer's status line.
async fn post_read(addr: std::net::SocketAddr, plate: &str) -> String {
    let now =
        borderfuse_agent::detect::rfc3339(borderfuse_agent::ingest::now_utc_ms() as f64 / 1000.0);
    let body = format!(
        r#"{{"plate": "{plate}", "confidence": 0.9, "region": "fr", "camera_id": "lane1", "timestamp": "{now}"}}"#
    );
    let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    let request = format!(
        "POST /plates HTTP/1.1\r\nHost: agent\r\nContent-Type: application/json\r\n\
         Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).await.unwrap();
    answer.lines().next().unwrap_or_default().to_owned()
}

/// The `plate_hotlist` alerts received so far, as their `identity.plate` (hashed on the
/// post's own topic unless it is cleared for plates).
fn hotlist_plates(subscriber: &Subscriber) -> Vec<String> {
    subscriber
        .received
        .lock()
        .unwrap()
        .alert_messages
        .iter()
        .filter_map(|(_, payload)| serde_json::from_slice::<serde_json::Value>(payload).ok())
        .filter(|v| v["kind"] == "plate_hotlist")
        .map(|v| {
            v["identity"]["plate"]
                .as_str()
                .unwrap_or_default()
                .to_owned()
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_retained_hotlist_before_and_after_the_agent_starts_raises_plate_hotlist() {
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let broker = Mosquitto::start(dir.path(), "broker", port, "allow_anonymous true\n");
    let key_bytes = [0x42u8; 32];
    let key = PlateKey::from_bytes(&key_bytes).unwrap();
    let key_file = dir.path().join("plate.key");
    std::fs::write(&key_file, hex_text(&key_bytes)).unwrap();
    std::fs::set_permissions(&key_file, std::fs::Permissions::from_mode(0o600)).unwrap();
    let camera = std::net::SocketAddr::from(([127, 0, 0, 1], free_port()));
    let extra = format!(
        r#"
[sharing]
plate_key = "{}"

[plates]
hotlist_topics = ["borderfuse/v1/hotlist/+"]

[[plates.checkpoint]]
id = "kipoi"
position = {{ lat = 40.93, lon = 26.33 }}
camera_http_listen = "{camera}"
"#,
        key_file.display()
    );
    let config = agent_config(&agent_config_text(port, &dir.path().join("outbox"), &extra));

    // Version 1, retained before the agent is there: lists AB123CD.
    publish_retained(port, TOPIC, list(1, &key, &["AB123CD"])).await;
    let subscriber = Subscriber::start(port, "watcher", false, |_| {}).await;
    let metrics = Arc::new(Metrics::default());
    let policy = Arc::new(Policy::of_agent_or_throwaway(&config).unwrap());
    let engine = borderfuse_agent::run::plate_engine(&config).unwrap();
    assert!(engine.is_some(), "an HTTP camera listener runs the engine");
    let agent = borderfuse_agent::run::spawn_with_plates(config, policy, metrics.clone(), engine);
    let deadline = Instant::now() + Duration::from_secs(15);
    while metrics.snapshot().hotlist_messages == 0 {
        assert!(
            Instant::now() < deadline,
            "the retained list never came: {:?}\n{}",
            metrics.snapshot(),
            broker.log()
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }

    // A read of the listed plate (the list reached the pipeline's queue before it: retry
    // until it raises, a later read of the same passage matching again).
    let raised = retry_until(&subscriber, camera, "AB-123-CD", &key).await;
    assert!(
        raised,
        "AB123CD raised nothing: {:?}\n{}",
        hotlist_plates(&subscriber),
        broker.log()
    );

    // Version 2, published while the agent runs, lists XY987ZZ instead; a list with a plate
    // in clear is refused.
    publish_retained(port, TOPIC, list(2, &key, &["XY987ZZ"])).await;
    let clear = r#"{"list": "leak", "version": 1, "digests": ["XY987ZZ"]}"#;
    publish_retained(port, "borderfuse/v1/hotlist/x", clear.to_owned()).await;
    wait_for(&metrics, "the new version and the bad list", |s| {
        s.hotlist_messages >= 3 && s.hotlist_malformed >= 1
    })
    .await;
    let raised = retry_until(&subscriber, camera, "XY-987-ZZ", &key).await;
    assert!(
        raised,
        "XY987ZZ raised nothing: {:?}",
        hotlist_plates(&subscriber)
    );

    let s = metrics.snapshot();
    assert_eq!(s.hotlist_malformed, 1, "{s:?}");
    assert_eq!(s.hotlist_link_errors, 0, "{s:?}\n{}", broker.log());
    assert_eq!(s.camera_http_refused, 0, "{s:?}");
    agent.stop().await;
}

/// POSTs reads of `plate` every 300 ms for up to 15 s until a `plate_hotlist` alert naming
/// it (in clear or hashed with `key`) arrives.
async fn retry_until(
    subscriber: &Subscriber,
    camera: std::net::SocketAddr,
    plate: &str,
    key: &PlateKey,
) -> bool {
    let clear = plate.replace('-', "");
    let hashed = key.hash(&clear);
    let deadline = Instant::now() + Duration::from_secs(15);
    while Instant::now() < deadline {
        // The listener may still be binding on the first try.
        if tokio::net::TcpStream::connect(camera).await.is_ok() {
            let status = post_read(camera, plate).await;
            assert!(status.starts_with("HTTP/1.1 202"), "{status}");
        }
        tokio::time::sleep(Duration::from_millis(300)).await;
        if hotlist_plates(subscriber)
            .iter()
            .any(|p| *p == hashed || *p == clear)
        {
            return true;
        }
    }
    false
}

fn hex_text(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
