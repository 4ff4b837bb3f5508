//! Reading what is on this machine, once, for a plan.
//!
//! Observation is the only I/O before planning: presence of each credential
//! (attributes only, never the value), the server entries of every client
//! file the manifest targets or mcpctl owns entries in, and mcpctl's state.
//! Files that cannot be read or parsed are all collected, so the user sees
//! every broken file at once and nothing is planned against a guess.

use std::collections::BTreeMap;
use std::path::Path;

use sha2::{Digest, Sha256};

use crate::client::{ClientFile, adapter};
use crate::document::{Document, DocumentError};
use crate::host::Host;
use crate::plan::{Desired, Observed, ObservedFile, Presence};
use crate::state::{State, hex};
use crate::store::{CredentialStore, StoreError};

/// Reads the store, the files and the state for `desired`.
pub fn observe(
    desired: &Desired,
    store: Result<&dyn CredentialStore, &StoreError>,
    state: State,
    host: &Host,
    project_root: &Path,
) -> Result<Observed, ObserveError> {
    let store_name = match store {
        Ok(store) => store.name().to_owned(),
        Err(err) => err.store().to_owned(),
    };
    let mut credentials = BTreeMap::new();
    for credential in &desired.credentials {
        let presence = match store {
            Ok(store) => match store.exists(&credential.name) {
                Ok(true) => Presence::Present,
                Ok(false) => Presence::Missing,
                Err(err) => Presence::Unavailable(unavailable_reason(&err)),
            },
            Err(err) => Presence::Unavailable(unavailable_reason(err)),
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
            let mut file = adapter(record.client).file(record.scope, host, project_root);
            file.path = record.file.clone();
            file.table = record.table.clone();
            targets.push(file);
        }
    }

    let mut files = Vec::new();
    let mut problems = Vec::new();
    for file in targets {
        match read_file(&file) {
            Ok(observed) => files.push(observed),
            Err(err) => problems.push(err),
        }
    }
    if !problems.is_empty() {
        return Err(ObserveError { problems });
    }
    Ok(Observed {
        store_name,
        credentials,
        files,
        state,
    })
}

/// Reads one client file: its fingerprint and the entries of its table.
pub fn read_file(file: &ClientFile) -> Result<ObservedFile, DocumentError> {
    let Some(document) = load_document(file)? else {
        return Ok(ObservedFile {
            file: file.clone(),
            fingerprint: None,
            entries: BTreeMap::new(),
        });
    };
    let entries = document.entries(&file.table_path())?;
    Ok(ObservedFile {
        file: file.clone(),
        fingerprint: Some(fingerprint(document.text().as_bytes())),
        entries,
    })
}

/// The parsed file, or `None` when it does not exist.
pub fn load_document(file: &ClientFile) -> Result<Option<Document>, DocumentError> {
    let text = match crate::fs::read_regular(&file.path) {
        Ok(bytes) => String::from_utf8(bytes).map_err(|_| DocumentError::NotUtf8 {
            path: file.path.clone(),
        })?,
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(source) => {
            return Err(DocumentError::Io {
                path: file.path.clone(),
                source,
            });
        }
    };
    Document::parse(&file.path, text, file.format).map(Some)
}

/// sha256 of a file's bytes, as recorded in plans.
pub fn fingerprint(bytes: &[u8]) -> String {
    format!("sha256:{}", hex(&Sha256::digest(bytes)))
}

fn unavailable_reason(err: &StoreError) -> String {
    match err {
        StoreError::Unavailable { .. } => "store unavailable".to_owned(),
        StoreError::Locked { .. } => "store locked".to_owned(),
        other => other.to_string(),
    }
}

/// Client files that could not be read or parsed; nothing is planned.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
#[error("{} client file(s) cannot be read; nothing was planned or written", problems.len())]
#[diagnostic(help("fix or move the files named below, then run the command again"))]
pub struct ObserveError {
    #[related]
    pub problems: Vec<DocumentError>,
}
