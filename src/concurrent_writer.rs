//! Other programs that rewrite the files mcpctl edits, and how mcpctl
//! keeps out of their way.
//!
//! Claude Code rewrites `~/.claude.json` all the time (every start, every
//! `claude mcp add`), and does so under a lock of the `proper-lockfile`
//! protocol: it creates the directory `~/.claude.json.lock` (`mkdir` is
//! atomic), re-reads the file, writes it, and removes the directory; a
//! holder refreshes the directory's modification time every 5 s, and a lock
//! older than 10 s is stale and may be taken over. When the lock is held,
//! Claude Code does not wait: it reads the file again and writes it without
//! the lock.
//!
//! So mcpctl, around its own compare-and-rename of such a file, takes the
//! same lock ([`ConcurrentWriter::lock`]): it waits while another holder
//! keeps the lock fresh, takes over a stale one, holds it for milliseconds,
//! and removes it on every exit path, a signal included. And because a
//! writer that found mcpctl's lock held writes anyway — with what it read
//! before mcpctl's rename — apply watches the file for a short window
//! afterwards when such a writer is running ([`ConcurrentWriter::may_be_running`],
//! [`ConcurrentWriter::settle_window`]) and writes its entries again if they
//! were erased. Which clients have such a protocol, and which do not, is in
//! `docs/clients/README.md`.

use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::time::{Duration, Instant, SystemTime};

/// A lock older than this is stale (proper-lockfile's default, which Claude
/// Code uses).
pub const STALE: Duration = Duration::from_secs(10);
/// How often a holder refreshes the lock's modification time (half the
/// stale limit, as proper-lockfile does).
const REFRESH: Duration = Duration::from_secs(5);
/// How often a held lock is looked at again while waiting for it.
const POLL: Duration = Duration::from_millis(15);
/// How long mcpctl waits for a lock that its holder keeps fresh.
pub const PATIENCE: Duration = Duration::from_secs(30);

/// A program that rewrites a file mcpctl edits, with the lock it takes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConcurrentWriter {
    /// The program, as people call it ("Claude Code").
    pub name: &'static str,
    /// The lock directory (`<file>.lock`, next to the file as the program
    /// names it: not resolved through links).
    pub lock: PathBuf,
    /// The program's process name (`claude`).
    process: &'static str,
}

/// Why a lock could not be taken.
#[derive(Debug, thiserror::Error)]
pub enum LockError {
    #[error("{} stayed locked for {} s ({writer} holds this lock while it writes the file)", lock.display(), waited.as_secs())]
    Held {
        writer: &'static str,
        lock: PathBuf,
        waited: Duration,
    },
    #[error("could not take the lock {}", lock.display())]
    Io {
        writer: &'static str,
        lock: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

impl LockError {
    /// The lock directory.
    pub fn lock(&self) -> String {
        match self {
            LockError::Held { lock, .. } | LockError::Io { lock, .. } => lock.display().to_string(),
        }
    }

    /// The program whose lock it is.
    pub fn writer(&self) -> &'static str {
        match self {
            LockError::Held { writer, .. } | LockError::Io { writer, .. } => writer,
        }
    }
}

impl ConcurrentWriter {
    /// Claude Code, writing `file` (its `~/.claude.json`).
    pub fn claude_code(file: &Path) -> ConcurrentWriter {
        let mut lock = file.as_os_str().to_owned();
        lock.push(".lock");
        ConcurrentWriter {
            name: "Claude Code",
            lock: PathBuf::from(lock),
            process: "claude",
        }
    }

    /// Takes the writer's lock, waiting up to `patience` while another
    /// holder keeps it fresh; a stale lock (a holder that died) is taken
    /// over. The lock is released when the returned value is dropped.
    pub fn lock(&self, patience: Duration) -> Result<HeldLock, LockError> {
        let start = Instant::now();
        loop {
            match std::fs::create_dir(&self.lock) {
                Ok(()) => return Ok(HeldLock::start(self.lock.clone())),
                Err(err) if err.kind() == std::io::ErrorKind::AlreadyExists => {}
                Err(source) => {
                    return Err(LockError::Io {
                        writer: self.name,
                        lock: self.lock.clone(),
                        source,
                    });
                }
            }
            if self.is_stale() {
                // As proper-lockfile does: remove, then try to create again.
                match std::fs::remove_dir(&self.lock) {
                    Ok(()) => continue,
                    Err(err) if err.kind() == std::io::ErrorKind::NotFound => continue,
                    Err(source) => {
                        return Err(LockError::Io {
                            writer: self.name,
                            lock: self.lock.clone(),
                            source,
                        });
                    }
                }
            }
            if start.elapsed() >= patience {
                return Err(LockError::Held {
                    writer: self.name,
                    lock: self.lock.clone(),
                    waited: start.elapsed(),
                });
            }
            std::thread::sleep(POLL);
        }
    }

