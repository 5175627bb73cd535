//! `bordersim`: generate a scenario's files, or play it to pseudo-terminals in real time.

#![forbid(unsafe_code)]

use anyhow::{Context, Result, bail};
use borderfuse_sim::generate::{
    GenerateOptions, TruthSampling, truth_at, truth_times, try_generate_with,
};
use borderfuse_sim::{
    NodeKind, Pty, Scenario, arpa, csv, emit, events, play, report, scenarios, score,
};
use clap::{Parser, Subcommand};
use nix::sys::signal::{SigSet, Signal};
use std::collections::HashMap;
use std::io::{BufWriter, IsTerminal, Write};
use std::num::NonZeroU64;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// Simulated AIS receivers and radars that speak what the hardware speaks.
#[derive(Debug, Parser)]
#[command(name = "bordersim", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Write truth.csv, detections.csv, expected.json (the events the agent should alert
    /// on), one node-ID.frames file per node and one node-ID.nmea file per AIS receiver and
    /// radar (its NMEA lines, unframed: AIVDM, or the ARPA's TTM and TLL); with checkpoints, reads.jsonl (every camera read as camera JSON
    /// with its checkpoint) and hotlist.txt (the hotlisted plates in clear).
    Generate {
        /// Scenario TOML file (default: the built-in border_crossing scenario).
        #[arg(long)]
        scenario: Option<PathBuf>,
        /// Output directory (created if missing).
        #[arg(long)]
        out: PathBuf,
        /// UTC of scenario time 0, milliseconds since the Unix epoch (default: now). Fix it to
        /// get byte-identical files from run to run.
        #[arg(long)]
        start_utc_ms: Option<u64>,
        /// Write truth.csv rows every this many seconds (resolution 1 ms) instead of at every
        /// detection time. Truth at every detection time is vessels × detection times rows:
        /// large scenarios need this.
        #[arg(long, value_name = "S")]
        truth_period_s: Option<f64>,
    },
    /// Open one pty per node and play the scenario to them in (scaled) real time.
    Run {
        /// Scenario TOML file (default: the built-in border_crossing scenario).
        #[arg(long)]
        scenario: Option<PathBuf>,
        /// Time scale: 1 = real time, 10 = ten times faster, inf = as fast as possible.
        #[arg(long, default_value_t = 1.0)]
        speed: f64,
        /// Also make DIR/NAME a symlink to the pty of the node named NAME (DIR is created if
        /// missing).
        #[arg(long, value_name = "DIR")]
        link_dir: Option<PathBuf>,
        /// Keep the ptys open this long after the last event, so readers get the last bytes.
        #[arg(long, default_value_t = 1.0)]
        linger_s: f64,
        /// Also serve node NAME's NMEA lines over TCP on ADDR (as the device's own TCP output
        /// does: every client gets every line): an AIS receiver's `!AIVDM` sentences or a
        /// radar's ARPA targets (`$RATTM`, `$RATLL`). Repeatable.
        #[arg(long, value_name = "NAME=ADDR")]
        nmea_tcp: Vec<String>,
        /// Also send node NAME's NMEA lines (AIS receiver or radar) as UDP datagrams to ADDR.
        /// Repeatable.
        #[arg(long, value_name = "NAME=ADDR")]
        nmea_udp: Vec<String>,
    },
    /// Score a tracker's output against truth: GOSPA (alpha = 2) as shared/tools/stonesoup_gnn.py
    /// computes it, plus identity switches and fragmentations (CLEAR MOT).
    Score {
        /// truth.csv (t,truth_id,x,vx,y,vy).
        #[arg(long)]
        truth: PathBuf,
        /// Tracks CSV (t,track_id,x,vx,y,vy; vx, vy may be empty).
        #[arg(long)]
        tracks: PathBuf,
        #[command(flatten)]
        gospa: GospaArgs,
        /// Also write the summary and every scan's score to this JSON file (with the alert
        /// scores under `alerts` when --expected and --alerts are given).
        #[arg(long)]
        json: Option<PathBuf>,
        /// Print the per-scan table (CSV) after the summary.
        #[arg(long)]
        per_scan: bool,
        /// Also score the agent's alerts against the scenario's expected events
        /// (expected.json written by `generate`; needs --alerts).
        #[arg(long, requires = "alerts")]
        expected: Option<PathBuf>,
        /// The agent's alerts, one JSON payload a line (needs --expected).
        #[arg(long, requires = "expected")]
        alerts: Option<PathBuf>,
        #[command(flatten)]
        matching: AlertMatchArgs,
    },
    /// Write a tracking scenario (truth.csv, detections.csv, meta.json) in the CSV format of
    /// shared/tools/stonesoup_gnn.py: crossing, sharp-turn, dense or delayed-ais.
    Scenario {
        /// crossing | sharp-turn | dense | delayed-ais
        name: scenarios::TrackingScenario,
        /// Output directory (created if missing).
        #[arg(long)]
        out: PathBuf,
        /// Seed of every random draw: the same seed gives the same files.
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Number of vessels (default: 10 crossing and sharp-turn, 5000 dense, 20 delayed-ais).
        #[arg(long)]
        targets: Option<usize>,
        /// Scans per sensor (default: 200 crossing, 60 sharp-turn, 20 dense, 40 delayed-ais).
        #[arg(long)]
        steps: Option<usize>,
    },
    /// Score the agent's alerts against the events a scenario expects: precision, recall and
    /// latency per kind, as a table (and JSON).
    ScoreAlerts {
        /// expected.json written by `generate`.
        #[arg(long)]
        expected: PathBuf,
        /// The agent's alerts, one JSON payload a line (e.g. the demo's stdout).
        #[arg(long)]
        alerts: PathBuf,
        #[command(flatten)]
        matching: AlertMatchArgs,
        /// Also write the scores as JSON here.
        #[arg(long)]
        json: Option<PathBuf>,
    },
    /// Draw the scene (border, sensors, truth, fused tracks, alerts) and GOSPA over time as
    /// one SVG.
    Report {
        /// truth.csv (t,truth_id,x,vx,y,vy), in the scenario's local frame.
        #[arg(long)]
        truth: PathBuf,
        /// Tracks CSV (t,track_id,x,vx,y,vy), same frame.
        #[arg(long)]
        tracks: PathBuf,
        /// Scenario TOML for the border and sensors (default: the built-in border_crossing
        /// scenario when --builtin-scene is given; otherwise none are drawn).
        #[arg(long)]
        scenario: Option<PathBuf>,
        /// Draw the built-in border_crossing scenario's border and sensors.
        #[arg(long, conflicts_with = "scenario")]
        builtin_scene: bool,
        /// Alerts as JSON lines (the agent's alert payloads: `kind`, `lat`, `lon`), e.g. the
        /// demo's stdout.
        #[arg(long)]
        alerts: Option<PathBuf>,
        #[command(flatten)]
        gospa: GospaArgs,
        /// Output SVG file.
        #[arg(long)]
        out: PathBuf,
    },
}

