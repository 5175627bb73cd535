//! Reassembly of multi-sentence AIS messages.
//!
//! Fragments are keyed on talker, `VDM`/`VDO`, channel and sequential message id, so that two
//! multi-sentence messages interleaved on one channel with different ids are both kept (gpsd
//! keeps one buffer per channel and loses one of them). Half-received messages expire after a
//! configured age; every fragment that does not end in a message is counted by reason.

use super::{AisBits, AisError};
use crate::nmea::Vdm;
use heapless::Vec;

/// Why a fragment was not (yet) part of a complete message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReassemblyError {
    /// A later fragment whose earlier fragments were never seen (lost, or out of order).
    Orphan,
    /// A fragment already received.
    Duplicate,
    /// A fragment that skips one: the message is abandoned.
    Gap,
    /// A fragment disagreeing with the first on the number of fragments.
    CountMismatch,
    /// The payload was not valid six-bit armour, or too long.
    Payload(AisError),
}

impl core::fmt::Display for ReassemblyError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            ReassemblyError::Orphan => f.write_str("fragment without its first fragment"),
            ReassemblyError::Duplicate => f.write_str("duplicate fragment"),
            ReassemblyError::Gap => f.write_str("fragment missing before this one"),
            ReassemblyError::CountMismatch => f.write_str("fragment count changed mid-message"),
            ReassemblyError::Payload(e) => write!(f, "bad payload: {e}"),
        }
    }
}

impl core::error::Error for ReassemblyError {}

/// What a [`Reassembler`] has done, by outcome.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ReassemblyStats {
    /// Messages completed (single- and multi-sentence).
    pub messages: u64,
    /// Fragments without their first fragment.
    pub orphans: u64,
    /// Duplicate fragments ignored.
    pub duplicates: u64,
    /// Messages abandoned because a fragment was skipped or the count changed.
    pub gaps: u64,
    /// Messages abandoned because a new first fragment with the same key arrived.
    pub superseded: u64,
    /// Messages abandoned because they stayed incomplete longer than the maximum age.
    pub expired: u64,
    /// Messages abandoned because every slot was in use (the oldest goes).
    pub evicted: u64,
    /// Fragments with an invalid payload.
    pub bad_payloads: u64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Key {
    talker: [u8; 2],
    own_ship: bool,
    channel: Option<u8>,
    message_id: Option<u8>,
}

#[derive(Debug, Clone)]
struct Pending {
    key: Key,
    fragment_count: u8,
    received: u8,
    started_ms: u64,
    bits: AisBits,
}

/// Joins the fragments of multi-sentence messages; holds at most `SLOTS` incomplete messages.
#[derive(Debug, Clone)]
pub struct Reassembler<const SLOTS: usize> {
    pending: Vec<Pending, SLOTS>,
    max_age_ms: u64,
    stats: ReassemblyStats,
}

impl<const SLOTS: usize> Reassembler<SLOTS> {
    /// A reassembler that abandons messages still incomplete `max_age_ms` after their first
    /// fragment.
    pub const fn new(max_age_ms: u64) -> Self {
        Reassembler {
            pending: Vec::new(),
            max_age_ms,
            stats: ReassemblyStats {
                messages: 0,
                orphans: 0,
                duplicates: 0,
                gaps: 0,
                superseded: 0,
                expired: 0,
                evicted: 0,
                bad_payloads: 0,
            },
        }
    }

    /// What has been reassembled and dropped so far.
    pub fn stats(&self) -> &ReassemblyStats {
        &self.stats
    }

    /// Number of incomplete messages held.
    pub fn pending(&self) -> usize {
        self.pending.len()
    }

