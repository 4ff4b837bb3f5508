//! Why an apply stopped: each error says what was and was not written,
//! and what to do next.

use std::path::PathBuf;

use super::{backup, undone};
use crate::concurrent_writer::LockError;
use crate::document::DocumentError;
use crate::state::StateError;
use crate::store::StoreError;

#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum ApplyError {
    #[error("the {store} is not available, so `{credential}` cannot be checked or stored")]
    #[diagnostic(help(
        "make the store available (see the warning above), then run `mcpctl apply` again; nothing was written"
    ))]
    StoreUnavailable { credential: String, store: String },

    #[error("no value given for `{credential}`")]
    #[diagnostic(help("{hint}"))]
    MissingSecret { credential: String, hint: String },

    #[error("the plan names credential `{credential}`, which the manifest does not declare")]
    #[diagnostic(help("run `mcpctl plan` again"))]
    UnknownCredential { credential: String },

    #[error(
        "the plan edits `{key_path}` in `{path}`, which is not a table of servers of any client the manifest targets; nothing was written"
    )]
    #[diagnostic(help(
        "mcpctl edits only the server entries of each client; plan again (`mcpctl plan --out FILE`) instead of editing a plan"
    ))]
    NotAServerTable { path: PathBuf, key_path: String },

    #[error(
        "the plan writes the shell profile `{path}`, which no shell mcpctl knows reads; nothing was written"
    )]
    #[diagnostic(help("plan again (`mcpctl plan --out FILE`) instead of editing a plan"))]
    UnknownProfile { path: PathBuf },

    #[error("cannot write the project file `{path}`")]
    #[diagnostic(help(
        "nothing was written; remove the link named above or make it point inside the project, then run the command again"
    ))]
    OutsideProject {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },

    #[error("`{path}` changed since the plan, and the change touches mcpctl's entry `{server}`")]
    #[diagnostic(help(
        "mcpctl's changes to this file are not in it, and no later file was written; look at the change, then run `mcpctl apply` again"
    ))]
    ChangedSincePlan { path: PathBuf, server: String },

    #[error(
        "{writer} rewrote `{path}` right after mcpctl wrote it, {times} times, each time {}",
        undone(servers, back)
    )]
    #[diagnostic(help(
        "the file is not as mcpctl wrote it; close the {writer} sessions that keep rewriting it, then run `mcpctl apply` again (`mcpctl plan` shows what is left to do)"
    ))]
    EntriesErased {
        path: PathBuf,
        writer: &'static str,
        servers: Vec<String>,
        back: Vec<String>,
        times: usize,
    },

    #[error(
        "`{path}` was changed by another program right after mcpctl wrote it, and the change touches mcpctl's entry `{server}`"
    )]
    #[diagnostic(help(
        "look at the change (`mcpctl plan` shows it), then run `mcpctl apply` again; later files were not written"
    ))]
    ChangedAfterWrite { path: PathBuf, server: String },

    #[error("cannot write `{path}` while {} is held", source.lock())]
    #[diagnostic(help(
        "mcpctl's changes to this file are not in it, and no later file was written; a running {} holds the lock while it writes the file. If none runs, the lock is left over from a crash and mcpctl takes it over once it is 10 s old: run `mcpctl apply` again",
        source.writer()
    ))]
    Locked {
        path: PathBuf,
        #[source]
        source: LockError,
    },

    #[error("`{path}` kept changing while mcpctl tried to write it")]
    #[diagnostic(help("close the program that keeps rewriting it, then run `mcpctl apply` again"))]
    KeepsChanging { path: PathBuf },

    #[error("cannot write `{path}`: another program has it open")]
    #[diagnostic(help(
        "nothing was written to this file or any later one; an editor or the client itself holds it open without sharing it (mcpctl waited 2 s): close it, then run `mcpctl apply` again"
    ))]
    InUse {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },

    #[error("cannot write `{path}`")]
    #[diagnostic(help("check the permissions of the file and its directory"))]
    Write {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },

    #[error("cannot append to the audit trail `{path}`")]
    #[diagnostic(help("check the permissions of mcpctl's state directory"))]
    Audit {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },

    #[error(transparent)]
    #[diagnostic(transparent)]
    Store(#[from] StoreError),

    #[error(transparent)]
    #[diagnostic(transparent)]
    Document(#[from] DocumentError),

    #[error(transparent)]
    #[diagnostic(transparent)]
    State(#[from] StateError),

    #[error(transparent)]
    #[diagnostic(transparent)]
    Backup(#[from] backup::BackupError),
}
