//! Fuse: detections from every sensor into tracks.
//!
//! Components, each a small type with its config (in the spirit of Stone Soup):
//! - [`kalman`]: Gaussian estimates, measurement models (position, range/bearing), the
//!   Joseph-form (extended) Kalman update, chi-square gates;
//! - [`motion`]: motion models (constant velocity, coordinated turn) behind
//!   [`motion::MotionModel`];
//! - [`filter`]: a single model or an IMM of the two;
//! - [`gating`]: the spatial index in front of the gate;
//! - [`assign`]: optimal assignment and the union-find that splits a scene into clusters;
//! - [`tracker`]: the multi-sensor GNN tracker (M-of-N, deletion, AIS identity, late
//!   measurements);
//! - [`reorder`]: the bounded window that puts measurements in time order;
//! - [`ais`]: the AIS picture (who each MMSI is, where it last said it was).

pub mod ais;
pub mod assign;
pub mod filter;
pub mod gating;
pub mod kalman;
pub mod motion;
pub mod reorder;
pub mod tracker;

pub use ais::{AisPicture, AisTarget};
pub use tracker::{
    AisBinding, AisEvent, Detection, ReportedMotion, ScanReport, SensorId, SensorInfo, SensorKind,
    Track, TrackId, TrackStatus, Tracker, TrackerStats,
};
