//! The team manifest, `mcpctl.kdl`: finding it, parsing it, validating it.
//!
//! Parsing and validation are one pass that collects *every* problem with
//! its span, so `mcpctl validate` can show them all at once as miette
//! diagnostics. The result is the normalized [`Manifest`] model; nothing
//! downstream sees KDL.

pub mod model;

pub use model::*;

/// The file name looked for when no `--manifest` is given.
pub const MANIFEST_FILE: &str = "mcpctl.kdl";
