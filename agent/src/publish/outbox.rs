//! The disk-backed outbox: every message bound for the broker waits here, fsynced, until the
//! broker acknowledges it, so a broker outage, a network cut or `kill -9` of the agent loses
//! nothing.
//!
//! # On disk
//! One append-only log, `outbox.log`, in the configured directory, guarded by an exclusive
//! lock on `outbox.lock` (two agents on one outbox would interleave records). A record is
//!
//! ```text
//! len: u32 LE ‖ crc: u32 LE ‖ body[len]        crc = CRC-32C(len bytes ‖ body)
//! ```
//!
//! and its body starts with a tag: a *header* (magic `BFOB`, format version, the next sequence
//! number; always the first record), a *message* (sequence number, class, creation time,
//! expiry, id, topic, user properties, payload) or a *removal* (sequence numbers acknowledged
//! by the broker, or tracks shed to make room).
//!
//! # Durability
//! [`Outbox::commit`] takes removals and messages together, writes them with one `write` and
//! makes them durable with one `fdatasync` before it returns: the caller batches whatever
//! arrived while the previous fsync was in flight (group commit), so the rate of fsyncs does
//! not bound the rate of alerts. A message counts as stored only once `commit` returned it
//! as [`Outcome::Stored`].
//!
//! On [`Outbox::open`] the log is replayed. Records are checked one by one; the first one that
//! is incomplete or fails its CRC ends the log: it and everything after it (a write torn by a
//! crash or a full disk) is cut off, and the bytes cut are reported in [`Recovery`]. Every
//! complete record before it is kept; nothing is ever skipped silently.
//!
//! # Bounds and the policy when full
//! The live (unacknowledged) messages are bounded by [`OutboxLimits`] in bytes and count.
//! When a new message does not fit:
//! - the oldest *track* messages are shed, oldest first, to make room (each counted in
//!   [`Committed::shed`]): tracks are a picture that the next update replaces;
//! - an *alert* is never shed: when even shedding every track leaves no room, it is refused
//!   ([`Refusal::Full`]) and handed back to the caller, who keeps it and retries once
//!   acknowledgements free space (see [`super::mqtt::LinkHandle::send`]). Once one alert of a
//!   commit is refused, every later alert of that commit is refused too, so that alerts are
//!   stored in the order they were raised;
//! - a track that does not fit after shedding is refused as well; the caller counts it shed.
//!
//! # Compaction
//! Removals only append; when the dead bytes (acknowledged messages and removal records)
//! exceed both the live bytes and a quarter of `max_bytes`, the live messages are rewritten to
//! a new file that replaces the log atomically (write, fsync, rename, fsync the directory).
//! Disk use therefore stays under about twice `max_bytes` plus one batch.

use nix::fcntl::{Flock, FlockArg};
use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::fs::{File, OpenOptions};
use std::io::{self, BufReader, BufWriter, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// The log file's name in the outbox directory.
pub const LOG_FILE: &str = "outbox.log";
/// The file a compaction writes before it replaces the log.
const COMPACT_FILE: &str = "outbox.log.compact";
/// The lock file's name in the outbox directory.
pub const LOCK_FILE: &str = "outbox.lock";
const MAGIC: &[u8; 4] = b"BFOB";
const VERSION: u8 = 1;
const TAG_HEADER: u8 = 1;
const TAG_MESSAGE: u8 = 2;
const TAG_REMOVAL: u8 = 3;
/// Bytes before each record's body: length and CRC.
const RECORD_OVERHEAD: usize = 8;
/// The largest record the log holds (a message's payload is the bulk of it).
pub const MAX_RECORD_BYTES: usize = 16 << 20;

const CRC32C: crc::Crc<u32> = crc::Crc::<u32>::new(&crc::CRC_32_ISCSI);

/// A message's sequence number in the outbox: strictly increasing in the order messages were
/// stored, never reused within one log.
pub type Seq = u64;

/// What a message is, which decides what happens to it when the outbox is full.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Class {
    /// An alert: never shed.
    Alert,
    /// A track update: shed oldest first when the outbox is full.
    Track,
}

impl Class {
    fn to_byte(self) -> u8 {
        match self {
            Class::Alert => 0,
            Class::Track => 1,
        }
    }

    fn from_byte(b: u8) -> Option<Class> {
        match b {
            0 => Some(Class::Alert),
            1 => Some(Class::Track),
            _ => None,
        }
    }
}

/// A message ready for the broker: the publisher sends it as it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    /// Alert or track.
    pub class: Class,
    /// MQTT topic.
    pub topic: String,
    /// The payload (JSON).
    pub payload: Vec<u8>,
    /// An identifier for logs and for receivers' duplicate detection (the alert id).
    pub id: String,
    /// When the message was made, Unix milliseconds; its expiry counts from here.
    pub created_ms: u64,
    /// MQTT 5 message expiry interval, seconds from `created_ms`; `None`: never expires.
    pub expiry_s: Option<u32>,
    /// MQTT 5 user properties (the payload's schema version, for one).
    pub user_properties: Vec<(String, String)>,
}

/// How much the outbox may hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OutboxLimits {
    /// Most bytes of live records (each message's encoded size, payload included).
    pub max_bytes: u64,
    /// Most live messages.
    pub max_messages: usize,
}

