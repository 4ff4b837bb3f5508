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
    let at = now.to_string();
    let mut state = State::load(machine.state_dir)?;
    let record = state
        .credentials
        .entry(credential.name.clone())
        .or_insert_with(|| CredentialRecord {
            set_at: None,
            first_seen: at.clone(),
            expires: None,
            revoked_at: None,
        });
    record.revoked_at = Some(at);
    let observed = observe(
        desired,
        Ok(store),
        state,
        machine.host,
        machine.project_root,
        now,
    )?;
    let full = plan::compute(desired, &observed, plan::Options::default());
    let users = users_of(manifest, &credential.name);
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
        let now = self.observed.now;
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
                now,
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

/// The servers that read `credential`, each once (a remote server may send
/// it in two headers).
fn users_of(manifest: &Manifest, credential: &str) -> Vec<String> {
    let mut users: Vec<String> = servers_using(manifest, credential)
        .into_iter()
        .map(|(server, _)| server.to_owned())
        .collect();
    users.dedup();
    users
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::MemoryStore;
    use crate::workflow::tests::{Sandbox, audit, records};

    fn revocation(sandbox: &Sandbox, store: &dyn CredentialStore) -> Revocation {
        plan(
            &sandbox.desired(),
            &sandbox.loaded.manifest,
            store,
            sandbox.machine(),
            &sandbox.loaded.manifest.credentials["GITHUB_TOKEN"],
            "2026-12-05T12:00:00Z".parse().unwrap(),
        )
        .unwrap()
    }

    fn revoked_at(sandbox: &Sandbox, name: &str) -> Option<String> {
        State::load(&sandbox.state_dir)
            .unwrap()
            .credentials
            .get(name)
            .and_then(|record| record.revoked_at.clone())
    }

    #[test]
    fn a_server_sending_the_credential_twice_is_one_user() {
        let manifest = crate::manifest::parse(
            "mcpctl.kdl",
            r#"mcpctl version=1
credential TOKEN
server remote {
    url "https://mcp.example.com/mcp"
    header Authorization credential=TOKEN scheme=Bearer
    header X-Api-Key credential=TOKEN
}
"#,
        )
        .unwrap();
        assert_eq!(servers_using(&manifest, "TOKEN").len(), 2);
        assert_eq!(users_of(&manifest, "TOKEN"), ["remote"]);
    }

    #[test]
    fn deletes_the_value_records_it_and_removes_only_its_servers_entries() {
        let sandbox = Sandbox::new();
        let store = MemoryStore::with(&[("GITHUB_TOKEN", "ghp-1"), ("OTHER_TOKEN", "o-1")]);
        sandbox.apply(&store);
        assert!(sandbox.cursor_file().contains("\"github\""));
        let credential = &sandbox.loaded.manifest.credentials["GITHUB_TOKEN"];

        let revocation = revocation(&sandbox, &store);
        assert_eq!(revocation.users, ["github"]);
        let servers: Vec<&str> = revocation
            .plan
            .files
            .iter()
            .flat_map(|f| f.entries.iter().map(|e| e.server.as_str()))
            .collect();
        assert_eq!(servers, ["github"]);
        // Nothing is done before it is confirmed.
        assert_eq!(store.value("GITHUB_TOKEN").as_deref(), Some("ghp-1"));
        assert_eq!(revoked_at(&sandbox, "GITHUB_TOKEN"), None);

        let log = audit(&sandbox.state_dir, "revoke");
        let existed = revocation
            .delete_value(&store, &sandbox.state_dir, &log, credential)
            .unwrap();
        assert!(existed);
        assert_eq!(store.value("GITHUB_TOKEN"), None);
        assert_eq!(
            revoked_at(&sandbox, "GITHUB_TOKEN").as_deref(),
            Some("2026-12-05T12:00:00Z")
        );

        let report = revocation
            .remove_entries(
                &store,
                &sandbox.state_dir,
                &log,
                &sandbox.loaded.root,
                &mut |_| {},
            )
            .unwrap();
        assert_eq!(report.files_written, 1);
        let file = sandbox.cursor_file();
        assert!(!file.contains("\"github\""), "{file}");
        assert!(file.contains("\"other\""), "{file}");
        assert_eq!(store.value("OTHER_TOKEN").as_deref(), Some("o-1"));
        assert_eq!(
            revoked_at(&sandbox, "GITHUB_TOKEN").as_deref(),
            Some("2026-12-05T12:00:00Z")
        );
        let state = State::load(&sandbox.state_dir).unwrap();
        let owned: Vec<&str> = state.entries.iter().map(|e| e.server.as_str()).collect();
        assert_eq!(owned, ["other"]);
        // The apply before wrote the file too; revoke's records come last.
        let trail = records(&log);
        let written = format!("file.write {} - ok", sandbox.cursor_path().display());
        assert_eq!(
            trail[trail.len() - 2..],
            ["store.delete GITHUB_TOKEN revoke ok".to_owned(), written]
        );
        assert!(trail.iter().all(|r| !r.contains("ghp-1")), "{trail:?}");
    }

    #[test]
    fn a_credential_without_a_value_is_still_recorded_as_revoked() {
        let sandbox = Sandbox::new();
        let store = MemoryStore::with(&[("OTHER_TOKEN", "o-1")]);
        let credential = &sandbox.loaded.manifest.credentials["GITHUB_TOKEN"];
        let log = audit(&sandbox.state_dir, "revoke");

        let revocation = revocation(&sandbox, &store);
        let existed = revocation
            .delete_value(&store, &sandbox.state_dir, &log, credential)
            .unwrap();

        assert!(!existed);
        assert_eq!(
            revoked_at(&sandbox, "GITHUB_TOKEN").as_deref(),
            Some("2026-12-05T12:00:00Z")
        );
        assert_eq!(records(&log), ["store.delete GITHUB_TOKEN revoke ok"]);
    }

    #[test]
    fn a_store_error_is_audited_as_failed_and_records_no_revocation() {
        let sandbox = Sandbox::new();
        let store = MemoryStore::failing();
        let credential = &sandbox.loaded.manifest.credentials["GITHUB_TOKEN"];
        let log = audit(&sandbox.state_dir, "revoke");

        let revocation = revocation(&sandbox, &store);
        let err = revocation
            .delete_value(&store, &sandbox.state_dir, &log, credential)
            .unwrap_err();

        assert!(matches!(err, WorkflowError::Store(_)), "{err:?}");
        assert_eq!(records(&log), ["store.delete GITHUB_TOKEN revoke failed"]);
        assert_eq!(revoked_at(&sandbox, "GITHUB_TOKEN"), None);
    }
}
