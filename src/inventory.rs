//! What MCP clients are on this machine: for `mcpctl clients`.
//!
//! For every client mcpctl knows: whether it looks installed (one of its
//! marker directories exists), the reference syntax it resolves (env-ref)
//! and, per scope, its file, whether it exists and how many servers it
//! holds, split into those mcpctl owns (by any manifest) and the rest. A
//! file that cannot be read or parsed is reported, not fatal: this is a
//! survey.

use std::path::{Path, PathBuf};

use schemars::JsonSchema;
use serde::Serialize;

use crate::client::{adapter, is_detected};
use crate::host::Host;
use crate::manifest::{ClientId, Scope};
use crate::observe::read_file;
use crate::state::State;

/// One client, as found here.
#[derive(Debug, Clone, Serialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub struct ClientReport {
    pub client: ClientId,
    /// One of its marker directories or files exists.
    pub detected: bool,
    /// Its reference syntax for env-ref delivery; `None`: exec only.
    pub env_ref: Option<String>,
    pub files: Vec<FileReport>,
}

/// One of a client's files.
#[derive(Debug, Clone, Serialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub struct FileReport {
    pub scope: Scope,
    pub path: PathBuf,
    /// Keys from the root of the file to its table of servers.
    pub table: Vec<String>,
    pub exists: bool,
    /// Server entries in the table.
    pub servers: usize,
    /// Of those, entries mcpctl wrote (recorded in its state).
    pub owned: usize,
    /// Why the file could not be read, when it could not.
    pub error: Option<String>,
}

/// Surveys every known client; `project_root` places local- and
/// project-scope files.
pub fn survey(host: &Host, project_root: &Path, state: &State) -> Vec<ClientReport> {
    ClientId::ALL
        .into_iter()
        .map(|id| {
            let adapter = adapter(id);
            let files = id
                .scopes()
                .iter()
                .filter_map(|&scope| adapter.file(scope, host, project_root))
                .map(|file| {
                    let mut report = FileReport {
                        scope: file.scope,
                        path: file.path.clone(),
                        table: file.table.clone(),
                        exists: file.path.exists(),
                        servers: 0,
                        owned: 0,
                        error: None,
                    };
                    match read_file(&file) {
                        Ok(observed) => {
                            report.servers = observed.entries.len();
                            report.owned = observed
                                .entries
                                .keys()
                                .filter(|name| state.owned(&file.path, &file.table, name).is_some())
                                .count();
                        }
                        Err(err) => report.error = Some(err.to_string()),
                    }
                    report
                })
                .collect();
            ClientReport {
                client: id,
                detected: is_detected(id, host),
                env_ref: {
                    let syntax = adapter.reference_syntax();
                    syntax.resolves().then(|| syntax.to_string())
                },
                files,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::host::Os;
    use crate::state::{OwnedEntry, entry_digest};
    use std::collections::BTreeMap;

    #[test]
    fn counts_servers_and_ownership_and_reports_broken_files() {
        let dir = tempfile::tempdir().unwrap();
        let home = dir.path().join("home");
        fs_err::create_dir_all(home.join(".cursor")).unwrap();
        fs_err::write(
            home.join(".cursor/mcp.json"),
            r#"{"mcpServers": {"a": {"command": "x"}, "b": {"command": "y"}}}"#,
        )
        .unwrap();
        fs_err::create_dir_all(home.join(".gemini")).unwrap();
        fs_err::write(home.join(".gemini/settings.json"), "{,}").unwrap();
        let host = Host {
            os: Os::Linux,
            home: home.clone(),
            vars: BTreeMap::new(),
        };
        let mut state = State::default();
        state.record_entry(OwnedEntry {
            client: ClientId::Cursor,
            scope: Scope::User,
            file: home.join(".cursor/mcp.json"),
            table: vec!["mcpServers".into()],
            server: "b".into(),
            manifest: "/repo/mcpctl.kdl".into(),
            digest: entry_digest(&serde_json::json!({})),
        });
        let report = survey(&host, Path::new("/nonexistent-repo"), &state);
        assert_eq!(report.len(), ClientId::ALL.len());
        let cursor = report
            .iter()
            .find(|r| r.client == ClientId::Cursor)
            .unwrap();
        assert!(cursor.detected);
        assert_eq!(cursor.env_ref.as_deref(), Some("${env:VAR}"));
        let user = &cursor.files[0];
        assert_eq!((user.exists, user.servers, user.owned), (true, 2, 1));
        assert!(!cursor.files[1].exists);
        let gemini = report
            .iter()
            .find(|r| r.client == ClientId::GeminiCli)
            .unwrap();
        assert!(gemini.files[0].error.is_some());
        let zed = report.iter().find(|r| r.client == ClientId::Zed).unwrap();
        assert!(!zed.detected);
    }
}