/// Why a message was not stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// No room, even after shedding every track: retry once acknowledgements free space.
    Full,
    /// The message can never be stored (too large, or a field too long for the format).
    Invalid {
        /// What is wrong.
        reason: String,
    },
}

/// What became of one message given to [`Outbox::commit`].
#[derive(Debug)]
pub enum Outcome {
    /// Stored durably under this sequence number.
    Stored(Seq, Arc<Message>),
    /// Not stored; the message is handed back.
    Refused(Message, Refusal),
}

/// What one [`Outbox::commit`] did.
#[derive(Debug)]
pub struct Committed {
    /// One outcome per message, in the order given.
    pub outcomes: Vec<Outcome>,
    /// Track messages removed to make room, oldest first.
    pub shed: Vec<Seq>,
    /// How many of the requested removals were live (the others were already gone).
    pub removed: usize,
    /// A compaction that was due failed (the log is intact and keeps growing until the next
    /// attempt succeeds).
    pub compaction_error: Option<io::Error>,
    /// Whether the log was compacted (rewritten to a new file) after this commit.
    pub compacted: bool,
}

/// What [`Outbox::open`] found.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Recovery {
    /// Complete records read.
    pub records: u64,
    /// Messages waiting for the broker.
    pub pending: usize,
    /// Bytes cut from the end of the log: a record torn by a crash or a full disk, or
    /// corrupt.
    pub cut_bytes: u64,
    /// Why the log ended early, when it did.
    pub cut_reason: Option<&'static str>,
    /// A compaction's unfinished file found and deleted.
    pub removed_unfinished_compaction: bool,
}

/// Why the outbox failed.
#[derive(Debug, thiserror::Error)]
pub enum OutboxError {
    /// The directory or its log could not be created, opened or read.
    #[error("outbox directory {dir}: {error}")]
    Open {
        /// The outbox directory.
        dir: PathBuf,
        /// The cause.
        error: io::Error,
    },
    /// Another process holds the outbox.
    #[error(
        "outbox directory {dir} is in use by another process (it holds {LOCK_FILE}): two agents must not share an outbox"
    )]
    Locked {
        /// The outbox directory.
        dir: PathBuf,
    },
    /// The log does not start with this format's header: not an outbox, or a newer format.
    /// It is left untouched.
    #[error("{path} is not a borderfuse outbox log of format version {VERSION}: {reason}")]
    Format {
        /// The log file.
        path: PathBuf,
        /// What is wrong.
        reason: String,
    },
    /// A write or fsync failed (a full disk, an I/O error). Nothing of the commit counts as
    /// done: its messages and removals are handed back to be retried.
    #[error("writing the outbox log failed ({error}); {} message(s) not stored", messages.len())]
    Write {
        /// The cause.
        error: io::Error,
        /// The messages of the failed commit, in order.
        messages: Vec<Message>,
        /// The removals of the failed commit.
        removals: Vec<Seq>,
    },
}

#[derive(Debug)]
struct Live {
    message: Arc<Message>,
    bytes: u64,
}

/// The outbox. One owner: wrap it in a thread or a lock to share it.
#[derive(Debug)]
pub struct Outbox {
    dir: PathBuf,
    file: File,
    _lock: Flock<File>,
    live: BTreeMap<Seq, Live>,
    /// Live track messages, for shedding oldest first without scanning the alerts.
    tracks: BTreeSet<Seq>,
    next_seq: Seq,
    live_bytes: u64,
    file_len: u64,
    header_len: u64,
    limits: OutboxLimits,
    /// A failed write whose truncation also failed: the log's tail holds bytes the outbox
    /// does not account for, to be cut before the next write.
    tail_unknown: bool,
}

