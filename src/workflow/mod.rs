//! The commands that change the machine besides `apply`, as functions:
//! `rotate`, `revoke` and `rollback` take what they act on (the credential
//! or the backup, the store, the state directory, the audit trail, the
//! time) and return a report of what they did. They never print or ask: the
//! CLI parses the arguments, asks and confirms, calls them, and turns the
//! report into words and an exit code — so their logic is tested here,
//! against [`crate::store::MemoryStore`], without a terminal or a Secret
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
pub(crate) mod tests {
    //! Shared by the workflows' tests: a credential, an audit trail in a
    //! temporary state directory, and what that trail holds.

    use std::path::Path;

    use crate::audit::AuditLog;
    use crate::manifest::{Credential, CredentialKind, Source};

    /// A credential in the store with nothing else declared.
    pub fn credential(name: &str) -> Credential {
        Credential {
            name: name.into(),
            kind: CredentialKind::Other,
            provider: None,
            scopes: vec![],
            rotate_every: None,
            rotate_every_source: None,
            create_at: None,
            description: None,
            source: Source::Store,
            namespace: None,
            classification: None,
        }
    }

    pub fn audit(state_dir: &Path, command: &str) -> AuditLog {
        let mut actor = crate::audit::tests::actor();
        actor.command = command.to_owned();
        AuditLog::new(state_dir, actor)
    }

    /// `action target detail outcome` of each record in the trail.
    pub fn records(audit: &AuditLog) -> Vec<String> {
        let text = std::fs::read_to_string(audit.path()).unwrap_or_default();
        text.lines()
            .filter_map(|line| serde_json::from_str::<serde_json::Value>(line).ok())
            .filter(|record| record.get("action").is_some())
            .map(|record| {
                let field = |name: &str| record[name].as_str().unwrap_or("-").to_owned();
                format!(
                    "{} {} {} {}",
                    field("action"),
                    field("target"),
                    field("detail"),
                    field("outcome")
                )
            })
            .collect()
    }
}
