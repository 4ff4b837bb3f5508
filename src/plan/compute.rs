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

use super::redact::redact;
use super::{
    Action, Change, Desired, Observed, ObservedFile, PLAN_VERSION, Plan, Presence, Target,
};
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
        let (action, notes) = match presence {
            Presence::Present => (Action::NoOp, Vec::new()),
            Presence::Missing => (
                Action::Create,
                vec!["not in the store: apply asks for the value".to_owned()],
            ),
            Presence::Unavailable(reason) => (Action::Unavailable, vec![reason]),
        };
        changes.push(Change {
            target: Target::Credential {
                name: credential.name.clone(),
                store: observed.store_name.clone(),
            },
            action,
            before: None,
            after: None,
            before_digest: None,
            file_fingerprint: None,
            notes,
        });
    }
    for file in &observed.files {
        let wanted = desired
            .files
            .iter()
            .find(|d| d.file.path == file.file.path)
            .map(|d| &d.entries);
        changes.extend(file_changes(
            desired,
            observed,
            file,
            wanted.unwrap_or(&BTreeMap::new()),
            options,
        ));
    }
    Plan {
        version: PLAN_VERSION,
        manifest: desired.manifest.clone(),
        changes,
    }
}

fn file_changes(
    desired: &Desired,
    observed: &Observed,
    file: &ObservedFile,
    wanted: &BTreeMap<String, Value>,
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
        .map(String::as_str)
        .chain(owned_here.iter().copied())
        .collect();

    let mut changes = Vec::new();
    for name in names {
        let current = file.entries.get(name);
        let record = records.get(name).copied();
        let owned_by_us = record.is_some_and(|r| r.manifest == desired.manifest);
        let mut notes = Vec::new();
        let action = match (wanted.get(name), current) {
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
            Action::Delete | Action::Forget => None,
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
            file_fingerprint: file.fingerprint.clone(),
            notes,
        });
    }
    changes
}

#[cfg(test)]
mod tests {
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

    fn desired(entries: &[(&str, Value)]) -> Desired {
        Desired {
            manifest: MANIFEST.into(),
            credentials: Vec::new(),
            files: vec![DesiredFile {
                file: client_file(),
                entries: entries
                    .iter()
                    .map(|(k, v)| (k.to_string(), v.clone()))
                    .collect(),
            }],
        }
    }

    fn observed(entries: &[(&str, Value)], owned: &[(&str, &Value)]) -> Observed {
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
                fingerprint: Some("sha256:f".into()),
                entries: entries
                    .iter()
                    .map(|(k, v)| (k.to_string(), v.clone()))
                    .collect(),
            }],
            state,
        }
    }

    fn actions(plan: &Plan) -> Vec<(String, Action)> {
        plan.changes
            .iter()
            .map(|c| match &c.target {
                Target::Entry { server, .. } => (server.clone(), c.action),
                Target::Credential { name, .. } => (name.clone(), c.action),
            })
            .collect()
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
}
