//! The clients that differ only in facts: one [`Spec`] each — where their
//! files are per OS and scope, the key of their server table, the layout
//! of an entry, the reference syntax they expand, their quirks — and one
//! adapter, `impl Adapter for Spec`, that renders and reads them all.
//!
//! Adding such a client is one entry in [`SPECS`] (with the sources of its
//! facts in its comment), its `ClientId`, its fixtures and its judge. A
//! client whose files or entries follow rules of their own (Claude Code's
//! config-dir rules and per-project tables, Codex's TOML and forwarding by
//! name) has a module implementing [`Adapter`] instead.

use std::path::{Path, PathBuf};

use serde_json::Value;

pub use super::expansion::Expands;
use super::json::{CommandLayout, EntryShape, read_json, render_json};
use super::{
    Adapter, ClientFile, EntryServer, ReferenceSyntax, RenderContext, RenderNote, Rendered,
    bridge_command, needs_secret,
};
use crate::document::{Format, YamlLayout};
use crate::host::{Host, Os};
use crate::manifest::{ClientId, Delivery, Scope, Server, Transport};

/// Everything mcpctl needs to know about a client of the JSON family.
#[derive(Debug, Clone, Copy)]
pub struct Spec {
    pub id: ClientId,
    /// The client's own directory per OS: it holds the user file, and its
    /// presence shows the client is installed or used here.
    pub dir: PerOs,
    /// The user-scope file, inside `dir`.
    pub user_file: &'static [&'static str],
    /// The project-scope file, inside the project root; `None` for a
    /// client without project scope.
    pub project_file: Option<&'static [&'static str]>,
    pub format: Format,
    /// The key of the object holding the server entries.
    pub table: &'static str,
    pub shape: EntryShape,
    pub reference: ReferenceSyntax,
    pub quirks: Quirks,
}

/// A directory per operating system; `None` on an OS the client does not
/// run on (Visual Studio is Windows only), where it has no files.
#[derive(Debug, Clone, Copy)]
pub struct PerOs {
    pub linux: Option<Place>,
    pub macos: Option<Place>,
    pub windows: Option<Place>,
}

impl PerOs {
    /// The same place on every OS.
    pub const fn every(place: Place) -> PerOs {
        PerOs {
            linux: Some(place),
            macos: Some(place),
            windows: Some(place),
        }
    }
}

/// A directory below one of the host's base directories.
#[derive(Debug, Clone, Copy)]
pub struct Place {
    pub base: Base,
    pub path: &'static [&'static str],
}

impl Place {
    /// The directory on `host`.
    fn on(&self, host: &Host) -> PathBuf {
        let base = match self.base {
            Base::Home => host.home.clone(),
            Base::Config => host.config_dir(),
            Base::XdgConfig => host.xdg_config_dir(),
        };
        join(base, self.path)
    }
}

/// The base directories clients keep their settings under.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Base {
    /// The home directory.
    Home,
    /// The platform's configuration root ([`Host::config_dir`]):
    /// `~/.config`, `~/Library/Application Support`, `%APPDATA%`.
    Config,
    /// `$XDG_CONFIG_HOME` or `~/.config` on every OS
    /// ([`Host::xdg_config_dir`]).
    XdgConfig,
}

/// What sets a client apart beyond its layout.
#[derive(Debug, Clone, Copy)]
pub struct Quirks {
    /// Whether the client reads remote servers from its file (Claude
    /// Desktop adds them in the app).
    pub remote_in_file: bool,
    /// A command of the client's that prints referenced values expanded,
    /// which the plan warns about under env-ref (`gemini mcp list`).
    pub listing_expands: Option<&'static str>,
    /// A variable that, when set, is the client's directory instead of
    /// `dir` (`COPILOT_HOME`, `QWEN_HOME`, `CRUSH_GLOBAL_CONFIG`).
    pub dir_var: Option<&'static str>,
    /// What the client expands in literal text; a server whose literals
    /// it would change is left out ([`Expands`]).
    pub expands: Expands,
    /// A directory whose presence shows the client is installed, where
    /// its own directory does not (Visual Studio's is the home directory).
    pub marker: Option<Place>,
}

impl Quirks {
    pub const NONE: Quirks = Quirks {
        remote_in_file: true,
        listing_expands: None,
        dir_var: None,
        expands: Expands::Nothing,
        marker: None,
    };
}

