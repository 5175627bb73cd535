//! bordersim: simulated sensors that speak what the hardware speaks.
//!
//! A [`Scenario`] (sensors, a border line, vessels on routes) is turned into ground truth
//! ([`motion`]), sensor observations ([`ais`] transponders as a receiver hears them, [`radar`]
//! plots and north markers), and finally into the exact frames each sensor node sends, built
//! with the firmware's own framing code ([`mod@generate`]). Those bytes can be written to files,
//! or played in real or scaled time ([`mod@play`]) through pseudo-terminals ([`pty`]) so that the
//! agent reads a real serial device. Truth and detections also go to the tracker-neutral CSV
//! files of `shared/tools/stonesoup_gnn.py` ([`csv`]) so that trackers can be scored on them.
//!
//! ```no_run
//! use borderfuse_sim::{Scenario, generate};
//! let scenario = Scenario::border_crossing();
//! let out = generate(&scenario, 1_767_225_600_000);
//! for event in &out.events {
//!     println!("{:8.3} s node {} {} bytes", event.t_s, event.node_id, event.bytes.len());
//! }
//! ```
#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod ais;
pub mod arpa;
pub mod checkpoint;
pub mod csv;
pub mod emit;
pub mod events;
pub mod generate;
pub mod motion;
pub mod play;
pub mod pty;
pub mod radar;
pub mod report;
pub mod scenario;
pub mod scenarios;
pub mod score;
pub mod traffic;
pub mod world;

pub use csv::{DetectionRow, MeasurementModel, TruthRow};
pub use generate::{Generated, TimedBytes, generate, try_generate};
pub use play::{PlayStats, play};
pub use pty::Pty;
pub use scenario::{
    AisClass, AisReceiverSpec, AisTransponderSpec, Dwell, NodeKind, NodeSpec, RadarSpec, Scenario,
    ScenarioError, SpoofSpec, VesselSpec,
};
