//! The running agent: sources → pipeline → link, as tokio tasks joined by bounded channels
//! (a slow stage holds back the one before it instead of growing a queue).
//!
//! The link stage turns each alert into signed messages, one per receiver the sharing
//! [`Policy`] allows ([`alert_messages`]), and hands them to the
//! [`Link`](crate::publish::Link), which stores them in the disk outbox before they count as
//! raised and sends them to the broker; the fused tracks go the same way at
//! `mqtt.tracks_interval_s`.

use crate::config::Config;
use crate::detect::{ALERT_SCHEMA, Alert};
use crate::ingest::{self, SourceFrame};
use crate::metrics::{Metrics, Snapshot, add, inc};
use crate::pipeline::Pipeline;
use crate::publish::mqtt::SCHEMA_PROPERTY;
use crate::publish::{Class, Link, LinkHandle, Message, SendError};
use crate::share::policy::OWN_AUDIENCE;
use crate::share::{Policy, PolicyError};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{mpsc, watch};
use tokio::task::JoinHandle;

/// Frames waiting for the pipeline.
const FRAME_QUEUE: usize = 4096;
/// Alerts waiting for the link (in memory: they count as raised once in the outbox).
const ALERT_QUEUE: usize = 1024;
/// Track pictures waiting for the link; a newer one is shed rather than queue behind.
const TRACK_QUEUE: usize = 2;
/// Shared hotlist updates waiting for the pipeline (each may be megabytes of digests).
const HOTLIST_QUEUE: usize = 4;
/// Most alerts stored with one request (and so one fsync).
const ALERT_BATCH: usize = 1024;

/// A running agent.
#[derive(Debug)]
pub struct AgentHandle {
    /// Its counters.
    pub metrics: Arc<Metrics>,
    shutdown: watch::Sender<bool>,
    tasks: Vec<JoinHandle<()>>,
}

impl AgentHandle {
    /// Stops every task and waits for them: the pipeline's last alerts are stored in the
    /// outbox, and the link says goodbye to the broker.
    pub async fn stop(self) {
        let _ = self.shutdown.send(true);
        for task in self.tasks {
            let _ = task.await;
        }
    }
}

/// One line of status: what came in, what was dropped, what the picture holds, what the
/// link did.
pub fn status_line(s: &Snapshot) -> String {
    format!(
        "frames_in={} bad_frames={} lost_frames={} nmea_lines={} nmea_bad_lines={} nmea_reconnects={} arpa_sentences={} plots={} ais_msgs={} tracks={} confirmed={} ais_bound={} alerts_raised={} alerts_updated={} alerts_cleared={} alerts_acked={} outbox_pending={} publish_refused={} mqtt_connects={} mqtt_errors={}",
        s.frames_in,
        s.bad_frames(),
        s.frames_lost,
        s.nmea_lines,
        s.nmea_bad_lines(),
        s.nmea_reconnects,
        s.arpa_sentences,
        s.radar_plots,
        s.ais_messages,
        s.tracks_alive,
        s.tracks_confirmed_alive,
        s.ais_bindings,
        s.alerts_raised,
        s.alerts_updated,
        s.alerts_cleared,
        s.alerts_acked,
        s.outbox_pending,
        s.publish_refused,
        s.mqtt_connects,
        s.mqtt_errors,
    )
}

/// The messages that carry `alert` from this post: one per receiver whose sharing policy
/// takes its kind (the post's own topic, each partner's), each signed and with only the
/// fields that receiver may see. Each has its own outbox id, `ID#REVISION` on the own topic
/// and `ID#REVISION@PARTNER` on a partner's, so duplicates are recognised per receiver.
pub fn alert_messages(
    alert: &Alert,
    policy: &Policy,
    config: &Config,
    now_ms: u64,
) -> Result<Vec<Message>, PolicyError> {
    Ok(policy
        .alert_messages(alert)?
        .into_iter()
        .map(|out| {
            let mut id = format!("{}#{}", alert.id, alert.revision);
            if out.audience != OWN_AUDIENCE {
                id = format!("{id}@{}", out.audience);
            }
            Message {
                class: Class::Alert,
                topic: out.topic,
                payload: out.payload,
                id,
                created_ms: now_ms,
                expiry_s: Some(config.mqtt.alert_expiry_s),
                user_properties: vec![(SCHEMA_PROPERTY.into(), ALERT_SCHEMA.into())],
            }
        })
        .collect())
}

