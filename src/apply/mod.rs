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
mod confirm;
mod error;
mod profile;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::audit::{AuditLog, Event, Outcome};
use crate::client::ClientFile;
use crate::concurrent_writer::{ConcurrentWriter, LockError, PATIENCE};
use crate::document::{Document, Edit};
use crate::manifest::Credential;
use crate::observe::{fingerprint, load_document};
use crate::plan::{Action, Change, Documents, Plan, Target};
use crate::state::{CredentialRecord, OwnedEntry, State, entry_digest};
use crate::store::{CredentialStore, Secret};

pub use backup::{BackupEntry, BackupError, Backups, latest as latest_backup, mark_rolled_back};
pub use error::ApplyError;

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
    pub credentials: &'a BTreeMap<String, Credential>,
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
    /// exist), from [`crate::plan::Observed::documents`].
    pub documents: Documents,
    /// Whether written entries become mcpctl's (recorded in the state).
    /// `false` for `mcpctl import`, which edits the user's own entries.
    pub record_ownership: bool,
    /// Whether the replaced versions of files are kept for rollback.
    /// `false` for `mcpctl import`: they hold the plaintext it removes.
    pub keep_backups: bool,
}

/// What apply did.
#[derive(Debug, Default)]
pub struct Report {
    pub credentials_stored: usize,
    pub files_written: usize,
    pub entries_changed: usize,
    /// The backup directory of the files this apply replaced, if any.
    pub backup: Option<PathBuf>,
}

