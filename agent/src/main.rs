//! `borderfuse-agent`: the edge agent's command line.

use anyhow::Context;
use borderfuse_agent::config::Config;
use clap::{Parser, Subcommand};
use std::path::PathBuf;
use tracing_subscriber::EnvFilter;

#[derive(Debug, Parser)]
#[command(
    name = "borderfuse-agent",
    version,
    about = "borderfuse edge agent: sensors in, fused tracks and alerts out over MQTT"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run the agent on the sources and broker of a config file, until Ctrl-C or SIGTERM.
    Run {
        /// The TOML config file.
        #[arg(long, short)]
        config: PathBuf,
    },
    /// Check a config file, and load the keys it names, and exit: 0 when valid, 2 with the
    /// offending key when not.
    CheckConfig {
        /// The TOML config file.
        #[arg(long, short)]
        config: PathBuf,
    },
    /// Make a post's alert-signing key pair in DIR: `CC-post.key.pem` (private, mode 0600,
    /// for the post's `[signing]` table) and `CC-post.pub.pem` (for the partners' keyrings).
    /// Never overwrites a key.
    Keygen {
        /// Directory to write the keys to (created if missing).
        #[arg(long)]
        out_dir: PathBuf,
        /// The post's country, ISO 3166-1 alpha-2 (as `post.country`).
        #[arg(long)]
        country: String,
        /// The post's name (as `post.post`).
        #[arg(long)]
        post: String,
        /// Also write a new plate key here (32 random bytes as hex, mode 0600): one partner
        /// makes it and hands it to the others over a secure channel, for
        /// `sharing.plate_key`.
        #[arg(long)]
        plate_key: Option<PathBuf>,
    },
    /// Check signed alerts and track messages, one JSON payload per line (as
    /// `mosquitto_sub` prints them) from FILE or stdin, against trusted public keys: one
    /// report line per message; exit 0 only when there was at least one and all checked out.
    Verify {
        /// A public key file, or a directory whose `*.pub.pem` files are the keyring.
        #[arg(long)]
        keys: PathBuf,
        /// The messages (default: stdin).
        file: Option<PathBuf>,
    },
    /// Decode AIS: NMEA 0183 lines on stdin, one gpsd JSON object per message on stdout (as
    /// `gpsdecode -u -j -s` writes them), a count of every kind of error on stderr at the end.
    AisDecode {
        /// Abandon a multi-sentence message still incomplete this many milliseconds after its
        /// first fragment.
        #[arg(long, default_value_t = 10_000)]
        fragment_timeout_ms: u64,
    },
    /// Decode node frames (binary, 0x00-delimited, as on a node's serial link) from stdin:
    /// one JSON object per frame on stdout, the count of bad frames by reason on stderr.
    /// Exits 1 when any frame was bad and `--strict` is given.
    Frames {
        /// Fail (exit 1) when any frame was bad.
        #[arg(long)]
        strict: bool,
    },
    /// Replay plate reads offline for scoring: camera JSON lines from READS (each with a
    /// `checkpoint` member) through the plate engine of a config as fast as they go, the
    /// engine's clock taken from the reads; one alert a line on stdout or --out, exactly as
    /// the agent publishes them (for `bordersim score-alerts --alerts`); a summary of the
    /// counters on stderr.
    Plates {
        /// The TOML config file (its `[plates]`, `[sharing]` with the plate key, `[post]`).
        #[arg(long, short)]
        config: PathBuf,
        /// The reads, one camera JSON object a line, in time order.
        #[arg(long)]
        reads: PathBuf,
        /// Write the alerts here instead of stdout.
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// Track offline: detections in the tracker-neutral CSV format of `stonesoup_gnn.py` in,
    /// confirmed tracks in its `tracks_<name>.csv` format out, so both trackers run on the
    /// same files. Defaults match the script's GNN settings, with our IMM filter.
    Track {
        /// Input `detections.csv` (`t,sensor_id,model,z0,z1,r00,r01,r11,sx,sy,truth_id`
        /// [,`t_arrival`]).
        #[arg(long)]
        detections: PathBuf,
        /// Output tracks CSV (`t,track_id,x,vx,y,vy`).
        #[arg(long)]
        out: PathBuf,
        /// Also write per-scan timing here, in the script's `timing_<name>.json` format.
        #[arg(long)]
        timing: Option<PathBuf>,
        /// Motion filter: `imm` (constant velocity + coordinated turn) or `cv`.
        #[arg(long, default_value = "imm")]
        filter: String,
        /// Process noise of the `cv` filter, m²/s³.
        #[arg(long, default_value_t = 0.05)]
        q: f64,
        /// Gate as a Mahalanobis distance (the script's `--gate`).
        #[arg(long, default_value_t = 3.0)]
        gate: f64,
        /// Initial speed standard deviation of new tracks, m/s.
        #[arg(long, default_value_t = 10.0)]
        v0_sigma: f64,
        /// Detections needed to confirm a track.
        #[arg(long, default_value_t = 3)]
        confirm: u8,
        /// ... within this many scans.
        #[arg(long, default_value_t = 8)]
        confirm_window: u8,
        /// Delete a tentative track after this many missed scans in a row.
        #[arg(long, default_value_t = 2)]
        tentative_misses: u8,
        /// Delete a confirmed track after this many missed scans in a row.
        #[arg(long, default_value_t = 4)]
        delete_misses: u8,
        /// A sensor id whose detections are AIS reports (vessels report on their own
        /// schedules: a report is not a scan of the others). Repeat for several.
        #[arg(long = "ais-sensor", value_name = "SENSOR_ID")]
        ais_sensors: Vec<String>,
        /// With a `t_arrival` column: how long detections wait to be put in time order, s.
        #[arg(long, default_value_t = 1.0)]
        reorder_window_s: f64,
        /// Scans left out of the timing summary.
        #[arg(long, default_value_t = 5)]
        warmup: usize,
    },
    /// Check a post's alert link: raise synthetic alerts through the real outbox and MQTT
    /// link of a config, wait until the broker acknowledged all of them (and anything the
    /// outbox held from before), and print the raise-to-PUBACK latency percentiles.
    LinkTest {
        /// The TOML config file (its post, [mqtt] and [outbox] are used).
        #[arg(long, short)]
        config: PathBuf,
        /// Alerts to raise.
        #[arg(long, default_value_t = 1000)]
        count: u64,
        /// Alerts per second; 0: as fast as the link takes them.
        #[arg(long, default_value_t = 1000.0)]
        rate: f64,
        /// Alert ids are PREFIX-n (default: a random prefix).
        #[arg(long)]
        id_prefix: Option<String>,
        /// Print "raised ID" on stdout as each alert becomes durable in the outbox.
        #[arg(long)]
        print_ids: bool,
        /// Fail when not everything is acknowledged within this many seconds.
        #[arg(long, default_value_t = 120.0)]
        timeout: f64,
    },
    /// End-to-end demo: an embedded MQTT broker, simulated radar and AIS nodes on
    /// pseudo-terminals, the agent, and a subscriber printing every alert it receives as one
    /// JSON object per line on stdout (status lines go to stderr).
    #[cfg(feature = "demo")]
    Demo {
        /// How long to run, seconds of wall-clock time.
        #[arg(long, default_value_t = 30.0)]
        duration: f64,
        /// Simulation speed: 1 is real time, 4 runs the scenario four times faster.
        #[arg(long, default_value_t = 1.0)]
        speed: f64,
        /// Also write the events the scenario expects alerts for (for `bordersim
        /// score-alerts --expected FILE --alerts <the demo's stdout>`).
        #[arg(long)]
        expected_out: Option<PathBuf>,
        /// Play this scenario instead of the built-in border crossing (a maritime one of
        /// simulators/scenarios/, e.g. night_crossing.toml; raise --speed and --duration to
        /// cover it).
        #[arg(long)]
        scenario: Option<PathBuf>,
    },
}

