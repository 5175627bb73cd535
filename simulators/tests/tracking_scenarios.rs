//! The tracking scenarios of `borderfuse_sim::scenarios` and `bordersim scenario`.

use borderfuse_sim::csv::{CLUTTER, DetectionRow, MeasurementModel, TruthRow};
use borderfuse_sim::scenarios::{
    AIS_MAX_DELAY_S, AIS_SENSOR, RADAR_SENSOR, ScenarioOptions, TrackingData, TrackingScenario,
    TrackingScenarioError, build,
};
use std::collections::BTreeMap;
use std::f64::consts::PI;
use std::process::Command;

const BIN: &str = env!("CARGO_BIN_EXE_bordersim");

fn small(scenario: TrackingScenario, seed: u64) -> TrackingData {
    let (targets, steps) = match scenario {
        TrackingScenario::Dense => (Some(300), Some(6)),
        _ => (None, None),
    };
    build(
        scenario,
        &ScenarioOptions {
            seed,
            targets,
            steps,
        },
    )
    .unwrap()
}

/// Truth rows by vessel, in time order.
fn by_vessel(truth: &[TruthRow]) -> BTreeMap<i64, Vec<TruthRow>> {
    let mut out: BTreeMap<i64, Vec<TruthRow>> = BTreeMap::new();
    for r in truth {
        out.entry(r.truth_id).or_default().push(*r);
    }
    out
}

fn heading(r: &TruthRow) -> f64 {
    r.vy.atan2(r.vx)
}

fn angle_between(a: f64, b: f64) -> f64 {
    let d = (a - b).rem_euclid(2.0 * PI);
    d.min(2.0 * PI - d)
}

#[test]
fn every_scenario_is_a_function_of_its_seed() {
    for scenario in TrackingScenario::ALL {
        let a = small(scenario, 7);
        assert_eq!(a, small(scenario, 7), "{scenario}");
        assert_ne!(a.detections, small(scenario, 8).detections, "{scenario}");
    }
}

#[test]
fn every_vessel_has_truth_at_every_scan_and_rows_are_in_time_order() {
    for scenario in TrackingScenario::ALL {
        let data = small(scenario, 1);
        let scan_times: std::collections::BTreeSet<i64> = data
            .detections
            .iter()
            .map(|d| (d.t * 1000.0).round() as i64)
            .collect();
        for (id, rows) in by_vessel(&data.truth) {
            let times: Vec<i64> = rows.iter().map(|r| (r.t * 1000.0).round() as i64).collect();
            assert!(
                times.iter().copied().eq(scan_times.iter().copied()),
                "{scenario}: vessel {id}"
            );
        }
        assert_eq!(by_vessel(&data.truth).len(), data.targets, "{scenario}");
        assert!(data.truth.windows(2).all(|w| w[0].t <= w[1].t));
        assert!(data.detections.windows(2).all(|w| w[0].t <= w[1].t));
    }
}

#[test]
fn detections_follow_the_script_noise_conventions() {
    for scenario in TrackingScenario::ALL {
        let data = small(scenario, 3);
        let truth: BTreeMap<(i64, i64), TruthRow> = data
            .truth
            .iter()
            .map(|r| (((r.t * 1000.0).round() as i64, r.truth_id), *r))
            .collect();
        for d in data.detections.iter().filter(|d| d.truth_id != CLUTTER) {
            let r = truth[&((d.t * 1000.0).round() as i64, d.truth_id)];
            let (e0, e1) = match d.model {
                MeasurementModel::Xy => (d.z0 - r.x, d.z1 - r.y),
                MeasurementModel::RangeBearing => {
                    let (dx, dy) = (r.x - d.sx, r.y - d.sy);
                    assert!(d.z0 > -PI && d.z0 <= PI, "{d:?}");
                    let db = (d.z0 - dy.atan2(dx) + PI).rem_euclid(2.0 * PI) - PI;
                    (db, d.z1 - dx.hypot(dy))
                }
            };
            // Within 6 sigma of the truth: the noise is what r00 and r11 say.
            assert!(e0.abs() < 6.0 * d.r00.sqrt(), "{scenario}: {d:?} vs {r:?}");
            assert!(e1.abs() < 6.0 * d.r11.sqrt(), "{scenario}: {d:?} vs {r:?}");
            assert_eq!(d.r01, 0.0);
        }
    }
}

