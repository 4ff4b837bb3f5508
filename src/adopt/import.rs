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

use serde_json::{Map, Value, json};

use crate::client::{ClientFile, Launcher, ReferenceSyntax, adapter};
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
                before: Some(crate::plan::redact(before, false)),
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

/// Points the secret variables of an entry at their credentials.
fn rewrite_env(
    client: ClientId,
    entry: &mut Value,
    server: &str,
    bindings: &[(String, String)],
    delivery: Delivery,
    launcher: &Launcher,
) {
    let env_key = if entry.get("environment").is_some() {
        "environment"
    } else {
        "env"
    };
    let syntax = adapter(client).reference_syntax(); // by name: no renaming
    let by_reference = delivery == Delivery::EnvRef
        && syntax.resolves()
        && (syntax != ReferenceSyntax::ByName || bindings.iter().all(|(var, name)| var == name));
    let Some(map) = entry.as_object_mut() else {
        return;
    };
    if by_reference {
        if syntax == ReferenceSyntax::ByName {
            if let Some(Value::Object(env)) = map.get_mut(env_key) {
                for (var, _) in bindings {
                    env.remove(var);
                }
            }
            let forwarded = map.entry("env_vars").or_insert_with(|| json!([]));
            if let Value::Array(list) = forwarded {
                for (var, _) in bindings {
                    list.push(json!(var));
                }
            }
        } else if let Some(Value::Object(env)) = map.get_mut(env_key) {
            for (var, name) in bindings {
                if let Some(reference) = syntax.in_string(name) {
                    env.insert(var.clone(), json!(reference));
                }
            }
        }
    } else {
        if let Some(Value::Object(env)) = map.get_mut(env_key) {
            for (var, _) in bindings {
                env.remove(var);
            }
            if env.is_empty() {
                map.remove(env_key);
            }
        }
        wrap_in_launcher(map, server, bindings, launcher);
    }
}

/// `command`/`args` (or opencode's one `command` array) become
/// `mcpctl exec --server NAME --env VAR=CREDENTIAL … -- <command>`. No
/// `--manifest`: import works without one, and the entry stays the
/// person's own, so its launches follow the settings of the manifest that
/// declares the server, if one does ([`crate::audit::Settings::for_launch`]).
fn wrap_in_launcher(
    map: &mut Map<String, Value>,
    server: &str,
    bindings: &[(String, String)],
    launcher: &Launcher,
) {
    let mut argv: Vec<Value> = match map.get("command") {
        Some(Value::Array(items)) => items.clone(),
        Some(Value::String(command)) => {
            let mut argv = vec![json!(command)];
            if let Some(Value::Array(args)) = map.get("args") {
                argv.extend(args.iter().cloned());
            }
            argv
        }
        _ => return,
    };
    let already = argv.first().and_then(Value::as_str).is_some_and(|c| {
        std::path::Path::new(c)
            .file_stem()
            .is_some_and(|s| s == "mcpctl")
    }) && argv.get(1).and_then(Value::as_str) == Some("exec");
    let flags: Vec<Value> = bindings
        .iter()
        .flat_map(|(var, name)| [json!("--env"), json!(format!("{var}={name}"))])
        .collect();
    if already {
        let at = argv
            .iter()
            .position(|a| a.as_str() == Some("--"))
            .unwrap_or(argv.len());
        argv.splice(at..at, flags);
    } else {
        let mut wrapped = vec![
            json!(launcher.program()),
            json!("exec"),
            json!("--server"),
            json!(server),
        ];
        wrapped.extend(flags);
        wrapped.push(json!("--"));
        wrapped.extend(argv);
        argv = wrapped;
    }
    if matches!(map.get("command"), Some(Value::Array(_))) {
        map.insert("command".into(), Value::Array(argv));
    } else {
        let mut rest = argv.into_iter();
        map.insert("command".into(), rest.next().unwrap_or_default());
        map.insert("args".into(), Value::Array(rest.collect()));
    }
}

/// Why a secret header of `client` cannot be delivered by reference, if
/// it cannot.
fn header_problem(client: ClientId, header: &str, scheme: &str) -> Option<String> {
    let syntax = adapter(client).reference_syntax();
    if syntax == ReferenceSyntax::ByName {
        let bearer =
            header.eq_ignore_ascii_case("authorization") && scheme.eq_ignore_ascii_case("bearer");
        return (!bearer && !scheme.is_empty()).then(|| {
            format!(
                "Codex sends a header from a variable only whole or as `Authorization: Bearer`, not `{header}: {scheme} …`"
            )
        });
    }
    (!syntax.resolves()).then(|| {
        format!("{client} resolves no variables, and a header can only be delivered by reference")
    })
}

