//! opencode: `opencode.json` in `$XDG_CONFIG_HOME/opencode` (default
//! `~/.config/opencode` on every OS) and a project's `opencode.json`, JSONC
//! under `mcp`. Its entries differ from everyone else's: a local server is
//! `"type": "local"` with `command` as one array (program and arguments)
//! and `environment`; a remote one `"type": "remote"` with `url` and
//! `headers`; unknown fields are rejected. References are `{env:VAR}`.
//! An `opencode.jsonc` is not looked for: mcpctl manages `opencode.json`.

use std::path::{Path, PathBuf};

use serde_json::{Map, Value, json};

use super::{
    Adapter, ClientFile, RenderContext, Rendered, effective_delivery, entry_env, entry_headers,
    no_header_delivery, stdio_command,
};
use crate::document::Format;
use crate::host::Host;
use crate::manifest::{ClientId, Delivery, Scope, Server, Transport};

pub struct Opencode;

fn dir(host: &Host) -> PathBuf {
    host.xdg_config_dir().join("opencode")
}

impl Adapter for Opencode {
    fn id(&self) -> ClientId {
        ClientId::Opencode
    }

    fn file(&self, scope: Scope, host: &Host, project_root: &Path) -> Option<ClientFile> {
        let path = match scope {
            Scope::User => dir(host).join("opencode.json"),
            Scope::Project => project_root.join("opencode.json"),
            Scope::Local => return None,
        };
        Some(ClientFile {
            client: ClientId::Opencode,
            scope,
            path,
            format: Format::Jsonc {
                trailing_commas: true,
            },
            table: vec!["mcp".to_owned()],
        })
    }

    fn markers(&self, host: &Host) -> Vec<PathBuf> {
        vec![dir(host)]
    }

    fn reference_syntax(&self) -> Option<&'static str> {
        Some("{env:VAR}")
    }

    fn render(&self, server: &Server, cx: &RenderContext<'_>) -> Rendered {
        let mut notes = Vec::new();
        let delivery = effective_delivery(self, server, cx, &mut notes);
        let reference = |var: &str| self.reference(var).unwrap_or_default();
        let reference: Option<&dyn Fn(&str) -> String> =
            (delivery == Delivery::EnvRef).then_some(&reference);
        let mut entry = Map::new();
        match &server.transport {
            Transport::Stdio { command, args } => {
                let (command, args) = stdio_command(server, command, args, delivery, cx);
                let mut argv = vec![command];
                argv.extend(args);
                entry.insert("type".into(), json!("local"));
                entry.insert("command".into(), json!(argv));
                let env = entry_env(server, reference);
                if !env.is_empty() {
                    entry.insert("environment".into(), Value::Object(env));
                }
            }
            Transport::Http { url, .. } => {
                let Some(headers) = entry_headers(server, reference) else {
                    notes.push(no_header_delivery(ClientId::Opencode));
                    return Rendered { entry: None, notes };
                };
                entry.insert("type".into(), json!("remote"));
                entry.insert("url".into(), json!(url));
                if !headers.is_empty() {
                    entry.insert("headers".into(), Value::Object(headers));
                }
            }
        }
        Rendered {
            entry: Some(Value::Object(entry)),
            notes,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::client::test_support::*;
    use crate::host::Os;

    #[test]
    fn files_per_scope() {
        let root = Path::new("/repo");
        assert_eq!(
            path_of(Opencode.file(Scope::User, &macos(), root)),
            Path::new("/Users/a/.config/opencode/opencode.json")
        );
        assert_eq!(
            path_of(Opencode.file(Scope::User, &windows(), root)),
            Path::new(r"C:\Users\a")
                .join(".config")
                .join("opencode")
                .join("opencode.json")
        );
        assert_eq!(
            path_of(Opencode.file(Scope::Project, &linux(), root)),
            Path::new("/repo/opencode.json")
        );
    }

    #[test]
    fn command_is_one_array_and_env_is_environment() {
        assert_eq!(
            entry(&Opencode, &github_server(), Delivery::EnvRef, Os::Linux),
            json!({
                "type": "local",
                "command": ["npx", "-y", "@modelcontextprotocol/server-github"],
                "environment": {
                    "GITHUB_PERSONAL_ACCESS_TOKEN": "{env:GITHUB_TOKEN}",
                    "GITHUB_TOOLSETS": "repos,issues"
                }
            })
        );
        assert_eq!(
            entry(&Opencode, &github_server(), Delivery::Exec, Os::Linux)["command"][0],
            "mcpctl"
        );
        assert_eq!(
            entry(
                &Opencode,
                &secret_remote_server(),
                Delivery::EnvRef,
                Os::Linux
            ),
            json!({
                "type": "remote",
                "url": "https://mcp.example.com/mcp",
                "headers": {"X-Team": "platform", "Authorization": "Bearer {env:SENTRY_TOKEN}"}
            })
        );
    }
}
