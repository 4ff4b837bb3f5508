//! Format-preserving edits of client configuration files.
//!
//! Placeholder: the JSON/JSONC and TOML document editors land next.

/// The syntax a client file uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Json,
    Jsonc { trailing_commas: bool },
    Toml,
}
