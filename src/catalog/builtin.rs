//! TEMP
pub const FILES: &[(&str, &str)] = &[];
