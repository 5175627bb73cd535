//! Configuration of the alert rules: the `[rules]` table of the agent's TOML file.
//!
//! ```toml
//! [rules]
//! update_interval_s = 120.0  # an open alert is re-issued at most this often ...
//! update_distance_m = 250.0  # ... and only when it moved this far (or its state changed)
//!
//! [rules.dark_target]
//! after_s = 60.0
//!
//! [rules.ais_gap]
//! interval_multiple = 6.0    # silent for 6 reporting intervals (ITU-R M.1371 Table 1) ...
//! min_gap_s = 60.0           # ... and at least a minute
//!
//! [rules.ais_spoofing]
//! max_speed_kn = 80.0
//!
//! [[rules.zone_entry.zones]]
//! name = "harbour"
//! geojson_file = "/etc/borderfuse/zones/harbour.geojson"
//! severity = "high"
//!
//! [[rules.zone_entry.borders]]
//! name = "gr-tr"
//! geojson = '{"type": "LineString", "coordinates": [[27.0813, 37.6890], [27.0904, 37.7250]]}'
//! left = "GR"                # left of the line walked from its first point to its last
//! right = "TR"
//! from = "TR"                # only crossings in this direction (both when omitted)
//! to = "GR"
//!
//! [rules.loitering]
//! max_speed_kn = 3.0
//! min_duration_s = 1800.0
//! zones = [{ name = "approach", geojson_file = "zones/approach.geojson" }]
//!
//! [rules.rendezvous]
//! max_distance_m = 200.0
//! min_duration_s = 600.0
//! max_speed_kn = 3.0         # both this slow: ships under way in one lane are no meeting
//! ports = [{ name = "vathy", geojson_file = "zones/vathy-port.geojson" }]
//! ```

use super::geometry::{self, GeoSource, Side};
use crate::config::{ConfigError, invalid, non_negative, positive};
use serde::{Deserialize, Serialize};
use std::collections::HashSet;
use std::path::PathBuf;

/// Alert rules.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RulesConfig {
    /// Least time between two revisions of one open alert, seconds: a situation that goes on
    /// is reported again at most this often, however fast it changes (positions at a finer
    /// rate go out on the track feed; alerts are situation reports for partners).
    pub update_interval_s: f64,
    /// Least movement since the last revision that is worth an update, metres (a change of
    /// the situation's state, e.g. radar losing a silent vessel, is worth one by itself).
    pub update_distance_m: f64,
    /// `dark_target`.
    pub dark_target: DarkTargetConfig,
    /// `ais_gap`.
    pub ais_gap: AisGapConfig,
    /// `ais_spoofing`.
    pub ais_spoofing: AisSpoofingConfig,
    /// `zone_entry`: zones and border lines.
    pub zone_entry: ZoneEntryConfig,
    /// `loitering`.
    pub loitering: LoiteringConfig,
    /// `rendezvous`.
    pub rendezvous: RendezvousConfig,
}

impl Default for RulesConfig {
    fn default() -> Self {
        RulesConfig {
            update_interval_s: 120.0,
            update_distance_m: 250.0,
            dark_target: DarkTargetConfig::default(),
            ais_gap: AisGapConfig::default(),
            ais_spoofing: AisSpoofingConfig::default(),
            zone_entry: ZoneEntryConfig::default(),
            loitering: LoiteringConfig::default(),
            rendezvous: RendezvousConfig::default(),
        }
    }
}

/// Alert severity.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// For the record.
    Info,
    /// Worth a look.
    Low,
    /// Needs attention.
    Medium,
    /// Act now.
    High,
}

/// `dark_target`: a confirmed radar track with no AIS for a time, inside AIS coverage.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct DarkTargetConfig {
    /// Whether the rule runs.
    pub enabled: bool,
    /// How long a confirmed track must go without AIS, seconds.
    pub after_s: f64,
    /// Severity of its alerts.
    pub severity: Severity,
}

impl Default for DarkTargetConfig {
    fn default() -> Self {
        DarkTargetConfig {
            enabled: true,
            after_s: 60.0,
            severity: Severity::High,
        }
    }
}

/// `ais_gap`: a vessel that was transmitting falls silent for longer than its reporting
/// interval allows (ITU-R M.1371-5 Annex 1 Table 1) while radar still holds it or while it
/// should be inside AIS coverage. While this rule runs, a track bound to a vessel's AIS that
/// falls silent is its business, not `dark_target`'s (one alert per situation).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct AisGapConfig {
    /// Whether the rule runs.
    pub enabled: bool,
    /// Severity of its alerts.
    pub severity: Severity,
    /// A gap is this many expected reporting intervals (receivers miss reports: slot
    /// collisions, fading), at least 1.
    pub interval_multiple: f64,
    /// A gap is never shorter than this, seconds.
    pub min_gap_s: f64,
    /// Radar "still holds" a silent vessel when its track had a radar update after the last
    /// AIS report and within this many seconds.
    pub radar_fresh_s: f64,
}

