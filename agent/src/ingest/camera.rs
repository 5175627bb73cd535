//! Plate cameras pushing their results over TCP: one JSON object a line.
//!
//! ANPR cameras and their recognition software (OpenALPR's agent, Plate Recognizer's Stream)
//! push each result as it is made; a checkpoint's cameras connect to the listener of
//! `plates.checkpoint[].camera_listen` and write one result a line (`\n`-terminated). The
//! listener only frames lines: what a line says is checked by the plate engine
//! ([`crate::plates::PlateEngine::ingest_json`]), which counts and drops bad reads.
//!
//! Bounded throughout: a line longer than [`MAX_LINE`] is dropped (counted) up to its end,
//! at most [`MAX_CONNECTIONS`] cameras are served at once per listener (more are refused and
//! counted), and lines wait for the pipeline in its bounded channel (a slow pipeline slows the
//! cameras' TCP connections rather than growing memory).

use super::now_utc_ms;
use crate::metrics::{Metrics, RateLimit, inc};
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;
use tokio::io::AsyncReadExt;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{mpsc, watch};

/// Longest camera result taken, bytes. Real results (a plate, a dozen candidates, a region,
/// box coordinates, a timestamp) are 1-4 KiB; images are not sent inline.
pub const MAX_LINE: usize = 64 * 1024;

/// Cameras served at once by one listener.
pub const MAX_CONNECTIONS: usize = 64;

/// One camera result as received (a line over TCP, or one read of an HTTP request).
#[derive(Debug)]
pub struct CameraMessage {
    /// The checkpoint whose listener received it.
    pub checkpoint: String,
    /// The read's JSON text (a line without its terminator).
    pub text: String,
    /// Arrival time, UTC milliseconds.
    pub arrival_ms: u64,
    /// Told whether the plate engine took the read: the HTTP listener answers each request
    /// with how many of its reads were taken. `None` over TCP, which has no answer.
    pub verdict: Option<tokio::sync::oneshot::Sender<bool>>,
}

/// Binds `addr` for checkpoint `checkpoint` and serves it until shutdown; a failed bind is
/// logged and retried every few seconds (the address may come up later).
pub async fn run(
    checkpoint: String,
    addr: SocketAddr,
    tx: mpsc::Sender<CameraMessage>,
    metrics: Arc<Metrics>,
    shutdown: watch::Receiver<bool>,
) {
    let mut shutdown_bind = shutdown.clone();
    if let Some(listener) = bind(&checkpoint, addr, &metrics, &mut shutdown_bind).await {
        serve(checkpoint, listener, tx, metrics, shutdown).await;
    }
}

/// Binds `addr` for `checkpoint`'s cameras, retrying every few seconds while it cannot (the
/// address may come up later; each failure counted, logged at a rate limit); `None` at
/// shutdown.
pub async fn bind(
    checkpoint: &str,
    addr: SocketAddr,
    metrics: &Metrics,
    shutdown: &mut watch::Receiver<bool>,
) -> Option<TcpListener> {
    let mut log_limit = RateLimit::new(Duration::from_secs(60));
    loop {
        match TcpListener::bind(addr).await {
            Ok(listener) => {
                tracing::info!(%checkpoint, %addr, "listening for plate cameras");
                return Some(listener);
            }
            Err(e) => {
                inc(&metrics.source_open_errors);
                if let Some(held_back) = log_limit.check() {
                    tracing::error!(%checkpoint, %addr, error = %e, held_back, "cannot listen for plate cameras; retrying");
                }
            }
        }
        tokio::select! {
            _ = tokio::time::sleep(Duration::from_secs(5)) => {}
            _ = shutdown.changed() => return None,
        }
    }
}

