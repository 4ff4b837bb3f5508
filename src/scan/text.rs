//! Secrets in arbitrary text: shell profiles, shell history, files of a
//! repository.
//!
//! Line by line: every token shape [`secret_patterns::detect_all`] knows;
//! values assigned to a secret-named variable (`export GITHUB_TOKEN=…`,
//! `set -gx API_KEY …`, `$env:API_KEY = "…"`, `"API_KEY": "…"`,
//! `api_key = "…"`, mcpctl.kdl's `env API_KEY "…"`), judged by
//! [`secret_patterns::detect_named`]; and the two commands the
//! credentials guide itself teaches, which leave the secret in shell
//! history: `security add-generic-password … -w "…"` and
//! PowerShell's `ConvertTo-SecureString "…" -AsPlainText`.

use std::ops::Range;

use crate::secret_patterns::{self, Placeholders, SecretMatch};

/// One secret in a text, 1-based line and column (in characters).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TextHit {
    pub line: usize,
    pub column: usize,
    pub rule: &'static str,
    pub description: &'static str,
    pub redacted: String,
}

/// Every secret in `text`.
pub fn scan(text: &str) -> Vec<TextHit> {
    let mut out = Vec::new();
    for (index, line) in text.lines().enumerate() {
        for m in in_line(line, Placeholders::Forgiven) {
            out.push(TextHit {
                line: index + 1,
                column: line[..m.range.start].chars().count() + 1,
                rule: m.rule,
                description: m.description,
                redacted: secret_patterns::redacted(&line[m.range.clone()], m.rule),
            });
        }
    }
    out
}

/// Every secret in one line of text, in order of position.
pub fn in_line(line: &str, placeholders: Placeholders) -> Vec<SecretMatch> {
    let mut found: Vec<SecretMatch> = secret_patterns::detect_all_with(line, placeholders);
    for extra in assignments(line, placeholders)
        .into_iter()
        .chain(commands(line))
    {
        if !found.iter().any(|m| overlaps(&m.range, &extra.range)) {
            found.push(extra);
        }
    }
    found.sort_by_key(|m| m.range.start);
    found
}

/// `text` with every secret [`in_line`] finds replaced by its redacted
/// form: how mcpctl quotes output it did not write (a server's stderr).
pub fn redact(text: &str) -> String {
    text.split_inclusive('\n')
        .map(|line| {
            let found = in_line(line, Placeholders::ReferencesOnly);
            secret_patterns::redact_found(line, &found)
        })
        .collect()
}

fn overlaps(a: &Range<usize>, b: &Range<usize>) -> bool {
    a.start < b.end && b.start < a.end
}

fn is_name_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_' || c == '-'
}

/// A value starting at `at`: quoted (the range is inside the quotes) or a
/// bare word ending at whitespace or `,;})`.
fn value_at(line: &str, at: usize) -> Option<Range<usize>> {
    let rest = &line[at..];
    let quote = rest.chars().next()?;
    if quote == '"' || quote == '\'' {
        let end = rest[1..].find(quote)?;
        return Some(at + 1..at + 1 + end);
    }
    let len = rest
        .find(|c: char| c.is_whitespace() || matches!(c, ',' | ';' | '}' | ')'))
        .unwrap_or(rest.len());
    (len > 0).then_some(at..at + len)
}

/// `NAME=value`, `NAME: value`, `"NAME": "value"`, `NAME = "value"`,
/// `$env:NAME = "value"`, `set -gx NAME value`, `NAME "value"` with a
/// secret-looking value.
fn assignments(line: &str, placeholders: Placeholders) -> Vec<SecretMatch> {
    let mut found = Vec::new();
    let mut i = 0;
    while i < line.len() {
        let rest = &line[i..];
        let Some(start_rel) = rest.find(|c: char| c.is_ascii_alphabetic() || c == '_') else {
            break;
        };
        let start = i + start_rel;
        let len = line[start..]
            .find(|c: char| !is_name_char(c))
            .unwrap_or(line.len() - start);
        let name = &line[start..start + len];
        let mut j = start + len;
        // `"NAME"` / `'NAME'`
        if start > 0
            && matches!(line.as_bytes()[start - 1], b'"' | b'\'')
            && line.as_bytes().get(j) == Some(&line.as_bytes()[start - 1])
        {
            j += 1;
        }
        let after = &line[j..];
        let trimmed = after.trim_start_matches([' ', '\t']);
        let mut value_start = None;
        if let Some(rest) = trimmed.strip_prefix([':', '=']) {
            if !rest.starts_with('=') {
                let skip = after.len() - rest.len();
                let rest_trimmed = rest.trim_start_matches([' ', '\t']);
                value_start = Some(j + skip + (rest.len() - rest_trimmed.len()));
            }
        } else if after.starts_with([' ', '\t'])
            && (trimmed.starts_with(['"', '\'']) || is_fish_set(&line[..start]))
        {
            // `set -gx NAME value`; `NAME "value"` (a KDL `env` or `header`
            // line, a flag and its quoted value).
            value_start = Some(j + (after.len() - trimmed.len()));
        }
        if let Some(at) = value_start
            && let Some(range) = value_at(line, at)
        {
            let value = &line[range.clone()];
            for m in secret_patterns::detect_named_with(name, value, placeholders) {
                found.push(SecretMatch {
                    range: range.start + m.range.start..range.start + m.range.end,
                    ..m
                });
            }
        }
        i = start + len.max(1);
    }
    found
}

