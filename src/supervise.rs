//! Running a server as a supervised child, for when `exec` cannot simply
//! replace itself with it: a file credential must be removed when the
//! server exits, so someone has to still be there.
//!
//! The child inherits stdin, stdout and stderr (MCP's stdio transport flows
//! untouched). SIGINT, SIGTERM and SIGHUP sent to mcpctl — a client
//! stopping its server — are forwarded to the child, and mcpctl waits for
//! it, so cleanup happens after the server is gone.
//!
//! Unix signal handling must hold whatever thread a signal reaches:
//! reading a credential from the store starts threads (the D-Bus
//! connection's), and a process signal goes to any thread that does not
//! block it. Blocking the signals everywhere would need every thread
//! started after the block and would pass the mask on to every program
//! mcpctl starts meanwhile (a `command` source). So [`Supervisor::start`]
//! installs a handler instead, which runs on whichever thread is hit: it
//! records the signal, and forwards it once the server runs. The child
//! starts with an empty signal mask and default dispositions, and on Linux
//! with a parent-death signal: should mcpctl be killed outright (SIGKILL,
//! which cannot be caught), the server is killed with it.

use std::process::{Command, ExitStatus};
#[cfg(unix)]
use std::sync::atomic::{AtomicI32, Ordering};

/// Catches termination signals for the life of the process and forwards
/// them to the server once it runs.
pub struct Supervisor {
    _private: (),
}

/// The server's pid while it runs and is not reaped yet (so the pid is
/// still its own); 0 before it starts, -1 after it exited.
#[cfg(unix)]
static SERVER: AtomicI32 = AtomicI32::new(0);
/// The last termination signal that came, 0 for none.
#[cfg(unix)]
static SIGNALLED: AtomicI32 = AtomicI32::new(0);

#[cfg(unix)]
const FORWARDED: [libc::c_int; 3] = [libc::SIGINT, libc::SIGTERM, libc::SIGHUP];

/// The handler: records the signal, then forwards it if the server runs.
/// Only atomics and `kill`, which are async-signal-safe.
#[cfg(unix)]
extern "C" fn on_signal(signal: libc::c_int) {
    SIGNALLED.store(signal, Ordering::SeqCst);
    let pid = SERVER.load(Ordering::SeqCst);
    if pid > 0 {
        // SAFETY: signalling our own unreaped child.
        unsafe { libc::kill(pid, signal) };
    }
}

impl Supervisor {
    /// Installs the handler of the termination signals. Call before the
    /// first secret file exists.
    #[cfg(unix)]
    pub fn start() -> Supervisor {
        // SAFETY: a zeroed sigaction with a valid handler and an empty
        // mask; SA_RESTART keeps other threads' system calls going.
        unsafe {
            let mut action: libc::sigaction = std::mem::zeroed();
            action.sa_sigaction = on_signal as extern "C" fn(libc::c_int) as libc::sighandler_t;
            action.sa_flags = libc::SA_RESTART;
            libc::sigemptyset(&mut action.sa_mask);
            for signal in FORWARDED {
                libc::sigaction(signal, &action, std::ptr::null_mut());
            }
        }
        Supervisor { _private: () }
    }

    /// Windows: the child shares the console, which delivers Ctrl-C to both.
    #[cfg(not(unix))]
    pub fn start() -> Supervisor {
        Supervisor { _private: () }
    }

    /// Starts `command` and waits for it. Returns the exit code to leave
    /// with: the child's, or 128 + the signal that ended it, as shells
    /// report — or, when a signal came before the server could start,
    /// 128 + that signal, without starting it.
    #[cfg(unix)]
    pub fn run(self, command: &mut Command) -> std::io::Result<i32> {
        use std::os::unix::process::CommandExt;
        let signalled = SIGNALLED.load(Ordering::SeqCst);
        if signalled != 0 {
            return Ok(128 + signalled);
        }
        let parent = std::process::id() as libc::pid_t;
        // SAFETY: the closure runs between fork and exec and only makes
        // async-signal-safe calls, allocating nothing.
        unsafe {
            command.pre_exec(move || child_setup(parent));
        }
        let mut child = command.spawn()?;
        let pid = child.id() as libc::pid_t;
        SERVER.store(pid, Ordering::SeqCst);
        // A signal that came while the server was being started, before
        // the handler could see its pid (one that comes later is forwarded
        // by the handler itself).
        let signalled = SIGNALLED.swap(0, Ordering::SeqCst);
        if signalled != 0 {
            // SAFETY: signalling our own unreaped child.
            unsafe { libc::kill(pid, signalled) };
        }
        wait_without_reaping(pid)?;
        SERVER.store(-1, Ordering::SeqCst);
        Ok(exit_code(child.wait()?))
    }

    /// Windows: the server is in mcpctl's job, so it ends with mcpctl
    /// however mcpctl ends (see [`crate::spawn::kill_children_on_exit`]).
    #[cfg(not(unix))]
    pub fn run(self, command: &mut Command) -> std::io::Result<i32> {
        crate::spawn::kill_children_on_exit()?;
        Ok(exit_code(command.status()?))
    }
}

/// In the child, before exec: an empty signal mask (a mask mcpctl was
/// started with would otherwise stay in the server, which could then
/// ignore SIGTERM), and on Linux death with the supervisor. The handler
/// itself is reset to the default by exec.
#[cfg(unix)]
fn child_setup(parent: libc::pid_t) -> std::io::Result<()> {
    // SAFETY: async-signal-safe calls on a local set.
    unsafe {
        let mut empty: libc::sigset_t = std::mem::zeroed();
        libc::sigemptyset(&mut empty);
        if libc::pthread_sigmask(libc::SIG_SETMASK, &empty, std::ptr::null_mut()) != 0 {
            return Err(std::io::Error::last_os_error());
        }
        #[cfg(target_os = "linux")]
        {
            if libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL) != 0 {
                return Err(std::io::Error::last_os_error());
            }
            // The supervisor died before the line above took effect.
            if libc::getppid() != parent {
                return Err(std::io::Error::from_raw_os_error(libc::ESRCH));
            }
        }
        #[cfg(not(target_os = "linux"))]
        let _ = parent;
    }
    Ok(())
}

/// Waits until `pid` has exited but leaves it a zombie, so that its pid
/// cannot be reused before the signal thread has stopped forwarding.
#[cfg(unix)]
fn wait_without_reaping(pid: libc::pid_t) -> std::io::Result<()> {
    loop {
        // SAFETY: a zeroed siginfo_t is a valid out-parameter.
        let mut info: libc::siginfo_t = unsafe { std::mem::zeroed() };
        // SAFETY: waiting on our own child with a valid out-pointer.
        let waited = unsafe {
            libc::waitid(
                libc::P_PID,
                pid as libc::id_t,
                &mut info,
                libc::WEXITED | libc::WNOWAIT,
            )
        };
        if waited == 0 {
            return Ok(());
        }
        let err = std::io::Error::last_os_error();
        if err.kind() != std::io::ErrorKind::Interrupted {
            return Err(err);
        }
    }
}

/// The exit code to leave with: the child's, or 128 + the signal that
/// ended it, as shells report.
fn exit_code(status: ExitStatus) -> i32 {
    #[cfg(unix)]
    {
        use std::os::unix::process::ExitStatusExt;
        if let Some(signal) = status.signal() {
            return 128 + signal;
        }
    }
    status.code().unwrap_or(1)
}
