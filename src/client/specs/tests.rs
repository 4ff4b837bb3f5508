//! Each uniform client's facts, as its spec gives them: files per OS and
//! scope, and the entries it gets.

use std::path::{Path, PathBuf};

use serde_json::json;

use crate::client::test_support::*;
use crate::client::{Launcher, RenderNote, adapter};
use crate::document::Format;
use crate::host::Os;
use crate::manifest::{ClientId, Delivery, Scope};

// claude_desktop
#[test]
fn claude_desktop_file_per_platform() {
    let root = Path::new("/repo");
    assert_eq!(
        path_of(adapter(ClientId::ClaudeDesktop).file(Scope::User, &macos(), root)),
        Path::new("/Users/a/Library/Application Support/Claude/claude_desktop_config.json")
    );
    assert_eq!(
        path_of(adapter(ClientId::ClaudeDesktop).file(Scope::User, &windows(), root)),
        PathBuf::from(r"C:\Users\a\AppData\Roaming")
            .join("Claude")
            .join("claude_desktop_config.json")
    );
    assert_eq!(
        path_of(adapter(ClientId::ClaudeDesktop).file(Scope::User, &linux(), root)),
        Path::new("/home/a/.config/Claude/claude_desktop_config.json")
    );
}

#[test]
fn claude_desktop_always_exec_and_no_remote_servers() {
    let exec = entry(
        adapter(ClientId::ClaudeDesktop),
        &github_server(),
        Delivery::EnvRef,
        Os::Macos,
    );
    assert_eq!(exec["command"], "mcpctl");
    assert!(exec.get("type").is_none());
    let launcher = Launcher::bare();
    let remote = adapter(ClientId::ClaudeDesktop)
        .render(&remote_server(), &cx(&launcher, Delivery::Exec, Os::Macos));
    assert_eq!(remote.entry, None);
    assert_eq!(
        remote.notes,
        [RenderNote::RemoteOnlyInApp {
            client: ClientId::ClaudeDesktop
        }]
    );
    let no_secret = entry(
        adapter(ClientId::ClaudeDesktop),
        &{
            let mut s = github_server();
            s.env.clear();
            s
        },
        Delivery::Exec,
        Os::Windows,
    );
    assert_eq!(
        no_secret,
        json!({"command": "cmd", "args": ["/c", "npx", "-y", "@modelcontextprotocol/server-github"]})
    );
}

// vscode
#[test]
fn vscode_user_file_per_platform() {
    let root = Path::new("/repo");
    assert_eq!(
        path_of(adapter(ClientId::Vscode).file(Scope::User, &linux(), root)),
        Path::new("/home/a/.config/Code/User/mcp.json")
    );
    assert_eq!(
        path_of(adapter(ClientId::Vscode).file(Scope::User, &macos(), root)),
        Path::new("/Users/a/Library/Application Support/Code/User/mcp.json")
    );
    assert_eq!(
        path_of(adapter(ClientId::Vscode).file(Scope::User, &windows(), root)),
        PathBuf::from(r"C:\Users\a\AppData\Roaming")
            .join("Code")
            .join("User")
            .join("mcp.json")
    );
    assert_eq!(
        path_of(adapter(ClientId::Vscode).file(Scope::Project, &linux(), root)),
        Path::new("/repo/.vscode/mcp.json")
    );
}

#[test]
fn vscode_env_ref_uses_env_colon() {
    let entry = entry(
        adapter(ClientId::Vscode),
        &github_server(),
        Delivery::EnvRef,
        Os::Linux,
    );
    assert_eq!(
        entry["env"]["GITHUB_PERSONAL_ACCESS_TOKEN"],
        "${env:GITHUB_TOKEN}"
    );
    assert_eq!(entry["command"], "npx");
}

// cursor
#[test]
fn cursor_files_per_scope_and_platform() {
    let root = Path::new("/repo");
    assert_eq!(
        path_of(adapter(ClientId::Cursor).file(Scope::User, &linux(), root)),
        Path::new("/home/a/.cursor/mcp.json")
    );
    assert_eq!(
        path_of(adapter(ClientId::Cursor).file(Scope::User, &macos(), root)),
        Path::new("/Users/a/.cursor/mcp.json")
    );
    assert_eq!(
        path_of(adapter(ClientId::Cursor).file(Scope::User, &windows(), root)),
        Path::new(r"C:\Users\a").join(".cursor").join("mcp.json")
    );
    assert_eq!(
        path_of(adapter(ClientId::Cursor).file(Scope::Project, &linux(), root)),
        Path::new("/repo/.cursor/mcp.json")
    );
}

