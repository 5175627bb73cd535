//! The life of an alert: one id per situation, raised once, updated (revision + 1) when
//! something material changed and not more often than the configured interval, cleared when
//! the situation ends.
//!
//! A rule describes the situation as it sees it now (a [`Draft`]) at every evaluation;
//! [`Situations`] decides whether that is news: a new situation is raised, a known one is
//! updated only when it moved far enough or its state changed, and no sooner than
//! `update_interval_s` after its last revision. Ids are derived from the post, the rule, the
//! situation and the time it was raised, so replaying the same input gives the same ids.

use super::config::Severity;
use super::{Alert, AlertKind, AlertState, Identity};
use crate::decode::Time;
use crate::fuse::TrackId;
use borderfuse_common::geo::LocalFrame;
use nalgebra::Vector2;
use serde_json::json;
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::fmt::Debug;

/// What a rule says about a situation now.
#[derive(Debug, Clone, PartialEq)]
pub struct Draft {
    /// Severity.
    pub severity: Severity,
    /// When the situation began.
    pub first_seen: Time,
    /// Where, east/north in the local frame, metres.
    pub position: Vector2<f64>,
    /// The track it is about.
    pub track_id: Option<TrackId>,
    /// Who, where known.
    pub identity: Identity,
    /// Why.
    pub evidence: serde_json::Value,
}

/// What decides whether a situation is news: where it is, and a digest of its state.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Seen {
    /// Where, east/north in the local frame, metres (where the draft will say).
    pub position: Vector2<f64>,
    /// A digest of the situation's state: a change is worth an update even without movement
    /// (e.g. radar losing a silent vessel). Rules with nothing of the kind use 0.
    pub state: u64,
}

/// What every rule shares to issue alerts: the post (for ids), the local frame (for WGS-84
/// positions) and the update policy.
#[derive(Debug, Clone)]
pub struct Issuer {
    post: String,
    frame: LocalFrame,
    update_interval_s: f64,
    update_distance_m: f64,
}

impl Issuer {
    /// An issuer for post `post` of `country`, positions in `frame`, updating open alerts at
    /// most every `update_interval_s` and only when they moved `update_distance_m` or changed
    /// state.
    pub fn new(
        country: &str,
        post: &str,
        frame: LocalFrame,
        update_interval_s: f64,
        update_distance_m: f64,
    ) -> Self {
        Issuer {
            post: format!("{country}/{post}"),
            frame,
            update_interval_s,
            update_distance_m,
        }
    }

    /// The local frame.
    pub fn frame(&self) -> &LocalFrame {
        &self.frame
    }

    /// The id of the situation `subject` of `kind` raised at `raised`: a UUID (version 8)
    /// made of the first 16 bytes of SHA-256 over the post, kind, subject and time, so the
    /// same input replayed gives the same ids, and two posts never share one.
    fn id(&self, kind: AlertKind, subject: &str, raised: Time) -> String {
        situation_id(&self.post, kind, subject, raised)
    }

    fn alert(&self, kind: AlertKind, id: String, draft: Draft, now: Time) -> Alert {
        let at = self
            .frame
            .from_east_north(draft.position.x, draft.position.y, 0.0);
        Alert {
            id,
            revision: 0,
            state: AlertState::Raised,
            kind,
            severity: draft.severity,
            time: now,
            raised: now,
            first_seen: draft.first_seen,
            lat: at.lat_deg,
            lon: at.lon_deg,
            track_id: draft.track_id,
            identity: draft.identity,
            evidence: draft.evidence,
        }
    }
}

#[derive(Debug, Clone)]
struct Open {
    /// The last revision issued.
    last: Alert,
    /// Its position in the local frame.
    position: Vector2<f64>,
    /// Its state digest.
    state: u64,
    /// When the rule last reported the situation (whether or not that was issued).
    touched: Time,
}

/// The open situations of one rule, keyed by what they are about (a track, an MMSI, a pair),
/// bounded in number.
#[derive(Debug, Clone)]
pub struct Situations<K> {
    kind: AlertKind,
    open: BTreeMap<K, Open>,
    capacity: usize,
    refused: u64,
}

impl<K: Ord + Clone + Debug> Situations<K> {
    /// No open situation of `kind`; at most `capacity` open at once.
    pub fn new(kind: AlertKind, capacity: usize) -> Self {
        Situations {
            kind,
            open: BTreeMap::new(),
            capacity,
            refused: 0,
        }
    }

