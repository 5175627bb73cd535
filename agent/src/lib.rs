//! The borderfuse edge agent.
//!
//! Data flows one way, one module a stage, each testable without the others:
//!
//! ```text
//! ingest (serial, NMEA) ─▶ decode (frames → observations) ─▶ fuse (tracker, AIS binding)
//!        ─▶ detect (rules → alerts) ─▶ publish (MQTT)
//! ```
//!
//! [`pipeline::Pipeline`] is the synchronous core (decode → fuse → detect) driven by frames
//! and their arrival times, deterministic for a given input; [`run`] wires it to serial ports,
//! NMEA feeds (TCP, UDP, serial) and the MQTT broker with tokio.
#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod ais_decode;
pub mod config;
pub mod decode;
#[cfg(feature = "demo")]
pub mod demo;
pub mod detect;
pub mod frames_cli;
pub mod fuse;
pub mod ingest;
pub mod metrics;
pub mod offline;
pub mod pipeline;
pub mod plates;
pub mod publish;
pub mod run;
pub mod share;
