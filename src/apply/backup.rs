//! Backups of the files an apply replaces, and rolling an apply back.
//!
//! Each apply that changes files gets a directory
//! `backups/<time>/` in the state directory holding the previous version of
//! every file it replaced and an `index.json` mapping them back to their
//! paths, with the fingerprint of what the apply wrote (so `mcpctl
//! rollback` can tell a file edited since from one it may restore) or
//! that the file did not exist before (rollback removes it). Only the
//! newest [`KEEP`] applies are kept: `~/.claude.json` can be tens of MB.
//! The backups are private (0700/0600): they are copies of the user's own
//! files, which may still hold plaintext secrets.

use std::cell::{Cell, RefCell};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

/// How many applies' backups are kept.
pub const KEEP: usize = 5;

/// The marker a rolled-back apply's directory gets, so the next rollback
/// goes one apply further back.
const ROLLED_BACK: &str = "rolled-back";
const INDEX: &str = "index.json";

pub struct Backups {
    root: PathBuf,
    dir: PathBuf,
    index: RefCell<Vec<BackupEntry>>,
    /// Previous versions kept as hard links (original, copy), not yet
    /// proven to hold what is replaced: [`Backups::still_current`] does.
    links: RefCell<Vec<(PathBuf, PathBuf)>>,
    /// How many copies were kept (their names are numbered).
    kept: Cell<usize>,
    /// `false`: keep nothing (`mcpctl import`: the replaced versions hold
    /// exactly the plaintext secrets it removes).
    enabled: bool,
}

/// One file an apply replaced.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BackupEntry {
    pub original: PathBuf,
    /// The copy of the previous version in the backup directory; `None`:
    /// the apply created the file.
    pub copy: Option<String>,
    /// Fingerprint of what the apply wrote; `None` when the write did not
    /// happen (or for backups older than this field).
    #[serde(default)]
    pub written: Option<String>,
    /// The file the apply wrote, `original` with its links resolved:
    /// `rollback` restores only into that file, never into one a link
    /// made since leads to. `None` for backups older than this field.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resolved: Option<PathBuf>,
}

impl Backups {
    /// The backup of an apply at `now` (its directory is named after it).
    pub fn start(state_dir: &Path, now: jiff::Timestamp) -> Result<Backups, BackupError> {
        let root = state_dir.join("backups");
        // Temporary files of a killed apply's backups (best effort).
        if let Ok(dirs) = std::fs::read_dir(&root) {
            for dir in dirs.flatten() {
                let _ = crate::fs::remove_stale_temps(&dir.path());
            }
        }
        let stamp = now.strftime("%Y%m%dT%H%M%S%.6fZ").to_string();
        // Another apply at the very same time (a fixed clock in tests; a
        // clock set back) gets a directory of its own, sorting after.
        let mut dir = root.join(&stamp);
        let mut again = 1;
        while dir.exists() {
            again += 1;
            dir = root.join(format!("{stamp}-{again:04}"));
        }
        Ok(Backups {
            dir,
            root,
            index: RefCell::new(Vec::new()),
            links: RefCell::new(Vec::new()),
            kept: Cell::new(0),
            enabled: true,
        })
    }

    /// Backups that keep nothing.
    pub fn disabled(state_dir: &Path, now: jiff::Timestamp) -> Result<Backups, BackupError> {
        let mut backups = Backups::start(state_dir, now)?;
        backups.enabled = false;
        Ok(backups)
    }

    /// Keeps `contents`, the version of `original` about to be replaced
    /// (`None`: it does not exist yet). Called again for the same file
    /// (another program changed it and apply tries again), it keeps what
    /// is replaced now instead.
    pub fn save(&self, original: &Path, contents: Option<&[u8]>) -> Result<(), BackupError> {
        if !self.enabled {
            return Ok(());
        }
        let mut index = self.index.borrow_mut();
        let at = match index.iter().position(|e| e.original == original) {
            Some(at) => {
                self.drop_copy(&index[at])?;
                at
            }
            None => {
                index.push(BackupEntry {
                    original: original.to_path_buf(),
                    copy: None,
                    written: None,
                    resolved: None,
                });
                index.len() - 1
            }
        };
        create_private_dir(&self.dir)?;
        index[at].copy = contents
            .map(|contents| self.keep(original, contents))
            .transpose()?;
        self.write_index(&index)
    }