/// GOSPA's parameters, as `score` and `report` take them.
#[derive(Debug, clap::Args)]
struct GospaArgs {
    /// Cut-off distance, metres.
    #[arg(long, default_value_t = 100.0)]
    c: f64,
    /// Order.
    #[arg(long, default_value_t = 1.0)]
    p: f64,
    /// First scans excluded from the summary.
    #[arg(long, default_value_t = 0)]
    warmup: usize,
}

impl GospaArgs {
    fn config(&self) -> Result<score::ScoreConfig> {
        Ok(score::ScoreConfig::new(self.c, self.p, self.warmup)?)
    }
}

/// How alerts are matched to the events a scenario expects, as `score` and `score-alerts`
/// take it.
#[derive(Debug, clap::Args)]
struct AlertMatchArgs {
    /// The scenario the events came from (default: the built-in border_crossing).
    #[arg(long)]
    scenario: Option<PathBuf>,
    /// How long after its event's window an alert may come, s.
    #[arg(long, default_value_t = 60.0)]
    max_latency_s: f64,
    /// How far from the actor an alert may be placed, m.
    #[arg(long, default_value_t = 500.0)]
    radius_m: f64,
}

impl AlertMatchArgs {
    fn rules(&self) -> Result<events::MatchRules> {
        if !(self.max_latency_s.is_finite() && self.max_latency_s >= 0.0) {
            bail!("--max-latency-s must be a number >= 0");
        }
        if !(self.radius_m.is_finite() && self.radius_m > 0.0) {
            bail!("--radius-m must be a number > 0");
        }
        Ok(events::MatchRules {
            max_latency_s: self.max_latency_s,
            radius_m: self.radius_m,
        })
    }
}

