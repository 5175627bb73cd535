//! Plates: licence-plate reads at land checkpoints, matched without exposing plates.
//!
//! ```text
//! camera JSON / PlateRead frame ─▶ read (checked, normalised) ─▶ confusion variants
//!     ─▶ hashed (HMAC-SHA256, partners' key) ─▶ hotlist lookup      ─▶ plate_hotlist
//!                                             ─▶ crossing tracker  ─▶ plate_clone, repeat_crossing
//! ```
//!
//! | part | module |
//! |---|---|
//! | reads from frames and camera JSON, refused with a typed error when bad | [`read`] |
//! | normalisation and alphabet per country (DE, FR, ES, IT, PL, GR, generic) | [`format`] |
//! | OCR-confusion variants with scores, a match score | [`confusion`] |
//! | the hashed watchlist | [`hotlist`] |
//! | passages per plate digest, clones, repeat crossings | [`crossing`] |
//! | settings (`[plates]`), shared hotlists over MQTT | [`config`] |
//! | offline replay of camera reads for scoring (`borderfuse-agent plates`) | [`replay`] |
//!
//! [`PlateEngine`] puts them together: [`PlateEngine::ingest`] takes a checked read and
//! the clock and returns [`PlateEvent`]s. It keeps plates in clear only for
//! `clear_retention_s` (for the operator's display and the alert at the post); its passage
//! state is keyed by digests and kept for `crossing.retention_s`. The pipeline feeds it node
//! frames and camera reads (TCP lines, HTTP posts) and shared hotlist updates; see the
//! README's Plates section.

pub mod config;
pub mod confusion;
pub mod crossing;
pub mod format;
pub mod hotlist;
pub mod read;
pub mod replay;

pub use config::PlatesConfig;
pub use confusion::{VariantLimits, Variants};
pub use crossing::{Checkpoint, CloneEvidence, CrossingLimits, CrossingTracker, Recorded};
pub use hotlist::{Hotlist, HotlistMatch, PlateDigest};
pub use read::{PlateObservation, ReadError};

use crate::decode::Time;
use crate::detect::lifecycle::situation_id;
use crate::detect::{Alert, AlertKind, AlertState, Identity, Severity};
use crate::metrics::RateLimit;
use crate::share::PlateKey;
use std::collections::HashMap;
use std::time::Duration;

/// Counters of the plate engine: every refusal and every bound hit.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PlateStats {
    /// Reads offered (frames and JSON).
    pub reads: u64,
    /// Reads accepted and processed.
    pub accepted: u64,
    /// Refused: malformed JSON or a missing member.
    pub rejected_malformed: u64,
    /// Refused: a character outside the country's alphabet.
    pub rejected_alphabet: u64,
    /// Refused: too short or too long for the country.
    pub rejected_length: u64,
    /// Refused: a confidence outside `[0, 1]`.
    pub rejected_confidence: u64,
    /// Refused: a timestamp unreadable or beyond the allowed skew into the future.
    pub rejected_time: u64,
    /// Refused: the read's checkpoint is not configured.
    pub rejected_checkpoint: u64,
    /// Candidates dropped (not fitting the format, or beyond the cap).
    pub candidates_dropped: u64,
    /// Reads whose variants were cut at `max_variants`.
    pub variant_cap_hits: u64,
    /// New plates not tracked because `max_plates` was reached.
    pub plate_cap_hits: u64,
    /// New passages recorded.
    pub passages: u64,
    /// Reads merged into a passage already recorded.
    pub merged_reads: u64,
    /// `plate_hotlist` events.
    pub hotlist_events: u64,
    /// `plate_clone` events.
    pub clone_events: u64,
    /// `repeat_crossing` events.
    pub repeat_events: u64,
    /// Clear plates deleted at the end of their retention.
    pub clear_plates_deleted: u64,
    /// Plates forgotten by the crossing tracker at the end of their retention.
    pub plates_forgotten: u64,
    /// Distinct digests listed now (files and shared lists).
    pub hotlist_listed: u64,
    /// Shared hotlists taken (new lists and new versions).
    pub hotlist_updates: u64,
    /// Shared hotlists ignored: not newer than the version held.
    pub hotlist_stale: u64,
    /// Shared hotlists refused: beyond `max_hotlist_entries` or the number of lists.
    pub hotlist_refused: u64,
    /// Shared hotlists withdrawn (their retained message cleared).
    pub hotlist_withdrawn: u64,
}

