//! SIGKILL: the agent (`borderfuse-agent link-test`) is killed with SIGKILL in the middle of
//! a stream of alerts, with alerts waiting in its outbox for a broker that does not answer;
//! restarted on the same outbox, it sends them: every alert that was raised arrives. Its
//! last will tells partners it went offline.

mod link_support;

use link_support::{
    Mosquitto, Subscriber, agent_command, agent_config_text, free_port, raised_ids, run_link_test,
};
use std::collections::HashSet;
use std::io::{BufRead, BufReader};
use std::process::Stdio;
use std::time::{Duration, Instant};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_agent_killed_with_sigkill_mid_stream_loses_no_raised_alert_after_restart() {
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let broker = Mosquitto::start(dir.path(), "broker", port, "allow_anonymous true");
    let subscriber = Subscriber::start(port, "partner-display", false, |_| {}).await;
    let config_file = dir.path().join("agent.toml");
    std::fs::write(
        &config_file,
        agent_config_text(port, &dir.path().join("outbox"), ""),
    )
    .unwrap();

    // First run: a long stream at 500 alerts/s; each line `raised ID` is printed once the
    // alert is fsynced in the outbox, which is when it counts as raised.
    let mut first = agent_command()
        .arg("link-test")
        .arg("--config")
        .arg(&config_file)
        .args([
            "--count",
            "100000",
            "--rate",
            "500",
            "--id-prefix",
            "first",
            "--print-ids",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let stdout = first.stdout.take().unwrap();
    let reader = std::thread::spawn(move || {
        let mut ids = HashSet::new();
        for line in BufReader::new(stdout).lines() {
            let Ok(line) = line else { break };
            if let Some(id) = line.strip_prefix("raised ") {
                ids.insert(id.to_string());
            }
        }
        ids
    });
    let count_of = |r: &Subscriber| r.received.lock().unwrap().distinct().len();
    let deadline = Instant::now() + Duration::from_secs(20);
    while count_of(&subscriber) < 200 {
        assert!(Instant::now() < deadline, "the first run delivered alerts");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    // The broker stops answering: alerts pile up, unacknowledged, in the outbox...
    broker.freeze(true);
    tokio::time::sleep(Duration::from_millis(800)).await;
    // ... and the agent dies mid-stream, mid-write perhaps.
    nix::sys::signal::kill(
        nix::unistd::Pid::from_raw(first.id() as i32),
        nix::sys::signal::Signal::SIGKILL,
    )
    .unwrap();
    let status = first.wait().unwrap();
    assert!(!status.success(), "killed: {status}");
    broker.freeze(false);
    let raised_first = reader.join().unwrap();
    // The broker saw the agent die: its last will says so, retained.
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let states: Vec<String> = subscriber
            .received
            .lock()
            .unwrap()
            .statuses
            .iter()
            .map(|s| s["state"].as_str().unwrap_or_default().to_string())
            .collect();
        if states.first().map(String::as_str) == Some("online")
            && states.last().map(String::as_str) == Some("offline")
        {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "status online then the will, offline: {states:?}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert!(
        raised_first.len() > 300,
        "{} raised before the kill",
        raised_first.len()
    );

    // Restarted on the same outbox: it sends what the first run left, then 50 more.
    let (ok, stdout, stderr) = run_link_test(
        &config_file,
        &[
            "--count",
            "50",
            "--rate",
            "0",
            "--id-prefix",
            "second",
            "--print-ids",
            "--timeout",
            "60",
        ],
    );
    assert!(ok, "second run: {stdout}\n{stderr}");
    eprintln!("{stdout}");
    let from_before: u64 = stdout
        .split("(+")
        .nth(1)
        .and_then(|s| s.split_whitespace().next())
        .and_then(|n| n.parse().ok())
        .expect("summary says how many came from before");
    assert!(
        from_before > 0,
        "the outbox held alerts from the killed run"
    );

    let mut expected = raised_first;
    expected.extend(raised_ids(&stdout));
    let got = subscriber
        .wait_for(&expected, Duration::from_secs(20))
        .await;
    let missing: Vec<_> = expected.difference(&got).collect();
    assert!(
        missing.is_empty(),
        "{} raised alerts lost: {:?}",
        missing.len(),
        &missing[..missing.len().min(10)]
    );
}
