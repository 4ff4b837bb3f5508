//! The facts of the clients added from their own documentation and
//! source (December 2026; `docs/clients/<id>.md` names the sources): files
//! per OS and scope, entries, and the literal text each would expand.

use std::path::{Path, PathBuf};

use serde_json::json;

use crate::client::test_support::*;
use crate::client::{Launcher, RenderNote, adapter};
use crate::document::Format;
use crate::host::Os;
use crate::manifest::{ClientId, Delivery, Scope};

/// Each client's user file on Linux, macOS and Windows, and project file.
#[test]
fn added_clients_files_per_os_and_scope() {
    let root = Path::new("/repo");
    let win = |parts: &[&str]| {
        parts
            .iter()
            .fold(PathBuf::from(r"C:\Users\a"), |p, part| p.join(part))
    };
    let cases: [(ClientId, &str, &str, PathBuf, &str); 8] = [
        (
            ClientId::CopilotCli,
            "/home/a/.copilot/mcp-config.json",
            "/Users/a/.copilot/mcp-config.json",
            win(&[".copilot", "mcp-config.json"]),
            "/repo/.github/mcp.json",
        ),
        (
            ClientId::QwenCode,
            "/home/a/.qwen/settings.json",
            "/Users/a/.qwen/settings.json",
            win(&[".qwen", "settings.json"]),
            "/repo/.qwen/settings.json",
        ),
        (
            ClientId::Augment,
            "/home/a/.augment/settings.json",
            "/Users/a/.augment/settings.json",
            win(&[".augment", "settings.json"]),
            "/repo/.augment/settings.json",
        ),
        (
            ClientId::Amp,
            "/home/a/.config/amp/settings.json",
            "/Users/a/.config/amp/settings.json",
            win(&[".config", "amp", "settings.json"]),
            "/repo/.amp/settings.json",
        ),
        (
            ClientId::Kiro,
            "/home/a/.kiro/settings/mcp.json",
            "/Users/a/.kiro/settings/mcp.json",
            win(&[".kiro", "settings", "mcp.json"]),
            "/repo/.kiro/settings/mcp.json",
        ),
        (
            ClientId::Junie,
            "/home/a/.junie/mcp/mcp.json",
            "/Users/a/.junie/mcp/mcp.json",
            win(&[".junie", "mcp", "mcp.json"]),
            "/repo/.junie/mcp/mcp.json",
        ),
        (
            ClientId::RooCode,
            "/home/a/.config/Code/User/globalStorage/rooveterinaryinc.roo-cline/settings/mcp_settings.json",
            "/Users/a/Library/Application Support/Code/User/globalStorage/rooveterinaryinc.roo-cline/settings/mcp_settings.json",
            [
                "Code",
                "User",
                "globalStorage",
                "rooveterinaryinc.roo-cline",
                "settings",
                "mcp_settings.json",
            ]
            .iter()
            .fold(PathBuf::from(r"C:\Users\a\AppData\Roaming"), |p, part| {
                p.join(part)
            }),
            "/repo/.roo/mcp.json",
        ),
        (
            ClientId::Crush,
            "/home/a/.config/crush/crush.json",
            "/Users/a/.config/crush/crush.json",
            win(&[".config", "crush", "crush.json"]),
            "/repo/.crush.json",
        ),
    ];
    for (id, linux_user, macos_user, windows_user, project) in cases {
        let a = adapter(id);
        assert_eq!(
            path_of(a.file(Scope::User, &linux(), root)),
            Path::new(linux_user),
            "{id}"
        );
        assert_eq!(
            path_of(a.file(Scope::User, &macos(), root)),
            Path::new(macos_user),
            "{id}"
        );
        assert_eq!(
            path_of(a.file(Scope::User, &windows(), root)),
            windows_user,
            "{id}"
        );
        assert_eq!(
            path_of(a.file(Scope::Project, &linux(), root)),
            Path::new(project),
            "{id}"
        );
    }
}

/// `COPILOT_HOME`, `QWEN_HOME` and `CRUSH_GLOBAL_CONFIG` move the user
/// file; XDG_CONFIG_HOME moves Amp's and Crush's.
#[test]
fn added_clients_follow_their_relocating_variables() {
    let root = Path::new("/repo");
    let moved = host(
        Os::Linux,
        "/home/a",
        &[
            ("COPILOT_HOME", "/c"),
            ("QWEN_HOME", "/q"),
            ("CRUSH_GLOBAL_CONFIG", "/cr"),
            ("XDG_CONFIG_HOME", "/xdg"),
        ],
    );
    for (id, path) in [
        (ClientId::CopilotCli, "/c/mcp-config.json"),
        (ClientId::QwenCode, "/q/settings.json"),
        (ClientId::Crush, "/cr/crush.json"),
        (ClientId::Amp, "/xdg/amp/settings.json"),
    ] {
        assert_eq!(
            path_of(adapter(id).file(Scope::User, &moved, root)),
            Path::new(path),
            "{id}"
        );
    }
    // A relative value is no directory.
    let relative = host(Os::Linux, "/home/a", &[("COPILOT_HOME", "rel")]);
    assert_eq!(
        path_of(adapter(ClientId::CopilotCli).file(Scope::User, &relative, root)),
        Path::new("/home/a/.copilot/mcp-config.json")
    );
}

