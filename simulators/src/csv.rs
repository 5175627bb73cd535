//! Ground truth and detections in the tracker-neutral CSV of `shared/tools/stonesoup_gnn.py`,
//! so that Stone Soup and our tracker can be run and scored on the same files.
//!
//! - `truth.csv`: `t,truth_id,x,vx,y,vy` — metres east/north of the scenario origin and m/s,
//!   one row per vessel at every time some detection has (a "scan" of that format is the set
//!   of detections sharing a `t`, and GOSPA is computed at every truth or track time, so truth
//!   at exactly the detection times is what the scorer needs).
//! - `detections.csv`: `t,sensor_id,model,z0,z1,r00,r01,r11,sx,sy,truth_id` — `rb` for radar
//!   plots (`z0` = bearing in radians counter-clockwise from east, `atan2(y - sy, x - sx)`, in
//!   `(-π, π]`, NOT a compass bearing; `z1` = range in metres), `xy` for AIS positions;
//!   `truth_id` is -1 for clutter.
//!
//! Times are seconds since the scenario start with 3 decimals, as that format compares times
//! after rounding to the millisecond.

use std::io::{self, Write};

/// Header line of `truth.csv`.
pub const TRUTH_HEADER: &str = "t,truth_id,x,vx,y,vy";
/// Header line of `detections.csv`.
pub const DETECTIONS_HEADER: &str = "t,sensor_id,model,z0,z1,r00,r01,r11,sx,sy,truth_id";

/// `truth_id` of a clutter detection (the CSV format's convention).
pub const CLUTTER: i64 = -1;

/// One ground-truth state.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TruthRow {
    /// Seconds since the scenario start.
    pub t: f64,
    /// Vessel index in the scenario (a signed integer, as in the CSV format, where -1 marks
    /// clutter among detections).
    pub truth_id: i64,
    /// Metres east of the origin.
    pub x: f64,
    /// East velocity, m/s.
    pub vx: f64,
    /// Metres north of the origin.
    pub y: f64,
    /// North velocity, m/s.
    pub vy: f64,
}

/// How a detection's `z0`, `z1` relate to the state.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MeasurementModel {
    /// `rb`: bearing (radians counter-clockwise from east) and range (metres) from (sx, sy).
    RangeBearing,
    /// `xy`: position, metres east and north.
    Xy,
}

impl MeasurementModel {
    /// The CSV spelling: `rb` or `xy`.
    pub fn as_str(self) -> &'static str {
        match self {
            MeasurementModel::RangeBearing => "rb",
            MeasurementModel::Xy => "xy",
        }
    }
}

/// One detection: a radar plot or an AIS position.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DetectionRow {
    /// Time of the measurement, seconds since the scenario start (radar: illumination time;
    /// AIS: the position fix, i.e. the transmission).
    pub t: f64,
    /// Node id of the sensor.
    pub sensor_id: u32,
    /// Measurement model.
    pub model: MeasurementModel,
    /// `rb`: bearing, radians counter-clockwise from east; `xy`: metres east.
    pub z0: f64,
    /// `rb`: range, metres; `xy`: metres north.
    pub z1: f64,
    /// Measurement noise covariance of (z0, z1), in z units.
    pub r00: f64,
    /// Covariance of z0 and z1.
    pub r01: f64,
    /// Variance of z1.
    pub r11: f64,
    /// Sensor position, metres east.
    pub sx: f64,
    /// Sensor position, metres north.
    pub sy: f64,
    /// Index of the vessel that caused it, or [`CLUTTER`] (-1). For diagnostics only: a
    /// tracker under test must not read it.
    pub truth_id: i64,
}

/// Writes `truth.csv` (header and rows).
pub fn write_truth<W: Write>(mut w: W, rows: &[TruthRow]) -> io::Result<()> {
    writeln!(w, "{TRUTH_HEADER}")?;
    for r in rows {
        writeln!(
            w,
            "{:.3},{},{:.3},{:.3},{:.3},{:.3}",
            r.t, r.truth_id, r.x, r.vx, r.y, r.vy
        )?;
    }
    w.flush()
}

/// Writes `detections.csv` (header and rows).
pub fn write_detections<W: Write>(mut w: W, rows: &[DetectionRow]) -> io::Result<()> {
    writeln!(w, "{DETECTIONS_HEADER}")?;
    for r in rows {
        // Bearings need more decimals than metres: 1e-7 rad is 1 mm at 10 km.
        let z0 = match r.model {
            MeasurementModel::RangeBearing => format!("{:.7}", r.z0),
            MeasurementModel::Xy => format!("{:.3}", r.z0),
        };
        writeln!(
            w,
            "{:.3},{},{},{z0},{:.3},{:e},{:e},{:e},{:.3},{:.3},{}",
            r.t,
            r.sensor_id,
            r.model.as_str(),
            r.z1,
            r.r00,
            r.r01,
            r.r11,
            r.sx,
            r.sy,
            r.truth_id,
        )?;
    }
    w.flush()
}

/// Scenario time rounded to the millisecond, the key under which the CSV format compares times.
pub fn time_key_ms(t: f64) -> i64 {
    (t * 1000.0).round() as i64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_are_written_in_the_documented_format() {
        let mut out = Vec::new();
        write_truth(
            &mut out,
            &[TruthRow {
                t: 1.23456,
                truth_id: 1,
                x: 10.0,
                vx: -1.5,
                y: 20.0,
                vy: 0.25,
            }],
        )
        .unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "t,truth_id,x,vx,y,vy\n1.235,1,10.000,-1.500,20.000,0.250\n"
        );
        let mut out = Vec::new();
        write_detections(
            &mut out,
            &[DetectionRow {
                t: 2.0,
                sensor_id: 17,
                model: MeasurementModel::RangeBearing,
                z0: std::f64::consts::FRAC_PI_2,
                z1: 3000.0,
                r00: 2.7e-5,
                r01: 0.0,
                r11: 225.0,
                sx: 1.0,
                sy: 2.0,
                truth_id: CLUTTER,
            }],
        )
        .unwrap();
        let text = String::from_utf8(out).unwrap();
        let line = text.lines().nth(1).unwrap();
        assert_eq!(
            line,
            "2.000,17,rb,1.5707963,3000.000,2.7e-5,0e0,2.25e2,1.000,2.000,-1"
        );
        // Python's float() reads Rust's exponent notation.
        for field in line.split(',').skip(5).take(3) {
            assert!(field.parse::<f64>().is_ok(), "{field}");
        }
    }
}