#[test]
fn crossing_pairs_meet_at_a_small_angle_and_part_beyond_the_cut_off() {
    let data = small(TrackingScenario::Crossing, 1);
    let vessels = by_vessel(&data.truth);
    assert_eq!(vessels.len(), 10);
    for pair in 0..5 {
        let (a, b) = (&vessels[&(2 * pair)], &vessels[&(2 * pair + 1)]);
        let distances: Vec<f64> = a
            .iter()
            .zip(b)
            .map(|(p, q)| (p.x - q.x).hypot(p.y - q.y))
            .collect();
        let closest = distances.iter().copied().fold(f64::INFINITY, f64::min);
        assert!(closest < 12.0, "pair {pair}: closest {closest}");
        assert!(distances[0] > 130.0, "pair {pair}: {}", distances[0]);
        assert!(distances[distances.len() - 1] > 130.0);
        let within_45m = distances.iter().filter(|d| **d < 45.0).count();
        assert!(
            within_45m >= 15,
            "pair {pair}: {within_45m} scans within 3 sigma"
        );
        let angle = angle_between(heading(&a[0]), heading(&b[0])).to_degrees();
        assert!((5.0..=10.0).contains(&angle), "pair {pair}: {angle}°");
        let (va, vb) = (a[0].vx.hypot(a[0].vy), b[0].vx.hypot(b[0].vy));
        assert!((va / vb - 1.0).abs() <= 0.031, "pair {pair}: {va} vs {vb}");
    }
}

#[test]
fn sharp_turn_vessels_turn_twice_ninety_degrees_at_three_to_six_degrees_a_second() {
    let data = small(TrackingScenario::SharpTurn, 2);
    for (id, rows) in by_vessel(&data.truth) {
        let speed = rows[0].vx.hypot(rows[0].vy);
        let mut turning_scans = 0;
        let mut total_turn = 0.0;
        for w in rows.windows(2) {
            assert!((w[1].vx.hypot(w[1].vy) - speed).abs() < 1e-9 * speed.max(1.0));
            let dt = w[1].t - w[0].t;
            let turn = angle_between(heading(&w[0]), heading(&w[1]));
            assert!(turn / dt <= 6.0f64.to_radians() + 1e-9, "vessel {id}");
            if turn > 1e-9 {
                turning_scans += 1;
                total_turn += turn;
            }
        }
        // Two 90° turns at 3-6 °/s last 30-60 s, i.e. at least 15 scans touch a turn.
        assert!(turning_scans >= 15, "vessel {id}: {turning_scans}");
        assert!(
            (total_turn - PI).abs() < 1e-6,
            "vessel {id}: {}°",
            total_turn.to_degrees()
        );
    }
}

#[test]
fn dense_has_as_many_clutter_plots_as_vessels_per_scan() {
    let data = small(TrackingScenario::Dense, 4);
    let scans = 6.0;
    let clutter = data
        .detections
        .iter()
        .filter(|d| d.truth_id == CLUTTER)
        .count() as f64;
    let expected = 300.0 * scans;
    assert!(
        (clutter - expected).abs() < 5.0 * expected.sqrt(),
        "{clutter}"
    );
    let detected = data.detections.len() as f64 - clutter;
    assert!(
        (detected / (300.0 * scans) - 0.9).abs() < 0.05,
        "{detected}"
    );
    let default = build(TrackingScenario::Dense, &ScenarioOptions::default());
    assert_eq!(default.map(|d| d.targets), Ok(5000));
}

fn is_ais(d: &DetectionRow) -> bool {
    d.sensor_id == AIS_SENSOR
}

