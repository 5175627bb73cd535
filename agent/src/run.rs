//! The running agent: sources → pipeline → publisher, as tokio tasks joined by bounded
//! channels (a slow stage holds back the one before it instead of growing a queue).

use crate::config::Config;
use crate::detect::Alert;
use crate::ingest::{self, SourceFrame};
use crate::metrics::{Metrics, Snapshot};
use crate::pipeline::Pipeline;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{mpsc, watch};
use tokio::task::JoinHandle;

/// Frames waiting for the pipeline.
const FRAME_QUEUE: usize = 4096;
/// Alerts waiting for the publisher task.
const ALERT_QUEUE: usize = 1024;

/// A running agent.
#[derive(Debug)]
pub struct AgentHandle {
    /// Its counters.
    pub metrics: Arc<Metrics>,
    shutdown: watch::Sender<bool>,
    tasks: Vec<JoinHandle<()>>,
}

impl AgentHandle {
    /// Stops every task and waits for them (the publisher says goodbye to the broker).
    pub async fn stop(self) {
        let _ = self.shutdown.send(true);
        for task in self.tasks {
            let _ = task.await;
        }
    }
}

/// One line of status: what came in, what was dropped, what the picture holds.
pub fn status_line(s: &Snapshot) -> String {
    format!(
        "frames_in={} bad_frames={} lost_frames={} plots={} ais_msgs={} tracks={} confirmed={} ais_bound={} alerts_raised={} alerts_acked={} mqtt_connects={}",
        s.frames_in,
        s.bad_frames(),
        s.frames_lost,
        s.radar_plots,
        s.ais_messages,
        s.tracks_alive,
        s.tracks_confirmed_alive,
        s.ais_bindings,
        s.alerts_raised,
        s.alerts_acked,
        s.mqtt_connects,
    )
}

/// Starts the agent's tasks on the current tokio runtime.
pub fn spawn(config: Config, metrics: Arc<Metrics>) -> AgentHandle {
    let (shutdown, shutdown_rx) = watch::channel(false);
    let (frame_tx, frame_rx) = mpsc::channel::<SourceFrame>(FRAME_QUEUE);
    let (alert_tx, alert_rx) = mpsc::channel::<Alert>(ALERT_QUEUE);
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
    let pipeline = Pipeline::new(&config, metrics.clone());
    tasks.push(tokio::spawn(run_pipeline(
        pipeline,
        frame_rx,
        alert_tx,
        shutdown_rx.clone(),
    )));
    tasks.push(tokio::spawn(crate::publish::mqtt::run(
        config.clone(),
        alert_rx,
        metrics.clone(),
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
                    _ = ticker.tick() => tracing::info!("status {}", status_line(&metrics.snapshot())),
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

async fn run_pipeline(
    mut pipeline: Pipeline,
    mut frames: mpsc::Receiver<SourceFrame>,
    alerts: mpsc::Sender<Alert>,
    mut shutdown: watch::Receiver<bool>,
) {
    let mut ticker = tokio::time::interval(Duration::from_secs(1));
    loop {
        let raised = tokio::select! {
            frame = frames.recv() => match frame {
                Some(f) => pipeline.handle_frame(f.frame, f.arrival_ms),
                None => return,
            },
            _ = ticker.tick() => pipeline.tick(ingest::now_utc_ms() as f64 / 1000.0),
            _ = shutdown.changed() => return,
        };
        for alert in raised {
            tracing::info!(kind = alert.kind.as_str(), id = %alert.id, track = ?alert.track_id, lat = alert.lat, lon = alert.lon, "alert raised");
            if alerts.send(alert).await.is_err() {
                return;
            }
        }
    }
}

/// Runs the agent until Ctrl-C or SIGTERM.
pub async fn run_until_signal(config: Config) -> anyhow::Result<()> {
    let agent = spawn(config, Arc::new(Metrics::default()));
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
