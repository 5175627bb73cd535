//! Offline tracking on the tracker-neutral CSV format (the one `stonesoup_gnn.py` documents),
//! so that this tracker and Stone Soup's run on exactly the same files and are scored the
//! same way: `borderfuse-agent track --detections DIR/detections.csv --out tracks.csv`.
//!
//! Input `detections.csv`: `t,sensor_id,model,z0,z1,r00,r01,r11,sx,sy,truth_id`, one row per
//! detection, a scan being the rows that share `t` (or, for a rotating radar whose plots
//! each carry their own time, one revolution: see [`batches`]); `model` is `xy` (z = east,
//! north) or `rb`
//! (z0 = bearing in radians counter-clockwise from east, z1 = range, from (sx, sy)). The
//! `truth_id` column is for diagnostics and never read. An optional `t_arrival` column says
//! when a row reached the tracker (delayed AIS): rows are then fed in arrival order through
//! the re-ordering window and late ones are re-filtered, as the agent does live.
//!
//! Output `tracks.csv`: `t,track_id,x,vx,y,vy`, the confirmed tracks at every scan time; and
//! optionally a timing JSON in the script's format (per-scan wall-clock seconds).

use crate::config::{AisFusionConfig, TrackerConfig};
use crate::fuse::kalman::{MeasurementModel, wrap_pi};
use crate::fuse::reorder::{Batch, Pushed, ReorderBuffer};
use crate::fuse::{Detection, ScanReport, SensorId, SensorInfo, SensorKind, TrackStatus, Tracker};
use nalgebra::{Matrix2, Vector2};
use std::collections::HashMap;
use std::io::{BufRead, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::time::Instant;

/// Why a detections file could not be read.
#[derive(Debug, thiserror::Error)]
pub enum CsvError {
    /// I/O.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// A required column is missing from the header.
    #[error("{path}: header lacks column {column:?}")]
    MissingColumn {
        /// The file.
        path: PathBuf,
        /// The column.
        column: &'static str,
    },
    /// A value that is not what its column needs.
    #[error("{path}:{line}: column {column:?}: {value:?} {problem}")]
    Value {
        /// The file.
        path: PathBuf,
        /// 1-based line number.
        line: usize,
        /// The column.
        column: &'static str,
        /// The value found.
        value: String,
        /// What is wrong.
        problem: &'static str,
    },
    /// A sensor named on the command line that no row of the file has.
    #[error("{path}: no detection comes from sensor {sensor:?}")]
    UnknownSensor {
        /// The file.
        path: PathBuf,
        /// The sensor id asked for.
        sensor: String,
    },
}

/// Per-scan timing in the format of `stonesoup_gnn.py`'s `timing_<name>.json`.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Timing {
    /// Tracker name.
    pub name: String,
    /// Filter.
    pub filter: String,
    /// Associator.
    pub associator: String,
    /// Scans processed.
    pub scans: usize,
    /// Wall-clock seconds per scan.
    pub per_scan_s: Vec<f64>,
    /// Detections per scan.
    pub detections_per_scan: Vec<usize>,
    /// Mean after warm-up.
    pub mean_s: f64,
    /// Median after warm-up.
    pub median_s: f64,
    /// 95th percentile after warm-up.
    pub p95_s: f64,
    /// Maximum after warm-up.
    pub max_s: f64,
    /// Scans left out of the figures above.
    pub warmup_scans_excluded: usize,
}

/// One parsed row.
#[derive(Debug, Clone, Copy)]
struct Row {
    arrival: f64,
    det: Detection,
}

/// The detections of a file, and the sensors they name.
struct Input {
    rows: Vec<Row>,
    sensors: Vec<SensorInfo>,
    has_arrival: bool,
}

