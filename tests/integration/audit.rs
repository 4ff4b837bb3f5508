//! The audit trail end to end: concurrent `exec` launches against a real
//! Secret Service, tampering caught by `audit verify`, filters, forwarding
//! to a syslog socket and a webhook the test runs, and alert rules.

use crate::lifecycle::{MANIFEST, state_dir};
use crate::support::{Sandbox, canary, mcpctl_bin, secret_service, text};

fn exec(sandbox: &Sandbox, server: &str) -> std::process::Command {
    let mut cmd = std::process::Command::new(mcpctl_bin());
    cmd.env_clear()
        .envs(sandbox.env())
        .current_dir(sandbox.root())
        .args([
            "exec",
            "--server",
            server,
            "--env",
            "TOKEN=GITHUB_TOKEN",
            "--",
            "true",
        ]);
    cmd
}

fn audit(sandbox: &Sandbox, args: &[&str]) -> (Option<i32>, String, String) {
    let out = sandbox.mcpctl().arg("audit").args(args).output().unwrap();
    let (stdout, stderr) = text(&out);
    (out.status.code(), stdout, stderr)
}

fn trail(sandbox: &Sandbox) -> std::path::PathBuf {
    state_dir(sandbox).join("audit.jsonl")
}

// Unix only: the Secret Service, with an account per test: the Credential Manager names entries without one, so tests would share them.
#[cfg(unix)]
#[test]
fn concurrent_execs_keep_the_chain_and_tampering_is_named() {
    if !secret_service("concurrent_execs_keep_the_chain_and_tampering_is_named") {
        return;
    }
    let sandbox = Sandbox::new();
    let manifest = sandbox.manifest(MANIFEST);
    let token = canary("audit");
    sandbox.apply_with_token(&manifest, &token);

    const LAUNCHES: usize = 24;
    let children: Vec<_> = (0..LAUNCHES)
        .map(|_| exec(&sandbox, "github").spawn().unwrap())
        .collect();
    for mut child in children {
        assert!(child.wait().unwrap().success());
    }
    let (code, stdout, _) = audit(&sandbox, &["verify"]);
    assert_eq!(code, Some(0), "{stdout}");
    assert!(stdout.contains("chain intact"), "{stdout}");

    let (_, json, _) = audit(&sandbox, &["--action", "store.read", "--json"]);
    let reads: Vec<serde_json::Value> = serde_json::from_str(&json).unwrap();
    assert_eq!(reads.len(), LAUNCHES);
    assert!(
        reads
            .iter()
            .all(|r| r["server"] == "github" && r["outcome"] == "ok")
    );
    let (_, listed, _) = audit(&sandbox, &["--credential", "GITHUB_TOKEN", "--since", "1h"]);
    assert_eq!(listed.lines().count(), LAUNCHES + 1, "{listed}"); // + the write
    let (_, future, stderr) = audit(&sandbox, &["--until", "2000-01-01"]);
    assert!(future.is_empty() && stderr.contains("no audit records match"));
    let text = fs_err::read_to_string(trail(&sandbox)).unwrap();
    assert!(!text.contains(&token));
    let apply_record: serde_json::Value =
        serde_json::from_str(text.lines().next().unwrap()).unwrap();
    assert!(
        apply_record["manifest"]
            .as_str()
            .unwrap()
            .ends_with("mcpctl.kdl")
    );

    let lines: Vec<&str> = text.lines().collect();
    let tamper = |lines: Vec<String>, expect: &str| {
        fs_err::write(trail(&sandbox), lines.join("\n") + "\n").unwrap();
        let (code, stdout, _) = audit(&sandbox, &["verify"]);
        assert_eq!(code, Some(3), "{stdout}");
        assert!(stdout.contains(expect), "expected `{expect}` in:\n{stdout}");
    };
    let owned = || {
        lines
            .iter()
            .map(|l| (*l).to_owned())
            .collect::<Vec<String>>()
    };
    let mut edited = owned();
    edited[5] = edited[5].replace("\"ok\"", "\"failed\"");
    tamper(edited, "line 6: line 6 was edited");
    let mut deleted = owned();
    deleted.remove(7);
    tamper(
        deleted,
        "line 8: record 8 is missing before line 8 (deleted)",
    );
    let mut reordered = owned();
    reordered.swap(9, 10);
    tamper(reordered, "line 10: line 10 is out of order");
}

