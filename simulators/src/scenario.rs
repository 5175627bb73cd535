//! Scenarios: where the sensors are, where the border runs, and which vessels go where.
//!
//! A [`Scenario`] is plain data. [`Scenario::from_toml`] reads one from a TOML file (every
//! table `deny_unknown_fields`, so a misspelt key is an error rather than a silent default) and
//! validates it; an error names the key path, e.g. `vessels[1].speed_kn must be > 0, got -3`.
//! [`Scenario::border_crossing`] is the built-in demo, and `simulators/scenarios/
//! border_crossing.toml` is the same scenario as a file.

use crate::traffic::{VehicleTrafficFile, VesselTrafficFile};
use crate::world::{
    Area, AreaFile, BorderSides, BorderSidesFile, CheckpointFile, CheckpointSpec, VehicleFile,
    VehicleSpec,
};
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
    /// Names of the border's sides and which crossings should be alerted.
    pub border_sides: Option<BorderSides>,
    /// Land (islands, coasts): drawn in reports.
    pub land: Vec<Area>,
    /// Port areas: meetings there are no rendezvous.
    pub ports: Vec<Area>,
    /// Watched zones: a vessel entering one should raise `zone_entry`.
    pub zones: Vec<Area>,
    /// Land border checkpoints and their plate cameras.
    pub checkpoints: Vec<CheckpointSpec>,
    /// Vehicles crossing the checkpoints.
    pub vehicles: Vec<VehicleSpec>,
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
    /// With `detection_probability`, the range at which a `reference_rcs_m2` target is
    /// detected with that probability (Swerling 1, see [`crate::radar`]); `None`: every
    /// target in range is detected with `detection_probability`.
    pub reference_range_m: Option<f64>,
    /// Radar cross-section of the reference target, m² (default 10).
    pub reference_rcs_m2: f64,
    /// Probability of false alarm per resolution cell of the detector (default 1e-6).
    pub false_alarm_probability: f64,
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
    /// Probability that a message heard in range is lost anyway (slot collisions), `[0, 1)`.
    pub loss_probability: f64,
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
    /// The vessel's AIS transponder; `None` for a dark vessel.
    pub ais: Option<AisTransponderSpec>,
    /// Radar cross-section, m² (default 10: a small boat; a cargo ship is thousands).
    pub rcs_m2: f64,
    /// Stops at waypoints (a stop at waypoint 0 is a late start).
    pub dwells: Vec<Dwell>,
}

/// A stop of a vessel at one of its waypoints.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Dwell {
    /// Index of the waypoint in the route.
    pub at: usize,
    /// How long the vessel stays there, s.
    pub duration_s: f64,
}

/// AIS transponder class (ITU-R M.1371-5).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum AisClass {
    /// Class A (SOLAS ships): message types 1-3 and 5.
    #[default]
    A,
    /// Class B "CS" (carrier sense): message types 18 and 24.
    B,
}

/// A transponder that lies: a false position and/or another vessel's MMSI, for a while.
#[derive(Debug, Clone, PartialEq)]
pub struct SpoofSpec {
    /// From when, s.
    pub from_s: f64,
    /// Until when, s (`None`: to the end).
    pub until_s: Option<f64>,
    /// A fixed position reported instead of the true one.
    pub position: Option<Geodetic>,
    /// Otherwise the true position shifted this far east, m.
    pub offset_east_m: f64,
    /// ... and this far north, m.
    pub offset_north_m: f64,
    /// An MMSI sent instead of the transponder's own.
    pub mmsi: Option<u32>,
}

/// An AIS transponder's configuration.
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
    /// Class A or B.
    pub class: AisClass,
    /// Switched off at this time, s (the vessel goes dark).
    pub off_s: Option<f64>,
    /// Switched back on at this time, s (after `off_s`).
    pub on_s: Option<f64>,
    /// False reports.
    pub spoof: Option<SpoofSpec>,
}

