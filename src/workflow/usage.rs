//! Which servers read a credential, and the client files that run them:
//! what `rotate` tells a person to restart, and whose entries `revoke`
//! removes.

use std::path::{Path, PathBuf};

use crate::host::Host;
use crate::manifest::{ClientId, Manifest, Slot};

/// A server that reads the credential.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Usage<'m> {
    pub server: &'m str,
    /// Where the server puts it: a variable, or a header.
    pub slot: Slot<'m>,
    /// The client files whose entries run the server, with their client.
    pub files: Vec<(ClientId, PathBuf)>,
}

/// The servers of `manifest` that read `credential`, with the files of
/// the manifest's clients that run each (project files under `root`).
pub fn usage<'m>(
    manifest: &'m Manifest,
    host: &Host,
    root: &Path,
    credential: &str,
) -> Vec<Usage<'m>> {
    servers_using(manifest, credential)
        .into_iter()
        .map(|(server, slot)| Usage {
            server,
            slot,
            files: manifest
                .clients
                .iter()
                .filter(|t| manifest.servers[server].clients.contains(&t.client))
                .filter_map(|t| {
                    let file = crate::client::adapter(t.client).file(t.scope, host, root)?;
                    Some((t.client, file.path))
                })
                .collect(),
        })
        .collect()
}

/// The servers that read `credential`, with where each puts it.
pub fn servers_using<'m>(manifest: &'m Manifest, credential: &str) -> Vec<(&'m str, Slot<'m>)> {
    manifest
        .servers
        .values()
        .flat_map(|server| {
            server
                .credential_uses()
                .filter(move |(_, c)| *c == credential)
                .map(move |(slot, _)| (server.name.as_str(), slot))
        })
        .collect()
}
