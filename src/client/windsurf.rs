//! Windsurf: `~/.codeium/windsurf/mcp_config.json` (user scope only), JSON
//! under `mcpServers`. A remote server's URL is `serverUrl` (a Cursor-style
//! `url` does not connect). References are `${env:VAR}` (an unset one
//! becomes empty).

use std::path::{Path, PathBuf};

use super::{Adapter, ClientFile, JsonShape, RenderContext, Rendered, render_json};
use crate::document::Format;
use crate::host::Host;
use crate::manifest::{ClientId, Scope, Server};

pub struct Windsurf;

const SHAPE: JsonShape = JsonShape {
    stdio_type: None,
    remote_type: None,
    url_key: "serverUrl",
    stdio_extra: &[],
    remote: true,
};

fn dir(host: &Host) -> PathBuf {
    host.home_join(".codeium").join("windsurf")
}

impl Adapter for Windsurf {
    fn id(&self) -> ClientId {
        ClientId::Windsurf
    }

    fn file(&self, scope: Scope, host: &Host, _project_root: &Path) -> Option<ClientFile> {
        (scope == Scope::User).then(|| ClientFile {
            client: ClientId::Windsurf,
            scope,
            path: dir(host).join("mcp_config.json"),
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
            path_of(Windsurf.file(Scope::User, &linux(), root)),
            Path::new("/home/a/.codeium/windsurf/mcp_config.json")
        );
        assert_eq!(
            path_of(Windsurf.file(Scope::User, &windows(), root)),
            Path::new(r"C:\Users\a")
                .join(".codeium")
                .join("windsurf")
                .join("mcp_config.json")
        );
    }

    #[test]
    fn remote_servers_use_server_url() {
        assert_eq!(
            entry(
                &Windsurf,
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
}
