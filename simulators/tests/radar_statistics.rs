//! The radar model's statistics over a long run match its configuration.
//!
//! 2,000 scans of a 1 s radar watching one slow vessel that stays in range, with clutter.
//! Tolerances: detection fraction and clutter rate within 3 standard errors of the configured
//! values (binomial and Poisson); range and bearing error standard deviations within 10 % of
//! the configured sigmas (their standard error at N ≈ 1,600 is about 2 %); error means within
//! 3 standard errors of 0.

mod support;

use borderfuse_common::frame::Payload;
use borderfuse_common::geo::Geodetic;
use borderfuse_sim::csv::{CLUTTER, MeasurementModel};
use borderfuse_sim::motion::Route;
use borderfuse_sim::{RadarSpec, Scenario, VesselSpec, generate};

const SCANS: u32 = 2_000;
const PD: f64 = 0.8;
const CLUTTER_PER_SCAN: f64 = 3.0;
const SIGMA_RANGE_M: f64 = 20.0;
const SIGMA_BEARING_DEG: f64 = 0.5;
const MAX_RANGE_M: f64 = 10_000.0;

fn scenario() -> Scenario {
    let origin = Geodetic::new(37.7, 27.0);
    let frame = borderfuse_common::geo::LocalFrame::new(origin);
    Scenario {
        name: "radar statistics".into(),
        seed: 7,
        origin,
        duration_s: f64::from(SCANS),
        border: vec![Geodetic::new(37.6, 27.1), Geodetic::new(37.8, 27.1)],
        radars: vec![RadarSpec {
            node_id: 3,
            name: "radar".into(),
            position: origin,
            scan_period_s: 1.0,
            max_range_m: MAX_RANGE_M,
            detection_probability: PD,
            sigma_range_m: SIGMA_RANGE_M,
            sigma_bearing_deg: SIGMA_BEARING_DEG,
            clutter_per_scan: CLUTTER_PER_SCAN,
            reference_range_m: None,
            reference_rcs_m2: borderfuse_sim::scenario::DEFAULT_RCS_M2,
            false_alarm_probability: borderfuse_sim::scenario::DEFAULT_FALSE_ALARM_PROBABILITY,
        }],
        ais_receivers: vec![],
        vessels: vec![VesselSpec {
            name: "slow".into(),
            // 3 kn for 2,000 s: 3.1 km, from 4 km south-east to 4 km north-east and beyond.
            route: vec![
                frame.from_east_north(4_000.0, -2_000.0, 0.0),
                frame.from_east_north(4_000.0, 6_000.0, 0.0),
            ],
            speed_kn: 3.0,
            ais: None,
            rcs_m2: borderfuse_sim::scenario::DEFAULT_RCS_M2,
            dwells: Vec::new(),
        }],
        ..Scenario::border_crossing()
    }
}

fn std_dev(v: &[f64]) -> (f64, f64) {
    let n = v.len() as f64;
    let mean = v.iter().sum::<f64>() / n;
    let var = v.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1.0);
    (mean, var.sqrt())
}

#[test]
fn detections_clutter_and_errors_match_the_configuration() {
    let s = scenario();
    let g = generate(&s, 0);
    let frame = s.frame();
    let route = Route::new(&frame, &s.vessels[0]);
    let n = f64::from(SCANS);

    let target: Vec<_> = g.detections.iter().filter(|d| d.truth_id == 0).collect();
    let clutter = g
        .detections
        .iter()
        .filter(|d| d.truth_id == CLUTTER)
        .count() as f64;

    let pd = target.len() as f64 / n;
    let pd_tol = 3.0 * (PD * (1.0 - PD) / n).sqrt();
    assert!(
        (pd - PD).abs() < pd_tol,
        "detection fraction {pd:.4}, ±{pd_tol:.4}"
    );

    let rate = clutter / n;
    let rate_tol = 3.0 * (CLUTTER_PER_SCAN / n).sqrt();
    assert!(
        (rate - CLUTTER_PER_SCAN).abs() < rate_tol,
        "clutter {rate:.3}/scan, ±{rate_tol:.3}"
    );

    let mut range_err = Vec::new();
    let mut bearing_err = Vec::new();
    for d in &target {
        assert_eq!(d.model, MeasurementModel::RangeBearing);
        let truth = route.state_at(d.t);
        let (dx, dy) = (truth.x - d.sx, truth.y - d.sy);
        range_err.push(d.z1 - dx.hypot(dy));
        let diff = (d.z0 - dy.atan2(dx)).to_degrees();
        bearing_err.push((diff + 180.0).rem_euclid(360.0) - 180.0);
    }
    let (m_r, s_r) = std_dev(&range_err);
    let (m_b, s_b) = std_dev(&bearing_err);
    let k = target.len() as f64;
    assert!(
        (s_r / SIGMA_RANGE_M - 1.0).abs() < 0.1,
        "range sigma {s_r:.2} m"
    );
    assert!(
        (s_b / SIGMA_BEARING_DEG - 1.0).abs() < 0.1,
        "bearing sigma {s_b:.3}°"
    );
    assert!(
        m_r.abs() < 3.0 * SIGMA_RANGE_M / k.sqrt(),
        "range bias {m_r:.2} m"
    );
    assert!(
        m_b.abs() < 3.0 * SIGMA_BEARING_DEG / k.sqrt(),
        "bearing bias {m_b:.4}°"
    );
    // The row's covariance is the configured one.
    assert!((target[0].r11 - SIGMA_RANGE_M.powi(2)).abs() < 1e-9);
    assert!((target[0].r00 - SIGMA_BEARING_DEG.to_radians().powi(2)).abs() < 1e-15);
}

