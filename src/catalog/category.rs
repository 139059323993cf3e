//! The cause categories of INTERFACE.md: the one vocabulary shared by the
//! catalog, the ranking and every report.

use serde::{Deserialize, Serialize};
use std::fmt;

/// What kind of failure a signature or a cause is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Category {
    /// 401/403, bad or expired credentials, missing permissions.
    Authentication,
    /// 429, quotas, throttling.
    RateLimit,
    /// 400, malformed or invalid payloads.
    Validation,
    /// Unknown, missing or mistyped fields between two systems.
    SchemaMismatch,
    /// Read/connect timeouts, deadlines, 504.
    Timeout,
    /// Refused/reset connections, DNS, TLS, firewalls.
    Connectivity,
    /// Delivery failures, bad callback URLs, signature checks.
    Webhook,
    /// 404, wrong endpoint or version.
    NotFound,
    /// 500 and unhandled exceptions.
    ServerError,
    /// 503, maintenance, open circuit breakers.
    Unavailable,
    /// Missing or wrong settings.
    Configuration,
    /// Mined templates that no signature names.
    Other,
}

impl Category {
    /// Every category, in INTERFACE.md's order.
    pub const ALL: [Category; 12] = [
        Category::Authentication,
        Category::RateLimit,
        Category::Validation,
        Category::SchemaMismatch,
        Category::Timeout,
        Category::Connectivity,
        Category::Webhook,
        Category::NotFound,
        Category::ServerError,
        Category::Unavailable,
        Category::Configuration,
        Category::Other,
    ];

    /// The wire name (`rate_limit`, `schema_mismatch` ...).
    pub fn as_str(self) -> &'static str {
        match self {
            Category::Authentication => "authentication",
            Category::RateLimit => "rate_limit",
            Category::Validation => "validation",
            Category::SchemaMismatch => "schema_mismatch",
            Category::Timeout => "timeout",
            Category::Connectivity => "connectivity",
            Category::Webhook => "webhook",
            Category::NotFound => "not_found",
            Category::ServerError => "server_error",
            Category::Unavailable => "unavailable",
            Category::Configuration => "configuration",
            Category::Other => "other",
        }
    }

    /// Parses a wire name.
    pub fn from_name(name: &str) -> Option<Category> {
        Category::ALL.into_iter().find(|c| c.as_str() == name)
    }
}

impl fmt::Display for Category {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for c in Category::ALL {
            assert_eq!(Category::from_name(c.as_str()), Some(c));
            let json = serde_json::to_string(&c).unwrap();
            assert_eq!(json, format!("\"{}\"", c.as_str()));
        }
        assert_eq!(Category::from_name("nope"), None);
    }
}
