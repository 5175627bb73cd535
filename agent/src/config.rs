//! The agent's configuration: one TOML file, parsed strictly (unknown keys are errors) and
//! validated at start-up, with errors that name the offending key.
//!
//! ```toml
//! [post]
//! country = "GR"
//! post = "samos-east"
//! origin = { lat = 37.70, lon = 27.00 }
//!
//! [[source]]
//! name = "radar-link"
//! path = "/dev/serial/by-id/usb-FTDI_FT232R-if00-port0"
//! baud = 115200
//!
//! [[radar]]
//! node_id = 17
//! name = "radar-samos-east"
//! position = { lat = 37.69, lon = 26.97, alt_m = 30.0 }
//! sigma_range_m = 15.0
//! sigma_bearing_deg = 0.3
//!
//! [[ais_receiver]]
//! node_id = 7
//! name = "ais-samos"
//! position = { lat = 37.69, lon = 26.97 }
//! range_m = 40000.0
//!
//! [[nmea_source]]               # the receiver's own NMEA output: tcp, udp or serial
//! name = "ais-samos-net"
//! receiver = "ais-samos"
//! tcp = "192.168.10.20:10110"
//!
//! [rules.dark_target]
//! after_s = 60.0
//!
//! [mqtt]
//! host = "broker.example.org"
//! port = 8883
//! username = "samos-east"
//! password_file = "/etc/borderfuse/mqtt-password"
//!
//! [mqtt.tls]
//! ca_file = "/etc/borderfuse/tls/border-ca.pem"
//!
//! [outbox]
//! dir = "/var/lib/borderfuse/outbox"
//!
//! [signing]
//! key = "/etc/borderfuse/keys/GR-samos-east.key.pem"
//!
//! [[sharing.partner]]
//! name = "tr-coastguard"
//! kinds = ["dark_target", "rendezvous"]
//! fields = ["lat", "lon", "track_id"]
//! ```

use crate::share::{SharingConfig, SigningConfig};
use serde::{Deserialize, Serialize};
use std::collections::HashSet;
use std::path::{Path, PathBuf};

/// Why a configuration was refused.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The file could not be read.
    #[error("cannot read {path}: {source}")]
    Read {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// Not valid TOML, an unknown key, or a value of the wrong type (the message names the key).
    #[error("{0}")]
    Syntax(#[from] toml::de::Error),
    /// A value that parses but makes no sense.
    #[error("{key}: {reason}")]
    Invalid {
        /// Dotted path of the key, e.g. `radar[0].sigma_range_m`.
        key: String,
        /// What is wrong with it.
        reason: String,
    },
}

/// A [`ConfigError::Invalid`] for `key`.
pub(crate) fn invalid(key: impl Into<String>, reason: impl Into<String>) -> ConfigError {
    ConfigError::Invalid {
        key: key.into(),
        reason: reason.into(),
    }
}

/// The whole configuration.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// Who this agent is and where.
    pub post: PostConfig,
    /// Byte streams of node frames.
    #[serde(default, rename = "source")]
    pub sources: Vec<SourceConfig>,
    /// Standard NMEA 0183 feeds (AIS receivers' own output) over TCP, UDP or serial.
    #[serde(default, rename = "nmea_source")]
    pub nmea_sources: Vec<NmeaSourceConfig>,
    /// Radar nodes, by node id.
    #[serde(default, rename = "radar")]
    pub radars: Vec<RadarConfig>,
    /// AIS receiver nodes, by node id.
    #[serde(default, rename = "ais_receiver")]
    pub ais_receivers: Vec<AisReceiverConfig>,
    /// Tracker settings.
    #[serde(default)]
    pub tracker: TrackerConfig,
    /// AIS ↔ radar track association.
    #[serde(default)]
    pub ais_fusion: AisFusionConfig,
    /// Alert rules.
    #[serde(default)]
    pub rules: RulesConfig,
    /// The MQTT broker alerts go to.
    pub mqtt: MqttConfig,
    /// Where messages wait, on disk, for the broker's acknowledgement.
    #[serde(default)]
    pub outbox: OutboxConfig,
    /// Agent status output.
    #[serde(default)]
    pub status: StatusConfig,
    /// The post's alert-signing key. `run` needs it; the demo and `link-test` sign with a
    /// throwaway key when it is absent.
    #[serde(default)]
    pub signing: Option<SigningConfig>,
    /// Which alert kinds and fields go to which partner topic, and how plates leave the post.
    #[serde(default)]
    pub sharing: SharingConfig,
    /// Plate reads at land checkpoints: hotlist, clones, retention.
    #[serde(default)]
    pub plates: crate::plates::PlatesConfig,
}

/// A WGS-84 position in a config file.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Position {
    /// Latitude, degrees north.
    pub lat: f64,
    /// Longitude, degrees east.
    pub lon: f64,
    /// Height above the WGS-84 ellipsoid, metres.
    #[serde(default)]
    pub alt_m: f64,
}

impl Position {
    /// As a common geodetic position.
    pub fn geodetic(&self) -> borderfuse_common::geo::Geodetic {
        borderfuse_common::geo::Geodetic::with_alt(self.lat, self.lon, self.alt_m)
    }

    pub(crate) fn validate(&self, key: &str) -> Result<(), ConfigError> {
        if !self.geodetic().is_valid() {
            return Err(invalid(
                key,
                format!(
                    "({}, {}, {} m) is not a WGS-84 position (lat in [-90, 90], lon in [-180, 180])",
                    self.lat, self.lon, self.alt_m
                ),
            ));
        }
        Ok(())
    }
}

