//! Shared hotlists from MQTT: partners publish their watchlists, as keyed hashes, retained on
//! `plates.hotlist_topics` (the format and rules are in [`crate::plates::config`]).
//!
//! A connection of its own to the `[mqtt]` broker (same address, credentials and TLS as the
//! alert link, client id `<client id>-hotlist`, no last will): the alert link's connection is
//! busy with the outbox, and a hotlist of a few megabytes should not hold alerts back. After
//! every (re)connection it subscribes again with QoS 1, and the broker sends the retained
//! lists again; versions already held are then ignored by the engine.
//!
//! Messages are checked here ([`parse_list_message`]): a bad one is counted
//! (`hotlist_malformed`), logged at a rate limit and dropped, and the list held before stays.
//! Good ones go to the pipeline task, which owns the plate engine, in a bounded channel.

use crate::config::Config;
use crate::metrics::{Metrics, RateLimit, inc};
use crate::plates::HotlistUpdate;
use crate::plates::hotlist::parse_list_message;
use crate::publish::mqtt::{connection_options, describe};
use rumqttc::v5::mqttbytes::QoS;
use rumqttc::v5::mqttbytes::v5::{Packet, Publish, SubscribeReasonCode};
use rumqttc::v5::{AsyncClient, Event};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{mpsc, watch};

/// Room for the topic and MQTT headers on top of the largest list taken.
const PACKET_OVERHEAD: usize = 64 * 1024;

/// Subscribes to `config.plates.hotlist_topics` and hands every list taken to `tx` until
/// shutdown or the pipeline is gone. Connection failures are counted
/// (`hotlist_link_errors`), logged at a rate limit, and retried with the link's backoff
/// (`mqtt.reconnect_min_ms` to `mqtt.reconnect_max_ms`).
pub async fn run(
    config: Arc<Config>,
    tx: mpsc::Sender<HotlistUpdate>,
    metrics: Arc<Metrics>,
    mut shutdown: watch::Receiver<bool>,
) {
    let plates = &config.plates;
    if plates.hotlist_topics.is_empty() {
        return;
    }
    let mut options = match connection_options(&config, format!("{}-hotlist", config.client_id())) {
        Ok(o) => o,
        Err(e) => {
            inc(&metrics.hotlist_link_errors);
            tracing::error!(error = %e, "shared hotlists: cannot connect to the broker");
            return;
        }
    };
    // MQTT 5: the broker does not send a packet above this to this client (rumqttc refuses
    // one too), so an oversized list costs neither memory nor the connection.
    let max_packet = plates
        .max_hotlist_message_bytes
        .saturating_add(PACKET_OVERHEAD);
    options.set_max_packet_size(Some(u32::try_from(max_packet).unwrap_or(u32::MAX)));
    let min = Duration::from_millis(config.mqtt.reconnect_min_ms);
    let max = Duration::from_millis(config.mqtt.reconnect_max_ms);
    let mut backoff = min;
    let mut link_log = RateLimit::new(Duration::from_secs(60));
    let mut bad_log = RateLimit::new(Duration::from_secs(60));
    loop {
        let capacity = plates.hotlist_topics.len() + 8;
        let (client, mut eventloop) = AsyncClient::new(options.clone(), capacity);
        loop {
            let event = tokio::select! {
                event = eventloop.poll() => event,
                _ = shutdown.changed() => return,
                _ = tx.closed() => return,
            };
            match event {
                Ok(Event::Incoming(Packet::ConnAck(_))) => {
                    backoff = min;
                    tracing::info!(topics = ?plates.hotlist_topics, "shared hotlists: subscribing");
                    for filter in &plates.hotlist_topics {
                        // Room for every filter: the request channel holds them all.
                        if let Err(e) = client.try_subscribe(filter.clone(), QoS::AtLeastOnce) {
                            inc(&metrics.hotlist_link_errors);
                            tracing::error!(%filter, error = %e, "shared hotlists: cannot subscribe");
                        }
                    }
                }
                Ok(Event::Incoming(Packet::SubAck(ack))) => {
                    let refused = ack
                        .return_codes
                        .iter()
                        .filter(|c| !matches!(c, SubscribeReasonCode::Success(_)));
                    for code in refused {
                        inc(&metrics.hotlist_link_errors);
                        tracing::error!(
                            ?code,
                            "shared hotlists: the broker refused a subscription (its ACL?)"
                        );
                    }
                }
                Ok(Event::Incoming(Packet::Publish(publish))) => {
                    let Some(update) = take(&publish, &config, &metrics, &mut bad_log) else {
                        continue;
                    };
                    if tx.send(update).await.is_err() {
                        return;
                    }
                }
                Ok(_) => {}
                Err(e) => {
                    inc(&metrics.hotlist_link_errors);
                    if let Some(held_back) = link_log.check() {
                        tracing::warn!(error = %describe(&e), held_back, retry_in = ?backoff, "shared hotlists: broker connection lost");
                    }
                    break;
                }
            }
        }
        let delay = backoff.mul_f64(0.5 + 0.5 * rand::random::<f64>());
        backoff = (backoff * 2).min(max);
        tokio::select! {
            _ = tokio::time::sleep(delay) => {}
            _ = shutdown.changed() => return,
        }
    }
}

/// The update one message makes, or `None` (counted, logged at a rate limit) when it is bad.
fn take(
    publish: &Publish,
    config: &Config,
    metrics: &Metrics,
    bad_log: &mut RateLimit,
) -> Option<HotlistUpdate> {
    inc(&metrics.hotlist_messages);
    let topic = String::from_utf8_lossy(&publish.topic).into_owned();
    if publish.payload.is_empty() {
        // The publisher cleared its retained list.
        return Some(HotlistUpdate::Withdraw { topic });
    }
    let plates = &config.plates;
    match parse_list_message(
        &topic,
        &publish.payload,
        plates.max_hotlist_message_bytes,
        plates.max_hotlist_entries,
    ) {
        Ok(list) => Some(HotlistUpdate::Replace(list)),
        Err(e) => {
            inc(&metrics.hotlist_malformed);
            if let Some(held_back) = bad_log.check() {
                tracing::warn!(%topic, error = %e, held_back, "shared hotlist refused; the list held before stays");
            }
            None
        }
    }
}
