//! Saved plans: `plan --out FILE`, then `apply FILE` applies exactly that.
//!
//! A plan is reviewed like code (attached to a pull request, read by a
//! second person), so the file must be safe to share — it is: plans are
//! redacted and never hold a value — and applying it must not silently do
//! something else. The file therefore records what the plan was computed
//! from: the manifest's digest, the fingerprint of every client file and
//! shell profile it read, each credential's presence in the store, and
//! mcpctl's ownership records. `apply FILE` observes the machine again and
//! refuses when any of those differ, naming each one, instead of applying
//! a plan that no longer describes the machine (Terraform's "saved plan is
//! stale").
//!
//! The file is a record of what was reviewed, never instructions: anyone
//! who can write it could otherwise add or change a change after the
//! review. So apply computes the plan again from the inputs (once they
//! match the recorded ones) and carries out only that, after
//! [`SavedPlan::tampering`] found it equal to the saved changes — any
//! edited, added or removed change is refused, named.

use std::collections::BTreeMap;
use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use serde_json::{Map, Value};

use super::{Options, Plan, Selector, Target};
use crate::document::Document;
use crate::observe::{Observed, Presence, fingerprint};
use crate::state::entry_digest;

/// The saved-plan format this build writes and reads. 2: the plan's
/// changes are typed and grouped by kind ([`crate::plan::PLAN_VERSION`] 2).
/// 3: a client note can no longer say a secret header was left out for
/// want of a reference (a remote server's credential header under exec
/// goes through the bridge), so a plan saved with such a note is refused.
pub const SAVED_PLAN_VERSION: u32 = 3;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub struct SavedPlan {
    /// Always [`SAVED_PLAN_VERSION`]; names the format in the file.
    pub saved_plan: u32,
    /// The mcpctl that computed it (`CARGO_PKG_VERSION`).
    pub mcpctl_version: String,
    /// When it was computed (RFC 3339).
    pub created_at: String,
    /// sha256 of the manifest's bytes.
    pub manifest_digest: String,
    /// `--adopt` at plan time.
    pub adopt: bool,
    /// `--target` at plan time (empty: the whole plan).
    pub targets: Vec<Selector>,
    /// What the plan was computed from.
    pub inputs: Inputs,
    pub plan: Plan,
}

/// The parts of the machine a plan depends on, without any value.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub struct Inputs {
    /// sha256 of each client file and shell profile read (`None`: absent).
    pub files: BTreeMap<PathBuf, Option<String>>,
    /// Each credential's presence: `present`, `missing`, `unavailable` or
    /// `external`.
    pub credentials: BTreeMap<String, String>,
    /// Digest of mcpctl's ownership records.
    pub ownership: String,
    /// Digest of the audit settings applied for the plan's manifest (absent
    /// in plans saved before audit settings were planned).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub audit: Option<String>,
    /// Digest of the exports `mcpctl env` serves for the plan's manifest, as
    /// applied (absent in plans saved before exports were planned).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exports: Option<String>,
}

impl Inputs {
    pub fn of(observed: &Observed, manifest: &std::path::Path) -> Inputs {
        let mut files = BTreeMap::new();
        // Once per path: tables of one file share its text (a 50 MB
        // `~/.claude.json` is hashed once).
        for file in &observed.files {
            files.entry(file.file.path.clone()).or_insert_with(|| {
                let text = observed.documents.get(&file.file.path).map(Document::text);
                text.map(|t| fingerprint(t.as_bytes()))
            });
        }
        for profile in &observed.profiles {
            files.insert(profile.file.clone(), profile.fingerprint.clone());
        }
        let credentials = observed
            .credentials
            .iter()
            .map(|(name, presence)| {
                let word = match presence {
                    Presence::Present => "present",
                    Presence::Missing => "missing",
                    Presence::Unavailable { .. } => "unavailable",
                    Presence::FromEnvironment { .. } | Presence::FromCommand { .. } => "external",
                };
                (name.clone(), word.to_owned())
            })
            .collect();
        let ownership = serde_json::to_value(&observed.state.entries).expect("state serializes");
        let audit =
            serde_json::to_value(observed.state.audit.get(manifest)).expect("settings serialize");
        let exports =
            serde_json::to_value(observed.state.exports.get(manifest)).expect("exports serialize");
        Inputs {
            files,
            credentials,
            ownership: entry_digest(&ownership),
            audit: Some(entry_digest(&audit)),
            exports: Some(entry_digest(&exports)),
        }
    }
}

