//! env-ref delivery end to end: the entry references a variable, the shell
//! profile block mcpctl manages exports it from the store at shell start,
//! no file ever holds the value, and the block goes away with the manifest
//! line.

use crate::support::{Sandbox, canary, secret_service, text};

fn manifest(shells: &str) -> String {
    format!(
        r#"mcpctl version=1
client claude-code delivery=env-ref
{shells}
credential GITHUB_TOKEN {{ kind personal-access-token; provider github; }}
server github {{
    command npx -y "@modelcontextprotocol/server-github"
    env GITHUB_PERSONAL_ACCESS_TOKEN credential=GITHUB_TOKEN
}}
"#
    )
}

// Unix only: the Secret Service, with an account per test: the Credential Manager names entries without one, so tests would share them.
#[cfg(unix)]
#[test]
fn the_profile_block_exports_the_credential_and_no_file_holds_it() {
    let test = "the_profile_block_exports_the_credential_and_no_file_holds_it";
    if !secret_service(test) {
        return;
    }
    let sandbox = Sandbox::new();
    let zshrc = sandbox.home().join(".zshrc");
    let bashrc = sandbox.home().join(".bashrc");
    let original = "# my zshrc\nexport EDITOR=vim\nalias gs='git status'\n";
    fs_err::write(&zshrc, original).unwrap();
    let path = sandbox.manifest(&manifest("shell-profile zsh bash fish powershell"));
    let token = format!("{}-'quoted' $(not run) \"x\"", canary("envref"));

    let output = sandbox
        .mcpctl()
        .args(["apply", "--auto-approve", "--secrets-from-env", "-f"])
        .arg(&path)
        .env("GITHUB_TOKEN", &token)
        .output()
        .unwrap();
    let (stdout, stderr) = text(&output);
    assert!(output.status.success(), "{stdout}{stderr}");
    assert!(stdout.contains("zsh profile: ~/.zshrc"), "{stdout}");
    assert!(stdout.contains("mcpctl block will be created"), "{stdout}");

    let claude: serde_json::Value =
        serde_json::from_str(&fs_err::read_to_string(sandbox.claude_json()).unwrap()).unwrap();
    assert_eq!(
        claude["mcpServers"]["github"]["env"]["GITHUB_PERSONAL_ACCESS_TOKEN"],
        "${GITHUB_TOKEN}"
    );
    let zsh_text = fs_err::read_to_string(&zshrc).unwrap();
    assert!(zsh_text.starts_with(original), "{zsh_text}");
    assert!(zsh_text.contains("env --shell zsh -f"), "{zsh_text}");
    for file in [
        sandbox.root().join("config/fish/conf.d/mcpctl.fish"),
        sandbox
            .root()
            .join("config/powershell/Microsoft.PowerShell_profile.ps1"),
        bashrc.clone(),
    ] {
        assert!(file.exists(), "{}", file.display());
    }
    for file in sandbox.all_files() {
        let bytes = fs_err::read(&file).unwrap();
        assert!(
            !String::from_utf8_lossy(&bytes).contains(&canary("envref")),
            "{} holds the secret",
            file.display()
        );
    }

    // A shell started with the profile has the value, exactly.
    let shown = sandbox
        .program("bash")
        .args(["-c", "source ~/.bashrc; printf %s \"$GITHUB_TOKEN\""])
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .output()
        .unwrap();
    let (out, err) = text(&shown);
    assert_eq!(out, token, "{err}");
    let exports = sandbox
        .mcpctl()
        .args(["env", "--shell", "fish", "-f"])
        .arg(&path)
        .output()
        .unwrap();
    let (out, err) = text(&exports);
    assert!(exports.status.success(), "{err}");
    assert_eq!(
        out,
        format!("set -gx GITHUB_TOKEN '{}'\n", token.replace('\'', "\\'"))
    );

    let again = sandbox
        .mcpctl()
        .args(["plan", "--detailed-exitcode", "-f"])
        .arg(&path)
        .output()
        .unwrap();
    let (out, err) = text(&again);
    assert_eq!(again.status.code(), Some(0), "{out}{err}");

    // Dropping the line removes the blocks and keeps the rest.
    fs_err::write(&path, manifest("")).unwrap();
    let removed = sandbox
        .mcpctl()
        .args(["apply", "--auto-approve", "-f"])
        .arg(&path)
        .output()
        .unwrap();
    let (out, err) = text(&removed);
    assert!(removed.status.success(), "{out}{err}");
    assert!(out.contains("mcpctl block will be deleted"), "{out}");
    assert_eq!(fs_err::read_to_string(&zshrc).unwrap(), original);
    assert!(!fs_err::read_to_string(&bashrc).unwrap().contains("mcpctl"));
}