    /// Adds one fragment received at `now_ms`. Returns the message's bits when this fragment
    /// completes it, `Ok(None)` when more fragments are awaited.
    pub fn push(&mut self, vdm: &Vdm<'_>, now_ms: u64) -> Result<Option<AisBits>, ReassemblyError> {
        self.expire(now_ms);
        let result = self.push_inner(vdm, now_ms);
        match result {
            Ok(Some(_)) => self.stats.messages += 1,
            Ok(None) => {}
            Err(ReassemblyError::Orphan) => self.stats.orphans += 1,
            Err(ReassemblyError::Duplicate) => self.stats.duplicates += 1,
            Err(ReassemblyError::Gap | ReassemblyError::CountMismatch) => self.stats.gaps += 1,
            Err(ReassemblyError::Payload(_)) => self.stats.bad_payloads += 1,
        }
        result
    }

    fn push_inner(
        &mut self,
        vdm: &Vdm<'_>,
        now_ms: u64,
    ) -> Result<Option<AisBits>, ReassemblyError> {
        if vdm.fragment_count == 1 {
            return AisBits::from_armour(vdm.payload, vdm.fill_bits)
                .map(Some)
                .map_err(ReassemblyError::Payload);
        }
        let talker = vdm.talker.as_bytes();
        let key = Key {
            talker: [
                talker.first().copied().unwrap_or(0),
                talker.get(1).copied().unwrap_or(0),
            ],
            own_ship: vdm.own_ship,
            channel: vdm.channel,
            message_id: vdm.message_id,
        };
        let slot = self.pending.iter().position(|p| p.key == key);
        if vdm.fragment_number == 1 {
            if let Some(i) = slot {
                self.pending.swap_remove(i);
                self.stats.superseded += 1;
            }
            let bits = AisBits::from_armour(vdm.payload, vdm.fill_bits)
                .map_err(ReassemblyError::Payload)?;
            let entry = Pending {
                key,
                fragment_count: vdm.fragment_count,
                received: 1,
                started_ms: now_ms,
                bits,
            };
            if let Err(entry) = self.pending.push(entry) {
                // Full: the oldest incomplete message is the least likely to complete.
                if let Some(oldest) = self
                    .pending
                    .iter()
                    .enumerate()
                    .min_by_key(|(_, p)| p.started_ms)
                    .map(|(i, _)| i)
                {
                    self.pending.swap_remove(oldest);
                    self.stats.evicted += 1;
                }
                // Cannot fail: a slot was just freed (or SLOTS is 0 and nothing is kept).
                let _ = self.pending.push(entry);
            }
            return Ok(None);
        }
        let i = slot.ok_or(ReassemblyError::Orphan)?;
        let entry = &mut self.pending[i];
        if entry.fragment_count != vdm.fragment_count {
            self.pending.swap_remove(i);
            return Err(ReassemblyError::CountMismatch);
        }
        if vdm.fragment_number <= entry.received {
            return Err(ReassemblyError::Duplicate);
        }
        if vdm.fragment_number != entry.received + 1 {
            self.pending.swap_remove(i);
            return Err(ReassemblyError::Gap);
        }
        if let Err(e) = entry.bits.append_armour(vdm.payload, vdm.fill_bits) {
            self.pending.swap_remove(i);
            return Err(ReassemblyError::Payload(e));
        }
        entry.received += 1;
        if entry.received == entry.fragment_count {
            let done = self.pending.swap_remove(i);
            return Ok(Some(done.bits));
        }
        Ok(None)
    }

