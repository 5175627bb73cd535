//! `bordersim score` and `borderfuse_sim::score` against the scores of
//! `shared/tools/stonesoup_gnn.py` recorded in `tests/data/score/` (see its PROVENANCE.md).

use borderfuse_sim::score::{
    CsvError, LabelledPosition, Score, ScoreConfig, ScoreError, read_tracks, read_truth, score,
    score_files,
};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command;

const BIN: &str = env!("CARGO_BIN_EXE_bordersim");
const TOLERANCE: f64 = 1e-9;

fn data(path: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/score")
        .join(path)
}

fn json(text: &str) -> Value {
    serde_json::from_str(text).unwrap()
}

fn number(value: &Value, name: &str) -> f64 {
    value
        .as_f64()
        .unwrap_or_else(|| panic!("{name} is not a number: {value}"))
}

const SUMMARY_FIELDS: [&str; 11] = [
    "c",
    "p",
    "scans",
    "warmup_scans_excluded",
    "mean_gospa",
    "gospa_per_truth",
    "mean_localisation_per_truth",
    "missed_rate",
    "false_tracks_per_scan",
    "mean_truths",
    "mean_tracks",
];
const PER_SCAN_FIELDS: [&str; 7] = [
    "t",
    "gospa",
    "localisation",
    "missed",
    "false",
    "n_truth",
    "n_tracks",
];

/// Every summary field and every per-scan value of `ours` against the script's `reference`;
/// returns the largest absolute difference.
fn compare(ours: &Value, reference: &Value, what: &str) -> f64 {
    let mut worst = 0.0f64;
    let mut check = |a: f64, b: f64, name: String| {
        let diff = (a - b).abs();
        assert!(diff <= TOLERANCE, "{what}: {name}: ours {a} vs script {b}");
        worst = worst.max(diff);
    };
    for field in SUMMARY_FIELDS {
        check(
            number(&ours["summary"][field], field),
            number(&reference["summary"][field], field),
            format!("summary.{field}"),
        );
    }
    let (a, b) = (
        ours["per_scan"].as_array().unwrap(),
        reference["per_scan"].as_array().unwrap(),
    );
    assert_eq!(a.len(), b.len(), "{what}: number of scans");
    for (n, (x, y)) in a.iter().zip(b).enumerate() {
        for field in PER_SCAN_FIELDS {
            check(
                number(&x[field], field),
                number(&y[field], field),
                format!("per_scan[{n}].{field}"),
            );
        }
    }
    worst
}

/// (truth, tracks, reference JSON, c, p, warm-up) of every recorded case.
fn cases() -> Vec<(&'static str, &'static str, &'static str, f64, f64, usize)> {
    vec![
        (
            "xy10/truth.csv",
            "xy10/tracks_stonesoup_gnn2d.csv",
            "xy10/score_c100_p1.json",
            100.0,
            1.0,
            0,
        ),
        (
            "xy10/truth.csv",
            "xy10/tracks_stonesoup_gnn2d.csv",
            "xy10/score_c50_p2_w3.json",
            50.0,
            2.0,
            3,
        ),
        (
            "both8/truth.csv",
            "both8/tracks_stonesoup_gnn2d.csv",
            "both8/score_c100_p1.json",
            100.0,
            1.0,
            0,
        ),
        (
            "close40/truth.csv",
            "close40/tracks_stonesoup_gnn2d.csv",
            "close40/score_c100_p1.json",
            100.0,
            1.0,
            0,
        ),
        (
            "edge/truth.csv",
            "edge/tracks.csv",
            "edge/score_c100_p1.json",
            100.0,
            1.0,
            0,
        ),
        (
            "edge/truth.csv",
            "edge/tracks.csv",
            "edge/score_c30_p2_w20.json",
            30.0,
            2.0,
            20,
        ),
    ]
}

#[test]
fn every_summary_field_and_scan_agrees_with_the_python_scorer() {
    let mut worst = 0.0f64;
    for (truth, tracks, reference, c, p, warmup) in cases() {
        let config = ScoreConfig::new(c, p, warmup).unwrap();
        let ours = score_files(&data(truth), &data(tracks), &config).unwrap();
        let reference = json(&std::fs::read_to_string(data(reference)).unwrap());
        worst = worst.max(compare(&json(&ours.to_json()), &reference, tracks));
    }
    println!("largest difference from the script: {worst:e}");
}

