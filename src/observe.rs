//! Reading what is on this machine, once, for a plan.
//!
//! Observation is the only I/O before planning: presence of each credential
//! (attributes only, never the value), the server entries of every client
//! file the manifest targets or mcpctl owns entries in, this manifest's
//! block in every shell profile mcpctl knows, and mcpctl's state.
//! Each client file is read and validated once, and its text is kept for
//! apply: `~/.claude.json` reaches 50 MB, and reading, validating and
//! fingerprinting it again per step is what made apply slow. A client
//! file's fingerprint is computed only for a saved plan, which needs it
//! (shell profiles, a few kilobytes, are fingerprinted as they are read).
//! Files that cannot be read or parsed are all collected, so the user sees
//! every broken file at once and nothing is planned against a guess.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::client::{ClientFile, adapter};
use crate::document::{Document, DocumentError};
use crate::host::Host;
use crate::manifest::{Scope, Shell, Source};
use crate::plan::Desired;
use crate::shell;
use crate::state::State;
use crate::store::{CredentialStore, StoreError};

/// What the store holds for one credential (never its value).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Presence {
    Present,
    Missing,
    /// The store could not be asked: a few words for the credential's line
    /// ("store unavailable"), and the store's error, for the plan's last
    /// line.
    Unavailable {
        summary: String,
        detail: String,
    },
    /// Read at launch from an environment variable (`source env`), set
    /// here or not. mcpctl never stores it.
    FromEnvironment {
        variable: String,
        set: bool,
    },
    /// Read at launch from a secret manager's command (`source command`);
    /// plan never runs it (it may prompt).
    FromCommand {
        argv: Vec<String>,
    },
}

/// Client files as read, by path; a file that does not exist has none.
pub type Documents = BTreeMap<PathBuf, Document>;

/// One table of a client file as read from disk (its text is in
/// [`Observed::documents`]).
#[derive(Debug, Clone, PartialEq)]
pub struct ObservedFile {
    pub file: ClientFile,
    /// The server entries in its table.
    pub entries: BTreeMap<String, Value>,
}

/// One shell profile as read from disk.
#[derive(Debug, Clone, PartialEq)]
pub struct ObservedProfile {
    pub shell: Shell,
    pub file: PathBuf,
    /// sha256 of the bytes; `None` when the file does not exist.
    pub fingerprint: Option<String>,
    /// This manifest's block in it, if any.
    pub block: Option<String>,
}

/// What is on this machine now.
#[derive(Debug, Clone)]
pub struct Observed {
    pub store_name: String,
    pub credentials: BTreeMap<String, Presence>,
    pub files: Vec<ObservedFile>,
    /// The text of every client file that exists, read and validated once
    /// per path (Claude Code's user and local scopes share one file).
    /// Apply edits these instead of reading, validating and scanning a
    /// 50 MB `~/.claude.json` again; it still compares them with the disk
    /// right before replacing a file.
    pub documents: Documents,
    pub profiles: Vec<ObservedProfile>,
    /// Where each client file and shell profile that is reached through a
    /// symbolic link really is (the path as named → the file itself).
    pub links: BTreeMap<PathBuf, PathBuf>,
    pub state: State,
    /// When the machine was observed: ages and due dates count to here.
    pub now: jiff::Timestamp,
}

/// Reads the store, the files and the state for `desired`.
pub fn observe(
    desired: &Desired,
    store: Result<&dyn CredentialStore, &StoreError>,
    state: State,
    host: &Host,
    project_root: &Path,
    now: jiff::Timestamp,
) -> Result<Observed, ObserveError> {
    let store_name = match store {
        Ok(store) => store.name().to_owned(),
        Err(err) => err.store().to_owned(),
    };
    let mut credentials = BTreeMap::new();
    for credential in &desired.credentials {
        let presence = match (&credential.source, store) {
            (Source::Env { var }, _) => Presence::FromEnvironment {
                variable: var.clone(),
                set: host.var(var).is_some(),
            },
            (Source::Command { argv, .. }, _) => Presence::FromCommand { argv: argv.clone() },
            (Source::Store, Ok(store)) => match store.exists(&credential.store_entry()) {
                Ok(true) => Presence::Present,
                Ok(false) => Presence::Missing,
                Err(err) => unavailable(&err),
            },
            (Source::Store, Err(err)) => unavailable(err),
        };
        credentials.insert(credential.name.clone(), presence);
    }

    let mut targets: Vec<ClientFile> = desired.files.iter().map(|d| d.file.clone()).collect();
    for record in state
        .entries
        .iter()
        .filter(|e| e.manifest == desired.manifest)
    {
        if !targets
            .iter()
            .any(|t| t.path == record.file && t.table == record.table)
        {
            let Some(mut file) = adapter(record.client).file(record.scope, host, project_root)
            else {
                continue;
            };
            file.path = record.file.clone();
            file.table = record.table.clone();
            targets.push(file);
        }
    }

    let mut files = Vec::new();
    let mut documents = Documents::new();
    let mut links = BTreeMap::new();
    let mut problems = Vec::new();
    for file in targets {
        match resolved(&file, project_root) {
            Ok(Some(target)) => {
                links.insert(file.path.clone(), target);
            }
            Ok(None) => {}
            // Never read: it lies outside the project.
            Err(err) => {
                problems.push(err);
                continue;
            }
        }
        match read_table(&file, &mut documents) {
            Ok(observed) => files.push(observed),
            Err(err) => problems.push(err),
        }
    }
    let mut profiles = Vec::new();
    for shell in Shell::ALL {
        for path in shell::profile_paths(shell, host) {
            let wanted = desired.blocks.iter().any(|b| b.file == path);
            if let Ok(target) = crate::fs::resolve_symlink(&path)
                && target != path
            {
                links.insert(path.clone(), target);
            }
            match read_profile(shell, &path, &desired.manifest) {
                Ok(profile) => profiles.push(profile),
                // A profile the manifest does not ask for is only looked
                // at for a stale block; one that cannot be read has none
                // mcpctl could have written.
                Err(_) if !wanted => {}
                Err(err) => problems.push(err),
            }
        }
    }
    if !problems.is_empty() {
        return Err(ObserveError { problems });
    }
    Ok(Observed {
        store_name,
        credentials,
        files,
        documents,
        profiles,
        links,
        state,
        now,
    })
}

