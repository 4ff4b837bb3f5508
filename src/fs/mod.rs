//! Crash-safe file replacement, guarded reads, and the apply lock.
//!
//! A client file is never written in place: the new content goes to a
//! temporary file in the same directory, is fsynced, and is renamed over the
//! target, so a crash leaves either the old or the new version. When the
//! target is a symlink the file it points to is replaced (the link stays:
//! dotfile managers such as chezmoi and stow link client files into a
//! repository), and an existing file keeps its permissions and (where the
//! OS allows) its group; files mcpctl creates are private to the user
//! (0600), and so are directories it creates (0700), whatever the umask,
//! since they reference secrets.
//!
//! Files mcpctl may replace (client files, shell profiles) are read through
//! [`read_regular`], other input (the manifest, the personal profile)
//! through [`read_input`]. Both refuse what is not a regular file (a FIFO
//! would block forever) and files too large to be configuration, before
//! reading a byte.
//!
//! Ownership (Unix). The rename that replaces a file gives the new file to
//! whoever runs mcpctl, so two rules keep mcpctl from reaching or taking
//! another user's files:
//! - a symlink on the way to a file mcpctl reads or replaces is followed
//!   only when it belongs to the current user or root — as the kernel's
//!   `fs.protected_symlinks` does in shared directories — so a link planted
//!   by someone else cannot steer mcpctl into a place the manifest cannot
//!   name;
//! - an existing file is read and replaced only when it belongs to the
//!   current user (effective uid): `sudo mcpctl apply` with the user's HOME
//!   would otherwise silently turn `~/.claude.json` into root's file.
//!
//! A third rule holds for project-scope files, whose links arrive with a
//! repository and so belong to the user: such a file resolves only inside
//! its project ([`resolve_inside`]).
//!
//! These rules are checked when the file is *read*, not only when it is
//! written: `plan` then lists every such file next to the other unreadable
//! ones, and `apply` (which reads everything before it writes anything)
//! stops before the first write instead of leaving a half-applied change.
//! The write path checks again, since the file may change hands in between.

mod canonical;
mod temps;

pub use canonical::canonical;
use std::fs::File;
use std::io::Write;
use std::path::{Component, Path, PathBuf};
pub use temps::remove_stale_temps;
use temps::{TEMP_PREFIX, TEMP_SUFFIX};

use fs_err as fs;

/// The largest client file or shell profile mcpctl reads. Far above real
/// files (`~/.claude.json` reaches tens of MB for heavy users), low enough
/// that a runaway or hostile file is refused instead of exhausting memory.
pub const EDITED_FILE_LIMIT: u64 = 1 << 30;

/// The largest manifest or personal profile mcpctl reads: these are
/// hand-written KDL of a few kilobytes.
pub const MANIFEST_LIMIT: u64 = 16 << 20;

/// Reads a file mcpctl may replace — a client file or shell profile —
/// whole. Refuses, as an error naming the file and the fix: anything but a
/// regular file (`InvalidInput`: a FIFO, whose read would wait forever for
/// a writer, a device, a directory), a file over [`EDITED_FILE_LIMIT`]
/// (`FileTooLarge`), and on Unix a path through another user's symlink or
/// a file that is not the current user's (`PermissionDenied`; see the
/// module docs). The file is opened non-blocking and checked through the
/// open handle, so it cannot be swapped between the check and the read.
pub fn read_regular(path: &Path) -> std::io::Result<Vec<u8>> {
    read_regular_version(path).map(|(bytes, _)| bytes)
}

/// [`read_regular`], with the metadata of the version read (from the same
/// handle: a file replaced meanwhile cannot mix two versions).
pub fn read_regular_version(path: &Path) -> std::io::Result<(Vec<u8>, std::fs::Metadata)> {
    let target = resolve_symlink(path)?;
    let (file, meta) = open_regular(&target, true)?;
    check_file_owner(&target, &meta)?;
    let bytes = read_capped(file, &meta, &target, EDITED_FILE_LIMIT, EDITED_FILES)?;
    Ok((bytes, meta))
}

/// Reads input mcpctl never writes — the manifest, the personal profile —
/// whole, refusing non-regular files like [`read_regular`] and files over
/// `limit` bytes (`FileTooLarge`). Ownership is not checked: reading a
/// teammate's or a system-wide manifest takes nothing from its owner.
pub fn read_input(path: &Path, limit: u64) -> std::io::Result<Vec<u8>> {
    let (file, meta) = open_regular(path, false)?;
    read_capped(file, &meta, path, limit, "manifests and personal profiles")
}

