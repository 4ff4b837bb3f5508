//! `rollback`: put back the client files and shell profiles the last
//! apply replaced, from the backup that apply kept.
//!
//! A file edited since that apply (by a person, or by the client itself)
//! is not overwritten unless forced: rolling back would lose that edit.
//! Even forced, a file is restored only where the apply wrote it, never
//! through a link made since. Ownership records are left as they are, so
//! the next plan shows what the manifest still asks for — rollback undoes
//! an apply, it does not change the manifest.

use std::path::{Path, PathBuf};

use super::{WorkflowError, record};
use crate::apply::{BackupEntry, latest_backup, mark_rolled_back};
use crate::audit::AuditLog;
use crate::concurrent_writer::{ConcurrentWriter, HeldLock, PATIENCE};
use crate::host::Host;
use crate::observe::fingerprint;

/// Why nothing (or not everything) was rolled back. The CLI words these;
/// paths are as they are on disk.
#[derive(Debug, thiserror::Error)]
pub enum RollbackError {
    #[error("there is no apply to roll back")]
    Nothing,

    #[error("files changed since the apply")]
    ChangedSince {
        /// The backup of that apply (its name is when it was taken).
        dir: PathBuf,
        files: Vec<PathBuf>,
    },

    #[error("`{}` changed since the apply while rollback waited for it", file.display())]
    ChangedWhileRollingBack { file: PathBuf },

    #[error("`{}` now leads elsewhere than the file apply wrote", .0.file.display())]
    Relinked(Box<Relinked>),

    #[error("cannot restore `{}`", path.display())]
    Restore {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },

