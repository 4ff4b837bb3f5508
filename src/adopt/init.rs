//! `mcpctl init --from-clients`: a manifest drafted from the servers the
//! clients on this machine already have.
//!
//! Every user-scope client file is read; each entry becomes a server,
//! de-duplicated across clients by what it runs — the command and its
//! arguments (or the URL), after undoing what only differs by platform or
//! by mcpctl (`cmd /c npx …` and `npx.cmd` are `npx …`; an `mcpctl exec …
//! -- CMD` launcher is `CMD` with its `--env` bindings) — so the same server
//! under two names is one server. The name used most wins.
//!
//! Values become credentials, never text in the manifest: a plaintext
//! secret (found by the same rules as `mcpctl scan`) is named as `mcpctl
//! import` will store it — the variable's name, `<SERVER>_TOKEN` for a
//! header — and a reference (`${VAR}`, `${env:VAR}`, Codex `env_vars`,
//! an `mcpctl exec --env VAR=NAME`) names the credential it refers to. The
//! catalog supplies kind, least-privilege scopes, rotation and where to
//! create the token when the server or the variable is one of its own.
//! A server whose secret sits in an argument or a URL cannot be expressed
//! without the value, so it is left out, with the reason, as a comment.
//!
//! The result is drafted as text (so it can carry comments) and validated
//! with [`crate::manifest::parse`] before the caller writes it; that is
//! also the last guard against a value slipping in.

use serde_json::Value;

use super::import::env_name;
use super::kind_and_provider;
use crate::catalog::{catalog, command_package};
use crate::client::{ClientFile, EntryTransport, EntryValue};
use crate::document::{Document, DocumentError};
use crate::manifest::{ClientId, CredentialKind, ManifestError};
use crate::scan::{Field, HitKind, entries::hits};

/// A drafted manifest and what the person should know about it.
#[derive(Debug, Clone)]
pub struct Draft {
    pub text: String,
    pub servers: Vec<String>,
    pub credentials: Vec<String>,
    pub clients: Vec<ClientId>,
    /// Servers left out, with the reason.
    pub left: Vec<String>,
    /// Credentials whose value is not in any client file in plaintext
    /// (only referenced): `apply` asks for them.
    pub referenced: Vec<String>,
    /// Other things worth saying (entries that are one server under
    /// another name, differing values).
    pub notes: Vec<String>,
}

