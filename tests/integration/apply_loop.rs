//! The core loop against a real Secret Service: plan → apply → plan, with
//! realistic existing client files whose other bytes must survive.

use std::path::PathBuf;

use crate::fixtures::{CODEX_CONFIG_TOML, VSCODE_MCP_JSON, assert_one_region_changed, claude_json};
use crate::support::{Sandbox, canary, mcpctl_bin, secret_service, text};

pub const MANIFEST: &str = r#"mcpctl version=1
client claude-code
client vscode
client codex

credential GITHUB_TOKEN {
    kind personal-access-token
    provider github
    scopes repo "read:org"
    create-at "https://github.com/settings/tokens/new"
    description "GitHub PAT for the GitHub MCP server"
}

server github {
    command npx -y "@modelcontextprotocol/server-github"
    env GITHUB_PERSONAL_ACCESS_TOKEN credential=GITHUB_TOKEN
    env GITHUB_TOOLSETS "repos,issues"
}

server docs {
    url "https://docs.example.com/mcp"
    header X-Team platform
    clients claude-code vscode
}
"#;

fn seed(sandbox: &Sandbox) -> (String, String, String) {
    let claude = claude_json(200);
    fs_err::write(sandbox.claude_json(), &claude).unwrap();
    fs_err::create_dir_all(sandbox.vscode_json().parent().unwrap()).unwrap();
    fs_err::write(sandbox.vscode_json(), VSCODE_MCP_JSON).unwrap();
    fs_err::create_dir_all(sandbox.codex_toml().parent().unwrap()).unwrap();
    fs_err::write(sandbox.codex_toml(), CODEX_CONFIG_TOML).unwrap();
    (
        claude,
        VSCODE_MCP_JSON.to_owned(),
        CODEX_CONFIG_TOML.to_owned(),
    )
}

fn apply_from_env(sandbox: &Sandbox, manifest: &PathBuf, token: &str) -> std::process::Output {
    sandbox
        .mcpctl()
        .args(["apply", "--auto-approve", "--secrets-from-env", "-f"])
        .arg(manifest)
        .env("GITHUB_TOKEN", token)
        .output()
        .unwrap()
}

// Unix only: the Secret Service, with an account per test: the Credential Manager names entries without one, so tests would share them.
#[cfg(unix)]
#[test]
fn apply_then_plan_is_empty_and_keeps_every_other_byte() {
    if !secret_service("apply_then_plan_is_empty_and_keeps_every_other_byte") {
        return;
    }
    let sandbox = Sandbox::new();
    let (claude, vscode, codex) = seed(&sandbox);
    let manifest = sandbox.manifest(MANIFEST);
    let token = canary("loop");

    let plan = sandbox
        .mcpctl()
        .args(["plan", "--detailed-exitcode", "-f"])
        .arg(&manifest)
        .output()
        .unwrap();
    let (stdout, stderr) = text(&plan);
    assert_eq!(plan.status.code(), Some(2), "{stdout}{stderr}");
    assert!(
        stdout.contains("Plan: 6 to add, 0 to change, 0 to destroy."),
        "{stdout}"
    );

    let apply = apply_from_env(&sandbox, &manifest, &token);
    let (stdout, stderr) = text(&apply);
    assert!(apply.status.success(), "{stdout}{stderr}");
    assert!(stdout.contains("Apply complete"), "{stdout}");

    let again = sandbox
        .mcpctl()
        .args(["plan", "--detailed-exitcode", "-f"])
        .arg(&manifest)
        .output()
        .unwrap();
    let (stdout, stderr) = text(&again);
    assert_eq!(
        again.status.code(),
        Some(0),
        "second plan must be empty:\n{stdout}{stderr}"
    );
    assert!(stdout.contains("No changes."), "{stdout}");

    // The store holds the value under the guide's naming.
    let lookup = sandbox
        .program("secret-tool")
        .args([
            "lookup",
            "service",
            "GITHUB_TOKEN",
            "username",
            &sandbox.user,
        ])
        .output()
        .unwrap();
    assert_eq!(String::from_utf8_lossy(&lookup.stdout).trim_end(), token);

    // Every byte outside mcpctl's entries is unchanged.
    let claude_after = fs_err::read_to_string(sandbox.claude_json()).unwrap();
    let vscode_after = fs_err::read_to_string(sandbox.vscode_json()).unwrap();
    let codex_after = fs_err::read_to_string(sandbox.codex_toml()).unwrap();
    assert_one_region_changed(&claude, &claude_after, "~/.claude.json");
    assert_one_region_changed(&vscode, &vscode_after, "mcp.json");
    assert_one_region_changed(&codex, &codex_after, "config.toml");
    serde_json::from_str::<serde_json::Value>(&claude_after).expect("strict JSON");
    for comment in [
        "// Prompted inputs",
        "/* A server the user added by hand. */",
    ] {
        assert!(vscode_after.contains(comment));
    }
    assert!(codex_after.contains("# ask before running commands"));

    // The entries launch mcpctl exec by absolute path, naming their
    // manifest and no value.
    let parsed: serde_json::Value = serde_json::from_str(&claude_after).unwrap();
    let github = &parsed["mcpServers"]["github"];
    assert_eq!(
        github["command"],
        mcpctl_bin().canonicalize().unwrap().display().to_string()
    );
    assert_eq!(
        github["args"],
        serde_json::json!([
            "exec",
            "--server",
            "github",
            "--manifest",
            manifest.canonicalize().unwrap(),
            "--env",
            "GITHUB_PERSONAL_ACCESS_TOKEN=GITHUB_TOKEN",
            "--",
            "npx",
            "-y",
            "@modelcontextprotocol/server-github"
        ])
    );
    assert_eq!(
        parsed["mcpServers"]["docs"]["url"],
        "https://docs.example.com/mcp"
    );
}

