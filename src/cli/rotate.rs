//! `mcpctl rotate NAME`: put a new value for a credential in the store.
//!
//! The guide's rotation is "create a new token, replace the old one, revoke
//! the old one at the provider". mcpctl does the middle step: it asks for
//! the new value (hidden input, `--from-env`, `--from-stdin`), stores it
//! under the same entry, records the time (and the provider's expiry date,
//! if given) in its state and the audit trail, and shows which servers and
//! client files use the credential — every one of them reads the new value
//! the next time its client starts it, because entries hold only a launcher.
//! Rotating a revoked credential lifts the revocation.

use std::path::Path;

use super::render::display_path;
use super::workspace::Workspace;
use super::{Outcome, secret_input};
use crate::manifest::Credential;
use crate::store::{CredentialStore, Secret};
use crate::workflow::rotate::rotate;
use crate::workflow::usage;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The credential to rotate, as the manifest names it
    #[arg(add = clap_complete::engine::ArgValueCandidates::new(super::complete::credentials))]
    name: String,

    /// Read the new value from the environment variable VAR [default: NAME]
    #[arg(long, value_name = "VAR", num_args = 0..=1, default_missing_value = "", conflicts_with = "from_stdin")]
    from_env: Option<String>,

    /// Read the new value from standard input
    #[arg(long)]
    from_stdin: bool,

    /// The day the provider expires the new value (YYYY-MM-DD); the plan
    /// warns ahead of it
    #[arg(long, value_name = "DATE", value_parser = secret_input::parse_expiry)]
    expires: Option<jiff::civil::Date>,
}

#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum LifecycleError {
    #[error("the manifest `{manifest}` declares no credential `{name}`")]
    #[diagnostic(help("{hint}"))]
    UnknownCredential {
        name: String,
        manifest: String,
        hint: String,
    },

    #[error("no new value for `{name}`; nothing was changed")]
    #[diagnostic(help("{hint}"))]
    NoValue { name: String, hint: String },

    #[error("`{name}` is read from {from}, which mcpctl only reads; nothing was changed")]
    #[diagnostic(help(
        "change or revoke the value where it lives ({from}); servers read the new value the next time they start"
    ))]
    ReadOnlySource { name: String, from: String },
}

/// The declared credential `name`, which must live in the OS store: `rotate`
/// and `revoke` write there, and `env`/`command` sources are read-only.
pub fn declared_in_store<'m>(
    workspace: &'m Workspace,
    name: &str,
) -> Result<&'m Credential, LifecycleError> {
    let credential = declared(workspace, name)?;
    if credential.source.is_store() {
        Ok(credential)
    } else {
        Err(LifecycleError::ReadOnlySource {
            name: credential.name.clone(),
            from: credential.source.describe(),
        })
    }
}

/// The declared credential `name`, or an error listing the declared ones.
pub fn declared<'m>(
    workspace: &'m Workspace,
    name: &str,
) -> Result<&'m Credential, LifecycleError> {
    let credentials = &workspace.loaded.manifest.credentials;
    credentials.get(name).ok_or_else(|| {
        let known: Vec<&str> = credentials.keys().map(String::as_str).collect();
        let hint = match crate::manifest::did_you_mean(name, known.iter().copied()) {
            Some(close) => format!("did you mean `{close}`?"),
            None if known.is_empty() => "the manifest declares no credentials".to_owned(),
            None => format!("the manifest declares {}", known.join(", ")),
        };
        LifecycleError::UnknownCredential {
            name: name.to_owned(),
            manifest: workspace.loaded.path.display().to_string(),
            hint,
        }
    })
}

pub fn run(manifest: Option<&Path>, args: Args) -> miette::Result<Outcome> {
    let workspace = Workspace::open(manifest)?;
    let credential = declared_in_store(&workspace, &args.name)?;
    let _lock = workspace.lock()?;
    let store = workspace.open_store()?;
    let audit = workspace.audit_log("rotate")?;
    let rotated = rotate(
        &store,
        &workspace.state_dir,
        &audit,
        credential,
        || read_value(credential, &args).map_err(miette::Report::from),
        args.expires,
        workspace.now,
    )?;

    println!(
        "Stored a new value for `{}` in the {}.",
        credential.name,
        store.name()
    );
    if let Some(period) = credential.rotate_every {
        println!("  next rotation due in {} days", period.days);
    }
    if let Some(date) = args.expires {
        println!("  the provider expires it on {date}; the plan warns ahead of that");
    }
    print_usage(&workspace, &credential.name);
    if rotated.was_revoked {
        println!();
        println!("The revocation of `{}` is lifted.", credential.name);
        println!("Run `mcpctl apply` to re-create the entries of the servers that were blocked.");
    } else {
        println!();
        println!(
            "Restart those clients' servers to pick up the new value, then revoke the old \
             value at the provider{}.",
            super::revoke::revocation_page(credential)
                .map(|url| format!(" ({url})"))
                .unwrap_or_default()
        );
    }
    Ok(Outcome::Success)
}

fn read_value(credential: &Credential, args: &Args) -> Result<Secret, LifecycleError> {
    let value = if args.from_stdin {
        secret_input::from_stdin()
    } else if let Some(var) = &args.from_env {
        let var = if var.is_empty() {
            &credential.name
        } else {
            var
        };
        if credential.is_file() {
            secret_input::file_from_env(var)
        } else {
            secret_input::from_env(var)
        }
    } else {
        let why = format!("New value for `{}`:", credential.name);
        secret_input::prompt_hidden(credential, &why, secret_input::Asker::Rotate)
    };
    value.map_err(|hint| LifecycleError::NoValue {
        name: credential.name.clone(),
        hint,
    })
}

/// Prints which servers read `credential` and which client files run them.
pub fn print_usage(workspace: &Workspace, credential: &str) {
    let users = usage(
        &workspace.loaded.manifest,
        &workspace.host,
        &workspace.loaded.root,
        credential,
    );
    if users.is_empty() {
        println!("No server in the manifest uses `{credential}`.");
        return;
    }
    println!("Used by:");
    let home = &workspace.host.home;
    for user in users {
        let clients: Vec<String> = user
            .files
            .iter()
            .map(|(client, path)| format!("{client} ({})", display_path(path, home)))
            .collect();
        println!(
            "  server `{}` (as {}) in {}",
            user.server,
            user.slot,
            clients.join(", ")
        );
    }
}
