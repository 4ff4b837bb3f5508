//! `mcpctl destroy`: remove everything this manifest put on the machine —
//! its entries in client files and its shell-profile blocks, and with
//! `--include-credentials` its credentials in the store. Offboarding, or
//! leaving a project. Shown as a plan and confirmed like `apply`.

use std::path::Path;

use super::apply::{confirm, execute};
use super::render::Style;
use super::render::plan::{View, render};
use super::workspace::Workspace;
use super::{Outcome, use_color};
use crate::apply::{ApplyError, Record, SecretSource};
use crate::manifest::Credential;
use crate::store::{CredentialStore, Secret};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Also delete the manifest's credentials from the store (a token
    /// may still be needed elsewhere; revoke it at its provider too)
    #[arg(long)]
    include_credentials: bool,

    /// Destroy without asking for confirmation
    #[arg(long)]
    auto_approve: bool,
}

/// Destroy asks for no value.
struct NoSecrets;

impl SecretSource for NoSecrets {
    fn secret_for(&mut self, credential: &Credential) -> Result<Secret, ApplyError> {
        Err(ApplyError::UnknownCredential {
            credential: credential.name.clone(),
        })
    }
}

pub fn run(manifest: Option<&Path>, args: Args) -> miette::Result<Outcome> {
    let mut workspace = Workspace::open_shared(manifest)?;
    let _lock = workspace.lock()?;
    let store = workspace.open_store()?;
    let (desired, observed) = workspace.observe(Ok(&store as &dyn CredentialStore))?;
    let plan = crate::plan::destroy(&desired, &observed, args.include_credentials);
    let style = Style { color: use_color() };
    if !plan.has_changes() {
        println!(
            "Nothing to destroy: `{}` has put nothing on this machine.",
            workspace.loaded.path.display()
        );
        return Ok(Outcome::Success);
    }
    print!(
        "{}",
        render(&plan, &workspace.host.home, style, View::Apply,)
    );
    if !args.include_credentials {
        println!(
            "Credentials stay in the store; `mcpctl destroy --include-credentials` deletes them too."
        );
    }
    if !args.auto_approve {
        confirm("Destroy these?", "mcpctl destroy --auto-approve")?;
        // It happens now, not when it was shown.
        workspace.now = jiff::Timestamp::now();
    }
    let audit = workspace.audit_log("destroy")?;
    let record = Record::Destroy {
        manifest: workspace.loaded.path.clone(),
    };
    let report = execute(
        &workspace,
        &store,
        &plan,
        observed,
        &mut NoSecrets,
        &audit,
        record,
    )?;
    println!(
        "{}",
        style.bold(&format!(
            "Destroy complete: {} destroyed ({} written).",
            plan.summary().destroy,
            crate::words::count(report.files_written, "file")
        ))
    );
    Ok(Outcome::Success)
}
