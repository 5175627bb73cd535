//! Every node's byte stream is a clean sequence of frames, and the CSV rows match them.

mod support;

use borderfuse_common::frame::Payload;
use borderfuse_sim::csv::{MeasurementModel, time_key_ms};
use borderfuse_sim::generate::NODE_BOOT_OFFSET_US;
use borderfuse_sim::{Scenario, generate};
use std::collections::{BTreeMap, BTreeSet};

const START_UTC_MS: u64 = 1_767_225_600_000;

#[test]
fn every_node_stream_decodes_with_zero_bad_frames_and_consecutive_sequence_numbers() {
    let s = Scenario::border_crossing();
    let g = generate(&s, START_UTC_MS);
    let by_node = g.bytes_by_node();
    assert_eq!(by_node.keys().copied().collect::<Vec<_>>(), [7, 17]);
    for (node, bytes) in &by_node {
        let (frames, stats) = support::decode(bytes);
        assert_eq!(stats.bad_frames(), 0, "node {node}");
        let events = g.events.iter().filter(|e| e.node_id == *node).count();
        assert_eq!(frames.len(), events, "node {node}");
        let mut last_t = 0;
        for (i, f) in frames.iter().enumerate() {
            assert_eq!(f.node_id, *node);
            assert_eq!(f.seq, i as u32, "node {node}");
            assert!(f.t_node_us >= last_t.max(NODE_BOOT_OFFSET_US));
            last_t = f.t_node_us;
            let utc = f.t_utc_ms.unwrap();
            let node_ms = (f.t_node_us - NODE_BOOT_OFFSET_US) as f64 / 1000.0;
            assert!(((utc - START_UTC_MS) as f64 - node_ms).abs() <= 1.5);
        }
    }
}

#[test]
fn events_are_in_time_order_and_each_is_sent_when_it_happens() {
    let g = generate(&Scenario::border_crossing(), START_UTC_MS);
    for pair in g.events.windows(2) {
        assert!(pair[0].t_s <= pair[1].t_s);
    }
    assert!(g.events.last().unwrap().t_s <= 600.0);
    // A radar plot is sent at its illumination time: its frame's node time.
    for e in g.events.iter().filter(|e| e.node_id == 17) {
        let (frames, _) = support::decode(&e.bytes);
        let t_node = (frames[0].t_node_us - NODE_BOOT_OFFSET_US) as f64 / 1e6;
        assert!((t_node - e.t_s).abs() < 1e-6);
    }
}

#[test]
fn the_radar_sends_300_scans_each_closed_by_a_north_marker() {
    let g = generate(&Scenario::border_crossing(), START_UTC_MS);
    let (frames, _) = support::decode(&g.bytes_by_node()[&17]);
    let mut plots_per_scan: BTreeMap<u32, usize> = BTreeMap::new();
    let mut markers = Vec::new();
    for f in &frames {
        match &f.payload {
            Payload::RadarPlot(p) => {
                assert_eq!(markers.len() as u32, p.scan, "plot after its north marker");
                assert!((0.0..360.0).contains(&p.bearing_deg));
                assert!(p.range_m >= 0.0 && p.range_m <= 12_000.0);
                *plots_per_scan.entry(p.scan).or_default() += 1;
            }
            Payload::RadarNorthMarker(m) => {
                assert_eq!(m.period_ms, 2_000);
                markers.push(m.scan);
                let t = (f.t_node_us - NODE_BOOT_OFFSET_US) as f64 / 1e6;
                assert!((t - 2.0 * f64::from(m.scan + 1)).abs() < 1e-6);
            }
            other => panic!("unexpected payload {other:?}"),
        }
    }
    assert_eq!(markers, (0..300).collect::<Vec<_>>());
    // Two vessels at Pd 0.9 plus 2 clutter plots a scan: about 3.8 plots a scan.
    let mean = plots_per_scan.values().sum::<usize>() as f64 / 300.0;
    assert!((3.0..4.6).contains(&mean), "{mean}");
}

#[test]
fn truth_exists_for_every_vessel_at_every_detection_time() {
    let s = Scenario::border_crossing();
    let g = generate(&s, START_UTC_MS);
    let detection_times: BTreeSet<i64> = g.detections.iter().map(|d| time_key_ms(d.t)).collect();
    let mut truth_at: BTreeMap<i64, Vec<i64>> = BTreeMap::new();
    for r in &g.truth {
        truth_at
            .entry(time_key_ms(r.t))
            .or_default()
            .push(r.truth_id);
    }
    assert_eq!(
        truth_at.keys().copied().collect::<BTreeSet<_>>(),
        detection_times
    );
    for ids in truth_at.values() {
        assert_eq!(ids, &[0, 1]);
    }
    let models: BTreeSet<&str> = g.detections.iter().map(|d| d.model.as_str()).collect();
    assert_eq!(models, BTreeSet::from(["rb", "xy"]));
    for d in &g.detections {
        match d.model {
            MeasurementModel::Xy => assert_eq!((d.sensor_id, d.truth_id), (7, 1)),
            MeasurementModel::RangeBearing => {
                assert_eq!(d.sensor_id, 17);
                assert!(d.z0 > -std::f64::consts::PI && d.z0 <= std::f64::consts::PI);
            }
        }
    }
}
