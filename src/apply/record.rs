//! What a command records of itself in the state once its plan is carried
//! out, in the same write as apply's last: `apply` records the apply (for
//! `status` and `rollback`) and the audit settings it installs (for `exec`,
//! which has no manifest); `destroy` forgets both. The state file is
//! written by apply alone, so no command loads and saves it again after.
//!
//! After that write, an apply that changed the audit settings says so in
//! the audit trail, and records past the retention every applied manifest
//! allows are pruned.

use std::path::{Path, PathBuf};

use super::ApplyError;
use crate::audit::{AuditLog, Event, Outcome, Settings, prune, retention};
use crate::manifest::Period;
use crate::plan::{AuditChange, AuditShown, Plan};
use crate::state::{ApplyRecord, State, StateError};

/// What the command records besides entry ownership and exports.
#[derive(Debug, Clone)]
pub enum Record {
    /// Nothing (`revoke`, `import`).
    Nothing,
    /// `mcpctl apply`: the apply of `manifest` (whose bytes have
    /// `manifest_digest`) with the audit `settings` it installs.
    Apply {
        manifest: PathBuf,
        manifest_digest: String,
        settings: Settings,
    },
    /// `mcpctl destroy`: `manifest` is no longer applied.
    Destroy { manifest: PathBuf },
}

/// The audit settings an apply of `plan` installs for `manifest`: the
/// manifest's (`wanted`) when the plan — as confirmed — changes them, else
/// those applied before (the defaults if none were).
pub fn installed_settings(
    plan: &Plan,
    state_dir: &Path,
    manifest: &Path,
    wanted: Settings,
) -> Result<Settings, StateError> {
    let applied = State::audit_settings(state_dir)?.remove(manifest);
    Ok(Settings {
        policy: match (&plan.audit, applied) {
            (Some(_), _) => wanted.policy,
            (None, Some(applied)) => applied.policy,
            (None, None) => Default::default(),
        },
        declared: wanted.declared,
    })
}

/// Writes `record` into `state`; whether it changed anything to save.
pub(super) fn record(
    record: &Record,
    state: &mut State,
    audit: &AuditLog,
    backup: Option<PathBuf>,
    now: jiff::Timestamp,
) -> bool {
    match record {
        Record::Nothing => false,
        Record::Apply {
            manifest,
            manifest_digest,
            settings,
        } => {
            state.audit.insert(manifest.clone(), settings.clone());
            state.applies.insert(
                manifest.clone(),
                ApplyRecord {
                    at: now.to_string(),
                    manifest_digest: manifest_digest.clone(),
                    // Asked once per command: `git` takes about 10 ms to start.
                    git_commit: audit.actor().git_commit.clone(),
                    backup,
                },
            );
            true
        }
        Record::Destroy { manifest } => {
            state.applies.remove(manifest);
            state.audit.remove(manifest);
            true
        }
    }
}

/// After an apply's state is saved: the change of its audit settings in
/// the audit trail, then the pruning of records past the retention; how
/// many were pruned and the retention, when any were.
pub(super) fn after_apply(
    record: &Record,
    plan: &Plan,
    state: &State,
    audit: &AuditLog,
    now: jiff::Timestamp,
) -> Result<Option<(usize, Period)>, ApplyError> {
    let Record::Apply { manifest, .. } = record else {
        return Ok(None);
    };
    let failed = |source| ApplyError::Audit {
        path: audit.path().to_path_buf(),
        source,
    };
    if let Some(change) = &plan.audit {
        audit
            .append(&settings_event(manifest, change))
            .map_err(failed)?;
    }
    let applied = state
        .applies
        .keys()
        .chain(state.entries.iter().map(|e| &e.manifest))
        .map(PathBuf::as_path);
    let Some(retain) = retention(&state.audit, applied) else {
        return Ok(None);
    };
    let removed = prune(audit, retain, now).map_err(failed)?;
    Ok((removed > 0).then_some((removed, retain)))
}

fn settings_event(manifest: &Path, change: &AuditChange) -> Event {
    let shown = |v: &Option<AuditShown>| {
        v.as_ref().map_or_else(
            || "the defaults".to_owned(),
            |v| serde_json::to_string(v).expect("settings serialize"),
        )
    };
    Event {
        action: "audit.settings",
        target: manifest.display().to_string(),
        server: None,
        detail: Some(format!(
            "{} → {}",
            shown(&change.before),
            shown(&change.after)
        )),
        outcome: Outcome::Ok,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::manifest::AuditPolicy;
    use crate::store::MemoryStore;
    use crate::workflow::tests::{NOW, Sandbox};

    fn store() -> MemoryStore {
        MemoryStore::with(&[("GITHUB_TOKEN", "ghp-1"), ("OTHER_TOKEN", "o-1")])
    }

    fn applied(sandbox: &Sandbox) -> Record {
        Record::Apply {
            manifest: sandbox.loaded.path.clone(),
            manifest_digest: sandbox.loaded.digest.clone(),
            settings: Settings {
                policy: AuditPolicy::default(),
                declared: Default::default(),
            },
        }
    }

    #[test]
    fn an_apply_is_recorded_with_its_backup_and_settings() {
        let sandbox = Sandbox::new();
        let report = sandbox.apply_recording(&store(), applied(&sandbox));

        let state = sandbox.state();
        let record = &state.applies[&sandbox.loaded.path];
        assert_eq!(record.manifest_digest, sandbox.loaded.digest);
        assert_eq!(record.backup, report.backup);
        assert!(record.backup.is_some());
        assert!(state.audit.contains_key(&sandbox.loaded.path));
        // Ownership is recorded in the same state.
        assert_eq!(state.entries.len(), 2);
    }

    /// apply reads no clock: the command's time reaches the state, the
    /// backup's name and the audit records.
    #[test]
    fn the_commands_time_is_what_apply_writes() {
        let sandbox = Sandbox::new();
        let report = sandbox.apply_recording(&store(), applied(&sandbox));

        let state = sandbox.state();
        assert_eq!(state.applies[&sandbox.loaded.path].at, NOW);
        assert_eq!(state.credentials["GITHUB_TOKEN"].first_seen, NOW);
        let backup = report.backup.expect("a file was replaced");
        assert_eq!(
            backup.file_name().unwrap().to_str(),
            Some("20261205T123456.789000Z")
        );
        let trail = std::fs::read_to_string(sandbox.state_dir.join(AuditLog::FILE)).unwrap();
        let times: Vec<String> = trail
            .lines()
            .map(|line| {
                serde_json::from_str::<serde_json::Value>(line).unwrap()["time"].to_string()
            })
            .collect();
        assert!(!times.is_empty());
        assert!(
            times.iter().all(|t| *t == format!("\"{NOW}\"")),
            "{times:?}"
        );
    }

    #[test]
    fn a_destroy_record_forgets_the_apply_and_its_settings() {
        let sandbox = Sandbox::new();
        sandbox.apply_recording(&store(), applied(&sandbox));
        let destroy = Record::Destroy {
            manifest: sandbox.loaded.path.clone(),
        };
        sandbox.apply_recording(&store(), destroy);

        let state = sandbox.state();
        assert!(state.applies.is_empty());
        assert!(state.audit.is_empty());
    }

    #[test]
    fn nothing_recorded_leaves_applies_alone() {
        let sandbox = Sandbox::new();
        sandbox.apply_recording(&store(), Record::Nothing);
        let state = sandbox.state();
        assert!(state.applies.is_empty());
        assert_eq!(state.entries.len(), 2);
    }
}
