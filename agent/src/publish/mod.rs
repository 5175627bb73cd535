//! Publish: alerts and status to the cross-border MQTT network.
//!
//! Topics (DESIGN.md): `borderfuse/v1/{country}/{post}/alerts/{kind}` for alerts (QoS 1) and
//! `borderfuse/v1/{country}/{post}/status` (retained, QoS 1, with a last will saying
//! `offline`, so partners see a post that died).

pub mod mqtt;

use crate::detect::AlertKind;

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

    /// The retained status topic.
    pub fn status(&self) -> String {
        format!("{}/status", self.base)
    }

    /// A filter matching every alert of every post.
    pub fn all_alerts_filter() -> &'static str {
        "borderfuse/v1/+/+/alerts/#"
    }
}
