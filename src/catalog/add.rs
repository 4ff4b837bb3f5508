//! `mcpctl add`: a catalog entry into a manifest, as an edit of its text.
//!
//! The entry's nodes are appended to the file as the catalog writes them —
//! comments and layout included — after one blank line; every byte of the
//! manifest before them stays as it was, so the change reviews as a plain
//! addition in `git diff`. Credentials the manifest already declares are
//! kept as they are (the new server binds them by name); a server name the
//! manifest already uses is refused rather than overwritten. The result is
//! validated before the caller writes it.

use super::catalog;
use crate::manifest::{self, Manifest, ManifestError, did_you_mean};

/// What adding produced.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Addition {
    /// The whole new manifest text.
    pub text: String,
    /// Servers added, in the order asked.
    pub servers: Vec<String>,
    /// Credentials added.
    pub credentials: Vec<String>,
    /// Credentials the entries need that the manifest already declares.
    pub kept: Vec<String>,
    /// Added servers that run a package without a pinned version, with
    /// the package's name: `validate` warns about each until it is pinned.
    pub unpinned: Vec<(String, String)>,
}

#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum AddError {
    #[error("the catalog has no server `{name}`")]
    #[diagnostic(help("{help}"))]
    Unknown { name: String, help: String },
    #[error("`{file}` already has a server `{name}`")]
    #[diagnostic(help(
        "mcpctl does not overwrite it: edit that `server {name}` node by hand, or remove it and run `mcpctl add {name}` again"
    ))]
    Exists { file: String, name: String },
    #[error("the manifest would not be valid with these servers")]
    #[diagnostic(help("nothing was written; this is a bug in the catalog, please report it"))]
    Invalid(#[related] Vec<ManifestError>),
}

/// Appends the catalog entries `names` to `text`, the manifest `manifest`
/// read from `file`, and validates the result.
pub fn add(
    file: &str,
    text: &str,
    manifest: &Manifest,
    names: &[String],
) -> Result<Addition, AddError> {
    let catalog = catalog();
    let mut addition = Addition {
        text: text.to_owned(),
        servers: Vec::new(),
        credentials: Vec::new(),
        kept: Vec::new(),
        unpinned: Vec::new(),
    };
    for name in names {
        if addition.servers.contains(name) {
            continue;
        }
        let entry = catalog.get(name).ok_or_else(|| AddError::Unknown {
            name: name.clone(),
            help: match did_you_mean(name, catalog.names()) {
                Some(close) => format!("did you mean `{close}`? `mcpctl catalog` lists them all"),
                None => "`mcpctl catalog` lists the servers it has".to_owned(),
            },
        })?;
        if manifest.servers.contains_key(name) {
            return Err(AddError::Exists {
                file: file.to_owned(),
                name: name.clone(),
            });
        }
        append(&mut addition.text, catalog.text("server", name));
        for credential in &entry.credentials {
            let credential = &credential.name;
            if manifest.credentials.contains_key(credential) {
                if !addition.kept.contains(credential) {
                    addition.kept.push(credential.clone());
                }
            } else if !addition.credentials.contains(credential) {
                append(&mut addition.text, catalog.text("credential", credential));
                addition.credentials.push(credential.clone());
            }
        }
        addition.servers.push(name.clone());
    }
    let added =
        manifest::parse(file, &addition.text).map_err(|err| AddError::Invalid(vec![err]))?;
    addition.unpinned = addition
        .servers
        .iter()
        .filter_map(|name| {
            let package = added.servers.get(name)?.package()?;
            (!package.pinned).then(|| (name.clone(), package.name.to_owned()))
        })
        .collect();
    Ok(addition)
}

/// Appends a block after one blank line.
fn append(text: &mut String, block: Option<&str>) {
    let Some(block) = block else { return };
    if !text.is_empty() {
        if !text.ends_with('\n') {
            text.push('\n');
        }
        if !text.ends_with("\n\n") {
            text.push('\n');
        }
    }
    text.push_str(block);
    text.push('\n');
}
