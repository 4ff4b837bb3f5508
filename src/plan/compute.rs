//! The reconciliation rules, as one pure function.
//!
//! For every entry name in a client file:
//!
//! | observed entry | mcpctl owns it | manifest wants it | action |
//! |---|---|---|---|
//! | absent | – | yes | create |
//! | equal | yes | yes | no-op |
//! | equal | no | yes | adopt (state only) |
//! | different | yes | yes | update |
//! | different | no | yes | conflict, or adopt with `--adopt` |
//! | present | yes | no | delete |
//! | absent | yes | no | forget (state only) |
//!
//! Entries nobody asked for and mcpctl does not own are never touched.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use super::redact::{redact_beside, redact_url};
use super::{
    AuditAction, AuditChange, AuditShown, CredentialAction, CredentialChange, Declared, Desired,
    EntryAction, EntryChange, ExportAction, ExportChange, FileChange, Holder, PLAN_VERSION, Plan,
    ProfileAction, ProfileChange, Reason, rotation,
};
use crate::manifest::{AuditPolicy, Source};
use crate::observe::{Observed, ObservedFile, Presence};
use crate::state::{OwnedEntry, entry_digest};

/// Choices the user makes for a plan.
#[derive(Debug, Clone, Copy, Default)]
pub struct Options {
    /// Take over entries of the same name that mcpctl did not write.
    pub adopt: bool,
}

pub fn compute(desired: &Desired, observed: &Observed, options: Options) -> Plan {
    let mut files = Vec::new();
    for file in &observed.files {
        let wanted = desired
            .files
            .iter()
            .find(|d| d.file.path == file.file.path && d.file.table == file.file.table);
        let (no_entries, no_reasons) = (BTreeMap::new(), BTreeMap::new());
        files.push(FileChange {
            client: file.file.client,
            scope: file.file.scope,
            path: file.file.path.clone(),
            table: file.file.table.clone(),
            entries: entry_changes(
                desired,
                observed,
                file,
                wanted.map_or(&no_entries, |d| &d.entries),
                wanted.map_or(&no_reasons, |d| &d.reasons),
                options,
            ),
        });
    }
    files.retain(|file| !file.entries.is_empty());
    let profiles = profile_changes(desired, observed);
    let links = observed
        .links
        .iter()
        .filter(|(nominal, _)| {
            files.iter().any(|f| &f.path == *nominal)
                || profiles.iter().any(|p| &p.file == *nominal)
        })
        .map(|(nominal, resolved)| (nominal.clone(), resolved.clone()))
        .collect();
    Plan {
        version: PLAN_VERSION,
        manifest: desired.manifest.clone(),
        credentials: credential_changes(desired, observed),
        files,
        profiles,
        exports: export_changes(desired, observed),
        audit: audit_change(desired, observed),
        links,
    }
}

/// Each credential the manifest declares, against the store.
fn credential_changes(desired: &Desired, observed: &Observed) -> Vec<CredentialChange> {
    let mut changes = Vec::new();
    for credential in &desired.credentials {
        let presence = observed
            .credentials
            .get(&credential.name)
            .cloned()
            .unwrap_or(Presence::Missing);
        let present = presence == Presence::Present;
        let revoked = revoked_at(observed, &credential.name);
        let (action, reasons) = match presence {
            _ if let Some(when) = revoked => (
                CredentialAction::Blocked,
                vec![Reason::Revoked {
                    credential: credential.name.clone(),
                    on: when.get(..10).unwrap_or(when).to_owned(),
                }],
            ),
            Presence::Present => (CredentialAction::NoOp, Vec::new()),
            Presence::Missing => (CredentialAction::Create, vec![Reason::NotInStore]),
            Presence::Unavailable { summary, detail } => (
                CredentialAction::Unavailable,
                vec![Reason::StoreUnavailable { summary, detail }],
            ),
            Presence::FromEnvironment { variable, set } => (
                CredentialAction::NoOp,
                vec![Reason::FromEnvironment { variable, set }],
            ),
            Presence::FromCommand { argv } => {
                (CredentialAction::NoOp, vec![Reason::FromCommand { argv }])
            }
        };
        let holder = match &credential.source {
            Source::Store => Holder::Store {
                name: observed.store_name.clone(),
            },
            Source::Env { .. } => Holder::Environment,
            Source::Command { .. } => Holder::SecretManager,
        };
        changes.push(CredentialChange {
            name: credential.name.clone(),
            holder,
            action,
            declared: Declared::of(credential),
            reasons,
            rotation: present.then(|| {
                rotation(
                    credential,
                    observed.state.credentials.get(&credential.name),
                    desired.warn_before,
                    observed.now,
                )
            }),
        });
    }
    changes
}