impl Default for AisGapConfig {
    fn default() -> Self {
        AisGapConfig {
            enabled: true,
            severity: Severity::Medium,
            interval_multiple: 6.0,
            min_gap_s: 60.0,
            radar_fresh_s: 30.0,
        }
    }
}

/// `ais_spoofing`: AIS that cannot be true.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct AisSpoofingConfig {
    /// Whether the rule runs.
    pub enabled: bool,
    /// Severity of its alerts.
    pub severity: Severity,
    /// Two reports of one MMSI implying a speed above this are a jump (or two transmitters
    /// sharing it), knots.
    pub max_speed_kn: f64,
    /// ... provided they are also this far apart, metres (GNSS noise over one second is not a
    /// jump).
    pub min_jump_m: f64,
    /// A radar track split from its vessel's AIS (the reported position left the track's
    /// gate) is a contradiction when the two are this far apart and radar held the track,
    /// metres.
    pub contradiction_m: f64,
    /// Whether MMSIs are checked against ITU-R M.585 (a position report from a number that
    /// no ship station may hold).
    pub check_mmsi: bool,
    /// An alert is cleared after this many seconds without new evidence.
    pub quiet_s: f64,
}

impl Default for AisSpoofingConfig {
    fn default() -> Self {
        AisSpoofingConfig {
            enabled: true,
            severity: Severity::High,
            max_speed_kn: 80.0,
            min_jump_m: 500.0,
            contradiction_m: 500.0,
            check_mmsi: true,
            quiet_s: 600.0,
        }
    }
}

/// `zone_entry`: confirmed tracks entering configured zones (polygons) and crossing border
/// lines.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ZoneEntryConfig {
    /// Whether the rule runs.
    pub enabled: bool,
    /// Severity of its alerts, unless a zone or border says otherwise.
    pub severity: Severity,
    /// A track is inside (outside) a zone, or across a line, once it is this far past the
    /// edge, metres: estimates jitter, and a vessel running along an edge must not raise an
    /// alert a scan.
    pub hysteresis_m: f64,
    /// A border crossing is news for this long, seconds: then its alert is cleared even if
    /// the vessel stays across (it crossing back clears it sooner).
    pub crossing_hold_s: f64,
    /// Zones whose entry raises an alert.
    pub zones: Vec<ZoneConfig>,
    /// Border lines whose crossing raises an alert.
    pub borders: Vec<BorderConfig>,
}

impl Default for ZoneEntryConfig {
    fn default() -> Self {
        ZoneEntryConfig {
            enabled: true,
            severity: Severity::Medium,
            hysteresis_m: 100.0,
            crossing_hold_s: 600.0,
            zones: Vec::new(),
            borders: Vec::new(),
        }
    }
}

/// A zone: a GeoJSON Polygon or MultiPolygon (also as Feature or FeatureCollection), WGS-84
/// longitude/latitude, inline or from a file.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ZoneConfig {
    /// Name, in alerts' evidence; unique among the zones.
    pub name: String,
    /// Inline GeoJSON: a TOML table or a string of JSON.
    #[serde(default)]
    pub geojson: Option<serde_json::Value>,
    /// A GeoJSON file (relative paths from the agent's working directory).
    #[serde(default)]
    pub geojson_file: Option<PathBuf>,
    /// Severity of this zone's alerts (default: the rule's).
    #[serde(default)]
    pub severity: Option<Severity>,
}

/// A border line: a GeoJSON LineString or MultiLineString (also as Feature or
/// FeatureCollection), WGS-84 longitude/latitude, inline or from a file.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BorderConfig {
    /// Name, in alerts' evidence; unique among the borders.
    pub name: String,
    /// Inline GeoJSON: a TOML table or a string of JSON.
    #[serde(default)]
    pub geojson: Option<serde_json::Value>,
    /// A GeoJSON file (relative paths from the agent's working directory).
    #[serde(default)]
    pub geojson_file: Option<PathBuf>,
    /// Name of the side on the left of the line, walking it from its first point to its
    /// last (e.g. a country code).
    pub left: String,
    /// Name of the side on the right.
    pub right: String,
    /// Only crossings from this side (`left` or `right`'s name) raise alerts; with `to`.
    #[serde(default)]
    pub from: Option<String>,
    /// Only crossings to this side raise alerts; with `from`.
    #[serde(default)]
    pub to: Option<String>,
    /// Severity of this border's alerts (default: the rule's).
    #[serde(default)]
    pub severity: Option<Severity>,
}