impl PlateStats {
    /// Counts a refused read under its reason.
    pub fn count_rejection(&mut self, error: &ReadError) {
        self.reads += 1;
        let counter = match error {
            ReadError::Malformed(_) | ReadError::Missing(_) => &mut self.rejected_malformed,
            ReadError::Format(format::FormatError::Alphabet { .. }) => &mut self.rejected_alphabet,
            ReadError::Format(format::FormatError::Length { .. }) => &mut self.rejected_length,
            ReadError::Confidence(_) => &mut self.rejected_confidence,
            ReadError::Timestamp(_) | ReadError::Future { .. } => &mut self.rejected_time,
        };
        *counter += 1;
    }
}

/// What the plate engine found. Plates in clear stay at the post; the digests are what may
/// leave it.
#[derive(Debug, Clone, PartialEq)]
pub enum PlateEvent {
    /// A read matched the watchlist.
    Hotlist {
        /// The listed plate's digest.
        digest: PlateDigest,
        /// The listed plate in clear (the matching variant of the read).
        plate: String,
        /// What the camera read.
        read: String,
        /// The match's score ([`confusion::Variant::score`]).
        score: f32,
        /// Confusions assumed between `read` and `plate`.
        substitutions: usize,
        /// Where.
        checkpoint: String,
        /// When, Unix s.
        t: Time,
    },
    /// The plate passed here too soon after passing elsewhere.
    Clone {
        /// The plate's digest.
        digest: PlateDigest,
        /// The plate in clear, when read at this post and still retained.
        plate: Option<String>,
        /// Where the second passage was.
        checkpoint: String,
        /// When, Unix s.
        t: Time,
        /// The passage it cannot have driven from.
        evidence: CloneEvidence,
    },
    /// More crossings than allowed within the window.
    RepeatCrossing {
        /// The plate's digest.
        digest: PlateDigest,
        /// The plate in clear, when read at this post and still retained.
        plate: Option<String>,
        /// Where the last crossing was.
        checkpoint: String,
        /// When, Unix s.
        t: Time,
        /// Crossings within the window.
        crossings: usize,
    },
}

impl PlateEvent {
    /// The alert kind (DESIGN.md) this event raises.
    pub fn kind(&self) -> &'static str {
        match self {
            PlateEvent::Hotlist { .. } => "plate_hotlist",
            PlateEvent::Clone { .. } => "plate_clone",
            PlateEvent::RepeatCrossing { .. } => "repeat_crossing",
        }
    }
}

/// The engine's settings, checked ([`PlatesConfig`] makes them from the config file).
#[derive(Debug, Clone, PartialEq)]
pub struct EngineSettings {
    /// How far in the future a read may be, s.
    pub max_future_skew_s: f64,
    /// How long a plate is kept in clear after it was last read, s.
    pub clear_retention_s: f64,
    /// Variant generation.
    pub variants: VariantLimits,
    /// Lowest variant score a hotlist match may have.
    pub min_hotlist_score: f32,
    /// Crossing tracker.
    pub crossing: CrossingLimits,
    /// Checkpoints, own and partners'.
    pub checkpoints: Vec<Checkpoint>,
    /// How often expired state is purged, s.
    pub purge_interval_s: f64,
    /// Most distinct hotlist digests, files and shared lists together.
    pub max_hotlist_entries: usize,
}

impl Default for EngineSettings {
    fn default() -> Self {
        EngineSettings {
            max_future_skew_s: 30.0,
            clear_retention_s: 86_400.0,
            variants: VariantLimits::default(),
            min_hotlist_score: 0.2,
            crossing: CrossingLimits::default(),
            checkpoints: Vec::new(),
            purge_interval_s: 60.0,
            max_hotlist_entries: 2_000_000,
        }
    }
}

