//! `borderfuse-agent link-test`: synthetic alerts through the real outbox and link, to check
//! a post's link and to measure it.
//!
//! Raises `count` dark-target alerts with ids `{prefix}-{n}` at `rate` per second (or as
//! fast as the link takes them), each stored in the outbox of the config and published to
//! its broker exactly as the agent does, and returns once every one of them, and everything
//! the outbox held from before, is acknowledged. The latency of an alert is from the moment
//! it is raised to its PUBACK, the outbox's fsync included.

use super::mqtt::{Delivered, Link};
use crate::config::Config;
use crate::detect::{Alert, AlertKind, AlertState, Identity, Severity};
use crate::metrics::{Metrics, Snapshot};
use std::collections::HashMap;
use std::io::Write;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::sync::{Semaphore, mpsc, watch};

/// Alerts per request when running as fast as possible.
const BURST_BATCH: usize = 64;
/// Requests in progress at once when running as fast as possible.
const BURST_CONCURRENCY: usize = 16;

/// What to do.
#[derive(Debug, Clone)]
pub struct LinkTestOptions {
    /// Alerts to raise.
    pub count: u64,
    /// Alerts per second; 0: as fast as the link takes them.
    pub rate: f64,
    /// Alert ids are `{id_prefix}-{n}`; a random prefix when `None`.
    pub id_prefix: Option<String>,
    /// Print `raised {id}` on stdout once each alert is durable in the outbox.
    pub print_ids: bool,
    /// Give up when not everything is acknowledged by then.
    pub timeout: Duration,
}

/// What happened.
#[derive(Debug, Clone)]
pub struct LinkTestReport {
    /// Alerts raised (stored in the outbox).
    pub raised: u64,
    /// Of those, acknowledged by the broker.
    pub acked: u64,
    /// Messages from before this run acknowledged (left in the outbox by an earlier run).
    pub acked_from_before: u64,
    /// From the first alert raised to the last acknowledgement.
    pub elapsed: Duration,
    /// Raise-to-PUBACK latencies of this run's alerts, sorted.
    pub latencies: Vec<Duration>,
    /// The link's counters.
    pub metrics: Snapshot,
}

impl LinkTestReport {
    /// The `q`-quantile of the latencies (nearest rank), zero when there are none.
    pub fn quantile(&self, q: f64) -> Duration {
        if self.latencies.is_empty() {
            return Duration::ZERO;
        }
        let rank = (q.clamp(0.0, 1.0) * self.latencies.len() as f64).ceil() as usize;
        self.latencies
            .get(rank.saturating_sub(1).min(self.latencies.len() - 1))
            .copied()
            .unwrap_or_default()
    }

    /// Acknowledged alerts per second over the run.
    pub fn throughput(&self) -> f64 {
        self.acked as f64 / self.elapsed.as_secs_f64().max(1e-9)
    }

    /// Lines for a person.
    pub fn summary(&self) -> String {
        let ms = |d: Duration| d.as_secs_f64() * 1e3;
        format!(
            "link-test: {} alerts raised, {} acknowledged (+{} from before) in {:.2} s: {:.0} alerts/s\n\
             link-test: latency raise -> PUBACK (fsync included): p50 {:.2} ms, p90 {:.2} ms, p99 {:.2} ms, max {:.2} ms\n\
             link-test: mqtt_connects={} mqtt_errors={} publish_refused={} outbox_alerts_refused={} outbox_write_errors={} outbox_pending={}",
            self.raised,
            self.acked,
            self.acked_from_before,
            self.elapsed.as_secs_f64(),
            self.throughput(),
            ms(self.quantile(0.5)),
            ms(self.quantile(0.9)),
            ms(self.quantile(0.99)),
            ms(self.quantile(1.0)),
            self.metrics.mqtt_connects,
            self.metrics.mqtt_errors,
            self.metrics.publish_refused,
            self.metrics.outbox_alerts_refused,
            self.metrics.outbox_write_errors,
            self.metrics.outbox_pending,
        )
    }
}

/// A synthetic dark-target alert numbered `n`.
pub fn synthetic_alert(id: String, n: u64, now_s: f64) -> Alert {
    Alert {
        id,
        revision: 0,
        state: AlertState::Raised,
        kind: AlertKind::DarkTarget,
        severity: Severity::High,
        time: now_s,
        raised: now_s,
        first_seen: now_s - 60.0,
        lat: 37.70 + (n % 1000) as f64 * 1e-4,
        lon: 27.00,
        track_id: Some(n),
        identity: Identity::default(),
        evidence: serde_json::json!({ "synthetic": true, "n": n }),
    }
}

