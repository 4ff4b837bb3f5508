//! Real clients judge the bridge's entry for a remote server: the pinned
//! Claude Code and Gemini CLI list the SDK's Streamable HTTP server
//! (`tests/fixtures/remote/server.cjs`, checking a bearer token) Connected
//! through `mcpctl exec --url`, and Codex shows the entry as mcpctl wrote
//! it — the token only in the store. While each client runs, every process
//! under it (the bridge among them) is looked at: a canary token may be in
//! no environment and no argv, and afterwards in no output and no file.

use std::collections::BTreeSet;
use std::io::Read;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::bridge::{RemoteServer, apply_only, manifest_for, sdk};
use crate::support::{Sandbox, canary, client_cli, mcpctl_bin, secret_service, text};

/// What a client run showed.
struct Watched {
    output: Output,
    /// The argv of every process seen under the client (NULs as spaces).
    commands: BTreeSet<String>,
    /// The processes whose environment or argv held the value.
    leaks: Vec<String>,
}

/// Runs `cmd` (stdin closed) to its end or `timeout`, meanwhile reading
/// `/proc/PID/environ` and `cmdline` of it and of every process under it,
/// over and over, for `value`.
fn watched(mut cmd: Command, value: &str, timeout: Duration) -> Watched {
    let mut child = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the client starts");
    let drain = |mut pipe: Box<dyn Read + Send>| {
        std::thread::spawn(move || {
            let mut bytes = Vec::new();
            let _ = pipe.read_to_end(&mut bytes);
            bytes
        })
    };
    let stdout = drain(Box::new(child.stdout.take().unwrap()));
    let stderr = drain(Box::new(child.stderr.take().unwrap()));
    let start = Instant::now();
    let mut commands = BTreeSet::new();
    let mut leaks = Vec::new();
    let status = loop {
        for pid in tree(child.id()) {
            let read = |file: &str| {
                std::fs::read(format!("/proc/{pid}/{file}"))
                    .map(|b| String::from_utf8_lossy(&b).replace('\0', " "))
                    .unwrap_or_default()
            };
            let (environ, cmdline) = (read("environ"), read("cmdline"));
            if environ.contains(value) || cmdline.contains(value) {
                leaks.push(format!("{pid}: {cmdline}"));
            }
            if !cmdline.is_empty() {
                commands.insert(cmdline.trim_end().to_owned());
            }
        }
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if start.elapsed() > timeout {
            let _ = child.kill();
            break child.wait().unwrap();
        }
        std::thread::sleep(Duration::from_millis(5));
    };
    Watched {
        output: Output {
            status,
            stdout: stdout.join().unwrap(),
            stderr: stderr.join().unwrap(),
        },
        commands,
        leaks,
    }
}

/// `root` and every process under it, from each process's parent in
/// `/proc/PID/stat`.
fn tree(root: u32) -> Vec<u32> {
    let mut parents = Vec::new();
    for entry in std::fs::read_dir("/proc").into_iter().flatten().flatten() {
        let Some(pid) = entry
            .file_name()
            .to_str()
            .and_then(|n| n.parse::<u32>().ok())
        else {
            continue;
        };
        let Ok(stat) = std::fs::read_to_string(format!("/proc/{pid}/stat")) else {
            continue;
        };
        // `PID (COMM) STATE PPID …`; COMM may hold spaces and parentheses.
        let ppid = stat
            .rsplit_once(')')
            .and_then(|(_, rest)| rest.split_whitespace().nth(1))
            .and_then(|p| p.parse::<u32>().ok());
        if let Some(ppid) = ppid {
            parents.push((pid, ppid));
        }
    }
    let mut found = vec![root];
    let mut i = 0;
    while i < found.len() {
        let parent = found[i];
        found.extend(
            parents
                .iter()
                .filter(|(_, ppid)| *ppid == parent)
                .map(|(pid, _)| *pid),
        );
        i += 1;
    }
    found
}

/// A client CLI, the SDK server accepting a canary token, and the
/// manifest for `client` applied with it.
struct Setup {
    sandbox: Sandbox,
    server: RemoteServer,
    token: String,
    cli: std::path::PathBuf,
}

