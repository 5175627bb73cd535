//! A bounded re-ordering window: measurements wait up to a fixed time so that scans from
//! sensors with their own rates and latencies reach the tracker in time order.
//!
//! AIS reports arrive seconds after their time of applicability, radar scans a revolution
//! after their first plot; a batch is released once the newest time seen is `window` past
//! it. A batch older than what was already released is handed back as late: the tracker
//! fits it by re-filtering ([`super::Tracker::process_late`]). Nothing waits forever and the
//! number waiting is bounded.

use super::tracker::{Detection, SensorId};
use crate::decode::Time;

/// The detections of one scan.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Batch {
    /// Scan time.
    pub t: Time,
    /// Its detections.
    pub dets: Vec<Detection>,
    /// The sensors that were looking (whose silence means a miss).
    pub looking: Vec<SensorId>,
}

/// Counters of the window.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ReorderStats {
    /// Batches put back in order by the window.
    pub reordered: u64,
    /// Batches that arrived after a later one had been released (late).
    pub late: u64,
    /// Batches released before their time because too many were waiting.
    pub forced: u64,
}

/// What [`ReorderBuffer::push`] did with a batch.
#[derive(Debug, Clone, PartialEq)]
pub enum Pushed {
    /// Waiting in the window.
    Waiting,
    /// Older than what was already released: process it as late.
    Late(Batch),
}

/// The window.
#[derive(Debug, Clone)]
pub struct ReorderBuffer {
    window: f64,
    max_waiting: usize,
    /// Waiting batches, sorted by time (stable: equal times keep arrival order).
    waiting: Vec<Batch>,
    newest: Option<Time>,
    released: Option<Time>,
    stats: ReorderStats,
}

impl ReorderBuffer {
    /// A window of `window_s` seconds holding at most `max_waiting` batches.
    pub fn new(window_s: f64, max_waiting: usize) -> Self {
        ReorderBuffer {
            window: window_s.max(0.0),
            max_waiting: max_waiting.max(1),
            waiting: Vec::new(),
            newest: None,
            released: None,
            stats: ReorderStats::default(),
        }
    }

    /// What the window has done.
    pub fn stats(&self) -> &ReorderStats {
        &self.stats
    }

    /// Batches waiting.
    pub fn len(&self) -> usize {
        self.waiting.len()
    }

    /// Whether nothing waits.
    pub fn is_empty(&self) -> bool {
        self.waiting.is_empty()
    }

    /// Takes a batch in.
    pub fn push(&mut self, batch: Batch) -> Pushed {
        if !batch.t.is_finite() {
            // The tracker counts it as invalid.
            return Pushed::Late(batch);
        }
        if self.released.is_some_and(|r| batch.t < r) {
            self.stats.late += 1;
            return Pushed::Late(batch);
        }
        self.newest = Some(self.newest.map_or(batch.t, |n| n.max(batch.t)));
        let at = self.waiting.partition_point(|b| b.t <= batch.t);
        if at < self.waiting.len() {
            self.stats.reordered += 1;
        }
        self.waiting.insert(at, batch);
        Pushed::Waiting
    }

    /// Moves the window's clock to `t` if that is later than the newest time seen (the wall
    /// clock, when data stops coming).
    pub fn advance_to(&mut self, t: Time) {
        if t.is_finite() {
            self.newest = Some(self.newest.map_or(t, |n| n.max(t)));
        }
    }

    /// The next batch whose time is at least the window behind the newest time seen (or any
    /// batch while too many wait).
    pub fn pop_ready(&mut self) -> Option<Batch> {
        let first = self.waiting.first()?;
        let due = self.newest.is_some_and(|n| first.t <= n - self.window);
        let forced = self.waiting.len() > self.max_waiting;
        if !(due || forced) {
            return None;
        }
        if forced && !due {
            self.stats.forced += 1;
        }
        let batch = self.waiting.remove(0);
        self.released = Some(self.released.map_or(batch.t, |r| r.max(batch.t)));
        Some(batch)
    }

    /// Releases everything, oldest first (end of input).
    pub fn pop_any(&mut self) -> Option<Batch> {
        if self.waiting.is_empty() {
            return None;
        }
        let batch = self.waiting.remove(0);
        self.released = Some(self.released.map_or(batch.t, |r| r.max(batch.t)));
        Some(batch)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn batch(t: Time) -> Batch {
        Batch {
            t,
            dets: Vec::new(),
            looking: Vec::new(),
        }
    }

    #[test]
    fn batches_come_out_in_time_order_once_the_window_has_passed() {
        let mut w = ReorderBuffer::new(5.0, 100);
        assert_eq!(w.push(batch(10.0)), Pushed::Waiting);
        assert_eq!(w.push(batch(7.0)), Pushed::Waiting);
        assert_eq!(w.pop_ready(), None);
        assert_eq!(w.push(batch(13.0)), Pushed::Waiting);
        assert_eq!(w.pop_ready().map(|b| b.t), Some(7.0));
        assert_eq!(w.pop_ready(), None);
        assert_eq!(w.push(batch(16.0)), Pushed::Waiting);
        assert_eq!(w.pop_ready().map(|b| b.t), Some(10.0));
        assert_eq!(w.stats().reordered, 1);
    }

    #[test]
    fn a_batch_older_than_what_was_released_is_late() {
        let mut w = ReorderBuffer::new(1.0, 100);
        w.push(batch(10.0));
        w.push(batch(20.0));
        assert_eq!(w.pop_ready().map(|b| b.t), Some(10.0));
        assert!(matches!(w.push(batch(9.0)), Pushed::Late(b) if b.t == 9.0));
        assert_eq!(w.stats().late, 1);
    }

    #[test]
    fn too_many_waiting_batches_are_released_early_and_counted() {
        let mut w = ReorderBuffer::new(1000.0, 2);
        for t in [1.0, 2.0, 3.0] {
            w.push(batch(t));
        }
        assert_eq!(w.pop_ready().map(|b| b.t), Some(1.0));
        assert_eq!(w.pop_ready(), None);
        assert_eq!(w.stats().forced, 1);
    }
}
