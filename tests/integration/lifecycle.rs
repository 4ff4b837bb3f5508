//! The credential lifecycle against a real Secret Service: ages and
//! rotation warnings in the plan, `rotate`, expiry dates.

use std::path::PathBuf;

use crate::support::{Sandbox, canary, secret_service, text};

pub const MANIFEST: &str = r#"mcpctl version=1
defaults {
    warn-before "30d"
}
client claude-code
client codex

credential GITHUB_TOKEN {
    kind personal-access-token
    provider github
    scopes repo "read:org"
    create-at "https://github.com/settings/tokens/new"
}

server github {
    command npx -y "@modelcontextprotocol/server-github"
    env GITHUB_PERSONAL_ACCESS_TOKEN credential=GITHUB_TOKEN
}
"#;

pub fn state_dir(sandbox: &Sandbox) -> PathBuf {
    sandbox.root().join("state/mcpctl")
}

pub fn lookup(sandbox: &Sandbox, service: &str) -> String {
    let out = sandbox
        .program("secret-tool")
        .args(["lookup", "service", service, "username", &sandbox.user])
        .output()
        .unwrap();
    String::from_utf8_lossy(&out.stdout).trim_end().to_owned()
}

/// Rewrites a credential's record in state.json.
pub fn edit_record(sandbox: &Sandbox, name: &str, edit: impl FnOnce(&mut serde_json::Value)) {
    let path = state_dir(sandbox).join("state.json");
    let mut state: serde_json::Value =
        serde_json::from_str(&fs_err::read_to_string(&path).unwrap()).unwrap();
    edit(&mut state["credentials"][name]);
    fs_err::write(&path, serde_json::to_string_pretty(&state).unwrap()).unwrap();
}

// Unix only: the Secret Service, with an account per test: the Credential Manager names entries without one, so tests would share them.
#[cfg(unix)]
#[test]
fn plan_shows_age_and_fails_on_overdue() {
    if !secret_service("plan_shows_age_and_fails_on_overdue") {
        return;
    }
    let sandbox = Sandbox::new();
    let manifest = sandbox.manifest(MANIFEST);
    sandbox.apply_with_token(&manifest, &canary("age"));

    let plan = |extra: &[&str]| {
        let out = sandbox
            .mcpctl()
            .arg("plan")
            .args(extra)
            .arg("-f")
            .arg(&manifest)
            .output()
            .unwrap();
        let (stdout, stderr) = text(&out);
        (out.status.code(), stdout, stderr)
    };
    let (code, stdout, _) = plan(&["--fail-on-overdue"]);
    assert_eq!(code, Some(0), "{stdout}");
    assert!(
        stdout.contains(
            "= GITHUB_TOKEN: present; set today; rotate every 90d (the credentials guide's schedule for github); due in 90 days"
        ),
        "{stdout}"
    );

    // 70 days old: inside the 30-day warning window.
    let days_ago =
        |n: i64| (jiff::Timestamp::now() - jiff::SignedDuration::from_hours(24 * n)).to_string();
    edit_record(&sandbox, "GITHUB_TOKEN", |r| {
        r["set_at"] = days_ago(70).into()
    });
    let (code, stdout, _) = plan(&["--fail-on-overdue"]);
    assert_eq!(code, Some(0), "{stdout}");
    assert!(
        stdout.contains("present due soon; set 70 days ago"),
        "{stdout}"
    );
    assert!(stdout.contains("due in 20 days"), "{stdout}");
    assert!(
        stdout.contains("hint: `mcpctl rotate GITHUB_TOKEN`"),
        "{stdout}"
    );

    // A hand-made entry first seen 100 days ago: at least that old.
    edit_record(&sandbox, "GITHUB_TOKEN", |r| {
        r["set_at"] = serde_json::Value::Null;
        r["first_seen"] = days_ago(100).into();
    });
    let (code, stdout, _) = plan(&["--fail-on-overdue"]);
    assert_eq!(code, Some(3), "{stdout}");
    assert!(
        stdout.contains("! GITHUB_TOKEN: present OVERDUE; age unknown since"),
        "{stdout}"
    );
    assert!(stdout.contains("overdue by 10 days"), "{stdout}");
    assert!(
        stdout.contains("Rotation: 1 credential overdue"),
        "{stdout}"
    );
    // Without the flag the plan itself succeeds.
    assert_eq!(plan(&[]).0, Some(0));

    let (_, json, _) = plan(&["--json"]);
    let json: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(json["summary"]["overdue"], 1);
    let rotation = &json["credentials"][0]["rotation"];
    assert_eq!(rotation["status"], "overdue");
    assert_eq!(rotation["age-known"], false);
    assert_eq!(rotation["period-source"], "provider");
}

