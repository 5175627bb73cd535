//! Serial ports carrying node frames (a node's UART through a USB adapter, an RS-422 line, or
//! a pseudo-terminal in tests).

use super::{SourceFrame, count_bad_frame, now_utc_ms};
use crate::config::SourceConfig;
use crate::metrics::{Metrics, RateLimit, add, inc};
use borderfuse_common::frame::FrameDecoder;
use std::sync::Arc;
use std::time::Duration;
use tokio::io::AsyncReadExt;
use tokio::sync::{mpsc, watch};
use tokio_serial::SerialPortBuilderExt;

/// Why a connection to a port ended.
#[derive(Debug)]
enum Ended {
    /// The agent is shutting down or the pipeline is gone.
    Stop,
    /// The port failed or closed.
    Lost(String),
}

/// Reads frames from the port of `config` into `tx` until `shutdown` turns true, reopening
/// the port whenever it fails.
///
/// # Cancel safety
/// Meant to be spawned as a task and stopped through `shutdown`; dropping it mid-read loses
/// at most the partial frame being read.
pub async fn run(
    index: usize,
    config: SourceConfig,
    tx: mpsc::Sender<SourceFrame>,
    metrics: Arc<Metrics>,
    mut shutdown: watch::Receiver<bool>,
) {
    let min = Duration::from_millis(config.reopen_min_ms);
    let max = Duration::from_millis(config.reopen_max_ms);
    let mut backoff = min;
    let mut log_limit = RateLimit::new(Duration::from_secs(30));
    loop {
        if *shutdown.borrow() {
            return;
        }
        let opened = tokio_serial::new(config.path.to_string_lossy(), config.baud)
            .timeout(Duration::from_secs(1))
            .open_native_async();
        match opened {
            Ok(port) => {
                tracing::info!(source = %config.name, path = %config.path.display(), "serial port open");
                backoff = min;
                match read_frames(index, &config, port, &tx, &metrics, &mut shutdown).await {
                    Ended::Stop => return,
                    Ended::Lost(reason) => {
                        inc(&metrics.source_disconnects);
                        tracing::warn!(source = %config.name, %reason, "serial port lost; reopening");
                    }
                }
            }
            Err(e) => {
                inc(&metrics.source_open_errors);
                if let Some(more) = log_limit.check() {
                    tracing::warn!(source = %config.name, path = %config.path.display(), error = %e, retry_in = ?backoff, failed_since_last_log = more, "cannot open serial port");
                }
            }
        }
        // Jitter so that ports behind one failed USB hub do not retry in lock step.
        let jittered = backoff.mul_f64(0.75 + 0.5 * rand::random::<f64>());
        tokio::select! {
            _ = tokio::time::sleep(jittered) => {}
            _ = shutdown.changed() => return,
        }
        backoff = (backoff * 2).min(max);
    }
}

async fn read_frames(
    index: usize,
    config: &SourceConfig,
    mut port: tokio_serial::SerialStream,
    tx: &mpsc::Sender<SourceFrame>,
    metrics: &Metrics,
    shutdown: &mut watch::Receiver<bool>,
) -> Ended {
    let mut decoder = FrameDecoder::new();
    let mut buf = [0u8; 4096];
    let mut log_limit = RateLimit::new(Duration::from_secs(10));
    loop {
        let n = tokio::select! {
            read = port.read(&mut buf) => match read {
                Ok(0) => return Ended::Lost("end of file".into()),
                Ok(n) => n,
                Err(e) => return Ended::Lost(e.to_string()),
            },
            _ = shutdown.changed() => return Ended::Stop,
        };
        add(&metrics.bytes_in, n as u64);
        let arrival_ms = now_utc_ms();
        for result in decoder.feed(&buf[..n]) {
            match result {
                Ok(frame) => {
                    let item = SourceFrame {
                        source: index,
                        frame,
                        arrival_ms,
                    };
                    if tx.send(item).await.is_err() {
                        return Ended::Stop;
                    }
                }
                Err(e) => {
                    count_bad_frame(metrics, &e);
                    if let Some(more) = log_limit.check() {
                        tracing::warn!(source = %config.name, error = %e, more, "bad frame dropped");
                    }
                }
            }
        }
    }
}
