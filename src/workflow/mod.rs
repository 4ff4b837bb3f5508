//! The commands that change the machine besides `apply`, as functions:
//! `rotate`, `revoke` and `rollback` take what they act on (the credential
//! or the backup, the store, the state directory, the audit trail, the
//! time) and return a report of what they did. They never print or ask: the
//! CLI parses the arguments, asks and confirms, calls them, and turns the
//! report into words and an exit code — so their logic is tested here,
//! against `store::MemoryStore` (built for tests), without a terminal or a Secret
//! Service.
//!
//! `destroy` and `import` are plans carried out by [`crate::apply`]; their
//! planning lives with their concepts ([`crate::plan::destroy`],
//! [`crate::adopt::import`]).

pub mod revoke;
pub mod rollback;
pub mod rotate;
mod usage;

pub use usage::{Usage, servers_using, usage};

use std::path::Path;

use crate::apply::{ApplyError, BackupError};
use crate::audit::{AuditLog, Event, Outcome};
use crate::host::Host;
use crate::observe::ObserveError;
use crate::state::StateError;
use crate::store::StoreError;

/// Where a workflow acts: this machine (its home and variables, mcpctl's
/// state directory) and the manifest's project directory.
#[derive(Debug, Clone, Copy)]
pub struct Machine<'a> {
    pub host: &'a Host,
    pub state_dir: &'a Path,
    pub project_root: &'a Path,
}

/// What stopped a workflow. Each is the error of the part that failed, as
/// the CLI showed it before the workflows moved here.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum WorkflowError {
    #[error(transparent)]
    #[diagnostic(transparent)]
    Store(#[from] StoreError),

    #[error(transparent)]
    #[diagnostic(transparent)]
    State(#[from] StateError),

    #[error(transparent)]
    #[diagnostic(transparent)]
    Observe(#[from] ObserveError),

    #[error(transparent)]
    #[diagnostic(transparent)]
    Apply(#[from] ApplyError),

    #[error(transparent)]
    #[diagnostic(transparent)]
    Backup(#[from] BackupError),

    /// Appending to the audit trail, or reading a file, failed.
    #[error(transparent)]
    Io(#[from] std::io::Error),
}

/// Records `action` on `target` (with `detail`) as done or failed, as the
/// `result` of doing it says.
fn record<T, E>(
    audit: &AuditLog,
    action: &'static str,
    target: String,
    detail: Option<&str>,
    result: &Result<T, E>,
) -> std::io::Result<()> {
    audit
        .append(&Event {
            action,
            target,
            server: None,
            detail: detail.map(str::to_owned),
            outcome: if result.is_ok() {
                Outcome::Ok
            } else {
                Outcome::Failed
            },
        })
        .map(|_| ())
}

#[cfg(test)]
pub(crate) mod tests;
