//! `check --servers`: start a server the way its client would — through
//! `mcpctl exec`, with its credentials — and speak MCP to it: `initialize`,
//! the `initialized` notification, then `tools/list`, each answer awaited
//! for at most the timeout. The server is killed afterwards.
//!
//! Whatever the server says that the report quotes — its stderr when it
//! fails, an error message, its name — passes through the caller's `quote`
//! first: a server that logs its environment must not put a token into a
//! CI log.

use std::io::{BufRead, BufReader, Write};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use serde_json::{Value, json};

/// The MCP protocol version mcpctl offers.
const PROTOCOL_VERSION: &str = "2025-06-18";

/// What a working server told us.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Handshake {
    /// `serverInfo.name` and `.version`, when given.
    pub server_info: Option<String>,
    pub tools: usize,
}

/// Runs the handshake with the server `command` starts. `Err` is the
/// reason, for the report (the server's stderr tail when it died). Every
/// text of the server's in either passes through `quote`, whole, before it
/// is shortened.
pub fn handshake(
    mut command: Command,
    timeout: Duration,
    quote: &dyn Fn(&str) -> String,
) -> Result<Handshake, String> {
    command
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = command
        .spawn()
        .map_err(|err| format!("cannot start it: {err}"))?;
    let stderr = StderrTail::collect(child.stderr.take().expect("piped"));
    let result = {
        let _sigpipe = SigpipeBlocked::on_this_thread();
        talk(&mut child, timeout, quote)
    };
    let _ = child.kill();
    let _ = child.wait();
    result.map_err(|why| {
        let stderr = stderr.after_exit();
        // One line (without a diagnostic's frame), at most a few hundred
        // characters: enough to say why.
        let mut stderr = quote(&stderr)
            .replace(['×', '│', '╰', '─', '▶'], " ")
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ");
        if stderr.is_empty() {
            return why;
        }
        if let Some((cut, _)) = stderr.char_indices().nth(300) {
            stderr.truncate(cut);
            stderr.push('…');
        }
        format!("{why}; its stderr: {stderr}")
    })
}

/// What a server writes on stderr, read while it runs — a server that fills
/// the pipe before answering would otherwise block until the timeout — and
/// kept up to `STDERR_KEPT` bytes (the report quotes a few hundred
/// characters).
struct StderrTail {
    text: std::sync::Arc<std::sync::Mutex<Vec<u8>>>,
    done: mpsc::Receiver<()>,
}

const STDERR_KEPT: usize = 64 * 1024;

/// How long to wait for the end of stderr after the server was killed: a
/// process the server started may hold the pipe open for as long as it
/// lives, and `check` must not wait for it.
const STDERR_GRACE: Duration = Duration::from_millis(500);

impl StderrTail {
    fn collect(mut pipe: std::process::ChildStderr) -> StderrTail {
        let text = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        let (sender, done) = mpsc::channel();
        let sink = std::sync::Arc::clone(&text);
        std::thread::spawn(move || {
            let mut buffer = [0u8; 8192];
            while let Ok(n @ 1..) = std::io::Read::read(&mut pipe, &mut buffer) {
                let mut kept = sink.lock().unwrap_or_else(|e| e.into_inner());
                let room = STDERR_KEPT.saturating_sub(kept.len());
                kept.extend_from_slice(&buffer[..n.min(room)]);
            }
            let _ = sender.send(());
        });
        StderrTail { text, done }
    }

    /// What it wrote, once the pipe closed or the grace period ended.
    fn after_exit(self) -> String {
        let _ = self.done.recv_timeout(STDERR_GRACE);
        let kept = self.text.lock().unwrap_or_else(|e| e.into_inner());
        String::from_utf8_lossy(&kept).into_owned()
    }
}

/// mcpctl runs with SIGPIPE's default action, so that `mcpctl plan | head`
/// ends quietly (see `main.rs`); a message written to a server that closed
/// its input would then kill `check` instead of failing with `EPIPE`. While
/// this guard lives, SIGPIPE is blocked on the calling thread (a write's
/// SIGPIPE goes to the thread that wrote), so the write fails and the
/// server is reported; a SIGPIPE left pending by it is taken before the
/// signal is unblocked. No process is started while it lives.
struct SigpipeBlocked {
    #[cfg(unix)]
    previous: libc::sigset_t,
}

impl SigpipeBlocked {
    fn on_this_thread() -> SigpipeBlocked {
        #[cfg(unix)]
        // SAFETY: plain calls on local signal sets; pthread_sigmask changes
        // only this thread's mask, restored by Drop.
        unsafe {
            let mut previous: libc::sigset_t = std::mem::zeroed();
            libc::pthread_sigmask(libc::SIG_BLOCK, &sigpipe_set(), &mut previous);
            SigpipeBlocked { previous }
        }
        #[cfg(not(unix))]
        SigpipeBlocked {}
    }
}

#[cfg(unix)]
fn sigpipe_set() -> libc::sigset_t {
    // SAFETY: sigemptyset initialises the set before sigaddset reads it.
    unsafe {
        let mut set: libc::sigset_t = std::mem::zeroed();
        libc::sigemptyset(&mut set);
        libc::sigaddset(&mut set, libc::SIGPIPE);
        set
    }
}

