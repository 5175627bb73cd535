//! What leaves the post: signed alerts, the per-partner sharing policy, keyed plate hashes,
//! and the key files behind them.

use borderfuse_agent::share::policy::{
    OWN_AUDIENCE, PartnerConfig, ShareSnapshot, SharingConfig, SigningConfig,
};
use borderfuse_agent::share::{
    KeyError, KeyId, KeygenError, Keyring, KeyringError, Origin, PlateKey, Policy, Signer,
    TrustedKey, VerifyError, canonical, keygen, normalise_plate, plate_keygen, verify,
    verify_lines,
};
use proptest::prelude::*;
use serde_json::{Map, Value, json};
use std::os::unix::fs::PermissionsExt as _;
use std::path::{Path, PathBuf};

// Independent fixtures, made with OpenSSL 3.0, Python 3 and Node.js:
//   openssl genpkey -algorithm ed25519 -out ed.pem
//   openssl pkey -in ed.pem -pubout -out ed.pub.pem
//   printf 'borderfuse test message' > msg
//   openssl pkeyutl -sign -inkey ed.pem -rawin -in msg | base64 -w0
const OPENSSL_PRIVATE: &str = "-----BEGIN PRIVATE KEY-----
MC4CAQAwBQYDK2VwBCIEIJ/bIN4tZaO9ES+Qv+kNdSGBHlP2Yn7NhSelwaSTUtRF
-----END PRIVATE KEY-----
";
const OPENSSL_PUBLIC: &str = "-----BEGIN PUBLIC KEY-----
MCowBQYDK2VwAyEAGs31vbLjJEsSjff0LpNb70uEYtoU7hgoeWTcHPNC/L0=
-----END PUBLIC KEY-----
";
const OPENSSL_MESSAGE_SIGNATURE: &str =
    "ZrPxIcn/tN2zhmabJgBPxD0ySmM2D/u29io8/T/1KQ2nIuq6GZU6PMSOCM0G43SWjlCSIbww/rmcvyeEbtNZAQ==";
// python3 -c "import base64,hashlib; raw=base64.b64decode('MCowBQYDK2VwAyEAGs31vbLjJEsSjff0LpNb70uEYtoU7hgoeWTcHPNC/L0=')[-32:]; print(hashlib.sha256(raw).hexdigest()[:16])"
const OPENSSL_KEY_ID: &str = "44bee0cc8ef1c79f";
// A P-256 key: openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256
const EC_PRIVATE: &str = "-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgz1HAnJCkk5V/WHf4
vSIgiRHznhHZGjWvWRt4Dasp/+mhRANCAASDrNbOKlPL5rA+ks7NC8Mwu2TdfKvP
KURotwNWveBvFTdkay1iXvXwdu6ZpLlJ1wDtVNVsWBQo0mA8rR7UTFjd
-----END PRIVATE KEY-----
";
const EC_PUBLIC: &str = "-----BEGIN PUBLIC KEY-----
MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEg6zWzipTy+awPpLOzQvDMLtk3Xyr
zylEaLcDVr3gbxU3ZGstYl718HbumaS5SdcA7VTVbFgUKNJgPK0e1ExY3Q==
-----END PUBLIC KEY-----
";
// An alert payload with key_id set, its canonical form as a JavaScript JCS written with
// `JSON.stringify` on recursively sorted keys prints it (node jcs.js payload.json), and the
// signature of that text by OPENSSL_PRIVATE:
//   openssl pkeyutl -sign -inkey ed.pem -rawin -in canon.txt | base64 -w0
// (Python's cryptography package gives the same signature.)
const FIXTURE_PAYLOAD: &str = r#"{"schema":"borderfuse.alert/1","id":"7d1f4e0c-3b9a-4c1e-9a51-2f1f0c6b2a10","revision":2,"state":"updated","kind":"dark_target","severity":"high","time":"2025-06-01T03:04:05.678Z","raised":"2025-06-01T03:00:00.000Z","first_seen":"2025-06-01T02:55:00.000Z","country":"GR","post":"samos-east","lat":37.695123,"lon":26.981,"track_id":42,"identity":{"name":"ΑΓΙΟΣ ΝΙΚΟΛΑΟΣ","plate":"hmac-sha256:ee49029e7b23ccd4cdc35c0ea424bc2f9e6f0afbe83793743b840ad2ac252150"},"evidence":{"sensors":["radar-samos-east"],"dark_for_s":61.5,"tiny":0.0000012,"huge":1e21,"whole":3.0,"neg":-0.5,"quote":"a \"b\"\n","track":{"updates":17,"speed_kn":12.3}},"key_id":"44bee0cc8ef1c79f"}"#;
const FIXTURE_CANONICAL: &str = r#"{"country":"GR","evidence":{"dark_for_s":61.5,"huge":1e+21,"neg":-0.5,"quote":"a \"b\"\n","sensors":["radar-samos-east"],"tiny":0.0000012,"track":{"speed_kn":12.3,"updates":17},"whole":3},"first_seen":"2025-06-01T02:55:00.000Z","id":"7d1f4e0c-3b9a-4c1e-9a51-2f1f0c6b2a10","identity":{"name":"ΑΓΙΟΣ ΝΙΚΟΛΑΟΣ","plate":"hmac-sha256:ee49029e7b23ccd4cdc35c0ea424bc2f9e6f0afbe83793743b840ad2ac252150"},"key_id":"44bee0cc8ef1c79f","kind":"dark_target","lat":37.695123,"lon":26.981,"post":"samos-east","raised":"2025-06-01T03:00:00.000Z","revision":2,"schema":"borderfuse.alert/1","severity":"high","state":"updated","time":"2025-06-01T03:04:05.678Z","track_id":42}"#;
const FIXTURE_SIGNATURE: &str =
    "EiCXYAWjUpDY3ytrz//7ANQSsIhmipB9cDsSWIxnztWowy5ZWmTlJkaL8wMRWJnkKTzofByY5bxSdupMPX6eBg==";