    /// Keeps `contents` of `original` under a new name: a hard link to the
    /// file when possible (proven later by [`Backups::still_current`]).
    fn keep(&self, original: &Path, contents: &[u8]) -> Result<String, BackupError> {
        let name = original
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "file".to_owned());
        let number = self.kept.get() + 1;
        self.kept.set(number);
        let copy = format!("{number}-{name}");
        let path = self.dir.join(&copy);
        if link(original, &path) {
            self.links.borrow_mut().push((original.to_path_buf(), path));
        } else {
            crate::fs::write_atomic(&path, contents)
                .map_err(|source| BackupError::Io { path, source })?;
        }
        Ok(copy)
    }

    /// Removes the kept copy of `entry`, if any, and forgets its link.
    fn drop_copy(&self, entry: &BackupEntry) -> Result<(), BackupError> {
        self.links
            .borrow_mut()
            .retain(|(o, _)| o != &entry.original);
        let Some(copy) = &entry.copy else {
            return Ok(());
        };
        let path = self.dir.join(copy);
        match std::fs::remove_file(&path) {
            Ok(()) => Ok(()),
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => Ok(()),
            Err(source) => Err(BackupError::Io { path, source }),
        }
    }

    /// Forgets `original`: apply stopped before replacing it, so there is
    /// nothing to roll back to, and a hard link to the live file must not
    /// stay behind looking like a backup.
    pub fn abandon(&self, original: &Path) -> Result<(), BackupError> {
        let mut index = self.index.borrow_mut();
        let Some(at) = index.iter().position(|e| e.original == original) else {
            return Ok(());
        };
        let entry = index.remove(at);
        self.drop_copy(&entry)?;
        if !index.is_empty() {
            return self.write_index(&index);
        }
        match std::fs::remove_dir_all(&self.dir) {
            Ok(()) => Ok(()),
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => Ok(()),
            Err(source) => Err(BackupError::Io {
                path: self.dir.clone(),
                source,
            }),
        }
    }

    /// Whether `original` — the file `target`, its symlinks resolved —
    /// still holds `contents` (`None`: does not exist), right before it is
    /// replaced, and that its kept previous version holds them too. When the backup is a hard link to the very file,
    /// one chunked read proves both. When the file was replaced since the
    /// link was made, a copy of `contents` takes the link's place first, so
    /// the comparison of the file stays the last step before the rename.
    pub fn still_current(
        &self,
        original: &Path,
        target: &Path,
        contents: Option<&[u8]>,
    ) -> std::io::Result<bool> {
        let link = self
            .links
            .borrow()
            .iter()
            .find(|(o, _)| o == original)
            .map(|(_, copy)| copy.clone());
        let (Some(copy), Some(contents)) = (link, contents) else {
            return crate::fs::same_contents(target, contents);
        };
        if same_file(target, &copy).unwrap_or(false) {
            return crate::fs::same_contents(&copy, Some(contents));
        }
        // Removed first, so the copy is created private (0600) rather than
        // inheriting the linked file's mode.
        std::fs::remove_file(&copy)?;
        crate::fs::write_atomic(&copy, contents)?;
        self.links.borrow_mut().retain(|(o, _)| o != original);
        crate::fs::same_contents(target, Some(contents))
    }

    /// Records the fingerprint of what was written to `original`, after
    /// the write.
    pub fn wrote(&self, original: &Path, fingerprint: String) -> Result<(), BackupError> {
        if !self.enabled {
            return Ok(());
        }
        let mut index = self.index.borrow_mut();
        if let Some(entry) = index.iter_mut().find(|e| e.original == original) {
            entry.written = Some(fingerprint);
            entry.resolved = crate::fs::resolve_symlink(original).ok();
        }
        self.write_index(&index)
    }

    fn write_index(&self, index: &[BackupEntry]) -> Result<(), BackupError> {
        let text = serde_json::to_string_pretty(index).expect("index serializes");
        let index_path = self.dir.join(INDEX);
        crate::fs::write_atomic(&index_path, text.as_bytes()).map_err(|source| BackupError::Io {
            path: index_path,
            source,
        })
    }

    /// Prunes old backup directories, keeping the newest [`KEEP`]. Returns
    /// this apply's directory when it backed anything up.
    pub fn finish(self) -> Result<Option<PathBuf>, BackupError> {
        let used = !self.index.borrow().is_empty();
        let Ok(read) = fs_err::read_dir(&self.root) else {
            return Ok(None);
        };
        let mut dirs: Vec<PathBuf> = read
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| p.is_dir())
            .collect();
        dirs.sort();
        let excess = dirs.len().saturating_sub(KEEP);
        for old in dirs.into_iter().take(excess) {
            fs_err::remove_dir_all(&old).map_err(|source| BackupError::Io { path: old, source })?;
        }
        Ok(used.then_some(self.dir))
    }
}

/// The newest apply's backup that was not rolled back yet: its directory
/// and index.
pub fn latest(state_dir: &Path) -> Result<Option<(PathBuf, Vec<BackupEntry>)>, BackupError> {
    let root = state_dir.join("backups");
    let Ok(read) = fs_err::read_dir(&root) else {
        return Ok(None);
    };
    let mut dirs: Vec<PathBuf> = read
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.join(INDEX).is_file() && !p.join(ROLLED_BACK).exists())
        .collect();
    dirs.sort();
    let Some(dir) = dirs.pop() else {
        return Ok(None);
    };
    let path = dir.join(INDEX);
    let text = fs_err::read_to_string(&path).map_err(|source| BackupError::Io {
        path: path.clone(),
        source,
    })?;
    let index = serde_json::from_str(&text).map_err(|err| BackupError::Index {
        path,
        message: err.to_string(),
    })?;
    Ok(Some((dir, index)))
}

