//! Conformance with gpsd: `ais-decode` against gpsd 3.22's `gpsdecode -u -j -s` on every AIS
//! feed of `tests/data/ais/input/` (gpsd, libais and pyais test data; see PROVENANCE.md there).
//!
//! Only gpsd's `"class":"AIS"` objects count: gpsd also decodes the GPS sentences of its daemon
//! logs into TPV/SKY reports, which are not AIS and out of scope here.
//!
//! Our messages are aligned with gpsd's per file, in order. A message both decode to the same
//! JSON line is identical; one both decode (same type, MMSI and, for type 24, part) with other
//! values is a *mismatch*, listing the fields; one only we decode is an *extra*, one only gpsd
//! decodes is *missing*. Every difference must be in `tests/data/ais/allow-list.tsv` with its
//! reason, and every entry there must still occur, so the list stays honest. Run with
//! `cargo test -p borderfuse-agent --test gpsd_conformance -- --nocapture` to see the
//! agreement figures.

use borderfuse_agent::ais_decode::{DecodeOptions, FragmentClock, decode_stream};
use serde_json::{Map, Value};
use std::collections::{BTreeSet, HashMap};
use std::fmt;
use std::path::{Path, PathBuf};

const DATA: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/ais");

/// One decoded message: its JSON line and its fields.
struct Message {
    raw: String,
    fields: Map<String, Value>,
    /// `type:mmsi` (`24A:mmsi` for type 24 parts) and the how-manieth message with that key in
    /// its file: how the allow-list names a message.
    identity: String,
}

impl Message {
    fn key(&self) -> &str {
        self.identity.split('#').next().unwrap_or_default()
    }
}

/// Reads JSON lines, keeps the AIS objects and numbers them by key.
fn messages(json_lines: &str) -> Vec<Message> {
    let mut seen: HashMap<String, usize> = HashMap::new();
    json_lines
        .lines()
        .filter(|line| !line.trim().is_empty())
        .filter_map(|line| {
            let value: Value =
                serde_json::from_str(line).unwrap_or_else(|e| panic!("not JSON ({e}): {line}"));
            let Value::Object(fields) = value else {
                panic!("not a JSON object: {line}");
            };
            if fields.get("class").and_then(Value::as_str) != Some("AIS") {
                return None;
            }
            let msg_type = fields.get("type").map(Value::to_string).unwrap_or_default();
            let part = fields
                .get("part")
                .and_then(Value::as_str)
                .unwrap_or_default();
            let mmsi = fields.get("mmsi").map(Value::to_string).unwrap_or_default();
            let key = format!("{msg_type}{part}:{mmsi}");
            let n = seen.entry(key.clone()).or_default();
            *n += 1;
            Some(Message {
                raw: line.to_owned(),
                fields,
                identity: format!("{key}#{n}"),
            })
        })
        .collect()
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
enum Kind {
    Extra,
    Missing,
    Mismatch,
}

impl Kind {
    fn parse(s: &str) -> Option<Kind> {
        match s {
            "extra" => Some(Kind::Extra),
            "missing" => Some(Kind::Missing),
            "mismatch" => Some(Kind::Mismatch),
            _ => None,
        }
    }
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Kind::Extra => "extra",
            Kind::Missing => "missing",
            Kind::Mismatch => "mismatch",
        })
    }
}

/// A difference between our output and gpsd's, as the allow-list names it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
struct Difference {
    file: String,
    identity: String,
    kind: Kind,
    /// Comma-separated fields that differ (`-` for extra and missing messages).
    fields: String,
}

impl fmt::Display for Difference {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}\t{}\t{}\t{}",
            self.file, self.identity, self.kind, self.fields
        )
    }
}

/// The fields on which two messages differ: values, fields only one has, and `(order)` when
/// the same fields come in another order.
fn differing_fields(ours: &Message, gpsd: &Message) -> String {
    let mut fields = BTreeSet::new();
    for (key, value) in &gpsd.fields {
        if ours.fields.get(key) != Some(value) {
            fields.insert(key.clone());
        }
    }
    for key in ours.fields.keys() {
        if !gpsd.fields.contains_key(key) {
            fields.insert(key.clone());
        }
    }
    if fields.is_empty() {
        let order = |m: &Message| m.fields.keys().cloned().collect::<Vec<_>>();
        fields.insert(if order(ours) == order(gpsd) {
            "(formatting)".to_owned()
        } else {
            "(order)".to_owned()
        });
    }
    fields.into_iter().collect::<Vec<_>>().join(",")
}

/// How one file compares.
#[derive(Default)]
struct Tally {
    gpsd: usize,
    ours: usize,
    identical: usize,
    differences: Vec<Difference>,
}