    /// Whether `key` is open.
    pub fn is_open(&self, key: &K) -> bool {
        self.open.contains_key(key)
    }

    /// Number open.
    pub fn len(&self) -> usize {
        self.open.len()
    }

    /// Whether none is open.
    pub fn is_empty(&self) -> bool {
        self.open.is_empty()
    }

    /// Situations that would have been raised beyond the capacity.
    pub fn refused(&self) -> u64 {
        self.refused
    }

    /// The last revision issued for `key`.
    pub fn last(&self, key: &K) -> Option<&Alert> {
        self.open.get(key).map(|o| &o.last)
    }

    /// Every open situation with its last revision.
    pub fn iter(&self) -> impl Iterator<Item = (&K, &Alert)> {
        self.open.iter().map(|(k, o)| (k, &o.last))
    }

    /// The situation `key` as the rule sees it at `now`: raised when new, updated when it
    /// moved or changed state and the last revision is old enough, else nothing. The draft
    /// (evidence and all) is made only when a revision is issued. Returns whether the
    /// situation is open afterwards (false when refused for capacity).
    pub fn report(
        &mut self,
        issuer: &Issuer,
        key: K,
        seen: Seen,
        now: Time,
        draft: impl FnOnce() -> Draft,
        out: &mut Vec<Alert>,
    ) -> bool {
        if let Some(open) = self.open.get_mut(&key) {
            open.touched = now;
            let due = now - open.last.time >= issuer.update_interval_s;
            let moved = (seen.position - open.position).norm() >= issuer.update_distance_m;
            if due && (moved || seen.state != open.state) {
                let mut alert = issuer.alert(self.kind, open.last.id.clone(), draft(), now);
                alert.revision = open.last.revision.saturating_add(1);
                alert.state = AlertState::Updated;
                alert.raised = open.last.raised;
                alert.first_seen = open.last.first_seen;
                open.last = alert.clone();
                open.position = seen.position;
                open.state = seen.state;
                out.push(alert);
            }
            return true;
        }
        if self.open.len() >= self.capacity {
            self.refused += 1;
            return false;
        }
        let id = issuer.id(self.kind, &format!("{key:?}"), now);
        let alert = issuer.alert(self.kind, id, draft(), now);
        self.open.insert(
            key,
            Open {
                last: alert.clone(),
                position: seen.position,
                state: seen.state,
                touched: now,
            },
        );
        out.push(alert);
        true
    }

    /// Ends the situation `key` at `now` because of `reason`: a last revision, cleared, with
    /// `draft` (what the rule knows now) or else the last revision's content, its evidence
    /// saying why it ended. Nothing when `key` is not open.
    pub fn clear(
        &mut self,
        issuer: &Issuer,
        key: &K,
        draft: Option<Draft>,
        reason: &str,
        now: Time,
        out: &mut Vec<Alert>,
    ) {
        let Some(open) = self.open.remove(key) else {
            return;
        };
        let mut alert = match draft {
            Some(d) => {
                let mut a = issuer.alert(self.kind, open.last.id.clone(), d, now);
                a.raised = open.last.raised;
                a.first_seen = open.last.first_seen;
                a
            }
            None => Alert {
                time: now,
                ..open.last.clone()
            },
        };
        alert.revision = open.last.revision.saturating_add(1);
        alert.state = AlertState::Cleared;
        let cleared = json!({ "reason": reason });
        match &mut alert.evidence {
            serde_json::Value::Object(map) => {
                map.insert("cleared".to_string(), cleared);
            }
            other => {
                *other = json!({ "cleared": cleared, "before": other.clone() });
            }
        }
        out.push(alert);
    }

