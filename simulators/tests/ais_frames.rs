//! What the AIS node of border_crossing sends: real class A sentences, framed by the firmware.

mod support;

use borderfuse_common::ais::{AisMessage, Reassembler};
use borderfuse_common::frame::Payload;
use borderfuse_common::geo::Geodetic;
use borderfuse_common::nmea::{parse, parse_vdm};
use borderfuse_sim::ais::{RECEPTION_LATENCY_S, reporting_interval_s};
use borderfuse_sim::generate::NODE_BOOT_OFFSET_US;
use borderfuse_sim::motion::Route;
use borderfuse_sim::{Scenario, generate};

const START_UTC_MS: u64 = 1_767_225_600_000;
const AIS_NODE: u32 = 7;

/// One received AIS message: scenario time of its first sentence, channel, message.
struct Received {
    t_s: f64,
    utc_ms: u64,
    channel: u8,
    message: AisMessage,
}

fn received(s: &Scenario) -> Vec<Received> {
    let g = generate(s, START_UTC_MS);
    let bytes = g.bytes_by_node().remove(&AIS_NODE).unwrap_or_default();
    let (frames, stats) = support::decode(&bytes);
    assert_eq!(stats.bad_frames(), 0);
    let mut reassembler = Reassembler::<4>::new(10_000);
    let mut out = Vec::new();
    let mut first_fragment_t = None;
    for f in frames {
        let Payload::AisSentence(sentence) = &f.payload else {
            panic!("not a sentence: {f:?}");
        };
        let t_s = (f.t_node_us - NODE_BOOT_OFFSET_US) as f64 / 1e6;
        let utc_ms = f.t_utc_ms.unwrap();
        let nmea = parse(sentence.as_str()).unwrap();
        let vdm = parse_vdm(&nmea).unwrap();
        assert_eq!((vdm.talker, vdm.own_ship), ("AI", false));
        if vdm.fragment_number == 1 {
            first_fragment_t = Some((t_s, utc_ms));
        }
        if let Some(bits) = reassembler.push(&vdm, utc_ms).unwrap() {
            let (t_s, utc_ms) = first_fragment_t.unwrap();
            out.push(Received {
                t_s,
                utc_ms,
                channel: vdm.channel.unwrap(),
                message: AisMessage::decode(&bits).unwrap(),
            });
        }
    }
    assert_eq!(reassembler.pending(), 0);
    out
}

#[test]
fn every_sentence_decodes_to_the_ship_the_scenario_set() {
    let s = Scenario::border_crossing();
    let ship = s.vessels[1].ais.clone().unwrap();
    let msgs = received(&s);
    assert!(msgs.len() > 60, "{}", msgs.len());
    let mut statics = 0;
    for m in &msgs {
        assert_eq!(m.message.mmsi(), ship.mmsi);
        if let AisMessage::StaticVoyage(sv) = &m.message {
            statics += 1;
            assert_eq!(sv.shipname.as_str(), ship.shipname);
            assert_eq!(sv.callsign.as_str(), ship.callsign);
            assert_eq!(sv.shiptype, ship.ship_type);
            assert!(sv.to_bow + sv.to_stern > 0);
        }
    }
    // At switch-on and 6 minutes later.
    assert_eq!(statics, 2);
}