// Unix only: the Secret Service, with an account per test: the Credential Manager names entries without one, so tests would share them.
#[cfg(unix)]
#[test]
fn missing_files_are_created_private() {
    if !secret_service("missing_files_are_created_private") {
        return;
    }
    let sandbox = Sandbox::new();
    let manifest = sandbox.manifest(MANIFEST);
    let apply = apply_from_env(&sandbox, &manifest, &canary("create"));
    let (stdout, stderr) = text(&apply);
    assert!(apply.status.success(), "{stdout}{stderr}");
    for path in [
        sandbox.claude_json(),
        sandbox.vscode_json(),
        sandbox.codex_toml(),
    ] {
        let meta = std::fs::metadata(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(
                meta.permissions().mode() & 0o777,
                0o600,
                "{}",
                path.display()
            );
        }
        let _ = meta;
    }
    let sandbox_root = sandbox.root().canonicalize().unwrap().display().to_string();
    let claude = fs_err::read_to_string(sandbox.claude_json()).unwrap();
    insta::assert_snapshot!(
        "created_claude_json",
        claude
            .replace(
                &mcpctl_bin().canonicalize().unwrap().display().to_string(),
                "[MCPCTL]"
            )
            .replace(&sandbox_root, "[SANDBOX]")
    );
    let codex = fs_err::read_to_string(sandbox.codex_toml()).unwrap();
    insta::assert_snapshot!(
        "created_codex_toml",
        codex
            .replace(
                &mcpctl_bin().canonicalize().unwrap().display().to_string(),
                "[MCPCTL]"
            )
            .replace(&sandbox_root, "[SANDBOX]")
    );
}

