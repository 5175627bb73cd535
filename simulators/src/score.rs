//! Scoring a tracker's output against ground truth: GOSPA exactly as
//! `shared/tools/stonesoup_gnn.py score` computes it, plus identity switches and
//! fragmentations, which that script lacks.
//!
//! Inputs are the tracker-neutral CSV files of that script (see [`crate::csv`]): `truth.csv`
//! (`t,truth_id,x,vx,y,vy`) and a tracks file (`t,track_id,x,vx,y,vy`, where `vx`, `vy` may be
//! empty: only `x`, `y` are scored).
//!
//! # GOSPA
//! Times are keyed to integer milliseconds (`round(t · 1000)`, ties to even as Python's
//! `round`), and a scan is scored at every key of the union of truth and track times. At each
//! scan, GOSPA with α = 2, cut-off `c` and order `p` between the truth positions X (m points)
//! and the track positions Y (n points) is
//!
//! `GOSPA^p = Σ_{paired, d < c} d^p + c^p / 2 · (missed + false)`
//!
//! minimised over assignments, where a pair at distance ≥ c counts as one missed truth and one
//! false track (it costs `c^p` either way). The summary fields are those of the script (after
//! excluding the first `warmup` scans, or none if that would leave nothing):
//! `mean_gospa` (mean over scans), `gospa_per_truth` (Σ GOSPA / Σ truths),
//! `mean_localisation_per_truth` (Σ localisation / Σ paired truths), `missed_rate`
//! (Σ missed / Σ truths), `false_tracks_per_scan`, `mean_truths`, `mean_tracks`.
//!
//! The optimal assignment is exact and sparse: a pair at distance ≥ c can always be left
//! unpaired at no extra cost, so only pairs closer than `c` (found through a grid of
//! `c`-sized cells) are edges, the bipartite graph splits into connected components, and each
//! component is solved by successive shortest augmenting paths (Dijkstra with potentials) that
//! stop once no augmenting path lowers the cost. A scan of 10,000 truths and 10,000 tracks
//! spread over a sea is scored in tens of milliseconds (the script's dense assignment takes
//! 20 s). Its cost grows with the size of the largest component: vessels packed closer than
//! `c` over a wide area make one large component and a slower (still exact) solve.
//!
//! # Identity switches and fragmentations
//! Counted the CLEAR MOT way (Bernardin & Stiefelhagen 2008; fragmentations as in Li, Huang &
//! Nevatia 2009 and py-motmetrics), with the GOSPA cut-off `c` as the match threshold, over
//! the same scans as the summary:
//! - each truth remembers the track it was last matched to, across any gap. At every scan a
//!   truth first keeps that track if the track is reported at this scan, closer than `c` and
//!   not already taken; the truths and tracks left are then matched by the same optimal
//!   assignment as GOSPA (pairs closer than `c`).
//! - an *identity switch* is a truth matched to a track other than the one it was last
//!   matched to (gaps where it is unmatched are ignored: A, –, A is no switch, A, –, B is one).
//! - a *fragmentation* is a truth matched again after one or more scans at which it was
//!   present but unmatched (A, –, A counts one).
//!
//! Keeping the previous match first is why this is not simply "the GOSPA assignment changed":
//! when two truths are closer than the tracks' errors (two vessels crossing), the per-scan
//! optimal assignment can swap two correct tracks back and forth, counting switches the tracker
//! never made.

use std::cmp::{Ordering, Reverse};
use std::collections::{BTreeMap, BinaryHeap, HashMap};
use std::fmt::Write as _;
use std::io::{self, BufRead};
use std::path::{Path, PathBuf};

/// A CSV file that cannot be read as truth or tracks. Lines count from 1 (the header).
#[derive(Debug, thiserror::Error)]
pub enum CsvError {
    /// Reading failed (I/O, or a line that is not UTF-8).
    #[error("line {line}: {source}")]
    Io {
        /// The line that could not be read.
        line: usize,
        /// The underlying error.
        #[source]
        source: io::Error,
    },
    /// The file has no header line.
    #[error("line 1: no header line (the file is empty)")]
    NoHeader,
    /// The header lacks a column the format requires.
    #[error("line 1: the header has no column `{column}`")]
    MissingColumn {
        /// The missing column.
        column: &'static str,
    },
    /// A row has fewer fields than the column needs.
    #[error("line {line}, column `{column}`: missing (the row has only {fields} fields)")]
    MissingField {
        /// Line number.
        line: usize,
        /// The column with no field.
        column: &'static str,
        /// Number of fields on that line.
        fields: usize,
    },
    /// A field that must be a number is not one.
    #[error("line {line}, column `{column}`: `{value}` is not a number")]
    BadNumber {
        /// Line number.
        line: usize,
        /// Column name.
        column: &'static str,
        /// The field as written.
        value: String,
    },
    /// A number that is NaN or infinite.
    #[error("line {line}, column `{column}`: {value} is not a finite number")]
    NotFinite {
        /// Line number.
        line: usize,
        /// Column name.
        column: &'static str,
        /// The value read.
        value: f64,
    },
    /// A time too large to key to integer milliseconds.
    #[error("line {line}, column `t`: {value} s is out of range (|t| must be below 1e12 s)")]
    TimeOutOfRange {
        /// Line number.
        line: usize,
        /// The time read, seconds.
        value: f64,
    },
}