impl Outbox {
    /// Opens (creating if needed) the outbox in `dir`, takes its lock and replays its log.
    pub fn open(dir: &Path, limits: OutboxLimits) -> Result<(Outbox, Recovery), OutboxError> {
        let open_err = |error: io::Error| OutboxError::Open {
            dir: dir.to_owned(),
            error,
        };
        std::fs::create_dir_all(dir).map_err(open_err)?;
        let lock_file = OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(dir.join(LOCK_FILE))
            .map_err(open_err)?;
        let lock = match Flock::lock(lock_file, FlockArg::LockExclusiveNonblock) {
            Ok(lock) => lock,
            Err((_, nix::errno::Errno::EWOULDBLOCK)) => {
                return Err(OutboxError::Locked {
                    dir: dir.to_owned(),
                });
            }
            Err((_, errno)) => return Err(open_err(io::Error::from(errno))),
        };

        let mut recovery = Recovery::default();
        let compact_path = dir.join(COMPACT_FILE);
        // A compaction that did not reach its rename: the log is still the authority.
        match std::fs::remove_file(&compact_path) {
            Ok(()) => recovery.removed_unfinished_compaction = true,
            Err(e) if e.kind() == io::ErrorKind::NotFound => {}
            Err(e) => return Err(open_err(e)),
        }

        let path = dir.join(LOG_FILE);
        let replayed = match File::open(&path) {
            Ok(f) => replay(f, &path).map_err(|e| match e {
                ReplayError::Io(e) => open_err(e),
                ReplayError::Format(reason) => OutboxError::Format {
                    path: path.clone(),
                    reason,
                },
            })?,
            Err(e) if e.kind() == io::ErrorKind::NotFound => Replayed::default(),
            Err(e) => return Err(open_err(e)),
        };
        recovery.records = replayed.records;
        recovery.cut_bytes = replayed.total_len - replayed.good_len;
        recovery.cut_reason = replayed.cut_reason;
        recovery.pending = replayed.live.len();

        let mut outbox = Outbox {
            dir: dir.to_owned(),
            file: OpenOptions::new()
                .create(true)
                .append(true)
                .open(&path)
                .map_err(open_err)?,
            _lock: lock,
            tracks: replayed
                .live
                .iter()
                .filter(|(_, l)| l.message.class == Class::Track)
                .map(|(s, _)| *s)
                .collect(),
            live_bytes: replayed.live.values().map(|l| l.bytes).sum(),
            live: replayed.live,
            next_seq: replayed.next_seq,
            file_len: replayed.good_len,
            header_len: replayed.header_len,
            limits,
            tail_unknown: false,
        };
        if replayed.header_len == 0 {
            // A new log, or one whose header never became durable: start it afresh (nothing
            // after a torn header can have been stored).
            outbox.compact().map_err(open_err)?;
        } else if recovery.cut_bytes > 0 {
            outbox.file.set_len(replayed.good_len).map_err(open_err)?;
            outbox.file.sync_all().map_err(open_err)?;
        }
        if outbox.compaction_due() {
            outbox.compact().map_err(open_err)?;
        }
        Ok((outbox, recovery))
    }