/// Where `file` really is when a symbolic link leads elsewhere (`None`:
/// it is where it is named). A project-scope file, or a directory on its
/// way, that resolves outside the project is an error, and is not read
/// ([`crate::fs::resolve_inside`]); other files are the user's to link
/// anywhere (dotfile managers do), and a link that cannot be followed is
/// reported by the read.
fn resolved(
    file: &ClientFile,
    project_root: &Path,
) -> Result<Option<std::path::PathBuf>, DocumentError> {
    let target = if file.scope == Scope::Project {
        crate::fs::resolve_inside(&file.path, project_root).map_err(|source| DocumentError::Io {
            path: file.path.clone(),
            source,
        })?
    } else {
        match crate::fs::resolve_symlink(&file.path) {
            Ok(target) => target,
            Err(_) => return Ok(None),
        }
    };
    Ok((target != file.path).then_some(target))
}

/// Reads a shell profile: its fingerprint and `manifest`'s block in it.
pub fn read_profile(
    shell: Shell,
    path: &Path,
    manifest: &Path,
) -> Result<ObservedProfile, DocumentError> {
    let text = match read_text(path)? {
        Some(text) => text,
        None => {
            return Ok(ObservedProfile {
                shell,
                file: path.to_path_buf(),
                fingerprint: None,
                block: None,
            });
        }
    };
    Ok(ObservedProfile {
        shell,
        file: path.to_path_buf(),
        fingerprint: Some(fingerprint(text.as_bytes())),
        block: shell::current_block(&text, manifest).map(str::to_owned),
    })
}

/// A text file's content, or `None` when it does not exist.
pub fn read_text(path: &Path) -> Result<Option<String>, DocumentError> {
    // Refuses FIFOs and devices instead of blocking on them.
    match crate::fs::read_regular(path) {
        Ok(bytes) => String::from_utf8(bytes)
            .map(Some)
            .map_err(|_| DocumentError::NotUtf8 {
                path: path.to_path_buf(),
            }),
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(source) => Err(DocumentError::Io {
            path: path.to_path_buf(),
            source,
        }),
    }
}

/// Reads the entries of one client file's table.
pub fn read_file(file: &ClientFile) -> Result<ObservedFile, DocumentError> {
    read_table(file, &mut Documents::new())
}

/// Reads the entries of one client file's table; the file itself is read
/// only when `documents` does not hold it yet, and is kept there.
pub fn read_table(
    file: &ClientFile,
    documents: &mut Documents,
) -> Result<ObservedFile, DocumentError> {
    let table = file.table_path();
    let entries = match documents.get_mut(&file.path) {
        Some(document) => document.read_entries(&table)?,
        None => match read_text(&file.path)? {
            Some(text) => {
                let (document, entries) =
                    Document::parse_entries(&file.path, text, file.format, &table)?;
                documents.insert(file.path.clone(), document);
                entries
            }
            None => BTreeMap::new(),
        },
    };
    Ok(ObservedFile {
        file: file.clone(),
        entries,
    })
}

/// The parsed file, or `None` when it does not exist.
pub fn load_document(file: &ClientFile) -> Result<Option<Document>, DocumentError> {
    let Some(text) = read_text(&file.path)? else {
        return Ok(None);
    };
    Document::parse(&file.path, text, file.format).map(Some)
}

/// sha256 of a file's bytes, as recorded in plans.
pub fn fingerprint(bytes: &[u8]) -> String {
    crate::digest::sha256(bytes)
}

/// A credential whose presence the store could not tell: a few words,
/// and the store's error in full.
fn unavailable(err: &StoreError) -> Presence {
    let reason = match err {
        StoreError::Unavailable { .. } => "store unavailable".to_owned(),
        StoreError::Locked { .. } => "store locked".to_owned(),
        other => other.to_string(),
    };
    Presence::Unavailable {
        summary: reason,
        detail: err.to_string(),
    }
}

/// Client files that could not be read or parsed; nothing is planned.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
#[error("{} cannot be read; nothing was planned or written", crate::words::count(problems.len(), "client file"))]
#[diagnostic(help("fix or move the files named below, then run the command again"))]
pub struct ObserveError {
    #[related]
    pub problems: Vec<DocumentError>,
}