    /// Whether the lock is held right now and not stale.
    pub fn is_held(&self) -> bool {
        std::fs::symlink_metadata(&self.lock).is_ok() && !self.is_stale()
    }

    /// Waits (at most `patience`) until nobody holds the lock fresh.
    pub fn wait_until_free(&self, patience: Duration) {
        let start = Instant::now();
        while self.is_held() && start.elapsed() < patience {
            std::thread::sleep(POLL);
        }
    }

    fn is_stale(&self) -> bool {
        let Ok(modified) = std::fs::symlink_metadata(&self.lock).and_then(|m| m.modified()) else {
            return false;
        };
        SystemTime::now()
            .duration_since(modified)
            .is_ok_and(|age| age > STALE)
    }

    /// Whether the program may be running on this machine now. On Linux
    /// (`/proc`) and Windows (a Toolhelp snapshot) the process table tells;
    /// on macOS mcpctl does not read it and assumes it may.
    pub fn may_be_running(&self) -> bool {
        running::any(self.process)
    }

    /// How long, after writing a file of `len` bytes, a writer that found
    /// mcpctl's lock held may still take to write what it read before:
    /// it reads, parses and serialises the whole file (Claude Code: about
    /// 2 ms for 50 kB, 100 ms for 5 MB on a 2-core machine), so the window
    /// grows with the file, with room for a loaded machine.
    pub fn settle_window(&self, len: u64) -> Duration {
        const BASE: Duration = Duration::from_millis(300);
        const PER_MB: Duration = Duration::from_millis(40);
        const MAX: Duration = Duration::from_secs(4);
        let mb = u32::try_from(len / 1_000_000).unwrap_or(u32::MAX);
        (BASE + PER_MB.saturating_mul(mb)).min(MAX)
    }
}

/// A lock mcpctl holds; dropping it releases the lock.
#[derive(Debug)]
pub struct HeldLock {
    dir: PathBuf,
    /// Dropped to stop the thread that keeps the lock fresh.
    stop: Option<mpsc::Sender<()>>,
    refresher: Option<std::thread::JoinHandle<()>>,
    cleanup: signals::Cleanup,
}

impl HeldLock {
    fn start(dir: PathBuf) -> HeldLock {
        let cleanup = signals::Cleanup::register(&dir);
        let (stop, stopped) = mpsc::channel::<()>();
        let refreshed = dir.clone();
        // Holds last milliseconds; the refresh matters only when the disk
        // is slow enough to make one last longer than the stale limit.
        let refresher = std::thread::Builder::new()
            .name("lock-refresh".to_owned())
            .spawn(move || {
                while let Err(mpsc::RecvTimeoutError::Timeout) = stopped.recv_timeout(REFRESH) {
                    let _ = set_dir_modified(&refreshed, SystemTime::now());
                }
            })
            .ok();
        HeldLock {
            dir,
            stop: Some(stop),
            refresher,
            cleanup,
        }
    }
}

impl Drop for HeldLock {
    fn drop(&mut self) {
        drop(self.stop.take());
        if let Some(refresher) = self.refresher.take() {
            let _ = refresher.join();
        }
        let _ = std::fs::remove_dir(&self.dir);
        self.cleanup.unregister();
    }
}

/// Sets the modification time of the directory `dir`.
pub fn set_dir_modified(dir: &Path, time: SystemTime) -> std::io::Result<()> {
    #[cfg(windows)]
    let opened = {
        use std::os::windows::fs::OpenOptionsExt;
        use windows_sys::Win32::Storage::FileSystem::{
            FILE_FLAG_BACKUP_SEMANTICS, FILE_WRITE_ATTRIBUTES,
        };
        // A directory opens only with backup semantics.
        std::fs::OpenOptions::new()
            .access_mode(FILE_WRITE_ATTRIBUTES)
            .custom_flags(FILE_FLAG_BACKUP_SEMANTICS)
            .open(dir)?
    };
    #[cfg(not(windows))]
    let opened = std::fs::File::open(dir)?;
    opened.set_modified(time)
}

/// Removing a held lock when a signal ends mcpctl, so the client never
/// waits for a lock nobody holds.
#[cfg(unix)]
mod signals {
    use std::ffi::{CString, c_char};
    use std::path::Path;
    use std::sync::atomic::{AtomicPtr, Ordering};