// Unix only: the Secret Service, with an account per test: the Credential Manager names entries without one, so tests would share them.
#[cfg(unix)]
#[test]
fn hand_written_entries_are_conflicts_until_adopted() {
    if !secret_service("hand_written_entries_are_conflicts_until_adopted") {
        return;
    }
    let sandbox = Sandbox::new();
    let leaked = canary("handwritten");
    let hand_written = format!(
        "{{\n  \"mcpServers\": {{\n    \"github\": {{\n      \"command\": \"npx\",\n      \"args\": [\"-y\", \"@modelcontextprotocol/server-github\"],\n      \"env\": {{ \"GITHUB_PERSONAL_ACCESS_TOKEN\": \"{leaked}\" }}\n    }}\n  }}\n}}\n"
    );
    fs_err::write(sandbox.claude_json(), &hand_written).unwrap();
    let manifest = sandbox.manifest(MANIFEST);

    let plan = sandbox
        .mcpctl()
        .args(["plan", "-f"])
        .arg(&manifest)
        .output()
        .unwrap();
    let (stdout, stderr) = text(&plan);
    assert!(
        stdout.contains("github conflicts with an entry mcpctl did not write"),
        "{stdout}"
    );
    assert!(
        !stdout.contains(&leaked) && !stderr.contains(&leaked),
        "plan leaked a hand-written value"
    );
    let apply_command = format!("mcpctl apply -f {}", manifest.display());
    assert!(
        stdout.contains(&format!("Run `{apply_command}` to make these changes.")),
        "{stdout}"
    );
    // The suggested command applies what the plan showed: its manifest,
    // its targets and `--adopt`.
    let plan = sandbox
        .mcpctl()
        .args(["plan", "--adopt", "--target", "server:github", "-f"])
        .arg(&manifest)
        .output()
        .unwrap();
    let (stdout, stderr) = text(&plan);
    assert!(
        stdout.contains(&format!(
            "Run `{apply_command} --target server:github --adopt` to make these changes."
        )),
        "{stdout}{stderr}"
    );

    let apply = apply_from_env(&sandbox, &manifest, &canary("adopt"));
    assert!(apply.status.success(), "{:?}", text(&apply));
    let after = fs_err::read_to_string(sandbox.claude_json()).unwrap();
    assert!(
        after.contains(&leaked),
        "apply without --adopt must leave the entry alone"
    );

    let adopt = sandbox
        .mcpctl()
        .args(["apply", "--auto-approve", "--adopt", "-f"])
        .arg(&manifest)
        .output()
        .unwrap();
    let (stdout, stderr) = text(&adopt);
    assert!(adopt.status.success(), "{stdout}{stderr}");
    assert!(!stdout.contains(&leaked) && !stderr.contains(&leaked));
    let after = fs_err::read_to_string(sandbox.claude_json()).unwrap();
    assert!(
        !after.contains(&leaked),
        "adopted entry still holds the plaintext value"
    );
    sandbox
        .mcpctl()
        .args(["plan", "--detailed-exitcode", "-f"])
        .arg(&manifest)
        .assert()
        .code(0);
}

// Unix only: the Secret Service, with an account per test: the Credential Manager names entries without one, so tests would share them.
#[cfg(unix)]
#[test]
fn entries_the_manifest_drops_are_deleted() {
    if !secret_service("entries_the_manifest_drops_are_deleted") {
        return;
    }
    let sandbox = Sandbox::new();
    let (claude, _, codex) = seed(&sandbox);
    let manifest = sandbox.manifest(MANIFEST);
    assert!(
        apply_from_env(&sandbox, &manifest, &canary("drop"))
            .status
            .success()
    );

    // Drop the docs server and the codex client.
    let smaller = MANIFEST
        .replace("client codex\n", "")
        .split("server docs")
        .next()
        .unwrap()
        .to_owned();
    fs_err::write(&manifest, &smaller).unwrap();
    let plan = sandbox
        .mcpctl()
        .args(["plan", "-f"])
        .arg(&manifest)
        .output()
        .unwrap();
    let (stdout, _) = text(&plan);
    assert!(
        stdout.contains("Plan: 0 to add, 0 to change, 3 to destroy."),
        "{stdout}"
    );
    assert!(
        apply_from_env(&sandbox, &manifest, "unused")
            .status
            .success()
    );

    // What is left is the original plus github; codex is back to the original.
    assert_eq!(fs_err::read_to_string(sandbox.codex_toml()).unwrap(), codex);
    let after: serde_json::Value =
        serde_json::from_str(&fs_err::read_to_string(sandbox.claude_json()).unwrap()).unwrap();
    let before: serde_json::Value = serde_json::from_str(&claude).unwrap();
    assert!(after["mcpServers"].get("docs").is_none());
    assert_eq!(after["mcpServers"]["fetch"], before["mcpServers"]["fetch"]);
    assert_eq!(after["projects"], before["projects"]);
}

#[test]
fn a_broken_client_file_stops_everything() {
    let sandbox = Sandbox::new();
    let manifest = sandbox.manifest(MANIFEST);
    let broken = "{\n  // a comment Claude Code would choke on\n  \"mcpServers\": {}\n}\n";
    fs_err::write(sandbox.claude_json(), broken).unwrap();
    let plan = sandbox
        .mcpctl()
        .args(["plan", "-f"])
        .arg(&manifest)
        .output()
        .unwrap();
    let (stdout, stderr) = text(&plan);
    assert_eq!(plan.status.code(), Some(1), "{stdout}{stderr}");
    assert!(stderr.contains(".claude.json"), "{stderr}");
    assert!(
        stderr.contains("2:3") || stderr.contains("line 2"),
        "{stderr}"
    );

    let apply = apply_from_env(&sandbox, &manifest, &canary("broken"));
    assert_eq!(apply.status.code(), Some(1));
    assert_eq!(
        fs_err::read_to_string(sandbox.claude_json()).unwrap(),
        broken
    );
    assert!(
        !sandbox.vscode_json().exists(),
        "apply wrote a file despite a broken one"
    );
    assert!(!sandbox.codex_toml().exists());
}

