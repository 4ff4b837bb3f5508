//! Zed: its `settings.json` (`~/.config/zed` on Linux and macOS,
//! `%APPDATA%\Zed` on Windows) and a project's `.zed/settings.json`, JSONC
//! under `context_servers`. A custom stdio server is `"source": "custom"`
//! with `command`/`args`/`env` (Zed's MCP docs); a remote one `url` and
//! `headers`. Zed resolves no variables in these entries: secrets arrive
//! through `mcpctl exec`.

use std::path::{Path, PathBuf};

use super::{Adapter, ClientFile, JsonShape, RenderContext, Rendered, render_json};
use crate::document::Format;
use crate::host::{Host, Os};
use crate::manifest::{ClientId, Scope, Server};

pub struct Zed;

const SHAPE: JsonShape = JsonShape {
    stdio_type: None,
    remote_type: None,
    url_key: "url",
    stdio_extra: &[("source", "custom")],
    remote: true,
};

fn dir(host: &Host) -> PathBuf {
    match host.os {
        Os::Windows => host.config_dir().join("Zed"),
        Os::Linux | Os::Macos => host.xdg_config_dir().join("zed"),
    }
}

impl Adapter for Zed {
    fn id(&self) -> ClientId {
        ClientId::Zed
    }

    fn file(&self, scope: Scope, host: &Host, project_root: &Path) -> Option<ClientFile> {
        let dir = match scope {
            Scope::User => dir(host),
            Scope::Project => project_root.join(".zed"),
            Scope::Local => return None,
        };
        Some(ClientFile {
            client: ClientId::Zed,
            scope,
            path: dir.join("settings.json"),
            format: Format::Jsonc {
                trailing_commas: true,
            },
            table: vec!["context_servers".to_owned()],
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
    use crate::manifest::Delivery;
    use serde_json::json;

    #[test]
    fn file_per_platform() {
        let root = Path::new("/repo");
        assert_eq!(
            path_of(Zed.file(Scope::User, &macos(), root)),
            Path::new("/Users/a/.config/zed/settings.json")
        );
        let xdg = host(Os::Linux, "/home/a", &[("XDG_CONFIG_HOME", "/xdg")]);
        assert_eq!(
            path_of(Zed.file(Scope::User, &xdg, root)),
            Path::new("/xdg/zed/settings.json")
        );
        assert_eq!(
            path_of(Zed.file(Scope::User, &windows(), root)),
            PathBuf::from(r"C:\Users\a\AppData\Roaming")
                .join("Zed")
                .join("settings.json")
        );
        assert_eq!(
            path_of(Zed.file(Scope::Project, &linux(), root)),
            Path::new("/repo/.zed/settings.json")
        );
    }

    #[test]
    fn custom_source_and_exec() {
        assert_eq!(
            entry(&Zed, &github_server(), Delivery::EnvRef, Os::Linux),
            json!({
                "source": "custom",
                "command": "mcpctl",
                "args": ["exec", "--server", "github", "--env", "GITHUB_PERSONAL_ACCESS_TOKEN=GITHUB_TOKEN", "--", "npx", "-y", "@modelcontextprotocol/server-github"],
                "env": {"GITHUB_TOOLSETS": "repos,issues"}
            })
        );
    }
}
