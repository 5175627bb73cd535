//! The CMSDK APB UART as an `embedded-io` UART.
//!
//! Registers (ARM CoreLink SDK, DDI 0479): `DATA` (+0x00), `STATE` (+0x04: bit 0 TX buffer
//! full, bit 1 RX buffer full, bit 2 TX overrun, bit 3 RX overrun; overrun bits clear when
//! written with 1), `CTRL` (+0x08: bit 0 TX enable, bit 1 RX enable), `BAUDDIV` (+0x10). The
//! buffers hold one byte each.

use crate::cmsdk::{self, RxRegisters, STATE_RX_FULL, STATE_RX_OVERRUN};
use core::ptr;
use embedded_io::{ErrorType, Read, ReadReady, Write, WriteReady};

const DATA: usize = 0x00;
const STATE: usize = 0x04;
const CTRL: usize = 0x08;
const BAUDDIV: usize = 0x10;

const STATE_TX_FULL: u32 = 1 << 0;
const CTRL_TX_EN: u32 = 1 << 0;
const CTRL_RX_EN: u32 = 1 << 1;

pub use crate::cmsdk::UartError;

/// One CMSDK APB UART.
pub struct Uart {
    base: usize,
}

impl Uart {
    /// Enables the UART at `base` for transmit and receive at `baud`.
    ///
    /// Only [`super::Board::take`] calls this, once per UART, with the board's addresses.
    pub(super) fn new(base: usize, baud: u32) -> Self {
        let uart = Uart { base };
        // The divider must be ≥ 16 for the UART to run.
        uart.write_reg(BAUDDIV, (super::PCLK_HZ / baud).max(16));
        uart.write_reg(CTRL, CTRL_TX_EN | CTRL_RX_EN);
        uart
    }

    fn read_reg(&self, offset: usize) -> u32 {
        // SAFETY: `base` is one of the board's UART blocks (see `Board::take`) and `offset` one
        // of its 32-bit registers, so the address is valid, aligned MMIO for the program's
        // whole life; volatile because the hardware changes it.
        unsafe { ptr::read_volatile((self.base + offset) as *const u32) }
    }

    fn write_reg(&self, offset: usize, value: u32) {
        // SAFETY: as in `read_reg`; this `Uart` is the register block's only owner, so no
        // other code writes it concurrently.
        unsafe { ptr::write_volatile((self.base + offset) as *mut u32, value) }
    }

    fn state(&self) -> u32 {
        self.read_reg(STATE)
    }
}

impl ErrorType for Uart {
    type Error = UartError;
}

impl RxRegisters for Uart {
    fn state(&mut self) -> u32 {
        Uart::state(self)
    }
    fn clear_rx_overrun(&mut self) {
        self.write_reg(STATE, STATE_RX_OVERRUN);
    }
    fn take_byte(&mut self) -> u8 {
        (self.read_reg(DATA) & 0xff) as u8
    }
}

impl Read for Uart {
    /// Blocks until at least one byte arrived, then returns what the UART holds; see
    /// [`cmsdk::read`] for overruns.
    fn read(&mut self, buf: &mut [u8]) -> Result<usize, UartError> {
        if buf.is_empty() {
            return Ok(0);
        }
        cmsdk::read(self, buf)
    }
}

impl ReadReady for Uart {
    fn read_ready(&mut self) -> Result<bool, UartError> {
        Ok(self.state() & STATE_RX_FULL != 0)
    }
}

impl Write for Uart {
    /// Blocks until the transmit buffer takes at least one byte; the nodes ask
    /// [`WriteReady::write_ready`] first, so it does not block them.
    fn write(&mut self, buf: &[u8]) -> Result<usize, UartError> {
        let mut n = 0;
        for &byte in buf {
            while self.state() & STATE_TX_FULL != 0 {
                if n > 0 {
                    return Ok(n);
                }
            }
            self.write_reg(DATA, u32::from(byte));
            n += 1;
        }
        Ok(n)
    }

    fn flush(&mut self) -> Result<(), UartError> {
        while self.state() & STATE_TX_FULL != 0 {}
        Ok(())
    }
}

impl WriteReady for Uart {
    fn write_ready(&mut self) -> Result<bool, UartError> {
        Ok(self.state() & STATE_TX_FULL == 0)
    }
}