// Unix only: the Secret Service, with an account per test: the Credential Manager names entries without one, so tests would share them.
#[cfg(unix)]
/// `exec --server` takes any label and the trail records it as given; the
/// listing prints it escaped: one record, one line, no raw ESC (a label
/// could otherwise forge records below it or recolour the terminal).
#[test]
fn listing_escapes_a_hostile_server_label() {
    if !secret_service("listing_escapes_a_hostile_server_label") {
        return;
    }
    let sandbox = Sandbox::new();
    let manifest = sandbox.manifest(MANIFEST);
    sandbox.apply_with_token(&manifest, &canary("audit-label"));
    let label = "a\n2026-01-01T00:00:00Z exec forged\u{1b}[31m\u{202e}b";
    let status = exec(&sandbox, label).status().unwrap();
    assert!(status.success());

    let (code, stdout, _) = audit(&sandbox, &["--action", "store.read"]);
    assert_eq!(code, Some(0), "{stdout}");
    assert_eq!(stdout.lines().count(), 1, "{stdout:?}");
    assert!(
        !stdout.contains(['\u{1b}', '\u{202e}']),
        "raw escape in {stdout:?}"
    );
    assert!(
        stdout.contains("server=a\\u{a}2026-01-01T00:00:00Z exec forged\\u{1b}[31m\\u{202e}b"),
        "{stdout:?}"
    );
    // The JSON listing keeps the label exactly (serde escapes it).
    let (_, json, _) = audit(&sandbox, &["--action", "store.read", "--json"]);
    let records: Vec<serde_json::Value> = serde_json::from_str(&json).unwrap();
    assert_eq!(records[0]["server"], label);
}

/// A project-scope file is checked in and shared: its exec entries name
/// no manifest path of this machine (their launches follow the settings
/// guessed from the server and credential names), while the user-scope
/// entries of the same apply name the manifest that owns them.
#[cfg(unix)]
#[test]
fn a_checked_in_entry_names_no_path_of_this_machine() {
    if !secret_service("a_checked_in_entry_names_no_path_of_this_machine") {
        return;
    }
    let sandbox = Sandbox::new();
    let manifest = sandbox.manifest(
        "mcpctl version=1\nclient claude-code scope=project\nclient codex\ncredential GITHUB_TOKEN {\n    kind api-key\n}\nserver github {\n    command \"true\"\n    env GITHUB_PERSONAL_ACCESS_TOKEN credential=GITHUB_TOKEN\n}\n",
    );
    sandbox.apply_with_token(&manifest, &canary("project"));
    let project = fs_err::read_to_string(manifest.parent().unwrap().join(".mcp.json")).unwrap();
    let project: serde_json::Value = serde_json::from_str(&project).unwrap();
    assert_eq!(
        project["mcpServers"]["github"]["args"],
        serde_json::json!([
            "exec",
            "--server",
            "github",
            "--manifest",
            "mcpctl.kdl",
            "--env",
            "GITHUB_PERSONAL_ACCESS_TOKEN=GITHUB_TOKEN",
            "--",
            "true"
        ])
    );
    let codex = fs_err::read_to_string(sandbox.codex_toml()).unwrap();
    assert!(
        codex.contains(&format!(
            "\"--server\", \"github\", \"--manifest\", \"{}\", \"--env\"",
            manifest.display()
        )),
        "{codex}"
    );
}

/// Forwarding to a syslog socket and a webhook the test runs (Unix: the
/// syslog socket is a Unix datagram socket).
#[cfg(unix)]
mod forwarding {
    use std::io::{BufRead, BufReader, Read, Write};
    use std::net::TcpListener;
    use std::path::Path;
    use std::sync::mpsc;

    use super::{MANIFEST, audit, exec};
    use crate::support::{Sandbox, canary, secret_service, text};

