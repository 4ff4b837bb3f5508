//! Teams at scale: the CI gate's offline plan, `mcpctl status`, roles and
//! personal profiles, classification policy.

use crate::saved_plan::flat;
use crate::support::{Sandbox, canary, secret_service, text};

const GITHUB: &str = r#"mcpctl version=1
client claude-code

credential GITHUB_TOKEN {
    kind personal-access-token
    provider github
}

server github {
    command npx -y "@modelcontextprotocol/server-github"
    env GITHUB_PERSONAL_ACCESS_TOKEN credential=GITHUB_TOKEN
}
"#;

#[test]
fn an_offline_plan_shows_what_a_new_member_gets_whatever_this_machine_holds() {
    let sandbox = Sandbox::new();
    let manifest = sandbox.manifest(GITHUB);
    // This machine already has a `github` entry mcpctl did not write: a
    // normal plan would call it a conflict; a new member has none.
    let existing = r#"{"mcpServers":{"github":{"command":"gh-mcp"}}}"#;
    fs_err::write(sandbox.claude_json(), existing).unwrap();

    let output = sandbox
        .mcpctl()
        .args(["plan", "--offline", "--detailed-exitcode", "-f"])
        .arg(&manifest)
        .output()
        .unwrap();
    let (stdout, stderr) = text(&output);
    assert_eq!(output.status.code(), Some(2), "{stdout}{stderr}");
    assert!(
        stdout.contains("+ GITHUB_TOKEN will be stored (apply asks for the value)"),
        "{stdout}"
    );
    assert!(stdout.contains("+ github will be created"), "{stdout}");
    assert!(stdout.contains("~/.claude.json"), "{stdout}");
    assert!(!stdout.contains("gh-mcp"), "{stdout}");
    assert!(stdout.contains("Plan: 2 to add"), "{stdout}");
    // No store was asked, nothing was written.
    assert!(!stderr.contains("warning"), "{stderr}");
    assert_eq!(
        fs_err::read_to_string(sandbox.claude_json()).unwrap(),
        existing
    );
    assert!(!sandbox.root().join("state/mcpctl").exists());
}

#[test]
fn an_offline_plan_cannot_be_saved() {
    let sandbox = Sandbox::new();
    let manifest = sandbox.manifest(GITHUB);
    let output = sandbox
        .mcpctl()
        .args(["plan", "--offline", "--out", "p.json", "-f"])
        .arg(&manifest)
        .output()
        .unwrap();
    let (_, stderr) = text(&output);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(flat(&stderr).contains("cannot be used with"), "{stderr}");
}

fn status(sandbox: &Sandbox, args: &[&str]) -> (Option<i32>, String, String) {
    let output = sandbox.mcpctl().arg("status").args(args).output().unwrap();
    let (stdout, stderr) = text(&output);
    (output.status.code(), stdout, stderr)
}

#[test]
fn status_names_the_applied_manifest_then_each_drift_since() {
    if !secret_service("status_names_the_applied_manifest_then_each_drift_since") {
        return;
    }
    let sandbox = Sandbox::new();
    let (code, stdout, _) = status(&sandbox, &[]);
    assert_eq!(code, Some(0));
    assert!(stdout.contains("No manifest has been applied"), "{stdout}");

    let manifest = sandbox.manifest(GITHUB);
    let token = canary("status");
    sandbox.apply_with_token(&manifest, &token);

    let (code, stdout, stderr) = status(&sandbox, &["--fail-on-drift"]);
    assert_eq!(code, Some(0), "{stdout}{stderr}");
    assert!(stdout.contains(&manifest.display().to_string()), "{stdout}");
    assert!(stdout.contains("not a git repository"), "{stdout}");
    assert!(stdout.contains("no drift since the last apply"), "{stdout}");

    // Edit the owned entry by hand, delete the credential from the store.
    let mut claude: serde_json::Value =
        serde_json::from_str(&fs_err::read_to_string(sandbox.claude_json()).unwrap()).unwrap();
    claude["mcpServers"]["github"]["args"] = serde_json::json!(["hand-edited"]);
    fs_err::write(sandbox.claude_json(), claude.to_string()).unwrap();
    let cleared = sandbox
        .program("secret-tool")
        .args([
            "clear",
            "service",
            "GITHUB_TOKEN",
            "username",
            &sandbox.user,
        ])
        .output()
        .unwrap();
    assert!(cleared.status.success());

    let (code, stdout, stderr) = status(&sandbox, &[]);
    assert_eq!(code, Some(0), "without --fail-on-drift: {stdout}{stderr}");
    assert!(
        stdout.contains("✗ credential GITHUB_TOKEN: deleted from the store"),
        "{stdout}"
    );
    assert!(
        stdout.contains("✗ claude-code (user) github in ~/.claude.json: edited by hand"),
        "{stdout}"
    );
    let (code, json, _) = status(&sandbox, &["--json", "--fail-on-drift"]);
    assert_eq!(code, Some(3), "{json}");
    let report: serde_json::Value = serde_json::from_str(&json).unwrap();
    let kinds: Vec<&str> = report["manifests"][0]["drift"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["credential-deleted", "edited-by-hand"]);
    assert_eq!(report["manifests"][0]["manifest-changed"], false);
    assert!(!json.contains(&token) && !stdout.contains(&token));

    // Overdue: the credential back, stored long ago.
    sandbox.apply_with_token(&manifest, &token);
    crate::lifecycle::edit_record(&sandbox, "GITHUB_TOKEN", |record| {
        record["set_at"] = serde_json::json!("2020-01-01T00:00:00Z");
    });
    fs_err::remove_file(sandbox.claude_json()).unwrap();
    let (code, stdout, _) = status(&sandbox, &["--fail-on-drift"]);
    assert_eq!(code, Some(3), "{stdout}");
    assert!(
        stdout.contains("✗ credential GITHUB_TOKEN: overdue for rotation or expired"),
        "{stdout}"
    );
    assert!(
        stdout.contains("github in ~/.claude.json: removed by hand"),
        "{stdout}"
    );
}
