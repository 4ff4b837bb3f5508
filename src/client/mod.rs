//! One adapter per MCP client: where its files are, under which key its
//! servers live, and the exact entry it gets for a server.
//!
//! The same manifest server becomes different bytes per client (`type`
//! fields, `servers` vs `mcpServers`, `serverUrl` vs `httpUrl`, TOML for
//! Codex, one command array for opencode). Adapters only decide *what* an
//! entry is and *where* it goes; parsing and editing the files is the
//! [`crate::document`] module's job. Every path is a pure function of a
//! [`Host`], so the rules for all three operating systems are tested on any.
//!
//! # Delivery
//!
//! In `exec` delivery an entry that needs a secret runs `mcpctl exec`,
//! which reads it from the store at launch; every client can do that. A
//! remote server with a secret header becomes a stdio entry too, running
//! `mcpctl exec --url`, the bridge that adds the header to each request
//! ([`bridge`]). In `env-ref` delivery the entry names an environment variable in the
//! client's own syntax ([`ReferenceSyntax`]), and the client resolves it
//! from the environment it was started in (`mcpctl env` exports it). A
//! client that resolves nothing keeps `exec` and the plan says why.
//!
//! Whenever the client spawns a server's own command (env-ref, or a server
//! that needs no secret) on Windows, a command that is not an `.exe` is
//! rendered as `cmd /c …`: Node-based clients cannot spawn `npx.cmd`
//! without a shell.
//!
//! # Adapters
//!
//! Most clients differ only in facts, which [`specs::SPECS`] lists, one
//! [`specs::Spec`] each, rendered and read by one adapter. Claude Code,
//! Codex and Goose follow rules of their own and have a module each. Every adapter
//! can [`Adapter::read`] an entry back, which is what `init`, `scan` and
//! `check` use to understand what a client file holds.

mod bridge;
mod claude_code;
mod codex;
mod entry;
mod expansion;
mod goose;
mod json;
mod launch;
mod note;
mod read;
pub mod reference;
#[cfg(test)]
mod roundtrip;
pub mod specs;

use std::path::{Path, PathBuf};

use serde_json::Value;

pub use bridge::bridge_command;
pub use entry::{
    effective_delivery, entry_env, entry_headers, needs_secret, spawnable, stdio_command,
};
pub use launch::{Launcher, Unstable, cargo_install_path, unstable_place};
pub use note::RenderNote;
pub use read::{EntryHeader, EntryServer, EntryTransport, EntryValue};
pub use reference::ReferenceSyntax;

use crate::concurrent_writer::ConcurrentWriter;
use crate::document::{Document, DocumentError, Format};
use crate::host::{Host, Os};
use crate::manifest::{ClientId, ClientTarget, Delivery, Scope, Server};

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

/// What an entry is rendered for.
#[derive(Debug, Clone, Copy)]
pub struct RenderContext<'a> {
    /// How the entry names mcpctl (exec delivery).
    pub launcher: &'a Launcher,
    /// The delivery the manifest asks for this server in this client.
    pub delivery: Delivery,
    /// The OS the client runs on (Windows needs `cmd /c`).
    pub os: Os,
}

/// An entry, or why there is none, plus what the plan should tell.
#[derive(Debug, Clone, PartialEq)]
pub struct Rendered {
    /// `None`: this client cannot have this server (e.g. Claude Desktop
    /// reads no remote servers from its file); `notes` say why.
    pub entry: Option<Value>,
    pub notes: Vec<RenderNote>,
}

/// What mcpctl knows about one client.
pub trait Adapter: Sync {
    fn id(&self) -> ClientId;

    /// Its file for `scope` (`None` for a scope the client does not have,
    /// see [`ClientId::scopes`]); `project_root` is the directory holding
    /// the manifest.
    fn file(&self, scope: Scope, host: &Host, project_root: &Path) -> Option<ClientFile>;

    /// Directories whose presence shows the client is installed or has
    /// been used here, for detection.
    fn markers(&self, host: &Host) -> Vec<PathBuf>;