/// Starts the agent's tasks on the current tokio runtime.
///
/// The link opens the outbox (`outbox.dir`) in its task; while it cannot (another agent
/// holds it, the disk is not there yet), it says why at error level and retries, and alerts
/// wait in memory, holding back the pipeline. [`run_until_signal`] checks the outbox before
/// it starts, so that a wrong directory stops the agent at once instead.
pub fn spawn(config: Config, policy: Arc<Policy>, metrics: Arc<Metrics>) -> AgentHandle {
    spawn_with_plates(config, policy, metrics, None)
}

/// [`spawn`], with the plate engine fed by the plate-reader nodes (see
/// [`plate_engine`]); without it their frames are counted unused.
pub fn spawn_with_plates(
    config: Config,
    policy: Arc<Policy>,
    metrics: Arc<Metrics>,
    plates: Option<crate::plates::PlateEngine>,
) -> AgentHandle {
    let (shutdown, shutdown_rx) = watch::channel(false);
    let (frame_tx, frame_rx) = mpsc::channel::<SourceFrame>(FRAME_QUEUE);
    let (alert_tx, alert_rx) = mpsc::channel::<Alert>(ALERT_QUEUE);
    let (track_tx, track_rx) = mpsc::channel::<Vec<Message>>(TRACK_QUEUE);
    let config = Arc::new(config);
    let mut tasks = Vec::new();
    for (i, source) in config.sources.iter().enumerate() {
        tasks.push(tokio::spawn(ingest::serial::run(
            i,
            source.clone(),
            frame_tx.clone(),
            metrics.clone(),
            shutdown_rx.clone(),
        )));
    }
    drop(frame_tx);
    let (nmea_tx, nmea_rx) = mpsc::channel::<ingest::nmea::NmeaLine>(FRAME_QUEUE);
    for (i, source) in config.nmea_sources.iter().enumerate() {
        tasks.push(tokio::spawn(ingest::nmea::run(
            i,
            source.clone(),
            nmea_tx.clone(),
            metrics.clone(),
            shutdown_rx.clone(),
        )));
    }
    drop(nmea_tx);
    let (camera_tx, camera_rx) = mpsc::channel::<ingest::camera::CameraMessage>(FRAME_QUEUE);
    for (checkpoint, addr) in config.plates.camera_listeners() {
        tasks.push(tokio::spawn(ingest::camera::run(
            checkpoint,
            addr,
            camera_tx.clone(),
            metrics.clone(),
            shutdown_rx.clone(),
        )));
    }
    for (checkpoint, addr) in config.plates.camera_http_listeners() {
        tasks.push(tokio::spawn(ingest::camera_http::run(
            checkpoint,
            addr,
            camera_tx.clone(),
            metrics.clone(),
            shutdown_rx.clone(),
        )));
    }
    drop(camera_tx);
    let (hotlist_tx, hotlist_rx) = mpsc::channel::<crate::plates::HotlistUpdate>(HOTLIST_QUEUE);
    // Shared hotlists only matter to a running plate engine.
    if plates.is_some() && !config.plates.hotlist_topics.is_empty() {
        tasks.push(tokio::spawn(ingest::hotlist_mqtt::run(
            config.clone(),
            hotlist_tx,
            metrics.clone(),
            shutdown_rx.clone(),
        )));
    } else {
        drop(hotlist_tx);
    }
    let mut pipeline = Pipeline::new(&config, metrics.clone());
    if let Some(engine) = plates {
        pipeline.set_plate_engine(engine);
    }
    // The plate engine lives in the pipeline task; its counters reach the status line
    // through this, refreshed every pipeline tick.
    let (plate_stats_tx, plate_stats) = watch::channel(pipeline.plate_stats());
    let shared = Shared {
        config: config.clone(),
        policy: policy.clone(),
        metrics: metrics.clone(),
        plate_stats: plate_stats_tx,
    };
    tasks.push(tokio::spawn(run_pipeline(
        pipeline,
        shared.clone(),
        Inputs {
            frames: frame_rx,
            nmea: nmea_rx,
            cameras: camera_rx,
            hotlists: hotlist_rx,
        },
        alert_tx,
        track_tx,
        shutdown_rx.clone(),
    )));
    tasks.push(tokio::spawn(run_link(
        shared,
        alert_rx,
        track_rx,
        shutdown_rx.clone(),
    )));
    if config.status.log_interval_s > 0.0 {
        let metrics = metrics.clone();
        let interval = Duration::from_secs_f64(config.status.log_interval_s);
        let mut shutdown = shutdown_rx;
        tasks.push(tokio::spawn(async move {
            let mut ticker = tokio::time::interval(interval);
            ticker.tick().await;
            loop {
                tokio::select! {
                    _ = ticker.tick() => {
                        let shared = policy.stats();
                        let snapshot = metrics.snapshot();
                        let plates = plate_stats
                            .borrow()
                            .map(|p| plate_status(&p, &snapshot))
                            .unwrap_or_default();
                        tracing::info!(
                            "status {} signed={} plates_hashed={} plates_removed={}{plates}",
                            status_line(&snapshot),
                            shared.messages,
                            shared.plates_hashed,
                            shared.plates_removed
                        );
                    }
                    _ = shutdown.changed() => return,
                }
            }
        }));
    }
    AgentHandle {
        metrics,
        shutdown,
        tasks,
    }
}