fn main() -> Result<()> {
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .init();
    match Cli::parse().command {
        Command::Generate {
            scenario,
            out,
            start_utc_ms,
            truth_period_s,
        } => {
            let scenario = load(scenario.as_deref())?;
            let start = start_utc_ms.map_or_else(now_ms, Ok)?;
            let truth = truth_sampling(truth_period_s)?;
            generate_files(&scenario, start, truth, &out)
        }
        Command::Run {
            scenario,
            speed,
            link_dir,
            linger_s,
            nmea_tcp,
            nmea_udp,
        } => {
            let scenario = load(scenario.as_deref())?;
            let nmea = nmea_sinks(&scenario, &nmea_tcp, &nmea_udp)?;
            run(&scenario, speed, link_dir.as_deref(), linger_s, nmea)
        }
        Command::Score {
            truth,
            tracks,
            gospa,
            json,
            per_scan,
            expected,
            alerts,
            matching,
        } => {
            let mut out = score_files(&truth, &tracks, &gospa.config()?, per_scan)?;
            if let (Some(expected), Some(alerts)) = (expected, alerts) {
                let scenario = load(matching.scenario.as_deref())?;
                let scored = score_alerts_files(&scenario, &expected, &alerts, matching.rules()?)?;
                if let serde_json::Value::Object(map) = &mut out {
                    map.insert("alerts".into(), scored);
                }
            }
            write_json(json.as_deref(), &out)
        }
        Command::ScoreAlerts {
            expected,
            alerts,
            matching,
            json,
        } => {
            let scenario = load(matching.scenario.as_deref())?;
            let scored = score_alerts_files(&scenario, &expected, &alerts, matching.rules()?)?;
            write_json(json.as_deref(), &scored)
        }
        Command::Report {
            truth,
            tracks,
            scenario,
            builtin_scene,
            alerts,
            gospa,
            out,
        } => {
            let scene = match (scenario, builtin_scene) {
                (Some(path), _) => Some(load(Some(&path))?),
                (None, true) => Some(Scenario::border_crossing()),
                (None, false) => None,
            };
            report_file(
                &truth,
                &tracks,
                scene.as_ref(),
                alerts.as_deref(),
                &gospa.config()?,
                &out,
            )
        }
        Command::Scenario {
            name,
            out,
            seed,
            targets,
            steps,
        } => {
            let options = scenarios::ScenarioOptions {
                seed,
                targets,
                steps,
            };
            let data = scenarios::build(name, &options)?;
            data.write(&out)
                .with_context(|| format!("cannot write {}", out.display()))?;
            tracing::info!(
                scenario = %name,
                targets = data.targets,
                truth_rows = data.truth.len(),
                detections = data.detections.len(),
                out = %out.display(),
                "written"
            );
            Ok(())
        }
    }
}

/// Prints the GOSPA summary (and the per-scan table); returns the JSON of both.
fn score_files(
    truth: &Path,
    tracks: &Path,
    config: &score::ScoreConfig,
    per_scan: bool,
) -> Result<serde_json::Value> {
    let result = score::score_files(truth, tracks, config)?;
    let mut stdout = std::io::stdout().lock();
    let name = tracks
        .file_name()
        .unwrap_or(tracks.as_os_str())
        .to_string_lossy();
    writeln!(stdout, "score {name}: {}", result.summary)?;
    if per_scan {
        stdout.write_all(result.per_scan_csv().as_bytes())?;
    }
    Ok(serde_json::from_str(&result.to_json())?)
}