/// Why a score could not be computed.
#[derive(Debug, thiserror::Error)]
pub enum ScoreError {
    /// A file could not be opened.
    #[error("cannot open {path}: {source}")]
    Open {
        /// The file.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: io::Error,
    },
    /// A file is not valid truth or tracks CSV.
    #[error("{path}: {source}")]
    Csv {
        /// The file.
        path: PathBuf,
        /// What is wrong, where.
        #[source]
        source: CsvError,
    },
    /// A scoring parameter out of its domain.
    #[error("{name} must be {requirement}, got {value}")]
    InvalidParameter {
        /// `c` or `p`.
        name: &'static str,
        /// What it must be.
        requirement: &'static str,
        /// The value given.
        value: f64,
    },
    /// Neither truth nor tracks have a single row, so there is no scan to score.
    #[error("nothing to score: neither the truth nor the tracks have a row")]
    NothingToScore,
}

/// One labelled position: a row of `truth.csv` or of a tracks file.
#[derive(Debug, Clone, PartialEq)]
pub struct LabelledPosition {
    /// Seconds since the scenario epoch.
    pub t: f64,
    /// `truth_id` or `track_id`, as written (ids are labels, compared as text like the script).
    pub id: String,
    /// Metres east.
    pub x: f64,
    /// Metres north.
    pub y: f64,
}

/// Validated scoring parameters.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ScoreConfig {
    c: f64,
    p: f64,
    warmup_scans: usize,
}

impl Default for ScoreConfig {
    /// The script's defaults: c = 100 m, p = 1, no warm-up scans excluded.
    fn default() -> Self {
        ScoreConfig {
            c: 100.0,
            p: 1.0,
            warmup_scans: 0,
        }
    }
}

impl ScoreConfig {
    /// Cut-off `c` (metres, finite and > 0), order `p` (finite and ≥ 1, as GOSPA is a metric
    /// only then) and the number of first scans left out of the summary.
    pub fn new(c: f64, p: f64, warmup_scans: usize) -> Result<ScoreConfig, ScoreError> {
        if !(c.is_finite() && c > 0.0) {
            return Err(ScoreError::InvalidParameter {
                name: "c",
                requirement: "a finite distance > 0",
                value: c,
            });
        }
        if !(p.is_finite() && p >= 1.0) {
            return Err(ScoreError::InvalidParameter {
                name: "p",
                requirement: "finite and >= 1",
                value: p,
            });
        }
        Ok(ScoreConfig { c, p, warmup_scans })
    }

    /// Cut-off distance, metres.
    pub fn c(&self) -> f64 {
        self.c
    }

    /// Order.
    pub fn p(&self) -> f64 {
        self.p
    }

    /// First scans excluded from the summary.
    pub fn warmup_scans(&self) -> usize {
        self.warmup_scans
    }
}

/// GOSPA between two point sets, with the optimal pairs behind it.
#[derive(Debug, Clone, PartialEq)]
pub struct Gospa {
    /// The GOSPA distance, metres.
    pub distance: f64,
    /// Σ d^p over the pairs closer than `c`.
    pub localisation: f64,
    /// Truths left unpaired.
    pub missed: usize,
    /// Tracks left unpaired.
    pub false_tracks: usize,
    /// The pairs `(truth index, track index)`, all closer than `c`, ordered by truth index.
    pub pairs: Vec<(usize, usize)>,
}

/// GOSPA (α = 2) between truth points and track points, `(x, y)` in metres.
pub fn gospa(truth: &[(f64, f64)], tracks: &[(f64, f64)], config: &ScoreConfig) -> Gospa {
    let (c, p) = (config.c, config.p);
    let pairs = optimal_pairs(truth, tracks, c, p);
    let mut localisation = 0.0;
    for &(i, j) in &pairs {
        if let (Some(a), Some(b)) = (truth.get(i), tracks.get(j)) {
            localisation += pow_p(distance(*a, *b), p);
        }
    }
    let missed = truth.len() - pairs.len();
    let false_tracks = tracks.len() - pairs.len();
    // The same operations in the same order as the script, so that results agree to the bit
    // wherever the sums do.
    let total = localisation + c.powf(p) / 2.0 * (missed + false_tracks) as f64;
    Gospa {
        distance: total.powf(1.0 / p),
        localisation,
        missed,
        false_tracks,
        pairs,
    }
}

/// The score of one scan.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct ScanScore {
    /// Scan time, seconds (the millisecond key / 1000).
    pub t: f64,
    /// GOSPA, metres.
    pub gospa: f64,
    /// Σ d^p over paired truths.
    pub localisation: f64,
    /// Truths not paired with a track closer than `c`.
    pub missed: usize,
    /// Tracks not paired with a truth closer than `c`.
    #[serde(rename = "false")]
    pub false_tracks: usize,
    /// Truths at this time.
    pub n_truth: usize,
    /// Tracks at this time.
    pub n_tracks: usize,
}

