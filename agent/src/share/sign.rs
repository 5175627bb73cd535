//! Ed25519 signatures on alert payloads, the post's key, and the partners' keyring.
//!
//! Signature format (also in `schemas/README.md`): the payload is one JSON object. The
//! sender sets `"key_id"` to its [`KeyId`], removes any `"signature"`, computes the
//! Ed25519 signature (RFC 8032, pure Ed25519) of the UTF-8 bytes of the object's canonical
//! form (RFC 8785, see [`super::canonical`]) and adds it as `"signature"`: standard base64
//! with padding (RFC 4648 §4), 88 characters. The receiver parses the object, takes
//! `signature` out, canonicalises the rest and verifies with the key named by `key_id`.
//! Whitespace and member order on the wire do not matter; every name and value does.
//!
//! Key files:
//! - private: PKCS#8 (RFC 5208 v1 / RFC 8410) PEM, `-----BEGIN PRIVATE KEY-----`, mode 0600,
//!   readable by OpenSSL (`openssl pkey -in KEY.pem -pubout`);
//! - public: SubjectPublicKeyInfo PEM, `-----BEGIN PUBLIC KEY-----`, preceded by comment
//!   lines `# origin: GR/samos-east` (the post the key speaks for) and `# key_id: …`, which
//!   OpenSSL ignores as explanatory text. A key with an origin verifies only alerts whose
//!   `country` and `post` are that origin's, so one post cannot speak for another.

use super::Origin;
use super::canonical::{object_to_canonical_string, parse_strict};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use ed25519_dalek::pkcs8::{DecodePrivateKey, DecodePublicKey, EncodePublicKey, spki};
use ed25519_dalek::{Signature, Signer as _, SigningKey, VerifyingKey};
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::fmt;
use std::path::{Path, PathBuf};

/// Name of the payload member holding the signer's key id.
pub const KEY_ID_FIELD: &str = "key_id";
/// Name of the payload member holding the signature.
pub const SIGNATURE_FIELD: &str = "signature";

/// The PEM label of a PKCS#8 private key.
const PRIVATE_LABEL: &str = "PRIVATE KEY";
/// The PEM label of a SubjectPublicKeyInfo public key.
const PUBLIC_LABEL: &str = "PUBLIC KEY";

/// A short, stable fingerprint of an Ed25519 public key: the first 8 bytes of SHA-256 of
/// its 32 raw bytes, shown as 16 lower-case hex digits.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct KeyId([u8; 8]);

impl fmt::Debug for KeyId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "KeyId({self})")
    }
}

impl KeyId {
    /// The id of `key`.
    pub fn of(key: &VerifyingKey) -> KeyId {
        let digest = Sha256::digest(key.as_bytes());
        let mut id = [0u8; 8];
        id.copy_from_slice(&digest[..8]);
        KeyId(id)
    }

    /// Parses 16 lower-case hex digits.
    pub fn parse(text: &str) -> Option<KeyId> {
        if text.len() != 16 || text.bytes().any(|b| b.is_ascii_uppercase()) {
            return None;
        }
        let mut id = [0u8; 8];
        hex::decode_to_slice(text, &mut id).ok()?;
        Some(KeyId(id))
    }
}

impl fmt::Display for KeyId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&hex::encode(self.0))
    }
}