/// The border post.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PostConfig {
    /// ISO 3166-1 alpha-2 country code, upper case (topic level).
    pub country: String,
    /// Post identifier (topic level): lower case letters, digits, `-` and `_`.
    pub post: String,
    /// Origin of the local east/north frame the tracker works in; put it near the sensors.
    pub origin: Position,
}

/// A serial port carrying node frames.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SourceConfig {
    /// Name in logs and status.
    pub name: String,
    /// Device path; prefer a stable one such as `/dev/serial/by-id/...`.
    pub path: PathBuf,
    /// Baud rate.
    #[serde(default = "default_baud")]
    pub baud: u32,
    /// First delay before reopening a port that failed, milliseconds; doubles up to
    /// `reopen_max_ms`.
    #[serde(default = "default_reopen_min_ms")]
    pub reopen_min_ms: u64,
    /// Longest delay between reopen attempts, milliseconds.
    #[serde(default = "default_reopen_max_ms")]
    pub reopen_max_ms: u64,
}

fn default_baud() -> u32 {
    115_200
}

/// A standard NMEA 0183 feed: the `!AIVDM` lines an AIS receiver prints on its serial port,
/// serves to TCP clients or sends as UDP datagrams. Exactly one of `tcp`, `udp`, `serial`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NmeaSourceConfig {
    /// Name in logs and status.
    pub name: String,
    /// The `ais_receiver` (by `name`) whose position and range the lines are attributed to:
    /// these lines carry no node id.
    pub receiver: String,
    /// `HOST:PORT` of the receiver's TCP server; the agent connects as a client.
    #[serde(default)]
    pub tcp: Option<String>,
    /// `BIND_ADDR:PORT` the agent binds to receive the receiver's datagrams.
    #[serde(default)]
    pub udp: Option<String>,
    /// Serial device the receiver prints on.
    #[serde(default)]
    pub serial: Option<PathBuf>,
    /// Baud rate of `serial` (only with `serial`); 38400, IEC 61162-2's, when absent.
    #[serde(default)]
    pub baud: Option<u32>,
    /// First delay before reconnecting (reopening, rebinding) after a failure,
    /// milliseconds; doubles up to `reopen_max_ms`.
    #[serde(default = "default_reopen_min_ms")]
    pub reopen_min_ms: u64,
    /// Longest delay between attempts, milliseconds.
    #[serde(default = "default_reopen_max_ms")]
    pub reopen_max_ms: u64,
}

/// How an NMEA source is reached (see [`NmeaSourceConfig::transport`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NmeaTransport {
    /// Connect to this `HOST:PORT`.
    Tcp(String),
    /// Bind this address and receive datagrams.
    Udp(std::net::SocketAddr),
    /// Open this serial port at this baud rate.
    Serial(PathBuf, u32),
}

/// IEC 61162-2 (high-speed NMEA, what AIS receivers use) runs at 38400 baud.
pub const NMEA_HIGH_SPEED_BAUD: u32 = 38_400;

impl NmeaSourceConfig {
    /// The transport, checked; the error names the key (`key` prefixes it, e.g.
    /// `nmea_source[0]`).
    pub fn transport(&self, key: &str) -> Result<NmeaTransport, ConfigError> {
        let key = |field: &str| format!("{key}.{field}");
        let transport = match (&self.tcp, &self.udp, &self.serial) {
            (Some(tcp), None, None) => {
                // A host name is resolved when connecting (it may not resolve yet at start-up);
                // only the shape is checked here.
                let port = tcp.rsplit_once(':').and_then(|(host, port)| {
                    (!host.is_empty()).then(|| port.parse::<u16>().ok())?
                });
                if !matches!(port, Some(p) if p != 0) {
                    return Err(invalid(
                        key("tcp"),
                        format!("{tcp:?} is not HOST:PORT (port 1-65535)"),
                    ));
                }
                NmeaTransport::Tcp(tcp.clone())
            }
            (None, Some(udp), None) => {
                let addr = udp.parse().map_err(|_| {
                    invalid(
                        key("udp"),
                        format!(
                            "{udp:?} is not an IP address and port to bind, e.g. \"0.0.0.0:10110\""
                        ),
                    )
                })?;
                NmeaTransport::Udp(addr)
            }
            (None, None, Some(path)) => {
                if path.as_os_str().is_empty() {
                    return Err(invalid(key("serial"), "must not be empty"));
                }
                let baud = self.baud.unwrap_or(NMEA_HIGH_SPEED_BAUD);
                if !(50..=4_000_000).contains(&baud) {
                    return Err(invalid(
                        key("baud"),
                        format!("{baud} is not a serial baud rate"),
                    ));
                }
                NmeaTransport::Serial(path.clone(), baud)
            }
            _ => {
                return Err(invalid(
                    key("tcp"),
                    "give exactly one of tcp, udp and serial",
                ));
            }
        };
        if self.baud.is_some() && !matches!(transport, NmeaTransport::Serial(..)) {
            return Err(invalid(key("baud"), "only applies to a serial source"));
        }
        Ok(transport)
    }
}
fn default_reopen_min_ms() -> u64 {
    250
}
fn default_reopen_max_ms() -> u64 {
    10_000
}

/// A radar node.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RadarConfig {
    /// The node id its frames carry.
    pub node_id: u32,
    /// Name in alerts' evidence.
    pub name: String,
    /// Antenna position.
    pub position: Position,
    /// Range measurement standard deviation, metres.
    pub sigma_range_m: f64,
    /// Bearing measurement standard deviation, degrees.
    pub sigma_bearing_deg: f64,
    /// Instrumented range, metres: tracks beyond it are not expected to be detected.
    #[serde(default = "default_radar_range_m")]
    pub max_range_m: f64,
}

