//! Plate numbers leave the post only as keyed hashes, unless the receiver is cleared.
//!
//! The hash of a plate is `"hmac-sha256:"` followed by the 64 lower-case hex digits of
//! HMAC-SHA256 (RFC 2104, FIPS 180-4) keyed with the plate key the partners share, over the
//! UTF-8 bytes of the [normalised](normalise_plate) plate. Partners holding the same key
//! match a plate they read against one another post read without either sending it in
//! clear; anyone without the key cannot test guesses against the hashes.
//!
//! The plate key file holds the key as hex text (at least 32 bytes: 64 hex digits; one
//! line, surrounding whitespace ignored), mode 0600: [`crate::share::plate_keygen`] writes
//! one, or `openssl rand -hex 32 > plate.key && chmod 600 plate.key`.

use super::canonical::to_canonical_string;
use super::sign::{KeyError, check_private_mode, read_key_text};
use hmac::{Hmac, Mac};
use serde_json::{Map, Value};
use sha2::Sha256;
use std::collections::HashSet;
use std::fmt;
use std::path::Path;

/// What a pseudonymised plate starts with.
pub const PLATE_HASH_PREFIX: &str = "hmac-sha256:";

/// Shortest plate key a file may hold, bytes (the HMAC-SHA256 output size, RFC 2104 §3).
pub const MIN_PLATE_KEY_BYTES: usize = 32;

/// Member names treated as plates by default, wherever they appear in a payload (compared
/// after [`normalise_field_name`], so `licensePlate` and `license-plate` are covered).
pub const DEFAULT_PLATE_FIELDS: [&str; 8] = [
    "plate",
    "plates",
    "license_plate",
    "licence_plate",
    "plate_number",
    "registration_number",
    "registration_plate",
    "number_plate",
];

/// The secret key plate hashes are made with, shared by the partners.
#[derive(Clone)]
pub struct PlateKey {
    /// HMAC state with the key already absorbed: each hash clones it.
    mac: Hmac<Sha256>,
}

impl fmt::Debug for PlateKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Never the secret.
        f.debug_struct("PlateKey").finish_non_exhaustive()
    }
}

impl PlateKey {
    /// Loads a plate key file (hex text, at least [`MIN_PLATE_KEY_BYTES`] bytes, not
    /// readable by group or others).
    pub fn load(path: &Path) -> Result<PlateKey, KeyError> {
        let text = read_key_text(path)?;
        let not_a_key = |reason: String| KeyError::NotAKey {
            path: path.to_owned(),
            reason,
        };
        let key = hex::decode(text.trim())
            .map_err(|e| not_a_key(format!("plate keys are hex text: {e}")))?;
        let plate_key = PlateKey::from_bytes(&key).ok_or_else(|| {
            not_a_key(format!(
                "{} bytes, plate keys need at least {MIN_PLATE_KEY_BYTES}",
                key.len()
            ))
        })?;
        check_private_mode(path)?;
        Ok(plate_key)
    }

    /// A key of these bytes; `None` when shorter than [`MIN_PLATE_KEY_BYTES`].
    pub fn from_bytes(key: &[u8]) -> Option<PlateKey> {
        if key.len() < MIN_PLATE_KEY_BYTES {
            return None;
        }
        let mac = Hmac::<Sha256>::new_from_slice(key).ok()?;
        Some(PlateKey { mac })
    }

    /// HMAC-SHA256 of `data` under this key, as lower-case hex.
    pub fn hmac_hex(&self, data: &[u8]) -> String {
        let mut mac = self.mac.clone();
        mac.update(data);
        hex::encode(mac.finalize().into_bytes())
    }

    /// HMAC-SHA256 of `data` under this key, as its 32 bytes (what [`PlateKey::hmac_hex`]
    /// spells in hex): the hot path of plate matching compares these without formatting.
    pub fn hmac_bytes(&self, data: &[u8]) -> [u8; 32] {
        let mut mac = self.mac.clone();
        mac.update(data);
        mac.finalize().into_bytes().into()
    }

    /// The pseudonym of `plate`: [`PLATE_HASH_PREFIX`] and the hex HMAC of its normalised
    /// form.
    pub fn hash(&self, plate: &str) -> String {
        format!(
            "{PLATE_HASH_PREFIX}{}",
            self.hmac_hex(normalise_plate(plate).as_bytes())
        )
    }
}

/// A plate as it is hashed: its letters and digits only (spaces, dashes, dots and any other
/// separator removed), upper-cased (Unicode upper case), so `ab-123 cd` and `AB 123CD` hash
/// alike.
pub fn normalise_plate(plate: &str) -> String {
    plate
        .chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_uppercase)
        .collect()
}

/// Whether `s` is already a plate pseudonym (hashing it again would break matching).
pub fn is_plate_hash(s: &str) -> bool {
    s.strip_prefix(PLATE_HASH_PREFIX).is_some_and(|h| {
        h.len() == 64
            && h.bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
    })
}

/// A member name as compared with the plate field names: lower case, without `_` and `-`.
pub fn normalise_field_name(name: &str) -> String {
    name.chars()
        .filter(|c| *c != '_' && *c != '-')
        .flat_map(char::to_lowercase)
        .collect()
}

/// The member names whose values are plates.
#[derive(Debug, Clone)]
pub(crate) struct PlateFields(HashSet<String>);