/// Why a key file was refused. Every variant names the file.
#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    /// The file does not exist.
    #[error("{}: no such key file", path.display())]
    Missing {
        /// The file.
        path: PathBuf,
    },
    /// The file exists but could not be read.
    #[error("{}: cannot read: {source}", path.display())]
    Read {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// The file is empty.
    #[error("{}: empty file, not a key", path.display())]
    Empty {
        /// The file.
        path: PathBuf,
    },
    /// The file does not hold a key in the expected format.
    #[error("{}: not a key file: {reason}", path.display())]
    NotAKey {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        reason: String,
    },
    /// A PEM file of another kind (a public key where a private one is expected, a
    /// certificate, an encrypted key).
    #[error("{}: holds a {found:?} PEM block, expected {expected:?}", path.display())]
    WrongType {
        /// The file.
        path: PathBuf,
        /// The PEM label found.
        found: String,
        /// The PEM label expected.
        expected: &'static str,
    },
    /// A key of another algorithm (RSA, ECDSA, …).
    #[error("{}: not an Ed25519 key: {reason}", path.display())]
    WrongAlgorithm {
        /// The file.
        path: PathBuf,
        /// What was found.
        reason: String,
    },
    /// A secret key file that others may read or write.
    #[error("{}: secret key readable or writable by others (mode {mode:04o}); chmod 600 it", path.display())]
    TooOpen {
        /// The file.
        path: PathBuf,
        /// Its permission bits.
        mode: u32,
    },
    /// The `# origin:` line of a public key file is not `COUNTRY/post`.
    #[error("{}: origin line: {source}", path.display())]
    BadOrigin {
        /// The file.
        path: PathBuf,
        /// Why.
        source: super::OriginError,
    },
    /// The `# key_id:` line of a public key file does not match the key.
    #[error("{}: the key_id line says {stated:?} but the key's id is {actual}", path.display())]
    KeyIdMismatch {
        /// The file.
        path: PathBuf,
        /// What the file says.
        stated: String,
        /// The id of the key in the file.
        actual: KeyId,
    },
}

/// Largest key file read, bytes: keys are a few hundred bytes, and a path to a huge file
/// (or a device) must not fill memory or hang the start-up.
const MAX_KEY_FILE_BYTES: u64 = 64 * 1024;

/// Reads a key file as text, with the errors every key file shares.
pub(crate) fn read_key_text(path: &Path) -> Result<String, KeyError> {
    use std::io::Read as _;
    let read_error = |source: std::io::Error| {
        if source.kind() == std::io::ErrorKind::NotFound {
            KeyError::Missing {
                path: path.to_owned(),
            }
        } else {
            KeyError::Read {
                path: path.to_owned(),
                source,
            }
        }
    };
    let file = std::fs::File::open(path).map_err(read_error)?;
    let mut bytes = Vec::new();
    file.take(MAX_KEY_FILE_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(read_error)?;
    if bytes.len() as u64 > MAX_KEY_FILE_BYTES {
        return Err(KeyError::NotAKey {
            path: path.to_owned(),
            reason: format!("larger than {MAX_KEY_FILE_BYTES} bytes"),
        });
    }
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(KeyError::Empty {
            path: path.to_owned(),
        });
    }
    String::from_utf8(bytes).map_err(|_| KeyError::NotAKey {
        path: path.to_owned(),
        reason: "binary data, PEM text expected".into(),
    })
}

/// The first PEM block of `text`: its label, and the text from its BEGIN line on; and the
/// explanatory lines before it.
fn pem_block<'t>(path: &Path, text: &'t str) -> Result<(&'t str, &'t str, &'t str), KeyError> {
    let not_a_key = || KeyError::NotAKey {
        path: path.to_owned(),
        reason: "no -----BEGIN ...----- line".into(),
    };
    let start = text.find("-----BEGIN ").ok_or_else(not_a_key)?;
    let (preamble, block) = text.split_at(start);
    let label = block
        .strip_prefix("-----BEGIN ")
        .and_then(|rest| rest.split_once("-----"))
        .map(|(label, _)| label)
        .filter(|label| !label.contains('\n'))
        .ok_or_else(not_a_key)?;
    Ok((label, block, preamble))
}

/// Maps a PKCS#8/SPKI decoding error of a file with the right PEM label.
fn decode_error(path: &Path, e: ed25519_dalek::pkcs8::Error) -> KeyError {
    use ed25519_dalek::pkcs8::Error as E;
    match e {
        E::PublicKey(spki::Error::OidUnknown { oid }) => KeyError::WrongAlgorithm {
            path: path.to_owned(),
            reason: format!("algorithm {oid} (Ed25519 is 1.3.101.112)"),
        },
        other => KeyError::NotAKey {
            path: path.to_owned(),
            reason: other.to_string(),
        },
    }
}