fn default_radar_range_m() -> f64 {
    24_000.0
}

/// An AIS receiver node.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AisReceiverConfig {
    /// The node id its frames carry.
    pub node_id: u32,
    /// Name in alerts' evidence.
    pub name: String,
    /// Antenna position.
    pub position: Position,
    /// Distance within which vessels' AIS is reliably received (AIS coverage), metres.
    pub range_m: f64,
}

/// Tracker settings (see [`crate::fuse`]).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct TrackerConfig {
    /// Motion filter: `{ kind = "imm", ... }` (constant velocity + coordinated turn, the
    /// default) or `{ kind = "cv", q = ... }`.
    pub filter: crate::fuse::filter::FilterConfig,
    /// Probability that the true detection falls inside the gate (chi-square, 2 dof).
    pub gate_probability: f64,
    /// Confirm a track seen on `confirm_m` of its last `confirm_n` scans (M-of-N; IMO
    /// MSC.192(79) asks radars to keep targets seen on 5 of 10 scans).
    pub confirm_m: u8,
    /// See `confirm_m`; a tentative track not confirmed within `confirm_n` scans is deleted.
    pub confirm_n: u8,
    /// Delete a tentative track after this many consecutive scans without a detection.
    pub tentative_max_misses: u8,
    /// Delete a confirmed track after this many consecutive scans without a detection.
    pub delete_after_misses: u8,
    /// Delete any track not updated for this long, seconds (a vessel AIS no longer hears
    /// and no radar covers).
    pub max_coast_s: f64,
    /// Standard deviation of the unknown speed of a new track, m/s.
    pub initial_speed_sigma_mps: f64,
    /// Standard deviation of the unknown turn rate of a new track, degrees per second.
    pub initial_turn_sigma_deg_s: f64,
    /// Most live tracks; detections that would start more are counted and dropped, so
    /// memory stays bounded whatever arrives.
    pub max_tracks: usize,
    /// Most plots one scan may hold; more are dropped and counted (a radar in a storm).
    pub max_plots_per_scan: usize,
    /// How long measurements wait to be put in time order before they are processed,
    /// seconds; later ones are fitted into their track by re-filtering.
    pub reorder_window_s: f64,
}

impl Default for TrackerConfig {
    fn default() -> Self {
        TrackerConfig {
            filter: crate::fuse::filter::FilterConfig::default(),
            gate_probability: 0.9999,
            confirm_m: 5,
            confirm_n: 10,
            tentative_max_misses: 2,
            delete_after_misses: 4,
            max_coast_s: 400.0,
            initial_speed_sigma_mps: 12.0,
            initial_turn_sigma_deg_s: 2.0,
            max_tracks: 100_000,
            max_plots_per_scan: 20_000,
            reorder_window_s: 1.0,
        }
    }
}

/// AIS ↔ radar track association (IMO MSC.192(79): on position and motion). Position is
/// gated by the tracker's chi-square gate; these are the motion gates, applied once a track's
/// velocity is known to better than 2 m/s.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct AisFusionConfig {
    /// Largest difference between the track's speed and the reported speed over ground,
    /// m/s (widened by twice the track's velocity uncertainty).
    pub speed_gate_mps: f64,
    /// Largest difference between the track's course and the reported course over ground,
    /// degrees, when both move faster than 1 m/s.
    pub course_gate_deg: f64,
}

impl Default for AisFusionConfig {
    fn default() -> Self {
        AisFusionConfig {
            speed_gate_mps: 4.0,
            course_gate_deg: 45.0,
        }
    }
}

pub use crate::detect::config::{DarkTargetConfig, RulesConfig, Severity};

/// The MQTT broker and the alert link to it (MQTT 5, QoS 1).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MqttConfig {
    /// Broker host name or address; with TLS it is also the name the broker's certificate
    /// must carry.
    pub host: String,
    /// Broker port.
    #[serde(default = "default_mqtt_port")]
    pub port: u16,
    /// Client id; defaults to `borderfuse-{country}-{post}`.
    #[serde(default)]
    pub client_id: Option<String>,
    /// Keep-alive interval, seconds.
    #[serde(default = "default_keep_alive_s")]
    pub keep_alive_s: u64,
    /// Username, when the broker requires one.
    #[serde(default)]
    pub username: Option<String>,
    /// Password for `username`.
    #[serde(default)]
    pub password: Option<String>,
    /// A file whose first line is the password for `username` (instead of `password`, so
    /// the config can be readable by more people than the secret).
    #[serde(default)]
    pub password_file: Option<PathBuf>,
    /// First delay before reconnecting after the connection failed, milliseconds; doubles
    /// (with jitter) up to `reconnect_max_ms`. Also the first delay before retrying a
    /// message the broker refused.
    #[serde(default = "default_reconnect_min_ms")]
    pub reconnect_min_ms: u64,
    /// Longest delay between reconnection attempts, milliseconds.
    #[serde(default = "default_reconnect_max_ms")]
    pub reconnect_max_ms: u64,
    /// Most messages sent and not yet acknowledged (further limited by the broker's receive
    /// maximum).
    #[serde(default = "default_max_in_flight")]
    pub max_in_flight: u16,
    /// MQTT 5 message expiry interval of alerts, seconds from when they were raised: a
    /// broker drops an alert that no subscriber took within it.
    #[serde(default = "default_alert_expiry_s")]
    pub alert_expiry_s: u32,
    /// Interval between publications of the fused tracks to `.../tracks`, seconds (0: none).
    #[serde(default = "default_tracks_interval_s")]
    pub tracks_interval_s: f64,
    /// Message expiry interval of track updates, seconds: older ones are not worth sending
    /// (they are dropped from the outbox, counted).
    #[serde(default = "default_track_expiry_s")]
    pub track_expiry_s: u32,
    /// Most tracks in one message to `.../tracks` (a larger picture is split).
    #[serde(default = "default_tracks_per_message")]
    pub tracks_per_message: usize,
    /// TLS to the broker; absent: plain TCP.
    #[serde(default)]
    pub tls: Option<TlsConfig>,
}

