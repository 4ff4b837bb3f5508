//! `rotate`: a new value for a credential in the store, under the same
//! entry. The time it was stored (and the provider's expiry date, if given)
//! goes to the state, the write to the audit trail; a revocation is lifted.

use std::path::Path;

use jiff::Timestamp;
use jiff::civil::Date;

use super::{WorkflowError, record};
use crate::audit::AuditLog;
use crate::manifest::Credential;
use crate::state::{CredentialRecord, State};
use crate::store::{CredentialStore, Secret};

/// What `rotate` did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rotated {
    /// The credential was revoked, and no longer is.
    pub was_revoked: bool,
}

/// Stores the value `value` gives for `credential` (asked only once the
/// state has been read: a state mcpctl cannot read stops before anyone
/// types a secret), records the write in `audit` whether or not it worked,
/// and, when it did, the time in the state of `state_dir`: the record keeps
/// when the credential was first seen and forgets a revocation.
pub fn rotate<E: From<WorkflowError>>(
    store: &dyn CredentialStore,
    state_dir: &Path,
    audit: &AuditLog,
    credential: &Credential,
    value: impl FnOnce() -> Result<Secret, E>,
    expires: Option<Date>,
    now: Timestamp,
) -> Result<Rotated, E> {
    let mut state = State::load(state_dir).map_err(WorkflowError::from)?;
    let was_revoked = state
        .credentials
        .get(&credential.name)
        .is_some_and(|r| r.revoked_at.is_some());

    let secret = value()?;
    let result = store.set(&credential.store_entry(), &secret, credential.label());
    record(
        audit,
        "store.write",
        credential.name.clone(),
        Some("rotate"),
        &result,
    )
    .map_err(WorkflowError::from)?;
    result.map_err(WorkflowError::from)?;
    drop(secret);

    let now = now.to_string();
    let first_seen = state
        .credentials
        .get(&credential.name)
        .map_or_else(|| now.clone(), |r| r.first_seen.clone());
    let mut record = CredentialRecord::set_now(&now, expires.map(|d| d.to_string()));
    record.first_seen = first_seen;
    state.credentials.insert(credential.name.clone(), record);
    state.save(state_dir).map_err(WorkflowError::from)?;
    Ok(Rotated { was_revoked })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::MemoryStore;
    use crate::workflow::tests::{audit, records};

    const NOW: &str = "2026-12-05T12:00:00Z";

    /// Rotates `GITHUB_TOKEN` (declared with nothing else) in `dir`, at
    /// [`NOW`], to the value `value` gives.
    fn rotate_in(
        dir: &Path,
        store: &MemoryStore,
        value: impl FnOnce() -> Result<Secret, WorkflowError>,
        expires: Option<Date>,
    ) -> Result<Rotated, WorkflowError> {
        let manifest =
            crate::manifest::parse("mcpctl.kdl", "mcpctl version=1\ncredential GITHUB_TOKEN\n")
                .unwrap();
        let credential = &manifest.credentials["GITHUB_TOKEN"];
        let log = audit(dir, "rotate");
        rotate(
            store,
            dir,
            &log,
            credential,
            value,
            expires,
            NOW.parse().unwrap(),
        )
    }

    fn new_value() -> Result<Secret, WorkflowError> {
        Ok(Secret::new("new-value".to_owned()))
    }

    fn trail(dir: &Path) -> Vec<String> {
        records(&audit(dir, "rotate"))
    }

    #[test]
    fn a_missing_credential_is_stored_recorded_and_audited() {
        let dir = tempfile::tempdir().unwrap();
        let store = MemoryStore::default();
        let day: Date = "2027-01-31".parse().unwrap();

        let rotated = rotate_in(dir.path(), &store, new_value, Some(day)).unwrap();

        assert_eq!(rotated, Rotated { was_revoked: false });
        assert_eq!(store.value("GITHUB_TOKEN").as_deref(), Some("new-value"));
        let record = &State::load(dir.path()).unwrap().credentials["GITHUB_TOKEN"];
        assert_eq!(
            record,
            &CredentialRecord::set_now(NOW, Some("2027-01-31".to_owned()))
        );
        assert_eq!(trail(dir.path()), ["store.write GITHUB_TOKEN rotate ok"]);
    }

    #[test]
    fn a_revoked_credential_keeps_its_first_sight_and_loses_the_revocation() {
        let dir = tempfile::tempdir().unwrap();
        let mut state = State::default();
        state.credentials.insert(
            "GITHUB_TOKEN".to_owned(),
            CredentialRecord {
                set_at: None,
                first_seen: "2025-01-01T00:00:00Z".to_owned(),
                expires: Some("2025-06-01".to_owned()),
                revoked_at: Some("2026-01-01T00:00:00Z".to_owned()),
            },
        );
        state.save(dir.path()).unwrap();
        let store = MemoryStore::with(&[("GITHUB_TOKEN", "old-value")]);

        let rotated = rotate_in(dir.path(), &store, new_value, None).unwrap();

        assert!(rotated.was_revoked);
        assert_eq!(store.value("GITHUB_TOKEN").as_deref(), Some("new-value"));
        let record = &State::load(dir.path()).unwrap().credentials["GITHUB_TOKEN"];
        assert_eq!(record.first_seen, "2025-01-01T00:00:00Z");
        assert_eq!(record.set_at.as_deref(), Some(NOW));
        assert_eq!(record.expires, None);
        assert_eq!(record.revoked_at, None);
    }

    #[test]
    fn a_store_error_is_audited_as_failed_and_leaves_the_state_alone() {
        let dir = tempfile::tempdir().unwrap();

        let err = rotate_in(dir.path(), &MemoryStore::failing(), new_value, None).unwrap_err();

        assert!(matches!(err, WorkflowError::Store(_)), "{err:?}");
        assert_eq!(
            trail(dir.path()),
            ["store.write GITHUB_TOKEN rotate failed"]
        );
        assert!(State::load(dir.path()).unwrap().credentials.is_empty());
    }

    #[test]
    fn no_value_changes_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let store = MemoryStore::with(&[("GITHUB_TOKEN", "old-value")]);
        let no_value = || Err(WorkflowError::Io(std::io::Error::other("no value")));

        let err = rotate_in(dir.path(), &store, no_value, None).unwrap_err();

        assert!(matches!(err, WorkflowError::Io(_)), "{err:?}");
        assert_eq!(store.value("GITHUB_TOKEN").as_deref(), Some("old-value"));
        assert!(trail(dir.path()).is_empty());
        assert!(State::load(dir.path()).unwrap().credentials.is_empty());
    }
}
