//! Tracking scenarios beyond the random ones of `shared/tools/stonesoup_gnn.py`, written in that
//! script's tracker-neutral CSV format (`truth.csv`, `detections.csv`, see [`crate::csv`]) so
//! that Stone Soup and our tracker run on the same files and [`crate::score`] scores both.
//!
//! These are not the TOML sensor scenarios of [`crate::scenario`] (vessels on routes, sensors
//! sending bytes): they are measurement-level files, to test trackers where trackers fail.
//! Every file is a pure function of the scenario, `seed`, `targets` and `steps`.
//!
//! | name | tests | sensors | default targets, scans |
//! |---|---|---|---|
//! | `crossing` | identity through crossings: pairs of vessels crossing at 5-10° at the same instant | plots | 10 (5 pairs), 200 |
//! | `sharp-turn` | manoeuvres: two 90° coordinated turns at 3-6 °/s, where a CV filter lags | plots | 10, 60 |
//! | `dense` | scale and clutter: 5,000 vessels, one clutter plot per vessel per scan | plots | 5,000, 20 |
//! | `delayed-ais` | late measurements: radar plus AIS arriving up to 10 s after its time | radar, AIS | 20, 40 |
//!
//! `crossing`: the two vessels of a pair (truth ids 2k and 2k+1) go at 8-11.65 m/s, within 3%
//! of each other, on straight lines 5-10° apart, and reach their crossing point together halfway
//! through. They are within 3 σ of each other for a minute or more around it, and at least
//! 2·8 m/s·sin 2.5°·199 s = 139 m apart at the first and last of the default 200 scans: more than
//! the scorer's cut-off c = 100 m, so a swap of their tracks is an unambiguous identity switch.
//!
//! `sharp-turn`: each vessel goes straight for 16-30 s at 6-12 m/s, turns 90° left or right at a
//! constant 3-6 °/s (a coordinated turn at constant speed), goes straight 10-20 s, turns 90°
//! again at its own rate, and goes straight to the end.
//!
//! `dense`: vessels start uniformly in a square of 1 km² per vessel at 2-12 m/s in any
//! direction and move at nearly constant velocity (white acceleration noise, the script's
//! `--q-truth` 0.01 m²/s³); clutter is as many plots as vessels per scan (1 per km², ten times
//! the script's density).
//!
//! `delayed-ais`: vessels as in `dense` at the script's density (4 km² per vessel), seen by the
//! radar at `k·2 s` and by AIS at `k·2 s + 1 s`.
//!
//! Sensor conventions are the script's: a scan every [`DT_S`] seconds; position plots (`xy`,
//! sensor [`PLOT_SENSOR`]) with σ = [`SIGMA_XY_M`] per axis; a coastal range/bearing radar
//! (`rb`, sensor [`RADAR_SENSOR`], on the southern edge, bearing in radians counter-clockwise
//! from east, σ = [`SIGMA_BEARING_DEG`] and [`SIGMA_RANGE_M`]); AIS-like position reports (`xy`,
//! sensor [`AIS_SENSOR`], σ = [`AIS_SIGMA_M`], received with probability [`AIS_PD`], half a scan
//! after the radar as in the script's `--sensor both`). Vessels are detected with probability
//! [`PD`]; clutter is a Poisson number of plots a scan, uniform over the scenario's square,
//! [`CLUTTER_PER_KM2`] per km² unless said otherwise; rows of a scan are shuffled. Truth is
//! written at every scan time, for every vessel.
//!
//! # `delayed-ais` and its extra column
//! `detections.csv` of this scenario has a twelfth column, `t_arrival`: when the row reaches
//! the tracker (radar plots at once, AIS reports [`AIS_MAX_DELAY_S`]·U(0, 1) seconds after
//! `t`, their time of applicability). Rows stay sorted by `t`, as the format defines scans by
//! `t`, and the script's readers (`csv.DictReader`) ignore the extra column: Stone Soup gets
//! every AIS report on time, an advantage over a tracker that feeds rows in `t_arrival` order.

use crate::csv::{self, DetectionRow, MeasurementModel, TruthRow};
use crate::generate::stream_rng;
use rand::Rng;
use rand::seq::SliceRandom;
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, Poisson, StandardNormal};
use std::f64::consts::{PI, TAU};
use std::fmt::Write as _;
use std::io::{self, BufWriter, Write};
use std::path::Path;

