//! Secrets and unresolvable references inside client entries.
//!
//! An entry is read as the JSON value its adapter's file holds (Codex's
//! TOML tables come through [`crate::document`] as JSON too). Knowing the
//! shape gives every string a name — the env variable, the header, the
//! flag before an argument, the query parameter of a URL — so
//! [`secret_patterns::detect_named`] can judge values with no recognizable
//! prefix, and [`Field`] tells `mcpctl import` where the value goes.

use std::ops::Range;

use serde_json::Value;

use crate::client::adapter;
use crate::client::reference::{self, ReferenceSyntax};
use crate::manifest::ClientId;
use crate::secret_patterns::{self, Placeholders, SecretMatch};

/// Where in an entry a string is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Field {
    /// `env.NAME` (`environment.NAME` for opencode).
    Env(String),
    /// `headers.NAME` (`http_headers.NAME` for Codex).
    Header(String),
    /// `args[i]` (`command[i]` for opencode's one-array command).
    Arg(usize),
    /// Any other string, by its key path (`url`, `command`, …).
    Other(String),
}

impl std::fmt::Display for Field {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Field::Env(name) => write!(f, "env {name}"),
            Field::Header(name) => write!(f, "header {name}"),
            Field::Arg(i) => write!(f, "argument {i}"),
            Field::Other(path) => write!(f, "{path}"),
        }
    }
}

/// What a hit is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HitKind {
    /// A literal secret.
    Secret,
    /// A reference the client does not resolve; the server gets it
    /// literally. `hint` says what the client understands.
    UnresolvedReference { hint: String },
}

/// One finding in an entry. Holds the string it was found in, for
/// `import`; its `Debug` never shows it.
#[derive(Clone)]
pub struct Hit {
    pub field: Field,
    pub kind: HitKind,
    pub rule: &'static str,
    pub description: String,
    /// The whole string the hit is in.
    pub value: String,
    /// Where in `value`.
    pub range: Range<usize>,
}

impl std::fmt::Debug for Hit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Hit")
            .field("field", &self.field)
            .field("rule", &self.rule)
            .field("range", &self.range)
            .finish_non_exhaustive()
    }
}

impl Hit {
    /// The found text itself: a secret for [`HitKind::Secret`].
    pub fn matched(&self) -> &str {
        &self.value[self.range.clone()]
    }

    /// What may be shown: the public prefix and the length of a secret; a
    /// reference as written (it is no secret).
    pub fn redacted(&self) -> String {
        match self.kind {
            HitKind::Secret => secret_patterns::redacted(self.matched(), self.rule),
            HitKind::UnresolvedReference { .. } => self.matched().to_owned(),
        }
    }
}

/// Every secret and unresolvable reference in `entry`, an entry of
/// `client`'s file.
pub fn hits(client: ClientId, entry: &Value) -> Vec<Hit> {
    let mut out = Vec::new();
    let Value::Object(map) = entry else {
        return out;
    };
    for (key, value) in map {
        match (key.as_str(), value) {
            ("env" | "environment", Value::Object(vars)) => {
                for (name, v) in vars {
                    if let Value::String(s) = v {
                        named(&mut out, Field::Env(name.clone()), name, s);
                    }
                }
            }
            ("headers" | "http_headers", Value::Object(headers)) => {
                for (name, v) in headers {
                    if let Value::String(s) = v {
                        named(&mut out, Field::Header(name.clone()), name, s);
                    }
                }
            }
            ("args" | "command", Value::Array(items)) => {
                let mut previous: Option<&str> = None;
                for (i, item) in items.iter().enumerate() {
                    let Value::String(s) = item else { continue };
                    argument(&mut out, i, previous, s);
                    previous = Some(s);
                }
            }
            (_, Value::String(s)) => url_or_text(&mut out, Field::Other(key.clone()), s),
            (_, other) => walk(&mut out, key, other),
        }
    }
    references(client, entry, &mut out);
    out
}

fn push(out: &mut Vec<Hit>, field: &Field, value: &str, found: Vec<SecretMatch>) {
    for m in found {
        out.push(Hit {
            field: field.clone(),
            kind: HitKind::Secret,
            rule: m.rule,
            description: m.description.to_owned(),
            value: value.to_owned(),
            range: m.range,
        });
    }
}

