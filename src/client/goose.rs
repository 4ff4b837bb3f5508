//! Goose (Block): `config.yaml` in its config directory, servers under
//! `extensions`, a mapping from key to entry.
//!
//! Facts from block/goose's source (`config/paths.rs`, `config/extensions.rs`,
//! `agents/extension.rs`): the directory is etcetera's app strategy for
//! `Block/goose`, which is `$XDG_CONFIG_HOME/goose` (default
//! `~/.config/goose`) on Linux *and* macOS and `%APPDATA%\Block\goose\config`
//! on Windows; `GOOSE_PATH_ROOT=R` moves it to `R/config`. There is no
//! project file. An entry is read with serde_yaml into `ExtensionConfig`:
//! `enabled`, `type`, `name`, `cmd` and `args` (required: an entry without
//! `args` is skipped as malformed), `envs`, `timeout` (seconds); a remote
//! one is `type: streamable_http` with `uri` (not `url`) and `headers`.
//!
//! Goose expands no variables in `cmd`, `args` or `envs` (only `$NAME` and
//! `${NAME}` in a remote entry's `headers`, from that entry's own `envs`:
//! a server with such a literal header is left out), so every secret
//! arrives through `mcpctl exec`. Its `env_keys` (variables looked up by
//! name, then in Goose's keyring) are read back as references.
//!
//! It has its own module rather than a spec: an entry repeats its name and
//! carries fields (`enabled`, `timeout`, `cmd`) no other client has. The
//! entry's key is the server's name; Goose itself keys by the name
//! lowercased, which is the same for lowercase names.

use std::path::{Path, PathBuf};

use serde_json::{Map, Value, json};

use super::expansion::Expands;
use super::json::{EntryShape, render_json};
use super::read::{EntryHeader, EntryServer, command_line, each_string, env_and_forwarded};
use super::{Adapter, ClientFile, ReferenceSyntax, RenderContext, RenderNote, Rendered};
use crate::document::{Format, YamlLayout};
use crate::host::{Host, Os};
use crate::manifest::{ClientId, Scope, Server};

pub struct Goose;

/// Goose's default timeout for a server's start and calls, in seconds,
/// which `goose configure` writes too.
const TIMEOUT: u64 = 300;

/// The layout `render_json` fills in, reshaped into Goose's entry.
const SHAPE: EntryShape = EntryShape {
    stdio_type: Some("stdio"),
    remote_type: Some("streamable_http"),
    url_key: "uri",
    env_key: "envs",
    ..EntryShape::PLAIN
};

impl Goose {
    /// Goose's configuration directory on `host`.
    fn dir(host: &Host) -> PathBuf {
        if let Some(root) = host.dir_var("GOOSE_PATH_ROOT") {
            return root.join("config");
        }
        match host.os {
            Os::Linux | Os::Macos => host.xdg_config_dir().join("goose"),
            Os::Windows => host.config_dir().join("Block").join("goose").join("config"),
        }
    }
}

impl Adapter for Goose {
    fn id(&self) -> ClientId {
        ClientId::Goose
    }

    fn file(&self, scope: Scope, host: &Host, _project_root: &Path) -> Option<ClientFile> {
        (scope == Scope::User).then(|| ClientFile {
            client: ClientId::Goose,
            scope,
            path: Self::dir(host).join("config.yaml"),
            format: Format::Yaml(YamlLayout {
                named_by: None,
                new_file: "",
            }),
            table: vec!["extensions".to_owned()],
        })
    }

    fn markers(&self, host: &Host) -> Vec<PathBuf> {
        vec![Self::dir(host)]
    }

    fn reference_syntax(&self) -> ReferenceSyntax {
        ReferenceSyntax::None
    }

    fn render(&self, server: &Server, cx: &RenderContext<'_>) -> Rendered {
        let mut rendered = render_json(self, &SHAPE, server, cx);
        if let Some(Value::Object(fields)) = rendered.entry.take() {
            // Goose replaces `$NAME` and `${NAME}` in headers (from the
            // entry's own `envs`): a literal holding one would change.
            let headers = json!({"headers": fields.get("headers").cloned().unwrap_or_default()});
            if let Some(field) =
                Expands::DollarNames.changed_field(ReferenceSyntax::None, server, &headers)
            {
                rendered.notes.push(RenderNote::WouldExpand {
                    client: ClientId::Goose,
                    field,
                });
                return rendered;
            }
            rendered.entry = Some(Value::Object(reshape(&server.name, fields)));
        }
        rendered
    }

    fn read(&self, entry: &Value) -> Option<EntryServer> {
        let map = entry.as_object()?;
        let env = env_and_forwarded(map.get("envs"), map.get("env_keys"));
        let argv = command_line(map, "cmd");
        let url = map.get("uri").and_then(Value::as_str);
        let headers = each_string(map.get("headers"), EntryHeader::of);
        EntryServer::new(&argv, url, env, headers)
    }
}

