//! Running a helper command (a scheduler, a notifier) to its end and
//! keeping what it printed.
//!
//! `std::process::Command::output` reads the child's stdout and stderr
//! pipes until *every* writer has closed them, so it waits not only for
//! the command but for anything the command started that inherited them.
//! Commands that leave something running are common: a notifier that
//! forks its daemon, or — seen in CI — Wine's `schtasks`, which starts the
//! desktop process `explorer.exe /desktop`; that process inherits the
//! pipe and lives as long as mcpctl is attached to the desktop, so mcpctl
//! and it waited for each other forever. [`run_to_exit`] waits for the
//! command itself and collects its output from unnamed temporary files
//! (deleted by the OS when the last handle closes), so a lingering
//! grandchild cannot hold mcpctl up.
//!
//! Not for output that may hold a secret (a password manager's answer in
//! [`crate::source`]): that stays in a pipe and never touches a disk.

use std::io::{self, Read, Seek};
use std::process::{Command, Output, Stdio};

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