fn setup(test: &str, cli_var: &str, client: &str) -> Option<Setup> {
    let cli = client_cli(test, cli_var)?;
    let modules = sdk(test)?;
    if !secret_service(test) {
        return None;
    }
    let sandbox = Sandbox::new();
    let token = canary(&format!("remote-{client}"));
    let server = RemoteServer::start(&modules, &token);
    let manifest = sandbox.manifest(&manifest_for(client, &server.url()));
    apply_only(&sandbox, &manifest, &token);
    Some(Setup {
        sandbox,
        server,
        token,
        cli,
    })
}

impl Setup {
    /// The client CLI with `args`, in the sandbox environment and `extra`.
    fn client(&self, args: &[&str], extra: &[(&str, &str)]) -> Command {
        let mut cmd = Command::new(&self.cli);
        cmd.env_clear()
            .envs(self.sandbox.env())
            .envs(extra.iter().copied())
            .current_dir(self.sandbox.root())
            .args(args);
        cmd
    }

    /// The token is in no process, no output and no file of the sandbox;
    /// the output, as text.
    fn assert_nowhere(&self, watched: &Watched) -> String {
        assert!(watched.leaks.is_empty(), "{:?}", watched.leaks);
        let (stdout, stderr) = text(&watched.output);
        assert!(
            !stdout.contains(&self.token) && !stderr.contains(&self.token),
            "{stdout}{stderr}"
        );
        for file in self.sandbox.all_files() {
            let bytes = fs_err::read(&file).unwrap();
            assert!(
                !String::from_utf8_lossy(&bytes).contains(&self.token),
                "{}",
                file.display()
            );
        }
        format!("{stdout}{stderr}")
    }

    /// The bridge ran under the client (so its environment and argv were
    /// among those looked at), and the server accepted its requests.
    fn assert_bridged(&self, watched: &Watched) {
        let url = self.server.url();
        assert!(
            watched
                .commands
                .iter()
                .any(|c| c.contains("exec --server remote") && c.ends_with(&format!("--url {url}"))),
            "no bridge seen among {:?}",
            watched.commands
        );
        let requests = self.server.requests();
        assert!(
            requests.iter().any(|r| r.starts_with("request POST ok")),
            "{requests:?}"
        );
        assert!(
            !requests.iter().any(|r| r.contains("refused")),
            "{requests:?}"
        );
    }
}

/// `claude mcp list`: ✔ Connected through the bridge.
#[test]
fn claude_code_lists_the_remote_server_connected_through_the_bridge() {
    let test = "claude_code_lists_the_remote_server_connected_through_the_bridge";
    let Some(setup) = setup(test, "MCPCTL_TEST_CLAUDE", "claude-code") else {
        return;
    };
    let cmd = setup.client(
        &["mcp", "list"],
        &[
            ("CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC", "1"),
            ("DISABLE_AUTOUPDATER", "1"),
            ("MCP_TIMEOUT", "30000"),
        ],
    );
    let watched = watched(cmd, &setup.token, Duration::from_secs(120));
    let shown = setup.assert_nowhere(&watched);
    let line = shown
        .lines()
        .find(|l| l.starts_with("remote:"))
        .unwrap_or_else(|| panic!("{shown}"));
    assert!(line.contains("Connected"), "{shown}");
    setup.assert_bridged(&watched);
}

/// `gemini mcp list`: Connected through the bridge.
#[test]
fn gemini_cli_lists_the_remote_server_connected_through_the_bridge() {
    let test = "gemini_cli_lists_the_remote_server_connected_through_the_bridge";
    let Some(setup) = setup(test, "MCPCTL_TEST_GEMINI", "gemini-cli") else {
        return;
    };
    let settings =
        fs_err::read_to_string(setup.sandbox.home().join(".gemini/settings.json")).unwrap();
    let entry: Value = serde_json::from_str(&settings).unwrap();
    assert!(
        entry["mcpServers"]["remote"]["command"].is_string(),
        "{settings}"
    );
    // Folder trust is on by default; untrusted folders disable every server.
    let cmd = setup.client(&["mcp", "list"], &[("GEMINI_CLI_TRUST_WORKSPACE", "true")]);
    let watched = watched(cmd, &setup.token, Duration::from_secs(120));
    // Gemini prints its listing on stderr.
    let shown = setup.assert_nowhere(&watched);
    let line = shown
        .lines()
        .find(|l| l.contains("remote:"))
        .unwrap_or_else(|| panic!("{shown}"));
    assert!(line.contains("✓") && line.contains("Connected"), "{shown}");
    setup.assert_bridged(&watched);
}

