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

// Unix only: expects Linux entries (no `cmd /c`).
#[cfg(unix)]
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
    // It is not this machine's plan: no "Run `mcpctl apply`" after it.
    assert!(!stdout.contains("Run `mcpctl apply`"), "{stdout}");
    assert!(
        stdout.contains("This is the plan for an empty machine"),
        "{stdout}"
    );
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
    assert_eq!(output.status.code(), Some(1), "a usage error: {stderr}");
    assert!(flat(&stderr).contains("cannot be used with"), "{stderr}");
}

fn status(sandbox: &Sandbox, args: &[&str]) -> (Option<i32>, String, String) {
    let output = sandbox.mcpctl().arg("status").args(args).output().unwrap();
    let (stdout, stderr) = text(&output);
    (output.status.code(), stdout, stderr)
}

// Unix only: the Secret Service, with an account per test: the Credential Manager names entries without one, so tests would share them.
#[cfg(unix)]
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
    assert!(
        stdout.contains(" at no git commit (not in a git repository, or nothing committed yet)\n"),
        "{stdout}"
    );
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
    // Nothing overdue: no word of rotating; times to the second.
    assert!(
        stdout.contains("`mcpctl apply -f PATH` restores what was edited, removed or deleted")
            && !stdout.contains("mcpctl rotate"),
        "{stdout}"
    );
    assert!(stdout.contains(" UTC at no git commit "), "{stdout}");
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
    // apply cannot renew an overdue credential: rotate can.
    let stdout = flat(&stdout);
    assert!(
        stdout.contains(
            "`mcpctl rotate NAME -f PATH` stores a new value for an overdue or expired credential"
        ),
        "{stdout}"
    );
}

/// The guide's three roles: developers get limited servers, admins
/// everything, auditors the read-only ones.
const ROLES: &str = r#"mcpctl version=1
client claude-code
client codex

variable ORG {
    description "your Azure DevOps organisation"
}

credential GITHUB_TOKEN {
    kind personal-access-token
    provider github
}

credential DATABASE_URL {
    kind connection-string
}

server github {
    command npx -y "@modelcontextprotocol/server-github"
    env GITHUB_PERSONAL_ACCESS_TOKEN credential=GITHUB_TOKEN
}

server azure-devops {
    command npx -y "@azure-devops/mcp" "{ORG}"
}

server postgres {
    command npx -y "@modelcontextprotocol/server-postgres"
    env DATABASE_URL credential=DATABASE_URL
}

server docs {
    url "https://docs.example.com/mcp"
}

role developer {
    description "day-to-day development"
    servers github azure-devops docs
}

role admin {
    description "everything"
    servers github azure-devops postgres docs
}

role audit {
    description "read-only servers"
    servers docs
}
"#;

fn plan_with_profile(
    sandbox: &Sandbox,
    manifest: &std::path::Path,
    profile: Option<&str>,
) -> (Option<i32>, String, String) {
    let local = manifest.with_file_name("mcpctl.local.kdl");
    match profile {
        Some(text) => fs_err::write(&local, text).unwrap(),
        None => {
            let _ = fs_err::remove_file(&local);
        }
    }
    let output = sandbox
        .mcpctl()
        .args(["plan", "-f"])
        .arg(manifest)
        .output()
        .unwrap();
    let (stdout, stderr) = text(&output);
    (output.status.code(), stdout, flat(&stderr))
}