    /// Clears every open situation for which `end` gives a reason.
    pub fn clear_where(
        &mut self,
        issuer: &Issuer,
        now: Time,
        out: &mut Vec<Alert>,
        mut end: impl FnMut(&K, Time) -> Option<&'static str>,
    ) {
        let ending: Vec<(K, &'static str)> = self
            .open
            .iter()
            .filter_map(|(k, o)| end(k, o.touched).map(|r| (k.clone(), r)))
            .collect();
        for (key, reason) in ending {
            self.clear(issuer, &key, None, reason, now, out);
        }
    }
}

/// The id of the situation `subject` of `kind` raised at `raised` at `post`
/// (`COUNTRY/post`): a UUID (version 8) made of the first 16 bytes of SHA-256 over the post,
/// kind, subject and time, so the same input replayed gives the same ids, and two posts
/// never share one.
pub(crate) fn situation_id(post: &str, kind: AlertKind, subject: &str, raised: Time) -> String {
    let mut h = Sha256::new();
    h.update(post.as_bytes());
    h.update([0]);
    h.update(kind.as_str().as_bytes());
    h.update([0]);
    h.update(subject.as_bytes());
    h.update([0]);
    h.update(raised.to_bits().to_le_bytes());
    let digest = h.finalize();
    let mut bytes = [0u8; 16];
    bytes.copy_from_slice(&digest[..16]);
    uuid::Builder::from_custom_bytes(bytes)
        .into_uuid()
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use borderfuse_common::geo::Geodetic;

    fn issuer() -> Issuer {
        Issuer::new(
            "GR",
            "unit",
            LocalFrame::new(Geodetic::new(37.7, 27.0)),
            60.0,
            250.0,
        )
    }

    fn report(
        s: &mut Situations<u32>,
        i: &Issuer,
        key: u32,
        x: f64,
        state: u64,
        now: Time,
        out: &mut Vec<Alert>,
    ) -> bool {
        let position = Vector2::new(x, 0.0);
        let draft = || Draft {
            severity: Severity::High,
            first_seen: 0.0,
            position,
            track_id: Some(1),
            identity: Identity::default(),
            evidence: json!({"x": x}),
        };
        s.report(i, key, Seen { position, state }, now, draft, out)
    }

    #[test]
    fn a_situation_is_raised_once_then_updated_only_when_it_moved_and_the_interval_passed() {
        let i = issuer();
        let mut s = Situations::new(AlertKind::DarkTarget, 10);
        let mut out = Vec::new();
        report(&mut s, &i, 1, 0.0, 0, 100.0, &mut out);
        assert_eq!(out.len(), 1);
        assert_eq!(
            (out[0].state, out[0].revision, out[0].raised),
            (AlertState::Raised, 0, 100.0)
        );
        // Moved but too soon; then due but not moved.
        report(&mut s, &i, 1, 1000.0, 0, 130.0, &mut out);
        report(&mut s, &i, 1, 100.0, 0, 170.0, &mut out);
        assert_eq!(out.len(), 1);
        // Due and moved.
        report(&mut s, &i, 1, 1000.0, 0, 170.0, &mut out);
        assert_eq!(out.len(), 2);
        assert_eq!(out[1].id, out[0].id);
        assert_eq!(
            (out[1].state, out[1].revision, out[1].raised, out[1].time),
            (AlertState::Updated, 1, 100.0, 170.0)
        );
        // A change of state is material without movement.
        report(&mut s, &i, 1, 1000.0, 7, 240.0, &mut out);
        assert_eq!(out.len(), 3);
        s.clear(&i, &1, None, "track_ended", 250.0, &mut out);
        assert_eq!(out.len(), 4);
        assert_eq!(
            (out[3].state, out[3].revision, &out[3].id),
            (AlertState::Cleared, 3, &out[0].id)
        );
        assert_eq!(out[3].evidence["cleared"]["reason"], "track_ended");
        assert!(s.is_empty());
        // Clearing what is not open does nothing.
        s.clear(&i, &1, None, "again", 260.0, &mut out);
        assert_eq!(out.len(), 4);
    }

    #[test]
    fn ids_differ_between_situations_and_posts_and_repeat_for_the_same_input() {
        let i = issuer();
        let other = Issuer::new("TR", "unit", *i.frame(), 60.0, 250.0);
        let a = i.id(AlertKind::DarkTarget, "1", 5.0);
        assert_eq!(a, i.id(AlertKind::DarkTarget, "1", 5.0));
        assert_ne!(a, i.id(AlertKind::DarkTarget, "2", 5.0));
        assert_ne!(a, i.id(AlertKind::DarkTarget, "1", 6.0));
        assert_ne!(a, i.id(AlertKind::AisGap, "1", 5.0));
        assert_ne!(a, other.id(AlertKind::DarkTarget, "1", 5.0));
        assert_eq!(uuid::Uuid::parse_str(&a).unwrap().get_version_num(), 8);
    }

    #[test]
    fn beyond_capacity_new_situations_are_refused_and_counted() {
        let i = issuer();
        let mut s = Situations::new(AlertKind::AisSpoofing, 2);
        let mut out = Vec::new();
        for k in 0..5u32 {
            report(&mut s, &i, k, 0.0, 0, 1.0, &mut out);
        }
        assert_eq!((out.len(), s.len(), s.refused()), (2, 2, 3));
    }
}
