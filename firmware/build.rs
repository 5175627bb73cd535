//! Linker setup for the board binaries: only when building for the Cortex-M4 target with the
//! `board` feature, so host builds and `cargo test --workspace` are untouched.

use std::env;
use std::fs;
use std::path::PathBuf;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    println!("cargo:rerun-if-changed=memory.x");
    println!("cargo:rerun-if-changed=build.rs");
    let target = env::var("TARGET").unwrap_or_default();
    let board = env::var_os("CARGO_FEATURE_BOARD").is_some();
    if !(board && target.starts_with("thumbv7em-none")) {
        return Ok(());
    }
    let out = PathBuf::from(env::var_os("OUT_DIR").ok_or("cargo did not set OUT_DIR")?);
    fs::copy("memory.x", out.join("memory.x"))
        .map_err(|e| format!("cannot copy memory.x to {}: {e}", out.display()))?;
    // cortex-m-rt's link.x includes memory.x from the search path.
    println!("cargo:rustc-link-search={}", out.display());
    println!("cargo:rustc-link-arg-bins=-Tlink.x");
    Ok(())
}
