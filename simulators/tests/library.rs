//! The scenario library (`simulators/scenarios/`): every file loads, and each expects the
//! alerts its header says. (The agent's replay tests and the checkpoint-day end-to-end test
//! check that the agent raises them.)

use borderfuse_sim::events::expected_events;
use borderfuse_sim::{AisClass, Scenario};
use std::collections::BTreeSet;

fn load(name: &str) -> Scenario {
    let path = format!("{}/scenarios/{name}.toml", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap();
    Scenario::from_toml(&text).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn kinds(s: &Scenario) -> Vec<String> {
    let set: BTreeSet<String> = expected_events(s).into_iter().map(|e| e.kind).collect();
    set.into_iter().collect()
}

#[test]
fn every_file_of_the_library_loads() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/scenarios");
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .filter_map(|e| {
            let name = e.unwrap().file_name().into_string().unwrap();
            name.strip_suffix(".toml").map(str::to_string)
        })
        .collect();
    names.sort();
    assert_eq!(
        names,
        [
            "ais_spoofer",
            "border_crossing",
            "busy_strait",
            "checkpoint_day",
            "going_dark",
            "night_crossing",
            "rendezvous"
        ]
    );
    for name in names {
        load(&name);
    }
}

#[test]
fn each_maritime_scenario_expects_the_alerts_it_is_about() {
    let cases: [(&str, &[&str]); 4] = [
        ("night_crossing", &["dark_target", "zone_entry"]),
        ("rendezvous", &["dark_target", "rendezvous"]),
        ("ais_spoofer", &["ais_gap", "ais_spoofing"]),
        ("going_dark", &["ais_gap"]),
    ];
    for (name, want) in cases {
        assert_eq!(kinds(&load(name)), want, "{name}");
    }
    // Both zone entries of the night crossing: the border, then the beaches.
    let night = expected_events(&load("night_crossing"));
    assert_eq!(night.iter().filter(|e| e.kind == "zone_entry").count(), 2);
}

#[test]
fn the_busy_strait_has_a_thousand_vessels_a_fifth_class_b() {
    let s = load("busy_strait");
    assert_eq!(s.vessels.len(), 1_000);
    let class_b = s
        .vessels
        .iter()
        .filter(|v| v.ais.as_ref().is_some_and(|a| a.class == AisClass::B))
        .count();
    // Binomial(1000, 0.2): 200 ± 12.6; 4 standard deviations either way.
    assert!((150..=250).contains(&class_b), "{class_b}");
}

#[test]
fn the_checkpoint_day_has_ten_thousand_vehicles_with_hotlisted_and_cloned_plates() {
    let s = load("checkpoint_day");
    assert_eq!(
        s.vehicles.len(),
        10_000 + 50,
        "every clone is a second vehicle"
    );
    assert_eq!(s.vehicles.iter().filter(|v| v.hotlisted).count(), 100);
    let plates: BTreeSet<&str> = s.vehicles.iter().map(|v| v.plate.as_str()).collect();
    assert_eq!(plates.len(), 10_000);
    assert_eq!(kinds(&s), ["plate_clone", "plate_hotlist"]);
}