#[test]
fn the_command_writes_the_same_json_as_the_python_scorer() {
    let dir = tempfile::tempdir().unwrap();
    let out_json = dir.path().join("score.json");
    let out = Command::new(BIN)
        .args([
            "score",
            "--c",
            "50",
            "--p",
            "2",
            "--warmup",
            "3",
            "--per-scan",
        ])
        .arg("--truth")
        .arg(data("xy10/truth.csv"))
        .arg("--tracks")
        .arg(data("xy10/tracks_stonesoup_gnn2d.csv"))
        .arg("--json")
        .arg(&out_json)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(stdout.starts_with("score tracks_stonesoup_gnn2d.csv: c=50 p=2 "));
    assert!(stdout.contains("\nt,gospa,localisation,missed,false,n_truth,n_tracks\n"));
    assert!(stdout.contains("\n0.0000,"), "{stdout}");
    let ours = json(&std::fs::read_to_string(&out_json).unwrap());
    let reference = json(&std::fs::read_to_string(data("xy10/score_c50_p2_w3.json")).unwrap());
    compare(&ours, &reference, "bordersim score");
    assert_eq!(number(&ours["summary"]["alpha"], "alpha"), 2.0);
}

#[test]
fn identity_switches_keep_a_valid_match_and_ignore_gaps() {
    // Truth 1 is tracked by 10, lost, taken by 11 (a switch after a gap: one switch, one
    // fragmentation), back to 10 (a switch), lost and found by 10 again (a fragmentation).
    // Truth 2 is matched to 11 at 0 s and to 14 at 8 s (a switch). At 9 s the optimal
    // assignment would swap 10 and 14 between truths 1 and 2, 2 m apart, but both previous
    // matches are still within c: no switch.
    let config = ScoreConfig::default();
    let s = score_files(&data("edge/truth.csv"), &data("edge/tracks.csv"), &config).unwrap();
    assert_eq!(s.summary.identity_switches, 3);
    assert_eq!(s.summary.fragmentations, 2);
    assert_eq!((s.summary.truth_ids, s.summary.track_ids), (5, 5));
}

fn at(t: f64, id: &str, x: f64, y: f64) -> LabelledPosition {
    LabelledPosition {
        t,
        id: id.to_string(),
        x,
        y,
    }
}

#[test]
fn two_tracks_that_swap_their_truths_count_two_identity_switches() {
    let truth: Vec<_> = (0..4)
        .flat_map(|k| {
            let t = f64::from(k);
            [at(t, "a", 0.0, 0.0), at(t, "b", 1000.0, 0.0)]
        })
        .collect();
    let mut tracks: Vec<_> = (0..2)
        .flat_map(|k| {
            let t = f64::from(k);
            [at(t, "1", 1.0, 0.0), at(t, "2", 1001.0, 0.0)]
        })
        .collect();
    tracks.extend((2..4).flat_map(|k| {
        let t = f64::from(k);
        [at(t, "2", 1.0, 0.0), at(t, "1", 1001.0, 0.0)]
    }));
    let s = score(&truth, &tracks, &ScoreConfig::default()).unwrap();
    assert_eq!(s.summary.identity_switches, 2);
    assert_eq!(s.summary.fragmentations, 0);
    assert_eq!(s.summary.mean_gospa, 2.0);
    // Switches made during the warm-up are not counted.
    let later = score(&truth, &tracks, &ScoreConfig::new(100.0, 1.0, 2).unwrap()).unwrap();
    assert_eq!(later.summary.identity_switches, 0);
}

#[test]
fn truth_scored_against_itself_has_zero_gospa_and_no_switch() {
    let truth = read_truth(std::fs::read(data("close40/truth.csv")).unwrap().as_slice()).unwrap();
    let s = score(&truth, &truth, &ScoreConfig::default()).unwrap();
    assert_eq!(s.summary.mean_gospa, 0.0);
    assert_eq!(s.summary.missed_rate, 0.0);
    assert_eq!(s.summary.false_tracks_per_scan, 0.0);
    assert_eq!(
        (s.summary.identity_switches, s.summary.fragmentations),
        (0, 0)
    );
}