/// Aligns our messages with gpsd's (a global alignment that prefers identical pairs, then
/// pairs with the same identity key, and otherwise leaves a message unpaired) and tallies.
fn compare(file: &str, ours: &[Message], gpsd: &[Message]) -> Tally {
    const IDENTICAL: i64 = 3;
    const SAME_KEY: i64 = 1;
    let (n, m) = (ours.len(), gpsd.len());
    let pair_score = |i: usize, j: usize| {
        if ours[i].raw == gpsd[j].raw {
            Some(IDENTICAL)
        } else if ours[i].key() == gpsd[j].key() {
            Some(SAME_KEY)
        } else {
            None
        }
    };
    // score[i][j]: best alignment of ours[i..] with gpsd[j..].
    let mut score = vec![vec![0i64; m + 1]; n + 1];
    for i in (0..n).rev() {
        for j in (0..m).rev() {
            let skip = score[i + 1][j].max(score[i][j + 1]);
            score[i][j] = match pair_score(i, j) {
                Some(s) => skip.max(s + score[i + 1][j + 1]),
                None => skip,
            };
        }
    }
    let mut tally = Tally {
        gpsd: m,
        ours: n,
        ..Tally::default()
    };
    let (mut i, mut j) = (0, 0);
    let difference = |kind, identity: &str, fields: String| Difference {
        file: file.to_owned(),
        identity: identity.to_owned(),
        kind,
        fields,
    };
    while i < n || j < m {
        if i < n && j < m {
            if let Some(s) = pair_score(i, j) {
                if score[i][j] == s + score[i + 1][j + 1] {
                    if s == IDENTICAL {
                        tally.identical += 1;
                    } else {
                        let fields = differing_fields(&ours[i], &gpsd[j]);
                        let d = difference(Kind::Mismatch, &gpsd[j].identity, fields);
                        tally.differences.push(d);
                    }
                    i += 1;
                    j += 1;
                    continue;
                }
            }
        }
        if i < n && (j == m || score[i][j] == score[i + 1][j]) {
            let d = difference(Kind::Extra, &ours[i].identity, "-".to_owned());
            tally.differences.push(d);
            i += 1;
        } else {
            let d = difference(Kind::Missing, &gpsd[j].identity, "-".to_owned());
            tally.differences.push(d);
            j += 1;
        }
    }
    tally
}

/// The allow-list: `file<TAB>identity<TAB>kind<TAB>fields<TAB>reason`, `#` comments.
fn allow_list() -> HashMap<Difference, String> {
    let path = Path::new(DATA).join("allow-list.tsv");
    let text = std::fs::read_to_string(&path).unwrap();
    let mut entries = HashMap::new();
    for (n, line) in text.lines().enumerate() {
        if line.trim().is_empty() || line.starts_with('#') {
            continue;
        }
        let cols: Vec<&str> = line.split('\t').collect();
        let [file, identity, kind, fields, reason] = cols[..] else {
            panic!("allow-list.tsv:{}: not five tab-separated columns", n + 1);
        };
        let kind = Kind::parse(kind)
            .unwrap_or_else(|| panic!("allow-list.tsv:{}: unknown kind {kind}", n + 1));
        assert!(
            !reason.trim().is_empty(),
            "allow-list.tsv:{}: no reason",
            n + 1
        );
        let difference = Difference {
            file: file.to_owned(),
            identity: identity.to_owned(),
            kind,
            fields: fields.to_owned(),
        };
        let previous = entries.insert(difference, reason.to_owned());
        assert!(previous.is_none(), "allow-list.tsv:{}: listed twice", n + 1);
    }
    entries
}

/// Every input file, as a path relative to `input/`, sorted.
fn inputs() -> Vec<String> {
    fn walk(dir: &Path, found: &mut Vec<PathBuf>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                walk(&path, found);
            } else if !matches!(
                path.file_name().and_then(|n| n.to_str()),
                Some("COPYING" | "LICENSE")
            ) {
                found.push(path);
            }
        }
    }
    let root = Path::new(DATA).join("input");
    let mut found = Vec::new();
    walk(&root, &mut found);
    let mut names: Vec<String> = found
        .iter()
        .map(|p| {
            let relative = p.strip_prefix(&root).unwrap();
            relative
                .to_str()
                .unwrap()
                .replace(std::path::MAIN_SEPARATOR, "/")
        })
        .collect();
    names.sort();
    names
}

fn decode(input: &[u8]) -> String {
    // gpsd never abandons a half-received message; a line clock with a long timeout keeps the
    // run deterministic and close to that.
    let options = DecodeOptions {
        fragment_timeout_ms: 1_000,
        clock: FragmentClock::Lines,
    };
    let mut out = Vec::new();
    decode_stream(input, &mut out, &options).unwrap();
    String::from_utf8(out).unwrap()
}

