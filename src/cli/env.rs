//! `mcpctl env --shell SHELL`: print the exports env-ref clients need.
//!
//! Clients in env-ref delivery read `${GITHUB_TOKEN}` (or their own
//! syntax) from the environment they start in. This command reads those
//! credentials from where they live (the store, or their `env`/`command`
//! source) and prints one export per credential, quoted
//! for the shell so any value is taken literally; the shell-profile block
//! mcpctl manages evaluates it at shell start. Values go to stdout only —
//! that is the command's purpose — never to a file or a log; each read is
//! recorded in the audit trail (without the value).

use super::ui::note;
use std::path::Path;

use miette::Diagnostic;

use super::Outcome;
use super::workspace::Workspace;
use crate::audit::{Event, Outcome as AuditOutcome};
use crate::client::{detected, env_ref_credentials};
use crate::manifest::{Credential, Shell};
use crate::plan::targets;
use crate::shell::export_line;
use crate::source::Reference;
use crate::store::CredentialStore;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The shell to print for: bash, zsh, fish or powershell
    #[arg(long, value_name = "SHELL", value_parser = parse_shell)]
    shell: Shell,
}

fn parse_shell(text: &str) -> Result<Shell, String> {
    Shell::from_name(text)
        .ok_or_else(|| format!("unknown shell `{text}`; use bash, zsh, fish or powershell"))
}

#[derive(Debug, thiserror::Error, Diagnostic)]
#[error("{} credential(s) could not be read: {}", names.len(), names.join(", "))]
#[diagnostic(help(
    "run `mcpctl apply` to store missing ones (the messages above say why each failed); the others were exported"
))]
struct Missing {
    names: Vec<String>,
}

pub fn run(manifest: Option<&Path>, args: Args) -> miette::Result<Outcome> {
    let workspace = Workspace::open(manifest)?;
    let loaded = &workspace.loaded;
    let targets = targets(loaded, &detected(&workspace.host));
    let names = env_ref_credentials(&loaded.manifest, &targets);
    if names.is_empty() {
        note!(
            "note: no client of `{}` references credentials by environment variable (delivery env-ref); nothing to export",
            loaded.path.display()
        );
        return Ok(Outcome::Success);
    }
    let credentials: Vec<&Credential> = names
        .iter()
        .filter_map(|name| loaded.manifest.credentials.get(name))
        .collect();
    let references: Vec<Reference> = credentials
        .iter()
        .map(|c| Reference::for_credential(c))
        .collect();
    let store = if references.iter().any(Reference::needs_store) {
        Some(workspace.open_store()?)
    } else {
        None
    };
    let audit = workspace.audit_log("env")?;
    let mut missing = Vec::new();
    for (credential, reference) in credentials.iter().zip(&references) {
        if credential.is_file() {
            note!(
                "warning: `{}` is a file credential; only `exec` delivery hands files to servers, so it is not exported",
                credential.name
            );
            continue;
        }
        let found = reference.read(store.as_ref().map(|s| s as &dyn CredentialStore), false);
        let event = Event {
            action: "store.read",
            target: credential.name.clone(),
            server: None,
            detail: Some(format!("exported for {}", args.shell)),
            outcome: if found.is_ok() {
                AuditOutcome::Ok
            } else {
                AuditOutcome::Failed
            },
        };
        if let Err(err) = audit.append(&event) {
            eprintln!(
                "warning: cannot append to the audit trail `{}`: {err}",
                audit.path().display()
            );
        }
        match found {
            Ok(secret) => println!(
                "{}",
                export_line(args.shell, &credential.name, secret.expose())
            ),
            Err(err) => {
                eprintln!("{}", super::report::Shown(&err));
                missing.push(credential.name.clone());
            }
        }
    }
    if missing.is_empty() {
        Ok(Outcome::Success)
    } else {
        Err(Missing { names: missing }.into())
    }
}