/// Averages over the scored scans (after the warm-up).
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct Summary {
    /// Cut-off, metres.
    pub c: f64,
    /// Order.
    pub p: f64,
    /// All scans (including the warm-up).
    pub scans: usize,
    /// Warm-up scans asked to be excluded.
    pub warmup_scans_excluded: usize,
    /// Mean GOSPA over scans, metres.
    pub mean_gospa: f64,
    /// Σ GOSPA / Σ truths, metres.
    pub gospa_per_truth: f64,
    /// Σ localisation / Σ paired truths.
    pub mean_localisation_per_truth: f64,
    /// Σ missed / Σ truths.
    pub missed_rate: f64,
    /// Mean number of false tracks per scan.
    pub false_tracks_per_scan: f64,
    /// Mean number of truths per scan.
    pub mean_truths: f64,
    /// Mean number of tracks per scan.
    pub mean_tracks: f64,
    /// Identity switches (see the module documentation).
    pub identity_switches: usize,
    /// Fragmentations (see the module documentation).
    pub fragmentations: usize,
    /// Distinct truth ids present in the scored scans.
    pub truth_ids: usize,
    /// Distinct track ids present in the scored scans.
    pub track_ids: usize,
}

/// A full score: the summary and every scan.
#[derive(Debug, Clone, PartialEq)]
pub struct Score {
    /// Averages and identity counts.
    pub summary: Summary,
    /// One entry per time of the union of truth and track times, in time order (including
    /// the warm-up scans).
    pub per_scan: Vec<ScanScore>,
}

/// Reads `truth.csv`: columns `t`, `truth_id`, `x`, `vx`, `y`, `vy` (the velocities must be
/// numbers, as the script reads them, though they are not scored).
pub fn read_truth<R: BufRead>(input: R) -> Result<Vec<LabelledPosition>, CsvError> {
    read_positions(input, "truth_id", &["vx", "vy"])
}

/// Reads a tracks file: columns `t`, `track_id`, `x`, `y` (others, like `vx` and `vy`, which
/// may be empty, are ignored).
pub fn read_tracks<R: BufRead>(input: R) -> Result<Vec<LabelledPosition>, CsvError> {
    read_positions(input, "track_id", &[])
}

/// Reads the truth file at `truth` and the tracks file at `tracks` (both CSV paths).
pub fn read_files(
    truth: &Path,
    tracks: &Path,
) -> Result<(Vec<LabelledPosition>, Vec<LabelledPosition>), ScoreError> {
    type Reader = fn(io::BufReader<std::fs::File>) -> Result<Vec<LabelledPosition>, CsvError>;
    let read = |path: &Path, reader: Reader| {
        let file = std::fs::File::open(path).map_err(|source| ScoreError::Open {
            path: path.to_path_buf(),
            source,
        })?;
        reader(io::BufReader::new(file)).map_err(|source| ScoreError::Csv {
            path: path.to_path_buf(),
            source,
        })
    };
    Ok((read(truth, read_truth)?, read(tracks, read_tracks)?))
}

/// Scores the tracks file at `tracks` against `truth` (both CSV paths).
pub fn score_files(truth: &Path, tracks: &Path, config: &ScoreConfig) -> Result<Score, ScoreError> {
    let (truth_rows, track_rows) = read_files(truth, tracks)?;
    score(&truth_rows, &track_rows, config)
}

/// Scores tracks against truth: GOSPA at every time of either, the summary, identity
/// switches and fragmentations.
pub fn score(
    truth: &[LabelledPosition],
    tracks: &[LabelledPosition],
    config: &ScoreConfig,
) -> Result<Score, ScoreError> {
    let truth = Labelled::new(truth);
    let tracks = Labelled::new(tracks);
    let mut scans: BTreeMap<i64, (Vec<usize>, Vec<usize>)> = BTreeMap::new();
    for (i, &k) in truth.keys.iter().enumerate() {
        scans.entry(k).or_default().0.push(i);
    }
    for (j, &k) in tracks.keys.iter().enumerate() {
        scans.entry(k).or_default().1.push(j);
    }
    if scans.is_empty() {
        return Err(ScoreError::NothingToScore);
    }
    // The script drops the warm-up scans from the summary unless that leaves none.
    let first_used = if config.warmup_scans < scans.len() {
        config.warmup_scans
    } else {
        0
    };
    let mut identity = IdentityCounter::default();
    let mut per_scan = Vec::with_capacity(scans.len());
    for (n, (&key, (ti, tj))) in scans.iter().enumerate() {
        let x: Vec<(f64, f64)> = ti.iter().map(|&i| truth.xy[i]).collect();
        let y: Vec<(f64, f64)> = tj.iter().map(|&j| tracks.xy[j]).collect();
        let g = gospa(&x, &y, config);
        per_scan.push(ScanScore {
            t: key as f64 / 1000.0,
            gospa: g.distance,
            localisation: g.localisation,
            missed: g.missed,
            false_tracks: g.false_tracks,
            n_truth: x.len(),
            n_tracks: y.len(),
        });
        if n >= first_used {
            let truth_ids: Vec<u32> = ti.iter().map(|&i| truth.ids[i]).collect();
            let track_ids: Vec<u32> = tj.iter().map(|&j| tracks.ids[j]).collect();
            identity.scan(&x, &truth_ids, &y, &track_ids, config);
        }
    }
    let used = per_scan.get(first_used..).unwrap_or(&per_scan);
    let summary = summarise(used, per_scan.len(), config, &identity);
    Ok(Score { summary, per_scan })
}

