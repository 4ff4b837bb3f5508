//! `mcpctl import`: plan moving each plaintext secret of a client file into
//! the OS store and rewriting its entry to reference it.
//!
//! What can be moved: an environment value that is wholly a secret (it is
//! stored under the variable's name), an environment value that is a
//! connection string with a password (`DATABASE_URL=postgresql://app:pw@…`:
//! the whole string is stored, as a `connection-string` credential), and a
//! secret header of a remote server (stored under `<SERVER>_TOKEN`; headers
//! can only be delivered by reference). A secret inside an argument or a
//! URL is left, with the reason: `mcpctl exec` sets variables, it does not
//! rewrite arguments.
//!
//! A reference the client does not resolve (`${GITHUB_TOKEN}` in Cursor,
//! which expands only `${env:NAME}`) reaches the server as literal text;
//! import rewrites it into the client's form, shown as a note of the entry's
//! change. One it cannot say in that form (a default, `${VAR:-x}`, or a
//! client with no references) is left, with what the client understands.
//!
//! The entry is edited, not re-rendered: every other field (`disabled`,
//! `alwaysAllow`, `timeout`, …) stays. In `exec` delivery its command
//! becomes `mcpctl exec --server NAME --env VAR=CREDENTIAL -- <command>`;
//! in `env-ref` delivery the value becomes the client's reference
//! (`${VAR}`, `${env:VAR}`, Codex `env_vars`). Entries stay the user's:
//! import records no ownership, so no later `apply` deletes them; `mcpctl
//! init --from-clients` and `apply --adopt` bring them under a manifest.

use std::collections::BTreeMap;
use std::path::PathBuf;

use crate::client::{ClientFile, Launcher};
use crate::document::Document;
use crate::manifest::{ClientId, Credential, CredentialKind, Delivery};
use crate::plan::{EntryAction, EntryChange, FileChange, Plan, Reason};
use crate::scan::entries::{in_client_form, rewrite_references};
use crate::scan::{Field, Hit, HitKind, client_hits};
use crate::secret_patterns;
use crate::state::entry_digest;
use crate::store::Secret;

/// Where one found secret is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Source {
    pub client: ClientId,
    pub file: PathBuf,
    pub server: String,
    /// `env GITHUB_TOKEN`, `header Authorization`, …
    pub field: String,
}

impl std::fmt::Display for Source {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} server `{}` ({})",
            self.client, self.server, self.field
        )
    }
}

/// A credential import will store.
#[derive(Debug)]
pub struct Move {
    pub credential: Credential,
    pub secret: Secret,
    /// Redacted form, for the plan.
    pub redacted: String,
    pub sources: Vec<Source>,
    /// Already in the store with this very value: nothing to store.
    pub present: bool,
}

/// A secret import leaves where it is, and why.
#[derive(Debug, Clone)]
pub struct Left {
    pub source: Source,
    pub rule: &'static str,
    pub redacted: String,
    pub reason: String,
}

/// Two different values want one store entry.
#[derive(Debug, Clone)]
pub struct Collision {
    pub name: String,
    pub source: Source,
    /// The other holder: another finding, or the store.
    pub other: String,
}

/// What asking about a collision can answer.
pub trait Resolve {
    /// A new name for `collision.source`'s value, or `None` to stop.
    fn rename(&mut self, collision: &Collision) -> Option<String>;
}

/// Everything `import` would do.
#[derive(Debug)]
pub struct ImportPlan {
    /// Entry updates (and nothing else): shown with the plan renderer and
    /// carried out by [`crate::apply`].
    pub plan: Plan,
    pub moves: Vec<Move>,
    pub left: Vec<Left>,
    pub files: Vec<ClientFile>,
}