    /// The messages waiting for the broker, in the order they were stored.
    pub fn pending(&self) -> impl Iterator<Item = (Seq, &Arc<Message>)> + '_ {
        self.live.iter().map(|(s, l)| (*s, &l.message))
    }

    /// Whether `seq` is waiting for the broker.
    pub fn contains(&self, seq: Seq) -> bool {
        self.live.contains_key(&seq)
    }

    /// How many messages wait for the broker.
    pub fn len(&self) -> usize {
        self.live.len()
    }

    /// Whether nothing waits.
    pub fn is_empty(&self) -> bool {
        self.live.is_empty()
    }

    /// Encoded bytes of the messages waiting.
    pub fn live_bytes(&self) -> u64 {
        self.live_bytes
    }

    /// Size of the log file.
    pub fn file_bytes(&self) -> u64 {
        self.file_len
    }

    /// The directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The limits.
    pub fn limits(&self) -> OutboxLimits {
        self.limits
    }

    /// Stores `messages`.
    pub fn append(&mut self, messages: Vec<Message>) -> Result<Committed, OutboxError> {
        self.commit(&[], messages)
    }

    /// Removes `seqs` (acknowledged by the broker).
    pub fn remove(&mut self, seqs: &[Seq]) -> Result<Committed, OutboxError> {
        self.commit(seqs, Vec::new())
    }

    /// Removes `removals` and stores `messages` (in that order, so that removals make room),
    /// with one write and one fsync; returns once all of it is durable. Removals of sequence
    /// numbers not live are ignored. On error nothing counts as done and everything is handed
    /// back in [`OutboxError::Write`].
    pub fn commit(
        &mut self,
        removals: &[Seq],
        messages: Vec<Message>,
    ) -> Result<Committed, OutboxError> {
        // Plan first, touching nothing, so that a failed write leaves the outbox as it was.
        let mut removed: Vec<Seq> = Vec::new();
        let mut gone: HashSet<Seq> = HashSet::new();
        let mut live_bytes = self.live_bytes;
        let mut live_count = self.live.len();
        for &seq in removals {
            if let Some(l) = self.live.get(&seq)
                && gone.insert(seq)
            {
                removed.push(seq);
                live_bytes -= l.bytes;
                live_count -= 1;
            }
        }
        let max_record =
            MAX_RECORD_BYTES.min(usize::try_from(self.limits.max_bytes).unwrap_or(usize::MAX));
        let mut sheddable = self.tracks.iter().copied().filter(|s| !gone.contains(s));
        let mut shed = Vec::new();
        let mut plans: Vec<Result<(Seq, u64), Refusal>> = Vec::with_capacity(messages.len());
        let mut records = Vec::new();
        let mut seq = self.next_seq;
        let mut refusing_alerts = false;
        for message in &messages {
            if message.class == Class::Alert && refusing_alerts {
                plans.push(Err(Refusal::Full));
                continue;
            }
            let start = records.len();
            if let Err(reason) = encode_message(&mut records, seq, message, max_record) {
                records.truncate(start);
                plans.push(Err(Refusal::Invalid { reason }));
                continue;
            }
            let bytes = (records.len() - start) as u64;
            let fits = |b: u64, n: usize| {
                b + bytes <= self.limits.max_bytes && n < self.limits.max_messages
            };
            while !fits(live_bytes, live_count) {
                let Some(oldest) = sheddable.next() else {
                    break;
                };
                if let Some(l) = self.live.get(&oldest) {
                    live_bytes -= l.bytes;
                    live_count -= 1;
                    shed.push(oldest);
                }
            }
            if fits(live_bytes, live_count) {
                plans.push(Ok((seq, bytes)));
                live_bytes += bytes;
                live_count += 1;
                seq += 1;
            } else {
                records.truncate(start);
                if message.class == Class::Alert {
                    refusing_alerts = true;
                }
                plans.push(Err(Refusal::Full));
            }
        }

        let mut buf = Vec::with_capacity(records.len() + 16 + 8 * (removed.len() + shed.len()));
        let mut removal_seqs = removed.clone();
        removal_seqs.extend_from_slice(&shed);
        for chunk in removal_seqs.chunks((MAX_RECORD_BYTES - 16) / 8) {
            encode_removal(&mut buf, chunk);
        }
        buf.extend_from_slice(&records);
        if !buf.is_empty()
            && let Err(error) = self.write_durably(&buf)
        {
            return Err(OutboxError::Write {
                error,
                messages,
                removals: removals.to_vec(),
            });
        }

        // Durable: apply.
        for s in removed.iter().chain(&shed) {
            if let Some(l) = self.live.remove(s) {
                self.live_bytes -= l.bytes;
            }
            self.tracks.remove(s);
        }
        let mut outcomes = Vec::with_capacity(messages.len());
        for (message, plan) in messages.into_iter().zip(plans) {
            match plan {
                Ok((seq, bytes)) => {
                    let message = Arc::new(message);
                    if message.class == Class::Track {
                        self.tracks.insert(seq);
                    }
                    self.live.insert(
                        seq,
                        Live {
                            message: message.clone(),
                            bytes,
                        },
                    );
                    self.live_bytes += bytes;
                    outcomes.push(Outcome::Stored(seq, message));
                }
                Err(refusal) => outcomes.push(Outcome::Refused(message, refusal)),
            }
        }
        self.next_seq = seq;
        let mut committed = Committed {
            outcomes,
            shed,
            removed: removed.len(),
            compaction_error: None,
            compacted: false,
        };
        if self.compaction_due() {
            match self.compact() {
                Ok(()) => committed.compacted = true,
                Err(e) => committed.compaction_error = Some(e),
            }
        }
        Ok(committed)
    }

    fn write_durably(&mut self, buf: &[u8]) -> io::Result<()> {
        if self.tail_unknown {
            self.file.set_len(self.file_len)?;
            self.tail_unknown = false;
        }
        let result = self
            .file
            .write_all(buf)
            .and_then(|()| self.file.sync_data());
        match result {
            Ok(()) => {
                self.file_len += buf.len() as u64;
                Ok(())
            }
            Err(e) => {
                // Leave no partial batch behind for the next append to follow (a replay would
                // stop at it and cut the good records after it).
                if self.file.set_len(self.file_len).is_err() {
                    self.tail_unknown = true;
                }
                Err(e)
            }
        }
    }

    fn dead_bytes(&self) -> u64 {
        self.file_len
            .saturating_sub(self.header_len)
            .saturating_sub(self.live_bytes)
    }

    fn compaction_due(&self) -> bool {
        let dead = self.dead_bytes();
        dead > self.live_bytes && dead > self.limits.max_bytes / 4
    }

    /// Rewrites the live messages to a new log that replaces the old one atomically.
    fn compact(&mut self) -> io::Result<()> {
        let tmp = self.dir.join(COMPACT_FILE);
        let path = self.dir.join(LOG_FILE);
        let mut out = BufWriter::new(
            OpenOptions::new()
                .create(true)
                .write(true)
                .truncate(true)
                .open(&tmp)?,
        );
        let mut record = Vec::new();
        encode_header(&mut record, self.next_seq);
        let header_len = record.len() as u64;
        let mut len = header_len;
        out.write_all(&record)?;
        for (seq, live) in &self.live {
            record.clear();
            encode_message(&mut record, *seq, &live.message, MAX_RECORD_BYTES)
                .map_err(io::Error::other)?;
            len += record.len() as u64;
            out.write_all(&record)?;
        }
        let file = out.into_inner().map_err(|e| e.into_error())?;
        file.sync_all()?;
        drop(file);
        std::fs::rename(&tmp, &path)?;
        File::open(&self.dir)?.sync_all()?;
        self.file = OpenOptions::new().append(true).open(&path)?;
        self.file_len = len;
        self.header_len = header_len;
        self.tail_unknown = false;
        Ok(())
    }
}

// ---- encoding ----

fn finish_record(buf: &mut [u8], start: usize) {
    // `start` is where 8 placeholder bytes were reserved for the length and CRC.
    let body_len = buf.len() - start - RECORD_OVERHEAD;
    let len_bytes = (body_len as u32).to_le_bytes();
    let mut digest = CRC32C.digest();
    digest.update(&len_bytes);
    digest.update(&buf[start + RECORD_OVERHEAD..]);
    let crc = digest.finalize().to_le_bytes();
    buf[start..start + 4].copy_from_slice(&len_bytes);
    buf[start + 4..start + 8].copy_from_slice(&crc);
}

fn encode_header(buf: &mut Vec<u8>, next_seq: Seq) {
    let start = buf.len();
    buf.extend_from_slice(&[0; RECORD_OVERHEAD]);
    buf.push(TAG_HEADER);
    buf.extend_from_slice(MAGIC);
    buf.push(VERSION);
    buf.extend_from_slice(&next_seq.to_le_bytes());
    finish_record(buf, start);
}

