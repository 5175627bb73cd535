//! Reassembly of multi-sentence AIS messages.
//!
//! Fragments are keyed on talker, `VDM`/`VDO`, channel, sequential message id and, where the
//! feed tags its lines, the tag block's sentence group, so that two multi-sentence messages
//! interleaved on one channel are both kept (gpsd keeps one buffer per channel and loses one
//! of them). Fragments may arrive in any order (networks and receivers reorder them); a
//! message completes when all its fragments are in. Half-received messages expire after a
//! configured age, and when every slot is busy the oldest is abandoned, so memory stays
//! bounded whatever arrives. Every fragment that does not end in a message is counted by
//! what happened to it.

use super::{AisBits, AisError};
use crate::nmea::Vdm;
use heapless::{String, Vec};

/// Most fragments of one message (the `VDM` fragment count is one digit).
const MAX_FRAGMENTS: usize = 9;

/// Most armour characters kept for one message: the longest AIS message (1008 bits) is 168
/// characters; a little slack for padding.
const MAX_ARMOUR: usize = 172;

/// Why a fragment was rejected.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReassemblyError {
    /// The same fragment again (same message, same number, same payload): ignored.
    Duplicate,
    /// The payload is not valid six-bit armour, or the message grew too long; the message it
    /// belonged to is abandoned.
    Payload(AisError),
}

impl core::fmt::Display for ReassemblyError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            ReassemblyError::Duplicate => f.write_str("duplicate fragment"),
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
    /// Of those, multi-sentence messages.
    pub multi_sentence: u64,
    /// Of those, messages whose fragments arrived out of order.
    pub reordered: u64,
    /// Duplicate fragments ignored.
    pub duplicates: u64,
    /// Messages abandoned because a fragment contradicted them (another payload for a
    /// fragment already held, or another fragment count): the sender reused the message id
    /// after losing fragments. The new fragment starts a new message.
    pub conflicts: u64,
    /// Messages abandoned because they stayed incomplete longer than the maximum age.
    pub expired: u64,
    /// Messages abandoned because every slot was in use (the oldest goes).
    pub evicted: u64,
    /// Fragments with an invalid payload.
    pub bad_payloads: u64,
}

impl ReassemblyStats {
    /// Incomplete messages abandoned, for any reason.
    pub fn abandoned(&self) -> u64 {
        self.conflicts + self.expired + self.evicted
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Key {
    talker: [u8; 2],
    own_ship: bool,
    channel: Option<u8>,
    message_id: Option<u8>,
    group: Option<u32>,
}

/// Where one fragment's armour sits in a [`Pending`]'s buffer.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct Piece {
    start: u8,
    len: u8,
    fill_bits: u8,
}

#[derive(Debug, Clone)]
struct Pending {
    key: Key,
    fragment_count: u8,
    /// Bit `n - 1` set when fragment `n` is held.
    received: u16,
    /// The highest fragment number received so far (to tell reordering).
    highest: u8,
    reordered: bool,
    started_ms: u64,
    pieces: [Piece; MAX_FRAGMENTS],
    armour: String<MAX_ARMOUR>,
}

impl Pending {
    fn piece(&self, number: u8) -> &str {
        let p = self.pieces[usize::from(number - 1)];
        self.armour
            .get(usize::from(p.start)..usize::from(p.start) + usize::from(p.len))
            .unwrap_or("")
    }

    fn complete(&self) -> bool {
        self.received == (1u16 << self.fragment_count) - 1
    }

