//! Integration tests: the `mcpctl` binary in a sandboxed HOME, against a
//! real Secret Service and the real client CLIs where the test needs them.

mod fixtures;
mod support;

mod adopt;
mod apply_loop;
mod audit;
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
