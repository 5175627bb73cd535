//! The per-partner sharing policy: who receives which alert kinds, which fields, on which
//! topic, and whether plates reach them in clear.
//!
//! Every alert gives one signed message per receiver that should get it: the post's own
//! topic `borderfuse/v1/{country}/{post}/alerts/{kind}` (DESIGN.md; all fields, plates
//! hashed) and each partner's topic, by default
//! `borderfuse/v1/{country}/{post}/to/{partner}/alerts/{kind}`, so a broker ACL such as
//! mosquitto's `pattern read borderfuse/v1/+/+/to/%u/#` lets each partner read its own
//! messages only. A partner gets only the kinds and fields its entry lists; the envelope
//! (`schema`, `id`, `revision`, `state`, `kind`, `country`, `post`, `time`, and the
//! signature) always goes, since without it an alert cannot be deduplicated or verified.
//!
//! ```toml
//! [signing]
//! key = "/etc/borderfuse/keys/GR-samos-east.key.pem"
//!
//! [sharing]
//! plate_key = "/etc/borderfuse/keys/plate.key"
//! own = { enabled = true, clear_plates = false }
//!
//! [[sharing.partner]]
//! name = "tr-coastguard"
//! kinds = ["dark_target", "rendezvous"]
//! fields = ["severity", "lat", "lon", "raised", "identity.mmsi", "evidence"]
//!
//! [[sharing.partner]]
//! name = "gr-police"
//! topic = "borderfuse/v1/{country}/{post}/police/{kind}"
//! kinds = ["*"]
//! fields = ["*"]
//! clear_plates = true
//! ```

use super::plate::{DEFAULT_PLATE_FIELDS, PlateCounts, PlateFields, pseudonymise};
use super::sign::{KeyError, KeyId, Signer};
use super::{ALERT_KINDS, Origin, OriginError, PlateKey, is_topic_name};
use crate::config::{ConfigError, invalid};
use crate::detect::Alert;
use crate::metrics::RateLimit;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use std::collections::{BTreeMap, HashSet};
use std::path::PathBuf;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

/// Members every receiver gets: what identifies, orders and authenticates an alert.
pub const ENVELOPE_FIELDS: [&str; 8] = [
    "schema", "id", "revision", "state", "kind", "country", "post", "time",
];

/// Top-level members a partner's `fields` may list (besides the envelope).
pub const OPTIONAL_FIELDS: [&str; 8] = [
    "severity",
    "raised",
    "first_seen",
    "lat",
    "lon",
    "track_id",
    "identity",
    "evidence",
];

/// Members of `identity` a partner's `fields` may list as `identity.NAME`.
pub const IDENTITY_FIELDS: [&str; 5] = ["mmsi", "name", "callsign", "imo", "plate"];

/// The default topic of a partner's messages.
pub const DEFAULT_PARTNER_TOPIC: &str = "borderfuse/v1/{country}/{post}/to/{partner}/alerts/{kind}";

/// The post's own alert topic (DESIGN.md).
pub const OWN_TOPIC: &str = "borderfuse/v1/{country}/{post}/alerts/{kind}";

/// The post's track topic (DESIGN.md).
pub const TRACKS_TOPIC: &str = "borderfuse/v1/{country}/{post}/tracks";

/// The `[signing]` table: the post's alert-signing key.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SigningConfig {
    /// PKCS#8 PEM Ed25519 private key, mode 0600 (`borderfuse-agent keygen` writes one).
    pub key: PathBuf,
}

impl SigningConfig {
    /// Checks values that parse but make no sense, naming the key.
    pub fn validate(&self) -> Result<(), ConfigError> {
        if self.key.as_os_str().is_empty() {
            return Err(invalid("signing.key", "must not be empty"));
        }
        Ok(())
    }
}