const fn home(path: &'static [&'static str]) -> PerOs {
    PerOs::every(Place {
        base: Base::Home,
        path,
    })
}

/// Comments and trailing commas kept, none added.
const JSONC: Format = Format::Jsonc {
    trailing_commas: true,
};
/// Comments accepted, a trailing comma refused by the client.
const JSONC_STRICT: Format = Format::Jsonc {
    trailing_commas: false,
};

/// The uniform clients, in [`ClientId::ALL`] order.
pub static SPECS: &[Spec] = &[
    // Claude Desktop: `claude_desktop_config.json` in the app's config
    // directory (`~/.config/Claude` for the community Linux builds), strict
    // JSON. It resolves no variables and, started from the Dock or the Start
    // menu, gets no shell environment anyway: secrets always arrive through
    // `mcpctl exec`. Remote servers are added in the app (Settings →
    // Connectors), not in this file.
    Spec {
        id: ClientId::ClaudeDesktop,
        dir: PerOs::every(Place {
            base: Base::Config,
            path: &["Claude"],
        }),
        user_file: &["claude_desktop_config.json"],
        project_file: None,
        format: Format::Json,
        table: "mcpServers",
        shape: EntryShape::PLAIN,
        reference: ReferenceSyntax::None,
        quirks: Quirks {
            remote_in_file: false,
            ..Quirks::NONE
        },
    },
    // VS Code: the user profile's `mcp.json` and a workspace's
    // `.vscode/mcp.json`, under `servers` (beside `inputs`). It accepts
    // comments and trailing commas.
    Spec {
        id: ClientId::Vscode,
        dir: PerOs::every(Place {
            base: Base::Config,
            path: &["Code", "User"],
        }),
        user_file: &["mcp.json"],
        project_file: Some(&[".vscode", "mcp.json"]),
        format: JSONC,
        table: "servers",
        shape: EntryShape::TYPED,
        reference: ReferenceSyntax::DollarEnv,
        quirks: Quirks::NONE,
    },
    // Cursor: `~/.cursor/mcp.json` and `.cursor/mcp.json`; references per
    // Cursor's MCP docs.
    Spec {
        id: ClientId::Cursor,
        dir: home(&[".cursor"]),
        user_file: &["mcp.json"],
        project_file: Some(&[".cursor", "mcp.json"]),
        format: JSONC_STRICT,
        table: "mcpServers",
        shape: EntryShape::PLAIN,
        reference: ReferenceSyntax::DollarEnv,
        quirks: Quirks::NONE,
    },
    // Windsurf: user scope only. A remote server's URL is `serverUrl` (a
    // Cursor-style `url` does not connect); an unset reference becomes
    // empty.
    Spec {
        id: ClientId::Windsurf,
        dir: home(&[".codeium", "windsurf"]),
        user_file: &["mcp_config.json"],
        project_file: None,
        format: JSONC_STRICT,
        table: "mcpServers",
        shape: EntryShape {
            url_key: "serverUrl",
            ..EntryShape::PLAIN
        },
        reference: ReferenceSyntax::DollarEnv,
        quirks: Quirks::NONE,
    },
    // Gemini CLI: comments are accepted but a trailing comma fails the
    // whole file (tested against Gemini CLI 0.61). A streamable-HTTP
    // server's URL is `httpUrl` (`url` means SSE). `${VAR}` is expanded in
    // every string; Gemini strips inherited variables that look secret
    // unless an entry's `env` names them, which a reference does.
    Spec {
        id: ClientId::GeminiCli,
        dir: home(&[".gemini"]),
        user_file: &["settings.json"],
        project_file: Some(&[".gemini", "settings.json"]),
        format: JSONC_STRICT,
        table: "mcpServers",
        shape: EntryShape {
            url_key: "httpUrl",
            ..EntryShape::PLAIN
        },
        reference: ReferenceSyntax::DollarBrace,
        quirks: Quirks {
            listing_expands: Some("gemini mcp list"),
            ..Quirks::NONE
        },
    },
    // Zed: its `settings.json` and a project's `.zed/settings.json`, under
    // `context_servers`. A custom stdio server is `"source": "custom"`
    // (Zed's MCP docs). Zed resolves no variables in these entries.
    Spec {
        id: ClientId::Zed,
        dir: PerOs {
            linux: Some(Place {
                base: Base::XdgConfig,
                path: &["zed"],
            }),
            macos: Some(Place {
                base: Base::XdgConfig,
                path: &["zed"],
            }),
            windows: Some(Place {
                base: Base::Config,
                path: &["Zed"],
            }),
        },
        user_file: &["settings.json"],
        project_file: Some(&[".zed", "settings.json"]),
        format: JSONC,
        table: "context_servers",
        shape: EntryShape {
            stdio_extra: &[("source", "custom")],
            ..EntryShape::PLAIN
        },
        reference: ReferenceSyntax::None,
        quirks: Quirks::NONE,
    },
    // Cline (the VS Code extension): its settings in VS Code's global
    // storage, user scope only. Remote servers are `streamableHttp`.
    // References are resolved by Cline's config loader, per its source (not
    // run here). The standalone Cline CLI keeps its own copy under
    // `~/.cline/data/settings/`, which mcpctl does not manage.
    Spec {
        id: ClientId::Cline,
        dir: PerOs::every(Place {
            base: Base::Config,
            path: &["Code", "User", "globalStorage", "saoudrizwan.claude-dev"],
        }),
        user_file: &["settings", "cline_mcp_settings.json"],
        project_file: None,
        format: JSONC_STRICT,
        table: "mcpServers",
        shape: EntryShape {
            remote_type: Some("streamableHttp"),
            ..EntryShape::PLAIN
        },
        reference: ReferenceSyntax::DollarEnv,
        quirks: Quirks::NONE,
    },
    // opencode: `opencode.json` in `$XDG_CONFIG_HOME/opencode` on every OS
    // and a project's `opencode.json`, under `mcp`. A local server is
    // `"type": "local"` with `command` as one array and `environment`; a
    // remote one `"type": "remote"`; unknown fields are rejected. An
    // `opencode.jsonc` is not looked for.
    Spec {
        id: ClientId::Opencode,
        dir: PerOs::every(Place {
            base: Base::XdgConfig,
            path: &["opencode"],
        }),
        user_file: &["opencode.json"],
        project_file: Some(&["opencode.json"]),
        format: JSONC,
        table: "mcp",
        shape: EntryShape {
            stdio_type: Some("local"),
            remote_type: Some("remote"),
            url_key: "url",
            stdio_extra: &[],
            command: CommandLayout::OneArray,
            env_key: "environment",
            headers_at: &["headers"],
        },
        reference: ReferenceSyntax::BraceEnv,
        quirks: Quirks::NONE,
    },
    // Amazon Q Developer CLI: newer releases read agent files under
    // `~/.aws/amazonq/cli-agents/` and still load these as the legacy MCP
    // configuration. Whether it resolves references is not documented, so
    // it is treated as resolving none.
    Spec {
        id: ClientId::AmazonQ,
        dir: home(&[".aws", "amazonq"]),
        user_file: &["mcp.json"],
        project_file: Some(&[".amazonq", "mcp.json"]),
        format: Format::Json,
        table: "mcpServers",
        shape: EntryShape {
            remote_type: Some("http"),
            ..EntryShape::PLAIN
        },
        reference: ReferenceSyntax::None,
        quirks: Quirks::NONE,
    },
    // LM Studio: user scope only, every OS; "follows Cursor's mcp.json
    // notation" (LM Studio's MCP docs). No references are documented.
    Spec {
        id: ClientId::LmStudio,
        dir: home(&[".lmstudio"]),
        user_file: &["mcp.json"],
        project_file: None,
        format: JSONC_STRICT,
        table: "mcpServers",
        shape: EntryShape::PLAIN,
        reference: ReferenceSyntax::None,
        quirks: Quirks::NONE,
    },
    // GitHub Copilot CLI 1.0.102 (tested): `~/.copilot/mcp-config.json` on
    // every OS (not XDG; `COPILOT_HOME` relocates the directory), and a
    // workspace's `.github/mcp.json` (it also reads `.mcp.json`, Claude
    // Code's project file, which mcpctl leaves to Claude Code). Workspace
    // files count only in a trusted folder. Stdio entries are
    // `"type": "local"` (`"stdio"` and none work too); `tools` defaults to
    // all. `${VAR}` is expanded in `env` and `headers` (changelog 0.0.340)
    // and, per the 1.0.102 changelog, in command, args and cwd. Comments
    // and trailing commas are accepted.
    Spec {
        id: ClientId::CopilotCli,
        dir: home(&[".copilot"]),
        user_file: &["mcp-config.json"],
        project_file: Some(&[".github", "mcp.json"]),
        format: JSONC,
        table: "mcpServers",
        shape: EntryShape {
            stdio_type: Some("local"),
            remote_type: Some("http"),
            ..EntryShape::PLAIN
        },
        reference: ReferenceSyntax::DollarBrace,
        quirks: Quirks {
            dir_var: Some("COPILOT_HOME"),
            expands: Expands::OwnSyntax,
            ..Quirks::NONE
        },
    },
    // Qwen Code 0.24.4 (tested; a Gemini CLI fork): `~/.qwen/settings.json`
    // (`QWEN_HOME` relocates it) and `.qwen/settings.json`, whose servers
    // wait for `qwen mcp approve`. Streamable HTTP is `httpUrl`. `$NAME`
    // and `${NAME}` are replaced in every string of an entry (no
    // `${NAME:-default}`). A trailing comma fails the whole file. Qwen
    // rewrites its settings on every run, adding `"$version"` and
    // re-indenting: a key mcpctl does not own, compared by entry.
    Spec {
        id: ClientId::QwenCode,
        dir: home(&[".qwen"]),
        user_file: &["settings.json"],
        project_file: Some(&[".qwen", "settings.json"]),
        format: JSONC_STRICT,
        table: "mcpServers",
        shape: EntryShape {
            url_key: "httpUrl",
            ..EntryShape::PLAIN
        },
        reference: ReferenceSyntax::DollarBrace,
        quirks: Quirks {
            dir_var: Some("QWEN_HOME"),
            expands: Expands::DollarNames,
            ..Quirks::NONE
        },
    },
    // Augment's Auggie CLI 0.36.0 (tested): `~/.augment/settings.json` and
    // `.augment/settings.json`, what `auggie mcp add [--project]` writes.
    // No variable syntax: `${VAR}` is passed on literally, but
    // `$augment-NAME` in an env value or argument is looked up in
    // Augment's secret store.
    Spec {
        id: ClientId::Augment,
        dir: home(&[".augment"]),
        user_file: &["settings.json"],
        project_file: Some(&[".augment", "settings.json"]),
        format: JSONC,
        table: "mcpServers",
        shape: EntryShape::TYPED,
        reference: ReferenceSyntax::None,
        quirks: Quirks {
            expands: Expands::Prefix("$augment-"),
            ..Quirks::NONE
        },
    },
    // Amp (`@ampcode/cli` 0.0.1790142911, tested): `~/.config/amp/settings.json`
    // (XDG, and `~/.config` on macOS and Windows too, per its docs) and a
    // workspace's `.amp/settings.json` (servers there wait for
    // `amp mcp approve`). The key is one flat, dotted `"amp.mcpServers"`.
    // Whether it expands variables is not documented: none assumed.
    Spec {
        id: ClientId::Amp,
        dir: PerOs::every(Place {
            base: Base::XdgConfig,
            path: &["amp"],
        }),
        user_file: &["settings.json"],
        project_file: Some(&[".amp", "settings.json"]),
        format: JSONC,
        table: "amp.mcpServers",
        shape: EntryShape::PLAIN,
        reference: ReferenceSyntax::None,
        quirks: Quirks::NONE,
    },
    // Kiro, IDE and CLI (kiro.dev/docs/mcp/configuration): `~/.kiro/settings/mcp.json`
    // and `.kiro/settings/mcp.json`, merged, the workspace winning. `args`
    // is required (written even when empty). `${VAR}` in `env` and
    // `headers`.
    Spec {
        id: ClientId::Kiro,
        dir: home(&[".kiro", "settings"]),
        user_file: &["mcp.json"],
        project_file: Some(&[".kiro", "settings", "mcp.json"]),
        format: Format::Json,
        table: "mcpServers",
        shape: EntryShape::PLAIN,
        reference: ReferenceSyntax::DollarBrace,
        quirks: Quirks {
            expands: Expands::OwnSyntax,
            ..Quirks::NONE
        },
    },
    // JetBrains Junie, IDE plugin and CLI (Junie's MCP docs, as tools that
    // write it cite them): `~/.junie/mcp/mcp.json` and
    // `.junie/mcp/mcp.json`; entries carry no `type`. No variable syntax
    // is documented.
    Spec {
        id: ClientId::Junie,
        dir: home(&[".junie", "mcp"]),
        user_file: &["mcp.json"],
        project_file: Some(&[".junie", "mcp", "mcp.json"]),
        format: Format::Json,
        table: "mcpServers",
        shape: EntryShape::PLAIN,
        reference: ReferenceSyntax::None,
        quirks: Quirks::NONE,
    },
    // Roo Code (RooCodeInc/Roo-Code `McpHub.ts`): `mcp_settings.json` in
    // VS Code's global storage and a workspace's `.roo/mcp.json`, strict
    // JSON (`JSON.parse`). A remote entry needs its `type`
    // (`streamable-http`). `${env:VAR}` is replaced in every string of an
    // entry (`injectVariables`).
    Spec {
        id: ClientId::RooCode,
        dir: PerOs::every(Place {
            base: Base::Config,
            path: &[
                "Code",
                "User",
                "globalStorage",
                "rooveterinaryinc.roo-cline",
            ],
        }),
        user_file: &["settings", "mcp_settings.json"],
        project_file: Some(&[".roo", "mcp.json"]),
        format: Format::Json,
        table: "mcpServers",
        shape: EntryShape {
            remote_type: Some("streamable-http"),
            ..EntryShape::PLAIN
        },
        reference: ReferenceSyntax::DollarEnv,
        quirks: Quirks {
            expands: Expands::OwnSyntax,
            ..Quirks::NONE
        },
    },
    // Crush (charmbracelet/crush `internal/config`): `crush.json` in
    // `$XDG_CONFIG_HOME/crush` or `~/.config/crush` on every OS
    // (`CRUSH_GLOBAL_CONFIG` relocates it) and a project's `.crush.json`,
    // strict JSON, under `mcp`; `type` is required. Every value goes
    // through shell expansion — `$VAR`, `${VAR:-d}` and `$(command)` — so
    // no literal with a `$` is written.
    Spec {
        id: ClientId::Crush,
        dir: PerOs::every(Place {
            base: Base::XdgConfig,
            path: &["crush"],
        }),
        user_file: &["crush.json"],
        project_file: Some(&[".crush.json"]),
        format: Format::Json,
        table: "mcp",
        shape: EntryShape::TYPED,
        reference: ReferenceSyntax::DollarBrace,
        quirks: Quirks {
            dir_var: Some("CRUSH_GLOBAL_CONFIG"),
            expands: Expands::Shell,
            ..Quirks::NONE
        },
    },
    // Visual Studio 2022 (17.14+) and 2026, Windows only
    // (MicrosoftDocs/visualstudio-docs `docs/ide/mcp-servers.md`):
    // `%USERPROFILE%\.mcp.json` for every solution and a solution's
    // `.vs\mcp.json` (per user, not checked in; the checked-in
    // `<solution>\.mcp.json` is also Claude Code's project file, left to
    // it). VS Code's format under `servers`. No variable syntax is
    // documented for these files. Its own directory being the home, it is
    // detected by `%APPDATA%\Microsoft\VisualStudio`.
    Spec {
        id: ClientId::VisualStudio,
        dir: PerOs {
            linux: None,
            macos: None,
            windows: Some(Place {
                base: Base::Home,
                path: &[],
            }),
        },
        user_file: &[".mcp.json"],
        project_file: Some(&[".vs", "mcp.json"]),
        format: Format::Json,
        table: "servers",
        shape: EntryShape::TYPED,
        reference: ReferenceSyntax::None,
        quirks: Quirks {
            marker: Some(Place {
                base: Base::Config,
                path: &["Microsoft", "VisualStudio"],
            }),
            ..Quirks::NONE
        },
    },
    // Continue, the VS Code and JetBrains extension and the `cn` CLI
    // (`@continuedev/cli` 1.5.47 and `@continuedev/config-yaml` 1.42.0,
    // read): `~/.continue/config.yaml` (`CONTINUE_GLOBAL_DIR` relocates the
    // directory) and, in a workspace, every YAML file in
    // `.continue/mcpServers/`, whose servers Continue adds to the user's
    // (`unrollBlocks` parses such a block with the config schema and takes
    // all its `mcpServers`). mcpctl's project file is one block of its own
    // there, `mcpctl.yaml`, so no file of the user's is edited, and one
    // file per scope is what every other client has. Servers are a list,
    // each item naming itself with `name`; a remote one is
    // `type: streamable-http` with its headers under `requestOptions`.
    // Every config needs `name` and `version`. `${{ secrets.NAME }}` and
    // `${{ inputs.NAME }}` are Continue's templates, filled from its own
    // secrets, never from environment variables: no references, and no
    // literal holding `${{` is written.
    Spec {
        id: ClientId::Continue,
        dir: home(&[".continue"]),
        user_file: &["config.yaml"],
        project_file: Some(&[".continue", "mcpServers", "mcpctl.yaml"]),
        format: Format::Yaml(YamlLayout {
            named_by: Some("name"),
            new_file: "name: Local Config\nversion: 1.0.0\nschema: v1\n",
        }),
        table: "mcpServers",
        shape: EntryShape {
            remote_type: Some("streamable-http"),
            headers_at: &["requestOptions", "headers"],
            ..EntryShape::PLAIN
        },
        reference: ReferenceSyntax::None,
        quirks: Quirks {
            dir_var: Some("CONTINUE_GLOBAL_DIR"),
            expands: Expands::Prefix("${{"),
            ..Quirks::NONE
        },
    },
];

