//! Fuse: observations into tracks.
//!
//! - [`kalman`]: constant-velocity motion, KF and EKF updates, gating thresholds.
//! - [`assign`]: optimal assignment for global nearest neighbour association.
//! - [`tracker`]: the radar tracker (gating, GNN, M-of-N confirmation, deletion).
//! - [`ais`]: the AIS picture and AIS ↔ track association.

pub mod ais;
pub mod assign;
pub mod kalman;
pub mod tracker;

pub use ais::{AisAssociator, AisEvent, AisPicture, AisTarget};
pub use tracker::{AisBinding, RadarGeometry, ScanReport, Track, TrackId, TrackStatus, Tracker};