/// The plate side of the status line: camera lines in and dropped, the engine's reads,
/// refusals by reason, events, and what retention deleted.
pub fn plate_status(p: &crate::plates::PlateStats, s: &Snapshot) -> String {
    format!(
        " camera_lines={} camera_lines_overlong={} camera_lines_not_utf8={} \
         camera_connections_refused={} camera_http_requests={} camera_http_refused={} \
         plate_reads={} plate_accepted={} \
         plate_rejected_malformed={} plate_rejected_alphabet={} plate_rejected_length={} \
         plate_rejected_confidence={} plate_rejected_time={} plate_rejected_checkpoint={} \
         plate_hotlist={} plate_clone={} repeat_crossing={} clear_plates_deleted={} \
         plate_cap_hits={} hotlist_listed={} hotlist_messages={} hotlist_malformed={} \
         hotlist_updates={} hotlist_stale={} hotlist_refused={} hotlist_link_errors={}",
        s.camera_lines,
        s.camera_lines_overlong,
        s.camera_lines_not_utf8,
        s.camera_connections_refused,
        s.camera_http_requests,
        s.camera_http_refused,
        p.reads,
        p.accepted,
        p.rejected_malformed,
        p.rejected_alphabet,
        p.rejected_length,
        p.rejected_confidence,
        p.rejected_time,
        p.rejected_checkpoint,
        p.hotlist_events,
        p.clone_events,
        p.repeat_events,
        p.clear_plates_deleted,
        p.plate_cap_hits,
        p.hotlist_listed,
        s.hotlist_messages,
        s.hotlist_malformed,
        p.hotlist_updates,
        p.hotlist_stale,
        p.hotlist_refused,
        s.hotlist_link_errors,
    )
}

/// What the pipeline and link tasks both use.
#[derive(Debug, Clone)]
struct Shared {
    config: Arc<Config>,
    policy: Arc<Policy>,
    metrics: Arc<Metrics>,
    /// Where the pipeline task publishes the plate engine's counters.
    plate_stats: watch::Sender<Option<crate::plates::PlateStats>>,
}