#[test]
fn added_clients_formats_and_keys() {
    let root = Path::new("/repo");
    let strict_jsonc = Format::Jsonc {
        trailing_commas: false,
    };
    let jsonc = Format::Jsonc {
        trailing_commas: true,
    };
    for (id, format, table) in [
        (ClientId::CopilotCli, jsonc, "mcpServers"),
        (ClientId::QwenCode, strict_jsonc, "mcpServers"),
        (ClientId::Augment, jsonc, "mcpServers"),
        (ClientId::Amp, jsonc, "amp.mcpServers"),
        (ClientId::Kiro, Format::Json, "mcpServers"),
        (ClientId::Junie, Format::Json, "mcpServers"),
        (ClientId::RooCode, Format::Json, "mcpServers"),
        (ClientId::Crush, Format::Json, "mcp"),
    ] {
        let file = adapter(id).file(Scope::User, &linux(), root).unwrap();
        assert_eq!(file.format, format, "{id}");
        // Amp's key is one key with a dot in it, not a path.
        assert_eq!(file.table, [table], "{id}");
    }
}

#[test]
fn added_clients_stdio_entries() {
    let exec_args = json!([
        "exec",
        "--server",
        "github",
        "--env",
        "GITHUB_PERSONAL_ACCESS_TOKEN=GITHUB_TOKEN",
        "--",
        "npx",
        "-y",
        "@modelcontextprotocol/server-github"
    ]);
    for (id, kind) in [
        (ClientId::CopilotCli, Some("local")),
        (ClientId::QwenCode, None),
        (ClientId::Augment, Some("stdio")),
        (ClientId::Amp, None),
        (ClientId::Kiro, None),
        (ClientId::Junie, None),
        (ClientId::RooCode, None),
        (ClientId::Crush, Some("stdio")),
    ] {
        let exec = entry(adapter(id), &github_server(), Delivery::Exec, Os::Linux);
        let mut expected = json!({
            "command": "mcpctl",
            "args": exec_args,
            "env": {"GITHUB_TOOLSETS": "repos,issues"}
        });
        if let Some(kind) = kind {
            expected["type"] = json!(kind);
        }
        assert_eq!(exec, expected, "{id}");
    }
    for (id, reference) in [
        (ClientId::CopilotCli, "${GITHUB_TOKEN}"),
        (ClientId::QwenCode, "${GITHUB_TOKEN}"),
        (ClientId::Kiro, "${GITHUB_TOKEN}"),
        (ClientId::RooCode, "${env:GITHUB_TOKEN}"),
        (ClientId::Crush, "${GITHUB_TOKEN}"),
    ] {
        let env_ref = entry(adapter(id), &github_server(), Delivery::EnvRef, Os::Linux);
        assert_eq!(env_ref["command"], "npx", "{id}");
        assert_eq!(
            env_ref["env"]["GITHUB_PERSONAL_ACCESS_TOKEN"], reference,
            "{id}"
        );
    }
}

/// Kiro documents `args` as required: written even when empty.
#[test]
fn kiro_always_writes_args() {
    let mut server = github_server();
    server.env.clear();
    server.transport = crate::manifest::Transport::Stdio {
        command: "server-bin".into(),
        args: vec![],
    };
    let entry = entry(adapter(ClientId::Kiro), &server, Delivery::Exec, Os::Linux);
    assert_eq!(entry, json!({"command": "server-bin", "args": []}));
}

#[test]
fn added_clients_remote_entries() {
    for (id, expected) in [
        (
            ClientId::CopilotCli,
            json!({"type": "http", "url": "https://mcp.example.com/mcp", "headers": {"X-Team": "platform", "Authorization": "Bearer ${SENTRY_TOKEN}"}}),
        ),
        (
            ClientId::QwenCode,
            json!({"httpUrl": "https://mcp.example.com/mcp", "headers": {"X-Team": "platform", "Authorization": "Bearer ${SENTRY_TOKEN}"}}),
        ),
        (
            ClientId::RooCode,
            json!({"type": "streamable-http", "url": "https://mcp.example.com/mcp", "headers": {"X-Team": "platform", "Authorization": "Bearer ${env:SENTRY_TOKEN}"}}),
        ),
        (
            ClientId::Crush,
            json!({"type": "http", "url": "https://mcp.example.com/mcp", "headers": {"X-Team": "platform", "Authorization": "Bearer ${SENTRY_TOKEN}"}}),
        ),
    ] {
        assert_eq!(
            entry(
                adapter(id),
                &secret_remote_server(),
                Delivery::EnvRef,
                Os::Linux
            ),
            expected,
            "{id}"
        );
    }
    assert_eq!(
        entry(
            adapter(ClientId::Amp),
            &remote_server(),
            Delivery::Exec,
            Os::Linux
        ),
        json!({"url": "https://mcp.example.com/mcp", "headers": {"X-Team": "platform"}})
    );
}