impl SavedPlan {
    pub fn new(
        plan: Plan,
        manifest_digest: &str,
        options: Options,
        targets: &[Selector],
        observed: &Observed,
    ) -> SavedPlan {
        SavedPlan {
            saved_plan: SAVED_PLAN_VERSION,
            mcpctl_version: env!("CARGO_PKG_VERSION").to_owned(),
            created_at: observed.now.to_string(),
            manifest_digest: manifest_digest.to_owned(),
            adopt: options.adopt,
            targets: targets.to_vec(),
            inputs: Inputs::of(observed, &plan.manifest),
            plan,
        }
    }

    /// The options the plan was computed with.
    pub fn options(&self) -> Options {
        Options { adopt: self.adopt }
    }

    /// What changed since the plan was saved; empty when it still holds.
    pub fn staleness(&self, manifest_digest: &str, observed: &Observed) -> Vec<Stale> {
        let mut stale = Vec::new();
        if manifest_digest != self.manifest_digest {
            stale.push(Stale::Manifest {
                path: self.plan.manifest.clone(),
            });
        }
        let now = Inputs::of(observed, &self.plan.manifest);
        let paths: std::collections::BTreeSet<&PathBuf> =
            self.inputs.files.keys().chain(now.files.keys()).collect();
        for path in paths {
            let (was, is) = (self.inputs.files.get(path), now.files.get(path));
            if was != is {
                stale.push(Stale::File {
                    path: path.clone(),
                    how: match (was, is) {
                        (Some(Some(_)), Some(Some(_))) => "was changed",
                        (Some(None), Some(Some(_))) => "was created",
                        (Some(Some(_)), Some(None)) => "was deleted",
                        _ => "is read by only one of the two plans (the manifest or the detected clients changed)",
                    },
                });
            }
        }
        let names: std::collections::BTreeSet<&String> = self
            .inputs
            .credentials
            .keys()
            .chain(now.credentials.keys())
            .collect();
        for name in names {
            let (was, is) = (self.inputs.credentials.get(name), now.credentials.get(name));
            if was != is {
                stale.push(Stale::Credential {
                    name: name.clone(),
                    was: was.cloned().unwrap_or_else(|| "not planned".to_owned()),
                    is: is.cloned().unwrap_or_else(|| "not planned".to_owned()),
                });
            }
        }
        if now.ownership != self.inputs.ownership {
            stale.push(Stale::Ownership);
        }
        // A plan saved before audit settings were planned does not change
        // them, so they do not make it stale.
        if self.inputs.audit.is_some() && now.audit != self.inputs.audit {
            stale.push(Stale::AuditSettings);
        }
        // Likewise for the exports: the plan's export changes are against
        // the set applied when it was saved.
        if self.inputs.exports.is_some() && now.exports != self.inputs.exports {
            stale.push(Stale::Exports);
        }
        stale
    }
}

impl SavedPlan {
    /// How the saved plan differs from `recomputed`, the plan computed
    /// again from the same inputs (with the saved options and targets):
    /// the first difference, `None` when they are equal. Changes are
    /// matched by target, so their order does not matter (apply carries
    /// out the recomputed plan, in its own order). A change's rotation
    /// (ages counted to the moment of planning) is a report, not an
    /// action, and is not compared; everything else is.
    pub fn tampering(&self, recomputed: &Plan) -> Option<Tampered> {
        let saved = &self.plan;
        if saved.version != recomputed.version {
            return Some(Tampered::Plan { field: "version" });
        }
        if saved.manifest != recomputed.manifest {
            return Some(Tampered::Plan { field: "manifest" });
        }
        if saved.links != recomputed.links {
            return Some(Tampered::Plan { field: "links" });
        }
        // A table with no change is never computed: it carries nothing,
        // and is refused like any other edit.
        if saved.files.iter().any(|file| file.entries.is_empty()) {
            return Some(Tampered::Plan { field: "files" });
        }
        let mut unmatched = compared(recomputed);
        for (target, fields) in compared(saved) {
            let Some(at) = unmatched.iter().position(|(t, _)| *t == target) else {
                return Some(Tampered::Added { target });
            };
            let (_, ours) = unmatched.remove(at);
            let names: Vec<&String> = fields.keys().chain(ours.keys()).collect();
            if let Some(field) = names.into_iter().find(|n| fields.get(*n) != ours.get(*n)) {
                return Some(Tampered::Changed {
                    target,
                    field: field.clone(),
                });
            }
        }
        unmatched
            .into_iter()
            .next()
            .map(|(target, _)| Tampered::Removed { target })
    }
}