/// `codex mcp get --json`: the bridge entry, with no value in it.
#[test]
fn codex_shows_the_bridge_entry_of_the_remote_server() {
    let test = "codex_shows_the_bridge_entry_of_the_remote_server";
    let Some(setup) = setup(test, "MCPCTL_TEST_CODEX", "codex") else {
        return;
    };
    let cmd = setup.client(&["mcp", "get", "remote", "--json"], &[]);
    let watched = watched(cmd, &setup.token, Duration::from_secs(60));
    assert!(
        watched.output.status.success(),
        "{}",
        setup.assert_nowhere(&watched)
    );
    setup.assert_nowhere(&watched);
    let entry: Value = serde_json::from_slice(&watched.output.stdout).unwrap();
    let transport = &entry["transport"];
    assert_eq!(transport["type"], "stdio", "{entry}");
    let bin = mcpctl_bin().canonicalize().unwrap();
    assert_eq!(transport["command"], bin.display().to_string(), "{entry}");
    let args: Vec<&str> = transport["args"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a.as_str().unwrap())
        .collect();
    let url = setup.server.url();
    assert_eq!(&args[..3], ["exec", "--server", "remote"], "{entry}");
    assert_eq!(&args[args.len() - 2..], ["--url", url.as_str()], "{entry}");
    assert!(
        args.windows(2)
            .any(|w| w[0] == "--header" && w[1].starts_with("Authorization:Bearer=")),
        "{entry}"
    );
    // No environment given to the bridge: nothing for a value to sit in.
    assert!(
        transport["env"].is_null() || transport["env"].as_object().is_some_and(|e| e.is_empty()),
        "{entry}"
    );
}

/// Claude Code's own `headersHelper` (a shell command printing the headers
/// as JSON), judged by the pinned `claude` against the server's bearer
/// check. This asserts today's behaviour, so that it fails when a release
/// changes it: 2.1.197 runs the helper and sends its headers, and lists
/// the server ✔ Connected — and without the helper the server refuses it.
/// mcpctl still writes the bridge for Claude Code (see
/// `docs/clients/claude-code.md`, "Remote servers"); this test is the
/// evidence for a helper entry, should mcpctl switch.
#[test]
fn claude_code_sends_the_headers_its_headers_helper_prints() {
    let test = "claude_code_sends_the_headers_its_headers_helper_prints";
    let Some(cli) = client_cli(test, "MCPCTL_TEST_CLAUDE") else {
        return;
    };
    let Some(modules) = sdk(test) else { return };
    // A plain value: this test writes it into the helper's command, which
    // is Claude Code's file — what mcpctl would never do.
    let token = "helper-token-not-a-secret";
    let server = RemoteServer::start(&modules, token);
    let list = |entry: Value| {
        let sandbox = Sandbox::new();
        let file = serde_json::json!({"mcpServers": {"remote": entry}});
        fs_err::write(sandbox.claude_json(), file.to_string()).unwrap();
        let output = Command::new(&cli)
            .env_clear()
            .envs(sandbox.env())
            .env("CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC", "1")
            .env("DISABLE_AUTOUPDATER", "1")
            .env("MCP_TIMEOUT", "30000")
            .current_dir(sandbox.root())
            .args(["mcp", "list"])
            .stdin(Stdio::null())
            .output()
            .unwrap();
        let (stdout, stderr) = text(&output);
        stdout
            .lines()
            .find(|l| l.starts_with("remote:"))
            .unwrap_or_else(|| panic!("{stdout}{stderr}"))
            .to_owned()
    };

    let without = list(serde_json::json!({"type": "http", "url": server.url()}));
    assert!(!without.contains("✔ Connected"), "{without}");
    let refused = server.requests().len();
    assert!(refused > 0);
    assert!(server.requests().iter().all(|r| r.contains("refused")));

    let helper = format!(r#"printf '{{"Authorization":"Bearer {token}"}}'"#);
    let with =
        list(serde_json::json!({"type": "http", "url": server.url(), "headersHelper": helper}));
    assert!(with.contains("✔ Connected"), "{with}");
    let requests = server.requests();
    assert!(
        requests[refused..].iter().all(|r| r.contains(" ok ")) && requests.len() > refused,
        "{requests:?}"
    );
}