// Unix only: the Secret Service, with an account per test: the Credential Manager names entries without one, so tests would share them.
#[cfg(unix)]
#[test]
fn rotate_stores_records_and_shows_users() {
    if !secret_service("rotate_stores_records_and_shows_users") {
        return;
    }
    let sandbox = Sandbox::new();
    let manifest = sandbox.manifest(MANIFEST);
    let old = canary("rotate-old");
    let new = canary("rotate-new");
    sandbox.apply_with_token(&manifest, &old);

    let today = jiff::Timestamp::now()
        .to_zoned(jiff::tz::TimeZone::UTC)
        .date();
    let soon = (today + jiff::Span::new().days(10)).to_string();
    let out = sandbox
        .mcpctl()
        .args([
            "rotate",
            "GITHUB_TOKEN",
            "--from-stdin",
            "--expires",
            &soon,
            "-f",
        ])
        .arg(&manifest)
        .write_stdin(format!("{new}\n"))
        .output()
        .unwrap();
    let (stdout, stderr) = text(&out);
    assert!(out.status.success(), "{stdout}{stderr}");
    assert!(
        stdout.contains("Stored a new value for `GITHUB_TOKEN` in the Secret Service."),
        "{stdout}"
    );
    assert!(stdout.contains("server `github` (as GITHUB_PERSONAL_ACCESS_TOKEN) in claude-code (~/.claude.json), codex (~/.codex/config.toml)"), "{stdout}");
    // The old value is revoked on the provider's token list, not on the
    // page that creates one.
    let words = stdout.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(
        words
            .contains("revoke the old value at the provider (https://github.com/settings/tokens)."),
        "{stdout}"
    );
    assert!(!stdout.contains(&new) && !stderr.contains(&new));
    assert_eq!(lookup(&sandbox, "GITHUB_TOKEN"), new);

    let out = sandbox
        .mcpctl()
        .args(["plan", "-f"])
        .arg(&manifest)
        .output()
        .unwrap();
    let (stdout, _) = text(&out);
    assert!(stdout.contains("expiring soon; set today"), "{stdout}");
    assert!(
        stdout.contains(&format!("expires {soon} (in 10 days)")),
        "{stdout}"
    );

    let audit = fs_err::read_to_string(state_dir(&sandbox).join("audit.jsonl")).unwrap();
    let last: serde_json::Value = serde_json::from_str(audit.lines().last().unwrap()).unwrap();
    assert_eq!(last["action"], "store.write");
    assert_eq!(last["detail"], "rotate");
    assert_eq!(last["command"], "rotate");
    for file in sandbox.all_files() {
        let bytes = fs_err::read(&file).unwrap();
        let body = String::from_utf8_lossy(&bytes);
        assert!(
            !body.contains(&new) && !body.contains(&old),
            "leak in {}",
            file.display()
        );
    }

    // An unknown name says which ones exist; an empty stdin changes nothing.
    let out = sandbox
        .mcpctl()
        .args(["rotate", "GITHUB_TOKN", "--from-stdin", "-f"])
        .arg(&manifest)
        .output()
        .unwrap();
    let (_, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr.contains("did you mean `GITHUB_TOKEN`?"), "{stderr}");
    let out = sandbox
        .mcpctl()
        .args(["rotate", "GITHUB_TOKEN", "--from-stdin", "-f"])
        .arg(&manifest)
        .write_stdin("")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(lookup(&sandbox, "GITHUB_TOKEN"), new);
}

