//! Carrying out a plan: store first, then each client file, atomically.
//!
//! Apply executes exactly the changes the user was shown. It asks for every
//! missing secret before writing anything, writes them to the store, then
//! rewrites each client file through [`crate::fs::write_atomic_checked`].
//! It edits the text the plan was computed from (kept by observe: a 50 MB
//! `~/.claude.json` is not read, validated and scanned again) and, right
//! before the rename, compares the file on disk with that text. If another
//! program (Claude Code rewrites `~/.claude.json` all the time) changed it
//! since the plan, the file is read again and mcpctl's own entries are
//! recomputed against the new content — keeping the other program's change
//! — as long as that change did not touch mcpctl's entries. If it did,
//! apply stops before that file and every later one. The previous version
//! of each file is kept as a backup, and ownership is recorded in the state
//! after each file. Last, the state records the exports of `mcpctl env` the
//! plan showed: env serves that record, never the manifest as it is now.

mod backup;
mod hashing;
use hashing::Hashing;
mod confirm;
mod error;
mod profile;
mod record;

use std::path::{Path, PathBuf};

use crate::audit::{AuditLog, Event, Outcome};
use crate::client::ClientFile;
use crate::concurrent_writer::{ConcurrentWriter, LockError, PATIENCE};
use crate::document::{Document, Edit};
use crate::manifest::Credential;
use crate::observe::{Documents, Observed, fingerprint, load_document};
use crate::plan::{CredentialAction, EntryAction, EntryChange, FileChange, Holder, Plan};
use crate::state::{CredentialRecord, OwnedEntry, State, entry_digest};
use crate::store::{CredentialStore, Secret};

pub use backup::{BackupEntry, BackupError, Backups, latest as latest_backup, mark_rolled_back};
pub use error::ApplyError;
pub use record::{Record, installed_settings};

/// Supplies values for missing credentials (a hidden prompt, the
/// environment, …). Implemented by the CLI; apply never prints.
pub trait SecretSource {
    fn secret_for(&mut self, credential: &Credential) -> Result<Secret, ApplyError>;

    /// The day the provider expires the value just given, if the source
    /// can tell (a prompt asks; the environment cannot).
    fn expiry_for(
        &mut self,
        _credential: &Credential,
    ) -> Result<Option<jiff::civil::Date>, ApplyError> {
        Ok(None)
    }
}

/// Things worth telling the user while applying.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Progress {
    StoredCredential {
        name: String,
    },
    DeletedCredential {
        name: String,
    },
    WroteFile {
        path: PathBuf,
        kept_foreign_change: bool,
    },
    /// Another program rewrote the file right after apply did, erasing
    /// the entries `servers` and bringing back the entries `back` that
    /// apply had removed; apply wrote them again, and removed them again.
    WroteAgain {
        path: PathBuf,
        writer: &'static str,
        servers: Vec<String>,
        back: Vec<String>,
    },
    UpdatedState {
        path: PathBuf,
    },
}

/// Everything apply needs besides the plan.
pub struct Context<'a> {
    pub store: &'a dyn CredentialStore,
    pub secrets: &'a mut dyn SecretSource,
    pub state_dir: &'a Path,
    pub state: State,
    pub audit: &'a AuditLog,
    pub progress: &'a mut dyn FnMut(Progress),
    /// The client files the plan may edit, as the adapters describe them
    /// (format, the table of servers). An entry change is carried out only
    /// in a table listed here: where an edit lands comes from the adapter,
    /// never from the plan alone.
    pub files: &'a [ClientFile],
    /// The shell profiles the plan may change (the shells' own paths).
    pub profiles: &'a [PathBuf],
    /// The project directory (the manifest's): project-scope files are
    /// written only where they resolve inside it.
    pub project_root: &'a Path,
    /// The text of each file as the plan saw it (absent: the file did not
    /// exist), from [`crate::observe::Observed::documents`].
    pub documents: Documents,
    /// Whether written entries become mcpctl's (recorded in the state).
    /// `false` for `mcpctl import`, which edits the user's own entries.
    pub record_ownership: bool,
    /// Whether the replaced versions of files are kept for rollback.
    /// `false` for `mcpctl import`: they hold the plaintext it removes.
    pub keep_backups: bool,
    /// The command's time (the CLI reads the clock once): what the state
    /// records as set and applied, and what names the backup.
    pub now: jiff::Timestamp,
}

