//! LM Studio: `~/.lmstudio/mcp.json` (user scope only, every OS), which
//! "follows Cursor's mcp.json notation" (LM Studio's MCP docs):
//! `mcpServers` with `command`/`args`/`env` or `url`/`headers`. No
//! environment references are documented: secrets arrive through
//! `mcpctl exec`.

use std::path::{Path, PathBuf};

use super::{Adapter, ClientFile, RenderContext, Rendered, render_json};
use crate::document::Format;
use crate::host::Host;
use crate::manifest::{ClientId, Scope, Server};

pub struct LmStudio;

fn dir(host: &Host) -> PathBuf {
    host.home_join(".lmstudio")
}

impl Adapter for LmStudio {
    fn id(&self) -> ClientId {
        ClientId::LmStudio
    }

    fn file(&self, scope: Scope, host: &Host, _project_root: &Path) -> Option<ClientFile> {
        (scope == Scope::User).then(|| ClientFile {
            client: ClientId::LmStudio,
            scope,
            path: dir(host).join("mcp.json"),
            format: Format::Jsonc {
                trailing_commas: false,
            },
            table: vec!["mcpServers".to_owned()],
        })
    }

    fn markers(&self, host: &Host) -> Vec<PathBuf> {
        vec![dir(host)]
    }

    fn render(&self, server: &Server, cx: &RenderContext<'_>) -> Rendered {
        render_json(self, super::cursor::SHAPE, server, cx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::client::test_support::*;

    #[test]
    fn file_per_platform() {
        let root = Path::new("/repo");
        assert_eq!(
            path_of(LmStudio.file(Scope::User, &macos(), root)),
            Path::new("/Users/a/.lmstudio/mcp.json")
        );
        assert_eq!(
            path_of(LmStudio.file(Scope::User, &windows(), root)),
            Path::new(r"C:\Users\a").join(".lmstudio").join("mcp.json")
        );
    }
}
