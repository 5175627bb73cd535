//! Writes that give up: a link that stops accepting bytes must not hang the node.
//!
//! A UART with hardware flow control (CTS held by a wedged modem or USB bridge) never drains
//! its transmit buffer, and [`embedded_io::Write::write`] blocks until it accepts a byte. The
//! [`DeadlineWriter`] asks first ([`WriteReady`]) and fails with [`ErrorKind::TimedOut`] when no
//! byte could go out for its timeout; the frame is then dropped and counted by
//! [`crate::link::FrameLink`], and the node goes back to reading its sensor.

use crate::Clock;
use embedded_io::{ErrorKind, ErrorType, Write, WriteReady};

/// Why a [`DeadlineWriter`] write failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeadlineError<E> {
    /// The writer underneath failed.
    Inner(E),
    /// No byte was accepted within the timeout.
    TimedOut,
}

impl<E: embedded_io::Error> embedded_io::Error for DeadlineError<E> {
    fn kind(&self) -> ErrorKind {
        match self {
            DeadlineError::Inner(e) => e.kind(),
            DeadlineError::TimedOut => ErrorKind::TimedOut,
        }
    }
}

impl<E: core::fmt::Debug> core::fmt::Display for DeadlineError<E> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            DeadlineError::Inner(e) => write!(f, "link write failed: {e:?}"),
            DeadlineError::TimedOut => f.write_str("link accepted no byte before the timeout"),
        }
    }
}

impl<E: core::fmt::Debug> core::error::Error for DeadlineError<E> {}

/// A writer whose writes and flushes fail after `timeout_us` without progress.
#[derive(Debug)]
pub struct DeadlineWriter<W, C> {
    inner: W,
    clock: C,
    timeout_us: u64,
}

impl<W, C> DeadlineWriter<W, C> {
    /// Wraps `inner`; a write waits at most `timeout_us` for the first byte to be accepted.
    pub fn new(inner: W, clock: C, timeout_us: u64) -> Self {
        DeadlineWriter {
            inner,
            clock,
            timeout_us,
        }
    }

    /// The writer underneath.
    pub fn inner_mut(&mut self) -> &mut W {
        &mut self.inner
    }
}

impl<W: ErrorType, C> ErrorType for DeadlineWriter<W, C> {
    type Error = DeadlineError<W::Error>;
}

impl<W: Write + WriteReady, C: Clock> DeadlineWriter<W, C> {
    /// Waits until `inner` can take a byte without blocking, or the timeout passes.
    fn wait_ready(&mut self) -> Result<(), DeadlineError<W::Error>> {
        let start = self.clock.now_us();
        loop {
            if self.inner.write_ready().map_err(DeadlineError::Inner)? {
                return Ok(());
            }
            if self.clock.now_us().saturating_sub(start) >= self.timeout_us {
                return Err(DeadlineError::TimedOut);
            }
        }
    }
}

impl<W: Write + WriteReady, C: Clock> Write for DeadlineWriter<W, C> {
    fn write(&mut self, buf: &[u8]) -> Result<usize, Self::Error> {
        if buf.is_empty() {
            return Ok(0);
        }
        self.wait_ready()?;
        self.inner.write(buf).map_err(DeadlineError::Inner)
    }

    /// Flushing waits for the transmit buffer to empty, which a stuck link never does: it
    /// gets the same deadline, measured as time without the buffer accepting a byte.
    fn flush(&mut self) -> Result<(), Self::Error> {
        self.wait_ready()?;
        self.inner.flush().map_err(DeadlineError::Inner)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use core::cell::Cell;
    use std::rc::Rc;
    use std::vec::Vec;

    /// A clock that advances 100 µs each time it is read.
    #[derive(Clone, Default)]
    struct TickingClock(Rc<Cell<u64>>);

    impl Clock for TickingClock {
        fn now_us(&mut self) -> u64 {
            self.0.set(self.0.get() + 100);
            self.0.get()
        }
    }

    /// A link that is ready only while `open` is set.
    struct GatedLink {
        open: bool,
        out: Vec<u8>,
    }

    impl ErrorType for GatedLink {
        type Error = ErrorKind;
    }

    impl Write for GatedLink {
        fn write(&mut self, buf: &[u8]) -> Result<usize, ErrorKind> {
            assert!(self.open, "a write to a stuck link would block forever");
            self.out.extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> Result<(), ErrorKind> {
            Ok(())
        }
    }

    impl WriteReady for GatedLink {
        fn write_ready(&mut self) -> Result<bool, ErrorKind> {
            Ok(self.open)
        }
    }

    #[test]
    fn a_stuck_link_times_out_instead_of_blocking() {
        let clock = TickingClock::default();
        let link = GatedLink {
            open: false,
            out: Vec::new(),
        };
        let mut writer = DeadlineWriter::new(link, clock.clone(), 10_000);
        assert_eq!(writer.write(b"abc"), Err(DeadlineError::TimedOut));
        let waited = clock.0.get();
        assert!((10_000..=10_300).contains(&waited), "waited {waited} µs");
        writer.inner_mut().open = true;
        assert_eq!(writer.write(b"abc"), Ok(3));
        assert_eq!(writer.inner_mut().out, b"abc");
    }
}