/// Plate key of the independent plate example: bytes 0x00..=0x1f.
const PLATE_KEY_HEX: &str = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";

fn write(dir: &Path, name: &str, contents: &str, mode: u32) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, contents).unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(mode)).unwrap();
    path
}

fn origin() -> Origin {
    Origin::new("GR", "samos-east").unwrap()
}

/// A fresh key pair from `keygen`, loaded back from its files.
fn keys(dir: &Path) -> (Signer, Keyring) {
    let paths = keygen(dir, &origin()).unwrap();
    (
        Signer::load(&paths.private).unwrap(),
        Keyring::load(&paths.public).unwrap(),
    )
}

/// An alert payload as `Alert::payload` serialises one.
fn payload() -> Value {
    json!({
        "schema": "borderfuse.alert/1",
        "id": "5b0c1f5e-8d1e-4d7c-a0a3-0a5f4e7c9b21",
        "revision": 0,
        "state": "raised",
        "kind": "dark_target",
        "severity": "high",
        "time": "2025-06-01T03:04:05.678Z",
        "raised": "2025-06-01T03:04:05.678Z",
        "first_seen": "2025-06-01T02:55:00.000Z",
        "country": "GR",
        "post": "samos-east",
        "lat": 37.695123,
        "lon": 26.981456,
        "track_id": 42,
        "identity": {"mmsi": 237000001, "name": "AGIOS", "plate": "ΙΚΒ-1234"},
        "evidence": {
            "sensors": ["radar-samos-east"],
            "dark_for_s": 61.5,
            "track": {"updates": 17, "speed_kn": 12.3},
            "reads": [{"camera": "gate-1", "plate": "AB 123 CD", "confidence": 0.93}],
        },
    })
}

fn signed(signer: &Signer, value: Value) -> Vec<u8> {
    let Value::Object(object) = value else {
        panic!("not an object")
    };
    signer.sign(object)
}

