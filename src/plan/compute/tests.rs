use super::*;
use crate::client::{ClientFile, RenderNote};
use crate::document::Format;
use crate::manifest::{ClientId, Scope};
use crate::observe::ObservedFile;
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
            reasons: BTreeMap::new(),
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

/// Every kind's actions in one enum, for tests that list a whole plan.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Action {
    NoOp,
    Create,
    Update,
    Delete,
    Adopt,
    Conflict,
    Unavailable,
    Forget,
    Blocked,
    Skip,
}

fn action(typed: impl serde::Serialize) -> Action {
    serde_json::from_value(serde_json::to_value(typed).unwrap()).unwrap()
}

/// Each change of the plan by name, in the plan's order.
pub fn actions(plan: &Plan) -> Vec<(String, Action)> {
    let credentials = plan
        .credentials
        .iter()
        .map(|c| (c.name.clone(), action(c.action)));
    let entries = plan
        .entries()
        .map(|(_, c)| (c.server.clone(), action(c.action)));
    let profiles = plan
        .profiles
        .iter()
        .map(|c| (c.file.display().to_string(), action(c.action)));
    let exports = plan
        .exports
        .iter()
        .map(|c| (format!("export {}", c.variable), action(c.action)));
    let audit = plan
        .audit
        .iter()
        .map(|c| ("audit".to_owned(), action(c.action)));
    credentials
        .chain(entries)
        .chain(profiles)
        .chain(exports)
        .chain(audit)
        .collect()
}

/// The reasons of the plan's only entry change.
fn entry_reasons(plan: &Plan) -> &[Reason] {
    &plan.files[0].entries[0].reasons
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
            entry_reasons(&plan),
            [Reason::OwnedByOtherManifest {
                manifest: "/other-repo/mcpctl.kdl".into()
            }]
        );
    }
}

#[test]
fn shell_blocks_are_created_updated_kept_and_removed() {
    use crate::manifest::Shell;
    use crate::observe::ObservedProfile;
    use crate::plan::DesiredBlock;
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
    let moved = &plan.exports[1];
    assert_eq!(
        moved.after.as_deref(),
        Some(r#"MOVED:command:30s:["evil"]"#)
    );
    assert!(plan.has_changes());
}

#[test]
fn a_hand_edited_shell_block_is_shown_redacted() {
    use crate::manifest::Shell;
    use crate::observe::ObservedProfile;
    use crate::plan::DesiredBlock;
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
    let (_, foreign) = adopting
        .entries()
        .find(|(_, c)| c.server == "foreign-other")
        .unwrap();
    assert_eq!(foreign.action, EntryAction::Adopt);
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
    want.files[0].reasons.insert(
        "remote".into(),
        vec![Reason::Client {
            note: RenderNote::RemoteOnlyInApp {
                client: ClientId::ClaudeDesktop,
            },
        }],
    );
    let plan = compute(&want, &observed(&[], &[]), Options::default());
    assert_eq!(actions(&plan), [("remote".to_owned(), Action::Skip)]);
    assert_eq!(
        entry_reasons(&plan),
        [Reason::Client {
            note: RenderNote::RemoteOnlyInApp {
                client: ClientId::ClaudeDesktop,
            }
        }]
    );
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
    let after = plan.audit.as_ref().unwrap().after.as_ref().unwrap();
    assert_eq!(
        after.webhook.as_deref(),
        Some("http://<redacted>@hooks.example.com/a?<redacted>")
    );
    assert_eq!(after.retain.as_deref(), Some("1d"));

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
    assert_eq!(plan.audit.unwrap().after, None);
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
    assert_eq!(
        plan.credentials[0].reasons,
        [Reason::Revoked {
            credential: "TOKEN".into(),
            on: "2026-02-01".into()
        }]
    );
    let (_, owned) = plan.entries().find(|(_, c)| c.server == "owned").unwrap();
    assert_eq!(
        owned.reasons,
        [Reason::BlockedByRevoked {
            credential: "TOKEN".into()
        }]
    );
    assert_eq!(plan.summary().blocked, 2);
    assert_eq!(plan.summary().destroy, 1);
}