/// What the pipeline task takes in.
struct Inputs {
    frames: mpsc::Receiver<SourceFrame>,
    nmea: mpsc::Receiver<ingest::nmea::NmeaLine>,
    cameras: mpsc::Receiver<ingest::camera::CameraMessage>,
    hotlists: mpsc::Receiver<crate::plates::HotlistUpdate>,
}

async fn run_pipeline(
    mut pipeline: Pipeline,
    shared: Shared,
    inputs: Inputs,
    alerts: mpsc::Sender<Alert>,
    tracks: mpsc::Sender<Vec<Message>>,
    mut shutdown: watch::Receiver<bool>,
) {
    let Shared {
        config,
        policy,
        metrics,
        plate_stats,
    } = shared;
    let Inputs {
        mut frames,
        mut nmea,
        mut cameras,
        mut hotlists,
    } = inputs;
    let mut ticker = tokio::time::interval(Duration::from_secs(1));
    let tracks_every = (config.mqtt.tracks_interval_s > 0.0)
        .then(|| Duration::from_secs_f64(config.mqtt.tracks_interval_s));
    let mut track_ticker = tokio::time::interval(tracks_every.unwrap_or(Duration::from_secs(3600)));
    track_ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
    track_ticker.tick().await;
    // Without serial sources (a post of plate cameras only) the frame channel is closed from
    // the start: the pipeline still runs, for the cameras and the clock, until shutdown.
    let mut frames_open = true;
    loop {
        let raised = tokio::select! {
            frame = frames.recv(), if frames_open => match frame {
                Some(f) => pipeline.handle_frame(f.frame, f.arrival_ms),
                None => {
                    frames_open = false;
                    continue;
                }
            },
            // Without NMEA sources the channel is closed: recv() yields None at once and
            // select! skips the branch.
            Some(line) = nmea.recv() => pipeline.handle_nmea_line(line.source, &line.text, line.arrival_ms),
            // Without camera listeners the channel is closed: recv() yields None at once and
            // select! skips the branch.
            Some(c) = cameras.recv() => {
                let (raised, taken) = pipeline.handle_camera_read(&c.checkpoint, &c.text, c.arrival_ms);
                if let Some(verdict) = c.verdict {
                    // The HTTP request may have gone (the camera hung up): nobody to tell.
                    let _ = verdict.send(taken);
                }
                raised
            }
            Some(update) = hotlists.recv() => {
                pipeline.update_hotlist(update);
                continue;
            }
            _ = ticker.tick() => {
                plate_stats.send_replace(pipeline.plate_stats());
                pipeline.tick(ingest::now_utc_ms() as f64 / 1000.0)
            }
            _ = track_ticker.tick(), if tracks_every.is_some() => {
                let (messages, skipped) = crate::publish::tracks::track_messages(
                    pipeline.tracker(),
                    pipeline.ais_picture(),
                    pipeline.local_frame(),
                    &policy,
                    &config,
                    ingest::now_utc_ms(),
                );
                if skipped > 0 {
                    tracing::warn!(skipped, "tracks with a non-finite estimate left out of the picture");
                }
                let n = messages.len() as u64;
                if tracks.try_send(messages).is_err() {
                    // The link is behind: this picture is shed; the next one replaces it.
                    add(&metrics.tracks_shed, n);
                }
                continue;
            }
            _ = shutdown.changed() => return,
        };
        for alert in raised {
            tracing::info!(kind = alert.kind.as_str(), id = %alert.id, revision = alert.revision, state = ?alert.state, track = ?alert.track_id, lat = alert.lat, lon = alert.lon, "alert raised");
            if alerts.send(alert).await.is_err() {
                return;
            }
        }
    }
}