/// A named change to a payload.
type Change = (&'static str, fn(&mut Map<String, Value>));

/// `bytes` parsed, changed by `change`, and serialised again.
fn altered(bytes: &[u8], change: impl FnOnce(&mut Map<String, Value>)) -> Vec<u8> {
    let mut object: Map<String, Value> = serde_json::from_slice(bytes).unwrap();
    change(&mut object);
    serde_json::to_vec(&object).unwrap()
}

// ---- signatures ----

#[test]
fn a_payload_signed_with_a_generated_key_verifies_with_its_public_key_file() {
    let dir = tempfile::tempdir().unwrap();
    let (signer, ring) = keys(dir.path());
    let bytes = signed(&signer, payload());
    let verified = verify(&bytes, &ring).unwrap();
    assert_eq!(verified.key_id, signer.key_id());
    assert_eq!(verified.origin, Some(origin()));
    assert_eq!(verified.id(), Some("5b0c1f5e-8d1e-4d7c-a0a3-0a5f4e7c9b21"));
    assert_eq!(verified.revision(), Some(0));
    assert_eq!(verified.kind(), Some("dark_target"));
    assert_eq!(verified.payload["lat"], json!(37.695123));
    assert_eq!(
        verified.payload["key_id"],
        json!(signer.key_id().to_string())
    );
}

#[test]
fn any_changed_field_fails_verification_as_tampered() {
    let dir = tempfile::tempdir().unwrap();
    let (signer, ring) = keys(dir.path());
    let bytes = signed(&signer, payload());
    let changes: [Change; 6] = [
        ("lat", |o| {
            o.insert("lat".into(), json!(37.695124));
        }),
        ("kind", |o| {
            o.insert("kind".into(), json!("ais_gap"));
        }),
        ("evidence value", |o| {
            o["evidence"]["track"]["updates"] = json!(18);
        }),
        ("added field", |o| {
            o.insert("note".into(), json!("hi"));
        }),
        ("removed field", |o| {
            o.remove("severity");
        }),
        ("revision", |o| {
            o.insert("revision".into(), json!(1));
        }),
    ];
    for (what, change) in changes {
        let forged = altered(&bytes, change);
        assert_eq!(
            verify(&forged, &ring),
            Err(VerifyError::Tampered(signer.key_id())),
            "{what}"
        );
    }
}

#[test]
fn a_key_id_changed_to_another_trusted_key_fails_as_tampered() {
    let dir = tempfile::tempdir().unwrap();
    let (signer, mut ring) = keys(dir.path());
    let other = Signer::generate().unwrap();
    ring.insert(TrustedKey::new(
        other.verifying_key(),
        Some(origin()),
        "other".into(),
    ))
    .unwrap();
    let bytes = signed(&signer, payload());
    let forged = altered(&bytes, |o| {
        o.insert("key_id".into(), json!(other.key_id().to_string()));
    });
    assert_eq!(
        verify(&forged, &ring),
        Err(VerifyError::Tampered(other.key_id()))
    );
}

#[test]
fn a_key_id_the_keyring_does_not_hold_is_reported_unknown() {
    let dir = tempfile::tempdir().unwrap();
    let (_, ring) = keys(dir.path());
    let stranger = Signer::generate().unwrap();
    let bytes = signed(&stranger, payload());
    assert_eq!(
        verify(&bytes, &ring),
        Err(VerifyError::UnknownKey(stranger.key_id()))
    );
}

#[test]
fn messages_that_are_not_signed_alerts_get_typed_errors() {
    let dir = tempfile::tempdir().unwrap();
    let (signer, ring) = keys(dir.path());
    let bytes = signed(&signer, payload());
    assert!(matches!(
        verify(b"{not json", &ring),
        Err(VerifyError::NotJson(_))
    ));
    assert_eq!(verify(b"[1,2]", &ring), Err(VerifyError::NotAnObject));
    let unsigned = altered(&bytes, |o| {
        o.remove("signature");
    });
    assert_eq!(verify(&unsigned, &ring), Err(VerifyError::NoSignature));
    let short = altered(&bytes, |o| {
        o.insert("signature".into(), json!("AAAA"));
    });
    assert!(matches!(
        verify(&short, &ring),
        Err(VerifyError::BadSignature(_))
    ));
    let not_base64 = altered(&bytes, |o| {
        o.insert("signature".into(), json!("***"));
    });
    assert!(matches!(
        verify(&not_base64, &ring),
        Err(VerifyError::BadSignature(_))
    ));
    let no_key_id = altered(&bytes, |o| {
        o.remove("key_id");
    });
    assert_eq!(verify(&no_key_id, &ring), Err(VerifyError::NoKeyId));
}

#[test]
fn a_key_bound_to_one_post_cannot_sign_for_another() {
    let dir = tempfile::tempdir().unwrap();
    let (signer, ring) = keys(dir.path());
    let mut p = payload();
    p["country"] = json!("TR");
    p["post"] = json!("didim");
    match verify(&signed(&signer, p), &ring) {
        Err(VerifyError::WrongOrigin {
            key_origin,
            claimed,
            ..
        }) => {
            assert_eq!(key_origin, origin());
            assert_eq!(claimed, "TR/didim");
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn the_canonical_form_and_signature_match_javascript_and_openssl() {
    let dir = tempfile::tempdir().unwrap();
    let key = write(dir.path(), "ed.pem", OPENSSL_PRIVATE, 0o600);
    let signer = Signer::load(&key).unwrap();
    assert_eq!(signer.key_id().to_string(), OPENSSL_KEY_ID);

    let value: Value = serde_json::from_str(FIXTURE_PAYLOAD).unwrap();
    assert_eq!(canonical::to_canonical_string(&value), FIXTURE_CANONICAL);

    let Value::Object(object) = value else {
        panic!()
    };
    let published: Value = serde_json::from_slice(&signer.sign(object)).unwrap();
    assert_eq!(published["signature"], json!(FIXTURE_SIGNATURE));

    // And OpenSSL's own signature of a plain message checks with the key file it wrote.
    let public = write(dir.path(), "ed.pub.pem", OPENSSL_PUBLIC, 0o644);
    let trusted = TrustedKey::load(&public).unwrap();
    assert_eq!(trusted.key_id().to_string(), OPENSSL_KEY_ID);
    assert_eq!(trusted.origin(), None);
    use base64::Engine as _;
    let sig = base64::engine::general_purpose::STANDARD
        .decode(OPENSSL_MESSAGE_SIGNATURE)
        .unwrap();
    let sig = ed25519_dalek::Signature::from_slice(&sig).unwrap();
    trusted
        .verifying_key()
        .verify_strict(b"borderfuse test message", &sig)
        .unwrap();
}

// ---- key files ----

#[test]
fn keygen_writes_a_private_key_only_its_owner_reads_and_a_public_key_bound_to_the_post() {
    let dir = tempfile::tempdir().unwrap();
    let paths = keygen(&dir.path().join("keys"), &origin()).unwrap();
    assert!(paths.private.ends_with("keys/GR-samos-east.key.pem"));
    assert!(paths.public.ends_with("keys/GR-samos-east.pub.pem"));
    let mode = std::fs::metadata(&paths.private)
        .unwrap()
        .permissions()
        .mode()
        & 0o777;
    assert_eq!(mode, 0o600);
    let private = std::fs::read_to_string(&paths.private).unwrap();
    assert!(
        private.starts_with("-----BEGIN PRIVATE KEY-----\n"),
        "{private}"
    );
    let public = std::fs::read_to_string(&paths.public).unwrap();
    assert!(public.contains("# origin: GR/samos-east\n"), "{public}");
    assert!(public.contains(&format!("# key_id: {}\n", paths.key_id)));
    let trusted = TrustedKey::load(&paths.public).unwrap();
    assert_eq!(trusted.key_id(), paths.key_id);
    assert_eq!(trusted.origin(), Some(&origin()));
    assert_eq!(Signer::load(&paths.private).unwrap().key_id(), paths.key_id);
}

#[test]
fn keygen_refuses_to_overwrite_a_key_and_leaves_it_as_it_was() {
    let dir = tempfile::tempdir().unwrap();
    let first = keygen(dir.path(), &origin()).unwrap();
    let before = std::fs::read(&first.private).unwrap();
    match keygen(dir.path(), &origin()) {
        Err(KeygenError::Exists { path }) => assert_eq!(path, first.private),
        other => panic!("{other:?}"),
    }
    assert_eq!(std::fs::read(&first.private).unwrap(), before);

    // A stray public file alone also stops it, before the private key is written.
    let other = Origin::new("GR", "lesvos").unwrap();
    write(dir.path(), "GR-lesvos.pub.pem", OPENSSL_PUBLIC, 0o644);
    assert!(matches!(
        keygen(dir.path(), &other),
        Err(KeygenError::Exists { .. })
    ));
    assert!(!dir.path().join("GR-lesvos.key.pem").exists());
}

/// Asserts the error's message names the file.
fn names(e: &KeyError, path: &Path) {
    let text = e.to_string();
    assert!(text.contains(&path.display().to_string()), "{text}");
}

#[test]
fn a_signing_key_file_that_is_missing_empty_or_not_a_key_gives_a_typed_error_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("nope.pem");
    let e = Signer::load(&missing).unwrap_err();
    assert!(matches!(e, KeyError::Missing { .. }), "{e}");
    names(&e, &missing);

    let empty = write(dir.path(), "empty.pem", "\n  \n", 0o600);
    let e = Signer::load(&empty).unwrap_err();
    assert!(matches!(e, KeyError::Empty { .. }), "{e}");
    names(&e, &empty);

    let text = write(dir.path(), "text.pem", "hello, I am a key\n", 0o600);
    let e = Signer::load(&text).unwrap_err();
    assert!(matches!(e, KeyError::NotAKey { .. }), "{e}");
    names(&e, &text);

    let binary = dir.path().join("binary.pem");
    std::fs::write(&binary, [0xff, 0xfe, 0x00, 0x80]).unwrap();
    let e = Signer::load(&binary).unwrap_err();
    assert!(matches!(e, KeyError::NotAKey { .. }), "{e}");
    names(&e, &binary);

    let huge = write(dir.path(), "huge.pem", &"A".repeat(100_000), 0o600);
    let e = Signer::load(&huge).unwrap_err();
    assert!(matches!(e, KeyError::NotAKey { .. }), "{e}");
    names(&e, &huge);

    let garbled = write(
        dir.path(),
        "garbled.pem",
        "-----BEGIN PRIVATE KEY-----\nAAAA!!!!\n-----END PRIVATE KEY-----\n",
        0o600,
    );
    let e = Signer::load(&garbled).unwrap_err();
    assert!(matches!(e, KeyError::NotAKey { .. }), "{e}");
    names(&e, &garbled);
}

#[test]
fn a_public_key_given_as_the_signing_key_is_refused_as_the_wrong_type() {
    let dir = tempfile::tempdir().unwrap();
    let public = write(dir.path(), "ed.pub.pem", OPENSSL_PUBLIC, 0o600);
    let e = Signer::load(&public).unwrap_err();
    match &e {
        KeyError::WrongType {
            found, expected, ..
        } => {
            assert_eq!(found, "PUBLIC KEY");
            assert_eq!(*expected, "PRIVATE KEY");
        }
        other => panic!("{other:?}"),
    }
    names(&e, &public);
    // And the other way round.
    let private = write(dir.path(), "ed.key.pem", OPENSSL_PRIVATE, 0o600);
    let e = TrustedKey::load(&private).unwrap_err();
    assert!(matches!(e, KeyError::WrongType { .. }), "{e}");
    names(&e, &private);
}

#[test]
fn keys_of_another_algorithm_are_refused_as_not_ed25519() {
    let dir = tempfile::tempdir().unwrap();
    let private = write(dir.path(), "ec.pem", EC_PRIVATE, 0o600);
    let e = Signer::load(&private).unwrap_err();
    assert!(matches!(e, KeyError::WrongAlgorithm { .. }), "{e}");
    names(&e, &private);
    let public = write(dir.path(), "ec.pub.pem", EC_PUBLIC, 0o644);
    let e = TrustedKey::load(&public).unwrap_err();
    assert!(matches!(e, KeyError::WrongAlgorithm { .. }), "{e}");
    names(&e, &public);
}

#[test]
fn a_signing_key_others_can_read_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let key = write(dir.path(), "ed.pem", OPENSSL_PRIVATE, 0o644);
    let e = Signer::load(&key).unwrap_err();
    assert!(matches!(e, KeyError::TooOpen { mode: 0o644, .. }), "{e}");
    names(&e, &key);
}

#[test]
fn a_public_key_file_whose_key_id_line_lies_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let text = format!("# origin: GR/samos-east\n# key_id: 0000000000000000\n{OPENSSL_PUBLIC}");
    let path = write(dir.path(), "x.pub.pem", &text, 0o644);
    let e = TrustedKey::load(&path).unwrap_err();
    assert!(matches!(e, KeyError::KeyIdMismatch { .. }), "{e}");
    let text = format!("# origin: Greece\n{OPENSSL_PUBLIC}");
    let path = write(dir.path(), "y.pub.pem", &text, 0o644);
    let e = TrustedKey::load(&path).unwrap_err();
    assert!(matches!(e, KeyError::BadOrigin { .. }), "{e}");
}

#[test]
fn a_keyring_directory_loads_every_public_key_and_ignores_private_ones() {
    let dir = tempfile::tempdir().unwrap();
    let a = keygen(dir.path(), &origin()).unwrap();
    let b = keygen(dir.path(), &Origin::new("TR", "didim").unwrap()).unwrap();
    let ring = Keyring::load(dir.path()).unwrap();
    assert_eq!(ring.len(), 2);
    assert_eq!(
        ring.get(&b.key_id)
            .and_then(|k| k.origin())
            .map(Origin::to_string),
        Some("TR/didim".into())
    );
    assert!(ring.get(&a.key_id).is_some());

    let empty = tempfile::tempdir().unwrap();
    assert!(matches!(
        Keyring::load(empty.path()),
        Err(KeyringError::Empty { .. })
    ));
    let bad = tempfile::tempdir().unwrap();
    write(bad.path(), "junk.pub.pem", "junk", 0o644);
    assert!(matches!(
        Keyring::load(bad.path()),
        Err(KeyringError::Key(KeyError::NotAKey { .. }))
    ));
}

#[test]
fn one_key_trusted_for_two_posts_is_a_keyring_conflict() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "a.pub.pem",
        &format!("# origin: GR/samos-east\n{OPENSSL_PUBLIC}"),
        0o644,
    );
    write(
        dir.path(),
        "b.pub.pem",
        &format!("# origin: GR/lesvos\n{OPENSSL_PUBLIC}"),
        0o644,
    );
    assert!(matches!(
        Keyring::load(dir.path()),
        Err(KeyringError::Conflict { .. })
    ));
}