/// Scan period of every sensor, seconds.
pub const DT_S: f64 = 2.0;
/// Probability that a vessel gives a plot or a radar detection on one scan.
pub const PD: f64 = 0.9;
/// Standard deviation of a position plot, metres, per axis.
pub const SIGMA_XY_M: f64 = 15.0;
/// Standard deviation of the radar's range, metres.
pub const SIGMA_RANGE_M: f64 = 15.0;
/// Standard deviation of the radar's bearing, degrees.
pub const SIGMA_BEARING_DEG: f64 = 0.3;
/// Clutter density, plots per km² per scan (the script's default).
pub const CLUTTER_PER_KM2: f64 = 0.1;
/// Probability that a vessel's AIS report of one scan is received.
pub const AIS_PD: f64 = 0.7;
/// Standard deviation of an AIS position, metres, per axis.
pub const AIS_SIGMA_M: f64 = 10.0;
/// Largest delay of an AIS report after its time of applicability, seconds.
pub const AIS_MAX_DELAY_S: f64 = 10.0;
/// Sensor id of position plots.
pub const PLOT_SENSOR: u32 = 1;
/// Sensor id of the range/bearing radar.
pub const RADAR_SENSOR: u32 = 2;
/// Sensor id of AIS reports.
pub const AIS_SENSOR: u32 = 3;

/// Most targets a scenario accepts.
pub const MAX_TARGETS: usize = 1_000_000;
/// Most scans a scenario accepts.
pub const MAX_STEPS: usize = 100_000;
/// Most truth rows (targets × scans) a scenario accepts, which bounds memory.
pub const MAX_TRUTH_ROWS: usize = 50_000_000;

/// Truth process noise of the nearly-constant-velocity vessels of `dense` and `delayed-ais`,
/// m²/s³ (the script's `--q-truth`).
const Q_TRUTH: f64 = 0.01;
/// Clearance between the areas two `crossing` pairs or `sharp-turn` vessels can reach, metres,
/// so that cells do not interact.
const CELL_MARGIN_M: f64 = 1000.0;
/// Fastest vessel of `crossing` and `sharp-turn`, m/s.
const V_MAX: f64 = 12.0;

/// A tracking scenario (see the module documentation).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TrackingScenario {
    /// Pairs of vessels crossing at a small angle: identity must survive.
    Crossing,
    /// Vessels making two sharp coordinated turns: IMM(CV, CT) must beat CV.
    SharpTurn,
    /// Thousands of vessels in heavy clutter: cost must stay near linear.
    Dense,
    /// Radar plus AIS that arrives up to 10 s late: late reports must be used, not dropped.
    DelayedAis,
}

impl TrackingScenario {
    /// Every scenario, in documentation order.
    pub const ALL: [TrackingScenario; 4] = [
        TrackingScenario::Crossing,
        TrackingScenario::SharpTurn,
        TrackingScenario::Dense,
        TrackingScenario::DelayedAis,
    ];

    /// The name on the command line and in file names.
    pub fn name(self) -> &'static str {
        match self {
            TrackingScenario::Crossing => "crossing",
            TrackingScenario::SharpTurn => "sharp-turn",
            TrackingScenario::Dense => "dense",
            TrackingScenario::DelayedAis => "delayed-ais",
        }
    }

    /// One sentence: what the scenario tests.
    pub fn description(self) -> &'static str {
        match self {
            TrackingScenario::Crossing => {
                "pairs of vessels within 3% of each other's speed crossing at 5-10 degrees at \
                 the same instant, closer than three plot sigmas for a minute or more: tracks \
                 must not swap"
            }
            TrackingScenario::SharpTurn => {
                "vessels making two 90-degree coordinated turns at 3-6 deg/s between straight \
                 legs: a constant-velocity filter lags, an IMM(CV, CT) should not"
            }
            TrackingScenario::Dense => {
                "5,000 nearly-constant-velocity vessels, one per square km, with as many \
                 clutter plots as vessels every scan: cost per scan must stay near linear"
            }
            TrackingScenario::DelayedAis => {
                "a coastal range/bearing radar plus AIS reports half a scan later that reach \
                 the tracker 0-10 s after their time (column t_arrival): use them, drop none"
            }
        }
    }

    /// Number of vessels when not given.
    pub fn default_targets(self) -> usize {
        match self {
            TrackingScenario::Crossing | TrackingScenario::SharpTurn => 10,
            TrackingScenario::Dense => 5000,
            TrackingScenario::DelayedAis => 20,
        }
    }

    /// Number of scans (per sensor) when not given.
    pub fn default_steps(self) -> usize {
        match self {
            TrackingScenario::Crossing => 200,
            TrackingScenario::SharpTurn => 60,
            TrackingScenario::Dense => 20,
            TrackingScenario::DelayedAis => 40,
        }
    }
}

