//! A rotating surveillance radar and its plot extractor: plots and north markers.
//!
//! The antenna turns clockwise once every `scan_period_s`, pointing north at the start of each
//! scan: scan `k` covers `[k·T, (k+1)·T)`. A target at compass bearing `b` is illuminated at
//! `k·T + b/360·T`, so its position is taken at that instant, not at the start of the scan (a
//! 20 kn boat moves 20 m in a 2 s revolution, more than the range error). Then:
//! - it is detected, if its range is within `max_range_m`, independently from scan to scan
//!   with probability `detection_probability`; or, when the radar has a
//!   `reference_range_m`, with the Swerling 1 probability of its range and cross-section
//!   ([`swerling1_detection_probability`]: `detection_probability` is then the value for a
//!   `reference_rcs_m2` target at `reference_range_m`, and `false_alarm_probability` sets
//!   the curve's shape; clutter stays `clutter_per_scan`);
//! - the plot's range and bearing are the truth plus Gaussian errors (`sigma_range_m`,
//!   `sigma_bearing_deg`);
//! - clutter: a Poisson number (mean `clutter_per_scan`) of false plots a scan, uniform in
//!   bearing and uniform in area (range = max_range·√u), each at its own illumination time;
//! - amplitudes are log-normal video levels, higher on average for vessels (median 2400) than
//!   for sea clutter (median 600);
//! - the scan's plots go out in time order, then a north marker at `(k+1)·T` closes it.
//!
//! Ranges are horizontal, in the local frame: the antenna's height changes the slant range to a
//! target 3 km away by well under a metre, far below the range error.

use crate::motion::Route;
use crate::scenario::RadarSpec;
use borderfuse_common::geo::bearing_deg;
use rand::Rng;
use rand_distr::{Distribution, Poisson, StandardNormal};

/// Median amplitude of a vessel's echo.
pub const TARGET_AMPLITUDE_MEDIAN: f64 = 2400.0;
/// Median amplitude of a clutter plot.
pub const CLUTTER_AMPLITUDE_MEDIAN: f64 = 600.0;

/// One plot of one scan.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Plot {
    /// Illumination time, seconds since the scenario start.
    pub t_s: f64,
    /// Scan number.
    pub scan: u32,
    /// Measured range, metres (as sent: `f32`).
    pub range_m: f32,
    /// Measured compass bearing, degrees in `[0, 360)` (as sent: `f32`).
    pub bearing_deg: f32,
    /// Echo amplitude.
    pub amplitude: u16,
    /// Index of the vessel that caused it; `None` for clutter.
    pub vessel: Option<usize>,
}

/// What the radar node sends, in order.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum RadarEvent {
    /// A plot.
    Plot(Plot),
    /// End of scan `scan` at `t_s`, with the revolution's duration.
    NorthMarker {
        /// `(scan + 1) · T`.
        t_s: f64,
        /// The scan just completed.
        scan: u32,
        /// Revolution period, milliseconds.
        period_ms: u32,
    },
}

impl RadarEvent {
    /// When the node sends it, seconds since the scenario start.
    pub fn t_s(&self) -> f64 {
        match self {
            RadarEvent::Plot(p) => p.t_s,
            RadarEvent::NorthMarker { t_s, .. } => *t_s,
        }
    }
}

/// A vessel as one radar sees it: its route and the random stream of this radar–vessel pair
/// (so that adding a vessel changes nobody else's noise).
#[derive(Debug)]
pub struct Target<'a, R> {
    /// Truth id (vessel index in the scenario).
    pub vessel: usize,
    /// Its route in the local frame.
    pub route: &'a Route,
    /// Its radar cross-section, m² (only matters when the radar has a reference range).
    pub rcs_m2: f64,
    /// Its random stream for this radar.
    pub rng: R,
}

/// Number of complete scans in `duration_s` (only complete revolutions are simulated, so
/// every scan ends with its north marker).
pub fn scan_count(radar: &RadarSpec, duration_s: f64) -> u32 {
    // Written so that NaN also gives no scans.
    let valid = radar.scan_period_s > 0.0 && duration_s > 0.0;
    if !valid {
        return 0;
    }
    // The small epsilon keeps 600 s / 2 s at 300 scans despite rounding.
    (duration_s / radar.scan_period_s + 1e-9)
        .floor()
        .min(f64::from(u32::MAX)) as u32
}