/// Prints the alert scores as a table; returns them as JSON.
fn score_alerts_files(
    scenario: &Scenario,
    expected: &Path,
    alerts: &Path,
    rules: events::MatchRules,
) -> Result<serde_json::Value> {
    let text = std::fs::read_to_string(expected)
        .with_context(|| format!("cannot read {}", expected.display()))?;
    let expected: events::Expected = serde_json::from_str(&text)
        .with_context(|| format!("{} is not an expected.json", expected.display()))?;
    if expected.scenario != scenario.name {
        bail!(
            "the events are of scenario {:?}, the scenario given is {:?} (--scenario)",
            expected.scenario,
            scenario.name
        );
    }
    let frame = scenario.frame();
    let lines = std::fs::read_to_string(alerts)
        .with_context(|| format!("cannot read {}", alerts.display()))?;
    let mut observed = Vec::new();
    let mut unreadable = 0usize;
    for line in lines.lines().filter(|l| l.trim_start().starts_with('{')) {
        match events::parse_alert(line, &frame, expected.start_utc_ms) {
            Ok(a) => observed.push(a),
            Err(e) => {
                unreadable += 1;
                tracing::warn!(error = %e, "alert line not scored");
            }
        }
    }
    let scores = events::score_alerts(scenario, &expected.events, &observed, rules);
    let mut stdout = std::io::stdout().lock();
    writeln!(
        stdout,
        "| kind | expected | detected | alerts | true alerts | precision | recall | median latency (s) | max latency (s) |"
    )?;
    writeln!(stdout, "|---|---:|---:|---:|---:|---:|---:|---:|---:|")?;
    let latency = |l: Option<f64>| l.map_or("–".to_string(), |l| format!("{l:.1}"));
    for k in &scores {
        writeln!(
            stdout,
            "| {} | {} | {} | {} | {} | {:.3} | {:.3} | {} | {} |",
            k.kind,
            k.expected,
            k.detected,
            k.alerts,
            k.true_alerts,
            k.precision,
            k.recall,
            latency(k.median_latency_s),
            latency(k.max_latency_s)
        )?;
    }
    if unreadable > 0 {
        writeln!(
            stdout,
            "({unreadable} alert lines could not be read; see the log)"
        )?;
    }
    Ok(serde_json::json!({ "unreadable_lines": unreadable, "kinds": scores }))
}

/// Writes `value` as pretty JSON to `path`, if given.
fn write_json(path: Option<&Path>, value: &serde_json::Value) -> Result<()> {
    if let Some(path) = path {
        std::fs::write(path, format!("{value:#}\n"))
            .with_context(|| format!("cannot write {}", path.display()))?;
    }
    Ok(())
}

fn report_file(
    truth: &Path,
    tracks: &Path,
    scene: Option<&Scenario>,
    alerts: Option<&Path>,
    config: &score::ScoreConfig,
    out: &Path,
) -> Result<()> {
    let (truth_rows, track_rows) = score::read_files(truth, tracks)?;
    let scored = score::score(&truth_rows, &track_rows, config)?;
    let mut input = report::ReportInput {
        title: format!(
            "{} — tracks {} against truth {}",
            scene.map_or("scene", |s| s.name.as_str()),
            tracks.display(),
            truth.display()
        ),
        truth: truth_rows,
        tracks: track_rows,
        per_scan: scored.per_scan,
        summary: format!(
            "GOSPA per truth {:.2} m (c = {}, p = {}, first {} scans excluded), missed rate {:.3}, \
             false tracks per scan {:.2}, identity switches {}",
            scored.summary.gospa_per_truth,
            config.c(),
            config.p(),
            config.warmup_scans(),
            scored.summary.missed_rate,
            scored.summary.false_tracks_per_scan,
            scored.summary.identity_switches
        ),
        ..report::ReportInput::default()
    };
    if let Some(scene) = scene {
        let frame = scene.frame();
        let local = |g: borderfuse_common::geo::Geodetic| {
            let enu = frame.to_enu(g);
            (enu.east_m, enu.north_m)
        };
        input.border = scene.border.iter().copied().map(local).collect();
        for (areas, kind) in [
            (&scene.land, report::AreaKind::Land),
            (&scene.ports, report::AreaKind::Port),
            (&scene.zones, report::AreaKind::Zone),
        ] {
            input.areas.extend(areas.iter().map(|a| report::AreaMark {
                name: a.name.clone(),
                kind,
                ring: a.polygon.iter().copied().map(local).collect(),
            }));
        }
        for radar in &scene.radars {
            input.sensors.push(report::SensorMark {
                name: radar.name.clone(),
                at: local(radar.position),
                range_m: radar.max_range_m,
                radar: true,
            });
        }
        for receiver in &scene.ais_receivers {
            input.sensors.push(report::SensorMark {
                name: receiver.name.clone(),
                at: local(receiver.position),
                range_m: receiver.range_m,
                radar: false,
            });
        }
        if let Some(path) = alerts {
            let text = std::fs::read_to_string(path)
                .with_context(|| format!("cannot read alerts {}", path.display()))?;
            let mut unreadable = 0usize;
            for line in text.lines().filter(|l| !l.trim().is_empty()) {
                let alert = serde_json::from_str::<serde_json::Value>(line)
                    .ok()
                    .and_then(|v| {
                        let kind = v.get("kind")?.as_str()?.to_string();
                        let lat = v.get("lat")?.as_f64()?;
                        let lon = v.get("lon")?.as_f64()?;
                        Some(report::AlertMark {
                            kind,
                            at: local(borderfuse_common::geo::Geodetic::new(lat, lon)),
                        })
                    });
                match alert {
                    Some(a) => input.alerts.push(a),
                    None => unreadable += 1,
                }
            }
            if unreadable > 0 {
                tracing::warn!(unreadable, path = %path.display(), "alert lines without kind, lat and lon: not drawn");
            }
        }
    } else if alerts.is_some() {
        bail!("--alerts needs the scene's origin: give --scenario or --builtin-scene");
    }
    let svg = report::render_svg(&input)?;
    std::fs::write(out, svg).with_context(|| format!("cannot write {}", out.display()))?;
    tracing::info!(out = %out.display(), alerts = input.alerts.len(), "report written");
    Ok(())
}

