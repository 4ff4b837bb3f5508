use std::path::Path;

use super::*;
use crate::client::adapter;
use crate::client::test_support::linux;
use crate::manifest::{EnvValue, Scope, parse};
use crate::secret_patterns::test_random;

fn documents(files: &[(ClientId, String)]) -> Vec<(ClientFile, Document)> {
    files
        .iter()
        .map(|(client, text)| {
            let file = adapter(*client)
                .file(Scope::User, &linux(), Path::new("/repo"))
                .unwrap();
            let document = Document::parse(&file.path, text.clone(), file.format).unwrap();
            (file, document)
        })
        .collect()
}

#[test]
fn one_server_per_command_across_clients_names_and_platforms() {
    let github = format!("ghp_{}", test_random(1, 36));
    let sentry = format!("sntrys_{}", test_random(2, 40));
    let db = test_random(3, 20);
    let claude = format!(
        r#"{{"mcpServers": {{
  "github": {{"command": "npx", "args": ["-y", "@modelcontextprotocol/server-github"],
              "env": {{"GITHUB_PERSONAL_ACCESS_TOKEN": "{github}"}}}},
  "sentry": {{"type": "http", "url": "https://mcp.sentry.dev/mcp",
              "headers": {{"Authorization": "Bearer {sentry}"}}}},
  "postgres": {{"command": "npx", "args": ["-y", "@modelcontextprotocol/server-postgres",
              "postgresql://app:{db}@db.internal/app"]}},
  "fetch": {{"command": "uvx", "args": ["mcp-server-fetch"]}}
}}}}"#
    );
    let windsurf = format!(
        r#"{{"mcpServers": {{"gh": {{"command": "cmd", "args": ["/c", "npx", "-y", "@modelcontextprotocol/server-github"],
              "env": {{"GITHUB_PERSONAL_ACCESS_TOKEN": "{github}"}}}}}}}}"#
    );
    let vscode = r#"{"servers": {"github": {"command": "npx.cmd", "args": ["-y", "@modelcontextprotocol/server-github"],
              "env": {"GITHUB_PERSONAL_ACCESS_TOKEN": "${env:GITHUB_PERSONAL_ACCESS_TOKEN}"}},
              "fetch": {"command": "uvx", "args": ["mcp-server-fetch"]}}}"#;
    let codex = "[mcp_servers.github]\ncommand = \"/usr/local/bin/mcpctl\"\nargs = [\"exec\", \"--server\", \"github\", \"--manifest\", \"/home/me/repo a/mcpctl.kdl\", \"--env\", \"GITHUB_PERSONAL_ACCESS_TOKEN=GITHUB_PERSONAL_ACCESS_TOKEN\", \"--\", \"npx\", \"-y\", \"@modelcontextprotocol/server-github\"]\n";
    let draft = draft(
        &documents(&[
            (ClientId::ClaudeCode, claude),
            (ClientId::Vscode, vscode.to_owned()),
            (ClientId::Windsurf, windsurf),
            (ClientId::Codex, codex.to_owned()),
        ]),
        &|_| false,
    )
    .unwrap();
    for value in [&github, &sentry, &db] {
        assert!(
            !draft.text.contains(value.as_str()),
            "a value leaked:\n{}",
            draft.text
        );
    }
    let manifest = parse("mcpctl.kdl", &draft.text).unwrap();
    assert_eq!(draft.servers, ["fetch", "github", "sentry"]);
    let github_server = &manifest.servers["github"];
    assert_eq!(
        github_server.env["GITHUB_PERSONAL_ACCESS_TOKEN"],
        EnvValue::Credential {
            credential: "GITHUB_PERSONAL_ACCESS_TOKEN".into()
        }
    );
    // Found in every client: no `clients` line; fetch only in two.
    assert_eq!(github_server.clients.len(), 4);
    assert_eq!(
        manifest.servers["fetch"].clients,
        [ClientId::ClaudeCode, ClientId::Vscode]
    );
    // The catalog knows the variable: GitHub's kind, scopes and page.
    let credential = &manifest.credentials["GITHUB_PERSONAL_ACCESS_TOKEN"];
    assert_eq!(credential.provider.as_deref(), Some("github"));
    assert_eq!(credential.scopes, ["repo", "read:org"]);
    assert!(credential.create_at.is_some());
    // The header is named as import names it, and sent by the bridge (the
    // default, exec delivery: no `delivery env-ref`).
    assert_eq!(manifest.servers["sentry"].delivery, None);
    assert!(manifest.credentials.contains_key("SENTRY_TOKEN"));
    assert!(
        draft.left[0].starts_with("postgres (claude-code `postgres`)"),
        "{:?}",
        draft.left
    );
    assert!(
        draft
            .notes
            .iter()
            .any(|n| n.contains("windsurf `gh` is the same server as `github`")),
        "{:?}",
        draft.notes
    );
    insta::assert_snapshot!(draft.text);
}

#[test]
fn references_become_credentials_whose_value_apply_asks_for() {
    let claude = r#"{"mcpServers": {"notion": {"command": "npx", "args": ["-y", "@notionhq/notion-mcp-server"],
        "env": {"NOTION_TOKEN": "${NOTION_TOKEN}", "LOG": "debug"}}}}"#;
    let draft = draft(
        &documents(&[(ClientId::ClaudeCode, claude.to_owned())]),
        &|_| false,
    )
    .unwrap();
    assert_eq!(draft.referenced, ["NOTION_TOKEN"]);
    assert!(
        draft.text.contains("`mcpctl apply` asks for it"),
        "{}",
        draft.text
    );

    // Already in the OS store: nothing for apply to ask.
    let draft = draft_again(claude, &|name| name == "NOTION_TOKEN");
    assert!(draft.referenced.is_empty(), "{:?}", draft.referenced);
    assert!(
        draft.text.contains(
            "// Referenced by `notion`; its value is already in the OS credential store."
        ),
        "{}",
        draft.text
    );
    let manifest = parse("mcpctl.kdl", &draft.text).unwrap();
    assert_eq!(
        manifest.servers["notion"].env["LOG"],
        EnvValue::Literal {
            value: "debug".into()
        }
    );
    assert_eq!(
        manifest.credentials["NOTION_TOKEN"].kind,
        CredentialKind::ApiKey
    );
}

fn draft_again(claude: &str, stored: &dyn Fn(&str) -> bool) -> Draft {
    draft(
        &documents(&[(ClientId::ClaudeCode, claude.to_owned())]),
        stored,
    )
    .unwrap()
}

#[test]
fn kdl_strings_quote_what_must_be() {
    assert_eq!(kdl("npx"), "npx");
    assert_eq!(kdl("@scope/pkg"), "\"@scope/pkg\"");
    assert_eq!(kdl("8080"), "\"8080\"");
    assert_eq!(kdl("true"), "\"true\"");
    assert_eq!(kdl("a \"b\" \\ c"), "\"a \\\"b\\\" \\\\ c\"");
    assert_eq!(kdl("--stdio"), "--stdio");
    assert_eq!(kdl("-1"), "\"-1\"");
    assert_eq!(
        native("cmd", &["/c".into(), "npx.cmd".into(), "-y".into()]),
        ("npx".into(), vec!["-y".into()])
    );
}