/// Goose's entry in the order `goose configure` writes it: `enabled`,
/// `type`, `name`, then the command (`cmd`, `args`, always `envs`) or the
/// URL and headers, then `timeout`.
fn reshape(name: &str, mut fields: Map<String, Value>) -> Map<String, Value> {
    let mut entry = Map::new();
    entry.insert("enabled".into(), json!(true));
    if let Some(kind) = fields.shift_remove("type") {
        entry.insert("type".into(), kind);
    }
    entry.insert("name".into(), json!(name));
    if let Some(command) = fields.shift_remove("command") {
        entry.insert("cmd".into(), command);
        entry.insert(
            "args".into(),
            fields.shift_remove("args").unwrap_or(json!([])),
        );
        entry.insert(
            "envs".into(),
            fields.shift_remove("envs").unwrap_or_else(|| json!({})),
        );
    }
    entry.extend(fields);
    entry.insert("timeout".into(), json!(TIMEOUT));
    entry
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::client::test_support::*;
    use crate::client::{EntryValue, Launcher};
    use crate::manifest::Delivery;

    #[test]
    fn the_file_is_in_the_xdg_config_dir_on_linux_and_macos_and_in_appdata_on_windows() {
        let root = Path::new("/repo");
        assert_eq!(
            path_of(Goose.file(Scope::User, &linux(), root)),
            Path::new("/home/a/.config/goose/config.yaml")
        );
        assert_eq!(
            path_of(Goose.file(Scope::User, &macos(), root)),
            Path::new("/Users/a/.config/goose/config.yaml")
        );
        let xdg = host(Os::Macos, "/Users/a", &[("XDG_CONFIG_HOME", "/x")]);
        assert_eq!(
            path_of(Goose.file(Scope::User, &xdg, root)),
            Path::new("/x/goose/config.yaml")
        );
        let windows = path_of(Goose.file(Scope::User, &windows(), root));
        assert!(
            windows.ends_with(
                Path::new(r"C:\Users\a\AppData\Roaming")
                    .join("Block")
                    .join("goose")
                    .join("config")
                    .join("config.yaml")
            ),
            "{}",
            windows.display()
        );
        let moved = host(Os::Linux, "/home/a", &[("GOOSE_PATH_ROOT", "/tmp/g")]);
        assert_eq!(
            path_of(Goose.file(Scope::User, &moved, root)),
            Path::new("/tmp/g/config/config.yaml")
        );
        assert!(Goose.file(Scope::Project, &linux(), root).is_none());
    }

    #[test]
    fn a_stdio_entry_has_every_field_goose_requires_and_runs_exec() {
        let entry = entry(&Goose, &github_server(), Delivery::Exec, Os::Linux);
        let keys: Vec<&str> = entry
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        assert_eq!(
            keys,
            ["enabled", "type", "name", "cmd", "args", "envs", "timeout"]
        );
        assert_eq!(entry["type"], "stdio");
        assert_eq!(entry["name"], "github");
        assert_eq!(entry["cmd"], "mcpctl");
        assert_eq!(entry["args"][0], "exec");
        assert_eq!(entry["envs"], json!({"GITHUB_TOOLSETS": "repos,issues"}));
    }

    #[test]
    fn env_ref_keeps_exec_and_a_remote_entry_uses_uri() {
        let launcher = Launcher::bare();
        let rendered = Goose.render(
            &github_server(),
            &cx(&launcher, Delivery::EnvRef, Os::Linux),
        );
        assert!(rendered.notes.contains(&RenderNote::KeepsExec {
            client: ClientId::Goose
        }));
        let remote = entry(&Goose, &remote_server(), Delivery::Exec, Os::Linux);
        assert_eq!(
            remote,
            json!({
                "enabled": true,
                "type": "streamable_http",
                "name": "docs",
                "uri": "https://mcp.example.com/mcp",
                "headers": {"X-Team": "platform"},
                "timeout": 300
            })
        );
    }

    #[test]
    fn a_literal_header_goose_would_expand_leaves_the_server_out() {
        let mut server = remote_server();
        if let crate::manifest::Transport::Http { headers, .. } = &mut server.transport {
            headers.insert("X-Team".into(), "${TEAM}".into());
        }
        let launcher = Launcher::bare();
        let rendered = Goose.render(&server, &cx(&launcher, Delivery::Exec, Os::Linux));
        assert_eq!(rendered.entry, None);
        assert_eq!(
            rendered.notes,
            [RenderNote::WouldExpand {
                client: ClientId::Goose,
                field: "headers.X-Team".into()
            }]
        );
    }

    #[test]
    fn env_keys_read_as_references() {
        let read = Goose
            .read(&json!({"cmd": "npx", "args": ["-y", "x"], "env_keys": ["GITHUB_TOKEN"]}))
            .unwrap();
        assert_eq!(
            read.env,
            [(
                "GITHUB_TOKEN".to_owned(),
                EntryValue::by_name("GITHUB_TOKEN")
            )]
        );
    }
}
