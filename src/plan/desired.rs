//! What the manifest asks for on this machine: the credentials, and for
//! each targeted client file the exact entries it should hold.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::client::{ClientFile, Launcher, adapter};
use crate::host::Host;
use crate::manifest::{Credential, LoadedManifest, Period};

#[derive(Debug, Clone)]
pub struct Desired {
    pub manifest: PathBuf,
    pub credentials: Vec<Credential>,
    pub files: Vec<DesiredFile>,
    /// How long before a due or expiry date to warn.
    pub warn_before: Period,
    /// The credentials each server needs, so a revoked one blocks it.
    pub server_credentials: BTreeMap<String, Vec<String>>,
}

/// The entries one client file should hold, rendered by its adapter.
#[derive(Debug, Clone)]
pub struct DesiredFile {
    pub file: ClientFile,
    pub entries: BTreeMap<String, Value>,
}

/// Resolves the manifest against this machine: file paths from `host`,
/// the launcher from the running binary `current_exe`.
pub fn desired(loaded: &LoadedManifest, host: &Host, current_exe: &Path) -> Desired {
    let manifest = &loaded.manifest;
    let mut files: Vec<DesiredFile> = Vec::new();
    for target in &manifest.clients {
        let adapter = adapter(target.client);
        let file = adapter.file(target.scope, host, &loaded.root);
        let launcher = Launcher::for_scope(target.scope, host, current_exe)
            .with_credentials(manifest.credentials.values());
        let entries: BTreeMap<String, Value> = manifest
            .servers
            .values()
            .filter(|server| server.clients.contains(&target.client))
            .map(|server| (server.name.clone(), adapter.render(server, &launcher)))
            .collect();
        match files.iter_mut().find(|d| d.file.path == file.path) {
            Some(existing) => existing.entries.extend(entries),
            None => files.push(DesiredFile { file, entries }),
        }
    }
    Desired {
        manifest: loaded.path.clone(),
        credentials: manifest.credentials.values().cloned().collect(),
        files,
        warn_before: manifest.defaults.warn_before,
        server_credentials: manifest
            .servers
            .values()
            .map(|server| {
                let credentials = server.credential_bindings().map(|(_, c)| c.to_owned());
                (server.name.clone(), credentials.collect())
            })
            .collect(),
    }
}
