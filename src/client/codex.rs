//! Codex CLI: `$CODEX_HOME/config.toml` (default `~/.codex/config.toml`),
//! and `.codex/config.toml` in a trusted project; servers are
//! `[mcp_servers.NAME]` tables.
//!
//! Codex interpolates nothing: `${VAR}` reaches the server literally, and a
//! type error anywhere fails its whole config — so entries carry only
//! strings, and secrets arrive through `mcpctl exec`.

use std::path::Path;

use serde_json::{Map, Value, json};

use super::{Adapter, ClientFile, Launcher, literal_env, stdio_command};
use crate::document::Format;
use crate::host::Host;
use crate::manifest::{ClientId, Scope, Server, Transport};

pub struct Codex;

impl Adapter for Codex {
    fn id(&self) -> ClientId {
        ClientId::Codex
    }

    fn file(&self, scope: Scope, host: &Host, project_root: &Path) -> ClientFile {
        let path = match scope {
            Scope::User => match host.var("CODEX_HOME") {
                Some(dir) => Path::new(dir).join("config.toml"),
                None => host.home_join(".codex").join("config.toml"),
            },
            Scope::Project => project_root.join(".codex").join("config.toml"),
        };
        ClientFile {
            client: ClientId::Codex,
            scope,
            path,
            format: Format::Toml,
            table: vec!["mcp_servers".to_owned()],
        }
    }

    fn render(&self, server: &Server, launcher: &Launcher) -> Value {
        let mut entry = Map::new();
        match &server.transport {
            Transport::Stdio { command, args } => {
                let (command, args) = stdio_command(server, command, args, launcher);
                entry.insert("command".into(), json!(command));
                entry.insert("args".into(), json!(args));
                let env = literal_env(server);
                if !env.is_empty() {
                    entry.insert("env".into(), Value::Object(env));
                }
            }
            Transport::Http { url, headers } => {
                entry.insert("url".into(), json!(url));
                if !headers.is_empty() {
                    entry.insert("http_headers".into(), json!(headers));
                }
            }
        }
        Value::Object(entry)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::client::test_support::{github_server, remote_server};
    use crate::host::Os;
    use std::collections::BTreeMap;
    use std::path::PathBuf;

    #[test]
    fn codex_home_overrides_the_default() {
        let mut host = Host {
            os: Os::Linux,
            home: PathBuf::from("/home/a"),
            vars: BTreeMap::new(),
        };
        let root = Path::new("/repo");
        assert_eq!(
            Codex.file(Scope::User, &host, root).path,
            Path::new("/home/a/.codex/config.toml")
        );
        host.vars.insert("CODEX_HOME".into(), "/opt/codex".into());
        assert_eq!(
            Codex.file(Scope::User, &host, root).path,
            Path::new("/opt/codex/config.toml")
        );
    }

    #[test]
    fn entries_have_no_type_field() {
        let entry = Codex.render(&github_server(), &Launcher::bare());
        assert_eq!(entry["command"], "mcpctl");
        assert!(entry.get("type").is_none());
        let remote = Codex.render(&remote_server(), &Launcher::bare());
        assert_eq!(
            remote,
            json!({"url": "https://mcp.example.com/mcp", "http_headers": {"X-Team": "platform"}})
        );
    }
}