fn default_mqtt_port() -> u16 {
    1883
}
fn default_keep_alive_s() -> u64 {
    30
}
fn default_reconnect_min_ms() -> u64 {
    100
}
fn default_reconnect_max_ms() -> u64 {
    30_000
}
fn default_max_in_flight() -> u16 {
    100
}
fn default_alert_expiry_s() -> u32 {
    86_400
}
fn default_tracks_interval_s() -> f64 {
    5.0
}
fn default_track_expiry_s() -> u32 {
    60
}
fn default_tracks_per_message() -> usize {
    500
}

/// TLS to the broker (rustls, ring provider). The files are PEM.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TlsConfig {
    /// The certificate authorities the broker's certificate must chain to.
    pub ca_file: PathBuf,
    /// This post's certificate chain, for client-certificate authentication (mTLS).
    #[serde(default)]
    pub cert_file: Option<PathBuf>,
    /// The private key of `cert_file` (PKCS#8, PKCS#1 or SEC1).
    #[serde(default)]
    pub key_file: Option<PathBuf>,
}

/// The disk-backed outbox (see [`crate::publish::outbox`]).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct OutboxConfig {
    /// Directory of the outbox log; created if missing; one agent per directory.
    pub dir: PathBuf,
    /// Most bytes of unacknowledged messages; the log file stays under about twice this.
    pub max_bytes: u64,
    /// Most unacknowledged messages.
    pub max_messages: usize,
}

impl Default for OutboxConfig {
    fn default() -> Self {
        OutboxConfig {
            dir: PathBuf::from("/var/lib/borderfuse/outbox"),
            max_bytes: 64 << 20,
            max_messages: 200_000,
        }
    }
}

impl OutboxConfig {
    /// The limits as the outbox takes them.
    pub fn limits(&self) -> crate::publish::outbox::OutboxLimits {
        crate::publish::outbox::OutboxLimits {
            max_bytes: self.max_bytes,
            max_messages: self.max_messages,
        }
    }
}

/// Status output.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct StatusConfig {
    /// Interval between status log lines, seconds (0: none).
    pub log_interval_s: f64,
}

impl Default for StatusConfig {
    fn default() -> Self {
        StatusConfig {
            log_interval_s: 10.0,
        }
    }
}

