//! Plate cameras POSTing their results over HTTP/1.1.
//!
//! Plate Recognizer Stream sends its webhooks this way, and OpenALPR-style agents post
//! their results as JSON: a checkpoint's cameras send to the server of
//! `plates.checkpoint[].camera_http_listen`, `POST /plates` (or `POST /`), a JSON body that
//! is one read, an array of reads, or a Stream webhook ([`crate::plates::read::camera_reads`]
//! finds the reads in it). Each read goes to the plate engine through the same channel and
//! the same checks as a TCP camera's line ([`super::camera`]), so a refused read is counted
//! under the same counters.
//!
//! Answers:
//! - `202 Accepted`, `{"accepted": A, "rejected": R}`: how many reads the engine took;
//! - `400 Bad Request`: the body is not JSON, not an object or array, or not UTF-8 (a body
//!   that is not JSON reaches the engine, which counts it as one malformed read);
//! - `404 Not Found` for other paths, `405 Method Not Allowed` for other methods;
//! - `408 Request Timeout` when the body does not arrive within [`BODY_TIMEOUT`];
//! - `413 Content Too Large` for a body over [`MAX_BODY`] (counted as an overlong line);
//! - `503 Service Unavailable` when the agent is stopping.
//!
//! Bounded: at most [`super::camera::MAX_CONNECTIONS`] connections at once (more are closed
//! at once and counted), headers within [`HEADER_TIMEOUT`], bodies of at most [`MAX_BODY`]
//! within [`BODY_TIMEOUT`], and reads wait for the pipeline in its bounded channel.

use super::camera::{CameraMessage, MAX_CONNECTIONS};
use super::now_utc_ms;
use crate::metrics::{Metrics, inc};
use crate::plates::read::camera_reads;
use bytes::Bytes;
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::Incoming;
use hyper::header::{ALLOW, CONTENT_LENGTH, CONTENT_TYPE, HeaderValue};
use hyper::{Method, Request, Response, StatusCode};
use hyper_util::rt::{TokioIo, TokioTimer};
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;
use tokio::net::TcpListener;
use tokio::sync::{mpsc, oneshot, watch};

/// Largest body taken, bytes: a Stream webhook without images is 1-4 KiB a vehicle.
pub const MAX_BODY: usize = 64 * 1024;

/// A request's headers must arrive within this.
pub const HEADER_TIMEOUT: Duration = Duration::from_secs(10);

/// A request's body must arrive within this once its headers did.
pub const BODY_TIMEOUT: Duration = Duration::from_secs(10);

/// The paths reads are posted to.
const PATHS: [&str; 2] = ["/", "/plates"];

/// What every request handler needs.
#[derive(Debug, Clone)]
struct Context {
    checkpoint: Arc<str>,
    tx: mpsc::Sender<CameraMessage>,
    metrics: Arc<Metrics>,
}

