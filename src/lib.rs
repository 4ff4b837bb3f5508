//! mcpctl: config-as-code for MCP servers and their credentials.
//!
//! The crate is split the way data flows (see `DESIGN.md` in the repository
//! history and the README): a [`manifest`] gives the desired state, the
//! [`store`], the [`client`] files and the local [`state`] give the observed
//! state, [`plan`] compares them as a pure function, and [`apply`] carries a
//! plan out. The [`cli`] sits on top; no other module prints or exits.

pub mod document;
pub mod manifest;
pub mod store;
pub mod host;
pub mod client;
pub mod fs;
pub mod state;
pub mod audit;
pub mod secret_patterns;
pub mod observe;
pub mod plan;
pub mod apply;
pub mod cli;