/// The `[sharing]` table.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SharingConfig {
    /// The post's own topic.
    pub own: OwnTopicConfig,
    /// File with the plate key the partners share (hex, mode 0600). Without it, plates are
    /// removed, not hashed, for every receiver not cleared for them.
    pub plate_key: Option<PathBuf>,
    /// Member names whose values are plates, wherever they appear (compared case- and
    /// `_`/`-`-insensitively); must include `plate`.
    pub plate_fields: Vec<String>,
    /// The partners, each `[[sharing.partner]]`.
    #[serde(rename = "partner")]
    pub partners: Vec<PartnerConfig>,
}

impl Default for SharingConfig {
    fn default() -> Self {
        SharingConfig {
            own: OwnTopicConfig::default(),
            plate_key: None,
            plate_fields: DEFAULT_PLATE_FIELDS
                .iter()
                .map(|s| (*s).to_owned())
                .collect(),
            partners: Vec::new(),
        }
    }
}

/// The post's own topic `borderfuse/v1/{country}/{post}/alerts/{kind}`: every kind, every
/// field.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct OwnTopicConfig {
    /// Whether alerts go there at all.
    pub enabled: bool,
    /// Whether plates go there in clear (only if nobody outside the post reads it).
    pub clear_plates: bool,
}

impl Default for OwnTopicConfig {
    fn default() -> Self {
        OwnTopicConfig {
            enabled: true,
            clear_plates: false,
        }
    }
}

/// One partner, `[[sharing.partner]]`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PartnerConfig {
    /// Partner name: 1-64 characters of `a-z`, `0-9`, `-`, `_` (a topic level).
    pub name: String,
    /// Topic template; `{country}`, `{post}`, `{partner}` and `{kind}` are replaced.
    #[serde(default = "default_partner_topic")]
    pub topic: String,
    /// Alert kinds it receives, or `["*"]` for all.
    pub kinds: Vec<String>,
    /// Fields it receives besides the envelope: top-level names, `identity.NAME`,
    /// `evidence` or `evidence.PATH` (a path through objects; arrays are crossed), or
    /// `["*"]` for all.
    pub fields: Vec<String>,
    /// Whether it receives plate numbers in clear.
    #[serde(default)]
    pub clear_plates: bool,
}

fn default_partner_topic() -> String {
    DEFAULT_PARTNER_TOPIC.to_owned()
}

impl SharingConfig {
    /// Checks values that parse but make no sense, naming the key (e.g.
    /// `sharing.partner[1].kinds`).
    pub fn validate(&self) -> Result<(), ConfigError> {
        if let Some(path) = &self.plate_key
            && path.as_os_str().is_empty()
        {
            return Err(invalid("sharing.plate_key", "must not be empty"));
        }
        if !self
            .plate_fields
            .iter()
            .any(|f| super::plate::normalise_field_name(f) == "plate")
        {
            return Err(invalid(
                "sharing.plate_fields",
                "must include \"plate\" (identity.plate is where alerts carry plates)",
            ));
        }
        for (i, f) in self.plate_fields.iter().enumerate() {
            if super::plate::normalise_field_name(f).is_empty() {
                return Err(invalid(
                    format!("sharing.plate_fields[{i}]"),
                    "must not be empty",
                ));
            }
        }
        let own_topics = [OWN_TOPIC, TRACKS_TOPIC]
            .map(|t| Topic::parse(t).map(|t| t.sample("")))
            .into_iter()
            .collect::<Result<Vec<_>, _>>()
            .map_err(|reason| invalid("sharing.own", reason))?;
        let mut names = HashSet::new();
        let mut topics = HashSet::new();
        for (i, p) in self.partners.iter().enumerate() {
            let key = |field: &str| format!("sharing.partner[{i}].{field}");
            if !is_topic_name(&p.name) {
                return Err(invalid(
                    key("name"),
                    format!(
                        "{:?} must be 1-64 characters of a-z, 0-9, '-' and '_' (it is a topic level)",
                        p.name
                    ),
                ));
            }
            if !names.insert(p.name.as_str()) {
                return Err(invalid(
                    key("name"),
                    format!("{:?} is used by another partner", p.name),
                ));
            }
            let topic = Topic::parse(&p.topic).map_err(|reason| invalid(key("topic"), reason))?;
            let sample = topic.sample(&p.name);
            if own_topics.contains(&sample) {
                return Err(invalid(
                    key("topic"),
                    "is one of the post's own topics: partners need their own",
                ));
            }
            if !topics.insert(sample) {
                return Err(invalid(
                    key("topic"),
                    format!("{:?} is the topic of another partner", p.topic),
                ));
            }
            KindFilter::parse(&p.kinds).map_err(|(j, reason)| match j {
                Some(j) => invalid(format!("sharing.partner[{i}].kinds[{j}]"), reason),
                None => invalid(key("kinds"), reason),
            })?;
            FieldTree::parse(&p.fields).map_err(|(j, reason)| match j {
                Some(j) => invalid(format!("sharing.partner[{i}].fields[{j}]"), reason),
                None => invalid(key("fields"), reason),
            })?;
        }
        Ok(())
    }
}

