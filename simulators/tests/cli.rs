//! The `bordersim` binary.

use borderfuse_sim::{Scenario, generate};
use std::process::Command;

const BIN: &str = env!("CARGO_BIN_EXE_bordersim");

#[test]
fn generate_writes_the_csv_files_and_one_frames_file_per_node() {
    let dir = tempfile::tempdir().unwrap();
    let out = Command::new(BIN)
        .args(["generate", "--start-utc-ms", "1767225600000", "--out"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let truth = std::fs::read_to_string(dir.path().join("truth.csv")).unwrap();
    assert!(truth.starts_with("t,truth_id,x,vx,y,vy\n"));
    let detections = std::fs::read_to_string(dir.path().join("detections.csv")).unwrap();
    assert!(detections.starts_with("t,sensor_id,model,z0,z1,r00,r01,r11,sx,sy,truth_id\n"));
    assert!(detections.contains(",rb,") && detections.contains(",xy,"));
    let g = generate(&Scenario::border_crossing(), 1_767_225_600_000);
    for (node, bytes) in g.bytes_by_node() {
        let file = std::fs::read(dir.path().join(format!("node-{node}.frames"))).unwrap();
        assert_eq!(file, bytes, "node {node}");
    }
    assert_eq!(detections.lines().count(), g.detections.len() + 1);
}

#[test]
fn run_prints_one_line_per_node_and_links_the_ptys() {
    let dir = tempfile::tempdir().unwrap();
    let scenario = dir.path().join("short.toml");
    let mut s = Scenario::border_crossing();
    s.duration_s = 4.0;
    std::fs::write(&scenario, s.to_toml().unwrap()).unwrap();
    let links = dir.path().join("serial");
    let out = Command::new(BIN)
        .args(["run", "--speed", "inf", "--linger-s", "0", "--scenario"])
        .arg(&scenario)
        .arg("--link-dir")
        .arg(&links)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8(out.stdout).unwrap();
    let lines: Vec<Vec<&str>> = stdout.lines().map(|l| l.split(' ').collect()).collect();
    assert_eq!(lines.len(), 2, "{stdout}");
    assert_eq!(lines[0][..3], ["node", "17", "radar-samos-east"]);
    assert_eq!(lines[1][..3], ["node", "7", "ais-samos"]);
    for line in &lines {
        assert!(line[3].starts_with("/dev/pts/"), "{line:?}");
        let link = std::fs::read_link(links.join(line[2])).unwrap();
        assert_eq!(link.to_str().unwrap(), line[3]);
    }
}

#[test]
fn an_invalid_scenario_file_is_refused_with_the_key_named() {
    let dir = tempfile::tempdir().unwrap();
    let scenario = dir.path().join("bad.toml");
    let text = Scenario::border_crossing()
        .to_toml()
        .unwrap()
        .replace("speed_kn = 12.0", "speed_kn = -3.0");
    std::fs::write(&scenario, text).unwrap();
    let out = Command::new(BIN)
        .args(["generate", "--out"])
        .arg(dir.path().join("out"))
        .arg("--scenario")
        .arg(&scenario)
        .output()
        .unwrap();
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("vessels[1].speed_kn must be > 0, got -3"),
        "{stderr}"
    );
}

#[test]
fn run_sends_a_radars_arpa_targets_over_udp() {
    let dir = tempfile::tempdir().unwrap();
    let scenario = dir.path().join("short.toml");
    let mut s = Scenario::border_crossing();
    s.duration_s = 30.0;
    std::fs::write(&scenario, s.to_toml().unwrap()).unwrap();
    let listener = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
    listener
        .set_read_timeout(Some(std::time::Duration::from_secs(10)))
        .unwrap();
    let addr = listener.local_addr().unwrap();
    let mut child = Command::new(BIN)
        .args(["run", "--speed", "10", "--linger-s", "0", "--scenario"])
        .arg(&scenario)
        .arg("--nmea-udp")
        .arg(format!("radar-samos-east={addr}"))
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let mut formatters = std::collections::BTreeSet::new();
    let mut buf = [0u8; 2048];
    // Both vessels are acquired within the first 10 s of scenario time (1 s of wall time).
    while formatters.len() < 2 {
        let n = listener.recv(&mut buf).expect("ARPA lines within 10 s");
        let text = std::str::from_utf8(&buf[..n]).unwrap();
        for line in text.lines() {
            let sentence = borderfuse_common::nmea::parse(line).unwrap();
            sentence.require_checksum().unwrap();
            borderfuse_common::arpa::parse_arpa(&sentence).unwrap();
            formatters.insert(line[3..6].to_string());
        }
    }
    assert_eq!(formatters.into_iter().collect::<Vec<_>>(), ["TLL", "TTM"]);
    let status = child.wait().unwrap();
    assert!(status.success());
}

#[test]
fn generate_samples_truth_at_the_period_asked_and_refuses_a_period_of_zero() {
    let dir = tempfile::tempdir().unwrap();
    let out = Command::new(BIN)
        .args(["generate", "--truth-period-s", "10", "--out"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let truth = std::fs::read_to_string(dir.path().join("truth.csv")).unwrap();
    let times: Vec<&str> = truth
        .lines()
        .skip(1)
        .map(|l| l.split(',').next().unwrap())
        .collect();
    // 600 s every 10 s, both ends included, two vessels each time.
    assert_eq!(times.len(), 61 * 2);
    assert_eq!(
        (times[0], times[2], times[121]),
        ("0.000", "10.000", "600.000")
    );

    let out = Command::new(BIN)
        .args(["generate", "--truth-period-s", "0", "--out"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("--truth-period-s"));
}
