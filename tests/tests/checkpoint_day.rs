//! Issue 8's check, the way a test engineer runs it: a simulated day at four land border
//! crossings (`simulators/scenarios/checkpoint_day.toml`: 10,000 vehicles, 1 % of reads
//! misread by an OCR confusion, 100 hotlisted vehicles, 50 cloned plates) through
//! `bordersim generate` → `borderfuse-agent plates` → `bordersim score-alerts`, which must
//! report precision and recall of at least 0.99 for `plate_hotlist` and `plate_clone`.

use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::Command;

const BORDERSIM: &str = env!("CARGO_BIN_EXE_bordersim-under-test");
const AGENT: &str = env!("CARGO_BIN_EXE_borderfuse-agent-under-test");

fn run(command: &mut Command) -> String {
    let out = command.output().unwrap();
    assert!(
        out.status.success(),
        "{command:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn a_checkpoint_day_scores_at_least_0_99_for_hotlisted_and_cloned_plates() {
    let scenario_path =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../simulators/scenarios/checkpoint_day.toml");
    let scenario =
        borderfuse_sim::Scenario::from_toml(&std::fs::read_to_string(&scenario_path).unwrap())
            .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path();
    run(Command::new(BORDERSIM)
        .args(["generate", "--start-utc-ms", "1795924800000", "--scenario"])
        .arg(&scenario_path)
        .arg("--out")
        .arg(out));

    // The post's config: its checkpoints as the scenario has them, the watchlist bordersim
    // wrote, a plate key.
    let key = out.join("plate.key");
    std::fs::write(&key, "5a".repeat(32)).unwrap();
    std::fs::set_permissions(&key, std::fs::Permissions::from_mode(0o600)).unwrap();
    let mut config = format!(
        "[post]\ncountry = \"GR\"\npost = \"evros\"\norigin = {{ lat = {}, lon = {} }}\n\
         [mqtt]\nhost = \"localhost\"\n[sharing]\nplate_key = \"{}\"\n\
         [plates]\nhotlist = [\"{}\"]\n",
        scenario.origin.lat_deg,
        scenario.origin.lon_deg,
        key.display(),
        out.join("hotlist.txt").display()
    );
    for c in &scenario.checkpoints {
        config += &format!(
            "[[plates.checkpoint]]\nid = \"{}\"\nposition = {{ lat = {}, lon = {} }}\n",
            c.id, c.position.lat_deg, c.position.lon_deg
        );
    }
    std::fs::write(out.join("agent.toml"), config).unwrap();

    run(Command::new(AGENT)
        .args(["plates", "--config"])
        .arg(out.join("agent.toml"))
        .arg("--reads")
        .arg(out.join("reads.jsonl"))
        .arg("--out")
        .arg(out.join("alerts.jsonl")));
    let table = run(Command::new(BORDERSIM)
        .args(["score-alerts", "--scenario"])
        .arg(&scenario_path)
        .arg("--expected")
        .arg(out.join("expected.json"))
        .arg("--alerts")
        .arg(out.join("alerts.jsonl"))
        .arg("--json")
        .arg(out.join("score.json")));
    eprintln!("{table}");

    let score: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("score.json")).unwrap()).unwrap();
    assert_eq!(score["unreadable_lines"], 0);
    let kinds = score["kinds"].as_array().unwrap();
    for kind in ["plate_hotlist", "plate_clone"] {
        let k = kinds
            .iter()
            .find(|k| k["kind"] == kind)
            .unwrap_or_else(|| panic!("no {kind} in {table}"));
        // 100 hotlisted vehicles cross once or twice; 50 clones, some twice.
        assert!(k["expected"].as_u64().unwrap() >= 50, "{table}");
        let (precision, recall) = (
            k["precision"].as_f64().unwrap(),
            k["recall"].as_f64().unwrap(),
        );
        assert!(precision >= 0.99 && recall >= 0.99, "{kind}: {table}");
    }
}
