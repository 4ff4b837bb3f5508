//! The stdio bridge against a real remote MCP server: the MCP TypeScript
//! SDK's Streamable HTTP server (`tests/fixtures/remote/server.cjs`, the
//! SDK pinned by `scripts/install-test-deps` under `.tools/mcp-sdk`) on an
//! ephemeral loopback port, checking a bearer token. `apply` stores the
//! token in the Secret Service and writes Claude Code's entry; the tests
//! run that entry's command — the real mcpctl — and speak MCP to it over
//! stdio, as a client would.

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{Receiver, channel};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::{Value, json};

use crate::support::{Sandbox, canary, secret_service, skip, text};

/// The SDK's `node_modules`, or why the tests cannot run.
pub(super) fn sdk(test: &str) -> Option<PathBuf> {
    let modules = match std::env::var_os("MCPCTL_TEST_MCP_SDK") {
        Some(dir) => PathBuf::from(dir),
        None => Path::new(env!("CARGO_MANIFEST_DIR")).join(".tools/mcp-sdk/node_modules"),
    };
    let node = Command::new("node").arg("--version").output();
    if !node.is_ok_and(|o| o.status.success()) {
        skip(test, "no `node` on PATH for the remote MCP server");
        return None;
    }
    if !modules
        .join("@modelcontextprotocol/sdk/package.json")
        .is_file()
    {
        skip(
            test,
            &format!(
                "the MCP TypeScript SDK is not installed in `{}` (run scripts/install-test-deps)",
                modules.display()
            ),
        );
        return None;
    }
    Some(modules)
}

/// The fixture server, running.
pub(super) struct RemoteServer {
    child: Child,
    stdin: ChildStdin,
    port: u16,
    /// Its `request …` lines.
    requests: Arc<Mutex<Vec<String>>>,
}

impl RemoteServer {
    pub(super) fn start(modules: &Path, token: &str) -> RemoteServer {
        RemoteServer::start_in(modules, token, &[])
    }

    /// Started with `args` (`sse`: the older HTTP+SSE transport only).
    fn start_in(modules: &Path, token: &str, args: &[&str]) -> RemoteServer {
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/remote/server.cjs");
        let mut child = Command::new("node")
            .arg(script)
            .args(args)
            .env("NODE_PATH", modules)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("node starts");
        let mut stdin = child.stdin.take().unwrap();
        writeln!(stdin, "{token}").unwrap();
        let (port_tx, port_rx) = channel();
        let requests = Arc::new(Mutex::new(Vec::new()));
        let seen = Arc::clone(&requests);
        let stdout = child.stdout.take().unwrap();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if let Some(port) = line.strip_prefix("listening ") {
                    let _ = port_tx.send(port.parse::<u16>().unwrap());
                } else {
                    seen.lock().unwrap().push(line);
                }
            }
        });
        let port = port_rx
            .recv_timeout(Duration::from_secs(30))
            .expect("the remote server listens");
        RemoteServer {
            child,
            stdin,
            port,
            requests,
        }
    }

    pub(super) fn url(&self) -> String {
        format!("http://127.0.0.1:{}/mcp", self.port)
    }

    /// From now on only `token` is accepted.
    fn accept(&mut self, token: &str) {
        writeln!(self.stdin, "{token}").unwrap();
        self.stdin.flush().unwrap();
        std::thread::sleep(Duration::from_millis(200));
    }

    pub(super) fn requests(&self) -> Vec<String> {
        self.requests.lock().unwrap().clone()
    }
}

impl Drop for RemoteServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A manifest with the remote server at `url`, for Claude Code.
fn manifest(url: &str) -> String {
    manifest_for("claude-code", url)
}

/// A manifest with the remote server at `url`, for `client`.
pub(super) fn manifest_for(client: &str, url: &str) -> String {
    format!(
        r#"mcpctl version=1
client {client}
credential REMOTE_TOKEN {{ kind personal-access-token; }}
server remote {{
    url "{url}"
    header Authorization credential=REMOTE_TOKEN scheme=Bearer
    header X-Team "platform"
}}
"#
    )
}

/// Applies `manifest`, storing the token.
pub(super) fn apply_only(sandbox: &Sandbox, manifest: &Path, token: &str) {
    let output = sandbox
        .mcpctl()
        .args(["apply", "--auto-approve", "--secrets-from-env", "-f"])
        .arg(manifest)
        .env("REMOTE_TOKEN", token)
        .output()
        .unwrap();
    let (stdout, stderr) = text(&output);
    assert!(output.status.success(), "{stdout}{stderr}");
}