/// One piece of a topic template.
#[derive(Debug, Clone, PartialEq, Eq)]
enum TopicPart {
    Text(String),
    Country,
    Post,
    Partner,
    Kind,
}

/// A parsed topic template.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Topic(Vec<TopicPart>);

impl Topic {
    fn parse(template: &str) -> Result<Topic, String> {
        let mut parts = Vec::new();
        let mut rest = template;
        while !rest.is_empty() {
            let brace = rest.find(['{', '}']).unwrap_or(rest.len());
            let (text, tail) = rest.split_at(brace);
            if !text.is_empty() {
                if let Some(c) = text.chars().find(|c| matches!(c, '+' | '#' | '\0')) {
                    return Err(format!(
                        "{template:?} contains {c:?}, which is not allowed in a topic name"
                    ));
                }
                parts.push(TopicPart::Text(text.to_owned()));
            }
            if tail.is_empty() {
                break;
            }
            let close = tail
                .strip_prefix('{')
                .and_then(|t| t.find('}'))
                .ok_or_else(|| format!("{template:?} has an unmatched brace"))?;
            let name = tail.get(1..=close).unwrap_or_default();
            parts.push(match name {
                "country" => TopicPart::Country,
                "post" => TopicPart::Post,
                "partner" => TopicPart::Partner,
                "kind" => TopicPart::Kind,
                other => {
                    return Err(format!(
                        "{template:?}: unknown placeholder {{{other}}} (known: {{country}}, {{post}}, {{partner}}, {{kind}})"
                    ));
                }
            });
            rest = tail.get(close + 2..).unwrap_or_default();
        }
        let topic = Topic(parts);
        let sample = topic.sample("partner");
        if sample.starts_with('$') {
            return Err(format!(
                "{template:?} starts with '$', reserved for the broker"
            ));
        }
        if sample.split('/').any(str::is_empty) {
            return Err(format!(
                "{template:?} has an empty topic level (leading, trailing or double '/')"
            ));
        }
        if sample.len() > 60_000 {
            return Err("is too long for an MQTT topic".into());
        }
        Ok(topic)
    }

    fn render(&self, origin: &Origin, partner: &str, kind: &str) -> String {
        let mut out = String::new();
        for part in &self.0 {
            out.push_str(match part {
                TopicPart::Text(t) => t,
                TopicPart::Country => origin.country(),
                TopicPart::Post => origin.post(),
                TopicPart::Partner => partner,
                TopicPart::Kind => kind,
            });
        }
        out
    }

    /// Rendered with placeholder values, to compare templates.
    fn sample(&self, partner: &str) -> String {
        let mut out = String::new();
        for part in &self.0 {
            out.push_str(match part {
                TopicPart::Text(t) => t,
                TopicPart::Country => "{country}",
                TopicPart::Post => "{post}",
                TopicPart::Partner => partner,
                TopicPart::Kind => "{kind}",
            });
        }
        out
    }
}

/// Which kinds a receiver gets.
#[derive(Debug, Clone)]
enum KindFilter {
    All,
    Only(HashSet<String>),
}