/// The parts of a [`Context`] a command chooses when it carries out a plan
/// on the files observe read for it ([`apply_observed`]).
pub struct Command<'a> {
    pub store: &'a dyn CredentialStore,
    pub secrets: &'a mut dyn SecretSource,
    pub state_dir: &'a Path,
    pub audit: &'a AuditLog,
    pub progress: &'a mut dyn FnMut(Progress),
    pub project_root: &'a Path,
    pub record: Record,
    /// The command's time ([`Context::now`]).
    pub now: jiff::Timestamp,
}

/// Carries out `plan` on the client files and shell profiles `observed`
/// read, from the texts and the state it read, recording ownership and
/// keeping backups: what `apply`, `destroy` and `revoke` do.
pub fn apply_observed(
    plan: &Plan,
    observed: Observed,
    command: Command<'_>,
) -> Result<Report, ApplyError> {
    let files: Vec<_> = observed.files.iter().map(|f| f.file.clone()).collect();
    let profiles: Vec<_> = observed.profiles.iter().map(|p| p.file.clone()).collect();
    apply_recording(
        plan,
        Context {
            store: command.store,
            secrets: command.secrets,
            state_dir: command.state_dir,
            state: observed.state,
            audit: command.audit,
            progress: command.progress,
            files: &files,
            profiles: &profiles,
            project_root: command.project_root,
            documents: observed.documents,
            record_ownership: true,
            keep_backups: true,
            now: command.now,
        },
        &command.record,
    )
}

/// What apply did.
#[derive(Debug, Default)]
pub struct Report {
    pub credentials_stored: usize,
    pub files_written: usize,
    pub entries_changed: usize,
    /// The backup directory of the files this apply replaced, if any.
    pub backup: Option<PathBuf>,
    /// How many audit records were pruned, and the retention that pruned
    /// them (`mcpctl apply` only; `None` when none were).
    pub pruned: Option<(usize, crate::manifest::Period)>,
}

/// Carries out `plan`, recording nothing of the command besides entry
/// ownership and exports.
pub fn apply(plan: &Plan, ctx: Context<'_>) -> Result<Report, ApplyError> {
    apply_recording(plan, ctx, &Record::Nothing)
}