    /// A loopback HTTP receiver: answers 200 and sends each body down `tx`.
    fn receiver() -> (u16, mpsc::Receiver<String>) {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(mut stream) = stream else { continue };
                let mut reader = BufReader::new(stream.try_clone().unwrap());
                let mut length = 0;
                let mut request_line = String::new();
                reader.read_line(&mut request_line).unwrap();
                loop {
                    let mut header = String::new();
                    reader.read_line(&mut header).unwrap();
                    if header == "\r\n" || header.is_empty() {
                        break;
                    }
                    if let Some(v) = header.to_ascii_lowercase().strip_prefix("content-length:") {
                        length = v.trim().parse().unwrap();
                    }
                }
                let mut body = vec![0; length];
                reader.read_exact(&mut body).unwrap();
                stream
                    .write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
                    .unwrap();
                assert!(
                    request_line.starts_with("POST /hook HTTP/1.1"),
                    "{request_line}"
                );
                let _ = tx.send(String::from_utf8(body).unwrap());
            }
        });
        (port, rx)
    }

    // Unix only: the Secret Service, with an account per test: the Credential Manager names entries without one, so tests would share them.
    #[cfg(unix)]
    #[test]
    fn records_are_forwarded_and_alerts_raised() {
        if !secret_service("records_are_forwarded_and_alerts_raised") {
            return;
        }
        let sandbox = Sandbox::new();
        let (port, bodies) = receiver();
        let socket_path = sandbox.root().join("log.sock");
        let syslog = std::os::unix::net::UnixDatagram::bind(&socket_path).unwrap();
        syslog
            .set_read_timeout(Some(std::time::Duration::from_secs(5)))
            .unwrap();
        let manifest_text = MANIFEST.replace(
            "client claude-code\n",
            &format!(
                "client claude-code\naudit {{\n    retain \"7y\"\n    syslog\n    webhook \"http://127.0.0.1:{port}/hook\"\n    alert-reads-per-hour 2\n}}\n"
            ),
        );
        let manifest = sandbox.manifest(&manifest_text);
        git_init(&sandbox, manifest.parent().unwrap());
        let mut apply = sandbox.mcpctl();
        apply
            .args(["apply", "--auto-approve", "--secrets-from-env", "-f"])
            .arg(&manifest)
            .env("GITHUB_TOKEN", canary("forward"))
            .env("MCPCTL_SYSLOG_SOCKET", &socket_path);
        let out = apply.output().unwrap();
        assert!(out.status.success(), "{:?}", text(&out));

        let run = |server: &str| {
            let out = exec(&sandbox, server)
                .env("MCPCTL_SYSLOG_SOCKET", &socket_path)
                .output()
                .unwrap();
            assert!(out.status.success());
            String::from_utf8_lossy(&out.stderr).into_owned()
        };
        assert_eq!(run("github"), "");
        assert_eq!(run("github"), "");
        let third = run("github");
        assert!(
            third.contains("alert: 3 reads of `GITHUB_TOKEN` in the last hour (the limit is 2)"),
            "{third}"
        );
        let stranger = run("slack");
        assert!(
            stranger.contains("alert: server `slack` read `GITHUB_TOKEN`"),
            "{stranger}"
        );

        let mut received = Vec::new();
        while let Ok(body) = bodies.recv_timeout(std::time::Duration::from_secs(5)) {
            received.push(body);
            if received.iter().any(|b| b.contains("alert.undeclared-read")) {
                break;
            }
        }
        let actions: Vec<String> = received
            .iter()
            .map(|b| {
                serde_json::from_str::<serde_json::Value>(b).unwrap()["action"]
                    .as_str()
                    .unwrap()
                    .to_owned()
            })
            .collect();
        assert!(
            actions.contains(&"alert.read-rate".to_owned()),
            "{actions:?}"
        );
        assert!(actions.contains(&"file.write".to_owned()), "{actions:?}");
        assert_eq!(
            actions.iter().filter(|a| *a == "store.read").count(),
            4,
            "{actions:?}"
        );

        let mut buf = [0u8; 4096];
        let n = syslog.recv(&mut buf).unwrap();
        let message = String::from_utf8_lossy(&buf[..n]);
        assert!(message.starts_with("<86>1 "), "{message}");
        assert!(
            message.contains(" mcpctl ") && message.contains("\"action\":\"store.write\""),
            "{message}"
        );

        // Records of apply carry the manifest's commit.
        let (_, json, _) = audit(&sandbox, &["--action", "file", "--json"]);
        let writes: Vec<serde_json::Value> = serde_json::from_str(&json).unwrap();
        let head = sandbox
            .program("git")
            .args(["-C"])
            .arg(manifest.parent().unwrap())
            .args(["rev-parse", "HEAD"])
            .output()
            .unwrap();
        let head = String::from_utf8_lossy(&head.stdout).trim().to_owned();
        assert_eq!(writes[0]["git_commit"], head.as_str());
        let (_, alerts, _) = audit(&sandbox, &["--action", "alert"]);
        assert_eq!(alerts.lines().count(), 2, "{alerts}");
        assert!(alerts.contains("WARNING"));
        assert_eq!(audit(&sandbox, &["verify"]).0, Some(0));
    }

    /// What one receiver got until it was quiet for a second: the
    /// (action, server) of each record.
    fn drain(bodies: &mpsc::Receiver<String>) -> Vec<(String, String)> {
        let mut got = Vec::new();
        while let Ok(body) = bodies.recv_timeout(std::time::Duration::from_secs(1)) {
            let record: serde_json::Value = serde_json::from_str(&body).unwrap();
            let field = |k: &str| record[k].as_str().unwrap_or_default().to_owned();
            got.push((field("action"), field("server")));
        }
        got
    }

    /// The store reads and alerts among what a receiver got, as
    /// "action server".
    fn reads_and_alerts(got: Vec<(String, String)>) -> Vec<String> {
        got.into_iter()
            .filter(|(action, _)| action.starts_with("store.read") || action.starts_with("alert"))
            .map(|(action, server)| format!("{action} {server}"))
            .collect()
    }

    /// Two applied manifests, each forwarding to its own receiver and
    /// declaring the same `server github` and `credential GITHUB_TOKEN`:
    /// A (in `repo a`, a path with a space) for `client_a`, B (in
    /// `repo-b`) for Codex with the credential from the environment.
    /// Returns A's path and both receivers, drained of the applies'
    /// records.
    fn two_manifests_declaring_github(
        sandbox: &Sandbox,
        client_a: &str,
        owner: &str,
    ) -> (
        std::path::PathBuf,
        mpsc::Receiver<String>,
        mpsc::Receiver<String>,
    ) {
        let (port_a, bodies_a) = receiver();
        let (port_b, bodies_b) = receiver();
        let manifest = |dir: &str, client: &str, port: u16, source: &str| {
            let dir = sandbox.root().join(dir);
            fs_err::create_dir_all(&dir).unwrap();
            let path = dir.join("mcpctl.kdl");
            fs_err::write(
                &path,
                format!(
                    "mcpctl version=1\nclient {client}\naudit {{\n    webhook \"http://127.0.0.1:{port}/hook\"\n}}\ncredential GITHUB_TOKEN {{\n    kind api-key\n{source}}}\nserver github {{\n    command \"true\"\n    env GITHUB_PERSONAL_ACCESS_TOKEN credential=GITHUB_TOKEN\n}}\n"
                ),
            )
            .unwrap();
            path
        };
        let manifest_a = manifest("repo a", client_a, port_a, "");
        let manifest_b = manifest("repo-b", "codex", port_b, "    source env\n");
        for manifest in [&manifest_a, &manifest_b] {
            let out = sandbox
                .mcpctl()
                .args(["apply", "--auto-approve", "--secrets-from-env", "-f"])
                .arg(manifest)
                .env("GITHUB_TOKEN", canary(owner))
                .output()
                .unwrap();
            assert!(out.status.success(), "{:?}", text(&out));
        }
        drain(&bodies_a);
        drain(&bodies_b);
        (manifest_a, bodies_a, bodies_b)
    }

    // Unix only: the Secret Service, with an account per test: the Credential Manager names entries without one, so tests would share them.
    #[cfg(unix)]
    /// Each applied manifest keeps its own audit settings: applying a
    /// second one neither silences the first one's webhook nor makes the
    /// first one's launches look undeclared, and each webhook gets the
    /// launches of its own manifest's servers only.
    #[test]
    fn two_manifests_keep_their_own_webhooks_and_alert_rules() {
        if !secret_service("two_manifests_keep_their_own_webhooks_and_alert_rules") {
            return;
        }
        let sandbox = Sandbox::new();
        let (port_a, bodies_a) = receiver();
        let (port_b, bodies_b) = receiver();
        let hook =
            |port: u16| format!("audit {{\n    webhook \"http://127.0.0.1:{port}/hook\"\n}}\n");
        let manifest_a = sandbox.manifest(&MANIFEST.replace(
            "client claude-code\n",
            &format!("client claude-code\n{}", hook(port_a)),
        ));
        let dir_b = sandbox.root().join("repo-b");
        fs_err::create_dir_all(&dir_b).unwrap();
        let manifest_b = dir_b.join("mcpctl.kdl");
        fs_err::write(
            &manifest_b,
            format!(
                "mcpctl version=1\nclient claude-code\n{}credential SLACK_TOKEN {{\n    kind api-key\n}}\nserver slack {{\n    command npx -y slack-mcp\n    env SLACK_BOT_TOKEN credential=SLACK_TOKEN\n}}\n",
                hook(port_b)
            ),
        )
        .unwrap();
        for manifest in [&manifest_a, &manifest_b] {
            let out = sandbox
                .mcpctl()
                .args(["apply", "--auto-approve", "--secrets-from-env", "-f"])
                .arg(manifest)
                .env("GITHUB_TOKEN", canary("two-a"))
                .env("SLACK_TOKEN", canary("two-b"))
                .output()
                .unwrap();
            assert!(out.status.success(), "{:?}", text(&out));
        }
        drain(&bodies_a);
        drain(&bodies_b);

        let launch = |server: &str, credential: &str| {
            let out = std::process::Command::new(crate::support::mcpctl_bin())
                .env_clear()
                .envs(sandbox.env())
                .current_dir(sandbox.root())
                .args(["exec", "--server", server, "--env"])
                .arg(format!("TOKEN={credential}"))
                .args(["--", "true"])
                .output()
                .unwrap();
            assert!(out.status.success(), "{:?}", text(&out));
            String::from_utf8_lossy(&out.stderr).into_owned()
        };
        assert_eq!(
            launch("github", "GITHUB_TOKEN"),
            "",
            "no alert for manifest A's server"
        );
        assert_eq!(
            launch("slack", "SLACK_TOKEN"),
            "",
            "no alert for manifest B's server"
        );
        assert_eq!(reads_and_alerts(drain(&bodies_a)), ["store.read github"]);
        assert_eq!(reads_and_alerts(drain(&bodies_b)), ["store.read slack"]);
        let (_, alerts, _) = audit(&sandbox, &["--action", "alert"]);
        assert!(alerts.is_empty(), "{alerts}");
    }

    // Unix only: the Secret Service, with an account per test: the Credential Manager names entries without one, so tests would share them.
    #[cfg(unix)]
    /// A launch follows the manifest its entry names, not one that copies
    /// the server and credential names: manifest B declaring `server
    /// github` with a `credential GITHUB_TOKEN` of its own gets none of
    /// the records of manifest A's entry on its webhook, and the launch
    /// raises no alert. (Before entries named their manifest, both
    /// webhooks got the record.) A's path holds a space: it is one argv
    /// element.
    #[test]
    fn a_launch_follows_the_manifest_its_entry_names() {
        if !secret_service("a_launch_follows_the_manifest_its_entry_names") {
            return;
        }
        let sandbox = Sandbox::new();
        let (manifest_a, bodies_a, bodies_b) =
            two_manifests_declaring_github(&sandbox, "claude-code", "owner");

        // A's entry exactly as its apply wrote it.
        let claude: serde_json::Value =
            serde_json::from_str(&fs_err::read_to_string(sandbox.claude_json()).unwrap()).unwrap();
        let entry = &claude["mcpServers"]["github"];
        let args: Vec<&str> = entry["args"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a.as_str().unwrap())
            .collect();
        let manifest_a = manifest_a.canonicalize().unwrap();
        assert_eq!(
            args[..5],
            [
                "exec",
                "--server",
                "github",
                "--manifest",
                manifest_a.to_str().unwrap()
            ],
            "{entry}"
        );
        let out = std::process::Command::new(entry["command"].as_str().unwrap())
            .env_clear()
            .envs(sandbox.env())
            .current_dir(sandbox.root())
            .args(&args)
            .output()
            .unwrap();
        assert!(out.status.success(), "{:?}", text(&out));
        assert_eq!(String::from_utf8_lossy(&out.stderr), "", "no alert");

        assert_eq!(reads_and_alerts(drain(&bodies_a)), ["store.read github"]);
        assert_eq!(reads_and_alerts(drain(&bodies_b)), Vec::<String>::new());
        let (_, alerts, _) = audit(&sandbox, &["--action", "alert"]);
        assert!(alerts.is_empty(), "{alerts}");
        // The record names the manifest the launch followed.
        let (_, json, _) = audit(&sandbox, &["--action", "store.read", "--json"]);
        let records: Vec<serde_json::Value> = serde_json::from_str(&json).unwrap();
        assert_eq!(
            records.last().unwrap()["manifest"],
            manifest_a.to_str().unwrap()
        );
    }

    // Unix only: the Secret Service, with an account per test: the Credential Manager names entries without one, so tests would share them.
    #[cfg(unix)]
    /// A checked-in project entry names only the manifest's file name; run
    /// from a directory inside the project (as clients start project
    /// servers), it follows that project's manifest, and a second manifest
    /// copying the server and credential names gets nothing.
    #[test]
    fn a_project_launch_follows_the_manifest_beside_it() {
        if !secret_service("a_project_launch_follows_the_manifest_beside_it") {
            return;
        }
        let sandbox = Sandbox::new();
        let (manifest_a, bodies_a, bodies_b) =
            two_manifests_declaring_github(&sandbox, "claude-code scope=project", "project-owner");

        let project = manifest_a.parent().unwrap();
        let mcp: serde_json::Value =
            serde_json::from_str(&fs_err::read_to_string(project.join(".mcp.json")).unwrap())
                .unwrap();
        let entry = &mcp["mcpServers"]["github"];
        assert_eq!(entry["command"], "mcpctl", "{entry}");
        let args: Vec<&str> = entry["args"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a.as_str().unwrap())
            .collect();
        assert_eq!(args[3..5], ["--manifest", "mcpctl.kdl"], "{entry}");
        let inside = project.join("src/deep");
        fs_err::create_dir_all(&inside).unwrap();
        let out = std::process::Command::new(crate::support::mcpctl_bin())
            .env_clear()
            .envs(sandbox.env())
            .current_dir(&inside)
            .args(&args)
            .output()
            .unwrap();
        assert!(out.status.success(), "{:?}", text(&out));
        assert_eq!(String::from_utf8_lossy(&out.stderr), "", "no alert");

        assert_eq!(reads_and_alerts(drain(&bodies_a)), ["store.read github"]);
        assert_eq!(reads_and_alerts(drain(&bodies_b)), Vec::<String>::new());
    }

    fn git_init(sandbox: &Sandbox, dir: &Path) {
        for args in [
            &["init", "-q"][..],
            &["add", "mcpctl.kdl"],
            &[
                "-c",
                "user.name=t",
                "-c",
                "user.email=t@example.com",
                "commit",
                "-qm",
                "manifest",
            ],
        ] {
            let out = sandbox
                .program("git")
                .arg("-C")
                .arg(dir)
                .args(args)
                .output()
                .unwrap();
            assert!(out.status.success(), "git {args:?}: {:?}", text(&out));
        }
    }
}