fn read_detections(path: &Path, ais_sensors: &[String]) -> Result<Input, CsvError> {
    let io = |source| CsvError::Io {
        path: path.to_owned(),
        source,
    };
    let file = std::fs::File::open(path).map_err(io)?;
    let mut lines = std::io::BufReader::new(file).lines();
    let header = lines.next().transpose().map_err(io)?.unwrap_or_default();
    let names: Vec<&str> = header.trim().split(',').map(str::trim).collect();
    let col = |column: &'static str| {
        names
            .iter()
            .position(|&n| n == column)
            .ok_or(CsvError::MissingColumn {
                path: path.to_owned(),
                column,
            })
    };
    let (c_t, c_sensor, c_model) = (col("t")?, col("sensor_id")?, col("model")?);
    let (c_z0, c_z1) = (col("z0")?, col("z1")?);
    let (c_r00, c_r01, c_r11) = (col("r00")?, col("r01")?, col("r11")?);
    let (c_sx, c_sy) = (col("sx")?, col("sy")?);
    let c_arrival = names.iter().position(|&n| n == "t_arrival");

    let mut sensor_ids: HashMap<String, SensorId> = HashMap::new();
    let mut sensors = Vec::new();
    let mut rows = Vec::new();
    for (k, line) in lines.enumerate() {
        let line_no = k + 2;
        let line = line.map_err(io)?;
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        let fields: Vec<&str> = line.split(',').collect();
        let field = |c: usize, column: &'static str| {
            fields.get(c).copied().ok_or_else(|| CsvError::Value {
                path: path.to_owned(),
                line: line_no,
                column,
                value: String::new(),
                problem: "is missing",
            })
        };
        let number = |c: usize, column: &'static str| -> Result<f64, CsvError> {
            let text = field(c, column)?;
            let bad = |problem| CsvError::Value {
                path: path.to_owned(),
                line: line_no,
                column,
                value: text.to_owned(),
                problem,
            };
            let v: f64 = text.trim().parse().map_err(|_| bad("is not a number"))?;
            if v.is_finite() {
                Ok(v)
            } else {
                Err(bad("is not finite"))
            }
        };
        let t = number(c_t, "t")?;
        let sensor_name = field(c_sensor, "sensor_id")?.trim();
        let model_name = field(c_model, "model")?.trim();
        let (z0, z1) = (number(c_z0, "z0")?, number(c_z1, "z1")?);
        let (r00, r01, r11) = (
            number(c_r00, "r00")?,
            number(c_r01, "r01")?,
            number(c_r11, "r11")?,
        );
        let sensor_pos = Vector2::new(number(c_sx, "sx")?, number(c_sy, "sy")?);
        let arrival = match c_arrival {
            Some(c) => number(c, "t_arrival")?,
            None => t,
        };
        let (z, model, kind) = match model_name {
            "xy" => (
                Vector2::new(z0, z1),
                MeasurementModel::Position {
                    r: Matrix2::new(r00, r01, r01, r11),
                },
                SensorKind::Plots,
            ),
            "rb" => {
                // CSV: (bearing counter-clockwise from east, range); ours: (range, compass
                // bearing). Compass = π/2 − mathematical, which flips the cross-covariance.
                let compass =
                    wrap_pi(std::f64::consts::FRAC_PI_2 - z0).rem_euclid(std::f64::consts::TAU);
                (
                    Vector2::new(z1, compass),
                    MeasurementModel::RangeBearing {
                        sensor: sensor_pos,
                        r: Matrix2::new(r11, -r01, -r01, r00),
                    },
                    SensorKind::Radar,
                )
            }
            other => {
                return Err(CsvError::Value {
                    path: path.to_owned(),
                    line: line_no,
                    column: "model",
                    value: other.to_owned(),
                    problem: "is neither xy nor rb",
                });
            }
        };
        // The format has no sensor kinds: an `xy` sensor named as AIS reports on its
        // vessels' schedules, so its reports are not scans whose silence is a miss.
        let kind = if ais_sensors.iter().any(|name| name == sensor_name) {
            SensorKind::Ais
        } else {
            kind
        };
        let next_id = sensors.len();
        let sensor = *sensor_ids.entry(sensor_name.to_owned()).or_insert_with(|| {
            sensors.push(SensorInfo {
                name: sensor_name.to_owned(),
                kind,
                coverage: None,
            });
            next_id as SensorId
        });
        rows.push(Row {
            arrival,
            det: Detection {
                t,
                sensor,
                z,
                model,
                mmsi: None,
                motion: None,
            },
        });
    }
    if let Some(missing) = ais_sensors
        .iter()
        .find(|name| !sensor_ids.contains_key(*name))
    {
        return Err(CsvError::UnknownSensor {
            path: path.to_owned(),
            sensor: missing.clone(),
        });
    }
    Ok(Input {
        rows,
        sensors,
        has_arrival: c_arrival.is_some(),
    })
}

