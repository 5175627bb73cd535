//! `[plates]`: the plate engine's settings in the agent's config file.
//!
//! ```toml
//! [plates]
//! max_future_skew_s = 30          # reads further ahead of the post's clock are refused
//! clear_retention_s = 86400       # plates in clear are deleted this long after their last read
//! hotlist = ["/etc/borderfuse/hotlist.txt"]   # digests or clear plates, see plates::hotlist
//! max_hotlist_entries = 2000000   # distinct digests, files and shared lists together
//! hotlist_topics = ["borderfuse/v1/hotlist/+"]   # shared lists over MQTT, see below
//! max_hotlist_message_bytes = 8388608
//!
//! [plates.matching]
//! max_substitutions = 2           # OCR confusions assumed at most in one reading
//! max_variants = 64               # variants hashed per read, at most
//! substitution_penalty = 0.5      # score factor per confusion
//! min_hotlist_score = 0.2         # weakest variant a hotlist match may be
//!
//! [plates.crossing]
//! max_speed_kmh = 130
//! detour_factor = 1.3             # road distance / great-circle distance
//! passage_merge_s = 60            # reads of one plate at one checkpoint this close: one passage
//! max_crossings = 4               # repeat_crossing: more than this ...
//! repeat_window_s = 86400         # ... within this
//! retention_s = 172800            # passages (by digest) are forgotten after this
//! max_plates = 1000000
//!
//! [[plates.checkpoint]]
//! id = "kipoi"
//! position = { lat = 40.93, lon = 26.33 }
//! nodes = [31, 32]                # plate-reader nodes here (their PlateRead frames)
//! camera_listen = "0.0.0.0:9300"       # cameras pushing JSON lines over TCP
//! camera_http_listen = "0.0.0.0:9380"  # cameras POSTing JSON (Plate Recognizer Stream webhooks)
//! ```
//!
//! The plate key is `sharing.plate_key`: the hotlist and the hashes that leave the post must
//! be made with the same key.
//!
//! **Shared hotlists.** With `hotlist_topics`, the agent subscribes (QoS 1, its own MQTT
//! connection to the `[mqtt]` broker with the same TLS and credentials, client id
//! `<mqtt client id>-hotlist`) to these topic filters. Each message is one list, retained so
//! that an agent starting later gets it:
//!
//! ```json
//! {"list": "gr-stolen", "version": 42, "digests": ["<64 hex>", "..."]}
//! ```
//!
//! Digests only (HMAC-SHA256 under `sharing.plate_key`, with or without `hmac-sha256:`),
//! never plates in clear. A list is known by its topic and `list` name (so a partner the
//! broker's ACL lets publish on its own topic only cannot replace another's list); a higher
//! `version` replaces that list's previous digests, and only those; an equal or lower one is
//! ignored (counted `hotlist_stale`). A message over `max_hotlist_message_bytes` (the broker
//! is told this as the MQTT 5 maximum packet size, and drops such messages), with a bad
//! digest, or that would take the files and lists past `max_hotlist_entries` distinct digests
//! is refused, counted and logged at a rate limit, and the list held before stays. An empty
//! retained message (the publisher clearing it) withdraws the lists of that topic.

use super::confusion::VariantLimits;
use super::crossing::{Checkpoint, CrossingLimits, RING_LEN};
use super::hotlist::{Hotlist, HotlistError};
use super::{EngineSettings, PlateEngine, read};
use crate::config::{ConfigError, Position, invalid, non_negative, positive};
use crate::share::PlateKey;
use serde::{Deserialize, Serialize};
use std::path::PathBuf;

/// Most variants per read a config may ask for: the hashing budget of one read.
pub const MAX_VARIANTS_LIMIT: usize = 4096;