/// When scan `scan` illuminates a target on `route`, seen from `radar_xy`.
///
/// The bearing depends on the time, which depends on the bearing: a fixed-point iteration
/// converges in two or three steps, since a target moves a tiny angle in one revolution. A
/// target straddling north (the iteration jumping across the scan boundary) keeps the first
/// estimate.
pub fn illumination_time(scan: u32, period_s: f64, radar_xy: (f64, f64), route: &Route) -> f64 {
    let start = f64::from(scan) * period_s;
    let at = |t: f64| {
        let s = route.state_at(t);
        start + bearing_deg(s.x - radar_xy.0, s.y - radar_xy.1) / 360.0 * period_s
    };
    let mut t = at(start);
    for _ in 0..4 {
        let next = at(t);
        if (next - t).abs() > period_s / 2.0 {
            break;
        }
        t = next;
    }
    t
}

/// The radar's whole output over its complete scans, in time order.
pub fn simulate<R: Rng, C: Rng>(
    radar: &RadarSpec,
    radar_xy: (f64, f64),
    targets: &mut [Target<'_, R>],
    clutter_rng: &mut C,
    duration_s: f64,
) -> Vec<RadarEvent> {
    let period = radar.scan_period_s;
    let scans = scan_count(radar, duration_s);
    let period_ms = (period * 1000.0).round() as u32;
    let clutter = (radar.clutter_per_scan > 0.0)
        .then(|| Poisson::new(radar.clutter_per_scan).ok())
        .flatten();
    let mut out = Vec::new();
    let mut plots = Vec::new();
    for scan in 0..scans {
        plots.clear();
        for target in targets.iter_mut() {
            let t = illumination_time(scan, period, radar_xy, target.route);
            let state = target.route.state_at(t);
            let (dx, dy) = (state.x - radar_xy.0, state.y - radar_xy.1);
            let range = dx.hypot(dy);
            let bearing = bearing_deg(dx, dy);
            // Always draw the same numbers, detected or not, so one scan's outcome does not
            // shift the next scan's noise.
            let rng = &mut target.rng;
            let u: f64 = rng.random();
            let n_range: f64 = rng.sample(StandardNormal);
            let n_bearing: f64 = rng.sample(StandardNormal);
            let n_amp: f64 = rng.sample(StandardNormal);
            if range <= radar.max_range_m && u < detection_probability(radar, range, target.rcs_m2)
            {
                plots.push(Plot {
                    t_s: t,
                    scan,
                    range_m: (range + n_range * radar.sigma_range_m).max(0.0) as f32,
                    bearing_deg: compass_f32(bearing + n_bearing * radar.sigma_bearing_deg),
                    amplitude: amplitude(TARGET_AMPLITUDE_MEDIAN, 0.4, n_amp),
                    vessel: Some(target.vessel),
                });
            }
        }
        let n_clutter = clutter.map_or(0.0, |p| p.sample(clutter_rng)) as u64;
        for _ in 0..n_clutter {
            let bearing = clutter_rng.random::<f64>() * 360.0;
            let range = radar.max_range_m * clutter_rng.random::<f64>().sqrt();
            let n_amp: f64 = clutter_rng.sample(StandardNormal);
            plots.push(Plot {
                t_s: f64::from(scan) * period + bearing / 360.0 * period,
                scan,
                range_m: range as f32,
                bearing_deg: compass_f32(bearing),
                amplitude: amplitude(CLUTTER_AMPLITUDE_MEDIAN, 0.5, n_amp),
                vessel: None,
            });
        }
        plots.sort_by(|a, b| a.t_s.total_cmp(&b.t_s));
        out.extend(plots.iter().copied().map(RadarEvent::Plot));
        out.push(RadarEvent::NorthMarker {
            t_s: f64::from(scan + 1) * period,
            scan,
            period_ms,
        });
    }
    out
}

/// Probability that `radar` detects a target of `rcs_m2` at `range_m` on one scan: the
/// constant `detection_probability` without a reference range, otherwise
/// [`swerling1_detection_probability`] through the radar's reference point.
pub fn detection_probability(radar: &RadarSpec, range_m: f64, rcs_m2: f64) -> f64 {
    match radar.reference_range_m {
        None => radar.detection_probability,
        Some(reference_range_m) => swerling1_detection_probability(
            radar.detection_probability,
            reference_range_m,
            radar.reference_rcs_m2,
            radar.false_alarm_probability,
            range_m,
            rcs_m2,
        ),
    }
}

/// Detection probability of a Swerling 1 target (slowly fluctuating, Rayleigh amplitude) on
/// one scan, from a reference point: a target of `reference_rcs_m2` at `reference_range_m` is
/// detected with probability `reference_pd`, with false alarm probability `pfa`.
///
/// For a square-law detector and a single pulse (or scan-to-scan fluctuation), Swerling 1
/// gives `Pd = Pfa^(1 / (1 + SNR))`. The radar equation scales the signal-to-noise ratio as
/// `SNR = SNR_ref · (σ / σ_ref) · (R_ref / R)⁴`, and the reference point fixes
/// `SNR_ref = ln Pfa / ln Pd_ref − 1`.
///
/// Needs `0 < pfa < reference_pd < 1` and positive reference range and cross-sections
/// ([`Scenario::validate`](crate::Scenario::validate) checks a scenario's); otherwise the
/// result is `reference_pd`, clamped to `[0, 1]` (NaN as 0), rather than a NaN. A target at
/// range 0 is always detected.
pub fn swerling1_detection_probability(
    reference_pd: f64,
    reference_range_m: f64,
    reference_rcs_m2: f64,
    pfa: f64,
    range_m: f64,
    rcs_m2: f64,
) -> f64 {
    let usable = 0.0 < pfa
        && pfa < reference_pd
        && reference_pd < 1.0
        && reference_range_m > 0.0
        && reference_rcs_m2 > 0.0
        && rcs_m2 >= 0.0
        && range_m >= 0.0
        && rcs_m2.is_finite()
        && range_m.is_finite();
    if !usable {
        return if reference_pd.is_nan() {
            0.0
        } else {
            reference_pd.clamp(0.0, 1.0)
        };
    }
    if range_m == 0.0 {
        return 1.0;
    }
    let ln_pfa = pfa.ln();
    let snr_ref = ln_pfa / reference_pd.ln() - 1.0;
    let snr = snr_ref * (rcs_m2 / reference_rcs_m2) * (reference_range_m / range_m).powi(4);
    (ln_pfa / (1.0 + snr)).exp().clamp(0.0, 1.0)
}

/// A compass bearing wrapped to `[0, 360)` as `f32` (359.99999 would round up to 360 in `f32`).
fn compass_f32(deg: f64) -> f32 {
    let b = deg.rem_euclid(360.0) as f32;
    if b >= 360.0 { 0.0 } else { b }
}

/// A log-normal amplitude with the given median and log-spread, from a standard normal draw.
fn amplitude(median: f64, sigma_ln: f64, normal: f64) -> u16 {
    (median * (sigma_ln * normal).exp())
        .round()
        .clamp(1.0, f64::from(u16::MAX)) as u16
}

#[cfg(test)]
mod tests {
    use super::*;
    use borderfuse_common::geo::Geodetic;
    use rand::SeedableRng;
    use rand_chacha::ChaCha8Rng;

    fn radar(pd: f64, clutter: f64) -> RadarSpec {
        RadarSpec {
            node_id: 1,
            name: "r".into(),
            position: Geodetic::new(0.0, 0.0),
            scan_period_s: 2.0,
            max_range_m: 10_000.0,
            detection_probability: pd,
            sigma_range_m: 0.0,
            sigma_bearing_deg: 0.0,
            clutter_per_scan: clutter,
            reference_range_m: None,
            reference_rcs_m2: crate::scenario::DEFAULT_RCS_M2,
            false_alarm_probability: crate::scenario::DEFAULT_FALSE_ALARM_PROBABILITY,
        }
    }

    #[test]
    fn a_target_due_east_is_illuminated_a_quarter_into_the_scan() {
        let route = Route::from_points(vec![(3000.0, 0.0), (3000.0, 1.0)], 0.0);
        let t = illumination_time(5, 2.0, (0.0, 0.0), &route);
        assert!((t - 10.5).abs() < 1e-9, "{t}");
    }

    #[test]
    fn a_moving_target_is_measured_where_it_is_when_the_beam_passes() {
        // 20 m/s northwards, 1 km east of the radar at t = 0: the beam reaches it at ~0.5 s.
        let route = Route::from_points(vec![(1000.0, 0.0), (1000.0, 10_000.0)], 20.0);
        let mut targets = [Target {
            vessel: 0,
            route: &route,
            rcs_m2: 10.0,
            rng: ChaCha8Rng::seed_from_u64(1),
        }];
        let mut c = ChaCha8Rng::seed_from_u64(2);
        let out = simulate(&radar(1.0, 0.0), (0.0, 0.0), &mut targets, &mut c, 2.0);
        let RadarEvent::Plot(p) = out[0] else {
            panic!("{out:?}")
        };
        let truth = route.state_at(p.t_s);
        assert!((f64::from(p.range_m) - truth.x.hypot(truth.y)).abs() < 1e-3);
        assert!((p.t_s - (f64::from(p.bearing_deg) / 360.0 * 2.0)).abs() < 1e-6);
        assert!(truth.y > 9.0, "{truth:?}");
    }

    #[test]
    fn every_scan_ends_with_its_north_marker_after_its_plots() {
        let route = Route::from_points(vec![(0.0, 5000.0), (5000.0, 5000.0)], 5.0);
        let mut targets = [Target {
            vessel: 0,
            route: &route,
            rcs_m2: 10.0,
            rng: ChaCha8Rng::seed_from_u64(1),
        }];
        let mut c = ChaCha8Rng::seed_from_u64(2);
        let out = simulate(&radar(0.9, 3.0), (0.0, 0.0), &mut targets, &mut c, 21.0);
        let markers: Vec<_> = out
            .iter()
            .filter_map(|e| match e {
                RadarEvent::NorthMarker {
                    scan,
                    t_s,
                    period_ms,
                } => Some((*scan, *t_s, *period_ms)),
                RadarEvent::Plot(_) => None,
            })
            .collect();
        assert_eq!(markers.len(), 10);
        assert_eq!(markers[9], (9, 20.0, 2000));
        let mut scan = 0;
        for pair in out.windows(2) {
            assert!(pair[0].t_s() <= pair[1].t_s());
        }
        for e in &out {
            match e {
                RadarEvent::Plot(p) => {
                    assert_eq!(p.scan, scan);
                    assert!(p.bearing_deg >= 0.0 && p.bearing_deg < 360.0);
                }
                RadarEvent::NorthMarker { scan: s, .. } => {
                    assert_eq!(*s, scan);
                    scan += 1;
                }
            }
        }
    }

    #[test]
    fn a_target_beyond_range_is_never_detected() {
        let route = Route::from_points(vec![(20_000.0, 0.0), (20_000.0, 1.0)], 0.0);
        let mut targets = [Target {
            vessel: 0,
            route: &route,
            rcs_m2: 10.0,
            rng: ChaCha8Rng::seed_from_u64(1),
        }];
        let mut c = ChaCha8Rng::seed_from_u64(2);
        let out = simulate(&radar(1.0, 0.0), (0.0, 0.0), &mut targets, &mut c, 100.0);
        assert!(
            out.iter()
                .all(|e| matches!(e, RadarEvent::NorthMarker { .. }))
        );
    }

    #[test]
    fn the_reference_point_gives_the_configured_detection_probability() {
        for (pd, pfa) in [(0.9, 1e-6), (0.5, 1e-4), (0.99, 1e-8)] {
            let p = swerling1_detection_probability(pd, 8_000.0, 10.0, pfa, 8_000.0, 10.0);
            assert!((p - pd).abs() < 1e-12, "{p} vs {pd}");
        }
    }

    #[test]
    fn detection_probability_falls_with_range_and_rises_with_cross_section() {
        let pd = |range, rcs| swerling1_detection_probability(0.9, 8_000.0, 10.0, 1e-6, range, rcs);
        let ranges = [500.0, 2_000.0, 8_000.0, 12_000.0, 20_000.0, 50_000.0];
        for pair in ranges.windows(2) {
            assert!(pd(pair[0], 10.0) > pd(pair[1], 10.0), "{pair:?}");
        }
        for pair in [0.5, 1.0, 10.0, 100.0, 10_000.0].windows(2) {
            assert!(pd(10_000.0, pair[0]) < pd(10_000.0, pair[1]), "{pair:?}");
        }
        // Twice the range is 16 times less signal: SNR_ref = ln 1e-6 / ln 0.9 − 1 ≈ 130.1.
        let snr = (1e-6f64).ln() / 0.9f64.ln() - 1.0;
        let expected = (1e-6f64).ln() / (1.0 + snr / 16.0);
        assert!((pd(16_000.0, 10.0) - expected.exp()).abs() < 1e-12);
        // Far away it tends to the false alarm probability, close in to 1.
        assert!(pd(1e6, 10.0) < 1e-5);
        assert_eq!(pd(0.0, 10.0), 1.0);
    }

    #[test]
    fn unusable_parameters_give_the_reference_probability_not_nan() {
        assert_eq!(
            swerling1_detection_probability(0.9, 0.0, 10.0, 1e-6, 10.0, 10.0),
            0.9
        );
        assert_eq!(
            swerling1_detection_probability(1.0, 10.0, 10.0, 1e-6, 10.0, 10.0),
            1.0
        );
        assert_eq!(
            swerling1_detection_probability(0.9, 10.0, 10.0, 1e-6, f64::NAN, 10.0),
            0.9
        );
        assert_eq!(
            swerling1_detection_probability(f64::NAN, 10.0, 10.0, 1e-6, 1.0, 1.0),
            0.0
        );
    }

    #[test]
    fn without_a_reference_range_the_probability_is_constant() {
        let r = radar(0.7, 0.0);
        assert_eq!(detection_probability(&r, 1.0, 0.01), 0.7);
        assert_eq!(detection_probability(&r, 9_999.0, 1e6), 0.7);
    }

    #[test]
    fn bearings_just_below_360_stay_below_360() {
        assert_eq!(compass_f32(359.999_999_9), 0.0);
        assert_eq!(compass_f32(-90.0), 270.0);
    }
}
