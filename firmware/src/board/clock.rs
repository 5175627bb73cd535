//! The monotonic clock: CMSDK APB timer 0 counting down at the 25 MHz peripheral clock,
//! free running from `0xffff_ffff`, extended to 64 bits in software.
//!
//! Registers (DDI 0479): `CTRL` (+0x00, bit 0 enable), `VALUE` (+0x04), `RELOAD` (+0x08). The
//! 32-bit counter wraps every 171 s; every read extends it, so the clock stays right as long
//! as it is read at least that often, which every node's main loop does many times a second.

use crate::Clock;
use core::cell::Cell;
use core::ptr;
use cortex_m::interrupt::{self, Mutex};

const CTRL: usize = 0x00;
const VALUE: usize = 0x04;
const RELOAD: usize = 0x08;
const TICKS_PER_US: u64 = (super::PCLK_HZ / 1_000_000) as u64;

/// Last raw counter value seen and the 64-bit tick count at that moment, shared by every copy
/// of the clock.
static EXTENDED: Mutex<Cell<(u32, u64)>> = Mutex::new(Cell::new((u32::MAX, 0)));

/// The board's monotonic clock. Copies share one time base.
#[derive(Debug, Clone, Copy)]
pub struct BoardClock {
    _private: (),
}

impl BoardClock {
    /// Starts timer 0. Only [`super::Board::take`] calls this, once.
    pub(super) fn start() -> Self {
        let base = super::TIMER0_BASE;
        // SAFETY: timer 0's registers are valid, aligned MMIO on this board; `Board::take`
        // runs once, so this is their only initialisation, and afterwards the clock only reads.
        unsafe {
            ptr::write_volatile((base + CTRL) as *mut u32, 0);
            ptr::write_volatile((base + RELOAD) as *mut u32, u32::MAX);
            ptr::write_volatile((base + VALUE) as *mut u32, u32::MAX);
            ptr::write_volatile((base + CTRL) as *mut u32, 1);
        }
        BoardClock { _private: () }
    }

    /// Timer ticks since start, 64 bits.
    pub fn ticks(&self) -> u64 {
        interrupt::free(|cs| {
            // SAFETY: a read of timer 0's VALUE register, valid aligned MMIO; reads have no
            // side effects.
            let value = unsafe { ptr::read_volatile((super::TIMER0_BASE + VALUE) as *const u32) };
            let cell = EXTENDED.borrow(cs);
            let (last, total) = cell.get();
            // The timer counts down; a wrap shows as a larger value, which wrapping
            // subtraction handles.
            let total = total.wrapping_add(u64::from(last.wrapping_sub(value)));
            cell.set((value, total));
            total
        })
    }
}

impl Clock for BoardClock {
    fn now_us(&mut self) -> u64 {
        self.ticks() / TICKS_PER_US
    }
}

/// Busy-wait delays measured on the [`BoardClock`].
#[derive(Debug, Clone, Copy)]
pub struct BoardDelay {
    clock: BoardClock,
}

impl BoardDelay {
    /// Delays measured on `clock`.
    pub fn new(clock: BoardClock) -> Self {
        BoardDelay { clock }
    }
}

impl embedded_hal::delay::DelayNs for BoardDelay {
    fn delay_ns(&mut self, ns: u32) {
        let start = self.clock.ticks();
        // Round up: a delay is at least as long as asked.
        let ticks = (u64::from(ns) * TICKS_PER_US).div_ceil(1000);
        while self.clock.ticks().wrapping_sub(start) < ticks {}
    }
}