#[cfg(unix)]
impl Drop for SigpipeBlocked {
    fn drop(&mut self) {
        let set = sigpipe_set();
        // SAFETY: sigpending/sigwait take a SIGPIPE pending for this thread
        // (it is blocked here, so sigwait returns at once); then the
        // previous mask is restored.
        unsafe {
            let mut pending: libc::sigset_t = std::mem::zeroed();
            while libc::sigpending(&mut pending) == 0
                && libc::sigismember(&pending, libc::SIGPIPE) == 1
            {
                let mut taken = 0;
                libc::sigwait(&set, &mut taken);
            }
            libc::pthread_sigmask(libc::SIG_SETMASK, &self.previous, std::ptr::null_mut());
        }
    }
}

fn talk(
    child: &mut Child,
    timeout: Duration,
    quote: &dyn Fn(&str) -> String,
) -> Result<Handshake, String> {
    let mut stdin = child.stdin.take().expect("piped");
    let stdout = child.stdout.take().expect("piped");
    let (sender, lines) = mpsc::channel::<String>();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines() {
            let Ok(line) = line else { break };
            if sender.send(line).is_err() {
                break;
            }
        }
    });
    let deadline = Instant::now() + timeout;
    let mut send = |message: Value| -> Result<(), String> {
        writeln!(stdin, "{message}")
            .and_then(|()| stdin.flush())
            .map_err(|_| "it exited before answering (it closed its input)".to_owned())
    };
    send(json!({
        "jsonrpc": "2.0", "id": 1, "method": "initialize",
        "params": {
            "protocolVersion": PROTOCOL_VERSION,
            "capabilities": {},
            "clientInfo": {"name": "mcpctl-check", "version": env!("CARGO_PKG_VERSION")}
        }
    }))?;
    let init = response(&lines, 1, deadline, "initialize", quote)?;
    let server_info = init.get("serverInfo").map(|info| {
        let name = info.get("name").and_then(Value::as_str).unwrap_or("?");
        quote(&match info.get("version").and_then(Value::as_str) {
            Some(version) => format!("{name} {version}"),
            None => name.to_owned(),
        })
    });
    send(json!({"jsonrpc": "2.0", "method": "notifications/initialized"}))?;
    send(json!({"jsonrpc": "2.0", "id": 2, "method": "tools/list"}))?;
    let tools = response(&lines, 2, deadline, "tools/list", quote)?;
    let tools = tools
        .get("tools")
        .and_then(Value::as_array)
        .ok_or("its `tools/list` answer has no `tools` list")?
        .len();
    Ok(Handshake { server_info, tools })
}

/// The `result` of the response with `id`, skipping notifications and
/// log lines.
fn response(
    lines: &mpsc::Receiver<String>,
    id: u64,
    deadline: Instant,
    method: &str,
    quote: &dyn Fn(&str) -> String,
) -> Result<Value, String> {
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        let line = match lines.recv_timeout(left) {
            Ok(line) => line,
            Err(mpsc::RecvTimeoutError::Timeout) => {
                return Err(format!("no answer to `{method}` in time"));
            }
            Err(mpsc::RecvTimeoutError::Disconnected) => {
                return Err(format!("it exited before answering `{method}`"));
            }
        };
        let Ok(message) = serde_json::from_str::<Value>(&line) else {
            continue;
        };
        if message.get("id").and_then(Value::as_u64) != Some(id) {
            continue;
        }
        if let Some(error) = message.get("error") {
            let text = error.get("message").and_then(Value::as_str).unwrap_or("?");
            return Err(format!(
                "it answered `{method}` with an error: {}",
                quote(text)
            ));
        }
        return message
            .get("result")
            .cloned()
            .ok_or_else(|| format!("its `{method}` answer has no result"));
    }
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;

    #[test]
    fn a_server_that_says_nothing_times_out() {
        let mut command = Command::new("sleep");
        command.arg("10");
        let started = Instant::now();
        let err = handshake(command, Duration::from_millis(300), &str::to_owned).unwrap_err();
        assert!(err.contains("no answer to `initialize`"), "{err}");
        assert!(started.elapsed() < Duration::from_secs(5));
    }

    #[test]
    fn a_server_that_exits_is_reported_with_its_stderr() {
        let mut command = Command::new("sh");
        command.args(["-c", "echo 'missing GITHUB_TOKEN' >&2; exit 1"]);
        let err = handshake(command, Duration::from_secs(5), &str::to_owned).unwrap_err();
        assert!(err.contains("exited before answering"), "{err}");
        assert!(err.contains("missing GITHUB_TOKEN"), "{err}");
    }

    #[test]
    fn what_the_server_says_is_quoted_through_the_callers_filter() {
        let mut command = Command::new("sh");
        command.args([
            "-c",
            "echo 'env: TOKEN-2' >&2; read line; \
             echo '{\"jsonrpc\":\"2.0\",\"id\":1,\"error\":{\"message\":\"bad TOKEN-1\"}}'",
        ]);
        let quote = |text: &str| text.replace("TOKEN-1", "[1]").replace("TOKEN-2", "[2]");
        let err = handshake(command, Duration::from_secs(5), &quote).unwrap_err();
        assert!(err.contains("with an error: bad [1]"), "{err}");
        assert!(err.contains("env: [2]"), "{err}");
        assert!(!err.contains("TOKEN-"), "{err}");
    }
}