/// Whether the regular file at `path` holds exactly `expected` (`None`:
/// that it does not exist). Compared in chunks, so checking a 50 MB file
/// right before replacing it does not hold it in memory a second time.
pub fn same_contents(path: &Path, expected: Option<&[u8]>) -> std::io::Result<bool> {
    use std::io::Read;
    let (mut file, meta) = match open_regular(path, false) {
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

const EDITED_FILES: &str = "client files and shell profiles";

/// Opens `path` for reading without blocking and checks through the handle
/// that it is a regular file. `no_follow`: `path` is already resolved, and
/// a symlink appearing there since is refused rather than followed.
fn open_regular(path: &Path, no_follow: bool) -> std::io::Result<(File, std::fs::Metadata)> {
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        let follow = if no_follow { libc::O_NOFOLLOW } else { 0 };
        options.custom_flags(libc::O_NONBLOCK | follow);
    }
    #[cfg(not(unix))]
    let _ = no_follow;
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

/// Reads an open regular file, refusing it when it is (or grows while being
/// read) over `limit` bytes; `what` names the kind of file in the error.
fn read_capped(
    file: File,
    meta: &std::fs::Metadata,
    path: &Path,
    limit: u64,
    what: &str,
) -> std::io::Result<Vec<u8>> {
    use std::io::Read;
    if meta.len() > limit {
        return Err(too_large(path, meta.len(), limit, what));
    }
    let mut bytes = Vec::with_capacity(usize::try_from(meta.len()).unwrap_or(0));
    file.take(limit + 1).read_to_end(&mut bytes)?;
    let read = u64::try_from(bytes.len()).unwrap_or(u64::MAX);
    if read > limit {
        return Err(too_large(path, read, limit, what));
    }
    Ok(bytes)
}

fn too_large(path: &Path, len: u64, limit: u64, what: &str) -> std::io::Error {
    std::io::Error::new(
        std::io::ErrorKind::FileTooLarge,
        format!(
            "`{}` is {len} bytes ({}), over mcpctl's limit of {} for {what}, so it was not read \
             and nothing was written; hint: check what made it this large, then trim it or move \
             it aside and run mcpctl again",
            path.display(),
            human_size(len),
            human_size(limit),
        ),
    )
}

/// `1.5 GiB`, `16 MiB`, `900 bytes`: sizes as people compare them.
fn human_size(bytes: u64) -> String {
    const UNITS: [(&str, u64); 3] = [("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)];
    for (unit, size) in UNITS {
        if bytes >= size {
            return if bytes.is_multiple_of(size) {
                format!("{} {unit}", bytes / size)
            } else {
                // One decimal is shown: f64's precision is plenty.
                format!("{:.1} {unit}", bytes as f64 / size as f64)
            };
        }
    }
    format!("{bytes} bytes")
}

/// Replaces (or creates) `path` with `contents`, atomically.
pub fn write_atomic(path: &Path, contents: &[u8]) -> std::io::Result<()> {
    write_atomic_checked(path, contents, |_| Ok(Some(()))).map(|_| ())
}

/// Like [`write_atomic`], but calls `still_current` with the file about to
/// be replaced (`path` with its symlinks resolved) after the new content
/// is safely on disk and right before the rename. When it answers `None`
/// (another program changed the file meanwhile) nothing is replaced, the
/// temporary file is removed, and `Ok(None)` is returned; otherwise what it
/// answers (a lock, say) is held until the rename is done, and the
/// metadata of the file as written is returned (taken before the rename,
/// so a later write by another program cannot pass for this one).
pub fn write_atomic_checked<Guard>(
    path: &Path,
    contents: &[u8],
    still_current: impl FnOnce(&Path) -> std::io::Result<Option<Guard>>,
) -> std::io::Result<Option<std::fs::Metadata>> {
    let target = resolve_symlink(path)?;
    let dir = target
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    create_dirs(dir)?;
    let existing = std::fs::metadata(&target).ok();
    if let Some(meta) = &existing {
        check_file_owner(&target, meta)?;
    }
    let existing_permissions = existing.as_ref().map(|m| m.permissions());
    let mut temp = tempfile::Builder::new()
        .prefix(&format!("{TEMP_PREFIX}{}-", std::process::id()))
        .suffix(TEMP_SUFFIX)
        .tempfile_in(dir)
        .map_err(|err| with_path(err, dir))?;
    temp.write_all(contents)
        .map_err(|err| with_path(err, temp.path()))?;
    #[cfg(unix)]
    if let Some(meta) = &existing {
        keep_group(temp.as_file(), meta);
    }
    match existing_permissions {
        Some(permissions) => std::fs::set_permissions(temp.path(), permissions)
            .map_err(|err| with_path(err, temp.path()))?,
        None => set_private(temp.path())?,
    }
    temp.as_file()
        .sync_all()
        .map_err(|err| with_path(err, temp.path()))?;
    let written = temp
        .as_file()
        .metadata()
        .map_err(|err| with_path(err, temp.path()))?;
    let Some(guard) = still_current(&target)? else {
        return Ok(None);
    };
    temp.persist(&target)
        .map_err(|err| with_path(err.error, &target))?;
    drop(guard);
    sync_dir(dir);
    Ok(Some(written))
}

/// The file a path finally names, every symlink on the way resolved (the
/// last may dangle: a link to a file that does not exist yet is written
/// through). Each link is checked before it is followed
/// ([`check_link_owner`]). Where a component cannot be examined (missing,
/// or in a directory we may not search) the rest is kept as written, and
/// opening it reports the actual problem.
pub(crate) fn resolve_symlink(path: &Path) -> std::io::Result<PathBuf> {
    // Components still to walk, the next one last.
    let mut todo: Vec<PathBuf> = reversed_components(path);
    let mut resolved = PathBuf::new();
    let mut links = 0;
    while let Some(part) = todo.pop() {
        match part.components().next() {
            Some(Component::Normal(_)) => {}
            Some(Component::CurDir) | None => continue,
            Some(Component::ParentDir) => {
                // `resolved` holds no symlinks, so `..` is its parent.
                if resolved.file_name().is_some() {
                    resolved.pop();
                } else if !resolved.has_root() {
                    resolved.push("..");
                }
                continue;
            }
            Some(Component::Prefix(_) | Component::RootDir) => {
                resolved.push(&part);
                continue;
            }
        }
        let candidate = resolved.join(&part);
        match std::fs::symlink_metadata(&candidate) {
            Ok(meta) if meta.file_type().is_symlink() => {
                links += 1;
                if links > 40 {
                    return Err(std::io::Error::other(format!(
                        "too many levels of symbolic links at `{}`",
                        path.display()
                    )));
                }
                check_link_owner(&candidate, &meta)?;
                let link = fs::read_link(&candidate)?;
                if link.has_root() {
                    resolved = PathBuf::new();
                }
                todo.extend(reversed_components(&link));
            }
            Ok(_) => resolved = candidate,
            Err(_) => {
                resolved = candidate;
                resolved.extend(todo.drain(..).rev());
                break;
            }
        }
    }
    Ok(resolved)
}

/// A project-scope file's path resolved like [`resolve_symlink`], refused
/// when it — or any directory on the way to it below `root` — resolves
/// outside `root` (the project, the manifest's directory; its own links
/// are followed). Git checks out a committed symlink as the user's own, so
/// the ownership rule lets it through: without this a branch could commit
/// `.mcp.json -> ../.bashrc.d/mcp.sh` and have apply write server entries
/// into a file the shell sources, or have `plan` read any file. `path`
/// must lie below `root` as written (the adapters join it to the root).
pub fn resolve_inside(path: &Path, root: &Path) -> std::io::Result<PathBuf> {
    let real_root = resolve_symlink(root)?;
    let relative = path.strip_prefix(root).map_err(|_| {
        std::io::Error::new(
            std::io::ErrorKind::InvalidInput,
            format!(
                "`{}` is not inside the project `{}`",
                path.display(),
                root.display()
            ),
        )
    })?;
    let mut nominal = root.to_path_buf();
    for component in relative.components() {
        nominal.push(component);
        let resolved = resolve_symlink(&nominal)?;
        if !resolved.starts_with(&real_root) {
            return Err(std::io::Error::new(
                std::io::ErrorKind::PermissionDenied,
                format!(
                    "`{nominal}` resolves to `{resolved}`, outside the project `{root}`; a \
                     project file is read and written only inside its project (a symbolic link \
                     committed to the repository could otherwise send mcpctl's entries into any \
                     file you can write), so nothing was read or written through it; hint: \
                     remove the link (`rm '{nominal}'`) or make it point inside the project, then \
                     run mcpctl again",
                    nominal = nominal.display(),
                    resolved = resolved.display(),
                    root = real_root.display(),
                ),
            ));
        }
    }
    resolve_symlink(path)
}

fn reversed_components(path: &Path) -> Vec<PathBuf> {
    path.components()
        .rev()
        .map(|c| PathBuf::from(c.as_os_str()))
        .collect()
}

/// The effective uid mcpctl runs as: the owner of every file it replaces.
#[cfg(unix)]
fn current_uid() -> u32 {
    // SAFETY: geteuid has no preconditions and cannot fail.
    unsafe { libc::geteuid() }
}

/// A symlink is followed only when it belongs to the current user or root.
#[cfg(unix)]
fn check_link_owner(link: &Path, meta: &std::fs::Metadata) -> std::io::Result<()> {
    use std::os::unix::fs::MetadataExt;
    let (owner, me) = (meta.uid(), current_uid());
    if owner == me || owner == 0 {
        return Ok(());
    }
    Err(std::io::Error::new(
        std::io::ErrorKind::PermissionDenied,
        format!(
            "`{link}` is a symbolic link owned by uid {owner}, neither you (uid {me}) nor root; \
             mcpctl does not follow another user's links (like the kernel's \
             fs.protected_symlinks), so nothing was read or written through it; hint: if you \
             made this link, take it back with `sudo chown -h {me} '{link}'`, otherwise remove \
             it and run mcpctl again",
            link = link.display(),
        ),
    ))
}

#[cfg(not(unix))]
fn check_link_owner(_link: &Path, _meta: &std::fs::Metadata) -> std::io::Result<()> {
    Ok(())
}

/// An existing file is read or replaced only when it is the current user's:
/// replacing it (a rename) would hand it to the current user.
#[cfg(unix)]
fn check_file_owner(path: &Path, meta: &std::fs::Metadata) -> std::io::Result<()> {
    use std::os::unix::fs::MetadataExt;
    let (owner, me) = (meta.uid(), current_uid());
    if owner == me {
        return Ok(());
    }
    Err(std::io::Error::new(
        std::io::ErrorKind::PermissionDenied,
        format!(
            "`{file}` belongs to uid {owner}, but mcpctl runs as uid {me}; replacing it would \
             make it uid {me}'s file, so mcpctl neither reads nor writes it; hint: run mcpctl as \
             the file's owner (uid {owner}; e.g. without sudo), or if the file should be yours, \
             `sudo chown {me} '{file}'`",
            file = path.display(),
        ),
    ))
}

#[cfg(not(unix))]
fn check_file_owner(_path: &Path, _meta: &std::fs::Metadata) -> std::io::Result<()> {
    Ok(())
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

/// Gives the new version of a file the old one's group. Best effort: a
/// user may only choose a group they belong to. Before the mode is set,
/// since a change of group can clear the setgid bit.
#[cfg(unix)]
fn keep_group(file: &File, old: &std::fs::Metadata) {
    use std::os::unix::fs::MetadataExt;
    if file.metadata().is_ok_and(|new| new.gid() != old.gid()) {
        let _ = std::os::unix::fs::fchown(file, None, Some(old.gid()));
    }
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
    create_dirs(dir)?;
    set_private_dir(dir)
}

/// Creates `dir` and its missing parents, each private to the user (0700
/// on Unix) whatever the umask: under `umask 000` a plain
/// `create_dir_all` makes `~/.codex` or `~/.config/systemd/user` writable
/// by everyone. Directories that exist are left as they are.
pub fn create_dirs(dir: &Path) -> std::io::Result<()> {
    let mut missing = Vec::new();
    let mut next = Some(dir);
    while let Some(path) = next.filter(|p| !p.as_os_str().is_empty()) {
        if std::fs::metadata(path).is_ok() {
            break;
        }
        missing.push(path);
        next = path.parent();
    }
    for path in missing.into_iter().rev() {
        match std::fs::create_dir(path) {
            Ok(()) => set_private_dir(path)?,
            // Another process made it meanwhile.
            Err(err) if err.kind() == std::io::ErrorKind::AlreadyExists && path.is_dir() => {}
            Err(err) => return Err(with_path(err, path)),
        }
    }
    Ok(())
}

#[cfg(unix)]
fn set_private_dir(dir: &Path) -> std::io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))
        .map_err(|err| with_path(err, dir))
}

#[cfg(not(unix))]
fn set_private_dir(_dir: &Path) -> std::io::Result<()> {
    // New directories inherit the per-user profile directory's ACL.
    Ok(())
}

/// Opens (creating it if need be) a file of mcpctl's own that is appended
/// to or locked, never replaced — the audit trail, a lock — private to
/// the user (0600 on Unix) whatever the umask.
pub fn open_private(path: &Path, options: &mut fs::OpenOptions) -> std::io::Result<File> {
    #[cfg(unix)]
    fs_err::os::unix::fs::OpenOptionsExt::mode(options, 0o600);
    Ok(options.open(path)?.into_parts().0)
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
        let file = open_private(
            &path,
            fs::OpenOptions::new()
                .create(true)
                .truncate(false)
                .write(true),
        )?;
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

    #[test]
    fn files_over_the_limit_are_refused_before_reading() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("mcpctl.kdl");
        fs::write(&path, "12345").unwrap();
        let err = read_input(&path, 4).unwrap_err();
        assert_eq!(err.kind(), std::io::ErrorKind::FileTooLarge);
        assert!(err.to_string().contains("is 5 bytes"), "{err}");
        assert!(err.to_string().contains("limit of 4 bytes"), "{err}");
        assert_eq!(read_input(&path, 5).unwrap(), b"12345");
        assert_eq!(human_size(16 << 20), "16 MiB");
        assert_eq!(human_size((1 << 30) + (1 << 29)), "1.5 GiB");
    }

    #[cfg(unix)]
    #[test]
    fn resolves_links_anywhere_on_the_path_as_the_kernel_does() {
        let dir = tempfile::tempdir().unwrap();
        // Physical, so that a linked temp dir (macOS `/var`) compares equal.
        let root = &dir.path().canonicalize().unwrap();
        fs::create_dir_all(root.join("real/sub")).unwrap();
        std::os::unix::fs::symlink("real/sub", root.join("dirlink")).unwrap();
        std::os::unix::fs::symlink(root.join("dirlink/f.json"), root.join("abs")).unwrap();
        std::os::unix::fs::symlink("abs", root.join("chain")).unwrap();
        // `..` after a directory link is the link target's parent.
        assert_eq!(
            resolve_symlink(&root.join("dirlink/../x.json")).unwrap(),
            root.join("real/x.json")
        );
        // Absolute and relative links, chained, to a file not created yet.
        assert_eq!(
            resolve_symlink(&root.join("chain")).unwrap(),
            root.join("real/sub/f.json")
        );
        assert_eq!(
            resolve_symlink(&root.join("missing/a.json")).unwrap(),
            root.join("missing/a.json")
        );
        write_atomic(&root.join("chain"), b"{}").unwrap();
        assert_eq!(fs::read(root.join("real/sub/f.json")).unwrap(), b"{}");
        assert!(
            std::fs::symlink_metadata(root.join("chain"))
                .unwrap()
                .file_type()
                .is_symlink()
        );
    }

    #[cfg(unix)]
    #[test]
    fn project_files_resolve_only_inside_the_project() {
        let dir = tempfile::tempdir().unwrap();
        let base = &dir.path().canonicalize().unwrap();
        let repo = base.join("repo");
        fs::create_dir_all(repo.join("config")).unwrap();
        fs::create_dir_all(base.join("elsewhere")).unwrap();
        let link =
            |target: &str, at: &str| std::os::unix::fs::symlink(target, repo.join(at)).unwrap();
        link("../outside/mcp.sh", ".mcp.json");
        link("../elsewhere", ".vscode");
        link("config/cursor.json", "inside.json");
        // A sibling whose name starts with the project's is outside.
        fs::create_dir_all(base.join("repo-evil")).unwrap();
        link("../repo-evil/mcp.json", "sibling.json");

        let refused = |nominal: &str, resolved: PathBuf| {
            let err = resolve_inside(&repo.join(nominal), &repo).unwrap_err();
            assert_eq!(err.kind(), std::io::ErrorKind::PermissionDenied);
            let message = err.to_string();
            assert!(
                message.contains(&format!("resolves to `{}`", resolved.display())),
                "{message}"
            );
            assert!(message.contains("hint: remove the link"), "{message}");
        };
        refused(".mcp.json", base.join("outside/mcp.sh"));
        refused(".vscode/mcp.json", base.join("elsewhere"));
        refused("sibling.json", base.join("repo-evil/mcp.json"));
        assert_eq!(
            resolve_inside(&repo.join("inside.json"), &repo).unwrap(),
            repo.join("config/cursor.json")
        );
        assert_eq!(
            resolve_inside(&repo.join(".gemini/settings.json"), &repo).unwrap(),
            repo.join(".gemini/settings.json")
        );
        // The project's own directory may be reached through a link.
        std::os::unix::fs::symlink(&repo, base.join("repo-link")).unwrap();
        let linked = base.join("repo-link");
        assert_eq!(
            resolve_inside(&linked.join("inside.json"), &linked).unwrap(),
            repo.join("config/cursor.json")
        );
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
