//! One adapter per MCP client: where its files are, under which key its
//! servers live, and the exact entry it gets for a server.
//!
//! The same manifest server becomes different bytes per client (`type`
//! fields, `servers` vs `mcpServers`, TOML for Codex). Adapters only decide
//! *what* an entry is and *where* it goes; parsing and editing the files is
//! the [`crate::document`] module's job.

mod claude_code;
mod codex;
mod launch;
mod vscode;

use std::path::{Path, PathBuf};

use serde_json::{Value, json};

pub use launch::Launcher;

use crate::document::Format;
use crate::host::Host;
use crate::manifest::{ClientId, Scope, Server, Transport};

/// A client's configuration file and the table in it that holds servers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientFile {
    pub client: ClientId,
    pub scope: Scope,
    pub path: PathBuf,
    pub format: Format,
    /// Keys from the document root to the object/table of server entries.
    pub table: Vec<String>,
}

impl ClientFile {
    pub fn table_path(&self) -> Vec<&str> {
        self.table.iter().map(String::as_str).collect()
    }
}

/// What mcpctl knows about one client.
pub trait Adapter: Sync {
    fn id(&self) -> ClientId;

    /// Its file for `scope`; `project_root` is the directory holding the
    /// manifest (project-scope files are checked in beside it).
    fn file(&self, scope: Scope, host: &Host, project_root: &Path) -> ClientFile;

    /// The entry this client gets for `server`, in exec delivery.
    fn render(&self, server: &Server, launcher: &Launcher) -> Value;
}

/// The adapter for a client.
pub fn adapter(id: ClientId) -> &'static dyn Adapter {
    match id {
        ClientId::ClaudeCode => &claude_code::ClaudeCode,
        ClientId::Vscode => &vscode::Vscode,
        ClientId::Codex => &codex::Codex,
    }
}

/// The command and arguments that start `server`: the server's own command
/// when it needs no secret, else `mcpctl exec … -- <command>`, which reads
/// the credentials from the store at launch.
pub fn stdio_command(
    server: &Server,
    command: &str,
    args: &[String],
    launcher: &Launcher,
) -> (String, Vec<String>) {
    let bindings: Vec<(&str, &str)> = server.credential_bindings().collect();
    if bindings.is_empty() {
        return (command.to_owned(), args.to_vec());
    }
    let mut exec_args = vec![
        "exec".to_owned(),
        "--server".to_owned(),
        server.name.clone(),
    ];
    for (var, credential) in bindings {
        exec_args.extend(launcher.binding(var, credential));
    }
    exec_args.push("--".to_owned());
    exec_args.push(command.to_owned());
    exec_args.extend(args.iter().cloned());
    (launcher.program().to_owned(), exec_args)
}

/// The entry shape Claude Code and VS Code share: `type` (`stdio` or
/// `http`), then `command`/`args`/`env` or `url`/`headers`.
pub fn typed_entry(server: &Server, launcher: &Launcher) -> Value {
    let mut entry = serde_json::Map::new();
    match &server.transport {
        Transport::Stdio { command, args } => {
            let (command, args) = stdio_command(server, command, args, launcher);
            entry.insert("type".into(), json!("stdio"));
            entry.insert("command".into(), json!(command));
            entry.insert("args".into(), json!(args));
            let env = literal_env(server);
            if !env.is_empty() {
                entry.insert("env".into(), Value::Object(env));
            }
        }
        Transport::Http { url, headers } => {
            entry.insert("type".into(), json!("http"));
            entry.insert("url".into(), json!(url));
            if !headers.is_empty() {
                entry.insert("headers".into(), json!(headers));
            }
        }
    }
    Value::Object(entry)
}

/// The non-secret environment of a server (literal values only), as a JSON
/// object in manifest order.
pub fn literal_env(server: &Server) -> serde_json::Map<String, Value> {
    server
        .env
        .iter()
        .filter_map(|(var, value)| match value {
            crate::manifest::EnvValue::Literal { value } => {
                Some((var.clone(), Value::String(value.clone())))
            }
            crate::manifest::EnvValue::Credential { .. } => None,
        })
        .collect()
}

#[cfg(test)]
pub(crate) mod test_support {
    use std::collections::BTreeMap;

    use crate::manifest::{ClientId, Delivery, EnvValue, Server, Transport};

    pub fn github_server() -> Server {
        Server {
            name: "github".into(),
            description: None,
            transport: Transport::Stdio {
                command: "npx".into(),
                args: vec!["-y".into(), "@modelcontextprotocol/server-github".into()],
            },
            env: BTreeMap::from([
                (
                    "GITHUB_PERSONAL_ACCESS_TOKEN".into(),
                    EnvValue::Credential {
                        credential: "GITHUB_TOKEN".into(),
                    },
                ),
                (
                    "GITHUB_TOOLSETS".into(),
                    EnvValue::Literal {
                        value: "repos,issues".into(),
                    },
                ),
            ]),
            clients: ClientId::ALL.to_vec(),
            delivery: Delivery::Exec,
        }
    }

    pub fn remote_server() -> Server {
        Server {
            name: "docs".into(),
            description: None,
            transport: Transport::Http {
                url: "https://mcp.example.com/mcp".into(),
                headers: BTreeMap::from([("X-Team".into(), "platform".into())]),
            },
            env: BTreeMap::new(),
            clients: ClientId::ALL.to_vec(),
            delivery: Delivery::Exec,
        }
    }
}
