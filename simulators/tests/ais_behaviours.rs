//! What a scenario's AIS options do to what the receivers hear: a transponder switched off
//! and on, spoofed positions and MMSIs, and message losses at a receiver.

use borderfuse_common::ais::{AisMessage, Reassembler};
use borderfuse_common::nmea::{parse, parse_vdm};
use borderfuse_sim::ais::RECEPTION_LATENCY_S;
use borderfuse_sim::csv::MeasurementModel;
use borderfuse_sim::motion::Route;
use borderfuse_sim::{Generated, Scenario, SpoofSpec, generate};

const RECEIVER: u32 = 7;
const SHIP: usize = 1;

/// Every message the receiver printed: (transmission time, message).
fn heard(g: &Generated) -> Vec<(f64, AisMessage)> {
    let mut reassembler = Reassembler::<4>::new(10_000);
    let mut out = Vec::new();
    let mut first_t = 0.0;
    for line in g.nmea.iter().filter(|l| l.node_id == RECEIVER) {
        let text = std::str::from_utf8(&line.bytes).unwrap();
        let vdm = parse_vdm(&parse(text).unwrap()).unwrap();
        if vdm.fragment_number == 1 {
            // The end of the first line: at most 25 ms after the transmission plus latency
            // (one transponder, so no line waits for another).
            first_t = line.t_s - RECEPTION_LATENCY_S;
        }
        if let Some(bits) = reassembler.push(&vdm, (line.t_s * 1e3) as u64).unwrap() {
            out.push((first_t, AisMessage::decode(&bits).unwrap()));
        }
    }
    out
}

fn ais_rows(g: &Generated) -> Vec<&borderfuse_sim::DetectionRow> {
    g.detections
        .iter()
        .filter(|d| d.model == MeasurementModel::Xy)
        .collect()
}

#[test]
fn a_transponder_switched_off_is_silent_and_starts_over_when_switched_on() {
    let mut s = Scenario::border_crossing();
    let ais = s.vessels[SHIP].ais.as_mut().unwrap();
    ais.off_s = Some(200.0);
    ais.on_s = Some(400.0);
    let g = generate(&s, 0);
    let msgs = heard(&g);
    // A message's time here is its first line's end less the latency: up to 25 ms after
    // its transmission (an 84-byte line at 38,400 baud).
    assert!(msgs.iter().all(|(t, _)| *t < 200.025 || *t >= 400.0));
    assert!(ais_rows(&g).iter().all(|d| d.t < 200.0 || d.t >= 400.0));
    assert!(msgs.iter().any(|(t, _)| *t > 190.0 && *t < 200.0));
    // At switch-on: static and voyage data within a second, as at power-up.
    let statics: Vec<f64> = msgs
        .iter()
        .filter(|(_, m)| matches!(m, AisMessage::StaticVoyage(_)))
        .map(|(t, _)| *t)
        .collect();
    assert!(
        statics.iter().any(|t| (400.0..401.1).contains(t)),
        "{statics:?}"
    );
    // The rest of the hour as usual: a report every 10 s at 12 kn.
    let after = msgs
        .iter()
        .filter(|(t, m)| *t >= 400.0 && matches!(m, AisMessage::Position(_)))
        .count();
    assert!((19..=21).contains(&after), "{after}");

    // Switched off for good.
    s.vessels[SHIP].ais.as_mut().unwrap().on_s = None;
    assert!(heard(&generate(&s, 0)).iter().all(|(t, _)| *t < 200.0));
}