    /// The lock directory to remove, as a C string; null when none is held.
    static HELD: AtomicPtr<c_char> = AtomicPtr::new(std::ptr::null_mut());
    const SIGNALS: [libc::c_int; 3] = [libc::SIGINT, libc::SIGTERM, libc::SIGHUP];

    extern "C" fn on_signal(signal: libc::c_int) {
        let held = HELD.load(Ordering::SeqCst);
        // SAFETY: rmdir, signal and raise are async-signal-safe; `held` is
        // a C string that is never freed (see `register`).
        unsafe {
            if !held.is_null() {
                libc::rmdir(held);
            }
            libc::signal(signal, libc::SIG_DFL);
            libc::raise(signal);
        }
    }

    /// The handlers in place before [`Cleanup::register`], put back by
    /// [`Cleanup::unregister`].
    #[derive(Debug)]
    pub struct Cleanup {
        previous: Vec<(libc::c_int, libc::sigaction)>,
    }

    impl Cleanup {
        pub fn register(dir: &Path) -> Cleanup {
            use std::os::unix::ffi::OsStrExt;
            let Ok(path) = CString::new(dir.as_os_str().as_bytes()) else {
                return Cleanup {
                    previous: Vec::new(),
                };
            };
            // Never freed: a handler running on another thread may still
            // read it after the lock is released. One short path per lock
            // taken, a handful per apply.
            let path: &'static mut std::ffi::CStr = Box::leak(path.into_boxed_c_str());
            HELD.store(path.as_ptr().cast_mut(), Ordering::SeqCst);
            let mut previous = Vec::new();
            for signal in SIGNALS {
                // SAFETY: plain sigaction calls with zeroed, then filled,
                // structures; the handler only calls async-signal-safe
                // functions.
                unsafe {
                    let mut old: libc::sigaction = std::mem::zeroed();
                    // An ignored signal (a background job's SIGINT) stays
                    // ignored, even for an instant: it cannot end mcpctl,
                    // so it is looked at before any handler is installed.
                    if libc::sigaction(signal, std::ptr::null(), &mut old) != 0
                        || old.sa_sigaction == libc::SIG_IGN
                    {
                        continue;
                    }
                    let mut action: libc::sigaction = std::mem::zeroed();
                    action.sa_sigaction = on_signal as extern "C" fn(libc::c_int) as usize;
                    libc::sigemptyset(&mut action.sa_mask);
                    if libc::sigaction(signal, &action, &mut old) != 0 {
                        continue;
                    }
                    previous.push((signal, old));
                }
            }
            Cleanup { previous }
        }

        pub fn unregister(&mut self) {
            for (signal, old) in self.previous.drain(..) {
                // SAFETY: puts back the action sigaction returned.
                unsafe { libc::sigaction(signal, &old, std::ptr::null_mut()) };
            }
            HELD.store(std::ptr::null_mut(), Ordering::SeqCst);
        }
    }
}

#[cfg(windows)]
mod signals {
    use std::os::windows::ffi::OsStrExt;
    use std::path::Path;
    use std::sync::atomic::{AtomicPtr, Ordering};

    use windows_sys::Win32::Foundation::{FALSE, TRUE};
    use windows_sys::Win32::Storage::FileSystem::RemoveDirectoryW;
    use windows_sys::Win32::System::Console::SetConsoleCtrlHandler;
    use windows_sys::core::BOOL;

    /// The lock directory to remove, as a wide C string; null when none.
    static HELD: AtomicPtr<u16> = AtomicPtr::new(std::ptr::null_mut());

    unsafe extern "system" fn on_ctrl(_event: u32) -> BOOL {
        let held = HELD.load(Ordering::SeqCst);
        if !held.is_null() {
            // SAFETY: a NUL-terminated wide string that is never freed.
            unsafe { RemoveDirectoryW(held) };
        }
        // Not handled: the default handler ends the process.
        FALSE
    }

    #[derive(Debug)]
    pub struct Cleanup {
        registered: bool,
    }