impl PlateFields {
    /// These names (compared after [`normalise_field_name`]).
    pub(crate) fn new<'a>(names: impl IntoIterator<Item = &'a str>) -> PlateFields {
        PlateFields(names.into_iter().map(normalise_field_name).collect())
    }

    fn matches(&self, name: &str) -> bool {
        self.0.contains(&normalise_field_name(name))
    }
}

/// What [`pseudonymise`] did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct PlateCounts {
    /// Values replaced by their hash.
    pub(crate) hashed: u64,
    /// Plate members removed because there was no key to hash them with.
    pub(crate) removed: u64,
}

/// Replaces every plate in `object`, at any depth, by its hash under `key`; without a key,
/// removes the plate members. A plate is the value of a member named as in `fields`; when
/// that value is an array or object, every string and number inside it counts as a plate
/// (safer to hash a confidence figure than to let a plate through).
pub(crate) fn pseudonymise(
    object: &mut Map<String, Value>,
    key: Option<&PlateKey>,
    fields: &PlateFields,
) -> PlateCounts {
    let mut counts = PlateCounts::default();
    walk_object(object, key, fields, &mut counts);
    counts
}

fn walk_object(
    object: &mut Map<String, Value>,
    key: Option<&PlateKey>,
    fields: &PlateFields,
    counts: &mut PlateCounts,
) {
    let mut plates = Vec::new();
    for (name, member) in object.iter_mut() {
        if !fields.matches(name) {
            walk(member, key, fields, counts);
        } else if let Some(key) = key {
            hash_all(member, key, counts);
        } else {
            plates.push(name.clone());
        }
    }
    for name in plates {
        object.remove(&name);
        counts.removed += 1;
    }
}

fn walk(value: &mut Value, key: Option<&PlateKey>, fields: &PlateFields, counts: &mut PlateCounts) {
    match value {
        Value::Object(object) => walk_object(object, key, fields, counts),
        Value::Array(items) => {
            for item in items {
                walk(item, key, fields, counts);
            }
        }
        Value::Null | Value::Bool(_) | Value::Number(_) | Value::String(_) => {}
    }
}

fn hash_all(value: &mut Value, key: &PlateKey, counts: &mut PlateCounts) {
    match value {
        Value::String(s) => {
            if !is_plate_hash(s) {
                *s = key.hash(s);
                counts.hashed += 1;
            }
        }
        Value::Number(_) => {
            *value = Value::String(key.hash(&to_canonical_string(value)));
            counts.hashed += 1;
        }
        Value::Array(items) => {
            for item in items {
                hash_all(item, key, counts);
            }
        }
        Value::Object(object) => {
            for member in object.values_mut() {
                hash_all(member, key, counts);
            }
        }
        Value::Null | Value::Bool(_) => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn key() -> PlateKey {
        PlateKey::from_bytes(&[0x42; 32]).unwrap()
    }

    #[test]
    fn plates_that_differ_only_in_separators_and_case_hash_alike() {
        assert_eq!(normalise_plate(" ab-123.cd "), "AB123CD");
        assert_eq!(normalise_plate("ΙΚΒ 1234"), "ΙΚΒ1234");
        assert_eq!(key().hash("ab-123 cd"), key().hash("AB123CD"));
        assert_ne!(key().hash("AB123CD"), key().hash("AB123CE"));
        assert!(is_plate_hash(&key().hash("x")));
    }

    #[test]
    fn every_string_and_number_under_a_plate_member_is_hashed_at_any_depth() {
        let mut v = json!({
            "plate": "AB123",
            "a": [{"licensePlate": {"text": "CD456", "confidence": 91.5, "ok": true}}],
            "b": {"Plates": ["EF789", 12345]},
            "plate_color": "white",
        });
        let counts = pseudonymise(
            v.as_object_mut().unwrap(),
            Some(&key()),
            &PlateFields::new(DEFAULT_PLATE_FIELDS),
        );
        assert_eq!(
            counts,
            PlateCounts {
                hashed: 5,
                removed: 0
            }
        );
        assert_eq!(v["plate"], json!(key().hash("AB123")));
        assert_eq!(
            v["a"][0]["licensePlate"]["text"],
            json!(key().hash("CD456"))
        );
        assert_eq!(v["a"][0]["licensePlate"]["ok"], json!(true));
        assert_eq!(v["b"]["Plates"][1], json!(key().hash("12345")));
        assert_eq!(v["plate_color"], json!("white"));
    }

    #[test]
    fn a_plate_already_hashed_is_not_hashed_again() {
        let hashed = key().hash("AB123");
        let mut v = json!({ "plate": hashed });
        let counts = pseudonymise(
            v.as_object_mut().unwrap(),
            Some(&key()),
            &PlateFields::new(["plate"]),
        );
        assert_eq!(counts.hashed, 0);
        assert_eq!(v["plate"], json!(hashed));
    }

    #[test]
    fn without_a_key_plate_members_are_removed_and_counted() {
        let mut v = json!({"identity": {"plate": "AB123", "mmsi": 1}, "e": [{"plate": "X"}]});
        let counts = pseudonymise(
            v.as_object_mut().unwrap(),
            None,
            &PlateFields::new(["plate"]),
        );
        assert_eq!(
            counts,
            PlateCounts {
                hashed: 0,
                removed: 2
            }
        );
        assert_eq!(v, json!({"identity": {"mmsi": 1}, "e": [{}]}));
    }
}
