//! Standard NMEA 0183 feeds: the `!AIVDM` lines an AIS receiver prints on its serial port,
//! serves to every TCP client, or sends as UDP datagrams (`[[nmea_source]]` in the config).
//!
//! This module only frames lines; what a line says is decoded by the pipeline
//! ([`crate::decode::Decoder::decode_nmea_line`]), through the same AIS path as node-framed
//! sentences. Bounded throughout: a line longer than [`MAX_LINE`] is dropped up to its end
//! (counted), a line that is not UTF-8 is dropped (counted), and lines wait for the pipeline
//! in its bounded channel (a slow pipeline slows the TCP connection or, for UDP, loses
//! datagrams in the kernel, rather than growing memory).
//!
//! TCP and serial sources reconnect with jittered exponential backoff (`reopen_min_ms` ..
//! `reopen_max_ms`) for as long as the agent runs; a UDP source rebinds the same way if its
//! socket fails.

use super::now_utc_ms;
use crate::config::{NmeaSourceConfig, NmeaTransport};
use crate::metrics::{Metrics, RateLimit, add, inc};
use std::sync::Arc;
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncReadExt};
use tokio::sync::{mpsc, watch};

/// Longest line taken, bytes. IEC 61162-1 limits a sentence to 82 characters; tag blocks
/// (`\s:...,c:...*hh\`) and receivers' trailers (`,s...,d...,T...`) add at most a few
/// hundred more.
pub const MAX_LINE: usize = 1024;

/// Longest a TCP connection attempt may take before it counts as failed.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);

/// Largest UDP datagram (the IPv4 maximum payload): a datagram is never truncated.
const MAX_DATAGRAM: usize = 65_536;

/// One line of an NMEA source, as received.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NmeaLine {
    /// Index of the source in `nmea_source`.
    pub source: usize,
    /// The line, without its terminator.
    pub text: String,
    /// Arrival time, UTC milliseconds: the agent's clock (raw NMEA carries no node clock).
    pub arrival_ms: u64,
}

/// Why a line was dropped.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum LineError {
    /// Longer than [`MAX_LINE`].
    #[error("line longer than {MAX_LINE} bytes")]
    Overlong,
    /// Not UTF-8.
    #[error("line is not UTF-8")]
    NotUtf8,
}

/// Splits a byte stream into lines at `\r` or `\n` (receivers end lines with `\r\n`; some
/// with one of them), holding at most [`MAX_LINE`] bytes. Empty lines are skipped.
#[derive(Debug, Default)]
pub struct LineSplitter {
    buf: Vec<u8>,
    /// The line being read is already over the limit: its bytes are discarded to its end.
    overlong: bool,
}

impl LineSplitter {
    /// An empty splitter.
    pub fn new() -> Self {
        Self::default()
    }

    /// Appends the lines `bytes` completes to `out`; a partial line waits for more.
    pub fn feed(&mut self, bytes: &[u8], out: &mut Vec<Result<String, LineError>>) {
        for &b in bytes {
            if b == b'\n' || b == b'\r' {
                out.extend(self.take());
            } else if self.overlong {
                // Discarding to the end of this line.
            } else if self.buf.len() >= MAX_LINE {
                self.overlong = true;
                self.buf.clear();
            } else {
                self.buf.push(b);
            }
        }
    }

    /// The partial line held, as a line (the end of a datagram ends its last line).
    pub fn finish(&mut self) -> Option<Result<String, LineError>> {
        self.take()
    }

    fn take(&mut self) -> Option<Result<String, LineError>> {
        if std::mem::take(&mut self.overlong) {
            self.buf.clear();
            return Some(Err(LineError::Overlong));
        }
        if self.buf.is_empty() {
            return None;
        }
        let bytes = std::mem::take(&mut self.buf);
        Some(String::from_utf8(bytes).map_err(|_| LineError::NotUtf8))
    }
}

/// Why a connection ended.
#[derive(Debug)]
enum Ended {
    /// The agent is shutting down or the pipeline is gone.
    Stop,
    /// The connection, port or socket failed or closed.
    Lost(String),
}

/// Where lines go, and what they are counted in.
struct Sink<'a> {
    index: usize,
    name: &'a str,
    tx: &'a mpsc::Sender<NmeaLine>,
    metrics: &'a Metrics,
    log_limit: RateLimit,
}

