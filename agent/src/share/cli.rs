//! The library side of `borderfuse-agent keygen` and `borderfuse-agent verify`.

use super::Origin;
use super::sign::{Keyring, Signer, public_key_file_text, verify};
use std::io::{BufRead, Read as _, Write};
use std::path::{Path, PathBuf};

/// Longest message `verify` reads, bytes; longer lines are reported invalid and skipped.
pub const MAX_MESSAGE_BYTES: usize = 1 << 20;

/// `N` bytes from the operating system's random generator.
pub(crate) fn random_bytes<const N: usize>() -> std::io::Result<[u8; N]> {
    use rand::TryRngCore as _;
    let mut bytes = [0u8; N];
    rand::rngs::OsRng
        .try_fill_bytes(&mut bytes)
        .map_err(std::io::Error::other)?;
    Ok(bytes)
}

/// The files `keygen` wrote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyPaths {
    /// The private key (PKCS#8 PEM, mode 0600): stays at the post, `[signing] key`.
    pub private: PathBuf,
    /// The public key file partners put in their keyring.
    pub public: PathBuf,
    /// The key's id, as payloads will carry it.
    pub key_id: super::KeyId,
}

/// Why `keygen` wrote nothing.
#[derive(Debug, thiserror::Error)]
pub enum KeygenError {
    /// A file it would write exists: keys are never overwritten.
    #[error("{}: exists; refusing to overwrite a key (move it away first)", path.display())]
    Exists {
        /// The file.
        path: PathBuf,
    },
    /// A file or directory could not be written.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file or directory.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// The operating system's random generator failed.
    #[error("no randomness from the operating system: {0}")]
    Random(std::io::Error),
    /// The key could not be encoded.
    #[error("cannot encode the key: {0}")]
    Encode(String),
}

/// Creates `path` with `contents` and permission bits `mode`, failing if it exists.
fn write_new(path: &Path, contents: &[u8], mode: u32) -> Result<(), KeygenError> {
    let io = |source: std::io::Error| {
        if source.kind() == std::io::ErrorKind::AlreadyExists {
            KeygenError::Exists {
                path: path.to_owned(),
            }
        } else {
            KeygenError::Io {
                path: path.to_owned(),
                source,
            }
        }
    };
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt as _;
        options.mode(mode);
    }
    #[cfg(not(unix))]
    let _ = mode;
    let mut file = options.open(path).map_err(io)?;
    file.write_all(contents).map_err(io)?;
    file.sync_all().map_err(io)
}

/// Makes a new signing key for the post `origin` in `out_dir` (created if missing):
/// `{COUNTRY}-{post}.key.pem` (PKCS#8 PEM, mode 0600) and `{COUNTRY}-{post}.pub.pem` (the
/// public key bound to `origin`, for partners). Refuses to overwrite either file.
pub fn keygen(out_dir: &Path, origin: &Origin) -> Result<KeyPaths, KeygenError> {
    std::fs::create_dir_all(out_dir).map_err(|source| KeygenError::Io {
        path: out_dir.to_owned(),
        source,
    })?;
    let stem = format!("{}-{}", origin.country(), origin.post());
    let private = out_dir.join(format!("{stem}.key.pem"));
    let public = out_dir.join(format!("{stem}.pub.pem"));
    // Check both before writing either, so a refusal leaves nothing behind.
    for path in [&private, &public] {
        if path.symlink_metadata().is_ok() {
            return Err(KeygenError::Exists { path: path.clone() });
        }
    }
    let signer = Signer::generate().map_err(KeygenError::Random)?;
    let private_pem = signer
        .to_pkcs8_pem()
        .map_err(|e| KeygenError::Encode(e.to_string()))?;
    let public_text = public_key_file_text(&signer.verifying_key(), origin)
        .map_err(|e| KeygenError::Encode(e.to_string()))?;
    write_new(&private, private_pem.as_bytes(), 0o600)?;
    if let Err(e) = write_new(&public, public_text.as_bytes(), 0o644) {
        // Without its public half the private key is useless: leave no half-made pair.
        let _ = std::fs::remove_file(&private);
        return Err(e);
    }
    Ok(KeyPaths {
        private,
        public,
        key_id: signer.key_id(),
    })
}

/// Writes a new random plate key (32 bytes as hex, mode 0600) to `path`; refuses to
/// overwrite. One partner makes it and hands it to the others over a secure channel.
pub fn plate_keygen(path: &Path) -> Result<PathBuf, KeygenError> {
    let key = random_bytes::<32>().map_err(KeygenError::Random)?;
    write_new(path, format!("{}\n", hex::encode(key)).as_bytes(), 0o600)?;
    Ok(path.to_owned())
}

/// What `verify` found.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct VerifySummary {
    /// Messages whose signature checked out.
    pub valid: u64,
    /// Messages refused.
    pub invalid: u64,
    /// Empty lines skipped.
    pub blank: u64,
}

impl VerifySummary {
    /// At least one message, and none invalid: the exit status of `verify` is 0 only then.
    pub fn all_valid(&self) -> bool {
        self.valid > 0 && self.invalid == 0
    }
}

/// Verifies messages, one JSON object per line of `input` (as `mosquitto_sub` prints
/// payloads), writing one report line per message to `out`: `N: valid: …` or
/// `N: invalid: REASON`, N the line number.
pub fn verify_lines<R: BufRead, W: Write>(
    mut input: R,
    keyring: &Keyring,
    mut out: W,
) -> std::io::Result<VerifySummary> {
    let mut summary = VerifySummary::default();
    let mut line = Vec::new();
    let mut number = 0u64;
    loop {
        line.clear();
        let limit = MAX_MESSAGE_BYTES as u64 + 1;
        if (&mut input).take(limit).read_until(b'\n', &mut line)? == 0 {
            break;
        }
        number += 1;
        if line.len() > MAX_MESSAGE_BYTES && line.last() != Some(&b'\n') {
            skip_line(&mut input)?;
            summary.invalid += 1;
            writeln!(
                out,
                "{number}: invalid: longer than {MAX_MESSAGE_BYTES} bytes"
            )?;
            continue;
        }
        let message = line.trim_ascii();
        if message.is_empty() {
            summary.blank += 1;
            continue;
        }
        match verify(message, keyring) {
            Ok(alert) => {
                summary.valid += 1;
                let origin = alert
                    .origin
                    .as_ref()
                    .map_or_else(|| "any origin".to_owned(), Origin::to_string);
                writeln!(
                    out,
                    "{number}: valid: key {} ({origin}), {} {} revision {}",
                    alert.key_id,
                    alert.kind().unwrap_or("?"),
                    alert.id().unwrap_or("?"),
                    alert
                        .revision()
                        .map_or_else(|| "?".to_owned(), |r| r.to_string()),
                )?;
            }
            Err(e) => {
                summary.invalid += 1;
                writeln!(out, "{number}: invalid: {e}")?;
            }
        }
    }
    Ok(summary)
}

/// Consumes `input` up to and including the next newline.
fn skip_line<R: BufRead>(input: &mut R) -> std::io::Result<()> {
    loop {
        let buf = input.fill_buf()?;
        if buf.is_empty() {
            return Ok(());
        }
        match buf.iter().position(|b| *b == b'\n') {
            Some(i) => {
                input.consume(i + 1);
                return Ok(());
            }
            None => {
                let n = buf.len();
                input.consume(n);
            }
        }
    }
}
