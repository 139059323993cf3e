//! Change records: the lines that say a system was changed (configuration
//! reloaded, a version deployed, a restart, a key or certificate rotated,
//! a scale-out, a feature flag flipped). They are not failures and never
//! rank; the report lists the cause system's last ones before the onset,
//! the first thing an on-call engineer looks for by hand.

use serde::{Deserialize, Serialize};
use std::fmt;

/// What kind of change a line records.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ChangeKind {
    /// Settings loaded, reloaded or changed.
    Config,
    /// A new version deployed, rolled out or upgraded.
    Deploy,
    /// A process or service started, stopped or restarted.
    Restart,
    /// A key, secret, credential or certificate rotated or renewed.
    SecretRotation,
    /// Instances, replicas or pool sizes changed.
    Scaling,
    /// A feature flag or toggle changed.
    FeatureFlag,
}

impl ChangeKind {
    /// Every kind, in the order reports group them.
    pub const ALL: [ChangeKind; 6] = [
        ChangeKind::Config,
        ChangeKind::Deploy,
        ChangeKind::Restart,
        ChangeKind::SecretRotation,
        ChangeKind::Scaling,
        ChangeKind::FeatureFlag,
    ];

    /// The wire name (`secret_rotation` ...).
    pub fn as_str(self) -> &'static str {
        match self {
            ChangeKind::Config => "config",
            ChangeKind::Deploy => "deploy",
            ChangeKind::Restart => "restart",
            ChangeKind::SecretRotation => "secret_rotation",
            ChangeKind::Scaling => "scaling",
            ChangeKind::FeatureFlag => "feature_flag",
        }
    }

    /// Words for people (`key rotation`).
    pub fn words(self) -> &'static str {
        match self {
            ChangeKind::Config => "configuration",
            ChangeKind::Deploy => "deploy",
            ChangeKind::Restart => "restart",
            ChangeKind::SecretRotation => "key/secret rotation",
            ChangeKind::Scaling => "scaling",
            ChangeKind::FeatureFlag => "feature flag",
        }
    }

    /// Parses a wire name.
    pub fn from_name(name: &str) -> Option<ChangeKind> {
        ChangeKind::ALL.into_iter().find(|k| k.as_str() == name)
    }
}

impl fmt::Display for ChangeKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One rule that recognises change records.
#[derive(Clone, Debug)]
pub struct ChangeRule {
    /// What it recognises.
    pub kind: ChangeKind,
    /// Fixed strings searched case-insensitively.
    pub literals: Vec<String>,
    /// Optional confirming regex, run on the candidate line only.
    pub regex: Option<String>,
    /// Lines that must be recognised as this kind.
    pub examples: Vec<String>,
    /// Lines that must not be recognised as this kind.
    pub counterexamples: Vec<String>,
    /// Where it was defined (`changes.toml:12`).
    pub origin: String,
}

impl ChangeRule {
    /// What the rule recognises, as one string: how a partial names it
    /// (rules have no id, and their origin moves when a file is edited).
    pub fn key(&self) -> String {
        format!("{}|{}|{}", self.kind.as_str(), self.literals.join("|"), self.regex.as_deref().unwrap_or(""))
    }
}