#[test]
fn a_scan_of_ten_thousand_truths_and_tracks_is_scored_exactly() {
    // 10,000 vessels 1 km apart, each with a track 3-4-5 m off, a second track 60 m off (the
    // assignment must prefer the near one) and 1,000 false tracks far from everything.
    let mut truth = Vec::new();
    let mut tracks = Vec::new();
    for k in 0..10_000 {
        let (x, y) = (f64::from(k % 100) * 1000.0, f64::from(k / 100) * 1000.0);
        truth.push(at(0.0, &format!("v{k}"), x, y));
        tracks.push(at(0.0, &format!("n{k}"), x + 3.0, y + 4.0));
        tracks.push(at(0.0, &format!("f{k}"), x - 60.0, y));
    }
    for k in 0..1000 {
        tracks.push(at(
            0.0,
            &format!("x{k}"),
            -5000.0 - f64::from(k) * 500.0,
            0.0,
        ));
    }
    let s = score(&truth, &tracks, &ScoreConfig::default()).unwrap();
    let scan = s.per_scan[0];
    assert_eq!((scan.missed, scan.false_tracks), (0, 11_000));
    assert_eq!(scan.localisation, 50_000.0);
    assert_eq!(scan.gospa, 50_000.0 + 50.0 * 11_000.0);
}

fn tracks_error(text: &str) -> CsvError {
    read_tracks(text.as_bytes()).unwrap_err()
}

#[test]
fn malformed_csv_is_a_typed_error_naming_line_and_column() {
    assert!(matches!(
        tracks_error("t,track_id,x\n"),
        CsvError::MissingColumn { column: "y" }
    ));
    assert!(matches!(tracks_error(""), CsvError::NoHeader));
    let e = tracks_error("t,track_id,x,y\n0.0,1,2.0,3.0\n1.0,1,abc,3.0\n");
    assert!(
        matches!(e, CsvError::BadNumber { line: 3, column: "x", ref value } if value == "abc"),
        "{e:?}"
    );
    assert_eq!(e.to_string(), "line 3, column `x`: `abc` is not a number");
    let e = tracks_error("t,track_id,x,y\n0.0,1,NaN,3.0\n");
    assert!(
        matches!(
            e,
            CsvError::NotFinite {
                line: 2,
                column: "x",
                ..
            }
        ),
        "{e:?}"
    );
    let e = tracks_error("t,track_id,x,y\n0.0,1,inf,3.0\n");
    assert!(matches!(e, CsvError::NotFinite { .. }), "{e:?}");
    let e = tracks_error("t,track_id,x,y\n0.0,1,2.0\n");
    assert!(
        matches!(
            e,
            CsvError::MissingField {
                line: 2,
                column: "y",
                fields: 3
            }
        ),
        "{e:?}"
    );
    let e = tracks_error("t,track_id,x,y\n1e300,1,2.0,3.0\n");
    assert!(
        matches!(e, CsvError::TimeOutOfRange { line: 2, .. }),
        "{e:?}"
    );
    // Truth velocities are read as numbers, as the script reads them.
    let e = read_truth("t,truth_id,x,vx,y,vy\n0.0,1,2.0,,3.0,0.0\n".as_bytes()).unwrap_err();
    assert!(
        matches!(
            e,
            CsvError::BadNumber {
                line: 2,
                column: "vx",
                ..
            }
        ),
        "{e:?}"
    );
    // Blank lines, CRLF line ends and extra columns are accepted, as csv.DictReader does.
    let rows = read_tracks("t,track_id,x,y,extra\r\n\r\n0.5,7,1.0,2.0,z\r\n".as_bytes()).unwrap();
    assert_eq!(rows, vec![at(0.5, "7", 1.0, 2.0)]);
}

#[test]
fn the_command_names_the_file_line_and_column_of_bad_input() {
    let dir = tempfile::tempdir().unwrap();
    let tracks = dir.path().join("tracks.csv");
    std::fs::write(&tracks, "t,track_id,x,vx,y,vy\n0.000,1,12.5,,nan,\n").unwrap();
    let out = Command::new(BIN)
        .arg("score")
        .arg("--truth")
        .arg(data("xy10/truth.csv"))
        .arg("--tracks")
        .arg(&tracks)
        .output()
        .unwrap();
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("tracks.csv: line 2, column `y`: NaN is not a finite number"),
        "{stderr}"
    );
}

#[test]
fn nothing_to_score_is_an_error_not_a_panic() {
    let empty: [LabelledPosition; 0] = [];
    assert!(matches!(
        score(&empty, &empty, &ScoreConfig::default()),
        Err(ScoreError::NothingToScore)
    ));
}

#[test]
fn the_per_scan_table_has_the_script_layout() {
    let s: Score = score(
        &[at(0.0, "1", 0.0, 0.0)],
        &[at(0.0, "9", 3.0, 4.0)],
        &ScoreConfig::default(),
    )
    .unwrap();
    assert_eq!(
        s.per_scan_csv(),
        "t,gospa,localisation,missed,false,n_truth,n_tracks\n0.0000,5.0000,5.0000,0,0,1,1\n"
    );
}