/// A plate kept in clear, and until when.
#[derive(Debug, Clone)]
struct ClearPlate {
    plate: String,
    last_seen: Time,
}

/// Reads in, plate events out (see the module documentation).
#[derive(Debug)]
pub struct PlateEngine {
    settings: EngineSettings,
    key: PlateKey,
    hotlist: Hotlist,
    crossings: CrossingTracker,
    clear: HashMap<PlateDigest, ClearPlate>,
    next_purge: Time,
    stats: PlateStats,
    /// Refused reads are logged at most once a minute (all are counted).
    rejection_log: RateLimit,
    /// So are refused shared hotlists.
    hotlist_log: RateLimit,
}

/// A change to the shared hotlists, from their MQTT topics.
#[derive(Debug, Clone, PartialEq)]
pub enum HotlistUpdate {
    /// A list's new version.
    Replace(hotlist::ListUpdate),
    /// The retained message of `topic` was cleared: its lists are no longer shared.
    Withdraw {
        /// The topic.
        topic: String,
    },
}

impl PlateEngine {
    /// An engine hashing with `key` (the partners' shared plate key), matching `hotlist`.
    pub fn new(settings: EngineSettings, key: PlateKey, hotlist: Hotlist) -> PlateEngine {
        let crossings = CrossingTracker::new(settings.checkpoints.clone(), settings.crossing);
        let mut engine = PlateEngine {
            settings,
            key,
            hotlist,
            crossings,
            clear: HashMap::new(),
            next_purge: f64::NEG_INFINITY,
            stats: PlateStats::default(),
            rejection_log: RateLimit::new(Duration::from_secs(60)),
            hotlist_log: RateLimit::new(Duration::from_secs(60)),
        };
        engine.refresh_listed();
        engine
    }

    /// The counters.
    pub fn stats(&self) -> &PlateStats {
        &self.stats
    }

    fn refresh_listed(&mut self) {
        self.stats.hotlist_listed = self.hotlist.len() as u64;
    }

    /// The hotlist, to add to it. (`hotlist_listed` is refreshed with the next update.)
    pub fn hotlist_mut(&mut self) -> &mut Hotlist {
        &mut self.hotlist
    }

    /// Takes a shared hotlist's new version (or drops a withdrawn topic's lists), within
    /// `max_hotlist_entries`; a refused update leaves the list held before. Counted; logged
    /// at a rate limit when refused.
    pub fn update_hotlist(&mut self, update: HotlistUpdate) {
        match update {
            HotlistUpdate::Replace(list) => {
                let id = list.id.clone();
                let version = list.version;
                match self
                    .hotlist
                    .replace_list(list, self.settings.max_hotlist_entries)
                {
                    Ok(change) => {
                        self.stats.hotlist_updates += 1;
                        tracing::info!(list = %id, version, previous = ?change.previous, added = change.added, removed = change.removed, listed = self.hotlist.len(), "shared hotlist taken");
                    }
                    Err(e) => {
                        if matches!(e, hotlist::ListRefused::Stale { .. }) {
                            self.stats.hotlist_stale += 1;
                        } else {
                            self.stats.hotlist_refused += 1;
                        }
                        if let Some(held_back) = self.hotlist_log.check() {
                            tracing::warn!(error = %e, held_back, "shared hotlist not taken");
                        }
                    }
                }
            }
            HotlistUpdate::Withdraw { topic } => {
                let removed = self.hotlist.withdraw_topic(&topic);
                self.stats.hotlist_withdrawn += 1;
                tracing::info!(%topic, removed, listed = self.hotlist.len(), "shared hotlists withdrawn");
            }
        }
        self.refresh_listed();
    }

    /// The hotlist.
    pub fn hotlist(&self) -> &Hotlist {
        &self.hotlist
    }

    /// The clear text of a plate still retained at the post.
    pub fn clear_plate(&self, digest: &PlateDigest) -> Option<&str> {
        self.clear.get(digest).map(|c| c.plate.as_str())
    }

    /// Whether the crossing tracker still holds this plate's passages.
    pub fn tracks(&self, digest: &PlateDigest) -> bool {
        self.crossings.contains(digest)
    }

