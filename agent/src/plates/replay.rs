//! Offline plate replay for scoring: `borderfuse-agent plates --config FILE --reads
//! READS.jsonl [--out alerts.jsonl]`.
//!
//! Each line of READS is one camera read as [`super::read`] takes it, plus a `checkpoint`
//! member naming the configured checkpoint it was read at (live, the listener says that):
//!
//! ```json
//! {"checkpoint": "kipoi", "plate": "AB-123-CD", "confidence": 0.91, "region": "fr",
//!  "timestamp": "2026-11-29T04:00:00Z"}
//! ```
//!
//! The reads run through the plate engine as fast as they go, with the engine's clock taken
//! from them, not from the wall clock: the clock is the newest read time so far (reads
//! should be in time order; an older read is processed at the clock, and counted
//! `out_of_order`), so no replayed read is ever "in the future". Each alert is written as
//! one JSON object a line exactly as the agent publishes it on the post's own alert topic
//! (the sharing policy applied, signed with `[signing]`'s key or a throwaway one), which is
//! what `bordersim score-alerts --alerts` reads. Blank lines are skipped; a line that is not
//! a JSON object with a `checkpoint` text, or longer than [`MAX_LINE`], is counted and
//! skipped; a read the engine refuses is counted under its reason.

use super::{PlateEngine, PlateStats};
use crate::decode::Time;
use crate::share::Policy;
use crate::share::policy::OWN_AUDIENCE;
use std::io::{BufRead, Read, Write};

/// Longest read line taken, bytes (as a TCP camera's line).
pub const MAX_LINE: usize = crate::ingest::camera::MAX_LINE;

/// What a replay did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ReplaySummary {
    /// Non-blank lines read.
    pub lines: u64,
    /// Lines skipped: not a JSON object with a `checkpoint` text.
    pub no_checkpoint: u64,
    /// Lines skipped: longer than [`MAX_LINE`] or not UTF-8.
    pub unreadable: u64,
    /// Reads older than one before them (processed at the newer time).
    pub out_of_order: u64,
    /// Alerts written.
    pub alerts: u64,
    /// Alerts the sharing policy keeps off the post's own topic (not written).
    pub alerts_not_shared: u64,
    /// The plate engine's counters at the end.
    pub engine: PlateStats,
}

impl ReplaySummary {
    /// One line for stderr.
    pub fn line(&self) -> String {
        let e = &self.engine;
        format!(
            "lines={} no_checkpoint={} unreadable={} out_of_order={} alerts={} \
             alerts_not_shared={} plate_reads={} plate_accepted={} plate_rejected_malformed={} \
             plate_rejected_alphabet={} plate_rejected_length={} plate_rejected_confidence={} \
             plate_rejected_time={} plate_rejected_checkpoint={} candidates_dropped={} \
             passages={} merged_reads={} plate_hotlist={} plate_clone={} repeat_crossing={} \
             hotlist_listed={}",
            self.lines,
            self.no_checkpoint,
            self.unreadable,
            self.out_of_order,
            self.alerts,
            self.alerts_not_shared,
            e.reads,
            e.accepted,
            e.rejected_malformed,
            e.rejected_alphabet,
            e.rejected_length,
            e.rejected_confidence,
            e.rejected_time,
            e.rejected_checkpoint,
            e.candidates_dropped,
            e.passages,
            e.merged_reads,
            e.hotlist_events,
            e.clone_events,
            e.repeat_events,
            e.hotlist_listed,
        )
    }
}

/// Why a replay stopped.
#[derive(Debug, thiserror::Error)]
pub enum ReplayError {
    /// Reading the reads.
    #[error("reading the reads: {0}")]
    Read(std::io::Error),
    /// Writing the alerts.
    #[error("writing the alerts: {0}")]
    Write(std::io::Error),
    /// The sharing policy could not make an alert's message.
    #[error("alert {id}: {source}")]
    Share {
        /// The alert.
        id: String,
        /// The cause.
        source: crate::share::PolicyError,
    },
}

