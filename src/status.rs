//! Drift since the last apply: what `mcpctl status` reports per manifest.
//!
//! A team wants to know, from every member's machine, which manifest commit
//! is in force and whether the machine still matches it. The plan already
//! knows every difference; this module names the ones that happened *after*
//! an apply — an owned entry edited or removed by hand, a credential deleted
//! from the store, a credential past its rotation or expiry date — as
//! opposed to changes the manifest asks for and no apply has made yet. It
//! reads only the plan and the state, never a secret.

use serde::Serialize;

use crate::plan::{CredentialAction, EntryAction, Plan};
use crate::state::State;

/// One way this machine moved away from what was applied.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub struct Drift {
    pub kind: DriftKind,
    /// `credential NAME`, or `CLIENT (SCOPE) SERVER in FILE`.
    pub target: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum DriftKind {
    /// An entry mcpctl wrote was changed outside mcpctl.
    EditedByHand,
    /// An entry mcpctl wrote is gone from its file.
    RemovedByHand,
    /// A credential mcpctl stored or saw is gone from the store.
    CredentialDeleted,
    /// A credential is past its rotation date, or its provider expired it.
    CredentialOverdue,
}

impl DriftKind {
    pub fn describe(self) -> &'static str {
        match self {
            DriftKind::EditedByHand => "edited by hand",
            DriftKind::RemovedByHand => "removed by hand",
            DriftKind::CredentialDeleted => "deleted from the store",
            DriftKind::CredentialOverdue => "overdue for rotation or expired",
        }
    }
}

/// The drift in `plan` (computed for one manifest) given what mcpctl
/// recorded in `state`.
pub fn drift(plan: &Plan, state: &State) -> Vec<Drift> {
    let mut found = Vec::new();
    for change in &plan.credentials {
        let name = &change.name;
        let target = format!("credential {name}");
        if change.action == CredentialAction::Create && state.credentials.contains_key(name) {
            found.push(Drift {
                kind: DriftKind::CredentialDeleted,
                target,
            });
        } else if change
            .rotation
            .as_ref()
            .is_some_and(|r| r.status.is_failure())
        {
            found.push(Drift {
                kind: DriftKind::CredentialOverdue,
                target,
            });
        }
    }
    for (file, change) in plan.entries() {
        let server = &change.server;
        let Some(record) = state.owned(&file.path, &file.table, server) else {
            continue;
        };
        if record.manifest != plan.manifest {
            continue;
        }
        let kind = match change.action {
            EntryAction::Create => DriftKind::RemovedByHand,
            EntryAction::Update
                if change.before_digest.as_deref() != Some(record.digest.as_str()) =>
            {
                DriftKind::EditedByHand
            }
            _ => continue,
        };
        found.push(Drift {
            kind,
            target: format!(
                "{} ({}) {server} in {}",
                file.client.as_str(),
                file.scope.as_str(),
                file.path.display()
            ),
        });
    }
    found
}