// ---- the verify command ----

#[test]
fn verify_reports_each_line_and_fails_when_any_message_is_invalid() {
    let dir = tempfile::tempdir().unwrap();
    let (signer, ring) = keys(dir.path());
    let good = String::from_utf8(signed(&signer, payload())).unwrap();
    let forged = String::from_utf8(altered(good.as_bytes(), |o| {
        o.insert("lat".into(), json!(0.0));
    }))
    .unwrap();
    let input = format!("{good}\n\n{forged}\r\nnot json\n{good}");
    let mut out = Vec::new();
    let summary = verify_lines(input.as_bytes(), &ring, &mut out).unwrap();
    let report = String::from_utf8(out).unwrap();
    assert_eq!((summary.valid, summary.invalid, summary.blank), (2, 2, 1));
    assert!(!summary.all_valid());
    let lines: Vec<&str> = report.lines().collect();
    assert_eq!(lines.len(), 4, "{report}");
    assert!(
        lines[0].starts_with(&format!(
            "1: valid: key {} (GR/samos-east), dark_target 5b0c1f5e-8d1e-4d7c-a0a3-0a5f4e7c9b21 revision 0",
            signer.key_id()
        )),
        "{report}"
    );
    assert!(
        lines[1].starts_with("3: invalid: signature of key"),
        "{report}"
    );
    assert!(lines[2].starts_with("4: invalid: not JSON"), "{report}");
    assert!(lines[3].starts_with("5: valid"), "{report}");

    let mut out = Vec::new();
    let summary = verify_lines(format!("{good}\n").as_bytes(), &ring, &mut out).unwrap();
    assert!(summary.all_valid());
    let summary = verify_lines(&b""[..], &ring, &mut Vec::new()).unwrap();
    assert!(!summary.all_valid(), "no message at all is not a success");
}

