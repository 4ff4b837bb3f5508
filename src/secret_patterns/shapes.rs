//! The formats a prefix alone does not recognize: private keys, URL and
//! connection-string passwords, Terraform, Azure DevOps and Zapier tokens,
//! JWTs.

use super::prefix_rules::{alnum_dash_underscore, base64ish};
use super::{Placeholders, SecretMatch, is_placeholder};

/// PEM private key blocks.
pub(super) fn private_keys(value: &str) -> Vec<SecretMatch> {
    let mut found = Vec::new();
    for (start, _) in value.match_indices("-----BEGIN ") {
        let header = &value[start + "-----BEGIN ".len()..];
        let Some(close) = header.find("-----") else {
            continue;
        };
        let label = &header[..close];
        if label.ends_with("PRIVATE KEY") && label.len() <= 40 && !label.contains('…') {
            let end = start + "-----BEGIN ".len() + close + "-----".len();
            found.push(SecretMatch {
                rule: "private-key",
                description: "a private key",
                range: start..end,
            });
        }
    }
    found
}

/// `scheme://user:password@host…` with a real password.
pub(super) fn url_passwords(value: &str) -> Vec<SecretMatch> {
    let mut found = Vec::new();
    for (sep, _) in value.match_indices("://") {
        // The scheme: letters, digits, `+`, `-`, `.`, starting with a letter.
        let before = &value[..sep];
        let scheme_len = before
            .chars()
            .rev()
            .take_while(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
            .count();
        let scheme = &before[before.len() - scheme_len..];
        if !scheme.starts_with(|c: char| c.is_ascii_alphabetic()) {
            continue;
        }
        let start = sep - scheme_len;
        let rest = &value[sep + 3..];
        // The authority ends at the path, query, fragment or whitespace.
        let authority_len = rest
            .find(|c: char| matches!(c, '/' | '?' | '#') || c.is_whitespace())
            .unwrap_or(rest.len());
        let authority = &rest[..authority_len];
        let Some(at) = authority.rfind('@') else {
            continue;
        };
        let userinfo = &authority[..at];
        let Some(colon) = userinfo.find(':') else {
            continue;
        };
        let password = &userinfo[colon + 1..];
        if is_placeholder(password) {
            continue;
        }
        found.push(SecretMatch {
            rule: "url-password",
            description: "a URL with a password in it",
            range: start..sep + 3 + authority_len,
        });
    }
    found
}

/// Whether `value[start..]` starts a word (the byte before is no letter or
/// digit).
pub(super) fn word_start(value: &str, start: usize) -> bool {
    !value[..start]
        .chars()
        .next_back()
        .is_some_and(|c| c.is_ascii_alphanumeric())
}

/// The length of the run of `body` characters at the start of `text`.
pub(super) fn run(text: &str, body: fn(char) -> bool) -> usize {
    text.find(|c| !body(c)).unwrap_or(text.len())
}

/// Terraform Cloud / HCP Terraform API tokens: 14 letters/digits,
/// `.atlasv1.`, then 60 or more letters/digits/`-`/`_`.
pub(super) fn terraform_tokens(value: &str, placeholders: Placeholders) -> Vec<SecretMatch> {
    let mut found = Vec::new();
    for (dot, _) in value.match_indices(".atlasv1.") {
        let before = value[..dot]
            .chars()
            .rev()
            .take_while(char::is_ascii_alphanumeric)
            .count();
        let after = run(&value[dot + 9..], alnum_dash_underscore);
        if before == 14 && after >= 60 && !placeholders.forgive(&value[dot + 9..dot + 9 + after]) {
            found.push(SecretMatch {
                rule: "terraform-cloud-token",
                description: "a Terraform Cloud API token",
                range: dot - before..dot + 9 + after,
            });
        }
    }
    found
}

/// Azure DevOps personal access tokens in the 84-character format, which
/// carries `AZDO` at offset 76. (The older 52-character tokens have no
/// marker: [`detect_named`] finds them by their variable's name.)
pub(super) fn azure_devops_pats(value: &str, placeholders: Placeholders) -> Vec<SecretMatch> {
    let mut found = Vec::new();
    for (marker, _) in value.match_indices("AZDO") {
        let Some(start) = marker.checked_sub(76) else {
            continue;
        };
        let end = marker + 8;
        if end > value.len() || !word_start(value, start) {
            continue;
        }
        let token = &value[start..end];
        let longer = value[end..].starts_with(|c: char| c.is_ascii_alphanumeric());
        if token.chars().all(|c| c.is_ascii_alphanumeric())
            && !longer
            && !placeholders.forgive(token)
        {
            found.push(SecretMatch {
                rule: "azure-devops-pat",
                description: "an Azure DevOps personal access token",
                range: start..end,
            });
        }
    }
    found
}

/// JSON Web Tokens (`eyJ….eyJ….…`), such as a Kubernetes service-account
/// bearer token.
pub(super) fn jwts(value: &str) -> Vec<SecretMatch> {
    let mut found = Vec::new();
    for (start, _) in value.match_indices("eyJ") {
        if !word_start(value, start) {
            continue;
        }
        let base64url = |c: char| c.is_ascii_alphanumeric() || c == '-' || c == '_';
        let header = run(&value[start..], base64url);
        let rest = &value[start + header..];
        let Some(rest) = rest.strip_prefix(".eyJ") else {
            continue;
        };
        let payload = 3 + run(rest, base64url);
        let Some(rest) = rest[payload - 3..].strip_prefix('.') else {
            continue;
        };
        let signature = run(rest, base64url);
        if header >= 10 && payload >= 10 && signature >= 10 {
            let end = start + header + 1 + payload + 1 + signature;
            found.push(SecretMatch {
                rule: "jwt",
                description: "a JSON Web Token (e.g. a Kubernetes service-account token)",
                range: start..end,
            });
        }
    }
    found
}

/// `Password=…;` / `Pwd=…;` in ADO.NET/ODBC-style connection strings.
pub(super) fn connection_string_passwords(value: &str) -> Vec<SecretMatch> {
    // Only inside a `k=v;k=v` string: a `;` before, or a `;` after.
    if !value.contains(';') {
        return Vec::new();
    }
    let lower = value.to_ascii_lowercase();
    let mut found = Vec::new();
    for key in ["password=", "pwd="] {
        for (at, _) in lower.match_indices(key) {
            if !word_start(value, at) {
                continue;
            }
            let start = at + key.len();
            let len = value[start..]
                .find(|c: char| c == ';' || c == '"' || c == '\'' || c.is_whitespace())
                .unwrap_or(value.len() - start);
            let password = &value[start..start + len];
            if len == 0 || is_placeholder(password) {
                continue;
            }
            found.push(SecretMatch {
                rule: "connection-string-password",
                description: "a connection string with a password in it",
                range: at..start + len,
            });
        }
    }
    found
}

/// Zapier MCP server URLs, whose path carries the secret:
/// `https://mcp.zapier.com/api/mcp/s/<secret>/…`.
pub(super) fn zapier_mcp_urls(value: &str, placeholders: Placeholders) -> Vec<SecretMatch> {
    let mut found = Vec::new();
    for marker in ["mcp.zapier.com/api/mcp/s/", "actions.zapier.com/mcp/"] {
        for (at, _) in value.match_indices(marker) {
            let start = at + marker.len();
            let len = run(&value[start..], base64ish);
            if len >= 20 && !placeholders.forgive(&value[start..start + len]) {
                found.push(SecretMatch {
                    rule: "zapier-mcp-url",
                    description: "a Zapier MCP server URL (its path is the secret)",
                    range: at..start + len,
                });
            }
        }
    }
    found
}
