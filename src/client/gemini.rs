//! Gemini CLI: `~/.gemini/settings.json` (user) and `.gemini/settings.json`
//! (project), JSONC under `mcpServers`. Comments are accepted but a
//! trailing comma fails the whole file (tested against Gemini CLI 0.61), so
//! mcpctl never writes one. A streamable-HTTP server's URL is `httpUrl`
//! (`url` means SSE). References are `${VAR}`, expanded in every string.
//!
//! Gemini strips inherited variables that look secret unless an entry's
//! `env` names them, which a reference does; and `gemini mcp list` prints
//! expanded values, so the plan warns about that.

use std::path::{Path, PathBuf};

use super::{Adapter, ClientFile, JsonShape, RenderContext, Rendered, needs_secret, render_json};
use crate::document::Format;
use crate::host::Host;
use crate::manifest::{ClientId, Delivery, Scope, Server};

pub struct Gemini;

const SHAPE: JsonShape = JsonShape {
    stdio_type: None,
    remote_type: None,
    url_key: "httpUrl",
    stdio_extra: &[],
    remote: true,
};

impl Adapter for Gemini {
    fn id(&self) -> ClientId {
        ClientId::GeminiCli
    }

    fn file(&self, scope: Scope, host: &Host, project_root: &Path) -> Option<ClientFile> {
        let dir = match scope {
            Scope::User => host.home_join(".gemini"),
            Scope::Project => project_root.join(".gemini"),
            Scope::Local => return None,
        };
        Some(ClientFile {
            client: ClientId::GeminiCli,
            scope,
            path: dir.join("settings.json"),
            format: Format::Jsonc {
                trailing_commas: false,
            },
            table: vec!["mcpServers".to_owned()],
        })
    }

    fn markers(&self, host: &Host) -> Vec<PathBuf> {
        vec![host.home_join(".gemini")]
    }

    fn reference_syntax(&self) -> Option<&'static str> {
        Some("${VAR}")
    }

    fn render(&self, server: &Server, cx: &RenderContext<'_>) -> Rendered {
        let mut rendered = render_json(self, SHAPE, server, cx);
        if cx.delivery == Delivery::EnvRef && needs_secret(server) && rendered.entry.is_some() {
            rendered.notes.push(
                "`gemini mcp list` prints referenced values expanded: the secret shows on screen"
                    .to_owned(),
            );
        }
        rendered
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::client::test_support::*;
    use crate::host::Os;
    use serde_json::json;

    #[test]
    fn files_per_scope() {
        let root = Path::new("/repo");
        assert_eq!(
            path_of(Gemini.file(Scope::User, &macos(), root)),
            Path::new("/Users/a/.gemini/settings.json")
        );
        assert_eq!(
            path_of(Gemini.file(Scope::User, &windows(), root)),
            Path::new(r"C:\Users\a")
                .join(".gemini")
                .join("settings.json")
        );
        let project = Gemini.file(Scope::Project, &linux(), root).unwrap();
        assert_eq!(project.path, Path::new("/repo/.gemini/settings.json"));
        assert_eq!(
            project.format,
            Format::Jsonc {
                trailing_commas: false
            }
        );
    }

    #[test]
    fn shapes() {
        assert_eq!(
            entry(
                &Gemini,
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
            entry(&Gemini, &github_server(), Delivery::EnvRef, Os::Linux)["env"]["GITHUB_PERSONAL_ACCESS_TOKEN"],
            "${GITHUB_TOKEN}"
        );
    }
}
