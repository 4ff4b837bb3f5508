//! `mcpctl rollback`: put back the client files and shell profiles the
//! last apply replaced, from the backup that apply kept.
//!
//! A file edited since that apply (by a person, or by the client itself)
//! is not overwritten unless `--force`: rolling back would lose that
//! edit. Ownership records are left as they are, so the next `mcpctl
//! plan` shows what the manifest still asks for — rollback undoes an
//! apply, it does not change the manifest.

use super::ui::note;
use std::path::PathBuf;

use miette::IntoDiagnostic;

use super::Outcome;
use super::apply::confirm;
use super::render::display_path;
use super::workspace::configured_audit_log;
use crate::apply::{BackupEntry, latest_backup, mark_rolled_back};
use crate::audit::{Actor, Event, Outcome as AuditOutcome, host_name};
use crate::concurrent_writer::{ConcurrentWriter, HeldLock, PATIENCE};
use crate::fs::DirLock;
use crate::host::Host;
use crate::observe::fingerprint;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Restore files even when they changed since that apply (their
    /// changes are lost)
    #[arg(long)]
    force: bool,

    /// Roll back without asking for confirmation
    #[arg(long)]
    auto_approve: bool,
}

#[derive(Debug, thiserror::Error, miette::Diagnostic)]
enum RollbackError {
    #[error("there is no apply to roll back: mcpctl keeps no backup of one")]
    #[diagnostic(help(
        "mcpctl keeps the files of the last 5 applies that changed files; `mcpctl status` shows the last apply"
    ))]
    Nothing,

    #[error(
        "nothing was rolled back: {} changed since the apply, and rolling back would lose that change\n{}",
        if .files.len() == 1 { "this file" } else { "these files" },
        .files.iter().map(|f| format!("  - `{f}`")).collect::<Vec<_>>().join("\n")
    )]
    #[diagnostic(help("look at the change; `mcpctl rollback --force` restores the files anyway"))]
    ChangedSince { files: Vec<String> },

    #[error(
        "`{file}` changed since the apply while rollback waited for it, and was left as it is; rolling back would lose that change"
    )]
    #[diagnostic(help(
        "files reported as restored above were restored; look at the change, then `mcpctl rollback --force` restores `{file}` anyway"
    ))]
    ChangedWhileRollingBack { file: String },

    #[error(
        "nothing was rolled back: `{file}` now leads to `{now}`, not to `{written}`, the file that apply wrote (a link was made or changed since)"
    )]
    #[diagnostic(help(
        "a link a checked-out branch commits could otherwise have the backup written anywhere; remove the link, or copy the backup `{copy}` by hand"
    ))]
    Relinked {
        file: String,
        now: String,
        written: String,
        copy: String,
    },
}