impl Sink<'_> {
    /// Counts and forwards `lines`; `false` when the pipeline is gone.
    async fn send(&mut self, lines: &mut Vec<Result<String, LineError>>) -> bool {
        let arrival_ms = now_utc_ms();
        for line in lines.drain(..) {
            match line {
                Ok(text) => {
                    inc(&self.metrics.nmea_lines);
                    let item = NmeaLine {
                        source: self.index,
                        text,
                        arrival_ms,
                    };
                    if self.tx.send(item).await.is_err() {
                        return false;
                    }
                }
                Err(e) => {
                    inc(match e {
                        LineError::Overlong => &self.metrics.nmea_lines_overlong,
                        LineError::NotUtf8 => &self.metrics.nmea_lines_not_utf8,
                    });
                    if let Some(more) = self.log_limit.check() {
                        tracing::warn!(source = %self.name, error = %e, more, "NMEA line dropped");
                    }
                }
            }
        }
        true
    }
}

/// Reads lines from `nmea_source[index]` (`config`) into `tx` until `shutdown` turns true,
/// reconnecting whenever the source fails. A config whose transport does not validate
/// (only possible when it was not validated) is logged and the task ends.
///
/// # Cancel safety
/// Meant to be spawned as a task and stopped through `shutdown`; dropping it mid-read loses
/// at most the partial line being read.
pub async fn run(
    index: usize,
    config: NmeaSourceConfig,
    tx: mpsc::Sender<NmeaLine>,
    metrics: Arc<Metrics>,
    mut shutdown: watch::Receiver<bool>,
) {
    let transport = match config.transport(&format!("nmea_source[{index}]")) {
        Ok(t) => t,
        Err(e) => {
            tracing::error!(source = %config.name, error = %e, "NMEA source not started");
            return;
        }
    };
    let min = Duration::from_millis(config.reopen_min_ms);
    let max = Duration::from_millis(config.reopen_max_ms);
    let mut backoff = min;
    let mut log_limit = RateLimit::new(Duration::from_secs(30));
    let mut sink = Sink {
        index,
        name: &config.name,
        tx: &tx,
        metrics: &metrics,
        log_limit: RateLimit::new(Duration::from_secs(10)),
    };
    loop {
        if *shutdown.borrow() {
            return;
        }
        let ended = match &transport {
            NmeaTransport::Tcp(addr) => {
                let connect = tokio::time::timeout(
                    CONNECT_TIMEOUT,
                    tokio::net::TcpStream::connect(addr.as_str()),
                );
                let connected = tokio::select! {
                    c = connect => c,
                    _ = shutdown.changed() => return,
                };
                match connected {
                    Ok(Ok(stream)) => {
                        tracing::info!(source = %config.name, %addr, "NMEA TCP source connected");
                        backoff = min;
                        Some(read_lines(stream, &mut sink, &mut shutdown).await)
                    }
                    Ok(Err(e)) => open_failed(&config, &metrics, &mut log_limit, &e, backoff),
                    Err(_) => open_failed(
                        &config,
                        &metrics,
                        &mut log_limit,
                        &"connection timed out",
                        backoff,
                    ),
                }
            }
            NmeaTransport::Udp(addr) => match tokio::net::UdpSocket::bind(addr).await {
                Ok(socket) => {
                    tracing::info!(source = %config.name, %addr, "NMEA UDP source bound");
                    backoff = min;
                    Some(read_datagrams(socket, &mut sink, &mut shutdown).await)
                }
                Err(e) => open_failed(&config, &metrics, &mut log_limit, &e, backoff),
            },
            NmeaTransport::Serial(path, baud) => {
                use tokio_serial::SerialPortBuilderExt;
                match tokio_serial::new(path.to_string_lossy(), *baud)
                    .timeout(Duration::from_secs(1))
                    .open_native_async()
                {
                    Ok(port) => {
                        tracing::info!(source = %config.name, path = %path.display(), "NMEA serial source open");
                        backoff = min;
                        Some(read_lines(port, &mut sink, &mut shutdown).await)
                    }
                    Err(e) => open_failed(&config, &metrics, &mut log_limit, &e, backoff),
                }
            }
        };
        match ended {
            Some(Ended::Stop) => return,
            Some(Ended::Lost(reason)) => {
                inc(&metrics.nmea_reconnects);
                tracing::warn!(source = %config.name, %reason, "NMEA source lost; reconnecting");
            }
            None => {}
        }
        // Jitter so that sources behind one failed switch or hub do not retry in lock step.
        let jittered = backoff.mul_f64(0.75 + 0.5 * rand::random::<f64>());
        tokio::select! {
            _ = tokio::time::sleep(jittered) => {}
            _ = shutdown.changed() => return,
        }
        backoff = (backoff * 2).min(max);
    }
}