    /// How the client references an environment variable; one that
    /// resolves none ([`ReferenceSyntax::None`]) only gets exec delivery.
    fn reference_syntax(&self) -> ReferenceSyntax;

    /// The entry this client gets for `server`.
    fn render(&self, server: &Server, cx: &RenderContext<'_>) -> Rendered;

    /// The reverse of [`Adapter::render`]: what an entry of this client's
    /// file runs or connects to, with its variables and headers; `None`
    /// for an entry with neither a command nor a URL.
    fn read(&self, entry: &Value) -> Option<EntryServer>;

    /// Every table of server entries in `file` (which `document` holds),
    /// with the scope it is of: the file's own table, and whatever else the
    /// client keeps there (Claude Code's per-project tables).
    fn tables(
        &self,
        file: &ClientFile,
        _document: &Document,
    ) -> Result<Vec<(Scope, Vec<String>)>, DocumentError> {
        Ok(vec![(file.scope, file.table.clone())])
    }

    /// The client's own writer of `file`, when it rewrites the file under
    /// a lock that mcpctl takes too ([`crate::concurrent_writer`]).
    fn concurrent_writer(&self, _file: &ClientFile) -> Option<ConcurrentWriter> {
        None
    }
}

/// The client's own writer of the file at `path`, with the lock mcpctl
/// takes too, for a command that replaces a client file it knows only by
/// its path (`mcpctl rollback`): Claude Code's `~/.claude.json`.
pub fn concurrent_writer_at(host: &Host, path: &Path) -> Option<ConcurrentWriter> {
    (path == claude_code::ClaudeCode::user_file(host)).then(|| ConcurrentWriter::claude_code(path))
}

/// The adapter for a client.
pub fn adapter(id: ClientId) -> &'static dyn Adapter {
    match id {
        ClientId::ClaudeCode => &claude_code::ClaudeCode,
        ClientId::Codex => &codex::Codex,
        ClientId::Goose => &goose::Goose,
        id => specs::spec(id).expect("every other client has a spec"),
    }
}

/// Whether `id` looks installed or used on this machine: one of its
/// marker directories or files exists.
pub fn is_detected(id: ClientId, host: &Host) -> bool {
    adapter(id).markers(host).iter().any(|m| m.exists())
}

/// The clients found on this machine, as user-scope targets: what a
/// manifest that names no `client` targets.
pub fn detected(host: &Host) -> Vec<ClientTarget> {
    ClientId::ALL
        .into_iter()
        .filter(|id| is_detected(*id, host))
        .map(|client| ClientTarget {
            client,
            scope: Scope::User,
            delivery: None,
        })
        .collect()
}

/// The credentials that clients among `targets` reference by environment
/// variable (env-ref delivery in a client that resolves references): what
/// `mcpctl env` exports, each under its own name.
pub fn env_ref_credentials(
    manifest: &crate::manifest::Manifest,
    targets: &[ClientTarget],
) -> std::collections::BTreeSet<String> {
    let mut names = std::collections::BTreeSet::new();
    for target in targets {
        if !adapter(target.client).reference_syntax().resolves() {
            continue;
        }
        for server in manifest.servers.values().filter(|s| {
            (manifest.clients.is_empty() || s.clients.contains(&target.client))
                && manifest.delivery(s, target) == Delivery::EnvRef
        }) {
            names.extend(server.credentials_read().map(str::to_owned));
        }
    }
    names
}

#[cfg(test)]
pub(crate) mod test_support {
    use std::collections::BTreeMap;
    use std::path::PathBuf;

