//! The end-to-end demo: everything borderfuse does on one machine, with nothing installed.
//!
//! An in-process MQTT broker (rumqttd) on a free loopback port; the `border_crossing`
//! scenario of the simulators (a coastal radar, an AIS receiver, a dark boat and a ship with
//! AIS crossing a maritime border) sending node frames through the firmware's framing code
//! over pseudo-terminals; the agent reading those as serial ports and publishing signed
//! alerts (with a throwaway key); and a subscriber that checks each alert's signature and
//! prints every alert it receives back from the broker.

use crate::config::{
    AisReceiverConfig, Config, MqttConfig, OutboxConfig, Position, PostConfig, RadarConfig,
    SourceConfig, StatusConfig,
};
use crate::metrics::{Metrics, Snapshot};
use crate::publish::Topics;
use crate::share::{Keyring, Policy, TrustedKey};
use anyhow::Context;
use borderfuse_sim::scenario::Scenario;
use rumqttc::v5::mqttbytes::QoS;
use rumqttc::v5::mqttbytes::v5::Packet;
use rumqttc::v5::{AsyncClient, Event, MqttOptions};
use std::collections::HashMap;
use std::io::Write;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// How the demo runs.
#[derive(Debug, Clone)]
pub struct DemoOptions {
    /// Wall-clock duration.
    pub duration: Duration,
    /// Simulation speed (1 = real time).
    pub speed: f64,
    /// Print each alert received as a JSON line on stdout.
    pub print_alerts: bool,
    /// Print a status line every second on stderr.
    pub print_status: bool,
    /// Also write the scenario's expected events here (`bordersim score-alerts` scores the
    /// printed alerts against them).
    pub expected_out: Option<std::path::PathBuf>,
    /// The scene to play (`None`: the built-in `border_crossing`). Its radars and AIS
    /// receivers get a pseudo-terminal each; its zones, border and ports go into the rules.
    pub scenario: Option<Scenario>,
}

/// What happened.
#[derive(Debug, Clone)]
pub struct DemoReport {
    /// Every alert the subscriber received, as JSON.
    pub alerts: Vec<serde_json::Value>,
    /// Alerts whose signature checked out with the agent's public key.
    pub signatures_valid: u64,
    /// Alerts whose signature did not.
    pub signatures_invalid: u64,
    /// The retained status messages received.
    pub statuses: Vec<serde_json::Value>,
    /// The agent's counters at the end.
    pub metrics: Snapshot,
    /// The vessels of the scenario, with their truth track at each alert time.
    pub vessels: Vec<VesselTruth>,
    /// UTC of scenario time 0, ms since the Unix epoch.
    pub start_utc_ms: u64,
}

/// A vessel of the scenario.
#[derive(Debug, Clone)]
pub struct VesselTruth {
    /// Name.
    pub name: String,
    /// Whether it transmits AIS.
    pub transmits_ais: bool,
    /// Distance from each received alert's position to this vessel at the alert's time, m.
    pub distance_to_alerts_m: Vec<f64>,
}

impl DemoReport {
    /// One paragraph for the end of the demo.
    pub fn summary(&self) -> String {
        let mut s = format!(
            "demo: {} alert(s) received, {} with a valid signature, {} without; {}",
            self.alerts.len(),
            self.signatures_valid,
            self.signatures_invalid,
            crate::run::status_line(&self.metrics)
        );
        for v in &self.vessels {
            let near: Vec<String> = v
                .distance_to_alerts_m
                .iter()
                .map(|d| format!("{d:.0} m"))
                .collect();
            s.push_str(&format!(
                "\ndemo: {} ({}): alert positions at {}",
                v.name,
                if v.transmits_ais { "AIS" } else { "dark" },
                if near.is_empty() {
                    "-".to_string()
                } else {
                    near.join(", ")
                }
            ));
        }
        s
    }
}

