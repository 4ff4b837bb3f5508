//! Confirming that what apply wrote is still in the file.
//!
//! A program that read a client file before apply replaced it may write it
//! back a moment later, erasing apply's entries: Claude Code does exactly
//! that when it finds its lock on `~/.claude.json` held by mcpctl (see
//! [`crate::concurrent_writer`]). So after replacing a file, apply looks at
//! it again: once for every file (a `stat`), and for a settle window when
//! the file's own writer is running. When the file changed, it is read
//! again, and every entry apply wrote must be there as written (a deleted
//! one absent). When some are not, apply writes them again on the new
//! content — keeping the other program's change — a bounded number of
//! times, and says so. Apply never reports an entry that is not in the
//! file.

use std::path::Path;
use std::time::{Duration, Instant};

use super::{ApplyError, Backups, Planned, Progress, Replaced, replace_file};
use crate::audit::AuditLog;
use crate::client::ClientFile;
use crate::concurrent_writer::{ConcurrentWriter, PATIENCE};
use crate::document::{Document, DocumentError};
use crate::plan::EntryAction;
use crate::state::entry_digest;

/// How many times apply writes its entries again after another program
/// erased them, before it gives up on the file.
const REWRITES: usize = 3;
/// How often the file is looked at during the settle window.
const POLL: Duration = Duration::from_millis(10);
/// How many times a file changed by another program is read again before
/// apply gives up on it.
const READS: usize = 50;

/// Which version of a file: enough of its metadata to tell that another
/// program replaced or rewrote it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Identity {
    len: u64,
    modified: Option<std::time::SystemTime>,
    #[cfg(unix)]
    inode: (u64, u64),
}

impl Identity {
    pub(super) fn of(meta: &std::fs::Metadata) -> Identity {
        #[cfg(unix)]
        use std::os::unix::fs::MetadataExt;
        Identity {
            len: meta.len(),
            modified: meta.modified().ok(),
            #[cfg(unix)]
            inode: (meta.dev(), meta.ino()),
        }
    }

    /// The file at `path` now (`None`: it is gone or cannot be looked at).
    fn now(path: &Path) -> Option<Identity> {
        std::fs::metadata(path).ok().map(|meta| Identity::of(&meta))
    }
}

/// What apply needs to write a file again.
pub(super) struct Rewrite<'a> {
    pub file: &'a ClientFile,
    pub changes: &'a [Planned<'a>],
    pub backups: &'a Backups,
    pub log: &'a AuditLog,
    pub writer: Option<&'a ConcurrentWriter>,
}

/// Watches the file `replaced` was written to and makes sure the entries
/// of `changes` stay in it as written (see the module documentation);
/// returns what is in the file at the end, or an error naming the entries
/// another program kept erasing.
pub(super) fn keep_written(
    cx: &Rewrite<'_>,
    mut replaced: Replaced,
    progress: &mut dyn FnMut(Progress),
) -> Result<Replaced, ApplyError> {
    let window = cx
        .writer
        .filter(|writer| writer.may_be_running())
        .map_or(Duration::ZERO, |writer| {
            writer.settle_window(replaced.identity.as_ref().map_or(0, |i| i.len))
        });
    let mut rewrites = 0;
    for _ in 0..READS {
        if watch(
            &cx.file.path,
            replaced.identity.as_ref(),
            cx.writer,
            replaced.at + window,
        ) {
            return Ok(replaced);
        }
        // Changed: read it as it is now.
        let (document, identity) = read_now(cx.file)?;
        let (erased, back) = erased(cx, document.as_ref())?;
        if erased.is_empty() && back.is_empty() {
            // Another program wrote the file and kept apply's entries.
            replaced.identity = identity;
            replaced.kept_foreign_change = true;
            if Instant::now() >= replaced.at + window {
                return Ok(replaced);
            }
            continue;
        }
        if rewrites == REWRITES {
            return Err(ApplyError::EntriesErased {
                path: cx.file.path.clone(),
                writer: cx.writer.map_or("another program", |w| w.name),
                servers: erased,
                back,
                times: rewrites + 1,
            });
        }
        rewrites += 1;
        let Some(again) =
            replace_file(cx.file, cx.changes, cx.backups, cx.log, document, cx.writer)?
        else {
            // The edits change nothing: the entries are back as written.
            continue;
        };
        // Said once it is so: a rewrite that failed wrote nothing again.
        progress(Progress::WroteAgain {
            path: cx.file.path.clone(),
            writer: cx.writer.map_or("another program", |w| w.name),
            servers: erased,
            back,
        });
        replaced = Replaced {
            kept_foreign_change: true,
            ..again
        };
    }
    Err(ApplyError::KeepsChanging {
        path: cx.file.path.clone(),
    })
}

/// Whether the file stays as `written` until `until`; `false` as soon as
/// it changes (after waiting for the writer that changed it to release
/// its lock). A writer holding its lock is waited for first.
fn watch(
    path: &Path,
    written: Option<&Identity>,
    writer: Option<&ConcurrentWriter>,
    until: Instant,
) -> bool {
    loop {
        if let Some(writer) = writer {
            writer.wait_until_free(PATIENCE);
        }
        if Identity::now(path).as_ref() != written {
            if let Some(writer) = writer {
                writer.wait_until_free(PATIENCE);
            }
            return false;
        }
        if Instant::now() >= until {
            return true;
        }
        std::thread::sleep(POLL);
    }
}

/// The file as it is now, with the identity of the version read (`None`:
/// it is gone).
fn read_now(file: &ClientFile) -> Result<(Option<Document>, Option<Identity>), ApplyError> {
    let (bytes, meta) = match crate::fs::read_regular_version(&file.path) {
        Ok(read) => read,
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => return Ok((None, None)),
        Err(source) => {
            return Err(DocumentError::Io {
                path: file.path.clone(),
                source,
            }
            .into());
        }
    };
    let text = String::from_utf8(bytes).map_err(|_| DocumentError::NotUtf8 {
        path: file.path.clone(),
    })?;
    let document = Document::parse(&file.path, text, file.format)?;
    Ok((Some(document), Some(Identity::of(&meta))))
}

/// The servers whose entries in `document` are not as apply wrote them:
/// those erased, and those apply removed that are back. An entry that is
/// neither as written nor as the plan found it was changed by someone
/// else: [`ApplyError::ChangedAfterWrite`].
fn erased(
    cx: &Rewrite<'_>,
    document: Option<&Document>,
) -> Result<(Vec<String>, Vec<String>), ApplyError> {
    let mut erased = Vec::new();
    let mut back = Vec::new();
    for Planned { table, change } in cx.changes.iter().filter(|p| p.change.writes()) {
        let server = &change.server;
        let now = match document {
            Some(document) => document
                .entries(&table.table_path())?
                .get(server)
                .map(entry_digest),
            None => None,
        };
        let written = match change.action {
            EntryAction::Delete => None,
            _ => change.after.as_ref().map(entry_digest),
        };
        if now == written {
            continue;
        }
        if now != change.before_digest {
            return Err(ApplyError::ChangedAfterWrite {
                path: cx.file.path.clone(),
                server: server.clone(),
            });
        }
        match written {
            Some(_) => erased.push(server.clone()),
            None => back.push(server.clone()),
        }
    }
    Ok((erased, back))
}