impl std::fmt::Display for TrackingScenario {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

impl std::str::FromStr for TrackingScenario {
    type Err = TrackingScenarioError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        TrackingScenario::ALL
            .into_iter()
            .find(|scenario| scenario.name() == s)
            .ok_or_else(|| TrackingScenarioError::Unknown(s.to_string()))
    }
}

/// Why a tracking scenario cannot be built.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TrackingScenarioError {
    /// No scenario has that name.
    #[error("unknown scenario `{0}` (known: crossing, sharp-turn, dense, delayed-ais)")]
    Unknown(String),
    /// The number of targets does not fit the scenario.
    #[error("{scenario}: the number of targets must be {requirement}, got {value}")]
    Targets {
        /// The scenario.
        scenario: TrackingScenario,
        /// What it must be.
        requirement: &'static str,
        /// The number given.
        value: usize,
    },
    /// The number of scans is out of range.
    #[error("the number of scans must be between 1 and {MAX_STEPS}, got {0}")]
    Steps(usize),
    /// Targets × scans is more than [`MAX_TRUTH_ROWS`].
    #[error("{targets} targets over {steps} scans is more than {MAX_TRUTH_ROWS} truth rows")]
    TooLarge {
        /// Targets asked for.
        targets: usize,
        /// Scans asked for.
        steps: usize,
    },
}

/// What to build: the seed, and the number of vessels and scans (defaults when `None`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ScenarioOptions {
    /// Seed of every random draw.
    pub seed: u64,
    /// Number of vessels (default: [`TrackingScenario::default_targets`]).
    pub targets: Option<usize>,
    /// Number of scans per sensor (default: [`TrackingScenario::default_steps`]).
    pub steps: Option<usize>,
}

impl Default for ScenarioOptions {
    /// Seed 1 (the script's default) and the scenario's default sizes.
    fn default() -> Self {
        ScenarioOptions {
            seed: 1,
            targets: None,
            steps: None,
        }
    }
}

