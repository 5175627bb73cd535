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
use std::collections::{HashMap, HashSet};
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

/// The watchlist, as digests only: the files' entries, and the lists partners share over
/// MQTT ([`Hotlist::replace_list`]), each list kept apart so that a new version of it
/// removes only its own old entries.
#[derive(Debug, Clone, Default)]
pub struct Hotlist {
    /// How many sources hold each digest (the files count as one): listed while any does.
    refs: HashMap<PlateDigest, u32>,
    /// The files' entries (and those inserted directly): never replaced.
    files: HashSet<PlateDigest>,
    /// Shared lists by topic and name.
    shared: HashMap<ListId, SharedList>,
}

/// A shared list's identity: the topic it came on and the name it gives itself. The topic is
/// part of it so that a partner, allowed by the broker's ACL to publish only on its own
/// topic, cannot replace another partner's list by using its name.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ListId {
    /// The MQTT topic the list came on.
    pub topic: String,
    /// The list's `list` member.
    pub name: String,
}

impl fmt::Display for ListId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?} on {}", self.name, self.topic)
    }
}

#[derive(Debug, Clone)]
struct SharedList {
    version: u64,
    digests: HashSet<PlateDigest>,
}

/// Most shared lists held: a partner cannot grow memory with empty lists under new names.
pub const MAX_SHARED_LISTS: usize = 1024;

/// A shared list's new version, checked ([`parse_list_message`]).
#[derive(Debug, Clone, PartialEq)]
pub struct ListUpdate {
    /// Which list.
    pub id: ListId,
    /// Its version: only a higher one replaces what is held.
    pub version: u64,
    /// Its entries.
    pub digests: HashSet<PlateDigest>,
}

/// What a list update changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ListChange {
    /// The version replaced, if the list was held.
    pub previous: Option<u64>,
    /// Digests now listed that were not before.
    pub added: usize,
    /// Digests no longer listed.
    pub removed: usize,
}

/// Why a list update was not applied; the list held before stays as it was.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ListRefused {
    /// Its version is not newer than the one held (a replay, or a retained copy seen again).
    #[error("list {id}: version {offered} is not newer than {held}")]
    Stale {
        /// The list.
        id: ListId,
        /// The version held.
        held: u64,
        /// The version offered.
        offered: u64,
    },
    /// Taking it would list more than `max_hotlist_entries` digests in all.
    #[error("list {id}: {would_hold} entries in all would exceed {max}")]
    TooMany {
        /// The list.
        id: ListId,
        /// Distinct digests there would be.
        would_hold: usize,
        /// The cap.
        max: usize,
    },
    /// [`MAX_SHARED_LISTS`] lists are held already.
    #[error("list {id}: {MAX_SHARED_LISTS} shared lists held already")]
    TooManyLists {
        /// The list.
        id: ListId,
    },
}

impl Hotlist {
    /// A hotlist of these digests.
    pub fn from_digests(digests: impl IntoIterator<Item = PlateDigest>) -> Hotlist {
        let mut h = Hotlist::default();
        for d in digests {
            h.insert(d);
        }
        h
    }

    /// Distinct digests listed.
    pub fn len(&self) -> usize {
        self.refs.len()
    }

    /// Whether it holds nothing.
    pub fn is_empty(&self) -> bool {
        self.refs.is_empty()
    }

    /// Adds one digest to the fixed entries (as a file's).
    pub fn insert(&mut self, digest: PlateDigest) {
        if self.files.insert(digest) {
            *self.refs.entry(digest).or_insert(0) += 1;
        }
    }

    /// Whether `digest` is listed.
    pub fn contains(&self, digest: &PlateDigest) -> bool {
        self.refs.contains_key(digest)
    }

    /// The version held of a shared list.
    pub fn list_version(&self, id: &ListId) -> Option<u64> {
        self.shared.get(id).map(|l| l.version)
    }

    /// Replaces shared list `update.id` with its new version when that is newer than the one
    /// held and all lists and files together stay within `max_entries` distinct digests;
    /// otherwise nothing changes.
    pub fn replace_list(
        &mut self,
        update: ListUpdate,
        max_entries: usize,
    ) -> Result<ListChange, ListRefused> {
        let ListUpdate {
            id,
            version,
            digests,
        } = update;
        let old = self.shared.get(&id);
        if let Some(old) = old
            && version <= old.version
        {
            return Err(ListRefused::Stale {
                held: old.version,
                offered: version,
                id,
            });
        }
        if old.is_none() && self.shared.len() >= MAX_SHARED_LISTS {
            return Err(ListRefused::TooManyLists { id });
        }
        // Counted before anything changes, so that a refusal leaves the old version whole.
        let empty = HashSet::new();
        let old_digests = old.map_or(&empty, |l| &l.digests);
        let added = digests
            .iter()
            .filter(|d| !self.refs.contains_key(d))
            .count();
        let removed = old_digests
            .iter()
            .filter(|d| self.refs.get(d) == Some(&1) && !digests.contains(d))
            .count();
        let would_hold = self.refs.len() - removed + added;
        if would_hold > max_entries {
            return Err(ListRefused::TooMany {
                id,
                would_hold,
                max: max_entries,
            });
        }
        for d in &digests {
            *self.refs.entry(*d).or_insert(0) += 1;
        }
        let previous = self.shared.insert(id, SharedList { version, digests });
        if let Some(old) = &previous {
            self.release(&old.digests);
        }
        Ok(ListChange {
            previous: previous.map(|l| l.version),
            added,
            removed,
        })
    }