/// Every change of `plan` as its target and the fields compared, by name
/// as the file spells them: all of a change's fields but those naming its
/// target and, for credentials, the rotation (ages counted to the moment
/// of planning: a report, not an action). Taken from the serialized form,
/// so a field added to a change is compared without a word here.
fn compared(plan: &Plan) -> Vec<(Target, Map<String, Value>)> {
    fn fields(change: &impl serde::Serialize, identity: &[&str]) -> Map<String, Value> {
        let Ok(Value::Object(mut fields)) = serde_json::to_value(change) else {
            unreachable!("a change serializes to an object")
        };
        for key in identity {
            fields.remove(*key);
        }
        fields
    }
    let mut all = Vec::new();
    for change in &plan.credentials {
        let target = Target::Credential {
            name: change.name.clone(),
        };
        all.push((target, fields(change, &["name", "rotation"])));
    }
    for (file, change) in plan.entries() {
        let target = Target::Entry {
            client: file.client,
            scope: file.scope,
            file: file.path.clone(),
            table: file.table.clone(),
            server: change.server.clone(),
        };
        all.push((target, fields(change, &["server"])));
    }
    for change in &plan.profiles {
        let target = Target::ShellProfile {
            shell: change.shell,
            file: change.file.clone(),
        };
        all.push((target, fields(change, &["shell", "file"])));
    }
    for change in &plan.exports {
        let target = Target::EnvExport {
            variable: change.variable.clone(),
        };
        all.push((target, fields(change, &["variable"])));
    }
    if let Some(change) = &plan.audit {
        let target = Target::AuditSettings {
            manifest: plan.manifest.clone(),
        };
        all.push((target, fields(change, &[])));
    }
    all
}

/// How a saved plan differs from the plan its inputs give: it was edited
/// after it was saved (or by another mcpctl).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Tampered {
    /// A field of the plan itself.
    Plan { field: &'static str },
    /// A change the inputs do not give.
    Added { target: Target },
    /// A change the inputs give that the saved plan lacks.
    Removed { target: Target },
    /// A change whose `field` differs.
    Changed { target: Target, field: String },
}

impl Tampered {
    /// One line, for the error message (paths through `show`).
    pub fn describe(&self, show: impl Fn(&std::path::Path) -> String) -> String {
        let target = |target: &Target| match target {
            Target::Credential { name, .. } => format!("credential `{name}`"),
            Target::Entry {
                client,
                scope,
                file,
                table,
                server,
            } => {
                let key_path: Vec<&str> = table
                    .iter()
                    .chain(std::iter::once(server))
                    .map(String::as_str)
                    .collect();
                format!(
                    "`{}` in `{}` ({client}, {scope} scope)",
                    key_path.join("."),
                    show(file)
                )
            }
            Target::ShellProfile { shell, file } => {
                format!("mcpctl's block in the {shell} profile `{}`", show(file))
            }
            Target::EnvExport { variable } => format!("the export of `{variable}`"),
            Target::AuditSettings { manifest } => {
                format!("the audit settings of `{}`", show(manifest))
            }
        };
        match self {
            Tampered::Plan { field } => format!("its `{field}` differs"),
            Tampered::Added { target: t } => format!(
                "it has a change for {}, which the manifest and this machine do not give",
                target(t)
            ),
            Tampered::Removed { target: t } => {
                format!("it lacks the change for {}", target(t))
            }
            Tampered::Changed { target: t, field } => {
                format!("the change for {} differs in `{field}`", target(t))
            }
        }
    }
}

/// One reason a saved plan no longer describes the machine.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Stale {
    Manifest {
        path: PathBuf,
    },
    File {
        path: PathBuf,
        how: &'static str,
    },
    Credential {
        name: String,
        was: String,
        is: String,
    },
    Ownership,
    AuditSettings,
    Exports,
}