/// `exec` of `server` reading GITHUB_TOKEN from the variable `GH`: records
/// without a credential store.
#[cfg(unix)]
fn exec_from_env(sandbox: &Sandbox, server: &str) -> std::process::Output {
    let mut cmd = std::process::Command::new(mcpctl_bin());
    cmd.env_clear()
        .envs(sandbox.env())
        .env("GH", canary("from-env"))
        .current_dir(sandbox.root())
        .args([
            "exec",
            "--server",
            server,
            "--env",
            "TOKEN=GITHUB_TOKEN:env:GH",
            "--",
            "true",
        ]);
    let out = cmd.output().unwrap();
    assert!(out.status.success(), "{:?}", text(&out));
    out
}

/// The chain alone cannot show a change at its end; the head mcpctl keeps
/// beside the log (`audit.head`) does: an edited last record, a forged
/// record appended, records cut from the end, and the first records
/// replaced by a checkpoint mcpctl did not write are each named.
// Unix only: launches `true`.
#[cfg(unix)]
#[test]
fn verify_names_forgeries_at_either_end_of_the_chain() {
    let sandbox = Sandbox::new();
    for _ in 0..3 {
        exec_from_env(&sandbox, "github");
    }
    let (code, stdout, _) = audit(&sandbox, &["verify"]);
    assert_eq!(code, Some(0), "{stdout}");
    let original = fs_err::read_to_string(trail(&sandbox)).unwrap();
    let lines: Vec<String> = original.lines().map(str::to_owned).collect();
    assert_eq!(lines.len(), 3);
    let root = sandbox.root().display().to_string();
    let verify_after = |forged: Vec<String>| {
        fs_err::write(trail(&sandbox), forged.join("\n") + "\n").unwrap();
        let (code, stdout, _) = audit(&sandbox, &["verify"]);
        assert_eq!(code, Some(3), "{stdout}");
        stdout.replace(&root, "[ROOT]")
    };
    let record = |line: &str| serde_json::from_str::<serde_json::Value>(line).unwrap();

    let mut edited = lines.clone();
    edited[2] = edited[2].replace("\"outcome\":\"ok\"", "\"outcome\":\"failed\"");
    assert_ne!(edited[2], lines[2]);
    insta::assert_snapshot!("verify_edited_last_record", verify_after(edited));

    let mut appended = lines.clone();
    let mut forged = record(&lines[2]);
    forged["seq"] = 4.into();
    forged["server"] = "forged".into();
    forged["prev"] = mcpctl::audit::line_hash(&lines[2]).into();
    appended.push(serde_json::to_string(&forged).unwrap());
    insta::assert_snapshot!("verify_appended_record", verify_after(appended));

    let cut = lines[..2].to_vec();
    insta::assert_snapshot!("verify_cut_from_the_end", verify_after(cut));

    // Records 1 and 2 replaced by a checkpoint that chains to record 3.
    let mut checkpoint = record(&lines[1]);
    checkpoint["action"] = "audit.checkpoint".into();
    checkpoint["prev"] = mcpctl::audit::line_hash(&lines[1]).into();
    let replaced = vec![
        serde_json::to_string(&checkpoint).unwrap(),
        lines[2].clone(),
    ];
    insta::assert_snapshot!("verify_forged_checkpoint", verify_after(replaced));

    // Restored, the log verifies again; without its head it does not.
    fs_err::write(trail(&sandbox), &original).unwrap();
    assert_eq!(audit(&sandbox, &["verify"]).0, Some(0));
    fs_err::remove_file(trail(&sandbox).with_file_name("audit.head")).unwrap();
    let (code, stdout, _) = audit(&sandbox, &["verify", "--json"]);
    assert_eq!(code, Some(3), "{stdout}");
    assert!(stdout.contains("\"kind\": \"no-head\""), "{stdout}");
}

