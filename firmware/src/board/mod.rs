//! Board support for the reference board: QEMU's `mps2-an386` (ARM MPS2 with the AN386
//! Cortex-M4 image), as documented in ARM's "Application Note AN386" and modelled by QEMU's
//! `hw/arm/mps2.c`.
//!
//! | what | where | used as |
//! |---|---|---|
//! | CMSDK APB UART0 | `0x4000_4000` | the link to the agent (frames out) |
//! | CMSDK APB UART1 | `0x4000_5000` | the sensor (its own output in) |
//! | CMSDK APB timer 0 | `0x4000_0000` | the monotonic clock (25 MHz, free running) |
//! | FPGA IO `LED0` | `0x4002_8000` | two user LEDs; LED 0 is the status LED |
//!
//! Every register access is a volatile access to a fixed, documented MMIO address of this
//! board; the types here are the only code that touches them, and each exists once (see
//! [`Board::take`]), which is what makes the accesses sound.

pub mod clock;
pub mod led;
pub mod panic;
pub mod uart;

use core::sync::atomic::{AtomicBool, Ordering};

pub use clock::{BoardClock, BoardDelay};
pub use led::StatusLed;
pub use uart::{Uart, UartError};

/// Base address of CMSDK APB UART0.
pub const UART0_BASE: usize = 0x4000_4000;
/// Base address of CMSDK APB UART1.
pub const UART1_BASE: usize = 0x4000_5000;
/// Base address of CMSDK APB timer 0.
pub const TIMER0_BASE: usize = 0x4000_0000;
/// Base address of the FPGA IO block (LEDs, buttons, switches).
pub const FPGAIO_BASE: usize = 0x4002_8000;
/// The peripheral clock the UARTs and timers run from, Hz.
pub const PCLK_HZ: u32 = 25_000_000;
/// UART speed of the link and the sensor. On QEMU the divider only has to be valid (≥ 16).
pub const BAUD: u32 = 38_400;

/// The board's peripherals, as the nodes use them.
pub struct Board {
    /// UART0: frames to the agent.
    pub link: Uart,
    /// UART1: the sensor's output.
    pub sensor: Uart,
    /// The monotonic clock (copies share one time base).
    pub clock: BoardClock,
    /// Busy-wait delays on the clock.
    pub delay: BoardDelay,
    /// The status LED.
    pub led: StatusLed,
}

static TAKEN: AtomicBool = AtomicBool::new(false);

impl Board {
    /// The board's peripherals, initialised; `None` after the first call, so each register
    /// block has one owner.
    pub fn take() -> Option<Board> {
        if TAKEN.swap(true, Ordering::AcqRel) {
            return None;
        }
        let clock = BoardClock::start();
        Some(Board {
            link: Uart::new(UART0_BASE, BAUD),
            sensor: Uart::new(UART1_BASE, BAUD),
            clock,
            delay: BoardDelay::new(clock),
            led: StatusLed::new(0),
        })
    }
}

/// How long a frame may go without the link UART taking a byte before it is dropped (the node
/// goes on reading meanwhile): at 38 400 baud a byte takes 0.26 ms, so 20 ms without one is a
/// stuck link.
pub const LINK_TIMEOUT_US: u64 = 20_000;

/// How often the nodes send a `Health` frame.
pub const HEALTH_INTERVAL_US: u64 = 1_000_000;

/// Whether semihosting calls reach a host: under QEMU (built with the `qemu` feature: QEMU
/// answers semihosting but reports no debugger in `DHCSR`) or with a debugger attached.
/// Without one, a semihosting call is a breakpoint nobody takes: a HardFault.
pub fn semihosting_available() -> bool {
    cfg!(feature = "qemu") || panic::debugger_attached()
}

/// Stops the node: under QEMU or a debugger the run ends with a failure code; a board in the
/// field resets. Used when start-up cannot go on (peripherals already taken).
pub fn halt() -> ! {
    if semihosting_available() {
        cortex_m_semihosting::debug::exit(cortex_m_semihosting::debug::EXIT_FAILURE);
    }
    cortex_m::peripheral::SCB::sys_reset()
}

/// Ends a run under QEMU (semihosting `SYS_EXIT`) with success: what the node binaries do
/// when a debugger-attached run is asked to stop. Never returns.
pub fn exit_success() -> ! {
    cortex_m_semihosting::debug::exit(cortex_m_semihosting::debug::EXIT_SUCCESS);
    #[allow(clippy::empty_loop)]
    loop {}
}