#[test]
fn verify_skips_an_overlong_line_as_invalid_and_goes_on() {
    let dir = tempfile::tempdir().unwrap();
    let (signer, ring) = keys(dir.path());
    let good = String::from_utf8(signed(&signer, payload())).unwrap();
    let long = "x".repeat(borderfuse_agent::share::cli::MAX_MESSAGE_BYTES + 10);
    let input = format!("{long}\n{good}\n");
    let mut out = Vec::new();
    let summary = verify_lines(input.as_bytes(), &ring, &mut out).unwrap();
    assert_eq!((summary.valid, summary.invalid), (1, 1));
    let report = String::from_utf8(out).unwrap();
    assert!(report.starts_with("1: invalid: longer than"), "{report}");
    assert!(report.contains("2: valid"), "{report}");
}

// ---- plates ----

#[test]
fn hmac_sha256_matches_rfc_4231_test_cases_6_and_7() {
    // RFC 4231 §4.7 and §4.8: a 131-byte key of 0xaa.
    let key = PlateKey::from_bytes(&[0xaa; 131]).unwrap();
    assert_eq!(
        key.hmac_hex(b"Test Using Larger Than Block-Size Key - Hash Key First"),
        "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"
    );
    assert_eq!(
        key.hmac_hex(
            b"This is a test using a larger than block-size key and a larger than block-size data. The key needs to be hashed before being used by the HMAC algorithm."
        ),
        "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2"
    );
}

#[test]
fn a_plate_hash_matches_one_computed_with_openssl() {
    // printf 'AB123CD' | openssl dgst -sha256 -mac HMAC \
    //   -macopt hexkey:000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f
    // (python3: hmac.new(bytes(range(32)), b'AB123CD', hashlib.sha256).hexdigest() agrees)
    let dir = tempfile::tempdir().unwrap();
    let path = write(
        dir.path(),
        "plate.key",
        &format!("{PLATE_KEY_HEX}\n"),
        0o600,
    );
    let key = PlateKey::load(&path).unwrap();
    assert_eq!(normalise_plate("ab-123 cd"), "AB123CD");
    assert_eq!(
        key.hash("ab-123 cd"),
        "hmac-sha256:ee49029e7b23ccd4cdc35c0ea424bc2f9e6f0afbe83793743b840ad2ac252150"
    );
    // python3: hmac.new(bytes(range(32)), 'ΙΚΒ1234'.encode(), hashlib.sha256).hexdigest()
    assert_eq!(
        key.hash("ΙΚΒ-1234"),
        "hmac-sha256:584ce0954a3d796862e1a020dd2da90e1d7eb925bf66c81f4fc0b2eee782974f"
    );
}

#[test]
fn a_plate_key_file_that_is_short_not_hex_or_open_to_others_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let short = write(dir.path(), "short.key", "00112233", 0o600);
    assert!(matches!(
        PlateKey::load(&short),
        Err(KeyError::NotAKey { .. })
    ));
    let not_hex = write(dir.path(), "nothex.key", &"zz".repeat(32), 0o600);
    assert!(matches!(
        PlateKey::load(&not_hex),
        Err(KeyError::NotAKey { .. })
    ));
    let open = write(dir.path(), "open.key", PLATE_KEY_HEX, 0o640);
    assert!(matches!(
        PlateKey::load(&open),
        Err(KeyError::TooOpen { .. })
    ));
    let made = plate_keygen(&dir.path().join("new.key")).unwrap();
    assert!(PlateKey::load(&made).is_ok());
    assert!(matches!(
        plate_keygen(&made),
        Err(KeygenError::Exists { .. })
    ));
}

// ---- the sharing policy ----