fn named(out: &mut Vec<Hit>, field: Field, name: &str, value: &str) {
    let found = secret_patterns::detect_named(name, value);
    push(out, &field, value, found);
}

/// `--token VALUE` and `--token=VALUE` name their value by the flag.
fn argument(out: &mut Vec<Hit>, index: usize, previous: Option<&str>, value: &str) {
    let found = secret_patterns::detect_argument(previous, value, Placeholders::Forgiven);
    push(out, &Field::Arg(index), value, found);
}

/// A URL's query parameters are named values (`?api_key=…`).
fn url_or_text(out: &mut Vec<Hit>, field: Field, value: &str) {
    let found = secret_patterns::detect_unnamed(value, Placeholders::Forgiven);
    push(out, &field, value, found);
}

/// Strings nested anywhere else.
fn walk(out: &mut Vec<Hit>, path: &str, value: &Value) {
    match value {
        Value::String(s) => url_or_text(out, Field::Other(path.to_owned()), s),
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                walk(out, &format!("{path}[{i}]"), item);
            }
        }
        Value::Object(map) => {
            for (k, v) in map {
                if let Value::String(s) = v {
                    named(out, Field::Other(format!("{path}.{k}")), k, s);
                } else {
                    walk(out, &format!("{path}.{k}"), v);
                }
            }
        }
        _ => {}
    }
}

fn references(client: ClientId, entry: &Value, out: &mut Vec<Hit>) {
    let resolved = adapter(client).reference_syntax();
    let hint = match resolved {
        ReferenceSyntax::ByName => {
            "Codex interpolates nothing: forward the variable with `env_vars = [\"VAR\"]`"
                .to_owned()
        }
        ReferenceSyntax::None => {
            format!("{client} resolves no variables: use `mcpctl exec` delivery")
        }
        syntax => format!("{client} references a variable as `{syntax}`"),
    };
    let mut strings = Vec::new();
    collect_strings(entry, None, &mut strings);
    for (field, s) in strings {
        for found in reference::find(s) {
            if found.syntax == resolved {
                continue;
            }
            let range = found.range;
            out.push(Hit {
                field: field.clone(),
                kind: HitKind::UnresolvedReference { hint: hint.clone() },
                rule: "unresolved-reference",
                description: format!(
                    "a reference {client} does not resolve: the server gets it literally"
                ),
                value: s.to_owned(),
                range,
            });
        }
    }
}

/// `reference` (a reference [`hits`] found) in the form `client` resolves:
/// `${GITHUB_TOKEN}` → `${env:GITHUB_TOKEN}` for Cursor. `None` when the
/// client resolves no references (Codex, Claude Desktop: `import` cannot
/// help there) or the reference has a default (`${VAR:-x}`), which no
/// client's own form can say.
pub fn in_client_form(client: ClientId, written: &str) -> Option<String> {
    let name = reference::braced(written)?;
    adapter(client).reference_syntax().in_string(name)
}

/// Rewrites every reference in the strings of `entry` that `client` does
/// not resolve but has a form for ([`in_client_form`]); what the server
/// receives is then the variable's value rather than the reference's text.
pub fn rewrite_references(client: ClientId, entry: &mut Value) {
    let resolved = adapter(client).reference_syntax();
    match entry {
        Value::String(s) => {
            let mut out = String::with_capacity(s.len());
            let mut at = 0;
            for found in reference::find(s) {
                if found.syntax == resolved {
                    continue;
                }
                let range = found.range;
                if let Some(reference) = in_client_form(client, &s[range.clone()]) {
                    out.push_str(&s[at..range.start]);
                    out.push_str(&reference);
                    at = range.end;
                }
            }
            if at > 0 {
                out.push_str(&s[at..]);
                *s = out;
            }
        }
        Value::Array(items) => {
            for item in items {
                rewrite_references(client, item);
            }
        }
        Value::Object(map) => {
            for (_, v) in map.iter_mut() {
                rewrite_references(client, v);
            }
        }
        _ => {}
    }
}

