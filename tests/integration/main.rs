//! Integration tests: the `mcpctl` binary in a sandboxed HOME, against a
//! real Secret Service and the real client CLIs where the test needs them.

mod fixtures;
mod support;

mod apply_loop;
mod canary;
mod real_clients;
mod store;
mod validate;

mod apply_plan_props;
mod concurrency;
mod crash;
mod edit_oracle;
mod hostile;
mod roundtrip;