impl Score {
    /// The score as JSON in the layout of the script's `score --json` (`summary` with the
    /// same field names, plus `identity_switches`, `fragmentations`, `truth_ids` and
    /// `track_ids`; `per_scan` with `t, gospa, localisation, missed, false, n_truth,
    /// n_tracks`).
    pub fn to_json(&self) -> String {
        /// The script writes `alpha` too; it is fixed at 2 here.
        #[derive(serde::Serialize)]
        struct SummaryJson<'a> {
            alpha: u8,
            #[serde(flatten)]
            summary: &'a Summary,
        }
        #[derive(serde::Serialize)]
        struct ScoreJson<'a> {
            summary: SummaryJson<'a>,
            per_scan: &'a [ScanScore],
        }
        let json = ScoreJson {
            summary: SummaryJson {
                alpha: 2,
                summary: &self.summary,
            },
            per_scan: &self.per_scan,
        };
        // Plain structs of numbers cannot fail to serialise (NaN becomes null).
        serde_json::to_string_pretty(&json).unwrap_or_default() + "\n"
    }

    /// The per-scan table as the script's `score --per-scan` prints it: a header, then one
    /// line per scan with 4 decimals for the real numbers.
    pub fn per_scan_csv(&self) -> String {
        let mut out = String::from("t,gospa,localisation,missed,false,n_truth,n_tracks\n");
        for r in &self.per_scan {
            let _ = writeln!(
                out,
                "{:.4},{:.4},{:.4},{},{},{},{}",
                r.t, r.gospa, r.localisation, r.missed, r.false_tracks, r.n_truth, r.n_tracks
            );
        }
        out
    }
}

impl std::fmt::Display for Summary {
    /// One line of `name=value` pairs, values at full precision.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "c={} p={} alpha=2 scans={} warmup_scans_excluded={} mean_gospa={} \
             gospa_per_truth={} mean_localisation_per_truth={} missed_rate={} \
             false_tracks_per_scan={} mean_truths={} mean_tracks={} identity_switches={} \
             fragmentations={} truth_ids={} track_ids={}",
            self.c,
            self.p,
            self.scans,
            self.warmup_scans_excluded,
            self.mean_gospa,
            self.gospa_per_truth,
            self.mean_localisation_per_truth,
            self.missed_rate,
            self.false_tracks_per_scan,
            self.mean_truths,
            self.mean_tracks,
            self.identity_switches,
            self.fragmentations,
            self.truth_ids,
            self.track_ids
        )
    }
}

/// A number as JSON: shortest round-trip form; `null` for what JSON cannot carry.
/// Time key of the format: integer milliseconds, rounded half to even as Python's `round`
/// (so that `0.0025` s falls on key 2, as in the script, not 3).
fn time_key(t: f64) -> i64 {
    // |t| < 1e12 s is checked on reading, so this fits an i64 exactly.
    (t * 1000.0).round_ties_even() as i64
}

/// Positions with their time keys and interned ids, ready to group into scans.
struct Labelled {
    keys: Vec<i64>,
    ids: Vec<u32>,
    xy: Vec<(f64, f64)>,
}

impl Labelled {
    fn new(rows: &[LabelledPosition]) -> Labelled {
        let mut names: HashMap<&str, u32> = HashMap::new();
        let mut ids = Vec::with_capacity(rows.len());
        for r in rows {
            let next = u32::try_from(names.len()).unwrap_or(u32::MAX);
            ids.push(*names.entry(r.id.as_str()).or_insert(next));
        }
        Labelled {
            keys: rows.iter().map(|r| time_key(r.t)).collect(),
            ids,
            xy: rows.iter().map(|r| (r.x, r.y)).collect(),
        }
    }
}