/// A manifest whose env-ref credential comes from `source command sh SCRIPT`
/// (no store needed), with the bash profile block, plus `extra` lines.
#[cfg(unix)]
fn command_manifest(script: &std::path::Path, extra: &str) -> String {
    format!(
        r#"mcpctl version=1
client claude-code delivery=env-ref
shell-profile bash
credential NPM_TOKEN {{ source command sh "{}"; }}
{extra}
server npm {{
    command npx -y "npm-mcp@1.0.0"
    env NPM_TOKEN credential=NPM_TOKEN
}}
"#,
        script.display()
    )
}

#[cfg(unix)]
fn git(sandbox: &Sandbox, repo: &std::path::Path, args: &[&str]) {
    let output = sandbox
        .program("git")
        .args(["-c", "user.name=t", "-c", "user.email=t@example.com", "-C"])
        .arg(repo)
        .args(args)
        .output()
        .unwrap();
    let (out, err) = text(&output);
    assert!(output.status.success(), "git {args:?}: {out}{err}");
}

/// `mcpctl env --shell bash -f MANIFEST`, as the profile block runs it:
/// (stdout, stderr).
#[cfg(unix)]
fn env_exports(sandbox: &Sandbox, manifest: &std::path::Path) -> (String, String) {
    let output = sandbox
        .mcpctl()
        .args(["env", "--shell", "bash", "-f"])
        .arg(manifest)
        .output()
        .unwrap();
    let (out, err) = text(&output);
    assert!(output.status.success(), "{out}{err}");
    (out, err)
}

