//! Concurrency: another program rewriting `~/.claude.json` while apply
//! runs, and many `exec` launches at once. (Two applies at once are in
//! `apply_loop::a_second_apply_waits_for_the_lock`.)

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use crate::fixtures::claude_json;
use crate::support::{Sandbox, canary, secret_service, text};

const MANIFEST: &str = "mcpctl version=1\nclient claude-code\ncredential GITHUB_TOKEN {\n    kind personal-access-token\n}\nserver github {\n    command npx -y \"@modelcontextprotocol/server-github\"\n    env GITHUB_PERSONAL_ACCESS_TOKEN credential=GITHUB_TOKEN\n}\nserver docs {\n    url \"https://mcp.example.com/mcp\"\n}\n";

/// What Claude Code does on every start: under its lock
/// (`~/.claude.json.lock`, a directory), read the file, bump a counter,
/// write the whole file back through a temporary file and a rename. (A
/// writer that skips the lock and writes back what it read before apply's
/// rename is `claude_lock`'s late writer: mcpctl watches for that one
/// while a `claude` runs, and cannot see any other.)
fn bump(path: &std::path::Path) {
    let mut lock = path.as_os_str().to_owned();
    lock.push(".lock");
    let lock = std::path::PathBuf::from(lock);
    while std::fs::create_dir(&lock).is_err() {
        std::thread::sleep(Duration::from_millis(1));
    }
    let text = fs_err::read_to_string(path).unwrap();
    let mut value: serde_json::Value = serde_json::from_str(&text).unwrap();
    let n = value["numStartups"].as_u64().unwrap();
    value["numStartups"] = (n + 1).into();
    let temp = path.with_extension("claude-tmp");
    fs_err::write(&temp, serde_json::to_string_pretty(&value).unwrap()).unwrap();
    fs_err::rename(&temp, path).unwrap();
    fs_err::remove_dir(&lock).unwrap();
}

// Unix only: the Secret Service, with an account per test: the Credential Manager names entries without one, so tests would share them.
#[cfg(unix)]
#[test]
fn a_program_rewriting_claude_json_during_apply_loses_nothing() {
    if !secret_service("a_program_rewriting_claude_json_during_apply_loses_nothing") {
        return;
    }
    let sandbox = Sandbox::new();
    let manifest = sandbox.manifest(MANIFEST);
    let mut start: serde_json::Value = serde_json::from_str(&claude_json(3000)).unwrap();
    start["numStartups"] = 0.into();
    fs_err::write(sandbox.claude_json(), start.to_string()).unwrap();

    let stop = Arc::new(AtomicBool::new(false));
    let path = sandbox.claude_json();
    let rewriter = {
        let stop = stop.clone();
        std::thread::spawn(move || {
            let mut bumps = 0u64;
            while !stop.load(Ordering::SeqCst) {
                bump(&path);
                bumps += 1;
                std::thread::sleep(Duration::from_millis(5));
            }
            bumps
        })
    };
    let output = sandbox
        .mcpctl()
        .args(["apply", "--auto-approve", "--secrets-from-env", "-f"])
        .arg(&manifest)
        .env("GITHUB_TOKEN", canary("race"))
        .output()
        .unwrap();
    stop.store(true, Ordering::SeqCst);
    let bumps = rewriter.join().unwrap();
    let (out, err) = text(&output);
    // How much the two overlapped depends on the machine's load; the
    // foreign-change path itself is covered deterministically in
    // `apply::tests`. Whatever the overlap, no rewrite may be lost.
    eprintln!("{bumps} rewrites during apply; apply said:\n{err}");

    let after: serde_json::Value =
        serde_json::from_str(&fs_err::read_to_string(sandbox.claude_json()).unwrap()).unwrap();
    // Every rewrite survived: apply never put back an older version.
    assert_eq!(
        after["numStartups"], bumps,
        "apply overwrote another program's change ({bumps} rewrites)\n{out}\n{err}"
    );
    if output.status.success() {
        // Ours is in: a rewriter that read before our rename and wrote
        // after it erased nothing apply reported (apply wrote it again).
        let plan = sandbox
            .mcpctl()
            .args(["plan", "--detailed-exitcode", "-f"])
            .arg(&manifest)
            .output()
            .unwrap();
        let servers = after["mcpServers"].as_object().unwrap();
        assert!(
            servers.contains_key("github") && servers.contains_key("docs"),
            "apply reported success, but its entries are not in the file:\n{err}"
        );
        assert_eq!(plan.status.code(), Some(0));
    } else {
        assert!(
            err.contains("kept changing")
                || err.contains("changed since the plan")
                || err.contains("right after mcpctl wrote it"),
            "{err}"
        );
    }
}

// Unix only: the Secret Service, with an account per test: the Credential Manager names entries without one, so tests would share them.
#[cfg(unix)]
#[test]
fn many_exec_launches_at_once() {
    if !secret_service("many_exec_launches_at_once") {
        return;
    }
    let sandbox = Sandbox::new();
    let manifest = sandbox.manifest(MANIFEST);
    let token = canary("many-exec");
    let applied = sandbox
        .mcpctl()
        .args(["apply", "--auto-approve", "--secrets-from-env", "-f"])
        .arg(&manifest)
        .env("GITHUB_TOKEN", &token)
        .output()
        .unwrap();
    assert!(applied.status.success(), "{}", text(&applied).1);

    let launches = 24;
    let children: Vec<_> = (0..launches)
        .map(|_| {
            let mut cmd = std::process::Command::new(crate::support::mcpctl_bin());
            cmd.env_clear()
                .envs(sandbox.env())
                .args([
                    "exec",
                    "--server",
                    "github",
                    "--env",
                    "GH=GITHUB_TOKEN",
                    "--",
                ])
                .args(["sh", "-c", "printf %s \"$GH\""])
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    for child in children {
        let output = child.wait_with_output().unwrap();
        let (out, err) = text(&output);
        assert!(output.status.success(), "{err}");
        assert_eq!(out, token);
    }
    // One audit record per launch, and the hash chain is intact.
    let audit = sandbox.root().join("state/mcpctl/audit.jsonl");
    let lines: Vec<String> = fs_err::read_to_string(&audit)
        .unwrap()
        .lines()
        .map(str::to_owned)
        .collect();
    let reads = lines
        .iter()
        .filter(|l| l.contains("\"store.read\""))
        .count();
    assert_eq!(reads, launches);
    for pair in lines.windows(2) {
        let record: serde_json::Value = serde_json::from_str(&pair[1]).unwrap();
        assert_eq!(
            record["prev"],
            mcpctl::audit::line_hash(&pair[0]),
            "chain broken"
        );
    }
}