/// Counts and logs (at a rate limit) a failure to connect, open or bind.
fn open_failed(
    config: &NmeaSourceConfig,
    metrics: &Metrics,
    log_limit: &mut RateLimit,
    error: &dyn std::fmt::Display,
    retry_in: Duration,
) -> Option<Ended> {
    inc(&metrics.source_open_errors);
    if let Some(more) = log_limit.check() {
        tracing::warn!(source = %config.name, error = %error, ?retry_in, failed_since_last_log = more, "cannot open NMEA source");
    }
    None
}

/// Lines of a byte stream (a TCP connection, a serial port) until it ends.
async fn read_lines(
    mut stream: impl AsyncRead + Unpin,
    sink: &mut Sink<'_>,
    shutdown: &mut watch::Receiver<bool>,
) -> Ended {
    let mut splitter = LineSplitter::new();
    let mut buf = [0u8; 4096];
    let mut lines = Vec::new();
    loop {
        let n = tokio::select! {
            read = stream.read(&mut buf) => match read {
                Ok(0) => return Ended::Lost("end of stream".into()),
                Ok(n) => n,
                Err(e) => return Ended::Lost(e.to_string()),
            },
            _ = shutdown.changed() => return Ended::Stop,
        };
        add(&sink.metrics.bytes_in, n as u64);
        splitter.feed(&buf[..n], &mut lines);
        if !sink.send(&mut lines).await {
            return Ended::Stop;
        }
    }
}

/// Lines of datagrams, each one or more whole lines (a missing final terminator is
/// tolerated), until the socket fails.
async fn read_datagrams(
    socket: tokio::net::UdpSocket,
    sink: &mut Sink<'_>,
    shutdown: &mut watch::Receiver<bool>,
) -> Ended {
    let mut buf = vec![0u8; MAX_DATAGRAM];
    let mut lines = Vec::new();
    loop {
        let n = tokio::select! {
            received = socket.recv_from(&mut buf) => match received {
                Ok((n, _peer)) => n,
                Err(e) => return Ended::Lost(e.to_string()),
            },
            _ = shutdown.changed() => return Ended::Stop,
        };
        add(&sink.metrics.bytes_in, n as u64);
        // A datagram stands alone: a line never continues into the next one.
        let mut splitter = LineSplitter::new();
        splitter.feed(&buf[..n], &mut lines);
        lines.extend(splitter.finish());
        if !sink.send(&mut lines).await {
            return Ended::Stop;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn split(chunks: &[&[u8]]) -> Vec<Result<String, LineError>> {
        let mut s = LineSplitter::new();
        let mut out = Vec::new();
        for c in chunks {
            s.feed(c, &mut out);
        }
        out
    }

    #[test]
    fn lines_are_split_at_any_terminator_and_across_reads() {
        assert_eq!(
            split(&[b"!AIVDM,a\r\n!AI", b"VDM,b\n\n$GPGGA\r"]),
            vec![
                Ok("!AIVDM,a".to_string()),
                Ok("!AIVDM,b".to_string()),
                Ok("$GPGGA".to_string())
            ]
        );
    }

    #[test]
    fn an_overlong_line_is_dropped_whole_and_the_next_one_kept() {
        let long = vec![b'x'; MAX_LINE * 3];
        let out = split(&[&long, &long, b"\r\nok\r\n"]);
        assert_eq!(out, vec![Err(LineError::Overlong), Ok("ok".to_string())]);
        // Exactly the limit is taken.
        let edge = vec![b'y'; MAX_LINE];
        assert_eq!(split(&[&edge, b"\n"]).len(), 1);
        assert!(split(&[&edge, b"\n"])[0].is_ok());
    }

    #[test]
    fn non_utf8_is_an_error_and_a_partial_line_waits() {
        let mut s = LineSplitter::new();
        let mut out = Vec::new();
        s.feed(b"\xff\xfe\npartial", &mut out);
        assert_eq!(out, vec![Err(LineError::NotUtf8)]);
        assert_eq!(s.finish(), Some(Ok("partial".to_string())));
        assert_eq!(s.finish(), None);
    }
}
