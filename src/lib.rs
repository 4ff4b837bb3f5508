//! mcpctl: config-as-code for MCP servers and their credentials.
//!
//! The crate is split the way data flows: a [`manifest`] gives the desired
//! state; the [`store`], the [`client`] files (read through [`document`])
//! and mcpctl's own [`state`] give the observed state ([`observe`]);
//! [`plan`] compares the two as a pure function; [`apply`] carries a plan
//! out, recording every access in the [`audit`] trail; the other commands
//! that change the machine are [`workflow`]s returning reports. The [`cli`] sits on
//! top; no other module prints or exits (the lints below hold them to it:
//! they return values and warnings for the CLI to show, and outcomes for
//! `main` to turn into exit codes).

#![deny(clippy::print_stdout, clippy::print_stderr, clippy::exit)]

pub mod acl;
pub mod adopt;
pub mod apply;
pub mod audit;
pub mod bridge;
pub mod catalog;
pub mod check;
#[allow(
    clippy::print_stdout,
    clippy::print_stderr,
    reason = "the CLI is where mcpctl talks to the terminal"
)]
pub mod cli;
pub mod client;
pub mod concurrent_writer;
pub mod digest;
pub mod document;
pub mod fs;
pub mod host;
pub mod http;
pub mod inventory;
pub mod manifest;
pub mod observe;
pub mod plan;
pub mod process;
pub mod remind;
pub mod scan;
pub mod secret_file;
pub mod secret_patterns;
pub mod shell;
pub mod source;
pub mod spawn;
pub mod state;
pub mod status;
pub mod store;
pub mod supervise;
pub mod terminal_text;
pub mod words;
pub mod workflow;