/// Issue 12, item 1: the profile block runs `mcpctl env` at every shell
/// start; a branch checked out after the apply (a changed `source command`,
/// a new credential, `PROMPT_COMMAND`) must not run or export anything
/// until it is planned and applied. `env` serves what the apply recorded
/// and says once that the manifest asks for something else.
// Unix only: drives `git` and `bash`.
#[cfg(unix)]
#[test]
fn a_checked_out_branch_cannot_choose_what_a_new_shell_runs_or_exports() {
    let sandbox = Sandbox::new();
    let repo = sandbox.root().join("repo");
    fs_err::create_dir_all(&repo).unwrap();
    let good = sandbox.root().join("secret-manager.sh");
    fs_err::write(&good, "printf applied-value\n").unwrap();
    let marker = sandbox.root().join("hostile-command-ran");
    let path = sandbox.manifest(&command_manifest(&good, ""));
    git(&sandbox, &repo, &["init", "-q", "-b", "main"]);
    git(&sandbox, &repo, &["add", "."]);
    git(&sandbox, &repo, &["commit", "-qm", "env-ref"]);

    // Before any apply: nothing is exported, nothing runs, and it says so.
    let (out, err) = env_exports(&sandbox, &path);
    assert_eq!(out, "", "{err}");
    assert!(
        err.contains("not applied on this machine, so nothing is exported")
            && err.contains("mcpctl plan"),
        "{err}"
    );
    assert_eq!(err.lines().count(), 1, "{err}");

    let applied = sandbox
        .mcpctl()
        .args(["apply", "--auto-approve", "-f"])
        .arg(&path)
        .output()
        .unwrap();
    let (out, err) = text(&applied);
    assert!(applied.status.success(), "{out}{err}");
    assert!(
        out.contains("+ NPM_TOKEN will be exported, read from the output of the command [\"sh\""),
        "the plan shows the export and its command: {out}"
    );
    let bashrc = sandbox.home().join(".bashrc");
    assert!(
        fs_err::read_to_string(&bashrc)
            .unwrap()
            .contains("env --shell bash -f")
    );
    let (out, err) = env_exports(&sandbox, &path);
    assert_eq!(out, "export NPM_TOKEN='applied-value'\n");
    assert_eq!(err, "", "nothing to warn about after the apply");

    // A hostile branch: the command changes, a credential is added.
    let evil = sandbox.root().join("evil.sh");
    fs_err::write(
        &evil,
        format!("touch '{}'\nprintf evil\n", marker.display()),
    )
    .unwrap();
    git(&sandbox, &repo, &["checkout", "-q", "-b", "hostile"]);
    fs_err::write(
        &path,
        command_manifest(
            &evil,
            &format!(
                "credential EXTRA_TOKEN {{ source command sh \"{}\"; }}\nserver extra {{\n    command npx -y \"extra-mcp@1.0.0\"\n    env EXTRA credential=EXTRA_TOKEN\n}}",
                evil.display()
            ),
        ),
    )
    .unwrap();
    git(&sandbox, &repo, &["add", "."]);
    git(&sandbox, &repo, &["commit", "-qm", "hostile"]);

    let (out, err) = env_exports(&sandbox, &path);
    assert!(!marker.exists(), "env ran the checked-out branch's command");
    assert_eq!(out, "export NPM_TOKEN='applied-value'\n", "{err}");
    assert_eq!(err.lines().count(), 1, "one warning line: {err}");
    assert!(err.contains("mcpctl plan"), "{err}");
    // A new shell, through the real profile block.
    let shell = sandbox
        .program("bash")
        .args([
            "-c",
            "source ~/.bashrc 2>/dev/null; printf '%s|%s' \"$NPM_TOKEN\" \"${EXTRA_TOKEN-unset}\"",
        ])
        .output()
        .unwrap();
    let (out, err) = text(&shell);
    assert_eq!(out, "applied-value|unset", "{err}");
    assert!(
        !marker.exists(),
        "a new shell ran the checked-out branch's command"
    );

    // The plan shows both changes, argv included, and runs nothing.
    let plan = sandbox
        .mcpctl()
        .args(["plan", "-f"])
        .arg(&path)
        .output()
        .unwrap();
    let (out, err) = text(&plan);
    assert!(plan.status.success(), "{out}{err}");
    assert!(
        out.contains("~ NPM_TOKEN will be read from a different source")
            && out.contains(&format!("{}\"]", evil.display()))
            && out.contains("+ EXTRA_TOKEN will be exported"),
        "{out}"
    );
    assert!(!marker.exists(), "plan ran the command");

    // A branch that exports PROMPT_COMMAND is not even a valid manifest.
    git(&sandbox, &repo, &["checkout", "-q", "-b", "prompt", "main"]);
    fs_err::write(
        &path,
        command_manifest(
            &good,
            &format!(
                "credential PROMPT_COMMAND {{ source command sh \"{}\"; }}\nserver p {{\n    command npx -y \"p-mcp@1.0.0\"\n    env P credential=PROMPT_COMMAND\n}}",
                evil.display()
            ),
        ),
    )
    .unwrap();
    let (out, err) = env_exports(&sandbox, &path);
    assert!(!marker.exists(), "env ran the checked-out branch's command");
    assert_eq!(out, "export NPM_TOKEN='applied-value'\n", "{err}");
    assert_eq!(err.lines().count(), 1, "one warning line: {err}");
    assert!(err.contains("mcpctl plan"), "{err}");
    let validate = sandbox
        .mcpctl()
        .args(["validate", "-f"])
        .arg(&path)
        .output()
        .unwrap();
    let (out, err) = text(&validate);
    assert!(!validate.status.success(), "{out}{err}");
    assert!(
        err.contains("credential `PROMPT_COMMAND` cannot be exported into your shell"),
        "{err}"
    );
    let apply = sandbox
        .mcpctl()
        .args(["apply", "--auto-approve", "-f"])
        .arg(&path)
        .output()
        .unwrap();
    assert!(!apply.status.success());
    assert!(!marker.exists());

    // Destroy takes the record with it: nothing is exported afterwards.
    git(&sandbox, &repo, &["checkout", "-q", "-f", "main"]);
    let destroyed = sandbox
        .mcpctl()
        .args(["destroy", "--auto-approve", "-f"])
        .arg(&path)
        .output()
        .unwrap();
    let (out, err) = text(&destroyed);
    assert!(destroyed.status.success(), "{out}{err}");
    assert!(
        out.contains("- NPM_TOKEN will no longer be exported"),
        "{out}"
    );
    let (out, err) = env_exports(&sandbox, &path);
    assert_eq!(out, "", "{err}");
}