fn collect_strings<'v>(value: &'v Value, field: Option<Field>, out: &mut Vec<(Field, &'v str)>) {
    match value {
        Value::String(s) => out.push((field.unwrap_or(Field::Other(String::new())), s)),
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                let inner = match &field {
                    None => Some(Field::Arg(i)),
                    Some(Field::Other(p)) if p == "args" || p == "command" => Some(Field::Arg(i)),
                    Some(f) => Some(f.clone()),
                };
                collect_strings(item, inner, out);
            }
        }
        Value::Object(map) => {
            for (k, v) in map {
                let inner = match (&field, k.as_str()) {
                    (Some(Field::Other(p)), _) if p == "env" || p == "environment" => {
                        Field::Env(k.clone())
                    }
                    (Some(Field::Other(p)), _) if p == "headers" || p == "http_headers" => {
                        Field::Header(k.clone())
                    }
                    (None, _) => Field::Other(k.clone()),
                    (Some(f), _) => f.clone(),
                };
                collect_strings(v, Some(inner), out);
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn token() -> String {
        format!("ghp_{}", "Ab1".repeat(12))
    }

    fn summary(hits: &[Hit]) -> Vec<(String, &'static str)> {
        hits.iter().map(|h| (h.field.to_string(), h.rule)).collect()
    }

    #[test]
    fn names_each_value_by_where_it_is() {
        let random = crate::secret_patterns::test_random(7, 27);
        let entry = json!({
            "command": "npx",
            "args": ["-y", "server", "--api-key", random, format!("--token={}", token()),
                     format!("postgres://app:{}@db/app", "pw-7Hq2")],
            "env": {"GITHUB_TOKEN": token(), "GITHUB_TOOLSETS": random, "REF": "${GITHUB_TOKEN}"},
            "headers": {"Authorization": format!("Bearer {random}")},
            "url": format!("https://x.example/mcp?api_key={random}&mode=a"),
        });
        let hits = hits(ClientId::ClaudeCode, &entry);
        assert_eq!(
            summary(&hits),
            [
                ("argument 3".to_owned(), "generic-secret"),
                ("argument 4".to_owned(), "github-classic-pat"),
                ("argument 5".to_owned(), "url-password"),
                ("env GITHUB_TOKEN".to_owned(), "github-classic-pat"),
                ("header Authorization".to_owned(), "generic-secret"),
                ("url".to_owned(), "generic-secret"),
            ]
        );
        assert_eq!(hits[1].matched(), token());
        assert_eq!(hits[4].matched(), random);
        assert!(!format!("{hits:?}").contains(&random));
    }

    #[test]
    fn references_each_client_cannot_resolve() {
        let entry = json!({
            "command": "npx",
            "args": ["${workspaceFolder}", "${HOME}"],
            "env": {"A": "${env:A}", "B": "${B}", "C": "{env:C}", "D": "${D:-x}"},
        });
        let unresolved = |client| -> Vec<String> {
            hits(client, &entry)
                .iter()
                .map(|h| h.matched().to_owned())
                .collect()
        };
        assert_eq!(unresolved(ClientId::ClaudeCode), ["${env:A}", "{env:C}"]);
        assert_eq!(
            unresolved(ClientId::Vscode),
            ["${HOME}", "${B}", "{env:C}", "${D:-x}"]
        );
        assert_eq!(
            unresolved(ClientId::Opencode),
            ["${HOME}", "${env:A}", "${B}", "${D:-x}"]
        );
        assert_eq!(unresolved(ClientId::Codex).len(), 5);
        assert_eq!(unresolved(ClientId::ClaudeDesktop).len(), 5);
    }

    #[test]
    fn references_are_rewritten_into_the_clients_form_where_it_has_one() {
        let entry = json!({
            "command": "npx",
            "args": ["${workspaceFolder}", "--url=${HOST}/x{env:PORT}"],
            "env": {"A": "${env:A}", "B": "${B}", "D": "${D:-x}"},
        });
        let rewritten = |client| {
            let mut entry = entry.clone();
            rewrite_references(client, &mut entry);
            entry
        };
        assert_eq!(
            rewritten(ClientId::Cursor),
            json!({
                "command": "npx",
                "args": ["${workspaceFolder}", "--url=${env:HOST}/x${env:PORT}"],
                "env": {"A": "${env:A}", "B": "${env:B}", "D": "${D:-x}"},
            })
        );
        assert_eq!(rewritten(ClientId::ClaudeCode)["env"]["A"], "${A}");
        assert_eq!(rewritten(ClientId::Codex), entry);
        assert!(
            hits(ClientId::Cursor, &rewritten(ClientId::Cursor))
                .iter()
                .all(|h| h.matched() == "${D:-x}")
        );
    }
}
