//! The end of a manifest's life on a machine: `destroy` (offboarding)
//! and `rollback` of the last apply, against a real Secret Service.

use crate::lifecycle::{MANIFEST, lookup, state_dir};
use crate::saved_plan::flat;
use crate::support::{Sandbox, canary, secret_service, text};

fn run(sandbox: &Sandbox, args: &[&str]) -> (Option<i32>, String, String) {
    let out = sandbox.mcpctl().args(args).output().unwrap();
    let (stdout, stderr) = text(&out);
    (out.status.code(), stdout, flat(&stderr))
}

// Unix only: the Secret Service, with an account per test: the Credential Manager names entries without one, so tests would share them.
#[cfg(unix)]
#[test]
fn destroy_removes_the_manifests_entries_and_only_on_request_its_credentials() {
    if !secret_service("destroy_removes_the_manifests_entries_and_only_on_request_its_credentials")
    {
        return;
    }
    let sandbox = Sandbox::new();
    let manifest = sandbox.manifest(MANIFEST);
    let m = manifest.to_str().unwrap();
    fs_err::write(
        sandbox.claude_json(),
        r#"{"mcpServers": {"mine": {"command": "by-hand"}}}"#,
    )
    .unwrap();
    let token = canary("destroy");
    sandbox.apply_with_token(&manifest, &token);
    let state = fs_err::read_to_string(state_dir(&sandbox).join("state.json")).unwrap();
    assert!(state.contains("\"applies\""), "{state}");

    let (code, stdout, stderr) = run(&sandbox, &["destroy", "-f", m]);
    assert_eq!(code, Some(1), "no terminal, no confirmation: {stdout}");
    assert!(stderr.contains("mcpctl destroy --auto-approve"), "{stderr}");
    assert!(stdout.contains("- github will be deleted"), "{stdout}");
    assert!(stdout.contains("--include-credentials"), "{stdout}");

    let (code, stdout, stderr) = run(&sandbox, &["destroy", "--auto-approve", "-f", m]);
    assert_eq!(code, Some(0), "{stdout}{stderr}");
    let claude = fs_err::read_to_string(sandbox.claude_json()).unwrap();
    assert!(
        !claude.contains("github") && claude.contains("by-hand"),
        "{claude}"
    );
    let codex = fs_err::read_to_string(sandbox.codex_toml()).unwrap();
    assert!(!codex.contains("github"), "{codex}");
    assert_eq!(
        lookup(&sandbox, "GITHUB_TOKEN"),
        token,
        "kept without consent"
    );
    let (_, stdout, _) = run(&sandbox, &["destroy", "-f", m]);
    assert!(stdout.contains("Nothing to destroy"), "{stdout}");

    sandbox.apply_with_token(&manifest, &token);
    let (code, stdout, stderr) = run(
        &sandbox,
        &[
            "destroy",
            "--auto-approve",
            "--include-credentials",
            "-f",
            m,
        ],
    );
    assert_eq!(code, Some(0), "{stdout}{stderr}");
    assert!(
        stdout.contains("- GITHUB_TOKEN will be deleted"),
        "{stdout}"
    );
    assert_eq!(lookup(&sandbox, "GITHUB_TOKEN"), "");
    let audit = fs_err::read_to_string(state_dir(&sandbox).join("audit.jsonl")).unwrap();
    assert!(audit.contains("store.delete") && !audit.contains(&token));
}

// Unix only: the Secret Service, with an account per test: the Credential Manager names entries without one, so tests would share them.
#[cfg(unix)]
#[test]
fn rollback_restores_the_last_applys_files_unless_edited_since() {
    if !secret_service("rollback_restores_the_last_applys_files_unless_edited_since") {
        return;
    }
    let sandbox = Sandbox::new();
    let manifest = sandbox.manifest(MANIFEST);
    let before = "{\n  \"numStartups\": 1\n}\n";
    fs_err::write(sandbox.claude_json(), before).unwrap();
    let (code, _, stderr) = run(&sandbox, &["rollback", "--auto-approve"]);
    assert_eq!(code, Some(1));
    assert!(stderr.contains("no apply to roll back"), "{stderr}");

    sandbox.apply_with_token(&manifest, &canary("rollback"));
    assert!(sandbox.codex_toml().exists());
    let (code, stdout, stderr) = run(&sandbox, &["rollback", "--auto-approve"]);
    assert_eq!(code, Some(0), "{stdout}{stderr}");
    assert!(
        stdout.contains("`~/.claude.json` will be restored"),
        "{stdout}"
    );
    assert!(
        stdout.contains("`~/.codex/config.toml` will be removed (that change created it)"),
        "{stdout}"
    );
    // A rollback may undo a destroy or an import as well: it does not call
    // every change an apply.
    assert!(
        stdout.contains("Rolling back the last change mcpctl made to client files ("),
        "{stdout}"
    );
    assert_eq!(
        fs_err::read_to_string(sandbox.claude_json()).unwrap(),
        before
    );
    assert!(!sandbox.codex_toml().exists());
    // That apply is rolled back; there is no earlier one.
    let (code, _, _) = run(&sandbox, &["rollback", "--auto-approve"]);
    assert_eq!(code, Some(1));

    // A file edited by hand since the apply is not overwritten silently.
    sandbox.apply_with_token(&manifest, &canary("rollback"));
    let mut edited = fs_err::read_to_string(sandbox.claude_json()).unwrap();
    edited = edited.replacen('{', "{\"edited\": true,", 1);
    fs_err::write(sandbox.claude_json(), &edited).unwrap();
    let (code, _, stderr) = run(&sandbox, &["rollback", "--auto-approve"]);
    assert_eq!(code, Some(1));
    assert!(
        stderr.contains("the newest change not rolled back yet (20")
            && stderr.contains(" UTC) wrote this file, which changed since")
            && stderr.contains("- `~/.claude.json`"),
        "{stderr}"
    );
    assert!(sandbox.codex_toml().exists(), "nothing rolled back");
    assert_eq!(
        fs_err::read_to_string(sandbox.claude_json()).unwrap(),
        edited
    );
    let (code, _, stderr) = run(&sandbox, &["rollback", "--auto-approve", "--force"]);
    assert_eq!(code, Some(0), "{stderr}");
    assert_eq!(
        fs_err::read_to_string(sandbox.claude_json()).unwrap(),
        before
    );
}
