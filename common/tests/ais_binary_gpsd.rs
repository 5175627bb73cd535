//! Conformance of the application payloads of binary messages (types 6 and 8) with gpsd 3.22's
//! `gpsdecode -u -j`, field by field.
//!
//! Two corpora under `tests/data/ais_binary/` (see PROVENANCE.md there):
//! - `recorded.txt`: every type 6 and 8 message of the shared AIS data whose gpsd output is
//!   recorded, with that output;
//! - `crafted.txt`: payloads of every application gpsd decodes, at the lengths where gpsd's
//!   rules change, with gpsdecode's output.
//!
//! The envelope (type, MMSI, DAC, FI...) is not this module's: each message's payload after
//! its header is handed to `write_gpsd_fields`, and the object it writes is compared with
//! gpsd's object minus the envelope. Every difference must be in [`ALLOWED`], with its reason.

use borderfuse_common::ais::AisBits;
use borderfuse_common::ais::binary::{BinaryData, write_gpsd_fields};
use borderfuse_common::ais::json::JsonObject;
use serde_json::{Map, Value};

/// Where our JSON may differ from gpsd's, and why. Each entry must be needed by a corpus.
struct Allowed {
    /// Message type, DAC and FI of the application.
    app: (u8, u16, u8),
    /// How it differs.
    difference: Difference,
    /// Why.
    reason: &'static str,
}

enum Difference {
    /// These fields may have other values; all other fields must match.
    Fields(&'static [&'static str]),
    /// gpsd's line is not valid JSON; it is repaired (see [`repair_marine_traffic_signal`])
    /// before the comparison, which must then match exactly.
    InvalidGpsdJson,
}

const ALLOWED: &[Allowed] = &[
    Allowed {
        app: (6, 1, 15),
        difference: Difference::Fields(&["airdraught"]),
        reason: "gpsd 3.22 reads the addressed air draught at message bit 56, inside dest_mmsi, \
                 not at the payload's first bit (88); we read the payload",
    },
    Allowed {
        app: (6, 1, 16),
        difference: Difference::Fields(&["persons"]),
        reason: "unless the payload is 136 bits, gpsd 3.22 reads the addressed persons count at \
                 message bit 55, inside dest_mmsi; we read the payload's first 13 bits",
    },
    Allowed {
        app: (8, 1, 16),
        difference: Difference::Fields(&["persons"]),
        reason: "gpsd 3.22 prints the broadcast persons count from the type 6 member of its \
                 union, which is always 0; we print the count in the payload",
    },
    Allowed {
        app: (8, 200, 23),
        difference: Difference::Fields(&["start"]),
        reason: "gpsd 3.22 formats the EMMA start date from year, month, hour, minute, day (the \
                 hour lands in the day's place); we write year, month, day, hour, minute as its \
                 end date does",
    },
    Allowed {
        app: (8, 1, 19),
        difference: Difference::InvalidGpsdJson,
        reason: "gpsd 3.22 omits the comma before nextsignal_text and leaves the quotes of its \
                 signal legends unescaped; compared after inserting the comma and escaping them",
    },
];

/// One message of a corpus: where it comes from, its sentences, gpsd's line.
struct Block {
    line: usize,
    source: String,
    sentences: Vec<String>,
    gpsd: String,
}

fn blocks(text: &str) -> Vec<Block> {
    let mut out = Vec::new();
    let mut source = String::new();
    let mut sentences = Vec::new();
    for (i, line) in text.lines().enumerate() {
        if let Some(comment) = line.strip_prefix("# ") {
            source = comment.to_string();
        } else if line.starts_with('!') {
            sentences.push(line.to_string());
        } else if line.starts_with('{') {
            out.push(Block {
                line: i + 1,
                source: source.clone(),
                sentences: std::mem::take(&mut sentences),
                gpsd: line.to_string(),
            });
        }
    }
    out
}

/// A minimal joiner: the fragments' payloads in order, the last fragment's fill bits (gpsd
/// drops only those).
fn join(sentences: &[String]) -> AisBits {
    let mut armour = String::new();
    let mut fill = 0;
    for s in sentences {
        let body = s.split('*').next().unwrap();
        let fields: Vec<&str> = body.split(',').collect();
        armour.push_str(fields[5]);
        fill = fields[6].parse().unwrap();
    }
    AisBits::from_armour(&armour, fill).unwrap()
}

/// The application's identity and payload, read past the envelope.
fn application(bits: &AisBits) -> ((u8, u16, u8), BinaryData) {
    let msg_type = bits.uint(0, 6) as u8;
    let (dac_at, header) = match msg_type {
        6 => (72, 88),
        8 => (40, 56),
        other => panic!("type {other} is not a binary message"),
    };
    let dac = bits.uint(dac_at, 10) as u16;
    let fid = bits.uint(dac_at + 10, 6) as u8;
    ((msg_type, dac, fid), BinaryData::from_bits(bits, header))
}

/// gpsd's line without its envelope: what follows `"fid":N`, as an object.
fn gpsd_application_part(line: &str) -> String {
    let at = line.find("\"fid\":").expect("a fid") + "\"fid\":".len();
    let rest = line[at..].trim_start_matches(|c: char| c.is_ascii_digit());
    match rest.strip_prefix(',') {
        Some(fields) => format!("{{{fields}"),
        None => "{}".to_string(),
    }
}

