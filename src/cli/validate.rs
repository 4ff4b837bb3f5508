//! `mcpctl validate`: parse the manifest and report every problem at once.

use std::path::Path;

use super::Outcome;
use super::workspace::Workspace;

#[derive(Debug, clap::Args)]
pub struct Args {}

pub fn run(manifest: Option<&Path>, _args: Args) -> miette::Result<Outcome> {
    let workspace = Workspace::open_shared(manifest)?;
    let m = &workspace.loaded.manifest;
    println!(
        "`{}` is valid: {} server(s), {} credential(s), {} client target(s).",
        workspace.loaded.path.display(),
        m.servers.len(),
        m.credentials.len(),
        m.clients.len()
    );
    Ok(Outcome::Success)
}
