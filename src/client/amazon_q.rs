//! Amazon Q Developer CLI: `~/.aws/amazonq/mcp.json` (user) and
//! `.amazonq/mcp.json` (project), JSON under `mcpServers`; remote servers
//! are `"type": "http"` with `url` and `headers`. Newer releases read
//! agent files under `~/.aws/amazonq/cli-agents/` and still load these
//! files as the legacy MCP configuration. Whether it resolves environment
//! references is not documented, so it is treated as resolving none:
//! secrets arrive through `mcpctl exec`.

use std::path::{Path, PathBuf};

use super::{Adapter, ClientFile, JsonShape, RenderContext, Rendered, render_json};
use crate::document::Format;
use crate::host::Host;
use crate::manifest::{ClientId, Scope, Server};

pub struct AmazonQ;

const SHAPE: JsonShape = JsonShape {
    stdio_type: None,
    remote_type: Some("http"),
    url_key: "url",
    stdio_extra: &[],
    remote: true,
};

fn dir(host: &Host) -> PathBuf {
    host.home_join(".aws").join("amazonq")
}

impl Adapter for AmazonQ {
    fn id(&self) -> ClientId {
        ClientId::AmazonQ
    }

    fn file(&self, scope: Scope, host: &Host, project_root: &Path) -> Option<ClientFile> {
        let dir = match scope {
            Scope::User => dir(host),
            Scope::Project => project_root.join(".amazonq"),
            Scope::Local => return None,
        };
        Some(ClientFile {
            client: ClientId::AmazonQ,
            scope,
            path: dir.join("mcp.json"),
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
    fn files_per_scope() {
        let root = Path::new("/repo");
        assert_eq!(
            path_of(AmazonQ.file(Scope::User, &linux(), root)),
            Path::new("/home/a/.aws/amazonq/mcp.json")
        );
        assert_eq!(
            path_of(AmazonQ.file(Scope::User, &windows(), root)),
            Path::new(r"C:\Users\a")
                .join(".aws")
                .join("amazonq")
                .join("mcp.json")
        );
        assert_eq!(
            path_of(AmazonQ.file(Scope::Project, &macos(), root)),
            Path::new("/repo/.amazonq/mcp.json")
        );
    }

    #[test]
    fn remote_is_typed_http() {
        assert_eq!(
            entry(&AmazonQ, &remote_server(), Delivery::Exec, Os::Linux),
            json!({"type": "http", "url": "https://mcp.example.com/mcp", "headers": {"X-Team": "platform"}})
        );
    }
}
