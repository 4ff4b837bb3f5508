//! mcpctl: config-as-code for MCP servers and their credentials.
//!
//! The crate is split the way data flows (see `DESIGN.md` in the repository
//! history and the README): a [`manifest`] gives the desired state, the
//! [`store`], the [`client`] files and the local [`state`] give the observed
//! state, [`plan`] compares them as a pure function, and [`apply`] carries a
//! plan out. The [`cli`] sits on top; no other module prints or exits.

pub mod document;
pub mod manifest;
pub mod secret_patterns;
