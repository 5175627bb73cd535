//! Configuration of the alert rules: the `[rules]` table of the agent's TOML file.

use crate::config::{ConfigError, positive};
use serde::{Deserialize, Serialize};

/// Alert rules.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RulesConfig {
    /// `dark_target`.
    pub dark_target: DarkTargetConfig,
}

/// Alert severity.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// For the record.
    Info,
    /// Worth a look.
    Low,
    /// Needs attention.
    Medium,
    /// Act now.
    High,
}

/// `dark_target`: a confirmed radar track with no AIS for a time, inside AIS coverage.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct DarkTargetConfig {
    /// Whether the rule runs.
    pub enabled: bool,
    /// How long a confirmed track must go without AIS, seconds.
    pub after_s: f64,
    /// Severity of its alerts.
    pub severity: Severity,
}

impl Default for DarkTargetConfig {
    fn default() -> Self {
        DarkTargetConfig {
            enabled: true,
            after_s: 60.0,
            severity: Severity::High,
        }
    }
}

impl RulesConfig {
    /// Checks values that parse but make no sense, naming the key.
    pub fn validate(&self) -> Result<(), ConfigError> {
        positive("rules.dark_target.after_s", self.dark_target.after_s)
    }
}
