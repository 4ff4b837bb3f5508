//! Shared by the workflows' tests: an audit trail in a
//! temporary state directory and what that trail holds, and a sandbox
//! machine with a manifest applied to it.

use std::path::{Path, PathBuf};

use crate::apply::{self, ApplyError, Command, Record, SecretSource};
use crate::audit::AuditLog;
use crate::host::{Host, Os};
use crate::manifest::{Credential, LoadedManifest};
use crate::observe::observe;
use crate::plan::{self, Desired};
use crate::state::State;
use crate::store::{MemoryStore, Secret};
use crate::workflow::Machine;

/// The fixed time the sandbox's commands run at (the CLI reads the clock
/// once per command; tests give it this).
pub const NOW: &str = "2026-12-05T12:34:56.789Z";

pub fn now() -> jiff::Timestamp {
    NOW.parse().unwrap()
}

pub fn audit(state_dir: &Path, command: &str) -> AuditLog {
    let mut actor = crate::audit::tests::actor();
    actor.command = command.to_owned();
    AuditLog::new(state_dir, actor, now())
}

/// `action target detail outcome` of each record in the trail.
pub fn records(audit: &AuditLog) -> Vec<String> {
    let text = std::fs::read_to_string(audit.path()).unwrap_or_default();
    text.lines()
        .filter_map(|line| serde_json::from_str::<serde_json::Value>(line).ok())
        .filter(|record| record.get("action").is_some())
        .map(|record| {
            let field = |name: &str| record[name].as_str().unwrap_or("-").to_owned();
            format!(
                "{} {} {} {}",
                field("action"),
                field("target"),
                field("detail"),
                field("outcome")
            )
        })
        .collect()
}

/// Two servers, each reading its own credential, for Cursor.
pub const MANIFEST: &str = r#"mcpctl version=1
client cursor
credential GITHUB_TOKEN { provider github; }
credential OTHER_TOKEN
server github {
    command npx -y "@modelcontextprotocol/server-github@2025.4.8"
    env GITHUB_PERSONAL_ACCESS_TOKEN credential=GITHUB_TOKEN
}
server other {
    command other-server
    env OTHER credential=OTHER_TOKEN
}
"#;

/// A machine with a home, a project holding [`MANIFEST`], and a state
/// directory, all in one temporary directory.
pub struct Sandbox {
    _dir: tempfile::TempDir,
    pub host: Host,
    pub state_dir: PathBuf,
    pub loaded: LoadedManifest,
}

impl Sandbox {
    pub fn new() -> Sandbox {
        let dir = tempfile::tempdir().unwrap();
        let home = dir.path().join("home");
        let project = dir.path().join("project");
        std::fs::create_dir_all(&home).unwrap();
        std::fs::create_dir_all(&project).unwrap();
        std::fs::write(project.join("mcpctl.kdl"), MANIFEST).unwrap();
        let host = Host {
            os: Os::current(),
            home,
            vars: Default::default(),
        };
        let loaded = crate::manifest::load(&project.join("mcpctl.kdl")).unwrap();
        Sandbox {
            state_dir: dir.path().join("state"),
            _dir: dir,
            host,
            loaded,
        }
    }

    pub fn machine(&self) -> Machine<'_> {
        Machine {
            host: &self.host,
            state_dir: &self.state_dir,
            project_root: &self.loaded.root,
        }
    }

    pub fn desired(&self) -> Desired {
        let exe = self.host.home.join("bin").join("mcpctl");
        plan::desired(&self.loaded, &self.host, &exe, &[]).unwrap()
    }

    /// Cursor's file, which the manifest's entries go to.
    pub fn cursor_path(&self) -> PathBuf {
        self.host.home.join(".cursor").join("mcp.json")
    }

    /// Its text; empty when there is no file.
    pub fn cursor_file(&self) -> String {
        std::fs::read_to_string(self.cursor_path()).unwrap_or_default()
    }

    pub fn state(&self) -> State {
        State::load(&self.state_dir).unwrap()
    }

    /// Applies the manifest, as `mcpctl apply` would, with every value
    /// already in `store`.
    pub fn apply(&self, store: &MemoryStore) {
        self.apply_recording(store, Record::Nothing);
    }

    /// Applies the manifest, recording `record`.
    pub fn apply_recording(&self, store: &MemoryStore, record: Record) -> apply::Report {
        let desired = self.desired();
        let observed = observe(
            &desired,
            Ok(store),
            self.state(),
            &self.host,
            &self.loaded.root,
            now(),
        )
        .unwrap();
        let plan = plan::compute(&desired, &observed, plan::Options::default());
        apply::apply_observed(
            &plan,
            observed,
            Command {
                store,
                secrets: &mut AllStored,
                state_dir: &self.state_dir,
                audit: &audit(&self.state_dir, "apply"),
                progress: &mut |_| {},
                project_root: &self.loaded.root,
                record,
                now: now(),
            },
        )
        .unwrap()
    }
}

/// The sandbox's store holds every value: apply asks for none.
struct AllStored;

impl SecretSource for AllStored {
    fn secret_for(&mut self, credential: &Credential) -> Result<Secret, ApplyError> {
        unreachable!("`{}` is in the store", credential.name)
    }
}
