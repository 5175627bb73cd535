//! Publish: alerts, tracks and status to the cross-border MQTT network, losing nothing.
//!
//! Topics (DESIGN.md): `borderfuse/v1/{country}/{post}/alerts/{kind}` for alerts,
//! `.../tracks` for the fused picture (both QoS 1, MQTT 5, through the disk-backed
//! [`outbox`]) and `.../status` (retained, QoS 1, with a last will saying `offline`, so
//! partners see a post that died).
//!
//! The link takes already-formed [`Message`]s (topic, payload, class): what goes to whom,
//! and signed how, is decided before it.

pub mod linktest;
pub mod mqtt;
pub mod outbox;
pub mod tls;
pub mod tracks;

use crate::detect::AlertKind;
pub use mqtt::{Delivered, Link, LinkError, LinkHandle, SendError};
pub use outbox::{Class, Message};

/// The topics of one post.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Topics {
    base: String,
}

impl Topics {
    /// Topics of post `post` in country `country` (both validated topic levels).
    pub fn new(country: &str, post: &str) -> Self {
        Topics {
            base: format!("borderfuse/v1/{country}/{post}"),
        }
    }

    /// Where alerts of `kind` go.
    pub fn alert(&self, kind: AlertKind) -> String {
        format!("{}/alerts/{}", self.base, kind.as_str())
    }

    /// Where the fused tracks go.
    pub fn tracks(&self) -> String {
        format!("{}/tracks", self.base)
    }

    /// The retained status topic.
    pub fn status(&self) -> String {
        format!("{}/status", self.base)
    }

    /// A filter matching every alert of every post.
    pub fn all_alerts_filter() -> &'static str {
        "borderfuse/v1/+/+/alerts/#"
    }
}