fn spki_error(path: &Path, e: spki::Error) -> KeyError {
    match e {
        spki::Error::OidUnknown { oid } => KeyError::WrongAlgorithm {
            path: path.to_owned(),
            reason: format!("algorithm {oid} (Ed25519 is 1.3.101.112)"),
        },
        other => KeyError::NotAKey {
            path: path.to_owned(),
            reason: other.to_string(),
        },
    }
}

/// Refuses a secret file that group or others may read or write (as OpenSSH does).
pub(crate) fn check_private_mode(path: &Path) -> Result<(), KeyError> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let meta = std::fs::metadata(path).map_err(|source| KeyError::Read {
            path: path.to_owned(),
            source,
        })?;
        let mode = meta.permissions().mode() & 0o7777;
        if mode & 0o077 != 0 {
            return Err(KeyError::TooOpen {
                path: path.to_owned(),
                mode,
            });
        }
    }
    Ok(())
}

/// The post's signing key.
pub struct Signer {
    key: SigningKey,
    key_id: KeyId,
}

impl fmt::Debug for Signer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Never the secret.
        f.debug_struct("Signer")
            .field("key_id", &self.key_id)
            .finish_non_exhaustive()
    }
}

impl Signer {
    /// Loads a PKCS#8 PEM Ed25519 private key; the file must not be readable by group or
    /// others.
    pub fn load(path: &Path) -> Result<Signer, KeyError> {
        let text = read_key_text(path)?;
        let (label, block, _) = pem_block(path, &text)?;
        if label != PRIVATE_LABEL {
            return Err(KeyError::WrongType {
                path: path.to_owned(),
                found: label.to_owned(),
                expected: PRIVATE_LABEL,
            });
        }
        let key = SigningKey::from_pkcs8_pem(block).map_err(|e| decode_error(path, e))?;
        check_private_mode(path)?;
        Ok(Signer::from_signing_key(key))
    }

    /// A signer with `key` (tests, and the demo's throwaway key).
    pub fn from_signing_key(key: SigningKey) -> Signer {
        let key_id = KeyId::of(&key.verifying_key());
        Signer { key, key_id }
    }

    /// A new random key from the operating system's generator.
    pub fn generate() -> std::io::Result<Signer> {
        let secret = super::cli::random_bytes::<32>()?;
        Ok(Signer::from_signing_key(SigningKey::from_bytes(&secret)))
    }

    /// The id of this key, as payloads carry it.
    pub fn key_id(&self) -> KeyId {
        self.key_id
    }

    /// The public half, for partners.
    pub fn verifying_key(&self) -> VerifyingKey {
        self.key.verifying_key()
    }

    /// The private key as PKCS#8 v1 PEM (the secret only, as OpenSSL writes Ed25519 keys).
    pub(crate) fn to_pkcs8_pem(&self) -> Result<String, ed25519_dalek::pkcs8::Error> {
        use ed25519_dalek::pkcs8::{EncodePrivateKey as _, KeypairBytes};
        let bytes = KeypairBytes {
            secret_key: self.key.to_bytes(),
            public_key: None,
        };
        Ok(bytes
            .to_pkcs8_pem(spki::der::pem::LineEnding::LF)?
            .as_str()
            .to_owned())
    }

    /// Signs `object` in place: sets `key_id`, replaces any `signature` with this key's
    /// signature of the canonical form of the rest.
    pub fn sign_object(&self, object: &mut Map<String, Value>) {
        object.remove(SIGNATURE_FIELD);
        object.insert(
            KEY_ID_FIELD.to_owned(),
            Value::String(self.key_id.to_string()),
        );
        let message = object_to_canonical_string(object);
        let signature = self.key.sign(message.as_bytes());
        object.insert(
            SIGNATURE_FIELD.to_owned(),
            Value::String(BASE64.encode(signature.to_bytes())),
        );
    }

    /// Signs `object` and returns the bytes to publish: its canonical form, signature
    /// included.
    pub fn sign(&self, mut object: Map<String, Value>) -> Vec<u8> {
        self.sign_object(&mut object);
        object_to_canonical_string(&object).into_bytes()
    }
}

