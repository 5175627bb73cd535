//! AIS reporting over a long run matches ITU-R M.1371-5, as a receiver's NMEA output shows it.
//!
//! Two hours of class A transponders at several speeds — moored (stopped at its last waypoint),
//! 10 kn, 18 kn, 30 kn — and two zig-zagging vessels (10 kn and 18 kn, a 90° turn every leg),
//! and of class B "CS" transponders — moored, 1.5 kn, 6 kn, zig-zagging at 25 kn — all heard
//! by one receiver. Its NMEA lines are decoded with `borderfuse_common`'s AIS decoder
//! and grouped by MMSI; each message's transmission time is its first line's first byte minus
//! the reception latency.
//!
//! The interval itself has no randomness (only the first report's phase is random), so the
//! only error is timing. Tolerances:
//! - An interval between two messages that the receiver printed at once is the nominal one
//!   within 2 ms (microsecond node clocks, rounding of line times).
//! - A message that had to wait for the receiver's serial line (another message was still
//!   being printed) arrives late by at most the time to print every other transponder's
//!   longest message: [`QUEUE_BOUND_S`]; its intervals are checked within that bound.
//! - Most messages are not queued, so the median interval is the nominal one within 2 ms.
//! - The number of position reports is the duration over the interval, ±1.
//!
//! Nominal values (Annex 1 Table 1, autonomous mode): 3 min at anchor or moored, 10 s at
//! 0–14 kn (3⅓ s changing course), 6 s at 14–23 kn (2 s changing course), 2 s above 23 kn.
//! "Changing course" lasts [`TURN_WINDOW_S`] after each turn; an interval that a turn
//! interrupts ends at the turn at the earliest. Class B CS (Annex 1 Table 2): 3 min at 2 kn or
//! less, 30 s above, whatever the course does. Static data come right after switch-on and
//! every 360 s (Annex 1 §4.3.2): type 5 from class A; type 24 part A from class B, followed
//! by part B as its next message [`CLASS_B_PART_B_DELAY_S`] later, on the same channel. Every
//! transponder alternates channels A and B for all its other messages.

use borderfuse_common::ais::{AisMessage, Reassembler, StaticDataPart};
use borderfuse_common::geo::{Geodetic, LocalFrame};
use borderfuse_common::nmea::{parse, parse_vdm};
use borderfuse_sim::ais::{CLASS_B_PART_B_DELAY_S, RECEIVER_BAUD, RECEPTION_LATENCY_S};
use borderfuse_sim::motion::{Route, TURN_WINDOW_S};
use borderfuse_sim::scenario::DEFAULT_RCS_M2;
use borderfuse_sim::{
    AisClass, AisReceiverSpec, AisTransponderSpec, Scenario, VesselSpec, try_generate,
};
use std::collections::BTreeMap;

const DURATION_S: f64 = 7_200.0;
const RECEIVER: u32 = 9;
const START_UTC_MS: u64 = 1_767_225_600_000;
/// Clock and rounding tolerance on an unqueued interval.
const TIMING_TOL_S: f64 = 0.002;
/// Longest wait for the serial line: every other transponder (nine), each with a
/// two-sentence message of at most 2 × 84 bytes at 10 bits a byte, plus the vessel's own
/// previous message.
const QUEUE_BOUND_S: f64 = 10.0 * 2.0 * 84.0 * 10.0 / RECEIVER_BAUD;

/// A vessel of the test and the Table 1 interval it must report at.
struct Case {
    name: &'static str,
    class: AisClass,
    mmsi: u32,
    speed_kn: f64,
    /// Waypoints, metres east/north of the receiver.
    route: Vec<(f64, f64)>,
    /// Nominal interval going straight, and while changing course.
    straight_s: f64,
    turning_s: f64,
    /// Nominal interval once stopped at the last waypoint.
    moored_s: Option<f64>,
}

const CLASS_B_FAST_S: f64 = 30.0;
const CLASS_B_SLOW_S: f64 = 180.0;

fn zigzag(start: (f64, f64), leg_m: f64, legs: usize) -> Vec<(f64, f64)> {
    // Alternating north-east and south-east legs: a 90° turn at every waypoint.
    let step = leg_m / 2f64.sqrt();
    (0..=legs)
        .map(|i| {
            let x = start.0 + step * i as f64;
            let y = start.1 + if i % 2 == 0 { 0.0 } else { step };
            (x, y)
        })
        .collect()
}

