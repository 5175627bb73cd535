//! The nodes' panic handler. The node logic is written not to panic; should it anyway, a
//! run under QEMU (feature `qemu`) or a debugger ends with a failure exit code, so tests catch
//! it, and a board in the field resets and starts reading again.

use core::panic::PanicInfo;
use cortex_m::peripheral::{DCB, SCB};
use cortex_m_semihosting::debug;

#[panic_handler]
fn panic(info: &PanicInfo) -> ! {
    if !super::semihosting_available() {
        // Semihosting is a breakpoint; without a debugger to take it, it is a HardFault and the
        // node hangs. A reset costs the few frames in the queue and brings the node back.
        SCB::sys_reset();
    }
    // Only the location: formatting the message would pull `core::fmt` into every node.
    if let Ok(mut out) = cortex_m_semihosting::hio::hstderr() {
        let _ = out.write_all(b"panic at ");
        if let Some(location) = info.location() {
            let _ = out.write_all(location.file().as_bytes());
        }
        let _ = out.write_all(b"\n");
    }
    debug::exit(debug::EXIT_FAILURE);
    // Semihosting exit returns when the host does not end the run (a debugger that resumes).
    SCB::sys_reset()
}

/// Whether a debugger is attached: the core's `DHCSR.C_DEBUGEN` bit.
pub(super) fn debugger_attached() -> bool {
    DCB::is_debugger_attached()
}