/// Issue 12, item 12: the block's marker comments hold the manifest's
/// path; a checkout path with a line break would end the comment and put
/// the rest of the path into `~/.bashrc` as a command. It is refused, and
/// the profile gains nothing.
// Unix only: Windows file names cannot hold a line break.
#[cfg(unix)]
#[test]
fn a_checkout_path_with_a_line_break_adds_no_line_to_the_profile() {
    let sandbox = Sandbox::new();
    let injected = sandbox.root().join("injected");
    let repo = sandbox
        .root()
        .join(format!("proj\ntouch '{}'\n#", injected.display()));
    fs_err::create_dir_all(&repo).unwrap();
    let script = sandbox.root().join("secret-manager.sh");
    fs_err::write(&script, "printf applied-value\n").unwrap();
    let path = repo.join("mcpctl.kdl");
    fs_err::write(&path, command_manifest(&script, "")).unwrap();
    let bashrc = sandbox.home().join(".bashrc");
    let original = "# my bashrc\nalias ll='ls -l'\n";
    fs_err::write(&bashrc, original).unwrap();

    for command in [&["plan"][..], &["apply", "--auto-approve"][..]] {
        let output = sandbox
            .mcpctl()
            .args(command)
            .arg("-f")
            .arg(&path)
            .output()
            .unwrap();
        let (out, err) = text(&output);
        assert!(!output.status.success(), "{command:?}: {out}{err}");
        assert!(
            err.contains("has a line break") && err.contains("cannot hold"),
            "{command:?}: {err}"
        );
        assert!(
            err.contains(r"proj\ntouch"),
            "the path is shown escaped: {err}"
        );
    }
    assert_eq!(fs_err::read_to_string(&bashrc).unwrap(), original);
    let shell = sandbox
        .program("bash")
        .args(["-c", "source ~/.bashrc"])
        .output()
        .unwrap();
    assert!(shell.status.success());
    assert!(!injected.exists());
}

/// Quotes, `$(…)`, backticks and spaces in the checkout path are quoted on
/// the block's line: bash and a POSIX sh start with the export, and
/// nothing in the path runs.
// Unix only: POSIX shell quoting of Unix paths.
#[cfg(unix)]
#[test]
fn a_checkout_path_with_quotes_and_substitutions_is_one_word_in_the_profile() {
    let sandbox = Sandbox::new();
    let marker = sandbox.root().join("path-ran");
    let repo = sandbox.root().join(format!(
        "it's $(touch '{m}') `touch '{m}'` a  b",
        m = marker.display()
    ));
    fs_err::create_dir_all(&repo).unwrap();
    let script = sandbox.root().join("secret-manager.sh");
    fs_err::write(&script, "printf applied-value\n").unwrap();
    let path = repo.join("mcpctl.kdl");
    fs_err::write(&path, command_manifest(&script, "")).unwrap();
    let bashrc = sandbox.home().join(".bashrc");
    let original = "# my bashrc\n";
    fs_err::write(&bashrc, original).unwrap();

    let applied = sandbox
        .mcpctl()
        .args(["apply", "--auto-approve", "-f"])
        .arg(&path)
        .output()
        .unwrap();
    let (out, err) = text(&applied);
    assert!(applied.status.success(), "{out}{err}");
    let profile = fs_err::read_to_string(&bashrc).unwrap();
    // The original, a blank line, and the four lines of the block.
    assert_eq!(profile.lines().count(), 1 + 1 + 4, "{profile}");
    for shell in ["bash", "sh"] {
        let run = sandbox
            .program(shell)
            .args(["-c", ". ~/.bashrc; printf %s \"$NPM_TOKEN\""])
            .output()
            .unwrap();
        let (out, err) = text(&run);
        assert_eq!(out, "applied-value", "{shell}: {err}");
        assert_eq!(err, "", "{shell}");
    }
    assert!(!marker.exists(), "part of the path ran");
}