/// Binds `addr` for checkpoint `checkpoint` (retrying while it cannot) and serves it until
/// shutdown.
pub async fn run(
    checkpoint: String,
    addr: SocketAddr,
    tx: mpsc::Sender<CameraMessage>,
    metrics: Arc<Metrics>,
    shutdown: watch::Receiver<bool>,
) {
    let mut shutdown_bind = shutdown.clone();
    if let Some(listener) =
        super::camera::bind(&checkpoint, addr, &metrics, &mut shutdown_bind).await
    {
        serve(checkpoint, listener, tx, metrics, shutdown).await;
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
    let context = Context {
        checkpoint: checkpoint.into(),
        tx,
        metrics,
    };
    loop {
        let accepted = tokio::select! {
            accepted = listener.accept() => accepted,
            _ = shutdown.changed() => return,
            _ = context.tx.closed() => return,
        };
        let (stream, peer) = match accepted {
            Ok(a) => a,
            Err(e) => {
                tracing::warn!(checkpoint = %context.checkpoint, error = %e, "accepting a camera connection failed");
                tokio::time::sleep(Duration::from_millis(100)).await;
                continue;
            }
        };
        if open.load(Ordering::Relaxed) >= MAX_CONNECTIONS {
            inc(&context.metrics.camera_connections_refused);
            tracing::warn!(checkpoint = %context.checkpoint, %peer, "too many camera connections; refused");
            continue;
        }
        open.fetch_add(1, Ordering::Relaxed);
        let (context, mut shutdown, open) = (context.clone(), shutdown.clone(), open.clone());
        tokio::spawn(async move {
            let service = hyper::service::service_fn(move |request| {
                let context = context.clone();
                async move { Ok::<_, std::convert::Infallible>(handle(request, &context).await) }
            });
            let connection = hyper::server::conn::http1::Builder::new()
                .timer(TokioTimer::new())
                .header_read_timeout(HEADER_TIMEOUT)
                // Headers and the read buffer: far more than any camera sends.
                .max_buf_size(MAX_BODY.max(8192))
                .serve_connection(TokioIo::new(stream), service);
            tokio::pin!(connection);
            let result = tokio::select! {
                r = connection.as_mut() => r,
                _ = shutdown.changed() => {
                    // Finish the request in progress, then close.
                    connection.as_mut().graceful_shutdown();
                    connection.await
                }
            };
            if let Err(e) = result {
                tracing::debug!(%peer, error = %e, "camera HTTP connection ended");
            }
            open.fetch_sub(1, Ordering::Relaxed);
        });
    }
}

/// The answer to one request.
async fn handle(request: Request<Incoming>, context: &Context) -> Response<Full<Bytes>> {
    let metrics = &context.metrics;
    inc(&metrics.camera_http_requests);
    let response = answer(request, context).await;
    if !response.status().is_success() {
        inc(&metrics.camera_http_refused);
    }
    response
}

async fn answer(request: Request<Incoming>, context: &Context) -> Response<Full<Bytes>> {
    if !PATHS.contains(&request.uri().path()) {
        return json(StatusCode::NOT_FOUND, r#"{"error":"not found"}"#.into());
    }
    if request.method() != Method::POST {
        let mut response = json(
            StatusCode::METHOD_NOT_ALLOWED,
            r#"{"error":"POST only"}"#.into(),
        );
        response
            .headers_mut()
            .insert(ALLOW, HeaderValue::from_static("POST"));
        return response;
    }
    let too_large = || {
        inc(&context.metrics.camera_lines_overlong);
        json(
            StatusCode::PAYLOAD_TOO_LARGE,
            format!(r#"{{"error":"body over {MAX_BODY} bytes"}}"#),
        )
    };
    // Refused before reading when it says so; a chunked body is cut at the limit below.
    let declared = request
        .headers()
        .get(CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > MAX_BODY as u64) {
        return too_large();
    }
    let arrival_ms = now_utc_ms();
    let body = match tokio::time::timeout(
        BODY_TIMEOUT,
        Limited::new(request.into_body(), MAX_BODY).collect(),
    )
    .await
    {
        Err(_) => {
            return json(
                StatusCode::REQUEST_TIMEOUT,
                r#"{"error":"body too slow"}"#.into(),
            );
        }
        Ok(Err(e)) if e.is::<http_body_util::LengthLimitError>() => return too_large(),
        Ok(Err(e)) => {
            return json(
                StatusCode::BAD_REQUEST,
                error_body(&format!("body unreadable: {e}")),
            );
        }
        Ok(Ok(collected)) => collected.to_bytes(),
    };
    let Ok(text) = String::from_utf8(body.to_vec()) else {
        inc(&context.metrics.camera_lines_not_utf8);
        return json(StatusCode::BAD_REQUEST, r#"{"error":"not UTF-8"}"#.into());
    };
    let (reads, error) = match camera_reads(&text) {
        Ok(reads) => (reads, None),
        // The body itself goes to the engine, which refuses it as malformed and counts it
        // with every other malformed read.
        Err(e) => (vec![text], Some(e.to_string())),
    };
    let mut verdicts = Vec::with_capacity(reads.len());
    for read in reads {
        let (verdict, told) = oneshot::channel();
        let message = CameraMessage {
            checkpoint: context.checkpoint.to_string(),
            text: read,
            arrival_ms,
            verdict: Some(verdict),
        };
        if context.tx.send(message).await.is_err() {
            return stopping();
        }
        verdicts.push(told);
    }
    let mut accepted = 0usize;
    let mut rejected = 0usize;
    for told in verdicts {
        match told.await {
            Ok(true) => accepted += 1,
            Ok(false) => rejected += 1,
            Err(_) => return stopping(),
        }
    }
    match error {
        Some(e) => json(StatusCode::BAD_REQUEST, error_body(&e)),
        None => json(
            StatusCode::ACCEPTED,
            format!(r#"{{"accepted":{accepted},"rejected":{rejected}}}"#),
        ),
    }
}

fn stopping() -> Response<Full<Bytes>> {
    json(
        StatusCode::SERVICE_UNAVAILABLE,
        r#"{"error":"agent stopping"}"#.into(),
    )
}

fn error_body(message: &str) -> String {
    serde_json::json!({ "error": message }).to_string()
}

fn json(status: StatusCode, body: String) -> Response<Full<Bytes>> {
    let mut response = Response::new(Full::new(Bytes::from(body)));
    *response.status_mut() = status;
    response
        .headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    response
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    use tokio::net::TcpStream;

    /// Sends `request` on a new connection and returns the status code and body of the
    /// answer (the server closes after it: `Connection: close`).
    async fn exchange(addr: SocketAddr, request: &[u8]) -> (u16, String) {
        let mut stream = TcpStream::connect(addr).await.unwrap();
        stream.write_all(request).await.unwrap();
        let mut answer = Vec::new();
        tokio::time::timeout(Duration::from_secs(10), stream.read_to_end(&mut answer))
            .await
            .expect("an answer")
            .unwrap();
        let answer = String::from_utf8(answer).unwrap();
        let status = answer[9..12].parse().unwrap();
        let body = answer
            .split_once("\r\n\r\n")
            .map(|(_, b)| b.to_owned())
            .unwrap();
        (status, body)
    }

    fn post(path: &str, body: &str) -> Vec<u8> {
        format!(
            "POST {path} HTTP/1.1\r\nHost: agent\r\nContent-Type: application/json\r\n\
             Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        )
        .into_bytes()
    }

    #[tokio::test]
    async fn posted_reads_are_answered_with_counts_and_bad_requests_with_their_status() {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let (tx, mut rx) = mpsc::channel::<CameraMessage>(16);
        let metrics = Arc::new(Metrics::default());
        let (stop, shutdown) = watch::channel(false);
        let server = tokio::spawn(serve(
            "cp-1".into(),
            listener,
            tx,
            metrics.clone(),
            shutdown,
        ));
        // A stand-in for the pipeline: takes reads whose text names plate AB123CD.
        let (seen_tx, mut seen) = mpsc::unbounded_channel();
        tokio::spawn(async move {
            while let Some(m) = rx.recv().await {
                let good = m.text.contains("AB123CD");
                seen_tx.send((m.checkpoint, m.text)).unwrap();
                m.verdict.unwrap().send(good).unwrap();
            }
        });

        let (status, body) = exchange(
            addr,
            &post(
                "/plates",
                r#"[{"plate": "AB123CD"}, {"plate": "XX"}, {"plate": "AB123CD"}]"#,
            ),
        )
        .await;
        assert_eq!(
            (status, body.as_str()),
            (202, r#"{"accepted":2,"rejected":1}"#)
        );
        for _ in 0..3 {
            assert_eq!(seen.recv().await.unwrap().0, "cp-1");
        }

        let (status, _) = exchange(addr, &post("/", "{\"plate\": ")).await;
        assert_eq!(status, 400);
        assert_eq!(
            seen.recv().await.unwrap().1,
            "{\"plate\": ",
            "a malformed body reaches the engine to be counted"
        );

        let big = format!("[{}]", vec!["{}"; MAX_BODY / 2].join(","));
        let (status, _) = exchange(addr, &post("/plates", &big)).await;
        assert_eq!(status, 413);
        // Chunked, without a length: cut at the limit while reading.
        let mut chunked =
            b"POST /plates HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
                .to_vec();
        for _ in 0..(MAX_BODY / 4096 + 2) {
            chunked.extend_from_slice(format!("1000\r\n{}\r\n", " ".repeat(4096)).as_bytes());
        }
        chunked.extend_from_slice(b"0\r\n\r\n");
        let (status, body) = exchange(addr, &chunked).await;
        assert_eq!(status, 413, "{body}");

        let (status, _) = exchange(
            addr,
            b"GET /plates HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n",
        )
        .await;
        assert_eq!(status, 405);
        let (status, _) = exchange(addr, &post("/elsewhere", "{}")).await;
        assert_eq!(status, 404);
        let (status, _) = exchange(
            addr,
            b"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 2\r\nConnection: close\r\n\r\n\xff\xfe",
        )
        .await;
        assert_eq!(status, 400);

        let s = metrics.snapshot();
        assert_eq!(s.camera_http_requests, 7);
        assert_eq!(s.camera_http_refused, 6);
        assert_eq!(s.camera_lines_overlong, 2);
        assert_eq!(s.camera_lines_not_utf8, 1);
        assert!(seen.try_recv().is_err(), "nothing else reached the engine");
        stop.send_replace(true);
        server.await.unwrap();
    }
}
