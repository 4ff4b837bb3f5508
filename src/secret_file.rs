//! File credentials handed to a server as a path that only the user can
//! read, and that never outlives the supervisor holding it.
//!
//! Tools such as kubectl or Google's client libraries take a *path*
//! (`KUBECONFIG`, `GOOGLE_APPLICATION_CREDENTIALS`), not a value. `exec`
//! gives them one of two kinds, both held by [`SecretFiles`]:
//!
//! - Linux: an anonymous memory file (`memfd_create`), named to the server
//!   as `/proc/<supervisor pid>/fd/<fd>`. Nothing is ever on disk, so not
//!   even a SIGKILL of the supervisor can leave the value behind: the
//!   kernel frees the memory with the supervisor's last descriptor. The
//!   path goes through the supervisor's pid rather than `/proc/self` so
//!   that programs the server starts (kubectl run by a Python server that
//!   closes inherited descriptors) can open it too. The file is not
//!   sealed: a tool that writes its config back (kubectl switching
//!   context) writes into memory that disappears with the server.
//! - elsewhere (and on a Linux without memfd or `/proc`): a `0600` file in
//!   a fresh `0700` directory `mcpctl-file-*`, under `$XDG_RUNTIME_DIR` (a
//!   per-user tmpfs) when there is one, else the temp directory, removed
//!   when the server exits. A SIGKILL or power loss skips that removal, so
//!   the directory holds a `.lock` file the live supervisor keeps locked,
//!   and every mcpctl start [`sweep`]s the directories whose lock can be
//!   taken: their supervisor is gone (a lock, unlike a pid, cannot be
//!   reused by another process).

use std::fs::File;
use std::io::Write;
use std::path::{Path, PathBuf};

use crate::store::Secret;

/// Directories of on-disk secret files start with this.
const DIR_PREFIX: &str = "mcpctl-file-";
/// The lock a live supervisor holds inside its directory.
const LOCK: &str = ".lock";
/// The lock before it is locked: a sweeper only looks at [`LOCK`], so it
/// never sees a lock its supervisor has not taken yet.
const LOCK_STAGING: &str = ".lock.new";

/// The secret files of one server; dropping it removes them all.
#[derive(Default)]
pub struct SecretFiles {
    /// Linux: the memory files, kept open as long as the server runs.
    #[cfg(target_os = "linux")]
    memory: Vec<File>,
    /// The private directory, made for the first file that needs one.
    disk: Option<DiskDir>,
}

impl SecretFiles {
    pub fn new() -> SecretFiles {
        SecretFiles::default()
    }

    /// Holds `secret` for the variable `var` and returns the path to give
    /// the server. `runtime_dir` is `$XDG_RUNTIME_DIR`, when set.
    pub fn add(
        &mut self,
        secret: &Secret,
        var: &str,
        runtime_dir: Option<&Path>,
    ) -> std::io::Result<PathBuf> {
        #[cfg(target_os = "linux")]
        if let Some((file, path)) = memory_file(secret, var) {
            self.memory.push(file);
            return Ok(path);
        }
        let disk = match &mut self.disk {
            Some(disk) => disk,
            None => self
                .disk
                .insert(DiskDir::create(&base_dirs(runtime_dir)[0])?),
        };
        disk.write(secret, var)
    }
}

impl std::fmt::Debug for SecretFiles {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let dir = self
            .disk
            .as_ref()
            .map(|d| d.dir.path().display().to_string());
        write!(f, "SecretFiles({dir:?})")
    }
}