    fn assemble(&self) -> Result<AisBits, AisError> {
        let mut bits = AisBits::new();
        for n in 1..=self.fragment_count {
            let p = self.pieces[usize::from(n - 1)];
            bits.append_armour(self.piece(n), p.fill_bits)?;
        }
        Ok(bits)
    }
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
    /// fragment arrived.
    pub const fn new(max_age_ms: u64) -> Self {
        Reassembler {
            pending: Vec::new(),
            max_age_ms,
            stats: ReassemblyStats {
                messages: 0,
                multi_sentence: 0,
                reordered: 0,
                duplicates: 0,
                conflicts: 0,
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
    /// completes it, `Ok(None)` while fragments are awaited.
    pub fn push(&mut self, vdm: &Vdm<'_>, now_ms: u64) -> Result<Option<AisBits>, ReassemblyError> {
        self.expire(now_ms);
        let result = self.push_inner(vdm, now_ms);
        match &result {
            Ok(Some(_)) => self.stats.messages += 1,
            Ok(None) => {}
            Err(ReassemblyError::Duplicate) => self.stats.duplicates += 1,
            Err(ReassemblyError::Payload(_)) => self.stats.bad_payloads += 1,
        }
        result
    }

    fn push_inner(
        &mut self,
        vdm: &Vdm<'_>,
        now_ms: u64,
    ) -> Result<Option<AisBits>, ReassemblyError> {
        if vdm.fragment_count <= 1 {
            return AisBits::from_armour(vdm.payload, vdm.fill_bits)
                .map(Some)
                .map_err(ReassemblyError::Payload);
        }
        // parse_vdm guarantees 1 ≤ number ≤ count ≤ 9; check again rather than index blindly.
        let (count, number) = (vdm.fragment_count, vdm.fragment_number);
        if usize::from(count) > MAX_FRAGMENTS || number == 0 || number > count {
            return Err(ReassemblyError::Payload(AisError::Empty));
        }
        // Validate the armour now, so a bad fragment never sits in a slot.
        if let Some(&c) = vdm
            .payload
            .as_bytes()
            .iter()
            .find(|&&c| super::sixbit_value(c).is_none())
        {
            return Err(ReassemblyError::Payload(AisError::BadArmour(c)));
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
            group: vdm.group.map(|g| g.id),
        };
        let bit = 1u16 << (number - 1);

        if let Some(i) = self.pending.iter().position(|p| p.key == key) {
            let entry = &self.pending[i];
            let conflict = if entry.fragment_count != count {
                true
            } else if entry.received & bit != 0 {
                if entry.piece(number) == vdm.payload {
                    return Err(ReassemblyError::Duplicate);
                }
                true
            } else {
                false
            };
            if conflict {
                // The sender moved on to a new message with this id; the old one lost
                // fragments and will never complete.
                self.pending.swap_remove(i);
                self.stats.conflicts += 1;
            } else {
                let entry = &mut self.pending[i];
                let start = entry.armour.len();
                if entry.armour.push_str(vdm.payload).is_err() {
                    self.pending.swap_remove(i);
                    return Err(ReassemblyError::Payload(AisError::TooLong));
                }
                entry.pieces[usize::from(number - 1)] = Piece {
                    start: start as u8,
                    len: vdm.payload.len() as u8,
                    fill_bits: vdm.fill_bits,
                };
                entry.received |= bit;
                if number < entry.highest {
                    entry.reordered = true;
                }
                entry.highest = entry.highest.max(number);
                if !entry.complete() {
                    return Ok(None);
                }
                let done = self.pending.swap_remove(i);
                self.stats.multi_sentence += 1;
                if done.reordered {
                    self.stats.reordered += 1;
                }
                return done.assemble().map(Some).map_err(|e| {
                    self.stats.bad_payloads += 1;
                    ReassemblyError::Payload(e)
                });
            }
        }

        // The first fragment seen of a new message (not necessarily fragment 1).
        let mut entry = Pending {
            key,
            fragment_count: count,
            received: bit,
            highest: number,
            reordered: false,
            started_ms: now_ms,
            pieces: [Piece::default(); MAX_FRAGMENTS],
            armour: String::new(),
        };
        if entry.armour.push_str(vdm.payload).is_err() {
            return Err(ReassemblyError::Payload(AisError::TooLong));
        }
        entry.pieces[usize::from(number - 1)] = Piece {
            start: 0,
            len: vdm.payload.len() as u8,
            fill_bits: vdm.fill_bits,
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
            // Cannot fail: a slot was just freed (or SLOTS is 0 and nothing can be kept).
            let _ = self.pending.push(entry);
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
    use crate::nmea::{checksum_suffix, parse, parse_vdm};
    use std::string::{String as StdString, ToString};
    use std::vec::Vec as StdVec;

    /// gpsd test/sample.aivdm: a two-sentence type 5 (EVER DIADEM).
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

    /// `line` with its field `index` replaced and the checksum recomputed.
    fn with_field(line: &str, index: usize, value: &str) -> StdString {
        let body = &line[..line.rfind('*').unwrap()];
        let mut fields: StdVec<StdString> = body.split(',').map(|s| s.to_string()).collect();
        fields[index] = value.to_string();
        let body = fields.join(",");
        let sum = checksum_suffix(&body);
        std::format!("{body}{}", core::str::from_utf8(&sum).unwrap())
    }

    fn shipname(bits: &AisBits) -> StdString {
        match AisMessage::decode(bits) {
            Ok(AisMessage::StaticVoyage(StaticVoyage { shipname, .. })) => shipname.to_string(),
            other => panic!("not a type 5: {other:?}"),
        }
    }

    #[test]
    fn a_two_sentence_type_5_from_gpsd_samples_reassembles() {
        let mut r = Reassembler::<4>::new(10_000);
        assert_eq!(push(&mut r, TYPE5[0], 0), Ok(None));
        let bits = push(&mut r, TYPE5[1], 100).unwrap().unwrap();
        assert_eq!(shipname(&bits), "EVER DIADEM");
        assert_eq!(r.stats().messages, 1);
        assert_eq!(r.stats().multi_sentence, 1);
    }

    #[test]
    fn interleaved_messages_with_different_ids_are_both_kept() {
        let mut r = Reassembler::<4>::new(10_000);
        let (a1, a2) = (with_field(TYPE5[0], 3, "3"), with_field(TYPE5[1], 3, "3"));
        let (b1, b2) = (with_field(TYPE5[0], 3, "4"), with_field(TYPE5[1], 3, "4"));
        assert_eq!(push(&mut r, &a1, 0), Ok(None));
        assert_eq!(push(&mut r, &b1, 1), Ok(None));
        assert!(push(&mut r, &a2, 2).unwrap().is_some());
        assert!(push(&mut r, &b2, 3).unwrap().is_some());
        assert_eq!(r.stats().messages, 2);
    }

    #[test]
    fn tag_block_groups_tell_apart_messages_with_the_same_id() {
        let mut r = Reassembler::<4>::new(10_000);
        let tagged = |line: &str, group: &str| {
            let tag = std::format!("g:{group}");
            let sum = checksum_suffix(&std::format!("!{tag}"));
            std::format!("\\{tag}{}\\{line}", core::str::from_utf8(&sum).unwrap())
        };
        assert_eq!(push(&mut r, &tagged(TYPE5[0], "1-2-10"), 0), Ok(None));
        assert_eq!(push(&mut r, &tagged(TYPE5[0], "1-2-11"), 1), Ok(None));
        assert!(
            push(&mut r, &tagged(TYPE5[1], "2-2-10"), 2)
                .unwrap()
                .is_some()
        );
        assert!(
            push(&mut r, &tagged(TYPE5[1], "2-2-11"), 3)
                .unwrap()
                .is_some()
        );
        assert_eq!(r.stats().conflicts, 0);
    }

    #[test]
    fn fragments_out_of_order_still_make_the_message() {
        let mut r = Reassembler::<4>::new(10_000);
        assert_eq!(push(&mut r, TYPE5[1], 0), Ok(None));
        let bits = push(&mut r, TYPE5[0], 1).unwrap().unwrap();
        assert_eq!(shipname(&bits), "EVER DIADEM");
        assert_eq!(r.stats().reordered, 1);
    }

    #[test]
    fn a_repeated_fragment_is_a_duplicate_and_does_no_harm() {
        let mut r = Reassembler::<4>::new(10_000);
        assert_eq!(push(&mut r, TYPE5[0], 0), Ok(None));
        assert_eq!(push(&mut r, TYPE5[0], 1), Err(ReassemblyError::Duplicate));
        assert!(push(&mut r, TYPE5[1], 2).unwrap().is_some());
        assert_eq!(r.stats().duplicates, 1);
    }

    #[test]
    fn a_new_message_reusing_the_id_abandons_the_broken_one() {
        let mut r = Reassembler::<4>::new(10_000);
        assert_eq!(push(&mut r, TYPE5[0], 0), Ok(None));
        // Fragment 2 of the first message is lost; a new message with the same id begins
        // with a different first fragment.
        let other_first = with_field(
            TYPE5[0],
            5,
            "55?MbV02;H;s<HtKR20EHE:0@T4@Dn2222222216L961O5Gf0NSQEp6ClRp0",
        );
        assert_eq!(push(&mut r, &other_first, 1), Ok(None));
        assert_eq!(r.stats().conflicts, 1);
        assert!(push(&mut r, TYPE5[1], 2).unwrap().is_some());
    }

    #[test]
    fn a_half_received_message_expires_and_is_counted() {
        let mut r = Reassembler::<4>::new(1_000);
        assert_eq!(push(&mut r, TYPE5[0], 0), Ok(None));
        assert_eq!(push(&mut r, TYPE5[1], 5_000), Ok(None));
        assert_eq!(r.stats().expired, 1);
        assert_eq!(
            r.pending(),
            1,
            "the late fragment waits for its own first fragment"
        );
        r.expire(10_000);
        assert_eq!(r.stats().expired, 2);
        assert_eq!(r.pending(), 0);
    }

    #[test]
    fn when_every_slot_is_busy_the_oldest_message_goes() {
        let mut r = Reassembler::<2>::new(10_000);
        for (t, id) in ["1", "2", "3"].iter().enumerate() {
            assert_eq!(
                push(&mut r, &with_field(TYPE5[0], 3, id), t as u64),
                Ok(None)
            );
        }
        assert_eq!(r.pending(), 2);
        assert_eq!(r.stats().evicted, 1);
    }

    #[test]
    fn a_message_longer_than_any_ais_message_is_refused() {
        let mut r = Reassembler::<2>::new(10_000);
        let long = "0".repeat(60);
        for n in 1..=2 {
            let line = with_field(&with_field(TYPE5[0], 1, "9"), 2, &n.to_string());
            let line = with_field(&line, 5, &long);
            assert_eq!(push(&mut r, &line, 0), Ok(None));
        }
        let line = with_field(&with_field(&with_field(TYPE5[0], 1, "9"), 2, "3"), 5, &long);
        assert_eq!(
            push(&mut r, &line, 0),
            Err(ReassemblyError::Payload(AisError::TooLong))
        );
        assert_eq!(r.pending(), 0);
    }
}