/// A built scenario: truth, detections and the parameters that made them.
#[derive(Debug, Clone, PartialEq)]
pub struct TrackingData {
    /// Which scenario.
    pub scenario: TrackingScenario,
    /// The seed.
    pub seed: u64,
    /// Number of vessels.
    pub targets: usize,
    /// Scans per sensor.
    pub steps: usize,
    /// Side of the square the vessels start in and clutter falls in, metres (origin at its
    /// south-west corner).
    pub side_m: f64,
    /// Every vessel at every scan time, in time order.
    pub truth: Vec<TruthRow>,
    /// Every detection, in time order (shuffled within a scan).
    pub detections: Vec<DetectionRow>,
    /// `delayed-ais` only: when each detection reaches the tracker, seconds, index for index
    /// with `detections`.
    pub arrivals: Option<Vec<f64>>,
    /// Scenario-specific parameters for `meta.json`: name and JSON value.
    pub parameters: Vec<(&'static str, String)>,
}

/// Builds a scenario.
pub fn build(
    scenario: TrackingScenario,
    options: &ScenarioOptions,
) -> Result<TrackingData, TrackingScenarioError> {
    let targets = options
        .targets
        .unwrap_or_else(|| scenario.default_targets());
    let steps = options.steps.unwrap_or_else(|| scenario.default_steps());
    if !(1..=MAX_TARGETS).contains(&targets) {
        return Err(TrackingScenarioError::Targets {
            scenario,
            requirement: "between 1 and 1000000",
            value: targets,
        });
    }
    if scenario == TrackingScenario::Crossing && targets % 2 != 0 {
        return Err(TrackingScenarioError::Targets {
            scenario,
            requirement: "even (vessels cross in pairs)",
            value: targets,
        });
    }
    if !(1..=MAX_STEPS).contains(&steps) {
        return Err(TrackingScenarioError::Steps(steps));
    }
    if targets.saturating_mul(steps) > MAX_TRUTH_ROWS {
        return Err(TrackingScenarioError::TooLarge { targets, steps });
    }
    let mut builder = Builder::new(scenario, options.seed, targets, steps);
    match scenario {
        TrackingScenario::Crossing => builder.crossing(),
        TrackingScenario::SharpTurn => builder.sharp_turn(),
        TrackingScenario::Dense => builder.dense(),
        TrackingScenario::DelayedAis => builder.delayed_ais(),
    }
    Ok(builder.data)
}

impl TrackingData {
    /// Writes `truth.csv`, `detections.csv` (with `t_arrival` for `delayed-ais`) and
    /// `meta.json` into `dir`, creating it if needed.
    pub fn write(&self, dir: &Path) -> io::Result<()> {
        std::fs::create_dir_all(dir)?;
        let create = |name: &str| std::fs::File::create(dir.join(name)).map(BufWriter::new);
        csv::write_truth(create("truth.csv")?, &self.truth)?;
        let mut detections = create("detections.csv")?;
        match &self.arrivals {
            None => csv::write_detections(detections, &self.detections)?,
            Some(arrivals) => {
                // The standard columns exactly as csv::write_detections writes them, then one
                // more: the lines correspond one to one with the rows.
                let mut standard = Vec::new();
                csv::write_detections(&mut standard, &self.detections)?;
                let text = String::from_utf8(standard)
                    .map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e))?;
                let mut lines = text.lines();
                let header = lines.next().unwrap_or(csv::DETECTIONS_HEADER);
                writeln!(detections, "{header},t_arrival")?;
                for (line, arrival) in lines.zip(arrivals) {
                    writeln!(detections, "{line},{arrival:.3}")?;
                }
                detections.flush()?;
            }
        }
        let mut meta = create("meta.json")?;
        meta.write_all(self.meta_json().as_bytes())?;
        meta.flush()
    }

    /// The parameters as a JSON object (informational, like the script's `meta.json`).
    pub fn meta_json(&self) -> String {
        let clutter = self
            .detections
            .iter()
            .filter(|d| d.truth_id == csv::CLUTTER)
            .count();
        let scans = self
            .truth
            .iter()
            .map(|r| csv::time_key_ms(r.t))
            .collect::<std::collections::BTreeSet<_>>()
            .len();
        let mut out = String::from("{\n");
        let _ = writeln!(out, " \"scenario\": \"{}\",", self.scenario);
        let _ = writeln!(
            out,
            " \"description\": \"{}\",",
            self.scenario.description()
        );
        let common = [
            ("seed", self.seed.to_string()),
            ("targets", self.targets.to_string()),
            ("steps", self.steps.to_string()),
            ("dt_s", format!("{DT_S:?}")),
            ("scans", scans.to_string()),
            ("detections", self.detections.len().to_string()),
            ("clutter", clutter.to_string()),
            ("side_m", format!("{:?}", self.side_m)),
        ];
        for (name, value) in common.iter().chain(&self.parameters) {
            let _ = writeln!(out, " \"{name}\": {value},");
        }
        out.push_str(" \"format\": \"shared/tools/stonesoup_gnn.py\"\n}\n");
        out
    }
}

/// A sensor as the CSV describes it.
#[derive(Debug, Clone, Copy)]
struct Sensor {
    id: u32,
    model: MeasurementModel,
    /// Standard deviations of z0 and z1 (radians or metres).
    sigma: (f64, f64),
    position: (f64, f64),
    pd: f64,
    clutter_per_scan: f64,
}

impl Sensor {
    fn plots(clutter_per_scan: f64) -> Sensor {
        Sensor {
            id: PLOT_SENSOR,
            model: MeasurementModel::Xy,
            sigma: (SIGMA_XY_M, SIGMA_XY_M),
            position: (0.0, 0.0),
            pd: PD,
            clutter_per_scan,
        }
    }

    /// `z` of a point, with noise when `rng` is given (clutter positions are random already).
    fn measure(&self, x: f64, y: f64, rng: Option<&mut ChaCha8Rng>) -> (f64, f64) {
        let (mut z0, mut z1) = match self.model {
            MeasurementModel::Xy => (x, y),
            MeasurementModel::RangeBearing => {
                let (dx, dy) = (x - self.position.0, y - self.position.1);
                (dy.atan2(dx), dx.hypot(dy))
            }
        };
        if let Some(rng) = rng {
            z0 += self.sigma.0 * rng.sample::<f64, _>(StandardNormal);
            z1 += self.sigma.1 * rng.sample::<f64, _>(StandardNormal);
        }
        if self.model == MeasurementModel::RangeBearing {
            z0 = wrap_pi(z0);
        }
        (z0, z1)
    }