/// Linux: `secret` in a memory file, or `None` when the kernel has no
/// memfd (before 3.17, or a sandbox forbids it) or `/proc` is not mounted.
#[cfg(target_os = "linux")]
fn memory_file(secret: &Secret, var: &str) -> Option<(File, PathBuf)> {
    use std::os::fd::{AsRawFd, FromRawFd};
    use std::os::unix::fs::PermissionsExt;
    if !Path::new("/proc/self/fd").is_dir() {
        return None;
    }
    // The name only shows in /proc/<pid>/fd listings, for whoever debugs.
    let name = std::ffi::CString::new(format!("mcpctl-{var}")).ok()?;
    // SAFETY: a valid C string; the returned descriptor is checked and
    // then owned by the File.
    let fd = unsafe { libc::memfd_create(name.as_ptr(), libc::MFD_CLOEXEC) };
    if fd < 0 {
        return None;
    }
    // SAFETY: `fd` is a new descriptor nothing else owns.
    let mut file = unsafe { File::from_raw_fd(fd) };
    // A memfd starts with mode 0777; the server sees what a file would.
    file.set_permissions(std::fs::Permissions::from_mode(0o600))
        .ok()?;
    file.write_all(secret.expose().as_bytes()).ok()?;
    let path = PathBuf::from(format!(
        "/proc/{}/fd/{}",
        std::process::id(),
        file.as_raw_fd()
    ));
    Some((file, path))
}

/// Where on-disk secret files go, preferred first: `$XDG_RUNTIME_DIR`
/// when it is a directory, and the temp directory.
fn base_dirs(runtime_dir: Option<&Path>) -> Vec<PathBuf> {
    let mut dirs: Vec<PathBuf> = runtime_dir
        .filter(|dir| dir.is_absolute() && dir.is_dir())
        .map(Path::to_path_buf)
        .into_iter()
        .collect();
    let temp = std::env::temp_dir();
    if !dirs.contains(&temp) {
        dirs.push(temp);
    }
    dirs
}

/// A private directory of secret files, locked while its supervisor lives.
struct DiskDir {
    // Fields drop in order: the lock is released, then the directory
    // removed (Windows cannot remove a file that is still open).
    _lock: File,
    dir: tempfile::TempDir,
}

impl DiskDir {
    fn create(base: &Path) -> std::io::Result<DiskDir> {
        // On Windows the per-user %TEMP% is already private to the user.
        let mut builder = tempfile::Builder::new();
        builder.prefix(DIR_PREFIX);
        #[cfg(unix)]
        builder.permissions(std::os::unix::fs::PermissionsExt::from_mode(0o700));
        let dir = builder.tempdir_in(base)?;
        let staging = dir.path().join(LOCK_STAGING);
        let lock = private_file(&staging)?;
        lock.try_lock().map_err(std::io::Error::from)?;
        std::fs::rename(&staging, dir.path().join(LOCK))?;
        Ok(DiskDir { _lock: lock, dir })
    }

    fn write(&self, secret: &Secret, var: &str) -> std::io::Result<PathBuf> {
        let path = self.dir.path().join(var);
        let mut file = private_file(&path)?;
        file.write_all(secret.expose().as_bytes())?;
        file.sync_all()?;
        Ok(path)
    }
}

/// A new file only the user can read or write (`0600` on Unix).
fn private_file(path: &Path) -> std::io::Result<File> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options.open(path)
}

/// Removes the secret-file directories whose supervisor is gone (killed
/// before it could clean up), in `$XDG_RUNTIME_DIR` and the temp
/// directory; a live supervisor's directory is left alone. Returns how
/// many were removed. Best effort: a directory that cannot be read or
/// removed is skipped, and mcpctl goes on.
pub fn sweep(runtime_dir: Option<&Path>) -> usize {
    sweep_in(&base_dirs(runtime_dir))
}

fn sweep_in(bases: &[PathBuf]) -> usize {
    bases
        .iter()
        .filter_map(|base| std::fs::read_dir(base).ok())
        .flat_map(|entries| entries.flatten())
        .filter(|entry| {
            entry
                .file_name()
                .to_str()
                .is_some_and(|name| name.starts_with(DIR_PREFIX))
        })
        .filter(|entry| abandoned(&entry.path()))
        .filter(|entry| std::fs::remove_dir_all(entry.path()).is_ok())
        .count()
}