/// Whether `before` ends with fish's `set` and its flags.
fn is_fish_set(before: &str) -> bool {
    // From the end, so a long line costs only its last words.
    let mut flags = 0;
    for word in before.split_whitespace().rev() {
        if word.starts_with('-') {
            flags += 1;
        } else {
            return flags > 0 && word == "set";
        }
    }
    false
}

/// `security add-generic-password … -w "…"` and
/// `ConvertTo-SecureString "…" -AsPlainText`.
fn commands(line: &str) -> Vec<SecretMatch> {
    let mut found = Vec::new();
    if line.contains("add-generic-password") || line.contains("add-internet-password") {
        for (at, _) in line.match_indices(" -w ") {
            if let Some(range) = value_at(line, at + 4)
                && literal(&line[range.clone()])
            {
                found.push(SecretMatch {
                    rule: "keychain-command-password",
                    description: "a secret typed on a `security … -w` command line (it stays in shell history)",
                    range,
                });
            }
        }
    }
    let lower = line.to_ascii_lowercase();
    if lower.contains("-asplaintext") {
        for (at, _) in lower.match_indices("convertto-securestring") {
            let mut k = at + "convertto-securestring".len();
            let rest = &line[k..];
            k += rest.len() - rest.trim_start().len();
            if line[k..].to_ascii_lowercase().starts_with("-string") {
                let rest = &line[k + 7..];
                k += 7 + rest.len() - rest.trim_start().len();
            }
            if let Some(range) = value_at(line, k)
                && literal(&line[range.clone()])
            {
                found.push(SecretMatch {
                    rule: "powershell-plaintext-secret",
                    description: "a secret typed into `ConvertTo-SecureString … -AsPlainText` (it stays in history)",
                    range,
                });
            }
        }
    }
    found
}

/// A literal value rather than a variable, a command substitution or a
/// placeholder.
fn literal(value: &str) -> bool {
    !value.is_empty()
        && !value.starts_with('$')
        && !value.starts_with('(')
        && !value.starts_with('-')
        && !secret_patterns::is_placeholder(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rules(text: &str) -> Vec<(usize, usize, &'static str)> {
        scan(text)
            .into_iter()
            .map(|h| (h.line, h.column, h.rule))
            .collect()
    }

    #[test]
    fn shell_lines_the_guide_writes() {
        let token = format!("ghp_{}", "Ab1".repeat(12));
        let random = crate::secret_patterns::test_random(7, 27);
        let text = format!(
            "# profile\nexport GITHUB_TOKEN={token}\nexport API_KEY=\"{random}\"\n\
             security add-generic-password -a \"$USER\" -s SLACK -w \"{random}\"\n\
             $cred = ConvertTo-SecureString \"{random}\" -AsPlainText -Force\n\
             set -gx NOTION_TOKEN {random}\n$env:SENTRY_TOKEN = \"{random}\"\n\
             : 1700000000:0;export GITHUB_TOKEN=${{GITHUB_TOKEN}}\n\
             security add-generic-password -s X -w \"$(pbpaste)\"\n\
             export GITHUB_TOKEN=your-token-here\n"
        );
        assert_eq!(
            rules(&text),
            [
                (2, 21, "github-classic-pat"),
                (3, 17, "generic-secret"),
                (4, 55, "keychain-command-password"),
                (5, 33, "powershell-plaintext-secret"),
                (6, 22, "generic-secret"),
                (7, 22, "generic-secret"),
            ]
        );
        let hits = scan(&text);
        assert!(hits.iter().all(|h| !h.redacted.contains(&random[4..])));
    }

    #[test]
    fn a_manifest_line_with_a_generic_secret() {
        assert_eq!(
            rules("server x {\n    env API_KEY \"k8Jd92LmQz7RtX4vNc1PaY6w\"\n}\n"),
            [(2, 18, "generic-secret")]
        );
        assert_eq!(rules("    env API_KEY \"${API_KEY}\"\n"), []);
        assert_eq!(
            rules("    env LOG_LEVEL \"k8Jd92LmQz7RtX4vNc1PaY6w\"\n"),
            []
        );
    }

    #[test]
    fn json_toml_and_yaml_assignments() {
        let random = crate::secret_patterns::test_random(7, 27);
        let text = format!(
            "{{\"API_KEY\": \"{random}\"}}\napi_token = \"{random}\"\npassword: {random}\nkey_path: /a/b\n"
        );
        assert_eq!(
            rules(&text),
            [
                (1, 14, "generic-secret"),
                (2, 14, "generic-secret"),
                (3, 11, "generic-secret"),
            ]
        );
    }
}