/// The text of a public key file for `key` of the post `origin` (see the module docs).
pub(crate) fn public_key_file_text(
    key: &VerifyingKey,
    origin: &Origin,
) -> Result<String, spki::Error> {
    let pem = key.to_public_key_pem(spki::der::pem::LineEnding::LF)?;
    Ok(format!(
        "# borderfuse alert-signing public key (Ed25519)\n# origin: {origin}\n# key_id: {}\n{pem}",
        KeyId::of(key)
    ))
}

/// A partner's public key, trusted to sign alerts of `origin` (any origin when `None`).
#[derive(Debug, Clone)]
pub struct TrustedKey {
    key: VerifyingKey,
    key_id: KeyId,
    origin: Option<Origin>,
    source: PathBuf,
}

impl TrustedKey {
    /// `key`, trusted for alerts of `origin` (any when `None`); `source` names where it came
    /// from in messages.
    pub fn new(key: VerifyingKey, origin: Option<Origin>, source: PathBuf) -> TrustedKey {
        TrustedKey {
            key_id: KeyId::of(&key),
            key,
            origin,
            source,
        }
    }

    /// Loads a public key file: SubjectPublicKeyInfo PEM, optionally preceded by
    /// `# origin: CC/post` and `# key_id: …` lines.
    pub fn load(path: &Path) -> Result<TrustedKey, KeyError> {
        let text = read_key_text(path)?;
        let (label, block, preamble) = pem_block(path, &text)?;
        if label != PUBLIC_LABEL {
            return Err(KeyError::WrongType {
                path: path.to_owned(),
                found: label.to_owned(),
                expected: PUBLIC_LABEL,
            });
        }
        let key = VerifyingKey::from_public_key_pem(block).map_err(|e| spki_error(path, e))?;
        let mut trusted = TrustedKey::new(key, None, path.to_owned());
        for line in preamble.lines() {
            let line = line.trim_start_matches('#').trim();
            if let Some(origin) = line.strip_prefix("origin:") {
                let origin =
                    Origin::parse(origin.trim()).map_err(|source| KeyError::BadOrigin {
                        path: path.to_owned(),
                        source,
                    })?;
                trusted.origin = Some(origin);
            } else if let Some(stated) = line.strip_prefix("key_id:") {
                let stated = stated.trim();
                if KeyId::parse(stated) != Some(trusted.key_id) {
                    return Err(KeyError::KeyIdMismatch {
                        path: path.to_owned(),
                        stated: stated.to_owned(),
                        actual: trusted.key_id,
                    });
                }
            }
        }
        Ok(trusted)
    }

    /// The key's id.
    pub fn key_id(&self) -> KeyId {
        self.key_id
    }

    /// The post it speaks for, if bound to one.
    pub fn origin(&self) -> Option<&Origin> {
        self.origin.as_ref()
    }

    /// Where it came from.
    pub fn source(&self) -> &Path {
        &self.source
    }

    /// The key.
    pub fn verifying_key(&self) -> &VerifyingKey {
        &self.key
    }
}