fn partner(name: &str, kinds: &[&str], fields: &[&str], clear_plates: bool) -> PartnerConfig {
    PartnerConfig {
        name: name.into(),
        topic: borderfuse_agent::share::policy::DEFAULT_PARTNER_TOPIC.into(),
        kinds: kinds.iter().map(|s| (*s).to_owned()).collect(),
        fields: fields.iter().map(|s| (*s).to_owned()).collect(),
        clear_plates,
    }
}

fn plate_key() -> PlateKey {
    PlateKey::from_bytes(&hex::decode(PLATE_KEY_HEX).unwrap()).unwrap()
}

fn policy(partners: Vec<PartnerConfig>, signer: Signer, key: Option<PlateKey>) -> Policy {
    let config = SharingConfig {
        partners,
        ..SharingConfig::default()
    };
    Policy::new(&config, signer, key, origin()).unwrap()
}

fn parsed(bytes: &[u8]) -> Value {
    serde_json::from_slice(bytes).unwrap()
}

#[test]
fn partners_get_only_their_kinds_and_fields_on_their_topics_all_signed() {
    let dir = tempfile::tempdir().unwrap();
    let (signer, ring) = keys(dir.path());
    let p = policy(
        vec![
            partner(
                "tr-coastguard",
                &["dark_target"],
                &["lat", "lon", "identity.mmsi", "evidence.track.speed_kn"],
                false,
            ),
            partner("frontex", &["ais_gap", "rendezvous"], &["*"], false),
        ],
        signer,
        Some(plate_key()),
    );
    let out = p.messages(&payload()).unwrap();
    let topics: Vec<(&str, &str)> = out
        .iter()
        .map(|o| (o.audience.as_str(), o.topic.as_str()))
        .collect();
    assert_eq!(
        topics,
        [
            (
                OWN_AUDIENCE,
                "borderfuse/v1/GR/samos-east/alerts/dark_target"
            ),
            (
                "tr-coastguard",
                "borderfuse/v1/GR/samos-east/to/tr-coastguard/alerts/dark_target"
            ),
        ]
    );
    for o in &out {
        assert!(verify(&o.payload, &ring).is_ok(), "{}", o.audience);
    }
    let tr = parsed(&out[1].payload);
    let mut names: Vec<&str> = tr.as_object().unwrap().keys().map(String::as_str).collect();
    names.sort_unstable();
    assert_eq!(
        names,
        [
            "country",
            "evidence",
            "id",
            "identity",
            "key_id",
            "kind",
            "lat",
            "lon",
            "post",
            "revision",
            "schema",
            "signature",
            "state",
            "time"
        ]
    );
    assert_eq!(tr["identity"], json!({"mmsi": 237000001}));
    assert_eq!(tr["evidence"], json!({"track": {"speed_kn": 12.3}}));

    // The own topic has every field, the plates hashed.
    let own = parsed(&out[0].payload);
    assert_eq!(own["severity"], json!("high"));
    assert_eq!(own["identity"]["plate"], json!(plate_key().hash("ΙΚΒ1234")));
    assert_eq!(
        own["evidence"]["reads"][0]["plate"],
        json!(plate_key().hash("AB123CD"))
    );
    assert_eq!(own["evidence"]["reads"][0]["camera"], json!("gate-1"));

    let mut gap = payload();
    gap["kind"] = json!("ais_gap");
    let out = p.messages(&gap).unwrap();
    let audiences: Vec<&str> = out.iter().map(|o| o.audience.as_str()).collect();
    assert_eq!(audiences, [OWN_AUDIENCE, "frontex"]);
    assert_eq!(
        p.stats(),
        ShareSnapshot {
            messages: 4,
            plates_hashed: 6,
            plates_removed: 0
        }
    );
}

#[test]
fn a_cleared_partner_gets_plates_in_clear_and_others_only_their_hash() {
    let dir = tempfile::tempdir().unwrap();
    let (signer, _) = keys(dir.path());
    let p = policy(
        vec![
            partner("gr-police", &["*"], &["identity", "evidence"], true),
            partner("tr-police", &["*"], &["identity", "evidence"], false),
        ],
        signer,
        Some(plate_key()),
    );
    let out = p.messages(&payload()).unwrap();
    let cleared = parsed(&out[1].payload);
    assert_eq!(cleared["identity"]["plate"], json!("ΙΚΒ-1234"));
    assert_eq!(cleared["evidence"]["reads"][0]["plate"], json!("AB 123 CD"));
    let other = parsed(&out[2].payload);
    assert_eq!(
        other["identity"]["plate"],
        json!(plate_key().hash("ΙΚΒ-1234"))
    );
    assert!(!String::from_utf8_lossy(&out[2].payload).contains("AB 123 CD"));
}

#[test]
fn without_a_plate_key_plates_are_removed_and_counted() {
    let dir = tempfile::tempdir().unwrap();
    let (signer, _) = keys(dir.path());
    let p = policy(vec![], signer, None);
    let out = p.messages(&payload()).unwrap();
    let own = parsed(&out[0].payload);
    assert_eq!(own["identity"], json!({"mmsi": 237000001, "name": "AGIOS"}));
    assert_eq!(
        own["evidence"]["reads"][0],
        json!({"camera": "gate-1", "confidence": 0.93})
    );
    assert_eq!(p.stats().plates_removed, 2);
}

