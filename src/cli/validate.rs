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
        "`{}` is valid: {}, {}, {}.",
        workspace.loaded.path.display(),
        crate::words::count(m.servers.len(), "server"),
        crate::words::count(m.credentials.len(), "credential"),
        crate::words::count(m.clients.len(), "client target")
    );
    Ok(Outcome::Success)
}