/// A free loopback TCP port (bound and released; the broker binds it right after).
fn free_port() -> anyhow::Result<u16> {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").context("finding a free port")?;
    Ok(listener.local_addr()?.port())
}

/// Starts rumqttd on `127.0.0.1:port` (MQTT 5, as the agent's link speaks it) in its own
/// thread and waits until it accepts connections.
pub fn start_broker(port: u16) -> anyhow::Result<()> {
    let text = format!(
        r#"
id = 0
[router]
id = 0
max_connections = 64
max_outgoing_packet_count = 200
max_segment_size = 10485760
max_segment_count = 10

[v5.1]
name = "v5-1"
listen = "127.0.0.1:{port}"
next_connection_delay_ms = 1
[v5.1.connections]
connection_timeout_ms = 60000
max_payload_size = 262144
max_inflight_count = 200
dynamic_filters = true
"#
    );
    let config: rumqttd::Config = toml::from_str(&text).context("broker config")?;
    let mut broker = rumqttd::Broker::new(config);
    std::thread::Builder::new()
        .name("rumqttd".into())
        .spawn(move || {
            if let Err(e) = broker.start() {
                tracing::error!(error = %e, "embedded MQTT broker stopped");
            }
        })
        .context("starting the broker thread")?;
    let deadline = Instant::now() + Duration::from_secs(10);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        anyhow::ensure!(
            Instant::now() < deadline,
            "embedded broker did not start on port {port}"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    Ok(())
}

/// The agent config for a scenario's sensors on the given serial ports, sending to a broker
/// on `127.0.0.1:port` (through the default outbox directory: set `outbox.dir` to use
/// another).
pub fn agent_config(
    scenario: &Scenario,
    ports: &HashMap<u32, std::path::PathBuf>,
    mqtt_port: u16,
) -> anyhow::Result<Config> {
    let position = |g: borderfuse_common::geo::Geodetic| Position {
        lat: g.lat_deg,
        lon: g.lon_deg,
        alt_m: g.alt_m,
    };
    let mut config = Config {
        post: PostConfig {
            country: "GR".into(),
            post: "samos-east".into(),
            origin: position(scenario.origin),
        },
        sources: Vec::new(),
        nmea_sources: Vec::new(),
        radars: scenario
            .radars
            .iter()
            .map(|r| RadarConfig {
                node_id: r.node_id,
                name: r.name.clone(),
                position: position(r.position),
                sigma_range_m: r.sigma_range_m,
                sigma_bearing_deg: r.sigma_bearing_deg,
                max_range_m: r.max_range_m,
            })
            .collect(),
        ais_receivers: scenario
            .ais_receivers
            .iter()
            .map(|a| AisReceiverConfig {
                node_id: a.node_id,
                name: a.name.clone(),
                position: position(a.position),
                range_m: a.range_m,
            })
            .collect(),
        tracker: Default::default(),
        ais_fusion: Default::default(),
        rules: Default::default(),
        mqtt: MqttConfig {
            host: "127.0.0.1".into(),
            port: mqtt_port,
            client_id: None,
            keep_alive_s: 10,
            username: None,
            password: None,
            password_file: None,
            reconnect_min_ms: 100,
            reconnect_max_ms: 2_000,
            max_in_flight: 100,
            alert_expiry_s: 3_600,
            // The demo's subscriber prints alerts; tracks would only add traffic.
            tracks_interval_s: 0.0,
            track_expiry_s: 60,
            tracks_per_message: 500,
            tls: None,
        },
        outbox: OutboxConfig::default(),
        status: StatusConfig {
            log_interval_s: 0.0,
        },
        signing: None,
        sharing: Default::default(),
        plates: Default::default(),
    };
    // The demo lasts 30 s: confirm tracks on 3 of 5 scans rather than IMO's 5 of 10, and
    // alert on boats dark for 15 s rather than the operational minute.
    config.tracker.confirm_m = 3;
    config.tracker.confirm_n = 5;
    config.rules.dark_target.after_s = 15.0;
    scene_rules(scenario, &mut config.rules);
    let names: HashMap<u32, &str> = scenario
        .radars
        .iter()
        .map(|r| (r.node_id, r.name.as_str()))
        .chain(
            scenario
                .ais_receivers
                .iter()
                .map(|a| (a.node_id, a.name.as_str())),
        )
        .collect();
    let mut ids: Vec<_> = ports.keys().copied().collect();
    ids.sort_unstable();
    for id in ids {
        config.sources.push(SourceConfig {
            name: names
                .get(&id)
                .map_or_else(|| format!("node-{id}"), |n| format!("{n}-link")),
            path: ports[&id].clone(),
            baud: 115_200,
            reopen_min_ms: 100,
            reopen_max_ms: 2_000,
        });
    }
    config.validate()?;
    Ok(config)
}

/// The scenario's scene in the rules: its watched zones, its ports and, when
/// `border_sides.alert_into` is set, the border line with crossings into that side (the
/// only crossings `bordersim` expects alerts for).
fn scene_rules(scenario: &Scenario, rules: &mut crate::detect::config::RulesConfig) {
    use crate::detect::config::{AreaConfig, BorderConfig, ZoneConfig};
    let geojson = |text: String| Some(serde_json::Value::String(text));
    rules.zone_entry.zones = scenario
        .zones
        .iter()
        .map(|z| ZoneConfig {
            name: z.name.clone(),
            geojson: geojson(z.to_geojson()),
            geojson_file: None,
            severity: None,
        })
        .collect();
    rules.zone_entry.borders = scenario
        .border_sides
        .as_ref()
        .and_then(|sides| {
            let into = sides.alert_into.clone()?;
            let from = if into == sides.left {
                sides.right.clone()
            } else {
                sides.left.clone()
            };
            let line: Vec<[f64; 2]> = scenario
                .border
                .iter()
                .map(|p| [p.lon_deg, p.lat_deg])
                .collect();
            Some(BorderConfig {
                name: format!("{}-{}", sides.left, sides.right).to_lowercase(),
                geojson: geojson(
                    serde_json::json!({ "type": "LineString", "coordinates": line }).to_string(),
                ),
                geojson_file: None,
                left: sides.left.clone(),
                right: sides.right.clone(),
                from: Some(from),
                to: Some(into),
                severity: None,
            })
        })
        .into_iter()
        .collect();
    rules.rendezvous.ports = scenario
        .ports
        .iter()
        .map(|p| AreaConfig {
            name: p.name.clone(),
            geojson: geojson(p.to_geojson()),
            geojson_file: None,
        })
        .collect();
}

/// Subscribes to every alert and to status; collects what arrives.
async fn subscriber(
    port: u16,
    print_alerts: bool,
    alerts: Arc<std::sync::Mutex<Vec<serde_json::Value>>>,
    statuses: Arc<std::sync::Mutex<Vec<serde_json::Value>>>,
    signatures: Arc<SignatureCounts>,
    subscribed: tokio::sync::oneshot::Sender<()>,
) {
    let mut options = MqttOptions::new("borderfuse-demo-subscriber", "127.0.0.1", port);
    options.set_keep_alive(Duration::from_secs(10));
    options.set_max_packet_size(Some(1 << 20));
    let (client, mut eventloop) = AsyncClient::new(options, 16);
    let mut subscribed = Some(subscribed);
    loop {
        match eventloop.poll().await {
            Ok(Event::Incoming(Packet::ConnAck(_))) => {
                let _ = client
                    .subscribe(Topics::all_alerts_filter(), QoS::AtLeastOnce)
                    .await;
                let _ = client
                    .subscribe("borderfuse/v1/+/+/status", QoS::AtLeastOnce)
                    .await;
            }
            Ok(Event::Incoming(Packet::SubAck(_))) => {
                if let Some(tx) = subscribed.take() {
                    let _ = tx.send(());
                }
            }
            Ok(Event::Incoming(Packet::Publish(p))) => {
                let topic = String::from_utf8_lossy(&p.topic);
                let Ok(value) = serde_json::from_slice::<serde_json::Value>(&p.payload) else {
                    tracing::warn!(%topic, "non-JSON payload received");
                    continue;
                };
                if topic.contains("/alerts/") {
                    match crate::share::verify(&p.payload, &signatures.keyring) {
                        Ok(_) => signatures.valid.fetch_add(1, Ordering::Relaxed),
                        Err(e) => {
                            tracing::warn!(%topic, error = %e, "alert with a bad signature");
                            signatures.invalid.fetch_add(1, Ordering::Relaxed)
                        }
                    };
                    if print_alerts {
                        // Exactly the bytes the broker delivered (one line: the agent
                        // publishes compact JSON).
                        let mut out = std::io::stdout().lock();
                        let _ = out.write_all(&p.payload);
                        let _ = out.write_all(b"\n");
                        let _ = out.flush();
                    }
                    if let Ok(mut a) = alerts.lock() {
                        a.push(value);
                    }
                } else if let Ok(mut s) = statuses.lock() {
                    s.push(value);
                }
            }
            Ok(_) => {}
            Err(e) => {
                tracing::warn!(error = %e, "demo subscriber connection error");
                tokio::time::sleep(Duration::from_millis(200)).await;
            }
        }
    }
}

/// The subscriber's signature checks.
#[derive(Debug)]
struct SignatureCounts {
    keyring: Keyring,
    valid: AtomicU64,
    invalid: AtomicU64,
}

/// Runs the demo.
pub async fn run(options: DemoOptions) -> anyhow::Result<DemoReport> {
    let scenario = options
        .scenario
        .clone()
        .unwrap_or_else(Scenario::border_crossing);
    let port = free_port()?;
    start_broker(port)?;
    // Any config would do to build the policy; the real one needs the serial ports, which
    // come later.
    let policy = Arc::new(Policy::of_agent_or_throwaway(&agent_config(
        &scenario,
        &HashMap::new(),
        port,
    )?)?);
    let mut keyring = Keyring::new();
    keyring.insert(TrustedKey::new(
        policy.verifying_key(),
        Some(policy.origin().clone()),
        "the demo agent's throwaway key".into(),
    ))?;
    let signatures = Arc::new(SignatureCounts {
        keyring,
        valid: AtomicU64::new(0),
        invalid: AtomicU64::new(0),
    });

    // Subscribe before anything is published, so no alert is missed.
    let alerts = Arc::new(std::sync::Mutex::new(Vec::new()));
    let statuses = Arc::new(std::sync::Mutex::new(Vec::new()));
    let (sub_tx, sub_rx) = tokio::sync::oneshot::channel();
    let subscriber_task = tokio::spawn(subscriber(
        port,
        options.print_alerts,
        alerts.clone(),
        statuses.clone(),
        signatures.clone(),
        sub_tx,
    ));
    tokio::time::timeout(Duration::from_secs(10), sub_rx)
        .await
        .context("demo subscriber did not subscribe within 10 s")?
        .context("demo subscriber stopped")?;

    // One pseudo-terminal per node, as if each were plugged in over USB.
    let mut ptys = HashMap::new();
    let mut ports = HashMap::new();
    let mut sinks: HashMap<u32, Box<dyn Write + Send>> = HashMap::new();
    let node_ids = scenario
        .radars
        .iter()
        .map(|r| r.node_id)
        .chain(scenario.ais_receivers.iter().map(|a| a.node_id));
    for id in node_ids {
        let pty = borderfuse_sim::pty::Pty::open().context("opening a pseudo-terminal")?;
        ports.insert(id, pty.path().to_owned());
        sinks.insert(id, Box::new(pty.writer().context("pty master")?));
        ptys.insert(id, pty);
    }
    // A fresh outbox each run, removed at the end: the demo leaves nothing behind.
    let outbox_dir = std::env::temp_dir().join(format!(
        "borderfuse-demo-outbox-{}",
        uuid::Uuid::new_v4().simple()
    ));
    let mut config = agent_config(&scenario, &ports, port)?;
    config.outbox.dir = outbox_dir.clone();
    let metrics = Arc::new(Metrics::default());
    let agent = crate::run::spawn(config, policy, metrics.clone());

    let start_utc_ms = crate::ingest::now_utc_ms();
    if let Some(path) = &options.expected_out {
        let expected = borderfuse_sim::events::Expected {
            scenario: scenario.name.clone(),
            start_utc_ms,
            events: borderfuse_sim::events::expected_events(&scenario),
        };
        let text = serde_json::to_string_pretty(&expected)?;
        std::fs::write(path, text + "\n")
            .with_context(|| format!("cannot write {}", path.display()))?;
    }
    let generated = borderfuse_sim::generate::generate(&scenario, start_utc_ms);
    let truth = generated.truth;
    let stop = Arc::new(AtomicBool::new(false));
    let player = borderfuse_sim::play::play(generated.events, sinks, options.speed, stop.clone());

    let started = Instant::now();
    let mut ticker = tokio::time::interval(Duration::from_secs(1));
    ticker.tick().await;
    while started.elapsed() < options.duration {
        let remaining = options.duration.saturating_sub(started.elapsed());
        tokio::select! {
            _ = ticker.tick() => {}
            _ = tokio::time::sleep(remaining) => {}
        }
        if options.print_status {
            let received = alerts.lock().map_or(0, |a| a.len());
            eprintln!(
                "[{:>4.0} s] {} alerts_received={received}",
                started.elapsed().as_secs_f64(),
                crate::run::status_line(&metrics.snapshot()),
            );
        }
    }
    stop.store(true, Ordering::Relaxed);
    // Let the last alerts travel the broker before stopping.
    tokio::time::sleep(Duration::from_millis(300)).await;
    agent.stop().await;
    tokio::time::sleep(Duration::from_millis(200)).await;
    subscriber_task.abort();
    let _ = tokio::task::spawn_blocking(move || player.join()).await;
    drop(ptys);
    if let Err(e) = std::fs::remove_dir_all(&outbox_dir) {
        tracing::warn!(dir = %outbox_dir.display(), error = %e, "cannot remove the demo's outbox");
    }

    let alerts = alerts.lock().map(|a| a.clone()).unwrap_or_default();
    let statuses = statuses.lock().map(|s| s.clone()).unwrap_or_default();
    let frame = scenario.frame();
    let vessels = scenario
        .vessels
        .iter()
        .enumerate()
        .map(|(i, v)| VesselTruth {
            name: v.name.clone(),
            transmits_ais: v.ais.is_some(),
            distance_to_alerts_m: alerts
                .iter()
                .filter_map(|a| {
                    let (lat, lon) = (a["lat"].as_f64()?, a["lon"].as_f64()?);
                    let t = humantime::parse_rfc3339(a["time"].as_str()?).ok()?;
                    let t_s = t.duration_since(std::time::UNIX_EPOCH).ok()?.as_secs_f64()
                        - start_utc_ms as f64 / 1000.0;
                    let row = truth
                        .iter()
                        .filter(|r| r.truth_id == i as i64)
                        .min_by(|a, b| (a.t - t_s).abs().total_cmp(&(b.t - t_s).abs()))?;
                    let (e, n) =
                        frame.to_east_north(borderfuse_common::geo::Geodetic::new(lat, lon));
                    Some(((e - row.x).powi(2) + (n - row.y).powi(2)).sqrt())
                })
                .collect(),
        })
        .collect();
    Ok(DemoReport {
        alerts,
        signatures_valid: signatures.valid.load(Ordering::Relaxed),
        signatures_invalid: signatures.invalid.load(Ordering::Relaxed),
        statuses,
        metrics: metrics.snapshot(),
        vessels,
        start_utc_ms,
    })
}
