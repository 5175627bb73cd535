//! What every node kind shares: the queue, the link, the clock and the `Health` schedule.

use crate::Clock;
use crate::link::{FrameLink, LinkStats, Progress, SendError};
use crate::outbox::{Outbox, Pending};
use borderfuse_common::frame::{Counter, Health, MAX_HEALTH_COUNTERS, Payload, counter};
use embedded_io::{Read, ReadReady, Write, WriteReady};
use heapless::Vec;

/// Items a node's queue holds between reading and sending. Eight frames of a 38 400 baud
/// sensor is about 0.3 s of a link that is slower than the sensor, at ~200 bytes each.
pub const DEFAULT_QUEUE_LEN: usize = 8;

/// How long a frame may go without the link taking a byte before it is abandoned: at
/// 38 400 baud a byte takes 0.26 ms, so 20 ms without one is a stuck link.
pub const DEFAULT_LINK_TIMEOUT_US: u64 = 20_000;

/// The sending half of a node: a bounded queue drained into a [`FrameLink`], and the
/// counters every node reports.
#[derive(Debug)]
pub struct NodeCore<W, C, const Q: usize = DEFAULT_QUEUE_LEN> {
    link: FrameLink<W>,
    clock: C,
    outbox: Outbox<Q>,
    health_interval_us: u64,
    last_health_us: Option<u64>,
    /// A `Health` frame fell due while a frame was going out; it goes next.
    health_pending: bool,
    link_timeout_us: u64,
}

impl<W: Write, C: Clock, const Q: usize> NodeCore<W, C, Q> {
    /// A core writing frames for `node_id` to `link`, with a `Health` frame every
    /// `health_interval_us` (0: never).
    pub fn new(link: W, clock: C, node_id: u32, health_interval_us: u64) -> Self {
        NodeCore {
            link: FrameLink::new(link, node_id),
            clock,
            outbox: Outbox::new(),
            health_interval_us,
            last_health_us: None,
            health_pending: false,
            link_timeout_us: DEFAULT_LINK_TIMEOUT_US,
        }
    }

    /// Sets how long [`NodeCore::pump_and_report`] lets a frame go without the link taking a
    /// byte before abandoning it.
    pub fn set_link_timeout_us(&mut self, timeout_us: u64) {
        self.link_timeout_us = timeout_us;
    }

    /// Node time now, µs since boot.
    pub fn now_us(&mut self) -> u64 {
        self.clock.now_us()
    }

    /// UTC now, when the node has it.
    pub fn utc_ms(&mut self) -> Option<u64> {
        self.clock.utc_ms()
    }

    /// UTC at node time `t_node_us` (in the past), when the node knows UTC.
    pub fn utc_at(&mut self, t_node_us: u64) -> Option<u64> {
        let elapsed_ms = self.clock.now_us().saturating_sub(t_node_us) / 1000;
        self.clock.utc_ms().map(|u| u.saturating_sub(elapsed_ms))
    }

    /// Queues a payload observed at `t_node_us`; `false` when the queue was full (counted).
    pub fn enqueue(&mut self, t_node_us: u64, payload: Payload) -> bool {
        let t_utc_ms = self.utc_at(t_node_us);
        self.outbox
            .push(Pending {
                t_node_us,
                t_utc_ms,
                payload,
            })
            .is_ok()
    }

    /// Sends queued payloads until the queue is empty or the link fails, waiting as the link
    /// makes it wait: for writers that never do (the simulators' buffers). A node on a UART
    /// uses [`NodeCore::pump_and_report`]. A frame the link refused is dropped (counted by the
    /// link), and the rest wait for the next call, so a stuck link costs one write timeout per
    /// call, not one per queued frame.
    pub fn drain(&mut self) {
        while let Some(item) = self.outbox.pop() {
            if let Err(e) = self.link.send(item.t_node_us, item.t_utc_ms, item.payload) {
                if e.is_link_fault() {
                    return;
                }
            }
        }
    }

    /// Whether a `Health` frame is due now (and, if so, marks it sent).
    pub fn health_due(&mut self) -> bool {
        if self.health_interval_us == 0 {
            return false;
        }
        let now = self.clock.now_us();
        let due = self
            .last_health_us
            .is_none_or(|last| now.saturating_sub(last) >= self.health_interval_us);
        if due {
            self.last_health_us = Some(now);
        }
        due
    }