/// A named area (GeoJSON Polygon or MultiPolygon), inline or from a file.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AreaConfig {
    /// Name, in alerts' evidence.
    pub name: String,
    /// Inline GeoJSON: a TOML table or a string of JSON.
    #[serde(default)]
    pub geojson: Option<serde_json::Value>,
    /// A GeoJSON file (relative paths from the agent's working directory).
    #[serde(default)]
    pub geojson_file: Option<PathBuf>,
}

/// `loitering`: a confirmed track slower than a threshold for longer than a time inside a
/// zone.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct LoiteringConfig {
    /// Whether the rule runs (it needs zones to do anything).
    pub enabled: bool,
    /// Severity of its alerts.
    pub severity: Severity,
    /// Slower than this is loitering, knots. A track must go faster than 1.5 times this to
    /// stop loitering (speed estimates of a drifting boat wander).
    pub max_speed_kn: f64,
    /// For at least this long, seconds.
    pub min_duration_s: f64,
    /// Where loitering matters.
    pub zones: Vec<AreaConfig>,
}

impl Default for LoiteringConfig {
    fn default() -> Self {
        LoiteringConfig {
            enabled: true,
            severity: Severity::Medium,
            max_speed_kn: 3.0,
            min_duration_s: 1800.0,
            zones: Vec::new(),
        }
    }
}

/// `rendezvous`: two confirmed tracks closer than a distance for longer than a time, away
/// from port areas (a transfer at sea).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RendezvousConfig {
    /// Whether the rule runs.
    pub enabled: bool,
    /// Severity of its alerts.
    pub severity: Severity,
    /// Closer than this, metres. The pair must part to 1.5 times this to end the meeting.
    pub max_distance_m: f64,
    /// For at least this long, seconds.
    pub min_duration_s: f64,
    /// Both no faster than this, knots: a transfer needs the hulls nearly still alongside;
    /// ships under way in one traffic lane pass as close for as long. A meeting ends when
    /// either goes faster than 1.5 times this.
    pub max_speed_kn: f64,
    /// Port areas, where vessels lie close together for good reasons.
    pub ports: Vec<AreaConfig>,
}

impl Default for RendezvousConfig {
    fn default() -> Self {
        RendezvousConfig {
            enabled: true,
            severity: Severity::High,
            max_distance_m: 200.0,
            min_duration_s: 600.0,
            max_speed_kn: 3.0,
            ports: Vec::new(),
        }
    }
}

/// Where an area's GeoJSON comes from, naming the key for errors.
fn source<'a>(
    key: &str,
    geojson: &'a Option<serde_json::Value>,
    file: &'a Option<PathBuf>,
) -> Result<GeoSource<'a>, ConfigError> {
    match (geojson, file) {
        (Some(v), None) => Ok(GeoSource::Inline(v)),
        (None, Some(p)) => Ok(GeoSource::File(p)),
        (Some(_), Some(_)) => Err(invalid(key, "give geojson or geojson_file, not both")),
        (None, None) => Err(invalid(key, "needs geojson (inline) or geojson_file")),
    }
}

impl ZoneConfig {
    /// Where its GeoJSON comes from; `key` is the zone's key path, for errors.
    pub fn source(&self, key: &str) -> Result<GeoSource<'_>, ConfigError> {
        source(key, &self.geojson, &self.geojson_file)
    }
}

impl BorderConfig {
    /// Where its GeoJSON comes from; `key` is the border's key path, for errors.
    pub fn source(&self, key: &str) -> Result<GeoSource<'_>, ConfigError> {
        source(key, &self.geojson, &self.geojson_file)
    }

    /// The side a crossing must end on to raise an alert (`to`), or `None` when crossings
    /// both ways do.
    pub fn to_side(&self) -> Option<Side> {
        match self.to.as_deref() {
            Some(to) if to == self.left => Some(Side::Left),
            Some(_) => Some(Side::Right),
            None => None,
        }
    }

    fn validate(&self, key: &str) -> Result<(), ConfigError> {
        if self.left.trim().is_empty() || self.right.trim().is_empty() || self.left == self.right {
            return Err(invalid(
                format!("{key}.left"),
                format!(
                    "left ({:?}) and right ({:?}) must be two different, non-empty names",
                    self.left, self.right
                ),
            ));
        }
        let side = |field: &str, v: &Option<String>| match v {
            Some(s) if *s != self.left && *s != self.right => Err(invalid(
                format!("{key}.{field}"),
                format!(
                    "{s:?} is neither side of the line (left {:?}, right {:?})",
                    self.left, self.right
                ),
            )),
            _ => Ok(()),
        };
        side("from", &self.from)?;
        side("to", &self.to)?;
        match (&self.from, &self.to) {
            (Some(f), Some(t)) if f == t => Err(invalid(
                format!("{key}.to"),
                format!("{t:?} is also `from`: a crossing goes from one side to the other"),
            )),
            (Some(_), None) => Err(invalid(format!("{key}.to"), "`from` is given without `to`")),
            (None, Some(_)) => Err(invalid(
                format!("{key}.from"),
                "`to` is given without `from`",
            )),
            _ => Ok(()),
        }
    }
}

