//! The radars' ARPA output (`TTM`, `TLL`) is valid IEC 61162-1 that our own reader accepts,
//! and says what the scenario holds: the boat and the fishing vessel of `night_crossing`
//! are acquired within the M-of-N window, keep their target numbers, and are reported where
//! they are.

use borderfuse_common::arpa::{ArpaSentence, parse_arpa};
use borderfuse_common::frame::TargetStatus;
use borderfuse_common::geo::Geodetic;
use borderfuse_common::nmea::parse;
use borderfuse_sim::motion::Route;
use borderfuse_sim::{Scenario, arpa, generate};
use std::collections::BTreeMap;

const START_UTC_MS: u64 = 1_764_331_200_000;

fn scenario() -> Scenario {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/scenarios/night_crossing.toml");
    Scenario::from_toml(&std::fs::read_to_string(path).unwrap()).unwrap()
}

#[test]
fn every_sentence_parses_and_reports_the_vessels_where_they_are() {
    let s = scenario();
    let g = generate(&s, START_UTC_MS);
    let lines = arpa::sentences(&s, &g.detections, START_UTC_MS);
    assert!(!lines.is_empty());
    let frame = s.frame();
    let routes: Vec<Route> = s.vessels.iter().map(|v| Route::new(&frame, v)).collect();
    let radar = &s.radars[0];
    // target number → statuses in order, and the vessel each report was nearest to
    let mut history: BTreeMap<u16, Vec<(TargetStatus, usize)>> = BTreeMap::new();
    let mut worst_m: f64 = 0.0;
    for line in &lines {
        let text = std::str::from_utf8(&line.bytes).unwrap();
        assert!(text.ends_with("\r\n") && text.len() <= 82 + 2, "{text:?}");
        let sentence = parse(text.trim_end()).unwrap();
        match parse_arpa(&sentence).unwrap() {
            ArpaSentence::Ttm(ttm) => {
                assert!(ttm.target.unwrap() <= 999);
                assert!(ttm.distance_m().unwrap() <= radar.max_range_m * 1.01);
            }
            ArpaSentence::Tll(tll) => {
                let at = Geodetic::new(tll.latitude_deg().unwrap(), tll.longitude_deg().unwrap());
                let (x, y) = frame.to_east_north(at);
                let (vessel, error) = routes
                    .iter()
                    .enumerate()
                    .map(|(i, r)| (i, r.state_at(line.t_s).distance_to(x, y)))
                    .min_by(|a, b| a.1.total_cmp(&b.1))
                    .unwrap();
                worst_m = worst_m.max(error);
                history
                    .entry(tll.target.unwrap())
                    .or_default()
                    .push((tll.status.unwrap(), vessel));
            }
            other => panic!("a radar ARPA prints TTM and TLL here, got {other:?}"),
        }
    }
    // The smoothed position error is 0.4 of a plot's (15 m in range, 0.3° at up to 10 km,
    // about 52 m): 0.4 × 52 ≈ 21 m per axis; 5σ of a 2-D error is about 105 m.
    assert!(worst_m < 110.0, "worst TLL position error {worst_m:.0} m");
    // Two targets, each acquired (Q) once, then tracked (T), each always the same vessel.
    assert_eq!(history.len(), 2, "{:?}", history.keys());
    let mut vessels: Vec<usize> = Vec::new();
    for (number, reports) in &history {
        assert_eq!(reports[0].0, TargetStatus::Query, "target {number}");
        assert!(reports[1..].iter().all(|r| r.0 != TargetStatus::Query));
        assert!(
            reports.iter().all(|r| r.1 == reports[0].1),
            "target {number} swapped"
        );
        vessels.push(reports[0].1);
    }
    vessels.sort_unstable();
    assert_eq!(vessels, [0, 1]);
    // Acquired within the first M-of-N window (scans of 2 s; 5 scans).
    let first_report = lines.first().unwrap().t_s;
    assert!(first_report <= 5.0 * radar.scan_period_s, "{first_report}");
}