    fn row(&self, t: f64, (z0, z1): (f64, f64), truth_id: i64) -> DetectionRow {
        DetectionRow {
            t,
            sensor_id: self.id,
            model: self.model,
            z0,
            z1,
            r00: self.sigma.0 * self.sigma.0,
            r01: 0.0,
            r11: self.sigma.1 * self.sigma.1,
            sx: self.position.0,
            sy: self.position.1,
            truth_id,
        }
    }
}

/// An angle wrapped to `(-π, π]`.
fn wrap_pi(a: f64) -> f64 {
    let w = a.rem_euclid(TAU);
    if w > PI { w - TAU } else { w }
}

/// Vessel state `[x, vx, y, vy]`.
type State = [f64; 4];

/// One leg of a manoeuvring vessel: straight (`rate` 0) or a coordinated turn at `rate` rad/s
/// (positive counter-clockwise), for `duration_s`.
#[derive(Debug, Clone, Copy)]
struct Leg {
    duration_s: f64,
    rate: f64,
}

/// Position after `legs` from `(x, y)` at heading `heading` (radians counter-clockwise from
/// east) and constant `speed`, at `t` seconds (the last leg goes on for ever).
fn along_legs(start: (f64, f64), heading: f64, speed: f64, legs: &[Leg], t: f64) -> State {
    let (mut x, mut y, mut phi) = (start.0, start.1, heading);
    let mut remaining = t;
    for (n, leg) in legs.iter().enumerate() {
        let tau = if n + 1 == legs.len() {
            remaining
        } else {
            remaining.min(leg.duration_s)
        };
        if leg.rate == 0.0 {
            x += speed * tau * phi.cos();
            y += speed * tau * phi.sin();
        } else {
            let r = speed / leg.rate;
            x += r * ((phi + leg.rate * tau).sin() - phi.sin());
            y -= r * ((phi + leg.rate * tau).cos() - phi.cos());
            phi += leg.rate * tau;
        }
        remaining -= tau;
        if remaining <= 0.0 {
            break;
        }
    }
    [x, speed * phi.cos(), y, speed * phi.sin()]
}

/// Nearly-constant-velocity propagation with white acceleration noise `q`, as the script's
/// `cv_step`: per axis, `F = [[1, dt], [0, 1]]`, `Q = q·[[dt³/3, dt²/2], [dt²/2, dt]]`.
fn cv_step(rng: &mut ChaCha8Rng, s: State, dt: f64, q: f64) -> State {
    let l00 = (q * dt.powi(3) / 3.0).sqrt();
    let l10 = if l00 > 0.0 {
        q * dt * dt / 2.0 / l00
    } else {
        0.0
    };
    let l11 = (q * dt - l10 * l10).max(0.0).sqrt();
    let mut out = s;
    for axis in [0, 2] {
        let (n0, n1): (f64, f64) = (rng.sample(StandardNormal), rng.sample(StandardNormal));
        out[axis] = s[axis] + dt * s[axis + 1] + l00 * n0;
        out[axis + 1] = s[axis + 1] + l10 * n0 + l11 * n1;
    }
    out
}

/// Grid cell centres for `n` items, `spacing` metres apart, and the side of the square holding
/// them.
fn cells(n: usize, spacing: f64) -> (Vec<(f64, f64)>, f64) {
    let cols = (n as f64).sqrt().ceil().max(1.0) as usize;
    let centres = (0..n)
        .map(|k| {
            (
                spacing * ((k % cols) as f64 + 0.5),
                spacing * ((k / cols) as f64 + 0.5),
            )
        })
        .collect();
    (centres, spacing * cols as f64)
}

struct Builder {
    data: TrackingData,
    truth_rng: ChaCha8Rng,
    sensor_rng: ChaCha8Rng,
}