    /// The digest of a normalised plate under the engine's key.
    pub fn digest(&self, normalised: &str) -> PlateDigest {
        PlateDigest::of(&self.key, normalised)
    }

    /// The alert of `event` for post `post` of `country`: raised once (a plate event is a
    /// moment, not a situation that lasts), at the checkpoint's position, the plate in
    /// clear in `identity.plate` and the other plates under `evidence.plates` (the sharing
    /// policy hashes both before they leave the post), the digests under `evidence`.
    pub fn alert(&self, event: &PlateEvent, country: &str, post: &str) -> Alert {
        let (kind, severity, digest, plate, checkpoint, t, evidence) = match event {
            PlateEvent::Hotlist {
                digest,
                plate,
                read,
                score,
                substitutions,
                checkpoint,
                t,
            } => (
                AlertKind::PlateHotlist,
                Severity::High,
                digest,
                Some(plate),
                checkpoint,
                *t,
                serde_json::json!({
                    "checkpoint": checkpoint,
                    "plates": { "read": read },
                    "score": f64::from(*score),
                    "substitutions": substitutions,
                }),
            ),
            PlateEvent::Clone {
                digest,
                plate,
                checkpoint,
                t,
                evidence,
            } => (
                AlertKind::PlateClone,
                Severity::High,
                digest,
                plate.as_ref(),
                checkpoint,
                *t,
                serde_json::json!({
                    "checkpoint": checkpoint,
                    "plate_hash": digest.to_string(),
                    "other_checkpoint": evidence.other_checkpoint,
                    "other_time": crate::detect::rfc3339(evidence.other_t),
                    "road_km": crate::detect::round_to(evidence.road_m / 1000.0, 0.1),
                    "min_travel_s": evidence.min_travel_s.round(),
                    "elapsed_s": evidence.elapsed_s.round(),
                }),
            ),
            PlateEvent::RepeatCrossing {
                digest,
                plate,
                checkpoint,
                t,
                crossings,
            } => (
                AlertKind::RepeatCrossing,
                Severity::Medium,
                digest,
                plate.as_ref(),
                checkpoint,
                *t,
                serde_json::json!({
                    "checkpoint": checkpoint,
                    "plate_hash": digest.to_string(),
                    "crossings": crossings,
                    "window_s": self.settings.crossing.repeat_window_s,
                }),
            ),
        };
        let (lat, lon) = self
            .settings
            .checkpoints
            .iter()
            .find(|c| c.id == *checkpoint)
            .map_or((f64::NAN, f64::NAN), |c| (c.lat, c.lon));
        let origin = format!("{country}/{post}");
        Alert {
            id: situation_id(&origin, kind, &digest.to_string(), t),
            revision: 0,
            state: AlertState::Raised,
            kind,
            severity,
            time: t,
            raised: t,
            first_seen: t,
            lat,
            lon,
            track_id: None,
            identity: Identity {
                plate: plate.cloned(),
                ..Identity::default()
            },
            evidence,
        }
    }

    /// A node's `PlateRead` frame read at `t` at `checkpoint`: checked, then
    /// [`PlateEngine::ingest`].
    pub fn ingest_frame(
        &mut self,
        read: &borderfuse_common::frame::PlateRead,
        t: Time,
        checkpoint: &str,
        now: Time,
    ) -> Vec<PlateEvent> {
        match read::from_frame(read, t, checkpoint, now, self.settings.max_future_skew_s) {
            Ok(observation) => self.ingest(&observation, now),
            Err(e) => {
                self.refuse(checkpoint, &e);
                Vec::new()
            }
        }
    }

    /// A camera JSON message read at `checkpoint`: checked, then [`PlateEngine::ingest`].
    pub fn ingest_json(&mut self, text: &str, checkpoint: &str, now: Time) -> Vec<PlateEvent> {
        match read::from_camera_json(text, checkpoint, now, self.settings.max_future_skew_s) {
            Ok((observation, dropped)) => {
                self.stats.candidates_dropped += dropped;
                self.ingest(&observation, now)
            }
            Err(e) => {
                self.refuse(checkpoint, &e);
                Vec::new()
            }
        }
    }

