//! Integration tests: the `mcpctl` binary in a sandboxed HOME, against a
//! real Secret Service and the real client CLIs where the test needs them.

mod fixtures;
mod support;

mod adopt;
mod apply_loop;
mod audit;
mod canary;
mod check;
mod clients;
mod env_ref;
mod lifecycle;
mod offboard;
mod real_clients;
mod saved_plan;
mod sources;
mod store;
mod validate;
