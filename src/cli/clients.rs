//! `mcpctl clients`: every MCP client mcpctl knows, whether it is here,
//! its files per scope and how many servers each holds. Local and project
//! scope are shown for the nearest manifest's directory (else the current
//! one).

use std::path::Path;

use miette::IntoDiagnostic;

use super::Outcome;
use super::render::display_path;
use crate::host::Host;
use crate::inventory::survey;
use crate::manifest;
use crate::state::State;
use crate::terminal_text::escape;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Print the survey as JSON
    #[arg(long)]
    json: bool,
}

pub fn run(manifest_arg: Option<&Path>, args: Args) -> miette::Result<Outcome> {
    let host = Host::from_process()?;
    let cwd = std::env::current_dir().into_diagnostic()?;
    let manifest_path = manifest_arg
        .map(Path::to_path_buf)
        .or_else(|| manifest::find(&cwd));
    let root = manifest_path
        .as_deref()
        .and_then(|p| std::path::absolute(p).ok())
        .and_then(|p| p.parent().map(Path::to_path_buf))
        .unwrap_or(cwd);
    let state = State::load(&host.state_dir())?;
    let report = survey(&host, &root, &state);
    if args.json {
        println!(
            "{}",
            serde_json::to_string_pretty(&report).expect("report serializes")
        );
        return Ok(Outcome::Success);
    }
    for client in &report {
        // A client with no file on this OS (Visual Studio is Windows only)
        // is not "not found": there is nothing to look for.
        if client.files.is_empty() {
            println!(
                "{}: not on {} (mcpctl knows no file of it here)",
                client.client,
                std::env::consts::OS
            );
            continue;
        }
        let found = if client.detected {
            "found"
        } else {
            "not found"
        };
        let delivery = match &client.env_ref {
            Some(syntax) => format!("exec, env-ref ({syntax})"),
            None => "exec".to_owned(),
        };
        println!("{}: {found}; delivery: {delivery}", client.client);
        for file in &client.files {
            let what = if let Some(error) = &file.error {
                format!("unreadable: {error}")
            } else if !file.exists {
                "absent".to_owned()
            } else {
                format!(
                    "{}, {} owned by mcpctl",
                    crate::words::count(file.servers, "server"),
                    file.owned
                )
            };
            let table = if file.scope == crate::manifest::Scope::Local {
                format!(" [{}]", file.table.join(" › "))
            } else {
                String::new()
            };
            // A project table is named by a path from the file; errors quote it.
            println!(
                "  {:<8} {}{}: {}",
                file.scope.as_str(),
                display_path(&file.path, &host.home),
                escape(&table),
                escape(&what)
            );
        }
    }
    Ok(Outcome::Success)
}
