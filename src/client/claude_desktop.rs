//! Claude Desktop: `claude_desktop_config.json` in the app's config
//! directory (`~/Library/Application Support/Claude`, `%APPDATA%\Claude`;
//! `~/.config/Claude` for the community Linux builds), strict JSON under
//! `mcpServers`.
//!
//! It resolves no environment variables and, started from the Dock or the
//! Start menu, gets no shell environment anyway: secrets always arrive
//! through `mcpctl exec`. Remote servers are added in the app (Settings →
//! Connectors), not in this file, so none are written here.

use std::path::{Path, PathBuf};

use super::{Adapter, ClientFile, JsonShape, RenderContext, Rendered, render_json};
use crate::document::Format;
use crate::host::Host;
use crate::manifest::{ClientId, Scope, Server};

pub struct ClaudeDesktop;

const SHAPE: JsonShape = JsonShape {
    stdio_type: None,
    remote_type: None,
    url_key: "url",
    stdio_extra: &[],
    remote: false,
};

fn dir(host: &Host) -> PathBuf {
    host.config_dir().join("Claude")
}

impl Adapter for ClaudeDesktop {
    fn id(&self) -> ClientId {
        ClientId::ClaudeDesktop
    }

    fn file(&self, scope: Scope, host: &Host, _project_root: &Path) -> Option<ClientFile> {
        (scope == Scope::User).then(|| ClientFile {
            client: ClientId::ClaudeDesktop,
            scope,
            path: dir(host).join("claude_desktop_config.json"),
            format: Format::Json,
            table: vec!["mcpServers".to_owned()],
        })
    }

    fn markers(&self, host: &Host) -> Vec<PathBuf> {
        vec![dir(host)]
    }

    fn render(&self, server: &Server, cx: &RenderContext<'_>) -> Rendered {
        render_json(self, SHAPE, server, cx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::client::test_support::*;
    use crate::host::Os;
    use crate::manifest::Delivery;
    use serde_json::json;

    #[test]
    fn file_per_platform() {
        let root = Path::new("/repo");
        assert_eq!(
            path_of(ClaudeDesktop.file(Scope::User, &macos(), root)),
            Path::new("/Users/a/Library/Application Support/Claude/claude_desktop_config.json")
        );
        assert_eq!(
            path_of(ClaudeDesktop.file(Scope::User, &windows(), root)),
            PathBuf::from(r"C:\Users\a\AppData\Roaming")
                .join("Claude")
                .join("claude_desktop_config.json")
        );
        assert_eq!(
            path_of(ClaudeDesktop.file(Scope::User, &linux(), root)),
            Path::new("/home/a/.config/Claude/claude_desktop_config.json")
        );
    }

    #[test]
    fn always_exec_and_no_remote_servers() {
        let entry = entry(
            &ClaudeDesktop,
            &github_server(),
            Delivery::EnvRef,
            Os::Macos,
        );
        assert_eq!(entry["command"], "mcpctl");
        assert!(entry.get("type").is_none());
        let launcher = crate::client::Launcher::bare();
        let remote =
            ClaudeDesktop.render(&remote_server(), &cx(&launcher, Delivery::Exec, Os::Macos));
        assert_eq!(remote.entry, None);
        assert!(remote.notes[0].contains("in the app"), "{:?}", remote.notes);
        let no_secret = super::super::test_support::entry(
            &ClaudeDesktop,
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
}