/// Rows into scans, in the order they reach the tracker, each with its arrival time.
///
/// A scan is the consecutive rows that share a time (and an arrival). A rotating radar is
/// different: each plot has its own time, the moment the beam crossed it, and a scan is a
/// revolution, as the live pipeline closes it on the north marker. A sensor is taken for one
/// when nearly all its rows have distinct times; its revolutions are told apart by the
/// bearing, which grows clockwise through a revolution and wraps at the next (or by a gap of
/// over a minute), and each goes to the tracker as one batch at its last plot's time. Without
/// this, every plot would be a scan of its own, and every track a miss on each of the others.
/// With arrival times (delayed reports), rows keep their arrival order and the re-ordering
/// window decides.
fn batches(rows: &[Row], has_arrival: bool) -> Vec<(Batch, f64)> {
    let batch = |t: f64| Batch {
        t,
        dets: Vec::new(),
        looking: Vec::new(),
    };
    // Revolution of each row of a rotating radar (sensor, revolution), `None` for the rest.
    let mut revolution: Vec<Option<(SensorId, u32)>> = vec![None; rows.len()];
    if !has_arrival {
        let mut by_sensor: HashMap<SensorId, Vec<usize>> = HashMap::new();
        for (i, r) in rows.iter().enumerate() {
            if matches!(r.det.model, MeasurementModel::RangeBearing { .. }) {
                by_sensor.entry(r.det.sensor).or_default().push(i);
            }
        }
        for (sensor, indices) in by_sensor {
            let mut keys: Vec<i64> = indices.iter().map(|&i| time_key(rows[i].det.t)).collect();
            keys.dedup();
            let rotating = indices.len() >= 10 && keys.len() * 10 >= indices.len() * 9;
            if !rotating {
                continue;
            }
            // The beam's turn rate: the median bearing advance per second between plots that
            // follow each other within a revolution (most do).
            let tau = std::f64::consts::TAU;
            let mut rates: Vec<f64> = indices
                .windows(2)
                .filter_map(|w| {
                    let (a, b) = (&rows[w[0]].det, &rows[w[1]].det);
                    let (dt, db) = (b.t - a.t, b.z[1] - a.z[1]);
                    (dt > 0.0 && db > 0.0 && db < std::f64::consts::PI).then(|| db / dt)
                })
                .collect();
            rates.sort_by(f64::total_cmp);
            // A radar turns once in 0.25-60 s; a slower "rate" is one target's bearing
            // drifting from scan to scan: each of its plots is then a scan of its own.
            let Some(rate) = rates
                .get(rates.len() / 2)
                .copied()
                .filter(|r| r.is_finite() && *r >= tau / 60.0)
            else {
                continue;
            };
            let mut n = 0u32;
            let mut last: Option<(f64, f64)> = None;
            for &i in &indices {
                let (t, bearing) = (rows[i].det.t, rows[i].det.z[1]);
                if let Some((t0, b0)) = last {
                    // Turns of the beam between the two plots: the bearing wrapped, or more
                    // time passed than the bearing's advance took.
                    let advance = (bearing - b0).rem_euclid(tau);
                    let turns = (((t - t0) * rate - advance) / tau).round();
                    if bearing < b0 || turns >= 1.0 || t - t0 > 60.0 {
                        n += 1;
                    }
                }
                last = Some((t, bearing));
                revolution[i] = Some((sensor, n));
            }
        }
    }
    let mut out: Vec<(Batch, f64)> = Vec::new();
    let mut open: HashMap<(SensorId, u32), usize> = HashMap::new();
    let mut i = 0;
    while i < rows.len() {
        if let Some(rev) = revolution[i] {
            let at = *open.entry(rev).or_insert_with(|| {
                out.push((batch(rows[i].det.t), rows[i].arrival));
                out.len() - 1
            });
            // Complete at its last plot, which is also when it reached the tracker.
            out[at].0.t = rows[i].det.t;
            out[at].1 = rows[i].arrival;
            out[at].0.dets.push(rows[i].det);
            i += 1;
            continue;
        }
        let (key, arrival) = (time_key(rows[i].det.t), rows[i].arrival);
        let mut b = batch(rows[i].det.t);
        while i < rows.len()
            && revolution[i].is_none()
            && time_key(rows[i].det.t) == key
            && rows[i].arrival == arrival
        {
            b.dets.push(rows[i].det);
            i += 1;
        }
        out.push((b, arrival));
    }
    if !has_arrival {
        // A revolution reaches the tracker when it is complete; stable, so equal times keep
        // the file's order.
        out.sort_by(|a, b| a.0.t.total_cmp(&b.0.t));
    }
    out
}