/// A saved plan changes the exports `mcpctl env` serves; when another
/// `apply` changed them since the plan was saved, applying the file is
/// refused as stale (plan again), not reported as an edited plan.
// Unix only: POSIX shell profiles.
#[cfg(unix)]
#[test]
fn a_saved_plan_is_stale_once_another_apply_changed_the_exports() {
    let sandbox = Sandbox::new();
    let first = sandbox.root().join("first.sh");
    let second = sandbox.root().join("second.sh");
    fs_err::write(&first, "printf first\n").unwrap();
    fs_err::write(&second, "printf second\n").unwrap();
    let path = sandbox.manifest(&command_manifest(&first, ""));
    let apply = |args: &[&str]| {
        let output = sandbox.mcpctl().args(args).output().unwrap();
        let (out, err) = text(&output);
        (output.status.success(), format!("{out}{err}"))
    };
    let manifest = path.to_str().unwrap();
    let (ok, out) = apply(&["apply", "--auto-approve", "-f", manifest]);
    assert!(ok, "{out}");

    fs_err::write(&path, command_manifest(&second, "")).unwrap();
    let file = sandbox.root().join("plan.json");
    let (ok, out) = apply(&["plan", "-f", manifest, "--out", file.to_str().unwrap()]);
    assert!(ok, "{out}");
    assert!(
        out.contains("NPM_TOKEN will be read from a different source"),
        "{out}"
    );
    // Someone applies the manifest directly in between.
    let (ok, out) = apply(&["apply", "--auto-approve", "-f", manifest]);
    assert!(ok, "{out}");

    let (ok, out) = apply(&["apply", file.to_str().unwrap()]);
    let out = crate::saved_plan::flat(&out);
    assert!(!ok, "{out}");
    assert!(out.contains("is stale"), "{out}");
    assert!(
        out.contains("the exports `mcpctl env` serves for this manifest changed"),
        "{out}"
    );
    let (out, _) = env_exports(&sandbox, &path);
    assert_eq!(out, "export NPM_TOKEN='second'\n");
}

