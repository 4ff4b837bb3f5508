//! `mcpctl catalog`: the servers `mcpctl add` knows, with the credentials
//! each needs (kind, least-privilege scopes, rotation, where to create it).

use serde_json::json;

use super::Outcome;
use crate::catalog::{Entry, catalog, package};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Print the catalog as JSON
    #[arg(long)]
    json: bool,
}

pub fn run(args: Args) -> miette::Result<Outcome> {
    let catalog = catalog();
    if args.json {
        let entries: Vec<serde_json::Value> = catalog.entries().map(|e| to_json(&e)).collect();
        println!(
            "{}",
            serde_json::to_string_pretty(&entries).expect("catalog serializes")
        );
        return Ok(Outcome::Success);
    }
    for entry in catalog.entries() {
        let server = entry.server;
        let package = package(&server.transport);
        println!(
            "{} — {}",
            server.name,
            server.description.as_deref().unwrap_or_default()
        );
        println!("    {} {}", package.registry, package.name);
        for (var, credential) in variables(&entry) {
            let scopes = credential.scopes.join(", ");
            let rotation = credential
                .rotate_every
                .map(|p| format!("; rotate every {p}"))
                .unwrap_or_default();
            println!(
                "    {} → {var}: {}; scopes: {scopes}{rotation}",
                credential.name,
                credential.kind.as_str()
            );
            if let Some(url) = &credential.create_at {
                println!("        create it at {url}");
            }
        }
    }
    println!();
    println!("`mcpctl add NAME…` adds servers and their credentials to the manifest.");
    Ok(Outcome::Success)
}

/// Each credential with where the server reads it: an environment
/// variable, or a header.
fn variables<'a>(entry: &Entry<'a>) -> Vec<(String, &'a crate::manifest::Credential)> {
    entry
        .credentials
        .iter()
        .map(|credential| {
            let slot = entry
                .server
                .credential_uses()
                .find(|(_, c)| *c == credential.name)
                .map(|(slot, _)| slot.to_string());
            (slot.unwrap_or_default(), *credential)
        })
        .collect()
}

fn to_json(entry: &Entry<'_>) -> serde_json::Value {
    let server = entry.server;
    let credentials: Vec<serde_json::Value> = variables(entry)
        .into_iter()
        .map(|(var, c)| {
            json!({
                "name": c.name,
                "delivered-as": var,
                "kind": c.kind,
                "provider": c.provider,
                "scopes": c.scopes,
                "rotate-every": c.rotate_every,
                "create-at": c.create_at,
                "description": c.description,
            })
        })
        .collect();
    json!({
        "name": server.name,
        "description": server.description,
        "package": package(&server.transport),
        "transport": server.transport,
        "credentials": credentials,
    })
}