impl Config {
    /// Reads and validates a config file.
    pub fn load(path: &Path) -> Result<Config, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
            path: path.to_owned(),
            source,
        })?;
        Config::parse(&text)
    }

    /// Parses and validates config text.
    pub fn parse(text: &str) -> Result<Config, ConfigError> {
        let config: Config = toml::from_str(text)?;
        config.validate()?;
        Ok(config)
    }

    /// The MQTT client id.
    pub fn client_id(&self) -> String {
        self.mqtt
            .client_id
            .clone()
            .unwrap_or_else(|| format!("borderfuse-{}-{}", self.post.country, self.post.post))
    }

    /// Checks every value; the error names the first offending key.
    pub fn validate(&self) -> Result<(), ConfigError> {
        let p = &self.post;
        if p.country.len() != 2 || !p.country.bytes().all(|b| b.is_ascii_uppercase()) {
            return Err(invalid(
                "post.country",
                format!(
                    "{:?} is not an ISO 3166-1 alpha-2 code (two upper-case letters)",
                    p.country
                ),
            ));
        }
        if p.post.is_empty()
            || p.post.len() > 64
            || !p
                .post
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_')
        {
            return Err(invalid(
                "post.post",
                format!(
                    "{:?} must be 1-64 characters of a-z, 0-9, '-' and '_' (it is an MQTT topic level)",
                    p.post
                ),
            ));
        }
        p.origin.validate("post.origin")?;

        let mut names = HashSet::new();
        for (i, s) in self.sources.iter().enumerate() {
            let key = |field: &str| format!("source[{i}].{field}");
            if s.name.is_empty() || !names.insert(s.name.as_str()) {
                return Err(invalid(
                    key("name"),
                    format!("{:?} is empty or not unique", s.name),
                ));
            }
            if s.path.as_os_str().is_empty() {
                return Err(invalid(key("path"), "must not be empty"));
            }
            if !(50..=4_000_000).contains(&s.baud) {
                return Err(invalid(
                    key("baud"),
                    format!("{} is not a serial baud rate", s.baud),
                ));
            }
            if s.reopen_min_ms == 0 || s.reopen_min_ms > s.reopen_max_ms {
                return Err(invalid(
                    key("reopen_min_ms"),
                    format!(
                        "must be > 0 and ≤ reopen_max_ms ({} > {})",
                        s.reopen_min_ms, s.reopen_max_ms
                    ),
                ));
            }
        }

        for (i, s) in self.nmea_sources.iter().enumerate() {
            let prefix = format!("nmea_source[{i}]");
            let key = |field: &str| format!("{prefix}.{field}");
            if s.name.is_empty() || !names.insert(s.name.as_str()) {
                return Err(invalid(
                    key("name"),
                    format!("{:?} is empty or not unique among sources", s.name),
                ));
            }
            if !self.ais_receivers.iter().any(|a| a.name == s.receiver) {
                return Err(invalid(
                    key("receiver"),
                    format!("{:?} is not the name of an ais_receiver", s.receiver),
                ));
            }
            s.transport(&prefix)?;
            if s.reopen_min_ms == 0 || s.reopen_min_ms > s.reopen_max_ms {
                return Err(invalid(
                    key("reopen_min_ms"),
                    format!(
                        "must be > 0 and ≤ reopen_max_ms ({} > {})",
                        s.reopen_min_ms, s.reopen_max_ms
                    ),
                ));
            }
        }

        let mut node_ids = HashSet::new();
        for (i, r) in self.radars.iter().enumerate() {
            let key = |field: &str| format!("radar[{i}].{field}");
            if !node_ids.insert(r.node_id) {
                return Err(invalid(
                    key("node_id"),
                    format!("{} is used by another node", r.node_id),
                ));
            }
            r.position.validate(&key("position"))?;
            positive(&key("sigma_range_m"), r.sigma_range_m)?;
            positive(&key("sigma_bearing_deg"), r.sigma_bearing_deg)?;
            positive(&key("max_range_m"), r.max_range_m)?;
        }
        for (i, a) in self.ais_receivers.iter().enumerate() {
            let key = |field: &str| format!("ais_receiver[{i}].{field}");
            if !node_ids.insert(a.node_id) {
                return Err(invalid(
                    key("node_id"),
                    format!("{} is used by another node", a.node_id),
                ));
            }
            a.position.validate(&key("position"))?;
            positive(&key("range_m"), a.range_m)?;
        }
        for (i, c) in self.plates.checkpoints.iter().enumerate() {
            if let Some(node) = c.nodes.iter().find(|n| node_ids.contains(*n)) {
                return Err(invalid(
                    format!("plates.checkpoint[{i}].nodes"),
                    format!("{node} is used by another node"),
                ));
            }
        }
        if self.plates.has_nodes() && self.sharing.plate_key.is_none() {
            return Err(invalid(
                "sharing.plate_key",
                "plate-reader nodes (plates.checkpoint nodes) need the partners' plate key: \
                 the hotlist and the passages are kept as its hashes",
            ));
        }

        let t = &self.tracker;
        t.filter
            .validate()
            .map_err(|reason| invalid("tracker.filter", reason))?;
        if !(t.gate_probability > 0.0 && t.gate_probability < 1.0) {
            return Err(invalid(
                "tracker.gate_probability",
                format!("{} is not in (0, 1)", t.gate_probability),
            ));
        }
        if t.confirm_n == 0 || t.confirm_n > 32 {
            return Err(invalid(
                "tracker.confirm_n",
                format!("{} is not in 1..=32", t.confirm_n),
            ));
        }
        if t.confirm_m == 0 || t.confirm_m > t.confirm_n {
            return Err(invalid(
                "tracker.confirm_m",
                format!("{} must be in 1..=confirm_n ({})", t.confirm_m, t.confirm_n),
            ));
        }
        if t.tentative_max_misses == 0 {
            return Err(invalid(
                "tracker.tentative_max_misses",
                "must be at least 1",
            ));
        }
        if t.delete_after_misses == 0 {
            return Err(invalid("tracker.delete_after_misses", "must be at least 1"));
        }
        positive("tracker.max_coast_s", t.max_coast_s)?;
        positive("tracker.initial_speed_sigma_mps", t.initial_speed_sigma_mps)?;
        positive(
            "tracker.initial_turn_sigma_deg_s",
            t.initial_turn_sigma_deg_s,
        )?;
        if t.max_tracks == 0 || t.max_tracks > 10_000_000 {
            return Err(invalid("tracker.max_tracks", "must be in 1..=10000000"));
        }
        if t.max_plots_per_scan == 0 || t.max_plots_per_scan > 1_000_000 {
            return Err(invalid(
                "tracker.max_plots_per_scan",
                "must be in 1..=1000000",
            ));
        }
        non_negative("tracker.reorder_window_s", t.reorder_window_s)?;
        if t.reorder_window_s > 600.0 {
            return Err(invalid("tracker.reorder_window_s", "must be at most 600 s"));
        }

        let f = &self.ais_fusion;
        positive("ais_fusion.speed_gate_mps", f.speed_gate_mps)?;
        if !(f.course_gate_deg > 0.0 && f.course_gate_deg <= 180.0) {
            return Err(invalid("ais_fusion.course_gate_deg", "must be in (0, 180]"));
        }

        self.rules.validate()?;

        if let Some(signing) = &self.signing {
            signing.validate()?;
        }
        self.sharing.validate()?;

        self.validate_link()?;
        non_negative("status.log_interval_s", self.status.log_interval_s)?;
        self.plates.validate()?;
        Ok(())
    }

    /// The MQTT, TLS and outbox keys. Reads the TLS files and the password file, so that a
    /// missing or wrong one is reported at start-up (and by `check-config`) with its key.
    fn validate_link(&self) -> Result<(), ConfigError> {
        let m = &self.mqtt;
        if m.host.trim().is_empty() {
            return Err(invalid("mqtt.host", "must not be empty"));
        }
        if m.port == 0 {
            return Err(invalid("mqtt.port", "must not be 0"));
        }
        if !(5..=65_535).contains(&m.keep_alive_s) {
            return Err(invalid("mqtt.keep_alive_s", "must be in 5..=65535"));
        }
        let client_id = self.client_id();
        if client_id.is_empty() || client_id.len() > 23 * 4 {
            return Err(invalid("mqtt.client_id", "must be 1-92 characters"));
        }
        if m.password.is_some() && m.password_file.is_some() {
            return Err(invalid(
                "mqtt.password_file",
                "given together with mqtt.password: choose one",
            ));
        }
        if m.password.is_some() && m.username.is_none() {
            return Err(invalid("mqtt.password", "given without mqtt.username"));
        }
        if m.password_file.is_some() && m.username.is_none() {
            return Err(invalid("mqtt.password_file", "given without mqtt.username"));
        }
        self.mqtt_password()?;
        if m.reconnect_min_ms == 0 || m.reconnect_min_ms > m.reconnect_max_ms {
            return Err(invalid(
                "mqtt.reconnect_min_ms",
                format!(
                    "must be > 0 and ≤ mqtt.reconnect_max_ms ({} > {})",
                    m.reconnect_min_ms, m.reconnect_max_ms
                ),
            ));
        }
        if m.reconnect_max_ms > 3_600_000 {
            return Err(invalid(
                "mqtt.reconnect_max_ms",
                "must be at most 3600000 (1 h)",
            ));
        }
        if m.max_in_flight == 0 {
            return Err(invalid("mqtt.max_in_flight", "must be at least 1"));
        }
        if m.alert_expiry_s == 0 {
            return Err(invalid("mqtt.alert_expiry_s", "must be at least 1 s"));
        }
        if m.track_expiry_s == 0 {
            return Err(invalid("mqtt.track_expiry_s", "must be at least 1 s"));
        }
        non_negative("mqtt.tracks_interval_s", m.tracks_interval_s)?;
        if m.tracks_interval_s > 0.0 && m.tracks_interval_s < 0.1 {
            return Err(invalid(
                "mqtt.tracks_interval_s",
                "must be 0 (no track publication) or at least 0.1 s",
            ));
        }
        if !(1..=100_000).contains(&m.tracks_per_message) {
            return Err(invalid("mqtt.tracks_per_message", "must be in 1..=100000"));
        }
        crate::publish::tls::client_config(m)?;

        let o = &self.outbox;
        if o.dir.as_os_str().is_empty() {
            return Err(invalid("outbox.dir", "must not be empty"));
        }
        if o.max_bytes < 64 * 1024 {
            return Err(invalid(
                "outbox.max_bytes",
                format!("{} is under the minimum of 65536", o.max_bytes),
            ));
        }
        if o.max_messages == 0 || o.max_messages > 10_000_000 {
            return Err(invalid("outbox.max_messages", "must be in 1..=10000000"));
        }
        Ok(())
    }

    /// The MQTT password: `mqtt.password`, or the first line of `mqtt.password_file`.
    pub fn mqtt_password(&self) -> Result<Option<String>, ConfigError> {
        if let Some(p) = &self.mqtt.password {
            return Ok(Some(p.clone()));
        }
        let Some(path) = &self.mqtt.password_file else {
            return Ok(None);
        };
        let text = std::fs::read_to_string(path).map_err(|e| {
            invalid(
                "mqtt.password_file",
                format!("cannot read {}: {e}", path.display()),
            )
        })?;
        let line = text.lines().next().unwrap_or("");
        if line.is_empty() {
            return Err(invalid(
                "mqtt.password_file",
                format!("{}: the first line (the password) is empty", path.display()),
            ));
        }
        Ok(Some(line.to_string()))
    }
}

