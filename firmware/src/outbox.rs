//! The bounded queue between a node's reading side and its sending side.
//!
//! Reading must keep up with the sensor (a UART overruns in microseconds), sending may wait on
//! the link; the queue lets one run ahead of the other by a fixed number of items. When it is
//! full the newest item is refused and counted: the node never blocks reading, never grows.

use borderfuse_common::frame::Payload;
use heapless::Deque;

/// One payload waiting to be framed, with the times it was observed.
#[derive(Debug, Clone, PartialEq)]
pub struct Pending {
    /// Node time of the observation, µs since boot.
    pub t_node_us: u64,
    /// UTC of the observation, ms since the Unix epoch, when the node knows it.
    pub t_utc_ms: Option<u64>,
    /// What was observed.
    pub payload: Payload,
}

/// The queue was full; the item was dropped and counted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct QueueFull;

/// A queue of at most `N` pending payloads, with its high-water mark and drop count.
#[derive(Debug)]
pub struct Outbox<const N: usize> {
    queue: Deque<Pending, N>,
    high_water: u32,
    dropped_full: u32,
}

impl<const N: usize> Default for Outbox<N> {
    fn default() -> Self {
        Self::new()
    }
}

impl<const N: usize> Outbox<N> {
    /// An empty queue.
    pub const fn new() -> Self {
        Outbox {
            queue: Deque::new(),
            high_water: 0,
            dropped_full: 0,
        }
    }

    /// Queues `item`; when full, counts the drop and drops the item.
    pub fn push(&mut self, item: Pending) -> Result<(), QueueFull> {
        match self.queue.push_back(item) {
            Ok(()) => {
                self.high_water = self.high_water.max(self.queue.len() as u32);
                Ok(())
            }
            Err(_) => {
                self.dropped_full = self.dropped_full.wrapping_add(1);
                Err(QueueFull)
            }
        }
    }

    /// The oldest item, removed.
    pub fn pop(&mut self) -> Option<Pending> {
        self.queue.pop_front()
    }

    /// Items waiting.
    pub fn len(&self) -> usize {
        self.queue.len()
    }

    /// Whether nothing waits.
    pub fn is_empty(&self) -> bool {
        self.queue.is_empty()
    }

    /// Most items held at once since boot.
    pub fn high_water(&self) -> u32 {
        self.high_water
    }

    /// Items refused because the queue was full.
    pub fn dropped_full(&self) -> u32 {
        self.dropped_full
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use borderfuse_common::frame::RadarNorthMarker;

    fn item(scan: u32) -> Pending {
        Pending {
            t_node_us: u64::from(scan),
            t_utc_ms: None,
            payload: Payload::RadarNorthMarker(RadarNorthMarker { scan, period_ms: 0 }),
        }
    }

    #[test]
    fn a_full_queue_refuses_the_newest_item_and_counts_it() {
        let mut outbox = Outbox::<2>::new();
        assert!(outbox.push(item(0)).is_ok());
        assert!(outbox.push(item(1)).is_ok());
        assert_eq!(outbox.push(item(2)), Err(QueueFull));
        assert_eq!(outbox.dropped_full(), 1);
        assert_eq!(outbox.pop(), Some(item(0)));
        assert_eq!(outbox.high_water(), 2);
        assert!(outbox.push(item(3)).is_ok());
        assert_eq!(outbox.pop(), Some(item(1)));
        assert_eq!(outbox.pop(), Some(item(3)));
        assert!(outbox.is_empty());
        assert_eq!(outbox.high_water(), 2, "the mark stays at its highest");
    }
}
