//! `mcpctl validate`: parse the manifest and report every problem at once.

use std::path::Path;

use super::Outcome;
use super::workspace::Workspace;

#[derive(Debug, clap::Args)]
pub struct Args {}

pub fn run(manifest: Option<&Path>, _args: Args) -> miette::Result<Outcome> {
    let workspace = Workspace::open_shared(manifest)?;
    let m = &workspace.loaded.manifest;
    let pinned_by_policy = m.policy.as_ref().is_some_and(|p| p.pin_packages);
    for server in m.servers.values().filter(|_| !pinned_by_policy) {
        if let Some(package) = server.package().filter(|p| !p.pinned) {
            eprintln!(
                "warning: server `{}` runs `{}` without a pinned version: each start may fetch whatever was published last",
                server.name, package.name
            );
            eprintln!(
                "hint: pin it (`\"{}@1.2.3\"`), or make it an error for everyone with `policy {{ pin-packages #true }}`",
                package.name
            );
        }
    }
    println!(
        "`{}` is valid: {} server(s), {} credential(s), {} client target(s).",
        workspace.loaded.path.display(),
        m.servers.len(),
        m.credentials.len(),
        m.clients.len()
    );
    Ok(Outcome::Success)
}