/// `[plates]`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct PlatesConfig {
    /// How far ahead of the post's clock a read may be, s.
    pub max_future_skew_s: f64,
    /// Plates in clear are deleted this long after their last read, s.
    pub clear_retention_s: f64,
    /// Hotlist files.
    pub hotlist: Vec<PathBuf>,
    /// Most hotlist entries (distinct digests), all files and shared lists together.
    pub max_hotlist_entries: usize,
    /// MQTT topic filters partners share hotlists on (see the module documentation).
    pub hotlist_topics: Vec<String>,
    /// Largest shared hotlist message taken, bytes.
    pub max_hotlist_message_bytes: usize,
    /// `[plates.matching]`.
    pub matching: MatchingConfig,
    /// `[plates.crossing]`.
    pub crossing: CrossingConfig,
    /// `[[plates.checkpoint]]`: own and partners' checkpoints.
    #[serde(rename = "checkpoint")]
    pub checkpoints: Vec<CheckpointConfig>,
}

impl Default for PlatesConfig {
    fn default() -> Self {
        let e = EngineSettings::default();
        PlatesConfig {
            max_future_skew_s: e.max_future_skew_s,
            clear_retention_s: e.clear_retention_s,
            hotlist: Vec::new(),
            max_hotlist_entries: e.max_hotlist_entries,
            hotlist_topics: Vec::new(),
            max_hotlist_message_bytes: 8 * 1024 * 1024,
            matching: MatchingConfig::default(),
            crossing: CrossingConfig::default(),
            checkpoints: Vec::new(),
        }
    }
}

/// `[plates.matching]`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct MatchingConfig {
    /// OCR confusions assumed at most in one reading.
    pub max_substitutions: usize,
    /// Variants hashed per read, at most.
    pub max_variants: usize,
    /// Score factor per confusion, `(0, 1]`.
    pub substitution_penalty: f32,
    /// Weakest variant a hotlist match may be, `[0, 1]`.
    pub min_hotlist_score: f32,
}

impl Default for MatchingConfig {
    fn default() -> Self {
        let v = VariantLimits::default();
        MatchingConfig {
            max_substitutions: v.max_substitutions,
            max_variants: v.max_variants,
            substitution_penalty: v.substitution_penalty,
            min_hotlist_score: EngineSettings::default().min_hotlist_score,
        }
    }
}

/// `[plates.crossing]`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct CrossingConfig {
    /// Fastest plausible road speed, km/h.
    pub max_speed_kmh: f64,
    /// Road distance / great-circle distance, ≥ 1.
    pub detour_factor: f64,
    /// Reads of one plate at one checkpoint this close in time are one passage, s.
    pub passage_merge_s: f64,
    /// `repeat_crossing`: more passages than this ...
    pub max_crossings: usize,
    /// ... within this, s.
    pub repeat_window_s: f64,
    /// Passages (by digest) are forgotten this long after the plate's last passage, s.
    pub retention_s: f64,
    /// Most plates tracked at once.
    pub max_plates: usize,
}

impl Default for CrossingConfig {
    fn default() -> Self {
        let c = CrossingLimits::default();
        CrossingConfig {
            max_speed_kmh: c.max_speed_mps * 3.6,
            detour_factor: c.detour_factor,
            passage_merge_s: c.passage_merge_s,
            max_crossings: c.max_crossings,
            repeat_window_s: c.repeat_window_s,
            retention_s: c.retention_s,
            max_plates: c.max_plates,
        }
    }
}

/// `[[plates.checkpoint]]`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct CheckpointConfig {
    /// The name reads and partner sightings use.
    pub id: String,
    /// Where it is.
    pub position: Position,
    /// Plate-reader nodes at this checkpoint, by the node id their frames carry: their
    /// `PlateRead` frames feed the plate engine (which then needs `sharing.plate_key`).
    #[serde(default)]
    pub nodes: Vec<u32>,
    /// Where the checkpoint's cameras push their results, e.g. `"0.0.0.0:9300"`: a TCP
    /// listener taking one camera JSON object a line (OpenALPR / Plate Recognizer style).
    #[serde(default)]
    pub camera_listen: Option<String>,
    /// Where the checkpoint's cameras POST their results over HTTP/1.1, e.g.
    /// `"0.0.0.0:9380"`: Plate Recognizer Stream webhooks (JSON, without images), or one
    /// read or an array of reads a request, to `/` or `/plates`
    /// ([`crate::ingest::camera_http`]).
    #[serde(default)]
    pub camera_http_listen: Option<String>,
}