/// Carries out `plan`, then saves `record` with the last state write.
pub fn apply_recording(
    plan: &Plan,
    mut ctx: Context<'_>,
    record: &Record,
) -> Result<Report, ApplyError> {
    let mut report = Report::default();
    let now = ctx.now.to_string();
    // A killed apply may have left temporary files; clean them first (best
    // effort: a leftover is clutter, never a reason to stop).
    let _ = crate::fs::remove_stale_temps(ctx.state_dir);

    // Nothing is written unless every change addresses a place mcpctl may
    // edit, and every credential can be written.
    let tables = check_places(plan, &ctx)?;
    for change in &plan.credentials {
        if change.action == CredentialAction::Unavailable {
            return Err(ApplyError::StoreUnavailable {
                credential: change.name.clone(),
                store: match &change.holder {
                    Holder::Store { name } => name.clone(),
                    Holder::Environment => "environment".to_owned(),
                    Holder::SecretManager => "secret manager".to_owned(),
                },
            });
        }
    }
    let mut pending: Vec<(Credential, Secret, Option<String>)> = Vec::new();
    for change in &plan.credentials {
        if change.action == CredentialAction::Create {
            let credential = change.credential();
            let secret = ctx.secrets.secret_for(&credential)?;
            let expires = ctx.secrets.expiry_for(&credential)?;
            pending.push((credential, secret, expires.map(|d| d.to_string())));
        }
    }
    // A value the store cannot hold stops apply before any is written.
    for (credential, secret, _) in &pending {
        ctx.store.fits(&credential.store_entry(), secret)?;
    }
    for (credential, secret, expires) in pending {
        let result = ctx
            .store
            .set(&credential.store_entry(), &secret, credential.label());
        audit(
            ctx.audit,
            "store.write",
            &credential.name,
            None,
            result.is_ok(),
        )?;
        result?;
        ctx.state.credentials.insert(
            credential.name.clone(),
            CredentialRecord::set_now(&now, expires),
        );
        report.credentials_stored += 1;
        (ctx.progress)(Progress::StoredCredential {
            name: credential.name.clone(),
        });
    }
    // `mcpctl destroy --include-credentials`: values leave the store.
    for change in &plan.credentials {
        if change.action == CredentialAction::Delete {
            let name = &change.name;
            let result = ctx.store.delete(&change.credential().store_entry());
            audit(ctx.audit, "store.delete", name, None, result.is_ok())?;
            result?;
            ctx.state.credentials.remove(name);
            (ctx.progress)(Progress::DeletedCredential { name: name.clone() });
        }
    }
    // Credentials found already present are remembered from first sight,
    // so their age can be told later.
    for change in &plan.credentials {
        if change.action == CredentialAction::NoOp && change.in_store() {
            ctx.state
                .credentials
                .entry(change.name.clone())
                .or_insert_with(|| CredentialRecord {
                    set_at: None,
                    first_seen: now.clone(),
                    expires: None,
                    revoked_at: None,
                });
        }
    }
    ctx.state.save(ctx.state_dir)?;

    let backups = if ctx.keep_backups {
        Backups::start(ctx.state_dir, ctx.now)?
    } else {
        Backups::disabled(ctx.state_dir, ctx.now)?
    };
    for planned in by_file(plan, &tables) {
        let written = apply_file(planned[0].table, &planned, plan, &backups, &mut ctx)?;
        if written {
            report.files_written += 1;
        }
        report.entries_changed += planned.iter().filter(|p| p.change.writes()).count();
        ctx.state.save(ctx.state_dir)?;
    }
    for change in plan.profiles.iter().filter(|c| c.writes()) {
        if profile::apply_profile(change, plan, &backups, &mut ctx)? {
            report.files_written += 1;
            report.entries_changed += 1;
        }
    }
    let exported = ctx.record_ownership && record_exports(plan, &mut ctx.state);
    // One write for the exports and the command's record; the exports are
    // saved even when cleaning old backups fails.
    let backup = backups.finish();
    let recorded = match &backup {
        Ok(backup) => record::record(record, &mut ctx.state, ctx.audit, backup.clone(), ctx.now),
        Err(_) => false,
    };
    if exported || recorded {
        ctx.state.save(ctx.state_dir)?;
    }
    report.backup = backup?;
    report.pruned = record::after_apply(record, plan, &ctx.state, ctx.audit, ctx.now)?;
    Ok(report)
}

/// Records the exports the plan sets (the text the person was shown), for
/// `mcpctl env` to serve; whether anything changed.
fn record_exports(plan: &Plan, state: &mut State) -> bool {
    let mut changed = false;
    for change in plan.exports.iter().filter(|c| c.writes()) {
        let exports = state.exports.entry(plan.manifest.clone()).or_default();
        match &change.after {
            Some(source) => exports.insert(change.variable.clone(), source.clone()),
            None => exports.remove(&change.variable),
        };
        if exports.is_empty() {
            state.exports.remove(&plan.manifest);
        }
        changed = true;
    }
    changed
}