/// Milliseconds key of a time, as the script compares times.
fn time_key(t: f64) -> i64 {
    (t * 1000.0).round() as i64
}

/// What a run did.
#[derive(Debug, Clone)]
pub struct OfflineSummary {
    /// Scans processed.
    pub scans: usize,
    /// Rows written.
    pub rows: usize,
    /// The tracker's counters.
    pub stats: crate::fuse::TrackerStats,
    /// Per-scan timing.
    pub timing: Timing,
}

/// How to read a detections file beyond what the format says.
#[derive(Debug, Clone, Default)]
pub struct OfflineOptions {
    /// Scans left out of the timing summary.
    pub warmup: usize,
    /// Sensor ids (`sensor_id` column) that are AIS: vessels report on their own schedules,
    /// so a report says nothing of the vessels that did not report.
    pub ais_sensors: Vec<String>,
}

/// Tracks `detections` (CSV) with `config`, writing confirmed tracks to `out` and, if given,
/// the timing JSON to `timing_path`.
///
/// Tracks are written at every distinct detection time `t` of the file: the picture at `t`
/// as the tracker holds it when the scans after `t` are released, that is once detections
/// for `t` have had the re-ordering window to arrive (with a `t_arrival` column). A report
/// that arrives later still updates its track, and so the pictures after it, never the
/// picture of its own time: this is what a patrol would have seen.
pub fn track_csv(
    detections: &Path,
    out: &Path,
    timing_path: Option<&Path>,
    config: &TrackerConfig,
    options: &OfflineOptions,
) -> anyhow::Result<OfflineSummary> {
    let warmup = options.warmup;
    let input = read_detections(detections, &options.ais_sensors)?;
    let mut tracker = Tracker::new(config, &AisFusionConfig::default(), input.sensors.clone());
    let file = std::fs::File::create(out).map_err(|e| anyhow::anyhow!("{}: {e}", out.display()))?;
    let mut writer = BufWriter::new(file);
    writeln!(writer, "t,track_id,x,vx,y,vy")?;

    // Batches: rows sharing a time key, in the order they reach the tracker.
    let mut rows = input.rows;
    if input.has_arrival {
        rows.sort_by(|a, b| {
            a.arrival
                .total_cmp(&b.arrival)
                .then(a.det.t.total_cmp(&b.det.t))
        });
    } else {
        rows.sort_by(|a, b| a.det.t.total_cmp(&b.det.t));
    }
    let all_sensors: Vec<SensorId> = (0..input.sensors.len() as SensorId).collect();
    let window = if input.has_arrival {
        config.reorder_window_s
    } else {
        0.0
    };
    let mut reorder = ReorderBuffer::new(window, usize::MAX);
    let mut per_scan = Vec::new();
    let mut dets_per_scan = Vec::new();
    let mut written = 0usize;
    // The pictures to write: every distinct detection time, in order.
    let mut picture_keys: Vec<i64> = rows.iter().map(|r| time_key(r.det.t)).collect();
    picture_keys.sort_unstable();
    picture_keys.dedup();
    let mut next_picture = 0usize;
    // Writes the pictures of every time before `until_key` not written yet.
    let mut write_pictures = |until_key: i64,
                              tracker: &Tracker,
                              writer: &mut BufWriter<std::fs::File>|
     -> std::io::Result<()> {
        while let Some(&key) = picture_keys.get(next_picture)
            && key < until_key
        {
            next_picture += 1;
            let t = key as f64 / 1000.0;
            for track in tracker.tracks() {
                if track.status != TrackStatus::Confirmed {
                    continue;
                }
                let g = tracker.predict(track, t);
                writeln!(
                    writer,
                    "{t:.3},{},{:.3},{:.4},{:.3},{:.4}",
                    track.id, g.x[0], g.x[1], g.x[2], g.x[3]
                )?;
                written += 1;
            }
        }
        Ok(())
    };
    let mut run = |batch: Batch,
                   tracker: &mut Tracker,
                   writer: &mut BufWriter<std::fs::File>|
     -> std::io::Result<()> {
        write_pictures(time_key(batch.t), tracker, writer)?;
        let started = Instant::now();
        let _report = tracker.process_scan(batch.t, &batch.dets, &batch.looking);
        per_scan.push(started.elapsed().as_secs_f64());
        dets_per_scan.push(batch.dets.len());
        Ok(())
    };
    for (mut batch, arrival) in batches(&rows, input.has_arrival) {
        // Every sensor of the file reports each of its scans in full: the ones that looked at
        // this time are those with a detection in it, or all when it has none.
        batch.looking = all_sensors
            .iter()
            .copied()
            .filter(|s| batch.dets.iter().any(|d| d.sensor == *s))
            .collect();
        match reorder.push(batch) {
            Pushed::Waiting => {}
            Pushed::Late(batch) => {
                let mut report = ScanReport::default();
                for det in &batch.dets {
                    tracker.process_late(det, &mut report);
                }
            }
        }
        reorder.advance_to(arrival);
        while let Some(batch) = reorder.pop_ready() {
            run(batch, &mut tracker, &mut writer)?;
        }
    }
    while let Some(batch) = reorder.pop_any() {
        run(batch, &mut tracker, &mut writer)?;
    }
    write_pictures(i64::MAX, &tracker, &mut writer)?;
    writer.flush()?;

    let timing = timing_of(&per_scan, &dets_per_scan, config, warmup);
    if let Some(path) = timing_path {
        std::fs::write(path, serde_json::to_vec(&timing)?)
            .map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
    }
    Ok(OfflineSummary {
        scans: per_scan.len(),
        rows: written,
        stats: *tracker.stats(),
        timing,
    })
}