/// A server whose argument is `arg`.
fn with_arg(arg: &str) -> crate::manifest::Server {
    let mut server = github_server();
    if let crate::manifest::Transport::Stdio { args, .. } = &mut server.transport {
        args.push(arg.to_owned());
    }
    server
}

/// Crush expands `$(…)` as a shell would and would run the command: a
/// server whose literal text holds a `$` is left out, with the field.
#[test]
fn crush_never_gets_text_it_would_expand() {
    let launcher = Launcher::bare();
    for delivery in [Delivery::Exec, Delivery::EnvRef] {
        let rendered = adapter(ClientId::Crush).render(
            &with_arg("$(touch /tmp/pwned)"),
            &cx(&launcher, delivery, Os::Linux),
        );
        assert_eq!(rendered.entry, None, "{delivery:?}");
        let field = if delivery == Delivery::Exec {
            "args[9]"
        } else {
            "args[2]"
        };
        assert!(
            rendered.notes.contains(&RenderNote::WouldExpand {
                client: ClientId::Crush,
                field: field.into()
            }),
            "{delivery:?}: {:?}",
            rendered.notes
        );
    }
    // In a literal env value and in the manifest's path as well.
    let mut server = github_server();
    server.env.insert(
        "GITHUB_TOOLSETS".into(),
        crate::manifest::EnvValue::Literal {
            value: "a$HOME".into(),
        },
    );
    let rendered =
        adapter(ClientId::Crush).render(&server, &cx(&launcher, Delivery::EnvRef, Os::Linux));
    assert_eq!(rendered.entry, None);
    let owned = Launcher::bare().owned_by(Path::new("/home/a/$(id)/mcpctl.kdl"));
    let rendered =
        adapter(ClientId::Crush).render(&github_server(), &cx(&owned, Delivery::Exec, Os::Linux));
    assert_eq!(rendered.entry, None);
    // The references mcpctl writes on purpose are not literals.
    let env_ref = entry(
        adapter(ClientId::Crush),
        &github_server(),
        Delivery::EnvRef,
        Os::Linux,
    );
    assert_eq!(
        env_ref["env"]["GITHUB_PERSONAL_ACCESS_TOKEN"],
        "${GITHUB_TOKEN}"
    );
}

/// Qwen Code replaces `$NAME` and `${…}`, Roo Code `${env:…}`, Copilot
/// CLI and Kiro `${…}`, Auggie `$augment-…`: each refuses exactly those.
#[test]
fn each_added_client_refuses_only_what_it_expands() {
    let launcher = Launcher::bare();
    let left_out = |id: ClientId, arg: &str| {
        adapter(id)
            .render(&with_arg(arg), &cx(&launcher, Delivery::Exec, Os::Linux))
            .entry
            .is_none()
    };
    for (id, expanded, kept) in [
        (ClientId::QwenCode, "$HOME", "price$"),
        (ClientId::RooCode, "${env:HOME}", "$HOME"),
        (ClientId::CopilotCli, "${HOME}", "$HOME"),
        (ClientId::Kiro, "${HOME}", "$(id)"),
        (ClientId::Augment, "$augment-gh", "${HOME}"),
        (ClientId::Amp, "", "$(id)"),
        (ClientId::Junie, "", "$(id)"),
    ] {
        if !expanded.is_empty() {
            assert!(left_out(id, expanded), "{id} {expanded}");
        }
        assert!(!left_out(id, kept), "{id} {kept}");
    }
}

/// Visual Studio runs on Windows only: its files there, none elsewhere,
/// and it is detected by its settings directory, not by the home.
#[test]
fn visual_studio_is_windows_only() {
    let root = Path::new("/repo");
    let vs = adapter(ClientId::VisualStudio);
    let user = vs.file(Scope::User, &windows(), root).unwrap();
    assert_eq!(user.path, PathBuf::from(r"C:\Users\a").join(".mcp.json"));
    assert_eq!(user.table, ["servers"]);
    assert_eq!(user.format, Format::Json);
    assert_eq!(
        path_of(vs.file(Scope::Project, &windows(), root)),
        root.join(".vs").join("mcp.json")
    );
    for host in [linux(), macos()] {
        for scope in [Scope::User, Scope::Project] {
            assert_eq!(vs.file(scope, &host, root), None, "{scope}");
        }
        assert!(vs.markers(&host).is_empty());
    }
    assert_eq!(
        vs.markers(&windows()),
        [PathBuf::from(r"C:\Users\a\AppData\Roaming")
            .join("Microsoft")
            .join("VisualStudio")]
    );
    assert_eq!(
        entry(vs, &remote_server(), Delivery::Exec, Os::Windows),
        json!({"type": "http", "url": "https://mcp.example.com/mcp", "headers": {"X-Team": "platform"}})
    );
    assert_eq!(
        entry(vs, &github_server(), Delivery::EnvRef, Os::Windows)["type"],
        "stdio"
    );
}
