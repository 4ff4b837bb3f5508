//! `mcpctl rollback`: put back the client files and shell profiles the
//! last apply replaced, from the backup that apply kept.
//!
//! A file edited since that apply (by a person, or by the client itself)
//! is not overwritten unless `--force`: rolling back would lose that
//! edit. Ownership records are left as they are, so the next `mcpctl
//! plan` shows what the manifest still asks for — rollback undoes an
//! apply, it does not change the manifest.

use super::ui::note;
use std::path::Path;

use miette::IntoDiagnostic;

use super::Outcome;
use super::apply::confirm;
use super::render::display_path;
use super::workspace::configured_audit_log;
use crate::audit::Actor;
use crate::fs::DirLock;
use crate::host::Host;
use crate::workflow::rollback;

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
        "nothing was rolled back: the newest change not rolled back yet ({when}) wrote {}, which changed since; rolling back would lose that change\n{}",
        if .files.len() == 1 { "this file" } else { "these files" },
        .files.iter().map(|f| format!("  - `{f}`")).collect::<Vec<_>>().join("\n")
    )]
    #[diagnostic(help(
        "look at the change; `mcpctl rollback --force` restores the files anyway (each rollback undoes one change, newest first)"
    ))]
    ChangedSince { when: String, files: Vec<String> },

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
    let home = &host.home;
    let rollback = rollback::prepare(&state_dir, args.force).map_err(|err| worded(err, home))?;
    println!(
        // An apply, destroy, import or revoke: the backup does not say which.
        "Rolling back the last change mcpctl made to client files ({}):",
        taken_at(&rollback.dir)
    );
    for entry in &rollback.entries {
        let shown = display_path(&entry.original, home);
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
        host: host.name(),
        pid: std::process::id(),
        command: "rollback".to_owned(),
        manifest: None,
        git_commit: None,
    };
    let now = jiff::Timestamp::now();
    let audit = configured_audit_log(&host, &state_dir, actor, None, now);
    rollback
        .carry_out(
            &audit,
            &host,
            args.force,
            &mut |path| {
                note!("restored `{}`", display_path(path, home));
            },
            now,
        )
        .map_err(|err| worded(err, home))?;
    println!(
        "Rollback complete: {} restored. `mcpctl plan` shows what the manifest still asks for.",
        crate::words::count(rollback.entries.len(), "file")
    );
    Ok(Outcome::Success)
}

/// When the backup `dir` was taken, as people read it (its name is the
/// time, `20261205T190102.123456Z`); the name itself if it is not one.
fn taken_at(dir: &Path) -> String {
    let name = dir
        .file_name()
        .map_or_else(String::new, |n| n.to_string_lossy().into_owned());
    jiff::fmt::strtime::parse("%Y%m%dT%H%M%S%.fZ", &name)
        .and_then(|parsed| parsed.to_datetime())
        .map(|time| format!("{} UTC", time.strftime("%Y-%m-%d %H:%M:%S")))
        .unwrap_or(name)
}

/// The workflow's error in words, its paths as people read them.
fn worded(err: rollback::RollbackError, home: &Path) -> miette::Report {
    use rollback::RollbackError as Core;
    let shown = |path: &Path| display_path(path, home);
    match err {
        Core::Nothing => RollbackError::Nothing.into(),
        Core::ChangedSince { dir, files } => RollbackError::ChangedSince {
            when: taken_at(&dir),
            files: files.iter().map(|f| shown(f)).collect(),
        }
        .into(),
        Core::ChangedWhileRollingBack { file } => {
            RollbackError::ChangedWhileRollingBack { file: shown(&file) }.into()
        }
        Core::Relinked(relinked) => {
            let rollback::Relinked {
                file,
                now,
                written,
                copy,
            } = *relinked;
            RollbackError::Relinked {
                file: shown(&file),
                now: shown(&now),
                written: shown(&written),
                copy: copy.map_or_else(
                    || "(none: that apply created the file)".to_owned(),
                    |copy| shown(&copy),
                ),
            }
            .into()
        }
        Core::Restore { path, source } => miette::Report::from_err(source)
            .wrap_err(format!("cannot restore `{}`", path.display())),
        Core::Workflow(err) => err.into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_backup_is_named_by_when_it_was_taken() {
        assert_eq!(
            taken_at(Path::new("/state/backups/20261205T190102.123456Z")),
            "2026-12-05 19:01:02 UTC"
        );
        assert_eq!(taken_at(Path::new("/state/backups/other")), "other");
    }
}