// Unix only: the Secret Service, with an account per test: the Credential Manager names entries without one, so tests would share them.
#[cfg(unix)]
#[test]
fn revoke_blocks_until_rotate() {
    if !secret_service("revoke_blocks_until_rotate") {
        return;
    }
    let sandbox = Sandbox::new();
    let manifest = sandbox.manifest(MANIFEST);
    sandbox.apply_with_token(&manifest, &canary("revoked"));
    let has_entry = || {
        let claude = fs_err::read_to_string(sandbox.claude_json()).unwrap();
        let codex = fs_err::read_to_string(sandbox.codex_toml()).unwrap();
        (
            claude.contains("\"github\""),
            codex.contains("[mcp_servers.github]"),
        )
    };
    assert_eq!(has_entry(), (true, true));

    let out = sandbox
        .mcpctl()
        .args(["revoke", "GITHUB_TOKEN", "-f"])
        .arg(&manifest)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "no terminal, no --auto-approve");
    assert_eq!(lookup(&sandbox, "GITHUB_TOKEN"), canary("revoked"));

    let out = sandbox
        .mcpctl()
        .args(["revoke", "GITHUB_TOKEN", "--auto-approve", "-f"])
        .arg(&manifest)
        .output()
        .unwrap();
    let (stdout, stderr) = text(&out);
    assert!(out.status.success(), "{stdout}{stderr}");
    assert!(stdout.contains("- github will be deleted"), "{stdout}");
    // The preview speaks of what will happen, not as if it had.
    assert!(!stdout.contains("GITHUB_TOKEN: revoked on"), "{stdout}");
    assert!(
        stdout.contains("blocked: credential `GITHUB_TOKEN` was revoked"),
        "{stdout}"
    );
    assert!(
        stdout.contains("Revoke the token at the provider: https://github.com/settings/tokens"),
        "{stdout}"
    );
    assert!(stdout.contains("`mcpctl rotate GITHUB_TOKEN`"), "{stdout}");
    assert!(
        stdout.contains("`mcpctl audit --credential GITHUB_TOKEN`"),
        "{stdout}"
    );
    assert_eq!(lookup(&sandbox, "GITHUB_TOKEN"), "");
    assert_eq!(has_entry(), (false, false));
    let audit = fs_err::read_to_string(state_dir(&sandbox).join("audit.jsonl")).unwrap();
    assert!(
        audit.contains(
            "\"action\":\"store.delete\",\"target\":\"GITHUB_TOKEN\",\"detail\":\"revoke\""
        ),
        "{audit}"
    );

    // Blocked: the plan shows it, apply neither asks nor re-creates.
    let out = sandbox
        .mcpctl()
        .args(["plan", "--detailed-exitcode", "-f"])
        .arg(&manifest)
        .output()
        .unwrap();
    let (stdout, _) = text(&out);
    assert_eq!(out.status.code(), Some(0), "{stdout}");
    assert!(stdout.contains("! GITHUB_TOKEN: revoked on"), "{stdout}");
    assert!(
        stdout.contains("! github is blocked and will not be created"),
        "{stdout}"
    );
    // "No changes" does not read as "all is as the manifest says".
    assert!(
        stdout.contains(
            "No changes. The credential store and client files match the manifest, except 2 \
             entries blocked by the revocation of `GITHUB_TOKEN` (`mcpctl rotate GITHUB_TOKEN` \
             lifts it)"
        ),
        "{stdout}"
    );
    let out = sandbox
        .mcpctl()
        .args(["apply", "--auto-approve", "-f"])
        .arg(&manifest)
        .output()
        .unwrap();
    assert!(out.status.success(), "{:?}", text(&out));
    assert_eq!(has_entry(), (false, false));

    // rotate lifts the block; apply re-creates the entries.
    let new = canary("after-revoke");
    let out = sandbox
        .mcpctl()
        .args(["rotate", "GITHUB_TOKEN", "--from-env", "NEW_TOKEN", "-f"])
        .arg(&manifest)
        .env("NEW_TOKEN", &new)
        .output()
        .unwrap();
    let (stdout, stderr) = text(&out);
    assert!(out.status.success(), "{stdout}{stderr}");
    assert!(
        stdout.contains("The revocation of `GITHUB_TOKEN` is lifted."),
        "{stdout}"
    );
    sandbox.apply_with_token(&manifest, "unused");
    assert_eq!(has_entry(), (true, true));
    assert_eq!(lookup(&sandbox, "GITHUB_TOKEN"), new);
}

