//! `mcpctl add NAME…`: catalog servers and their credentials into the
//! manifest (an edit that keeps the rest of the file byte for byte), then
//! the plan.

use std::path::Path;

use miette::{IntoDiagnostic, WrapErr};

use super::render::Style;
use super::workspace::Workspace;
use super::{Outcome, plan, use_color};
use crate::catalog::add::add;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Catalog servers to add (`mcpctl catalog` lists them)
    #[arg(required = true, value_name = "NAME")]
    names: Vec<String>,
}

pub fn run(manifest: Option<&Path>, args: Args) -> miette::Result<Outcome> {
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
        "Added server(s) {} to {label}",
        quoted(&added.servers).join(", ")
    );
    if !added.credentials.is_empty() {
        summary.push_str(&format!(
            ", with credential(s) {}",
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
    plan::run(Some(&path), plan::Args::default())
}

fn quoted(names: &[String]) -> Vec<String> {
    names.iter().map(|n| format!("`{n}`")).collect()
}