/// Refuses a plan that names a place no adapter or shell names: an entry
/// outside a client's table of servers (a top-level key such as
/// `primaryApiKeyHelper`, or Claude Code's `projects` map itself), a file
/// no client of the manifest uses, a shell profile no shell reads, or a
/// project file that resolves outside the project. `compute` never makes
/// such a change; a hand-edited saved plan could. The adapter's
/// description of each file change's table, in the plan's order.
fn check_places<'f>(plan: &Plan, ctx: &Context<'f>) -> Result<Vec<&'f ClientFile>, ApplyError> {
    let mut tables = Vec::new();
    for file in &plan.files {
        let table = server_table(ctx.files, file)?;
        confined(table, ctx.project_root)?;
        tables.push(table);
    }
    for change in plan.profiles.iter().filter(|c| c.writes()) {
        if !ctx.profiles.contains(&change.file) {
            return Err(ApplyError::UnknownProfile {
                path: change.file.clone(),
            });
        }
    }
    // The exports `mcpctl env` serves and the audit settings `exec`
    // follows are records in mcpctl's own state, not places in a file.
    Ok(tables)
}

/// The adapter's description of the table a file change edits: the client
/// file of the change's client, scope, path and table. Every edit takes
/// its table from here.
fn server_table<'f>(
    files: &'f [ClientFile],
    change: &FileChange,
) -> Result<&'f ClientFile, ApplyError> {
    files
        .iter()
        .find(|f| {
            f.client == change.client
                && f.scope == change.scope
                && f.path == change.path
                && f.table == change.table
        })
        .ok_or_else(|| ApplyError::NotAServerTable {
            path: change.path.clone(),
            key_path: change
                .table
                .iter()
                .chain(change.entries.first().map(|e| &e.server))
                .map(String::as_str)
                .collect::<Vec<_>>()
                .join("."),
        })
}

/// A project-scope file must resolve inside the project
/// ([`crate::fs::resolve_inside`]); others are the user's to link.
fn confined(file: &ClientFile, project_root: &Path) -> Result<(), ApplyError> {
    if file.scope != crate::manifest::Scope::Project {
        return Ok(());
    }
    crate::fs::resolve_inside(&file.path, project_root)
        .map(|_| ())
        .map_err(|source| ApplyError::OutsideProject {
            path: file.path.clone(),
            source,
        })
}

/// One entry change apply carries out, in the table the adapter describes.
#[derive(Debug, Clone, Copy)]
struct Planned<'p> {
    table: &'p ClientFile,
    change: &'p EntryChange,
}