    /// A `Health` payload with the node kind's own counters (`own`: bytes read first), then
    /// the sending side's, as many as fit.
    pub fn health(&mut self, own: &[(u8, u32)]) -> Health {
        let l = *self.link.stats();
        let sending = [
            (counter::FRAMES_SENT, l.frames_sent),
            (counter::LINK_WRITE_ERRORS, l.write_errors),
            (counter::LINK_WRITE_TIMEOUTS, l.write_timeouts),
            (counter::DROPPED_QUEUE_FULL, self.outbox.dropped_full()),
            (counter::QUEUE_HIGH_WATER, self.outbox.high_water()),
        ];
        let counters: Vec<Counter, MAX_HEALTH_COUNTERS> = own
            .iter()
            .chain(&sending)
            .take(MAX_HEALTH_COUNTERS)
            .map(|&(id, value)| Counter { id, value })
            .collect();
        Health {
            uptime_ms: self.clock.now_us() / 1000,
            counters,
        }
    }

    /// Drains the queue, then sends a `Health` frame with `own` counters when one is due,
    /// waiting on the link (see [`NodeCore::drain`]).
    pub fn flush_and_report(&mut self, own: &[(u8, u32)]) {
        self.drain();
        if self.health_due() {
            let health = self.health(own);
            // A lost Health frame is counted by the link like any other.
            let _ = self.send_now(Payload::Health(health));
        }
    }

    /// Sends a payload now, ahead of the queue (a `Health` frame must not wait behind, or be
    /// refused by, the data it reports on).
    pub fn send_now(&mut self, payload: Payload) -> Result<(), SendError<W::Error>> {
        let now = self.clock.now_us();
        let utc = self.clock.utc_ms();
        self.link.send(now, utc, payload)
    }

    /// Queued frames and `Health` when due, sent as far as the link takes them without
    /// waiting; returns at once. The main loop calls it between reads of the sensor, so the
    /// sensor UART is read every few microseconds even while a frame takes 20 ms to go out.
    ///
    /// A link that stops taking bytes costs the frame going out after the link timeout (a
    /// write timeout), and the items the queue cannot hold meanwhile (queue full): never the
    /// caller's time.
    pub fn pump_and_report(&mut self, own: &[(u8, u32)])
    where
        W: WriteReady,
    {
        if self.health_due() {
            self.health_pending = true;
        }
        // Each turn either leaves a frame going out (and returns) or starts the next one; one
        // turn per queued item, one for `Health`, one to send the last.
        for _ in 0..Q + 2 {
            let now = self.clock.now_us();
            if self.link.pump(now, self.link_timeout_us) == Progress::Sending {
                return;
            }
            let started = if self.health_pending {
                self.health_pending = false;
                // `Health` goes ahead of the queue: it reports on what waits there.
                let health = self.health(own);
                let utc = self.clock.utc_ms();
                self.link.start(now, now, utc, Payload::Health(health))
            } else if let Some(item) = self.outbox.pop() {
                self.link
                    .start(now, item.t_node_us, item.t_utc_ms, item.payload)
            } else {
                return;
            };
            // The link was idle, so the only refusal is an encode error, counted by the link.
            let _ = started;
        }
    }

    /// What the link has sent and lost.
    pub fn link_stats(&self) -> &LinkStats {
        self.link.stats()
    }

    /// The queue between reading and sending.
    pub fn outbox(&self) -> &Outbox<Q> {
        &self.outbox
    }

    /// The link's writer.
    pub fn link_writer_mut(&mut self) -> &mut W {
        self.link.writer_mut()
    }
}

/// Reads what `uart` holds into `buf`, for as long as it says it has bytes ready, without
/// waiting for more. Returns the bytes read and the error that stopped the reading, if one
/// did (the bytes before it are good).
pub fn read_ready_into<U: Read + ReadReady>(
    uart: &mut U,
    buf: &mut [u8],
) -> (usize, Option<U::Error>) {
    let mut n = 0;
    while let Some(rest) = buf.get_mut(n..).filter(|r| !r.is_empty()) {
        match uart.read_ready() {
            Ok(true) => {}
            Ok(false) => break,
            Err(e) => return (n, Some(e)),
        }
        match uart.read(rest) {
            Ok(0) => break,
            Ok(k) => n += k.min(rest.len()),
            Err(e) => return (n, Some(e)),
        }
    }
    (n, None)
}