/// Runs the link test on the current tokio runtime.
pub async fn run(config: &Config, options: &LinkTestOptions) -> anyhow::Result<LinkTestReport> {
    use anyhow::Context;
    anyhow::ensure!(
        options.rate.is_finite() && options.rate >= 0.0,
        "--rate must be ≥ 0"
    );
    let prefix = options
        .id_prefix
        .clone()
        .unwrap_or_else(|| format!("linktest-{}", uuid::Uuid::new_v4().simple()));
    // Signed as real alerts are, so the latency includes the signature: with the post's key
    // when the config has one, a throwaway one otherwise.
    let policy = Arc::new(
        crate::share::Policy::of_agent_or_throwaway(config).context("the sharing policy")?,
    );
    let metrics = Arc::new(Metrics::default());
    let (shutdown_tx, shutdown) = watch::channel(false);
    let (delivered_tx, mut delivered) = mpsc::unbounded_channel::<Delivered>();
    let link = Link::start(config, metrics.clone(), shutdown, Some(delivered_tx))
        .context("starting the link")?;
    let handle = link.handle();
    let raised_at: Arc<Mutex<HashMap<String, Instant>>> = Arc::new(Mutex::new(HashMap::new()));
    let started = Instant::now();

    let producer = {
        let raised_at = raised_at.clone();
        let handle = handle.clone();
        let config = config.clone();
        let options = options.clone();
        let policy = policy.clone();
        tokio::spawn(async move {
            let semaphore = Arc::new(Semaphore::new(BURST_CONCURRENCY));
            let mut sends = tokio::task::JoinSet::new();
            let mut next = 0u64;
            let mut stored = 0u64;
            let mut ticker = tokio::time::interval(Duration::from_millis(1));
            while next < options.count {
                let due = if options.rate > 0.0 {
                    ticker.tick().await;
                    let by_now = (started.elapsed().as_secs_f64() * options.rate) as u64 + 1;
                    by_now.min(options.count)
                } else {
                    (next + BURST_BATCH as u64).min(options.count)
                };
                if due <= next {
                    continue;
                }
                while let Some(r) = sends.try_join_next() {
                    stored += r.unwrap_or(0);
                }
                let Ok(permit) = semaphore.clone().acquire_owned().await else {
                    break;
                };
                let now_ms = crate::ingest::now_utc_ms();
                let mut messages = Vec::new();
                let mut ids = Vec::new();
                {
                    let mut at = raised_at.lock().unwrap_or_else(|p| p.into_inner());
                    for n in next..due {
                        let alert =
                            synthetic_alert(format!("{prefix}-{n:07}"), n, now_ms as f64 / 1000.0);
                        match crate::run::alert_messages(&alert, &policy, &config, now_ms) {
                            Ok(m) => {
                                for m in &m {
                                    at.insert(m.id.clone(), Instant::now());
                                }
                                ids.push(alert.id.clone());
                                messages.extend(m);
                            }
                            Err(e) => {
                                tracing::error!(alert = %alert.id, error = %e, "synthetic alert cannot be shared")
                            }
                        }
                    }
                }
                next = due;
                let handle = handle.clone();
                let print = options.print_ids;
                let n = ids.len() as u64;
                sends.spawn(async move {
                    let result = handle.send(messages).await;
                    drop(permit);
                    if result.is_ok() && print {
                        let mut out = std::io::stdout().lock();
                        for id in ids {
                            let _ = writeln!(out, "raised {id}");
                        }
                        let _ = out.flush();
                    }
                    if result.is_ok() { n } else { 0 }
                });
            }
            while let Some(r) = sends.join_next().await {
                stored += r.unwrap_or(0);
            }
            stored
        })
    };

    let deadline = tokio::time::Instant::now() + options.timeout;
    let mut latencies = Vec::with_capacity(usize::try_from(options.count).unwrap_or(0));
    let mut acked_from_before = 0u64;
    let mut last_ack = started;
    let mut producer = producer;
    let mut stored = None;
    let outcome = loop {
        if let Some(stored) = stored
            && latencies.len() as u64 >= stored
            && metrics.snapshot().outbox_pending == 0
        {
            break Ok(stored);
        }
        tokio::select! {
            d = delivered.recv() => match d {
                Some(d) => {
                    let at = raised_at.lock().unwrap_or_else(|p| p.into_inner()).remove(&d.id);
                    last_ack = Instant::now();
                    match at {
                        Some(at) => latencies.push(last_ack - at),
                        None => acked_from_before += 1,
                    }
                }
                None => break Err(anyhow::anyhow!("the link stopped")),
            },
            r = &mut producer, if stored.is_none() => {
                stored = Some(r.unwrap_or(0));
            }
            // The outbox count settles after the last acknowledgement: look again.
            _ = tokio::time::sleep(Duration::from_millis(20)) => {}
            _ = tokio::time::sleep_until(deadline) => {
                break Err(anyhow::anyhow!(
                    "timed out after {:?}: {} of {} alerts acknowledged, {} messages still in the outbox",
                    options.timeout,
                    latencies.len(),
                    options.count,
                    metrics.snapshot().outbox_pending
                ));
            }
        }
    };
    let _ = shutdown_tx.send(true);
    drop(handle);
    producer.abort();
    link.join().await;
    let raised = outcome?;
    latencies.sort_unstable();
    Ok(LinkTestReport {
        raised,
        acked: latencies.len() as u64,
        acked_from_before,
        elapsed: last_ack.duration_since(started),
        latencies,
        metrics: metrics.snapshot(),
    })
}
