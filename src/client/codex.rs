//! Codex CLI: `$CODEX_HOME/config.toml` (default `~/.codex/config.toml`),
//! and `.codex/config.toml` in a trusted project; servers are
//! `[mcp_servers.NAME]` tables.
//!
//! Codex interpolates nothing: `${VAR}` reaches the server literally, and a
//! type error anywhere fails its whole config — so entries carry only
//! strings and string lists. By reference, a stdio server gets
//! `env_vars = ["NAME"]`, which forwards that variable *by name* from
//! Codex's environment; Codex cannot rename it, so a server that wants a
//! credential under another variable name keeps `exec`. A remote server
//! gets `bearer_token_env_var` (for `Authorization: Bearer …`) or
//! `env_http_headers` (header → variable); under exec it launches the
//! bridge ([`super::bridge`]).

use std::path::{Path, PathBuf};

use serde_json::{Map, Value, json};

use super::read::{
    EntryHeader, EntryServer, EntryValue, command_line, each_string, env_and_forwarded,
};
use super::{
    Adapter, ClientFile, ReferenceSyntax, RenderContext, RenderNote, Rendered, bridge_command,
    effective_delivery, entry_env, stdio_command,
};
use crate::document::Format;
use crate::host::Host;
use crate::manifest::{ClientId, Delivery, Scope, Server, Transport};

pub struct Codex;

impl Codex {
    fn home(host: &Host) -> PathBuf {
        match host.var("CODEX_HOME") {
            Some(dir) => PathBuf::from(dir),
            None => host.home_join(".codex"),
        }
    }
}

impl Adapter for Codex {
    fn id(&self) -> ClientId {
        ClientId::Codex
    }

    fn file(&self, scope: Scope, host: &Host, project_root: &Path) -> Option<ClientFile> {
        let path = match scope {
            Scope::User => Self::home(host).join("config.toml"),
            Scope::Project => project_root.join(".codex").join("config.toml"),
            Scope::Local => return None,
        };
        Some(ClientFile {
            client: ClientId::Codex,
            scope,
            path,
            format: Format::Toml,
            table: vec!["mcp_servers".to_owned()],
        })
    }

    fn markers(&self, host: &Host) -> Vec<PathBuf> {
        vec![Self::home(host)]
    }

    /// Codex has no syntax inside strings; it forwards variables by name.
    fn reference_syntax(&self) -> ReferenceSyntax {
        ReferenceSyntax::ByName
    }

    fn render(&self, server: &Server, cx: &RenderContext<'_>) -> Rendered {
        let mut notes = Vec::new();
        let mut delivery = effective_delivery(self, server, cx, &mut notes);
        let mut entry = Map::new();
        match &server.transport {
            Transport::Stdio { command, args } => {
                let renamed: Vec<(String, String)> = server
                    .credential_bindings()
                    .filter(|(var, credential)| var != credential)
                    .map(|(var, credential)| (credential.to_owned(), var.to_owned()))
                    .collect();
                if delivery == Delivery::EnvRef && !renamed.is_empty() {
                    notes.push(RenderNote::CannotRename { renamed });
                    delivery = Delivery::Exec;
                }
                let (command, args) = stdio_command(server, command, args, delivery, cx);
                entry.insert("command".into(), json!(command));
                entry.insert("args".into(), json!(args));
                let env = entry_env(server, None);
                if !env.is_empty() {
                    entry.insert("env".into(), Value::Object(env));
                }
                if delivery == Delivery::EnvRef {
                    let forwarded: Vec<&str> =
                        server.credential_bindings().map(|(var, _)| var).collect();
                    if !forwarded.is_empty() {
                        entry.insert("env_vars".into(), json!(forwarded));
                    }
                }
            }
            Transport::Http {
                url,
                headers,
                credential_headers,
            } => {
                if let Some((command, args)) = bridge_command(server, delivery, cx) {
                    entry.insert("command".into(), json!(command));
                    entry.insert("args".into(), json!(args));
                    return Rendered {
                        entry: Some(Value::Object(entry)),
                        notes,
                    };
                }
                entry.insert("url".into(), json!(url));
                if !headers.is_empty() {
                    entry.insert("http_headers".into(), json!(headers));
                }
                if !credential_headers.is_empty() {
                    let mut env_headers = Map::new();
                    for (name, header) in credential_headers {
                        match header.scheme.as_deref() {
                            Some(scheme)
                                if name.eq_ignore_ascii_case("authorization")
                                    && scheme.eq_ignore_ascii_case("bearer") =>
                            {
                                entry.insert(
                                    "bearer_token_env_var".into(),
                                    json!(header.credential),
                                );
                            }
                            None => {
                                env_headers.insert(name.clone(), json!(header.credential));
                            }
                            Some(scheme) => {
                                notes.push(RenderNote::HeaderScheme {
                                    header: name.clone(),
                                    scheme: scheme.to_owned(),
                                });
                                return Rendered { entry: None, notes };
                            }
                        }
                    }
                    if !env_headers.is_empty() {
                        entry.insert("env_http_headers".into(), Value::Object(env_headers));
                    }
                }
            }
        }
        Rendered {
            entry: Some(Value::Object(entry)),
            notes,
        }
    }

