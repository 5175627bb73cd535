//! Shared by the `link_*` tests: a real mosquitto on a free loopback port with a generated
//! config (killed on drop), test certificates, agent configs, the agent's command line as a
//! process, and an MQTT subscriber that collects alert ids.
#![allow(dead_code)] // Each test file uses the part it needs.

use rumqttc::v5::mqttbytes::QoS;
use rumqttc::v5::mqttbytes::v5::Packet;
use rumqttc::v5::{AsyncClient, Event, MqttOptions};
use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// A free loopback TCP port (bound and released; the broker binds it right after).
pub fn free_port() -> u16 {
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    l.local_addr().unwrap().port()
}

/// Where mosquitto is; a test fails saying how to install it when it is not there.
pub fn mosquitto_path() -> PathBuf {
    for p in [
        "/usr/sbin/mosquitto",
        "/usr/bin/mosquitto",
        "/usr/local/sbin/mosquitto",
    ] {
        if Path::new(p).exists() {
            return PathBuf::from(p);
        }
    }
    panic!("mosquitto is not installed: apt-get install -y mosquitto (scripts/test does it)");
}

/// A mosquitto process on `127.0.0.1:port`, killed on drop.
pub struct Mosquitto {
    child: Option<Child>,
    /// Its port.
    pub port: u16,
    conf: PathBuf,
    log: PathBuf,
}

impl Mosquitto {
    /// Starts mosquitto with `listener {port} 127.0.0.1` followed by `extra` (which says who
    /// may connect: `allow_anonymous true`, a password file, TLS files...).
    pub fn start(dir: &Path, name: &str, port: u16, extra: &str) -> Mosquitto {
        let conf = dir.join(format!("{name}.conf"));
        let log = dir.join(format!("{name}.log"));
        // As root, mosquitto would switch to user `mosquitto`, who cannot read a test's
        // private temporary directory: stay root.
        std::fs::write(
            &conf,
            format!(
                "user root\nper_listener_settings false\nlog_dest stderr\nlog_type all\nlistener {port} 127.0.0.1\n{extra}\n"
            ),
        )
        .unwrap();
        let mut m = Mosquitto {
            child: None,
            port,
            conf,
            log,
        };
        m.restart();
        m
    }

    /// Starts it again (same config, same port) after [`Mosquitto::stop`].
    pub fn restart(&mut self) {
        assert!(self.child.is_none(), "already running");
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&self.log)
            .unwrap();
        let child = Command::new(mosquitto_path())
            .arg("-c")
            .arg(&self.conf)
            .stdin(Stdio::null())
            .stdout(log.try_clone().unwrap())
            .stderr(log)
            .spawn()
            .unwrap();
        self.child = Some(child);
        let deadline = Instant::now() + Duration::from_secs(10);
        while std::net::TcpStream::connect(("127.0.0.1", self.port)).is_err() {
            if let Some(c) = self.child.as_mut()
                && let Ok(Some(status)) = c.try_wait()
            {
                panic!("mosquitto exited ({status}):\n{}", self.log());
            }
            assert!(
                Instant::now() < deadline,
                "mosquitto did not listen:\n{}",
                self.log()
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Stops it with SIGTERM (a persistent broker saves its sessions) and waits.
    pub fn stop(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = nix::sys::signal::kill(
                nix::unistd::Pid::from_raw(c.id() as i32),
                nix::sys::signal::Signal::SIGTERM,
            );
            let deadline = Instant::now() + Duration::from_secs(5);
            while matches!(c.try_wait(), Ok(None)) && Instant::now() < deadline {
                std::thread::sleep(Duration::from_millis(20));
            }
            let _ = c.kill();
            let _ = c.wait();
        }
    }

    /// Freezes (SIGSTOP) or thaws (SIGCONT) it: connections stay open, nothing is answered.
    pub fn freeze(&self, frozen: bool) {
        if let Some(c) = &self.child {
            let signal = if frozen {
                nix::sys::signal::Signal::SIGSTOP
            } else {
                nix::sys::signal::Signal::SIGCONT
            };
            nix::sys::signal::kill(nix::unistd::Pid::from_raw(c.id() as i32), signal).unwrap();
        }
    }

    /// Its log so far.
    pub fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }
}

