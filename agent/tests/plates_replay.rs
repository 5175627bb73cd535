//! `borderfuse-agent plates`: reads replayed offline give exactly the alerts they should, in
//! the format the agent publishes and `bordersim score-alerts` reads.

use borderfuse_common::geo::{Geodetic, LocalFrame};
use std::os::unix::fs::PermissionsExt;
use std::process::Command;

/// 2026-11-29T04:00:00Z.
const T0: u64 = 1_795_924_800;

fn at(offset_s: u64) -> String {
    borderfuse_agent::detect::rfc3339((T0 + offset_s) as f64)
}

#[test]
fn a_hotlisted_plate_a_misread_one_and_a_clone_give_exactly_those_alerts() {
    let dir = tempfile::tempdir().unwrap();
    let key = dir.path().join("plate.key");
    std::fs::write(&key, "42".repeat(32)).unwrap();
    std::fs::set_permissions(&key, std::fs::Permissions::from_mode(0o600)).unwrap();
    let hotlist = dir.path().join("hotlist.txt");
    std::fs::write(&hotlist, "AB-123-CD,FR\nKX0420\n").unwrap();
    let config = dir.path().join("agent.toml");
    // Kipoi (TR border) and Evzoni (MK border): 317 km apart as the crow flies.
    std::fs::write(
        &config,
        format!(
            r#"
[post]
country = "GR"
post = "kipoi"
origin = {{ lat = 40.93, lon = 26.33 }}
[mqtt]
host = "localhost"
[sharing]
plate_key = "{}"
[plates]
hotlist = ["{}"]
[[plates.checkpoint]]
id = "kipoi"
position = {{ lat = 40.93, lon = 26.33 }}
[[plates.checkpoint]]
id = "evzoni"
position = {{ lat = 41.11, lon = 22.56 }}
"#,
            key.display(),
            hotlist.display()
        ),
    )
    .unwrap();
    let reads = dir.path().join("reads.jsonl");
    let lines = [
        // Listed, read right.
        format!(
            r#"{{"checkpoint": "kipoi", "plate": "AB-123-CD", "confidence": 0.9, "region": "fr", "timestamp": "{}"}}"#,
            at(0)
        ),
        // Not listed.
        format!(
            r#"{{"checkpoint": "kipoi", "plate": "ZZ-999-ZZ", "confidence": 0.9, "region": "fr", "timestamp": "{}"}}"#,
            at(60)
        ),
        // Listed as KX0420, read with an O for the 0.
        format!(
            r#"{{"checkpoint": "kipoi", "plate": "KXO420", "confidence": 0.9, "timestamp": "{}"}}"#,
            at(120)
        ),
        String::new(),
        // Not a read of any configured checkpoint, and no checkpoint at all: counted.
        format!(
            r#"{{"checkpoint": "nowhere", "plate": "AB-123-CD", "confidence": 0.9, "region": "fr", "timestamp": "{}"}}"#,
            at(130)
        ),
        format!(
            r#"{{"plate": "AB-123-CD", "confidence": 0.9, "timestamp": "{}"}}"#,
            at(140)
        ),
        // A clone: at Kipoi, then at Evzoni 10 minutes later (over 3 hours by road).
        format!(
            r#"{{"checkpoint": "kipoi", "plate": "CD-456-EF", "confidence": 0.95, "region": "fr", "timestamp": "{}"}}"#,
            at(1000)
        ),
        format!(
            r#"{{"checkpoint": "evzoni", "plate": "CD-456-EF", "confidence": 0.95, "region": "fr", "timestamp": "{}"}}"#,
            at(1600)
        ),
        // Hours ahead of every read before it: the clock follows the reads, nothing refused.
        format!(
            r#"{{"checkpoint": "evzoni", "plate": "QQ-111-QQ", "confidence": 0.95, "region": "fr", "timestamp": "{}"}}"#,
            at(20_000)
        ),
    ];
    std::fs::write(&reads, lines.join("\n") + "\n").unwrap();
    let out = dir.path().join("alerts.jsonl");
    let run = Command::new(env!("CARGO_BIN_EXE_borderfuse-agent"))
        .args(["plates", "--config"])
        .arg(&config)
        .arg("--reads")
        .arg(&reads)
        .arg("--out")
        .arg(&out)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(run.status.success(), "{stderr}");
    for counter in [
        "lines=8 ",
        "no_checkpoint=1 ",
        "alerts=3 ",
        "plate_reads=7 ",
        "plate_accepted=6 ",
        "plate_rejected_checkpoint=1 ",
        "plate_rejected_time=0 ",
        "plate_hotlist=2 ",
        "plate_clone=1 ",
    ] {
        assert!(stderr.contains(counter), "{counter} not in {stderr}");
    }

    let text = std::fs::read_to_string(&out).unwrap();
    let alerts: Vec<serde_json::Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let kinds: Vec<&str> = alerts.iter().map(|a| a["kind"].as_str().unwrap()).collect();
    assert_eq!(
        kinds,
        ["plate_hotlist", "plate_hotlist", "plate_clone"],
        "{text}"
    );
    let times: Vec<&str> = alerts.iter().map(|a| a["time"].as_str().unwrap()).collect();
    assert_eq!(
        times,
        [at(0), at(120), at(1600)],
        "read times, not the wall clock"
    );
    assert_eq!(alerts[1]["evidence"]["substitutions"], 1, "{}", alerts[1]);
    assert_eq!(alerts[2]["evidence"]["other_checkpoint"], "kipoi");
    assert!((alerts[2]["lat"].as_f64().unwrap() - 41.11).abs() < 1e-6);
    // Signed as published, and plates hashed on the own topic unless cleared.
    for a in &alerts {
        assert!(a["signature"].is_string(), "{a}");
        assert_eq!(
            (a["country"].as_str(), a["post"].as_str()),
            (Some("GR"), Some("kipoi"))
        );
    }
    // What bordersim score-alerts parses.
    let frame = LocalFrame::new(Geodetic::new(40.93, 26.33));
    for line in text.lines() {
        let parsed = borderfuse_sim::events::parse_alert(line, &frame, T0 * 1000).unwrap();
        assert!(parsed.t_s >= 0.0 && parsed.t_s <= 1600.0, "{parsed:?}");
    }
}

#[test]
fn a_config_without_a_plate_key_is_refused_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("agent.toml");
    std::fs::write(
        &config,
        "[post]\ncountry = \"GR\"\npost = \"kipoi\"\norigin = { lat = 40.93, lon = 26.33 }\n\
         [mqtt]\nhost = \"localhost\"\n",
    )
    .unwrap();
    let reads = dir.path().join("reads.jsonl");
    std::fs::write(&reads, "").unwrap();
    let run = Command::new(env!("CARGO_BIN_EXE_borderfuse-agent"))
        .args(["plates", "--config"])
        .arg(&config)
        .arg("--reads")
        .arg(&reads)
        .output()
        .unwrap();
    assert!(!run.status.success());
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(stderr.contains("sharing.plate_key"), "{stderr}");
}