impl Builder {
    fn new(scenario: TrackingScenario, seed: u64, targets: usize, steps: usize) -> Builder {
        let name = scenario.name().as_bytes();
        Builder {
            data: TrackingData {
                scenario,
                seed,
                targets,
                steps,
                side_m: 0.0,
                truth: Vec::new(),
                detections: Vec::new(),
                arrivals: None,
                parameters: Vec::new(),
            },
            truth_rng: stream_rng(seed, &[b"tracking", name, b"truth"]),
            sensor_rng: stream_rng(seed, &[b"tracking", name, b"sensors"]),
        }
    }

    fn scan_times(&self) -> impl Iterator<Item = f64> + use<> {
        (0..self.data.steps).map(|k| k as f64 * DT_S)
    }

    fn push_truth(&mut self, t: f64, states: &[State]) {
        for (i, s) in states.iter().enumerate() {
            self.data.truth.push(TruthRow {
                t,
                truth_id: i as i64,
                x: s[0],
                vx: s[1],
                y: s[2],
                vy: s[3],
            });
        }
    }

    /// One scan of `sensor` at `t`: detections of `states` and clutter, shuffled; returns how
    /// many rows were added.
    fn observe(&mut self, sensor: &Sensor, t: f64, states: &[State]) -> usize {
        let mut rows = Vec::new();
        for (i, s) in states.iter().enumerate() {
            if self.sensor_rng.random::<f64>() < sensor.pd {
                let z = sensor.measure(s[0], s[2], Some(&mut self.sensor_rng));
                rows.push(sensor.row(t, z, i as i64));
            }
        }
        let clutter =
            Poisson::new(sensor.clutter_per_scan).map_or(0.0, |p| p.sample(&mut self.sensor_rng));
        let side = self.data.side_m;
        for _ in 0..clutter as u64 {
            let (x, y) = (
                self.sensor_rng.random::<f64>() * side,
                self.sensor_rng.random::<f64>() * side,
            );
            rows.push(sensor.row(t, sensor.measure(x, y, None), csv::CLUTTER));
        }
        rows.shuffle(&mut self.sensor_rng);
        let n = rows.len();
        self.data.detections.extend(rows);
        n
    }

    fn clutter_per_scan(&self) -> f64 {
        CLUTTER_PER_KM2 * self.data.side_m * self.data.side_m / 1e6
    }

    fn crossing(&mut self) {
        let pairs = self.data.targets / 2;
        let t_cross = (self.data.steps - 1) as f64 * DT_S / 2.0;
        // Each vessel stays within V_MAX · t_cross of its pair's crossing point.
        let (centres, side) = cells(pairs, 2.0 * V_MAX * t_cross + CELL_MARGIN_M);
        self.data.side_m = side;
        // Per vessel: crossing point, heading, speed.
        let mut vessels = Vec::with_capacity(self.data.targets);
        let mut angles = Vec::with_capacity(pairs);
        for centre in centres {
            let rng = &mut self.truth_rng;
            let heading = rng.random::<f64>() * TAU;
            let angle = rng.random_range(5.0f64..=10.0).to_radians();
            let speed = rng.random_range(8.0..=V_MAX / 1.03);
            let other_speed = speed * rng.random_range(0.97..=1.03);
            vessels.push((centre, heading - angle / 2.0, speed));
            vessels.push((centre, heading + angle / 2.0, other_speed));
            angles.push(format!("{:.3}", angle.to_degrees()));
        }
        let sensor = Sensor::plots(self.clutter_per_scan());
        for t in self.scan_times() {
            let states: Vec<State> = vessels
                .iter()
                .map(|&((cx, cy), heading, speed)| {
                    let along = speed * (t - t_cross);
                    let (c, s) = (heading.cos(), heading.sin());
                    [cx + along * c, speed * c, cy + along * s, speed * s]
                })
                .collect();
            self.push_truth(t, &states);
            self.observe(&sensor, t, &states);
        }
        self.data.parameters = vec![
            ("crossing_time_s", format!("{t_cross:?}")),
            ("crossing_angles_deg", format!("[{}]", angles.join(", "))),
            (
                "speed_mps",
                "\"8-11.65, the other vessel of a pair within 3%\"".into(),
            ),
            ("pairs", "\"vessels 2k and 2k+1\"".into()),
            ("sensor", plots_json(&sensor)),
        ];
    }