/// The spec of a uniform client.
pub fn spec(id: ClientId) -> Option<&'static Spec> {
    SPECS.iter().find(|spec| spec.id == id)
}

fn join(base: PathBuf, parts: &[&str]) -> PathBuf {
    parts.iter().fold(base, |path, part| path.join(part))
}

impl Spec {
    /// The client's directory on `host`; `None` on an OS it does not run
    /// on.
    pub fn dir(&self, host: &Host) -> Option<PathBuf> {
        let place = match host.os {
            Os::Linux => self.dir.linux,
            Os::Macos => self.dir.macos,
            Os::Windows => self.dir.windows,
        }?;
        if let Some(dir) = self.quirks.dir_var.and_then(|var| host.dir_var(var)) {
            return Some(dir);
        }
        Some(place.on(host))
    }
}

impl Adapter for Spec {
    fn id(&self) -> ClientId {
        self.id
    }

    fn file(&self, scope: Scope, host: &Host, project_root: &Path) -> Option<ClientFile> {
        let dir = self.dir(host)?;
        let path = match scope {
            Scope::User => join(dir, self.user_file),
            Scope::Project => join(project_root.to_path_buf(), self.project_file?),
            Scope::Local => return None,
        };
        Some(ClientFile {
            client: self.id,
            scope,
            path,
            format: self.format,
            table: vec![self.table.to_owned()],
        })
    }

