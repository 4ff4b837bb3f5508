//! Claude Code: `~/.claude.json` (user scope, and per-project entries under
//! `projects["<dir>"]` for local scope) and `.mcp.json` (project scope),
//! all strict JSON under `mcpServers`.
//!
//! Strict matters: a comment or trailing comma in `~/.claude.json` makes
//! Claude Code declare the file corrupted and rewrite it with defaults,
//! losing every server. `"type": "stdio"` is written explicitly: without it
//! `claude mcp get` shows neither command nor arguments. Local scope is
//! keyed by the directory Claude Code runs in; mcpctl uses the manifest's
//! directory, the project root.

use std::path::{Path, PathBuf};

use serde_json::Value;

use super::json::{EntryShape, read_json, render_json};
use super::{Adapter, ClientFile, EntryServer, ReferenceSyntax, RenderContext, Rendered};
use crate::concurrent_writer::ConcurrentWriter;
use crate::document::{Document, DocumentError, Format};
use crate::host::Host;
use crate::manifest::{ClientId, Scope, Server};

pub struct ClaudeCode;

impl ClaudeCode {
    /// The file Claude Code 2.x reads its user and local servers from, by
    /// its own rule: a `.config.json` left by old versions in its config
    /// directory (`$CLAUDE_CONFIG_DIR`, else `~/.claude`) wins; otherwise
    /// `.claude.json` in `$CLAUDE_CONFIG_DIR`, else the home directory —
    /// `.claude-custom-oauth.json` when `CLAUDE_CODE_CUSTOM_OAUTH_URL` is set.
    pub(super) fn user_file(host: &Host) -> PathBuf {
        let config_dir = host
            .var("CLAUDE_CONFIG_DIR")
            .map(PathBuf::from)
            .unwrap_or_else(|| host.home_join(".claude"));
        let legacy = config_dir.join(".config.json");
        if legacy.is_file() {
            return legacy;
        }
        let name = if host.var("CLAUDE_CODE_CUSTOM_OAUTH_URL").is_some() {
            ".claude-custom-oauth.json"
        } else {
            ".claude.json"
        };
        match host.var("CLAUDE_CONFIG_DIR") {
            Some(dir) => Path::new(dir).join(name),
            None => host.home_join(name),
        }
    }
}

impl Adapter for ClaudeCode {
    fn id(&self) -> ClientId {
        ClientId::ClaudeCode
    }

    fn file(&self, scope: Scope, host: &Host, project_root: &Path) -> Option<ClientFile> {
        let (path, table) = match scope {
            Scope::User => (Self::user_file(host), vec!["mcpServers".to_owned()]),
            Scope::Local => (
                Self::user_file(host),
                vec![
                    "projects".to_owned(),
                    project_root.display().to_string(),
                    "mcpServers".to_owned(),
                ],
            ),
            Scope::Project => (
                project_root.join(".mcp.json"),
                vec!["mcpServers".to_owned()],
            ),
        };
        Some(ClientFile {
            client: ClientId::ClaudeCode,
            scope,
            path,
            format: Format::Json,
            table,
        })
    }

    fn markers(&self, host: &Host) -> Vec<PathBuf> {
        vec![host.home_join(".claude"), Self::user_file(host)]
    }

    fn reference_syntax(&self) -> ReferenceSyntax {
        ReferenceSyntax::DollarBrace
    }

    fn render(&self, server: &Server, cx: &RenderContext<'_>) -> Rendered {
        render_json(self, &EntryShape::TYPED, server, cx)
    }

    fn read(&self, entry: &Value) -> Option<EntryServer> {
        read_json(&EntryShape::TYPED, entry)
    }

    /// `~/.claude.json` holds, besides the user's table, the local-scope
    /// table of every project Claude Code has run in.
    fn tables(
        &self,
        file: &ClientFile,
        document: &Document,
    ) -> Result<Vec<(Scope, Vec<String>)>, DocumentError> {
        let mut tables = vec![(file.scope, file.table.clone())];
        if file.scope == Scope::User {
            for (project, value) in document.entries(&["projects"])? {
                if value.get("mcpServers").is_some_and(Value::is_object) {
                    tables.push((
                        Scope::Local,
                        vec!["projects".into(), project, "mcpServers".into()],
                    ));
                }
            }
        }
        Ok(tables)
    }