#[test]
fn payloads_that_are_not_this_post_s_alerts_are_refused() {
    use borderfuse_agent::share::PolicyError;
    let dir = tempfile::tempdir().unwrap();
    let (signer, _) = keys(dir.path());
    let p = policy(vec![], signer, None);
    assert_eq!(p.messages(&json!([1])), Err(PolicyError::NotAnObject));
    let mut bad_kind = payload();
    bad_kind["kind"] = json!("dark/target");
    assert!(matches!(
        p.messages(&bad_kind),
        Err(PolicyError::BadKind(_))
    ));
    let mut other_post = payload();
    other_post["post"] = json!("lesvos");
    assert!(matches!(
        p.messages(&other_post),
        Err(PolicyError::WrongOrigin { .. })
    ));
}

#[test]
fn a_track_message_is_signed_on_the_tracks_topic_with_plates_hashed() {
    let dir = tempfile::tempdir().unwrap();
    let (signer, ring) = keys(dir.path());
    let p = policy(vec![], signer, Some(plate_key()));
    let tracks = json!({
        "schema": "borderfuse.tracks/1", "country": "GR", "post": "samos-east",
        "time": "2025-06-01T03:04:05.678Z",
        "tracks": [{"id": 1, "time": "2025-06-01T03:04:05.678Z", "lat": 37.7, "lon": 26.9,
                    "identity": {"plate": "AB123CD"}}],
    });
    let out = p.tracks_message(tracks).unwrap();
    assert_eq!(out.topic, "borderfuse/v1/GR/samos-east/tracks");
    let v = verify(&out.payload, &ring).unwrap();
    assert_eq!(
        v.payload["tracks"][0]["identity"]["plate"],
        json!(plate_key().hash("AB123CD"))
    );
}

// ---- the configuration ----

const SHARING: &str = r#"
plate_key = "/etc/borderfuse/keys/plate.key"
own = { enabled = true, clear_plates = false }

[[partner]]
name = "tr-coastguard"
kinds = ["dark_target", "rendezvous"]
fields = ["severity", "lat", "lon", "raised", "identity.mmsi", "evidence"]

[[partner]]
name = "gr-police"
topic = "borderfuse/v1/{country}/{post}/police/{kind}"
kinds = ["*"]
fields = ["*"]
clear_plates = true
"#;

fn sharing(text: &str) -> Result<SharingConfig, String> {
    let config: SharingConfig = toml::from_str(text).map_err(|e| e.to_string())?;
    config.validate().map_err(|e| e.to_string())?;
    Ok(config)
}

#[test]
fn the_documented_sharing_config_parses() {
    let c = sharing(SHARING).unwrap();
    assert_eq!(c.partners.len(), 2);
    assert_eq!(
        c.partners[0].topic,
        "borderfuse/v1/{country}/{post}/to/{partner}/alerts/{kind}"
    );
    assert!(!c.partners[0].clear_plates);
    assert!(c.partners[1].clear_plates);
    let signing: SigningConfig = toml::from_str("key = \"/etc/k.pem\"").unwrap();
    assert!(signing.validate().is_ok());
}

#[test]
fn an_unknown_partner_field_is_refused_by_name() {
    let e = sharing(&SHARING.replace("clear_plates = true", "clear_plate = true")).unwrap_err();
    assert!(e.contains("clear_plate"), "{e}");
    let e = sharing(&SHARING.replace("own = {", "own = { everything = true,")).unwrap_err();
    assert!(e.contains("everything"), "{e}");
    assert!(toml::from_str::<SigningConfig>("key = \"k\"\npassword = \"x\"").is_err());
}

#[test]
fn a_partner_without_kinds_or_fields_is_refused_rather_than_given_a_default() {
    let e = sharing("[[partner]]\nname = \"x\"\nfields = []\n").unwrap_err();
    assert!(e.contains("kinds"), "{e}");
    let e = sharing("[[partner]]\nname = \"x\"\nkinds = [\"*\"]\n").unwrap_err();
    assert!(e.contains("fields"), "{e}");
}

#[test]
fn invalid_sharing_values_name_their_key() {
    let cases = [
        (
            "kinds = [\"*\"]",
            "kinds = [\"*\", \"dark_target\"]",
            "sharing.partner[1].kinds[0]",
        ),
        (
            "kinds = [\"dark_target\", \"rendezvous\"]",
            "kinds = [\"dark_target\", \"smuggling\"]",
            "sharing.partner[0].kinds[1]",
        ),
        (
            "kinds = [\"dark_target\", \"rendezvous\"]",
            "kinds = []",
            "sharing.partner[0].kinds",
        ),
        (
            "\"identity.mmsi\"",
            "\"identity.passport\"",
            "sharing.partner[0].fields[4]",
        ),
        (
            "\"lat\", \"lon\"",
            "\"latitude\", \"lon\"",
            "sharing.partner[0].fields[1]",
        ),
        (
            "\"evidence\"]",
            "\"evidence..x\"]",
            "sharing.partner[0].fields[5]",
        ),
        (
            "name = \"gr-police\"",
            "name = \"tr-coastguard\"",
            "sharing.partner[1].name",
        ),
        (
            "name = \"gr-police\"",
            "name = \"GR Police\"",
            "sharing.partner[1].name",
        ),
        ("/police/{kind}", "/police/+", "sharing.partner[1].topic"),
        (
            "/police/{kind}",
            "/police/{kinds}",
            "sharing.partner[1].topic",
        ),
        (
            "/police/{kind}",
            "/police//{kind}",
            "sharing.partner[1].topic",
        ),
        (
            "/police/{kind}",
            "/police/{kind",
            "sharing.partner[1].topic",
        ),
        (
            "/police/{kind}",
            "/alerts/{kind}",
            "sharing.partner[1].topic",
        ),
        (
            "plate_key = \"/etc/borderfuse/keys/plate.key\"",
            "plate_fields = [\"licensePlate\"]",
            "sharing.plate_fields",
        ),
    ];
    for (from, to, key) in cases {
        let text = SHARING.replace(from, to);
        assert_ne!(text, SHARING, "{from}");
        let e = sharing(&text).unwrap_err();
        assert!(e.starts_with(key), "{to}: {e}");
    }
}