// Unix only: the Secret Service, with an account per test: the Credential Manager names entries without one, so tests would share them.
#[cfg(unix)]
/// An `audit` block added to an applied manifest is a change like any
/// other: `plan` shows it (its webhook redacted) and counts it, `--json`
/// carries it, and `apply` installs it only once confirmed — until then
/// nothing is forwarded or pruned under it.
#[test]
fn an_audit_block_is_planned_and_installed_only_when_confirmed() {
    if !secret_service("an_audit_block_is_planned_and_installed_only_when_confirmed") {
        return;
    }
    let sandbox = Sandbox::new();
    let manifest = sandbox.manifest(MANIFEST);
    sandbox.apply_with_token(&manifest, &canary("audit-block"));
    let key = canary("webhook-key");
    let with_audit = MANIFEST.replace(
        "client claude-code\n",
        &format!(
            "client claude-code\naudit {{\n    retain \"1d\"\n    webhook \"http://127.0.0.1:9/hook?key={key}\"\n}}\n"
        ),
    );
    fs_err::write(&manifest, with_audit).unwrap();
    let plan = |args: &[&str]| {
        let out = sandbox
            .mcpctl()
            .arg("plan")
            .args(args)
            .arg("-f")
            .arg(&manifest)
            .output()
            .unwrap();
        let (stdout, stderr) = text(&out);
        (out.status.code(), stdout, stderr)
    };
    let (code, stdout, stderr) = plan(&["--detailed-exitcode"]);
    assert_eq!(code, Some(2), "{stdout}{stderr}");
    assert!(stdout.contains("Audit trail (this machine):"), "{stdout}");
    assert!(stdout.contains("+ audit settings of "), "{stdout}");
    assert!(
        stdout.contains("\"webhook\": \"http://127.0.0.1:9/hook?<redacted>\""),
        "{stdout}"
    );
    assert!(
        stdout.contains("Plan: 1 to add, 0 to change, 0 to destroy."),
        "{stdout}"
    );
    assert!(!stdout.contains(&key) && !stderr.contains(&key));
    let (_, json, _) = plan(&["--json"]);
    let json: serde_json::Value = serde_json::from_str(&json).unwrap();
    let change = &json["audit"];
    assert!(change.is_object(), "no audit change in {json}");
    assert_eq!(change["action"], "create");
    assert_eq!(change["after"]["retain"], "1d");
    assert_eq!(json["summary"]["add"], 1);

    // No terminal and no --auto-approve: refused, nothing installed.
    let records_before = fs_err::read_to_string(trail(&sandbox)).unwrap();
    let state_before = fs_err::read_to_string(state_dir(&sandbox).join("state.json")).unwrap();
    let out = sandbox
        .mcpctl()
        .args(["apply", "-f"])
        .arg(&manifest)
        .output()
        .unwrap();
    assert!(!out.status.success(), "{:?}", text(&out));
    assert!(
        text(&out).1.contains("needs confirmation"),
        "{:?}",
        text(&out)
    );
    assert_eq!(
        fs_err::read_to_string(state_dir(&sandbox).join("state.json")).unwrap(),
        state_before
    );
    assert_eq!(
        fs_err::read_to_string(trail(&sandbox)).unwrap(),
        records_before
    );
    assert_eq!(plan(&["--detailed-exitcode"]).0, Some(2));

    // Confirmed, it is installed and recorded; the plan is clean again.
    let out = sandbox
        .mcpctl()
        .args(["apply", "--auto-approve", "-f"])
        .arg(&manifest)
        .output()
        .unwrap();
    assert!(out.status.success(), "{:?}", text(&out));
    assert_eq!(plan(&["--detailed-exitcode"]).0, Some(0));
    let (_, settings, _) = audit(&sandbox, &["--action", "audit.settings", "--json"]);
    let settings: Vec<serde_json::Value> = serde_json::from_str(&settings).unwrap();
    assert_eq!(settings.len(), 1, "{settings:?}");
    let detail = settings[0]["detail"].as_str().unwrap();
    assert!(detail.contains("\"retain\":\"1d\""), "{detail}");
    let everything = fs_err::read_to_string(trail(&sandbox)).unwrap()
        + &fs_err::read_to_string(state_dir(&sandbox).join("state.json")).unwrap();
    assert!(
        !fs_err::read_to_string(trail(&sandbox))
            .unwrap()
            .contains(&key)
    );
    assert!(
        everything.contains("hook?key="),
        "the state keeps the URL exec posts to"
    );
}