/// A secret header becomes a reference to `name` (checked with
/// [`header_problem`] first).
fn reference_header(client: ClientId, entry: &mut Value, header: &str, scheme: &str, name: &str) {
    let Some(map) = entry.as_object_mut() else {
        return;
    };
    let syntax = adapter(client).reference_syntax();
    if syntax == ReferenceSyntax::ByName {
        if let Some(Value::Object(headers)) = map.get_mut("http_headers") {
            headers.remove(header);
            if headers.is_empty() {
                map.remove("http_headers");
            }
        }
        if scheme.is_empty() {
            let env_headers = map.entry("env_http_headers").or_insert_with(|| json!({}));
            if let Value::Object(env_headers) = env_headers {
                env_headers.insert(header.to_owned(), json!(name));
            }
        } else {
            map.insert("bearer_token_env_var".into(), json!(name));
        }
        return;
    }
    let Some(reference) = syntax.in_string(name) else {
        return;
    };
    if let Some(Value::Object(headers)) = map.get_mut("headers") {
        let value = if scheme.is_empty() {
            reference
        } else {
            format!("{scheme} {reference}")
        };
        headers.insert(header.to_owned(), json!(value));
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;
    use crate::client::test_support::linux;
    use crate::manifest::Scope;
    use crate::secret_patterns::test_random;

    struct Never;
    impl Resolve for Never {
        fn rename(&mut self, _: &Collision) -> Option<String> {
            None
        }
    }

    fn import(client: ClientId, text: &str, delivery: Delivery) -> ImportPlan {
        let file = adapter(client)
            .file(Scope::User, &linux(), Path::new("/repo"))
            .unwrap();
        let document = Document::parse(&file.path, text.to_owned(), file.format).unwrap();
        let renames = BTreeMap::new();
        let options = Options {
            delivery,
            renames: &renames,
            launcher: &|_| Launcher::bare(),
            stored: &|_| Ok(None),
        };
        plan(&[(file, &document)], &options, &mut Never, PathBuf::new()).unwrap()
    }

    fn after(plan: &ImportPlan) -> Value {
        plan.plan.files[0].entries[0].after.clone().unwrap()
    }

    #[test]
    fn codex_env_ref_forwards_by_name_and_bearer_headers_by_variable() {
        let token = format!("ghp_{}", test_random(3, 36));
        let sentry = format!("sntrys_{}", test_random(4, 40));
        let text = format!(
            "[mcp_servers.github]\ncommand = \"npx\"\nargs = [\"-y\", \"gh\"]\nenv = {{ GITHUB_TOKEN = \"{token}\", MODE = \"x\" }}\n\n[mcp_servers.sentry]\nurl = \"https://mcp.sentry.dev/mcp\"\nhttp_headers = {{ Authorization = \"Bearer {sentry}\" }}\n"
        );
        let plan = import(ClientId::Codex, &text, Delivery::EnvRef);
        assert_eq!(
            after(&plan),
            json!({"command": "npx", "args": ["-y", "gh"], "env": {"MODE": "x"}, "env_vars": ["GITHUB_TOKEN"]})
        );
        assert_eq!(
            plan.plan.files[0].entries[1].after.clone().unwrap(),
            json!({"url": "https://mcp.sentry.dev/mcp", "bearer_token_env_var": "SENTRY_TOKEN"})
        );
        let names: Vec<&str> = plan
            .moves
            .iter()
            .map(|m| m.credential.name.as_str())
            .collect();
        assert_eq!(names, ["GITHUB_TOKEN", "SENTRY_TOKEN"]);
        assert_eq!(plan.moves[0].credential.provider.as_deref(), Some("github"));
        // The plan shows the old entry redacted.
        let before = serde_json::to_string(&plan.plan.files[0].entries[0].before).unwrap();
        assert!(!before.contains(&token), "{before}");
    }

    #[test]
    fn a_connection_string_moves_whole_and_references_take_the_clients_form() {
        let password = test_random(6, 20);
        let url = format!("postgresql://app:{password}@db.internal:5432/app?sslmode=require");
        let text = format!(
            r#"{{"mcpServers": {{"db": {{"command": "npx", "args": ["pg"], "env": {{"DATABASE_URL": "{url}", "GITHUB_TOKEN": "${{GITHUB_TOKEN}}", "D": "${{D:-x}}"}}}}}}}}"#
        );
        let plan = import(ClientId::Cursor, &text, Delivery::EnvRef);
        assert_eq!(plan.moves.len(), 1);
        let moved = &plan.moves[0];
        assert_eq!(moved.credential.name, "DATABASE_URL");
        assert_eq!(moved.credential.kind, CredentialKind::ConnectionString);
        assert_eq!(moved.secret.expose(), url);
        assert!(!moved.redacted.contains(&password), "{}", moved.redacted);
        assert_eq!(
            after(&plan)["env"],
            json!({"DATABASE_URL": "${env:DATABASE_URL}", "GITHUB_TOKEN": "${env:GITHUB_TOKEN}", "D": "${D:-x}"})
        );
        assert_eq!(
            plan.plan.files[0].entries[0].reasons,
            [Reason::ReferenceRewritten {
                field: "env GITHUB_TOKEN".into(),
                from: "${GITHUB_TOKEN}".into(),
                to: "${env:GITHUB_TOKEN}".into(),
                client: ClientId::Cursor,
            }]
        );
        // A default has no `${env:…}` form: left, saying why.
        let left: Vec<(&str, &str)> = plan
            .left
            .iter()
            .map(|l| (l.redacted.as_str(), l.source.field.as_str()))
            .collect();
        assert_eq!(left, [("${D:-x}", "env D")]);
        assert!(
            plan.left[0].reason.contains("${env:VAR}"),
            "{}",
            plan.left[0].reason
        );
    }

    #[test]
    fn opencode_exec_wraps_its_command_array_and_claude_desktop_keeps_exec() {
        let key = test_random(5, 32);
        let text = format!(
            r#"{{"mcp": {{"c": {{"type": "local", "command": ["npx", "-y", "c"], "environment": {{"COMPOSIO_API_KEY": "{key}"}}}}}}}}"#
        );
        let plan = import(ClientId::Opencode, &text, Delivery::Exec);
        assert_eq!(
            after(&plan),
            json!({"type": "local", "command": ["mcpctl", "exec", "--server", "c", "--env",
                "COMPOSIO_API_KEY=COMPOSIO_API_KEY", "--", "npx", "-y", "c"]})
        );
        let text = format!(
            r#"{{"mcpServers": {{"c": {{"command": "npx", "args": ["c"], "env": {{"API_KEY": "{key}"}}}}}}}}"#
        );
        let plan = import(ClientId::ClaudeDesktop, &text, Delivery::EnvRef);
        assert_eq!(after(&plan)["command"], "mcpctl");
    }
}