    use super::*;
    use crate::manifest::{ClientId, CredentialHeader, EnvValue, Server, Transport};

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
            delivery: None,
            classification: None,
            external: false,
        }
    }

    pub fn remote_server() -> Server {
        Server {
            name: "docs".into(),
            description: None,
            transport: Transport::Http {
                url: "https://mcp.example.com/mcp".into(),
                headers: BTreeMap::from([("X-Team".into(), "platform".into())]),
                credential_headers: BTreeMap::new(),
            },
            env: BTreeMap::new(),
            clients: ClientId::ALL.to_vec(),
            delivery: None,
            classification: None,
            external: false,
        }
    }

    /// A remote server sending `Authorization: Bearer <SENTRY_TOKEN>`.
    pub fn secret_remote_server() -> Server {
        let mut server = remote_server();
        server.name = "sentry".into();
        if let Transport::Http {
            credential_headers, ..
        } = &mut server.transport
        {
            credential_headers.insert(
                "Authorization".into(),
                CredentialHeader {
                    credential: "SENTRY_TOKEN".into(),
                    scheme: Some("Bearer".into()),
                },
            );
        }
        server
    }

    pub fn host(os: Os, home: &str, vars: &[(&str, &str)]) -> Host {
        Host {
            os,
            home: PathBuf::from(home),
            vars: vars
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
        }
    }

    pub fn linux() -> Host {
        host(Os::Linux, "/home/a", &[])
    }

    pub fn macos() -> Host {
        host(Os::Macos, "/Users/a", &[])
    }

    pub fn windows() -> Host {
        host(
            Os::Windows,
            r"C:\Users\a",
            &[
                ("APPDATA", r"C:\Users\a\AppData\Roaming"),
                ("USERPROFILE", r"C:\Users\a"),
            ],
        )
    }

    /// `path` as the host would join it (backslashes are not separators
    /// on Unix, so Windows paths are compared component by component).
    pub fn path_of(file: Option<ClientFile>) -> PathBuf {
        file.expect("the client has this scope").path
    }

    pub fn cx(launcher: &Launcher, delivery: Delivery, os: Os) -> RenderContext<'_> {
        RenderContext {
            launcher,
            delivery,
            os,
        }
    }

    /// Renders and expects an entry.
    pub fn entry(adapter: &dyn Adapter, server: &Server, delivery: Delivery, os: Os) -> Value {
        let launcher = Launcher::bare();
        adapter
            .render(server, &cx(&launcher, delivery, os))
            .entry
            .expect("an entry")
    }

    /// Every adapter's files exist only for the scopes its client has (on
    /// some OS: Visual Studio has none on Linux).
    pub fn assert_scopes(adapter: &dyn Adapter) {
        for scope in Scope::ALL {
            let found = [linux(), macos(), windows()]
                .iter()
                .any(|host| adapter.file(scope, host, Path::new("/repo")).is_some());
            assert_eq!(
                found,
                adapter.id().scopes().contains(&scope),
                "{} {scope}",
                adapter.id()
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::test_support::*;
    use super::*;
    use crate::manifest::EnvValue;

    /// The client table of the README (every client) and of the client
    /// pages in `docs/clients/` (`only` that client), generated from the
    /// adapters.
    fn readme_table(only: Option<ClientId>) -> String {
        use crate::document::Format;
        let root = Path::new("<project>");
        let hosts = [
            host(Os::Linux, "~", &[]),
            host(Os::Macos, "~", &[]),
            host(Os::Windows, "%USERPROFILE%", &[("APPDATA", "%APPDATA%")]),
        ];
        let mut out = String::from(
            "| client | scope | Linux | macOS | Windows | format: key | delivery |\n|---|---|---|---|---|---|---|\n",
        );
        for id in ClientId::ALL {
            if only.is_some_and(|only| only != id) {
                continue;
            }
            let adapter = adapter(id);
            for &scope in id.scopes() {
                // `None` on an OS the client does not run on.
                let files: Vec<Option<ClientFile>> =
                    hosts.iter().map(|h| adapter.file(scope, h, root)).collect();
                let path = |i: usize| {
                    let Some(file) = &files[i] else {
                        return "—".to_owned();
                    };
                    let text = file.path.display().to_string();
                    // One separator per column, whichever OS runs the test.
                    let text = if i == 2 {
                        text.replace('/', "\\")
                    } else {
                        text.replace('\\', "/")
                    };
                    format!("`{text}`")
                };
                let some = files.iter().flatten().next().expect("an OS it runs on");
                let format = match some.format {
                    Format::Json => "JSON",
                    Format::Jsonc {
                        trailing_commas: true,
                    } => "JSONC",
                    Format::Jsonc {
                        trailing_commas: false,
                    } => "JSONC, no trailing commas",
                    Format::Toml => "TOML",
                    Format::Yaml(_) => "YAML",
                };
                let key = match scope {
                    Scope::Local => format!(
                        "`{}[\"{}\"].{}`",
                        some.table[0], some.table[1], some.table[2]
                    ),
                    _ => format!("`{}`", some.table.join(".")),
                };
                let syntax = adapter.reference_syntax();
                let delivery = if syntax.resolves() {
                    format!("exec, env-ref (`{syntax}`)")
                } else {
                    "exec".to_owned()
                };
                out.push_str(&format!(
                    "| {id} | {scope} | {} | {} | {} | {format}: {key} | {delivery} |\n",
                    path(0),
                    path(1),
                    path(2)
                ));
            }
        }
        out
    }

    /// The README's short table: each client, its scopes, its delivery
    /// modes, linked to its page.
    fn summary_table() -> String {
        let mut out = String::from("| client | scopes | delivery |\n|---|---|---|\n");
        for id in ClientId::ALL {
            let scopes: Vec<String> = id.scopes().iter().map(|s| s.to_string()).collect();
            let delivery = if adapter(id).reference_syntax().resolves() {
                "exec, env-ref"
            } else {
                "exec"
            };
            out.push_str(&format!(
                "| [{id}](docs/clients/{id}.md) | {} | {delivery} |\n",
                scopes.join(", ")
            ));
        }
        out
    }

    /// The tables must say what the adapters do: the README's summary and
    /// the full table of the clients' index page. Run with
    /// `MCPCTL_UPDATE_README=1` to rewrite them after changing an adapter.
    #[test]
    fn readme_client_table_matches_the_adapters() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        check_generated_table(&root.join("README.md"), SUMMARY, &summary_table());
        check_generated_table(
            &root.join("docs").join("clients").join("README.md"),
            TABLE,
            &readme_table(None),
        );
    }

    /// Each client's page in `docs/clients/` holds its rows of the table.
    #[test]
    fn client_pages_match_the_adapters() {
        for id in ClientId::ALL {
            let path = Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("docs")
                .join("clients")
                .join(format!("{id}.md"));
            check_generated_table(&path, TABLE, &readme_table(Some(id)));
        }
    }

    /// The markers around the full table (client pages, clients' index).
    const TABLE: &str = "clients-table";
    /// The markers around the README's summary.
    const SUMMARY: &str = "clients-summary";

    /// Compares the table between the `marker` markers in `path` with
    /// `table`, or rewrites it under `MCPCTL_UPDATE_README`.
    fn check_generated_table(path: &Path, marker: &str, table: &str) {
        let begin = format!(
            "<!-- {marker}: generated from src/client, see readme_client_table_matches_the_adapters -->\n"
        );
        let end_marker = format!("<!-- {marker} end -->");
        let readme = fs_err::read_to_string(path).unwrap();
        let start = readme
            .find(&begin)
            .unwrap_or_else(|| panic!("`{}` has no table markers", path.display()))
            + begin.len();
        let end = readme[start..]
            .find(&end_marker)
            .unwrap_or_else(|| panic!("`{}` has no end marker", path.display()))
            + start;
        if std::env::var_os("MCPCTL_UPDATE_README").is_some() {
            let updated = format!("{}{table}{}", &readme[..start], &readme[end..]);
            fs_err::write(path, updated).unwrap();
            return;
        }
        assert_eq!(
            &readme[start..end],
            table,
            "the client table of `{}` is stale: run `MCPCTL_UPDATE_README=1 cargo test --lib client_`",
            path.display()
        );
    }

    #[test]
    fn windows_wraps_what_is_not_an_exe() {
        let args = vec!["-y".to_owned(), "pkg".to_owned()];
        assert_eq!(
            spawnable(Os::Windows, "npx", &args),
            (
                "cmd".to_owned(),
                vec!["/c".into(), "npx".into(), "-y".into(), "pkg".into()]
            )
        );
        assert_eq!(
            spawnable(Os::Windows, "tool.CMD", &[]),
            ("cmd".to_owned(), vec!["/c".into(), "tool.CMD".into()])
        );
        assert_eq!(
            spawnable(Os::Windows, r"C:\bin\server.EXE", &args).0,
            r"C:\bin\server.EXE"
        );
        assert_eq!(spawnable(Os::Windows, "cmd", &args).0, "cmd");
        assert_eq!(spawnable(Os::Linux, "npx", &args).0, "npx");
        assert_eq!(spawnable(Os::Macos, "npx", &args).0, "npx");
    }

    #[test]
    fn every_adapter_knows_its_scopes() {
        for id in ClientId::ALL {
            let adapter = adapter(id);
            assert_eq!(adapter.id(), id);
            assert_scopes(adapter);
        }
    }

    /// A server whose credential fills the variable of its own name, which
    /// every client that resolves references can deliver.
    fn same_name_server() -> Server {
        let mut server = github_server();
        server.env.insert(
            "GITHUB_PERSONAL_ACCESS_TOKEN".into(),
            EnvValue::Credential {
                credential: "GITHUB_PERSONAL_ACCESS_TOKEN".into(),
            },
        );
        server
    }

    #[test]
    fn exec_entries_never_carry_a_reference_and_env_ref_ones_never_the_launcher() {
        let server = same_name_server();
        for id in ClientId::ALL {
            let adapter = adapter(id);
            let exec =
                serde_json::to_string(&entry(adapter, &server, Delivery::Exec, Os::Linux)).unwrap();
            assert!(
                exec.contains("GITHUB_PERSONAL_ACCESS_TOKEN=GITHUB_PERSONAL_ACCESS_TOKEN"),
                "{id}: {exec}"
            );
            assert!(
                !exec.contains("env:") && !exec.contains("${"),
                "{id}: {exec}"
            );
            let env_ref =
                serde_json::to_string(&entry(adapter, &server, Delivery::EnvRef, Os::Linux))
                    .unwrap();
            if adapter.reference_syntax().resolves() {
                assert!(!env_ref.contains("\"exec\""), "{id}: {env_ref}");
            } else {
                assert_eq!(env_ref, exec, "{id} keeps exec");
            }
        }
    }

    #[test]
    fn clients_without_references_say_why_they_keep_exec() {
        let launcher = Launcher::bare();
        let cx = cx(&launcher, Delivery::EnvRef, Os::Linux);
        for id in ClientId::ALL {
            let adapter = adapter(id);
            let rendered = adapter.render(&same_name_server(), &cx);
            assert_eq!(
                rendered
                    .notes
                    .contains(&RenderNote::KeepsExec { client: id }),
                !adapter.reference_syntax().resolves(),
                "{id}: {:?}",
                rendered.notes
            );
        }
    }

    #[test]
    fn secret_headers_go_through_the_bridge_or_by_reference() {
        let launcher = Launcher::bare();
        let server = secret_remote_server();
        for id in ClientId::ALL {
            let adapter = adapter(id);
            let exec = adapter.render(&server, &cx(&launcher, Delivery::Exec, Os::Linux));
            let exec = serde_json::to_string(&exec.entry.expect("the bridge")).unwrap();
            assert!(exec.contains("\"--url\""), "{id}: {exec}");
            // A client that resolves no references keeps exec: the bridge.
            let env_ref = adapter.render(&server, &cx(&launcher, Delivery::EnvRef, Os::Linux));
            let env_ref = serde_json::to_string(&env_ref.entry.expect("an entry")).unwrap();
            assert_eq!(
                env_ref.contains("\"--url\""),
                !adapter.reference_syntax().resolves(),
                "{id}: {env_ref}"
            );
        }
    }
}
