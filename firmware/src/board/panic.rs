//! The nodes' panic handler. The node logic is written not to panic; should it anyway, a
//! run under QEMU (or a debugger) ends with a failure exit code, so tests catch it, and a
//! board without a debugger stops (the watchdog, where there is one, resets it).

use core::panic::PanicInfo;
use cortex_m_semihosting::debug;

#[panic_handler]
fn panic(info: &PanicInfo) -> ! {
    // Only the location: formatting the message would pull `core::fmt` into every node.
    if let Ok(mut out) = cortex_m_semihosting::hio::hstderr() {
        let _ = out.write_all(b"panic at ");
        if let Some(location) = info.location() {
            let _ = out.write_all(location.file().as_bytes());
        }
        let _ = out.write_all(b"\n");
    }
    debug::exit(debug::EXIT_FAILURE);
    #[allow(clippy::empty_loop)]
    loop {}
}
