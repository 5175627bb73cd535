//! A coastal radar's ARPA output: the `TTM` and `TLL` sentences (IEC 61162-1) its own tracker
//! prints on the radar's NMEA port, as radars offer over serial, TCP or UDP.
//!
//! What is modelled, and why:
//! - Automatic acquisition: a vessel whose plots appeared on [`ACQUIRE_M`] of the last
//!   [`ACQUIRE_N`] scans gets the lowest free target number (1-999) and is reported as
//!   acquiring (`Q`) on that scan, then tracking (`T`). After [`LOST_AFTER`] scans without a
//!   plot it is reported once as lost (`L`) and its number is freed. Clutter is never
//!   acquired (a real ARPA rejects most of it with the same M-of-N test).
//! - One report per target per scan, printed when the antenna passes north (the radar's
//!   update cycle), each target as a `TTM` followed by its `TLL`.
//! - Values are the ARPA's smoothed estimates: the true position, speed and course plus
//!   errors a few times smaller than one plot's (an α-β tracker's steady state), rounded
//!   to what radars print (0.01 nm, 0.1°, 0.1 kn, 0.0001 minute of arc).
//! - A shore radar does not move, so bearings and courses are true, CPA and TCPA are
//!   relative to the antenna, and speeds are over ground.

use crate::csv::{DetectionRow, MeasurementModel};
use crate::generate::{TimedBytes, stream_rng};
use crate::motion::{KNOT_MPS, Route};
use crate::scenario::{RadarSpec, Scenario};
use borderfuse_common::arpa::{
    Acquisition, BearingReference, DistanceUnits, EastWest, Latitude, Longitude, NorthSouth, Tll,
    Ttm, UtcTime,
};
use borderfuse_common::frame::TargetStatus;
use borderfuse_common::geo::{Enu, bearing_deg};
use rand::Rng;
use rand_distr::StandardNormal;
use std::collections::{BTreeMap, BTreeSet};

/// Talker of a radar's ARPA sentences (`$RATTM`).
pub const TALKER: &str = "RA";
/// Plots needed on ...
pub const ACQUIRE_M: usize = 3;
/// ... this many consecutive scans for automatic acquisition.
pub const ACQUIRE_N: usize = 5;
/// Scans without a plot after which a target is lost.
pub const LOST_AFTER: u32 = 5;
/// ARPA position error over a single plot's (smoothing over several scans).
const SMOOTHING: f64 = 0.4;
/// Standard deviation of the reported speed, knots, and course, degrees.
const SIGMA_SPEED_KN: f64 = 0.3;
const SIGMA_COURSE_DEG: f64 = 2.0;

/// Every radar's ARPA sentences, sorted by time: one [`TimedBytes`] a line (with `\r\n`),
/// the radar's node id as `node_id`. `detections` are the scenario's (from
/// [`crate::generate`]); `start_utc_ms` is the UTC of scenario time 0.
pub fn sentences(s: &Scenario, detections: &[DetectionRow], start_utc_ms: u64) -> Vec<TimedBytes> {
    let frame = s.frame();
    let routes: Vec<Route> = s.vessels.iter().map(|v| Route::new(&frame, v)).collect();
    let mut out = Vec::new();
    for radar in &s.radars {
        // Scans on which each vessel gave this radar a plot.
        let mut plotted: BTreeMap<usize, BTreeSet<u32>> = BTreeMap::new();
        for d in detections {
            if d.sensor_id == radar.node_id
                && d.model == MeasurementModel::RangeBearing
                && let Ok(vessel) = usize::try_from(d.truth_id)
            {
                let scan = (d.t / radar.scan_period_s).floor().max(0.0) as u32;
                plotted.entry(vessel).or_default().insert(scan);
            }
        }
        out.extend(radar_sentences(s, radar, &routes, &plotted, start_utc_ms));
    }
    out.sort_by(|a, b| a.t_s.total_cmp(&b.t_s));
    out
}