impl Drop for Mosquitto {
    fn drop(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

/// An agent config for post GR/samos-east publishing to `127.0.0.1:port` through the outbox
/// in `outbox`, with `mqtt_extra` added to its `[mqtt]` table (and tables after it).
pub fn agent_config_text(port: u16, outbox: &Path, mqtt_extra: &str) -> String {
    format!(
        r#"
[post]
country = "GR"
post = "samos-east"
origin = {{ lat = 37.70, lon = 27.00 }}

[status]
log_interval_s = 0

[outbox]
dir = "{}"

[mqtt]
host = "127.0.0.1"
port = {port}
keep_alive_s = 5
reconnect_min_ms = 50
reconnect_max_ms = 500
tracks_interval_s = 0
{mqtt_extra}
"#,
        outbox.display()
    )
}

/// Parses an agent config text.
pub fn agent_config(text: &str) -> borderfuse_agent::config::Config {
    borderfuse_agent::config::Config::parse(text).unwrap()
}

/// The messages of `alert` under `config`'s sharing policy, signed with a throwaway key.
pub fn alert_messages(
    alert: &borderfuse_agent::detect::Alert,
    config: &borderfuse_agent::config::Config,
    now_ms: u64,
) -> Result<Vec<borderfuse_agent::publish::Message>, borderfuse_agent::share::PolicyError> {
    let policy = borderfuse_agent::share::Policy::of_agent_or_throwaway(config).unwrap();
    borderfuse_agent::run::alert_messages(alert, &policy, config, now_ms)
}

/// The agent's command line (`borderfuse-agent`, built by this package from agent/src/main.rs).
pub fn agent_command() -> Command {
    Command::new(env!("CARGO_BIN_EXE_borderfuse-agent-under-test"))
}

/// Runs `borderfuse-agent link-test` on `config_file` and returns (success, stdout, stderr).
pub fn run_link_test(config_file: &Path, args: &[&str]) -> (bool, String, String) {
    let out = agent_command()
        .arg("link-test")
        .arg("--config")
        .arg(config_file)
        .args(args)
        .output()
        .unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// Writes `NAME.toml` in `dir`: [`agent_config_text`] for a broker on `port`, with the outbox
/// in `NAME-outbox` and `extra` after `[mqtt]`.
pub fn agent_config_file(dir: &Path, port: u16, name: &str, extra: &str) -> PathBuf {
    let path = dir.join(format!("{name}.toml"));
    std::fs::write(
        &path,
        agent_config_text(port, &dir.join(format!("{name}-outbox")), extra),
    )
    .unwrap();
    path
}

/// Runs `link-test` on `config` for 20 alerts as fast as they go: all must be acknowledged.
pub fn assert_delivers(config: &Path, broker: &Mosquitto) {
    let (ok, stdout, stderr) =
        run_link_test(config, &["--count", "20", "--rate", "0", "--timeout", "30"]);
    assert!(ok, "{stdout}\n{stderr}\n{}", broker.log());
    assert!(
        stdout.contains("20 alerts raised, 20 acknowledged"),
        "{stdout}"
    );
}

/// Runs `link-test` on `config` for one alert with a 3 s timeout: it must fail (`why`), and its
/// errors must say each of `reasons`.
pub fn assert_refused(config: &Path, why: &str, reasons: &[&str]) {
    let (ok, stdout, stderr) = run_link_test(config, &["--count", "1", "--timeout", "3"]);
    assert!(!ok, "{why}: {stdout}");
    for reason in reasons {
        assert!(stderr.contains(reason), "{reason:?} not in:\n{stderr}");
    }
}

/// Waits up to 15 s for `done` to hold on the agent's counters; returns them then, fails the
/// test naming `what` if they never do.
pub async fn wait_for(
    metrics: &borderfuse_agent::metrics::Metrics,
    what: &str,
    done: impl Fn(&borderfuse_agent::metrics::Snapshot) -> bool,
) -> borderfuse_agent::metrics::Snapshot {
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        let s = metrics.snapshot();
        if done(&s) {
            return s;
        }
        assert!(
            Instant::now() < deadline,
            "timed out waiting for {what}: {s:?}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// What a subscriber received.
#[derive(Debug, Default)]
pub struct Received {
    /// The id of every alert payload on the post's own topics, in order of arrival,
    /// duplicates included.
    pub alert_ids: Vec<String>,
    /// Topic and payload of every alert message, the partners' topics included.
    pub alert_messages: Vec<(String, Vec<u8>)>,
    /// Every status payload.
    pub statuses: Vec<serde_json::Value>,
}

impl Received {
    /// The distinct alert ids.
    pub fn distinct(&self) -> HashSet<String> {
        self.alert_ids.iter().cloned().collect()
    }
}

/// A subscriber to every alert (on the posts' own topics and on the partners') and status. `persistent`: a session the broker keeps while it
/// is away (and across a restart of a broker with persistence), so nothing published
/// meanwhile is missed.
pub struct Subscriber {
    /// What arrived.
    pub received: Arc<Mutex<Received>>,
    task: tokio::task::JoinHandle<()>,
}

impl Subscriber {
    /// Connects to `127.0.0.1:port` (with `credentials` and `tls` when given) and returns once
    /// subscribed.
    pub async fn start(
        port: u16,
        name: &str,
        persistent: bool,
        configure: impl FnOnce(&mut MqttOptions),
    ) -> Subscriber {
        let mut options = MqttOptions::new(name, "127.0.0.1", port);
        options.set_keep_alive(Duration::from_secs(5));
        options.set_max_packet_size(Some(1 << 20));
        if persistent {
            options.set_clean_start(false);
            options.set_session_expiry_interval(Some(3600));
        }
        configure(&mut options);
        let (client, mut eventloop) = AsyncClient::new(options, 64);
        let received = Arc::new(Mutex::new(Received::default()));
        let (subscribed_tx, subscribed) = tokio::sync::oneshot::channel();
        let task = {
            let received = received.clone();
            tokio::spawn(async move {
                let mut subscribed_tx = Some(subscribed_tx);
                let mut sub_acks = 0;
                loop {
                    match eventloop.poll().await {
                        Ok(Event::Incoming(Packet::ConnAck(_))) => {
                            let _ = client
                                .subscribe("borderfuse/v1/+/+/alerts/#", QoS::AtLeastOnce)
                                .await;
                            let _ = client
                                .subscribe("borderfuse/v1/+/+/to/+/alerts/#", QoS::AtLeastOnce)
                                .await;
                            let _ = client
                                .subscribe("borderfuse/v1/+/+/status", QoS::AtLeastOnce)
                                .await;
                        }
                        Ok(Event::Incoming(Packet::SubAck(_))) => {
                            // Subscribed once all three filters are acknowledged.
                            sub_acks += 1;
                            if sub_acks >= 3
                                && let Some(tx) = subscribed_tx.take()
                            {
                                let _ = tx.send(());
                            }
                        }
                        Ok(Event::Incoming(Packet::Publish(p))) => {
                            let topic = String::from_utf8_lossy(&p.topic).into_owned();
                            let Ok(v) = serde_json::from_slice::<serde_json::Value>(&p.payload)
                            else {
                                continue;
                            };
                            let mut r = received.lock().unwrap();
                            if topic.contains("/alerts/") {
                                if !topic.contains("/to/") {
                                    r.alert_ids
                                        .push(v["id"].as_str().unwrap_or_default().to_string());
                                }
                                r.alert_messages.push((topic, p.payload.to_vec()));
                            } else {
                                r.statuses.push(v);
                            }
                        }
                        Ok(_) => {}
                        Err(_) => tokio::time::sleep(Duration::from_millis(100)).await,
                    }
                }
            })
        };
        tokio::time::timeout(Duration::from_secs(10), subscribed)
            .await
            .expect("subscriber subscribed within 10 s")
            .unwrap();
        Subscriber { received, task }
    }

    /// Waits up to `timeout` until `ids` all arrived; returns what arrived.
    pub async fn wait_for(&self, ids: &HashSet<String>, timeout: Duration) -> HashSet<String> {
        let deadline = Instant::now() + timeout;
        loop {
            let got = self.received.lock().unwrap().distinct();
            if ids.is_subset(&got) || Instant::now() > deadline {
                return got;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

impl Drop for Subscriber {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// Test certificates (PEM) written to files.
pub struct Pki {
    /// The CA certificate.
    pub ca: PathBuf,
    /// A server certificate for 127.0.0.1 and localhost, and its key.
    pub server_cert: PathBuf,
    /// The server key.
    pub server_key: PathBuf,
    /// A client certificate (common name `samos-east`) and its key.
    pub client_cert: PathBuf,
    /// The client key.
    pub client_key: PathBuf,
}

/// A CA and a server and client certificate signed by it, in `dir` with names starting with
/// `name`.
pub fn make_pki(dir: &Path, name: &str) -> Pki {
    use rcgen::{
        BasicConstraints, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa, KeyPair,
        SanType,
    };
    let ca_key = KeyPair::generate().unwrap();
    let mut ca_params = CertificateParams::new(Vec::<String>::new()).unwrap();
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca_params
        .distinguished_name
        .push(DnType::CommonName, format!("{name} test CA"));
    let ca = ca_params.self_signed(&ca_key).unwrap();

    let server_key = KeyPair::generate().unwrap();
    let mut server_params = CertificateParams::new(vec!["localhost".to_string()]).unwrap();
    server_params
        .subject_alt_names
        .push(SanType::IpAddress(std::net::IpAddr::from([127, 0, 0, 1])));
    server_params
        .distinguished_name
        .push(DnType::CommonName, "localhost");
    server_params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
    let server = server_params.signed_by(&server_key, &ca, &ca_key).unwrap();

    let client_key = KeyPair::generate().unwrap();
    let mut client_params = CertificateParams::new(Vec::<String>::new()).unwrap();
    client_params
        .distinguished_name
        .push(DnType::CommonName, "samos-east");
    client_params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ClientAuth];
    let client = client_params.signed_by(&client_key, &ca, &ca_key).unwrap();

    let write = |suffix: &str, text: String| {
        let p = dir.join(format!("{name}-{suffix}"));
        std::fs::write(&p, text).unwrap();
        p
    };
    Pki {
        ca: write("ca.pem", ca.pem()),
        server_cert: write("server.pem", server.pem()),
        server_key: write("server.key", server_key.serialize_pem()),
        client_cert: write("client.pem", client.pem()),
        client_key: write("client.key", client_key.serialize_pem()),
    }
}

/// A mosquitto password file in `dir` with one user.
pub fn password_file(dir: &Path, user: &str, password: &str) -> PathBuf {
    let path = dir.join("passwd");
    let status = Command::new("mosquitto_passwd")
        .arg("-b")
        .arg("-c")
        .arg(&path)
        .arg(user)
        .arg(password)
        .status()
        .expect("mosquitto_passwd (package mosquitto) runs");
    assert!(status.success());
    path
}

/// The alert ids a `link-test --print-ids` printed.
pub fn raised_ids(stdout: &str) -> HashSet<String> {
    stdout
        .lines()
        .filter_map(|l| l.strip_prefix("raised "))
        .map(str::to_string)
        .collect()
}