    fn sharp_turn(&mut self) {
        // Each vessel stays within V_MAX · duration of its start.
        let duration = (self.data.steps - 1) as f64 * DT_S;
        let (centres, side) = cells(self.data.targets, 2.0 * V_MAX * duration + CELL_MARGIN_M);
        self.data.side_m = side;
        let mut vessels = Vec::with_capacity(self.data.targets);
        let mut rates = Vec::with_capacity(self.data.targets);
        for centre in centres {
            let rng = &mut self.truth_rng;
            let heading = rng.random::<f64>() * TAU;
            let speed = rng.random_range(6.0..=V_MAX);
            let turn = |rng: &mut ChaCha8Rng| {
                let rate = rng.random_range(3.0f64..=6.0).to_radians();
                let sign = if rng.random::<bool>() { 1.0 } else { -1.0 };
                Leg {
                    duration_s: (PI / 2.0) / rate,
                    rate: sign * rate,
                }
            };
            let first = Leg {
                duration_s: rng.random_range(16.0..=30.0),
                rate: 0.0,
            };
            let turn1 = turn(rng);
            let between = Leg {
                duration_s: rng.random_range(10.0..=20.0),
                rate: 0.0,
            };
            let turn2 = turn(rng);
            let legs = vec![
                first,
                turn1,
                between,
                turn2,
                Leg {
                    duration_s: f64::INFINITY,
                    rate: 0.0,
                },
            ];
            rates.push(format!(
                "[{:.3}, {:.3}]",
                turn1.rate.to_degrees(),
                turn2.rate.to_degrees()
            ));
            vessels.push((centre, heading, speed, legs));
        }
        let sensor = Sensor::plots(self.clutter_per_scan());
        for t in self.scan_times() {
            let states: Vec<State> = vessels
                .iter()
                .map(|(start, heading, speed, legs)| along_legs(*start, *heading, *speed, legs, t))
                .collect();
            self.push_truth(t, &states);
            self.observe(&sensor, t, &states);
        }
        self.data.parameters = vec![
            ("speed_mps", "\"6-12\"".into()),
            (
                "legs",
                "\"straight 16-30 s, 90-degree turn, straight 10-20 s, 90-degree turn, \
                 straight\""
                    .into(),
            ),
            ("turn_rates_deg_s", format!("[{}]", rates.join(", "))),
            ("sensor", plots_json(&sensor)),
        ];
    }

    /// Vessels uniform in a square, random heading, speed 2-12 m/s, nearly constant velocity.
    fn random_vessels(&mut self, area_per_target_km2: f64) -> Vec<State> {
        let side = (self.data.targets as f64 * area_per_target_km2 * 1e6).sqrt();
        self.data.side_m = side;
        let rng = &mut self.truth_rng;
        (0..self.data.targets)
            .map(|_| {
                let (x, y) = (rng.random::<f64>() * side, rng.random::<f64>() * side);
                let speed = rng.random_range(2.0..=12.0);
                let heading = rng.random::<f64>() * TAU;
                [x, speed * heading.cos(), y, speed * heading.sin()]
            })
            .collect()
    }

    fn dense(&mut self) {
        let mut states = self.random_vessels(1.0);
        // Heavy clutter: as many plots as vessels every scan, 10 times the script's density.
        let sensor = Sensor::plots(self.data.targets as f64);
        let mut previous = 0.0;
        for t in self.scan_times() {
            if t > previous {
                for s in &mut states {
                    *s = cv_step(&mut self.truth_rng, *s, t - previous, Q_TRUTH);
                }
                previous = t;
            }
            self.push_truth(t, &states);
            self.observe(&sensor, t, &states);
        }
        self.data.parameters = vec![
            ("area_per_target_km2", "1.0".into()),
            ("q_truth", format!("{Q_TRUTH:?}")),
            ("speed_mps", "\"2-12\"".into()),
            ("sensor", plots_json(&sensor)),
        ];
    }