// Unix only: the Secret Service, with an account per test: the Credential Manager names entries without one, so tests would share them.
#[cfg(unix)]
#[test]
fn apply_without_a_terminal_needs_auto_approve() {
    if !secret_service("apply_without_a_terminal_needs_auto_approve") {
        return;
    }
    let sandbox = Sandbox::new();
    let manifest = sandbox.manifest(MANIFEST);
    let output = sandbox
        .mcpctl()
        .args(["apply", "--secrets-from-env", "-f"])
        .arg(&manifest)
        .env("GITHUB_TOKEN", canary("noterm"))
        .output()
        .unwrap();
    let (stdout, stderr) = text(&output);
    assert_eq!(output.status.code(), Some(1), "{stdout}{stderr}");
    assert!(stderr.contains("--auto-approve"), "{stderr}");
    assert!(!sandbox.claude_json().exists());

    // Approved, but a secret is missing and there is no terminal to ask on:
    // the hint names what apply takes (it has no `--from-stdin`).
    let output = sandbox
        .mcpctl()
        .args(["apply", "--auto-approve", "-f"])
        .arg(&manifest)
        .write_stdin("")
        .output()
        .unwrap();
    let (stdout, stderr) = text(&output);
    assert_eq!(output.status.code(), Some(1), "{stdout}{stderr}");
    let words = stderr.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(
        words.contains("export `GITHUB_TOKEN` (the value) and pass `--secrets-from-env`"),
        "{stderr}"
    );
    assert!(!stderr.contains("--from-stdin"), "{stderr}");
}

#[test]
fn plan_json_follows_the_schema_shape() {
    let sandbox = Sandbox::new();
    let manifest = sandbox.manifest(MANIFEST);
    let output = sandbox
        .mcpctl()
        .args(["plan", "--json", "-f"])
        .arg(&manifest)
        .output()
        .unwrap();
    let (stdout, stderr) = text(&output);
    assert!(output.status.success(), "{stderr}");
    let plan: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(plan["version"], 2);
    let entries: Vec<&serde_json::Value> = plan["files"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|f| f["entries"].as_array().unwrap())
        .collect();
    assert_eq!(entries.len(), 5);
    assert!(entries.iter().all(|c| c["action"] == "create"));
    assert!(plan["summary"]["add"].as_u64().unwrap() >= 5);
}

// Unix only: the Secret Service, with an account per test: the Credential Manager names entries without one, so tests would share them.
#[cfg(unix)]
#[test]
fn exec_without_its_credential_fails_fast() {
    if !secret_service("exec_without_its_credential_fails_fast") {
        return;
    }
    let sandbox = Sandbox::new();
    let output = sandbox
        .mcpctl()
        .args([
            "exec",
            "--server",
            "github",
            "--env",
            "TOKEN=NOT_STORED_ANYWHERE",
            "--",
            "true",
        ])
        .timeout(std::time::Duration::from_secs(20))
        .output()
        .unwrap();
    let (stdout, stderr) = text(&output);
    assert_eq!(output.status.code(), Some(1));
    assert!(stdout.is_empty(), "exec must keep stdout for MCP: {stdout}");
    assert!(
        stderr.contains("NOT_STORED_ANYWHERE") && stderr.contains("mcpctl apply"),
        "{stderr}"
    );
}

// Unix only: the Secret Service, with an account per test: the Credential Manager names entries without one, so tests would share them.
#[cfg(unix)]
#[test]
fn exec_adds_only_the_credentials_and_keeps_stdio() {
    if !secret_service("exec_adds_only_the_credentials_and_keeps_stdio") {
        return;
    }
    let sandbox = Sandbox::new();
    let manifest = sandbox.manifest(MANIFEST);
    let token = canary("exec");
    assert!(apply_from_env(&sandbox, &manifest, &token).status.success());
    let output = sandbox
        .mcpctl()
        .args([
            "exec",
            "--server",
            "github",
            "--env",
            "GH=GITHUB_TOKEN",
            "--",
        ])
        .args(["sh", "-c", "cat; printf '%s|%s' \"$GH\" \"$INHERITED\" >&2"])
        .env("INHERITED", "kept")
        .write_stdin("{\"jsonrpc\":\"2.0\"}\n")
        .output()
        .unwrap();
    let (stdout, stderr) = text(&output);
    assert!(output.status.success(), "{stderr}");
    assert_eq!(stdout, "{\"jsonrpc\":\"2.0\"}\n");
    assert_eq!(stderr, format!("{token}|kept"));
}