fn cases() -> Vec<Case> {
    let far = 150_000.0;
    vec![
        Case {
            class: AisClass::A,
            name: "moored",
            mmsi: 237_000_001,
            speed_kn: 5.0,
            // Ten metres of route: moored from the fourth second on.
            route: vec![(1_000.0, 0.0), (1_010.0, 0.0)],
            straight_s: 10.0,
            turning_s: 10.0 / 3.0,
            moored_s: Some(180.0),
        },
        Case {
            class: AisClass::A,
            name: "ten knots",
            mmsi: 237_000_002,
            speed_kn: 10.0,
            route: vec![(0.0, 1_000.0), (0.0, far)],
            straight_s: 10.0,
            turning_s: 10.0 / 3.0,
            moored_s: None,
        },
        Case {
            class: AisClass::A,
            name: "eighteen knots",
            mmsi: 237_000_003,
            speed_kn: 18.0,
            route: vec![(0.0, -1_000.0), (0.0, -far)],
            straight_s: 6.0,
            turning_s: 2.0,
            moored_s: None,
        },
        Case {
            class: AisClass::A,
            name: "thirty knots",
            mmsi: 237_000_004,
            speed_kn: 30.0,
            route: vec![(-1_000.0, 0.0), (-far, 0.0)],
            straight_s: 2.0,
            turning_s: 2.0,
            moored_s: None,
        },
        Case {
            class: AisClass::A,
            name: "zig-zag at ten knots",
            mmsi: 237_000_005,
            speed_kn: 10.0,
            // 1 km legs: a turn every 194 s, 37 of them.
            route: zigzag((-20_000.0, 5_000.0), 1_000.0, 40),
            straight_s: 10.0,
            turning_s: 10.0 / 3.0,
            moored_s: None,
        },
        Case {
            class: AisClass::A,
            name: "zig-zag at eighteen knots",
            mmsi: 237_000_006,
            speed_kn: 18.0,
            // 1.5 km legs: a turn every 162 s, 44 of them.
            route: zigzag((-40_000.0, -5_000.0), 1_500.0, 50),
            straight_s: 6.0,
            turning_s: 2.0,
            moored_s: None,
        },
        // Class B "CS", Table 2: 3 min at 2 kn or less, 30 s above, turning or not.
        Case {
            class: AisClass::B,
            name: "class B moored",
            mmsi: 237_000_011,
            speed_kn: 5.0,
            route: vec![(0.0, 2_000.0), (10.0, 2_000.0)],
            straight_s: CLASS_B_FAST_S,
            turning_s: CLASS_B_FAST_S,
            moored_s: Some(CLASS_B_SLOW_S),
        },
        Case {
            class: AisClass::B,
            name: "class B at 1.5 kn",
            mmsi: 237_000_012,
            speed_kn: 1.5,
            route: vec![(2_000.0, 0.0), (2_000.0, far)],
            straight_s: CLASS_B_SLOW_S,
            turning_s: CLASS_B_SLOW_S,
            moored_s: None,
        },
        Case {
            class: AisClass::B,
            name: "class B at 6 kn",
            mmsi: 237_000_013,
            speed_kn: 6.0,
            route: vec![(-2_000.0, 0.0), (-2_000.0, -far)],
            straight_s: CLASS_B_FAST_S,
            turning_s: CLASS_B_FAST_S,
            moored_s: None,
        },
        Case {
            class: AisClass::B,
            name: "class B zig-zag at 25 kn",
            mmsi: 237_000_014,
            speed_kn: 25.0,
            // 1.5 km legs: a turn every 117 s.
            route: zigzag((40_000.0, -5_000.0), 1_500.0, 70),
            straight_s: CLASS_B_FAST_S,
            turning_s: CLASS_B_FAST_S,
            moored_s: None,
        },
    ]
}

fn scenario(cases: &[Case]) -> Scenario {
    let origin = Geodetic::new(37.7, 27.0);
    let frame = LocalFrame::new(origin);
    let geo = |&(x, y): &(f64, f64)| frame.from_east_north(x, y, 0.0);
    Scenario {
        name: "ais statistics".into(),
        seed: 11,
        origin,
        duration_s: DURATION_S,
        border: vec![Geodetic::new(37.0, 28.0), Geodetic::new(38.0, 28.0)],
        radars: vec![],
        ais_receivers: vec![AisReceiverSpec {
            node_id: RECEIVER,
            name: "ais".into(),
            position: origin,
            range_m: 300_000.0,
            loss_probability: 0.0,
        }],
        vessels: cases
            .iter()
            .map(|c| VesselSpec {
                name: c.name.into(),
                route: c.route.iter().map(geo).collect(),
                speed_kn: c.speed_kn,
                ais: Some(AisTransponderSpec {
                    mmsi: c.mmsi,
                    callsign: "TEST".into(),
                    shipname: format!("TEST {}", c.mmsi % 1000),
                    ship_type: 70,
                    gnss_sigma_m: 3.0,
                    class: c.class,
                    off_s: None,
                    on_s: None,
                    spoof: None,
                }),
                rcs_m2: DEFAULT_RCS_M2,
                dwells: Vec::new(),
            })
            .collect(),
        ..Scenario::border_crossing()
    }
}