fn summarise(
    used: &[ScanScore],
    scans: usize,
    config: &ScoreConfig,
    identity: &IdentityCounter,
) -> Summary {
    let sum = |f: &dyn Fn(&ScanScore) -> f64| neumaier_sum(used.iter().map(f));
    let count = |f: &dyn Fn(&ScanScore) -> usize| used.iter().map(f).sum::<usize>();
    let n = used.len().max(1) as f64;
    let truths = count(&|r| r.n_truth);
    let missed = count(&|r| r.missed);
    let paired = truths - missed;
    Summary {
        c: config.c,
        p: config.p,
        scans,
        warmup_scans_excluded: config.warmup_scans,
        mean_gospa: sum(&|r| r.gospa) / n,
        gospa_per_truth: sum(&|r| r.gospa) / truths.max(1) as f64,
        mean_localisation_per_truth: sum(&|r| r.localisation) / paired.max(1) as f64,
        missed_rate: missed as f64 / truths.max(1) as f64,
        false_tracks_per_scan: count(&|r| r.false_tracks) as f64 / n,
        mean_truths: truths as f64 / n,
        mean_tracks: count(&|r| r.n_tracks) as f64 / n,
        identity_switches: identity.switches,
        fragmentations: identity.fragmentations,
        truth_ids: identity.last.len(),
        track_ids: identity.tracks_seen.len(),
    }
}

/// A compensated sum, close to the exact sums of Python's `statistics.mean`.
fn neumaier_sum(values: impl Iterator<Item = f64>) -> f64 {
    let (mut sum, mut compensation) = (0.0f64, 0.0f64);
    for v in values {
        let t = sum + v;
        compensation += if sum.abs() >= v.abs() {
            (sum - t) + v
        } else {
            (v - t) + sum
        };
        sum = t;
    }
    sum + compensation
}

/// Where a truth stands in the CLEAR MOT bookkeeping.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Coverage {
    /// Matched at its latest scan.
    Tracked,
    /// Matched before, unmatched at its latest scan.
    Gap,
}

/// Identity switches and fragmentations, scan by scan (see the module documentation).
#[derive(Debug, Default)]
struct IdentityCounter {
    /// Per truth id: the track it was last matched to (if ever) and its coverage.
    last: HashMap<u32, (Option<u32>, Option<Coverage>)>,
    tracks_seen: std::collections::HashSet<u32>,
    switches: usize,
    fragmentations: usize,
}

impl IdentityCounter {
    fn scan(
        &mut self,
        x: &[(f64, f64)],
        truth_ids: &[u32],
        y: &[(f64, f64)],
        track_ids: &[u32],
        config: &ScoreConfig,
    ) {
        self.tracks_seen.extend(track_ids.iter().copied());
        let mut track_at: HashMap<u32, usize> = HashMap::with_capacity(y.len());
        for (j, &id) in track_ids.iter().enumerate() {
            track_at.entry(id).or_insert(j);
        }
        let mut matched_track: Vec<Option<usize>> = vec![None; x.len()];
        let mut track_taken = vec![false; y.len()];
        // 1. Keep previous correspondences that are still valid.
        for (i, id) in truth_ids.iter().enumerate() {
            let previous = self.last.get(id).and_then(|(track, _)| *track);
            let Some(j) = previous.and_then(|track| track_at.get(&track).copied()) else {
                continue;
            };
            if !track_taken[j] && distance(x[i], y[j]) < config.c {
                matched_track[i] = Some(j);
                track_taken[j] = true;
            }
        }
        // 2. Match the rest optimally.
        let free_truths: Vec<usize> = (0..x.len())
            .filter(|&i| matched_track[i].is_none())
            .collect();
        let free_tracks: Vec<usize> = (0..y.len()).filter(|&j| !track_taken[j]).collect();
        let fx: Vec<(f64, f64)> = free_truths.iter().map(|&i| x[i]).collect();
        let fy: Vec<(f64, f64)> = free_tracks.iter().map(|&j| y[j]).collect();
        for (a, b) in optimal_pairs(&fx, &fy, config.c, config.p) {
            matched_track[free_truths[a]] = Some(free_tracks[b]);
        }
        // 3. Count.
        for (i, id) in truth_ids.iter().enumerate() {
            let (last_track, coverage) = self.last.entry(*id).or_insert((None, None));
            match matched_track[i] {
                Some(j) => {
                    let track = track_ids[j];
                    if last_track.is_some_and(|t| t != track) {
                        self.switches += 1;
                    }
                    if *coverage == Some(Coverage::Gap) {
                        self.fragmentations += 1;
                    }
                    *last_track = Some(track);
                    *coverage = Some(Coverage::Tracked);
                }
                None => {
                    if *coverage == Some(Coverage::Tracked) {
                        *coverage = Some(Coverage::Gap);
                    }
                }
            }
        }
    }
}

/// Euclidean distance, computed as numpy's `linalg.norm` does for two coordinates.
fn distance(a: (f64, f64), b: (f64, f64)) -> f64 {
    let (dx, dy) = (a.0 - b.0, a.1 - b.1);
    (dx * dx + dy * dy).sqrt()
}

/// `d^p`, exact for the usual orders 1 and 2 (as numpy's fast paths are).
fn pow_p(d: f64, p: f64) -> f64 {
    if p == 1.0 {
        d
    } else if p == 2.0 {
        d * d
    } else {
        d.powf(p)
    }
}

