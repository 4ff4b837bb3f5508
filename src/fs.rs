//! Crash-safe file replacement and the apply lock.
//!
//! A client file is never written in place: the new content goes to a
//! temporary file in the same directory, is fsynced, and is renamed over the
//! target, so a crash leaves either the old or the new version. When the
//! target is a symlink the file it points to is replaced (the link stays),
//! and an existing file keeps its permissions; files mcpctl creates are
//! private to the user (0600), since they reference secrets.

use std::fs::File;
use std::io::Write;
use std::path::{Path, PathBuf};

use fs_err as fs;

/// Reads a regular file whole. Anything else — a FIFO (whose read would
/// wait forever for a writer), a device, a directory — is an
/// `InvalidInput` error naming what it is, so bad input never hangs
/// mcpctl. On Unix the file is opened non-blocking and checked through the
/// open handle, so it cannot be swapped between the check and the read.
pub fn read_regular(path: &Path) -> std::io::Result<Vec<u8>> {
    use std::io::Read;
    let (mut file, meta) = open_regular(path)?;
    let mut bytes = Vec::with_capacity(usize::try_from(meta.len()).unwrap_or(0));
    file.read_to_end(&mut bytes)?;
    Ok(bytes)
}

/// Whether the regular file at `path` holds exactly `expected` (`None`:
/// that it does not exist). Compared in chunks, so checking a 50 MB file
/// right before replacing it does not hold it in memory a second time.
pub fn same_contents(path: &Path, expected: Option<&[u8]>) -> std::io::Result<bool> {
    use std::io::Read;
    let (mut file, meta) = match open_regular(path) {
        Ok(opened) => opened,
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => return Ok(expected.is_none()),
        Err(err) => return Err(err),
    };
    let Some(mut rest) = expected else {
        return Ok(false);
    };
    if meta.len() != rest.len() as u64 {
        return Ok(false);
    }
    let mut chunk = vec![0; 1 << 20];
    loop {
        let n = match file.read(&mut chunk) {
            Ok(n) => n,
            Err(err) if err.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(err) => return Err(err),
        };
        if n == 0 {
            return Ok(rest.is_empty());
        }
        match rest.split_at_checked(n) {
            Some((head, tail)) if head == &chunk[..n] => rest = tail,
            _ => return Ok(false),
        }
    }
}

/// Opens `path` for reading if it is a regular file (see [`read_regular`]).
fn open_regular(path: &Path) -> std::io::Result<(File, std::fs::Metadata)> {
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(libc::O_NONBLOCK);
    }
    let file = options.open(path)?;
    let meta = file.metadata()?;
    if !meta.is_file() {
        let kind = if meta.is_dir() {
            "a directory"
        } else {
            "not a regular file (a FIFO, socket or device)"
        };
        return Err(std::io::Error::new(
            std::io::ErrorKind::InvalidInput,
            format!("`{}` is {kind}", path.display()),
        ));
    }
    Ok((file, meta))
}

/// Replaces (or creates) `path` with `contents`, atomically.
pub fn write_atomic(path: &Path, contents: &[u8]) -> std::io::Result<()> {
    write_atomic_checked(path, contents, || Ok(true)).map(|_| ())
}

/// Like [`write_atomic`], but calls `still_current` after the new content
/// is safely on disk and right before the rename; when it answers `false`
/// (another program changed the file meanwhile) nothing is replaced, the
/// temporary file is removed, and `Ok(false)` is returned.
pub fn write_atomic_checked(
    path: &Path,
    contents: &[u8],
    still_current: impl FnOnce() -> std::io::Result<bool>,
) -> std::io::Result<bool> {
    let target = resolve_symlink(path)?;
    let dir = target
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    fs::create_dir_all(dir)?;
    let existing_permissions = std::fs::metadata(&target).ok().map(|m| m.permissions());
    let mut temp = tempfile::Builder::new()
        .prefix(&format!("{TEMP_PREFIX}{}-", std::process::id()))
        .suffix(TEMP_SUFFIX)
        .tempfile_in(dir)
        .map_err(|err| with_path(err, dir))?;
    temp.write_all(contents)
        .map_err(|err| with_path(err, temp.path()))?;
    match existing_permissions {
        Some(permissions) => std::fs::set_permissions(temp.path(), permissions)
            .map_err(|err| with_path(err, temp.path()))?,
        None => set_private(temp.path())?,
    }
    temp.as_file()
        .sync_all()
        .map_err(|err| with_path(err, temp.path()))?;
    if !still_current()? {
        return Ok(false);
    }
    temp.persist(&target)
        .map_err(|err| with_path(err.error, &target))?;
    sync_dir(dir);
    Ok(true)
}