/// mcpctl's block in each shell profile, against the block there.
fn profile_changes(desired: &Desired, observed: &Observed) -> Vec<ProfileChange> {
    let mut changes = Vec::new();
    for profile in &observed.profiles {
        let wanted = desired
            .blocks
            .iter()
            .find(|b| b.file == profile.file)
            .map(|b| &b.block);
        let action = match (wanted, &profile.block) {
            (Some(_), None) => ProfileAction::Create,
            (Some(want), Some(have)) if want == have => ProfileAction::NoOp,
            (Some(_), Some(_)) => ProfileAction::Update,
            (None, Some(_)) => ProfileAction::Delete,
            (None, None) => continue,
        };
        let reasons = match action {
            ProfileAction::Delete => vec![Reason::ProfileNoLongerWanted],
            _ => Vec::new(),
        };
        changes.push(ProfileChange {
            shell: profile.shell,
            file: profile.file.clone(),
            action,
            // A block edited by hand may hold a secret: shown redacted.
            before: profile.block.as_deref().map(crate::scan::text::redact),
            after: wanted.cloned(),
            before_digest: profile.block.as_ref().map(|b| block_digest(b)),
            reasons,
        });
    }
    changes
}

/// The digest of a shell block, as apply compares it.
pub fn block_digest(block: &str) -> String {
    entry_digest(&Value::String(block.to_owned()))
}

/// The exports of `mcpctl env` as the manifest asks for them, against the
/// set its last apply recorded.
fn export_changes(desired: &Desired, observed: &Observed) -> Vec<ExportChange> {
    let none = BTreeMap::new();
    let applied = observed
        .state
        .exports
        .get(&desired.manifest)
        .unwrap_or(&none);
    let names: BTreeSet<&String> = desired.exports.keys().chain(applied.keys()).collect();
    let mut changes = Vec::new();
    for name in names {
        let (want, have) = (desired.exports.get(name), applied.get(name));
        let (action, reasons) = match (want, have) {
            (Some(want), Some(have)) if want == have => (ExportAction::NoOp, Vec::new()),
            (Some(_), Some(_)) => (ExportAction::Update, vec![Reason::ExportSourceChanged]),
            (Some(_), None) => (ExportAction::Create, Vec::new()),
            (None, _) => (ExportAction::Delete, vec![Reason::ExportNoLongerReferenced]),
        };
        changes.push(ExportChange {
            variable: name.clone(),
            action,
            before: have.cloned(),
            after: want.cloned(),
            reasons,
        });
    }
    changes
}

/// The change of this manifest's audit settings: those it asks for
/// against those its last apply installed (none: the defaults — keep
/// everything, forward nothing, no rate alert).
fn audit_change(desired: &Desired, observed: &Observed) -> Option<AuditChange> {
    let default = AuditPolicy::default();
    let applied = observed
        .state
        .audit
        .get(&desired.manifest)
        .map_or(&default, |s| &s.policy);
    let wanted = &desired.audit;
    let action = match (*applied == default, *wanted == default) {
        _ if applied == wanted => return None,
        (true, _) => AuditAction::Create,
        (false, true) => AuditAction::Delete,
        (false, false) => AuditAction::Update,
    };
    let shown = |policy: &AuditPolicy| (*policy != default).then(|| audit_shown(policy));
    let mut reasons = Vec::new();
    if applied.webhook != wanted.webhook
        && let Some(url) = &wanted.webhook
    {
        reasons.push(Reason::Forwarding {
            url: redact_url(url),
            alerts_only: wanted.webhook_alerts_only,
        });
    }
    if applied.retain != wanted.retain
        && let Some(retain) = wanted.retain
    {
        reasons.push(Reason::Retention { days: retain.days });
    }
    Some(AuditChange {
        action,
        before: shown(applied),
        after: shown(wanted),
        reasons,
    })
}

/// The settings as the plan shows them: the manifest's words, the webhook
/// redacted.
fn audit_shown(policy: &AuditPolicy) -> AuditShown {
    AuditShown {
        retain: policy.retain.map(|retain| retain.to_string()),
        syslog: policy.syslog,
        webhook: policy.webhook.as_deref().map(redact_url),
        alerts_only: policy.webhook.is_some() && policy.webhook_alerts_only,
        alert_reads_per_hour: policy.alert_reads_per_hour,
    }
}

