//! `plate_hotlist`: a watchlist the post holds only as keyed hashes.
//!
//! Entries are HMAC-SHA256 digests of normalised plates under the partners' shared plate key
//! (`share::PlateKey`, the digests `share::plate` writes as `hmac-sha256:<hex>`), so a
//! partner's list tells the post nothing it has not read itself. The fuzzy part happens on
//! the clear plate at the post: every variant of a read ([`super::confusion`]) is hashed
//! and looked up, and the best-scoring hit is the match.
//!
//! A hotlist file has one entry a line: `hmac-sha256:<64 hex digits>`, or a plate in clear
//! (`PLATE` or `PLATE,COUNTRY`, normalised for the country and hashed at load, and the
//! clear text dropped). Blank lines and lines starting with `#` are ignored.

use super::confusion::Variants;
use super::format::{FormatError, format_of, normalise};
use crate::share::PlateKey;
use crate::share::plate::PLATE_HASH_PREFIX;
use std::collections::HashSet;
use std::fmt;
use std::path::{Path, PathBuf};

/// The keyed hash of a normalised plate: 32 bytes of HMAC-SHA256.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PlateDigest(pub [u8; 32]);

impl PlateDigest {
    /// The digest of `normalised` (already normalised: it is hashed as it is).
    pub fn of(key: &PlateKey, normalised: &str) -> PlateDigest {
        PlateDigest(key.hmac_bytes(normalised.as_bytes()))
    }

    /// Reads `hmac-sha256:<64 hex digits>`.
    pub fn parse(text: &str) -> Option<PlateDigest> {
        let hex_digits = text.strip_prefix(PLATE_HASH_PREFIX)?;
        let mut bytes = [0u8; 32];
        hex::decode_to_slice(hex_digits, &mut bytes).ok()?;
        Some(PlateDigest(bytes))
    }
}

impl fmt::Display for PlateDigest {
    /// As `share::plate` writes plate pseudonyms: `hmac-sha256:<hex>`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{PLATE_HASH_PREFIX}{}", hex::encode(self.0))
    }
}

impl fmt::Debug for PlateDigest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

/// Why a hotlist file was refused.
#[derive(Debug, thiserror::Error)]
pub enum HotlistError {
    /// The file could not be read.
    #[error("cannot read hotlist {path}: {source}")]
    Read {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// A line that is neither a digest nor a valid plate.
    #[error("hotlist {path} line {line}: {reason}")]
    Line {
        /// The file.
        path: PathBuf,
        /// Line number, from 1.
        line: usize,
        /// What is wrong with it.
        reason: String,
    },
    /// More entries than the configured cap.
    #[error("hotlist {path}: more than {max} entries")]
    TooLong {
        /// The file.
        path: PathBuf,
        /// The cap.
        max: usize,
    },
}

/// A hit: the variant of the read whose hash is listed.
#[derive(Debug, Clone, PartialEq)]
pub struct HotlistMatch {
    /// The variant, in clear (it never leaves the post unless the policy allows).
    pub plate: String,
    /// Its hash, as listed.
    pub digest: PlateDigest,
    /// The variant's score ([`super::confusion::Variant::score`]).
    pub score: f32,
    /// Confusions assumed to reach it.
    pub substitutions: usize,
}

/// The watchlist, as digests only.
#[derive(Debug, Clone, Default)]
pub struct Hotlist {
    digests: HashSet<PlateDigest>,
}

impl Hotlist {
    /// A hotlist of these digests.
    pub fn from_digests(digests: impl IntoIterator<Item = PlateDigest>) -> Hotlist {
        Hotlist {
            digests: digests.into_iter().collect(),
        }
    }

    /// Entries held.
    pub fn len(&self) -> usize {
        self.digests.len()
    }

    /// Whether it holds nothing.
    pub fn is_empty(&self) -> bool {
        self.digests.is_empty()
    }

    /// Adds one digest.
    pub fn insert(&mut self, digest: PlateDigest) {
        self.digests.insert(digest);
    }

    /// Whether `digest` is listed.
    pub fn contains(&self, digest: &PlateDigest) -> bool {
        self.digests.contains(digest)
    }

    /// Adds the entries of a hotlist file's text (see the module documentation); `path`
    /// names it in errors. At most `max_entries` in all.
    pub fn add_text(
        &mut self,
        text: &str,
        path: &Path,
        key: &PlateKey,
        max_entries: usize,
    ) -> Result<(), HotlistError> {
        for (index, raw) in text.lines().enumerate() {
            let line = raw.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let bad = |reason: String| HotlistError::Line {
                path: path.to_owned(),
                line: index + 1,
                reason,
            };
            let digest = if line.starts_with(PLATE_HASH_PREFIX) {
                PlateDigest::parse(line)
                    .ok_or_else(|| bad("not hmac-sha256: and 64 hex digits".into()))?
            } else {
                let (plate, country) = line.split_once(',').unwrap_or((line, ""));
                let normalised = normalise(plate, format_of(country.trim()))
                    .map_err(|e: FormatError| bad(e.to_string()))?;
                PlateDigest::of(key, &normalised)
            };
            if self.digests.len() >= max_entries && !self.digests.contains(&digest) {
                return Err(HotlistError::TooLong {
                    path: path.to_owned(),
                    max: max_entries,
                });
            }
            self.digests.insert(digest);
        }
        Ok(())
    }