    impl Cleanup {
        pub fn register(dir: &Path) -> Cleanup {
            let wide: Vec<u16> = dir.as_os_str().encode_wide().chain(Some(0)).collect();
            // Never freed, as on Unix: the handler runs on its own thread.
            HELD.store(
                Box::leak(wide.into_boxed_slice()).as_mut_ptr(),
                Ordering::SeqCst,
            );
            // SAFETY: registers a handler that only removes a directory.
            let registered = unsafe { SetConsoleCtrlHandler(Some(on_ctrl), TRUE) } != 0;
            Cleanup { registered }
        }

        pub fn unregister(&mut self) {
            if std::mem::take(&mut self.registered) {
                // SAFETY: removes the handler registered above.
                unsafe { SetConsoleCtrlHandler(Some(on_ctrl), FALSE) };
            }
            HELD.store(std::ptr::null_mut(), Ordering::SeqCst);
        }
    }
}

/// Whether a program runs, from the process table.
mod running {
    /// Whether a process named `name` runs (a Node.js or Bun process
    /// whose script is named so counts too). Not this process.
    #[cfg(target_os = "linux")]
    pub fn any(name: &str) -> bool {
        let Ok(processes) = std::fs::read_dir("/proc") else {
            return true;
        };
        let own = std::process::id().to_string();
        processes.flatten().any(|process| {
            let pid = process.file_name();
            let Some(pid) = pid
                .to_str()
                .filter(|p| p.bytes().all(|b| b.is_ascii_digit()))
            else {
                return false;
            };
            if pid == own {
                return false;
            }
            let Ok(comm) = std::fs::read_to_string(process.path().join("comm")) else {
                return false;
            };
            match comm.trim_end() {
                comm if comm == name => true,
                "node" | "nodejs" | "bun" => script_named(&process.path(), name),
                _ => false,
            }
        })
    }

    /// Whether the script a runtime runs (its first arguments) is named
    /// `name` or lives in a package of that name (`@anthropic-ai/claude-code`).
    #[cfg(target_os = "linux")]
    fn script_named(process: &std::path::Path, name: &str) -> bool {
        let Ok(cmdline) = std::fs::read(process.join("cmdline")) else {
            return false;
        };
        cmdline
            .split(|b| *b == 0)
            .skip(1)
            .take(2)
            .filter_map(|arg| std::str::from_utf8(arg).ok())
            .any(|arg| {
                let base = arg.rsplit('/').next().unwrap_or(arg);
                base == name
                    || base.starts_with(&format!("{name}."))
                    || arg.contains(&format!("/{name}-"))
            })
    }

    /// Whether a process whose program is `name.exe` runs (Claude Code
    /// installs `claude.exe`, from npm too). Not this process.
    #[cfg(windows)]
    pub fn any(name: &str) -> bool {
        use windows_sys::Win32::Foundation::{CloseHandle, INVALID_HANDLE_VALUE};
        use windows_sys::Win32::System::Diagnostics::ToolHelp::{
            CreateToolhelp32Snapshot, PROCESSENTRY32W, Process32FirstW, Process32NextW,
            TH32CS_SNAPPROCESS,
        };
        let wanted = format!("{name}.exe");
        // SAFETY: a snapshot handle, walked with entries of the size the
        // API is told, and closed once.
        unsafe {
            let snapshot = CreateToolhelp32Snapshot(TH32CS_SNAPPROCESS, 0);
            if snapshot == INVALID_HANDLE_VALUE {
                return true;
            }
            let mut entry = PROCESSENTRY32W {
                dwSize: std::mem::size_of::<PROCESSENTRY32W>() as u32,
                ..Default::default()
            };
            let mut found = false;
            let mut more = Process32FirstW(snapshot, &mut entry) != 0;
            while more && !found {
                let length = entry.szExeFile.iter().position(|&c| c == 0).unwrap_or(260);
                let program = String::from_utf16_lossy(&entry.szExeFile[..length]);
                found = entry.th32ProcessID != std::process::id()
                    && program.eq_ignore_ascii_case(&wanted);
                more = Process32NextW(snapshot, &mut entry) != 0;
            }
            CloseHandle(snapshot);
            found
        }
    }