impl KindFilter {
    /// From a config list; the error has the index of the bad entry, if one is.
    fn parse(kinds: &[String]) -> Result<KindFilter, (Option<usize>, String)> {
        if kinds.is_empty() {
            return Err((
                None,
                "lists no kind: name at least one, or \"*\" for all, or remove the partner".into(),
            ));
        }
        if kinds.len() == 1 && kinds.first().is_some_and(|k| k == "*") {
            return Ok(KindFilter::All);
        }
        let mut set = HashSet::new();
        for (j, k) in kinds.iter().enumerate() {
            if k == "*" {
                return Err((Some(j), "\"*\" must be the only entry".into()));
            }
            if !ALERT_KINDS.contains(&k.as_str()) {
                return Err((
                    Some(j),
                    format!(
                        "{k:?} is not an alert kind (one of {})",
                        ALERT_KINDS.join(", ")
                    ),
                ));
            }
            if !set.insert(k.clone()) {
                return Err((Some(j), format!("{k:?} is listed twice")));
            }
        }
        Ok(KindFilter::Only(set))
    }

    fn admits(&self, kind: &str) -> bool {
        match self {
            KindFilter::All => true,
            KindFilter::Only(set) => set.contains(kind),
        }
    }
}

/// The fields a receiver gets, as a tree of member names: a node with `all` keeps its whole
/// subtree.
#[derive(Debug, Clone, Default)]
struct FieldTree {
    all: bool,
    children: BTreeMap<String, FieldTree>,
}

impl FieldTree {
    fn everything() -> FieldTree {
        FieldTree {
            all: true,
            children: BTreeMap::new(),
        }
    }

    /// From a config list; the error has the index of the bad entry, if one is.
    fn parse(fields: &[String]) -> Result<FieldTree, (Option<usize>, String)> {
        if fields.len() == 1 && fields.first().is_some_and(|f| f == "*") {
            return Ok(FieldTree::everything());
        }
        let mut root = FieldTree::default();
        let mut seen = HashSet::new();
        for (j, field) in fields.iter().enumerate() {
            let bad = |reason: String| (Some(j), reason);
            if field == "*" {
                return Err(bad("\"*\" must be the only entry".into()));
            }
            if !seen.insert(field.as_str()) {
                return Err(bad(format!("{field:?} is listed twice")));
            }
            let segments: Vec<&str> = field.split('.').collect();
            if segments.iter().any(|s| s.is_empty()) {
                return Err(bad(format!("{field:?} has an empty segment")));
            }
            match segments.as_slice() {
                [top, ..] if ENVELOPE_FIELDS.contains(top) && segments.len() == 1 => {}
                [top] if OPTIONAL_FIELDS.contains(top) => {}
                ["identity", name] if IDENTITY_FIELDS.contains(name) => {}
                ["evidence", ..] => {}
                _ => {
                    return Err(bad(format!(
                        "{field:?} is not a payload field: list {}, identity.{{{}}}, evidence, evidence.PATH, or \"*\" alone",
                        OPTIONAL_FIELDS.join(", "),
                        IDENTITY_FIELDS.join(","),
                    )));
                }
            }
            let mut node = &mut root;
            for s in segments {
                node = node.children.entry(s.to_owned()).or_default();
            }
            node.all = true;
        }
        Ok(root)
    }

    /// What of `value` this node lets through; `None` when nothing.
    fn filter(&self, value: &Value) -> Option<Value> {
        if self.all {
            return Some(value.clone());
        }
        match value {
            Value::Object(object) => {
                let kept: Map<String, Value> = self
                    .children
                    .iter()
                    .filter_map(|(name, node)| {
                        let member = object.get(name)?;
                        Some((name.clone(), node.filter(member)?))
                    })
                    .collect();
                (!kept.is_empty()).then_some(Value::Object(kept))
            }
            Value::Array(items) => {
                let kept: Vec<Value> = items.iter().filter_map(|i| self.filter(i)).collect();
                (!kept.is_empty()).then_some(Value::Array(kept))
            }
            // A path that goes deeper than the value: the value itself was not listed.
            Value::Null | Value::Bool(_) | Value::Number(_) | Value::String(_) => None,
        }
    }
}