pub fn run(args: Args) -> miette::Result<Outcome> {
    let host = Host::from_process()?;
    let state_dir = host.state_dir();
    let _lock = DirLock::acquire(&state_dir, || {
        note!("waiting for another mcpctl command to finish…");
    })
    .into_diagnostic()?;
    let (dir, index) = latest_backup(&state_dir)?.ok_or(RollbackError::Nothing)?;
    // Files whose write never happened hold what they held before.
    let restorable: Vec<&BackupEntry> = index.iter().filter(|e| e.written.is_some()).collect();
    let changed: Vec<String> = restorable
        .iter()
        .filter(|e| current_fingerprint(&e.original) != e.written)
        .map(|e| display_path(&e.original, &host.home))
        .collect();
    if !changed.is_empty() && !args.force {
        return Err(RollbackError::ChangedSince { files: changed }.into());
    }
    // Even with --force: a file is restored only where the apply wrote it.
    for entry in &restorable {
        let now = crate::fs::resolve_symlink(&entry.original).into_diagnostic()?;
        if let Some(written) = entry.resolved.as_ref().filter(|written| **written != now) {
            return Err(RollbackError::Relinked {
                file: display_path(&entry.original, &host.home),
                now: display_path(&now, &host.home),
                written: display_path(written, &host.home),
                copy: entry.copy.as_ref().map_or_else(
                    || "(none: that apply created the file)".to_owned(),
                    |copy| display_path(&dir.join(copy), &host.home),
                ),
            }
            .into());
        }
    }
    println!(
        // An apply, destroy, import or revoke: the backup does not say which.
        "Rolling back the last change mcpctl made to client files ({}):",
        dir.file_name()
            .map_or_else(String::new, |n| n.to_string_lossy().into_owned())
    );
    for entry in &restorable {
        let shown = display_path(&entry.original, &host.home);
        match &entry.copy {
            Some(_) => println!("  ~ `{shown}` will be restored"),
            None => println!("  - `{shown}` will be removed (that change created it)"),
        }
    }
    if !args.auto_approve {
        confirm("Roll back?", "mcpctl rollback --auto-approve")?;
    }
    let actor = Actor {
        user: super::ui::user(&host)?,
        host: host_name(),
        pid: std::process::id(),
        command: "rollback".to_owned(),
        manifest: None,
        git_commit: None,
    };
    let audit = configured_audit_log(&host, &state_dir, actor, None);
    for entry in &restorable {
        let writer = crate::client::concurrent_writer_at(&host, &entry.original);
        let result = restore(&dir, entry, writer.as_ref(), args.force, &host);
        audit
            .append(&Event {
                action: "file.rollback",
                target: entry.original.display().to_string(),
                server: None,
                detail: None,
                outcome: if result.is_ok() {
                    AuditOutcome::Ok
                } else {
                    AuditOutcome::Failed
                },
            })
            .into_diagnostic()?;
        result?;
        note!("restored `{}`", display_path(&entry.original, &host.home));
    }
    mark_rolled_back(&dir)?;
    println!(
        "Rollback complete: {} restored. `mcpctl plan` shows what the manifest still asks for.",
        crate::words::count(restorable.len(), "file")
    );
    Ok(Outcome::Success)
}

fn current_fingerprint(path: &std::path::Path) -> Option<String> {
    std::fs::read(path).ok().map(|bytes| fingerprint(&bytes))
}

/// Puts back `entry`'s previous version. The file is compared with what
/// the apply wrote once more right before it is replaced (unless
/// `force`): the confirmation may have waited long enough for a client to
/// rewrite it. Both happen under the lock of the file's own `writer`, if it
/// has one (Claude Code's `~/.claude.json.lock`), as apply does.
fn restore(
    dir: &std::path::Path,
    entry: &BackupEntry,
    writer: Option<&ConcurrentWriter>,
    force: bool,
    host: &Host,
) -> miette::Result<()> {
    let path: &PathBuf = &entry.original;
    let take = |target: &std::path::Path| -> std::io::Result<Option<Option<HeldLock>>> {
        let lock = writer
            .map(|writer| writer.lock(PATIENCE))
            .transpose()
            .map_err(|err| std::io::Error::other(err.to_string()))?;
        Ok((force || current_fingerprint(target) == entry.written).then_some(lock))
    };
    let changed = || RollbackError::ChangedWhileRollingBack {
        file: display_path(path, &host.home),
    };
    match &entry.copy {
        Some(copy) => {
            let bytes = fs_err::read(dir.join(copy)).into_diagnostic()?;
            match crate::fs::write_atomic_checked(path, &bytes, take) {
                Ok(Some(_)) => Ok(()),
                Ok(None) => Err(changed().into()),
                Err(err) => Err(err)
                    .into_diagnostic()
                    .map_err(|e| e.wrap_err(format!("cannot restore `{}`", path.display()))),
            }
        }
        None => {
            let target = crate::fs::resolve_symlink(path).into_diagnostic()?;
            let Some(_lock) = take(&target).into_diagnostic()? else {
                return Err(changed().into());
            };
            match fs_err::remove_file(path) {
                Err(err) if err.kind() != std::io::ErrorKind::NotFound => {
                    Err(err).into_diagnostic()
                }
                _ => Ok(()),
            }
        }
    }
}