/// The entry changes apply carries out, by file (tables of one file, such
/// as Claude Code's user and local scopes in `~/.claude.json`, are written
/// together), in plan order; files with nothing to do are left out.
fn by_file<'p>(plan: &'p Plan, tables: &[&'p ClientFile]) -> Vec<Vec<Planned<'p>>> {
    let mut groups: Vec<Vec<Planned<'p>>> = Vec::new();
    for (file, &table) in plan.files.iter().zip(tables) {
        for change in file.entries.iter().filter(|c| c.applies()) {
            let planned = Planned { table, change };
            match groups.iter_mut().find(|g| g[0].table.path == file.path) {
                Some(group) => group.push(planned),
                None => groups.push(vec![planned]),
            }
        }
    }
    groups
}

/// How many times apply tries to replace a file that another program keeps
/// changing between our read and our rename.
const ATTEMPTS: usize = 5;

fn apply_file(
    file: &ClientFile,
    changes: &[Planned<'_>],
    plan: &Plan,
    backups: &Backups,
    ctx: &mut Context<'_>,
) -> Result<bool, ApplyError> {
    let writes = changes.iter().any(|p| p.change.writes());
    let mut written = false;
    let mut kept_foreign_change = false;
    // Checked again here: the link may have changed since the plan read it.
    confined(file, ctx.project_root)?;
    let _ = crate::fs::remove_stale_temps(&file.path);
    if writes {
        let planned = ctx.documents.remove(&file.path);
        let writer = crate::client::adapter(file.client).concurrent_writer(file);
        let rewrite = confirm::Rewrite {
            file,
            changes,
            backups,
            log: ctx.audit,
            writer: writer.as_ref(),
        };
        let outcome = replace_file(file, changes, backups, ctx.audit, planned, writer.as_ref())
            .and_then(|replaced| {
                replaced
                    .map(|replaced| confirm::keep_written(&rewrite, replaced, ctx.progress))
                    .transpose()
            })
            .map(|replaced| {
                replaced.map(|replaced| {
                    kept_foreign_change = replaced.kept_foreign_change;
                    replaced.fingerprint
                })
            });
        written = settle(backups, &file.path, outcome)?;
    }
    for Planned { table, change } in changes.iter().filter(|_| ctx.record_ownership) {
        let server = &change.server;
        match change.action {
            EntryAction::Create | EntryAction::Update | EntryAction::Adopt => {
                if let Some(after) = &change.after {
                    ctx.state.record_entry(OwnedEntry {
                        client: table.client,
                        scope: table.scope,
                        file: table.path.clone(),
                        table: table.table.clone(),
                        server: server.clone(),
                        manifest: plan.manifest.clone(),
                        digest: entry_digest(after),
                    });
                }
            }
            EntryAction::Delete | EntryAction::Forget => {
                ctx.state.forget_entry(&table.path, &table.table, server);
            }
            EntryAction::NoOp
            | EntryAction::Conflict
            | EntryAction::Blocked
            | EntryAction::Skip => {}
        }
    }
    (ctx.progress)(if written {
        Progress::WroteFile {
            path: file.path.clone(),
            kept_foreign_change,
        }
    } else {
        Progress::UpdatedState {
            path: file.path.clone(),
        }
    });
    Ok(written)
}

/// How another program's write undid apply's: "without `a`" (entries
/// erased), "with `b` back" (entries apply removed), or both.
pub fn undone(erased: &[String], back: &[String]) -> String {
    let mut parts = Vec::new();
    if !erased.is_empty() {
        parts.push(format!("without {}", crate::words::names(erased)));
    }
    if !back.is_empty() {
        parts.push(format!("with {} back", crate::words::names(back)));
    }
    parts.join(" and ")
}

/// A file replaced by [`replace_file`].
struct Replaced {
    /// Of what was written, for rollback.
    fingerprint: String,
    /// Whether another program's change since the plan was kept.
    kept_foreign_change: bool,
    /// The file as written (`None`: gone since), to tell a later write
    /// by another program.
    identity: Option<confirm::Identity>,
    /// When it was written.
    at: std::time::Instant,
}

/// Edits `planned` (the text the plan saw; `None`: the file did not exist)
/// and replaces the file with the result, starting again from the file as
/// it is when another program changed it meanwhile. The compare and the
/// rename happen under the lock of the file's own `writer`, if it has one.
/// `Ok(None)`: the edits change nothing. An error leaves the file as it
/// was.
fn replace_file(
    file: &ClientFile,
    changes: &[Planned<'_>],
    backups: &Backups,
    log: &AuditLog,
    planned: Option<Document>,
    writer: Option<&ConcurrentWriter>,
) -> Result<Option<Replaced>, ApplyError> {
    let mut base = planned;
    let mut kept_foreign_change = false;
    for attempt in 1..=ATTEMPTS {
        if attempt > 1 {
            // Another program changed the file: start again from what it
            // wrote, as long as mcpctl's entries are still as planned.
            base = load_document(file)?;
            check_own_entries_unchanged(file, base.as_ref(), changes)?;
            kept_foreign_change = true;
        }
        let empty;
        let start = match &base {
            Some(document) => document,
            None => {
                empty = Document::empty(&file.path, file.format);
                &empty
            }
        };
        // All of the file's edits in one pass: one copy of a 50 MB file,
        // not one per entry.
        let edited = edit_all(start, changes.iter().filter(|p| p.change.writes()))?;
        let old = base.as_ref().map(|d| d.text().as_bytes());
        let new = match &edited {
            Some(document) if Some(document.text().as_bytes()) != old => document.text().as_bytes(),
            _ => return Ok(None),
        };
        // Rollback needs the fingerprint of what is written; hashing 50 MB
        // overlaps the backup, the temporary file and its fsync.
        let (replaced, fingerprint) = std::thread::scope(|scope| {
            let mut hashing = Hashing::Running(scope.spawn(|| fingerprint(new)));
            let replaced = try_replace(log, backups, &file.path, old, new, writer, &mut hashing);
            (replaced, hashing.into_fingerprint())
        });
        if let Some(written) = replaced? {
            return Ok(Some(Replaced {
                fingerprint,
                kept_foreign_change,
                identity: Some(confirm::Identity::of(&written)),
                at: std::time::Instant::now(),
            }));
        }
    }
    Err(ApplyError::KeepsChanging {
        path: file.path.clone(),
    })
}

/// One attempt to replace `path`, which held `old` when it was read, with
/// `new`, keeping `old` as the backup; the metadata of the file written,
/// or `Ok(None)` when another program changed the file since. The file
/// (and its backup) is compared with `old` byte for byte right before the
/// rename, under the lock of the file's own `writer` when it has one,
/// which keeps the window in which another program's write could be
/// missed as short as possible.
fn try_replace(
    log: &AuditLog,
    backups: &Backups,
    path: &Path,
    old: Option<&[u8]>,
    new: &[u8],
    writer: Option<&ConcurrentWriter>,
    hashing: &mut Hashing<'_>,
) -> Result<Option<std::fs::Metadata>, ApplyError> {
    backups.save(path, old)?;
    let mut refused: Option<LockError> = None;
    let mut waits = 0;
    let replaced = loop {
        let replaced = crate::fs::write_atomic_checked(path, new, |target| {
            let lock = match writer.map(|writer| writer.lock(PATIENCE)).transpose() {
                Ok(lock) => lock,
                Err(err) => {
                    let message = err.to_string();
                    refused = Some(err);
                    return Err(std::io::Error::other(message));
                }
            };
            if !backups.still_current(path, target, old)? {
                return Ok(None);
            }
            // Recorded before the rename, not after: a Ctrl-C (or a crash)
            // right after it must not leave a write that `mcpctl rollback`
            // takes for one that never happened. Killed before the rename,
            // the file keeps its old bytes, which rollback sees differ from
            // this fingerprint: it refuses rather than guess.
            backups
                .wrote(path, hashing.fingerprint().to_owned())
                .map_err(std::io::Error::other)?;
            Ok(Some(lock))
        });
        match &replaced {
            // An editor holding the file open a moment: wait for it.
            Err(err) if in_use(err) && waits < IN_USE_WAITS => {
                waits += 1;
                std::thread::sleep(IN_USE_WAIT);
            }
            _ => break replaced,
        }
    };
    match replaced {
        Ok(Some(written)) => {
            audit(log, "file.write", &path.display().to_string(), None, true)?;
            return Ok(Some(written));
        }
        // Not current: written by nobody, tried again by the caller.
        Ok(None) => {}
        Err(_) => audit(log, "file.write", &path.display().to_string(), None, false)?,
    }
    if let Some(lock) = refused {
        return Err(ApplyError::Locked {
            path: path.to_path_buf(),
            source: lock,
        });
    }
    replaced.map_err(|source| {
        if in_use(&source) {
            ApplyError::InUse {
                path: path.to_path_buf(),
                source,
            }
        } else {
            ApplyError::Write {
                path: path.to_path_buf(),
                source,
            }
        }
    })
}

/// How long apply waits, and how often it tries again, for a file another
/// program holds open without sharing it.
const IN_USE_WAIT: std::time::Duration = std::time::Duration::from_millis(250);
const IN_USE_WAITS: usize = 8;

/// Whether Windows refused the write because another program has the file
/// open (`ERROR_SHARING_VIOLATION`, `ERROR_LOCK_VIOLATION`). On Unix
/// nothing holds a file that way (and 32 is `EPIPE` there).
fn in_use(err: &std::io::Error) -> bool {
    cfg!(windows) && matches!(err.raw_os_error(), Some(32 | 33))
}

/// Records how replacing `path` ended: written (`Ok(Some(fingerprint))`:
/// the backup's fingerprint; each write has its audit record already), or
/// not, in which case its backup goes — a kept "previous version" of a
/// file that was not replaced would be a hard link that follows the live
/// file, and one of a file another program rewrote after apply holds
/// nothing of apply's to roll back. Whether the file was written.
fn settle(
    backups: &Backups,
    path: &Path,
    outcome: Result<Option<String>, ApplyError>,
) -> Result<bool, ApplyError> {
    match outcome {
        Ok(Some(fingerprint)) => {
            backups.wrote(path, fingerprint)?;
            Ok(true)
        }
        outcome => {
            let abandoned = backups.abandon(path);
            outcome?;
            abandoned?;
            Ok(false)
        }
    }
}

/// After another program changed the file: each entry mcpctl is about to
/// touch must still be exactly what the plan saw (`None`: the file is gone).
fn check_own_entries_unchanged(
    file: &ClientFile,
    document: Option<&Document>,
    changes: &[Planned<'_>],
) -> Result<(), ApplyError> {
    for Planned { table, change } in changes {
        let now = match document {
            Some(document) => document
                .entries(&table.table_path())?
                .get(&change.server)
                .map(entry_digest),
            None => None,
        };
        if now != change.before_digest {
            return Err(ApplyError::ChangedSincePlan {
                path: file.path.clone(),
                server: change.server.clone(),
            });
        }
    }
    Ok(())
}

/// The entry edits of one file change, in the adapter's table of servers
/// the change names among `tables` ([`server_table`]: one file can hold two
/// tables, as Claude Code's user and local scopes share `~/.claude.json`);
/// `None` when they change nothing. A change naming any other table is
/// refused. `document` itself is kept: apply compares the file on disk
/// with it before replacing the file.
#[cfg(test)]
fn edit(
    document: &Document,
    file: &FileChange,
    tables: &[ClientFile],
) -> Result<Option<Document>, ApplyError> {
    let table = server_table(tables, file)?;
    let planned: Vec<Planned<'_>> = file
        .entries
        .iter()
        .map(|change| Planned { table, change })
        .collect();
    edit_all(document, planned.iter())
}

/// The edits of `changes`, in order, as one batch
/// ([`Document::with_edits`]): the same text as one edit after the other,
/// for the cost of one. `None` when they change nothing.
fn edit_all<'c>(
    document: &Document,
    changes: impl Iterator<Item = &'c Planned<'c>>,
) -> Result<Option<Document>, ApplyError> {
    // The table paths first: the edits borrow them.
    let mut wanted = Vec::new();
    for Planned { table, change } in changes {
        let value = match (change.action, &change.after) {
            (EntryAction::Delete, _) => None,
            (_, Some(after)) => Some(after),
            (_, None) => continue,
        };
        wanted.push((table.table_path(), change.server.as_str(), value));
    }
    let edits: Vec<Edit<'_>> = wanted
        .iter()
        .map(|(table, name, value)| match value {
            None => Edit::Remove { table, name },
            Some(value) => Edit::Set { table, name, value },
        })
        .collect();
    Ok(document.with_edits(&edits)?)
}

fn audit(
    log: &AuditLog,
    action: &'static str,
    target: &str,
    server: Option<&str>,
    ok: bool,
) -> Result<(), ApplyError> {
    log.append(&Event {
        action,
        target: target.to_owned(),
        server: server.map(str::to_owned),
        detail: None,
        outcome: if ok { Outcome::Ok } else { Outcome::Failed },
    })
    .map(|_| ())
    .map_err(|source| ApplyError::Audit {
        path: log.path().to_path_buf(),
        source,
    })
}

#[cfg(test)]
mod tests;