    /// A camera JSON read replayed offline ([`replay`]): the clock is `clock`, the newest
    /// read time so far, advanced to this read's time when it is newer (so the future-skew
    /// check never refuses a replayed read). Returns the events and the read's time when it
    /// could be read.
    pub fn ingest_json_replayed(
        &mut self,
        text: &str,
        checkpoint: &str,
        clock: &mut Option<Time>,
    ) -> (Vec<PlateEvent>, Option<Time>) {
        // No clock to be ahead of: the read's own time becomes the clock.
        let parsed = read::from_camera_json(
            text,
            checkpoint,
            f64::INFINITY,
            self.settings.max_future_skew_s,
        );
        match parsed {
            Ok((observation, dropped)) => {
                let now = clock.map_or(observation.t, |c| c.max(observation.t));
                *clock = Some(now);
                self.stats.candidates_dropped += dropped;
                (self.ingest(&observation, now), Some(observation.t))
            }
            Err(e) => {
                self.refuse(checkpoint, &e);
                (Vec::new(), None)
            }
        }
    }

    fn refuse(&mut self, checkpoint: &str, error: &ReadError) {
        self.stats.count_rejection(error);
        if let Some(held_back) = self.rejection_log.check() {
            tracing::warn!(checkpoint, error = %error, held_back, "plate read refused");
        }
    }

    /// A checked read at `now`: the events it raises.
    pub fn ingest(&mut self, observation: &PlateObservation, now: Time) -> Vec<PlateEvent> {
        self.stats.reads += 1;
        self.maybe_purge(now);
        let Ok(checkpoint) = self.crossings.checkpoint(&observation.checkpoint) else {
            self.stats.rejected_checkpoint += 1;
            return Vec::new();
        };
        self.stats.accepted += 1;
        let variants = Variants::of_observation(observation, &self.settings.variants);
        if variants.capped {
            self.stats.variant_cap_hits += 1;
        }
        let t = observation.t;
        // Every variant is hashed once: for the hotlist and to find the passage the read
        // belongs to. The reading itself is the first variant.
        let digests: Vec<PlateDigest> = variants
            .list
            .iter()
            .map(|v| PlateDigest::of(&self.key, &v.plate))
            .collect();
        let exact = PlateDigest::of(&self.key, &observation.plate);
        // Whose passage is this? The plate as read when it already passed here or is known
        // from elsewhere (so a clone is checked on the plate, not on a misreading of it);
        // else a variant already passing here (another camera read this vehicle, right or
        // wrong); else the plate as read. A read is never attributed to another plate seen
        // at another checkpoint: that would turn near-identical plates into clones.
        let here_variant = variants
            .list
            .iter()
            .zip(&digests)
            .skip(1)
            .find_map(|(v, d)| {
                self.crossings
                    .passage(d, checkpoint, t)
                    .map(|hotlisted| (*d, v.plate.as_str(), hotlisted))
            });
        let (digest, plate, variant_hotlisted) = match here_variant {
            Some(owner)
                if self.crossings.passage(&exact, checkpoint, t).is_none()
                    && !self.crossings.contains(&exact) =>
            {
                owner
            }
            Some((_, _, hotlisted)) => (exact, observation.plate.as_str(), hotlisted),
            None => (exact, observation.plate.as_str(), false),
        };
        let mut events = Vec::new();
        let recorded = self.crossings.record(digest, checkpoint, t);
        let passage_hotlisted = match &recorded {
            Recorded::Merged { hotlisted } => {
                self.stats.merged_reads += 1;
                *hotlisted
            }
            Recorded::Passage { .. } => {
                self.stats.passages += 1;
                false
            }
            Recorded::Full => {
                self.stats.plate_cap_hits += 1;
                false
            }
        };
        let already_hotlisted = variant_hotlisted || passage_hotlisted;
        if recorded != Recorded::Full {
            // Beyond the plate cap nothing is kept, not even in clear: memory stays bounded.
            self.retain_clear(digest, plate, t);
        }
        if !already_hotlisted && let Some(m) = self.hotlist_match(&variants, &digests) {
            self.crossings.mark_hotlisted(&digest, checkpoint, t);
            self.stats.hotlist_events += 1;
            events.push(PlateEvent::Hotlist {
                digest: m.digest,
                plate: m.plate,
                read: observation.plate.clone(),
                score: m.score,
                substitutions: m.substitutions,
                checkpoint: observation.checkpoint.clone(),
                t,
            });
        }
        if let Recorded::Passage { clone, repeat } = recorded {
            self.passage_events(
                digest,
                &observation.checkpoint,
                t,
                clone,
                repeat,
                &mut events,
            );
        }
        events
    }