/// Temporary files are `.mcpctl-<pid>-<random>.tmp`, beside their target.
const TEMP_PREFIX: &str = ".mcpctl-";
const TEMP_SUFFIX: &str = ".tmp";

/// Removes the temporary files a killed mcpctl left beside `path` (or in
/// `path`, when it is a directory): a SIGKILL or power loss between
/// creating the temporary file and renaming it leaves one behind. Only
/// files whose writer is gone are removed, so a concurrent mcpctl's
/// temporary file is never touched. Returns how many were removed.
pub fn remove_stale_temps(path: &Path) -> std::io::Result<usize> {
    let dir = if path.is_dir() {
        path.to_path_buf()
    } else {
        match resolve_symlink(path)?.parent() {
            Some(parent) if !parent.as_os_str().is_empty() => parent.to_path_buf(),
            _ => PathBuf::from("."),
        }
    };
    let entries = match std::fs::read_dir(&dir) {
        Ok(entries) => entries,
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => return Ok(0),
        Err(err) => return Err(with_path(err, &dir)),
    };
    let mut removed = 0;
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(middle) = name
            .to_str()
            .and_then(|n| n.strip_prefix(TEMP_PREFIX))
            .and_then(|n| n.strip_suffix(TEMP_SUFFIX))
        else {
            continue;
        };
        let writer = middle.split('-').next().and_then(|p| p.parse::<u32>().ok());
        let stale = match writer {
            Some(pid) => pid != std::process::id() && !process_alive(pid),
            // Written by an mcpctl that did not put its pid in the name.
            None => entry
                .metadata()
                .and_then(|m| m.modified())
                .is_ok_and(|t| t.elapsed().is_ok_and(|age| age.as_secs() > 3600)),
        };
        if stale && entry.file_type().is_ok_and(|t| t.is_file()) {
            match std::fs::remove_file(entry.path()) {
                Ok(()) => removed += 1,
                Err(err) if err.kind() == std::io::ErrorKind::NotFound => {}
                Err(err) => return Err(with_path(err, &entry.path())),
            }
        }
    }
    Ok(removed)
}

#[cfg(unix)]
fn process_alive(pid: u32) -> bool {
    let Ok(pid) = libc::pid_t::try_from(pid) else {
        return false;
    };
    // Signal 0 checks existence; EPERM means it exists under another user.
    // SAFETY: kill with signal 0 sends nothing.
    let result = unsafe { libc::kill(pid, 0) };
    result == 0 || std::io::Error::last_os_error().raw_os_error() == Some(libc::EPERM)
}

#[cfg(not(unix))]
fn process_alive(_pid: u32) -> bool {
    // No cheap check without more dependencies: assume alive, so only the
    // age rule above removes files (never a live writer's).
    true
}

/// The file a path finally names, following symlinks (which may dangle: a
/// link to a file that does not exist yet is written through).
fn resolve_symlink(path: &Path) -> std::io::Result<PathBuf> {
    let mut current = path.to_path_buf();
    for _ in 0..40 {
        match std::fs::symlink_metadata(&current) {
            Ok(meta) if meta.file_type().is_symlink() => {
                let link = fs::read_link(&current)?;
                current = match current.parent() {
                    Some(parent) if link.is_relative() => parent.join(link),
                    _ => link,
                };
            }
            _ => return Ok(current),
        }
    }
    Err(std::io::Error::other(format!(
        "too many levels of symbolic links at `{}`",
        path.display()
    )))
}

#[cfg(unix)]
fn set_private(path: &Path) -> std::io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600))
        .map_err(|err| with_path(err, path))
}

#[cfg(not(unix))]
fn set_private(_path: &Path) -> std::io::Result<()> {
    // New files inherit the per-user profile directory's ACL.
    Ok(())
}

#[cfg(unix)]
fn sync_dir(dir: &Path) {
    // Best effort: the rename is durable once the directory is synced.
    if let Ok(handle) = File::open(dir) {
        let _ = handle.sync_all();
    }
}