/// One receiver of alerts.
#[derive(Debug, Clone)]
struct Audience {
    name: String,
    topic: Topic,
    kinds: KindFilter,
    fields: FieldTree,
    clear_plates: bool,
}

/// One message to publish.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outgoing {
    /// Who it is for: [`OWN_AUDIENCE`] or a partner's name.
    pub audience: String,
    /// Where to publish it.
    pub topic: String,
    /// The signed payload (canonical JSON).
    pub payload: Vec<u8>,
}

/// The [`Outgoing::audience`] of messages on the post's own topic.
pub const OWN_AUDIENCE: &str = "own";

/// Why an alert payload could not be shared.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PolicyError {
    /// The payload is not a JSON object.
    #[error("alert payload is not a JSON object")]
    NotAnObject,
    /// No `kind`, or one that cannot be a topic level.
    #[error("alert payload kind {0:?} is missing or not a topic level")]
    BadKind(String),
    /// The payload's `country`/`post` are not this post's.
    #[error("alert payload claims to come from {claimed}, this post is {post}")]
    WrongOrigin {
        /// What the payload says.
        claimed: String,
        /// This post.
        post: Origin,
    },
    /// The alert could not be turned into JSON.
    #[error("alert payload: {0}")]
    Serialize(String),
}

/// Why a [`Policy`] could not be built from the config.
#[derive(Debug, thiserror::Error)]
pub enum SetupError {
    /// A config value is wrong.
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// The signing key file was refused.
    #[error("signing.key: {0}")]
    SigningKey(KeyError),
    /// The plate key file was refused.
    #[error("sharing.plate_key: {0}")]
    PlateKey(KeyError),
    /// The post's country or name is not valid.
    #[error("post: {0}")]
    Origin(#[from] OriginError),
    /// The config has no `[signing]` table, and the agent signs every alert.
    #[error(
        "signing.key is required: every alert is signed (`borderfuse-agent keygen` makes a key)"
    )]
    NoSigningKey,
    /// No random numbers for a throwaway signing key.
    #[error("generating a signing key: {0}")]
    Random(std::io::Error),
}

/// Counters of what the policy sent and what it held back.
#[derive(Debug, Default)]
struct ShareStats {
    /// Signed messages made.
    messages: AtomicU64,
    /// Plate values replaced by their keyed hash.
    plates_hashed: AtomicU64,
    /// Plate members removed because no plate key is configured.
    plates_removed: AtomicU64,
}

/// The counters of a [`Policy`] at one instant.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct ShareSnapshot {
    /// Signed messages made.
    pub messages: u64,
    /// Plate values replaced by their keyed hash.
    pub plates_hashed: u64,
    /// Plate members removed because no plate key is configured.
    pub plates_removed: u64,
}

/// The sharing policy of one post, with its signing and plate keys.
#[derive(Debug)]
pub struct Policy {
    origin: Origin,
    signer: Signer,
    plate_key: Option<PlateKey>,
    plate_fields: PlateFields,
    audiences: Vec<Audience>,
    /// Whether plates go in clear on the post's own topics (alerts and tracks).
    own_clear_plates: bool,
    /// [`TRACKS_TOPIC`] for this post.
    tracks_topic: String,
    stats: ShareStats,
    removed_log: Mutex<RateLimit>,
}