impl Stale {
    /// One line, for the error message (paths as given; the CLI shortens
    /// them).
    pub fn describe(&self, show: impl Fn(&std::path::Path) -> String) -> String {
        match self {
            Stale::Manifest { path } => format!("the manifest `{}` was changed", show(path)),
            Stale::File { path, how } => format!("the file `{}` {how}", show(path)),
            Stale::Credential { name, was, is } => {
                format!("credential `{name}` in the store: {was} when planned, {is} now")
            }
            Stale::Ownership => {
                "mcpctl's ownership records changed (another `mcpctl apply` ran since)".to_owned()
            }
            Stale::AuditSettings => {
                "the audit settings applied for this manifest changed (another `mcpctl apply` ran since)"
                    .to_owned()
            }
            Stale::Exports => {
                "the exports `mcpctl env` serves for this manifest changed (another `mcpctl apply` ran since)"
                    .to_owned()
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::client::ClientFile;
    use crate::document::Format;
    use crate::manifest::{ClientId, Scope};
    use crate::observe::ObservedFile;
    use crate::plan::{
        CredentialAction, CredentialChange, Declared, EntryAction, EntryChange, FileChange, Holder,
        Reason,
    };
    use crate::state::State;

    /// The machine with the Codex file holding `text` (`None`: absent).
    fn observed(text: Option<&str>, token: Presence) -> Observed {
        let path = std::path::Path::new("/h/.codex/config.toml");
        let documents = text
            .map(|t| {
                let document = Document::parse(path, t.to_owned(), Format::Toml).unwrap();
                (path.to_path_buf(), document)
            })
            .into_iter()
            .collect();
        Observed {
            store_name: "test store".into(),
            credentials: [("TOKEN".to_owned(), token)].into(),
            files: vec![ObservedFile {
                file: ClientFile {
                    client: ClientId::Codex,
                    scope: Scope::User,
                    path: "/h/.codex/config.toml".into(),
                    format: Format::Toml,
                    table: vec!["mcp_servers".into()],
                },
                entries: BTreeMap::new(),
            }],
            documents,
            profiles: Vec::new(),
            links: BTreeMap::new(),
            state: State::default(),
            now: jiff::Timestamp::UNIX_EPOCH,
        }
    }

    fn saved() -> SavedPlan {
        let plan = Plan::empty("/repo/mcpctl.kdl".into());
        let at_plan = observed(Some("model = \"a\"\n"), Presence::Missing);
        SavedPlan::new(plan, "d1", Options::default(), &[], &at_plan)
    }

    #[test]
    fn an_unchanged_machine_keeps_the_plan_valid_and_it_round_trips() {
        let saved = saved();
        assert!(
            saved
                .staleness("d1", &observed(Some("model = \"a\"\n"), Presence::Missing))
                .is_empty()
        );
        let text = serde_json::to_string(&saved).unwrap();
        assert_eq!(serde_json::from_str::<SavedPlan>(&text).unwrap(), saved);
    }

    #[test]
    fn any_edit_of_a_change_is_named_and_order_does_not_matter() {
        let entry = |server: &str| EntryChange {
            server: server.to_owned(),
            action: EntryAction::Create,
            before: None,
            after: Some(serde_json::json!({"command": "npx"})),
            before_digest: None,
            reasons: Vec::new(),
        };
        let table = |table: &[&str], entries| FileChange {
            client: ClientId::ClaudeCode,
            scope: Scope::User,
            path: "/h/.claude.json".into(),
            table: table.iter().map(|k| (*k).to_owned()).collect(),
            entries,
        };
        let mut reviewed = saved();
        reviewed.plan.files = vec![table(&["mcpServers"], vec![entry("a"), entry("b")])];
        let recomputed = reviewed.plan.clone();
        let show = |p: &std::path::Path| p.display().to_string();
        let differs = |edit: &dyn Fn(&mut Plan)| {
            let mut edited = reviewed.clone();
            edit(&mut edited.plan);
            edited.tampering(&recomputed).map(|t| t.describe(show))
        };
        assert_eq!(differs(&|_| {}), None);
        assert_eq!(differs(&|plan| plan.files[0].entries.reverse()), None);
        assert_eq!(
            differs(&|plan| {
                plan.files[0].entries[1].after = Some(serde_json::json!({"command": "EVIL"}))
            }),
            Some(
                "the change for `mcpServers.b` in `/h/.claude.json` (claude-code, user scope) differs in `after`"
                    .to_owned()
            )
        );
        assert_eq!(
            differs(&|plan| plan.files.push(table(&[], vec![entry("primaryApiKeyHelper")]))),
            Some(
                "it has a change for `primaryApiKeyHelper` in `/h/.claude.json` (claude-code, user scope), \
                 which the manifest and this machine do not give"
                    .to_owned()
            )
        );
        assert_eq!(
            differs(&|plan| plan.files[0].entries[0].action = EntryAction::Delete),
            Some(
                "the change for `mcpServers.a` in `/h/.claude.json` (claude-code, user scope) differs in `action`"
                    .to_owned()
            )
        );
        assert_eq!(
            differs(&|plan| {
                plan.files[0].entries.remove(0);
            }),
            Some(
                "it lacks the change for `mcpServers.a` in `/h/.claude.json` (claude-code, user scope)"
                    .to_owned()
            )
        );
        // A duplicated change is one the inputs do not give.
        assert!(
            differs(&|plan| {
                let again = plan.files[0].entries[0].clone();
                plan.files[0].entries.push(again);
            })
            .is_some()
        );
        // And a table without changes.
        assert_eq!(
            differs(&|plan| plan.files.push(table(&["projects"], Vec::new()))),
            Some("its `files` differs".to_owned())
        );
        // So is the same entry moved to another table of the file.
        assert!(
            differs(&|plan| {
                let moved = plan.files[0].entries.remove(0);
                plan.files.push(table(&["projects", "/w"], vec![moved]));
            })
            .is_some()
        );
        assert!(
            differs(&|plan| {
                plan.links
                    .insert("/h/.claude.json".into(), "/h/.bashrc".into());
            })
            .is_some()
        );
    }

    /// What a credential change carries beyond its action — where the
    /// value lives, its declaration (the store entry's namespace, what the
    /// prompt shows), its reasons — is compared like every other field.
    #[test]
    fn an_edited_credential_declaration_or_holder_is_named() {
        let mut reviewed = saved();
        reviewed.plan.credentials = vec![CredentialChange {
            name: "TOKEN".into(),
            holder: Holder::Store {
                name: "test store".into(),
            },
            action: CredentialAction::Create,
            declared: Declared {
                kind: crate::manifest::CredentialKind::ApiKey,
                provider: None,
                scopes: Vec::new(),
                create_at: Some("https://example.com/tokens".into()),
                description: None,
                namespace: None,
            },
            reasons: vec![Reason::NotInStore],
            rotation: None,
        }];
        let recomputed = reviewed.plan.clone();
        let differs = |edit: &dyn Fn(&mut CredentialChange)| {
            let mut edited = reviewed.clone();
            edit(&mut edited.plan.credentials[0]);
            edited
                .tampering(&recomputed)
                .map(|t| t.describe(|p| p.display().to_string()))
        };
        assert_eq!(differs(&|_| {}), None);
        let declared = Some("the change for credential `TOKEN` differs in `declared`".to_owned());
        assert_eq!(
            differs(&|c| c.declared.namespace = Some("other".into())),
            declared
        );
        assert_eq!(
            differs(&|c| c.declared.create_at = Some("https://evil.example".into())),
            declared
        );
        assert_eq!(
            differs(&|c| c.holder = Holder::Environment),
            Some("the change for credential `TOKEN` differs in `holder`".to_owned())
        );
        assert_eq!(
            differs(&|c| c.reasons.clear()),
            Some("the change for credential `TOKEN` differs in `reasons`".to_owned())
        );
    }

    #[test]
    fn every_input_that_changed_is_named() {
        let mut now = observed(None, Presence::Present);
        now.state.record_entry(crate::state::OwnedEntry {
            client: ClientId::Codex,
            scope: Scope::User,
            file: "/h/.codex/config.toml".into(),
            table: vec!["mcp_servers".into()],
            server: "x".into(),
            manifest: "/other/mcpctl.kdl".into(),
            digest: "sha256:0".into(),
        });
        now.state
            .audit
            .insert("/repo/mcpctl.kdl".into(), crate::audit::Settings::default());
        now.state.exports.insert(
            "/repo/mcpctl.kdl".into(),
            [("TOKEN".to_owned(), "TOKEN".to_owned())].into(),
        );
        let lines: Vec<String> = saved()
            .staleness("d2", &now)
            .iter()
            .map(|s| s.describe(|p| p.display().to_string()))
            .collect();
        assert_eq!(
            lines,
            [
                "the manifest `/repo/mcpctl.kdl` was changed",
                "the file `/h/.codex/config.toml` was deleted",
                "credential `TOKEN` in the store: missing when planned, present now",
                "mcpctl's ownership records changed (another `mcpctl apply` ran since)",
                "the audit settings applied for this manifest changed (another `mcpctl apply` ran since)",
                "the exports `mcpctl env` serves for this manifest changed (another `mcpctl apply` ran since)",
            ]
        );
    }
}
