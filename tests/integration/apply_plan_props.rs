//! For random manifests over random existing client files, `apply` then
//! `plan` finds nothing to do — run through the library (observe, compute,
//! apply) in a temp directory, without a credential store: the generated
//! servers need no credential, so the store is never asked.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use mcpctl::apply::{self, ApplyError, Context, SecretSource};
use mcpctl::audit::{Actor, AuditLog};
use mcpctl::host::{Host, Os};
use mcpctl::manifest::{Credential, LoadedManifest};
use mcpctl::observe::observe;
use mcpctl::plan::{self, Options};
use mcpctl::state::State;
use mcpctl::store::{CredentialStore, Secret, StoreError};
use proptest::prelude::*;

struct NoStore;

impl CredentialStore for NoStore {
    fn name(&self) -> &str {
        "no store"
    }
    fn exists(&self, _: &str) -> Result<bool, StoreError> {
        unreachable!("the generated manifests declare no credential")
    }
    fn get(&self, _: &str) -> Result<Option<Secret>, StoreError> {
        unreachable!("the generated manifests declare no credential")
    }
    fn set(&self, _: &str, _: &Secret, _: &str) -> Result<(), StoreError> {
        unreachable!("the generated manifests declare no credential")
    }
    fn delete(&self, _: &str) -> Result<bool, StoreError> {
        unreachable!("the generated manifests declare no credential")
    }
}

struct NoSecrets;

impl SecretSource for NoSecrets {
    fn secret_for(&mut self, _: &Credential) -> Result<Secret, ApplyError> {
        unreachable!("the generated manifests declare no credential")
    }
}

const TARGETS: [&str; 6] = [
    "client claude-code",
    "client claude-code scope=project",
    "client vscode",
    "client vscode scope=project",
    "client codex",
    "client codex scope=project",
];

/// A manifest: some client targets, then stdio or http servers with
/// literal env, headers and arguments, each for some of the clients.
fn manifest() -> impl Strategy<Value = String> {
    let server = (
        "[a-z][a-z0-9-]{0,8}",
        any::<bool>(),
        prop::collection::vec("[a-z0-9.@/-]{1,10}", 0..4),
        prop::collection::btree_map("[A-Z][A-Z_]{0,6}", "[a-z0-9 ,.-]{0,10}", 0..3),
        prop::option::of(prop::collection::vec(0usize..3, 1..3)),
    );
    (
        prop::collection::btree_set(0usize..TARGETS.len(), 0..=TARGETS.len()),
        prop::collection::vec(server, 0..6),
    )
        .prop_map(|(targets, servers)| {
            let mut text = String::from("mcpctl version=1\n");
            let mut clients: Vec<&str> = Vec::new();
            for t in targets {
                text.push_str(TARGETS[t]);
                text.push('\n');
                let id = TARGETS[t].split(' ').nth(1).unwrap();
                if !clients.contains(&id) {
                    clients.push(id);
                }
            }
            let mut names = std::collections::BTreeSet::new();
            for (name, http, args, env, only) in servers {
                if !names.insert(name.clone()) {
                    continue;
                }
                text.push_str(&format!("server {name} {{\n"));
                if http {
                    text.push_str(&format!("    url \"https://{name}.example.com/mcp\"\n"));
                    for (k, v) in &env {
                        text.push_str(&format!("    header X-{k} \"{v}\"\n"));
                    }
                } else {
                    text.push_str("    command npx");
                    for a in &args {
                        text.push_str(&format!(" \"{a}\""));
                    }
                    text.push('\n');
                    for (k, v) in &env {
                        text.push_str(&format!("    env {k} \"{v}\"\n"));
                    }
                }
                if let Some(only) = only.filter(|_| !clients.is_empty()) {
                    let mut picked: Vec<&str> =
                        only.iter().map(|i| clients[i % clients.len()]).collect();
                    picked.dedup();
                    text.push_str(&format!("    clients {}\n", picked.join(" ")));
                }
                text.push_str("}\n");
            }
            text
        })
}