#[test]
fn a_profile_picking_one_role_plans_only_that_roles_servers() {
    let sandbox = Sandbox::new();
    let manifest = sandbox.manifest(ROLES);

    // No profile: an error naming the roles and the file to create.
    let (code, stdout, stderr) = plan_with_profile(&sandbox, &manifest, None);
    assert_eq!(code, Some(1), "{stdout}{stderr}");
    assert!(stderr.contains("no profile picks one"), "{stderr}");
    assert!(stderr.contains("mcpctl.local.kdl"), "{stderr}");
    assert!(
        stderr.contains("`admin` (everything), `audit` (read-only servers), `developer`"),
        "{stderr}"
    );

    // The auditor gets the read-only server, and is asked for no credential.
    let (code, stdout, stderr) = plan_with_profile(&sandbox, &manifest, Some("roles audit\n"));
    assert_eq!(code, Some(0), "{stdout}{stderr}");
    assert!(stdout.contains("+ docs will be created"), "{stdout}");
    for absent in [
        "github",
        "azure-devops",
        "postgres",
        "GITHUB_TOKEN",
        "DATABASE_URL",
    ] {
        assert!(!stdout.contains(absent), "{absent} in {stdout}");
    }

    // A developer must give the organisation their server names.
    let (code, _, stderr) = plan_with_profile(&sandbox, &manifest, Some("roles developer\n"));
    assert_eq!(code, Some(1));
    assert!(
        stderr.contains(
            "the manifest needs a value for variable `ORG` (your Azure DevOps organisation)"
        ),
        "{stderr}"
    );
    assert!(stderr.contains("add `variable ORG \"…\"` to"), "{stderr}");

    // With it, and narrowed to one client: the developer's servers there.
    let profile = "roles developer\nclients codex\nvariable ORG \"contoso\"\n";
    let (code, stdout, stderr) = plan_with_profile(&sandbox, &manifest, Some(profile));
    assert_eq!(code, Some(0), "{stdout}{stderr}");
    assert!(stdout.contains("+ GITHUB_TOKEN will be stored"), "{stdout}");
    assert!(
        stdout.contains(r#""@azure-devops/mcp", "contoso""#),
        "{stdout}"
    );
    assert!(stdout.contains("+ github will be created"), "{stdout}");
    assert!(
        !stdout.contains("postgres") && !stdout.contains("DATABASE_URL"),
        "{stdout}"
    );
    assert!(!stdout.contains("claude-code"), "{stdout}");
    assert!(stdout.contains("codex"), "{stdout}");
}

// Unix only: expects Linux paths.
#[cfg(unix)]
#[test]
fn a_profile_is_checked_against_the_manifest() {
    let sandbox = Sandbox::new();
    let manifest = sandbox.manifest(ROLES);
    let profile = "roles developr\nclients cursor\nvariable TEAM \"x\"\n";
    let (code, _, stderr) = plan_with_profile(&sandbox, &manifest, Some(profile));
    assert_eq!(code, Some(1));
    assert!(stderr.contains("mcpctl.local.kdl:1:7"), "{stderr}");
    assert!(
        stderr.contains("the manifest has no role `developr`"),
        "{stderr}"
    );
    assert!(
        stderr.contains("the manifest does not target client `cursor`"),
        "{stderr}"
    );
    assert!(
        stderr.contains("the manifest declares no variable `TEAM`"),
        "{stderr}"
    );
    // The profile in the user's config directory is used when there is
    // none beside the manifest.
    let config = sandbox.root().join("config/mcpctl");
    fs_err::create_dir_all(&config).unwrap();
    fs_err::write(config.join("profile.kdl"), "roles audit\n").unwrap();
    let (code, stdout, stderr) = plan_with_profile(&sandbox, &manifest, None);
    assert_eq!(code, Some(0), "{stdout}{stderr}");
    assert!(stdout.contains("+ docs will be created"), "{stdout}");
}

// Unix only: the Secret Service, with an account per test: the Credential Manager names entries without one, so tests would share them.
#[cfg(unix)]
#[test]
fn dropping_a_role_plans_the_removal_of_its_servers() {
    if !secret_service("dropping_a_role_plans_the_removal_of_its_servers") {
        return;
    }
    let sandbox = Sandbox::new();
    let manifest = sandbox.manifest(ROLES);
    let local = manifest.with_file_name("mcpctl.local.kdl");
    fs_err::write(&local, "roles developer\nvariable ORG \"contoso\"\n").unwrap();
    sandbox.apply_with_token(&manifest, &canary("roles"));
    let claude = fs_err::read_to_string(sandbox.claude_json()).unwrap();
    assert!(
        claude.contains("azure-devops") && claude.contains("contoso"),
        "{claude}"
    );

    let (code, stdout, stderr) = plan_with_profile(&sandbox, &manifest, Some("roles audit\n"));
    assert_eq!(code, Some(0), "{stdout}{stderr}");
    assert!(stdout.contains("- github will be deleted"), "{stdout}");
    assert!(
        stdout.contains("- azure-devops will be deleted"),
        "{stdout}"
    );
    assert!(!stdout.contains("+ docs"), "{stdout}");
    assert!(
        stdout.contains("0 to add, 0 to change, 4 to destroy"),
        "{stdout}"
    );
}

#[test]
fn a_policy_violation_blocks_apply_and_names_the_node() {
    let sandbox = Sandbox::new();
    let manifest = sandbox.manifest(&format!("{GITHUB}policy {{\n    pin-packages #true\n}}\n"));
    for command in ["validate", "plan", "apply"] {
        let output = sandbox
            .mcpctl()
            .args([command, "-f"])
            .arg(&manifest)
            .args(if command == "apply" {
                &["--auto-approve"][..]
            } else {
                &[]
            })
            .output()
            .unwrap();
        let (stdout, stderr) = text(&output);
        assert_eq!(output.status.code(), Some(1), "{command}: {stdout}{stderr}");
        let stderr = flat(&stderr);
        assert!(!stderr.contains("mcpctl::manifest::policy"), "{stderr}");
        assert!(
            stderr.contains(
                "policy: server `github` runs `@modelcontextprotocol/server-github` without a pinned version"
            ),
            "{stderr}"
        );
        assert!(stderr.contains("mcpctl.kdl:10:5"), "{stderr}");
    }
    assert!(!sandbox.claude_json().exists());
    assert!(!sandbox.root().join("state/mcpctl/state.json").exists());

    // Without the policy, an unpinned package is a warning.
    let manifest = sandbox.manifest(GITHUB);
    let output = sandbox
        .mcpctl()
        .args(["validate", "-f"])
        .arg(&manifest)
        .output()
        .unwrap();
    let (_, stderr) = text(&output);
    assert!(output.status.success());
    assert!(
        stderr.contains("warning: server `github` runs `@modelcontextprotocol/server-github` without a pinned version"),
        "{stderr}"
    );
}
