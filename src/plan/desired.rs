//! What the manifest asks for on this machine: the credentials, and for
//! each targeted client file the exact entries it should hold.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde_json::Value;

use super::Reason;
use crate::client::{ClientFile, Launcher, RenderContext, adapter, env_ref_credentials};
use crate::host::Host;
use crate::manifest::{AuditPolicy, ClientTarget, Credential, LoadedManifest, Period, Shell};
use crate::shell;
use crate::source::Reference;

#[derive(Debug, Clone)]
pub struct Desired {
    pub manifest: PathBuf,
    pub credentials: Vec<Credential>,
    pub files: Vec<DesiredFile>,
    /// How long before a due or expiry date to warn.
    pub warn_before: Period,
    /// The credentials each server needs, so a revoked one blocks it.
    pub server_credentials: BTreeMap<String, Vec<String>>,
    /// mcpctl's block in each shell profile the manifest asks for.
    pub blocks: Vec<DesiredBlock>,
    /// What `mcpctl env` should export (see [`env_exports`]).
    pub exports: BTreeMap<String, String>,
    /// The audit settings the manifest asks for (`audit { … }`).
    pub audit: AuditPolicy,
}

/// The block one shell profile should hold.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DesiredBlock {
    pub shell: Shell,
    pub file: PathBuf,
    pub block: String,
}

/// The entries one client file should hold, rendered by its adapter.
#[derive(Debug, Clone)]
pub struct DesiredFile {
    pub file: ClientFile,
    pub entries: BTreeMap<String, Value>,
    /// What the plan should say about a server in this file (a delivery
    /// the client cannot do, or why it is left out), by server name: the
    /// adapter's notes, as [`Reason::Client`].
    pub reasons: BTreeMap<String, Vec<Reason>>,
}

/// The client targets a plan covers: the manifest's `client` nodes, or,
/// when it names none, the clients `detected` on this machine.
pub fn targets(loaded: &LoadedManifest, detected: &[ClientTarget]) -> Vec<ClientTarget> {
    if loaded.manifest.clients.is_empty() {
        detected.to_vec()
    } else {
        loaded.manifest.clients.clone()
    }
}

/// What `mcpctl env` should export for the manifest: each credential an
/// env-ref client references, by variable name (the credential's), with
/// where its value is read — the text form of [`Reference`], so a
/// `source command` is its exact argv. File credentials are left out: only
/// exec delivery hands a file to a server.
pub fn env_exports(loaded: &LoadedManifest, targets: &[ClientTarget]) -> BTreeMap<String, String> {
    env_ref_credentials(&loaded.manifest, targets)
        .iter()
        .filter_map(|name| loaded.manifest.credentials.get(name))
        .filter(|credential| !credential.is_file())
        .map(|credential| {
            let source = Reference::for_credential(credential).to_arg();
            (credential.name.clone(), source)
        })
        .collect()
}

/// Resolves the manifest against this machine: file paths from `host`,
/// the launcher from the running binary `current_exe`, the targets from
/// [`targets`]. A path a shell-profile block cannot hold is an error.
pub fn desired(
    loaded: &LoadedManifest,
    host: &Host,
    current_exe: &Path,
    detected: &[ClientTarget],
) -> Result<Desired, shell::BlockError> {
    let manifest = &loaded.manifest;
    let every_client = manifest.clients.is_empty();
    let mut files: Vec<DesiredFile> = Vec::new();
    let targets = targets(loaded, detected);
    for &target in &targets {
        let adapter = adapter(target.client);
        let Some(file) = adapter.file(target.scope, host, &loaded.root) else {
            continue;
        };
        let mut launcher = Launcher::for_scope(target.scope, host, current_exe)
            .with_credentials(manifest.credentials.values());
        // A checked-in project file names no path of this machine, only
        // the manifest's file name beside it (see `crate::client::launch`).
        launcher = if target.scope == crate::manifest::Scope::Project {
            launcher.owned_by(Path::new(loaded.path.file_name().unwrap_or_default()))
        } else {
            launcher.owned_by(&loaded.path)
        };
        let mut wanted = DesiredFile {
            file,
            entries: BTreeMap::new(),
            reasons: BTreeMap::new(),
        };
        for server in manifest
            .servers
            .values()
            .filter(|server| every_client || server.clients.contains(&target.client))
        {
            let cx = RenderContext {
                launcher: &launcher,
                delivery: manifest.delivery(server, &target),
                os: host.os,
            };
            let rendered = adapter.render(server, &cx);
            if let Some(entry) = rendered.entry {
                wanted.entries.insert(server.name.clone(), entry);
            }
            if !rendered.notes.is_empty() {
                let reasons = rendered
                    .notes
                    .into_iter()
                    .map(|note| Reason::Client { note });
                wanted
                    .reasons
                    .insert(server.name.clone(), reasons.collect());
            }
        }
        match files
            .iter_mut()
            .find(|d| d.file.path == wanted.file.path && d.file.table == wanted.file.table)
        {
            Some(existing) => {
                existing.entries.extend(wanted.entries);
                existing.reasons.extend(wanted.reasons);
            }
            None => files.push(wanted),
        }
    }
    // The block runs this mcpctl by its stable absolute path, as user-scope
    // entries do.
    let mcpctl = Launcher::for_scope(crate::manifest::Scope::User, host, current_exe);
    let blocks = manifest
        .shell_profiles
        .iter()
        .flat_map(|&shell| {
            shell::profile_paths(shell, host)
                .into_iter()
                .map(move |file| (shell, file))
        })
        .map(|(shell, file)| {
            Ok(DesiredBlock {
                shell,
                file,
                block: shell::block(shell, mcpctl.program(), &loaded.path)?,
            })
        })
        .collect::<Result<_, _>>()?;
    Ok(Desired {
        manifest: loaded.path.clone(),
        credentials: manifest.credentials.values().cloned().collect(),
        files,
        warn_before: manifest.defaults.warn_before,
        server_credentials: manifest
            .servers
            .values()
            .map(|server| {
                let credentials = server.credentials_read().map(str::to_owned);
                (server.name.clone(), credentials.collect())
            })
            .collect(),
        blocks,
        exports: env_exports(loaded, &targets),
        audit: manifest.audit.clone(),
    })
}