// Unix only: the Secret Service, with an account per test: the Credential Manager names entries without one, so tests would share them.
#[cfg(unix)]
/// env-ref delivery works only where the variable is exported: `plan` and
/// `apply` warn when the shell they run in lacks it and say how to export
/// it; `check` reports it as a problem (exit 3). With the variable
/// exported, none of them says a word about it.
#[test]
fn a_referenced_variable_missing_from_this_shell_is_reported() {
    let test = "a_referenced_variable_missing_from_this_shell_is_reported";
    if !secret_service(test) {
        return;
    }
    let sandbox = Sandbox::new();
    let path = sandbox.manifest(
        r#"mcpctl version=1
client claude-code delivery=env-ref
credential DOCS_API_TOKEN { kind api-key; }
server docs {
    command npx -y "docs-mcp@1.0.0"
    env API_TOKEN credential=DOCS_API_TOKEN
}
"#,
    );
    let token = canary("docs");
    let run = |args: &[&str], exported: bool| {
        let mut command = sandbox.mcpctl();
        command.args(args).arg("-f").arg(&path);
        if exported {
            command.env("DOCS_API_TOKEN", &token);
        }
        let output = command.output().unwrap();
        let (stdout, stderr) = text(&output);
        (output.status.code(), stdout, stderr)
    };
    let warning =
        "`DOCS_API_TOKEN` is referenced by env-ref client entries but not exported in this shell";

    // Before apply: the plan warns, and says the exports come after apply.
    let (code, stdout, stderr) = run(&["plan"], false);
    assert_eq!(code, Some(0), "{stdout}{stderr}");
    assert!(stderr.contains(warning), "{stderr}");
    let eval = format!("eval \"$(mcpctl env --shell bash -f {})\"", path.display());
    assert!(
        stderr.contains(&format!(
            "hint: after `mcpctl apply`, run `{eval}` in this shell"
        )) && stderr
            .contains("or add `shell-profile bash` to the manifest so every new shell exports it"),
        "{stderr}"
    );

    let (code, stdout, stderr) = run(&["apply", "--auto-approve", "--secrets-from-env"], true);
    assert_eq!(code, Some(0), "{stdout}{stderr}");
    assert!(!stderr.contains("not exported"), "{stderr}");

    // A shell without it: apply (nothing to do) warns, check fails.
    let (code, stdout, stderr) = run(&["apply", "--auto-approve"], false);
    assert_eq!(code, Some(0), "{stdout}{stderr}");
    assert!(stderr.contains(warning), "{stderr}");
    assert!(stderr.contains(&format!("hint: run `{eval}`")), "{stderr}");

    let (code, stdout, stderr) = run(&["check"], false);
    assert_eq!(code, Some(3), "{stdout}{stderr}");
    assert!(
        stdout.contains("variable `DOCS_API_TOKEN`: referenced by the env-ref entries of server `docs` but not exported in this shell"),
        "{stdout}"
    );
    assert!(stdout.contains(&eval), "{stdout}");

    // Exported: no word about it.
    for args in [&["plan"][..], &["check"]] {
        let (code, stdout, stderr) = run(args, true);
        assert_eq!(code, Some(0), "{args:?}: {stdout}{stderr}");
        assert!(
            !(stdout.clone() + &stderr).contains("not exported"),
            "{stdout}{stderr}"
        );
    }
    // With a profile block for this shell, new shells have it: the hint
    // says so rather than suggest adding one.
    let text = fs_err::read_to_string(&path).unwrap();
    fs_err::write(
        &path,
        text.replace(
            "client claude-code",
            "shell-profile bash\nclient claude-code",
        ),
    )
    .unwrap();
    let (code, stdout, stderr) = run(&["apply", "--auto-approve"], true);
    assert_eq!(code, Some(0), "{stdout}{stderr}");
    let (code, stdout, stderr) = run(&["plan"], false);
    assert_eq!(code, Some(0), "{stdout}{stderr}");
    assert!(
        stderr.contains(&format!(
            "hint: run `{eval}` in this shell; new shells get it from the block in `~/.bashrc`"
        )),
        "{stderr}"
    );
    for file in sandbox.all_files() {
        let bytes = fs_err::read(&file).unwrap();
        assert!(
            !String::from_utf8_lossy(&bytes).contains(&token),
            "{} holds the secret",
            file.display()
        );
    }
}

/// The plan says who runs `mcpctl env`: the shell-profile block when the
/// manifest has one, else the user (a newcomer read "the shell-profile
/// block runs it" with no block anywhere).
#[test]
fn the_plan_says_who_loads_the_exports() {
    let sandbox = Sandbox::new();
    let plan = |shells: &str| {
        let path = sandbox.manifest(&manifest(shells));
        let output = sandbox
            .mcpctl()
            .args(["plan", "--offline", "-f"])
            .arg(&path)
            .output()
            .unwrap();
        let (stdout, stderr) = text(&output);
        assert!(output.status.success(), "{stdout}{stderr}");
        stdout
    };
    let with_block = plan("shell-profile bash");
    assert!(
        with_block.contains("Exported by `mcpctl env` (the shell-profile block runs it"),
        "{with_block}"
    );
    let without = plan("");
    assert!(
        without.contains(
            "Exported by `mcpctl env` (no shell-profile block runs it: add `shell-profile` to the \
             manifest, or run it yourself as `mcpctl check` shows):"
        ),
        "{without}"
    );
}