/// How `import` is asked to work.
pub struct Options<'a> {
    pub delivery: Delivery,
    /// `VAR`, `SERVER/VAR` or `CLIENT/SERVER/VAR` → credential name; the
    /// most specific wins.
    pub renames: &'a BTreeMap<String, String>,
    /// The launcher per client file scope (exec delivery).
    pub launcher: &'a dyn Fn(&ClientFile) -> Launcher,
    /// The value the store holds under a name, if any (compared, never
    /// shown).
    pub stored: &'a dyn Fn(&str) -> Result<Option<Secret>, crate::store::StoreError>,
}

#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum ImportError {
    #[error(
        "`{name}` would hold two different values: the one in {source_desc} and the one in {other}"
    )]
    #[diagnostic(help(
        "store one under another name: `mcpctl import --rename {key}=NEW_NAME` (or run it in a terminal, which asks)"
    ))]
    Collision {
        name: String,
        source_desc: String,
        other: String,
        key: String,
    },
    #[error(transparent)]
    #[diagnostic(transparent)]
    Store(#[from] crate::store::StoreError),
    #[error(transparent)]
    #[diagnostic(transparent)]
    Document(#[from] crate::document::DocumentError),
}

/// Plans the import of every movable secret in `documents` (each client
/// file's table, with its file's text: tables of one file share one text).
pub fn plan(
    documents: &[(ClientFile, &Document)],
    options: &Options<'_>,
    resolve: &mut dyn Resolve,
    manifest: PathBuf,
) -> Result<ImportPlan, ImportError> {
    let mut moves: Vec<Move> = Vec::new();
    let mut left = Vec::new();
    let mut changes = Vec::new();
    let mut files = Vec::new();
    for (file, document) in documents {
        let mut by_entry: BTreeMap<(Vec<String>, String), Vec<Hit>> = BTreeMap::new();
        for found in client_hits(file, document)? {
            let key = (found.table, found.server);
            by_entry.entry(key).or_default().push(found.hit);
        }
        for ((table, server), hits) in by_entry {
            let keys: Vec<&str> = table.iter().map(String::as_str).collect();
            let entries = document.entries(&keys)?;
            let Some(before) = entries.get(&server) else {
                continue;
            };
            let mut after = before.clone();
            let mut bindings: Vec<(String, String)> = Vec::new();
            let (mut hits, references): (Vec<Hit>, Vec<Hit>) =
                hits.into_iter().partition(|h| h.kind == HitKind::Secret);
            // A value moving whole goes first, so no other match in it is
            // reported as left behind.
            hits.sort_by_key(|hit| !is_connection_string(hit));
            let reasons = plan_references(file, &server, references, &mut left);
            if !reasons.is_empty() {
                rewrite_references(file.client, &mut after);
            }
            for hit in hits {
                let source = Source {
                    client: file.client,
                    file: file.path.clone(),
                    server: server.clone(),
                    field: hit.field.to_string(),
                };
                if let Field::Env(var) = &hit.field
                    && bindings.iter().any(|(bound, _)| bound == var)
                {
                    continue; // another match in a value already moving whole
                }
                let connection_string = is_connection_string(&hit);
                let (var, whole) = match &hit.field {
                    Field::Env(var) => (
                        var.clone(),
                        connection_string || hit.range == (0..hit.value.len()),
                    ),
                    Field::Header(_) => (
                        format!("{}_TOKEN", env_name(&server)),
                        hit.range.end == hit.value.len(),
                    ),
                    _ => (String::new(), false),
                };
                // The whole string would be stored as text: a reference the
                // client expands in it would reach the server unexpanded.
                if connection_string && let Some(reference) = first_reference(&hit.value) {
                    left.push(Left {
                        reason: format!(
                            "the value holds the reference `{reference}`, which the store would keep as text; \
                             put the whole connection string in one variable, or move it by hand"
                        ),
                        redacted: hit.redacted(),
                        rule: hit.rule,
                        source,
                    });
                    continue;
                }
                if var.is_empty() || !whole {
                    left.push(Left {
                        reason: match hit.field {
                            Field::Env(_) | Field::Header(_) => {
                                "the secret is only part of the value; move it by hand".to_owned()
                            }
                            _ => "a secret in an argument or URL cannot be delivered by mcpctl; \
                                  make the server read it from an environment variable"
                                .to_owned(),
                        },
                        redacted: hit.redacted(),
                        rule: hit.rule,
                        source,
                    });
                    continue;
                }
                if let Field::Header(header) = &hit.field {
                    let scheme = hit.value[..hit.range.start].trim();
                    if let Some(reason) = header_problem(file.client, header, scheme) {
                        left.push(Left {
                            reason,
                            redacted: hit.redacted(),
                            rule: hit.rule,
                            source,
                        });
                        continue;
                    }
                }
                let name = credential_name(options.renames, file.client, &server, &var);
                let found = if connection_string {
                    Found {
                        value: &hit.value,
                        redacted: secret_patterns::redacted(&hit.value, hit.rule),
                        rule: hit.rule,
                    }
                } else {
                    Found {
                        value: hit.matched(),
                        redacted: hit.redacted(),
                        rule: hit.rule,
                    }
                };
                let name = settle(&mut moves, name, &found, &source, options, resolve)?;
                match &hit.field {
                    Field::Env(var) => bindings.push((var.clone(), name)),
                    Field::Header(header) => {
                        let scheme = hit.value[..hit.range.start].trim();
                        reference_header(file.client, &mut after, header, scheme, &name);
                    }
                    _ => {}
                }
            }
            if !bindings.is_empty() {
                let launcher = (options.launcher)(file);
                rewrite_env(
                    file.client,
                    &mut after,
                    &server,
                    &bindings,
                    options.delivery,
                    &launcher,
                );
            }
            if &after == before {
                continue;
            }
            // One description per table: apply edits only the tables
            // listed (Claude Code's file holds one per project).
            if !files
                .iter()
                .any(|f: &ClientFile| f.path == file.path && f.table == table)
            {
                files.push(ClientFile {
                    table: table.clone(),
                    ..file.clone()
                });
            }
            let change = EntryChange {
                server: server.clone(),
                action: EntryAction::Update,
                before: Some(crate::plan::redact_beside(before, false, Some(&after))),
                after: Some(after),
                before_digest: Some(entry_digest(before)),
                reasons,
            };
            match changes
                .iter_mut()
                .find(|f: &&mut FileChange| f.path == file.path && f.table == table)
            {
                Some(existing) => existing.entries.push(change),
                None => changes.push(FileChange {
                    client: file.client,
                    scope: file.scope,
                    path: file.path.clone(),
                    table: table.clone(),
                    entries: vec![change],
                }),
            }
        }
    }
    Ok(ImportPlan {
        plan: Plan {
            files: changes,
            ..Plan::empty(manifest)
        },
        moves,
        left,
        files,
    })
}

/// The first reference a client expands in `value` (`${VAR}`,
/// `${env:VAR}`, `{env:VAR}`), as written.
fn first_reference(value: &str) -> Option<&str> {
    let start = value.find("${").or_else(|| value.find("{env:"))?;
    let end = value[start..].find('}')? + start + 1;
    Some(&value[start..end])
}

/// A connection string with a password in a variable: one credential,
/// password and all, so the variable's whole value moves (`DATABASE_URL`).
fn is_connection_string(hit: &Hit) -> bool {
    matches!(hit.field, Field::Env(_))
        && super::kind_and_provider(hit.rule).0 == CredentialKind::ConnectionString
}

/// The references of one entry its client does not resolve: a reason
/// for each one `import` rewrites into the client's own form, a [`Left`]
/// (with what the client understands) for each it cannot.
fn plan_references(
    file: &ClientFile,
    server: &str,
    references: Vec<Hit>,
    left: &mut Vec<Left>,
) -> Vec<Reason> {
    let mut reasons = Vec::new();
    for hit in references {
        let reference = hit.matched();
        match in_client_form(file.client, reference) {
            Some(rewritten) => reasons.push(Reason::ReferenceRewritten {
                field: hit.field.to_string(),
                from: reference.to_owned(),
                to: rewritten,
                client: file.client,
            }),
            None => left.push(Left {
                reason: match &hit.kind {
                    HitKind::UnresolvedReference { hint } => {
                        format!("{hint}; `import` cannot rewrite this reference, edit it by hand")
                    }
                    HitKind::Secret => String::new(),
                },
                redacted: hit.redacted(),
                rule: hit.rule,
                source: Source {
                    client: file.client,
                    file: file.path.clone(),
                    server: server.to_owned(),
                    field: hit.field.to_string(),
                },
            }),
        }
    }
    reasons
}

/// `my-server` → `MY_SERVER`.
pub fn env_name(server: &str) -> String {
    server
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_uppercase()
            } else {
                '_'
            }
        })
        .collect()
}