impl AreaConfig {
    /// Where its GeoJSON comes from; `key` is the area's key path, for errors.
    pub fn source(&self, key: &str) -> Result<GeoSource<'_>, ConfigError> {
        source(key, &self.geojson, &self.geojson_file)
    }
}

/// Checks that names in a list are non-empty and unique.
fn unique_name<'a>(
    names: &mut HashSet<&'a str>,
    key: &str,
    name: &'a str,
) -> Result<(), ConfigError> {
    if name.trim().is_empty() || !names.insert(name) {
        return Err(invalid(
            format!("{key}.name"),
            format!("{name:?} is empty or not unique"),
        ));
    }
    Ok(())
}

fn areas(key: &str, list: &[AreaConfig]) -> Result<(), ConfigError> {
    let mut names = HashSet::new();
    for (i, a) in list.iter().enumerate() {
        let key = format!("{key}[{i}]");
        unique_name(&mut names, &key, &a.name)?;
        geometry::load_areas(&a.source(&key)?, &key)?;
    }
    Ok(())
}

impl RulesConfig {
    /// Checks values that parse but make no sense, naming the key; reads and checks every
    /// zone's GeoJSON.
    pub fn validate(&self) -> Result<(), ConfigError> {
        positive("rules.update_interval_s", self.update_interval_s)?;
        non_negative("rules.update_distance_m", self.update_distance_m)?;
        positive("rules.dark_target.after_s", self.dark_target.after_s)?;

        let g = &self.ais_gap;
        if !(g.interval_multiple.is_finite() && g.interval_multiple >= 1.0) {
            return Err(invalid(
                "rules.ais_gap.interval_multiple",
                format!("{} must be a finite number ≥ 1", g.interval_multiple),
            ));
        }
        positive("rules.ais_gap.min_gap_s", g.min_gap_s)?;
        positive("rules.ais_gap.radar_fresh_s", g.radar_fresh_s)?;

        let s = &self.ais_spoofing;
        positive("rules.ais_spoofing.max_speed_kn", s.max_speed_kn)?;
        non_negative("rules.ais_spoofing.min_jump_m", s.min_jump_m)?;
        positive("rules.ais_spoofing.contradiction_m", s.contradiction_m)?;
        positive("rules.ais_spoofing.quiet_s", s.quiet_s)?;

        let z = &self.zone_entry;
        non_negative("rules.zone_entry.hysteresis_m", z.hysteresis_m)?;
        positive("rules.zone_entry.crossing_hold_s", z.crossing_hold_s)?;
        let mut names = HashSet::new();
        for (i, zone) in z.zones.iter().enumerate() {
            let key = format!("rules.zone_entry.zones[{i}]");
            unique_name(&mut names, &key, &zone.name)?;
            geometry::load_areas(&zone.source(&key)?, &key)?;
        }
        let mut names = HashSet::new();
        for (i, border) in z.borders.iter().enumerate() {
            let key = format!("rules.zone_entry.borders[{i}]");
            unique_name(&mut names, &key, &border.name)?;
            border.validate(&key)?;
            geometry::load_lines(&border.source(&key)?, &key)?;
        }

        let l = &self.loitering;
        positive("rules.loitering.max_speed_kn", l.max_speed_kn)?;
        positive("rules.loitering.min_duration_s", l.min_duration_s)?;
        areas("rules.loitering.zones", &l.zones)?;

        let r = &self.rendezvous;
        positive("rules.rendezvous.max_distance_m", r.max_distance_m)?;
        positive("rules.rendezvous.min_duration_s", r.min_duration_s)?;
        positive("rules.rendezvous.max_speed_kn", r.max_speed_kn)?;
        areas("rules.rendezvous.ports", &r.ports)?;
        Ok(())
    }
}
