//! The MQTT publisher task (rumqttc).
//!
//! Alerts are handed to the client without blocking (`try_publish`), so the event loop, which
//! alone moves bytes to the broker, is always being polled; while the client's queue is full
//! or the broker is away, alerts wait in a bounded queue here, in order. Delivery is QoS 1
//! and every PUBACK is counted.
//!
//! Not done yet (issue 5): alerts waiting here or in flight live in memory only, so a crash
//! or `kill -9` loses them; the disk-backed outbox replaces this queue.

use super::Topics;
use crate::config::Config;
use crate::detect::Alert;
use crate::metrics::{Metrics, RateLimit, inc};
use rumqttc::{AsyncClient, Event, LastWill, MqttOptions, Outgoing, Packet, QoS};
use serde_json::json;
use std::collections::{HashMap, VecDeque};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{mpsc, watch};

/// Alerts held while the broker is unreachable; beyond this the oldest is dropped, counted
/// and logged as an error (the disk outbox of issue 5 removes this limit's consequences).
pub const MAX_QUEUED_ALERTS: usize = 10_000;

/// Requests the rumqttc client buffers before `try_publish` reports it full.
const CLIENT_CAPACITY: usize = 64;

#[derive(Debug, Clone, PartialEq)]
enum Sent {
    Alert(String),
    Status,
}

fn status_payload(config: &Config, state: &str) -> Vec<u8> {
    json!({
        "schema": "borderfuse.status/1",
        "state": state,
        "country": config.post.country,
        "post": config.post.post,
        "agent": concat!("borderfuse-agent ", env!("CARGO_PKG_VERSION")),
        "time": crate::detect::rfc3339(crate::ingest::now_utc_ms() as f64 / 1000.0),
    })
    .to_string()
    .into_bytes()
}

/// Publishes the alerts from `alerts` until `shutdown` turns true, then announces the post
/// offline and disconnects.
pub async fn run(
    config: Config,
    mut alerts: mpsc::Receiver<Alert>,
    metrics: Arc<Metrics>,
    mut shutdown: watch::Receiver<bool>,
) {
    let topics = Topics::new(&config.post.country, &config.post.post);
    let mut options = MqttOptions::new(
        config.client_id(),
        config.mqtt.host.clone(),
        config.mqtt.port,
    );
    options.set_keep_alive(Duration::from_secs(config.mqtt.keep_alive_s));
    options.set_last_will(LastWill::new(
        topics.status(),
        status_payload(&config, "offline"),
        QoS::AtLeastOnce,
        true,
    ));
    if let Some(user) = &config.mqtt.username {
        options.set_credentials(
            user.clone(),
            config.mqtt.password.clone().unwrap_or_default(),
        );
    }
    let (client, mut eventloop) = AsyncClient::new(options, CLIENT_CAPACITY);

    let mut queue: VecDeque<Alert> = VecDeque::new();
    // What each request handed to the client was, in order, until its packet id is known.
    let mut handed: VecDeque<Sent> = VecDeque::new();
    // Packet id → what it carries, until its PUBACK.
    let mut in_flight: HashMap<u16, Sent> = HashMap::new();
    let mut log_limit = RateLimit::new(Duration::from_secs(10));
    let mut backoff = Duration::from_millis(100);
    let mut alerts_open = true;

    loop {
        // Hand waiting alerts to the client while it has room.
        while let Some(alert) = queue.front() {
            let payload = match serde_json::to_vec(
                &alert.payload(&config.post.country, &config.post.post),
            ) {
                Ok(p) => p,
                Err(e) => {
                    inc(&metrics.alerts_publish_errors);
                    tracing::error!(alert = %alert.id, error = %e, "alert cannot be serialised; dropped");
                    queue.pop_front();
                    continue;
                }
            };
            match client.try_publish(topics.alert(alert.kind), QoS::AtLeastOnce, false, payload) {
                Ok(()) => {
                    handed.push_back(Sent::Alert(alert.id.clone()));
                    queue.pop_front();
                }
                Err(_) => break,
            }
        }

        tokio::select! {
            event = eventloop.poll() => match event {
                Ok(Event::Incoming(Packet::ConnAck(ack))) => {
                    inc(&metrics.mqtt_connects);
                    backoff = Duration::from_millis(100);
                    tracing::info!(host = %config.mqtt.host, port = config.mqtt.port, session_present = ack.session_present, "connected to MQTT broker");
                    if client.try_publish(topics.status(), QoS::AtLeastOnce, true, status_payload(&config, "online")).is_ok() {
                        handed.push_back(Sent::Status);
                    }
                }
                Ok(Event::Outgoing(Outgoing::Publish(pkid))) => {
                    // A replay after reconnection reuses its packet id: keep the first mapping.
                    if !in_flight.contains_key(&pkid)
                        && let Some(sent) = handed.pop_front()
                    {
                        in_flight.insert(pkid, sent);
                    }
                }
                Ok(Event::Incoming(Packet::PubAck(ack))) => {
                    if let Some(Sent::Alert(id)) = in_flight.remove(&ack.pkid) {
                        inc(&metrics.alerts_acked);
                        tracing::debug!(alert = %id, "alert acknowledged by broker");
                    }
                }
                Ok(_) => {}
                Err(e) => {
                    inc(&metrics.mqtt_errors);
                    if let Some(more) = log_limit.check() {
                        tracing::warn!(error = %e, retry_in = ?backoff, more, queued = queue.len(), "MQTT connection error");
                    }
                    // rumqttc reconnects on the next poll; wait first so a dead broker is not
                    // hammered.
                    let jittered = backoff.mul_f64(0.75 + 0.5 * rand::random::<f64>());
                    tokio::select! {
                        _ = tokio::time::sleep(jittered) => {}
                        _ = shutdown.changed() => {}
                    }
                    backoff = (backoff * 2).min(Duration::from_secs(30));
                }
            },
            alert = alerts.recv(), if alerts_open => match alert {
                Some(alert) => {
                    if queue.len() >= MAX_QUEUED_ALERTS
                        && let Some(dropped) = queue.pop_front()
                    {
                        inc(&metrics.alerts_dropped);
                        tracing::error!(alert = %dropped.id, kind = dropped.kind.as_str(), "alert queue full while the broker is unreachable; oldest alert dropped");
                    }
                    queue.push_back(alert);
                }
                None => alerts_open = false,
            },
            _ = shutdown.changed() => break,
        }
        if *shutdown.borrow() {
            break;
        }
    }

    // Say goodbye properly: a retained offline status (the will is only for deaths).
    let _ = client.try_publish(
        topics.status(),
        QoS::AtLeastOnce,
        true,
        status_payload(&config, "offline"),
    );
    let _ = client.try_disconnect();
    let _ = tokio::time::timeout(Duration::from_secs(2), async {
        loop {
            match eventloop.poll().await {
                Ok(Event::Outgoing(Outgoing::Disconnect)) | Err(_) => break,
                Ok(_) => {}
            }
        }
    })
    .await;
    if !queue.is_empty() || in_flight.values().any(|s| matches!(s, Sent::Alert(_))) {
        tracing::error!(
            queued = queue.len(),
            "agent stopping with alerts not acknowledged by the broker"
        );
    }
}
