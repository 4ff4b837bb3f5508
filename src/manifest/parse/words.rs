//! Names in messages: a user's value quoted (never a secret), the closest
//! known name to a misspelt one, and what makes a valid name.

use miette::SourceSpan;

use super::{Checker, K, Problem};
use crate::secret_patterns::{self, Placeholders};

impl Checker {
    /// A name that is not one of `names`: "unknown {what} `value`", with
    /// the closest name as a suggestion and `known` listing the choices.
    #[allow(clippy::too_many_arguments)]
    pub(super) fn unknown_name<'n>(
        &mut self,
        kind: K,
        what: &str,
        label: &str,
        value: &str,
        span: SourceSpan,
        names: impl IntoIterator<Item = &'n str>,
        known: &str,
    ) {
        let help = did_you_mean(value, names)
            .map(|s| format!("did you mean `{s}`? {known}"))
            .unwrap_or_else(|| known.to_owned());
        self.push(
            Problem::new(kind, format!("unknown {what} {}", show(value)), span, label).help(help),
        );
    }
}

/// A user-written value, quoted for a message, unless it looks like a secret:
/// diagnostics never repeat a secret.
pub(super) fn show(value: &str) -> String {
    if !secret_patterns::detect_all_with(value, Placeholders::ReferencesOnly).is_empty() {
        "(a secret-looking value)".to_owned()
    } else if value.chars().count() > 60 {
        let cut: String = value.chars().take(57).collect();
        format!("`{cut}…`")
    } else {
        format!("`{value}`")
    }
}

pub(super) fn capitalize(s: &str) -> String {
    let mut chars = s.chars();
    chars
        .next()
        .map(|c| c.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

/// The closest candidate to a misspelt name: same letters in another case,
/// a small edit distance (a third of the length), or a prefix of at least
/// three letters (`cred` → `credential`).
pub(crate) fn did_you_mean<'c>(
    input: &str,
    candidates: impl IntoIterator<Item = &'c str>,
) -> Option<&'c str> {
    if secret_patterns::detect(input).is_some() {
        return None;
    }
    let candidates: Vec<&str> = candidates.into_iter().collect();
    let lower = input.to_ascii_lowercase();
    if let Some(same) = candidates.iter().find(|c| c.eq_ignore_ascii_case(input)) {
        return Some(same);
    }
    let mut best: Option<(usize, &str)> = None;
    for candidate in &candidates {
        let distance = strsim::damerau_levenshtein(&lower, &candidate.to_ascii_lowercase());
        let limit = (input.len().max(candidate.len()) / 3).max(1);
        if distance <= limit && best.is_none_or(|(d, _)| distance < d) {
            best = Some((distance, candidate));
        }
    }
    best.map(|(_, c)| c).or_else(|| {
        (lower.len() >= 3)
            .then(|| candidates.iter().find(|c| c.starts_with(&lower)).copied())
            .flatten()
    })
}

pub(super) fn is_env_name(name: &str) -> bool {
    name.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
}

pub(super) fn is_server_name(name: &str) -> bool {
    name.starts_with(|c: char| c.is_ascii_alphanumeric())
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
}

/// An HTTP header field name (RFC 9110 token).
pub(super) fn is_header_name(name: &str) -> bool {
    !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "!#$%&'*+-.^_`|~".contains(c))
}
