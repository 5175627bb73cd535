//! The receive logic of the CMSDK APB UART (ARM CoreLink SDK, DDI 0479), apart from its
//! registers, so that it is tested on the host; [`crate::board`] supplies the registers.

use embedded_io::ErrorKind;

/// `STATE` bit 1: the receive buffer holds a byte.
pub const STATE_RX_FULL: u32 = 1 << 1;
/// `STATE` bit 3: a byte arrived while the buffer was full, and was lost.
pub const STATE_RX_OVERRUN: u32 = 1 << 3;

/// Why a UART read failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UartError {
    /// A byte arrived before the previous one was read, and was lost. The read that reports
    /// it clears the condition; the next read goes on.
    Overrun,
}

impl core::fmt::Display for UartError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("UART receive overrun: bytes lost")
    }
}

impl core::error::Error for UartError {}

impl embedded_io::Error for UartError {
    fn kind(&self) -> ErrorKind {
        ErrorKind::Other
    }
}

/// The receive side of a CMSDK UART's registers.
pub trait RxRegisters {
    /// The `STATE` register.
    fn state(&mut self) -> u32;
    /// Clears the receive overrun flag (writes 1 to it).
    fn clear_rx_overrun(&mut self);
    /// Takes the byte in the receive buffer (`DATA`).
    fn take_byte(&mut self) -> u8;
}

/// Blocks until at least one byte arrived, then reads what the UART holds into `buf`.
///
/// An overrun found before any byte was read is reported (and cleared); one found after some
/// bytes were read leaves the flag set and returns those bytes, which are good: the next read
/// reports it. Reporting it at once would throw them away.
pub fn read(regs: &mut impl RxRegisters, buf: &mut [u8]) -> Result<usize, UartError> {
    let mut n = 0;
    for slot in buf.iter_mut() {
        loop {
            let state = regs.state();
            if state & STATE_RX_OVERRUN != 0 {
                if n > 0 {
                    return Ok(n);
                }
                regs.clear_rx_overrun();
                return Err(UartError::Overrun);
            }
            if state & STATE_RX_FULL != 0 {
                break;
            }
            if n > 0 {
                return Ok(n);
            }
        }
        *slot = regs.take_byte();
        n += 1;
    }
    Ok(n)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::VecDeque;

    /// Registers replaying a script of receive events: `Some(byte)` arrives, `None` overruns.
    struct Script {
        events: VecDeque<Option<u8>>,
        held: Option<u8>,
        overrun: bool,
        idle_reads: u32,
    }

    impl Script {
        fn new(events: &[Option<u8>]) -> Self {
            let mut s = Script {
                events: events.iter().copied().collect(),
                held: None,
                overrun: false,
                idle_reads: 0,
            };
            s.next();
            s
        }
        fn next(&mut self) {
            match self.events.pop_front() {
                Some(Some(byte)) => self.held = Some(byte),
                Some(None) => self.overrun = true,
                None => {}
            }
        }
    }

    impl RxRegisters for Script {
        fn state(&mut self) -> u32 {
            let mut state = 0;
            if self.held.is_some() {
                state |= STATE_RX_FULL;
            }
            if self.overrun {
                state |= STATE_RX_OVERRUN;
            }
            if state == 0 {
                self.idle_reads += 1;
                assert!(
                    self.idle_reads < 1000,
                    "a read with nothing to come blocks forever"
                );
                self.next();
            }
            state
        }
        fn clear_rx_overrun(&mut self) {
            self.overrun = false;
            if self.held.is_none() {
                self.next();
            }
        }
        fn take_byte(&mut self) -> u8 {
            let byte = self.held.take().expect("read with nothing held");
            self.next();
            byte
        }
    }

    #[test]
    fn bytes_read_before_an_overrun_are_returned_and_the_overrun_comes_next() {
        let mut regs = Script::new(&[Some(b'a'), Some(b'b'), None, Some(b'c')]);
        let mut buf = [0u8; 8];
        assert_eq!(read(&mut regs, &mut buf), Ok(2));
        assert_eq!(&buf[..2], b"ab");
        assert_eq!(read(&mut regs, &mut buf), Err(UartError::Overrun));
        assert_eq!(read(&mut regs, &mut buf), Ok(1));
        assert_eq!(buf[0], b'c');
    }
}