    fn markers(&self, host: &Host) -> Vec<PathBuf> {
        match (self.dir(host), self.quirks.marker) {
            (Some(_), Some(marker)) => vec![marker.on(host)],
            (dir, _) => dir.into_iter().collect(),
        }
    }

    fn reference_syntax(&self) -> ReferenceSyntax {
        self.reference
    }

    fn render(&self, server: &Server, cx: &RenderContext<'_>) -> Rendered {
        let remote = matches!(server.transport, Transport::Http { .. });
        if remote && !self.quirks.remote_in_file {
            let mut notes = Vec::new();
            let delivery = super::effective_delivery(self, server, cx, &mut notes);
            // Through the bridge it is a stdio entry, which the file holds.
            if bridge_command(server, delivery, cx).is_none() {
                notes.push(RenderNote::RemoteOnlyInApp { client: self.id });
                return Rendered { entry: None, notes };
            }
        }
        let mut rendered = render_json(self, &self.shape, server, cx);
        if let Some(field) = rendered.entry.as_ref().and_then(|entry| {
            self.quirks
                .expands
                .changed_field(self.reference, server, entry)
        }) {
            rendered.entry = None;
            rendered.notes.push(RenderNote::WouldExpand {
                client: self.id,
                field,
            });
            return rendered;
        }
        if let Some(command) = self.quirks.listing_expands
            && cx.delivery == Delivery::EnvRef
            && needs_secret(server)
            && rendered.entry.is_some()
        {
            rendered.notes.push(RenderNote::ListingShowsSecrets {
                command: command.to_owned(),
            });
        }
        rendered
    }

    fn read(&self, entry: &Value) -> Option<EntryServer> {
        read_json(&self.shape, entry)
    }
}

#[cfg(test)]
mod added_clients_tests;
#[cfg(test)]
mod tests;