/// Retention is the longest `retain` of the applied manifests, and a
/// manifest that sets none keeps every record. A manifest applied before
/// audit settings were kept per manifest (a version-2 state) has no
/// settings recorded until its next apply: it still sets no `retain`, so
/// another manifest's `retain "1d"` must not prune its records.
// Unix only: reads the state under `XDG_STATE_HOME`, Linux's place.
#[cfg(unix)]
#[test]
fn a_short_retain_cannot_prune_records_another_applied_manifest_keeps() {
    let sandbox = Sandbox::new();
    let server = "server fetch {\n    command uvx mcp-server-fetch\n}\n";
    let dir_a = sandbox.root().join("repo-a");
    let dir_b = sandbox.root().join("repo-b");
    let manifest_a = dir_a.join("mcpctl.kdl");
    let manifest_b = dir_b.join("mcpctl.kdl");
    for (dir, manifest, audit) in [
        (&dir_a, &manifest_a, ""),
        (&dir_b, &manifest_b, "audit {\n    retain \"1d\"\n}\n"),
    ] {
        fs_err::create_dir_all(dir).unwrap();
        fs_err::write(
            manifest,
            format!("mcpctl version=1\nclient claude-code\n{audit}{server}"),
        )
        .unwrap();
    }
    let apply = |manifest: &std::path::Path| {
        let out = sandbox
            .mcpctl()
            .args(["apply", "--auto-approve", "-f"])
            .arg(manifest)
            .output()
            .unwrap();
        assert!(out.status.success(), "{:?}", text(&out));
    };
    // A's records begin with one from long ago.
    fs_err::create_dir_all(state_dir(&sandbox)).unwrap();
    let old = serde_json::json!({
        "time": "2020-01-01T00:00:00Z", "seq": 1, "user": "ada", "host": "h",
        "command": "exec", "manifest": null, "action": "credential.read",
        "target": "GITHUB_TOKEN", "server": "fetch", "outcome": "ok",
        "prev": "sha256:0000000000000000000000000000000000000000000000000000000000000000",
    });
    fs_err::write(trail(&sandbox), format!("{old}\n")).unwrap();
    apply(&manifest_a);
    // The state as an mcpctl of format 2 left it: A applied, no settings.
    let state_file = state_dir(&sandbox).join("state.json");
    let mut state: serde_json::Value =
        serde_json::from_str(&fs_err::read_to_string(&state_file).unwrap()).unwrap();
    state["version"] = 2.into();
    state["audit"] = serde_json::Value::Null;
    state.as_object_mut().unwrap().remove("exports");
    fs_err::write(&state_file, state.to_string()).unwrap();
    apply(&manifest_b);
    let log = fs_err::read_to_string(trail(&sandbox)).unwrap();
    assert!(log.contains("2020-01-01T00:00:00Z"), "{log}");
    let (code, stdout, stderr) = audit(&sandbox, &["verify"]);
    assert_eq!(code, Some(0), "{stdout}{stderr}");
}

