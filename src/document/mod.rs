//! Format-preserving edits of client configuration files.
//!
//! Placeholder: the JSON/JSONC and TOML document editors land next.