/// What kind of sensor node a [`NodeSpec`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum NodeKind {
    /// A radar sending plots and north markers.
    Radar,
    /// An AIS receiver sending sentences.
    AisReceiver,
    /// A plate reader at a checkpoint sending `PlateRead` frames.
    PlateReader,
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
/// Radar cross-section of a vessel, and of a radar's reference target, when the file gives
/// none, m²: a small open boat.
pub const DEFAULT_RCS_M2: f64 = 10.0;
/// How far from the origin any place of a scenario may be, m.
pub const MAX_SCENE_RADIUS_M: f64 = 500_000.0;
/// A radar detector's false alarm probability when the file gives none.
pub const DEFAULT_FALSE_ALARM_PROBABILITY: f64 = 1e-6;

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
                reference_range_m: None,
                reference_rcs_m2: DEFAULT_RCS_M2,
                false_alarm_probability: DEFAULT_FALSE_ALARM_PROBABILITY,
            }],
            ais_receivers: vec![AisReceiverSpec {
                node_id: 7,
                name: "ais-samos".to_string(),
                position: mast,
                range_m: 40_000.0,
                loss_probability: 0.0,
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
                    rcs_m2: DEFAULT_RCS_M2,
                    dwells: Vec::new(),
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
                        class: AisClass::A,
                        off_s: None,
                        on_s: None,
                        spoof: None,
                    }),
                    rcs_m2: DEFAULT_RCS_M2,
                    dwells: Vec::new(),
                },
            ],
            border_sides: None,
            land: Vec::new(),
            ports: Vec::new(),
            zones: Vec::new(),
            checkpoints: Vec::new(),
            vehicles: Vec::new(),
        }
    }

    /// Reads a scenario from TOML and validates it (see [`Scenario::validate`]).
    ///
    /// `[[vessel_traffic]]` and `[vehicle_traffic]` tables are expanded here into vessels and
    /// vehicles (drawn from the seed), after them in the lists; the scenario holds only the
    /// expanded lists, so [`Scenario::to_toml`] writes every generated actor out.
    pub fn from_toml(text: &str) -> Result<Scenario, ScenarioError> {
        let file: ScenarioFile = toml::from_str(text)?;
        let vessel_traffic = file.vessel_traffic.clone();
        let vehicle_traffic = file.vehicle_traffic.clone();
        let mut scenario = Scenario::try_from(file)?;
        // The hand-written actors are checked first, so that errors name their keys.
        scenario.validate()?;
        for (i, traffic) in vessel_traffic.iter().enumerate() {
            let vessels = traffic.expand(&scenario, i)?;
            scenario.vessels.extend(vessels);
        }
        if let Some(traffic) = &vehicle_traffic {
            let vehicles = traffic.expand(&scenario)?;
            scenario.vehicles.extend(vehicles);
        }
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

    /// Every sensor node: radars first, then AIS receivers, then cameras behind plate-reader
    /// nodes, in scenario order.
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
        let readers = self.checkpoints.iter().flat_map(|c| {
            c.cameras.iter().filter_map(|cam| {
                Some(NodeSpec {
                    node_id: cam.node_id?,
                    name: cam.id.clone(),
                    kind: NodeKind::PlateReader,
                    position: c.position,
                })
            })
        });
        radars.chain(receivers).chain(readers).collect()
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
            if let Some(range) = r.reference_range_m {
                in_range(
                    &format!("{key}.reference_range_m"),
                    range,
                    Bound::Above(0.0),
                    Bound::AtMost(1_000_000.0),
                )?;
                // Pd = Pfa^(1/(1+SNR)) needs Pd above Pfa and below 1 at the reference.
                if !(r.detection_probability < 1.0
                    && r.detection_probability > r.false_alarm_probability)
                {
                    return Err(invalid(
                        format!("{key}.detection_probability"),
                        format!(
                            "must be below 1 and above false_alarm_probability when \
                             reference_range_m is set, got {}",
                            r.detection_probability
                        ),
                    ));
                }
            }
            in_range(
                &format!("{key}.reference_rcs_m2"),
                r.reference_rcs_m2,
                Bound::Above(0.0),
                Bound::AtMost(1e7),
            )?;
            in_range(
                &format!("{key}.false_alarm_probability"),
                r.false_alarm_probability,
                Bound::Above(0.0),
                Bound::AtMost(0.1),
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
            in_range(
                &format!("{key}.loss_probability"),
                r.loss_probability,
                Bound::AtLeast(0.0),
                Bound::Below(1.0),
            )?;
        }
        crate::world::validate_checkpoints(
            &self.checkpoints,
            &self.vehicles,
            self.duration_s,
            |key, id| node(key, id, "camera"),
        )?;
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
            in_range(
                &format!("{key}.rcs_m2"),
                v.rcs_m2,
                Bound::Above(0.0),
                Bound::AtMost(1e7),
            )?;
            for d in &v.dwells {
                let key = format!("{key}.route[{}].dwell_s", d.at);
                if d.at >= v.route.len() {
                    return Err(invalid(key, "names no waypoint"));
                }
                in_range(
                    &key,
                    d.duration_s,
                    Bound::AtLeast(0.0),
                    Bound::AtMost(MAX_DURATION_S),
                )?;
            }
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
                if let Some(off) = ais.off_s {
                    time_in(&format!("{key}.off_s"), off, self.duration_s)?;
                }
                if let Some(on) = ais.on_s {
                    time_in(&format!("{key}.on_s"), on, self.duration_s)?;
                    if ais.off_s.is_none_or(|off| on <= off) {
                        return Err(invalid(
                            format!("{key}.on_s"),
                            format!("must come after off_s, got {on}"),
                        ));
                    }
                }
                if let Some(spoof) = &ais.spoof {
                    let key = format!("{key}.spoof");
                    time_in(&format!("{key}.from_s"), spoof.from_s, self.duration_s)?;
                    if let Some(until) = spoof.until_s {
                        time_in(&format!("{key}.until_s"), until, self.duration_s)?;
                        if until <= spoof.from_s {
                            return Err(invalid(
                                format!("{key}.until_s"),
                                format!("must come after from_s, got {until}"),
                            ));
                        }
                    }
                    if let Some(p) = &spoof.position {
                        position(&format!("{key}.position"), p)?;
                    }
                    for (name, v) in [
                        ("offset_east_m", spoof.offset_east_m),
                        ("offset_north_m", spoof.offset_north_m),
                    ] {
                        in_range(
                            &format!("{key}.{name}"),
                            v,
                            Bound::AtLeast(-1_000_000.0),
                            Bound::AtMost(1_000_000.0),
                        )?;
                    }
                    if let Some(m) = spoof.mmsi
                        && !(100_000_000..=999_999_999).contains(&m)
                    {
                        return Err(invalid(
                            format!("{key}.mmsi"),
                            format!("must have 9 digits, got {m}"),
                        ));
                    }
                    let lies = spoof.position.is_some()
                        || spoof.offset_east_m != 0.0
                        || spoof.offset_north_m != 0.0
                        || spoof.mmsi.is_some();
                    if !lies {
                        return Err(invalid(
                            key,
                            "needs a position, an offset or an mmsi to send instead of the truth",
                        ));
                    }
                }
            }
        }
        if let Some(sides) = &self.border_sides {
            crate::world::validate_border_sides(sides)?;
        }
        crate::world::validate_areas("land", &self.land)?;
        crate::world::validate_areas("ports", &self.ports)?;
        crate::world::validate_areas("zones", &self.zones)?;
        self.on_the_map()
    }

    /// Every place of the scene within [`MAX_SCENE_RADIUS_M`] of the origin: the local
    /// east/north frame that truth, detections and the agent's tracker share is a tangent
    /// plane, and a sensor or route far beyond it is a typo (a sign, a swapped latitude and
    /// longitude) far more often than a plan.
    fn on_the_map(&self) -> Result<(), ScenarioError> {
        let frame = self.frame();
        let mut places: Vec<(String, Geodetic)> = Vec::new();
        for (i, p) in self.border.iter().enumerate() {
            places.push((format!("border[{i}]"), *p));
        }
        for (i, r) in self.radars.iter().enumerate() {
            places.push((format!("radars[{i}].position"), r.position));
        }
        for (i, r) in self.ais_receivers.iter().enumerate() {
            places.push((format!("ais_receivers[{i}].position"), r.position));
        }
        for (i, v) in self.vessels.iter().enumerate() {
            for (j, p) in v.route.iter().enumerate() {
                places.push((format!("vessels[{i}].route[{j}]"), *p));
            }
        }
        for (i, c) in self.checkpoints.iter().enumerate() {
            places.push((format!("checkpoints[{i}].position"), c.position));
        }
        for (list, areas) in [
            ("land", &self.land),
            ("ports", &self.ports),
            ("zones", &self.zones),
        ] {
            for (i, a) in areas.iter().enumerate() {
                for (j, p) in a.polygon.iter().enumerate() {
                    places.push((format!("{list}[{i}].polygon[{j}]"), *p));
                }
            }
        }
        for (key, p) in places {
            let (east, north) = frame.to_east_north(p);
            let distance = east.hypot(north);
            // NaN (a position validation let through) is off the map too.
            let on_map = distance.is_finite() && distance <= MAX_SCENE_RADIUS_M;
            if !on_map {
                return Err(invalid(
                    key,
                    format!(
                        "is {:.0} km from the origin; the scene must lie within {:.0} km of it",
                        distance / 1000.0,
                        MAX_SCENE_RADIUS_M / 1000.0
                    ),
                ));
            }
        }
        Ok(())
    }
}

