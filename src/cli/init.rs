//! `mcpctl init --from-clients`: write `mcpctl.kdl` from the servers the
//! clients on this machine have (see [`crate::adopt::init`]).

use std::path::{Path, PathBuf};

use miette::{IntoDiagnostic, WrapErr};

use super::Outcome;
use super::render::display_path;
use super::workspace::check_manifest_writable;
use crate::adopt::init::draft;
use crate::client::adapter;
use crate::host::Host;
use crate::manifest::{ClientId, MANIFEST_FILE, Scope};
use crate::observe::load_document;
use crate::store::{CredentialStore as _, KeyringStore};
use crate::terminal_text::escape;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Draft the manifest from the servers configured in this machine's clients (user scope)
    #[arg(long, required = true)]
    from_clients: bool,

    /// Replace an existing manifest
    #[arg(long)]
    force: bool,
}

#[derive(Debug, thiserror::Error, miette::Diagnostic)]
#[error("`{path}` already exists")]
#[diagnostic(help(
    "keep it and add servers with `mcpctl add NAME`, write elsewhere with `-f PATH`, or replace it with `mcpctl init --from-clients --force`"
))]
struct Exists {
    path: String,
}

pub fn run(manifest: Option<&Path>, args: Args) -> miette::Result<Outcome> {
    let host = Host::from_process()?;
    let cwd = std::env::current_dir().into_diagnostic()?;
    let path = manifest.map_or_else(|| cwd.join(MANIFEST_FILE), Path::to_path_buf);
    check_manifest_writable(&path)?;
    if path.exists() && !args.force {
        return Err(Exists {
            path: path.display().to_string(),
        }
        .into());
    }
    let root = std::path::absolute(&path)
        .ok()
        .and_then(|p| p.parent().map(Path::to_path_buf))
        .unwrap_or(cwd);
    let mut documents = Vec::new();
    let mut read: Vec<PathBuf> = Vec::new();
    for id in ClientId::ALL {
        let Some(file) = adapter(id).file(Scope::User, &host, &root) else {
            continue;
        };
        if let Some(document) = load_document(&file)? {
            read.push(file.path.clone());
            documents.push((file, document));
        }
    }
    // Only whether each is there, no value read; without a store (a
    // headless machine) nothing is, and apply asks as it would.
    let store = KeyringStore::open(&super::ui::user(&host)?).ok();
    let stored = |name: &str| {
        store
            .as_ref()
            .is_some_and(|store| store.exists(name).unwrap_or(false))
    };
    let draft = draft(&documents, &stored)?;
    crate::fs::write_atomic(&path, draft.text.as_bytes())
        .into_diagnostic()
        .wrap_err_with(|| format!("cannot write `{}`", path.display()))?;

    let shown = display_path(&path, &host.home);
    let files: Vec<String> = read.iter().map(|p| display_path(p, &host.home)).collect();
    println!(
        "Wrote {shown}: {}, {}, {}, from {}.",
        crate::words::count(draft.servers.len(), "server"),
        crate::words::count(draft.credentials.len(), "credential"),
        crate::words::count(draft.clients.len(), "client"),
        if files.is_empty() {
            "no client file (none was found)".to_owned()
        } else {
            files.join(", ")
        }
    );
    // Both quote entries of the client files read.
    for left in &draft.left {
        println!("  left out: {}", escape(left));
    }
    for note in &draft.notes {
        println!("  note: {}", escape(note));
    }
    println!();
    println!("Next:");
    println!("  mcpctl import                    # plaintext values into the OS credential store");
    if draft.referenced.is_empty() {
        println!("  mcpctl apply --adopt             # take the client entries over");
    } else {
        println!(
            "  mcpctl apply --adopt             # take the entries over; asks for {} (or set them and add --secrets-from-env)",
            draft.referenced.join(", ")
        );
    }
    println!("  mcpctl plan                      # then: No changes.");
    Ok(Outcome::Success)
}