#[test]
fn two_partners_on_one_topic_are_refused() {
    let text = format!(
        "{SHARING}\n[[partner]]\nname = \"x\"\ntopic = \"borderfuse/v1/{{country}}/{{post}}/police/{{kind}}\"\nkinds = [\"*\"]\nfields = []\n"
    );
    let e = sharing(&text).unwrap_err();
    assert!(e.starts_with("sharing.partner[2].topic"), "{e}");
}

#[test]
fn the_policy_loads_its_keys_from_the_config_and_names_the_key_that_fails() {
    let dir = tempfile::tempdir().unwrap();
    let paths = keygen(dir.path(), &origin()).unwrap();
    let plate = plate_keygen(&dir.path().join("plate.key")).unwrap();
    let mut sharing = SharingConfig {
        plate_key: Some(plate),
        ..SharingConfig::default()
    };
    let signing = SigningConfig {
        key: paths.private.clone(),
    };
    let p = Policy::from_config(&sharing, &signing, "GR", "samos-east").unwrap();
    assert_eq!(p.key_id(), paths.key_id);

    let e = Policy::from_config(
        &sharing,
        &SigningConfig {
            key: paths.public.clone(),
        },
        "GR",
        "samos-east",
    )
    .unwrap_err()
    .to_string();
    assert!(e.starts_with("signing.key: "), "{e}");
    assert!(e.contains("GR-samos-east.pub.pem"), "{e}");

    sharing.plate_key = Some(dir.path().join("missing.key"));
    let e = Policy::from_config(&sharing, &signing, "GR", "samos-east")
        .unwrap_err()
        .to_string();
    assert!(e.starts_with("sharing.plate_key: "), "{e}");
}

// ---- the property: no clear plate leaves for a partner not cleared ----

/// A plate: two capitals and four digits, from an alphabet no other generated string uses.
fn plate() -> impl Strategy<Value = String> {
    "[A-Z]{2}[0-9]{4}"
}

/// Evidence: nested objects and arrays, with plate members (under any of the default names,
/// as strings, arrays or objects) among other members.
fn evidence() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        "[a-z ]{0,8}".prop_map(Value::String),
        (0u32..1000).prop_map(|n| json!(n)),
        any::<bool>().prop_map(Value::Bool),
        Just(Value::Null),
    ];
    let plate_value = prop_oneof![
        plate().prop_map(Value::String),
        prop::collection::vec(plate(), 0..3).prop_map(|p| json!(p)),
        (plate(), 0u32..100).prop_map(|(p, c)| json!({"text": p, "confidence": c})),
    ];
    let plate_name = prop::sample::select(vec![
        "plate",
        "Plate",
        "licensePlate",
        "license_plate",
        "plates",
        "plate_number",
    ]);
    leaf.prop_recursive(4, 48, 6, move |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            (
                prop::collection::btree_map("[a-z]{1,6}", inner, 0..4),
                prop::collection::vec((plate_name.clone(), plate_value.clone()), 0..2),
            )
                .prop_map(|(members, plates)| {
                    let mut object: Map<String, Value> = members.into_iter().collect();
                    for (name, value) in plates {
                        object.insert(name.to_owned(), value);
                    }
                    Value::Object(object)
                }),
        ]
    })
}

/// Every plate-looking string anywhere in `value`.
fn plates_in(value: &Value, out: &mut Vec<String>) {
    match value {
        Value::String(s) if s.len() == 6 && s.chars().take(2).all(|c| c.is_ascii_uppercase()) => {
            out.push(s.clone());
        }
        Value::Array(items) => items.iter().for_each(|i| plates_in(i, out)),
        Value::Object(o) => o.values().for_each(|v| plates_in(v, out)),
        _ => {}
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn a_partner_not_cleared_never_sees_a_clear_plate_anywhere(
        evidence in evidence(), identity_plate in plate(), with_key in any::<bool>()
    ) {
        let signer = Signer::from_signing_key(ed25519_dalek::SigningKey::from_bytes(&[9; 32]));
        let p = policy(
            vec![
                partner("everything", &["*"], &["*"], false),
                partner("some", &["*"], &["identity.plate", "evidence"], false),
                partner("cleared", &["*"], &["*"], true),
            ],
            signer,
            with_key.then(plate_key),
        );
        let mut alert = payload();
        alert["identity"]["plate"] = json!(identity_plate);
        alert["evidence"] = json!({"nested": evidence});
        let mut plates = Vec::new();
        plates_in(&alert, &mut plates);
        prop_assert!(plates.contains(&identity_plate));

        let out = p.messages(&alert).unwrap();
        prop_assert_eq!(out.len(), 4);
        for o in &out {
            let text = String::from_utf8(o.payload.clone()).unwrap();
            let cleared = o.audience == "cleared";
            for plate in &plates {
                prop_assert_eq!(
                    text.contains(plate.as_str()),
                    cleared,
                    "{} and {}: {}", o.audience, plate, text
                );
            }
        }
    }
}

#[test]
fn key_ids_are_the_fingerprint_of_the_public_key() {
    let signer = Signer::from_signing_key(ed25519_dalek::SigningKey::from_bytes(&[1; 32]));
    use sha2::Digest as _;
    let digest = sha2::Sha256::digest(signer.verifying_key().as_bytes());
    assert_eq!(signer.key_id().to_string(), hex::encode(&digest[..8]));
    assert_eq!(
        KeyId::parse(&signer.key_id().to_string()),
        Some(signer.key_id())
    );
}