#[test]
fn clutter_is_uniform_in_area_and_bearing() {
    let g = generate(&scenario(), 0);
    let clutter: Vec<_> = g
        .detections
        .iter()
        .filter(|d| d.truth_id == CLUTTER)
        .collect();
    let n = clutter.len() as f64;
    // Uniform in area: half of the plots within max_range / √2; uniform in bearing: half east
    // of the radar. Binomial, 3 standard errors.
    let tol = 3.0 * (0.25 / n).sqrt();
    let inner = clutter
        .iter()
        .filter(|d| d.z1 < MAX_RANGE_M / 2f64.sqrt())
        .count() as f64
        / n;
    let east = clutter.iter().filter(|d| d.z0.cos() > 0.0).count() as f64 / n;
    assert!((inner - 0.5).abs() < tol, "inner fraction {inner:.3}");
    assert!((east - 0.5).abs() < tol, "east fraction {east:.3}");
}

#[test]
fn plot_frames_carry_the_detection_rows_and_echoes_outshine_clutter() {
    let s = scenario();
    let g = generate(&s, 0);
    let (frames, _) = support::decode(&g.bytes_by_node()[&3]);
    let plots: Vec<_> = frames
        .iter()
        .filter_map(|f| match f.payload {
            Payload::RadarPlot(p) => Some(p),
            _ => None,
        })
        .collect();
    assert_eq!(plots.len(), g.detections.len());
    let (mut target_amp, mut clutter_amp) = (Vec::new(), Vec::new());
    for (p, d) in plots.iter().zip(&g.detections) {
        assert_eq!(f64::from(p.range_m), d.z1);
        let compass = (90.0 - d.z0.to_degrees()).rem_euclid(360.0);
        let diff = (compass - f64::from(p.bearing_deg)).abs();
        assert!(
            diff.min(360.0 - diff) < 1e-6,
            "{compass} vs {}",
            p.bearing_deg
        );
        if d.truth_id == CLUTTER {
            clutter_amp.push(f64::from(p.amplitude));
        } else {
            target_amp.push(f64::from(p.amplitude));
        }
    }
    let mean = |v: &[f64]| v.iter().sum::<f64>() / v.len() as f64;
    assert!(mean(&target_amp) > 2.0 * mean(&clutter_amp));
}

/// With a reference range, the detected fraction of a target follows the Swerling 1 curve:
/// two moored targets of 10 m² (at 7 km and 13 km) and one of 1 m² at 7 km, a radar whose
/// Pd is 0.9 for 10 m² at 10 km; 2,000 scans; each fraction within 3 standard errors
/// (binomial) of `swerling1_detection_probability`, and the three expected values far apart
/// (so the test tells range and size from a constant Pd).
#[test]
fn detection_fraction_follows_the_swerling_curve_in_range_and_size() {
    use borderfuse_sim::radar::swerling1_detection_probability;
    let mut s = scenario();
    let frame = s.frame();
    s.radars[0].clutter_per_scan = 0.0;
    s.radars[0].max_range_m = 20_000.0;
    s.radars[0].reference_range_m = Some(10_000.0);
    s.radars[0].detection_probability = 0.9;
    let template = s.vessels[0].clone();
    let moored = |name: &str, east: f64, rcs_m2: f64| VesselSpec {
        name: name.into(),
        // Ten metres of route: moored after 6 s.
        route: vec![
            frame.from_east_north(east, 0.0, 0.0),
            frame.from_east_north(east, 10.0, 0.0),
        ],
        rcs_m2,
        ..template.clone()
    };
    s.vessels = vec![
        moored("near", 7_000.0, 10.0),
        moored("far", 13_000.0, 10.0),
        moored("small", -7_000.0, 1.0),
    ];
    let g = generate(&s, 0);
    let radar = &s.radars[0];
    let n = f64::from(SCANS);
    let mut expected_values = Vec::new();
    for (id, v) in s.vessels.iter().enumerate() {
        // Moored at its last waypoint from the sixth second; the radar is at the origin.
        let (x, y) = frame.to_east_north(v.route[1]);
        let range = x.hypot(y);
        let expected = swerling1_detection_probability(
            radar.detection_probability,
            10_000.0,
            radar.reference_rcs_m2,
            radar.false_alarm_probability,
            range,
            v.rcs_m2,
        );
        let detected = g
            .detections
            .iter()
            .filter(|d| d.truth_id == id as i64)
            .count() as f64;
        let fraction = detected / n;
        let tol = 3.0 * (expected * (1.0 - expected) / n).sqrt();
        assert!(
            (fraction - expected).abs() < tol,
            "{}: detected {fraction:.4}, Swerling 1 gives {expected:.4} ± {tol:.4}",
            v.name
        );
        expected_values.push(expected);
    }
    // near ≈ 0.97, far ≈ 0.74, small ≈ 0.78.
    assert!(
        expected_values[0] - expected_values[1] > 0.2,
        "{expected_values:?}"
    );
    assert!(
        expected_values[0] - expected_values[2] > 0.1,
        "{expected_values:?}"
    );
}
