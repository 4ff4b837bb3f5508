//! `mcpctl check`: a healthy sandbox passes; a seeded unhealthy one names
//! each problem with its fix. Servers are probed with the stdio MCP server
//! in tests/fixtures; GitHub's API is a loopback server answering as
//! GitHub documents (`X-OAuth-Scopes` on `GET /user`).

use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use crate::lifecycle::edit_record;
use crate::support::{Sandbox, canary, secret_service, text};

fn probe_server() -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/probe-server.js")
        .display()
        .to_string()
}

fn manifest(extra: &str) -> String {
    format!(
        r#"mcpctl version=1
client claude-code
client codex
credential GITHUB_TOKEN {{
    kind personal-access-token
    provider github
    scopes repo "read:org"
}}
server github {{
    command node "{probe}"
    env GITHUB_PERSONAL_ACCESS_TOKEN credential=GITHUB_TOKEN
}}
{extra}
"#,
        probe = probe_server()
    )
}

/// A fake `claude` reporting `version`, first on PATH.
fn fake_claude(sandbox: &Sandbox, version: &str) -> PathBuf {
    let bin = sandbox.root().join("bin");
    fs_err::create_dir_all(&bin).unwrap();
    let claude = bin.join("claude");
    fs_err::write(
        &claude,
        format!("#!/bin/sh\necho '{version} (Claude Code)'\n"),
    )
    .unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        fs_err::set_permissions(&claude, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    bin
}

/// A loopback "GitHub API": `GET /user` answers 200 with `scopes` in
/// `X-OAuth-Scopes` for `token`, 401 otherwise. Returns the base URL and
/// the Authorization headers it saw.
fn github_api(token: String, scopes: &'static str) -> (String, Arc<Mutex<Vec<String>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let seen = Arc::new(Mutex::new(Vec::new()));
    let log = seen.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut request_line = String::new();
            let _ = reader.read_line(&mut request_line);
            let mut authorization = String::new();
            loop {
                let mut line = String::new();
                if reader.read_line(&mut line).unwrap_or(0) == 0 || line.trim().is_empty() {
                    break;
                }
                if let Some((name, value)) = line.split_once(':')
                    && name.eq_ignore_ascii_case("authorization")
                {
                    authorization = value.trim().to_owned();
                }
            }
            log.lock().unwrap().push(authorization.clone());
            let response = if request_line.starts_with("GET /user ")
                && authorization == format!("Bearer {token}")
            {
                format!(
                    "HTTP/1.1 200 OK\r\nX-OAuth-Scopes: {scopes}\r\nX-Accepted-OAuth-Scopes: \r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{{}}"
                )
            } else {
                "HTTP/1.1 401 Unauthorized\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
                    .to_owned()
            };
            let _ = stream.write_all(response.as_bytes());
        }
    });
    (base, seen)
}