impl Policy {
    /// The policy of `config` for the post `origin`, signing with `signer`, hashing plates
    /// with `plate_key` (removing them when `None`).
    pub fn new(
        config: &SharingConfig,
        signer: Signer,
        plate_key: Option<PlateKey>,
        origin: Origin,
    ) -> Result<Policy, ConfigError> {
        config.validate()?;
        let mut audiences = Vec::new();
        if config.own.enabled {
            audiences.push(Audience {
                name: OWN_AUDIENCE.to_owned(),
                topic: Topic::parse(OWN_TOPIC).map_err(|r| invalid("sharing.own", r))?,
                kinds: KindFilter::All,
                fields: FieldTree::everything(),
                clear_plates: config.own.clear_plates,
            });
        }
        for (i, p) in config.partners.iter().enumerate() {
            let key = |field: &str| format!("sharing.partner[{i}].{field}");
            audiences.push(Audience {
                name: p.name.clone(),
                topic: Topic::parse(&p.topic).map_err(|r| invalid(key("topic"), r))?,
                kinds: KindFilter::parse(&p.kinds).map_err(|(_, r)| invalid(key("kinds"), r))?,
                fields: FieldTree::parse(&p.fields).map_err(|(_, r)| invalid(key("fields"), r))?,
                clear_plates: p.clear_plates,
            });
        }
        let tracks_topic = Topic::parse(TRACKS_TOPIC)
            .map_err(|r| invalid("sharing.own", r))?
            .render(&origin, "", "");
        Ok(Policy {
            origin,
            signer,
            plate_key,
            plate_fields: PlateFields::new(config.plate_fields.iter().map(String::as_str)),
            audiences,
            own_clear_plates: config.own.clear_plates,
            tracks_topic,
            stats: ShareStats::default(),
            removed_log: Mutex::new(RateLimit::new(Duration::from_secs(60))),
        })
    }

    /// The policy of the agent's config: loads the signing key of `[signing]` and the plate
    /// key of `[sharing]`, for the post `country`/`post`.
    pub fn from_config(
        sharing: &SharingConfig,
        signing: &SigningConfig,
        country: &str,
        post: &str,
    ) -> Result<Policy, SetupError> {
        let origin = Origin::new(country, post)?;
        signing.validate()?;
        let signer = Signer::load(&signing.key).map_err(SetupError::SigningKey)?;
        let plate_key = match &sharing.plate_key {
            Some(path) => Some(PlateKey::load(path).map_err(SetupError::PlateKey)?),
            None => None,
        };
        Ok(Policy::new(sharing, signer, plate_key, origin)?)
    }

    /// The policy of an agent config: `[sharing]`, and `[signing]`, which must be there.
    pub fn of_agent(config: &crate::config::Config) -> Result<Policy, SetupError> {
        let signing = config.signing.as_ref().ok_or(SetupError::NoSigningKey)?;
        Policy::from_config(
            &config.sharing,
            signing,
            &config.post.country,
            &config.post.post,
        )
    }

    /// The policy of an agent config signing with its `[signing]` key when it has one, and
    /// otherwise with a new throwaway key (the demo, `link-test`, tests: nobody needs to
    /// check those signatures later).
    pub fn of_agent_or_throwaway(config: &crate::config::Config) -> Result<Policy, SetupError> {
        if config.signing.is_some() {
            return Policy::of_agent(config);
        }
        let origin = Origin::new(&config.post.country, &config.post.post)?;
        let plate_key = match &config.sharing.plate_key {
            Some(path) => Some(PlateKey::load(path).map_err(SetupError::PlateKey)?),
            None => None,
        };
        let signer = Signer::generate().map_err(SetupError::Random)?;
        Ok(Policy::new(&config.sharing, signer, plate_key, origin)?)
    }

    /// The signed messages for one alert payload (as [`crate::detect::AlertPayload`]
    /// serialises): one per receiver that takes its kind, each with only the fields that
    /// receiver may see and plates hashed (or removed) unless it is cleared for them.
    pub fn messages(&self, payload: &Value) -> Result<Vec<Outgoing>, PolicyError> {
        let Value::Object(object) = payload else {
            return Err(PolicyError::NotAnObject);
        };
        let kind = match object.get("kind") {
            Some(Value::String(k)) if is_topic_name(k) => k.as_str(),
            Some(other) => return Err(PolicyError::BadKind(other.to_string())),
            None => return Err(PolicyError::BadKind(String::new())),
        };
        self.check_origin(object)?;
        let mut out = Vec::new();
        for audience in &self.audiences {
            if !audience.kinds.admits(kind) {
                continue;
            }
            let mut shared = Map::new();
            for (name, value) in object {
                let keep = if audience.fields.all || ENVELOPE_FIELDS.contains(&name.as_str()) {
                    Some(value.clone())
                } else {
                    audience
                        .fields
                        .children
                        .get(name)
                        .and_then(|node| node.filter(value))
                };
                if let Some(v) = keep {
                    shared.insert(name.clone(), v);
                }
            }
            if !audience.clear_plates {
                let counts = pseudonymise(&mut shared, self.plate_key.as_ref(), &self.plate_fields);
                self.count_plates(counts, &audience.name);
            }
            out.push(Outgoing {
                audience: audience.name.clone(),
                topic: audience.topic.render(&self.origin, &audience.name, kind),
                payload: self.signer.sign(shared),
            });
            self.stats.messages.fetch_add(1, Ordering::Relaxed);
        }
        Ok(out)
    }