/// Runs `engine` over the reads in `reads` and writes the alerts to `out` as post `post` of
/// `country` publishes them under `policy` (see the module documentation).
pub fn replay(
    engine: &mut PlateEngine,
    policy: &Policy,
    reads: impl BufRead,
    mut out: impl Write,
) -> Result<ReplaySummary, ReplayError> {
    let mut summary = ReplaySummary::default();
    let mut clock: Option<Time> = None;
    let country = policy.origin().country().to_owned();
    let post = policy.origin().post().to_owned();
    let mut lines = BoundedLines::new(reads);
    while let Some(line) = lines.next_line().map_err(ReplayError::Read)? {
        let Some(line) = line else {
            summary.lines += 1;
            summary.unreadable += 1;
            continue;
        };
        if line.trim().is_empty() {
            continue;
        }
        summary.lines += 1;
        let checkpoint = serde_json::from_str::<serde_json::Value>(&line)
            .ok()
            .and_then(|v| v.get("checkpoint")?.as_str().map(str::to_owned));
        let Some(checkpoint) = checkpoint else {
            summary.no_checkpoint += 1;
            continue;
        };
        let (events, t) = engine.ingest_json_replayed(&line, &checkpoint, &mut clock);
        if let (Some(t), Some(newest)) = (t, clock)
            && t < newest
        {
            summary.out_of_order += 1;
        }
        for event in &events {
            let alert = engine.alert(event, &country, &post);
            let messages = policy
                .alert_messages(&alert)
                .map_err(|source| ReplayError::Share {
                    id: alert.id.clone(),
                    source,
                })?;
            match messages.iter().find(|m| m.audience == OWN_AUDIENCE) {
                Some(m) => {
                    out.write_all(&m.payload).map_err(ReplayError::Write)?;
                    out.write_all(b"\n").map_err(ReplayError::Write)?;
                    summary.alerts += 1;
                }
                None => summary.alerts_not_shared += 1,
            }
        }
    }
    out.flush().map_err(ReplayError::Write)?;
    summary.engine = *engine.stats();
    Ok(summary)
}

/// Lines of at most [`MAX_LINE`] bytes, without reading a longer one into memory whole.
struct BoundedLines<R> {
    reader: R,
    buf: Vec<u8>,
}

impl<R: BufRead> BoundedLines<R> {
    fn new(reader: R) -> Self {
        BoundedLines {
            reader,
            buf: Vec::new(),
        }
    }

    /// The next line: `None` at the end, `Some(None)` for a line too long or not UTF-8.
    fn next_line(&mut self) -> std::io::Result<Option<Option<String>>> {
        self.buf.clear();
        let limit = MAX_LINE as u64 + 1;
        let n = Read::take(&mut self.reader, limit).read_until(b'\n', &mut self.buf)?;
        if n == 0 {
            return Ok(None);
        }
        if self.buf.last() != Some(&b'\n') && self.buf.len() > MAX_LINE {
            // Skip the rest of the overlong line, a chunk at a time.
            loop {
                self.buf.clear();
                let n = Read::take(&mut self.reader, limit).read_until(b'\n', &mut self.buf)?;
                if n == 0 || self.buf.last() == Some(&b'\n') {
                    break;
                }
            }
            return Ok(Some(None));
        }
        while matches!(self.buf.last(), Some(b'\n' | b'\r')) {
            self.buf.pop();
        }
        Ok(Some(String::from_utf8(std::mem::take(&mut self.buf)).ok()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_are_bounded_and_a_bad_one_is_skipped_to_its_end() {
        let mut input = b"{\"a\": 1}\r\n".to_vec();
        input.extend(vec![b'x'; MAX_LINE * 2 + 10]);
        input.extend_from_slice(b"\n\xff\xfe\nlast");
        let mut lines = BoundedLines::new(&input[..]);
        assert_eq!(lines.next_line().unwrap(), Some(Some("{\"a\": 1}".into())));
        assert_eq!(lines.next_line().unwrap(), Some(None), "overlong");
        assert_eq!(lines.next_line().unwrap(), Some(None), "not UTF-8");
        assert_eq!(lines.next_line().unwrap(), Some(Some("last".into())));
        assert_eq!(lines.next_line().unwrap(), None);
    }
}