/// Opens the link (retrying while the outbox cannot be opened), then stores every alert and
/// track picture in it until the pipeline ends, then lets the link say goodbye.
async fn run_link(
    shared: Shared,
    mut alerts: mpsc::Receiver<Alert>,
    mut tracks: mpsc::Receiver<Vec<Message>>,
    mut shutdown: watch::Receiver<bool>,
) {
    let Shared {
        config,
        policy,
        metrics,
        ..
    } = shared;
    let mut retry = Duration::from_millis(config.mqtt.reconnect_min_ms);
    let link = loop {
        match Link::start(&config, metrics.clone(), shutdown.clone(), None) {
            Ok(link) => break link,
            Err(e) => {
                inc(&metrics.outbox_write_errors);
                tracing::error!(error = %e, retry_in = ?retry, "cannot start the alert link; alerts wait in memory");
            }
        }
        tokio::select! {
            _ = tokio::time::sleep(retry) => {}
            _ = shutdown.changed() => {
                alerts.close();
                let mut lost = 0;
                while alerts.recv().await.is_some() {
                    lost += 1;
                }
                add(&metrics.alerts_dropped, lost);
                if lost > 0 {
                    tracing::error!(lost, "agent stopped before the outbox could be opened: alerts lost");
                }
                return;
            }
        }
        retry = (retry * 2).min(Duration::from_millis(config.mqtt.reconnect_max_ms));
    };
    let handle = link.handle();
    let mut tracks_open = true;
    loop {
        tokio::select! {
            alert = alerts.recv() => match alert {
                Some(first) => {
                    // Everything that queued while the previous batch was being fsynced goes
                    // in one request: one fsync for all of it.
                    let mut batch = vec![first];
                    while batch.len() < ALERT_BATCH {
                        match alerts.try_recv() {
                            Ok(a) => batch.push(a),
                            Err(_) => break,
                        }
                    }
                    let now_ms = ingest::now_utc_ms();
                    let mut messages = Vec::with_capacity(batch.len());
                    for alert in &batch {
                        match alert_messages(alert, &policy, &config, now_ms) {
                            Ok(m) => messages.extend(m),
                            Err(e) => {
                                inc(&metrics.alerts_publish_errors);
                                tracing::error!(alert = %alert.id, error = %e, "alert cannot be shared; dropped");
                            }
                        }
                    }
                    send(&handle, &metrics, messages).await;
                }
                None => break,
            },
            picture = tracks.recv(), if tracks_open => match picture {
                Some(messages) => send(&handle, &metrics, messages).await,
                None => tracks_open = false,
            },
        }
    }
    drop(handle);
    link.join().await;
}

async fn send(handle: &LinkHandle, metrics: &Metrics, messages: Vec<Message>) {
    if let Err(SendError::Stopping(left)) = handle.send(messages).await {
        let alerts = left.iter().filter(|m| m.class == Class::Alert).count() as u64;
        add(&metrics.alerts_dropped, alerts);
        add(&metrics.tracks_shed, left.len() as u64 - alerts);
        if alerts > 0 {
            tracing::error!(
                lost = alerts,
                "agent stopping while the outbox refused alerts (full or failing disk): alerts lost"
            );
        }
    }
}

/// The plate engine of `config` when plate-reader nodes are configured: the plate key
/// (`sharing.plate_key`) loaded, the hotlist files read and hashed.
pub fn plate_engine(config: &Config) -> anyhow::Result<Option<crate::plates::PlateEngine>> {
    use anyhow::Context;
    if !config.plates.has_nodes() {
        return Ok(None);
    }
    let path = config
        .sharing
        .plate_key
        .as_deref()
        .context("sharing.plate_key: plate-reader nodes need it")?;
    let key = crate::share::PlateKey::load(path).context("sharing.plate_key")?;
    let engine = config.plates.build_engine(key).context("plates.hotlist")?;
    tracing::info!(
        checkpoints = config.plates.checkpoints.len(),
        "plate engine running"
    );
    Ok(Some(engine))
}