/// `v` must be finite and > 0.
pub(crate) fn positive(key: &str, v: f64) -> Result<(), ConfigError> {
    if v.is_finite() && v > 0.0 {
        Ok(())
    } else {
        Err(invalid(key, format!("{v} must be a finite number > 0")))
    }
}

/// `v` must be finite and ≥ 0.
pub(crate) fn non_negative(key: &str, v: f64) -> Result<(), ConfigError> {
    if v.is_finite() && v >= 0.0 {
        Ok(())
    } else {
        Err(invalid(key, format!("{v} must be a finite number ≥ 0")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MINIMAL: &str = r#"
[post]
country = "GR"
post = "samos-east"
origin = { lat = 37.70, lon = 27.00 }

[[source]]
name = "radar-link"
path = "/dev/ttyUSB0"

[[radar]]
node_id = 17
name = "radar"
position = { lat = 37.69, lon = 26.97, alt_m = 30.0 }
sigma_range_m = 15.0
sigma_bearing_deg = 0.3

[[ais_receiver]]
node_id = 7
name = "ais"
position = { lat = 37.69, lon = 26.97 }
range_m = 40000.0

[mqtt]
host = "localhost"
"#;

    fn error_of(text: &str) -> String {
        Config::parse(text).unwrap_err().to_string()
    }

    #[test]
    fn the_documented_example_parses() {
        let c = Config::parse(MINIMAL).unwrap();
        assert_eq!(c.sources[0].baud, 115_200);
        assert_eq!(c.client_id(), "borderfuse-GR-samos-east");
        assert_eq!(c.tracker.confirm_m, 5);
    }

    #[test]
    fn signing_and_sharing_are_checked_and_errors_name_the_key() {
        let c = Config::parse(MINIMAL).unwrap();
        assert!(c.signing.is_none());
        assert!(c.sharing.own.enabled && c.sharing.partners.is_empty());
        let e = error_of(&format!("{MINIMAL}\n[signing]\nkey = \"\"\n"));
        assert!(e.contains("signing.key"), "{e}");
        let e = error_of(&format!(
            "{MINIMAL}\n[signing]\nkey = \"k.pem\"\nsalt = 1\n"
        ));
        assert!(e.contains("salt"), "{e}");
        let e = error_of(&format!(
            "{MINIMAL}\n[[sharing.partner]]\nname = \"TR coast\"\nkinds = [\"*\"]\nfields = [\"*\"]\n"
        ));
        assert!(e.contains("sharing.partner[0].name"), "{e}");
        let e = error_of(&format!(
            "{MINIMAL}\n[[sharing.partner]]\nname = \"tr\"\nkinds = [\"smuggling\"]\nfields = [\"*\"]\n"
        ));
        assert!(e.contains("sharing.partner[0].kinds[0]"), "{e}");
    }

    #[test]
    fn the_filter_is_chosen_by_kind() {
        let c = Config::parse(&format!(
            "{MINIMAL}\n[tracker]\nfilter = {{ kind = \"cv\", q = 0.1 }}\n"
        ))
        .unwrap();
        assert_eq!(
            c.tracker.filter,
            crate::fuse::filter::FilterConfig::Cv { q: 0.1 }
        );
        let e = error_of(&format!(
            "{MINIMAL}\n[tracker]\nfilter = {{ kind = \"cv\", q = 0.1, r = 2 }}\n"
        ));
        assert!(e.contains('r'), "{e}");
    }

    #[test]
    fn an_unknown_key_is_named() {
        let e = error_of(&MINIMAL.replace(
            "sigma_range_m = 15.0",
            "sigma_range_m = 15.0\nsigma_rnage = 1",
        ));
        assert!(e.contains("sigma_rnage"), "{e}");
    }

    #[test]
    fn a_value_of_the_wrong_type_names_its_key() {
        let e = error_of(&MINIMAL.replace("range_m = 40000.0", "range_m = \"far\""));
        assert!(e.contains("range_m"), "{e}");
    }

    /// A CA, and a certificate and key it signed, as PEM text.
    fn pki() -> (String, String, String) {
        use rcgen::{BasicConstraints, CertificateParams, IsCa, KeyPair};
        let ca_key = KeyPair::generate().unwrap();
        let mut ca = CertificateParams::new(Vec::<String>::new()).unwrap();
        ca.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        let ca = ca.self_signed(&ca_key).unwrap();
        let key = KeyPair::generate().unwrap();
        let cert = CertificateParams::new(vec!["samos-east".to_string()])
            .unwrap()
            .signed_by(&key, &ca, &ca_key)
            .unwrap();
        (ca.pem(), cert.pem(), key.serialize_pem())
    }

    fn with_tls(dir: &std::path::Path, tls: &str) -> String {
        format!(
            "{MINIMAL}username = \"u\"\npassword = \"p\"\n[mqtt.tls]\n{}\n",
            tls.replace("DIR", &dir.display().to_string())
        )
    }

    #[test]
    fn tls_files_are_read_and_checked_and_each_fault_names_its_key() {
        let dir = tempfile::tempdir().unwrap();
        let (ca, cert, key) = pki();
        let (_, other_cert, _) = pki();
        for (name, text) in [
            ("ca.pem", ca.as_str()),
            ("post.pem", cert.as_str()),
            ("post.key", key.as_str()),
            ("other.pem", other_cert.as_str()),
            ("notes.txt", "not a certificate at all\n"),
        ] {
            std::fs::write(dir.path().join(name), text).unwrap();
        }
        let good = r#"ca_file = "DIR/ca.pem"
cert_file = "DIR/post.pem"
key_file = "DIR/post.key""#;
        let c = Config::parse(&with_tls(dir.path(), good)).unwrap();
        assert!(
            crate::publish::tls::client_config(&c.mqtt)
                .unwrap()
                .is_some()
        );
        Config::parse(&with_tls(dir.path(), r#"ca_file = "DIR/ca.pem""#)).unwrap();

        let cases = [
            (
                r#"ca_file = "DIR/missing.pem""#,
                "mqtt.tls.ca_file: cannot read",
            ),
            (r#"ca_file = "DIR/notes.txt""#, "mqtt.tls.ca_file"),
            (r#"ca_file = "DIR/post.key""#, "mqtt.tls.ca_file"),
            (
                r#"ca_file = "DIR/ca.pem"
cert_file = "DIR/post.pem"
key_file = "DIR/post.pem""#,
                "mqtt.tls.key_file",
            ),
            (
                r#"ca_file = "DIR/ca.pem"
cert_file = "DIR/other.pem"
key_file = "DIR/post.key""#,
                "mqtt.tls.key_file",
            ),
            (
                r#"ca_file = "DIR/ca.pem"
cert_file = "DIR/post.pem""#,
                "mqtt.tls.key_file: missing",
            ),
            (
                r#"ca_file = "DIR/ca.pem"
key_file = "DIR/post.key""#,
                "mqtt.tls.cert_file: missing",
            ),
            (
                r#"ca_file = "DIR/ca.pem"
cert_file = "DIR/notes.txt"
key_file = "DIR/post.key""#,
                "mqtt.tls.cert_file",
            ),
        ];
        for (tls, expected) in cases {
            let e = error_of(&with_tls(dir.path(), tls));
            assert!(e.starts_with(expected), "{tls}: {e}");
        }
        let e = error_of(&with_tls(
            dir.path(),
            "ca_file = \"DIR/ca.pem\"\nca_flie = 1",
        ));
        assert!(e.contains("ca_flie"), "{e}");
    }

    #[test]
    fn link_keys_are_checked_and_name_themselves() {
        let dir = tempfile::tempdir().unwrap();
        let secret = dir.path().join("secret");
        std::fs::write(&secret, "s3cret\nignored\n").unwrap();
        let c = Config::parse(&format!(
            "{MINIMAL}username = \"u\"\npassword_file = \"{}\"\n",
            secret.display()
        ))
        .unwrap();
        assert_eq!(c.mqtt_password().unwrap().as_deref(), Some("s3cret"));
        let cases = [
            (
                format!(
                    "{MINIMAL}username = \"u\"\npassword_file = \"{}/nope\"\n",
                    dir.path().display()
                ),
                "mqtt.password_file: cannot read",
            ),
            (format!("{MINIMAL}password = \"p\"\n"), "mqtt.password"),
            (
                format!("{MINIMAL}reconnect_min_ms = 0\n"),
                "mqtt.reconnect_min_ms",
            ),
            (
                format!("{MINIMAL}max_in_flight = 0\n"),
                "mqtt.max_in_flight",
            ),
            (
                format!("{MINIMAL}tracks_interval_s = 0.01\n"),
                "mqtt.tracks_interval_s",
            ),
            (
                format!("{MINIMAL}alert_expiry_s = 0\n"),
                "mqtt.alert_expiry_s",
            ),
            (
                format!("{MINIMAL}[outbox]\nmax_bytes = 100\n"),
                "outbox.max_bytes",
            ),
            (format!("{MINIMAL}[outbox]\ndir = \"\"\n"), "outbox.dir"),
        ];
        for (text, key) in cases {
            let e = error_of(&text);
            assert!(e.starts_with(key), "{key}: {e}");
        }
        let e = error_of(&format!("{MINIMAL}[outbox]\nmax_megabytes = 3\n"));
        assert!(e.contains("max_megabytes"), "{e}");
    }

    #[test]
    fn nmea_sources_take_exactly_one_transport_and_name_their_keys() {
        let c = Config::parse(&format!(
            "{MINIMAL}\n[[nmea_source]]\nname = \"ais-tcp\"\nreceiver = \"ais\"\ntcp = \"receiver.local:10110\"\n\
             \n[[nmea_source]]\nname = \"ais-udp\"\nreceiver = \"ais\"\nudp = \"0.0.0.0:10111\"\n\
             \n[[nmea_source]]\nname = \"ais-serial\"\nreceiver = \"ais\"\nserial = \"/dev/ttyUSB1\"\n"
        ))
        .unwrap();
        let transports: Vec<_> = c
            .nmea_sources
            .iter()
            .map(|s| s.transport("nmea_source").unwrap())
            .collect();
        assert_eq!(
            transports,
            vec![
                NmeaTransport::Tcp("receiver.local:10110".into()),
                NmeaTransport::Udp("0.0.0.0:10111".parse().unwrap()),
                NmeaTransport::Serial("/dev/ttyUSB1".into(), 38_400),
            ]
        );
        let source = |body: &str| format!("{MINIMAL}\n[[nmea_source]]\nname = \"n\"\n{body}\n");
        let cases = [
            ("receiver = \"ais\"", "nmea_source[0].tcp: give exactly one"),
            (
                "receiver = \"ais\"\ntcp = \"h:1\"\nudp = \"0.0.0.0:1\"",
                "nmea_source[0].tcp: give exactly one",
            ),
            (
                "receiver = \"radar\"\ntcp = \"h:1\"",
                "nmea_source[0].receiver",
            ),
            ("receiver = \"ais\"\ntcp = \"h\"", "nmea_source[0].tcp"),
            ("receiver = \"ais\"\ntcp = \":10110\"", "nmea_source[0].tcp"),
            ("receiver = \"ais\"\ntcp = \"h:0\"", "nmea_source[0].tcp"),
            (
                "receiver = \"ais\"\nudp = \"any:10110\"",
                "nmea_source[0].udp",
            ),
            (
                "receiver = \"ais\"\nserial = \"/dev/ttyS0\"\nbaud = 7",
                "nmea_source[0].baud",
            ),
            (
                "receiver = \"ais\"\ntcp = \"h:1\"\nbaud = 38400",
                "nmea_source[0].baud",
            ),
            ("receiver = \"ais\"\nserial = \"\"", "nmea_source[0].serial"),
            (
                "receiver = \"ais\"\ntcp = \"h:1\"\nreopen_min_ms = 0",
                "nmea_source[0].reopen_min_ms",
            ),
        ];
        for (body, expected) in cases {
            let e = error_of(&source(body));
            assert!(e.starts_with(expected), "{body}: {e}");
        }
        // Names are unique across serial and NMEA sources (they share the status and logs).
        let e = error_of(&format!(
            "{MINIMAL}\n[[nmea_source]]\nname = \"radar-link\"\nreceiver = \"ais\"\ntcp = \"h:1\"\n"
        ));
        assert!(e.starts_with("nmea_source[0].name"), "{e}");
        let e = error_of(&source("receiver = \"ais\"\ntcp = \"h:1\"\nport = 1"));
        assert!(e.contains("port"), "{e}");
    }

    #[test]
    fn invalid_values_name_their_key() {
        let cases = [
            ("country = \"GR\"", "country = \"Greece\"", "post.country"),
            (
                "post = \"samos-east\"",
                "post = \"samos/east\"",
                "post.post",
            ),
            (
                "sigma_range_m = 15.0",
                "sigma_range_m = -1.0",
                "radar[0].sigma_range_m",
            ),
            (
                "lat = 37.69, lon = 26.97, alt_m",
                "lat = 97.69, lon = 26.97, alt_m",
                "radar[0].position",
            ),
            ("node_id = 7", "node_id = 17", "ais_receiver[0].node_id"),
            (
                "range_m = 40000.0",
                "range_m = nan",
                "ais_receiver[0].range_m",
            ),
            ("host = \"localhost\"", "host = \"\"", "mqtt.host"),
        ];
        for (from, to, key) in cases {
            let e = error_of(&MINIMAL.replace(from, to));
            assert!(e.starts_with(key), "{to}: {e}");
        }
        let e = error_of(&format!(
            "{MINIMAL}\n[tracker]\nconfirm_m = 5\nconfirm_n = 4\n"
        ));
        assert!(e.starts_with("tracker.confirm_m"), "{e}");
    }
}