    fn delayed_ais(&mut self) {
        let mut states = self.random_vessels(4.0);
        let side = self.data.side_m;
        let radar = Sensor {
            id: RADAR_SENSOR,
            model: MeasurementModel::RangeBearing,
            sigma: (SIGMA_BEARING_DEG.to_radians(), SIGMA_RANGE_M),
            position: (side / 2.0, -1000.0),
            pd: PD,
            clutter_per_scan: self.clutter_per_scan(),
        };
        let ais = Sensor {
            id: AIS_SENSOR,
            model: MeasurementModel::Xy,
            sigma: (AIS_SIGMA_M, AIS_SIGMA_M),
            position: (0.0, 0.0),
            pd: AIS_PD,
            clutter_per_scan: 0.0,
        };
        let mut arrivals = Vec::new();
        let mut previous = 0.0;
        let mut delays = stream_rng(self.data.seed, &[b"tracking", b"delayed-ais", b"delays"]);
        for k in 0..self.data.steps {
            let radar_t = k as f64 * DT_S;
            for (sensor, t) in [(&radar, radar_t), (&ais, radar_t + DT_S / 2.0)] {
                if t > previous {
                    for s in &mut states {
                        *s = cv_step(&mut self.truth_rng, *s, t - previous, Q_TRUTH);
                    }
                    previous = t;
                }
                self.push_truth(t, &states);
                let n = self.observe(sensor, t, &states);
                for _ in 0..n {
                    let delay = if sensor.id == AIS_SENSOR {
                        delays.random::<f64>() * AIS_MAX_DELAY_S
                    } else {
                        0.0
                    };
                    // On the millisecond grid of the file, so that t_arrival - t is what the
                    // tracker sees.
                    arrivals.push(((t + delay) * 1000.0).round() / 1000.0);
                }
            }
        }
        self.data.arrivals = Some(arrivals);
        self.data.parameters = vec![
            ("area_per_target_km2", "4.0".into()),
            ("q_truth", format!("{Q_TRUTH:?}")),
            ("speed_mps", "\"2-12\"".into()),
            (
                "radar",
                format!(
                    "{{\"sensor_id\": {RADAR_SENSOR}, \"model\": \"rb\", \"position\": [{:?}, \
                     -1000.0], \"sigma_bearing_deg\": {SIGMA_BEARING_DEG:?}, \
                     \"sigma_range_m\": {SIGMA_RANGE_M:?}, \"pd\": {PD:?}, \
                     \"clutter_per_scan\": {:?}, \"t_arrival\": \"t\"}}",
                    side / 2.0,
                    radar.clutter_per_scan
                ),
            ),
            (
                "ais",
                format!(
                    "{{\"sensor_id\": {AIS_SENSOR}, \"model\": \"xy\", \"offset_s\": {:?}, \
                     \"sigma_m\": {AIS_SIGMA_M:?}, \"pd\": {AIS_PD:?}, \"clutter_per_scan\": \
                     0.0, \"t_arrival\": \"t + U(0, {AIS_MAX_DELAY_S:?}) s\"}}",
                    DT_S / 2.0
                ),
            ),
        ];
    }
}

/// The plot sensor's parameters as JSON.
fn plots_json(sensor: &Sensor) -> String {
    format!(
        "{{\"sensor_id\": {}, \"model\": \"xy\", \"sigma_m\": {:?}, \"pd\": {:?}, \
         \"clutter_per_scan\": {:?}}}",
        sensor.id, sensor.sigma.0, sensor.pd, sensor.clutter_per_scan
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_coordinated_turn_turns_the_velocity_by_rate_times_duration_at_constant_speed() {
        let legs = [
            Leg {
                duration_s: 10.0,
                rate: 0.0,
            },
            Leg {
                duration_s: 18.0,
                rate: 5f64.to_radians(),
            },
            Leg {
                duration_s: f64::INFINITY,
                rate: 0.0,
            },
        ];
        let s = along_legs((0.0, 0.0), 0.0, 10.0, &legs, 28.0);
        // After a 90° left turn from east the vessel heads north, offset by the turn radius.
        let radius = 10.0 / 5f64.to_radians();
        assert!((s[0] - (100.0 + radius)).abs() < 1e-9, "{s:?}");
        assert!((s[2] - radius).abs() < 1e-9, "{s:?}");
        assert!(s[1].abs() < 1e-9 && (s[3] - 10.0).abs() < 1e-9, "{s:?}");
        let later = along_legs((0.0, 0.0), 0.0, 10.0, &legs, 38.0);
        assert!((later[2] - (radius + 100.0)).abs() < 1e-9, "{later:?}");
    }

    #[test]
    fn bearings_are_wrapped_to_the_half_open_interval_of_the_csv_module() {
        assert_eq!(wrap_pi(PI), PI);
        assert_eq!(wrap_pi(-PI), PI);
        assert!((wrap_pi(3.0 * PI / 2.0) + PI / 2.0).abs() < 1e-12);
    }
}