fn init_logging(default: &str) {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(default));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .init();
}

fn main() -> std::process::ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::CheckConfig { config } => {
            let checked = Config::load(&config)
                .map_err(anyhow::Error::from)
                .and_then(|c| Ok(borderfuse_agent::share::Policy::of_agent(&c)?));
            match checked {
                Ok(policy) => {
                    println!(
                        "{}: valid; alerts signed with key {}",
                        config.display(),
                        policy.key_id()
                    );
                    Ok(())
                }
                Err(e) => {
                    eprintln!("{}: {e}", config.display());
                    return std::process::ExitCode::from(2);
                }
            }
        }
        Command::Keygen {
            out_dir,
            country,
            post,
            plate_key,
        } => keygen(&out_dir, &country, &post, plate_key.as_deref()),
        Command::Verify { keys, file } => match verify(&keys, file.as_deref()) {
            Ok(true) => Ok(()),
            Ok(false) => return std::process::ExitCode::FAILURE,
            Err(e) => Err(e),
        },
        Command::Run { config } => {
            init_logging("info");
            run(config)
        }
        Command::LinkTest {
            config,
            count,
            rate,
            id_prefix,
            print_ids,
            timeout,
        } => {
            init_logging("warn");
            link_test(config, count, rate, id_prefix, print_ids, timeout)
        }
        Command::AisDecode {
            fragment_timeout_ms,
        } => ais_decode(fragment_timeout_ms),
        Command::Plates { config, reads, out } => {
            init_logging("warn");
            plates_replay(&config, &reads, out.as_deref())
        }
        Command::Frames { strict } => {
            use borderfuse_agent::frames_cli::{frames_to_json, summary};
            let stdout = std::io::BufWriter::new(std::io::stdout().lock());
            match frames_to_json(std::io::stdin().lock(), stdout) {
                Ok(stats) => {
                    eprintln!("{}", summary(&stats));
                    if strict && stats.bad_frames() > 0 {
                        return std::process::ExitCode::FAILURE;
                    }
                    Ok(())
                }
                Err(e) => Err(anyhow::Error::from(e).context("reading frames")),
            }
        }
        Command::Track {
            detections,
            out,
            timing,
            filter,
            q,
            gate,
            v0_sigma,
            confirm,
            confirm_window,
            tentative_misses,
            delete_misses,
            ais_sensors,
            reorder_window_s,
            warmup,
        } => {
            use borderfuse_agent::config::TrackerConfig;
            use borderfuse_agent::fuse::filter::FilterConfig;
            let config = TrackerConfig {
                filter: match filter.as_str() {
                    "imm" => FilterConfig::default(),
                    "cv" => FilterConfig::Cv { q },
                    other => {
                        eprintln!("borderfuse-agent: --filter {other:?}: expected imm or cv");
                        return std::process::ExitCode::from(2);
                    }
                },
                // The script gates on the Mahalanobis distance; the 2-dof chi-square
                // probability of d ≤ g is 1 − e^(−g²/2).
                gate_probability: 1.0 - (-gate * gate / 2.0).exp(),
                initial_speed_sigma_mps: v0_sigma,
                confirm_m: confirm,
                confirm_n: confirm_window,
                tentative_max_misses: tentative_misses,
                delete_after_misses: delete_misses,
                reorder_window_s,
                ..TrackerConfig::default()
            };
            let options = borderfuse_agent::offline::OfflineOptions {
                warmup,
                ais_sensors,
            };
            track(&detections, &out, timing.as_deref(), &config, &options)
        }
        #[cfg(feature = "demo")]
        Command::Demo {
            duration,
            speed,
            expected_out,
            scenario,
        } => {
            // rumqttd logs routine disconnections as errors; the demo reports broker trouble itself.
            init_logging("warn,rumqttd=off");
            demo(duration, speed, expected_out, scenario)
        }
    };
    match result {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("borderfuse-agent: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}

fn plates_replay(
    config_path: &std::path::Path,
    reads: &std::path::Path,
    out: Option<&std::path::Path>,
) -> anyhow::Result<()> {
    use borderfuse_agent::plates::replay::replay;
    use std::io::{BufReader, BufWriter};
    let config =
        Config::load(config_path).with_context(|| format!("config {}", config_path.display()))?;
    let key_path = config
        .sharing
        .plate_key
        .as_deref()
        .context("sharing.plate_key: the replay hashes plates with it")?;
    let key = borderfuse_agent::share::PlateKey::load(key_path).context("sharing.plate_key")?;
    let mut engine = config.plates.build_engine(key).context("plates.hotlist")?;
    let policy = borderfuse_agent::share::Policy::of_agent_or_throwaway(&config)?;
    let input = BufReader::new(
        std::fs::File::open(reads).with_context(|| format!("reads {}", reads.display()))?,
    );
    let summary = match out {
        Some(path) => {
            let file =
                std::fs::File::create(path).with_context(|| format!("--out {}", path.display()))?;
            replay(&mut engine, &policy, input, BufWriter::new(file))?
        }
        None => replay(
            &mut engine,
            &policy,
            input,
            BufWriter::new(std::io::stdout().lock()),
        )?,
    };
    eprintln!("plates: {}", summary.line());
    Ok(())
}

fn run(path: PathBuf) -> anyhow::Result<()> {
    let config = Config::load(&path).with_context(|| format!("config {}", path.display()))?;
    let runtime = tokio::runtime::Runtime::new().context("starting the tokio runtime")?;
    runtime.block_on(borderfuse_agent::run::run_until_signal(config))
}

fn keygen(
    out_dir: &std::path::Path,
    country: &str,
    post: &str,
    plate_key: Option<&std::path::Path>,
) -> anyhow::Result<()> {
    use borderfuse_agent::share;
    let origin = share::Origin::new(country, post)?;
    let paths = share::keygen(out_dir, &origin)?;
    println!(
        "private key: {} (for [signing] key)",
        paths.private.display()
    );
    println!(
        "public key:  {} (for the partners' keyrings)",
        paths.public.display()
    );
    println!("key id:      {}", paths.key_id);
    if let Some(path) = plate_key {
        let path = share::plate_keygen(path)?;
        println!("plate key:   {} (for sharing.plate_key)", path.display());
    }
    Ok(())
}

/// Whether every message checked out.
fn verify(keys: &std::path::Path, file: Option<&std::path::Path>) -> anyhow::Result<bool> {
    use borderfuse_agent::share::{Keyring, verify_lines};
    let keyring = Keyring::load(keys)?;
    let out = std::io::stdout().lock();
    let summary = match file {
        Some(path) => {
            let f = std::fs::File::open(path).with_context(|| path.display().to_string())?;
            verify_lines(std::io::BufReader::new(f), &keyring, out)?
        }
        None => verify_lines(std::io::stdin().lock(), &keyring, out)?,
    };
    eprintln!(
        "verify: {} valid, {} invalid, {} blank line(s)",
        summary.valid, summary.invalid, summary.blank
    );
    Ok(summary.all_valid())
}

fn link_test(
    path: PathBuf,
    count: u64,
    rate: f64,
    id_prefix: Option<String>,
    print_ids: bool,
    timeout: f64,
) -> anyhow::Result<()> {
    use borderfuse_agent::publish::linktest::{LinkTestOptions, run};
    anyhow::ensure!(rate.is_finite() && rate >= 0.0, "--rate must be ≥ 0");
    anyhow::ensure!(
        timeout.is_finite() && timeout > 0.0,
        "--timeout must be > 0"
    );
    let config = Config::load(&path).with_context(|| format!("config {}", path.display()))?;
    let runtime = tokio::runtime::Runtime::new().context("starting the tokio runtime")?;
    let report = runtime.block_on(run(
        &config,
        &LinkTestOptions {
            count,
            rate,
            id_prefix,
            print_ids,
            timeout: std::time::Duration::from_secs_f64(timeout),
        },
    ))?;
    println!("{}", report.summary());
    Ok(())
}

fn track(
    detections: &std::path::Path,
    out: &std::path::Path,
    timing: Option<&std::path::Path>,
    config: &borderfuse_agent::config::TrackerConfig,
    options: &borderfuse_agent::offline::OfflineOptions,
) -> anyhow::Result<()> {
    anyhow::ensure!(
        config.confirm_m >= 1 && config.confirm_m <= config.confirm_n && config.confirm_n <= 32,
        "--confirm must be in 1..=--confirm-window (≤ 32)"
    );
    anyhow::ensure!(
        config.gate_probability > 0.0 && config.gate_probability < 1.0,
        "--gate must be a positive distance"
    );
    let summary = borderfuse_agent::offline::track_csv(detections, out, timing, config, options)?;
    eprintln!(
        "track: {} scans, {} rows -> {}; per-scan median {:.3} ms, mean {:.3} ms; {:?}",
        summary.scans,
        summary.rows,
        out.display(),
        summary.timing.median_s * 1e3,
        summary.timing.mean_s * 1e3,
        summary.stats
    );
    Ok(())
}

fn ais_decode(fragment_timeout_ms: u64) -> anyhow::Result<()> {
    use borderfuse_agent::ais_decode::{DecodeOptions, FragmentClock, decode_stream};
    use std::io::{BufReader, BufWriter, ErrorKind};
    const BUFFER: usize = 64 * 1024;
    let options = DecodeOptions {
        fragment_timeout_ms,
        clock: FragmentClock::Wall,
    };
    let input = BufReader::with_capacity(BUFFER, std::io::stdin().lock());
    let output = BufWriter::with_capacity(BUFFER, std::io::stdout().lock());
    match decode_stream(input, output, &options) {
        Ok(summary) => {
            eprint!("{summary}");
            Ok(())
        }
        // The reader went away (`| head`): nothing left to do, and nothing went wrong.
        Err(e) if e.kind() == ErrorKind::BrokenPipe => Ok(()),
        Err(e) => Err(e).context("ais-decode"),
    }
}

#[cfg(feature = "demo")]
fn demo(
    duration: f64,
    speed: f64,
    expected_out: Option<PathBuf>,
    scenario: Option<PathBuf>,
) -> anyhow::Result<()> {
    use borderfuse_agent::demo::{DemoOptions, run};
    anyhow::ensure!(
        duration.is_finite() && duration > 0.0,
        "--duration must be > 0"
    );
    anyhow::ensure!(speed.is_finite() && speed > 0.0, "--speed must be > 0");
    let scenario = match scenario {
        Some(path) => {
            let text = std::fs::read_to_string(&path)
                .with_context(|| format!("cannot read scenario {}", path.display()))?;
            Some(
                borderfuse_sim::scenario::Scenario::from_toml(&text)
                    .with_context(|| format!("scenario {}", path.display()))?,
            )
        }
        None => None,
    };
    let runtime = tokio::runtime::Runtime::new().context("starting the tokio runtime")?;
    let report = runtime.block_on(run(DemoOptions {
        duration: std::time::Duration::from_secs_f64(duration),
        speed,
        print_alerts: true,
        print_status: true,
        expected_out,
        scenario,
    }))?;
    eprintln!("{}", report.summary());
    // The demo's threads (broker, simulator) are not joinable; leave without waiting.
    std::process::exit(0);
}
