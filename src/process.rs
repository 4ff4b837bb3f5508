//! The one process runner: running a command to completion and keeping
//! what it printed. Everything mcpctl runs to an end goes through here —
//! `git` (the audit trail's commit, `scan --git`), a secret manager's
//! command ([`crate::source`]), the scheduler and notifiers of `remind`.
//!
//! Two ways to keep the output, because two needs pull apart:
//!
//! - [`run_to_exit`]: stdout and stderr go to unnamed temporary files.
//!   `std::process::Command::output` reads the child's pipes until *every*
//!   writer has closed them, so it waits not only for the command but for
//!   anything the command started that inherited them. Commands that leave
//!   something running are common: a notifier that forks its daemon, or —
//!   seen in CI — Wine's `schtasks`, which starts the desktop process
//!   `explorer.exe /desktop`; that process inherits the pipe and lives as
//!   long as mcpctl is attached to the desktop, so mcpctl and it waited
//!   for each other forever. `run_to_exit` waits for the command itself and
//!   collects its output from files the OS deletes when the last handle
//!   closes, so a lingering grandchild cannot hold mcpctl up.
//! - [`run_piped`]: for output that may hold a secret (a password manager's
//!   answer). It stays in memory, in pipes, and never touches a disk —
//!   not even an unnamed file, which lives on the disk until closed and
//!   can be read through `/proc` meanwhile. The command is killed after a
//!   timeout, and a daemon it started (gpg-agent) holding the pipes gets
//!   a short grace, not forever.
//!
//! Not here: launching an MCP server, which runs as long as its client and
//! speaks over its stdio (`exec`, the handshake of `check`, the bridge).
//! That is [`crate::spawn`]'s and the callers' concern, not a command run
//! to its end.

use std::io::{self, Read, Seek};
use std::process::{Command, Output, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// Runs `command` with stdin closed, waits for it to exit, and returns
/// its exit status with what it wrote to stdout and stderr up to then.
pub fn run_to_exit(command: &mut Command) -> io::Result<Output> {
    let mut stdout = tempfile::tempfile()?;
    let mut stderr = tempfile::tempfile()?;
    let status = command
        .stdin(Stdio::null())
        .stdout(stdout.try_clone()?)
        .stderr(stderr.try_clone()?)
        .status()?;
    Ok(Output {
        status,
        stdout: read_from_start(&mut stdout)?,
        stderr: read_from_start(&mut stderr)?,
    })
}

/// Why [`run_piped`] has no output.
#[derive(Debug)]
pub enum PipedError {
    /// The command could not be started, or waited for.
    Io(io::Error),
    /// It ran past the timeout and was killed.
    Timeout,
}

/// Runs `command` with stdin closed and its stdout and stderr in pipes
/// (never in a file: see the module doc), killing it after `timeout`.
pub fn run_piped(command: &mut Command, timeout: Duration) -> Result<Output, PipedError> {
    let mut child = command
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(PipedError::Io)?;
    let stdout = collect(child.stdout.take().expect("piped"));
    let stderr = collect(child.stderr.take().expect("piped"));
    let deadline = Instant::now() + timeout;
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) if Instant::now() >= deadline => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(PipedError::Timeout);
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(10)),
            Err(err) => return Err(PipedError::Io(err)),
        }
    };
    // A daemon the command started (gpg-agent) may hold the pipes open:
    // give the readers a moment, not forever.
    let grace = Duration::from_secs(2);
    Ok(Output {
        status,
        stdout: stdout.recv_timeout(grace).unwrap_or_default(),
        stderr: stderr.recv_timeout(grace).unwrap_or_default(),
    })
}

/// Reads `pipe` to the end on a thread; the bytes arrive on the channel.
fn collect(mut pipe: impl Read + Send + 'static) -> mpsc::Receiver<Vec<u8>> {
    let (sender, receiver) = mpsc::channel();
    std::thread::spawn(move || {
        let mut bytes = Vec::new();
        let _ = pipe.read_to_end(&mut bytes);
        let _ = sender.send(bytes);
    });
    receiver
}

fn read_from_start(file: &mut std::fs::File) -> io::Result<Vec<u8>> {
    file.rewind()?;
    let mut bytes = Vec::new();
    file.read_to_end(&mut bytes)?;
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn output_and_status_are_kept() {
        let mut command = if cfg!(windows) {
            let mut c = Command::new("cmd");
            c.args(["/C", "echo out& echo err 1>&2& exit 3"]);
            c
        } else {
            let mut c = Command::new("sh");
            c.args(["-c", "echo out; echo err >&2; exit 3"]);
            c
        };
        let output = run_to_exit(&mut command).unwrap();
        assert_eq!(output.status.code(), Some(3));
        assert_eq!(String::from_utf8_lossy(&output.stdout).trim(), "out");
        assert_eq!(String::from_utf8_lossy(&output.stderr).trim(), "err");
    }

    /// The command exits while something it started still holds its
    /// stdout and stderr: `run_to_exit` returns with that process still
    /// alive (`Command::output` could not return before it ended).
    #[cfg(unix)]
    #[test]
    fn a_process_left_running_does_not_hold_it_up() {
        let dir = tempfile::tempdir().unwrap();
        let pid_file = dir.path().join("pid");
        let output = run_to_exit(Command::new("sh").args([
            "-c",
            "sleep 600 & echo $! > \"$1\"; echo started",
            "sh",
            pid_file.to_str().unwrap(),
        ]))
        .unwrap();
        assert!(output.status.success());
        assert_eq!(String::from_utf8_lossy(&output.stdout).trim(), "started");
        let pid: libc::pid_t = std::fs::read_to_string(&pid_file)
            .unwrap()
            .trim()
            .parse()
            .unwrap();
        // SAFETY: signal 0 only asks whether the process exists.
        let alive = unsafe { libc::kill(pid, 0) } == 0;
        // SAFETY: ends the process this test started.
        unsafe { libc::kill(pid, libc::SIGKILL) };
        assert!(alive, "the background process had already ended");
    }
}
