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

use super::redact::{redact, redact_url};
use super::{
    Action, Change, Desired, Observed, ObservedFile, PLAN_VERSION, Plan, Presence, Target, rotation,
};
use crate::manifest::{AuditPolicy, Source};
use crate::state::{OwnedEntry, entry_digest};

/// Choices the user makes for a plan.
#[derive(Debug, Clone, Copy, Default)]
pub struct Options {
    /// Take over entries of the same name that mcpctl did not write.
    pub adopt: bool,
}

pub fn compute(desired: &Desired, observed: &Observed, options: Options) -> Plan {
    let mut changes = Vec::new();
    for credential in &desired.credentials {
        let presence = observed
            .credentials
            .get(&credential.name)
            .cloned()
            .unwrap_or(Presence::Missing);
        let present = presence == Presence::Present;
        let revoked = revoked_at(observed, &credential.name);
        let (action, notes) = match presence {
            _ if let Some(when) = revoked => (
                Action::Blocked,
                vec![format!(
                    "revoked on {}; `mcpctl rotate {}` supplies a new value",
                    when.get(..10).unwrap_or(when),
                    credential.name
                )],
            ),
            Presence::Present => (Action::NoOp, Vec::new()),
            Presence::Missing => (
                Action::Create,
                vec!["not in the store: apply asks for the value".to_owned()],
            ),
            Presence::Unavailable(reason, why) => (Action::Unavailable, vec![reason, why]),
            Presence::External(note) => (Action::NoOp, vec![note]),
        };
        let store = match &credential.source {
            Source::Store => observed.store_name.clone(),
            Source::Env { .. } => "environment".to_owned(),
            Source::Command { .. } => "secret manager".to_owned(),
        };
        changes.push(Change {
            target: Target::Credential {
                name: credential.name.clone(),
                store,
            },
            action,
            before: None,
            after: None,
            before_digest: None,
            notes,
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
    for file in &observed.files {
        let wanted = desired
            .files
            .iter()
            .find(|d| d.file.path == file.file.path && d.file.table == file.file.table);
        let (no_entries, no_notes) = (BTreeMap::new(), BTreeMap::new());
        changes.extend(file_changes(
            desired,
            observed,
            file,
            wanted.map_or(&no_entries, |d| &d.entries),
            wanted.map_or(&no_notes, |d| &d.notes),
            options,
        ));
    }
    for profile in &observed.profiles {
        let wanted = desired
            .blocks
            .iter()
            .find(|b| b.file == profile.file)
            .map(|b| &b.block);
        let action = match (wanted, &profile.block) {
            (Some(_), None) => Action::Create,
            (Some(want), Some(have)) if want == have => Action::NoOp,
            (Some(_), Some(_)) => Action::Update,
            (None, Some(_)) => Action::Delete,
            (None, None) => continue,
        };
        let notes = match action {
            Action::Delete => vec!["the manifest no longer asks for this shell profile".to_owned()],
            _ => Vec::new(),
        };
        let text = |t: &String| Value::String(t.clone());
        changes.push(Change {
            target: Target::ShellProfile {
                shell: profile.shell,
                file: profile.file.clone(),
            },
            action,
            // A block edited by hand may hold a secret: shown redacted.
            before: profile
                .block
                .as_ref()
                .map(|b| Value::String(crate::scan::text::redact(b))),
            after: wanted.map(text),
            before_digest: profile.block.as_ref().map(|b| entry_digest(&text(b))),
            notes,
            rotation: None,
        });
    }
    changes.extend(export_changes(desired, observed));
    changes.extend(audit_change(desired, observed));
    let links = observed
        .links
        .iter()
        .filter(|(nominal, _)| {
            changes.iter().any(|c| match &c.target {
                Target::Entry { file, .. } | Target::ShellProfile { file, .. } => file == *nominal,
                Target::Credential { .. }
                | Target::EnvExport { .. }
                | Target::AuditSettings { .. } => false,
            })
        })
        .map(|(nominal, resolved)| (nominal.clone(), resolved.clone()))
        .collect();
    Plan {
        version: PLAN_VERSION,
        manifest: desired.manifest.clone(),
        changes,
        links,
    }
}

/// The exports of `mcpctl env` as the manifest asks for them, against the
/// set its last apply recorded.
fn export_changes(desired: &Desired, observed: &Observed) -> Vec<Change> {
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
        let (action, notes) = match (want, have) {
            (Some(want), Some(have)) if want == have => (Action::NoOp, Vec::new()),
            (Some(_), Some(_)) => (
                Action::Update,
                vec!["its value will be read from a different source".to_owned()],
            ),
            (Some(_), None) => (Action::Create, Vec::new()),
            (None, _) => (
                Action::Delete,
                vec!["no env-ref client of the manifest references it any more".to_owned()],
            ),
        };
        let text = |t: &String| Value::String(t.clone());
        changes.push(Change {
            target: Target::EnvExport {
                variable: name.clone(),
            },
            action,
            before: have.map(text),
            after: want.map(text),
            before_digest: None,
            notes,
            rotation: None,
        });
    }
    changes
}

/// The change of this manifest's audit settings: those it asks for
/// against those its last apply installed (none: the defaults — keep
/// everything, forward nothing, no rate alert).
fn audit_change(desired: &Desired, observed: &Observed) -> Option<Change> {
    let default = AuditPolicy::default();
    let applied = observed
        .state
        .audit
        .get(&desired.manifest)
        .map_or(&default, |s| &s.policy);
    let wanted = &desired.audit;
    let action = match (*applied == default, *wanted == default) {
        _ if applied == wanted => return None,
        (true, _) => Action::Create,
        (false, true) => Action::Delete,
        (false, false) => Action::Update,
    };
    let shown = |policy: &AuditPolicy| (*policy != default).then(|| audit_value(policy));
    let mut notes = Vec::new();
    if applied.webhook != wanted.webhook
        && let Some(url) = &wanted.webhook
    {
        notes.push(format!(
            "exec will send {} of this manifest's servers to {}",
            if wanted.webhook_alerts_only {
                "the alerts about launches"
            } else {
                "a record of every launch"
            },
            redact_url(url)
        ));
    }
    if applied.retain != wanted.retain
        && let Some(retain) = wanted.retain
    {
        notes.push(format!(
            "records older than {retain} will be deleted from the audit trail, unless another applied manifest keeps them longer"
        ));
    }
    Some(Change {
        target: Target::AuditSettings {
            manifest: desired.manifest.clone(),
        },
        action,
        before: shown(applied),
        after: shown(wanted),
        before_digest: None,
        notes,
        rotation: None,
    })
}

/// The settings as the plan shows them: the manifest's words, the webhook
/// redacted.
fn audit_value(policy: &AuditPolicy) -> Value {
    let mut shown = serde_json::Map::new();
    if let Some(retain) = policy.retain {
        shown.insert("retain".into(), retain.to_string().into());
    }
    if policy.syslog {
        shown.insert("syslog".into(), true.into());
    }
    if let Some(url) = &policy.webhook {
        shown.insert("webhook".into(), redact_url(url).into());
        if policy.webhook_alerts_only {
            shown.insert("alerts-only".into(), true.into());
        }
    }
    if let Some(limit) = policy.alert_reads_per_hour {
        shown.insert("alert-reads-per-hour".into(), limit.into());
    }
    Value::Object(shown)
}

fn file_changes(
    desired: &Desired,
    observed: &Observed,
    file: &ObservedFile,
    wanted: &BTreeMap<String, Value>,
    wanted_notes: &BTreeMap<String, Vec<String>>,
    options: Options,
) -> Vec<Change> {
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
        .chain(wanted_notes.keys())
        .map(String::as_str)
        .chain(owned_here.iter().copied())
        .collect();

    let mut changes = Vec::new();
    for name in names {
        let current = file.entries.get(name);
        let record = records.get(name).copied();
        let owned_by_us = record.is_some_and(|r| r.manifest == desired.manifest);
        let mut notes = wanted_notes.get(name).cloned().unwrap_or_default();
        let skipped = !wanted.contains_key(name) && wanted_notes.contains_key(name);
        let blocked_by = blocked_by(desired, observed, name).filter(|_| wanted.contains_key(name));
        if let Some(credential) = blocked_by {
            notes.push(format!(
                "blocked: credential `{credential}` was revoked (hint: `mcpctl rotate {credential}`, then `mcpctl apply`)"
            ));
        }
        let action = match (wanted.get(name), current) {
            (Some(_), Some(_)) if blocked_by.is_some() && owned_by_us => Action::Delete,
            (Some(_), _) if blocked_by.is_some() => Action::Blocked,
            // The client cannot have this server, and nothing of ours is there.
            (None, _) if skipped && !(owned_by_us && current.is_some()) => Action::Skip,
            (Some(_), None) => Action::Create,
            (Some(want), Some(have)) if want == have => {
                if owned_by_us {
                    Action::NoOp
                } else {
                    notes.push(
                        "an identical entry is already there; mcpctl takes ownership of it"
                            .to_owned(),
                    );
                    Action::Adopt
                }
            }
            (Some(_), Some(have)) if owned_by_us => {
                if record.is_some_and(|r| r.digest != entry_digest(have)) {
                    notes.push(
                        "changed outside mcpctl since the last apply; apply replaces that change"
                            .to_owned(),
                    );
                }
                Action::Update
            }
            (Some(_), Some(_)) => {
                if let Some(other) = record {
                    notes.push(format!(
                        "owned by another manifest, `{}`",
                        other.manifest.display()
                    ));
                    Action::Conflict
                } else if options.adopt {
                    notes.push("written by someone else; --adopt replaces it".to_owned());
                    Action::Adopt
                } else {
                    notes.push(
                        "an entry of this name was not written by mcpctl; it is left alone \
                         (hint: `mcpctl apply --adopt` replaces it with the manifest's)"
                            .to_owned(),
                    );
                    Action::Conflict
                }
            }
            (None, Some(_)) => {
                notes.push("no longer in the manifest".to_owned());
                Action::Delete
            }
            (None, None) => Action::Forget,
        };
        // A conflict shows what the manifest would write, for comparison.
        let after = match action {
            Action::Delete | Action::Forget | Action::Blocked | Action::Skip => None,
            _ => wanted.get(name).cloned(),
        };
        changes.push(Change {
            target: Target::Entry {
                client: file.file.client,
                scope: file.file.scope,
                file: path.clone(),
                table: table.clone(),
                server: name.to_owned(),
            },
            action,
            before: current.map(|v| redact(v, owned_by_us)),
            after,
            before_digest: current.map(entry_digest),
            notes,
            rotation: None,
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
pub(super) mod tests {
    use super::*;
    use crate::client::ClientFile;
    use crate::document::Format;
    use crate::manifest::{ClientId, Scope};
    use crate::plan::DesiredFile;
    use crate::state::{OwnedEntry, State};
    use serde_json::json;
    use std::path::PathBuf;

    const MANIFEST: &str = "/repo/mcpctl.kdl";

    fn client_file() -> ClientFile {
        ClientFile {
            client: ClientId::ClaudeCode,
            scope: Scope::User,
            path: PathBuf::from("/home/a/.claude.json"),
            format: Format::Json,
            table: vec!["mcpServers".into()],
        }
    }

    pub fn desired(entries: &[(&str, Value)]) -> Desired {
        Desired {
            manifest: MANIFEST.into(),
            credentials: Vec::new(),
            warn_before: crate::manifest::DEFAULT_WARN_BEFORE,
            server_credentials: BTreeMap::new(),
            files: vec![DesiredFile {
                file: client_file(),
                entries: entries
                    .iter()
                    .map(|(k, v)| (k.to_string(), v.clone()))
                    .collect(),
                notes: BTreeMap::new(),
            }],
            blocks: Vec::new(),
            exports: BTreeMap::new(),
            audit: crate::manifest::AuditPolicy::default(),
        }
    }

    pub fn observed(entries: &[(&str, Value)], owned: &[(&str, &Value)]) -> Observed {
        let mut state = State::default();
        for (name, value) in owned {
            state.record_entry(OwnedEntry {
                client: ClientId::ClaudeCode,
                scope: Scope::User,
                file: client_file().path,
                table: client_file().table,
                server: name.to_string(),
                manifest: MANIFEST.into(),
                digest: entry_digest(value),
            });
        }
        Observed {
            store_name: "test store".into(),
            credentials: BTreeMap::new(),
            files: vec![ObservedFile {
                file: client_file(),
                entries: entries
                    .iter()
                    .map(|(k, v)| (k.to_string(), v.clone()))
                    .collect(),
            }],
            documents: Default::default(),
            profiles: Vec::new(),
            links: BTreeMap::new(),
            state,
            now: jiff::Timestamp::UNIX_EPOCH,
        }
    }

    pub fn actions(plan: &Plan) -> Vec<(String, Action)> {
        plan.changes
            .iter()
            .map(|c| match &c.target {
                Target::Entry { server, .. } => (server.clone(), c.action),
                Target::Credential { name, .. } => (name.clone(), c.action),
                Target::ShellProfile { file, .. } => (file.display().to_string(), c.action),
                Target::EnvExport { variable } => (format!("export {variable}"), c.action),
                Target::AuditSettings { .. } => ("audit".to_owned(), c.action),
            })
            .collect()
    }

    /// A store credential with nothing else declared.
    pub fn credential(name: &str) -> crate::manifest::Credential {
        crate::manifest::Credential {
            name: name.into(),
            kind: crate::manifest::CredentialKind::Other,
            provider: None,
            scopes: vec![],
            rotate_every: None,
            rotate_every_source: None,
            create_at: None,
            description: None,
            source: crate::manifest::Source::Store,
            namespace: None,
            classification: None,
        }
    }

    #[test]
    fn an_entry_another_manifest_owns_is_a_conflict_naming_it() {
        let a = json!({"command": "a"});
        let b = json!({"command": "b"});
        let want = desired(&[("github", a.clone())]);
        let mut have = observed(&[("github", b.clone())], &[]);
        have.state.record_entry(OwnedEntry {
            client: ClientId::ClaudeCode,
            scope: Scope::User,
            file: client_file().path,
            table: client_file().table,
            server: "github".into(),
            manifest: "/other-repo/mcpctl.kdl".into(),
            digest: entry_digest(&b),
        });
        // Even with --adopt: one manifest never takes another's entry.
        for adopt in [false, true] {
            let plan = compute(&want, &have, Options { adopt });
            assert_eq!(actions(&plan), [("github".to_owned(), Action::Conflict)]);
            assert_eq!(
                plan.changes[0].notes,
                ["owned by another manifest, `/other-repo/mcpctl.kdl`"]
            );
        }
    }

    #[test]
    fn shell_blocks_are_created_updated_kept_and_removed() {
        use crate::manifest::Shell;
        use crate::plan::{DesiredBlock, ObservedProfile};
        let mut want = desired(&[]);
        let mut have = observed(&[], &[]);
        for (file, wanted, present) in [
            ("/h/new", Some("B"), None),
            ("/h/same", Some("B"), Some("B")),
            ("/h/old", Some("B"), Some("A")),
            ("/h/dropped", None, Some("A")),
            ("/h/unrelated", None, None),
        ] {
            if let Some(block) = wanted {
                want.blocks.push(DesiredBlock {
                    shell: Shell::Zsh,
                    file: file.into(),
                    block: block.into(),
                });
            }
            have.profiles.push(ObservedProfile {
                shell: Shell::Zsh,
                file: file.into(),
                fingerprint: present.map(|_| "sha256:p".to_owned()),
                block: present.map(str::to_owned),
            });
        }
        let plan = compute(&want, &have, Options::default());
        let expected: Vec<(String, Action)> = [
            ("/h/new", Action::Create),
            ("/h/same", Action::NoOp),
            ("/h/old", Action::Update),
            ("/h/dropped", Action::Delete),
        ]
        .into_iter()
        .map(|(n, a)| (n.to_owned(), a))
        .collect();
        assert_eq!(actions(&plan), expected);
    }

    /// `mcpctl env` serves the recorded set, so every difference from it
    /// is a change the person sees: a new variable, a changed source (a
    /// `source command`'s argv), a dropped one. Another manifest's record
    /// is not this plan's business.
    #[test]
    fn exports_are_planned_against_what_the_last_apply_recorded() {
        let mut want = desired(&[]);
        let mut have = observed(&[], &[]);
        let text = |pairs: &[(&str, &str)]| -> BTreeMap<String, String> {
            pairs
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect()
        };
        want.exports = text(&[
            ("NEW", "NEW"),
            ("SAME", "SAME"),
            ("MOVED", r#"MOVED:command:30s:["evil"]"#),
        ]);
        have.state.exports.insert(
            MANIFEST.into(),
            text(&[
                ("SAME", "SAME"),
                ("MOVED", r#"MOVED:command:30s:["pass","show","x"]"#),
                ("GONE", "GONE"),
            ]),
        );
        have.state
            .exports
            .insert("/other/mcpctl.kdl".into(), text(&[("OTHER", "OTHER")]));
        let plan = compute(&want, &have, Options::default());
        let expected: Vec<(String, Action)> = [
            ("export GONE", Action::Delete),
            ("export MOVED", Action::Update),
            ("export NEW", Action::Create),
            ("export SAME", Action::NoOp),
        ]
        .into_iter()
        .map(|(n, a)| (n.to_owned(), a))
        .collect();
        assert_eq!(actions(&plan), expected);
        let moved = &plan.changes[1];
        assert_eq!(
            moved.after,
            Some(Value::String(r#"MOVED:command:30s:["evil"]"#.into()))
        );
        assert!(plan.has_changes());
    }

    #[test]
    fn a_hand_edited_shell_block_is_shown_redacted() {
        use crate::manifest::Shell;
        use crate::plan::{DesiredBlock, ObservedProfile};
        let token = format!("ghp_{}", crate::secret_patterns::test_random(4, 36));
        let mut want = desired(&[]);
        want.blocks.push(DesiredBlock {
            shell: Shell::Zsh,
            file: "/h/.zshrc".into(),
            block: "eval \"$(mcpctl env)\"\n".into(),
        });
        let mut have = observed(&[], &[]);
        have.profiles.push(ObservedProfile {
            shell: Shell::Zsh,
            file: "/h/.zshrc".into(),
            fingerprint: Some("sha256:p".to_owned()),
            block: Some(format!(
                "eval \"$(mcpctl env)\"\nexport GITHUB_TOKEN={token}\n"
            )),
        });
        let plan = compute(&want, &have, Options::default());
        let text = serde_json::to_string(&plan).unwrap();
        assert!(!text.contains(&token[4..]), "{text}");
        assert!(text.contains("GITHUB_TOKEN=ghp_… (40 chars)"), "{text}");
    }

    #[test]
    fn every_ownership_case() {
        let a = json!({"command": "a"});
        let b = json!({"command": "b"});
        let want = desired(&[
            ("new", a.clone()),
            ("same", a.clone()),
            ("drifted", a.clone()),
            ("foreign-same", a.clone()),
            ("foreign-other", a.clone()),
        ]);
        let have = observed(
            &[
                ("same", a.clone()),
                ("drifted", b.clone()),
                ("foreign-same", a.clone()),
                ("foreign-other", b.clone()),
                ("dropped", a.clone()),
                ("unrelated", b.clone()),
            ],
            &[("same", &a), ("drifted", &a), ("dropped", &a), ("gone", &a)],
        );
        let plan = compute(&want, &have, Options::default());
        let expected: Vec<(String, Action)> = [
            ("drifted", Action::Update),
            ("dropped", Action::Delete),
            ("foreign-other", Action::Conflict),
            ("foreign-same", Action::Adopt),
            ("gone", Action::Forget),
            ("new", Action::Create),
            ("same", Action::NoOp),
        ]
        .into_iter()
        .map(|(n, a)| (n.to_owned(), a))
        .collect();
        assert_eq!(actions(&plan), expected);
        let summary = plan.summary();
        assert_eq!(
            (
                summary.add,
                summary.change,
                summary.destroy,
                summary.conflicts
            ),
            (1, 1, 1, 1)
        );

        let adopting = compute(&want, &have, Options { adopt: true });
        let foreign = adopting
            .changes
            .iter()
            .find(
                |c| matches!(&c.target, Target::Entry { server, .. } if server == "foreign-other"),
            )
            .unwrap();
        assert_eq!(foreign.action, Action::Adopt);
        assert!(foreign.writes());
    }

    #[test]
    fn nothing_to_do_when_everything_matches() {
        let a = json!({"command": "a"});
        let plan = compute(
            &desired(&[("x", a.clone())]),
            &observed(&[("x", a.clone())], &[("x", &a)]),
            Options::default(),
        );
        assert!(!plan.has_changes());
    }

    #[test]
    fn a_server_the_client_cannot_have_is_skipped_with_its_reason() {
        let a = json!({"command": "a"});
        let mut want = desired(&[]);
        want.files[0]
            .notes
            .insert("remote".into(), vec!["reads no remote servers".into()]);
        let plan = compute(&want, &observed(&[], &[]), Options::default());
        assert_eq!(actions(&plan), [("remote".to_owned(), Action::Skip)]);
        assert_eq!(plan.changes[0].notes, ["reads no remote servers"]);
        assert!(!plan.has_changes());
        // An entry mcpctl wrote before is deleted once it cannot stay.
        let owned = compute(
            &want,
            &observed(&[("remote", a.clone())], &[("remote", &a)]),
            Options::default(),
        );
        assert_eq!(actions(&owned), [("remote".to_owned(), Action::Delete)]);
    }

    #[test]
    fn audit_settings_are_a_change_until_applied_for_this_manifest() {
        let mut wanted = desired(&[]);
        wanted.audit = crate::manifest::AuditPolicy {
            retain: Some(crate::manifest::Period { days: 1 }),
            webhook: Some("http://ada:pw@hooks.example.com/a?token=t".to_owned()),
            ..Default::default()
        };
        let mut machine = observed(&[], &[]);
        let plan = compute(&wanted, &machine, Options::default());
        assert_eq!(actions(&plan), [("audit".to_owned(), Action::Create)]);
        assert!(plan.has_changes());
        assert_eq!(plan.summary().add, 1);
        let after = plan.changes[0].after.as_ref().unwrap();
        assert_eq!(
            after["webhook"],
            "http://<redacted>@hooks.example.com/a?<redacted>"
        );
        assert_eq!(after["retain"], "1d");

        // Another manifest's settings are not this one's.
        let settings = |policy| crate::audit::Settings {
            policy,
            declared: BTreeMap::new(),
        };
        machine
            .state
            .audit
            .insert("/other/mcpctl.kdl".into(), settings(wanted.audit.clone()));
        let plan = compute(&wanted, &machine, Options::default());
        assert_eq!(actions(&plan), [("audit".to_owned(), Action::Create)]);

        machine
            .state
            .audit
            .insert(MANIFEST.into(), settings(wanted.audit.clone()));
        assert!(!compute(&wanted, &machine, Options::default()).has_changes());

        let mut changed = wanted.clone();
        changed.audit.retain = Some(crate::manifest::Period { days: 30 });
        let plan = compute(&changed, &machine, Options::default());
        assert_eq!(actions(&plan), [("audit".to_owned(), Action::Update)]);
        assert_eq!(plan.summary().change, 1);

        changed.audit = crate::manifest::AuditPolicy::default();
        let plan = compute(&changed, &machine, Options::default());
        assert_eq!(actions(&plan), [("audit".to_owned(), Action::Delete)]);
        assert_eq!(plan.changes[0].after, None);
    }

    #[test]
    fn foreign_values_are_redacted_in_the_plan() {
        let a = json!({"command": "a"});
        let foreign = json!({"command": "npx", "env": {"TOKEN": "plaintext-canary"}});
        let plan = compute(
            &desired(&[("x", a)]),
            &observed(&[("x", foreign)], &[]),
            Options::default(),
        );
        let text = serde_json::to_string(&plan).unwrap();
        assert!(!text.contains("plaintext-canary"), "{text}");
    }

    #[test]
    fn a_revoked_credential_blocks_its_servers() {
        let a = json!({"command": "a"});
        let mut want = desired(&[
            ("owned", a.clone()),
            ("absent", a.clone()),
            ("free", a.clone()),
        ]);
        want.credentials = vec![credential("TOKEN")];
        for server in ["owned", "absent"] {
            want.server_credentials
                .insert(server.into(), vec!["TOKEN".into()]);
        }
        let mut have = observed(
            &[("owned", a.clone()), ("free", a.clone())],
            &[("owned", &a), ("free", &a)],
        );
        have.state.credentials.insert(
            "TOKEN".into(),
            crate::state::CredentialRecord {
                set_at: None,
                first_seen: "2026-01-01T00:00:00Z".into(),
                expires: None,
                revoked_at: Some("2026-02-01T00:00:00Z".into()),
            },
        );
        let plan = compute(&want, &have, Options::default());
        let expected: Vec<(String, Action)> = [
            ("TOKEN", Action::Blocked),
            ("absent", Action::Blocked),
            ("free", Action::NoOp),
            ("owned", Action::Delete),
        ]
        .into_iter()
        .map(|(n, a)| (n.to_owned(), a))
        .collect();
        assert_eq!(actions(&plan), expected);
        assert!(plan.changes[0].notes[0].contains("revoked on 2026-02-01"));
        assert!(plan.changes[3].notes[0].contains("blocked: credential `TOKEN` was revoked"));
        assert_eq!(plan.summary().blocked, 2);
        assert_eq!(plan.summary().destroy, 1);
    }
}
