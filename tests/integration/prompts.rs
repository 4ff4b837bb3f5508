//! The questions mcpctl asks on a terminal, driven through a real pty
//! (python3's `pty`/`termios`): Ctrl-C at the hidden value prompt, past
//! expiry dates.

use std::path::Path;
use std::process::Command as StdCommand;

use crate::lifecycle::{MANIFEST, lookup};
use crate::support::{Sandbox, canary, mcpctl_bin, secret_service, skip, text};

/// Runs argv on a new pty as its controlling terminal, follows `steps`
/// (`["expect", TEXT]` waits for TEXT in the output, `["send", TEXT]`
/// types it) and prints JSON: exit code (negative: killed by that signal),
/// everything the terminal showed, and whether the terminal echoes
/// afterwards.
const PTY_DRIVER: &str = r#"
import json, os, select, subprocess, sys, termios, fcntl, time
steps = json.loads(sys.argv[1])
master, slave = os.openpty()
def own_terminal():
    os.setsid()
    fcntl.ioctl(0, termios.TIOCSCTTY, 0)
child = subprocess.Popen(sys.argv[2:], stdin=slave, stdout=slave, stderr=slave,
                         preexec_fn=own_terminal, close_fds=True)
seen = b""
def pump(timeout):
    global seen
    ready, _, _ = select.select([master], [], [], timeout)
    if ready:
        try:
            chunk = os.read(master, 4096)
        except OSError:
            return False
        seen += chunk
        return bool(chunk)
    return True
for kind, text in steps:
    if kind == "expect":
        deadline = time.time() + 30
        while text.encode() not in seen:
            if time.time() > deadline or child.poll() is not None and not pump(0.1):
                print(json.dumps({"rc": child.poll(), "output": seen.decode(errors="replace"),
                                  "echo": None, "stuck_at": text}))
                child.kill()
                sys.exit(0)
            pump(0.1)
        time.sleep(0.2)
    else:
        os.write(master, text.encode())
deadline = time.time() + 30
while child.poll() is None and time.time() < deadline:
    pump(0.1)
while pump(0.1) and select.select([master], [], [], 0)[0]:
    pass
if child.poll() is None:
    child.kill()
attrs = termios.tcgetattr(slave)
print(json.dumps({"rc": child.wait(), "output": seen.decode(errors="replace"),
                  "echo": bool(attrs[3] & termios.ECHO), "stuck_at": None}))
"#;

pub struct PtyRun {
    pub rc: Option<i64>,
    pub output: String,
    pub echo: Option<bool>,
    pub stuck_at: Option<String>,
}

/// mcpctl `args` on a pty in the sandbox, following `steps`; `None` when
/// python3 is missing (said loudly).
pub fn on_pty(
    sandbox: &Sandbox,
    test: &str,
    steps: &[(&str, &str)],
    args: &[&str],
) -> Option<PtyRun> {
    if StdCommand::new("python3")
        .arg("--version")
        .output()
        .is_err()
    {
        skip(test, "python3 is needed to drive a pty");
        return None;
    }
    let steps = serde_json::to_string(steps).unwrap();
    let out = StdCommand::new("python3")
        .env_clear()
        .envs(sandbox.env())
        .current_dir(sandbox.root())
        .args(["-c", PTY_DRIVER, &steps])
        .arg(mcpctl_bin())
        .args(args)
        .output()
        .unwrap();
    let (stdout, stderr) = text(&out);
    assert!(out.status.success(), "pty driver failed: {stdout}{stderr}");
    let report: serde_json::Value = serde_json::from_str(stdout.trim()).unwrap();
    Some(PtyRun {
        rc: report["rc"].as_i64(),
        output: report["output"].as_str().unwrap().replace("\r\n", "\n"),
        echo: report["echo"].as_bool(),
        stuck_at: report["stuck_at"].as_str().map(str::to_owned),
    })
}

fn manifest_arg(manifest: &Path) -> &str {
    manifest.to_str().unwrap()
}