/// The pairs of an optimal GOSPA assignment: pairs `(i, j)` with `d < c` minimising
/// `Σ (d^p − c^p)`, ordered by truth index.
fn optimal_pairs(x: &[(f64, f64)], y: &[(f64, f64)], c: f64, p: f64) -> Vec<(usize, usize)> {
    if x.is_empty() || y.is_empty() {
        return Vec::new();
    }
    let cp = c.powf(p);
    let edges: Vec<(usize, usize, f64)> = close_pairs(x, y, c)
        .into_iter()
        .map(|(i, j, d)| (i, j, pow_p(d, p) - cp))
        .collect();
    // Connected components of the graph of close pairs (truth i is node i, track j is node
    // m + j): each is an independent assignment problem.
    let m = x.len();
    let mut sets = DisjointSets::new(m + y.len());
    for &(i, j, _) in &edges {
        sets.union(i, m + j);
    }
    let mut by_component: HashMap<usize, Vec<(usize, usize, f64)>> = HashMap::new();
    for &e in &edges {
        by_component.entry(sets.find(e.0)).or_default().push(e);
    }
    let mut pairs = Vec::new();
    for component in by_component.values() {
        pairs.extend(solve_component(component));
    }
    pairs.sort_unstable();
    pairs
}

/// All pairs `(i, j, d)` with `d < c`, through a grid of cells slightly larger than `c` (so
/// that rounding in `x / cell` cannot put two points closer than `c` two cells apart).
fn close_pairs(x: &[(f64, f64)], y: &[(f64, f64)], c: f64) -> Vec<(usize, usize, f64)> {
    let mut out = Vec::new();
    let far = x
        .iter()
        .chain(y)
        .any(|&(a, b)| a.abs().max(b.abs()) > c * 1e9);
    if far {
        // Coordinates so large that cell indices lose precision: compare every pair.
        for (i, &a) in x.iter().enumerate() {
            for (j, &b) in y.iter().enumerate() {
                let d = distance(a, b);
                if d < c {
                    out.push((i, j, d));
                }
            }
        }
        return out;
    }
    let cell = c * (1.0 + 1e-6);
    let cell_of = |(a, b): (f64, f64)| ((a / cell).floor() as i64, (b / cell).floor() as i64);
    let mut grid: HashMap<(i64, i64), Vec<usize>> = HashMap::with_capacity(y.len());
    for (j, &b) in y.iter().enumerate() {
        grid.entry(cell_of(b)).or_default().push(j);
    }
    for (i, &a) in x.iter().enumerate() {
        let (cx, cy) = cell_of(a);
        for gx in cx - 1..=cx + 1 {
            for gy in cy - 1..=cy + 1 {
                for &j in grid.get(&(gx, gy)).map_or(&[][..], Vec::as_slice) {
                    let d = distance(a, y[j]);
                    if d < c {
                        out.push((i, j, d));
                    }
                }
            }
        }
    }
    out
}

/// Union-find with path halving and union by size.
struct DisjointSets {
    parent: Vec<usize>,
    size: Vec<usize>,
}

impl DisjointSets {
    fn new(n: usize) -> Self {
        DisjointSets {
            parent: (0..n).collect(),
            size: vec![1; n],
        }
    }

    fn find(&mut self, mut a: usize) -> usize {
        while self.parent[a] != a {
            self.parent[a] = self.parent[self.parent[a]];
            a = self.parent[a];
        }
        a
    }

    fn union(&mut self, a: usize, b: usize) {
        let (mut a, mut b) = (self.find(a), self.find(b));
        if a == b {
            return;
        }
        if self.size[a] < self.size[b] {
            std::mem::swap(&mut a, &mut b);
        }
        self.parent[b] = a;
        self.size[a] += self.size[b];
    }
}

/// A heap entry: Dijkstra distance and node, ordered by distance.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Entry(f64, Node);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Node {
    Row(usize),
    Col(usize),
}

impl Eq for Entry {}