/// Whether `dir` is one of the user's own secret-file directories whose
/// lock can be taken. Symlinks, other users' directories and directories
/// without a lock (still being set up) are never abandoned.
fn abandoned(dir: &Path) -> bool {
    let Ok(meta) = std::fs::symlink_metadata(dir) else {
        return false;
    };
    if !meta.is_dir() || !owned_by_me(&meta) {
        return false;
    }
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::custom_flags(&mut options, libc::O_NOFOLLOW);
    let Ok(lock) = options.open(dir.join(LOCK)) else {
        return false;
    };
    // Released when `lock` drops, before the directory is removed.
    lock.try_lock().is_ok()
}

#[cfg(unix)]
fn owned_by_me(meta: &std::fs::Metadata) -> bool {
    use std::os::unix::fs::MetadataExt;
    // SAFETY: geteuid has no preconditions.
    meta.uid() == unsafe { libc::geteuid() }
}

/// Windows: %TEMP% is per user.
#[cfg(not(unix))]
fn owned_by_me(_meta: &std::fs::Metadata) -> bool {
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kubeconfig() -> Secret {
        Secret::new("apiVersion: v1\n".into())
    }

    #[cfg(unix)]
    fn mode(path: &Path) -> u32 {
        use std::os::unix::fs::PermissionsExt;
        fs_err::metadata(path).unwrap().permissions().mode() & 0o777
    }

    #[test]
    fn readable_while_held_and_gone_after() {
        let runtime = tempfile::tempdir().unwrap();
        let mut files = SecretFiles::new();
        let path = files
            .add(&kubeconfig(), "KUBECONFIG", Some(runtime.path()))
            .unwrap();
        assert_eq!(fs_err::read_to_string(&path).unwrap(), "apiVersion: v1\n");
        #[cfg(unix)]
        assert_eq!(mode(&path), 0o600);
        #[cfg(target_os = "linux")]
        assert!(path.starts_with(format!("/proc/{}/fd", std::process::id())));
        #[cfg(not(target_os = "linux"))]
        assert!(path.starts_with(runtime.path()));
        drop(files);
        assert!(!path.exists());
        assert_eq!(fs_err::read_dir(runtime.path()).unwrap().count(), 0);
    }

    #[test]
    fn on_disk_files_are_private_locked_and_removed() {
        let runtime = tempfile::tempdir().unwrap();
        let disk = DiskDir::create(runtime.path()).unwrap();
        let path = disk.write(&kubeconfig(), "KUBECONFIG").unwrap();
        let dir = path.parent().unwrap().to_path_buf();
        assert!(dir.starts_with(runtime.path()));
        assert_eq!(fs_err::read_to_string(&path).unwrap(), "apiVersion: v1\n");
        #[cfg(unix)]
        {
            assert_eq!(mode(&path), 0o600);
            assert_eq!(mode(&dir), 0o700);
        }
        assert!(!abandoned(&dir), "a live supervisor's directory is kept");
        assert_eq!(sweep_in(&[runtime.path().to_path_buf()]), 0);
        drop(disk);
        assert!(!dir.exists());
    }

    #[test]
    fn a_dead_supervisors_directory_is_swept() {
        let runtime = tempfile::tempdir().unwrap();
        let disk = DiskDir::create(runtime.path()).unwrap();
        let path = disk.write(&kubeconfig(), "KUBECONFIG").unwrap();
        let dir = path.parent().unwrap().to_path_buf();
        // A killed supervisor: its lock is released, its files stay.
        let DiskDir {
            _lock: lock,
            dir: temp,
        } = disk;
        drop(lock);
        let _ = temp.keep();
        let unlocked = runtime.path().join(format!("{DIR_PREFIX}setting-up"));
        fs_err::create_dir(&unlocked).unwrap();
        let other = runtime.path().join("mcpctl-something-else");
        fs_err::create_dir(&other).unwrap();
        fs_err::write(other.join(LOCK), "").unwrap();
        assert_eq!(sweep_in(&[runtime.path().to_path_buf()]), 1);
        assert!(!dir.exists());
        assert!(unlocked.exists(), "no lock yet: being set up");
        assert!(other.exists(), "not a secret-file directory");
    }
}