/// What the client files hold before the first apply: nothing, or other
/// programs' content with a foreign entry that may clash with a server.
fn seed(home: &Path, root: &Path, variant: u8) {
    if variant == 0 {
        return;
    }
    let files: [(PathBuf, &str); 4] = [
        (
            home.join(".claude.json"),
            "{\n  \"numStartups\": 3,\n  \"mcpServers\": {\n    \"a\": {\"command\": \"npx\"}\n  }\n}\n",
        ),
        (
            home.join("config/Code/User/mcp.json"),
            "// mine\n{\n\t\"servers\": {\n\t\t\"a\": {\"type\": \"http\", \"url\": \"https://x\"}, // keep\n\t},\n}\n",
        ),
        (
            home.join(".codex/config.toml"),
            "model = \"o3\" # mine\n\n[mcp_servers.a]\ncommand = \"npx\"\n",
        ),
        (root.join(".mcp.json"), "{\"mcpServers\": {}}\n"),
    ];
    for (path, text) in files {
        fs_err::create_dir_all(path.parent().unwrap()).unwrap();
        fs_err::write(path, text).unwrap();
    }
}

fn plan_and_maybe_apply(dir: &Path, manifest_text: &str, do_apply: bool) -> plan::Plan {
    let home = dir.join("home");
    let root = dir.join("repo");
    let state_dir = dir.join("state");
    let host = Host {
        os: Os::Linux,
        home: home.clone(),
        vars: BTreeMap::from([
            ("HOME".to_owned(), home.display().to_string()),
            (
                "XDG_CONFIG_HOME".to_owned(),
                home.join("config").display().to_string(),
            ),
            (
                "CODEX_HOME".to_owned(),
                home.join(".codex").display().to_string(),
            ),
        ]),
    };
    let loaded = LoadedManifest {
        path: root.join("mcpctl.kdl"),
        root: root.clone(),
        manifest: mcpctl::manifest::parse("mcpctl.kdl", manifest_text)
            .unwrap_or_else(|e| panic!("generated manifest is invalid: {e:?}\n{manifest_text}")),
        digest: String::new(),
    };
    let desired = plan::desired(&loaded, &host, Path::new("/usr/local/bin/mcpctl"), &[]).unwrap();
    let state = State::load(&state_dir).unwrap();
    let now = jiff::Timestamp::now();
    let observed = observe(&desired, Ok(&NoStore), state, &host, &root, now).unwrap();
    let options = Options { adopt: true };
    let plan = plan::compute(&desired, &observed, options);
    if do_apply {
        let audit = AuditLog::new(
            &state_dir,
            Actor {
                user: "t".into(),
                host: "h".into(),
                pid: 1,
                command: "apply".into(),
                manifest: None,
                git_commit: None,
            },
            now,
        );
        let files: Vec<_> = observed.files.iter().map(|f| f.file.clone()).collect();
        let profiles: Vec<_> = observed.profiles.iter().map(|p| p.file.clone()).collect();
        apply::apply(
            &plan,
            Context {
                store: &NoStore,
                secrets: &mut NoSecrets,
                state_dir: &state_dir,
                state: observed.state,
                audit: &audit,
                progress: &mut |_| {},
                files: &files,
                profiles: &profiles,
                project_root: &root,
                documents: observed.documents,
                record_ownership: true,
                keep_backups: true,
                now,
            },
        )
        .unwrap();
    }
    plan
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn apply_then_plan_is_empty(first in manifest(), second in manifest(), variant in 0u8..2) {
        let dir = tempfile::tempdir().unwrap();
        fs_err::create_dir_all(dir.path().join("repo")).unwrap();
        seed(&dir.path().join("home"), &dir.path().join("repo"), variant);
        // Apply one manifest, then another (adds, changes and deletes),
        // each followed by a plan that must be empty.
        for (n, text) in [&first, &second].into_iter().enumerate() {
            let before = plan_and_maybe_apply(dir.path(), text, true);
            if n == 0 && text.contains("client ") && text.contains("server ") {
                // The property is not vacuous: there was something to do.
                prop_assert!(before.has_changes(), "nothing planned for\n{text}");
            }
            let after = plan_and_maybe_apply(dir.path(), text, false);
            prop_assert!(
                !after.has_changes(),
                "changes left after apply:\n{text}\n{:#?}",
                after
            );
        }
    }
}
