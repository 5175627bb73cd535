//! The alert link on loopback mosquitto: alert raised → outbox (fsync) → PUBLISH → PUBACK.
//!
//! First two tables from `link-test` runs (the same code as `borderfuse-agent link-test`):
//! latency percentiles at a steady 1,000 alerts/s, and the most alerts per second when they
//! come as fast as the link takes them (many alerts sharing each fsync). Then criterion
//! measures one alert alone, and a batch of 100, from raise to PUBACK.
//!
//! `cargo bench -p borderfuse-agent --bench alert_link`. Needs mosquitto (Debian package
//! `mosquitto`); without it the benchmark says so and does nothing. The outbox is in a
//! temporary directory: set `TMPDIR` to measure another disk.

use borderfuse_agent::config::Config;
use borderfuse_agent::metrics::Metrics;
use borderfuse_agent::publish::linktest::{LinkTestOptions, run, synthetic_alert};
use borderfuse_agent::publish::{Delivered, Link};
use borderfuse_agent::run::alert_messages;
use criterion::{Criterion, Throughput};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const MOSQUITTO: [&str; 2] = ["/usr/sbin/mosquitto", "/usr/bin/mosquitto"];

/// mosquitto on a free loopback port, killed on drop.
struct Broker {
    child: Child,
    port: u16,
}

impl Broker {
    fn start(exe: &Path, dir: &Path) -> Broker {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map(|a| a.port())
            .expect("a free port");
        let conf = dir.join("mosquitto.conf");
        std::fs::write(
            &conf,
            // set_tcp_nodelay: mosquitto otherwise holds small packets (PUBACKs) back under
            // Nagle's algorithm, tens of milliseconds at the tail: set it on alert brokers.
            format!(
                "user root\nlistener {port} 127.0.0.1\nallow_anonymous true\nmax_inflight_messages 100\nset_tcp_nodelay true\n"
            ),
        )
        .expect("writing mosquitto.conf");
        let child = Command::new(exe)
            .arg("-c")
            .arg(&conf)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("starting mosquitto");
        let deadline = Instant::now() + Duration::from_secs(10);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(Instant::now() < deadline, "mosquitto did not start");
            std::thread::sleep(Duration::from_millis(20));
        }
        Broker { child, port }
    }
}

impl Drop for Broker {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn config(port: u16, outbox: &Path) -> Config {
    Config::parse(&format!(
        r#"
[post]
country = "GR"
post = "bench"
origin = {{ lat = 37.70, lon = 27.00 }}
[status]
log_interval_s = 0
[outbox]
dir = "{}"
[mqtt]
host = "127.0.0.1"
port = {port}
max_in_flight = 100
tracks_interval_s = 0
"#,
        outbox.display()
    ))
    .expect("bench config")
}

fn table(runtime: &tokio::runtime::Runtime, config: &Config) {
    let ms = |d: Duration| d.as_secs_f64() * 1e3;
    println!("alert_link: raise -> outbox fsync -> PUBACK, loopback mosquitto");
    println!("| run | alerts | alerts/s | p50 ms | p90 ms | p99 ms | max ms |");
    println!("|---|---:|---:|---:|---:|---:|---:|");
    let runs = [
        ("steady 1,000/s", 5_000, 1000.0),
        ("steady 1,000/s", 5_000, 1000.0),
        ("as fast as possible", 20_000, 0.0),
        ("as fast as possible", 20_000, 0.0),
    ];
    for (name, count, rate) in runs {
        let report = runtime.block_on(run(
            config,
            &LinkTestOptions {
                count,
                rate,
                id_prefix: None,
                print_ids: false,
                timeout: Duration::from_secs(120),
            },
        ));
        match report {
            Ok(r) => println!(
                "| {name} | {} | {:.0} | {:.2} | {:.2} | {:.2} | {:.2} |",
                r.acked,
                r.throughput(),
                ms(r.quantile(0.5)),
                ms(r.quantile(0.9)),
                ms(r.quantile(0.99)),
                ms(r.quantile(1.0)),
            ),
            Err(e) => println!("| {name} | failed: {e:#} |"),
        }
    }
}

fn criterion_benches(runtime: &tokio::runtime::Runtime, config: &Config) {
    let mut c = Criterion::default()
        .configure_from_args()
        .measurement_time(Duration::from_secs(5));
    let metrics = std::sync::Arc::new(Metrics::default());
    let (shutdown_tx, shutdown) = tokio::sync::watch::channel(false);
    let (delivered_tx, mut delivered) = tokio::sync::mpsc::unbounded_channel::<Delivered>();
    let link = runtime
        .block_on(async { Link::start(config, metrics, shutdown, Some(delivered_tx)) })
        .expect("link starts");
    let handle = link.handle();
    let policy = borderfuse_agent::share::Policy::of_agent_or_throwaway(config).expect("policy");
    let mut n = 0u64;
    let mut group = c.benchmark_group("alert_link");
    for batch in [1u64, 100] {
        group.throughput(Throughput::Elements(batch));
        group.bench_function(format!("raise_to_puback/{batch}"), |b| {
            b.iter_custom(|iters| {
                runtime.block_on(async {
                    let start = Instant::now();
                    for _ in 0..iters {
                        let now_ms = borderfuse_agent::ingest::now_utc_ms();
                        let mut messages = Vec::new();
                        for _ in 0..batch {
                            n += 1;
                            let alert =
                                synthetic_alert(format!("bench-{n}"), n, now_ms as f64 / 1000.0);
                            messages.extend(
                                alert_messages(&alert, &policy, config, now_ms)
                                    .expect("alert serialises"),
                            );
                        }
                        handle.send(messages).await.expect("stored");
                        for _ in 0..batch {
                            delivered.recv().await.expect("delivered");
                        }
                    }
                    start.elapsed()
                })
            });
        });
    }
    group.finish();
    let _ = shutdown_tx.send(true);
    drop(handle);
    runtime.block_on(link.join());
    c.final_summary();
}

fn main() {
    let Some(exe) = MOSQUITTO.iter().map(PathBuf::from).find(|p| p.exists()) else {
        println!("alert_link: mosquitto is not installed (apt-get install mosquitto): skipping");
        return;
    };
    let dir = tempfile::tempdir().expect("a temporary directory");
    let broker = Broker::start(&exe, dir.path());
    let runtime = tokio::runtime::Runtime::new().expect("tokio runtime");
    table(
        &runtime,
        &config(broker.port, &dir.path().join("outbox-table")),
    );
    criterion_benches(
        &runtime,
        &config(broker.port, &dir.path().join("outbox-criterion")),
    );
}