impl PlatesConfig {
    /// Checks every value; the error names the first offending key.
    pub fn validate(&self) -> Result<(), ConfigError> {
        non_negative("plates.max_future_skew_s", self.max_future_skew_s)?;
        positive("plates.clear_retention_s", self.clear_retention_s)?;
        if self.max_hotlist_entries == 0 {
            return Err(invalid("plates.max_hotlist_entries", "must be at least 1"));
        }
        for (i, path) in self.hotlist.iter().enumerate() {
            if path.as_os_str().is_empty() {
                return Err(invalid(format!("plates.hotlist[{i}]"), "must not be empty"));
            }
        }
        for (i, filter) in self.hotlist_topics.iter().enumerate() {
            if let Err(reason) = check_topic_filter(filter) {
                return Err(invalid(format!("plates.hotlist_topics[{i}]"), reason));
            }
        }
        if !(1024..=MAX_HOTLIST_MESSAGE_LIMIT).contains(&self.max_hotlist_message_bytes) {
            return Err(invalid(
                "plates.max_hotlist_message_bytes",
                format!(
                    "{} must be 1024-{MAX_HOTLIST_MESSAGE_LIMIT}",
                    self.max_hotlist_message_bytes
                ),
            ));
        }
        let m = &self.matching;
        if m.max_variants == 0 || m.max_variants > MAX_VARIANTS_LIMIT {
            return Err(invalid(
                "plates.matching.max_variants",
                format!("{} must be 1-{MAX_VARIANTS_LIMIT}", m.max_variants),
            ));
        }
        if m.max_substitutions > read::MAX_CANDIDATES {
            return Err(invalid(
                "plates.matching.max_substitutions",
                format!(
                    "{} must be at most {}",
                    m.max_substitutions,
                    read::MAX_CANDIDATES
                ),
            ));
        }
        if !(m.substitution_penalty > 0.0 && m.substitution_penalty <= 1.0) {
            return Err(invalid(
                "plates.matching.substitution_penalty",
                format!("{} must be in (0, 1]", m.substitution_penalty),
            ));
        }
        if !(0.0..=1.0).contains(&m.min_hotlist_score) {
            return Err(invalid(
                "plates.matching.min_hotlist_score",
                format!("{} must be in [0, 1]", m.min_hotlist_score),
            ));
        }
        let c = &self.crossing;
        positive("plates.crossing.max_speed_kmh", c.max_speed_kmh)?;
        if !(c.detour_factor.is_finite() && c.detour_factor >= 1.0) {
            return Err(invalid(
                "plates.crossing.detour_factor",
                format!("{} must be a finite number ≥ 1", c.detour_factor),
            ));
        }
        non_negative("plates.crossing.passage_merge_s", c.passage_merge_s)?;
        positive("plates.crossing.repeat_window_s", c.repeat_window_s)?;
        positive("plates.crossing.retention_s", c.retention_s)?;
        if c.max_crossings == 0 || c.max_crossings >= RING_LEN {
            return Err(invalid(
                "plates.crossing.max_crossings",
                format!(
                    "{} must be 1-{} (passages are kept {RING_LEN} a plate)",
                    c.max_crossings,
                    RING_LEN - 1
                ),
            ));
        }
        if c.max_plates == 0 {
            return Err(invalid("plates.crossing.max_plates", "must be at least 1"));
        }
        for (i, cp) in self.checkpoints.iter().enumerate() {
            let key = format!("plates.checkpoint[{i}]");
            if cp.id.trim().is_empty() {
                return Err(invalid(format!("{key}.id"), "must not be empty"));
            }
            if self.checkpoints[..i].iter().any(|o| o.id == cp.id) {
                return Err(invalid(
                    format!("{key}.id"),
                    format!("{:?} is listed twice", cp.id),
                ));
            }
            cp.position.validate(&format!("{key}.position"))?;
            for (name, listen) in [
                ("camera_listen", &cp.camera_listen),
                ("camera_http_listen", &cp.camera_http_listen),
            ] {
                let Some(listen) = listen else { continue };
                let addr: std::net::SocketAddr = listen.parse().map_err(|_| {
                    invalid(
                        format!("{key}.{name}"),
                        format!("{listen:?} is not an address:port such as \"0.0.0.0:9300\""),
                    )
                })?;
                // Listeners before this one: every earlier checkpoint's, and this one's TCP
                // listener when this is its HTTP one.
                let earlier = self.checkpoints[..i]
                    .iter()
                    .flat_map(|o| [o.camera_listen.as_deref(), o.camera_http_listen.as_deref()])
                    .chain([(name == "camera_http_listen")
                        .then_some(cp.camera_listen.as_deref())
                        .flatten()]);
                let taken = earlier
                    .flatten()
                    .filter_map(|o| o.parse::<std::net::SocketAddr>().ok())
                    .any(|o| o == addr);
                if taken {
                    return Err(invalid(
                        format!("{key}.{name}"),
                        format!("{listen} is another camera listener's"),
                    ));
                }
            }
            for node in &cp.nodes {
                if self.checkpoints[..i]
                    .iter()
                    .chain(std::iter::once(cp))
                    .flat_map(|c| &c.nodes)
                    .filter(|n| *n == node)
                    .count()
                    > 1
                {
                    return Err(invalid(
                        format!("{key}.nodes"),
                        format!("node {node} is listed twice"),
                    ));
                }
            }
        }
        Ok(())
    }

