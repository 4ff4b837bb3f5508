//! Values judged with what names them: a variable, header or flag name
//! (`GITHUB_TOKEN`, `--api-key`), which adds the secrets of no recognizable
//! shape (`generic-secret`, by entropy).

use super::{Placeholders, SecretMatch, detect_all_with, is_placeholder};

/// Every secret-looking part of `value`, knowing it is the value of the
/// variable, header or flag `name` (`GITHUB_TOKEN`, `Authorization`,
/// `--api-key`).
///
/// On top of [`detect_all`](super::detect_all), a name that says "secret" (it contains
/// `TOKEN`, `SECRET`, `KEY`, `PASSWORD`, `PASSWD`, `PAT`, `CREDENTIAL` or is
/// `Authorization`) makes these count too: an AWS secret access key, an
/// Azure DevOps PAT in the older 52-character format, and any other value
/// that is long and random enough (rule `generic-secret`: 16 or more
/// characters of at least 3 bits of entropy each, or 8 or more for a
/// password). References, placeholders, paths, URLs, numbers and words do
/// not count.
pub fn detect_named(name: &str, value: &str) -> Vec<SecretMatch> {
    detect_named_with(name, value, Placeholders::Forgiven)
}

/// [`detect_named`], forgiving only the `placeholders` given in token
/// shapes (the `generic-secret` rule always lets every placeholder pass:
/// a random-looking value holds none of their words).
pub fn detect_named_with(name: &str, value: &str, placeholders: Placeholders) -> Vec<SecretMatch> {
    let found = detect_all_with(value, placeholders);
    if !found.is_empty() || !is_secret_name(name) {
        return found;
    }
    let upper = name.to_ascii_uppercase();
    // `Bearer …`, `token …`, `Basic …`: the credential is the last word.
    let start = value.rfind(' ').map_or(0, |i| i + 1);
    let scheme = value[..start].trim();
    if !scheme.is_empty() && !scheme.chars().all(|c| c.is_ascii_alphabetic()) {
        return found;
    }
    let candidate = &value[start..];
    if candidate.is_empty()
        || is_placeholder(candidate)
        || candidate.contains(['$', '{', '}', '/', '\\', ':', '<', '>'])
        || candidate.parse::<f64>().is_ok()
        || matches!(
            candidate.to_ascii_lowercase().as_str(),
            "true" | "false" | "null" | "none"
        )
    {
        // A path, a URL (passwords in URLs are `url-password`), a number.
        if !(candidate.contains('/')
            && upper.contains("AWS")
            && upper.contains("SECRET")
            && aws_secret_shape(candidate))
        {
            return found;
        }
    }
    let range = start..value.len();
    let (rule, description) = if upper.contains("SECRET_ACCESS_KEY") || upper.contains("AWS_SECRET")
    {
        if !aws_secret_shape(candidate) {
            return found;
        }
        ("aws-secret-access-key", "an AWS secret access key")
    } else if candidate.len() == 52
        && candidate
            .chars()
            .all(|c| c.is_ascii_lowercase() || ('2'..='7').contains(&c))
        && (upper.contains("PAT") || upper.contains("AZURE") || upper.contains("DEVOPS"))
    {
        ("azure-devops-pat", "an Azure DevOps personal access token")
    } else if looks_random(candidate, is_password_name(&upper)) {
        (
            "generic-secret",
            "a random value of a secret-named variable",
        )
    } else {
        return found;
    };
    vec![SecretMatch {
        rule,
        description,
        range,
    }]
}

pub(super) fn aws_secret_shape(value: &str) -> bool {
    value.len() == 40
        && value
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '/' || c == '+')
        && value.chars().any(|c| c.is_ascii_digit())
        && value.chars().any(|c| c.is_ascii_uppercase())
}

/// Every secret-looking part of one argument of a command line, knowing
/// the argument before it: `--token VALUE` and `--token=VALUE` name their
/// value by the flag ([`detect_named_with`]); any other argument, or a
/// flag's value its flag does not name, is judged by [`detect_in_argument`]
/// (`-H "Authorization: Bearer …"`, `--header=X-Api-Key: …`,
/// `-e GITHUB_TOKEN=…`, `--url=https://…?token=…`).
pub fn detect_argument(
    previous: Option<&str>,
    value: &str,
    placeholders: Placeholders,
) -> Vec<SecretMatch> {
    let (flag, offset, rest) = match value.split_once('=').filter(|(f, _)| f.starts_with('-')) {
        Some((flag, rest)) => (Some(flag), flag.len() + 1, rest),
        None => (previous.filter(|p| p.starts_with('-')), 0, value),
    };
    let named = flag.map_or_else(Vec::new, |flag| detect_named_with(flag, rest, placeholders));
    let found = if named.is_empty() {
        detect_in_argument(rest, placeholders)
    } else {
        named
    };
    found.into_iter().map(|m| shifted(m, offset)).collect()
}

/// Every secret-looking part of an argument that carries its own name:
/// a header (`Authorization: Bearer …`) or a variable (`GITHUB_TOKEN=…`,
/// as `docker -e` takes it) judged by that name; else [`detect_unnamed`].
pub(super) fn detect_in_argument(value: &str, placeholders: Placeholders) -> Vec<SecretMatch> {
    let found = detect_unnamed(value, placeholders);
    if !found.is_empty() || value.contains("://") {
        return found;
    }
    let is_name = |name: &str| {
        !name.is_empty()
            && !name.starts_with('-')
            && name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-' || c == '.')
    };
    let split = match (value.find(':'), value.find('=')) {
        (Some(colon), Some(equals)) => Some(colon.min(equals)),
        (colon, equals) => colon.or(equals),
    };
    let Some(at) = split.filter(|&at| is_name(&value[..at])) else {
        return found;
    };
    let rest = &value[at + 1..];
    let start = at + 1 + (rest.len() - rest.trim_start().len());
    detect_named_with(&value[..at], &value[start..], placeholders)
        .into_iter()
        .map(|m| shifted(m, start))
        .collect()
}