/// Serves cameras connecting to `listener` until shutdown or the pipeline is gone.
pub async fn serve(
    checkpoint: String,
    listener: TcpListener,
    tx: mpsc::Sender<CameraMessage>,
    metrics: Arc<Metrics>,
    mut shutdown: watch::Receiver<bool>,
) {
    let open = Arc::new(AtomicUsize::new(0));
    loop {
        let accepted = tokio::select! {
            accepted = listener.accept() => accepted,
            _ = shutdown.changed() => return,
            _ = tx.closed() => return,
        };
        let (stream, peer) = match accepted {
            Ok(a) => a,
            Err(e) => {
                tracing::warn!(%checkpoint, error = %e, "accepting a camera connection failed");
                tokio::time::sleep(Duration::from_millis(100)).await;
                continue;
            }
        };
        if open.load(Ordering::Relaxed) >= MAX_CONNECTIONS {
            inc(&metrics.camera_connections_refused);
            tracing::warn!(%checkpoint, %peer, "too many camera connections; refused");
            continue;
        }
        open.fetch_add(1, Ordering::Relaxed);
        let (checkpoint, tx, metrics, shutdown, open) = (
            checkpoint.clone(),
            tx.clone(),
            metrics.clone(),
            shutdown.clone(),
            open.clone(),
        );
        tokio::spawn(async move {
            tracing::info!(%checkpoint, %peer, "plate camera connected");
            let reason = read_lines(&checkpoint, stream, &tx, &metrics, shutdown).await;
            tracing::info!(%checkpoint, %peer, reason, "plate camera disconnected");
            open.fetch_sub(1, Ordering::Relaxed);
        });
    }
}

/// Reads `\n`-terminated lines from one camera; returns why it stopped.
async fn read_lines(
    checkpoint: &str,
    mut stream: TcpStream,
    tx: &mpsc::Sender<CameraMessage>,
    metrics: &Metrics,
    mut shutdown: watch::Receiver<bool>,
) -> &'static str {
    let mut line: Vec<u8> = Vec::new();
    let mut overlong = false;
    let mut chunk = [0u8; 4096];
    loop {
        let n = tokio::select! {
            read = stream.read(&mut chunk) => match read {
                Ok(0) => return "closed",
                Ok(n) => n,
                Err(_) => return "read error",
            },
            _ = shutdown.changed() => return "shutdown",
        };
        for &byte in chunk.iter().take(n) {
            if byte != b'\n' {
                if line.len() < MAX_LINE {
                    line.push(byte);
                } else {
                    overlong = true;
                }
                continue;
            }
            if overlong {
                inc(&metrics.camera_lines_overlong);
                overlong = false;
            } else if line.iter().any(|b| !b.is_ascii_whitespace()) {
                // CRLF-terminated lines (some camera software writes them) lose the CR.
                if line.last() == Some(&b'\r') {
                    line.pop();
                }
                match String::from_utf8(std::mem::take(&mut line)) {
                    Ok(text) => {
                        inc(&metrics.camera_lines);
                        let message = CameraMessage {
                            checkpoint: checkpoint.to_string(),
                            text,
                            arrival_ms: now_utc_ms(),
                            verdict: None,
                        };
                        if tx.send(message).await.is_err() {
                            return "agent stopping";
                        }
                    }
                    Err(_) => inc(&metrics.camera_lines_not_utf8),
                }
            }
            line.clear();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::io::AsyncWriteExt;

    #[tokio::test]
    async fn lines_are_framed_bounded_and_counted() {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let (tx, mut rx) = mpsc::channel(16);
        let metrics = Arc::new(Metrics::default());
        let (stop, shutdown) = watch::channel(false);
        let server = tokio::spawn(serve(
            "cp-1".into(),
            listener,
            tx,
            metrics.clone(),
            shutdown,
        ));
        let mut camera = TcpStream::connect(addr).await.unwrap();
        let overlong = vec![b'x'; MAX_LINE + 10];
        let mut bytes = Vec::new();
        bytes.extend_from_slice(b"{\"plate\":\"AB123CD\",\"confidence\":0.9}\r\n\n   \n");
        bytes.extend_from_slice(&overlong);
        bytes.extend_from_slice(b"\n\xff\xfe\n{\"plate\": \"XY");
        // Split across writes: the second line arrives in two pieces.
        camera.write_all(&bytes).await.unwrap();
        camera.write_all(b"987\"}\n").await.unwrap();
        camera.shutdown().await.unwrap();
        let first = rx.recv().await.unwrap();
        assert_eq!(first.checkpoint, "cp-1");
        assert_eq!(first.text, "{\"plate\":\"AB123CD\",\"confidence\":0.9}");
        let second = rx.recv().await.unwrap();
        assert_eq!(second.text, "{\"plate\": \"XY987\"}");
        let snapshot = metrics.snapshot();
        assert_eq!(snapshot.camera_lines, 2);
        assert_eq!(snapshot.camera_lines_overlong, 1);
        assert_eq!(snapshot.camera_lines_not_utf8, 1);
        stop.send_replace(true);
        server.await.unwrap();
    }
}