/// One decoded message as the receiver printed it.
#[derive(Debug)]
struct Heard {
    /// Transmission time: first byte of the first line, less the reception latency.
    t_s: f64,
    /// Whether the first line waited for the serial line (its timing then says less).
    queued: bool,
    channel: u8,
    message: AisMessage,
}

fn heard_by_mmsi(s: &Scenario) -> BTreeMap<u32, Vec<Heard>> {
    let g = try_generate(s, START_UTC_MS).unwrap();
    let mut reassembler = Reassembler::<8>::new(10_000);
    let mut out: BTreeMap<u32, Vec<Heard>> = BTreeMap::new();
    let mut previous_end = f64::NEG_INFINITY;
    let mut first = (0.0, false);
    for line in g.nmea.iter().filter(|l| l.node_id == RECEIVER) {
        let start = line.t_s - line.bytes.len() as f64 * 10.0 / RECEIVER_BAUD;
        let queued = (start - previous_end).abs() < 1e-9;
        previous_end = line.t_s;
        let text = std::str::from_utf8(&line.bytes).unwrap();
        let vdm = parse_vdm(&parse(text).unwrap()).unwrap();
        if vdm.fragment_number == 1 {
            first = (start - RECEPTION_LATENCY_S, queued);
        }
        let now_ms = (line.t_s * 1000.0) as u64;
        if let Some(bits) = reassembler.push(&vdm, now_ms).unwrap() {
            let message = AisMessage::decode(&bits).unwrap();
            out.entry(message.mmsi()).or_default().push(Heard {
                t_s: first.0,
                queued: first.1,
                channel: vdm.channel.unwrap(),
                message,
            });
        }
    }
    assert_eq!(reassembler.pending(), 0);
    out
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

/// Checks one interval against its nominal value, with the tolerance its timing allows.
fn check_interval(what: &str, from: &Heard, to: &Heard, nominal: f64) {
    let dt = to.t_s - from.t_s;
    let tol = if from.queued || to.queued {
        QUEUE_BOUND_S + TIMING_TOL_S
    } else {
        TIMING_TOL_S
    };
    assert!(
        (dt - nominal).abs() <= tol,
        "{what}: {dt:.4} s from {:.3} s, expected {nominal:.4} ± {tol:.4}",
        from.t_s
    );
}

#[test]
fn reporting_intervals_follow_tables_1_and_2_over_two_hours() {
    let cases = cases();
    let s = scenario(&cases);
    let frame = s.frame();
    let heard = heard_by_mmsi(&s);
    let mut queued_total = 0usize;
    let mut total = 0usize;
    for (case, vessel) in cases.iter().zip(&s.vessels) {
        let route = Route::new(&frame, vessel);
        let class_a = case.class == AisClass::A;
        // Only class A shortens its interval for a course change.
        let turns: Vec<f64> = route
            .turns()
            .into_iter()
            .filter(|&(_, change)| class_a && change > 5.0)
            .map(|(t, _)| t)
            .collect();
        let msgs = &heard[&case.mmsi];
        let positions: Vec<&Heard> = msgs
            .iter()
            .filter(|m| {
                if class_a {
                    matches!(m.message, AisMessage::Position(_))
                } else {
                    matches!(m.message, AisMessage::ClassBPosition(_))
                }
            })
            .collect();
        // Class A sends types 1 and 5 only, class B types 18 and 24 only.
        for m in msgs {
            let ok = match &m.message {
                AisMessage::Position(_) | AisMessage::StaticVoyage(_) => class_a,
                AisMessage::ClassBPosition(_) | AisMessage::StaticData(_) => !class_a,
                _ => false,
            };
            assert!(ok, "{}: {:?}", case.name, m.message);
        }
        total += msgs.len();
        queued_total += msgs.iter().filter(|m| m.queued).count();

        let mut by_nominal: BTreeMap<u64, Vec<f64>> = BTreeMap::new();
        for pair in positions.windows(2) {
            let (from, to) = (pair[0], pair[1]);
            let what = format!("{} position", case.name);
            // A report sent at the moment of a turn comes back from the node's clock a few
            // microseconds either side of it.
            let turn_inside = turns
                .iter()
                .find(|&&tt| tt > from.t_s + TIMING_TOL_S && tt < to.t_s + TIMING_TOL_S);
            let in_turn_window = turns
                .iter()
                .any(|&tt| tt <= from.t_s + TIMING_TOL_S && from.t_s < tt + TURN_WINDOW_S);
            let moored = route.arrived(from.t_s);
            let nominal = match (case.moored_s, moored) {
                (Some(m), true) => m,
                _ if in_turn_window => case.turning_s,
                _ => case.straight_s,
            };
            if let Some(&turn) = turn_inside.filter(|_| !in_turn_window) {
                // A turn cuts the interval short: the next report comes at the turn or one
                // shortened interval after the last, whichever is later.
                let expected = (turn - from.t_s).max(case.turning_s);
                check_interval(&what, from, to, expected);
                continue;
            }
            check_interval(&what, from, to, nominal);
            by_nominal
                .entry((nominal * 1000.0).round() as u64)
                .or_default()
                .push(to.t_s - from.t_s);
        }
        for (nominal_ms, dts) in by_nominal {
            let nominal = nominal_ms as f64 / 1000.0;
            let m = median(dts.clone());
            assert!(
                (m - nominal).abs() <= TIMING_TOL_S,
                "{}: median interval {m:.4} s, expected {nominal:.4}",
                case.name
            );
        }
        // Going straight all the way, the count follows from the interval alone.
        if turns.is_empty() && case.moored_s.is_none() {
            let expected = DURATION_S / case.straight_s;
            assert!(
                (positions.len() as f64 - expected).abs() <= 1.0,
                "{}: {} reports, expected {expected}",
                case.name,
                positions.len()
            );
        }
        if !turns.is_empty() {
            // Every turn gives shortened intervals: more reports than going straight.
            let shortened = positions
                .windows(2)
                .filter(|p| p[1].t_s - p[0].t_s < case.straight_s - QUEUE_BOUND_S)
                .count();
            assert!(
                shortened >= turns.len() * 5,
                "{}: {shortened} shortened intervals for {} turns",
                case.name,
                turns.len()
            );
        }
        if let Some(moored_s) = case.moored_s {
            let moored = positions.iter().filter(|m| route.arrived(m.t_s)).count();
            assert!(moored as f64 >= DURATION_S / moored_s - 1.0, "{moored}");
        }

        // Static data: at switch-on, then every 6 minutes; class B's part B right after
        // part A, as the transponder's next message.
        let is_static_head = |m: &Heard| match &m.message {
            AisMessage::StaticVoyage(_) => true,
            AisMessage::StaticData(d) => matches!(d.part, StaticDataPart::A { .. }),
            _ => false,
        };
        let statics: Vec<&Heard> = msgs.iter().filter(|m| is_static_head(m)).collect();
        assert!(statics[0].t_s < 1.0 + QUEUE_BOUND_S, "{}", statics[0].t_s);
        assert_eq!(
            statics.len(),
            (DURATION_S / 360.0) as usize,
            "{}",
            case.name
        );
        for pair in statics.windows(2) {
            check_interval(&format!("{} static", case.name), pair[0], pair[1], 360.0);
        }
        if !class_a {
            let mut parts_b = 0;
            for (i, m) in msgs.iter().enumerate() {
                let AisMessage::StaticData(d) = &m.message else {
                    continue;
                };
                if let StaticDataPart::B { .. } = d.part {
                    parts_b += 1;
                    let before = &msgs[i - 1];
                    assert!(
                        is_static_head(before),
                        "{}: part B after {before:?}",
                        case.name
                    );
                    check_interval(
                        &format!("{} part B", case.name),
                        before,
                        m,
                        CLASS_B_PART_B_DELAY_S,
                    );
                }
            }
            assert_eq!(parts_b, statics.len(), "{}", case.name);
        }

        // Channels alternate A, B, A, ... across all of a transponder's messages, but a
        // class B part B goes out on its part A's channel (and does not count).
        let is_part_b = |m: &Heard| matches!(&m.message, AisMessage::StaticData(d) if matches!(d.part, StaticDataPart::B { .. }));
        let alternating: Vec<&Heard> = msgs.iter().filter(|m| !is_part_b(m)).collect();
        for pair in alternating.windows(2) {
            assert!(matches!(pair[0].channel, b'A' | b'B'));
            assert_ne!(pair[0].channel, pair[1].channel, "{}", case.name);
        }
        for (i, m) in msgs.iter().enumerate().filter(|(_, m)| is_part_b(m)) {
            assert_eq!(m.channel, msgs[i - 1].channel, "{}", case.name);
        }
    }
    // The tight check must be the rule, not the exception.
    assert!(
        (queued_total as f64) < 0.05 * total as f64,
        "{queued_total} of {total} messages queued"
    );
}