/// Why a keyring could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum KeyringError {
    /// A key file in it was refused.
    #[error(transparent)]
    Key(#[from] KeyError),
    /// The directory could not be listed.
    #[error("{}: cannot list: {source}", path.display())]
    ReadDir {
        /// The directory.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// A directory with no `*.pub.pem` file.
    #[error("{}: no public key (*.pub.pem) in it", path.display())]
    Empty {
        /// The directory.
        path: PathBuf,
    },
    /// Two files hold the same key with different origins.
    #[error("{}: key {key_id} is already trusted for another origin by {}", second.display(), first.display())]
    Conflict {
        /// The key.
        key_id: KeyId,
        /// The file that brought it first.
        first: PathBuf,
        /// The file that contradicts it.
        second: PathBuf,
    },
}

/// The public keys a receiver trusts, by key id.
#[derive(Debug, Clone, Default)]
pub struct Keyring {
    keys: HashMap<KeyId, TrustedKey>,
}

impl Keyring {
    /// An empty keyring.
    pub fn new() -> Keyring {
        Keyring::default()
    }

    /// Loads one public key file, or every `*.pub.pem` file of a directory (not its
    /// subdirectories; other files, such as private keys, are left alone).
    pub fn load(path: &Path) -> Result<Keyring, KeyringError> {
        let mut ring = Keyring::new();
        if !path.is_dir() {
            ring.insert(TrustedKey::load(path)?)?;
            return Ok(ring);
        }
        let read_dir = |source| KeyringError::ReadDir {
            path: path.to_owned(),
            source,
        };
        let mut files = Vec::new();
        for entry in std::fs::read_dir(path).map_err(read_dir)? {
            let file = entry.map_err(read_dir)?.path();
            let is_public = file
                .file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.ends_with(".pub.pem"));
            if is_public && file.is_file() {
                files.push(file);
            }
        }
        // Sorted, so a conflict is reported the same way on every run.
        files.sort();
        for file in files {
            ring.insert(TrustedKey::load(&file)?)?;
        }
        if ring.is_empty() {
            return Err(KeyringError::Empty {
                path: path.to_owned(),
            });
        }
        Ok(ring)
    }

    /// Adds a key; the same key twice is fine, the same key for two origins is not.
    pub fn insert(&mut self, key: TrustedKey) -> Result<(), KeyringError> {
        if let Some(known) = self.keys.get(&key.key_id) {
            if known.origin != key.origin || known.key != key.key {
                return Err(KeyringError::Conflict {
                    key_id: key.key_id,
                    first: known.source.clone(),
                    second: key.source,
                });
            }
            return Ok(());
        }
        self.keys.insert(key.key_id, key);
        Ok(())
    }

    /// The key with id `id`.
    pub fn get(&self, id: &KeyId) -> Option<&TrustedKey> {
        self.keys.get(id)
    }

    /// How many keys.
    pub fn len(&self) -> usize {
        self.keys.len()
    }

    /// Whether it holds no key.
    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }
}

/// Why a message failed verification.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VerifyError {
    /// Not JSON (or JSON with a duplicated member name).
    #[error("not JSON: {0}")]
    NotJson(String),
    /// JSON, but not an object.
    #[error("not a JSON object")]
    NotAnObject,
    /// No `signature` member.
    #[error("no signature")]
    NoSignature,
    /// A `signature` that is not the base64 of 64 bytes.
    #[error("malformed signature: {0}")]
    BadSignature(String),
    /// No `key_id` member, or one that is not 16 lower-case hex digits.
    #[error("no key id, or a malformed one")]
    NoKeyId,
    /// A key id the keyring does not hold.
    #[error("unknown key id {0}")]
    UnknownKey(KeyId),
    /// A well-formed signature that does not match the content: a field was changed after
    /// signing, or another key signed it.
    #[error("signature of key {0} does not match the content (tampered, or signed by another key)")]
    Tampered(KeyId),
    /// A valid signature by a key bound to another post than the one the payload claims.
    #[error("key {key_id} speaks for {key_origin}, the payload claims to come from {claimed}")]
    WrongOrigin {
        /// The key.
        key_id: KeyId,
        /// The post the key is bound to.
        key_origin: Origin,
        /// What the payload's `country`/`post` say.
        claimed: String,
    },
}

/// A payload whose signature checked out.
#[derive(Debug, Clone, PartialEq)]
pub struct VerifiedAlert {
    /// The key that signed it.
    pub key_id: KeyId,
    /// The post that key is bound to, if it is.
    pub origin: Option<Origin>,
    /// The payload, `key_id` and `signature` included.
    pub payload: Map<String, Value>,
}

impl VerifiedAlert {
    /// The payload's `id`, if a string.
    pub fn id(&self) -> Option<&str> {
        self.payload.get("id").and_then(Value::as_str)
    }

    /// The payload's `revision`, if an integer.
    pub fn revision(&self) -> Option<u64> {
        self.payload.get("revision").and_then(Value::as_u64)
    }

    /// The payload's `kind`, if a string.
    pub fn kind(&self) -> Option<&str> {
        self.payload.get("kind").and_then(Value::as_str)
    }
}

