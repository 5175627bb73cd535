//! The JSON Schemas in `schemas/` describe what the agent publishes: every alert payload,
//! as the sharing policy makes it for each receiver (filtered, plates hashed, signed),
//! validates against `alert.schema.json`; track payloads against `track.schema.json`; and
//! broken payloads do not.

use borderfuse_agent::detect::{Alert, AlertKind, AlertState, Identity, Severity};
use borderfuse_agent::share::policy::{DEFAULT_PARTNER_TOPIC, PartnerConfig, SharingConfig};
use borderfuse_agent::share::{Keyring, Origin, PlateKey, Policy, Signer, TrustedKey, verify};
use jsonschema::Validator;
use serde_json::{Value, json};

const ALERT_SCHEMA: &str = include_str!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../schemas/alert.schema.json"
));
const TRACK_SCHEMA: &str = include_str!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../schemas/track.schema.json"
));
/// A named way of breaking a payload.
type Breakage = (&'static str, fn(&mut Value));

const README: &str = include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/../schemas/README.md"));

fn validator(schema: &str) -> Validator {
    let schema: Value = serde_json::from_str(schema).unwrap();
    jsonschema::meta::validate(&schema).unwrap();
    jsonschema::draft202012::options()
        .should_validate_formats(true)
        .build(&schema)
        .unwrap()
}

/// Every schema error of `instance`, one per line.
fn errors(v: &Validator, instance: &Value) -> String {
    v.iter_errors(instance)
        .map(|e| format!("{} at {}", e, e.instance_path))
        .collect::<Vec<_>>()
        .join("\n")
}

fn assert_valid(v: &Validator, instance: &Value, what: &str) {
    let e = errors(v, instance);
    assert!(e.is_empty(), "{what}: {e}\n{instance:#}");
}

fn signer() -> Signer {
    Signer::from_signing_key(ed25519_dalek::SigningKey::from_bytes(&[3; 32]))
}

/// Alerts in each state, with and without identity, track and plates in the evidence.
fn alerts() -> Vec<Alert> {
    let t0 = 1_748_746_800.0;
    let base = Alert {
        id: "1a7b9c3e-0f4d-4b2a-9e61-5d8c7f3a2b10".into(),
        revision: 0,
        state: AlertState::Raised,
        kind: AlertKind::DarkTarget,
        severity: Severity::High,
        time: t0 + 60.0,
        raised: t0 + 60.0,
        first_seen: t0,
        lat: 37.695_123_456,
        lon: 26.981_456_789,
        track_id: Some(42),
        identity: Identity::default(),
        evidence: json!({
            "sensors": ["radar-samos-east"],
            "ais_coverage": ["ais-samos"],
            "dark_for_s": 61.5,
            "threshold_s": 60.0,
            "track": {"confirmed_at": "2025-06-01T03:00:00.000Z", "updates": 17,
                      "speed_kn": 12.3, "course_deg": 271.4, "sigma_position_m": 18.2},
            "last_ais": null,
            "nearest_ais": {"mmsi": 237000001, "shipname": null, "distance_m": 1520.0},
        }),
    };
    let updated = Alert {
        revision: 1,
        state: AlertState::Updated,
        time: t0 + 120.5,
        identity: Identity {
            mmsi: Some(237_000_001),
            name: Some("AGIOS NIKOLAOS".into()),
            callsign: Some("SV1234".into()),
            imo: Some(9_074_729),
            plate: Some("ΙΚΒ-1234".into()),
        },
        evidence: json!({
            "reads": [{"camera": "gate-1", "plate": "AB 123 CD", "confidence": 0.93,
                       "candidates": [{"plate": "AB123CO", "confidence": 0.4}]}],
            "vehicle": {"licensePlate": "XYZ-987", "plateColor": "white"},
        }),
        ..base.clone()
    };
    let cleared = Alert {
        revision: 2,
        state: AlertState::Cleared,
        severity: Severity::Info,
        time: t0 + 300.0,
        track_id: None,
        lat: -0.000_000_4,
        lon: -179.999_999_9,
        evidence: json!({}),
        ..base.clone()
    };
    vec![base, updated, cleared]
}

fn policy() -> Policy {
    let partner = |name: &str, kinds: &[&str], fields: &[&str], clear_plates| PartnerConfig {
        name: name.into(),
        topic: DEFAULT_PARTNER_TOPIC.into(),
        kinds: kinds.iter().map(|s| (*s).to_owned()).collect(),
        fields: fields.iter().map(|s| (*s).to_owned()).collect(),
        clear_plates,
    };
    let config = SharingConfig {
        partners: vec![
            partner("envelope-only", &["*"], &[], false),
            partner(
                "some",
                &["dark_target"],
                &[
                    "lat",
                    "lon",
                    "identity.mmsi",
                    "identity.plate",
                    "evidence.reads.plate",
                ],
                false,
            ),
            partner("all-hashed", &["*"], &["*"], false),
            partner("cleared", &["*"], &["*"], true),
        ],
        ..SharingConfig::default()
    };
    Policy::new(
        &config,
        signer(),
        PlateKey::from_bytes(&[0x5a; 32]),
        Origin::new("GR", "samos-east").unwrap(),
    )
    .unwrap()
}

#[test]
fn every_published_alert_payload_validates_against_the_alert_schema() {
    let v = validator(ALERT_SCHEMA);
    let p = policy();
    let mut count = 0;
    for alert in alerts() {
        for out in p.alert_messages(&alert).unwrap() {
            let payload: Value = serde_json::from_slice(&out.payload).unwrap();
            assert_valid(
                &v,
                &payload,
                &format!("{:?} for {}", alert.state, out.audience),
            );
            count += 1;
        }
    }
    // Three alerts to the own topic and four partners.
    assert_eq!(count, 15);
}

#[test]
fn an_unsigned_payload_does_not_validate() {
    let v = validator(ALERT_SCHEMA);
    let raw = serde_json::to_value(alerts()[0].payload("GR", "samos-east")).unwrap();
    let e = errors(&v, &raw);
    assert!(e.contains("key_id") && e.contains("signature"), "{e}");
}

#[test]
fn broken_alert_payloads_are_rejected() {
    let v = validator(ALERT_SCHEMA);
    let out = policy().alert_messages(&alerts()[1]).unwrap();
    let good: Value = serde_json::from_slice(&out[0].payload).unwrap();
    assert_valid(&v, &good, "the unbroken payload");
    let breakages: [Breakage; 14] = [
        ("no id", |p| {
            p.as_object_mut().unwrap().remove("id");
        }),
        ("an unknown kind", |p| p["kind"] = json!("smuggling")),
        ("an unknown state", |p| p["state"] = json!("open")),
        ("a negative revision", |p| p["revision"] = json!(-1)),
        ("a member not in the schema", |p| p["note"] = json!("x")),
        ("a latitude beyond the pole", |p| p["lat"] = json!(90.5)),
        ("a position as text", |p| p["lon"] = json!("26.9")),
        ("a time that is not RFC 3339", |p| {
            p["time"] = json!("01/06/2025 03:04")
        }),
        ("a time with an offset", |p| {
            p["time"] = json!("2025-06-01T05:04:05+02:00")
        }),
        ("a short signature", |p| p["signature"] = json!("AAAA")),
        ("an upper-case key id", |p| {
            p["key_id"] = json!("ABCDEF0123456789")
        }),
        ("an unknown identity member", |p| {
            p["identity"]["passport"] = json!("X1")
        }),
        ("evidence that is not an object", |p| {
            p["evidence"] = json!([1])
        }),
        ("a country in lower case", |p| p["country"] = json!("gr")),
    ];
    for (what, breakage) in breakages {
        let mut broken = good.clone();
        breakage(&mut broken);
        assert!(!v.is_valid(&broken), "{what} was accepted");
    }
}

#[test]
fn extra_members_inside_evidence_are_allowed() {
    let v = validator(ALERT_SCHEMA);
    let mut alert = alerts()[0].clone();
    alert.evidence = json!({"anything": {"goes": [1, "two", null]}, "new_rule_field": 3});
    for out in policy().alert_messages(&alert).unwrap() {
        let payload: Value = serde_json::from_slice(&out.payload).unwrap();
        assert_valid(&v, &payload, &out.audience);
    }
}

fn track_batch() -> Value {
    json!({
        "schema": "borderfuse.tracks/1", "country": "GR", "post": "samos-east",
        "time": "2025-06-01T03:04:05.678Z",
        "tracks": [
            {"id": 42, "time": "2025-06-01T03:04:05.678Z", "lat": 37.695123, "lon": 26.981456,
             "speed_kn": 12.3, "course_deg": 271.4, "sigma_m": 18.2},
            {"id": 43, "time": "2025-06-01T03:04:04.000Z", "lat": 37.71, "lon": 26.99,
             "identity": {"mmsi": 237000001, "name": "AGIOS NIKOLAOS", "plate": "AB123CD"}},
        ],
    })
}

#[test]
fn track_payloads_batched_or_single_and_signed_validate_against_the_track_schema() {
    let v = validator(TRACK_SCHEMA);
    assert_valid(&v, &track_batch(), "batch");
    let single = json!({
        "schema": "borderfuse.tracks/1", "country": "GR", "post": "samos-east",
        "id": 42, "time": "2025-06-01T03:04:05.678Z", "lat": 37.695123, "lon": 26.981456,
        "speed_kn": 0.0, "course_deg": 0.0, "sigma_m": 5.0,
    });
    assert_valid(&v, &single, "single");
    let p = policy();
    for payload in [track_batch(), single] {
        let out = p.tracks_message(payload).unwrap();
        let signed: Value = serde_json::from_slice(&out.payload).unwrap();
        assert_valid(&v, &signed, "signed");
    }
}

#[test]
fn broken_track_payloads_are_rejected() {
    let v = validator(TRACK_SCHEMA);
    let breakages: [Breakage; 8] = [
        ("a track without a position", |p| {
            p["tracks"][0].as_object_mut().unwrap().remove("lat");
        }),
        ("a track member not in the schema", |p| {
            p["tracks"][0]["colour"] = json!("red")
        }),
        ("an envelope member not in the schema", |p| {
            p["note"] = json!("x")
        }),
        ("a course of 360", |p| {
            p["tracks"][0]["course_deg"] = json!(360.0)
        }),
        ("a negative speed", |p| {
            p["tracks"][0]["speed_kn"] = json!(-1.0)
        }),
        ("a key id without a signature", |p| {
            p["key_id"] = json!("0123456789abcdef")
        }),
        ("the wrong schema", |p| {
            p["schema"] = json!("borderfuse.alert/1")
        }),
        ("batch and single at once", |p| p["id"] = json!(1)),
    ];
    for (what, breakage) in breakages {
        let mut broken = track_batch();
        breakage(&mut broken);
        assert!(!v.is_valid(&broken), "{what} was accepted");
    }
}

/// The text of the fenced block that follows `marker` in the README.
fn readme_block(marker: &str) -> &'static str {
    let after = README
        .split_once(marker)
        .unwrap_or_else(|| panic!("no {marker} in schemas/README.md"))
        .1;
    let body = after.split_once("```").unwrap().1;
    let body = body.split_once('\n').unwrap().1;
    body.split_once("```").unwrap().0
}

#[test]
fn the_readme_example_alert_validates_and_its_signature_checks_with_the_readme_key() {
    let example = readme_block("<!-- example: alert -->");
    let payload: Value = serde_json::from_str(example).unwrap();
    assert_valid(&validator(ALERT_SCHEMA), &payload, "README example");

    let dir = tempfile::tempdir().unwrap();
    let key = dir.path().join("example.pub.pem");
    std::fs::write(&key, readme_block("<!-- example: public key -->")).unwrap();
    let mut ring = Keyring::new();
    ring.insert(TrustedKey::load(&key).unwrap()).unwrap();
    let verified = verify(example.as_bytes(), &ring).unwrap();
    assert_eq!(
        verified.origin.map(|o| o.to_string()),
        Some("GR/samos-east".into())
    );
}
