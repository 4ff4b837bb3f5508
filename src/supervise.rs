//! Running a server as a supervised child, for when `exec` cannot simply
//! replace itself with it: a file credential's temporary file must be
//! removed when the server exits, so someone has to still be there.
//!
//! The child inherits stdin, stdout and stderr (MCP's stdio transport flows
//! untouched). SIGINT, SIGTERM and SIGHUP sent to mcpctl — a client
//! stopping its server — are forwarded to the child, and mcpctl waits for
//! it, so cleanup happens after the server is gone. The caller leaves with
//! [`exit_code`] of the child's status.

use std::process::{Command, ExitStatus};

/// Starts `command` and waits for it, forwarding termination signals.
#[cfg(unix)]
pub fn run(command: &mut Command) -> std::io::Result<ExitStatus> {
    // SAFETY: plain libc signal-set calls on a local, zero-initialised set.
    let set = unsafe {
        let mut set: libc::sigset_t = std::mem::zeroed();
        libc::sigemptyset(&mut set);
        for signal in [libc::SIGINT, libc::SIGTERM, libc::SIGHUP] {
            libc::sigaddset(&mut set, signal);
        }
        // Blocked here (and in threads spawned after), so the signals wait
        // for `sigwait` below. The child's mask is reset by std's spawn.
        libc::pthread_sigmask(libc::SIG_BLOCK, &set, std::ptr::null_mut());
        set
    };
    let mut child = command.spawn()?;
    let pid = child.id() as libc::pid_t;
    std::thread::spawn(move || {
        loop {
            let mut signal: libc::c_int = 0;
            // SAFETY: `set` is a valid signal set; `signal` a valid out-pointer.
            if unsafe { libc::sigwait(&set, &mut signal) } == 0 {
                // SAFETY: sending a signal to our own child's pid.
                unsafe { libc::kill(pid, signal) };
            }
        }
    });
    child.wait()
}

/// Windows: the child shares the console, which delivers Ctrl-C to both.
#[cfg(not(unix))]
pub fn run(command: &mut Command) -> std::io::Result<ExitStatus> {
    command.status()
}

/// The exit code to leave with: the child's, or 128 + the signal that
/// ended it, as shells report.
pub fn exit_code(status: ExitStatus) -> i32 {
    #[cfg(unix)]
    {
        use std::os::unix::process::ExitStatusExt;
        if let Some(signal) = status.signal() {
            return 128 + signal;
        }
    }
    status.code().unwrap_or(1)
}