/// Applies `manifest` with the token; the command Claude Code's entry runs.
fn apply(sandbox: &Sandbox, manifest: &Path, token: &str) -> (String, Vec<String>) {
    apply_only(sandbox, manifest, token);
    let claude: Value =
        serde_json::from_str(&fs_err::read_to_string(sandbox.claude_json()).unwrap()).unwrap();
    let entry = &claude["mcpServers"]["remote"];
    let args: Vec<String> = entry["args"]
        .as_array()
        .expect("a stdio entry")
        .iter()
        .map(|a| a.as_str().unwrap().to_owned())
        .collect();
    assert!(args.contains(&"--url".to_owned()), "{entry}");
    (entry["command"].as_str().unwrap().to_owned(), args)
}

/// The bridge as a client runs it: stdio piped, the sandbox environment.
struct Bridged {
    child: Child,
    stdin: Option<ChildStdin>,
    lines: Receiver<String>,
    stderr: Arc<Mutex<String>>,
}

impl Bridged {
    fn start(sandbox: &Sandbox, entry: &(String, Vec<String>)) -> Bridged {
        Bridged::start_with(sandbox, entry, &[])
    }

    /// Started with `extra` in its environment too.
    fn start_with(
        sandbox: &Sandbox,
        (command, args): &(String, Vec<String>),
        extra: &[(&str, &str)],
    ) -> Bridged {
        let mut child = Command::new(command)
            .args(args)
            .env_clear()
            .envs(sandbox.env())
            .envs(extra.iter().copied())
            .current_dir(sandbox.root())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("the bridge starts");
        let (tx, lines) = channel();
        let stdout = child.stdout.take().unwrap();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                let _ = tx.send(line);
            }
        });
        let stderr = Arc::new(Mutex::new(String::new()));
        let sink = Arc::clone(&stderr);
        let pipe = child.stderr.take().unwrap();
        std::thread::spawn(move || {
            for line in BufReader::new(pipe).lines().map_while(Result::ok) {
                let mut text = sink.lock().unwrap();
                text.push_str(&line);
                text.push('\n');
            }
        });
        Bridged {
            stdin: child.stdin.take(),
            child,
            lines,
            stderr,
        }
    }

    fn send(&mut self, message: Value) {
        let stdin = self.stdin.as_mut().unwrap();
        writeln!(stdin, "{message}").unwrap();
        stdin.flush().unwrap();
    }

    /// The next line, as JSON; every line must be one message.
    fn receive(&self) -> Value {
        let line = self
            .lines
            .recv_timeout(Duration::from_secs(30))
            .unwrap_or_else(|_| panic!("no answer; stderr: {}", self.stderr.lock().unwrap()));
        serde_json::from_str(&line).unwrap_or_else(|e| panic!("{e}: {line}"))
    }

    /// Sends request `id` and returns its answer, forwarding past
    /// anything else the server says meanwhile.
    fn request(&mut self, id: u64, method: &str, params: Value) -> (Value, Vec<String>) {
        self.send(json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}));
        let mut others = Vec::new();
        loop {
            let message = self.receive();
            if message["id"] == json!(id) {
                return (message, others);
            }
            others.push(message.to_string());
        }
    }

    /// Closes stdin and waits for the exit; stderr.
    fn finish(mut self) -> String {
        drop(self.stdin.take());
        let status = wait_with_timeout(&mut self.child, Duration::from_secs(30));
        assert!(status.success(), "{status}");
        std::thread::sleep(Duration::from_millis(100));
        self.stderr.lock().unwrap().clone()
    }
}

