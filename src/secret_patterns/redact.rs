//! Showing a found secret: its public prefix and length, or a mask of the
//! same byte length for source snippets.

use super::SecretMatch;
use super::prefix_rules::PREFIX_RULES;

/// A safe way to mention a found secret: its public prefix and its length,
/// e.g. `ghp_… (40 chars)`, `postgres://…@db.internal (41 chars)`,
/// `… (24 chars)`. `rule` is the [`SecretMatch::rule`] that found it.
///
/// The public prefix is what every value of that kind starts with — a
/// provider's fixed token prefix (`ghp_`, `github_pat_`, `xoxb-`,
/// `sk-ant-`), a URL's scheme and host, a connection string's `Password=` —
/// and never a character of the secret itself: a value of a rule without
/// one (`generic-secret`, `jwt`, `aws-secret-access-key`) shows only its
/// length.
pub fn redacted(secret: &str, rule: &str) -> String {
    let len = secret.chars().count();
    if rule == "url-password"
        && let Some((scheme, authority)) = secret.split_once("://")
    {
        let authority = authority.split(['/', '?', '#']).next().unwrap_or_default();
        let host = authority.rsplit('@').next().unwrap_or_default();
        let host = host.rsplit_once(':').map_or(host, |(host, _port)| host);
        return format!("{scheme}://…@{host} ({len} chars)");
    }
    format!("{}… ({len} chars)", public_prefix(secret, rule))
}

/// The part of `secret` that every value of `rule` starts with (empty for
/// rules without one).
pub(super) fn public_prefix<'s>(secret: &'s str, rule: &str) -> &'s str {
    let fixed: &[&str] = match rule {
        "private-key" => &["-----BEGIN "],
        "zapier-mcp-url" => &["mcp.zapier.com/api/mcp/s/", "actions.zapier.com/mcp/"],
        "connection-string-password" => {
            let key = secret.find('=').map_or(0, |i| i + 1);
            return &secret[..key];
        }
        _ => PREFIX_RULES
            .iter()
            .find(|r| r.id == rule)
            .map_or(&[], |r| r.prefixes),
    };
    fixed
        .iter()
        .filter(|p| secret.starts_with(*p))
        .max_by_key(|p| p.len())
        .map_or("", |p| &secret[..p.len()])
}

/// `value` with each found secret replaced by its [`redacted`] form: how
/// plan, show, saved plans and `check` display a value that holds one.
pub fn redact_found(value: &str, found: &[SecretMatch]) -> String {
    let mut out = String::with_capacity(value.len());
    let mut at = 0;
    for m in merged(found) {
        out.push_str(&value[at..m.range.start]);
        out.push_str(&redacted(&value[m.range.clone()], m.rule));
        at = m.range.end;
    }
    out.push_str(&value[at..]);
    out
}

/// `text` with every occurrence of a value mcpctl itself handed out (a
/// credential it gave a server) replaced by its length, `… (40 chars)`; a
/// multi-line value (a key file) line by line too. Whatever its shape: the
/// value is known, no detector has to recognize it.
pub fn redact_known(text: &str, known: &[&str]) -> String {
    let mut values: Vec<&str> = Vec::new();
    for value in known {
        values.push(value.trim());
        values.extend(value.lines().map(str::trim).filter(|l| l.len() >= 8));
    }
    values.retain(|v| !v.is_empty());
    // Longest first, so a value is hidden whole before a line of it.
    values.sort_by_key(|v| std::cmp::Reverse(v.len()));
    values.dedup();
    let mut out = text.to_owned();
    for value in values {
        if out.contains(value) {
            out = out.replace(value, &redacted(value, "known"));
        }
    }
    out
}

/// `secret` hidden but as long in bytes: its public prefix (see
/// [`redacted`]) and a `*` for every other byte. For source snippets, whose
/// labels point at byte offsets into the text shown.
pub fn masked(secret: &str, rule: &str) -> String {
    if rule == "url-password"
        && let (Some(scheme), Some(at)) = (secret.find("://"), secret.rfind('@'))
        && scheme + 3 <= at
    {
        // The user and password hidden; the scheme and host stay.
        let hidden = "*".repeat(at - scheme - 3);
        return format!("{}{hidden}{}", &secret[..scheme + 3], &secret[at..]);
    }
    let keep = public_prefix(secret, rule).len();
    format!("{}{}", &secret[..keep], "*".repeat(secret.len() - keep))
}

/// `found` in order of position, overlapping matches made one (the first
/// one's rule).
pub(super) fn merged(found: &[SecretMatch]) -> Vec<SecretMatch> {
    let mut sorted = found.to_vec();
    sorted.sort_by_key(|m| (m.range.start, std::cmp::Reverse(m.range.end)));
    let mut out: Vec<SecretMatch> = Vec::with_capacity(sorted.len());
    for m in sorted {
        match out.last_mut() {
            Some(last) if m.range.start < last.range.end => {
                last.range.end = last.range.end.max(m.range.end);
            }
            _ => out.push(m),
        }
    }
    out
}