/// Checks the signature of one payload (the bytes of one MQTT message) against `keyring`.
pub fn verify(payload: &[u8], keyring: &Keyring) -> Result<VerifiedAlert, VerifyError> {
    let value = parse_strict(payload).map_err(|e| VerifyError::NotJson(e.to_string()))?;
    let Value::Object(mut object) = value else {
        return Err(VerifyError::NotAnObject);
    };
    let signature_text = match object.remove(SIGNATURE_FIELD) {
        None => return Err(VerifyError::NoSignature),
        Some(Value::String(s)) => s,
        Some(_) => return Err(VerifyError::BadSignature("not a string".into())),
    };
    let bytes = BASE64
        .decode(signature_text.as_bytes())
        .map_err(|e| VerifyError::BadSignature(e.to_string()))?;
    let signature = Signature::from_slice(&bytes)
        .map_err(|_| VerifyError::BadSignature(format!("{} bytes, not 64", bytes.len())))?;
    let key_id = object
        .get(KEY_ID_FIELD)
        .and_then(Value::as_str)
        .and_then(KeyId::parse)
        .ok_or(VerifyError::NoKeyId)?;
    let trusted = keyring
        .get(&key_id)
        .ok_or(VerifyError::UnknownKey(key_id))?;
    let message = object_to_canonical_string(&object);
    trusted
        .key
        .verify_strict(message.as_bytes(), &signature)
        .map_err(|_| VerifyError::Tampered(key_id))?;
    if let Some(origin) = &trusted.origin {
        let country = object.get("country").and_then(Value::as_str);
        let post = object.get("post").and_then(Value::as_str);
        if country != Some(origin.country()) || post != Some(origin.post()) {
            return Err(VerifyError::WrongOrigin {
                key_id,
                key_origin: origin.clone(),
                claimed: format!("{}/{}", country.unwrap_or("?"), post.unwrap_or("?")),
            });
        }
    }
    object.insert(SIGNATURE_FIELD.to_owned(), Value::String(signature_text));
    Ok(VerifiedAlert {
        key_id,
        origin: trusted.origin.clone(),
        payload: object,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn signer() -> Signer {
        Signer::from_signing_key(SigningKey::from_bytes(&[7u8; 32]))
    }

    fn ring(signer: &Signer, origin: Option<Origin>) -> Keyring {
        let mut ring = Keyring::new();
        ring.insert(TrustedKey::new(
            signer.verifying_key(),
            origin,
            "test".into(),
        ))
        .unwrap();
        ring
    }

    #[test]
    fn a_key_id_is_sixteen_hex_digits_that_parse_back() {
        let id = signer().key_id();
        let text = id.to_string();
        assert_eq!(text.len(), 16);
        assert_eq!(KeyId::parse(&text), Some(id));
        assert_eq!(KeyId::parse(&text.to_uppercase()), None);
        assert_eq!(KeyId::parse("0123"), None);
    }

    #[test]
    fn a_signature_survives_reformatting_of_the_json() {
        let s = signer();
        let bytes = s.sign(
            json!({"b": 1.0, "a": [1, "x"]})
                .as_object()
                .unwrap()
                .clone(),
        );
        let pretty =
            serde_json::to_vec_pretty(&serde_json::from_slice::<Value>(&bytes).unwrap()).unwrap();
        assert!(verify(&pretty, &ring(&s, None)).is_ok());
    }

    #[test]
    fn numbers_that_need_seventeen_digits_verify() {
        // Parsed back to the neighbouring double, 37.699999999999996 would print as
        // another number and the signature would not match: parsing must round correctly.
        let s = signer();
        for lat in [
            37.699999999999996,
            0.1 + 0.2,
            5e-324,
            1.7976931348623157e308,
        ] {
            let bytes = s.sign(json!({ "lat": lat }).as_object().unwrap().clone());
            assert!(verify(&bytes, &ring(&s, None)).is_ok(), "{lat}");
        }
    }

    #[test]
    fn a_payload_with_a_duplicated_member_is_refused() {
        let s = signer();
        let bytes = s.sign(json!({"lat": 1}).as_object().unwrap().clone());
        let text = String::from_utf8(bytes)
            .unwrap()
            .replacen('{', "{\"lat\":99,", 1);
        assert!(matches!(
            verify(text.as_bytes(), &ring(&s, None)),
            Err(VerifyError::NotJson(_))
        ));
    }
}