    /// Elsewhere (macOS) the process table is not read: the writer may run.
    #[cfg(not(any(target_os = "linux", windows)))]
    pub fn any(_name: &str) -> bool {
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn writer(dir: &Path) -> ConcurrentWriter {
        ConcurrentWriter::claude_code(&dir.join(".claude.json"))
    }

    #[test]
    fn the_lock_is_the_file_name_with_lock_appended() {
        let writer = ConcurrentWriter::claude_code(Path::new("/home/ada/.claude.json"));
        assert_eq!(writer.lock, Path::new("/home/ada/.claude.json.lock"));
    }

    #[test]
    fn a_held_lock_is_a_directory_removed_on_release() {
        let dir = tempfile::tempdir().unwrap();
        let writer = writer(dir.path());
        let held = writer.lock(Duration::ZERO).unwrap();
        assert!(writer.lock.is_dir());
        assert!(writer.is_held());
        drop(held);
        assert!(!writer.lock.exists());
    }

    #[test]
    fn a_fresh_lock_of_another_holder_is_waited_for_then_refused() {
        let dir = tempfile::tempdir().unwrap();
        let writer = writer(dir.path());
        std::fs::create_dir(&writer.lock).unwrap();
        let err = writer.lock(Duration::from_millis(60)).unwrap_err();
        assert!(matches!(err, LockError::Held { .. }), "{err}");
        assert!(
            err.to_string()
                .contains("stayed locked for 0 s (Claude Code holds this lock"),
            "{err}"
        );
        // The other holder's lock is left alone.
        assert!(writer.lock.is_dir());
    }

    #[test]
    fn a_lock_released_while_waiting_is_taken() {
        let dir = tempfile::tempdir().unwrap();
        let writer = writer(dir.path());
        std::fs::create_dir(&writer.lock).unwrap();
        let other = writer.lock.clone();
        let releaser = std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(50));
            std::fs::remove_dir(other).unwrap();
        });
        let held = writer.lock(Duration::from_secs(5)).unwrap();
        releaser.join().unwrap();
        assert!(writer.lock.is_dir());
        drop(held);
        assert!(!writer.lock.exists());
    }

    #[test]
    fn a_stale_lock_of_a_dead_holder_is_taken_over_at_once() {
        let dir = tempfile::tempdir().unwrap();
        let writer = writer(dir.path());
        std::fs::create_dir(&writer.lock).unwrap();
        let old = SystemTime::now() - STALE - Duration::from_secs(1);
        set_dir_modified(&writer.lock, old).unwrap();
        assert!(!writer.is_held());
        let held = writer.lock(Duration::ZERO).unwrap();
        let modified = std::fs::metadata(&writer.lock).unwrap().modified().unwrap();
        assert!(modified > old, "the taken-over lock is fresh");
        drop(held);
    }

    #[test]
    fn the_settle_window_grows_with_the_file_and_is_bounded() {
        let writer = ConcurrentWriter::claude_code(Path::new("/h/.claude.json"));
        let small = writer.settle_window(50_000);
        let large = writer.settle_window(50_000_000);
        assert!(small < large, "{small:?} {large:?}");
        assert_eq!(writer.settle_window(u64::MAX), Duration::from_secs(4));
    }

    /// Run by [`a_signal_while_the_lock_is_held_removes_it`] in a child
    /// process: takes the lock named by the environment and waits to be
    /// killed.
    #[cfg(unix)]
    #[test]
    #[ignore = "a child process of a_signal_while_the_lock_is_held_removes_it"]
    fn hold_the_lock_until_a_signal() {
        let Some(file) = std::env::var_os("MCPCTL_TEST_LOCK_FILE") else {
            return;
        };
        let _held = ConcurrentWriter::claude_code(Path::new(&file))
            .lock(Duration::ZERO)
            .unwrap();
        println!("held");
        std::thread::sleep(Duration::from_secs(60));
    }

    #[cfg(unix)]
    #[test]
    fn a_signal_while_the_lock_is_held_removes_it() {
        use std::io::BufRead;
        use std::os::unix::process::ExitStatusExt;
        for signal in [libc::SIGTERM, libc::SIGINT, libc::SIGHUP] {
            let dir = tempfile::tempdir().unwrap();
            let file = dir.path().join(".claude.json");
            let mut child = std::process::Command::new(std::env::current_exe().unwrap());
            child
                .args([
                    "--exact",
                    "concurrent_writer::tests::hold_the_lock_until_a_signal",
                    "--ignored",
                    "--nocapture",
                ])
                .env("MCPCTL_TEST_LOCK_FILE", &file)
                .stdout(std::process::Stdio::piped());
            // A test run started in the background by a non-interactive
            // shell inherits SIGINT ignored, and an ignored signal stays
            // ignored (the behaviour under test below): the child starts
            // with the default action, as a client's mcpctl does.
            // SAFETY: signal(2) is async-signal-safe; nothing else runs
            // between fork and exec.
            unsafe {
                std::os::unix::process::CommandExt::pre_exec(&mut child, move || {
                    libc::signal(signal, libc::SIG_DFL);
                    Ok(())
                });
            }
            let mut child = child.spawn().unwrap();
            let mut lines = std::io::BufReader::new(child.stdout.take().unwrap()).lines();
            assert!(
                lines.any(|line| line.unwrap().contains("held")),
                "the child never took the lock"
            );
            let lock = ConcurrentWriter::claude_code(&file).lock;
            assert!(lock.is_dir());
            // SAFETY: signals a child of this test.
            unsafe { libc::kill(child.id() as libc::pid_t, signal) };
            let status = child.wait().unwrap();
            assert_eq!(status.signal(), Some(signal), "ended by the signal itself");
            assert!(!lock.exists(), "signal {signal} left {}", lock.display());
        }
    }

    /// Run by [`an_ignored_signal_stays_ignored_while_locks_are_taken`]
    /// in a child process that ignores SIGINT: takes and releases the lock
    /// named by the environment over and over.
    #[cfg(unix)]
    #[test]
    #[ignore = "a child process of an_ignored_signal_stays_ignored_while_locks_are_taken"]
    fn take_the_lock_over_and_over() {
        let Some(file) = std::env::var_os("MCPCTL_TEST_LOCK_FILE") else {
            return;
        };
        let writer = ConcurrentWriter::claude_code(Path::new(&file));
        println!("started");
        let start = Instant::now();
        while start.elapsed() < Duration::from_secs(3) {
            drop(writer.lock(Duration::ZERO).unwrap());
        }
        println!("survived");
    }

    /// A background job's SIGINT is ignored (`SIG_IGN`, inherited): taking
    /// and releasing the lock must never let a SIGINT end mcpctl, not even
    /// for an instant.
    #[cfg(unix)]
    #[test]
    fn an_ignored_signal_stays_ignored_while_locks_are_taken() {
        use std::io::BufRead;
        use std::os::unix::process::{CommandExt, ExitStatusExt};
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join(".claude.json");
        let mut command = std::process::Command::new(std::env::current_exe().unwrap());
        command
            .args([
                "--exact",
                "concurrent_writer::tests::take_the_lock_over_and_over",
                "--ignored",
                "--nocapture",
            ])
            .env("MCPCTL_TEST_LOCK_FILE", &file)
            .stdout(std::process::Stdio::piped());
        // SAFETY: signal is async-signal-safe; the child ignores SIGINT as
        // a shell's background job does.
        unsafe {
            command.pre_exec(|| {
                libc::signal(libc::SIGINT, libc::SIG_IGN);
                Ok(())
            });
        }
        let mut child = command.spawn().unwrap();
        let mut lines = std::io::BufReader::new(child.stdout.take().unwrap()).lines();
        assert!(lines.any(|line| line.unwrap().contains("started")));
        let pid = child.id() as libc::pid_t;
        let flood = std::thread::spawn(move || {
            // SAFETY: signals a child of this test, until it is gone.
            while unsafe { libc::kill(pid, libc::SIGINT) } == 0 {
                std::thread::sleep(Duration::from_micros(5));
            }
        });
        let survived = lines.any(|line| line.is_ok_and(|line| line.contains("survived")));
        let status = child.wait().unwrap();
        flood.join().unwrap();
        assert!(
            survived && status.success(),
            "a SIGINT ended a process that ignores it: {status:?} (signal {:?})",
            status.signal()
        );
    }

    #[cfg(windows)]
    #[test]
    fn a_running_process_is_found_by_its_program_name() {
        let mut pinging = std::process::Command::new("ping")
            .args(["-n", "30", "127.0.0.1"])
            .stdout(std::process::Stdio::null())
            .spawn()
            .unwrap();
        let start = std::time::Instant::now();
        let mut found = false;
        while !found && start.elapsed() < Duration::from_secs(10) {
            found = running::any("ping");
            std::thread::sleep(Duration::from_millis(50));
        }
        pinging.kill().unwrap();
        pinging.wait().unwrap();
        assert!(found);
        assert!(!running::any("no-such-program-mcpctl"));
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn a_running_process_is_found_by_its_name() {
        let mut sleeper = std::process::Command::new("sleep")
            .arg("30")
            .spawn()
            .unwrap();
        let found = running::any("sleep");
        sleeper.kill().unwrap();
        sleeper.wait().unwrap();
        assert!(found);
        assert!(!running::any("no-such-program-mcpctl"));
    }
}