/// A credential sent as a remote server's header is that server's, as much
/// as one in its environment: `rotate` names the server, the bridge's read
/// raises no undeclared-read alert, and `revoke` removes its entries and
/// blocks it (a newcomer found all three treating it as unused).
#[test]
fn a_header_credential_belongs_to_its_remote_server() {
    let test = "a_header_credential_belongs_to_its_remote_server";
    if !secret_service(test) {
        return;
    }
    let sandbox = Sandbox::new();
    // Nothing listens there: the bridge reads the credential, then fails
    // to connect.
    let manifest = sandbox.manifest(
        r#"mcpctl version=1
client claude-code
credential REMOTE_TOKEN { kind api-key; }
server remote {
    url "http://127.0.0.1:9/mcp"
    header Authorization credential=REMOTE_TOKEN scheme=Bearer
}
"#,
    );
    let run = |args: &[&str], env: &[(&str, &str)]| {
        let out = sandbox
            .mcpctl()
            .args(args)
            .arg("-f")
            .arg(&manifest)
            .envs(env.iter().copied())
            .output()
            .unwrap();
        let (stdout, stderr) = text(&out);
        assert!(out.status.success(), "{args:?}: {stdout}{stderr}");
        stdout
    };
    run(
        &["apply", "--auto-approve", "--secrets-from-env"],
        &[("REMOTE_TOKEN", &canary("header-first"))],
    );
    let claude = || fs_err::read_to_string(sandbox.claude_json()).unwrap();
    assert!(claude().contains("\"remote\""), "{}", claude());

    let rotated = run(
        &["rotate", "REMOTE_TOKEN", "--from-env", "NEW_TOKEN"],
        &[("NEW_TOKEN", &canary("header-second"))],
    );
    assert!(
        rotated.contains("server `remote` (as header Authorization)"),
        "{rotated}"
    );
    assert!(
        !rotated.contains("No server in the manifest uses"),
        "{rotated}"
    );

    // The entry as Claude Code runs it, asked to initialize.
    let entry: serde_json::Value = serde_json::from_str(&claude()).unwrap();
    let entry = &entry["mcpServers"]["remote"];
    let args: Vec<&str> = entry["args"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a.as_str().unwrap())
        .collect();
    let mut bridge = std::process::Command::new(entry["command"].as_str().unwrap())
        .args(&args)
        .env_clear()
        .envs(sandbox.env())
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    {
        use std::io::Write as _;
        let mut stdin = bridge.stdin.take().unwrap();
        writeln!(
            stdin,
            r#"{{"jsonrpc":"2.0","id":1,"method":"initialize","params":{{"protocolVersion":"2025-06-18","capabilities":{{}},"clientInfo":{{"name":"t","version":"1"}}}}}}"#
        )
        .unwrap();
    }
    let out = bridge.wait_with_output().unwrap();
    let (stdout, stderr) = text(&out);
    assert!(stdout.contains("\"id\":1"), "{stdout}{stderr}");
    assert!(!stderr.contains("alert"), "{stderr}");
    let audit = fs_err::read_to_string(state_dir(&sandbox).join("audit.jsonl")).unwrap();
    assert!(
        audit.contains("\"action\":\"store.read\",\"target\":\"REMOTE_TOKEN\""),
        "{audit}"
    );
    assert!(!audit.contains("alert.undeclared-read"), "{audit}");

    let revoked = run(&["revoke", "REMOTE_TOKEN", "--auto-approve"], &[]);
    assert!(revoked.contains("- remote will be deleted"), "{revoked}");
    assert!(!claude().contains("\"remote\""), "{}", claude());
    assert_eq!(lookup(&sandbox, "REMOTE_TOKEN"), "");
    let plan = run(&["plan"], &[]);
    assert!(
        plan.contains("! remote is blocked and will not be created"),
        "{plan}"
    );
}