impl Drop for Bridged {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn wait_with_timeout(child: &mut Child, timeout: Duration) -> std::process::ExitStatus {
    let start = std::time::Instant::now();
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            return status;
        }
        assert!(start.elapsed() < timeout, "the bridge did not exit");
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn initialize(bridge: &mut Bridged) -> Value {
    let (answer, _) = bridge.request(
        1,
        "initialize",
        json!({"protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "test", "version": "1"}}),
    );
    bridge.send(json!({"jsonrpc": "2.0", "method": "notifications/initialized"}));
    answer
}

/// Whether `pid`'s environment or argv holds `value`.
fn process_holds(pid: u32, value: &str) -> bool {
    ["environ", "cmdline"].iter().any(|file| {
        let bytes = fs_err::read(format!("/proc/{pid}/{file}")).unwrap();
        String::from_utf8_lossy(&bytes).contains(value)
    })
}

#[test]
fn the_bridge_carries_a_session_to_a_real_remote_server_and_follows_a_rotation() {
    let test = "the_bridge_carries_a_session_to_a_real_remote_server_and_follows_a_rotation";
    let Some(modules) = sdk(test) else { return };
    if !secret_service(test) {
        return;
    }
    let sandbox = Sandbox::new();
    let first = canary("remote-first");
    let mut server = RemoteServer::start(&modules, &first);
    let manifest = sandbox.manifest(&manifest(&server.url()));
    let entry = apply(&sandbox, &manifest, &first);

    let mut bridge = Bridged::start(&sandbox, &entry);
    let answer = initialize(&mut bridge);
    assert_eq!(
        answer["result"]["serverInfo"]["name"], "remote-fixture",
        "{answer}"
    );
    let (tools, _) = bridge.request(2, "tools/list", json!({}));
    assert_eq!(tools["result"]["tools"][0]["name"], "echo", "{tools}");
    let (called, _) = bridge.request(
        3,
        "tools/call",
        json!({"name": "echo", "arguments": {"text": "hello"}}),
    );
    assert_eq!(
        called["result"]["content"][0]["text"], "echo: hello",
        "{called}"
    );
    // The value is in neither the bridge's environment nor its argv.
    assert!(!process_holds(bridge.child.id(), &first));

    // Rotated in the store and at the server: the next request gets a 401,
    // the bridge reads the store again and succeeds, without a restart.
    let second = canary("remote-second");
    let output = sandbox
        .mcpctl()
        .args(["rotate", "REMOTE_TOKEN", "--from-env", "-f"])
        .arg(&manifest)
        .env("REMOTE_TOKEN", &second)
        .output()
        .unwrap();
    let (stdout, stderr) = text(&output);
    assert!(output.status.success(), "{stdout}{stderr}");
    server.accept(&second);
    let (called, _) = bridge.request(
        4,
        "tools/call",
        json!({"name": "echo", "arguments": {"text": "again"}}),
    );
    assert_eq!(
        called["result"]["content"][0]["text"], "echo: again",
        "{called}"
    );
    let stderr = bridge.finish();
    assert!(!stderr.contains("canary"), "{stderr}");

    // One session, its id and protocol version echoed, one 401, ended with
    // DELETE.
    let requests = server.requests();
    assert!(
        requests[0].starts_with("request POST ok - -"),
        "{requests:?}"
    );
    let session = requests[1].split(' ').nth(3).unwrap().to_owned();
    assert_ne!(session, "-", "{requests:?}");
    for request in &requests[1..] {
        assert!(
            request.ends_with(&format!("{session} 2025-06-18")),
            "{requests:?}"
        );
    }
    assert_eq!(
        requests.iter().filter(|r| r.contains("refused")).count(),
        1,
        "{requests:?}"
    );
    assert!(
        requests.iter().any(|r| r.starts_with("request GET ok")),
        "{requests:?}"
    );
    assert!(
        requests.last().unwrap().starts_with("request DELETE ok"),
        "{requests:?}"
    );

    // Both reads are in the audit trail, said to be the bridge's.
    let audit = sandbox
        .mcpctl()
        .args(["audit", "--server", "remote", "--json"])
        .output()
        .unwrap();
    let (stdout, stderr) = text(&audit);
    assert!(audit.status.success(), "{stderr}");
    let records: Vec<Value> = serde_json::from_str(&stdout).unwrap();
    let reads: Vec<&Value> = records
        .iter()
        .filter(|r| r["action"] == "store.read" && r["detail"] == "bridge")
        .collect();
    assert_eq!(reads.len(), 2, "{stdout}");

    // No file of the sandbox holds either value.
    for file in sandbox.all_files() {
        let bytes = fs_err::read(&file).unwrap();
        let content = String::from_utf8_lossy(&bytes);
        assert!(
            !content.contains(&first) && !content.contains(&second),
            "{}",
            file.display()
        );
    }
}

/// A server of the older HTTP+SSE transport only (the SDK's
/// `SSEServerTransport`): the POST of `initialize` gets 405, the bridge
/// falls back to the event stream and POSTs to the URL it names, the
/// token on every request.
#[test]
fn the_bridge_falls_back_to_the_older_http_sse_transport() {
    let test = "the_bridge_falls_back_to_the_older_http_sse_transport";
    let Some(modules) = sdk(test) else { return };
    if !secret_service(test) {
        return;
    }
    let sandbox = Sandbox::new();
    let token = canary("remote-sse");
    let server = RemoteServer::start_in(&modules, &token, &["sse"]);
    let manifest = sandbox.manifest(&manifest(&server.url()));
    let entry = apply(&sandbox, &manifest, &token);

    let mut bridge = Bridged::start(&sandbox, &entry);
    let answer = initialize(&mut bridge);
    assert_eq!(
        answer["result"]["serverInfo"]["name"], "remote-fixture",
        "{answer}"
    );
    let (tools, _) = bridge.request(2, "tools/list", json!({}));
    assert_eq!(tools["result"]["tools"][0]["name"], "echo", "{tools}");
    let (called, _) = bridge.request(
        3,
        "tools/call",
        json!({"name": "echo", "arguments": {"text": "old"}}),
    );
    assert_eq!(
        called["result"]["content"][0]["text"], "echo: old",
        "{called}"
    );
    assert!(!process_holds(bridge.child.id(), &token));
    let stderr = bridge.finish();
    assert!(!stderr.contains(&token), "{stderr}");

    // A 405 to the Streamable HTTP POST, one stream, then every message
    // POSTed within its session; nothing refused.
    let requests = server.requests();
    assert!(
        requests[0].starts_with("request POST ok - "),
        "{requests:?}"
    );
    assert!(requests[1].starts_with("request GET ok - "), "{requests:?}");
    let session = requests[2].split(' ').nth(3).unwrap().to_owned();
    assert_ne!(session, "-", "{requests:?}");
    assert_eq!(requests.len(), 2 + 4, "{requests:?}");
    for request in &requests[2..] {
        assert!(
            request.starts_with(&format!("request POST ok {session}")),
            "{requests:?}"
        );
    }
}

#[test]
fn a_server_that_is_down_or_refuses_the_token_gets_a_clear_error() {
    let test = "a_server_that_is_down_or_refuses_the_token_gets_a_clear_error";
    let Some(modules) = sdk(test) else { return };
    if !secret_service(test) {
        return;
    }
    let sandbox = Sandbox::new();
    let token = canary("remote-refused");
    let server = RemoteServer::start(&modules, "another-token");
    let manifest = sandbox.manifest(&manifest(&server.url()));
    let entry = apply(&sandbox, &manifest, &token);

    // Refused, also after reading the store again.
    let mut bridge = Bridged::start(&sandbox, &entry);
    let answer = initialize(&mut bridge);
    let message = answer["error"]["message"].as_str().unwrap_or_default();
    assert!(
        message.contains("refused credential `REMOTE_TOKEN` (HTTP 401)")
            && message.contains("mcpctl rotate REMOTE_TOKEN"),
        "{answer}"
    );
    let stderr = bridge.finish();
    assert!(stderr.contains("refused credential"), "{stderr}");
    assert!(!stderr.contains(&token) && !answer.to_string().contains(&token));

    // Down: every request is answered with an error naming the endpoint.
    let url = server.url();
    drop(server);
    let mut bridge = Bridged::start(&sandbox, &entry);
    let answer = initialize(&mut bridge);
    let message = answer["error"]["message"].as_str().unwrap_or_default();
    assert!(
        message.starts_with(&format!("cannot reach `{url}`")),
        "{answer}"
    );
    let stderr = bridge.finish();
    assert!(
        stderr.contains(&format!("mcpctl: server `remote`: cannot reach `{url}`")),
        "{stderr}"
    );
    assert!(!stderr.contains(&token));
}

/// The bridge's command line for `url`, its `Authorization` header read
/// from variable REMOTE_TOKEN (no store needed).
fn bridge_to(url: &str) -> (String, Vec<String>) {
    let args = [
        "exec",
        "--server",
        "remote",
        "--header",
        "Authorization:Bearer=REMOTE_TOKEN:env:REMOTE_TOKEN",
        "--url",
        url,
    ];
    (
        env!("CARGO_BIN_EXE_mcpctl").to_owned(),
        args.map(str::to_owned).to_vec(),
    )
}

/// A remote server that answers every request with a redirect to another
/// origin, which must never be asked.
#[test]
fn a_redirect_is_not_followed_so_the_credential_goes_nowhere_else() {
    use std::io::Read;
    use std::net::TcpListener;

    let sandbox = Sandbox::new();
    let token = canary("remote-redirect");
    let elsewhere = TcpListener::bind("127.0.0.1:0").unwrap();
    elsewhere.set_nonblocking(true).unwrap();
    let location = format!(
        "http://127.0.0.1:{}/mcp",
        elsewhere.local_addr().unwrap().port()
    );
    let remote = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!(
        "http://127.0.0.1:{}/mcp",
        remote.local_addr().unwrap().port()
    );
    std::thread::spawn(move || {
        for stream in remote.incoming() {
            let Ok(mut stream) = stream else { return };
            // The request head and its body, then the redirect.
            let mut seen = Vec::new();
            let mut byte = [0; 1];
            while !seen.ends_with(b"\r\n\r\n") && stream.read(&mut byte).unwrap_or(0) == 1 {
                seen.push(byte[0]);
            }
            let head = String::from_utf8_lossy(&seen).to_ascii_lowercase();
            let length = head
                .lines()
                .find_map(|l| l.strip_prefix("content-length:"))
                .and_then(|n| n.trim().parse::<usize>().ok())
                .unwrap_or(0);
            let mut body = vec![0; length];
            let _ = stream.read_exact(&mut body);
            let _ = write!(
                stream,
                "HTTP/1.1 307 Temporary Redirect\r\nLocation: {location}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
            );
        }
    });

    let mut bridge = Bridged::start_with(&sandbox, &bridge_to(&url), &[("REMOTE_TOKEN", &token)]);
    let answer = initialize(&mut bridge);
    let message = answer["error"]["message"].as_str().unwrap_or_default();
    assert!(message.contains("answered HTTP 307"), "{answer}");
    let stderr = bridge.finish();
    assert!(!stderr.contains(&token) && !answer.to_string().contains(&token));
    // Nothing ever connected to the other origin.
    assert_eq!(
        elsewhere.accept().map(|_| ()).unwrap_err().kind(),
        std::io::ErrorKind::WouldBlock
    );
    // The read is in the audit trail (what the plain-http test finds none of).
    let audit = sandbox
        .mcpctl()
        .args(["audit", "--server", "remote", "--json"])
        .output()
        .unwrap();
    let (stdout, _) = text(&audit);
    assert!(stdout.contains("store.read"), "{stdout}");
}

/// A credential over plain http to another machine: refused at start,
/// before the credential is read, naming neither it nor its value.
#[test]
fn plain_http_off_this_machine_is_refused_before_the_credential_is_read() {
    let sandbox = Sandbox::new();
    let token = canary("remote-plain");
    let (command, args) = bridge_to("http://mcp.example.com/mcp");
    let output = Command::new(command)
        .args(args)
        .env_clear()
        .envs(sandbox.env())
        .env("REMOTE_TOKEN", &token)
        .current_dir(sandbox.root())
        .stdin(Stdio::null())
        .output()
        .unwrap();
    let (stdout, stderr) = text(&output);
    assert!(!output.status.success(), "{stdout}{stderr}");
    assert!(stdout.is_empty(), "{stdout}");
    assert!(
        stderr.contains("a credential is sent over https only"),
        "{stderr}"
    );
    assert!(!stderr.contains(&token));
    // Not read: the audit trail has no read of it.
    let audit = sandbox
        .mcpctl()
        .args(["audit", "--server", "remote", "--json"])
        .output()
        .unwrap();
    let (stdout, _) = text(&audit);
    assert!(!stdout.contains("store.read"), "{stdout}");
}

/// `check --servers` checks a remote server through the bridge its clients
/// run: the handshake with the token from the store, then, once the server
/// wants another token, a clear failure — the token in neither report.
#[test]
fn check_servers_reaches_a_remote_server_through_the_bridge() {
    let test = "check_servers_reaches_a_remote_server_through_the_bridge";
    let Some(modules) = sdk(test) else { return };
    if !secret_service(test) {
        return;
    }
    let sandbox = Sandbox::new();
    let token = canary("remote-check");
    let mut server = RemoteServer::start(&modules, &token);
    let manifest = sandbox.manifest(&manifest(&server.url()));
    apply(&sandbox, &manifest, &token);
    let check = || {
        let output = sandbox
            .mcpctl()
            .args(["check", "--servers", "-f"])
            .arg(&manifest)
            .output()
            .unwrap();
        let (stdout, stderr) = text(&output);
        assert!(!stdout.contains(&token) && !stderr.contains(&token));
        (output.status.success(), stdout + &stderr)
    };
    let (ok, out) = check();
    assert!(ok, "{out}");
    assert!(
        out.contains("server `remote`: answered the MCP handshake as remote-fixture"),
        "{out}"
    );
    server.accept("another-token");
    let (ok, out) = check();
    assert!(!ok, "{out}");
    assert!(
        out.contains("server `remote`: not working") && out.contains("REMOTE_TOKEN"),
        "{out}"
    );
}
