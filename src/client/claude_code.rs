//! Claude Code: `~/.claude.json` (user scope) and `.mcp.json` (project
//! scope), both strict JSON under `mcpServers`.
//!
//! Strict matters: a comment or trailing comma in `~/.claude.json` makes
//! Claude Code declare the file corrupted and rewrite it with defaults,
//! losing every server. `"type": "stdio"` is written explicitly: without it
//! `claude mcp get` shows neither command nor arguments.

use std::path::Path;

use serde_json::Value;

use super::{Adapter, ClientFile, Launcher, typed_entry};
use crate::document::Format;
use crate::host::Host;
use crate::manifest::{ClientId, Scope, Server};

pub struct ClaudeCode;

impl Adapter for ClaudeCode {
    fn id(&self) -> ClientId {
        ClientId::ClaudeCode
    }

    fn file(&self, scope: Scope, host: &Host, project_root: &Path) -> ClientFile {
        let path = match scope {
            // Claude Code keeps its global file inside CLAUDE_CONFIG_DIR when set.
            Scope::User => match host.var("CLAUDE_CONFIG_DIR") {
                Some(dir) => Path::new(dir).join(".claude.json"),
                None => host.home_join(".claude.json"),
            },
            Scope::Project => project_root.join(".mcp.json"),
        };
        ClientFile {
            client: ClientId::ClaudeCode,
            scope,
            path,
            format: Format::Json,
            table: vec!["mcpServers".to_owned()],
        }
    }

    fn render(&self, server: &Server, launcher: &Launcher) -> Value {
        typed_entry(server, launcher)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::client::test_support::{github_server, remote_server};
    use serde_json::json;

    #[test]
    fn exec_entry_names_credentials_never_values() {
        let launcher = Launcher::bare();
        let entry = ClaudeCode.render(&github_server(), &launcher);
        insta::assert_json_snapshot!(entry, @r#"
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
    fn remote_entry_uses_http_type() {
        let entry = ClaudeCode.render(&remote_server(), &Launcher::bare());
        assert_eq!(
            entry,
            json!({"type": "http", "url": "https://mcp.example.com/mcp", "headers": {"X-Team": "platform"}})
        );
    }
}