fn timing_of(per_scan: &[f64], dets: &[usize], config: &TrackerConfig, warmup: usize) -> Timing {
    let warm: Vec<f64> = if per_scan.len() > warmup {
        per_scan[warmup..].to_vec()
    } else {
        per_scan.to_vec()
    };
    let mut sorted = warm.clone();
    sorted.sort_by(f64::total_cmp);
    let n = sorted.len();
    let median = match n {
        0 => 0.0,
        n if n % 2 == 1 => sorted[n / 2],
        n => 0.5 * (sorted[n / 2 - 1] + sorted[n / 2]),
    };
    // numpy's default percentile: linear interpolation between closest ranks.
    let p95 = if n == 0 {
        0.0
    } else {
        let pos = 0.95 * (n - 1) as f64;
        let (lo, hi) = (pos.floor() as usize, pos.ceil() as usize);
        sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo as f64)
    };
    Timing {
        name: "borderfuse".into(),
        filter: match config.filter {
            crate::fuse::filter::FilterConfig::Cv { .. } => "kf-ekf-cv".into(),
            crate::fuse::filter::FilterConfig::Imm { .. } => "imm-cv-ct".into(),
        },
        associator: "gnn-clusters-grid".into(),
        scans: per_scan.len(),
        per_scan_s: per_scan.to_vec(),
        detections_per_scan: dets.to_vec(),
        mean_s: if n == 0 {
            0.0
        } else {
            warm.iter().sum::<f64>() / n as f64
        },
        median_s: median,
        p95_s: p95,
        max_s: sorted.last().copied().unwrap_or(0.0),
        warmup_scans_excluded: warmup.min(per_scan.len()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plot(t: f64, sensor: SensorId, compass_deg: f64) -> Row {
        Row {
            arrival: t,
            det: Detection {
                t,
                sensor,
                z: Vector2::new(1000.0, compass_deg.to_radians()),
                model: MeasurementModel::RangeBearing {
                    sensor: Vector2::zeros(),
                    r: Matrix2::identity(),
                },
                mmsi: None,
                motion: None,
            },
        }
    }

    #[test]
    fn a_rotating_radars_plots_are_batched_by_revolution() {
        // A 2 s radar (sensor 0): three targets at 30°, 150° and 270° on 20 revolutions, each
        // plot at the moment the beam crosses it; on revolution 10 only the 270° target and
        // on revolution 11 only the 30° one, so no bearing wraps between them (the turn rate
        // tells them apart). An AIS report (sensor 1) in the middle of revolution 5.
        let mut rows = Vec::new();
        for k in 0..20u32 {
            for bearing in [30.0, 150.0, 270.0] {
                let dropped = (k == 10 && bearing != 270.0) || (k == 11 && bearing != 30.0);
                if !dropped {
                    rows.push(plot(f64::from(k) * 2.0 + bearing / 180.0, 0, bearing));
                }
            }
        }
        let mut ais = plot(11.0, 1, 0.0);
        ais.det.model = MeasurementModel::Position {
            r: Matrix2::identity(),
        };
        rows.push(ais);
        rows.sort_by(|a, b| a.det.t.total_cmp(&b.det.t));
        let out = batches(&rows, false);
        let sizes: Vec<usize> = out.iter().map(|(b, _)| b.dets.len()).collect();
        let mut want = vec![3; 20];
        want[10] = 1;
        want[11] = 1;
        // The AIS report goes before revolution 5, which completes after it.
        want.insert(5, 1);
        assert_eq!(sizes, want);
        // Each revolution at its last plot's time, in time order.
        assert_eq!(out[0].0.t, 270.0 / 180.0);
        assert!(out.windows(2).all(|w| w[0].0.t <= w[1].0.t));
        // Synchronous scans (every plot of a scan at one time) stay grouped by time.
        let synchronous: Vec<Row> = (0..20u32)
            .flat_map(|k| [30.0, 150.0].map(|b| plot(f64::from(k), 0, b)))
            .collect();
        assert_eq!(batches(&synchronous, false).len(), 20);
    }

    #[test]
    fn a_bad_value_is_an_error_naming_line_and_column() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("detections.csv");
        std::fs::write(
            &path,
            "t,sensor_id,model,z0,z1,r00,r01,r11,sx,sy,truth_id\n0.000,a,xy,1,2,1,0,1,0,0,-1\n2.000,a,xy,nan,2,1,0,1,0,0,-1\n",
        )
        .unwrap();
        let e = track_csv(
            &path,
            &dir.path().join("out.csv"),
            None,
            &TrackerConfig::default(),
            &OfflineOptions::default(),
        )
        .unwrap_err()
        .to_string();
        assert!(e.contains(":3: column \"z0\""), "{e}");
        std::fs::write(&path, "t,sensor_id,z0\n").unwrap();
        let e = track_csv(
            &path,
            &dir.path().join("out.csv"),
            None,
            &TrackerConfig::default(),
            &OfflineOptions::default(),
        )
        .unwrap_err()
        .to_string();
        assert!(e.contains("lacks column \"model\""), "{e}");
    }

    #[test]
    fn a_straight_target_in_csv_becomes_one_confirmed_track_in_csv() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("detections.csv");
        let mut text = String::from("t,sensor_id,model,z0,z1,r00,r01,r11,sx,sy,truth_id\n");
        for k in 0..10 {
            let t = f64::from(k) * 2.0;
            let (x, y) = (1000.0 + 5.0 * t, 2000.0 - 3.0 * t);
            // Radar at (0, -1000): bearing counter-clockwise from east, range.
            let (dx, dy) = (x, y + 1000.0);
            text.push_str(&format!(
                "{t:.3},radar1,rb,{:.7},{:.3},2.7e-05,0,225,0.000,-1000.000,0\n",
                dy.atan2(dx),
                dx.hypot(dy)
            ));
        }
        std::fs::write(&path, text).unwrap();
        let out = dir.path().join("tracks.csv");
        let config = TrackerConfig {
            confirm_m: 3,
            confirm_n: 4,
            ..TrackerConfig::default()
        };
        let summary = track_csv(&path, &out, None, &config, &OfflineOptions::default()).unwrap();
        let written = std::fs::read_to_string(&out).unwrap();
        let last = written.lines().last().unwrap();
        let f: Vec<f64> = last.split(',').map(|v| v.parse().unwrap()).collect();
        assert_eq!(summary.scans, 10);
        assert_eq!(f[0], 18.0);
        assert!(
            (f[2] - 1090.0).abs() < 20.0 && (f[4] - 1946.0).abs() < 20.0,
            "{last}"
        );
        assert!(
            (f[3] - 5.0).abs() < 1.5 && (f[5] + 3.0).abs() < 1.5,
            "{last}"
        );
        assert_eq!(
            written
                .lines()
                .skip(1)
                .map(|l| l.split(',').nth(1).unwrap())
                .collect::<std::collections::HashSet<_>>()
                .len(),
            1
        );
    }

    #[test]
    fn late_ais_reports_are_used_and_a_picture_is_written_at_every_detection_time() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("detections.csv");
        let mut text =
            String::from("t,sensor_id,model,z0,z1,r00,r01,r11,sx,sy,truth_id,t_arrival\n");
        for k in 0..20 {
            let t = f64::from(k) * 2.0;
            let x = |t: f64| 1000.0 + 5.0 * t;
            text.push_str(&format!(
                "{t:.3},r,xy,{:.3},2000,100,0,100,0,0,0,{t:.3}\n",
                x(t)
            ));
            // AIS one second after each plot, arriving 5 s late; a second vessel's AIS
            // alone far away, so that AIS batches hold only reports of other vessels.
            let ta = t + 1.0;
            text.push_str(&format!(
                "{ta:.3},a,xy,{:.3},2000,25,0,25,0,0,0,{:.3}\n",
                x(ta),
                ta + 5.0
            ));
            text.push_str(&format!(
                "{:.3},a,xy,9000,9000,25,0,25,0,0,1,{:.3}\n",
                ta + 0.5,
                ta + 0.5
            ));
        }
        std::fs::write(&path, text).unwrap();
        let out = dir.path().join("tracks.csv");
        let config = TrackerConfig {
            confirm_m: 3,
            confirm_n: 4,
            ..TrackerConfig::default()
        };
        let options = OfflineOptions {
            warmup: 0,
            ais_sensors: vec!["a".into()],
        };
        let summary = track_csv(&path, &out, None, &config, &options).unwrap();
        // Every late report went into the vessel's track, none was dropped.
        assert_eq!(summary.stats.too_old + summary.stats.late_unassociated, 0);
        assert!(summary.stats.late_used >= 15, "{:?}", summary.stats);
        // The vessel's track, confirmed once, is written at every detection time after
        // that, including the AIS ones (a report alone is no scan: nobody is missed).
        let written = std::fs::read_to_string(&out).unwrap();
        let times: Vec<f64> = written
            .lines()
            .skip(1)
            .filter(|l| {
                let x: f64 = l.split(',').nth(2).unwrap().parse().unwrap();
                x < 5000.0
            })
            .map(|l| l.split(',').next().unwrap().parse().unwrap())
            .collect();
        let first = times[0];
        let mut want = Vec::new();
        for k in 0..20 {
            let t = f64::from(k) * 2.0;
            for tt in [t, t + 1.0, t + 1.5] {
                if tt >= first {
                    want.push(tt);
                }
            }
        }
        assert_eq!(times, want);

        // Naming a sensor the file does not have is an error, not silence.
        let options = OfflineOptions {
            warmup: 0,
            ais_sensors: vec!["ais9".into()],
        };
        let e = track_csv(&path, &out, None, &config, &options)
            .unwrap_err()
            .to_string();
        assert!(e.contains("no detection comes from sensor \"ais9\""), "{e}");
    }
}