    /// Whether plate-reader nodes or camera listeners are configured (and so the engine must
    /// run).
    pub fn has_nodes(&self) -> bool {
        self.checkpoints.iter().any(|c| {
            !c.nodes.is_empty() || c.camera_listen.is_some() || c.camera_http_listen.is_some()
        })
    }

    /// The checkpoints whose cameras POST over HTTP: (checkpoint id, address), validated.
    pub fn camera_http_listeners(&self) -> Vec<(String, std::net::SocketAddr)> {
        self.checkpoints
            .iter()
            .filter_map(|c| {
                let addr = c.camera_http_listen.as_deref()?.parse().ok()?;
                Some((c.id.clone(), addr))
            })
            .collect()
    }

    /// The checkpoints whose cameras push over TCP: (checkpoint id, address), validated.
    pub fn camera_listeners(&self) -> Vec<(String, std::net::SocketAddr)> {
        self.checkpoints
            .iter()
            .filter_map(|c| {
                let addr = c.camera_listen.as_deref()?.parse().ok()?;
                Some((c.id.clone(), addr))
            })
            .collect()
    }

    /// The engine for these settings (after [`PlatesConfig::validate`]), hashing with `key`
    /// (`sharing.plate_key`), its hotlist loaded from the `hotlist` files.
    pub fn build_engine(&self, key: PlateKey) -> Result<PlateEngine, HotlistError> {
        let mut hotlist = Hotlist::default();
        for path in &self.hotlist {
            hotlist.load_file(path, &key, self.max_hotlist_entries)?;
        }
        Ok(PlateEngine::new(self.engine_settings(), key, hotlist))
    }

    /// The engine's settings (after [`PlatesConfig::validate`]).
    pub fn engine_settings(&self) -> EngineSettings {
        let m = &self.matching;
        let c = &self.crossing;
        EngineSettings {
            max_future_skew_s: self.max_future_skew_s,
            clear_retention_s: self.clear_retention_s,
            variants: VariantLimits {
                max_substitutions: m.max_substitutions,
                max_variants: m.max_variants,
                substitution_penalty: m.substitution_penalty,
            },
            min_hotlist_score: m.min_hotlist_score,
            crossing: CrossingLimits {
                max_speed_mps: c.max_speed_kmh / 3.6,
                detour_factor: c.detour_factor,
                passage_merge_s: c.passage_merge_s,
                max_crossings: c.max_crossings,
                repeat_window_s: c.repeat_window_s,
                retention_s: c.retention_s,
                max_plates: c.max_plates,
            },
            checkpoints: self
                .checkpoints
                .iter()
                .map(|c| Checkpoint {
                    id: c.id.clone(),
                    lat: c.position.lat,
                    lon: c.position.lon,
                })
                .collect(),
            max_hotlist_entries: self.max_hotlist_entries,
            ..EngineSettings::default()
        }
    }
}

/// Largest shared hotlist message a config may allow: MQTT's own packet limit is 256 MiB.
pub const MAX_HOTLIST_MESSAGE_LIMIT: usize = 256 * 1024 * 1024 - 1024;