    /// Drops the shared lists that came on `topic` (its retained message was cleared);
    /// returns the digests no longer listed.
    pub fn withdraw_topic(&mut self, topic: &str) -> usize {
        let before = self.refs.len();
        let ids: Vec<ListId> = self
            .shared
            .keys()
            .filter(|id| id.topic == topic)
            .cloned()
            .collect();
        for id in ids {
            if let Some(list) = self.shared.remove(&id) {
                self.release(&list.digests);
            }
        }
        before - self.refs.len()
    }

    fn release(&mut self, digests: &HashSet<PlateDigest>) {
        for d in digests {
            if let Some(n) = self.refs.get_mut(d) {
                *n -= 1;
                if *n == 0 {
                    self.refs.remove(d);
                }
            }
        }
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
            if self.refs.len() >= max_entries && !self.contains(&digest) {
                return Err(HotlistError::TooLong {
                    path: path.to_owned(),
                    max: max_entries,
                });
            }
            self.insert(digest);
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
            if self.contains(&digest) {
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

/// Longest shared list name, characters.
pub const MAX_LIST_NAME: usize = 128;

/// Why a shared list message was refused (counted, logged at a rate limit; the list held
/// before stays).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ListMessageError {
    /// Over the size bound (`plates.max_hotlist_message_bytes`).
    #[error("{bytes} bytes, at most {max}")]
    TooLarge {
        /// Its size.
        bytes: usize,
        /// The bound.
        max: usize,
    },
    /// Not the JSON document a list is (`{"list", "version", "digests"}`).
    #[error("not a hotlist document: {0}")]
    Json(String),
    /// The list's name is empty, too long or has control characters.
    #[error("list name {0:?} must be 1-{MAX_LIST_NAME} printable characters")]
    Name(String),
    /// An entry that is not 64 hex digits (optionally after `hmac-sha256:`).
    #[error("digests[{index}] is not 64 hex digits")]
    Digest {
        /// Its index in `digests`.
        index: usize,
    },
    /// More entries than `max_hotlist_entries`, in this list alone.
    #[error("{count} digests, at most {max}")]
    TooManyEntries {
        /// Entries in the message.
        count: usize,
        /// The cap.
        max: usize,
    },
}

/// A shared list as it travels: `{"list": "<name>", "version": N, "digests": ["<64 hex>",
/// ...]}`; other members are ignored.
#[derive(serde::Deserialize)]
struct ListMessage<'a> {
    list: String,
    version: u64,
    #[serde(borrow)]
    digests: Vec<&'a str>,
}

/// Reads a shared list that came on `topic`: at most `max_bytes`, at most `max_entries`
/// digests, each 64 hex digits (as `share::plate` writes them, with or without the
/// `hmac-sha256:` prefix). Digests only: a plate in clear is refused like any bad entry,
/// since nothing but the shared key's hashes may travel.
pub fn parse_list_message(
    topic: &str,
    payload: &[u8],
    max_bytes: usize,
    max_entries: usize,
) -> Result<ListUpdate, ListMessageError> {
    if payload.len() > max_bytes {
        return Err(ListMessageError::TooLarge {
            bytes: payload.len(),
            max: max_bytes,
        });
    }
    let message: ListMessage<'_> =
        serde_json::from_slice(payload).map_err(|e| ListMessageError::Json(e.to_string()))?;
    let name_ok = !message.list.is_empty()
        && message.list.chars().count() <= MAX_LIST_NAME
        && !message.list.chars().any(char::is_control);
    if !name_ok {
        return Err(ListMessageError::Name(
            message.list.chars().take(MAX_LIST_NAME).collect(),
        ));
    }
    if message.digests.len() > max_entries {
        return Err(ListMessageError::TooManyEntries {
            count: message.digests.len(),
            max: max_entries,
        });
    }
    let mut digests = HashSet::with_capacity(message.digests.len());
    for (index, text) in message.digests.iter().enumerate() {
        let hex_digits = text.strip_prefix(PLATE_HASH_PREFIX).unwrap_or(text);
        let mut bytes = [0u8; 32];
        hex::decode_to_slice(hex_digits, &mut bytes)
            .map_err(|_| ListMessageError::Digest { index })?;
        digests.insert(PlateDigest(bytes));
    }
    Ok(ListUpdate {
        id: ListId {
            topic: topic.to_owned(),
            name: message.list,
        },
        version: message.version,
        digests,
    })
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

    fn digest(n: u8) -> PlateDigest {
        PlateDigest([n; 32])
    }

    fn update(topic: &str, name: &str, version: u64, digests: &[u8]) -> ListUpdate {
        ListUpdate {
            id: ListId {
                topic: topic.into(),
                name: name.into(),
            },
            version,
            digests: digests.iter().map(|n| digest(*n)).collect(),
        }
    }

    #[test]
    fn a_new_version_of_a_list_replaces_only_that_lists_digests() {
        let mut h = Hotlist::from_digests([digest(1)]);
        let gr = update("hl/gr", "stolen", 1, &[1, 2, 3]);
        let change = h.replace_list(gr.clone(), 100).unwrap();
        assert_eq!(
            (change.previous, change.added, change.removed),
            (None, 2, 0)
        );
        h.replace_list(update("hl/bg", "wanted", 7, &[3, 4]), 100)
            .unwrap();
        assert_eq!(h.len(), 4);
        // Version 2 of GR's list drops 1, 2 and 3: 1 stays (the file's), 3 stays (BG's).
        let change = h
            .replace_list(update("hl/gr", "stolen", 2, &[5]), 100)
            .unwrap();
        assert_eq!(
            (change.previous, change.added, change.removed),
            (Some(1), 1, 1)
        );
        for (n, listed) in [(1, true), (2, false), (3, true), (4, true), (5, true)] {
            assert_eq!(h.contains(&digest(n)), listed, "digest {n}");
        }
        // The same name on another topic is another list.
        h.replace_list(update("hl/bg", "stolen", 1, &[6]), 100)
            .unwrap();
        assert!(h.contains(&digest(5)) && h.contains(&digest(6)));
        assert_eq!(
            h.withdraw_topic("hl/bg"),
            3,
            "3 was BG's and GR's old; 4 and 6"
        );
        assert!(!h.contains(&digest(4)) && !h.contains(&digest(3)));
        assert!(h.contains(&digest(1)) && h.contains(&digest(5)));
    }

    #[test]
    fn a_stale_or_oversized_list_is_refused_and_the_held_one_kept() {
        let mut h = Hotlist::from_digests([digest(1)]);
        h.replace_list(update("t", "l", 5, &[2, 3]), 4).unwrap();
        for version in [4, 5] {
            assert!(matches!(
                h.replace_list(update("t", "l", version, &[9]), 4),
                Err(ListRefused::Stale { held: 5, .. })
            ));
        }
        // 1 (file) + 4 new = 5 > 4; the old version's 2 and 3 would go, which is counted.
        assert!(matches!(
            h.replace_list(update("t", "l", 6, &[4, 5, 6, 7]), 4),
            Err(ListRefused::TooMany {
                would_hold: 5,
                max: 4,
                ..
            })
        ));
        assert_eq!(h.list_version(&update("t", "l", 0, &[]).id), Some(5));
        assert!(h.contains(&digest(2)) && !h.contains(&digest(4)));
        // Three new ones in place of two old ones fit exactly.
        h.replace_list(update("t", "l", 6, &[4, 5, 6]), 4).unwrap();
        assert_eq!(h.len(), 4);
        assert!(!h.contains(&digest(2)));
    }

    #[test]
    fn a_list_message_holds_digests_only_within_its_bounds() {
        let d = "ab".repeat(32);
        let text = format!(
            r#"{{"list": "gr-stolen", "version": 3, "digests": ["{d}", "hmac-sha256:{}"],
                "issued": "2026-11-18"}}"#,
            "cd".repeat(32)
        );
        let u = parse_list_message("hl/gr", text.as_bytes(), 4096, 10).unwrap();
        assert_eq!(u.id.name, "gr-stolen");
        assert_eq!(u.id.topic, "hl/gr");
        assert_eq!(u.version, 3);
        assert!(u.digests.contains(&PlateDigest([0xab; 32])));
        assert!(u.digests.contains(&PlateDigest([0xcd; 32])));
        let bad = |payload: &str| parse_list_message("t", payload.as_bytes(), 4096, 1);
        assert!(matches!(
            bad(r#"{"list": "l", "version": 1, "digests": ["AB123CD"]}"#),
            Err(ListMessageError::Digest { index: 0 })
        ));
        assert!(matches!(
            bad(r#"{"list": "", "version": 1, "digests": []}"#),
            Err(ListMessageError::Name(_))
        ));
        assert!(matches!(
            bad(r#"{"list": "l", "version": -1, "digests": []}"#),
            Err(ListMessageError::Json(_))
        ));
        assert!(matches!(bad("not json"), Err(ListMessageError::Json(_))));
        assert!(matches!(
            bad(&format!(
                r#"{{"list": "l", "version": 1, "digests": ["{d}", "{d}"]}}"#
            )),
            Err(ListMessageError::TooManyEntries { count: 2, max: 1 })
        ));
        assert!(matches!(
            parse_list_message("t", text.as_bytes(), 100, 10),
            Err(ListMessageError::TooLarge { max: 100, .. })
        ));
    }
}