fn load(path: Option<&Path>) -> Result<Scenario> {
    match path {
        None => Ok(Scenario::border_crossing()),
        Some(p) => {
            let text = std::fs::read_to_string(p)
                .with_context(|| format!("cannot read scenario {}", p.display()))?;
            Scenario::from_toml(&text).with_context(|| format!("scenario {}", p.display()))
        }
    }
}

fn now_ms() -> Result<u64> {
    let d = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .context("system clock is before 1970")?;
    Ok(u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
}

/// Most truth rows `generate` writes (about 2.4 GB in memory, 3 GB of CSV).
const MAX_TRUTH_ROWS: usize = 50_000_000;

fn truth_sampling(period_s: Option<f64>) -> Result<TruthSampling> {
    let Some(period_s) = period_s else {
        return Ok(TruthSampling::AtDetections);
    };
    let ms = (period_s * 1000.0).round();
    if !(1.0..=86_400_000.0).contains(&ms) {
        bail!("--truth-period-s must be between 0.001 and 86400 seconds, got {period_s}");
    }
    Ok(NonZeroU64::new(ms as u64).map_or(TruthSampling::AtDetections, TruthSampling::EveryMs))
}

fn generate_files(
    scenario: &Scenario,
    start_utc_ms: u64,
    truth: TruthSampling,
    out: &Path,
) -> Result<()> {
    std::fs::create_dir_all(out).with_context(|| format!("cannot create {}", out.display()))?;
    // Truth last, once its size is known: at every detection time it grows as the square of
    // the traffic, and a run out of memory helps nobody.
    let options = GenerateOptions {
        truth: TruthSampling::None,
    };
    let mut g = try_generate_with(scenario, start_utc_ms, &options)?;
    let times = truth_times(truth, &g.detections, scenario.duration_s);
    let rows = times.len().saturating_mul(scenario.vessels.len());
    if rows > MAX_TRUTH_ROWS {
        bail!(
            "truth.csv would have {rows} rows ({} vessels at {} times), more than {MAX_TRUTH_ROWS}: \
             give --truth-period-s (e.g. 1)",
            scenario.vessels.len(),
            times.len()
        );
    }
    g.truth = truth_at(scenario, &times);
    let create = |name: &str| -> Result<BufWriter<std::fs::File>> {
        let path = out.join(name);
        let file = std::fs::File::create(&path)
            .with_context(|| format!("cannot create {}", path.display()))?;
        Ok(BufWriter::new(file))
    };
    csv::write_truth(create("truth.csv")?, &g.truth).context("writing truth.csv")?;
    csv::write_detections(create("detections.csv")?, &g.detections)
        .context("writing detections.csv")?;
    let expected = events::Expected {
        scenario: scenario.name.clone(),
        start_utc_ms,
        events: events::expected_events(scenario),
    };
    let mut w = create("expected.json")?;
    serde_json::to_writer_pretty(&mut w, &expected)
        .map_err(std::io::Error::from)
        .and_then(|()| w.flush())
        .context("writing expected.json")?;
    let mut nmea_by_node: std::collections::BTreeMap<u32, Vec<u8>> = Default::default();
    for line in &g.nmea {
        nmea_by_node
            .entry(line.node_id)
            .or_default()
            .extend_from_slice(&line.bytes);
    }
    for line in arpa::sentences(scenario, &g.detections, start_utc_ms) {
        nmea_by_node
            .entry(line.node_id)
            .or_default()
            .extend_from_slice(&line.bytes);
    }
    for (node_id, bytes) in &nmea_by_node {
        let name = format!("node-{node_id}.nmea");
        let mut w = create(&name)?;
        w.write_all(bytes)
            .and_then(|()| w.flush())
            .with_context(|| format!("writing {name}"))?;
    }
    if !scenario.checkpoints.is_empty() {
        // Every camera's reads, as cameras push them (plus the checkpoint they belong to).
        let mut w = create("reads.jsonl")?;
        for read in &g.camera_reads {
            serde_json::to_writer(&mut w, &read.to_json(start_utc_ms))
                .map_err(std::io::Error::from)
                .and_then(|()| w.write_all(b"\n"))
                .context("writing reads.jsonl")?;
        }
        w.flush().context("writing reads.jsonl")?;
        // The watchlist in clear, `PLATE,COUNTRY` a line, as a post's hotlist file holds it.
        let mut w = create("hotlist.txt")?;
        let mut listed: Vec<(&str, &str)> = scenario
            .vehicles
            .iter()
            .filter(|v| v.hotlisted)
            .map(|v| (v.plate.as_str(), v.country.as_str()))
            .collect();
        listed.sort_unstable();
        listed.dedup();
        for (plate, country) in listed {
            writeln!(w, "{plate},{country}").context("writing hotlist.txt")?;
        }
        w.flush().context("writing hotlist.txt")?;
    }
    let by_node = g.bytes_by_node();
    for node in scenario.nodes() {
        let name = format!("node-{}.frames", node.node_id);
        let bytes = by_node.get(&node.node_id).map_or(&[][..], Vec::as_slice);
        let mut w = create(&name)?;
        w.write_all(bytes)
            .and_then(|()| w.flush())
            .with_context(|| format!("writing {name}"))?;
    }
    tracing::info!(
        scenario = %scenario.name,
        events = g.events.len(),
        truth_rows = g.truth.len(),
        detections = g.detections.len(),
        camera_reads = g.camera_reads.len(),
        out = %out.display(),
        "generated"
    );
    Ok(())
}

/// The NMEA outputs asked for (`NAME=ADDR`), by node id: AIS receivers print the sentences
/// they hear, radars their ARPA targets (`TTM`, `TLL`).
fn nmea_sinks(
    scenario: &Scenario,
    tcp: &[String],
    udp: &[String],
) -> Result<HashMap<u32, Box<dyn Write + Send>>> {
    let mut sinks: HashMap<u32, Box<dyn Write + Send>> = HashMap::new();
    for (option, specs, is_tcp) in [("--nmea-tcp", tcp, true), ("--nmea-udp", udp, false)] {
        for spec in specs {
            let Some((name, addr)) = spec.split_once('=') else {
                bail!("{option} {spec:?}: expected NAME=ADDR, e.g. ais-samos=127.0.0.1:10110");
            };
            let talkers: Vec<_> = scenario
                .nodes()
                .into_iter()
                .filter(|n| matches!(n.kind, NodeKind::AisReceiver | NodeKind::Radar))
                .collect();
            let Some(receiver) = talkers.iter().find(|r| r.name == name) else {
                let names: Vec<&str> = talkers.iter().map(|r| r.name.as_str()).collect();
                bail!(
                    "{option} {spec:?}: no AIS receiver or radar {name:?} in the scenario (it \
                     has {names:?})"
                );
            };
            let addr: std::net::SocketAddr = addr
                .parse()
                .with_context(|| format!("{option} {spec:?}: {addr:?} is not an address:port"))?;
            let sink: Box<dyn Write + Send> = if is_tcp {
                let server = emit::TcpServer::bind(addr)
                    .with_context(|| format!("{option} {spec:?}: cannot listen on {addr}"))?;
                tracing::info!(receiver = name, addr = %server.local_addr(), "serving NMEA over TCP");
                Box::new(server)
            } else {
                Box::new(
                    emit::UdpSender::connect(addr)
                        .with_context(|| format!("{option} {spec:?}: cannot send to {addr}"))?,
                )
            };
            if sinks.insert(receiver.node_id, sink).is_some() {
                bail!("{option} {spec:?}: {name:?} already has a network output");
            }
        }
    }
    Ok(sinks)
}

fn run(
    scenario: &Scenario,
    speed: f64,
    link_dir: Option<&Path>,
    linger_s: f64,
    nmea_sinks: HashMap<u32, Box<dyn Write + Send>>,
) -> Result<()> {
    if speed.is_nan() || speed <= 0.0 {
        bail!("--speed must be positive (inf for as fast as possible), got {speed}");
    }
    if !(linger_s >= 0.0 && linger_s.is_finite()) {
        bail!("--linger-s must be a non-negative number of seconds, got {linger_s}");
    }
    // Ctrl-C and SIGTERM are taken by a thread waiting on them (sigwait), so stopping is plain
    // code rather than a signal handler. They must be blocked before any other thread starts,
    // so that every thread inherits the mask and none is killed by the default action.
    let stop = Arc::new(AtomicBool::new(false));
    let mut signals = SigSet::empty();
    signals.add(Signal::SIGINT);
    signals.add(Signal::SIGTERM);
    signals
        .thread_block()
        .context("cannot block SIGINT/SIGTERM")?;
    {
        let stop = stop.clone();
        std::thread::Builder::new()
            .name("bordersim-signals".to_string())
            .spawn(move || {
                if let Ok(signal) = signals.wait() {
                    tracing::info!(%signal, "stopping");
                    stop.store(true, Ordering::Relaxed);
                }
            })
            .context("cannot start the signal thread")?;
    }

    if let Some(dir) = link_dir {
        std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    }
    let mut ptys = Vec::new();
    let mut sinks: HashMap<u32, Box<dyn Write + Send>> = HashMap::new();
    let mut stdout = std::io::stdout().lock();
    for node in scenario.nodes() {
        let pty = Pty::open().with_context(|| format!("cannot open a pty for {}", node.name))?;
        writeln!(
            stdout,
            "node {} {} {}",
            node.node_id,
            node.name,
            pty.path().display()
        )?;
        if let Some(dir) = link_dir {
            let at = dir.join(&node.name);
            pty.link(&at)
                .with_context(|| format!("cannot link {}", at.display()))?;
        }
        sinks.insert(node.node_id, Box::new(pty.writer()?));
        ptys.push(pty);
    }
    stdout.flush()?;
    drop(stdout);

    // Playing needs no truth (and, at every detection time, a busy scenario's truth is
    // billions of rows).
    let options = GenerateOptions {
        truth: TruthSampling::None,
    };
    let start_utc_ms = now_ms()?;
    let generated = try_generate_with(scenario, start_utc_ms, &options)?;
    tracing::info!(
        scenario = %scenario.name,
        events = generated.events.len(),
        duration_s = scenario.duration_s,
        speed,
        "playing"
    );
    // The receivers' and radars' network outputs play on a thread of their own, on the same
    // clock.
    let nmea_player = (!nmea_sinks.is_empty()).then(|| {
        let mut lines = generated.nmea;
        lines.extend(arpa::sentences(
            scenario,
            &generated.detections,
            start_utc_ms,
        ));
        lines.sort_by(|a, b| a.t_s.total_cmp(&b.t_s));
        play(lines, nmea_sinks, speed, stop.clone())
    });
    let stats = play(generated.events, sinks, speed, stop.clone())
        .join()
        .map_err(|_| anyhow::anyhow!("the player thread panicked"))?;
    if let Some(player) = nmea_player {
        let nmea = player
            .join()
            .map_err(|_| anyhow::anyhow!("the NMEA player thread panicked"))?;
        tracing::info!(
            lines = nmea.events,
            write_errors = nmea.write_errors,
            "NMEA outputs done"
        );
    }
    tracing::info!(
        events = stats.events,
        bytes = stats.bytes,
        write_errors = stats.write_errors,
        "done"
    );
    // Readers may still be draining the ptys; closing them now would cut the last frames.
    let until = std::time::Instant::now() + Duration::from_secs_f64(linger_s);
    while std::time::Instant::now() < until && !stop.load(Ordering::Relaxed) {
        std::thread::sleep(Duration::from_millis(20));
    }
    drop(ptys);
    Ok(())
}