    /// `env_vars` forward by name; `http_headers` are literal, and
    /// `bearer_token_env_var` and `env_http_headers` name variables.
    fn read(&self, entry: &Value) -> Option<EntryServer> {
        let map = entry.as_object()?;
        let env = env_and_forwarded(map.get("env"), map.get("env_vars"));
        let mut headers = each_string(map.get("http_headers"), EntryHeader::of);
        if let Some(var) = map.get("bearer_token_env_var").and_then(Value::as_str) {
            headers.push(EntryHeader {
                name: "Authorization".to_owned(),
                scheme: Some("Bearer".to_owned()),
                value: EntryValue::by_name(var),
            });
        }
        headers.extend(each_string(map.get("env_http_headers"), |header, var| {
            EntryHeader {
                name: header.to_owned(),
                scheme: None,
                value: EntryValue::by_name(var),
            }
        }));
        let argv = command_line(map, "command");
        let url = map.get("url").and_then(Value::as_str);
        EntryServer::new(&argv, url, env, headers)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::client::test_support::*;
    use crate::host::Os;
    use crate::manifest::EnvValue;

    #[test]
    fn codex_home_overrides_the_default() {
        let root = Path::new("/repo");
        assert_eq!(
            path_of(Codex.file(Scope::User, &linux(), root)),
            Path::new("/home/a/.codex/config.toml")
        );
        let custom = host(Os::Linux, "/home/a", &[("CODEX_HOME", "/opt/codex")]);
        assert_eq!(
            path_of(Codex.file(Scope::User, &custom, root)),
            Path::new("/opt/codex/config.toml")
        );
        assert_eq!(
            path_of(Codex.file(Scope::User, &windows(), root)),
            Path::new(r"C:\Users\a").join(".codex").join("config.toml")
        );
        assert_eq!(
            path_of(Codex.file(Scope::Project, &macos(), root)),
            Path::new("/repo/.codex/config.toml")
        );
    }

    #[test]
    fn entries_have_no_type_field() {
        let entry = entry(&Codex, &github_server(), Delivery::Exec, Os::Linux);
        assert_eq!(entry["command"], "mcpctl");
        assert!(entry.get("type").is_none());
        let remote =
            super::super::test_support::entry(&Codex, &remote_server(), Delivery::Exec, Os::Linux);
        assert_eq!(
            remote,
            json!({"url": "https://mcp.example.com/mcp", "http_headers": {"X-Team": "platform"}})
        );
    }

    #[test]
    fn env_ref_forwards_variables_by_name() {
        let mut server = github_server();
        server.env.insert(
            "GITHUB_PERSONAL_ACCESS_TOKEN".into(),
            EnvValue::Credential {
                credential: "GITHUB_PERSONAL_ACCESS_TOKEN".into(),
            },
        );
        assert_eq!(
            entry(&Codex, &server, Delivery::EnvRef, Os::Linux),
            json!({
                "command": "npx",
                "args": ["-y", "@modelcontextprotocol/server-github"],
                "env": {"GITHUB_TOOLSETS": "repos,issues"},
                "env_vars": ["GITHUB_PERSONAL_ACCESS_TOKEN"]
            })
        );
    }

    #[test]
    fn a_renamed_credential_keeps_exec() {
        let launcher = Launcher::bare();
        let rendered = Codex.render(
            &github_server(),
            &cx(&launcher, Delivery::EnvRef, Os::Linux),
        );
        let entry = rendered.entry.unwrap();
        assert_eq!(entry["command"], "mcpctl");
        assert_eq!(
            rendered.notes,
            [RenderNote::CannotRename {
                renamed: vec![(
                    "GITHUB_TOKEN".to_owned(),
                    "GITHUB_PERSONAL_ACCESS_TOKEN".to_owned()
                )]
            }]
        );
    }

    #[test]
    fn remote_secret_headers_by_variable() {
        assert_eq!(
            entry(&Codex, &secret_remote_server(), Delivery::EnvRef, Os::Linux),
            json!({
                "url": "https://mcp.example.com/mcp",
                "http_headers": {"X-Team": "platform"},
                "bearer_token_env_var": "SENTRY_TOKEN"
            })
        );
    }

    use crate::client::Launcher;
}
