//! Cursor: `~/.cursor/mcp.json` (user) and `.cursor/mcp.json` (project),
//! JSON under `mcpServers`: `command`/`args`/`env`, or `url`/`headers` for
//! a remote server. References are `${env:VAR}` (Cursor's MCP docs).
//! Comments in the file are kept; none are added.

use std::path::{Path, PathBuf};

use super::{Adapter, ClientFile, JsonShape, RenderContext, Rendered, render_json};
use crate::document::Format;
use crate::host::Host;
use crate::manifest::{ClientId, Scope, Server};

pub struct Cursor;

/// The plain `mcpServers` shape Cursor introduced and LM Studio follows.
pub(crate) const SHAPE: JsonShape = JsonShape {
    stdio_type: None,
    remote_type: None,
    url_key: "url",
    stdio_extra: &[],
    remote: true,
};

impl Adapter for Cursor {
    fn id(&self) -> ClientId {
        ClientId::Cursor
    }

    fn file(&self, scope: Scope, host: &Host, project_root: &Path) -> Option<ClientFile> {
        let dir = match scope {
            Scope::User => host.home_join(".cursor"),
            Scope::Project => project_root.join(".cursor"),
            Scope::Local => return None,
        };
        Some(ClientFile {
            client: ClientId::Cursor,
            scope,
            path: dir.join("mcp.json"),
            format: Format::Jsonc {
                trailing_commas: false,
            },
            table: vec!["mcpServers".to_owned()],
        })
    }

    fn markers(&self, host: &Host) -> Vec<PathBuf> {
        vec![host.home_join(".cursor")]
    }

    fn reference_syntax(&self) -> Option<&'static str> {
        Some("${env:VAR}")
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
    fn files_per_scope_and_platform() {
        let root = Path::new("/repo");
        assert_eq!(
            path_of(Cursor.file(Scope::User, &linux(), root)),
            Path::new("/home/a/.cursor/mcp.json")
        );
        assert_eq!(
            path_of(Cursor.file(Scope::User, &macos(), root)),
            Path::new("/Users/a/.cursor/mcp.json")
        );
        assert_eq!(
            path_of(Cursor.file(Scope::User, &windows(), root)),
            Path::new(r"C:\Users\a").join(".cursor").join("mcp.json")
        );
        assert_eq!(
            path_of(Cursor.file(Scope::Project, &linux(), root)),
            Path::new("/repo/.cursor/mcp.json")
        );
    }

    #[test]
    fn shapes() {
        assert_eq!(
            entry(
                &Cursor,
                &secret_remote_server(),
                Delivery::EnvRef,
                Os::Linux
            ),
            json!({
                "url": "https://mcp.example.com/mcp",
                "headers": {"X-Team": "platform", "Authorization": "Bearer ${env:SENTRY_TOKEN}"}
            })
        );
        let stdio = entry(&Cursor, &github_server(), Delivery::EnvRef, Os::Linux);
        assert!(stdio.get("type").is_none());
        assert_eq!(
            stdio["env"]["GITHUB_PERSONAL_ACCESS_TOKEN"],
            "${env:GITHUB_TOKEN}"
        );
    }
}
