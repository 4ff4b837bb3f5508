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

use std::cell::RefCell;
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
            enabled: true,
        })
    }

    /// Backups that keep nothing.
    pub fn disabled(state_dir: &Path) -> Result<Backups, BackupError> {
        let mut backups = Backups::start(state_dir)?;
        backups.enabled = false;
        Ok(backups)
    }

    /// Keeps `contents`, the version of `original` about to be replaced
    /// (`None`: it does not exist yet).
    pub fn save(&self, original: &Path, contents: Option<&[u8]>) -> Result<(), BackupError> {
        if !self.enabled {
            return Ok(());
        }
        let mut index = self.index.borrow_mut();
        if index.iter().any(|e| e.original == original) {
            return Ok(());
        }
        create_private_dir(&self.dir)?;
        let copy = match contents {
            Some(contents) => {
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
                Some(copy)
            }
            None => None,
        };
        index.push(BackupEntry {
            original: original.to_path_buf(),
            copy,
            written: None,
        });
        self.write_index(&index)
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

/// Marks a backup as rolled back.
pub fn mark_rolled_back(dir: &Path) -> Result<(), BackupError> {
    let path = dir.join(ROLLED_BACK);
    let now = jiff::Timestamp::now().to_string();
    crate::fs::write_atomic(&path, now.as_bytes())
        .map_err(|source| BackupError::Io { path, source })
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
    let same = crate::fs::same_contents(copy, Some(contents)).unwrap_or(false);
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

    #[error("the backup index `{path}` is damaged: {message}")]
    #[diagnostic(help("restore the files by hand from the copies beside it"))]
    Index { path: PathBuf, message: String },
}