pub(crate) fn invalid(key: impl Into<String>, problem: impl Into<String>) -> ScenarioError {
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
    Below(f64),
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
        Bound::Below(h) => (value < h, format!("must be < {h}")),
    };
    for b in [low, high] {
        let (ok, rule) = check(b);
        if !ok {
            return Err(invalid(key, format!("{rule}, got {value}")));
        }
    }
    Ok(())
}

/// A probability in `[0, 1]` (`zero_ok`) or `(0, 1]`.
pub(crate) fn probability(key: &str, value: f64, zero_ok: bool) -> Result<(), ScenarioError> {
    let low = if zero_ok {
        Bound::AtLeast(0.0)
    } else {
        Bound::Above(0.0)
    };
    in_range(key, value, low, Bound::AtMost(1.0))
}

/// A finite time within `[0, duration_s]`.
pub(crate) fn time_in(key: &str, t: f64, duration_s: f64) -> Result<(), ScenarioError> {
    in_range(key, t, Bound::AtLeast(0.0), Bound::AtMost(duration_s))
}

pub(crate) fn position(key: &str, p: &Geodetic) -> Result<(), ScenarioError> {
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
    #[serde(default, skip_serializing_if = "Option::is_none")]
    border_sides: Option<BorderSidesFile>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    land: Vec<AreaFile>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    ports: Vec<AreaFile>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    zones: Vec<AreaFile>,
    #[serde(default)]
    radars: Vec<RadarFile>,
    #[serde(default)]
    ais_receivers: Vec<AisReceiverFile>,
    #[serde(default)]
    vessels: Vec<VesselFile>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    vessel_traffic: Vec<VesselTrafficFile>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    checkpoints: Vec<CheckpointFile>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    vehicles: Vec<VehicleFile>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    vehicle_traffic: Option<VehicleTrafficFile>,
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct PositionFile {
    pub(crate) lat_deg: f64,
    pub(crate) lon_deg: f64,
    #[serde(default)]
    pub(crate) alt_m: f64,
}

/// A route point: a position and, optionally, how long the vessel stops there.
#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct WaypointFile {
    lat_deg: f64,
    lon_deg: f64,
    #[serde(default)]
    alt_m: f64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    dwell_s: Option<f64>,
}