#[test]
fn a_spoofing_transponder_sends_the_shifted_position_and_false_mmsi_while_truth_stays_true() {
    let mut s = Scenario::border_crossing();
    let honest = generate(&s, 0);
    let real_mmsi = s.vessels[SHIP].ais.as_ref().unwrap().mmsi;
    s.vessels[SHIP].ais.as_mut().unwrap().spoof = Some(SpoofSpec {
        from_s: 100.0,
        until_s: Some(300.0),
        position: None,
        offset_east_m: 2_000.0,
        offset_north_m: -500.0,
        mmsi: Some(271_000_999),
    });
    let g = generate(&s, 0);
    // The truth and the radar do not change: only the messages lie.
    assert_eq!(g.truth, honest.truth);
    let radar = |g: &Generated| -> Vec<_> {
        g.detections
            .iter()
            .filter(|d| d.model == MeasurementModel::RangeBearing)
            .copied()
            .collect()
    };
    assert_eq!(radar(&g), radar(&honest));
    let route = Route::new(&s.frame(), &s.vessels[SHIP]);
    let sigma = s.vessels[SHIP].ais.as_ref().unwrap().gnss_sigma_m;
    let rows = ais_rows(&g);
    let mut spoofed = 0;
    for d in &rows {
        let truth = route.state_at(d.t);
        let (dx, dy) = (d.z0 - truth.x, d.z1 - truth.y);
        let inside = (100.0..300.0).contains(&d.t);
        let (ex, ey) = if inside {
            (2_000.0, -500.0)
        } else {
            (0.0, 0.0)
        };
        // The row carries what was sent (GNSS noise of 5 m σ, 5 σ bound), and its truth id
        // is still the vessel that sent it.
        assert!(
            (dx - ex).hypot(dy - ey) < 5.0 * sigma,
            "t = {}: ({dx:.0}, {dy:.0})",
            d.t
        );
        assert_eq!(d.truth_id, SHIP as i64);
        spoofed += usize::from(inside);
    }
    assert!((19..=21).contains(&spoofed), "{spoofed}");
    for (t, m) in heard(&g) {
        let expected = if (100.0..300.0).contains(&t) {
            271_000_999
        } else {
            real_mmsi
        };
        assert_eq!(m.mmsi(), expected, "at {t}");
    }
}

#[test]
fn a_fixed_spoofed_position_is_sent_as_typed_and_standing_still() {
    let mut s = Scenario::border_crossing();
    let fake = borderfuse_common::geo::Geodetic::new(37.75, 27.02);
    s.vessels[SHIP].ais.as_mut().unwrap().spoof = Some(SpoofSpec {
        from_s: 0.0,
        until_s: None,
        position: Some(fake),
        offset_east_m: 0.0,
        offset_north_m: 0.0,
        mmsi: None,
    });
    let g = generate(&s, 0);
    let (fx, fy) = s.frame().to_east_north(fake);
    let rows = ais_rows(&g);
    assert!(rows.len() > 50);
    for d in rows {
        // Only the field's quantisation (0.19 m north, 0.15 m east) remains.
        assert!((d.z0 - fx).hypot(d.z1 - fy) < 0.3, "{d:?}");
    }
    for (_, m) in heard(&g) {
        if let AisMessage::Position(p) = m {
            assert_eq!((p.speed, p.course), (0, 3600));
        }
    }
}

#[test]
fn a_lossy_receiver_drops_the_configured_fraction_reproducibly_and_per_vessel() {
    let mut s = Scenario::border_crossing();
    s.duration_s = 3_600.0;
    let all = heard(&generate(&s, 0)).len() as f64;
    const P: f64 = 0.3;
    s.ais_receivers[0].loss_probability = P;
    let g = generate(&s, 0);
    let kept = heard(&g).len() as f64;
    // Binomial: within 3 standard errors of 1 − p.
    let tol = 3.0 * (P * (1.0 - P) / all).sqrt();
    assert!(
        (kept / all - (1.0 - P)).abs() < tol,
        "kept {kept} of {all}, expected {:.3} ± {tol:.3}",
        1.0 - P
    );
    assert_eq!(generate(&s, 0), g);
    // Another transponder on the air changes nothing of this one's losses.
    let mut more = s.clone();
    let mut other = more.vessels[SHIP].clone();
    other.name = "another ship".into();
    other.ais.as_mut().unwrap().mmsi = 239_999_000;
    more.vessels.push(other);
    let ours = |g: &Generated| -> Vec<f64> {
        ais_rows(g)
            .iter()
            .filter(|d| d.truth_id == SHIP as i64)
            .map(|d| d.t)
            .collect()
    };
    assert_eq!(ours(&generate(&more, 0)), ours(&g));
}