#[test]
fn cursor_shapes() {
    assert_eq!(
        entry(
            adapter(ClientId::Cursor),
            &secret_remote_server(),
            Delivery::EnvRef,
            Os::Linux
        ),
        json!({
            "url": "https://mcp.example.com/mcp",
            "headers": {"X-Team": "platform", "Authorization": "Bearer ${env:SENTRY_TOKEN}"}
        })
    );
    let stdio = entry(
        adapter(ClientId::Cursor),
        &github_server(),
        Delivery::EnvRef,
        Os::Linux,
    );
    assert!(stdio.get("type").is_none());
    assert_eq!(
        stdio["env"]["GITHUB_PERSONAL_ACCESS_TOKEN"],
        "${env:GITHUB_TOKEN}"
    );
}

// windsurf
#[test]
fn windsurf_file_per_platform() {
    let root = Path::new("/repo");
    assert_eq!(
        path_of(adapter(ClientId::Windsurf).file(Scope::User, &linux(), root)),
        Path::new("/home/a/.codeium/windsurf/mcp_config.json")
    );
    assert_eq!(
        path_of(adapter(ClientId::Windsurf).file(Scope::User, &windows(), root)),
        Path::new(r"C:\Users\a")
            .join(".codeium")
            .join("windsurf")
            .join("mcp_config.json")
    );
}

#[test]
fn windsurf_remote_servers_use_server_url() {
    assert_eq!(
        entry(
            adapter(ClientId::Windsurf),
            &secret_remote_server(),
            Delivery::EnvRef,
            Os::Macos
        ),
        json!({
            "serverUrl": "https://mcp.example.com/mcp",
            "headers": {"X-Team": "platform", "Authorization": "Bearer ${env:SENTRY_TOKEN}"}
        })
    );
}

// gemini
#[test]
fn gemini_files_per_scope() {
    let root = Path::new("/repo");
    assert_eq!(
        path_of(adapter(ClientId::GeminiCli).file(Scope::User, &macos(), root)),
        Path::new("/Users/a/.gemini/settings.json")
    );
    assert_eq!(
        path_of(adapter(ClientId::GeminiCli).file(Scope::User, &windows(), root)),
        Path::new(r"C:\Users\a")
            .join(".gemini")
            .join("settings.json")
    );
    let project = adapter(ClientId::GeminiCli)
        .file(Scope::Project, &linux(), root)
        .unwrap();
    assert_eq!(project.path, Path::new("/repo/.gemini/settings.json"));
    assert_eq!(
        project.format,
        Format::Jsonc {
            trailing_commas: false
        }
    );
}

#[test]
fn gemini_shapes() {
    assert_eq!(
        entry(
            adapter(ClientId::GeminiCli),
            &secret_remote_server(),
            Delivery::EnvRef,
            Os::Linux
        ),
        json!({
            "httpUrl": "https://mcp.example.com/mcp",
            "headers": {"X-Team": "platform", "Authorization": "Bearer ${SENTRY_TOKEN}"}
        })
    );
    assert_eq!(
        entry(
            adapter(ClientId::GeminiCli),
            &github_server(),
            Delivery::EnvRef,
            Os::Linux
        )["env"]["GITHUB_PERSONAL_ACCESS_TOKEN"],
        "${GITHUB_TOKEN}"
    );
}

// zed
#[test]
fn zed_file_per_platform() {
    let root = Path::new("/repo");
    assert_eq!(
        path_of(adapter(ClientId::Zed).file(Scope::User, &macos(), root)),
        Path::new("/Users/a/.config/zed/settings.json")
    );
    let xdg = host(Os::Linux, "/home/a", &[("XDG_CONFIG_HOME", "/xdg")]);
    assert_eq!(
        path_of(adapter(ClientId::Zed).file(Scope::User, &xdg, root)),
        Path::new("/xdg/zed/settings.json")
    );
    assert_eq!(
        path_of(adapter(ClientId::Zed).file(Scope::User, &windows(), root)),
        PathBuf::from(r"C:\Users\a\AppData\Roaming")
            .join("Zed")
            .join("settings.json")
    );
    assert_eq!(
        path_of(adapter(ClientId::Zed).file(Scope::Project, &linux(), root)),
        Path::new("/repo/.zed/settings.json")
    );
}