/// Makes gpsd's marine traffic signal line valid JSON: the missing comma before
/// `nextsignal_text`, and the unescaped quotes inside both signal legends.
fn repair_marine_traffic_signal(part: &str) -> String {
    let escape = |s: &str| s.replace('"', "\\\"");
    let (head, tail) = part
        .split_once("\"nextsignal_text\":\"")
        .expect("nextsignal_text");
    let next_legend = tail.strip_suffix("\"}").expect("closing brace");
    let (before, after) = head.split_once("\"signal_text\":\"").expect("signal_text");
    let (legend, rest) = after.split_once("\",\"hour\":").expect("hour");
    format!(
        "{before}\"signal_text\":\"{}\",\"hour\":{rest},\"nextsignal_text\":\"{}\"}}",
        escape(legend),
        escape(next_legend)
    )
}

fn object(json: &str) -> Map<String, Value> {
    match serde_json::from_str(json) {
        Ok(Value::Object(map)) => map,
        other => panic!("not a JSON object: {json}: {other:?}"),
    }
}

/// How a corpus compares with gpsd.
#[derive(Default)]
struct Agreement {
    messages: usize,
    /// Equal to gpsd's object, field by field.
    equal: usize,
    /// Of those, also equal byte for byte (field order and number formatting).
    identical: usize,
    /// Equal once gpsd's invalid JSON is repaired.
    repaired: usize,
    /// Different only in allow-listed fields.
    allowed: usize,
    /// Allow-list entries used.
    used: Vec<usize>,
    failures: Vec<String>,
}

fn compare(corpus: &str) -> Agreement {
    let mut agreement = Agreement::default();
    for block in blocks(corpus) {
        agreement.messages += 1;
        let (app, data) = application(&join(&block.sentences));
        let mut ours = String::new();
        let mut obj = JsonObject::begin(&mut ours);
        write_gpsd_fields(app.0, app.1, app.2, &data, &mut obj).unwrap();
        obj.end().unwrap();

        let gpsd_part = gpsd_application_part(&block.gpsd);
        let allowed = ALLOWED.iter().position(|a| a.app == app);
        let gpsd_json = match allowed.map(|i| (i, &ALLOWED[i].difference)) {
            Some((i, Difference::InvalidGpsdJson)) => {
                agreement.used.push(i);
                repair_marine_traffic_signal(&gpsd_part)
            }
            _ => gpsd_part.clone(),
        };
        let (theirs, mine) = (object(&gpsd_json), object(&ours));
        let differing: Vec<&String> = theirs
            .keys()
            .chain(mine.keys())
            .filter(|k| theirs.get(*k) != mine.get(*k))
            .collect();
        if differing.is_empty() {
            agreement.equal += 1;
            if ours == gpsd_part {
                agreement.identical += 1;
            } else if gpsd_json != gpsd_part {
                agreement.repaired += 1;
            }
            continue;
        }
        let tolerated = allowed.filter(|&i| match ALLOWED[i].difference {
            Difference::Fields(fields) => differing.iter().all(|k| fields.contains(&k.as_str())),
            Difference::InvalidGpsdJson => false,
        });
        match tolerated {
            Some(i) => {
                agreement.allowed += 1;
                agreement.used.push(i);
            }
            None => agreement.failures.push(format!(
                "line {} ({}): fields {differing:?} differ\n  gpsd: {gpsd_json}\n  ours: {ours}",
                block.line, block.source
            )),
        }
    }
    agreement
}

fn report(name: &str, a: &Agreement) {
    println!(
        "{name}: {} messages; {} equal to gpsd field by field ({} byte for byte, {} after \
         repairing gpsd's invalid JSON); {} differ only in allow-listed fields; {} differ",
        a.messages,
        a.equal,
        a.identical,
        a.repaired,
        a.allowed,
        a.failures.len()
    );
}

const RECORDED: &str = include_str!("data/ais_binary/recorded.txt");
const CRAFTED: &str = include_str!("data/ais_binary/crafted.txt");

#[test]
fn every_recorded_type_6_and_8_payload_is_written_as_gpsd_writes_it() {
    let a = compare(RECORDED);
    report("recorded", &a);
    assert_eq!(
        a.messages, 203,
        "the recorded corpus has 203 binary messages"
    );
    assert!(a.failures.is_empty(), "{}", a.failures.join("\n"));
}

#[test]
fn every_crafted_payload_is_written_as_gpsd_writes_it_but_for_the_allow_list() {
    let a = compare(CRAFTED);
    report("crafted", &a);
    assert!(a.failures.is_empty(), "{}", a.failures.join("\n"));
}

#[test]
fn every_allow_list_entry_is_needed_by_a_corpus() {
    let mut used = compare(RECORDED).used;
    used.extend(compare(CRAFTED).used);
    for (i, entry) in ALLOWED.iter().enumerate() {
        assert!(
            used.contains(&i),
            "allow-list entry {:?} ({}) is never needed",
            entry.app,
            entry.reason
        );
    }
}

#[test]
fn the_envelope_is_stripped_from_gpsd_lines() {
    let line = r#"{"class":"AIS","type":8,"dac":1,"fid":31,"lat":1,"lon":2}"#;
    assert_eq!(gpsd_application_part(line), r#"{"lat":1,"lon":2}"#);
    assert_eq!(gpsd_application_part(r#"{"dac":9,"fid":1}"#), "{}");
}

#[test]
fn a_marine_traffic_signal_line_is_repaired_into_valid_json() {
    let broken = r#"{"signal":9,"signal_text":"I = "in-bound" only acceptable.","hour":1,"minute":2,"nextsignal":3"nextsignal_text":"N/A"}"#;
    let fixed = object(&repair_marine_traffic_signal(broken));
    assert_eq!(fixed["signal_text"], "I = \"in-bound\" only acceptable.");
    assert_eq!(fixed["nextsignal"], 3);
    assert_eq!(fixed["nextsignal_text"], "N/A");
}