pub fn apply(plan: &Plan, mut ctx: Context<'_>) -> Result<Report, ApplyError> {
    let mut report = Report::default();
    let now = jiff::Timestamp::now().to_string();
    // A killed apply may have left temporary files; clean them first (best
    // effort: a leftover is clutter, never a reason to stop).
    let _ = crate::fs::remove_stale_temps(ctx.state_dir);

    // Nothing is written unless every change addresses a place mcpctl may
    // edit, and every credential can be written.
    check_places(plan, &ctx)?;
    for change in &plan.changes {
        if let (Target::Credential { name, store }, Action::Unavailable) =
            (&change.target, change.action)
        {
            return Err(ApplyError::StoreUnavailable {
                credential: name.clone(),
                store: store.clone(),
            });
        }
    }
    let mut pending: Vec<(&Credential, Secret, Option<String>)> = Vec::new();
    for change in &plan.changes {
        if let (Target::Credential { name, .. }, Action::Create) = (&change.target, change.action) {
            let credential = declared(ctx.credentials, name)?;
            let secret = ctx.secrets.secret_for(credential)?;
            let expires = ctx.secrets.expiry_for(credential)?;
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
    for change in &plan.changes {
        if let (Target::Credential { name, .. }, Action::Delete) = (&change.target, change.action) {
            let credential = declared(ctx.credentials, name)?;
            let result = ctx.store.delete(&credential.store_entry());
            audit(ctx.audit, "store.delete", name, None, result.is_ok())?;
            result?;
            ctx.state.credentials.remove(name);
            (ctx.progress)(Progress::DeletedCredential { name: name.clone() });
        }
    }
    // Credentials found already present are remembered from first sight,
    // so their age can be told later.
    for change in &plan.changes {
        if let (Target::Credential { name, .. }, Action::NoOp) = (&change.target, change.action)
            && ctx
                .credentials
                .get(name)
                .is_some_and(|c| c.source.is_store())
        {
            ctx.state
                .credentials
                .entry(name.clone())
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
        Backups::start(ctx.state_dir)?
    } else {
        Backups::disabled(ctx.state_dir)?
    };
    for (_, changes) in changes_by_file(plan) {
        // Every change here is an entry's, in a table `check_places` found.
        let Some(file) = server_table(ctx.files, changes[0])? else {
            continue;
        };
        let written = apply_file(file, &changes, plan, &backups, &mut ctx)?;
        if written {
            report.files_written += 1;
        }
        report.entries_changed += changes.iter().filter(|c| c.writes()).count();
        ctx.state.save(ctx.state_dir)?;
    }
    for change in plan.changes.iter().filter(|c| c.writes()) {
        if matches!(change.target, Target::ShellProfile { .. })
            && profile::apply_profile(change, plan, &backups, &mut ctx)?
        {
            report.files_written += 1;
            report.entries_changed += 1;
        }
    }
    if ctx.record_ownership && record_exports(plan, &mut ctx.state) {
        ctx.state.save(ctx.state_dir)?;
    }
    report.backup = backups.finish()?;
    Ok(report)
}

/// Records the exports the plan sets (the text the person was shown), for
/// `mcpctl env` to serve; whether anything changed.
fn record_exports(plan: &Plan, state: &mut State) -> bool {
    let mut changed = false;
    for change in plan.changes.iter().filter(|c| c.writes()) {
        let Target::EnvExport { variable } = &change.target else {
            continue;
        };
        let exports = state.exports.entry(plan.manifest.clone()).or_default();
        match change.after.as_ref().and_then(|v| v.as_str()) {
            Some(source) => exports.insert(variable.clone(), source.to_owned()),
            None => exports.remove(variable),
        };
        if exports.is_empty() {
            state.exports.remove(&plan.manifest);
        }
        changed = true;
    }
    changed
}

/// The manifest's declaration of a credential the plan names.
fn declared<'c>(
    credentials: &'c BTreeMap<String, Credential>,
    name: &str,
) -> Result<&'c Credential, ApplyError> {
    credentials
        .get(name)
        .ok_or_else(|| ApplyError::UnknownCredential {
            credential: name.to_owned(),
        })
}

/// Refuses a plan that names a place no adapter or shell names: an entry
/// outside a client's table of servers (a top-level key such as
/// `primaryApiKeyHelper`, or Claude Code's `projects` map itself), a file
/// no client of the manifest uses, a shell profile no shell reads, or a
/// project file that resolves outside the project. `compute` never makes
/// such a change; a hand-edited saved plan could.
fn check_places(plan: &Plan, ctx: &Context<'_>) -> Result<(), ApplyError> {
    for change in &plan.changes {
        match &change.target {
            Target::Entry { .. } => {
                let Some(file) = server_table(ctx.files, change)? else {
                    continue;
                };
                confined(file, ctx.project_root)?;
            }
            Target::ShellProfile { file, .. } if change.writes() => {
                if !ctx.profiles.contains(file) {
                    return Err(ApplyError::UnknownProfile { path: file.clone() });
                }
            }
            // Records in mcpctl's own state, written by the CLI from the
            // manifest, not a place in a file: the exports `mcpctl env`
            // serves and the audit settings `exec` follows.
            Target::ShellProfile { .. }
            | Target::Credential { .. }
            | Target::EnvExport { .. }
            | Target::AuditSettings { .. } => {}
        }
    }
    Ok(())
}

/// The adapter's description of the table an entry change edits: the
/// client file of the change's client, scope, path and table (`None` for
/// other targets). Every edit takes its table from here.
fn server_table<'f>(
    files: &'f [ClientFile],
    change: &Change,
) -> Result<Option<&'f ClientFile>, ApplyError> {
    let Target::Entry {
        client,
        scope,
        file: path,
        table,
        server,
    } = &change.target
    else {
        return Ok(None);
    };
    files
        .iter()
        .find(|f| f.client == *client && f.scope == *scope && f.path == *path && f.table == *table)
        .map(Some)
        .ok_or_else(|| ApplyError::NotAServerTable {
            path: path.clone(),
            key_path: table
                .iter()
                .chain(std::iter::once(server))
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

/// Entry changes grouped by file, in plan order, skipping files with
/// nothing to do.
fn changes_by_file(plan: &Plan) -> Vec<(PathBuf, Vec<&Change>)> {
    let mut groups: Vec<(PathBuf, Vec<&Change>)> = Vec::new();
    for change in &plan.changes {
        let Target::Entry { file, .. } = &change.target else {
            continue;
        };
        if matches!(
            change.action,
            Action::NoOp | Action::Conflict | Action::Blocked | Action::Skip
        ) {
            continue;
        }
        match groups.iter_mut().find(|(p, _)| p == file) {
            Some((_, list)) => list.push(change),
            None => groups.push((file.clone(), vec![change])),
        }
    }
    groups
}

/// How many times apply tries to replace a file that another program keeps
/// changing between our read and our rename.
const ATTEMPTS: usize = 5;

fn apply_file(
    file: &ClientFile,
    changes: &[&Change],
    plan: &Plan,
    backups: &Backups,
    ctx: &mut Context<'_>,
) -> Result<bool, ApplyError> {
    let writes = changes.iter().any(|c| c.writes());
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
            tables: ctx.files,
            backups,
            log: ctx.audit,
            writer: writer.as_ref(),
        };
        let outcome = replace_file(
            file,
            changes,
            ctx.files,
            backups,
            ctx.audit,
            planned,
            writer.as_ref(),
        )
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
    for change in changes.iter().filter(|_| ctx.record_ownership) {
        let Target::Entry {
            client,
            scope,
            file: path,
            table,
            server,
        } = &change.target
        else {
            continue;
        };
        match change.action {
            Action::Create | Action::Update | Action::Adopt => {
                if let Some(after) = &change.after {
                    ctx.state.record_entry(OwnedEntry {
                        client: *client,
                        scope: *scope,
                        file: path.clone(),
                        table: table.clone(),
                        server: server.clone(),
                        manifest: plan.manifest.clone(),
                        digest: entry_digest(after),
                    });
                }
            }
            Action::Delete | Action::Forget => ctx.state.forget_entry(path, table, server),
            Action::NoOp
            | Action::Conflict
            | Action::Unavailable
            | Action::Blocked
            | Action::Skip => {}
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
    changes: &[&Change],
    tables: &[ClientFile],
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
            check_own_entries_unchanged(file, base.as_ref(), changes, tables)?;
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
        let edited = edit_all(start, changes.iter().filter(|c| c.writes()), tables)?;
        let old = base.as_ref().map(|d| d.text().as_bytes());
        let new = match &edited {
            Some(document) if Some(document.text().as_bytes()) != old => document.text().as_bytes(),
            _ => return Ok(None),
        };
        // Rollback needs the fingerprint of what is written; hashing 50 MB
        // overlaps the write and its fsync.
        let (replaced, fingerprint) = std::thread::scope(|scope| {
            let hashing = scope.spawn(|| fingerprint(new));
            let replaced = try_replace(log, backups, &file.path, old, new, writer);
            let hashed = hashing
                .join()
                .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
            (replaced, hashed)
        });
        if let Some(written) = replaced? {
            // Recorded at once: apply may watch the file for a while now
            // (confirm), and a Ctrl-C meanwhile must not leave a write
            // that `mcpctl rollback` takes for one that never happened.
            backups.wrote(&file.path, fingerprint.clone())?;
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
            Ok(backups.still_current(path, target, old)?.then_some(lock))
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
    changes: &[&Change],
    tables: &[ClientFile],
) -> Result<(), ApplyError> {
    for change in changes {
        let (Target::Entry { server, .. }, Some(owner)) =
            (&change.target, server_table(tables, change)?)
        else {
            continue;
        };
        let table = owner.table_path();
        let now = match document {
            Some(document) => document.entries(&table)?.get(server).map(entry_digest),
            None => None,
        };
        if now != change.before_digest {
            return Err(ApplyError::ChangedSincePlan {
                path: file.path.clone(),
                server: server.clone(),
            });
        }
    }
    Ok(())
}

/// One entry edit, in the adapter's table of servers the change names
/// among `tables` ([`server_table`]: one file can hold two tables, as
/// Claude Code's user and local scopes share `~/.claude.json`); `None`
/// when it changes nothing. A change naming any other key is refused.
/// `document` itself is kept: apply compares the file on disk with it
/// before replacing the file.
#[cfg(test)]
fn edit(
    document: &Document,
    change: &Change,
    tables: &[ClientFile],
) -> Result<Option<Document>, ApplyError> {
    edit_all(document, std::iter::once(&change), tables)
}

/// [`edit`] for each of `changes`, in order, as one batch
/// ([`Document::with_edits`]): the same text as one edit after the other,
/// for the cost of one. `None` when they change nothing.
fn edit_all<'c>(
    document: &Document,
    changes: impl Iterator<Item = &'c &'c Change>,
    tables: &[ClientFile],
) -> Result<Option<Document>, ApplyError> {
    // The table paths first: the edits borrow them.
    let mut wanted = Vec::new();
    for change in changes {
        let (Target::Entry { server, .. }, Some(owner)) =
            (&change.target, server_table(tables, change)?)
        else {
            continue;
        };
        let value = match (change.action, &change.after) {
            (Action::Delete, _) => None,
            (_, Some(after)) => Some(after),
            (_, None) => continue,
        };
        wanted.push((owner.table_path(), server.as_str(), value));
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