    #[error(transparent)]
    Workflow(#[from] WorkflowError),
}

/// A file that a link made since the apply leads elsewhere.
#[derive(Debug)]
pub struct Relinked {
    pub file: PathBuf,
    /// Where it leads now.
    pub now: PathBuf,
    /// The file the apply wrote.
    pub written: PathBuf,
    /// The backup of the file; `None`: the apply created the file.
    pub copy: Option<PathBuf>,
}

impl From<std::io::Error> for RollbackError {
    fn from(err: std::io::Error) -> RollbackError {
        RollbackError::Workflow(err.into())
    }
}

/// The rollback of the last apply, checked and ready to confirm.
#[derive(Debug)]
pub struct Rollback {
    /// The backup directory of that apply.
    pub dir: PathBuf,
    /// The files it restores (or removes: `copy` is `None`), those whose
    /// write happened; files whose write never happened hold what they
    /// held before.
    pub entries: Vec<BackupEntry>,
}

/// The rollback of the newest backup in `state_dir` not rolled back yet:
/// refused when a file changed since the apply (unless `force`), or now
/// leads through a link to another file than the one the apply wrote.
pub fn prepare(state_dir: &Path, force: bool) -> Result<Rollback, RollbackError> {
    let (dir, index) = latest_backup(state_dir)
        .map_err(WorkflowError::from)?
        .ok_or(RollbackError::Nothing)?;
    let entries: Vec<BackupEntry> = index
        .into_iter()
        .filter(|e| e.written.is_some() && !stopped_before_rename(&dir, e))
        .collect();
    let changed: Vec<PathBuf> = entries
        .iter()
        .filter(|e| current_fingerprint(&e.original) != e.written)
        .map(|e| e.original.clone())
        .collect();
    if !changed.is_empty() && !force {
        return Err(RollbackError::ChangedSince {
            dir,
            files: changed,
        });
    }
    // Even with `force`: a file is restored only where the apply wrote it.
    for entry in &entries {
        let now = crate::fs::resolve_symlink(&entry.original)?;
        if let Some(written) = entry.resolved.as_ref().filter(|written| **written != now) {
            return Err(RollbackError::Relinked(Box::new(Relinked {
                file: entry.original.clone(),
                now,
                written: written.clone(),
                copy: entry.copy.as_ref().map(|copy| dir.join(copy)),
            })));
        }
    }
    Ok(Rollback { dir, entries })
}

impl Rollback {
    /// Restores each file, recording each in `audit` whether or not it
    /// worked and telling `restored` of each that was; then marks the
    /// backup rolled back at `now`. Stops at the first file that fails.
    pub fn carry_out(
        &self,
        audit: &AuditLog,
        host: &Host,
        force: bool,
        restored: &mut dyn FnMut(&Path),
        now: jiff::Timestamp,
    ) -> Result<(), RollbackError> {
        for entry in &self.entries {
            let writer = crate::client::concurrent_writer_at(host, &entry.original);
            let result = restore(&self.dir, entry, writer.as_ref(), force);
            record(
                audit,
                "file.rollback",
                entry.original.display().to_string(),
                None,
                &result,
            )?;
            result?;
            restored(&entry.original);
        }
        mark_rolled_back(&self.dir, now).map_err(WorkflowError::from)?;
        Ok(())
    }
}

/// Whether apply recorded the write of `entry` (it does so right before
/// the rename) but was stopped — a Ctrl-C, a crash — before the rename:
/// the file still holds exactly what the backup holds (or still does not
/// exist), so there is nothing to put back and nothing changed since.
fn stopped_before_rename(dir: &Path, entry: &BackupEntry) -> bool {
    let now = current_fingerprint(&entry.original);
    if now == entry.written {
        return false;
    }
    match &entry.copy {
        Some(copy) => now.is_some() && now == current_fingerprint(&dir.join(copy)),
        None => now.is_none(),
    }
}

fn current_fingerprint(path: &Path) -> Option<String> {
    std::fs::read(path).ok().map(|bytes| fingerprint(&bytes))
}

/// Puts back `entry`'s previous version. The file is compared with what
/// the apply wrote once more right before it is replaced (unless
/// `force`): the confirmation may have waited long enough for a client to
/// rewrite it. Both happen under the lock of the file's own `writer`, if it
/// has one (Claude Code's `~/.claude.json.lock`), as apply does.
fn restore(
    dir: &Path,
    entry: &BackupEntry,
    writer: Option<&ConcurrentWriter>,
    force: bool,
) -> Result<(), RollbackError> {
    let path: &PathBuf = &entry.original;
    let take = |target: &Path| -> std::io::Result<Option<Option<HeldLock>>> {
        let lock = writer
            .map(|writer| writer.lock(PATIENCE))
            .transpose()
            .map_err(|err| std::io::Error::other(err.to_string()))?;
        Ok((force || current_fingerprint(target) == entry.written).then_some(lock))
    };
    let changed = || RollbackError::ChangedWhileRollingBack { file: path.clone() };
    match &entry.copy {
        Some(copy) => {
            let bytes = fs_err::read(dir.join(copy))?;
            match crate::fs::write_atomic_checked(path, &bytes, take) {
                Ok(Some(_)) => Ok(()),
                Ok(None) => Err(changed()),
                Err(source) => Err(RollbackError::Restore {
                    path: path.clone(),
                    source,
                }),
            }
        }
        None => {
            let target = crate::fs::resolve_symlink(path)?;
            let Some(_lock) = take(&target)? else {
                return Err(changed());
            };
            match fs_err::remove_file(path) {
                Err(err) if err.kind() != std::io::ErrorKind::NotFound => Err(err.into()),
                _ => Ok(()),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::MemoryStore;
    use crate::workflow::tests::{Sandbox, audit, records};

    /// A sandbox where Cursor's file held `before`, then the manifest was
    /// applied (both values in the store).
    fn applied_over(before: Option<&str>) -> Sandbox {
        let sandbox = Sandbox::new();
        if let Some(text) = before {
            let path = sandbox.cursor_path();
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(&path, text).unwrap();
        }
        sandbox.apply(&MemoryStore::with(&[
            ("GITHUB_TOKEN", "ghp-1"),
            ("OTHER_TOKEN", "o-1"),
        ]));
        assert!(sandbox.cursor_file().contains("\"github\""));
        sandbox
    }

    fn carry_out(sandbox: &Sandbox, rollback: &Rollback, force: bool) -> Vec<PathBuf> {
        let log = audit(&sandbox.state_dir, "rollback");
        let mut restored = Vec::new();
        rollback
            .carry_out(
                &log,
                &sandbox.host,
                force,
                &mut |path| {
                    restored.push(path.to_path_buf());
                },
                crate::workflow::tests::now(),
            )
            .unwrap();
        restored
    }

    #[test]
    fn without_a_backup_there_is_nothing_to_roll_back() {
        let sandbox = Sandbox::new();
        let err = prepare(&sandbox.state_dir, false).unwrap_err();
        assert!(matches!(err, RollbackError::Nothing), "{err:?}");
    }

    #[test]
    fn puts_back_the_file_the_apply_replaced_audits_it_and_marks_the_backup() {
        let before = "{\n  \"mcpServers\": {}\n}\n";
        let sandbox = applied_over(Some(before));
        let owned = sandbox.state().entries;

        let rollback = prepare(&sandbox.state_dir, false).unwrap();
        assert_eq!(rollback.entries.len(), 1);
        let restored = carry_out(&sandbox, &rollback, false);

        assert_eq!(restored, [sandbox.cursor_path()]);
        assert_eq!(sandbox.cursor_file(), before);
        let log = audit(&sandbox.state_dir, "rollback");
        let shown = format!("file.rollback {} - ok", sandbox.cursor_path().display());
        assert_eq!(records(&log).last(), Some(&shown));
        // Ownership is left as it is: the next plan shows what is asked for.
        assert_eq!(sandbox.state().entries, owned);
        // Rolled back once: the backup is not offered again.
        let err = prepare(&sandbox.state_dir, false).unwrap_err();
        assert!(matches!(err, RollbackError::Nothing), "{err:?}");
    }

    #[test]
    fn a_file_the_apply_created_is_removed() {
        let sandbox = applied_over(None);
        let rollback = prepare(&sandbox.state_dir, false).unwrap();
        assert_eq!(rollback.entries[0].copy, None);
        carry_out(&sandbox, &rollback, false);
        assert!(!sandbox.cursor_path().exists());
    }

    /// Apply records a write right before its rename; stopped between
    /// the two, the file holds what it held: nothing to restore, and no
    /// refusal for a change that never happened.
    #[test]
    fn a_write_stopped_before_its_rename_is_not_rolled_back() {
        let before = "{\n  \"mcpServers\": {}\n}\n";
        let sandbox = applied_over(Some(before));
        std::fs::write(sandbox.cursor_path(), before).unwrap();
        let rollback = prepare(&sandbox.state_dir, false).unwrap();
        assert!(rollback.entries.is_empty(), "{:?}", rollback.entries);

        let created = applied_over(None);
        std::fs::remove_file(created.cursor_path()).unwrap();
        let rollback = prepare(&created.state_dir, false).unwrap();
        assert!(rollback.entries.is_empty(), "{:?}", rollback.entries);
    }

    #[test]
    fn a_file_changed_since_is_refused_unless_forced() {
        let before = "{\n  \"mcpServers\": {}\n}\n";
        let sandbox = applied_over(Some(before));
        let edited = sandbox.cursor_file().replace("other-server", "edited");
        std::fs::write(sandbox.cursor_path(), &edited).unwrap();

        match prepare(&sandbox.state_dir, false).unwrap_err() {
            RollbackError::ChangedSince { files, .. } => assert_eq!(files, [sandbox.cursor_path()]),
            err => panic!("{err:?}"),
        }
        assert_eq!(sandbox.cursor_file(), edited);

        let rollback = prepare(&sandbox.state_dir, true).unwrap();
        carry_out(&sandbox, &rollback, true);
        assert_eq!(sandbox.cursor_file(), before);
    }
}