    /// The signed message for a track payload (schema `borderfuse.tracks/1`, see
    /// `schemas/track.schema.json`) on `borderfuse/v1/{country}/{post}/tracks`, plates
    /// hashed (or removed) unless `sharing.own.clear_plates`.
    pub fn tracks_message(&self, payload: Value) -> Result<Outgoing, PolicyError> {
        let Value::Object(mut object) = payload else {
            return Err(PolicyError::NotAnObject);
        };
        self.check_origin(&object)?;
        if !self.own_clear_plates {
            let counts = pseudonymise(&mut object, self.plate_key.as_ref(), &self.plate_fields);
            self.count_plates(counts, OWN_AUDIENCE);
        }
        self.stats.messages.fetch_add(1, Ordering::Relaxed);
        Ok(Outgoing {
            audience: OWN_AUDIENCE.to_owned(),
            topic: self.tracks_topic.clone(),
            payload: self.signer.sign(object),
        })
    }

    /// The payload must say it comes from this post: the key signs for no other.
    fn check_origin(&self, object: &Map<String, Value>) -> Result<(), PolicyError> {
        let country = object.get("country").and_then(Value::as_str);
        let post = object.get("post").and_then(Value::as_str);
        if country != Some(self.origin.country()) || post != Some(self.origin.post()) {
            return Err(PolicyError::WrongOrigin {
                claimed: format!("{}/{}", country.unwrap_or("?"), post.unwrap_or("?")),
                post: self.origin.clone(),
            });
        }
        Ok(())
    }

    /// [`Policy::messages`] for an alert raised at this post.
    pub fn alert_messages(&self, alert: &Alert) -> Result<Vec<Outgoing>, PolicyError> {
        let payload =
            serde_json::to_value(alert.payload(self.origin.country(), self.origin.post()))
                .map_err(|e| PolicyError::Serialize(e.to_string()))?;
        self.messages(&payload)
    }

    /// The id of the signing key, as payloads carry it.
    pub fn key_id(&self) -> KeyId {
        self.signer.key_id()
    }

    /// The public half of the signing key (what partners put in their keyring).
    pub fn verifying_key(&self) -> ed25519_dalek::VerifyingKey {
        self.signer.verifying_key()
    }

    /// The post this policy signs for.
    pub fn origin(&self) -> &Origin {
        &self.origin
    }

    /// The counters.
    pub fn stats(&self) -> ShareSnapshot {
        ShareSnapshot {
            messages: self.stats.messages.load(Ordering::Relaxed),
            plates_hashed: self.stats.plates_hashed.load(Ordering::Relaxed),
            plates_removed: self.stats.plates_removed.load(Ordering::Relaxed),
        }
    }

    fn count_plates(&self, counts: PlateCounts, audience: &str) {
        self.stats
            .plates_hashed
            .fetch_add(counts.hashed, Ordering::Relaxed);
        if counts.removed == 0 {
            return;
        }
        self.stats
            .plates_removed
            .fetch_add(counts.removed, Ordering::Relaxed);
        // A poisoned lock only means another thread panicked while logging: log anyway.
        let mut limit = self
            .removed_log
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some(held_back) = limit.check() {
            tracing::warn!(
                audience,
                removed = counts.removed,
                held_back,
                "plates removed from an alert: no sharing.plate_key to hash them with"
            );
        }
    }
}
