//! Signed and shared alerts, end to end with the command line: `keygen` makes the post's
//! key pair and a plate key, `check-config` loads them, the agent's link (through
//! `link-test`) publishes signed alerts to a real mosquitto on the post's own topic and, with
//! only the fields the policy allows, on a partner's topic; `verify` checks every message
//! received with the public key, and refuses a tampered one and one under an unknown key.

mod link_support;

use link_support::{Mosquitto, Subscriber, agent_command, agent_config_text, free_port};
use std::collections::HashSet;
use std::path::Path;
use std::time::{Duration, Instant};

const ALERTS: usize = 20;

fn keygen(dir: &Path, post: &str, plate_key: Option<&Path>) -> std::process::Output {
    let mut command = agent_command();
    command
        .arg("keygen")
        .arg("--out-dir")
        .arg(dir)
        .args(["--country", "GR", "--post", post]);
    if let Some(path) = plate_key {
        command.arg("--plate-key").arg(path);
    }
    command.output().unwrap()
}

/// Runs `verify --keys KEYS FILE`: (success, stdout).
fn verify(keys: &Path, file: &Path) -> (bool, String) {
    let out = agent_command()
        .arg("verify")
        .arg("--keys")
        .arg(keys)
        .arg(file)
        .output()
        .unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
    )
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn alerts_are_signed_shared_per_partner_and_checked_by_verify() {
    let dir = tempfile::tempdir().unwrap();
    let keys = dir.path().join("keys");
    let plate_key = keys.join("plates.key");

    let made = keygen(&keys, "samos-east", Some(&plate_key));
    assert!(made.status.success(), "{}", text(&made.stderr));
    let made_out = text(&made.stdout);
    assert!(made_out.contains("key id:"), "{made_out}");
    let again = keygen(&keys, "samos-east", None);
    assert!(!again.status.success());
    assert!(
        text(&again.stderr).contains("exists"),
        "{}",
        text(&again.stderr)
    );

    let port = free_port();
    let _broker = Mosquitto::start(dir.path(), "signed", port, "allow_anonymous true");
    let config_file = dir.path().join("agent.toml");
    let sharing = format!(
        r#"
[signing]
key = "{}"

[sharing]
plate_key = "{}"

[[sharing.partner]]
name = "tr-coastguard"
kinds = ["dark_target"]
fields = ["lat", "lon"]
"#,
        keys.join("GR-samos-east.key.pem").display(),
        plate_key.display()
    );
    std::fs::write(
        &config_file,
        agent_config_text(port, &dir.path().join("outbox"), &sharing),
    )
    .unwrap();

    // check-config loads the keys; a missing key file is refused, naming the key.
    let checked = agent_command()
        .arg("check-config")
        .arg("--config")
        .arg(&config_file)
        .output()
        .unwrap();
    assert!(checked.status.success(), "{}", text(&checked.stderr));
    let key_id = made_out
        .lines()
        .find_map(|l| l.strip_prefix("key id:"))
        .unwrap()
        .trim()
        .to_owned();
    assert!(
        text(&checked.stdout).contains(&key_id),
        "{}",
        text(&checked.stdout)
    );
    let broken = dir.path().join("broken.toml");
    std::fs::write(
        &broken,
        std::fs::read_to_string(&config_file)
            .unwrap()
            .replace("GR-samos-east.key.pem", "missing.key.pem"),
    )
    .unwrap();
    let refused = agent_command()
        .arg("check-config")
        .arg("--config")
        .arg(&broken)
        .output()
        .unwrap();
    assert_eq!(refused.status.code(), Some(2));
    assert!(
        text(&refused.stderr).contains("signing.key"),
        "{}",
        text(&refused.stderr)
    );

    let subscriber = Subscriber::start(port, "signed-sub", false, |_| {}).await;
    let (ok, stdout, stderr) = link_support::run_link_test(
        &config_file,
        &[
            "--count",
            &ALERTS.to_string(),
            "--rate",
            "0",
            "--timeout",
            "60",
        ],
    );
    assert!(ok, "link-test failed:\n{stdout}\n{stderr}");

    let deadline = Instant::now() + Duration::from_secs(20);
    let messages = loop {
        let got = subscriber.received.lock().unwrap().alert_messages.clone();
        if got.len() >= 2 * ALERTS || Instant::now() > deadline {
            break got;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    let own: Vec<_> = messages
        .iter()
        .filter(|(t, _)| !t.contains("/to/"))
        .collect();
    let partner: Vec<_> = messages
        .iter()
        .filter(|(t, _)| t.starts_with("borderfuse/v1/GR/samos-east/to/tr-coastguard/alerts/"))
        .collect();
    assert_eq!(own.len(), ALERTS, "own topic");
    assert_eq!(partner.len(), ALERTS, "partner topic");

    // The partner sees the envelope, lat and lon, and nothing else.
    let allowed: HashSet<&str> = [
        "schema",
        "id",
        "revision",
        "state",
        "kind",
        "country",
        "post",
        "time",
        "lat",
        "lon",
        "key_id",
        "signature",
    ]
    .into();
    for (topic, payload) in &partner {
        let v: serde_json::Value = serde_json::from_slice(payload).unwrap();
        for name in v.as_object().unwrap().keys() {
            assert!(
                allowed.contains(name.as_str()),
                "{topic}: {name} shared: {v}"
            );
        }
    }
    let own_first: serde_json::Value = serde_json::from_slice(&own[0].1).unwrap();
    assert!(own_first.get("evidence").is_some(), "{own_first}");
    assert_eq!(own_first["key_id"], key_id.as_str());

    // Every message received checks out with the public key.
    let received = dir.path().join("received.jsonl");
    let mut lines = String::new();
    for (_, payload) in &messages {
        lines.push_str(&text(payload));
        lines.push('\n');
    }
    std::fs::write(&received, &lines).unwrap();
    let (ok, report) = verify(&keys, &received);
    assert!(
        ok,
        "{report}\n{}",
        lines.lines().take(3).collect::<Vec<_>>().join("\n")
    );
    assert_eq!(report.matches(": valid:").count(), 2 * ALERTS, "{report}");

    // One changed coordinate, and the message no longer verifies.
    let tampered = dir.path().join("tampered.jsonl");
    let first = text(&own[0].1);
    let lat = format!("\"lat\":{}", own_first["lat"]);
    assert!(first.contains(&lat), "{first}");
    std::fs::write(&tampered, first.replace(&lat, "\"lat\":37.5") + "\n").unwrap();
    let (ok, report) = verify(&keys, &tampered);
    assert!(!ok, "{report}");
    assert!(report.starts_with("1: invalid"), "{report}");

    // Under another post's key, nothing verifies.
    let other = dir.path().join("other-keys");
    assert!(keygen(&other, "kos-west", None).status.success());
    let (ok, report) = verify(&other, &received);
    assert!(!ok, "{report}");
    assert_eq!(report.matches(": invalid").count(), 2 * ALERTS, "{report}");
}