    /// Abandons messages older than the maximum age at `now_ms`.
    pub fn expire(&mut self, now_ms: u64) {
        let max_age = self.max_age_ms;
        let before = self.pending.len();
        self.pending
            .retain(|p| now_ms.saturating_sub(p.started_ms) <= max_age);
        self.stats.expired += (before - self.pending.len()) as u64;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ais::{AisMessage, StaticVoyage};
    use crate::nmea::{parse, parse_vdm};

    const TYPE5: [&str; 2] = [
        "!AIVDM,2,1,1,A,55?MbV02;H;s<HtKR20EHE:0@T4@Dn2222222216L961O5Gf0NSQEp6ClRp8,0*1C",
        "!AIVDM,2,2,1,A,88888888880,2*25",
    ];

    fn push<const N: usize>(
        r: &mut Reassembler<N>,
        line: &str,
        t: u64,
    ) -> Result<Option<AisBits>, ReassemblyError> {
        let s = parse(line).unwrap();
        r.push(&parse_vdm(&s).unwrap(), t)
    }

    fn with_id(line: &str, id: char) -> std::string::String {
        use std::string::ToString;
        let mut fields: std::vec::Vec<std::string::String> =
            line.split(',').map(|s| s.to_string()).collect();
        fields[3] = id.to_string();
        let body = fields.join(",");
        let body = &body[..body.rfind('*').unwrap()];
        let sum = crate::nmea::checksum_suffix(body);
        std::format!("{body}{}", core::str::from_utf8(&sum).unwrap())
    }

    #[test]
    fn a_two_sentence_type_5_from_gpsd_samples_reassembles() {
        let mut r = Reassembler::<4>::new(10_000);
        assert_eq!(push(&mut r, TYPE5[0], 0), Ok(None));
        let bits = push(&mut r, TYPE5[1], 100).unwrap().unwrap();
        let Ok(AisMessage::StaticVoyage(StaticVoyage {
            mmsi,
            shipname,
            destination,
            ..
        })) = AisMessage::decode(&bits)
        else {
            panic!("not type 5");
        };
        assert_eq!(mmsi, 351759000);
        assert_eq!(shipname.as_str(), "EVER DIADEM");
        assert_eq!(destination.as_str(), "NEW YORK");
        assert_eq!(r.stats().messages, 1);
    }

    #[test]
    fn interleaved_messages_with_different_ids_are_both_kept() {
        let mut r = Reassembler::<4>::new(10_000);
        let (a1, a2) = (with_id(TYPE5[0], '3'), with_id(TYPE5[1], '3'));
        let (b1, b2) = (with_id(TYPE5[0], '4'), with_id(TYPE5[1], '4'));
        assert_eq!(push(&mut r, &a1, 0), Ok(None));
        assert_eq!(push(&mut r, &b1, 1), Ok(None));
        assert!(push(&mut r, &a2, 2).unwrap().is_some());
        assert!(push(&mut r, &b2, 3).unwrap().is_some());
        assert_eq!(r.stats().messages, 2);
    }

    #[test]
    fn a_lone_second_fragment_is_an_orphan_and_a_repeat_a_duplicate() {
        let mut r = Reassembler::<4>::new(10_000);
        assert_eq!(push(&mut r, TYPE5[1], 0), Err(ReassemblyError::Orphan));
        let three = "!AIVDM,3,1,5,B,55?MbV02;H;s<HtKR20EHE:0@T4@Dn2222222216L961O5Gf0NSQEp6ClRp8,0";
        let three = std::format!(
            "{three}{}",
            core::str::from_utf8(&crate::nmea::checksum_suffix(three)).unwrap()
        );
        assert_eq!(push(&mut r, &three, 0), Ok(None));
        let mut dup = std::string::String::from(&three[..three.rfind('*').unwrap()]);
        dup = dup.replacen("!AIVDM,3,1", "!AIVDM,3,2", 1);
        let dup_line = std::format!(
            "{dup}{}",
            core::str::from_utf8(&crate::nmea::checksum_suffix(&dup)).unwrap()
        );
        assert_eq!(push(&mut r, &dup_line, 1), Ok(None));
        assert_eq!(push(&mut r, &dup_line, 2), Err(ReassemblyError::Duplicate));
        assert_eq!(r.stats().orphans, 1);
        assert_eq!(r.stats().duplicates, 1);
    }

    #[test]
    fn a_half_received_message_expires() {
        let mut r = Reassembler::<4>::new(1_000);
        assert_eq!(push(&mut r, TYPE5[0], 0), Ok(None));
        assert_eq!(push(&mut r, TYPE5[1], 5_000), Err(ReassemblyError::Orphan));
        assert_eq!(r.stats().expired, 1);
        assert_eq!(r.pending(), 0);
    }
}
