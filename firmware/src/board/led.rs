//! The status LED: the MPS2 FPGA IO block's `LED0` register (+0x00), one bit per user LED.

use core::convert::Infallible;
use core::ptr;

/// One user LED of the FPGA IO block.
pub struct StatusLed {
    mask: u32,
}

impl StatusLed {
    /// LED `index` (0 or 1). Only [`super::Board::take`] calls this.
    pub(super) fn new(index: u32) -> Self {
        StatusLed {
            mask: 1 << (index & 1),
        }
    }

    fn modify(&mut self, on: bool) {
        let reg = super::FPGAIO_BASE as *mut u32;
        // SAFETY: FPGA IO `LED0` is valid, aligned MMIO on this board; the board has one
        // `StatusLed`, so the read-modify-write cannot race another writer (the nodes have no
        // interrupt handlers).
        unsafe {
            let value = ptr::read_volatile(reg);
            let value = if on {
                value | self.mask
            } else {
                value & !self.mask
            };
            ptr::write_volatile(reg, value);
        }
    }
}

impl embedded_hal::digital::ErrorType for StatusLed {
    type Error = Infallible;
}

impl embedded_hal::digital::OutputPin for StatusLed {
    fn set_low(&mut self) -> Result<(), Infallible> {
        self.modify(false);
        Ok(())
    }
    fn set_high(&mut self) -> Result<(), Infallible> {
        self.modify(true);
        Ok(())
    }
}
