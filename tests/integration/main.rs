//! Integration tests: the `mcpctl` binary in a sandboxed HOME, against a
//! real Secret Service and the real client CLIs where the test needs them.
//!
//! Tests that need Unix (the Secret Service, the Linux client CLIs, `git`,
//! `sh`, Linux paths) are `cfg(unix)`, each saying why; the Windows build of
//! this binary (run under Wine by `scripts/test`) leaves their helpers and
//! imports unused.
#![cfg_attr(windows, allow(unused_imports, dead_code))]

mod fixtures;
mod support;

mod adopt;
mod apply_loop;
mod audit;
// Linux only: the Secret Service (an account per test) and /proc, to see
// that no process holds the token.
#[cfg(target_os = "linux")]
mod bridge;
// Linux only: the same SDK server, and `/proc` to see every process under a client.
#[cfg(target_os = "linux")]
mod bridge_clients;
mod canary;
mod catalog;
mod check;
mod claude_lock;
mod clients;
mod env_ref;
mod init;
mod lifecycle;
mod offboard;
mod output;
mod packaging;
mod prompts;
mod readme;
mod real_clients;
mod saved_plan;
// Linux only: the tests verify systemd units; on macOS and Windows
// `install` would reach the real scheduler.
#[cfg(target_os = "linux")]
mod remind;
mod sources;
mod store;
mod teams;
mod validate;
// The Windows build, run by Wine on Linux.
#[cfg(target_os = "linux")]
mod windows_wine;

mod apply_plan_props;
mod concurrency;
mod crash;
mod docs_claims;
mod edit_oracle;
mod hostile;
mod roundtrip;
mod yaml_hostile;
