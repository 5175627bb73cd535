//! Scenarios: where the sensors are, where the border runs, and which vessels go where.
//!
//! A [`Scenario`] is plain data. [`Scenario::from_toml`] reads one from a TOML file (every
//! table `deny_unknown_fields`, so a misspelt key is an error rather than a silent default) and
//! validates it; an error names the key path, e.g. `vessels[1].speed_kn must be > 0, got -3`.
//! [`Scenario::border_crossing`] is the built-in demo, and `simulators/scenarios/
//! border_crossing.toml` is the same scenario as a file.

use borderfuse_common::geo::{Geodetic, LocalFrame};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// A simulated situation: sensors, a border line and vessels, over `duration_s` seconds.
#[derive(Debug, Clone, PartialEq)]
pub struct Scenario {
    /// A short name for logs and output files.
    pub name: String,
    /// Seed of every random draw; the same seed gives the same bytes.
    pub seed: u64,
    /// Origin of the local east/north frame (metres) that truth and detections use.
    pub origin: Geodetic,
    /// Length of the scenario, seconds.
    pub duration_s: f64,
    /// The maritime border as a polyline (at least two points).
    pub border: Vec<Geodetic>,
    /// Rotating radars that send plots.
    pub radars: Vec<RadarSpec>,
    /// AIS receivers that send the sentences they hear.
    pub ais_receivers: Vec<AisReceiverSpec>,
    /// The vessels, in truth-id order (vessel `i` has truth id `i`).
    pub vessels: Vec<VesselSpec>,
}

/// A rotating surveillance radar and its plot extractor.
#[derive(Debug, Clone, PartialEq)]
pub struct RadarSpec {
    /// Node id its frames carry.
    pub node_id: u32,
    /// Node name (also the file name of its pty symlink), e.g. `radar-samos-east`.
    pub name: String,
    /// Antenna position.
    pub position: Geodetic,
    /// One antenna revolution, seconds.
    pub scan_period_s: f64,
    /// Instrumented range, metres: nothing farther is detected.
    pub max_range_m: f64,
    /// Probability that a target within range gives a plot on one scan, in `(0, 1]`.
    pub detection_probability: f64,
    /// Standard deviation of the range error, metres.
    pub sigma_range_m: f64,
    /// Standard deviation of the bearing error, degrees.
    pub sigma_bearing_deg: f64,
    /// Mean number of false plots per scan (Poisson), spread uniformly over the covered area.
    pub clutter_per_scan: f64,
}

/// An AIS receiver (a shore station's receiver) and its node.
#[derive(Debug, Clone, PartialEq)]
pub struct AisReceiverSpec {
    /// Node id its frames carry.
    pub node_id: u32,
    /// Node name (also the file name of its pty symlink), e.g. `ais-samos`.
    pub name: String,
    /// Antenna position.
    pub position: Geodetic,
    /// VHF range, metres: farther transmissions are not heard.
    pub range_m: f64,
}

/// A vessel following a route of waypoints at constant speed.
#[derive(Debug, Clone, PartialEq)]
pub struct VesselSpec {
    /// A name for logs (unique in the scenario; it also keys the vessel's random streams).
    pub name: String,
    /// Waypoints, in order; the vessel stops at the last one.
    pub route: Vec<Geodetic>,
    /// Speed through the water, knots.
    pub speed_kn: f64,
    /// The vessel's class A AIS transponder; `None` for a dark vessel.
    pub ais: Option<AisTransponderSpec>,
}

/// A class A AIS transponder's configuration.
#[derive(Debug, Clone, PartialEq)]
pub struct AisTransponderSpec {
    /// Maritime Mobile Service Identity, nine digits.
    pub mmsi: u32,
    /// Call sign, up to 7 characters of the AIS six-bit table.
    pub callsign: String,
    /// Ship name, up to 20 characters of the AIS six-bit table.
    pub shipname: String,
    /// Type of ship and cargo (ITU-R M.1371-5 Table 53), 0-99; 60 is passenger.
    pub ship_type: u8,
    /// Standard deviation of the GNSS position error, metres, on each of east and north.
    pub gnss_sigma_m: f64,
}