fn encode_removal(buf: &mut Vec<u8>, seqs: &[Seq]) {
    let start = buf.len();
    buf.extend_from_slice(&[0; RECORD_OVERHEAD]);
    buf.push(TAG_REMOVAL);
    buf.extend_from_slice(&(seqs.len() as u32).to_le_bytes());
    for s in seqs {
        buf.extend_from_slice(&s.to_le_bytes());
    }
    finish_record(buf, start);
}

fn put_str16(buf: &mut Vec<u8>, what: &str, s: &str) -> Result<(), String> {
    let len = u16::try_from(s.len())
        .map_err(|_| format!("{what} is {} bytes long, over 65535", s.len()))?;
    buf.extend_from_slice(&len.to_le_bytes());
    buf.extend_from_slice(s.as_bytes());
    Ok(())
}

/// Appends the record of `message`; on error `buf` may hold part of it (the caller cuts).
fn encode_message(
    buf: &mut Vec<u8>,
    seq: Seq,
    message: &Message,
    max_record: usize,
) -> Result<(), String> {
    let start = buf.len();
    buf.extend_from_slice(&[0; RECORD_OVERHEAD]);
    buf.push(TAG_MESSAGE);
    buf.extend_from_slice(&seq.to_le_bytes());
    buf.push(message.class.to_byte());
    buf.extend_from_slice(&message.created_ms.to_le_bytes());
    match message.expiry_s {
        Some(e) => {
            buf.push(1);
            buf.extend_from_slice(&e.to_le_bytes());
        }
        None => {
            buf.push(0);
            buf.extend_from_slice(&0u32.to_le_bytes());
        }
    }
    put_str16(buf, "the id", &message.id)?;
    put_str16(buf, "the topic", &message.topic)?;
    let n = u8::try_from(message.user_properties.len()).map_err(|_| {
        format!(
            "{} user properties, over 255",
            message.user_properties.len()
        )
    })?;
    buf.push(n);
    for (k, v) in &message.user_properties {
        put_str16(buf, "a user property name", k)?;
        put_str16(buf, "a user property value", v)?;
    }
    let payload_len = u32::try_from(message.payload.len())
        .map_err(|_| format!("the payload is {} bytes long", message.payload.len()))?;
    buf.extend_from_slice(&payload_len.to_le_bytes());
    buf.extend_from_slice(&message.payload);
    let record_len = buf.len() - start;
    if record_len > max_record {
        return Err(format!(
            "the message needs {record_len} bytes in the outbox, over its limit of {max_record}"
        ));
    }
    finish_record(buf, start);
    Ok(())
}

/// Reads fields off a record body; `None` when the body is too short or malformed.
struct Fields<'a> {
    rest: &'a [u8],
}

impl<'a> Fields<'a> {
    fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        if self.rest.len() < n {
            return None;
        }
        let (head, tail) = self.rest.split_at(n);
        self.rest = tail;
        Some(head)
    }

    fn u8(&mut self) -> Option<u8> {
        self.take(1)?.first().copied()
    }

    fn u16(&mut self) -> Option<u16> {
        Some(u16::from_le_bytes(self.take(2)?.try_into().ok()?))
    }

    fn u32(&mut self) -> Option<u32> {
        Some(u32::from_le_bytes(self.take(4)?.try_into().ok()?))
    }

    fn u64(&mut self) -> Option<u64> {
        Some(u64::from_le_bytes(self.take(8)?.try_into().ok()?))
    }

    fn str16(&mut self) -> Option<String> {
        let n = usize::from(self.u16()?);
        String::from_utf8(self.take(n)?.to_vec()).ok()
    }
}

enum Record {
    Header { next_seq: Seq },
    Message(Seq, Message),
    Removal(Vec<Seq>),
}

fn decode(body: &[u8]) -> Option<Record> {
    let mut f = Fields { rest: body };
    let record = match f.u8()? {
        TAG_HEADER => {
            if f.take(4)? != MAGIC || f.u8()? != VERSION {
                return None;
            }
            Record::Header { next_seq: f.u64()? }
        }
        TAG_MESSAGE => {
            let seq = f.u64()?;
            let class = Class::from_byte(f.u8()?)?;
            let created_ms = f.u64()?;
            let has_expiry = f.u8()?;
            let expiry = f.u32()?;
            let expiry_s = match has_expiry {
                0 => None,
                1 => Some(expiry),
                _ => return None,
            };
            let id = f.str16()?;
            let topic = f.str16()?;
            let n = f.u8()?;
            let mut user_properties = Vec::with_capacity(usize::from(n));
            for _ in 0..n {
                user_properties.push((f.str16()?, f.str16()?));
            }
            let len = usize::try_from(f.u32()?).ok()?;
            let payload = f.take(len)?.to_vec();
            Record::Message(
                seq,
                Message {
                    class,
                    topic,
                    payload,
                    id,
                    created_ms,
                    expiry_s,
                    user_properties,
                },
            )
        }
        TAG_REMOVAL => {
            let n = usize::try_from(f.u32()?).ok()?;
            if f.rest.len() != n.checked_mul(8)? {
                return None;
            }
            let mut seqs = Vec::with_capacity(n);
            for _ in 0..n {
                seqs.push(f.u64()?);
            }
            Record::Removal(seqs)
        }
        _ => return None,
    };
    f.rest.is_empty().then_some(record)
}