fn radar_sentences(
    s: &Scenario,
    radar: &RadarSpec,
    routes: &[Route],
    plotted: &BTreeMap<usize, BTreeSet<u32>>,
    start_utc_ms: u64,
) -> Vec<TimedBytes> {
    let frame = s.frame();
    let antenna = frame.to_east_north(radar.position);
    let scans = crate::radar::scan_count(radar, s.duration_s);
    let mut rng = stream_rng(s.seed, &[b"arpa", &radar.node_id.to_le_bytes()]);
    // vessel → (target number, scans since its last plot)
    let mut tracked: BTreeMap<usize, (u16, u32)> = BTreeMap::new();
    let mut out = Vec::new();
    for scan in 0..scans {
        let t = f64::from(scan + 1) * radar.scan_period_s;
        let mut reports: Vec<(usize, u16, TargetStatus)> = Vec::new();
        for (&vessel, scans_seen) in plotted {
            let seen_now = scans_seen.contains(&scan);
            match tracked.get_mut(&vessel) {
                Some((number, missed)) => {
                    *missed = if seen_now { 0 } else { *missed + 1 };
                    if *missed >= LOST_AFTER {
                        reports.push((vessel, *number, TargetStatus::Lost));
                    } else {
                        reports.push((vessel, *number, TargetStatus::Tracking));
                    }
                }
                None => {
                    let first = scan.saturating_sub(ACQUIRE_N as u32 - 1);
                    let hits = scans_seen.range(first..=scan).count();
                    if seen_now && hits >= ACQUIRE_M {
                        let used: BTreeSet<u16> = tracked.values().map(|&(n, _)| n).collect();
                        let Some(number) = (1..=999u16).find(|n| !used.contains(n)) else {
                            // A thousand targets: the ARPA's table is full, as real ones get.
                            continue;
                        };
                        tracked.insert(vessel, (number, 0));
                        reports.push((vessel, number, TargetStatus::Query));
                    }
                }
            }
        }
        for (vessel, number, status) in reports {
            if status == TargetStatus::Lost {
                tracked.remove(&vessel);
            }
            let truth = routes[vessel].state_at(t);
            let sigma_m = SMOOTHING
                * radar.sigma_range_m.max(
                    truth.distance_to(antenna.0, antenna.1) * radar.sigma_bearing_deg.to_radians(),
                );
            let n: [f64; 4] = [
                rng.sample(StandardNormal),
                rng.sample(StandardNormal),
                rng.sample(StandardNormal),
                rng.sample(StandardNormal),
            ];
            let (x, y) = (truth.x + n[0] * sigma_m, truth.y + n[1] * sigma_m);
            let (vx, vy) = (truth.vx, truth.vy);
            let speed_kn = (vx.hypot(vy) / KNOT_MPS + n[2] * SIGMA_SPEED_KN).max(0.0);
            let course_deg = (bearing_deg(vx, vy) + n[3] * SIGMA_COURSE_DEG).rem_euclid(360.0);
            let (dx, dy) = (x - antenna.0, y - antenna.1);
            let distance_nm = dx.hypot(dy) / 1852.0;
            let bearing_deg = bearing_deg(dx, dy);
            let (cpa_nm, tcpa_min) = cpa((dx, dy), (vx, vy));
            let utc = utc_time(crate::ais::utc_at(start_utc_ms, t));
            let name = format!("T{number}");
            let ttm = Ttm {
                target: Some(number),
                distance: Some(round(distance_nm, 100.0)),
                bearing_deg: Some(round(bearing_deg, 10.0) % 360.0),
                bearing_reference: Some(BearingReference::True),
                speed: Some(round(speed_kn, 10.0)),
                course_deg: Some(round(course_deg, 10.0) % 360.0),
                course_reference: Some(BearingReference::True),
                cpa_distance: Some(round(cpa_nm, 100.0)),
                tcpa_min: Some(round(tcpa_min, 10.0)),
                units: Some(DistanceUnits::NauticalMiles),
                name: Some(&name),
                status: Some(status),
                reference_target: false,
                time: utc,
                acquisition: Some(Acquisition::Automatic),
            };
            let at = frame.to_geodetic(Enu {
                east_m: x,
                north_m: y,
                up_m: 0.0,
            });
            let tll = Tll {
                target: Some(number),
                latitude: latitude(at.lat_deg),
                longitude: longitude(at.lon_deg),
                name: Some(&name),
                time: utc,
                status: Some(status),
                reference_target: false,
            };
            for sentence in [ttm.to_sentence(TALKER), tll.to_sentence(TALKER)] {
                match sentence {
                    Ok(line) => {
                        let mut bytes = line.as_bytes().to_vec();
                        bytes.extend_from_slice(b"\r\n");
                        out.push(TimedBytes {
                            t_s: t,
                            node_id: radar.node_id,
                            bytes,
                        });
                    }
                    // Rounded values always fit; never worth a panic.
                    Err(e) => {
                        tracing::error!(radar = radar.node_id, error = %e, "ARPA sentence not written")
                    }
                }
            }
        }
    }
    out
}