fn default_rcs() -> f64 {
    DEFAULT_RCS_M2
}

fn default_pfa() -> f64 {
    DEFAULT_FALSE_ALARM_PROBABILITY
}

fn is_default_rcs(v: &f64) -> bool {
    *v == DEFAULT_RCS_M2
}

fn is_default_pfa(v: &f64) -> bool {
    *v == DEFAULT_FALSE_ALARM_PROBABILITY
}

fn is_zero(v: &f64) -> bool {
    *v == 0.0
}

fn is_class_a(c: &AisClass) -> bool {
    *c == AisClass::A
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
    #[serde(default, skip_serializing_if = "Option::is_none")]
    reference_range_m: Option<f64>,
    #[serde(default = "default_rcs", skip_serializing_if = "is_default_rcs")]
    reference_rcs_m2: f64,
    #[serde(default = "default_pfa", skip_serializing_if = "is_default_pfa")]
    false_alarm_probability: f64,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct AisReceiverFile {
    node_id: u32,
    name: String,
    position: PositionFile,
    range_m: f64,
    #[serde(default, skip_serializing_if = "is_zero")]
    loss_probability: f64,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct VesselFile {
    name: String,
    speed_kn: f64,
    route: Vec<WaypointFile>,
    #[serde(default = "default_rcs", skip_serializing_if = "is_default_rcs")]
    rcs_m2: f64,
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
    #[serde(default, skip_serializing_if = "is_class_a")]
    class: AisClass,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    off_s: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    on_s: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    spoof: Option<SpoofFile>,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct SpoofFile {
    from_s: f64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    until_s: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    position: Option<PositionFile>,
    #[serde(default, skip_serializing_if = "is_zero")]
    offset_east_m: f64,
    #[serde(default, skip_serializing_if = "is_zero")]
    offset_north_m: f64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    mmsi: Option<u32>,
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

fn areas(key: &str, files: Vec<AreaFile>) -> Result<Vec<Area>, ScenarioError> {
    files
        .into_iter()
        .enumerate()
        .map(|(i, a)| a.into_area(&format!("{key}[{i}]")))
        .collect()
}

impl TryFrom<ScenarioFile> for Scenario {
    type Error = ScenarioError;

    fn try_from(f: ScenarioFile) -> Result<Self, ScenarioError> {
        Ok(Scenario {
            name: f.name,
            seed: f.seed,
            origin: f.origin.into(),
            duration_s: f.duration_s,
            border: f.border.into_iter().map(Geodetic::from).collect(),
            border_sides: f.border_sides.map(BorderSides::from),
            land: areas("land", f.land)?,
            ports: areas("ports", f.ports)?,
            zones: areas("zones", f.zones)?,
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
                    reference_range_m: r.reference_range_m,
                    reference_rcs_m2: r.reference_rcs_m2,
                    false_alarm_probability: r.false_alarm_probability,
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
                    loss_probability: r.loss_probability,
                })
                .collect(),
            vessels: f.vessels.into_iter().map(VesselSpec::from).collect(),
            checkpoints: f
                .checkpoints
                .into_iter()
                .map(CheckpointSpec::from)
                .collect(),
            vehicles: f.vehicles.into_iter().map(VehicleSpec::from).collect(),
        })
    }
}

impl From<VesselFile> for VesselSpec {
    fn from(v: VesselFile) -> Self {
        let dwells = v
            .route
            .iter()
            .enumerate()
            .filter_map(|(at, w)| {
                Some(Dwell {
                    at,
                    duration_s: w.dwell_s?,
                })
            })
            .collect();
        VesselSpec {
            name: v.name,
            route: v
                .route
                .iter()
                .map(|w| Geodetic::with_alt(w.lat_deg, w.lon_deg, w.alt_m))
                .collect(),
            speed_kn: v.speed_kn,
            rcs_m2: v.rcs_m2,
            dwells,
            ais: v.ais.map(|a| AisTransponderSpec {
                mmsi: a.mmsi,
                callsign: a.callsign,
                shipname: a.shipname,
                ship_type: a.ship_type,
                gnss_sigma_m: a.gnss_sigma_m,
                class: a.class,
                off_s: a.off_s,
                on_s: a.on_s,
                spoof: a.spoof.map(|s| SpoofSpec {
                    from_s: s.from_s,
                    until_s: s.until_s,
                    position: s.position.map(Geodetic::from),
                    offset_east_m: s.offset_east_m,
                    offset_north_m: s.offset_north_m,
                    mmsi: s.mmsi,
                }),
            }),
        }
    }
}

impl From<&VesselSpec> for VesselFile {
    fn from(v: &VesselSpec) -> Self {
        VesselFile {
            name: v.name.clone(),
            speed_kn: v.speed_kn,
            rcs_m2: v.rcs_m2,
            route: v
                .route
                .iter()
                .enumerate()
                .map(|(i, p)| {
                    let dwell: f64 = v
                        .dwells
                        .iter()
                        .filter(|d| d.at == i)
                        .map(|d| d.duration_s)
                        .sum();
                    WaypointFile {
                        lat_deg: p.lat_deg,
                        lon_deg: p.lon_deg,
                        alt_m: p.alt_m,
                        dwell_s: v.dwells.iter().any(|d| d.at == i).then_some(dwell),
                    }
                })
                .collect(),
            ais: v.ais.as_ref().map(|a| AisTransponderFile {
                mmsi: a.mmsi,
                callsign: a.callsign.clone(),
                shipname: a.shipname.clone(),
                ship_type: a.ship_type,
                gnss_sigma_m: a.gnss_sigma_m,
                class: a.class,
                off_s: a.off_s,
                on_s: a.on_s,
                spoof: a.spoof.as_ref().map(|s| SpoofFile {
                    from_s: s.from_s,
                    until_s: s.until_s,
                    position: s.position.as_ref().map(PositionFile::from),
                    offset_east_m: s.offset_east_m,
                    offset_north_m: s.offset_north_m,
                    mmsi: s.mmsi,
                }),
            }),
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
            border_sides: s.border_sides.as_ref().map(BorderSidesFile::from),
            land: s.land.iter().map(AreaFile::of).collect(),
            ports: s.ports.iter().map(AreaFile::of).collect(),
            zones: s.zones.iter().map(AreaFile::of).collect(),
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
                    reference_range_m: r.reference_range_m,
                    reference_rcs_m2: r.reference_rcs_m2,
                    false_alarm_probability: r.false_alarm_probability,
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
                    loss_probability: r.loss_probability,
                })
                .collect(),
            vessels: s.vessels.iter().map(VesselFile::from).collect(),
            vessel_traffic: Vec::new(),
            checkpoints: s.checkpoints.iter().map(CheckpointFile::from).collect(),
            vehicles: s.vehicles.iter().map(VehicleFile::from).collect(),
            vehicle_traffic: None,
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

    /// Every optional table and key of the file format, once.
    const FULL: &str = r#"
name = "full"
seed = 5
duration_s = 7200.0
origin = { lat_deg = 37.683, lon_deg = 27.0 }
border = [{ lat_deg = 37.68, lon_deg = 27.08 }, { lat_deg = 37.80, lon_deg = 27.11 }]
border_sides = { left = "GR", right = "TR", alert_into = "GR" }

[[land]]
name = "Samos east"
polygon = [{ lat_deg = 37.70, lon_deg = 26.98 }, { lat_deg = 37.74, lon_deg = 27.04 }, { lat_deg = 37.69, lon_deg = 27.03 }]

[[ports]]
name = "Vathy"
geojson = '{"type": "Polygon", "coordinates": [[[26.97, 37.75], [26.99, 37.75], [26.99, 37.76], [26.97, 37.75]]]}'

[[zones]]
name = "restricted"
geojson = '{"type": "Feature", "properties": {}, "geometry": {"type": "Polygon", "coordinates": [[[27.05, 37.70], [27.07, 37.70], [27.07, 37.72], [27.05, 37.70]]]}}'

[[radars]]
node_id = 17
name = "radar"
position = { lat_deg = 37.725, lon_deg = 27.045, alt_m = 120.0 }
scan_period_s = 2.0
max_range_m = 24000.0
detection_probability = 0.9
sigma_range_m = 15.0
sigma_bearing_deg = 0.3
clutter_per_scan = 2.0
reference_range_m = 12000.0
reference_rcs_m2 = 10.0
false_alarm_probability = 1e-6

[[ais_receivers]]
node_id = 7
name = "ais"
position = { lat_deg = 37.725, lon_deg = 27.045 }
range_m = 40000.0
loss_probability = 0.1

[[vessels]]
name = "mother"
speed_kn = 8.0
rcs_m2 = 2000.0
route = [{ lat_deg = 37.74, lon_deg = 27.10 }, { lat_deg = 37.75, lon_deg = 27.08, dwell_s = 900.0 }, { lat_deg = 37.78, lon_deg = 27.05 }]
ais = { mmsi = 271000001, callsign = "TCA1", shipname = "MOTHER", ship_type = 70, gnss_sigma_m = 5.0, class = "B", off_s = 600.0, on_s = 3000.0, spoof = { from_s = 4000.0, until_s = 5000.0, offset_east_m = 3000.0, mmsi = 271000009 } }

[[vessel_traffic]]
name = "lane"
count = 20
lanes = [[{ lat_deg = 37.70, lon_deg = 27.06 }, { lat_deg = 37.80, lon_deg = 27.09 }]]
speed_kn = [8.0, 14.0]
class_b_fraction = 0.5
dark_fraction = 0.1

[[checkpoints]]
id = "kipoi"
position = { lat_deg = 40.93, lon_deg = 26.33 }
country = "GR"
cameras = [
    { id = "kipoi-1-in", lane = 1, direction = "entering", node_id = 31, misread_probability = 0.01 },
    { id = "kipoi-2-out", lane = 2, direction = "leaving", read_probability = 0.98 },
]

[[checkpoints]]
id = "kastanies"
position = { lat_deg = 41.6476, lon_deg = 26.4816 }
country = "GR"
cameras = [{ id = "kastanies-1", lane = 1, direction = "entering" }]

[[vehicles]]
plate = "ABE1234"
country = "GR"
hotlisted = true
crossings = [{ checkpoint = "kipoi", t_s = 600.0, lane = 1, direction = "entering" }]

[vehicle_traffic]
count = 200
countries = ["GR", "BG", "TR"]
hotlisted = 5
cloned = 3
return_fraction = 0.3
"#;

    #[test]
    fn every_table_of_the_format_is_read() {
        let s = Scenario::from_toml(FULL).unwrap();
        assert_eq!(s.vessels.len(), 21);
        assert_eq!(s.vehicles.len(), 1 + 200 + 3);
        assert_eq!(s.land[0].polygon.len(), 3);
        assert_eq!(s.ports[0].polygon.len(), 3, "the closing point is dropped");
        assert_eq!(s.zones[0].name, "restricted");
        assert_eq!(
            s.border_sides.as_ref().unwrap().alert_into.as_deref(),
            Some("GR")
        );
        let mother = &s.vessels[0];
        assert_eq!(
            mother.dwells,
            [Dwell {
                at: 1,
                duration_s: 900.0
            }]
        );
        let ais = mother.ais.as_ref().unwrap();
        assert_eq!(
            (ais.class, ais.off_s, ais.on_s),
            (AisClass::B, Some(600.0), Some(3000.0))
        );
        assert_eq!(ais.spoof.as_ref().unwrap().mmsi, Some(271_000_009));
        assert_eq!(s.radars[0].reference_range_m, Some(12_000.0));
        assert_eq!(s.ais_receivers[0].loss_probability, 0.1);
        let readers: Vec<_> = s
            .nodes()
            .into_iter()
            .filter(|n| n.kind == NodeKind::PlateReader)
            .map(|n| n.node_id)
            .collect();
        assert_eq!(readers, [31]);
        assert_eq!(s.vehicles.iter().filter(|v| v.hotlisted).count(), 1 + 5);
        // Written out and read back: the same scene, generated actors included.
        let again = Scenario::from_toml(&s.to_toml().unwrap()).unwrap();
        assert_eq!(again, s);
        // And the same seed expands to the same actors.
        assert_eq!(Scenario::from_toml(FULL).unwrap(), s);
    }

    #[test]
    fn errors_in_the_new_tables_name_their_keys() {
        let cases = [
            (
                "speed_kn = [8.0, 14.0]",
                "speed_kn = [14.0, 8.0]",
                "vessel_traffic[0].speed_kn",
            ),
            (
                "checkpoint = \"kipoi\", t_s = 600.0",
                "checkpoint = \"kipoy\", t_s = 600.0",
                "vehicles[0].crossings[0].checkpoint",
            ),
            (
                "t_s = 600.0, lane = 1",
                "t_s = 600.0, lane = 9",
                "vehicles[0].crossings[0].lane",
            ),
            ("on_s = 3000.0", "on_s = 300.0", "vessels[0].ais.on_s"),
            (
                "\"type\": \"Feature\"",
                "\"type\": \"Fature\"",
                "zones[0].geojson",
            ),
            (
                "loss_probability = 0.1",
                "loss_probability = 1.0",
                "ais_receivers[0].loss_probability",
            ),
            (
                "node_id = 31",
                "node_id = 7",
                "checkpoints[0].cameras[0].node_id",
            ),
            (
                "plate = \"ABE1234\"",
                "plate = \"abe-1234\"",
                "vehicles[0].plate",
            ),
            ("cloned = 3", "cloned = 300", "vehicle_traffic.cloned"),
            (
                "dwell_s = 900.0",
                "dwell_s = -1.0",
                "vessels[0].route[1].dwell_s",
            ),
            // A sign lost: the radar put in the Atlantic.
            (
                "lat_deg = 37.725, lon_deg = 27.045, alt_m = 120.0 }\nscan",
                "lat_deg = 37.725, lon_deg = -27.045, alt_m = 120.0 }\nscan",
                "radars[0].position",
            ),
            (
                "alert_into = \"GR\"",
                "alert_into = \"BG\"",
                "border_sides.alert_into",
            ),
        ];
        for (from, to, key) in cases {
            assert_eq!(FULL.matches(from).count(), 1, "{from}");
            let err = Scenario::from_toml(&FULL.replacen(from, to, 1)).unwrap_err();
            assert!(err.to_string().starts_with(key), "{key}: {err}");
        }
    }

    #[test]
    fn nodes_lists_radars_then_receivers() {
        let nodes = Scenario::border_crossing().nodes();
        let ids: Vec<_> = nodes.iter().map(|n| (n.node_id, n.kind)).collect();
        assert_eq!(ids, [(17, NodeKind::Radar), (7, NodeKind::AisReceiver)]);
    }
}
