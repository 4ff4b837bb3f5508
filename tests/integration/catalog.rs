//! `mcpctl catalog` and `mcpctl add`: catalog servers into a manifest with
//! comments, the rest of the file kept byte for byte, then the plan.

use serde_json::Value;

use crate::support::{Sandbox, text};

const TEAM: &str = r#"// Team manifest: reviewed in every PR.
mcpctl version=1

client claude-code   // the only client we support

/* Our own token, narrower than the catalog's. */
credential SENTRY_AUTH_TOKEN {
    kind api-key
    scopes "event:read"
}

server docs {
    command docs-server "--port" "8080"
}
"#;

#[test]
fn catalog_lists_the_guides_servers() {
    let sandbox = Sandbox::new();
    let output = sandbox
        .mcpctl()
        .args(["catalog", "--json"])
        .output()
        .unwrap();
    let (stdout, stderr) = text(&output);
    assert!(output.status.success(), "{stderr}");
    let entries: Value = serde_json::from_str(&stdout).unwrap();
    let names: Vec<&str> = entries
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["name"].as_str().unwrap())
        .collect();
    assert_eq!(names.len(), 17, "{names:?}");
    // GitHub's hosted server: the same PAT, as a header the bridge adds.
    let remote = &entries[1];
    assert_eq!(remote["name"], "github-remote");
    assert_eq!(
        remote["transport"]["url"],
        "https://api.githubcopilot.com/mcp/"
    );
    assert_eq!(
        remote["credentials"][0]["delivered-as"],
        "header Authorization"
    );
    let github = &entries[0];
    assert_eq!(
        github["package"]["name"],
        "ghcr.io/github/github-mcp-server"
    );
    assert_eq!(
        github["credentials"][0]["scopes"],
        serde_json::json!(["repo", "read:org"])
    );
    assert_eq!(github["credentials"][0]["rotate-every"], "90d");

    let output = sandbox.mcpctl().arg("catalog").output().unwrap();
    let (stdout, _) = text(&output);
    assert!(
        stdout.contains("AWS_SECRET_ACCESS_KEY → AWS_SECRET_ACCESS_KEY: access-key; scopes: service-specific IAM policy (least privilege); rotate every 30d"),
        "{stdout}"
    );
}

#[test]
fn add_appends_servers_keeps_the_file_and_shows_the_plan() {
    let sandbox = Sandbox::new();
    let manifest = sandbox.manifest(TEAM);
    let output = sandbox
        .mcpctl()
        .args(["add", "github", "sentry", "-f"])
        .arg(&manifest)
        .output()
        .unwrap();
    let (stdout, stderr) = text(&output);
    assert!(output.status.success(), "{stdout}{stderr}");
    let after = fs_err::read_to_string(&manifest).unwrap();
    assert!(
        after.starts_with(TEAM),
        "the existing text changed:\n{after}"
    );
    assert!(
        stdout.contains("Kept the manifest's own `SENTRY_AUTH_TOKEN` (already declared)."),
        "{stdout}"
    );
    // How to pin the npm package it added (github runs a container image).
    assert!(
        stdout.contains(
            "note: server `sentry` runs `@sentry/mcp-server` without a pinned version; pin one in \
             its `command` (`\"@sentry/mcp-server@1.2.3\"`)"
        ) && !stdout.contains("server `github` runs"),
        "{stdout}"
    );
    // The plan of the new manifest follows.
    assert!(stdout.contains("+ github will be created"), "{stdout}");
    assert!(stdout.contains("+ sentry will be created"), "{stdout}");
    insta::assert_snapshot!(after);

    let output = sandbox
        .mcpctl()
        .args(["validate", "-f"])
        .arg(&manifest)
        .output()
        .unwrap();
    assert!(output.status.success(), "{:?}", text(&output));

    // A name the manifest has is refused, and nothing is written.
    let output = sandbox
        .mcpctl()
        .args(["add", "github", "-f"])
        .arg(&manifest)
        .output()
        .unwrap();
    let (_, stderr) = text(&output);
    assert_eq!(output.status.code(), Some(1));
    assert!(stderr.contains("already has a server `github`"), "{stderr}");
    assert_eq!(fs_err::read_to_string(&manifest).unwrap(), after);
}

#[test]
fn add_says_when_the_manifest_targets_no_client() {
    let sandbox = Sandbox::new();
    let manifest = sandbox.manifest("mcpctl version=1\n");
    let output = sandbox
        .mcpctl()
        .args(["add", "notion", "-f"])
        .arg(&manifest)
        .output()
        .unwrap();
    let (stdout, stderr) = text(&output);
    assert!(output.status.success(), "{stdout}{stderr}");
    assert!(
        stdout.contains("the manifest has no `client` node and no client is detected here"),
        "{stdout}"
    );
}