#[test]
fn reported_positions_are_within_a_few_sigma_of_truth() {
    let s = Scenario::border_crossing();
    let frame = s.frame();
    let route = Route::new(&frame, &s.vessels[1]);
    let sigma = s.vessels[1].ais.as_ref().unwrap().gnss_sigma_m;
    let mut errors = Vec::new();
    for m in received(&s) {
        let AisMessage::Position(p) = m.message else {
            continue;
        };
        let (x, y) = frame.to_east_north(Geodetic::new(p.lat_deg().unwrap(), p.lon_deg().unwrap()));
        let truth = route.state_at(m.t_s - RECEPTION_LATENCY_S);
        let err = truth.distance_to(x, y);
        // 2-D Gaussian error: P(|e| > 4.5 σ) = exp(-4.5²/2) ≈ 4e-5 per report; plus 1 m for
        // quantisation and reception timing.
        assert!(
            err < 4.5 * sigma + 1.0,
            "error {err:.1} m at t = {:.1}",
            m.t_s
        );
        errors.push(err);
        assert_eq!(p.msg_type, 1);
        assert_eq!(p.status, 0);
        assert_eq!(p.speed, 120);
        // The UTC second of the fix, i.e. of the transmission, before the reception latency.
        let fix_utc_ms = START_UTC_MS + ((m.t_s - RECEPTION_LATENCY_S) * 1000.0).round() as u64;
        assert_eq!(u64::from(p.second), fix_utc_ms / 1000 % 60);
        let course = truth.course_deg().unwrap();
        let diff = (f64::from(p.course) / 10.0 - course).rem_euclid(360.0);
        assert!(
            diff.min(360.0 - diff) <= 0.05 + 1e-9,
            "{} vs {course}",
            p.course
        );
    }
    // RMS of a 2-D error with σ per axis is σ·√2.
    let rms = (errors.iter().map(|e| e * e).sum::<f64>() / errors.len() as f64).sqrt();
    assert!(rms > 0.5 * sigma && rms < 2.0 * sigma, "rms {rms:.1} m");
}

#[test]
fn reporting_intervals_follow_the_class_a_table() {
    let s = Scenario::border_crossing();
    let route = Route::new(&s.frame(), &s.vessels[1]);
    let times: Vec<f64> = received(&s)
        .into_iter()
        .filter(|m| matches!(m.message, AisMessage::Position(_)))
        .map(|m| m.t_s - RECEPTION_LATENCY_S)
        .collect();
    // First report at a random phase within the first interval (10 s at 12 kn).
    assert!(times[0] < 10.0, "{}", times[0]);
    let turn = route.turns()[0].0;
    let (mut regular, mut turning) = (0, 0);
    for pair in times.windows(2) {
        let (t, dt) = (pair[0], pair[1] - pair[0]);
        let st = route.state_at(t);
        let expected = reporting_interval_s(st.speed_kn(), route.changing_course(t), false);
        if t < turn && turn < pair[1] {
            // The turn shortens the interval from the moment it starts.
            assert!(dt <= expected + 0.002, "{t}: {dt}");
            continue;
        }
        // Times come back from microsecond node clocks and UART timing: 2 ms tolerance.
        assert!(
            (dt - expected).abs() < 0.002,
            "at {t:.3}: {dt:.3} s, expected {expected:.3}"
        );
        if expected == 10.0 {
            regular += 1;
        } else {
            assert_eq!(expected, 10.0 / 3.0);
            turning += 1;
        }
    }
    assert!(regular > 40, "{regular}");
    assert!(turning >= 8, "{turning}");
}

#[test]
fn transmissions_alternate_between_channels_a_and_b() {
    let msgs = received(&Scenario::border_crossing());
    for pair in msgs.windows(2) {
        assert_ne!(pair[0].channel, pair[1].channel);
        assert!(matches!(pair[0].channel, b'A' | b'B'));
    }
}

#[test]
fn frame_times_are_node_time_and_utc_of_the_first_byte() {
    for m in received(&Scenario::border_crossing()) {
        let from_utc = (m.utc_ms - START_UTC_MS) as f64 / 1000.0;
        assert!(
            (from_utc - m.t_s).abs() <= 0.0015,
            "{from_utc} vs {}",
            m.t_s
        );
    }
}

#[test]
fn a_ship_out_of_receiver_range_is_not_heard() {
    let mut s = Scenario::border_crossing();
    s.ais_receivers[0].range_m = 1_000.0;
    assert!(received(&s).is_empty());
}

#[test]
fn the_dark_boat_sends_nothing() {
    let mut s = Scenario::border_crossing();
    s.vessels.truncate(1);
    assert!(received(&s).is_empty());
}