#[test]
fn ctrl_c_at_the_hidden_prompt_restores_the_terminal_and_says_so() {
    let test = "ctrl_c_at_the_hidden_prompt_restores_the_terminal_and_says_so";
    if !secret_service(test) {
        return;
    }
    let sandbox = Sandbox::new();
    let manifest = sandbox.manifest(MANIFEST);
    for args in [
        vec!["apply", "--auto-approve", "-f", manifest_arg(&manifest)],
        vec!["rotate", "GITHUB_TOKEN", "-f", manifest_arg(&manifest)],
    ] {
        let Some(run) = on_pty(
            &sandbox,
            test,
            &[
                ("expect", "GITHUB_TOKEN (input hidden): "),
                ("send", "\x03"),
            ],
            &args,
        ) else {
            return;
        };
        let shown = &run.output;
        assert_eq!(run.stuck_at, None, "{shown}");
        assert_eq!(
            run.echo,
            Some(true),
            "{args:?}: the terminal's echo stayed off\n{shown}"
        );
        assert_eq!(run.rc, Some(130), "{args:?}: {shown}");
        // On a line of its own, not after the prompt.
        assert!(
            shown.contains("GITHUB_TOKEN (input hidden): \ncancelled; nothing was changed\n"),
            "{args:?}: {shown:?}"
        );
        assert_eq!(lookup(&sandbox, "GITHUB_TOKEN"), "", "{args:?}");
    }
    assert!(
        !sandbox.claude_json().exists(),
        "apply wrote a client file after Ctrl-C"
    );
}

#[test]
fn a_past_expiry_date_is_refused() {
    // `rotate --expires`: refused before the store or the manifest is read.
    let sandbox = Sandbox::new();
    let manifest = sandbox.manifest(MANIFEST);
    let out = sandbox
        .mcpctl()
        .args([
            "rotate",
            "GITHUB_TOKEN",
            "--from-stdin",
            "--expires",
            "2001-01-01",
            "-f",
        ])
        .arg(&manifest)
        .write_stdin("value\n")
        .output()
        .unwrap();
    let (stdout, stderr) = text(&out);
    assert!(!out.status.success(), "{stdout}{stderr}");
    assert!(stderr.contains("`2001-01-01` is in the past"), "{stderr}");
    assert!(
        !sandbox.root().join("state/mcpctl/state.json").exists(),
        "{stderr}"
    );
}

#[test]
fn apply_asks_again_for_a_past_expiry_date() {
    let test = "apply_asks_again_for_a_past_expiry_date";
    if !secret_service(test) {
        return;
    }
    let sandbox = Sandbox::new();
    let manifest = sandbox.manifest(MANIFEST);
    let token = canary("past-expiry");
    let question = "When does the provider expire `GITHUB_TOKEN`?";
    let typed = format!("{token}\n");
    let Some(run) = on_pty(
        &sandbox,
        test,
        &[
            ("expect", "GITHUB_TOKEN (input hidden): "),
            ("send", &typed),
            ("expect", question),
            ("send", "2001-01-01\n"),
            ("expect", "is in the past"),
            ("expect", question),
            ("send", "\n"),
        ],
        &["apply", "--auto-approve", "-f", manifest_arg(&manifest)],
    ) else {
        return;
    };
    let shown = &run.output;
    assert_eq!(run.stuck_at, None, "{shown}");
    assert_eq!(run.rc, Some(0), "{shown}");
    assert!(shown.contains("`2001-01-01` is in the past"), "{shown}");
    assert_eq!(shown.matches(question).count(), 2, "{shown}");
    assert!(
        !shown.contains(&token),
        "the hidden value was echoed: {shown}"
    );
    assert_eq!(lookup(&sandbox, "GITHUB_TOKEN"), token);
    let state = fs_err::read_to_string(sandbox.root().join("state/mcpctl/state.json")).unwrap();
    assert!(!state.contains("2001-01-01"), "{state}");
}