#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum InitError {
    #[error(transparent)]
    #[diagnostic(transparent)]
    Document(#[from] DocumentError),
    #[error("the drafted manifest does not validate")]
    #[diagnostic(help("nothing was written; this is a bug in `mcpctl init`, please report it"))]
    Invalid(#[related] Vec<ManifestError>),
}

/// One value of an entry.
#[derive(Clone)]
enum Val {
    Literal(String),
    /// A plaintext secret: the credential it becomes, the scan rule, and
    /// the value (compared, never written).
    Secret {
        credential: String,
        rule: &'static str,
        value: String,
    },
    /// A reference to a credential (or a variable of that name).
    Ref {
        credential: String,
        file: bool,
    },
}

impl Val {
    fn rank(&self) -> u8 {
        match self {
            Val::Secret { .. } => 0,
            Val::Ref { .. } => 1,
            Val::Literal(_) => 2,
        }
    }
}

#[derive(Clone, PartialEq, Eq)]
enum Transport {
    Stdio { command: String, args: Vec<String> },
    Http { url: String },
}

/// One client entry, read.
struct Seen {
    client: ClientId,
    name: String,
    transport: Transport,
    env: Vec<(String, Val)>,
    /// Header → (scheme, value).
    headers: Vec<(String, Option<String>, Val)>,
    problem: Option<String>,
}

/// Drafts the manifest from `documents`, the user-scope client files that
/// exist. `stored` says whether a credential's value is already in the OS
/// store (a referenced one then needs nothing from `apply`).
pub fn draft(
    documents: &[(ClientFile, Document)],
    stored: &dyn Fn(&str) -> bool,
) -> Result<Draft, InitError> {
    let mut seen = Vec::new();
    for (file, document) in documents {
        let keys = file.table_path();
        for (name, entry) in document.entries(&keys)? {
            if let Some(s) = read(file.client, &name, &entry) {
                seen.push(s);
            }
        }
    }
    let mut groups: Vec<Vec<Seen>> = Vec::new();
    for s in seen {
        match groups.iter_mut().find(|g| g[0].transport == s.transport) {
            Some(group) => group.push(s),
            None => groups.push(vec![s]),
        }
    }
    Drafter::default().run(groups, stored)
}

#[derive(Default)]
struct Drafter {
    draft_servers: Vec<ServerDraft>,
    credentials: Vec<CredentialDraft>,
    left: Vec<String>,
    notes: Vec<String>,
}

struct ServerDraft {
    name: String,
    found_in: Vec<(ClientId, String)>,
    transport: Transport,
    env: Vec<(String, Val)>,
    headers: Vec<(String, Option<String>, Val)>,
    clients: Vec<ClientId>,
}

struct CredentialDraft {
    name: String,
    kind: CredentialKind,
    provider: Option<String>,
    /// The catalog's credential, when the server or variable is known.
    catalog: Option<&'static crate::manifest::Credential>,
    /// A plaintext value was found (import stores it).
    found: Option<String>,
    /// Only referenced, and its value is already in the OS store.
    stored: bool,
    used_by: Vec<String>,
}

impl Drafter {
    fn run(
        mut self,
        groups: Vec<Vec<Seen>>,
        stored: &dyn Fn(&str) -> bool,
    ) -> Result<Draft, InitError> {
        let all_clients: Vec<ClientId> = ClientId::ALL
            .into_iter()
            .filter(|c| {
                groups
                    .iter()
                    .any(|g| g.iter().any(|s| s.client == *c && s.problem.is_none()))
            })
            .collect();
        for group in groups {
            let where_found: Vec<String> = group
                .iter()
                .map(|s| format!("{} `{}`", s.client, s.name))
                .collect();
            if let Some(problem) = group.iter().find_map(|s| s.problem.clone()) {
                self.left.push(format!(
                    "{} ({}): {problem}",
                    group[0].name,
                    where_found.join(", ")
                ));
                continue;
            }
            self.server(group, &all_clients);
        }
        for credential in &mut self.credentials {
            credential.stored = credential.found.is_none() && stored(&credential.name);
        }
        let text = self.render(&all_clients);
        crate::manifest::parse(crate::manifest::MANIFEST_FILE, &text)
            .map_err(|err| InitError::Invalid(vec![err]))?;
        let mut referenced: Vec<String> = self
            .credentials
            .iter()
            .filter(|c| c.found.is_none() && !c.stored)
            .map(|c| c.name.clone())
            .collect();
        referenced.sort();
        Ok(Draft {
            text,
            servers: self.draft_servers.iter().map(|s| s.name.clone()).collect(),
            credentials: self.credentials.iter().map(|c| c.name.clone()).collect(),
            clients: all_clients,
            left: self.left,
            referenced,
            notes: self.notes,
        })
    }

    fn server(&mut self, group: Vec<Seen>, all_clients: &[ClientId]) {
        // The name used most; the first on a tie.
        let mut counts: Vec<(&str, usize)> = Vec::new();
        for s in &group {
            match counts.iter_mut().find(|(n, _)| *n == s.name) {
                Some((_, count)) => *count += 1,
                None => counts.push((&s.name, 1)),
            }
        }
        let best = counts
            .iter()
            .fold(counts[0], |best, c| if c.1 > best.1 { *c } else { best });
        let mut name = server_name(best.0);
        let mut n = 2;
        while self.draft_servers.iter().any(|s| s.name == name) {
            name = format!("{}-{n}", server_name(best.0));
            n += 1;
        }
        for s in group.iter().filter(|s| s.name != best.0) {
            self.notes.push(format!(
                "{} `{}` is the same server as `{name}`: after `mcpctl apply --adopt` the client has both; remove `{}` from it by hand",
                s.client, s.name, s.name
            ));
        }
        let transport = group[0].transport.clone();
        let package = match &transport {
            Transport::Stdio { command, args } => command_package(command, args).name,
            Transport::Http { url } => url.clone(),
        };
        let mut env: Vec<(String, Val)> = Vec::new();
        let mut headers: Vec<(String, Option<String>, Val)> = Vec::new();
        for s in &group {
            for (var, val) in &s.env {
                match env.iter_mut().find(|(v, _)| v == var) {
                    Some(existing) if val.rank() < existing.1.rank() => existing.1 = val.clone(),
                    Some(_) => {}
                    None => env.push((var.clone(), val.clone())),
                }
            }
            for (header, scheme, val) in &s.headers {
                match headers
                    .iter_mut()
                    .find(|(h, ..)| h.eq_ignore_ascii_case(header))
                {
                    Some(existing) if val.rank() < existing.2.rank() => {
                        *existing = (header.clone(), scheme.clone(), val.clone());
                    }
                    Some(_) => {}
                    None => headers.push((header.clone(), scheme.clone(), val.clone())),
                }
            }
        }
        let mut clients: Vec<ClientId> = group.iter().map(|s| s.client).collect();
        clients.sort();
        clients.dedup();
        let found_in: Vec<(ClientId, String)> =
            group.iter().map(|s| (s.client, s.name.clone())).collect();
        for (var, val) in env.iter_mut() {
            self.credential(val, Some(var), &package, &name);
        }
        for (_, _, val) in headers.iter_mut() {
            self.credential(val, None, &package, &name);
        }
        self.draft_servers.push(ServerDraft {
            name,
            found_in,
            transport,
            env,
            headers,
            clients: if clients.len() == all_clients.len() {
                Vec::new()
            } else {
                clients
            },
        });
    }

    /// Declares (or reuses) the credential `val` names; a different
    /// plaintext value under a name already taken gets another name.
    fn credential(&mut self, val: &mut Val, var: Option<&str>, package: &str, server: &str) {
        let (name, rule, value, file) = match val {
            Val::Literal(_) => return,
            Val::Secret {
                credential,
                rule,
                value,
            } => (credential.clone(), Some(*rule), Some(value.clone()), false),
            Val::Ref { credential, file } => (credential.clone(), None, None, *file),
        };
        let catalog_credential = catalog().credential_for(Some(package), var.unwrap_or(&name));
        let mut final_name = name.clone();
        let mut n = 2;
        loop {
            match self.credentials.iter_mut().find(|c| c.name == final_name) {
                Some(existing) => match (&existing.found, &value) {
                    (Some(a), Some(b)) if a != b => {
                        final_name = format!("{name}_{n}");
                        n += 1;
                        continue;
                    }
                    (None, Some(_)) => {
                        existing.found.clone_from(&value);
                        existing.used_by.push(server.to_owned());
                        break;
                    }
                    _ => {
                        existing.used_by.push(server.to_owned());
                        break;
                    }
                },
                None => {
                    let (mut kind, mut provider) =
                        rule.map_or((CredentialKind::Other, None), |r| {
                            let (k, p) = kind_and_provider(r);
                            (k, p.map(str::to_owned))
                        });
                    if file {
                        kind = CredentialKind::File;
                    }
                    if let Some(c) = catalog_credential {
                        kind = c.kind;
                        provider.clone_from(&c.provider);
                    }
                    self.credentials.push(CredentialDraft {
                        name: final_name.clone(),
                        kind,
                        provider,
                        catalog: catalog_credential,
                        found: value.clone(),
                        stored: false,
                        used_by: vec![server.to_owned()],
                    });
                    break;
                }
            }
        }
        if final_name != name {
            self.notes.push(format!(
                "`{server}` holds a different value for `{name}` than another server: it is credential `{final_name}`; run `mcpctl import --rename {name}={final_name}` for that entry (`CLIENT/SERVER/{name}={final_name}`)"
            ));
            match val {
                Val::Secret { credential, .. } | Val::Ref { credential, .. } => {
                    credential.clone_from(&final_name);
                }
                Val::Literal(_) => {}
            }
        }
    }

    fn render(&self, clients: &[ClientId]) -> String {
        let mut out = String::new();
        out.push_str(
            "// Drafted by `mcpctl init --from-clients` from the MCP servers configured on this\n\
             // machine. It names credentials, never their values. Next:\n\
             //   mcpctl import                moves plaintext values into the OS credential store\n\
             //   mcpctl apply --adopt         takes the client entries over (asks for missing values)\n\
             //   mcpctl plan                  shows `No changes.` once both are done\n\
             mcpctl version=1\n",
        );
        if !clients.is_empty() {
            out.push_str("\n// The clients the servers were found in (user scope).\n");
            for c in clients {
                out.push_str(&format!("client {c}\n"));
            }
        }
        for server in &self.draft_servers {
            out.push('\n');
            let found: Vec<String> = server
                .found_in
                .iter()
                .map(|(c, n)| format!("{c} (`{n}`)"))
                .collect();
            out.push_str(&format!("// Found in {}.\n", found.join(", ")));
            out.push_str(&format!("server {} {{\n", kdl(&server.name)));
            match &server.transport {
                Transport::Stdio { command, args } => {
                    let mut line = format!("    command {}", kdl(command));
                    for a in args {
                        line.push(' ');
                        line.push_str(&kdl(a));
                    }
                    out.push_str(&line);
                    out.push('\n');
                }
                Transport::Http { url } => out.push_str(&format!("    url {}\n", kdl(url))),
            }
            for (var, val) in &server.env {
                out.push_str(&format!("    env {} {}\n", kdl(var), value(val)));
            }
            for (header, scheme, val) in &server.headers {
                let scheme = match (scheme, val) {
                    (Some(s), Val::Secret { .. } | Val::Ref { .. }) => {
                        format!(" scheme={}", kdl(s))
                    }
                    _ => String::new(),
                };
                out.push_str(&format!(
                    "    header {} {}{scheme}\n",
                    kdl(header),
                    value(val)
                ));
            }
            if !server.clients.is_empty() {
                let names: Vec<&str> = server.clients.iter().map(|c| c.as_str()).collect();
                out.push_str(&format!("    clients {}\n", names.join(" ")));
            }
            out.push_str("}\n");
        }
        for c in &self.credentials {
            out.push('\n');
            let used = c.used_by.join("`, `");
            if c.found.is_some() {
                out.push_str(&format!(
                    "// Plaintext in a client file for `{used}`: `mcpctl import` stores it.\n"
                ));
            } else if c.stored {
                out.push_str(&format!(
                    "// Referenced by `{used}`; its value is already in the OS credential store.\n"
                ));
            } else {
                out.push_str(&format!(
                    "// Referenced by `{used}`; its value is in no client file: `mcpctl apply` asks for it.\n"
                ));
            }
            if c.catalog.is_some() {
                out.push_str(
                    "// Kind, scopes, rotation and where to create it: from the catalog.\n",
                );
            }
            out.push_str(&format!("credential {} {{\n", kdl(&c.name)));
            out.push_str(&format!("    kind {}\n", c.kind.as_str()));
            if let Some(p) = &c.provider {
                out.push_str(&format!("    provider {}\n", kdl(p)));
            }
            if let Some(known) = c.catalog {
                if !known.scopes.is_empty() {
                    let scopes: Vec<String> = known.scopes.iter().map(|s| kdl(s)).collect();
                    out.push_str(&format!("    scopes {}\n", scopes.join(" ")));
                }
                if let Some(p) = known.rotate_every {
                    out.push_str(&format!("    rotate-every \"{p}\"\n"));
                }
                if let Some(url) = &known.create_at {
                    out.push_str(&format!("    create-at {}\n", kdl(url)));
                }
            }
            let description = c
                .catalog
                .and_then(|k| k.description.clone())
                .unwrap_or_else(|| format!("for the {} server", c.used_by.join(", ")));
            out.push_str(&format!("    description {}\n", kdl(&description)));
            out.push_str("}\n");
        }
        if !self.left.is_empty() {
            out.push_str(
                "\n// Left out, each with the reason. A secret in an argument or URL cannot be named in\n\
                 // a manifest: make the server read it from an environment variable, then run init again.\n",
            );
            for left in &self.left {
                let left = crate::terminal_text::escape(left);
                out.push_str(&format!("//   {left}\n"));
            }
        }
        out
    }
}

/// A manifest value for `val` (never the secret).
fn value(val: &Val) -> String {
    match val {
        Val::Literal(text) => kdl(text),
        Val::Secret { credential, .. } | Val::Ref { credential, .. } => {
            format!("credential={}", kdl(credential))
        }
    }
}

/// A server name the manifest accepts.
fn server_name(name: &str) -> String {
    let cleaned: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '-'
            }
        })
        .collect();
    if cleaned.is_empty() {
        "server".to_owned()
    } else {
        cleaned
    }
}