impl PartialOrd for Entry {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Entry {
    fn cmp(&self, other: &Self) -> Ordering {
        self.0.total_cmp(&other.0)
    }
}

/// Minimum-cost matching (not necessarily perfect) of one connected component, whose edges
/// `(truth, track, weight)` all have negative weights: successive shortest augmenting paths,
/// which are found in order of increasing cost, until the next one would not lower the total.
fn solve_component(edges: &[(usize, usize, f64)]) -> Vec<(usize, usize)> {
    if let [(i, j, _)] = edges {
        return vec![(*i, *j)];
    }
    // Local indices for rows (truths) and columns (tracks).
    let mut rows: Vec<usize> = edges.iter().map(|e| e.0).collect();
    let mut cols: Vec<usize> = edges.iter().map(|e| e.1).collect();
    rows.sort_unstable();
    rows.dedup();
    cols.sort_unstable();
    cols.dedup();
    let mut adjacency: Vec<Vec<(usize, f64)>> = vec![Vec::new(); rows.len()];
    let mut w_min = 0.0f64;
    for &(i, j, w) in edges {
        if let (Ok(r), Ok(c)) = (rows.binary_search(&i), cols.binary_search(&j)) {
            adjacency[r].push((c, w));
            w_min = w_min.min(w);
        }
    }
    let (nr, nc) = (rows.len(), cols.len());
    // Potentials keep reduced costs non-negative. Free rows stay at 0 and free columns stay
    // equal to each other, so the first free column Dijkstra reaches ends the cheapest path.
    let mut pot_row = vec![0.0f64; nr];
    let mut pot_col = vec![w_min; nc];
    let mut row_match: Vec<Option<usize>> = vec![None; nr];
    let mut col_match: Vec<Option<(usize, f64)>> = vec![None; nc];
    let mut dist_row = vec![f64::INFINITY; nr];
    let mut dist_col = vec![f64::INFINITY; nc];
    let mut reached_from = vec![0usize; nc];
    let mut heap = BinaryHeap::new();
    loop {
        dist_row.fill(f64::INFINITY);
        dist_col.fill(f64::INFINITY);
        heap.clear();
        for r in 0..nr {
            if row_match[r].is_none() {
                dist_row[r] = 0.0;
                heap.push(Reverse(Entry(0.0, Node::Row(r))));
            }
        }
        let mut target = None;
        while let Some(Reverse(Entry(d, node))) = heap.pop() {
            match node {
                Node::Row(r) => {
                    if d > dist_row[r] {
                        continue;
                    }
                    for &(c, w) in &adjacency[r] {
                        if row_match[r] == Some(c) {
                            continue;
                        }
                        let nd = d + (w + pot_row[r] - pot_col[c]).max(0.0);
                        if nd < dist_col[c] {
                            dist_col[c] = nd;
                            reached_from[c] = r;
                            heap.push(Reverse(Entry(nd, Node::Col(c))));
                        }
                    }
                }
                Node::Col(c) => {
                    if d > dist_col[c] {
                        continue;
                    }
                    match col_match[c] {
                        None => {
                            target = Some((c, d));
                            break;
                        }
                        Some((r, w)) => {
                            // Back along the matched edge, whose cost is −w.
                            let nd = d + (-w + pot_col[c] - pot_row[r]).max(0.0);
                            if nd < dist_row[r] {
                                dist_row[r] = nd;
                                heap.push(Reverse(Entry(nd, Node::Row(r))));
                            }
                        }
                    }
                }
            }
        }
        let Some((t, dt)) = target else { break };
        // The path's true cost: reduced length plus the end potentials (free rows are at 0).
        if dt + pot_col[t] >= 0.0 {
            break;
        }
        for (p, d) in pot_row.iter_mut().zip(&dist_row) {
            *p += d.min(dt);
        }
        for (p, d) in pot_col.iter_mut().zip(&dist_col) {
            *p += d.min(dt);
        }
        let mut c = t;
        loop {
            let r = reached_from[c];
            let w = adjacency[r].iter().find(|e| e.0 == c).map_or(0.0, |e| e.1);
            let previous = row_match[r].replace(c);
            col_match[c] = Some((r, w));
            match previous {
                Some(next) => c = next,
                None => break,
            }
        }
    }
    row_match
        .iter()
        .enumerate()
        .filter_map(|(r, c)| Some((rows[r], cols[(*c)?])))
        .collect()
}

/// The column index of each required name in a header.
fn column_indices<const N: usize>(
    header: &[&str],
    names: [&'static str; N],
) -> Result<[usize; N], CsvError> {
    let mut out = [0; N];
    for (slot, name) in out.iter_mut().zip(names) {
        *slot = header
            .iter()
            .position(|h| *h == name)
            .ok_or(CsvError::MissingColumn { column: name })?;
    }
    Ok(out)
}

fn read_positions<R: BufRead>(
    input: R,
    id_column: &'static str,
    extra_numbers: &[&'static str],
) -> Result<Vec<LabelledPosition>, CsvError> {
    let mut lines = input.lines();
    let header = match lines.next() {
        None => return Err(CsvError::NoHeader),
        Some(line) => line.map_err(|source| CsvError::Io { line: 1, source })?,
    };
    let header: Vec<&str> = header.trim_end_matches('\r').split(',').collect();
    let [it, iid, ix, iy] = column_indices(&header, ["t", id_column, "x", "y"])?;
    let mut extra = Vec::with_capacity(extra_numbers.len());
    for &name in extra_numbers {
        let [i] = column_indices(&header, [name])?;
        extra.push((name, i));
    }
    let mut out = Vec::new();
    for (n, line) in lines.enumerate() {
        let line_no = n + 2;
        let line = line.map_err(|source| CsvError::Io {
            line: line_no,
            source,
        })?;
        let line = line.trim_end_matches('\r');
        if line.is_empty() {
            continue; // csv.DictReader skips blank lines too
        }
        let fields: Vec<&str> = line.split(',').collect();
        let field = |index: usize, column: &'static str| {
            fields.get(index).copied().ok_or(CsvError::MissingField {
                line: line_no,
                column,
                fields: fields.len(),
            })
        };
        let number = |index: usize, column: &'static str| -> Result<f64, CsvError> {
            let text = field(index, column)?;
            let value: f64 = text.trim().parse().map_err(|_| CsvError::BadNumber {
                line: line_no,
                column,
                value: text.to_string(),
            })?;
            if value.is_finite() {
                Ok(value)
            } else {
                Err(CsvError::NotFinite {
                    line: line_no,
                    column,
                    value,
                })
            }
        };
        let t = number(it, "t")?;
        if t.abs() >= 1e12 {
            return Err(CsvError::TimeOutOfRange {
                line: line_no,
                value: t,
            });
        }
        let id = field(iid, id_column)?.to_string();
        let x = number(ix, "x")?;
        let y = number(iy, "y")?;
        for &(name, index) in &extra {
            number(index, name)?;
        }
        out.push(LabelledPosition { t, id, x, y });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::{Rng, SeedableRng};
    use rand_chacha::ChaCha8Rng;

    /// The minimum of Σ min(d, c)^p over all assignments of the smaller set into the larger
    /// (what the script's `linear_sum_assignment` minimises), by enumeration.
    fn brute_force_total(x: &[(f64, f64)], y: &[(f64, f64)], c: f64, p: f64) -> f64 {
        fn go(
            i: usize,
            x: &[(f64, f64)],
            y: &[(f64, f64)],
            used: &mut Vec<bool>,
            c: f64,
            p: f64,
        ) -> f64 {
            if i == x.len() {
                return 0.0;
            }
            // Rows may stay unassigned only when there are more rows than columns.
            let free_cols = used.iter().filter(|u| !**u).count();
            let mut best = if x.len() - i > free_cols {
                go(i + 1, x, y, used, c, p)
            } else {
                f64::INFINITY
            };
            for j in 0..y.len() {
                if !used[j] {
                    used[j] = true;
                    let cost = pow_p(distance(x[i], y[j]).min(c), p);
                    best = best.min(cost + go(i + 1, x, y, used, c, p));
                    used[j] = false;
                }
            }
            best
        }
        let full = go(0, x, y, &mut vec![false; y.len()], c, p);
        full + c.powf(p) / 2.0 * x.len().abs_diff(y.len()) as f64
    }

    #[test]
    fn the_sparse_assignment_is_as_good_as_enumerating_every_assignment() {
        let mut rng = ChaCha8Rng::seed_from_u64(5);
        for case in 0..3000 {
            let m = rng.random_range(0..6);
            let n = rng.random_range(0..6);
            // A small area so that components have several members and compete.
            let mut point = || (rng.random_range(0.0..250.0), rng.random_range(0.0..250.0));
            let x: Vec<(f64, f64)> = (0..m).map(|_| point()).collect();
            let y: Vec<(f64, f64)> = (0..n).map(|_| point()).collect();
            let p = if case % 3 == 0 { 2.0 } else { 1.0 };
            let config = ScoreConfig::new(100.0, p, 0).unwrap();
            let g = gospa(&x, &y, &config);
            let expected = brute_force_total(&x, &y, 100.0, p);
            assert!(
                (g.distance.powf(p) - expected).abs() < 1e-6 * expected.max(1.0),
                "case {case}: {} vs {expected} for {x:?} {y:?}",
                g.distance.powf(p)
            );
            assert_eq!(g.missed + g.pairs.len(), m);
            assert_eq!(g.false_tracks + g.pairs.len(), n);
        }
    }

    #[test]
    fn pairs_at_or_beyond_the_cut_off_count_as_one_missed_and_one_false() {
        let config = ScoreConfig::default();
        let g = gospa(&[(0.0, 0.0)], &[(100.0, 0.0)], &config);
        assert_eq!((g.missed, g.false_tracks, g.localisation), (1, 1, 0.0));
        assert_eq!(g.distance, 100.0);
        let g = gospa(&[(0.0, 0.0)], &[(99.0, 0.0)], &config);
        assert_eq!((g.missed, g.false_tracks, g.distance), (0, 0, 99.0));
    }

    #[test]
    fn empty_sets_cost_half_the_cut_off_per_point() {
        let config = ScoreConfig::new(50.0, 2.0, 0).unwrap();
        let g = gospa(&[(0.0, 0.0), (1.0, 1.0)], &[], &config);
        assert_eq!(g.distance, (50.0f64 * 50.0 / 2.0 * 2.0).sqrt());
        assert_eq!(g.missed, 2);
    }

    #[test]
    fn times_are_keyed_to_milliseconds_with_ties_to_even_as_python_rounds() {
        assert_eq!(time_key(0.0025), 2);
        assert_eq!(time_key(1.0005), 1000);
        assert_eq!(time_key(2.0), 2000);
        assert_eq!(time_key(-0.0015), -2);
    }

    #[test]
    fn scoring_parameters_out_of_their_domain_are_refused() {
        assert!(ScoreConfig::new(0.0, 1.0, 0).is_err());
        assert!(ScoreConfig::new(f64::NAN, 1.0, 0).is_err());
        assert!(ScoreConfig::new(100.0, 0.5, 0).is_err());
        assert!(ScoreConfig::new(100.0, f64::INFINITY, 0).is_err());
    }
}
