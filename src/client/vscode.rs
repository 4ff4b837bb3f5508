//! VS Code: the user profile's `mcp.json` and a workspace's
//! `.vscode/mcp.json`, JSONC under `servers` (beside `inputs`). VS Code
//! accepts comments and trailing commas; mcpctl keeps whatever the file has
//! and adds neither. References are `${env:VAR}`.

use std::path::{Path, PathBuf};

use super::{Adapter, ClientFile, RenderContext, Rendered, render_json};
use crate::document::Format;
use crate::host::Host;
use crate::manifest::{ClientId, Scope, Server};

pub struct Vscode;

/// The VS Code user profile directory (`Code/User`), which Cline's
/// settings also live under.
pub(crate) fn user_dir(host: &Host) -> PathBuf {
    host.config_dir().join("Code").join("User")
}

impl Adapter for Vscode {
    fn id(&self) -> ClientId {
        ClientId::Vscode
    }

    fn file(&self, scope: Scope, host: &Host, project_root: &Path) -> Option<ClientFile> {
        let path = match scope {
            Scope::User => user_dir(host).join("mcp.json"),
            Scope::Project => project_root.join(".vscode").join("mcp.json"),
            Scope::Local => return None,
        };
        Some(ClientFile {
            client: ClientId::Vscode,
            scope,
            path,
            format: Format::Jsonc {
                trailing_commas: true,
            },
            table: vec!["servers".to_owned()],
        })
    }

    fn markers(&self, host: &Host) -> Vec<PathBuf> {
        vec![user_dir(host)]
    }

    fn reference_syntax(&self) -> Option<&'static str> {
        Some("${env:VAR}")
    }

    fn render(&self, server: &Server, cx: &RenderContext<'_>) -> Rendered {
        render_json(self, super::claude_code::SHAPE, server, cx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::client::test_support::*;
    use crate::host::Os;
    use crate::manifest::Delivery;

    #[test]
    fn user_file_per_platform() {
        let root = Path::new("/repo");
        assert_eq!(
            path_of(Vscode.file(Scope::User, &linux(), root)),
            Path::new("/home/a/.config/Code/User/mcp.json")
        );
        assert_eq!(
            path_of(Vscode.file(Scope::User, &macos(), root)),
            Path::new("/Users/a/Library/Application Support/Code/User/mcp.json")
        );
        assert_eq!(
            path_of(Vscode.file(Scope::User, &windows(), root)),
            PathBuf::from(r"C:\Users\a\AppData\Roaming")
                .join("Code")
                .join("User")
                .join("mcp.json")
        );
        assert_eq!(
            path_of(Vscode.file(Scope::Project, &linux(), root)),
            Path::new("/repo/.vscode/mcp.json")
        );
    }

    #[test]
    fn env_ref_uses_env_colon() {
        let entry = entry(&Vscode, &github_server(), Delivery::EnvRef, Os::Linux);
        assert_eq!(
            entry["env"]["GITHUB_PERSONAL_ACCESS_TOKEN"],
            "${env:GITHUB_TOKEN}"
        );
        assert_eq!(entry["command"], "npx");
    }
}