// Unix only: the Secret Service, with an account per test: the Credential Manager names entries without one, so tests would share them.
#[cfg(unix)]
/// The plan as users read it: before anything exists, and after the
/// manifest changes one literal.
#[test]
fn plan_output_as_users_see_it() {
    if !secret_service("plan_output_as_users_see_it") {
        return;
    }
    let sandbox = Sandbox::new();
    let manifest = sandbox.manifest(MANIFEST);
    let shown = |output: std::process::Output| {
        let (stdout, _) = text(&output);
        stdout
            .replace(
                &mcpctl_bin().canonicalize().unwrap().display().to_string(),
                "[MCPCTL]",
            )
            .replace(&sandbox.root().display().to_string(), "[SANDBOX]")
    };
    let first = sandbox
        .mcpctl()
        .args(["plan", "-f"])
        .arg(&manifest)
        .output()
        .unwrap();
    insta::assert_snapshot!("plan_first_run", shown(first));

    assert!(
        apply_from_env(&sandbox, &manifest, &canary("snapshot"))
            .status
            .success()
    );
    fs_err::write(
        &manifest,
        MANIFEST.replace("repos,issues", "repos,issues,actions"),
    )
    .unwrap();
    let changed = sandbox
        .mcpctl()
        .args(["plan", "-f"])
        .arg(&manifest)
        .output()
        .unwrap();
    insta::assert_snapshot!("plan_after_manifest_change", shown(changed));
}

// Unix only: the Secret Service, with an account per test: the Credential Manager names entries without one, so tests would share them.
#[cfg(unix)]
#[test]
fn a_second_apply_waits_for_the_lock() {
    if !secret_service("a_second_apply_waits_for_the_lock") {
        return;
    }
    let sandbox = Sandbox::new();
    let manifest = sandbox.manifest(MANIFEST);
    let state_dir = sandbox.root().join("state/mcpctl");
    fs_err::create_dir_all(&state_dir).unwrap();
    // Another apply holds the lock for a second.
    let mut holder = std::process::Command::new("flock")
        .arg(state_dir.join("lock"))
        .args(["sleep", "1"])
        .spawn()
        .expect("flock (util-linux) is needed for this test");
    std::thread::sleep(std::time::Duration::from_millis(200));
    let output = apply_from_env(&sandbox, &manifest, &canary("lock"));
    holder.wait().unwrap();
    let (stdout, stderr) = text(&output);
    assert!(output.status.success(), "{stdout}{stderr}");
    assert!(
        stderr.contains("waiting for another mcpctl command"),
        "{stderr}"
    );
}

// Unix only: the Secret Service, with an account per test: the Credential Manager names entries without one, so tests would share them.
#[cfg(unix)]
#[test]
fn plan_says_when_the_recorded_mcpctl_is_gone() {
    if !secret_service("plan_says_when_the_recorded_mcpctl_is_gone") {
        return;
    }
    let sandbox = Sandbox::new();
    let manifest = sandbox.manifest(MANIFEST);
    // Apply with a copy of mcpctl that is then removed, as after an upgrade
    // that moved the binary.
    let moved = sandbox.root().join("old-install/mcpctl");
    fs_err::create_dir_all(moved.parent().unwrap()).unwrap();
    fs_err::copy(mcpctl_bin(), &moved).unwrap();
    let output = sandbox
        .program(&moved)
        .args(["apply", "--auto-approve", "--secrets-from-env", "-f"])
        .arg(&manifest)
        .env("GITHUB_TOKEN", canary("moved"))
        .output()
        .unwrap();
    assert!(output.status.success(), "{:?}", text(&output));
    fs_err::remove_file(&moved).unwrap();

    let plan = sandbox
        .mcpctl()
        .args(["plan", "-f"])
        .arg(&manifest)
        .output()
        .unwrap();
    let (stdout, _) = text(&plan);
    let expected = format!(
        "`{}` no longer exists; apply points the entry at `{}`",
        moved.display(),
        mcpctl_bin().canonicalize().unwrap().display()
    );
    assert!(stdout.contains(&expected), "{stdout}");
    assert!(
        stdout.contains("Plan: 0 to add, 3 to change, 0 to destroy."),
        "{stdout}"
    );
}