fn check(
    sandbox: &Sandbox,
    manifest: &Path,
    bin: &Path,
    api: &str,
    extra: &[&str],
) -> (Option<i32>, String, String) {
    let path = format!(
        "{}:{}",
        bin.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let out = sandbox
        .mcpctl()
        .args(["check", "--servers", "--online", "-f"])
        .arg(manifest)
        .args(extra)
        .env("PATH", path)
        .env("MCPCTL_GITHUB_API", api)
        .output()
        .unwrap();
    let (stdout, stderr) = text(&out);
    (out.status.code(), stdout, stderr)
}

// Unix only: the Secret Service, with an account per test: the Credential Manager names entries without one, so tests would share them.
#[cfg(unix)]
#[test]
fn a_healthy_machine_passes() {
    if !secret_service("a_healthy_machine_passes") {
        return;
    }
    let sandbox = Sandbox::new();
    let manifest = sandbox.manifest(&manifest(""));
    let token = canary("check");
    sandbox.apply_with_token(&manifest, &token);
    let bin = fake_claude(&sandbox, "1.0.24");
    let (api, seen) = github_api(token.clone(), "repo, read:org");

    let (code, stdout, stderr) = check(&sandbox, &manifest, &bin, &api, &[]);
    assert_eq!(code, Some(0), "{stdout}{stderr}");
    for line in [
        "ok    credential  GITHUB_TOKEN: readable from store entry `GITHUB_TOKEN`",
        "ok    rotation    GITHUB_TOKEN: set today; rotate every 90d",
        "ok    file-mode   ~/.claude.json: mode 600: private",
        "ok    advisory    claude-code (claude): version 1.0.24: not affected by CVE-2025-52882",
        "ok    server      server `github`: answered the MCP handshake as mcpctl-probe 1.0.0: 0 tools",
        "ok    scopes      GITHUB_TOKEN: granted exactly what is declared: read:org, repo",
        "Check: ",
    ] {
        assert!(stdout.contains(line), "missing `{line}` in\n{stdout}");
    }
    assert!(
        !stdout.contains("FAIL") && !stdout.contains(&token),
        "{stdout}"
    );
    assert_eq!(seen.lock().unwrap().as_slice(), [format!("Bearer {token}")]);
    // Each read is in the audit trail, without the value.
    let audit = fs_err::read_to_string(sandbox.root().join("state/mcpctl/audit.jsonl")).unwrap();
    assert!(
        audit.contains("check, from store entry `GITHUB_TOKEN`"),
        "{audit}"
    );
    assert!(audit.contains("check --online"), "{audit}");
    assert!(!audit.contains(&token));
}

// Unix only: the Secret Service, with an account per test: the Credential Manager names entries without one, so tests would share them.
#[cfg(unix)]
#[test]
fn an_unhealthy_machine_names_each_problem() {
    if !secret_service("an_unhealthy_machine_names_each_problem") {
        return;
    }
    let sandbox = Sandbox::new();
    let token = canary("check-bad");
    // Store GITHUB_TOKEN only, then add servers and SLACK_TOKEN, never stored.
    sandbox.apply_with_token(&sandbox.manifest(&manifest("")), &token);
    let manifest_path = sandbox.manifest(&manifest(
        r#"credential SLACK_TOKEN { kind oauth-token; }
server broken {
    command node -e "process.exit(3)"
    env SLACK_BOT_TOKEN credential=SLACK_TOKEN
}"#,
    ));
    // Overdue: set 200 days ago (github: every 90 days).
    let long_ago =
        (jiff::Timestamp::now() - jiff::SignedDuration::from_hours(24 * 200)).to_string();
    edit_record(&sandbox, "GITHUB_TOKEN", |r| {
        r["set_at"] = long_ago.clone().into()
    });
    // Hand-written entries: a plaintext token, and the guide's `${env:…}`.
    let plaintext = format!("ghp_{}", "A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8");
    let claude_json = sandbox.claude_json();
    let mut json: serde_json::Value =
        serde_json::from_str(&fs_err::read_to_string(&claude_json).unwrap()).unwrap();
    json["mcpServers"]["pasted"] = serde_json::json!({
        "command": "npx", "args": ["-y", "@modelcontextprotocol/server-github"],
        "env": {"GITHUB_PERSONAL_ACCESS_TOKEN": plaintext}
    });
    json["mcpServers"]["db"] = serde_json::json!({
        "command": "npx",
        "args": ["-y", "@modelcontextprotocol/server-postgres", "postgresql://localhost/app"]
    });
    json["mcpServers"]["guide"] = serde_json::json!({
        "command": "npx", "args": ["-y", "@azure-devops/mcp"],
        "env": {"AZURE_DEVOPS_PAT": "${env:AZURE_DEVOPS_PAT}"}
    });
    fs_err::write(&claude_json, serde_json::to_string_pretty(&json).unwrap()).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        fs_err::set_permissions(&claude_json, std::fs::Permissions::from_mode(0o644)).unwrap();
    }
    let codex = sandbox.codex_toml();
    let mut toml = fs_err::read_to_string(&codex).unwrap();
    toml.push_str("\n[mcp_servers.hand]\ncommand = \"npx\"\nargs = [\"x\"]\nenv = { TOKEN = \"${GITHUB_TOKEN}\" }\n");
    fs_err::write(&codex, toml).unwrap();
    let bin = fake_claude(&sandbox, "1.0.23");
    let (api, _) = github_api(token.clone(), "repo, read:org, admin:org, delete_repo");

    let (code, stdout, stderr) = check(&sandbox, &manifest_path, &bin, &api, &[]);
    assert_eq!(code, Some(3), "{stdout}{stderr}");
    let flat = stdout.split_whitespace().collect::<Vec<_>>().join(" ");
    for expected in [
        "FAIL credential SLACK_TOKEN: cannot be read: store entry `SLACK_TOKEN` is not in the Secret Service",
        "fix: `mcpctl apply` asks for it",
        "FAIL rotation GITHUB_TOKEN:",
        "overdue by 110 days",
        "fix: `mcpctl rotate GITHUB_TOKEN` stores a new value",
        "FAIL file-mode ~/.claude.json: mode 644: group or others can read it",
        "fix: chmod 600",
        "FAIL plaintext ~/.claude.json: pasted: `env.GITHUB_PERSONAL_ACCESS_TOKEN` holds a GitHub",
        "FAIL reference ~/.claude.json: guide: `env.AZURE_DEVOPS_PAT` holds `${env:AZURE_DEVOPS_PAT}`, which `claude-code` passes on literally",
        "fix: write `${AZURE_DEVOPS_PAT}`",
        "FAIL reference ~/.codex/config.toml: hand: `env.TOKEN` holds `${GITHUB_TOKEN}`, which `codex` passes on literally",
        r#"env_vars = ["GITHUB_TOKEN"]"#,
        "FAIL advisory claude-code (claude): version 1.0.23 is affected by CVE-2025-52882",
        "fix: update Claude Code",
        "FAIL advisory ~/.claude.json: db: runs @modelcontextprotocol/server-postgres",
        "FAIL server server `broken`: not working: it exited before answering `initialize`; its stderr:",
        "server `broken` needs credential `SLACK_TOKEN`, read from store entry `SLACK_TOKEN`",
        "ok server server `github`: answered the MCP handshake",
        "FAIL scopes GITHUB_TOKEN: over-privileged: granted admin:org, delete_repo beyond the declared scopes",
    ] {
        assert!(flat.contains(expected), "missing `{expected}` in\n{stdout}");
    }
    assert!(
        !stdout.contains(&token) && !stdout.contains(&plaintext),
        "{stdout}"
    );

    let (code, json, _) = check(&sandbox, &manifest_path, &bin, &api, &["--json"]);
    assert_eq!(code, Some(3));
    let json: serde_json::Value = serde_json::from_str(&json).unwrap();
    let failed: Vec<&str> = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["verdict"] == "fail")
        .map(|f| f["check"].as_str().unwrap())
        .collect();
    for check in [
        "credential",
        "rotation",
        "file-mode",
        "plaintext",
        "reference",
        "advisory",
        "server",
        "scopes",
    ] {
        assert!(failed.contains(&check), "{check} not failed: {failed:?}");
    }
}

