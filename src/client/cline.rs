//! Cline (the VS Code extension): `cline_mcp_settings.json` in its VS Code
//! global storage (`Code/User/globalStorage/saoudrizwan.claude-dev/settings`),
//! user scope only, JSON under `mcpServers`. Remote servers are
//! `"type": "streamableHttp"` with `url` and `headers`. References are
//! `${env:VAR}` (resolved by Cline's config loader, per its source; not
//! run here). The standalone Cline CLI keeps its own copy under
//! `~/.cline/data/settings/`, which mcpctl does not manage.

use std::path::{Path, PathBuf};

use super::{Adapter, ClientFile, JsonShape, RenderContext, Rendered, render_json};
use crate::document::Format;
use crate::host::Host;
use crate::manifest::{ClientId, Scope, Server};

pub struct Cline;

const SHAPE: JsonShape = JsonShape {
    stdio_type: None,
    remote_type: Some("streamableHttp"),
    url_key: "url",
    stdio_extra: &[],
    remote: true,
};

fn dir(host: &Host) -> PathBuf {
    super::vscode::user_dir(host)
        .join("globalStorage")
        .join("saoudrizwan.claude-dev")
}

impl Adapter for Cline {
    fn id(&self) -> ClientId {
        ClientId::Cline
    }

    fn file(&self, scope: Scope, host: &Host, _project_root: &Path) -> Option<ClientFile> {
        (scope == Scope::User).then(|| ClientFile {
            client: ClientId::Cline,
            scope,
            path: dir(host).join("settings").join("cline_mcp_settings.json"),
            format: Format::Jsonc {
                trailing_commas: false,
            },
            table: vec!["mcpServers".to_owned()],
        })
    }

    fn markers(&self, host: &Host) -> Vec<PathBuf> {
        vec![dir(host)]
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
    fn file_per_platform() {
        let root = Path::new("/repo");
        assert_eq!(
            path_of(Cline.file(Scope::User, &macos(), root)),
            Path::new(
                "/Users/a/Library/Application Support/Code/User/globalStorage/saoudrizwan.claude-dev/settings/cline_mcp_settings.json"
            )
        );
        assert_eq!(
            path_of(Cline.file(Scope::User, &linux(), root)),
            Path::new(
                "/home/a/.config/Code/User/globalStorage/saoudrizwan.claude-dev/settings/cline_mcp_settings.json"
            )
        );
    }

    #[test]
    fn remote_is_streamable_http() {
        assert_eq!(
            entry(&Cline, &remote_server(), Delivery::Exec, Os::Linux),
            json!({"type": "streamableHttp", "url": "https://mcp.example.com/mcp", "headers": {"X-Team": "platform"}})
        );
    }
}
