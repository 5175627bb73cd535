//! Not a node: panics at once, so that `scripts/firmware-qemu` can show that a panic on the
//! board ends a QEMU run with a failure exit code (and so would fail the node tests).
#![no_std]
#![no_main]

// Links the board support, whose panic handler exits through semihosting.
use borderfuse_firmware as _;
use cortex_m_rt::entry;

#[entry]
fn main() -> ! {
    panic!("panic_check panics on purpose");
}
