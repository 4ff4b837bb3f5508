//! `revoke`: the guide's emergency response, as far as this machine goes.
//! The value leaves the store, the credential is recorded as revoked (so
//! later plans show its servers as blocked and never re-create their
//! entries or ask for it), and the client entries of every server that
//! uses it are removed through the ordinary apply.
//!
//! The revocation is saved in the state the moment the value is deleted,
//! before apply writes its own records: should a client file then stop
//! apply, the state still tells that the value is gone on purpose, and
//! the next plan does not ask for it again.

use std::path::Path;

use jiff::Timestamp;

use super::{Machine, WorkflowError, record, servers_using};
use crate::apply::{self, ApplyError, Command, Progress, Record, SecretSource};
use crate::audit::AuditLog;
use crate::manifest::{Credential, Manifest};
use crate::observe::{Observed, observe};
use crate::plan::{self, Desired, EntryAction, Plan};
use crate::state::{CredentialRecord, State};
use crate::store::{CredentialStore, Secret};

/// A revocation planned, to show and confirm before it is carried out.
#[derive(Debug)]
pub struct Revocation {
    /// The credential's own change and the entry changes of its servers.
    pub plan: Plan,
    /// The servers that use the credential: blocked once it is revoked.
    pub users: Vec<String>,
    /// What the plan was computed from, the state marked revoked included.
    observed: Observed,
}

/// Plans revoking `credential` at `now`: the plan of the manifest with
/// the credential recorded as revoked, cut down to the credential and the
/// entries of the servers that use it.
pub fn plan(
    desired: &Desired,
    manifest: &Manifest,
    store: &dyn CredentialStore,
    machine: Machine<'_>,
    credential: &Credential,
    now: Timestamp,
) -> Result<Revocation, WorkflowError> {
    let now = now.to_string();
    let mut state = State::load(machine.state_dir)?;
    let record = state
        .credentials
        .entry(credential.name.clone())
        .or_insert_with(|| CredentialRecord {
            set_at: None,
            first_seen: now.clone(),
            expires: None,
            revoked_at: None,
        });
    record.revoked_at = Some(now);
    let observed = observe(
        desired,
        Ok(store),
        state,
        machine.host,
        machine.project_root,
    )?;
    let full = plan::compute(desired, &observed, plan::Options::default());
    let users: Vec<String> = servers_using(manifest, &credential.name)
        .into_iter()
        .map(|(server, _)| server.to_owned())
        .collect();
    Ok(Revocation {
        plan: only_revocation(full, &credential.name, &users),
        users,
        observed,
    })
}

impl Revocation {
    /// Deletes the value of `credential` from `store`, records that in
    /// `audit` whether or not it worked and, when it did, saves the
    /// revocation in the state; whether there was a value.
    pub fn delete_value(
        &self,
        store: &dyn CredentialStore,
        state_dir: &Path,
        audit: &AuditLog,
        credential: &Credential,
    ) -> Result<bool, WorkflowError> {
        let deleted = store.delete(&credential.store_entry());
        record(
            audit,
            "store.delete",
            credential.name.clone(),
            Some("revoke"),
            &deleted,
        )?;
        let existed = deleted?;
        self.observed.state.save(state_dir)?;
        Ok(existed)
    }

    /// Removes the entries of the servers that use the credential (after
    /// [`Revocation::delete_value`]), telling `progress`.
    pub fn remove_entries(
        self,
        store: &dyn CredentialStore,
        state_dir: &Path,
        audit: &AuditLog,
        project_root: &Path,
        progress: &mut dyn FnMut(Progress),
    ) -> Result<apply::Report, WorkflowError> {
        Ok(apply::apply_observed(
            &self.plan,
            self.observed,
            Command {
                store,
                secrets: &mut NoSecrets,
                state_dir,
                audit,
                progress,
                project_root,
                record: Record::Nothing,
            },
        )?)
    }
}

/// The credential's own change and the entry changes of the servers that
/// use it; nothing else from the plan is carried out by `revoke`.
fn only_revocation(mut plan: Plan, credential: &str, users: &[String]) -> Plan {
    plan.credentials.retain(|change| change.name == credential);
    for file in &mut plan.files {
        file.entries.retain(|change| {
            users.contains(&change.server)
                && matches!(change.action, EntryAction::Delete | EntryAction::Blocked)
        });
    }
    plan.files.retain(|file| !file.entries.is_empty());
    plan.profiles.clear();
    plan.exports.clear();
    plan.audit = None;
    plan
}

/// `revoke` never asks for a value: its plan creates no credential.
struct NoSecrets;

impl SecretSource for NoSecrets {
    fn secret_for(&mut self, credential: &Credential) -> Result<Secret, ApplyError> {
        Err(ApplyError::MissingSecret {
            credential: credential.name.clone(),
            hint: format!("`mcpctl rotate {}` supplies a new value", credential.name),
        })
    }
}