#[cfg(not(unix))]
fn sync_dir(_dir: &Path) {}

fn with_path(err: std::io::Error, path: &Path) -> std::io::Error {
    std::io::Error::new(err.kind(), format!("{err} (at `{}`)", path.display()))
}

/// Creates `dir` (and its parents) and makes `dir` itself private to the
/// user (0700 on Unix): mcpctl's state directory holds ownership records,
/// the audit trail and backups of client files.
pub fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    fs::create_dir_all(dir)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))
            .map_err(|err| with_path(err, dir))?;
    }
    Ok(())
}

/// An exclusive lock on a state directory, held until dropped.
pub struct DirLock {
    _file: File,
}

impl DirLock {
    /// Takes the lock, waiting for another holder; `on_wait` is called once
    /// if the lock is busy, so the user knows why nothing happens.
    pub fn acquire(dir: &Path, on_wait: impl FnOnce()) -> std::io::Result<DirLock> {
        create_private_dir(dir)?;
        let path = dir.join("lock");
        let file = fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)?
            .into_parts()
            .0;
        match file.try_lock() {
            Ok(()) => {}
            Err(std::fs::TryLockError::WouldBlock) => {
                on_wait();
                file.lock().map_err(|err| with_path(err, &path))?;
            }
            Err(std::fs::TryLockError::Error(err)) => return Err(with_path(err, &path)),
        }
        Ok(DirLock { _file: file })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replaces_through_symlinks_and_keeps_mode() {
        let dir = tempfile::tempdir().unwrap();
        let real = dir.path().join("real.json");
        fs::write(&real, "old").unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&real, std::fs::Permissions::from_mode(0o640)).unwrap();
            let link = dir.path().join("link.json");
            std::os::unix::fs::symlink("real.json", &link).unwrap();
            write_atomic(&link, b"new").unwrap();
            assert!(
                std::fs::symlink_metadata(&link)
                    .unwrap()
                    .file_type()
                    .is_symlink()
            );
            assert_eq!(fs::read_to_string(&real).unwrap(), "new");
            let mode = std::fs::metadata(&real).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode, 0o640);
        }
        let leftovers: Vec<_> = fs::read_dir(dir.path())
            .unwrap()
            .filter_map(Result::ok)
            .filter(|e| e.file_name().to_string_lossy().ends_with(".tmp"))
            .collect();
        assert!(leftovers.is_empty());
    }

    #[test]
    fn stale_temps_of_dead_writers_are_removed_and_live_ones_kept() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("config.json");
        fs::write(&target, "{}").unwrap();
        // A pid that is not running: a child that already exited.
        let dead = std::process::Command::new(std::env::current_exe().unwrap())
            .arg("--list")
            .stdout(std::process::Stdio::null())
            .spawn()
            .unwrap();
        let dead_pid = dead.id();
        let mut dead = dead;
        dead.wait().unwrap();
        let stale = dir.path().join(format!(".mcpctl-{dead_pid}-abc.tmp"));
        let live = dir
            .path()
            .join(format!(".mcpctl-{}-def.tmp", std::process::id()));
        let unrelated = dir.path().join(".other-1.tmp");
        for f in [&stale, &live, &unrelated] {
            fs::write(f, "x").unwrap();
        }
        #[cfg(unix)]
        {
            assert_eq!(remove_stale_temps(&target).unwrap(), 1);
            assert!(!stale.exists());
        }
        assert!(live.exists() && unrelated.exists() && target.exists());
    }

    #[cfg(unix)]
    #[test]
    fn a_fifo_is_refused_without_waiting_for_a_writer() {
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("fifo");
        let c = std::ffi::CString::new(fifo.to_str().unwrap()).unwrap();
        // SAFETY: a valid C string and mode.
        assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
        let err = read_regular(&fifo).unwrap_err();
        assert_eq!(err.kind(), std::io::ErrorKind::InvalidInput);
        assert!(err.to_string().contains("FIFO"), "{err}");
        let err = read_regular(dir.path()).unwrap_err();
        assert!(err.to_string().contains("directory"), "{err}");
    }

    #[cfg(unix)]
    #[test]
    fn new_files_are_private() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sub/new.json");
        write_atomic(&path, b"{}").unwrap();
        let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
    }
}
