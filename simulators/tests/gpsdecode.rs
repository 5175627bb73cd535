//! What the simulated AIS transponder sends, decoded by gpsd's `gpsdecode`: every message
//! decodes, to the identity and static data the scenario set and to positions on the vessel's
//! route. Runs when `gpsdecode` is installed; `scripts/test` installs it and sets
//! `BORDERFUSE_REQUIRE_GPSDECODE=1`, so in CI a missing decoder fails the test instead.

use borderfuse_sim::motion::Route;
use borderfuse_sim::{Scenario, generate};
use std::io::Write;
use std::process::{Command, Stdio};

fn gpsdecode(input: &[u8]) -> Option<Vec<serde_json::Value>> {
    let spawned = Command::new("gpsdecode")
        .args(["-u", "-j"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn();
    let mut child = match spawned {
        Ok(child) => child,
        Err(e) => {
            assert!(
                std::env::var_os("BORDERFUSE_REQUIRE_GPSDECODE").is_none(),
                "gpsdecode is required here but cannot run: {e}"
            );
            eprintln!("SKIPPED: gpsdecode not installed (apt-get install gpsd-clients): {e}");
            return None;
        }
    };
    let mut stdin = child.stdin.take().unwrap();
    let feed = input.to_vec();
    let writer = std::thread::spawn(move || stdin.write_all(&feed));
    let out = child.wait_with_output().unwrap();
    writer.join().unwrap().unwrap();
    assert!(out.status.success(), "gpsdecode failed");
    Some(
        String::from_utf8(out.stdout)
            .unwrap()
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect(),
    )
}

#[test]
fn gpsd_decodes_every_message_to_what_the_scenario_set() {
    let scenario = Scenario::border_crossing();
    let receiver = scenario.ais_receivers[0].node_id;
    let generated = generate(&scenario, 1_795_000_000_000);
    let lines: Vec<u8> = generated
        .nmea
        .iter()
        .filter(|e| e.node_id == receiver)
        .flat_map(|e| e.bytes.clone())
        .collect();
    let Some(decoded) = gpsdecode(&lines) else {
        return;
    };
    // One decoded object per message: a message is a sentence with fragment number 1.
    let messages = String::from_utf8(lines.clone())
        .unwrap()
        .lines()
        .filter(|l| l.split(',').nth(2) == Some("1"))
        .count();
    assert_eq!(decoded.len(), messages, "every message decodes");

    let vessel = scenario.vessels.iter().find(|v| v.ais.is_some()).unwrap();
    let ais = vessel.ais.as_ref().unwrap();
    let frame = scenario.frame();
    let route = Route::new(&frame, vessel);
    let on_route: Vec<(f64, f64)> = (0..=scenario.duration_s as u32)
        .map(|t| {
            let s = route.state_at(f64::from(t));
            (s.x, s.y)
        })
        .collect();
    let (mut positions, mut statics) = (0, 0);
    for m in &decoded {
        assert_eq!(m["mmsi"], u64::from(ais.mmsi), "{m}");
        match m["type"].as_u64() {
            Some(1..=3) => {
                positions += 1;
                // Unscaled: 1/10,000 minute; speed in 1/10 knot.
                let lat = m["lat"].as_f64().unwrap() / 600_000.0;
                let lon = m["lon"].as_f64().unwrap() / 600_000.0;
                let (x, y) = frame.to_east_north(borderfuse_common::geo::Geodetic::new(lat, lon));
                let off = on_route
                    .iter()
                    .map(|&(rx, ry)| (x - rx).hypot(y - ry))
                    .fold(f64::INFINITY, f64::min);
                // GNSS noise of 5 m (σ), rounding to 1/10,000 minute (~0.2 m), and up to a
                // second of travel between route samples (6 m at 12 kn).
                assert!(
                    off < 5.0 * ais.gnss_sigma_m + 6.0,
                    "{off:.1} m off the route: {m}"
                );
                let speed_kn = m["speed"].as_f64().unwrap() / 10.0;
                assert!((speed_kn - vessel.speed_kn).abs() <= 0.1, "{m}");
            }
            Some(5) => {
                statics += 1;
                assert_eq!(m["callsign"], ais.callsign.as_str(), "{m}");
                assert_eq!(m["shipname"], ais.shipname.as_str(), "{m}");
                assert_eq!(m["shiptype"], u64::from(ais.ship_type), "{m}");
            }
            other => panic!("unexpected message type {other:?}: {m}"),
        }
    }
    // Class A at 12 kn reports every 10 s (ITU-R M.1371 table 1), static data every 6 min.
    let duration = scenario.duration_s;
    assert!(
        positions as f64 >= duration / 10.0 * 0.9,
        "{positions} position reports in {duration} s"
    );
    assert!(
        statics > (duration / 360.0) as usize,
        "{statics} static reports"
    );
}

#[test]
fn gpsd_decodes_a_class_b_unit_to_what_the_scenario_set() {
    let mut scenario = Scenario::border_crossing();
    let ais = scenario.vessels[1].ais.as_mut().unwrap();
    ais.class = borderfuse_sim::AisClass::B;
    // A 2-character call sign, so that a padding bug in part B would show.
    ais.callsign = "SV".into();
    let ais = ais.clone();
    let receiver = scenario.ais_receivers[0].node_id;
    let generated = generate(&scenario, 1_795_000_000_000);
    let lines: Vec<u8> = generated
        .nmea
        .iter()
        .filter(|e| e.node_id == receiver)
        .flat_map(|e| e.bytes.clone())
        .collect();
    let Some(decoded) = gpsdecode(&lines) else {
        return;
    };
    // Every class B message is one sentence; gpsd keeps a part A to itself and prints it
    // merged into the part B that follows on the same channel.
    let sentences = String::from_utf8(lines).unwrap().lines().count();
    let parts_a_sent = 2;
    assert_eq!(
        decoded.len(),
        sentences - parts_a_sent,
        "every message decodes"
    );
    let vessel = &scenario.vessels[1];
    let frame = scenario.frame();
    let route = Route::new(&frame, vessel);
    let ((to_bow, to_stern, to_port, to_starboard), _) =
        borderfuse_sim::ais::typical_dimensions(ais.ship_type);
    let (mut positions, mut parts_a, mut parts_b) = (0, 0, 0);
    for m in &decoded {
        assert_eq!(m["mmsi"], u64::from(ais.mmsi), "{m}");
        match m["type"].as_u64() {
            Some(18) => {
                positions += 1;
                let lat = m["lat"].as_f64().unwrap() / 600_000.0;
                let lon = m["lon"].as_f64().unwrap() / 600_000.0;
                let (x, y) = frame.to_east_north(borderfuse_common::geo::Geodetic::new(lat, lon));
                let off = (0..=scenario.duration_s as u32)
                    .map(|t| route.state_at(f64::from(t)).distance_to(x, y))
                    .fold(f64::INFINITY, f64::min);
                assert!(off < 5.0 * ais.gnss_sigma_m + 6.0, "{off:.1} m: {m}");
                let speed_kn = m["speed"].as_f64().unwrap() / 10.0;
                assert!((speed_kn - vessel.speed_kn).abs() <= 0.1, "{m}");
                // A CS unit as typically configured.
                assert_eq!(m["cs"], true, "{m}");
                assert_eq!(m["display"], false, "{m}");
                assert_eq!(m["dsc"], true, "{m}");
                assert_eq!(m["band"], true, "{m}");
                assert_eq!(m["msg22"], true, "{m}");
                assert_eq!(m["raim"], false, "{m}");
                assert_eq!(m["radio"], 917_510, "{m}");
            }
            Some(24) => {
                assert_eq!(m["shipname"], ais.shipname.as_str(), "{m}");
                if m["part"] == "A" {
                    parts_a += 1;
                } else {
                    // Part B, merged with the name of the part A before it.
                    assert!(m.get("part").is_none(), "part B not merged: {m}");
                    parts_b += 1;
                    assert_eq!(m["callsign"], ais.callsign.as_str(), "{m}");
                    assert_eq!(m["shiptype"], u64::from(ais.ship_type), "{m}");
                    assert_eq!(m["to_bow"], u64::from(to_bow), "{m}");
                    assert_eq!(m["to_stern"], u64::from(to_stern), "{m}");
                    assert_eq!(m["to_port"], u64::from(to_port), "{m}");
                    assert_eq!(m["to_starboard"], u64::from(to_starboard), "{m}");
                }
            }
            other => panic!("unexpected message type {other:?}: {m}"),
        }
    }
    // Class B CS at 12 kn: every 30 s (ITU-R M.1371-5 Table 2); static data every 6 min.
    let duration = scenario.duration_s;
    assert!(
        (positions as f64 - duration / 30.0).abs() <= 1.0,
        "{positions} position reports in {duration} s"
    );
    assert_eq!((parts_a, parts_b), (0, 2));
}