#[derive(Debug, Default)]
struct Replayed {
    live: BTreeMap<Seq, Live>,
    next_seq: Seq,
    records: u64,
    good_len: u64,
    total_len: u64,
    header_len: u64,
    cut_reason: Option<&'static str>,
}

enum ReplayError {
    Io(io::Error),
    Format(String),
}

/// Reads `n` bytes, or fewer at the end of the file.
fn read_up_to(r: &mut impl Read, buf: &mut [u8]) -> io::Result<usize> {
    let mut done = 0;
    while done < buf.len() {
        match r.read(&mut buf[done..]) {
            Ok(0) => break,
            Ok(n) => done += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(done)
}

fn replay(file: File, path: &Path) -> Result<Replayed, ReplayError> {
    let total_len = file.metadata().map_err(ReplayError::Io)?.len();
    let mut reader = BufReader::with_capacity(1 << 16, file);
    let mut r = Replayed {
        total_len,
        ..Replayed::default()
    };
    let mut head = [0u8; RECORD_OVERHEAD];
    let mut body = Vec::new();
    let mut last_message: Option<Seq> = None;
    loop {
        let n = read_up_to(&mut reader, &mut head).map_err(ReplayError::Io)?;
        if n == 0 {
            break;
        }
        if n < RECORD_OVERHEAD {
            r.cut_reason = Some("a record header torn at the end of the log");
            break;
        }
        let len_bytes = [head[0], head[1], head[2], head[3]];
        let len = u32::from_le_bytes(len_bytes) as usize;
        let crc = u32::from_le_bytes([head[4], head[5], head[6], head[7]]);
        if len == 0 || len > MAX_RECORD_BYTES {
            r.cut_reason = Some("a record of impossible length (corrupt)");
            break;
        }
        body.resize(len, 0);
        let got = read_up_to(&mut reader, &mut body).map_err(ReplayError::Io)?;
        if got < len {
            r.cut_reason = Some("a record torn at the end of the log");
            break;
        }
        let mut digest = CRC32C.digest();
        digest.update(&len_bytes);
        digest.update(&body);
        if digest.finalize() != crc {
            r.cut_reason = Some("a record failing its CRC (torn or corrupt)");
            break;
        }
        let record_len = (RECORD_OVERHEAD + len) as u64;
        let Some(record) = decode(&body) else {
            if r.records == 0 {
                return Err(ReplayError::Format(
                    "its first record is not a header this version understands".into(),
                ));
            }
            r.cut_reason = Some("a record that passes its CRC but does not decode");
            break;
        };
        match record {
            Record::Header { next_seq } if r.records == 0 => {
                r.next_seq = next_seq;
                r.header_len = record_len;
            }
            _ if r.records == 0 => {
                return Err(ReplayError::Format(format!(
                    "{} does not start with a header",
                    path.display()
                )));
            }
            Record::Header { .. } => {
                r.cut_reason = Some("a second header in the log (corrupt)");
                break;
            }
            Record::Message(seq, message) => {
                // Messages follow each other in increasing order (a compaction rewrites them in
                // order, below its header's next number); one that does not cannot come from
                // this outbox's appends: treat it as corruption rather than replace a message.
                if last_message.is_some_and(|last| seq <= last) {
                    r.cut_reason = Some("a message whose sequence number goes backwards");
                    break;
                }
                last_message = Some(seq);
                r.next_seq = r.next_seq.max(seq + 1);
                r.live.insert(
                    seq,
                    Live {
                        message: Arc::new(message),
                        bytes: record_len,
                    },
                );
            }
            Record::Removal(seqs) => {
                for s in seqs {
                    r.live.remove(&s);
                }
            }
        }
        r.records += 1;
        r.good_len += record_len;
    }
    Ok(r)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limits() -> OutboxLimits {
        OutboxLimits {
            max_bytes: 1 << 20,
            max_messages: 1000,
        }
    }

    fn message(class: Class, id: &str) -> Message {
        Message {
            class,
            topic: format!(
                "borderfuse/v1/GR/p/{}",
                if class == Class::Alert {
                    "alerts/dark_target"
                } else {
                    "tracks"
                }
            ),
            payload: format!("{{\"id\":\"{id}\"}}").into_bytes(),
            id: id.to_string(),
            created_ms: 1_764_331_200_000,
            expiry_s: Some(3600),
            user_properties: vec![("schema".into(), "borderfuse.alert/1".into())],
        }
    }

    fn stored(c: &Committed) -> Vec<Seq> {
        c.outcomes
            .iter()
            .filter_map(|o| match o {
                Outcome::Stored(s, _) => Some(*s),
                Outcome::Refused(..) => None,
            })
            .collect()
    }

    fn ids(o: &Outbox) -> Vec<String> {
        o.pending().map(|(_, m)| m.id.clone()).collect()
    }

    #[test]
    fn stored_messages_survive_a_reopen_until_removed() {
        let dir = tempfile::tempdir().unwrap();
        let (mut o, r) = Outbox::open(dir.path(), limits()).unwrap();
        assert_eq!(r.pending, 0);
        let c = o
            .append(vec![
                message(Class::Alert, "a"),
                message(Class::Track, "t"),
                message(Class::Alert, "b"),
            ])
            .unwrap();
        let seqs = stored(&c);
        assert_eq!(seqs.len(), 3);
        o.remove(&seqs[1..2]).unwrap();
        drop(o);
        let (o, r) = Outbox::open(dir.path(), limits()).unwrap();
        assert_eq!(r.pending, 2);
        assert_eq!(r.cut_bytes, 0);
        assert_eq!(ids(&o), ["a", "b"]);
        let first = o.pending().next().unwrap().1.clone();
        assert_eq!(*first, message(Class::Alert, "a"));
    }

    #[test]
    fn sequence_numbers_keep_increasing_across_reopens_and_compactions() {
        let dir = tempfile::tempdir().unwrap();
        let small = OutboxLimits {
            max_bytes: 4096,
            max_messages: 100,
        };
        let (mut o, _) = Outbox::open(dir.path(), small).unwrap();
        let mut last = None;
        for i in 0..50 {
            let c = o
                .append(vec![message(Class::Alert, &format!("a{i}"))])
                .unwrap();
            let s = stored(&c)[0];
            assert!(last.is_none_or(|l| s > l));
            last = Some(s);
            o.remove(&[s]).unwrap();
            if i == 25 {
                drop(o);
                o = Outbox::open(dir.path(), small).unwrap().0;
            }
        }
        assert!(o.is_empty());
        // Compaction keeps the file near the live size: here, only a header.
        assert!(o.file_bytes() < 4096, "{}", o.file_bytes());
    }

    #[test]
    fn messages_rewritten_by_a_compaction_survive_a_reopen() {
        let dir = tempfile::tempdir().unwrap();
        let small = OutboxLimits {
            max_bytes: 4096,
            max_messages: 100,
        };
        let (mut o, _) = Outbox::open(dir.path(), small).unwrap();
        o.append(vec![message(Class::Alert, "kept")]).unwrap();
        let mut compacted = false;
        for i in 0..40 {
            let before = o.file_bytes();
            let c = o
                .append(vec![message(Class::Track, &format!("t{i}"))])
                .unwrap();
            o.remove(&stored(&c)).unwrap();
            compacted |= o.file_bytes() < before;
        }
        assert!(compacted, "a compaction happened");
        drop(o);
        let (mut o, r) = Outbox::open(dir.path(), small).unwrap();
        assert_eq!(r.cut_bytes, 0, "{r:?}");
        assert_eq!(ids(&o), ["kept"]);
        // New messages number after everything the log ever held.
        let c = o.append(vec![message(Class::Alert, "new")]).unwrap();
        assert!(stored(&c)[0] > 40);
    }

    #[test]
    fn a_torn_tail_is_cut_and_counted_and_the_complete_records_are_kept() {
        let dir = tempfile::tempdir().unwrap();
        let (mut o, _) = Outbox::open(dir.path(), limits()).unwrap();
        o.append(vec![message(Class::Alert, "a"), message(Class::Alert, "b")])
            .unwrap();
        let len = o.file_bytes();
        o.append(vec![message(Class::Alert, "c")]).unwrap();
        drop(o);
        let path = dir.path().join(LOG_FILE);
        let f = OpenOptions::new().write(true).open(&path).unwrap();
        f.set_len(len + 11).unwrap();
        drop(f);
        let (mut o, r) = Outbox::open(dir.path(), limits()).unwrap();
        assert_eq!(r.cut_bytes, 11);
        assert!(r.cut_reason.is_some());
        assert_eq!(ids(&o), ["a", "b"]);
        // The log goes on cleanly after the cut.
        o.append(vec![message(Class::Alert, "d")]).unwrap();
        drop(o);
        let (o, r) = Outbox::open(dir.path(), limits()).unwrap();
        assert_eq!(r.cut_bytes, 0);
        assert_eq!(ids(&o), ["a", "b", "d"]);
    }

    #[test]
    fn a_corrupt_byte_in_the_last_record_is_cut_not_a_panic() {
        let dir = tempfile::tempdir().unwrap();
        let (mut o, _) = Outbox::open(dir.path(), limits()).unwrap();
        o.append(vec![message(Class::Alert, "a")]).unwrap();
        let len = o.file_bytes();
        o.append(vec![message(Class::Alert, "b")]).unwrap();
        drop(o);
        let path = dir.path().join(LOG_FILE);
        let mut bytes = std::fs::read(&path).unwrap();
        let i = len as usize + 20;
        bytes[i] ^= 0x40;
        std::fs::write(&path, &bytes).unwrap();
        let (o, r) = Outbox::open(dir.path(), limits()).unwrap();
        assert_eq!(ids(&o), ["a"]);
        assert_eq!(r.cut_bytes, bytes.len() as u64 - len);
    }

    #[test]
    fn a_file_that_is_not_an_outbox_is_refused_and_left_alone() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(LOG_FILE);
        // A valid-looking record that is not a header.
        let mut buf = Vec::new();
        encode_removal(&mut buf, &[1, 2]);
        std::fs::write(&path, &buf).unwrap();
        let e = Outbox::open(dir.path(), limits()).unwrap_err();
        assert!(matches!(e, OutboxError::Format { .. }), "{e}");
        assert_eq!(std::fs::read(&path).unwrap(), buf);
    }

    #[test]
    fn garbage_in_place_of_the_log_is_cut_as_a_torn_header() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join(LOG_FILE), b"\xff\xff\xff\x7fgarbage").unwrap();
        let (o, r) = Outbox::open(dir.path(), limits()).unwrap();
        assert!(o.is_empty());
        assert_eq!(r.cut_bytes, 11);
    }

    #[test]
    fn an_unfinished_compaction_is_discarded_and_the_log_kept() {
        let dir = tempfile::tempdir().unwrap();
        let (mut o, _) = Outbox::open(dir.path(), limits()).unwrap();
        o.append(vec![message(Class::Alert, "a")]).unwrap();
        drop(o);
        std::fs::write(dir.path().join(COMPACT_FILE), b"half a compaction").unwrap();
        let (o, r) = Outbox::open(dir.path(), limits()).unwrap();
        assert!(r.removed_unfinished_compaction);
        assert_eq!(ids(&o), ["a"]);
        assert!(!dir.path().join(COMPACT_FILE).exists());
    }

    #[test]
    fn a_second_process_cannot_open_the_same_outbox() {
        let dir = tempfile::tempdir().unwrap();
        let (_o, _) = Outbox::open(dir.path(), limits()).unwrap();
        let e = Outbox::open(dir.path(), limits()).unwrap_err();
        assert!(matches!(e, OutboxError::Locked { .. }), "{e}");
    }

    #[test]
    fn an_unusable_directory_is_a_clear_error() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("a-file");
        std::fs::write(&file, b"").unwrap();
        let e = Outbox::open(&file.join("outbox"), limits()).unwrap_err();
        assert!(matches!(e, OutboxError::Open { .. }), "{e}");
        assert!(e.to_string().contains("a-file"), "{e}");
    }

    #[test]
    fn when_full_tracks_are_shed_oldest_first_and_alerts_refused_in_order() {
        let dir = tempfile::tempdir().unwrap();
        let full = OutboxLimits {
            max_bytes: 1 << 20,
            max_messages: 3,
        };
        let (mut o, _) = Outbox::open(dir.path(), full).unwrap();
        let c = o
            .append(vec![
                message(Class::Track, "t1"),
                message(Class::Track, "t2"),
                message(Class::Alert, "a1"),
            ])
            .unwrap();
        let first = stored(&c);
        // Two more alerts: both tracks go, oldest first.
        let c = o
            .append(vec![
                message(Class::Alert, "a2"),
                message(Class::Alert, "a3"),
            ])
            .unwrap();
        assert_eq!(c.shed, first[..2]);
        assert_eq!(ids(&o), ["a1", "a2", "a3"]);
        // Full of alerts: a track is refused, and so is an alert, and every alert after it.
        let c = o
            .append(vec![
                message(Class::Track, "t3"),
                message(Class::Alert, "a4"),
                message(Class::Alert, "a5"),
            ])
            .unwrap();
        assert!(c.shed.is_empty());
        let refused: Vec<(&str, &Refusal)> = c
            .outcomes
            .iter()
            .filter_map(|o| match o {
                Outcome::Refused(m, r) => Some((m.id.as_str(), r)),
                Outcome::Stored(..) => None,
            })
            .collect();
        assert_eq!(
            refused,
            [
                ("t3", &Refusal::Full),
                ("a4", &Refusal::Full),
                ("a5", &Refusal::Full)
            ]
        );
        // An acknowledgement makes room, in the same commit.
        let a1 = o.pending().next().unwrap().0;
        let c = o.commit(&[a1], vec![message(Class::Alert, "a4")]).unwrap();
        assert_eq!(c.removed, 1);
        assert_eq!(stored(&c).len(), 1);
        drop(o);
        let (o, _) = Outbox::open(dir.path(), full).unwrap();
        assert_eq!(ids(&o), ["a2", "a3", "a4"]);
    }

    #[test]
    fn a_message_larger_than_the_outbox_is_refused_as_invalid() {
        let dir = tempfile::tempdir().unwrap();
        let tiny = OutboxLimits {
            max_bytes: 256,
            max_messages: 10,
        };
        let (mut o, _) = Outbox::open(dir.path(), tiny).unwrap();
        let mut big = message(Class::Alert, "big");
        big.payload = vec![b'x'; 300];
        let c = o.append(vec![big]).unwrap();
        assert!(matches!(
            c.outcomes[0],
            Outcome::Refused(_, Refusal::Invalid { .. })
        ));
    }

    #[test]
    fn removing_unknown_or_repeated_sequence_numbers_changes_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let (mut o, _) = Outbox::open(dir.path(), limits()).unwrap();
        let c = o.append(vec![message(Class::Alert, "a")]).unwrap();
        let s = stored(&c)[0];
        let c = o.remove(&[s + 10, s + 11]).unwrap();
        assert_eq!(c.removed, 0);
        let c = o.remove(&[s, s]).unwrap();
        assert_eq!(c.removed, 1);
        assert!(o.is_empty());
    }
}