/// Closest point of approach of a target at `rel` (m) moving at `v` (m/s) to a fixed
/// antenna: (distance in nm, time in minutes; 0 when it is moving away or still).
fn cpa(rel: (f64, f64), v: (f64, f64)) -> (f64, f64) {
    let v2 = v.0 * v.0 + v.1 * v.1;
    let t = if v2 > 0.0 {
        (-(rel.0 * v.0 + rel.1 * v.1) / v2).max(0.0)
    } else {
        0.0
    };
    let (x, y) = (rel.0 + v.0 * t, rel.1 + v.1 * t);
    (x.hypot(y) / 1852.0, t / 60.0)
}

fn round(x: f64, per_unit: f64) -> f32 {
    ((x * per_unit).round() / per_unit) as f32
}

fn utc_time(utc_ms: u64) -> Option<UtcTime> {
    let day_ms = utc_ms % 86_400_000;
    let (h, rest) = (day_ms / 3_600_000, day_ms % 3_600_000);
    let (m, rest) = (rest / 60_000, rest % 60_000);
    let (sec, ms) = (rest / 1000, rest % 1000);
    // Radars print hundredths of a second.
    let centis = (ms / 10) as u32;
    UtcTime::new(h as u8, m as u8, sec as u8, centis * 10_000_000)
}

/// Degrees and minutes rounded to 0.0001 minute, carried into the degrees when the minutes
/// round up to 60.
fn degrees_minutes(value: f64) -> (u8, f32) {
    let a = value.abs();
    let mut degrees = a.floor();
    let mut minutes = ((a - degrees) * 60.0 * 10_000.0).round() / 10_000.0;
    if minutes >= 60.0 {
        degrees += 1.0;
        minutes = 0.0;
    }
    (degrees as u8, minutes as f32)
}

fn latitude(deg: f64) -> Option<Latitude> {
    let (d, m) = degrees_minutes(deg);
    let h = if deg < 0.0 {
        NorthSouth::South
    } else {
        NorthSouth::North
    };
    Latitude::new(d, m, h)
}

fn longitude(deg: f64) -> Option<Longitude> {
    let (d, m) = degrees_minutes(deg);
    let h = if deg < 0.0 {
        EastWest::West
    } else {
        EastWest::East
    };
    Longitude::new(d, m, h)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cpa_of_a_target_passing_north_of_the_antenna() {
        // 1852 m west, 926 m north, heading east at 1 m/s: passes 0.5 nm north in 1852 s.
        let (d, t) = cpa((-1852.0, 926.0), (1.0, 0.0));
        assert!((d - 0.5).abs() < 1e-9 && (t - 1852.0 / 60.0).abs() < 1e-9);
        // Moving away: the closest point is now.
        let (d, t) = cpa((1852.0, 0.0), (1.0, 0.0));
        assert!((d - 1.0).abs() < 1e-9 && t == 0.0);
    }

    #[test]
    fn minutes_that_round_to_sixty_carry_into_the_degrees() {
        assert_eq!(degrees_minutes(37.999_999_9), (38, 0.0));
        assert_eq!(degrees_minutes(-5.5), (5, 30.0));
    }
}
