//! What borderfuse's firmware, agent and simulators share.
//!
//! - [`frame`]: the node → agent wire protocol (postcard + CRC-32C + COBS, `0x00` delimited)
//!   and an incremental decoder that survives any byte stream.
//! - [`nmea`]: the NMEA 0183 / IEC 61162-1 sentence layer (checksums, fields).
//! - [`ais`]: ITU-R M.1371 messages of every type (1-27) and their binary applications, decoded,
//!   encoded and written as gpsd's JSON; reassembly of multi-sentence messages.
//! - [`arpa`]: radar ARPA sentences (`TTM`, `TLL`, `OSD`, `RSD`).
//! - [`geo`]: WGS-84 geodetic ↔ local east/north/up, the tracker's frame.
//!
//! `no_std` and no heap: every buffer is bounded by a named constant, so the same code runs on a
//! Cortex-M4 sensor node and on the edge box.
#![no_std]
#![forbid(unsafe_code)]
#![warn(missing_docs)]

#[cfg(test)]
extern crate std;

pub mod ais;
pub mod arpa;
pub mod frame;
pub mod geo;
pub mod nmea;
