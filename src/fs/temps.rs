//! The temporary files of writers that died: a SIGKILL or a power loss
//! between creating `.mcpctl-<pid>-<random>.tmp` and renaming it over its
//! target leaves one behind, which the next writer of that directory
//! removes — never one whose writer still runs.

use std::path::{Path, PathBuf};

use super::{resolve_symlink, with_path};

/// Temporary files are `.mcpctl-<pid>-<random>.tmp`, beside their target.
pub(super) const TEMP_PREFIX: &str = ".mcpctl-";
pub(super) const TEMP_SUFFIX: &str = ".tmp";

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
