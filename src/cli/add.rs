//! `mcpctl add NAME…`: catalog servers and their credentials into the
//! manifest (an edit that keeps the rest of the file byte for byte), then
//! the plan.

use std::path::{Path, PathBuf};

use miette::{IntoDiagnostic, WrapErr};

use super::render::Style;
use super::ui::note;
use super::workspace::{Workspace, check_manifest_writable};
use super::{Outcome, plan, use_color};
use crate::catalog::add::add;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Catalog servers to add (`mcpctl catalog` lists them)
    #[arg(required = true, value_name = "NAME")]
    names: Vec<String>,
}

/// What a manifest `add` starts holds before its first server.
const NEW_MANIFEST: &str = "\
// The MCP servers this repository uses, the credentials they need and the
// clients that get them: never a secret value. Check it in; each member runs
// `mcpctl plan`, then `mcpctl apply`.
mcpctl version=1

";

pub fn run(manifest: Option<&Path>, args: Args) -> miette::Result<Outcome> {
    let created = start_manifest_if_none(manifest)?;
    // A manifest started here is in this directory, where `add_to` finds it
    // as the user would: the plan's suggested command names no `-f` then.
    let result = add_to(manifest, args);
    if result.is_err()
        && let Some(path) = &created
    {
        // Leave no half-started manifest behind a failed first `add`.
        let _ = fs_err::remove_file(path);
    }
    result
}

/// Writes a new manifest when there is none to add to: `-f PATH` names a
/// file that does not exist, or no `mcpctl.kdl` is found from here up (it
/// goes in this directory). Returns its path when it wrote one.
fn start_manifest_if_none(manifest: Option<&Path>) -> miette::Result<Option<PathBuf>> {
    let path = match manifest {
        Some(path) if path.exists() => return Ok(None),
        Some(path) => path.to_path_buf(),
        None => {
            let cwd = std::env::current_dir()
                .into_diagnostic()
                .wrap_err("cannot read the current directory")?;
            if crate::manifest::find(&cwd).is_some() {
                return Ok(None);
            }
            cwd.join(crate::manifest::MANIFEST_FILE)
        }
    };
    check_manifest_writable(&path)?;
    crate::fs::write_atomic(&path, NEW_MANIFEST.as_bytes())
        .into_diagnostic()
        .wrap_err_with(|| format!("cannot write `{}`", path.display()))?;
    note!("Created `{}`: a new manifest.", path.display());
    Ok(Some(path))
}

fn add_to(manifest: Option<&Path>, args: Args) -> miette::Result<Outcome> {
    let workspace = Workspace::open_shared(manifest)?;
    let path = workspace.loaded.path.clone();
    let label = path.display().to_string();
    let text = fs_err::read_to_string(&path).into_diagnostic()?;
    let added = add(&label, &text, &workspace.loaded.manifest, &args.names)?;
    crate::fs::write_atomic(&path, added.text.as_bytes())
        .into_diagnostic()
        .wrap_err_with(|| format!("cannot write `{label}`"))?;

    let style = Style { color: use_color() };
    let diff = similar::TextDiff::from_lines(&text, &added.text);
    for change in diff.iter_all_changes() {
        if change.tag() == similar::ChangeTag::Insert {
            let line = change.as_str().unwrap_or_default().trim_end_matches('\n');
            println!("{}", style.green(format!("+ {line}").trim_end()));
        }
    }
    println!();
    let mut summary = format!(
        "Added {} {} to {label}",
        crate::words::plural(added.servers.len(), "server"),
        quoted(&added.servers).join(", ")
    );
    if !added.credentials.is_empty() {
        summary.push_str(&format!(
            ", with {} {}",
            crate::words::plural(added.credentials.len(), "credential"),
            quoted(&added.credentials).join(", ")
        ));
    }
    println!("{summary}.");
    if !added.kept.is_empty() {
        println!(
            "Kept the manifest's own {} (already declared).",
            quoted(&added.kept).join(", ")
        );
    }
    println!(
        "Review the new nodes before applying: their comments say which values are yours to fill in."
    );
    for (server, package) in &added.unpinned {
        println!(
            "note: server `{server}` runs `{package}` without a pinned version; pin one in its \
             `command` (`\"{package}@1.2.3\"`) so every member runs the same: until then \
             `validate` warns, and `policy {{ pin-packages #true }}` refuses it"
        );
    }
    if workspace.loaded.manifest.clients.is_empty() {
        let detected = crate::client::detected(&workspace.host);
        let names: Vec<String> = detected.iter().map(|t| t.client.to_string()).collect();
        if names.is_empty() {
            println!(
                "note: the manifest has no `client` node and no client is detected here, so no client gets these servers; add one, e.g. `client claude-code`"
            );
        } else {
            println!(
                "note: the manifest has no `client` node: the servers go to the clients detected here ({}); add `client` nodes to choose",
                names.join(", ")
            );
        }
    }
    println!();
    plan::run(manifest, plan::Args::default())
}

fn quoted(names: &[String]) -> Vec<String> {
    names.iter().map(|n| format!("`{n}`")).collect()
}