fn credential_name(
    renames: &BTreeMap<String, String>,
    client: ClientId,
    server: &str,
    var: &str,
) -> String {
    [
        format!("{client}/{server}/{var}"),
        format!("{server}/{var}"),
        var.to_owned(),
    ]
    .iter()
    .find_map(|key| renames.get(key).cloned())
    .unwrap_or_else(|| var.to_owned())
}

/// The value a credential will hold: what a rule matched, or the whole
/// value of a variable holding a connection string.
struct Found<'h> {
    value: &'h str,
    redacted: String,
    rule: &'static str,
}

/// Finds the move `name` belongs to, or starts one; a different value
/// under a taken name is a collision, resolved by asking.
fn settle(
    moves: &mut Vec<Move>,
    mut name: String,
    found: &Found<'_>,
    source: &Source,
    options: &Options<'_>,
    resolve: &mut dyn Resolve,
) -> Result<String, ImportError> {
    let value = found.value;
    loop {
        if let Some(existing) = moves.iter_mut().find(|m| m.credential.name == name) {
            if existing.secret.expose() == value {
                existing.sources.push(source.clone());
                return Ok(name);
            }
            let collision = Collision {
                name: name.clone(),
                source: source.clone(),
                other: existing
                    .sources
                    .first()
                    .map_or_else(|| "the credential store".to_owned(), ToString::to_string),
            };
            name = ask(resolve, &collision)?;
            continue;
        }
        let present = match (options.stored)(&name)? {
            Some(stored) if stored.expose() == value => true,
            Some(_) => {
                let collision = Collision {
                    name: name.clone(),
                    source: source.clone(),
                    other: "the credential store".to_owned(),
                };
                name = ask(resolve, &collision)?;
                continue;
            }
            None => false,
        };
        moves.push(Move {
            credential: credential(&name, found.rule, source),
            secret: Secret::new(value.to_owned()),
            redacted: found.redacted.clone(),
            sources: vec![source.clone()],
            present,
        });
        return Ok(name);
    }
}

fn ask(resolve: &mut dyn Resolve, collision: &Collision) -> Result<String, ImportError> {
    resolve
        .rename(collision)
        .ok_or_else(|| ImportError::Collision {
            name: collision.name.clone(),
            source_desc: collision.source.to_string(),
            other: collision.other.clone(),
            key: format!(
                "{}/{}/{}",
                collision.source.client,
                collision.source.server,
                collision
                    .source
                    .field
                    .rsplit(' ')
                    .next()
                    .unwrap_or_default()
            ),
        })
}

/// The credential a found secret becomes: kind and provider from the rule
/// that found it.
pub fn credential(name: &str, rule: &str, source: &Source) -> Credential {
    let (kind, provider) = super::kind_and_provider(rule);
    Credential {
        name: name.to_owned(),
        kind,
        provider: provider.map(str::to_owned),
        scopes: Vec::new(),
        rotate_every: None,
        rotate_every_source: None,
        create_at: None,
        description: Some(format!("imported from {source}")),
        source: crate::manifest::Source::Store,
        namespace: None,
        classification: None,
    }
}

mod carry_out;
mod rewrite;
#[cfg(test)]
mod tests;

pub use carry_out::ClientTexts;
use rewrite::{header_problem, reference_header, rewrite_env};
