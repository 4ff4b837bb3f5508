//! VS Code: the user profile's `mcp.json` and a workspace's
//! `.vscode/mcp.json`, JSONC under `servers` (beside `inputs`). VS Code
//! accepts comments and trailing commas; mcpctl keeps whatever the file has
//! and adds neither.

use std::path::Path;

use serde_json::Value;

use super::{Adapter, ClientFile, Launcher, typed_entry};
use crate::document::Format;
use crate::host::Host;
use crate::manifest::{ClientId, Scope, Server};

pub struct Vscode;

impl Adapter for Vscode {
    fn id(&self) -> ClientId {
        ClientId::Vscode
    }

    fn file(&self, scope: Scope, host: &Host, project_root: &Path) -> ClientFile {
        let path = match scope {
            Scope::User => host.config_dir().join("Code").join("User").join("mcp.json"),
            Scope::Project => project_root.join(".vscode").join("mcp.json"),
        };
        ClientFile {
            client: ClientId::Vscode,
            scope,
            path,
            format: Format::Jsonc {
                trailing_commas: true,
            },
            table: vec!["servers".to_owned()],
        }
    }

    fn render(&self, server: &Server, launcher: &Launcher) -> Value {
        typed_entry(server, launcher)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::host::Os;
    use std::collections::BTreeMap;
    use std::path::PathBuf;

    #[test]
    fn user_file_per_platform() {
        let host = |os, home: &str, vars: &[(&str, &str)]| Host {
            os,
            home: PathBuf::from(home),
            vars: vars
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect::<BTreeMap<_, _>>(),
        };
        let root = Path::new("/repo");
        let linux = Vscode.file(Scope::User, &host(Os::Linux, "/home/a", &[]), root);
        assert_eq!(linux.path, Path::new("/home/a/.config/Code/User/mcp.json"));
        let mac = Vscode.file(Scope::User, &host(Os::Macos, "/Users/a", &[]), root);
        assert_eq!(
            mac.path,
            Path::new("/Users/a/Library/Application Support/Code/User/mcp.json")
        );
        let win = Vscode.file(
            Scope::User,
            &host(
                Os::Windows,
                r"C:\Users\a",
                &[("APPDATA", r"C:\Users\a\AppData\Roaming")],
            ),
            root,
        );
        assert_eq!(
            win.path,
            PathBuf::from(r"C:\Users\a\AppData\Roaming")
                .join("Code")
                .join("User")
                .join("mcp.json")
        );
        let project = Vscode.file(Scope::Project, &host(Os::Linux, "/home/a", &[]), root);
        assert_eq!(project.path, Path::new("/repo/.vscode/mcp.json"));
    }
}
