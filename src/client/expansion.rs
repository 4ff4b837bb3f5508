//! Text a client would not take literally.
//!
//! Some clients expand more than the references mcpctl writes on purpose,
//! in every string of an entry: Crush runs each value through a shell's
//! expansion (`$VAR`, `${VAR:-default}`, and `$(command)`, which runs a
//! command), Qwen Code replaces `$NAME` and `${NAME}`, Roo Code
//! `${env:NAME}`, Auggie looks `$augment-NAME` up in its secret store. A
//! literal of the manifest (an argument, a path, a URL) that holds such
//! text would reach the server changed — or run something — so mcpctl
//! leaves the server out of that client instead, and the plan says which
//! field. Values mcpctl made references on purpose (env-ref) are not
//! literals and are not checked.

use serde_json::Value;

use super::ReferenceSyntax;
use super::reference;
use crate::manifest::{EnvValue, Server, Transport};

/// What a client expands in the literal strings of an entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Expands {
    /// Nothing beyond what mcpctl writes as references (or not known to).
    Nothing,
    /// Its own reference syntax, in every string (Copilot CLI, Kiro, Roo
    /// Code).
    OwnSyntax,
    /// `$NAME` and `${…}` (Qwen Code).
    DollarNames,
    /// Every `$`, as a POSIX shell does: `$VAR`, `${VAR:-d}`, `$(command)`
    /// (Crush).
    Shell,
    /// Text starting with this prefix anywhere in a string (Auggie's
    /// `$augment-NAME` secret-store lookups).
    Prefix(&'static str),
}

impl Expands {
    /// Whether the client would change `text` rather than take it as it is.
    pub fn changes(self, syntax: ReferenceSyntax, text: &str) -> bool {
        match self {
            Expands::Nothing => false,
            Expands::OwnSyntax => reference::find(text).iter().any(|f| f.syntax == syntax),
            Expands::DollarNames => text.match_indices('$').any(|(at, _)| {
                let rest = &text[at + 1..];
                rest.starts_with(|c: char| c.is_ascii_alphanumeric() || c == '_')
                    || (rest.starts_with('{') && rest.contains('}'))
            }),
            Expands::Shell => text.contains('$'),
            Expands::Prefix(prefix) => text.contains(prefix),
        }
    }

    /// The first field of the rendered `entry` whose literal text the
    /// client would change, named as `args[2]`, `env.NAME`, `url`; the
    /// references mcpctl wrote for `server`'s credentials are skipped.
    pub fn changed_field(
        self,
        syntax: ReferenceSyntax,
        server: &Server,
        entry: &Value,
    ) -> Option<String> {
        if self == Expands::Nothing {
            return None;
        }
        let map = entry.as_object()?;
        for (key, value) in map {
            let changed = |text: &str| self.changes(syntax, text);
            match value {
                Value::String(text) if changed(text) => return Some(key.clone()),
                Value::Array(items) => {
                    if let Some(i) = items
                        .iter()
                        .position(|item| item.as_str().is_some_and(changed))
                    {
                        return Some(format!("{key}[{i}]"));
                    }
                }
                Value::Object(fields) => {
                    for (name, field) in fields {
                        let Some(text) = field.as_str() else { continue };
                        if !is_reference_field(server, key, name) && changed(text) {
                            return Some(format!("{key}.{name}"));
                        }
                    }
                }
                _ => {}
            }
        }
        None
    }
}

/// Whether `table.name` of an entry holds a reference mcpctl wrote: a
/// variable bound to a credential, or a credential header.
fn is_reference_field(server: &Server, table: &str, name: &str) -> bool {
    match &server.transport {
        Transport::Http {
            credential_headers, ..
        } if table == "headers" => credential_headers.contains_key(name),
        _ => matches!(server.env.get(name), Some(EnvValue::Credential { .. })),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn what_each_kind_of_client_would_change() {
        let brace = ReferenceSyntax::DollarBrace;
        for text in ["$(id)", "a$b", "${X:-d}", "$", "`$HOME`"] {
            assert!(Expands::Shell.changes(brace, text), "{text}");
        }
        assert!(!Expands::Shell.changes(brace, "plain-text_1.0"));
        for text in ["$HOME", "x${Y}", "$_a"] {
            assert!(Expands::DollarNames.changes(brace, text), "{text}");
        }
        for text in ["$", "5$", "$-x", "${unclosed"] {
            assert!(!Expands::DollarNames.changes(brace, text), "{text}");
        }
        let env = ReferenceSyntax::DollarEnv;
        assert!(Expands::OwnSyntax.changes(env, "a ${env:TOKEN} b"));
        assert!(!Expands::OwnSyntax.changes(env, "${TOKEN}"));
        assert!(Expands::OwnSyntax.changes(brace, "${TOKEN}"));
        let auggie = Expands::Prefix("$augment-");
        assert!(auggie.changes(ReferenceSyntax::None, "--key=$augment-gh"));
        assert!(!auggie.changes(ReferenceSyntax::None, "$HOME"));
        assert!(!Expands::Nothing.changes(brace, "$(id)"));
    }
}