// Unix only: the Secret Service, with an account per test: the Credential Manager names entries without one, so tests would share them.
#[cfg(unix)]
#[test]
fn under_privileged_and_rejected_tokens() {
    if !secret_service("under_privileged_and_rejected_tokens") {
        return;
    }
    let sandbox = Sandbox::new();
    let manifest = sandbox.manifest(&manifest(""));
    let token = canary("check-scopes");
    sandbox.apply_with_token(&manifest, &token);
    let bin = fake_claude(&sandbox, "2.0.0");
    let (api, _) = github_api(token.clone(), "public_repo");
    let (code, stdout, _) = check(&sandbox, &manifest, &bin, &api, &[]);
    assert_eq!(code, Some(3), "{stdout}");
    assert!(
        stdout.contains("under-privileged: lacks declared repo, read:org"),
        "{stdout}"
    );
    let (api, _) = github_api("another-token".to_owned(), "repo");
    let (code, stdout, _) = check(&sandbox, &manifest, &bin, &api, &[]);
    assert_eq!(code, Some(3), "{stdout}");
    assert!(
        stdout.contains("GitHub rejects the token (HTTP 401)"),
        "{stdout}"
    );
}

/// A server that writes terminal escapes on stderr (clear the screen, set
/// the clipboard with OSC 52) and exits: `check` quotes its stderr with
/// them as visible escapes.
#[cfg(unix)]
#[test]
fn server_stderr_is_quoted_escaped() {
    if !secret_service("server_stderr_is_quoted_escaped") {
        return;
    }
    let sandbox = Sandbox::new();
    let manifest = sandbox.manifest(
        r#"mcpctl version=1
client claude-code
server noisy {
    command sh "-c" "printf 'boom\\033[2J\\033]52;c;eA==\\007\\302\\233' >&2; exit 3"
}
"#,
    );
    let out = sandbox
        .mcpctl()
        .args(["check", "--servers", "-f"])
        .arg(&manifest)
        .output()
        .unwrap();
    let (stdout, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(3), "{stdout}{stderr}");
    assert!(
        stdout.contains(r"boom\u{1b}[2J\u{1b}]52;c;eA==\u{7}\u{9b}"),
        "{stdout}"
    );
    let raw = |s: &str| s.contains(|c: char| c != '\n' && mcpctl::terminal_text::is_unsafe(c));
    assert!(!raw(&stdout) && !raw(&stderr), "{stdout:?}\n{stderr:?}");
}