    /// `~/.claude.json` is rewritten under `~/.claude.json.lock`; Claude
    /// Code writes `.mcp.json` only when told to (`claude mcp add -s
    /// project`), with no lock.
    fn concurrent_writer(&self, file: &ClientFile) -> Option<ConcurrentWriter> {
        match file.scope {
            Scope::User | Scope::Local => Some(ConcurrentWriter::claude_code(&file.path)),
            Scope::Project => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::client::test_support::*;
    use crate::host::Os;
    use crate::manifest::Delivery;
    use serde_json::json;

    #[test]
    fn files_per_scope() {
        let root = Path::new("/repo");
        let user = ClaudeCode.file(Scope::User, &linux(), root).unwrap();
        assert_eq!(user.path, Path::new("/home/a/.claude.json"));
        let local = ClaudeCode.file(Scope::Local, &linux(), root).unwrap();
        assert_eq!(local.path, user.path);
        assert_eq!(local.table_path(), ["projects", "/repo", "mcpServers"]);
        assert_eq!(
            path_of(ClaudeCode.file(Scope::Project, &macos(), root)),
            Path::new("/repo/.mcp.json")
        );
        assert_eq!(
            path_of(ClaudeCode.file(Scope::User, &windows(), root)),
            Path::new(r"C:\Users\a").join(".claude.json")
        );
        let custom = host(Os::Linux, "/home/a", &[("CLAUDE_CONFIG_DIR", "/cfg")]);
        assert_eq!(
            path_of(ClaudeCode.file(Scope::User, &custom, root)),
            Path::new("/cfg/.claude.json")
        );
        let oauth = host(
            Os::Linux,
            "/home/a",
            &[("CLAUDE_CODE_CUSTOM_OAUTH_URL", "https://sso.example.com")],
        );
        assert_eq!(
            path_of(ClaudeCode.file(Scope::User, &oauth, root)),
            Path::new("/home/a/.claude-custom-oauth.json")
        );
    }

    /// A `.config.json` of an old Claude Code is what Claude Code still
    /// reads: entries go there, and so does the lock.
    #[test]
    fn a_legacy_config_json_is_the_user_file_when_it_exists() {
        let home = tempfile::tempdir().unwrap();
        let home_path = home.path().to_str().unwrap();
        let legacy = home.path().join(".claude").join(".config.json");
        let without = host(Os::Linux, home_path, &[]);
        let root = Path::new("/repo");
        assert_eq!(
            path_of(ClaudeCode.file(Scope::User, &without, root)),
            home.path().join(".claude.json")
        );
        std::fs::create_dir_all(legacy.parent().unwrap()).unwrap();
        std::fs::write(&legacy, "{}").unwrap();
        let file = ClaudeCode.file(Scope::Local, &without, root).unwrap();
        assert_eq!(file.path, legacy);
        let writer = ClaudeCode.concurrent_writer(&file).unwrap();
        let mut lock = legacy.into_os_string();
        lock.push(".lock");
        assert_eq!(writer.lock, PathBuf::from(lock));
    }

    #[test]
    fn exec_entry_names_credentials_never_values() {
        insta::assert_json_snapshot!(entry(&ClaudeCode, &github_server(), Delivery::Exec, Os::Linux), @r#"
        {
          "type": "stdio",
          "command": "mcpctl",
          "args": [
            "exec",
            "--server",
            "github",
            "--env",
            "GITHUB_PERSONAL_ACCESS_TOKEN=GITHUB_TOKEN",
            "--",
            "npx",
            "-y",
            "@modelcontextprotocol/server-github"
          ],
          "env": {
            "GITHUB_TOOLSETS": "repos,issues"
          }
        }
        "#);
    }

    #[test]
    fn env_ref_entry_references_the_credential_variable() {
        assert_eq!(
            entry(&ClaudeCode, &github_server(), Delivery::EnvRef, Os::Windows),
            json!({
                "type": "stdio",
                "command": "cmd",
                "args": ["/c", "npx", "-y", "@modelcontextprotocol/server-github"],
                "env": {
                    "GITHUB_PERSONAL_ACCESS_TOKEN": "${GITHUB_TOKEN}",
                    "GITHUB_TOOLSETS": "repos,issues"
                }
            })
        );
    }

    #[test]
    fn remote_entries_use_http_type_and_header_references() {
        assert_eq!(
            entry(&ClaudeCode, &remote_server(), Delivery::Exec, Os::Linux),
            json!({"type": "http", "url": "https://mcp.example.com/mcp", "headers": {"X-Team": "platform"}})
        );
        assert_eq!(
            entry(
                &ClaudeCode,
                &secret_remote_server(),
                Delivery::EnvRef,
                Os::Linux
            )["headers"],
            json!({"X-Team": "platform", "Authorization": "Bearer ${SENTRY_TOKEN}"})
        );
    }
}