    /// Adds the entries of the file at `path`.
    pub fn load_file(
        &mut self,
        path: &Path,
        key: &PlateKey,
        max_entries: usize,
    ) -> Result<(), HotlistError> {
        let text = std::fs::read_to_string(path).map_err(|source| HotlistError::Read {
            path: path.to_owned(),
            source,
        })?;
        self.add_text(&text, path, key, max_entries)
    }

    /// The best-scoring variant whose hash is listed, if its score reaches `min_score`.
    pub fn best_match(
        &self,
        key: &PlateKey,
        variants: &Variants,
        min_score: f32,
    ) -> Option<HotlistMatch> {
        let mut best: Option<HotlistMatch> = None;
        for v in &variants.list {
            if v.score < min_score || best.as_ref().is_some_and(|b| b.score >= v.score) {
                // Hashing is the cost; skip what cannot win.
                continue;
            }
            let digest = PlateDigest::of(key, &v.plate);
            if self.digests.contains(&digest) {
                best = Some(HotlistMatch {
                    plate: v.plate.clone(),
                    digest,
                    score: v.score,
                    substitutions: v.substitutions,
                });
            }
        }
        best
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plates::confusion::VariantLimits;
    use crate::plates::format::GENERIC;

    fn key() -> PlateKey {
        PlateKey::from_bytes(&[9; 32]).unwrap()
    }

    #[test]
    fn digests_print_and_parse_as_share_plate_writes_them() {
        let d = PlateDigest::of(&key(), "AB123CD");
        assert_eq!(d.to_string(), key().hash("AB123CD"));
        assert_eq!(PlateDigest::parse(&d.to_string()), Some(d));
        assert_eq!(PlateDigest::parse("hmac-sha256:12"), None);
    }

    #[test]
    fn a_file_of_digests_and_clear_plates_holds_only_digests() {
        let text = format!(
            "# partner GR\n{}\n\nab-123-cd,FR\n ΙΚΒ 1234 , GR \n",
            key().hash("XY999ZZ")
        );
        let mut h = Hotlist::default();
        h.add_text(&text, Path::new("h.txt"), &key(), 10).unwrap();
        assert_eq!(h.len(), 3);
        assert!(h.contains(&PlateDigest::of(&key(), "XY999ZZ")));
        assert!(h.contains(&PlateDigest::of(&key(), "AB123CD")));
        assert!(h.contains(&PlateDigest::of(&key(), "IKB1234")));
        assert!(!format!("{h:?}").contains("AB123CD"));
    }

    #[test]
    fn a_bad_line_is_refused_with_its_number() {
        let mut h = Hotlist::default();
        let e = h
            .add_text("AB123CD\nAO12,IT\n", Path::new("h.txt"), &key(), 10)
            .unwrap_err();
        assert!(matches!(e, HotlistError::Line { line: 2, .. }), "{e}");
        let e = h
            .add_text("hmac-sha256:zz\n", Path::new("h.txt"), &key(), 10)
            .unwrap_err();
        assert!(matches!(e, HotlistError::Line { line: 1, .. }), "{e}");
        let e = h
            .add_text("A1234\nB1234\n", Path::new("h.txt"), &key(), 2)
            .unwrap_err();
        assert!(matches!(e, HotlistError::TooLong { max: 2, .. }), "{e}");
    }

    #[test]
    fn a_misread_plate_matches_its_listed_form_with_a_lower_score() {
        let h = Hotlist::from_digests([PlateDigest::of(&key(), "AB123CD")]);
        let limits = VariantLimits::default();
        let exact = Variants::of([("AB123CD", 0.9)], &GENERIC, &limits);
        let m = h.best_match(&key(), &exact, 0.1).unwrap();
        assert_eq!(
            (m.plate.as_str(), m.score, m.substitutions),
            ("AB123CD", 0.9, 0)
        );
        let misread = Variants::of([("A8I23CD", 0.9)], &GENERIC, &limits);
        let m = h.best_match(&key(), &misread, 0.1).unwrap();
        assert_eq!((m.plate.as_str(), m.substitutions), ("AB123CD", 2));
        assert!((m.score - 0.225).abs() < 1e-6);
        assert!(
            h.best_match(&key(), &misread, 0.3).is_none(),
            "below min_score"
        );
        let other = Variants::of([("XY123CD", 0.9)], &GENERIC, &limits);
        assert!(h.best_match(&key(), &other, 0.0).is_none());
    }
}