/// Runs the agent until Ctrl-C or SIGTERM.
pub async fn run_until_signal(config: Config) -> anyhow::Result<()> {
    use anyhow::Context;
    // Fail at once on keys that cannot be loaded and on an outbox that cannot be opened
    // (wrong directory, another agent).
    let policy = Policy::of_agent(&config)?;
    tracing::info!(key_id = %policy.key_id(), "alerts are signed");
    drop(
        crate::publish::outbox::Outbox::open(&config.outbox.dir, config.outbox.limits())
            .context("outbox.dir")?,
    );
    let plates = plate_engine(&config)?;
    let agent = spawn_with_plates(
        config,
        Arc::new(policy),
        Arc::new(Metrics::default()),
        plates,
    );
    let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())?;
    tokio::select! {
        r = tokio::signal::ctrl_c() => r?,
        _ = term.recv() => {}
    }
    tracing::info!("stopping");
    let metrics = agent.metrics.clone();
    agent.stop().await;
    tracing::info!("stopped: {}", status_line(&metrics.snapshot()));
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_status_line_shows_the_nmea_sources() {
        let line = status_line(&Snapshot {
            nmea_lines: 5,
            nmea_lines_overlong: 1,
            nmea_lines_not_utf8: 1,
            nmea_lines_malformed: 1,
            arpa_bad_sentences: 1,
            nmea_reconnects: 2,
            arpa_sentences: 3,
            ..Snapshot::default()
        });
        for field in [
            "nmea_lines=5",
            "nmea_bad_lines=4",
            "nmea_reconnects=2",
            "arpa_sentences=3",
        ] {
            assert!(line.contains(field), "{field} missing in {line}");
        }
    }

    #[test]
    fn the_status_line_names_every_plate_refusal_and_event() {
        let stats = crate::plates::PlateStats {
            reads: 10,
            accepted: 4,
            rejected_malformed: 1,
            rejected_alphabet: 2,
            rejected_length: 3,
            rejected_confidence: 4,
            rejected_time: 5,
            rejected_checkpoint: 6,
            hotlist_events: 7,
            clone_events: 8,
            repeat_events: 9,
            clear_plates_deleted: 11,
            plate_cap_hits: 12,
            hotlist_listed: 13,
            hotlist_updates: 14,
            hotlist_stale: 15,
            hotlist_refused: 16,
            ..Default::default()
        };
        let snapshot = Snapshot {
            camera_lines: 20,
            camera_lines_overlong: 21,
            camera_lines_not_utf8: 22,
            camera_connections_refused: 23,
            camera_http_requests: 24,
            camera_http_refused: 25,
            hotlist_messages: 26,
            hotlist_malformed: 27,
            hotlist_link_errors: 28,
            ..Snapshot::default()
        };
        let line = plate_status(&stats, &snapshot);
        for field in [
            "camera_lines=20",
            "camera_lines_overlong=21",
            "camera_lines_not_utf8=22",
            "camera_connections_refused=23",
            "camera_http_requests=24",
            "camera_http_refused=25",
            "plate_reads=10",
            "plate_accepted=4",
            "plate_rejected_malformed=1",
            "plate_rejected_alphabet=2",
            "plate_rejected_length=3",
            "plate_rejected_confidence=4",
            "plate_rejected_time=5",
            "plate_rejected_checkpoint=6",
            "plate_hotlist=7",
            "plate_clone=8",
            "repeat_crossing=9",
            "clear_plates_deleted=11",
            "plate_cap_hits=12",
            "hotlist_listed=13",
            "hotlist_updates=14",
            "hotlist_stale=15",
            "hotlist_refused=16",
            "hotlist_messages=26",
            "hotlist_malformed=27",
            "hotlist_link_errors=28",
        ] {
            assert!(
                line.contains(&format!(" {field}")),
                "{field} missing in {line}"
            );
        }
    }
}