/// The entries of one table of a client file, against the manifest's.
fn entry_changes(
    desired: &Desired,
    observed: &Observed,
    file: &ObservedFile,
    wanted: &BTreeMap<String, Value>,
    wanted_reasons: &BTreeMap<String, Vec<Reason>>,
    options: Options,
) -> Vec<EntryChange> {
    let path = &file.file.path;
    let table = &file.file.table;
    // The ownership records of this table, indexed once: looking each name
    // up in the whole state made plans quadratic in the number of servers.
    let mut records: BTreeMap<&str, &OwnedEntry> = BTreeMap::new();
    for record in &observed.state.entries {
        if &record.file == path && &record.table == table {
            records.entry(record.server.as_str()).or_insert(record);
        }
    }
    let owned_here: BTreeSet<&str> = records
        .iter()
        .filter(|(_, e)| e.manifest == desired.manifest)
        .map(|(name, _)| *name)
        .collect();
    let names: BTreeSet<&str> = wanted
        .keys()
        .chain(wanted_reasons.keys())
        .map(String::as_str)
        .chain(owned_here.iter().copied())
        .collect();

    let mut changes = Vec::new();
    for name in names {
        let current = file.entries.get(name);
        let record = records.get(name).copied();
        let owned_by_us = record.is_some_and(|r| r.manifest == desired.manifest);
        let mut reasons = wanted_reasons.get(name).cloned().unwrap_or_default();
        let skipped = !wanted.contains_key(name) && wanted_reasons.contains_key(name);
        let blocked_by = blocked_by(desired, observed, name).filter(|_| wanted.contains_key(name));
        if let Some(credential) = blocked_by {
            reasons.push(Reason::BlockedByRevoked {
                credential: credential.to_owned(),
            });
        }
        let action = match (wanted.get(name), current) {
            (Some(_), Some(_)) if blocked_by.is_some() && owned_by_us => EntryAction::Delete,
            (Some(_), _) if blocked_by.is_some() => EntryAction::Blocked,
            // The client cannot have this server, and nothing of ours is there.
            (None, _) if skipped && !(owned_by_us && current.is_some()) => EntryAction::Skip,
            (Some(_), None) => EntryAction::Create,
            (Some(want), Some(have)) if want == have => {
                if owned_by_us {
                    EntryAction::NoOp
                } else {
                    reasons.push(Reason::IdenticalEntry);
                    EntryAction::Adopt
                }
            }
            (Some(_), Some(have)) if owned_by_us => {
                if record.is_some_and(|r| r.digest != entry_digest(have)) {
                    reasons.push(Reason::ChangedOutsideMcpctl);
                }
                EntryAction::Update
            }
            (Some(_), Some(_)) => {
                if let Some(other) = record {
                    reasons.push(Reason::OwnedByOtherManifest {
                        manifest: other.manifest.clone(),
                    });
                    EntryAction::Conflict
                } else if options.adopt {
                    reasons.push(Reason::ForeignReplaced);
                    EntryAction::Adopt
                } else {
                    reasons.push(Reason::ForeignLeftAlone);
                    EntryAction::Conflict
                }
            }
            (None, Some(_)) => {
                reasons.push(Reason::NoLongerInManifest);
                EntryAction::Delete
            }
            (None, None) => EntryAction::Forget,
        };
        // A conflict shows what the manifest would write, for comparison.
        let after = match action {
            EntryAction::Delete
            | EntryAction::Forget
            | EntryAction::Blocked
            | EntryAction::Skip => None,
            _ => wanted.get(name).cloned(),
        };
        changes.push(EntryChange {
            server: name.to_owned(),
            action,
            before: current.map(|v| redact_beside(v, owned_by_us, after.as_ref())),
            after,
            before_digest: current.map(entry_digest),
            reasons,
        });
    }
    changes
}

/// When `credential` was revoked, if it is.
fn revoked_at<'o>(observed: &'o Observed, credential: &str) -> Option<&'o str> {
    observed
        .state
        .credentials
        .get(credential)
        .and_then(|r| r.revoked_at.as_deref())
}

/// The first revoked credential that `server` needs.
fn blocked_by<'d>(desired: &'d Desired, observed: &Observed, server: &str) -> Option<&'d str> {
    desired
        .server_credentials
        .get(server)?
        .iter()
        .map(String::as_str)
        .find(|c| revoked_at(observed, c).is_some())
}

#[cfg(test)]
pub(super) mod tests;