#[test]
fn ais_decode_agrees_with_gpsdecode_on_every_shared_feed_except_the_allow_listed() {
    let inputs = inputs();
    assert!(inputs.len() >= 18, "inputs missing: {inputs:?}");
    let expected_dir = Path::new(DATA).join("expected-gpsdecode-3.22");
    let mut expected_files: BTreeSet<String> = std::fs::read_dir(&expected_dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();

    let mut allowed = allow_list();
    let mut unexplained = Vec::new();
    let mut total = Tally::default();
    let mut differences = 0;
    let mut not_ais = 0;
    println!(
        "{:<44} {:>6} {:>6} {:>9} {:>8} {:>7} {:>5}",
        "file", "gpsd", "ours", "identical", "mismatch", "missing", "extra"
    );
    for input in &inputs {
        let name = input.replace('/', "_");
        let expected_name = format!("{name}.ju.json");
        assert!(
            expected_files.remove(&expected_name),
            "no expected output {expected_name} for {input}"
        );
        let bytes = std::fs::read(Path::new(DATA).join("input").join(input)).unwrap();
        let expected = std::fs::read_to_string(expected_dir.join(&expected_name)).unwrap();
        let ours = messages(&decode(&bytes));
        let gpsd = messages(&expected);
        not_ais += expected
            .lines()
            .filter(|l| !l.contains(r#""class":"AIS""#))
            .count();
        let tally = compare(&name, &ours, &gpsd);
        let count = |kind| tally.differences.iter().filter(|d| d.kind == kind).count();
        println!(
            "{name:<44} {:>6} {:>6} {:>9} {:>8} {:>7} {:>5}",
            tally.gpsd,
            tally.ours,
            tally.identical,
            count(Kind::Mismatch),
            count(Kind::Missing),
            count(Kind::Extra)
        );
        total.gpsd += tally.gpsd;
        total.ours += tally.ours;
        total.identical += tally.identical;
        for difference in tally.differences {
            if allowed.remove(&difference).is_none() {
                unexplained.push(difference);
            }
            differences += 1;
        }
    }
    assert!(
        expected_files.is_empty(),
        "expected outputs without an input: {expected_files:?}"
    );
    let percent = 100.0 * total.identical as f64 / total.gpsd.max(1) as f64;
    println!(
        "agreement: gpsd decodes {} AIS messages, ais-decode decodes {} of them to identical \
         JSON ({percent:.2}%); ais-decode writes {} messages in all; {differences} differences, \
         all allow-listed or listed below; {not_ais} gpsd objects of other classes (GPS) ignored",
        total.gpsd, total.identical, total.ours,
    );

    let mut report = String::new();
    if !unexplained.is_empty() {
        unexplained.sort();
        report.push_str("differences not in allow-list.tsv (file, identity, kind, fields):\n");
        for d in &unexplained {
            report.push_str(&format!("{d}\t\n"));
        }
    }
    if !allowed.is_empty() {
        let mut stale: Vec<_> = allowed.into_keys().collect();
        stale.sort();
        report.push_str("allow-list.tsv entries that no longer occur (remove them):\n");
        for d in &stale {
            report.push_str(&format!("{d}\n"));
        }
    }
    assert!(report.is_empty(), "{report}");
}

#[test]
fn the_ais_decode_command_writes_what_the_library_writes_and_counts_on_stderr() {
    use std::io::Write;
    use std::process::{Command, Stdio};
    let input = std::fs::read(Path::new(DATA).join("input/gpsd/test/sample.aivdm")).unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_borderfuse-agent"))
        .arg("ais-decode")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let writer = std::thread::spawn(move || stdin.write_all(&input));
    let output = child.wait_with_output().unwrap();
    writer.join().unwrap().unwrap();
    assert!(output.status.success());
    let stdout = String::from_utf8(output.stdout).unwrap();
    let input = std::fs::read(Path::new(DATA).join("input/gpsd/test/sample.aivdm")).unwrap();
    assert_eq!(stdout, decode(&input));
    let stderr = String::from_utf8(output.stderr).unwrap();
    let decoded = stdout.lines().count();
    assert!(
        stderr.contains(&format!("messages decoded: {decoded}\n")),
        "{stderr}"
    );
    assert!(
        stderr.contains("AIS wrong length for type 7: 2\n"),
        "{stderr}"
    );
}

mod support;
use support::counting_allocator;

#[global_allocator]
static ALLOCATOR: counting_allocator::Counting = counting_allocator::Counting;

#[test]
fn decoding_allocates_nothing_per_sentence() {
    // Every feed, once and ten times over: the allocations of a call must not grow with the
    // number of sentences (a few buffers are made once per call).
    let mut once = Vec::new();
    for input in inputs() {
        once.extend(std::fs::read(Path::new(DATA).join("input").join(input)).unwrap());
        once.push(b'\n');
    }
    let ten_times = once.repeat(10);
    let options = DecodeOptions::default();
    let allocations = |feed: &[u8]| {
        let before = counting_allocator::count();
        let summary = decode_stream(feed, std::io::sink(), &options).unwrap();
        (counting_allocator::count() - before, summary.messages)
    };
    let (small, messages) = allocations(&once);
    let (large, ten_times_messages) = allocations(&ten_times);
    assert!(messages > 3000 && ten_times_messages >= 10 * messages - 10);
    assert_eq!(small, large, "allocations grow with the input");
    assert!(small <= 4, "{small} allocations for one call");
}