/// Records cut from the end with `audit.head` deleted: `verify` reports
/// the missing head, and the next launch, which takes the head from the
/// log again, first records that it found none — so the cut stays visible
/// in the trail (and in every forwarded copy) after the head is rebuilt.
// Unix only: launches `true`.
#[cfg(unix)]
#[test]
fn a_deleted_head_is_recorded_by_the_append_that_rebuilds_it() {
    let sandbox = Sandbox::new();
    for _ in 0..3 {
        exec_from_env(&sandbox, "github");
    }
    let original = fs_err::read_to_string(trail(&sandbox)).unwrap();
    let kept: Vec<&str> = original.lines().take(2).collect();
    fs_err::write(trail(&sandbox), kept.join("\n") + "\n").unwrap();
    fs_err::remove_file(trail(&sandbox).with_file_name("audit.head")).unwrap();
    let (code, stdout, _) = audit(&sandbox, &["verify"]);
    assert_eq!(code, Some(3), "{stdout}");
    exec_from_env(&sandbox, "github");
    let log = fs_err::read_to_string(trail(&sandbox)).unwrap();
    let lines: Vec<serde_json::Value> = log
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 4, "{log}");
    assert_eq!(lines[2]["action"], "audit.head-missing", "{log}");
    assert_eq!(lines[2]["seq"], 3, "{log}");
    assert_eq!(lines[3]["action"], "store.read", "{log}");
    let (code, stdout, _) = audit(&sandbox, &["--json"]);
    assert_eq!(code, Some(0), "{stdout}");
    assert!(stdout.contains("audit.head-missing"), "{stdout}");
}
