//! The pattern files compiled into the binary, in load order.

/// (name, contents) of every built-in pattern file.
pub const FILES: &[(&str, &str)] = &[
    ("categories.toml", include_str!("../../patterns/categories.toml")),
    ("auth.toml", include_str!("../../patterns/auth.toml")),
    ("rate_limit.toml", include_str!("../../patterns/rate_limit.toml")),
    ("validation.toml", include_str!("../../patterns/validation.toml")),
    ("schema.toml", include_str!("../../patterns/schema.toml")),
    ("timeout.toml", include_str!("../../patterns/timeout.toml")),
    ("connectivity.toml", include_str!("../../patterns/connectivity.toml")),
    ("webhook.toml", include_str!("../../patterns/webhook.toml")),
    ("not_found.toml", include_str!("../../patterns/not_found.toml")),
    ("server_error.toml", include_str!("../../patterns/server_error.toml")),
    ("unavailable.toml", include_str!("../../patterns/unavailable.toml")),
    ("config.toml", include_str!("../../patterns/config.toml")),
    ("changes.toml", include_str!("../../patterns/changes.toml")),
];