/// A server that answers `initialize` and then closes its input: the next
/// message `check` writes hits a pipe nobody reads. mcpctl runs with
/// SIGPIPE's default action (so `mcpctl plan | head` ends quietly), and
/// that write used to kill `check` itself; it must report the server.
#[cfg(unix)]
#[test]
fn a_server_that_closes_its_input_is_reported_not_fatal() {
    if !secret_service("a_server_that_closes_its_input_is_reported_not_fatal") {
        return;
    }
    let sandbox = Sandbox::new();
    let script = sandbox.root().join("closes-input.sh");
    fs_err::write(
        &script,
        r#"read -r line
printf 'closed-early' >&2
exec 0<&-
printf '%s\n' '{"jsonrpc":"2.0","id":1,"result":{"protocolVersion":"2025-06-18","capabilities":{},"serverInfo":{"name":"early"}}}'
sleep 5
"#,
    )
    .unwrap();
    let manifest = sandbox.manifest(&format!(
        "mcpctl version=1\nclient claude-code\nserver early {{\n    command sh \"{}\"\n}}\n",
        script.display()
    ));
    let out = sandbox
        .mcpctl()
        .args(["check", "--servers", "-f"])
        .arg(&manifest)
        .output()
        .unwrap();
    let (stdout, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(3), "{stdout}{stderr}");
    assert!(
        stdout.contains("closed its input") && stdout.contains("closed-early"),
        "{stdout}"
    );
}

// Unix only: the Secret Service, with an account per test: the Credential Manager names entries without one, so tests would share them.
#[cfg(unix)]
/// A server whose launcher is not installed (`uvx` without uv, `npx`
/// without Node.js) is reported as not installed, once, with what to
/// install — by `check --servers` and by `exec`, which clients run.
#[test]
fn a_missing_launcher_says_what_to_install() {
    if !secret_service("a_missing_launcher_says_what_to_install") {
        return;
    }
    let sandbox = Sandbox::new();
    let empty = sandbox.root().join("empty-bin");
    fs_err::create_dir_all(&empty).unwrap();
    let manifest = sandbox.manifest(
        r#"mcpctl version=1
client claude-code
server fetch {
    command uvx "mcp-server-fetch==2025.4.7"
}
server memory {
    command npx "-y" "@modelcontextprotocol/server-memory@2025.8.4"
}
"#,
    );
    let out = sandbox
        .mcpctl()
        .env("PATH", &empty)
        .args(["check", "--servers", "-f"])
        .arg(&manifest)
        .output()
        .unwrap();
    let (stdout, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(3), "{stdout}{stderr}");
    for (program, provider) in [("uvx", "uv"), ("npx", "Node.js")] {
        assert!(
            stdout.contains(&format!(
                "`{program}` is not installed here (not found on PATH)"
            )) && stdout.contains(&format!("install {provider}, which provides `{program}`")),
            "{stdout}"
        );
    }
    assert!(!stdout.contains("os error"), "{stdout}");

    let out = sandbox
        .mcpctl()
        .env("PATH", &empty)
        .args(["exec", "--server", "fetch", "--", "uvx", "mcp-server-fetch"])
        .output()
        .unwrap();
    let (_, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    let words = stderr
        .split_whitespace()
        .filter(|w| *w != "│")
        .collect::<Vec<_>>()
        .join(" ");
    assert!(
        words.contains("cannot start `uvx` for server `fetch`: `uvx` is not installed here")
            && words.contains("install uv, which provides `uvx`"),
        "{stderr}"
    );
    assert!(!stderr.contains("os error"), "{stderr}");
}