#[test]
fn zed_custom_source_and_exec() {
    assert_eq!(
        entry(
            adapter(ClientId::Zed),
            &github_server(),
            Delivery::EnvRef,
            Os::Linux
        ),
        json!({
            "source": "custom",
            "command": "mcpctl",
            "args": ["exec", "--server", "github", "--env", "GITHUB_PERSONAL_ACCESS_TOKEN=GITHUB_TOKEN", "--", "npx", "-y", "@modelcontextprotocol/server-github"],
            "env": {"GITHUB_TOOLSETS": "repos,issues"}
        })
    );
}

// cline
#[test]
fn cline_file_per_platform() {
    let root = Path::new("/repo");
    assert_eq!(
        path_of(adapter(ClientId::Cline).file(Scope::User, &macos(), root)),
        Path::new(
            "/Users/a/Library/Application Support/Code/User/globalStorage/saoudrizwan.claude-dev/settings/cline_mcp_settings.json"
        )
    );
    assert_eq!(
        path_of(adapter(ClientId::Cline).file(Scope::User, &linux(), root)),
        Path::new(
            "/home/a/.config/Code/User/globalStorage/saoudrizwan.claude-dev/settings/cline_mcp_settings.json"
        )
    );
}

#[test]
fn cline_remote_is_streamable_http() {
    assert_eq!(
        entry(
            adapter(ClientId::Cline),
            &remote_server(),
            Delivery::Exec,
            Os::Linux
        ),
        json!({"type": "streamableHttp", "url": "https://mcp.example.com/mcp", "headers": {"X-Team": "platform"}})
    );
}

// opencode
#[test]
fn opencode_files_per_scope() {
    let root = Path::new("/repo");
    assert_eq!(
        path_of(adapter(ClientId::Opencode).file(Scope::User, &macos(), root)),
        Path::new("/Users/a/.config/opencode/opencode.json")
    );
    assert_eq!(
        path_of(adapter(ClientId::Opencode).file(Scope::User, &windows(), root)),
        Path::new(r"C:\Users\a")
            .join(".config")
            .join("opencode")
            .join("opencode.json")
    );
    assert_eq!(
        path_of(adapter(ClientId::Opencode).file(Scope::Project, &linux(), root)),
        Path::new("/repo/opencode.json")
    );
}

#[test]
fn opencode_command_is_one_array_and_env_is_environment() {
    assert_eq!(
        entry(
            adapter(ClientId::Opencode),
            &github_server(),
            Delivery::EnvRef,
            Os::Linux
        ),
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
        entry(
            adapter(ClientId::Opencode),
            &github_server(),
            Delivery::Exec,
            Os::Linux
        )["command"][0],
        "mcpctl"
    );
    assert_eq!(
        entry(
            adapter(ClientId::Opencode),
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

// amazon_q
#[test]
fn amazon_q_files_per_scope() {
    let root = Path::new("/repo");
    assert_eq!(
        path_of(adapter(ClientId::AmazonQ).file(Scope::User, &linux(), root)),
        Path::new("/home/a/.aws/amazonq/mcp.json")
    );
    assert_eq!(
        path_of(adapter(ClientId::AmazonQ).file(Scope::User, &windows(), root)),
        Path::new(r"C:\Users\a")
            .join(".aws")
            .join("amazonq")
            .join("mcp.json")
    );
    assert_eq!(
        path_of(adapter(ClientId::AmazonQ).file(Scope::Project, &macos(), root)),
        Path::new("/repo/.amazonq/mcp.json")
    );
}

#[test]
fn amazon_q_remote_is_typed_http() {
    assert_eq!(
        entry(
            adapter(ClientId::AmazonQ),
            &remote_server(),
            Delivery::Exec,
            Os::Linux
        ),
        json!({"type": "http", "url": "https://mcp.example.com/mcp", "headers": {"X-Team": "platform"}})
    );
}

// lm_studio
#[test]
fn lm_studio_file_per_platform() {
    let root = Path::new("/repo");
    assert_eq!(
        path_of(adapter(ClientId::LmStudio).file(Scope::User, &macos(), root)),
        Path::new("/Users/a/.lmstudio/mcp.json")
    );
    assert_eq!(
        path_of(adapter(ClientId::LmStudio).file(Scope::User, &windows(), root)),
        Path::new(r"C:\Users\a").join(".lmstudio").join("mcp.json")
    );
}