/// Every secret-looking part of a value without a name: every token shape,
/// and in a URL the query parameters judged by their names (`?api_key=…`,
/// `&access_token=…`).
pub fn detect_unnamed(value: &str, placeholders: Placeholders) -> Vec<SecretMatch> {
    let mut found = detect_all_with(value, placeholders);
    // Every parameter is judged, even when a token shape was found
    // elsewhere in the URL: one recognized value must not hide the next.
    if value.contains("://")
        && let Some(query_at) = value.find('?')
    {
        let mut offset = query_at + 1;
        for pair in value[query_at + 1..].split(['&', '#']) {
            if let Some((name, v)) = pair.split_once('=') {
                let start = offset + name.len() + 1;
                for named in detect_named_with(name, v, placeholders) {
                    let named = shifted(named, start);
                    let overlaps = found.iter().any(|m| {
                        m.range.start < named.range.end && named.range.start < m.range.end
                    });
                    if !overlaps {
                        found.push(named);
                    }
                }
            }
            offset += pair.len() + 1;
        }
        found.sort_by_key(|m| (m.range.start, m.range.end));
    }
    found
}

pub(super) fn shifted(m: SecretMatch, offset: usize) -> SecretMatch {
    SecretMatch {
        range: m.range.start + offset..m.range.end + offset,
        ..m
    }
}

/// Whether a variable, header or flag name says its value is a secret.
pub fn is_secret_name(name: &str) -> bool {
    let upper = name
        .trim_start_matches('-')
        .to_ascii_uppercase()
        .replace('-', "_");
    if upper == "AUTHORIZATION" || upper == "PROXY_AUTHORIZATION" {
        return true;
    }
    let words: Vec<&str> = upper.split('_').collect();
    // `GITHUB_TOKEN_PATH`, `SSH_KEY_FILE`, `AWS_ACCESS_KEY_ID`,
    // `POSTHOG_PUBLIC_KEY`: about a secret, not one.
    let last = words.last().copied().unwrap_or_default();
    if matches!(
        last,
        "PATH"
            | "FILE"
            | "DIR"
            | "ID"
            | "NAME"
            | "TYPE"
            | "URL"
            | "HOST"
            | "PORT"
            | "REGION"
            | "ENV"
            | "VAR"
            | "HEADER"
            | "EXPIRY"
            | "EXPIRES"
            | "LENGTH"
    ) || words.contains(&"PUBLIC")
    {
        return false;
    }
    words.iter().any(|w| {
        // `PGPASSWORD` (libpq), `DBPASSWD`: the word inside another.
        matches!(*w, "PAT" | "PWD" | "CREDENTIAL" | "CREDENTIALS")
            || w.contains("PASSWORD")
            || w.contains("PASSWD")
            || w.contains("TOKEN")
            || w.contains("SECRET")
            || w.ends_with("KEY")
            || w.starts_with("APIKEY")
    })
}

pub(super) fn is_password_name(upper: &str) -> bool {
    upper.contains("PASSWORD") || upper.contains("PASSWD") || upper.contains("PWD")
}

/// Long enough, letters and digits, no characters of code or markup, not
/// made of words (`GITHUB_PERSONAL_ACCESS_TOKEN`, `gnome-keyring-daemon`,
/// `ctx.secrets`), and high Shannon entropy.
pub(super) fn looks_random(value: &str, password: bool) -> bool {
    let has_digit = value.chars().any(|c| c.is_ascii_digit());
    let has_letter = value.chars().any(|c| c.is_ascii_alphabetic());
    let code = value.contains([
        '(', ')', '&', '[', ']', ',', ';', '"', '\'', '`', '<', '>', '{', '}', '$', '\\', '|', '*',
    ]);
    let words = value.split(['_', '.', '-']).all(|w| {
        w.chars().all(|c| c.is_ascii_alphabetic()) || w.chars().all(|c| c.is_ascii_digit())
    });
    if !has_digit || !has_letter || code || words {
        return false;
    }
    let len = value.chars().count();
    let classes = [
        value.chars().any(|c| c.is_ascii_lowercase()),
        value.chars().any(|c| c.is_ascii_uppercase()),
        value.chars().any(|c| c.is_ascii_digit()),
        value.chars().any(|c| !c.is_ascii_alphanumeric()),
    ]
    .into_iter()
    .filter(|x| *x)
    .count();
    let entropy = shannon_entropy(value);
    if value.contains(char::is_whitespace) || classes < 2 {
        return false;
    }
    (len >= 16 && entropy >= 3.0) || (password && len >= 8 && entropy >= 2.5)
}

/// Bits per character.
pub(super) fn shannon_entropy(value: &str) -> f64 {
    let mut counts = std::collections::BTreeMap::new();
    let mut total = 0usize;
    for c in value.chars() {
        *counts.entry(c).or_insert(0usize) += 1;
        total += 1;
    }
    counts
        .values()
        .map(|&n| {
            let p = n as f64 / total as f64;
            -p * p.log2()
        })
        .sum()
}
