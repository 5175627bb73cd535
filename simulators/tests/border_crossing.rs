//! The built-in scenario does what its documentation says.

mod support;

use borderfuse_sim::Scenario;
use borderfuse_sim::motion::Route;

const STEP_S: f64 = 0.1;

fn scenario() -> Scenario {
    Scenario::border_crossing()
}

/// Times (end of each 0.1 s step) at which a vessel's track crosses the border polyline.
fn crossings(s: &Scenario, vessel: usize) -> Vec<f64> {
    let frame = s.frame();
    let route = Route::new(&frame, &s.vessels[vessel]);
    let border: Vec<(f64, f64)> = s.border.iter().map(|p| frame.to_east_north(*p)).collect();
    let steps = (s.duration_s / STEP_S).round() as usize;
    let mut out = Vec::new();
    for k in 0..steps {
        let (t0, t1) = (k as f64 * STEP_S, (k + 1) as f64 * STEP_S);
        let (a, b) = (route.state_at(t0), route.state_at(t1));
        for seg in border.windows(2) {
            if support::segments_cross((a.x, a.y), (b.x, b.y), seg[0], seg[1]) {
                out.push(t1);
            }
        }
    }
    out
}

#[test]
fn the_example_file_is_the_built_in_scenario() {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/scenarios/border_crossing.toml"
    );
    let text = std::fs::read_to_string(path).unwrap();
    assert_eq!(Scenario::from_toml(&text).unwrap(), scenario());
}

#[test]
fn each_vessel_crosses_the_border_once_between_5_and_25_seconds() {
    let s = scenario();
    for (i, v) in s.vessels.iter().enumerate() {
        let times = crossings(&s, i);
        assert_eq!(times.len(), 1, "{}: {times:?}", v.name);
        assert!((5.0..=25.0).contains(&times[0]), "{}: {times:?}", v.name);
    }
}

#[test]
fn the_vessels_come_from_the_turkish_side() {
    // Turkey is east of the line: at t = 0 each vessel is east of the border point at its
    // latitude (the line runs NNE, so compare with the segment's x at the vessel's y).
    let s = scenario();
    let frame = s.frame();
    let border: Vec<(f64, f64)> = s.border.iter().map(|p| frame.to_east_north(*p)).collect();
    for v in &s.vessels {
        let p = Route::new(&frame, v).state_at(0.0);
        let seg = border
            .windows(2)
            .find(|w| (w[0].1..=w[1].1).contains(&p.y))
            .unwrap();
        let x_line = seg[0].0 + (p.y - seg[0].1) / (seg[1].1 - seg[0].1) * (seg[1].0 - seg[0].0);
        assert!(p.x > x_line, "{} starts west of the line", v.name);
    }
}

#[test]
fn the_vessels_stay_at_least_2_km_apart() {
    let s = scenario();
    let frame = s.frame();
    let a = Route::new(&frame, &s.vessels[0]);
    let b = Route::new(&frame, &s.vessels[1]);
    let steps = (s.duration_s / STEP_S).round() as usize;
    let closest = (0..=steps)
        .map(|k| {
            let t = k as f64 * STEP_S;
            let (p, q) = (a.state_at(t), b.state_at(t));
            p.distance_to(q.x, q.y)
        })
        .fold(f64::INFINITY, f64::min);
    assert!(closest >= 2_000.0, "closest approach {closest:.0} m");
}

#[test]
fn the_vessels_stay_3_to_6_km_from_the_radar() {
    let s = scenario();
    let frame = s.frame();
    let (rx, ry) = frame.to_east_north(s.radars[0].position);
    for v in &s.vessels {
        let route = Route::new(&frame, v);
        for k in 0..=6000 {
            let d = route.state_at(k as f64 * STEP_S).distance_to(rx, ry);
            assert!((3_000.0..=6_000.0).contains(&d), "{} at {d:.0} m", v.name);
        }
    }
}

#[test]
fn the_sensors_and_vessels_are_as_specified() {
    let s = scenario();
    assert_eq!(s.seed, 2026);
    assert_eq!(s.duration_s, 600.0);
    let r = &s.radars[0];
    assert_eq!((r.node_id, r.name.as_str()), (17, "radar-samos-east"));
    assert_eq!(
        (
            r.scan_period_s,
            r.max_range_m,
            r.detection_probability,
            r.sigma_range_m,
            r.sigma_bearing_deg,
            r.clutter_per_scan
        ),
        (2.0, 12_000.0, 0.9, 15.0, 0.3, 2.0)
    );
    let a = &s.ais_receivers[0];
    assert_eq!(
        (a.node_id, a.name.as_str(), a.range_m),
        (7, "ais-samos", 40_000.0)
    );
    assert_eq!(a.position, r.position);
    assert_eq!(
        (s.vessels[0].speed_kn, s.vessels[0].ais.is_none()),
        (20.0, true)
    );
    let ship = s.vessels[1].ais.as_ref().unwrap();
    assert_eq!(s.vessels[1].speed_kn, 12.0);
    assert_eq!(
        (ship.mmsi, ship.ship_type, ship.callsign.as_str()),
        (239_123_000, 60, "SVA1234")
    );
}