/// What kind of sensor node a [`NodeSpec`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum NodeKind {
    /// A radar sending plots and north markers.
    Radar,
    /// An AIS receiver sending sentences.
    AisReceiver,
}

/// One sensor node of a scenario: what the agent's config must know about it.
#[derive(Debug, Clone, PartialEq)]
pub struct NodeSpec {
    /// Node id its frames carry.
    pub node_id: u32,
    /// Node name.
    pub name: String,
    /// Radar or AIS receiver.
    pub kind: NodeKind,
    /// Sensor position.
    pub position: Geodetic,
}

/// Why a scenario was rejected.
#[derive(Debug, thiserror::Error)]
pub enum ScenarioError {
    /// Not TOML, or not the shape of a scenario (unknown or missing key, wrong type); the
    /// message names the key and the line.
    #[error("invalid scenario file: {0}")]
    Toml(#[from] toml::de::Error),
    /// A value is out of range; `key` is its path, e.g. `vessels[1].speed_kn`.
    #[error("{key} {problem}")]
    Invalid {
        /// Path of the rejected key.
        key: String,
        /// What is wrong, with the rejected value.
        problem: String,
    },
    /// The scenario could not be written as TOML.
    #[error("cannot write scenario as TOML: {0}")]
    Serialize(#[from] toml::ser::Error),
}

/// Longest scenario accepted, seconds: a day, so a typo cannot ask for years of plots.
pub const MAX_DURATION_S: f64 = 86_400.0;
/// Fastest and slowest antenna revolution accepted, seconds (240 rpm to 1 rpm).
pub const SCAN_PERIOD_RANGE_S: (f64, f64) = (0.25, 60.0);
/// Highest speed accepted, knots: the largest speed over ground AIS can carry (1022 × 0.1 kn).
pub const MAX_SPEED_KN: f64 = 102.2;
/// Most clutter plots per scan accepted.
pub const MAX_CLUTTER_PER_SCAN: f64 = 10_000.0;

impl Scenario {
    /// The built-in demo: a dark boat and an AIS-equipped passenger ship cross the
    /// Greek–Turkish maritime border east of Samos, watched by a Greek coastal radar and AIS
    /// receiver.
    ///
    /// Geography (WGS-84; coastlines approximate, from general knowledge, not from a chart):
    /// - Local frame origin 37.683 N 27.000 E, in the Mycale (Samos) Strait between Samos
    ///   (Greece) and the Dilek peninsula (Turkey).
    /// - Radar `radar-samos-east` (node 17) and AIS receiver `ais-samos` (node 7) share a mast
    ///   on the eastern headland of Samos, 37.7250 N 27.0450 E, 120 m above the ellipsoid.
    /// - The border is a simplified median line running NNE through the waters between Samos
    ///   and the Turkish coast north of the strait (towards the Gulf of Kuşadası): 37.68896 N
    ///   27.08130 E → 37.72500 N 27.09037 E → 37.76104 N 27.09945 E → 37.79708 N 27.10852 E,
    ///   i.e. about 4 km east of the radar at its latitude. Greece is west of it, Turkey east.
    /// - "dark boat" (no AIS, 20 kn) comes from the Turkish side heading WNW (290°), crosses
    ///   the line at t ≈ 15 s about 4.2 km ENE of the radar, turns at 37.73494 N 27.08944 E
    ///   (t ≈ 44 s) to run NNW (340°) along the Samos coast, and stops at 37.77218 N
    ///   27.07237 E (t ≈ 472 s), 5.8 km NE of the radar. Range from the radar 4.1–5.8 km.
    /// - "MV AEGEAN STAR" (AIS, MMSI 239123000, 12 kn, a passenger ship from the Turkish coast
    ///   bound north round Samos) heads WNW (295°), crosses the line at t ≈ 15 s about 4.1 km
    ///   ESE of the radar, turns north at 37.70812 N 27.08275 E (t ≈ 64 s) and keeps north
    ///   past the end of the scenario (its last waypoint, 37.74100 N 27.08275 E, is reached at
    ///   t ≈ 655 s). Range from the radar 3.3–4.2 km.
    /// - The two vessels are never closer than 3 km to each other (at the start).
    pub fn border_crossing() -> Scenario {
        // Both sensors sit on the same mast: the radar's position is the receiver's.
        let mast = Geodetic::with_alt(37.7250, 27.0450, 120.0);
        Scenario {
            name: "border_crossing".to_string(),
            seed: 2026,
            origin: Geodetic::new(37.683, 27.0),
            duration_s: 600.0,
            border: vec![
                Geodetic::new(37.68896, 27.08130),
                Geodetic::new(37.72500, 27.09037),
                Geodetic::new(37.76104, 27.09945),
                Geodetic::new(37.79708, 27.10852),
            ],
            radars: vec![RadarSpec {
                node_id: 17,
                name: "radar-samos-east".to_string(),
                position: mast,
                scan_period_s: 2.0,
                max_range_m: 12_000.0,
                detection_probability: 0.9,
                sigma_range_m: 15.0,
                sigma_bearing_deg: 0.3,
                clutter_per_scan: 2.0,
            }],
            ais_receivers: vec![AisReceiverSpec {
                node_id: 7,
                name: "ais-samos".to_string(),
                position: mast,
                range_m: 40_000.0,
            }],
            vessels: vec![
                VesselSpec {
                    name: "dark boat".to_string(),
                    route: vec![
                        Geodetic::new(37.73353, 27.09429),
                        Geodetic::new(37.73494, 27.08944),
                        Geodetic::new(37.77218, 27.07237),
                    ],
                    speed_kn: 20.0,
                    ais: None,
                },
                VesselSpec {
                    name: "MV AEGEAN STAR".to_string(),
                    route: vec![
                        Geodetic::new(37.70663, 27.08679),
                        Geodetic::new(37.70812, 27.08275),
                        Geodetic::new(37.74100, 27.08275),
                    ],
                    speed_kn: 12.0,
                    ais: Some(AisTransponderSpec {
                        mmsi: 239_123_000,
                        callsign: "SVA1234".to_string(),
                        // AIS names carry no "MV" prefix: that is how they appear on the air.
                        shipname: "AEGEAN STAR".to_string(),
                        ship_type: 60,
                        gnss_sigma_m: 5.0,
                    }),
                },
            ],
        }
    }

    /// Reads a scenario from TOML and validates it (see [`Scenario::validate`]).
    pub fn from_toml(text: &str) -> Result<Scenario, ScenarioError> {
        let file: ScenarioFile = toml::from_str(text)?;
        let scenario = Scenario::from(file);
        scenario.validate()?;
        Ok(scenario)
    }

    /// Writes the scenario as TOML that [`Scenario::from_toml`] reads back to the same value.
    pub fn to_toml(&self) -> Result<String, ScenarioError> {
        Ok(toml::to_string(&ScenarioFile::from(self))?)
    }

    /// The local east/north frame at [`Scenario::origin`].
    pub fn frame(&self) -> LocalFrame {
        LocalFrame::new(self.origin)
    }

    /// Every sensor node: radars first, then AIS receivers, in scenario order.
    pub fn nodes(&self) -> Vec<NodeSpec> {
        let radars = self.radars.iter().map(|r| NodeSpec {
            node_id: r.node_id,
            name: r.name.clone(),
            kind: NodeKind::Radar,
            position: r.position,
        });
        let receivers = self.ais_receivers.iter().map(|r| NodeSpec {
            node_id: r.node_id,
            name: r.name.clone(),
            kind: NodeKind::AisReceiver,
            position: r.position,
        });
        radars.chain(receivers).collect()
    }

    /// Checks every value; the first problem found is returned, naming its key path.
    ///
    /// Rules: probabilities in `(0, 1]`; durations, periods, ranges and speeds positive and
    /// finite (and within the `MAX_*` bounds of this module); standard deviations and
    /// clutter rates non-negative; valid latitudes and longitudes; a border of at least two
    /// points; routes of at least two waypoints; node ids and node names unique across
    /// radars and AIS receivers (names are also file names, so no `/`); vessel names unique;
    /// MMSIs of nine digits and unique; call signs and ship names within their AIS lengths
    /// and the six-bit character table.
    pub fn validate(&self) -> Result<(), ScenarioError> {
        if self.name.trim().is_empty() {
            return Err(invalid("name", "must not be empty"));
        }
        position("origin", &self.origin)?;
        in_range(
            "duration_s",
            self.duration_s,
            Bound::Above(0.0),
            Bound::AtMost(MAX_DURATION_S),
        )?;
        if self.border.len() < 2 {
            return Err(invalid(
                "border",
                format!("needs at least 2 points, got {}", self.border.len()),
            ));
        }
        for (i, p) in self.border.iter().enumerate() {
            position(&format!("border[{i}]"), p)?;
        }

        let mut node_ids: HashMap<u32, String> = HashMap::new();
        let mut node_names: HashMap<&str, String> = HashMap::new();
        let mut node = |key: &str, id: u32, name: &'_ str| -> Result<(), ScenarioError> {
            node_name(&format!("{key}.name"), name)?;
            if let Some(first) = node_ids.insert(id, key.to_string()) {
                return Err(invalid(
                    format!("{key}.node_id"),
                    format!("duplicates {first}.node_id ({id})"),
                ));
            }
            Ok(())
        };
        for (i, r) in self.radars.iter().enumerate() {
            let key = format!("radars[{i}]");
            node(&key, r.node_id, &r.name)?;
            position(&format!("{key}.position"), &r.position)?;
            in_range(
                &format!("{key}.scan_period_s"),
                r.scan_period_s,
                Bound::AtLeast(SCAN_PERIOD_RANGE_S.0),
                Bound::AtMost(SCAN_PERIOD_RANGE_S.1),
            )?;
            in_range(
                &format!("{key}.max_range_m"),
                r.max_range_m,
                Bound::Above(0.0),
                Bound::AtMost(1_000_000.0),
            )?;
            in_range(
                &format!("{key}.detection_probability"),
                r.detection_probability,
                Bound::Above(0.0),
                Bound::AtMost(1.0),
            )?;
            in_range(
                &format!("{key}.sigma_range_m"),
                r.sigma_range_m,
                Bound::AtLeast(0.0),
                Bound::AtMost(10_000.0),
            )?;
            in_range(
                &format!("{key}.sigma_bearing_deg"),
                r.sigma_bearing_deg,
                Bound::AtLeast(0.0),
                Bound::AtMost(45.0),
            )?;
            in_range(
                &format!("{key}.clutter_per_scan"),
                r.clutter_per_scan,
                Bound::AtLeast(0.0),
                Bound::AtMost(MAX_CLUTTER_PER_SCAN),
            )?;
        }
        for (i, r) in self.ais_receivers.iter().enumerate() {
            let key = format!("ais_receivers[{i}]");
            node(&key, r.node_id, &r.name)?;
            position(&format!("{key}.position"), &r.position)?;
            in_range(
                &format!("{key}.range_m"),
                r.range_m,
                Bound::Above(0.0),
                Bound::AtMost(1_000_000.0),
            )?;
        }
        // Names are checked after ids so that the closure's borrow of `node_ids` has ended.
        for (key, name) in self
            .radars
            .iter()
            .enumerate()
            .map(|(i, r)| (format!("radars[{i}]"), r.name.as_str()))
            .chain(
                self.ais_receivers
                    .iter()
                    .enumerate()
                    .map(|(i, r)| (format!("ais_receivers[{i}]"), r.name.as_str())),
            )
        {
            if let Some(first) = node_names.insert(name, key.clone()) {
                return Err(invalid(
                    format!("{key}.name"),
                    format!("duplicates {first}.name ({name:?})"),
                ));
            }
        }

        let mut vessel_names: HashMap<&str, usize> = HashMap::new();
        let mut mmsis: HashMap<u32, usize> = HashMap::new();
        for (i, v) in self.vessels.iter().enumerate() {
            let key = format!("vessels[{i}]");
            if v.name.trim().is_empty() {
                return Err(invalid(format!("{key}.name"), "must not be empty"));
            }
            if let Some(first) = vessel_names.insert(&v.name, i) {
                return Err(invalid(
                    format!("{key}.name"),
                    format!("duplicates vessels[{first}].name ({:?})", v.name),
                ));
            }
            if v.route.len() < 2 {
                return Err(invalid(
                    format!("{key}.route"),
                    format!("needs at least 2 waypoints, got {}", v.route.len()),
                ));
            }
            for (j, p) in v.route.iter().enumerate() {
                position(&format!("{key}.route[{j}]"), p)?;
            }
            in_range(
                &format!("{key}.speed_kn"),
                v.speed_kn,
                Bound::Above(0.0),
                Bound::AtMost(MAX_SPEED_KN),
            )?;
            if let Some(ais) = &v.ais {
                let key = format!("{key}.ais");
                if !(100_000_000..=999_999_999).contains(&ais.mmsi) {
                    return Err(invalid(
                        format!("{key}.mmsi"),
                        format!("must have 9 digits, got {}", ais.mmsi),
                    ));
                }
                if let Some(first) = mmsis.insert(ais.mmsi, i) {
                    return Err(invalid(
                        format!("{key}.mmsi"),
                        format!("duplicates vessels[{first}].ais.mmsi ({})", ais.mmsi),
                    ));
                }
                ais_text(&format!("{key}.callsign"), &ais.callsign, 7)?;
                ais_text(&format!("{key}.shipname"), &ais.shipname, 20)?;
                if ais.ship_type > 99 {
                    return Err(invalid(
                        format!("{key}.ship_type"),
                        format!(
                            "must be 0-99 (ITU-R M.1371-5 Table 53), got {}",
                            ais.ship_type
                        ),
                    ));
                }
                in_range(
                    &format!("{key}.gnss_sigma_m"),
                    ais.gnss_sigma_m,
                    Bound::AtLeast(0.0),
                    Bound::AtMost(1_000.0),
                )?;
            }
        }
        Ok(())
    }
}

fn invalid(key: impl Into<String>, problem: impl Into<String>) -> ScenarioError {
    ScenarioError::Invalid {
        key: key.into(),
        problem: problem.into(),
    }
}

#[derive(Clone, Copy)]
enum Bound {
    Above(f64),
    AtLeast(f64),
    AtMost(f64),
}

fn in_range(key: &str, value: f64, low: Bound, high: Bound) -> Result<(), ScenarioError> {
    if !value.is_finite() {
        return Err(invalid(
            key,
            format!("must be a finite number, got {value}"),
        ));
    }
    let check = |b: Bound| match b {
        Bound::Above(l) => (value > l, format!("must be > {l}")),
        Bound::AtLeast(l) => (value >= l, format!("must be >= {l}")),
        Bound::AtMost(h) => (value <= h, format!("must be <= {h}")),
    };
    for b in [low, high] {
        let (ok, rule) = check(b);
        if !ok {
            return Err(invalid(key, format!("{rule}, got {value}")));
        }
    }
    Ok(())
}

fn position(key: &str, p: &Geodetic) -> Result<(), ScenarioError> {
    in_range(
        &format!("{key}.lat_deg"),
        p.lat_deg,
        Bound::AtLeast(-90.0),
        Bound::AtMost(90.0),
    )?;
    in_range(
        &format!("{key}.lon_deg"),
        p.lon_deg,
        Bound::AtLeast(-180.0),
        Bound::AtMost(180.0),
    )?;
    in_range(
        &format!("{key}.alt_m"),
        p.alt_m,
        Bound::AtLeast(-1_000.0),
        Bound::AtMost(10_000.0),
    )
}

fn node_name(key: &str, name: &str) -> Result<(), ScenarioError> {
    // The name becomes a file name in `bordersim run --link-dir`.
    let bad = name.is_empty()
        || name == "."
        || name == ".."
        || name.len() > 64
        || name
            .chars()
            .any(|c| c == '/' || c == '\\' || c.is_control());
    if bad {
        return Err(invalid(
            key,
            format!(
                "must be 1-64 characters without '/', '\\' or control characters, and not \
                 '.' or '..', got {name:?}"
            ),
        ));
    }
    Ok(())
}

fn ais_text(key: &str, text: &str, max: usize) -> Result<(), ScenarioError> {
    // ITU-R M.1371-5 Table 47: six-bit text is upper-case ASCII 0x20-0x5F; '@' pads.
    let ok = text.len() <= max
        && text
            .bytes()
            .all(|b| (0x20..=0x5f).contains(&b) && b != b'@');
    if !ok {
        return Err(invalid(
            key,
            format!(
                "must be at most {max} characters of the AIS six-bit table (upper case, \
                 digits, space, punctuation; no '@'), got {text:?}"
            ),
        ));
    }
    Ok(())
}

// The file's shape. `Geodetic` lives in no_std `common` without serde, so positions have their
// own mirror here; `deny_unknown_fields` everywhere turns a misspelt key into an error.

#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct ScenarioFile {
    name: String,
    seed: u64,
    duration_s: f64,
    origin: PositionFile,
    border: Vec<PositionFile>,
    #[serde(default)]
    radars: Vec<RadarFile>,
    #[serde(default)]
    ais_receivers: Vec<AisReceiverFile>,
    #[serde(default)]
    vessels: Vec<VesselFile>,
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct PositionFile {
    lat_deg: f64,
    lon_deg: f64,
    #[serde(default)]
    alt_m: f64,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct RadarFile {
    node_id: u32,
    name: String,
    position: PositionFile,
    scan_period_s: f64,
    max_range_m: f64,
    detection_probability: f64,
    sigma_range_m: f64,
    sigma_bearing_deg: f64,
    clutter_per_scan: f64,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct AisReceiverFile {
    node_id: u32,
    name: String,
    position: PositionFile,
    range_m: f64,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct VesselFile {
    name: String,
    speed_kn: f64,
    route: Vec<PositionFile>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    ais: Option<AisTransponderFile>,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct AisTransponderFile {
    mmsi: u32,
    callsign: String,
    shipname: String,
    ship_type: u8,
    gnss_sigma_m: f64,
}

impl From<PositionFile> for Geodetic {
    fn from(p: PositionFile) -> Self {
        Geodetic::with_alt(p.lat_deg, p.lon_deg, p.alt_m)
    }
}

impl From<&Geodetic> for PositionFile {
    fn from(p: &Geodetic) -> Self {
        PositionFile {
            lat_deg: p.lat_deg,
            lon_deg: p.lon_deg,
            alt_m: p.alt_m,
        }
    }
}

impl From<ScenarioFile> for Scenario {
    fn from(f: ScenarioFile) -> Self {
        Scenario {
            name: f.name,
            seed: f.seed,
            origin: f.origin.into(),
            duration_s: f.duration_s,
            border: f.border.into_iter().map(Geodetic::from).collect(),
            radars: f
                .radars
                .into_iter()
                .map(|r| RadarSpec {
                    node_id: r.node_id,
                    name: r.name,
                    position: r.position.into(),
                    scan_period_s: r.scan_period_s,
                    max_range_m: r.max_range_m,
                    detection_probability: r.detection_probability,
                    sigma_range_m: r.sigma_range_m,
                    sigma_bearing_deg: r.sigma_bearing_deg,
                    clutter_per_scan: r.clutter_per_scan,
                })
                .collect(),
            ais_receivers: f
                .ais_receivers
                .into_iter()
                .map(|r| AisReceiverSpec {
                    node_id: r.node_id,
                    name: r.name,
                    position: r.position.into(),
                    range_m: r.range_m,
                })
                .collect(),
            vessels: f
                .vessels
                .into_iter()
                .map(|v| VesselSpec {
                    name: v.name,
                    route: v.route.into_iter().map(Geodetic::from).collect(),
                    speed_kn: v.speed_kn,
                    ais: v.ais.map(|a| AisTransponderSpec {
                        mmsi: a.mmsi,
                        callsign: a.callsign,
                        shipname: a.shipname,
                        ship_type: a.ship_type,
                        gnss_sigma_m: a.gnss_sigma_m,
                    }),
                })
                .collect(),
        }
    }
}

impl From<&Scenario> for ScenarioFile {
    fn from(s: &Scenario) -> Self {
        ScenarioFile {
            name: s.name.clone(),
            seed: s.seed,
            duration_s: s.duration_s,
            origin: (&s.origin).into(),
            border: s.border.iter().map(PositionFile::from).collect(),
            radars: s
                .radars
                .iter()
                .map(|r| RadarFile {
                    node_id: r.node_id,
                    name: r.name.clone(),
                    position: (&r.position).into(),
                    scan_period_s: r.scan_period_s,
                    max_range_m: r.max_range_m,
                    detection_probability: r.detection_probability,
                    sigma_range_m: r.sigma_range_m,
                    sigma_bearing_deg: r.sigma_bearing_deg,
                    clutter_per_scan: r.clutter_per_scan,
                })
                .collect(),
            ais_receivers: s
                .ais_receivers
                .iter()
                .map(|r| AisReceiverFile {
                    node_id: r.node_id,
                    name: r.name.clone(),
                    position: (&r.position).into(),
                    range_m: r.range_m,
                })
                .collect(),
            vessels: s
                .vessels
                .iter()
                .map(|v| VesselFile {
                    name: v.name.clone(),
                    speed_kn: v.speed_kn,
                    route: v.route.iter().map(PositionFile::from).collect(),
                    ais: v.ais.as_ref().map(|a| AisTransponderFile {
                        mmsi: a.mmsi,
                        callsign: a.callsign.clone(),
                        shipname: a.shipname.clone(),
                        ship_type: a.ship_type,
                        gnss_sigma_m: a.gnss_sigma_m,
                    }),
                })
                .collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn problem_key(result: Result<Scenario, ScenarioError>) -> String {
        match result {
            Err(ScenarioError::Invalid { key, .. }) => key,
            other => panic!("expected a validation error, got {other:?}"),
        }
    }

    fn with(edit: impl FnOnce(&mut Scenario)) -> Result<(), ScenarioError> {
        let mut s = Scenario::border_crossing();
        edit(&mut s);
        s.validate()
    }

    fn key_of(result: Result<(), ScenarioError>) -> String {
        problem_key(result.map(|()| Scenario::border_crossing()))
    }

    #[test]
    fn the_built_in_scenario_is_valid() {
        Scenario::border_crossing().validate().unwrap();
    }

    #[test]
    fn the_built_in_scenario_round_trips_through_toml() {
        let s = Scenario::border_crossing();
        let text = s.to_toml().unwrap();
        assert_eq!(Scenario::from_toml(&text).unwrap(), s);
    }

    #[test]
    fn a_negative_speed_names_the_vessel_and_the_key() {
        let err = with(|s| s.vessels[1].speed_kn = -3.0).unwrap_err();
        assert_eq!(err.to_string(), "vessels[1].speed_kn must be > 0, got -3");
    }

    #[test]
    fn each_rule_names_its_key() {
        type Edit = Box<dyn FnOnce(&mut Scenario)>;
        let cases: Vec<(&str, Edit)> = vec![
            ("duration_s", Box::new(|s| s.duration_s = 0.0)),
            ("origin.lat_deg", Box::new(|s| s.origin.lat_deg = 91.0)),
            ("border", Box::new(|s| s.border.truncate(1))),
            (
                "border[2].lon_deg",
                Box::new(|s| s.border[2].lon_deg = f64::NAN),
            ),
            (
                "radars[0].detection_probability",
                Box::new(|s| s.radars[0].detection_probability = 0.0),
            ),
            (
                "radars[0].detection_probability",
                Box::new(|s| s.radars[0].detection_probability = 1.5),
            ),
            (
                "radars[0].scan_period_s",
                Box::new(|s| s.radars[0].scan_period_s = -2.0),
            ),
            (
                "radars[0].clutter_per_scan",
                Box::new(|s| s.radars[0].clutter_per_scan = -1.0),
            ),
            (
                "radars[0].sigma_range_m",
                Box::new(|s| s.radars[0].sigma_range_m = -1.0),
            ),
            (
                "radars[0].max_range_m",
                Box::new(|s| s.radars[0].max_range_m = 0.0),
            ),
            (
                "ais_receivers[0].range_m",
                Box::new(|s| s.ais_receivers[0].range_m = 0.0),
            ),
            (
                "ais_receivers[0].node_id",
                Box::new(|s| s.ais_receivers[0].node_id = 17),
            ),
            (
                "ais_receivers[0].name",
                Box::new(|s| s.ais_receivers[0].name = "radar-samos-east".into()),
            ),
            (
                "radars[0].name",
                Box::new(|s| s.radars[0].name = "a/b".into()),
            ),
            (
                "vessels[0].route",
                Box::new(|s| s.vessels[0].route.truncate(1)),
            ),
            (
                "vessels[1].route[1].lat_deg",
                Box::new(|s| s.vessels[1].route[1].lat_deg = -100.0),
            ),
            (
                "vessels[1].name",
                Box::new(|s| s.vessels[1].name = "dark boat".into()),
            ),
            (
                "vessels[1].ais.mmsi",
                Box::new(|s| s.vessels[1].ais.as_mut().unwrap().mmsi = 2_391_230),
            ),
            (
                "vessels[1].ais.callsign",
                Box::new(|s| s.vessels[1].ais.as_mut().unwrap().callsign = "SVA12345".into()),
            ),
            (
                "vessels[1].ais.shipname",
                Box::new(|s| s.vessels[1].ais.as_mut().unwrap().shipname = "aegean star".into()),
            ),
            (
                "vessels[1].ais.ship_type",
                Box::new(|s| s.vessels[1].ais.as_mut().unwrap().ship_type = 160),
            ),
            (
                "vessels[1].ais.gnss_sigma_m",
                Box::new(|s| s.vessels[1].ais.as_mut().unwrap().gnss_sigma_m = -1.0),
            ),
        ];
        for (expected, edit) in cases {
            assert_eq!(key_of(with(edit)), expected);
        }
    }

    #[test]
    fn a_second_transponder_with_the_same_mmsi_is_rejected() {
        let err = with(|s| {
            let mut copy = s.vessels[1].clone();
            copy.name = "copy".into();
            s.vessels.push(copy);
        })
        .unwrap_err();
        assert_eq!(
            err.to_string(),
            "vessels[2].ais.mmsi duplicates vessels[1].ais.mmsi (239123000)"
        );
    }

    #[test]
    fn an_unknown_key_in_the_file_is_an_error_naming_it() {
        let mut text = Scenario::border_crossing().to_toml().unwrap();
        text = text.replacen("seed = 2026", "seed = 2026\nsede = 1", 1);
        let err = Scenario::from_toml(&text).unwrap_err();
        assert!(matches!(err, ScenarioError::Toml(_)), "{err:?}");
        assert!(err.to_string().contains("sede"), "{err}");
    }

    #[test]
    fn a_missing_key_in_the_file_is_an_error_naming_it() {
        let text = "name = \"x\"\nseed = 1\nduration_s = 10.0\nborder = []\n";
        let err = Scenario::from_toml(text).unwrap_err();
        assert!(err.to_string().contains("origin"), "{err}");
    }

    #[test]
    fn integers_are_accepted_where_numbers_are_expected() {
        let text = Scenario::border_crossing().to_toml().unwrap().replacen(
            "duration_s = 600.0",
            "duration_s = 600",
            1,
        );
        assert_eq!(Scenario::from_toml(&text).unwrap().duration_s, 600.0);
    }

    #[test]
    fn nodes_lists_radars_then_receivers() {
        let nodes = Scenario::border_crossing().nodes();
        let ids: Vec<_> = nodes.iter().map(|n| (n.node_id, n.kind)).collect();
        assert_eq!(ids, [(17, NodeKind::Radar), (7, NodeKind::AisReceiver)]);
    }
}