#[test]
fn delayed_ais_reports_arrive_up_to_ten_seconds_late_and_radar_at_once() {
    let data = small(TrackingScenario::DelayedAis, 5);
    let arrivals = data.arrivals.as_ref().unwrap();
    assert_eq!(arrivals.len(), data.detections.len());
    let mut delays = Vec::new();
    for (d, &arrival) in data.detections.iter().zip(arrivals) {
        if is_ais(d) {
            assert_eq!(d.model, MeasurementModel::Xy);
            assert_ne!(d.truth_id, CLUTTER);
            delays.push(arrival - d.t);
        } else {
            assert_eq!(d.sensor_id, RADAR_SENSOR);
            assert_eq!(d.model, MeasurementModel::RangeBearing);
            assert_eq!(arrival, d.t);
        }
    }
    assert!(delays.len() > 300, "{}", delays.len());
    assert!(
        delays
            .iter()
            .all(|d| (-1e-9..=AIS_MAX_DELAY_S + 1e-9).contains(d))
    );
    assert!(delays.iter().any(|d| *d > 9.0));
    let mean = delays.iter().sum::<f64>() / delays.len() as f64;
    assert!((mean - 5.0).abs() < 0.5, "{mean}");
    // Some reports arrive after a later radar scan: out of order for an arrival-order feed.
    assert!(delays.iter().filter(|d| **d > 2.0).count() > delays.len() / 2);
    // Other scenarios have no arrival column.
    assert!(small(TrackingScenario::Crossing, 5).arrivals.is_none());
}

#[test]
fn sizes_that_do_not_fit_a_scenario_are_typed_errors() {
    let odd = ScenarioOptions {
        targets: Some(3),
        ..ScenarioOptions::default()
    };
    assert!(matches!(
        build(TrackingScenario::Crossing, &odd),
        Err(TrackingScenarioError::Targets { value: 3, .. })
    ));
    let none = ScenarioOptions {
        steps: Some(0),
        ..ScenarioOptions::default()
    };
    assert_eq!(
        build(TrackingScenario::SharpTurn, &none),
        Err(TrackingScenarioError::Steps(0))
    );
    let huge = ScenarioOptions {
        targets: Some(1_000_000),
        steps: Some(100_000),
        ..ScenarioOptions::default()
    };
    assert!(matches!(
        build(TrackingScenario::Dense, &huge),
        Err(TrackingScenarioError::TooLarge { .. })
    ));
    assert_eq!(
        "zigzag".parse::<TrackingScenario>(),
        Err(TrackingScenarioError::Unknown("zigzag".into()))
    );
    for scenario in TrackingScenario::ALL {
        assert_eq!(scenario.name().parse(), Ok(scenario));
    }
}

#[test]
fn the_command_writes_the_script_format_with_t_arrival_only_for_delayed_ais() {
    let dir = tempfile::tempdir().unwrap();
    for (scenario, extra) in [
        ("delayed-ais", vec!["--targets", "4", "--steps", "6"]),
        ("crossing", vec!["--targets", "2", "--steps", "20"]),
    ] {
        let out_dir = dir.path().join(scenario);
        let out = Command::new(BIN)
            .args(["scenario", scenario, "--seed", "9", "--out"])
            .arg(&out_dir)
            .args(&extra)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let truth = std::fs::read_to_string(out_dir.join("truth.csv")).unwrap();
        assert!(truth.starts_with("t,truth_id,x,vx,y,vy\n"));
        let detections = std::fs::read_to_string(out_dir.join("detections.csv")).unwrap();
        let mut lines = detections.lines();
        let header = lines.next().unwrap();
        let columns = if scenario == "delayed-ais" {
            assert_eq!(
                header,
                "t,sensor_id,model,z0,z1,r00,r01,r11,sx,sy,truth_id,t_arrival"
            );
            12
        } else {
            assert_eq!(header, "t,sensor_id,model,z0,z1,r00,r01,r11,sx,sy,truth_id");
            11
        };
        for line in lines {
            let fields: Vec<&str> = line.split(',').collect();
            assert_eq!(fields.len(), columns, "{line}");
            for (n, field) in fields.iter().enumerate() {
                if n != 2 {
                    assert!(field.parse::<f64>().is_ok(), "{line}");
                }
            }
        }
        let meta = std::fs::read_to_string(out_dir.join("meta.json")).unwrap();
        assert!(meta.contains(&format!("\"scenario\": \"{scenario}\"")));
        assert!(meta.contains("\"seed\": 9,"));
    }
    let out = Command::new(BIN)
        .args(["scenario", "zigzag", "--out"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("unknown scenario `zigzag`"));
}
