//! `mcpctl revoke NAME`: the guide's emergency response, as far as this
//! machine goes.
//!
//! "If a token is compromised, revoke it immediately; generate a new token
//! with a different name; update all MCP configurations; review access logs
//! for unauthorized usage." mcpctl deletes the value from the store, records
//! the credential as revoked (so later plans show its servers as blocked
//! and never re-create their entries or ask for it), removes the client
//! entries of every server that uses it through the ordinary plan/apply
//! machinery (so the diff is shown first), records all of it in the audit
//! trail, and prints what only a person can do: the provider's page to
//! revoke the token itself, and the remaining steps with exact commands.

use super::ui::note;
use std::path::Path;

use super::render::plan::{View, render};
use super::render::{Style, display_path};
use super::rotate::declared_in_store;
use super::workspace::Workspace;
use super::{Outcome, use_color};
use crate::apply::Progress;
use crate::manifest::Credential;
use crate::store::CredentialStore;
use crate::workflow::revoke;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The credential to revoke, as the manifest names it
    #[arg(add = clap_complete::engine::ArgValueCandidates::new(super::complete::credentials))]
    name: String,

    /// Revoke without asking for confirmation
    #[arg(long)]
    auto_approve: bool,
}

pub fn run(manifest: Option<&Path>, args: Args) -> miette::Result<Outcome> {
    let workspace = Workspace::open(manifest)?;
    let credential = declared_in_store(&workspace, &args.name)?;
    let _lock = workspace.lock()?;
    let store = workspace.open_store()?;
    let desired = workspace.desired()?;
    let revocation = revoke::plan(
        &desired,
        &workspace.loaded.manifest,
        &store,
        workspace.machine(),
        credential,
        workspace.now,
    )?;

    let style = Style { color: use_color() };
    let home = &workspace.host.home;
    // What will happen, before it does: the entries, not the credential's
    // line, which would already say "revoked on …".
    let mut preview = revocation.plan.clone();
    preview.credentials.clear();
    if preview.files.is_empty() {
        println!(
            "Revoking `{}`: its value is deleted from the {}; no client entry runs a server that uses it.\n",
            credential.name,
            store.name()
        );
    } else {
        println!(
            "Revoking `{}`: its value is deleted from the {} and these entries are removed:\n",
            credential.name,
            store.name()
        );
        print!("{}", render(&preview, home, style, View::Apply));
    }
    if !args.auto_approve {
        super::apply::confirm(
            "Revoke it?",
            &format!("mcpctl revoke {} --auto-approve", credential.name),
        )?;
    }

    let audit = workspace.audit_log("revoke")?;
    let existed = revocation.delete_value(&store, &workspace.state_dir, &audit, credential)?;
    note!(
        "{} `{}` in the {}",
        if existed {
            "deleted"
        } else {
            "there was no value for"
        },
        credential.name,
        store.name()
    );

    let users = revocation.users.clone();
    let mut progress = |event: Progress| match event {
        Progress::WroteFile { path, .. } => note!("wrote `{}`", display_path(&path, home)),
        Progress::WroteAgain {
            path,
            writer,
            servers,
            back,
        } => super::apply::tell_wrote_again(&path, writer, &servers, &back, home),
        _ => {}
    };
    revocation.remove_entries(
        &store,
        &workspace.state_dir,
        &audit,
        &workspace.loaded.root,
        &mut progress,
    )?;

    println!();
    println!(
        "{}",
        style.bold(&format!(
            "`{}` is revoked on this machine; {} blocked: {}.",
            credential.name,
            crate::words::count(users.len(), "server"),
            if users.is_empty() {
                "none".to_owned()
            } else {
                users.join(", ")
            }
        ))
    );
    print_next_steps(credential);
    Ok(Outcome::Success)
}

/// What is left to do, as the guide's emergency response lists it.
fn print_next_steps(credential: &Credential) {
    let name = &credential.name;
    println!();
    println!("Now:");
    match revocation_page(credential) {
        Some(url) => println!("  1. Revoke the token at the provider: {url}"),
        None => println!(
            "  1. Revoke the token at the provider that issued it (the manifest names no page; add `create-at`)"
        ),
    }
    println!(
        "  2. Create a new token, with a different name at the provider{}",
        credential
            .create_at
            .as_deref()
            .map(|url| format!(": {url}"))
            .unwrap_or_default()
    );
    if !credential.scopes.is_empty() {
        println!("     scopes: {}", credential.scopes.join(", "));
    }
    println!("  3. Store it and lift the block: `mcpctl rotate {name}`");
    println!("  4. Re-create the entries: `mcpctl apply`");
    println!("  5. Review the access log for unauthorized use: `mcpctl audit --credential {name}`");
}

/// Where a person revokes a token of this provider (`rotate` names it
/// too, for the old value).
pub(super) fn revocation_page(credential: &Credential) -> Option<String> {
    let known = match credential.provider.as_deref() {
        Some("github") => Some("https://github.com/settings/tokens"),
        Some("gitlab") => Some("https://gitlab.com/-/user_settings/personal_access_tokens"),
        Some("slack") => Some("https://api.slack.com/apps"),
        Some("aws") => Some("https://console.aws.amazon.com/iam/home#/security_credentials"),
        Some("openai") => Some("https://platform.openai.com/api-keys"),
        Some("anthropic") => Some("https://console.anthropic.com/settings/keys"),
        _ => None,
    };
    known
        .map(str::to_owned)
        .or_else(|| credential.create_at.clone())
}