/// Marks a backup as rolled back at `now`.
pub fn mark_rolled_back(dir: &Path, now: jiff::Timestamp) -> Result<(), BackupError> {
    let path = dir.join(ROLLED_BACK);
    let now = now.to_string();
    crate::fs::write_atomic(&path, now.as_bytes())
        .map_err(|source| BackupError::Io { path, source })
}

/// Keeps the previous version as a hard link to the file about to be
/// replaced: apply replaces files by rename, so the old inode is never
/// written again by mcpctl, and a 50 MB `~/.claude.json` is kept without
/// copying it. `false` (a copy is written instead) across file systems.
fn link(original: &Path, copy: &Path) -> bool {
    crate::fs::resolve_symlink(original)
        .is_ok_and(|target| std::fs::hard_link(target, copy).is_ok())
}

/// Whether two paths name the same file (Unix: device and inode).
#[cfg(unix)]
fn same_file(a: &Path, b: &Path) -> std::io::Result<bool> {
    use std::os::unix::fs::MetadataExt;
    let (a, b) = (std::fs::metadata(a)?, std::fs::metadata(b)?);
    Ok((a.dev(), a.ino()) == (b.dev(), b.ino()))
}

#[cfg(not(unix))]
fn same_file(_: &Path, _: &Path) -> std::io::Result<bool> {
    Ok(false)
}

fn create_private_dir(dir: &Path) -> Result<(), BackupError> {
    for d in [dir.parent().unwrap_or(dir), dir] {
        crate::fs::create_private_dir(d).map_err(|source| BackupError::Io {
            path: d.to_path_buf(),
            source,
        })?;
    }
    Ok(())
}

#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum BackupError {
    #[error("cannot keep a backup at `{path}`")]
    #[diagnostic(help(
        "check the permissions of mcpctl's state directory; the file was not replaced"
    ))]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },

    #[error("the backup index `{path}` is damaged: {message}")]
    #[diagnostic(help("restore the files by hand from the copies beside it"))]
    Index { path: PathBuf, message: String },
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `client.json` holding "old" in `dir`, saved: the file, the
    /// backups and the hard link kept.
    fn linked(dir: &Path) -> (PathBuf, Backups, PathBuf) {
        let file = dir.join("client.json");
        std::fs::write(&file, "old").unwrap();
        let backups = Backups::start(&dir.join("state"), jiff::Timestamp::now()).unwrap();
        backups.save(&file, Some(b"old")).unwrap();
        let copy = backups.links.borrow()[0].1.clone();
        (file, backups, copy)
    }

    /// Two applies at the same time (a fixed clock) keep separate
    /// backups, the later sorting last.
    #[test]
    fn applies_at_the_same_time_keep_their_own_backups() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("client.json");
        let state = dir.path().join("state");
        let now: jiff::Timestamp = "2026-12-05T12:00:00Z".parse().unwrap();
        let mut kept = Vec::new();
        for text in ["first", "second"] {
            std::fs::write(&file, text).unwrap();
            let backups = Backups::start(&state, now).unwrap();
            backups.save(&file, Some(text.as_bytes())).unwrap();
            kept.push(backups.finish().unwrap().unwrap());
        }
        assert_ne!(kept[0], kept[1]);
        assert_eq!(latest(&state).unwrap().unwrap().0, kept[1]);
    }

    /// Unix: the link is proven to be the very file (device and inode);
    /// elsewhere that cannot be told, and a real copy is made instead.
    #[cfg(unix)]
    #[test]
    fn a_linked_backup_is_proven_by_the_check_before_the_rename() {
        let dir = tempfile::tempdir().unwrap();
        let (file, backups, copy) = linked(dir.path());
        assert!(backups.still_current(&file, &file, Some(b"old")).unwrap());
        // Changed in place since it was read: not current, and the link
        // shows it.
        std::fs::write(&file, "new").unwrap();
        assert!(!backups.still_current(&file, &file, Some(b"old")).unwrap());
        assert_eq!(std::fs::read(&copy).unwrap(), b"new");
    }

    #[test]
    fn a_file_replaced_since_the_link_gets_a_real_copy() {
        let dir = tempfile::tempdir().unwrap();
        let (file, backups, copy) = linked(dir.path());
        // Another program rewrote it by rename, with what we read.
        crate::fs::write_atomic(&file, b"old").unwrap();
        std::fs::write(&copy, "stale").unwrap();
        assert!(backups.still_current(&file, &file, Some(b"old")).unwrap());
        assert_eq!(std::fs::read(&copy).unwrap(), b"old");
        // The copy no longer shares the file: later writes leave it alone.
        std::fs::write(&file, "later").unwrap();
        assert_eq!(std::fs::read(&copy).unwrap(), b"old");
    }
}