/// A KDL 2.0 string: bare when that is unambiguous, else quoted.
fn kdl(text: &str) -> String {
    // KDL 2.0 identifiers: no leading digit, nor `-`/`.` before a digit.
    let mut chars = text.chars();
    let leading = match (chars.next(), chars.next()) {
        (Some(c), _) if c.is_ascii_alphabetic() || c == '_' => true,
        (Some('-'), Some(n)) => n.is_ascii_alphabetic() || n == '-' || n == '_',
        _ => false,
    };
    let bare = leading
        && text
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | ':' | '+'))
        && !matches!(text, "true" | "false" | "null" | "inf" | "nan");
    if bare {
        return text.to_owned();
    }
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() => out.push_str(&format!("\\u{{{:x}}}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Reads one entry of `client`'s file: what its adapter reads, with each
/// plaintext secret found by `mcpctl scan`'s rules.
fn read(client: ClientId, name: &str, entry: &Value) -> Option<Seen> {
    let read = crate::client::adapter(client).read(entry)?;
    let mut problem = None;
    let secret_hits = hits(client, entry);
    let secret_of = |field: &Field| {
        secret_hits
            .iter()
            .find(|h| h.kind == HitKind::Secret && &h.field == field)
    };
    for hit in secret_hits.iter().filter(|h| h.kind == HitKind::Secret) {
        let movable = match &hit.field {
            Field::Env(_) => hit.range == (0..hit.value.len()),
            Field::Header(_) => hit.range.end == hit.value.len(),
            _ => false,
        };
        if !movable {
            problem = Some(format!(
                "{} in {} ({})",
                hit.description, hit.field, hit.rule
            ));
        }
    }
    let env = read
        .env
        .into_iter()
        .map(|(var, value)| {
            let val = match value {
                EntryValue::Reference { name, file } => Val::Ref {
                    credential: name,
                    file,
                },
                EntryValue::Literal(text) => match secret_of(&Field::Env(var.clone())) {
                    Some(hit) => Val::Secret {
                        credential: var.clone(),
                        rule: hit.rule,
                        value: hit.matched().to_owned(),
                    },
                    None => Val::Literal(text),
                },
            };
            (var, val)
        })
        .collect();
    let headers = read
        .headers
        .into_iter()
        .map(|header| match header.value {
            EntryValue::Reference { name: var, .. } => (
                header.name,
                header.scheme,
                Val::Ref {
                    credential: var,
                    file: false,
                },
            ),
            EntryValue::Literal(text) => match secret_of(&Field::Header(header.name.clone())) {
                Some(hit) => {
                    let scheme = text[..hit.range.start].trim();
                    (
                        header.name,
                        (!scheme.is_empty()).then(|| scheme.to_owned()),
                        Val::Secret {
                            credential: format!("{}_TOKEN", env_name(name)),
                            rule: hit.rule,
                            value: hit.matched().to_owned(),
                        },
                    )
                }
                None => (header.name, None, Val::Literal(text)),
            },
        })
        .collect();
    let transport = match read.transport {
        EntryTransport::Stdio { command, args } => {
            let (command, args) = native(&command, &args);
            Transport::Stdio { command, args }
        }
        EntryTransport::Http { url } => Transport::Http { url },
    };
    // A manifest refuses terminal controls and bidirectional marks in
    // every string (`validate`): such an entry cannot be drafted.
    if problem.is_none()
        && let Some(c) = crate::terminal_text::first_unsafe(name).or_else(|| first_unsafe_in(entry))
    {
        problem = Some(format!(
            "it holds {}, which a manifest refuses; remove it from the client file",
            crate::terminal_text::describe(c)
        ));
    }
    Some(Seen {
        client,
        name: name.to_owned(),
        transport,
        env,
        headers,
        problem,
    })
}

/// The first terminal control or bidirectional mark in any key or string
/// of `value`.
fn first_unsafe_in(value: &Value) -> Option<char> {
    match value {
        Value::String(s) => crate::terminal_text::first_unsafe(s),
        Value::Array(items) => items.iter().find_map(first_unsafe_in),
        Value::Object(map) => map.iter().find_map(|(k, v)| {
            crate::terminal_text::first_unsafe(k).or_else(|| first_unsafe_in(v))
        }),
        _ => None,
    }
}

/// Undoes what Windows adds: `cmd /c npx …` → `npx …`, `npx.cmd` → `npx`.
fn native(command: &str, args: &[String]) -> (String, Vec<String>) {
    let lower = command.to_ascii_lowercase();
    if (lower == "cmd" || lower == "cmd.exe")
        && args.first().is_some_and(|a| a.eq_ignore_ascii_case("/c"))
        && let Some((inner, rest)) = args[1..].split_first()
    {
        return native(inner, rest);
    }
    let bare = !command.contains(['/', '\\']);
    let stripped = [".cmd", ".exe", ".bat"].iter().find_map(|ext| {
        lower
            .strip_suffix(ext)
            .map(|stem| command[..stem.len()].to_owned())
    });
    match stripped {
        Some(stem) if bare => (stem, args.to_vec()),
        _ => (command.to_owned(), args.to_vec()),
    }
}

#[cfg(test)]
mod tests;
