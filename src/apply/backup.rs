//! Backups of the files an apply replaces, for rollback.
//!
//! Each apply that changes files gets a directory
//! `backups/<time>/` in the state directory holding the previous version of
//! every file it replaced and an `index.json` mapping them back to their
//! paths. Only the newest [`KEEP`] applies are kept: `~/.claude.json` can
//! be tens of MB. The backups are private (0700/0600): they are copies of
//! the user's own files, which may still hold plaintext secrets.

use std::cell::RefCell;
use std::path::{Path, PathBuf};

use serde::Serialize;

/// How many applies' backups are kept.
pub const KEEP: usize = 5;

pub struct Backups {
    root: PathBuf,
    dir: PathBuf,
    index: RefCell<Vec<BackupEntry>>,
}

#[derive(Serialize)]
struct BackupEntry {
    original: PathBuf,
    copy: String,
}

impl Backups {
    pub fn start(state_dir: &Path) -> Result<Backups, BackupError> {
        let root = state_dir.join("backups");
        // Temporary files of a killed apply's backups (best effort).
        if let Ok(dirs) = std::fs::read_dir(&root) {
            for dir in dirs.flatten() {
                let _ = crate::fs::remove_stale_temps(&dir.path());
            }
        }
        let stamp = jiff::Timestamp::now()
            .strftime("%Y%m%dT%H%M%S%.6fZ")
            .to_string();
        Ok(Backups {
            dir: root.join(stamp),
            root,
            index: RefCell::new(Vec::new()),
        })
    }

    /// Keeps `contents`, the version of `original` about to be replaced.
    pub fn save(&self, original: &Path, contents: &[u8]) -> Result<(), BackupError> {
        let mut index = self.index.borrow_mut();
        if index.iter().any(|e| e.original == original) {
            return Ok(());
        }
        create_private_dir(&self.dir)?;
        let name = original
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "file".to_owned());
        let copy = format!("{}-{name}", index.len() + 1);
        if !link_unchanged(original, &self.dir.join(&copy), contents) {
            crate::fs::write_atomic(&self.dir.join(&copy), contents).map_err(|source| {
                BackupError::Io {
                    path: self.dir.join(&copy),
                    source,
                }
            })?;
        }
        index.push(BackupEntry {
            original: original.to_path_buf(),
            copy,
        });
        let text = serde_json::to_string_pretty(&*index).expect("index serializes");
        let index_path = self.dir.join("index.json");
        crate::fs::write_atomic(&index_path, text.as_bytes()).map_err(|source| BackupError::Io {
            path: index_path,
            source,
        })
    }

    /// Prunes old backup directories, keeping the newest [`KEEP`].
    pub fn finish(self) -> Result<(), BackupError> {
        let Ok(read) = fs_err::read_dir(&self.root) else {
            return Ok(());
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
        Ok(())
    }
}

/// Keeps the previous version as a hard link to the file about to be
/// replaced, when it still has the size of `contents` (it was read just
/// before): apply replaces files by rename, so the old inode is never
/// written again by mcpctl, and a 50 MB `~/.claude.json` is kept without
/// copying it. Falls back to a copy (`false`) across file systems or on
/// any doubt.
fn link_unchanged(original: &Path, copy: &Path, contents: &[u8]) -> bool {
    let target = match std::fs::canonicalize(original) {
        Ok(target) => target,
        Err(_) => return false,
    };
    if std::fs::hard_link(&target, copy).is_err() {
        return false;
    }
    let same = std::fs::metadata(copy).is_ok_and(|m| m.len() == contents.len() as u64)
        && std::fs::read(copy).is_ok_and(|bytes| bytes == contents);
    if !same {
        let _ = std::fs::remove_file(copy);
    }
    same
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
}
