use std::path::Path;

use serde_json::{Value, json};

use super::*;
use crate::client::adapter;
use crate::client::test_support::linux;
use crate::manifest::Scope;
use crate::secret_patterns::test_random;

struct Never;
impl Resolve for Never {
    fn rename(&mut self, _: &Collision) -> Option<String> {
        None
    }
}

fn import(client: ClientId, text: &str, delivery: Delivery) -> ImportPlan {
    let file = adapter(client)
        .file(Scope::User, &linux(), Path::new("/repo"))
        .unwrap();
    let document = Document::parse(&file.path, text.to_owned(), file.format).unwrap();
    let renames = BTreeMap::new();
    let options = Options {
        delivery,
        renames: &renames,
        launcher: &|_| Launcher::bare(),
        stored: &|_| Ok(None),
    };
    plan(&[(file, &document)], &options, &mut Never, PathBuf::new()).unwrap()
}

fn after(plan: &ImportPlan) -> Value {
    plan.plan.files[0].entries[0].after.clone().unwrap()
}

#[test]
fn codex_env_ref_forwards_by_name_and_bearer_headers_by_variable() {
    let token = format!("ghp_{}", test_random(3, 36));
    let sentry = format!("sntrys_{}", test_random(4, 40));
    let text = format!(
        "[mcp_servers.github]\ncommand = \"npx\"\nargs = [\"-y\", \"gh\"]\nenv = {{ GITHUB_TOKEN = \"{token}\", MODE = \"x\" }}\n\n[mcp_servers.sentry]\nurl = \"https://mcp.sentry.dev/mcp\"\nhttp_headers = {{ Authorization = \"Bearer {sentry}\" }}\n"
    );
    let plan = import(ClientId::Codex, &text, Delivery::EnvRef);
    assert_eq!(
        after(&plan),
        json!({"command": "npx", "args": ["-y", "gh"], "env": {"MODE": "x"}, "env_vars": ["GITHUB_TOKEN"]})
    );
    assert_eq!(
        plan.plan.files[0].entries[1].after.clone().unwrap(),
        json!({"url": "https://mcp.sentry.dev/mcp", "bearer_token_env_var": "SENTRY_TOKEN"})
    );
    let names: Vec<&str> = plan
        .moves
        .iter()
        .map(|m| m.credential.name.as_str())
        .collect();
    assert_eq!(names, ["GITHUB_TOKEN", "SENTRY_TOKEN"]);
    assert_eq!(plan.moves[0].credential.provider.as_deref(), Some("github"));
    // The plan shows the old entry redacted.
    let before = serde_json::to_string(&plan.plan.files[0].entries[0].before).unwrap();
    assert!(!before.contains(&token), "{before}");
}

#[test]
fn a_connection_string_moves_whole_and_references_take_the_clients_form() {
    let password = test_random(6, 20);
    let url = format!("postgresql://app:{password}@db.internal:5432/app?sslmode=require");
    let text = format!(
        r#"{{"mcpServers": {{"db": {{"command": "npx", "args": ["pg"], "env": {{"DATABASE_URL": "{url}", "GITHUB_TOKEN": "${{GITHUB_TOKEN}}", "D": "${{D:-x}}"}}}}}}}}"#
    );
    let plan = import(ClientId::Cursor, &text, Delivery::EnvRef);
    assert_eq!(plan.moves.len(), 1);
    let moved = &plan.moves[0];
    assert_eq!(moved.credential.name, "DATABASE_URL");
    assert_eq!(moved.credential.kind, CredentialKind::ConnectionString);
    assert_eq!(moved.secret.expose(), url);
    assert!(!moved.redacted.contains(&password), "{}", moved.redacted);
    assert_eq!(
        after(&plan)["env"],
        json!({"DATABASE_URL": "${env:DATABASE_URL}", "GITHUB_TOKEN": "${env:GITHUB_TOKEN}", "D": "${D:-x}"})
    );
    assert_eq!(
        plan.plan.files[0].entries[0].reasons,
        [Reason::ReferenceRewritten {
            field: "env GITHUB_TOKEN".into(),
            from: "${GITHUB_TOKEN}".into(),
            to: "${env:GITHUB_TOKEN}".into(),
            client: ClientId::Cursor,
        }]
    );
    // A default has no `${env:…}` form: left, saying why.
    let left: Vec<(&str, &str)> = plan
        .left
        .iter()
        .map(|l| (l.redacted.as_str(), l.source.field.as_str()))
        .collect();
    assert_eq!(left, [("${D:-x}", "env D")]);
    assert!(
        plan.left[0].reason.contains("${env:VAR}"),
        "{}",
        plan.left[0].reason
    );
}

#[test]
fn opencode_exec_wraps_its_command_array_and_claude_desktop_keeps_exec() {
    let key = test_random(5, 32);
    let text = format!(
        r#"{{"mcp": {{"c": {{"type": "local", "command": ["npx", "-y", "c"], "environment": {{"COMPOSIO_API_KEY": "{key}"}}}}}}}}"#
    );
    let plan = import(ClientId::Opencode, &text, Delivery::Exec);
    assert_eq!(
        after(&plan),
        json!({"type": "local", "command": ["mcpctl", "exec", "--server", "c", "--env",
            "COMPOSIO_API_KEY=COMPOSIO_API_KEY", "--", "npx", "-y", "c"]})
    );
    let text = format!(
        r#"{{"mcpServers": {{"c": {{"command": "npx", "args": ["c"], "env": {{"API_KEY": "{key}"}}}}}}}}"#
    );
    let plan = import(ClientId::ClaudeDesktop, &text, Delivery::EnvRef);
    assert_eq!(after(&plan)["command"], "mcpctl");
}