/// Checks an MQTT topic filter: levels split by `/`, `+` a whole level, `#` the whole last
/// level, no NUL, not empty.
fn check_topic_filter(filter: &str) -> Result<(), String> {
    if filter.is_empty() || filter.len() > 65_535 || filter.contains('\0') {
        return Err(format!("{filter:?} is not an MQTT topic filter"));
    }
    let levels: Vec<&str> = filter.split('/').collect();
    for (i, level) in levels.iter().enumerate() {
        let wildcard_misplaced = (level.contains('+') && *level != "+")
            || (level.contains('#') && (*level != "#" || i + 1 != levels.len()));
        if wildcard_misplaced {
            return Err(format!(
                "{filter:?}: + and # must be whole levels, # the last"
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<PlatesConfig, ConfigError> {
        let c: PlatesConfig = toml::from_str(text)?;
        c.validate()?;
        Ok(c)
    }

    #[test]
    fn the_documented_example_parses_and_validates() {
        let doc = include_str!("config.rs");
        let example: String = doc
            .lines()
            .skip_while(|l| !l.starts_with("//! ```toml"))
            .skip(1)
            .take_while(|l| !l.starts_with("//! ```"))
            .map(|l| format!("{}\n", l.trim_start_matches("//!").trim_start()))
            .collect();
        let outer: toml::Table = toml::from_str(&example).unwrap();
        let c: PlatesConfig = outer["plates"].clone().try_into().unwrap();
        c.validate().unwrap();
        let s = c.engine_settings();
        assert_eq!(s.checkpoints.len(), 1);
        assert!((s.crossing.max_speed_mps - 36.111).abs() < 1e-3);
    }

    #[test]
    fn the_engine_is_built_with_the_hotlist_files_hashed() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("hotlist.txt");
        std::fs::write(&path, "# GR police\nAB-123-CD,FR\n").unwrap();
        let config = PlatesConfig {
            hotlist: vec![path.clone()],
            ..PlatesConfig::default()
        };
        let key = PlateKey::from_bytes(&[1; 32]).unwrap();
        let mut engine = config.build_engine(key.clone()).unwrap();
        assert!(
            engine
                .hotlist_mut()
                .contains(&super::super::PlateDigest::of(&key, "AB123CD"))
        );
        let missing = PlatesConfig {
            hotlist: vec![dir.path().join("nope.txt")],
            ..PlatesConfig::default()
        };
        assert!(matches!(
            missing.build_engine(key),
            Err(HotlistError::Read { .. })
        ));
    }

    #[test]
    fn a_bad_value_is_refused_with_its_key() {
        for (text, key) in [
            ("clear_retention_s = 0", "plates.clear_retention_s"),
            (
                "[matching]\nsubstitution_penalty = 1.5",
                "plates.matching.substitution_penalty",
            ),
            (
                "[matching]\nmax_variants = 0",
                "plates.matching.max_variants",
            ),
            (
                "[crossing]\ndetour_factor = 0.5",
                "plates.crossing.detour_factor",
            ),
            (
                "[crossing]\nmax_crossings = 99",
                "plates.crossing.max_crossings",
            ),
            ("hotlist_topics = [\"a/#/b\"]", "plates.hotlist_topics[0]"),
            (
                "hotlist_topics = [\"a/+\", \"a/b+\"]",
                "plates.hotlist_topics[1]",
            ),
            (
                "max_hotlist_message_bytes = 10",
                "plates.max_hotlist_message_bytes",
            ),
            (
                "[[checkpoint]]\nid = \"a\"\nposition = { lat = 95, lon = 0 }",
                "plates.checkpoint[0].position",
            ),
            (
                "[[checkpoint]]\nid = \"a\"\nposition = { lat = 1, lon = 0 }\n\
                 [[checkpoint]]\nid = \"a\"\nposition = { lat = 2, lon = 0 }",
                "plates.checkpoint[1].id",
            ),
        ] {
            let e = parse(text).unwrap_err().to_string();
            assert!(e.starts_with(key), "{text}: {e}");
        }
        assert!(parse("retention = 1").is_err(), "unknown keys are refused");
    }
}
