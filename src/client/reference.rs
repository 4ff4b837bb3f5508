//! How a client names an environment variable inside its configuration,
//! and the one finder of such references in a string.
//!
//! Each client resolves at most one syntax ([`ReferenceSyntax`]); every
//! other reference reaches the server as literal text. Scanning, checking,
//! importing and drafting all need to spot references, in any syntax, so
//! they share [`find`] rather than each matching `${` its own way. Words
//! for people live only in `Display`.

use std::fmt;
use std::ops::Range;

/// The syntax a client expands in its configuration, if any.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReferenceSyntax {
    /// `${VAR}` (Claude Code, Gemini CLI).
    DollarBrace,
    /// `${env:VAR}` (VS Code, Cursor, Windsurf, Cline).
    DollarEnv,
    /// `{env:VAR}` (opencode).
    BraceEnv,
    /// No syntax inside strings: variables are forwarded by name in fields
    /// of their own (Codex's `env_vars`, `bearer_token_env_var`,
    /// `env_http_headers`).
    ByName,
    /// Resolves no references: secrets arrive through `mcpctl exec` only.
    None,
}

impl ReferenceSyntax {
    /// Whether the client can be given a secret by reference at all
    /// (env-ref delivery).
    pub fn resolves(self) -> bool {
        self != ReferenceSyntax::None
    }

    /// The reference to `var` written inside a string, for the syntaxes
    /// that have one.
    pub fn in_string(self, var: &str) -> Option<String> {
        match self {
            ReferenceSyntax::DollarBrace => Some(format!("${{{var}}}")),
            ReferenceSyntax::DollarEnv => Some(format!("${{env:{var}}}")),
            ReferenceSyntax::BraceEnv => Some(format!("{{env:{var}}}")),
            ReferenceSyntax::ByName | ReferenceSyntax::None => None,
        }
    }
}

/// As the client tables and `mcpctl clients` show it: `${env:VAR}`.
impl fmt::Display for ReferenceSyntax {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ReferenceSyntax::ByName => {
                f.write_str("env_vars / bearer_token_env_var / env_http_headers")
            }
            ReferenceSyntax::None => f.write_str("none"),
            syntax => f.write_str(&syntax.in_string("VAR").unwrap_or_default()),
        }
    }
}

/// One reference found in a string.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Found<'s> {
    /// Where it is, `$`/`{` to `}`.
    pub range: Range<usize>,
    /// Its syntax: one of the three that live inside strings.
    pub syntax: ReferenceSyntax,
    /// The variable it names.
    pub name: &'s str,
    /// `${VAR:-default}`: a fallback no client's own form can say.
    pub default: bool,
}

/// Every environment reference in `text`, in order. `${name}` in lower or
/// mixed case is not counted (VS Code's `${workspaceFolder}`,
/// `${input:id}` are its own variables).
pub fn find(text: &str) -> Vec<Found<'_>> {
    let mut found = Vec::new();
    for (start, _) in text.match_indices('{') {
        let Some(close) = text[start..].find('}').map(|n| start + n) else {
            continue;
        };
        let inner = &text[start + 1..close];
        let dollar = start > 0 && text.as_bytes()[start - 1] == b'$';
        let (syntax, name, default) = match (dollar, inner.strip_prefix("env:")) {
            (true, Some(name)) => (ReferenceSyntax::DollarEnv, name, false),
            (false, Some(name)) => (ReferenceSyntax::BraceEnv, name, false),
            (true, None) => match inner.split_once(":-") {
                Some((name, _)) => (ReferenceSyntax::DollarBrace, name, true),
                None => (ReferenceSyntax::DollarBrace, inner, false),
            },
            (false, None) => continue,
        };
        if is_env_name(name) {
            let from = if dollar { start - 1 } else { start };
            found.push(Found {
                range: from..close + 1,
                syntax,
                name,
                default,
            });
        }
    }
    found
}

/// The variable of a value that is one reference and nothing else:
/// `${VAR}`, `${env:VAR}`, `{env:VAR}`, or a shell's `$VAR`.
pub fn whole(text: &str) -> Option<&str> {
    match text.strip_prefix('$').filter(|n| is_env_name(n)) {
        Some(name) => Some(name),
        None => braced(text),
    }
}

/// The variable of a value that is one braced reference (`${VAR}`,
/// `${env:VAR}`, `{env:VAR}`) and nothing else.
pub fn braced(text: &str) -> Option<&str> {
    match find(text).as_slice() {
        [one] if one.range == (0..text.len()) && !one.default => Some(one.name),
        _ => None,
    }
}

/// An environment variable name as people write them: upper case, not
/// starting with a digit.
fn is_env_name(name: &str) -> bool {
    !name.is_empty()
        && !name.starts_with(|c: char| c.is_ascii_digit())
        && name
            .chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn written(text: &str) -> Vec<(&str, ReferenceSyntax, bool)> {
        find(text)
            .into_iter()
            .map(|f| (&text[f.range], f.syntax, f.default))
            .collect()
    }

    #[test]
    fn finds_each_syntax_and_skips_the_clients_own_variables() {
        assert_eq!(
            written("a ${A} ${env:B} {env:C} ${D:-x} ${workspaceFolder} ${input:t} {D}"),
            [
                ("${A}", ReferenceSyntax::DollarBrace, false),
                ("${env:B}", ReferenceSyntax::DollarEnv, false),
                ("{env:C}", ReferenceSyntax::BraceEnv, false),
                ("${D:-x}", ReferenceSyntax::DollarBrace, true),
            ]
        );
        assert!(find("${1A} ${} {env:}").is_empty());
    }

    #[test]
    fn whole_values_only() {
        assert_eq!(whole("${A}"), Some("A"));
        assert_eq!(whole("${env:A}"), Some("A"));
        assert_eq!(whole("{env:A}"), Some("A"));
        assert_eq!(whole("$A"), Some("A"));
        assert_eq!(whole("Bearer ${A}"), None);
        assert_eq!(whole("${A:-x}"), None);
        assert_eq!(whole("${A}${B}"), None);
    }

    #[test]
    fn each_syntax_writes_what_it_finds() {
        for syntax in [
            ReferenceSyntax::DollarBrace,
            ReferenceSyntax::DollarEnv,
            ReferenceSyntax::BraceEnv,
        ] {
            let text = syntax.in_string("GITHUB_TOKEN").unwrap();
            assert_eq!(find(&text)[0].syntax, syntax);
            assert_eq!(whole(&text), Some("GITHUB_TOKEN"));
        }
        assert_eq!(ReferenceSyntax::ByName.in_string("A"), None);
        assert!(!ReferenceSyntax::None.resolves());
    }
}