    /// A sighting a partner post reported by digest at `checkpoint` (one of the configured
    /// checkpoints): it counts for clones and repeat crossings like the post's own reads.
    pub fn ingest_partner_sighting(
        &mut self,
        digest: PlateDigest,
        checkpoint: &str,
        t: Time,
        now: Time,
    ) -> Vec<PlateEvent> {
        self.maybe_purge(now);
        let Ok(index) = self.crossings.checkpoint(checkpoint) else {
            self.stats.rejected_checkpoint += 1;
            return Vec::new();
        };
        let mut events = Vec::new();
        match self.crossings.record(digest, index, t) {
            Recorded::Passage { clone, repeat } => {
                self.stats.passages += 1;
                self.passage_events(digest, checkpoint, t, clone, repeat, &mut events);
            }
            Recorded::Merged { .. } => self.stats.merged_reads += 1,
            Recorded::Full => self.stats.plate_cap_hits += 1,
        }
        events
    }

    /// The best-scoring listed variant, from digests already made.
    fn hotlist_match(&self, variants: &Variants, digests: &[PlateDigest]) -> Option<HotlistMatch> {
        let min_score = self.settings.min_hotlist_score;
        variants
            .list
            .iter()
            .zip(digests)
            .filter(|(v, d)| v.score >= min_score && self.hotlist.contains(d))
            .max_by(|a, b| a.0.score.total_cmp(&b.0.score))
            .map(|(v, d)| HotlistMatch {
                plate: v.plate.clone(),
                digest: *d,
                score: v.score,
                substitutions: v.substitutions,
            })
    }

    fn passage_events(
        &mut self,
        digest: PlateDigest,
        checkpoint: &str,
        t: Time,
        clone: Option<CloneEvidence>,
        repeat: Option<usize>,
        events: &mut Vec<PlateEvent>,
    ) {
        let plate = self.clear.get(&digest).map(|c| c.plate.clone());
        if let Some(evidence) = clone {
            self.stats.clone_events += 1;
            events.push(PlateEvent::Clone {
                digest,
                plate: plate.clone(),
                checkpoint: checkpoint.to_owned(),
                t,
                evidence,
            });
        }
        if let Some(crossings) = repeat {
            self.stats.repeat_events += 1;
            events.push(PlateEvent::RepeatCrossing {
                digest,
                plate,
                checkpoint: checkpoint.to_owned(),
                t,
                crossings,
            });
        }
    }

    fn retain_clear(&mut self, digest: PlateDigest, plate: &str, t: Time) {
        let entry = self.clear.entry(digest).or_insert_with(|| ClearPlate {
            plate: plate.to_owned(),
            last_seen: t,
        });
        entry.last_seen = entry.last_seen.max(t);
    }

    fn maybe_purge(&mut self, now: Time) {
        if now >= self.next_purge {
            self.purge(now);
            self.next_purge = now + self.settings.purge_interval_s;
        }
    }

    /// Deletes clear plates not read for `clear_retention_s` and forgets plates the crossing
    /// tracker has not seen for its retention. Called from `ingest` every
    /// `purge_interval_s`; call it from a timer too when reads may stop.
    pub fn purge(&mut self, now: Time) {
        let horizon = now - self.settings.clear_retention_s;
        let before = self.clear.len();
        self.clear.retain(|_, c| c.last_seen >= horizon);
        self.stats.clear_plates_deleted += (before - self.clear.len()) as u64;
        self.stats.plates_forgotten += self.crossings.purge(now) as u64;
    }
}

#[cfg(test)]
mod tests;
