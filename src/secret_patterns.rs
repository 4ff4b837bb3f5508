//! Recognizing secret values by their shape.
//!
//! The team manifest must never hold a secret: secrets live in the OS
//! credential store and reach servers through `mcpctl exec`. The manifest
//! validator runs every string literal through [`detect`] and rejects the
//! ones that look like a token, and a later `mcpctl scan` will run client
//! configuration files through the same function to find the plaintext
//! tokens that the credentials guide warns about.
//!
//! # What is detected
//!
//! Only formats with a distinctive, documented shape, so that a match is
//! almost certainly a real credential and an ordinary value (a package name,
//! a URL, a flag) almost never matches:
//!
//! | rule | shape |
//! |---|---|
//! | `github-classic-pat` | `ghp_` + 36 or more letters/digits |
//! | `github-oauth-token` | `gho_` + 36 or more letters/digits |
//! | `github-user-token` | `ghu_` + 36 or more letters/digits |
//! | `github-app-token` | `ghs_` + 36 or more letters/digits |
//! | `github-refresh-token` | `ghr_` + 36 or more letters/digits |
//! | `github-fine-grained-pat` | `github_pat_` + 22 or more letters/digits/`_` |
//! | `gitlab-pat` | `glpat-` + 20 or more letters/digits/`-`/`_` |
//! | `slack-token` | `xoxb-`, `xoxa-`, `xoxp-`, `xoxr-`, `xoxs-` + 20 or more letters/digits/`-`, with at least 8 digits |
//! | `aws-access-key-id` | `AKIA` or `ASIA` + exactly 16 upper-case letters/digits |
//! | `anthropic-api-key` | `sk-ant-` + 20 or more letters/digits/`-`/`_` |
//! | `openai-api-key` | `sk-` + 20 or more letters/digits/`-`/`_`, with a digit |
//! | `stripe-secret-key` | `sk_live_` or `rk_live_` + 20 or more letters/digits |
//! | `sentry-org-token` | `sntrys_` + 30 or more base64 characters |
//! | `sentry-user-token` | `sntryu_` + 64 hex digits |
//! | `google-api-key` | `AIza` + exactly 35 letters/digits/`-`/`_` |
//! | `private-key` | `-----BEGIN … PRIVATE KEY-----` |
//! | `url-password` | `scheme://user:password@host` with a non-empty password |
//!
//! A token is found anywhere inside the value (`Bearer ghp_…`,
//! `--token=ghp_…`), but only where it starts a word: the character before a
//! prefix must not be a letter or digit.
//!
//! # What is not a secret
//!
//! Placeholders, as documentation and examples write them, are not secrets:
//! references such as `${VAR}`, `$VAR`, `{{var}}` or `<token>`, and bodies
//! made of a repeated filler (`xxxx…`, `****…`) or holding a word such as
//! `your`, `example`, `placeholder`, `changeme`, `redacted`, `dummy` or
//! `fake` (so `ghp_your_actual_token`, `your-token-here` and AWS's
//! documented `AKIA…EXAMPLE` key pass).
//!
//! # Limits
//!
//! Secrets without a recognizable prefix (an Azure DevOps PAT, a random
//! password outside a URL) are not found: there is no entropy guessing,
//! because false alarms on ordinary values would teach people to ignore the
//! check. A match says "this looks like", never "this is".

use std::ops::Range;

/// A value that looks like a secret.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SecretMatch {
    /// Stable rule id, e.g. `github-classic-pat`; safe to show and to use in
    /// suppressions.
    pub rule: &'static str,
    /// What it looks like, for messages: "a GitHub personal access token".
    pub description: &'static str,
    /// Where in the value the secret is (byte offsets). Never show the text
    /// in this range.
    pub range: Range<usize>,
}

/// The first secret-looking part of `value`, if any.
///
/// Pure and cheap; never logs or keeps the value.
pub fn detect(value: &str) -> Option<SecretMatch> {
    detect_all(value).into_iter().next()
}

/// Every secret-looking part of `value`, in order of position.
pub fn detect_all(value: &str) -> Vec<SecretMatch> {
    let mut found = Vec::new();
    for rule in PREFIX_RULES {
        for prefix in rule.prefixes {
            for (start, _) in value.match_indices(prefix) {
                if let Some(end) = rule.match_at(value, start, prefix.len()) {
                    found.push(SecretMatch {
                        rule: rule.id,
                        description: rule.description,
                        range: start..end,
                    });
                }
            }
        }
    }
    found.extend(private_keys(value));
    found.extend(url_passwords(value));
    found.sort_by_key(|m| (m.range.start, m.range.end));
    // One secret may satisfy two rules (`sk-ant-…` is also `sk-…`): keep the
    // first, more specific, rule for each start.
    found.dedup_by_key(|m| m.range.start);
    found
}

/// A token format recognized by a fixed prefix and a run of body characters.
struct PrefixRule {
    id: &'static str,
    description: &'static str,
    prefixes: &'static [&'static str],
    body: fn(char) -> bool,
    min: usize,
    /// When set, the body must be exactly this long (the token has a fixed
    /// length, so a longer run is something else).
    exact: Option<usize>,
    /// Further shape requirement on the body.
    check: fn(&str) -> bool,
}

impl PrefixRule {
    /// The end of the token when `value[start..]` holds one.
    fn match_at(&self, value: &str, start: usize, prefix_len: usize) -> Option<usize> {
        if value[..start]
            .chars()
            .next_back()
            .is_some_and(|c| c.is_ascii_alphanumeric())
        {
            return None;
        }
        let rest = &value[start + prefix_len..];
        let body_len = rest.find(|c| !(self.body)(c)).unwrap_or(rest.len());
        let body = &rest[..body_len];
        let long_enough = match self.exact {
            Some(n) => body.len() == n,
            None => body.len() >= self.min,
        };
        (long_enough && (self.check)(body) && !is_placeholder(body))
            .then_some(start + prefix_len + body_len)
    }
}

fn alnum(c: char) -> bool {
    c.is_ascii_alphanumeric()
}
fn alnum_underscore(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}
fn alnum_dash_underscore(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '-' || c == '_'
}
fn alnum_dash(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '-'
}
fn upper_alnum(c: char) -> bool {
    c.is_ascii_uppercase() || c.is_ascii_digit()
}
fn base64ish(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '+' | '/' | '=' | '_' | '-')
}
fn hex(c: char) -> bool {
    c.is_ascii_hexdigit()
}
fn any(_: &str) -> bool {
    true
}
fn has_digit(body: &str) -> bool {
    body.bytes().any(|b| b.is_ascii_digit())
}
/// Slack tokens carry numeric team and user ids; words such as
/// `xoxb-not-a-real-token` do not.
fn slack_digits(body: &str) -> bool {
    body.bytes().filter(u8::is_ascii_digit).count() >= 8
}
/// `sk-ant-…` has its own rule.
fn not_anthropic(body: &str) -> bool {
    has_digit(body) && !body.starts_with("ant-")
}

const PREFIX_RULES: &[PrefixRule] = &[
    PrefixRule {
        id: "github-classic-pat",
        description: "a GitHub personal access token",
        prefixes: &["ghp_"],
        body: alnum,
        min: 36,
        exact: None,
        check: any,
    },
    PrefixRule {
        id: "github-oauth-token",
        description: "a GitHub OAuth token",
        prefixes: &["gho_"],
        body: alnum,
        min: 36,
        exact: None,
        check: any,
    },
    PrefixRule {
        id: "github-user-token",
        description: "a GitHub user-to-server token",
        prefixes: &["ghu_"],
        body: alnum,
        min: 36,
        exact: None,
        check: any,
    },
    PrefixRule {
        id: "github-app-token",
        description: "a GitHub App installation token",
        prefixes: &["ghs_"],
        body: alnum,
        min: 36,
        exact: None,
        check: any,
    },
    PrefixRule {
        id: "github-refresh-token",
        description: "a GitHub refresh token",
        prefixes: &["ghr_"],
        body: alnum,
        min: 36,
        exact: None,
        check: any,
    },
    PrefixRule {
        id: "github-fine-grained-pat",
        description: "a GitHub fine-grained personal access token",
        prefixes: &["github_pat_"],
        body: alnum_underscore,
        min: 22,
        exact: None,
        check: any,
    },
    PrefixRule {
        id: "gitlab-pat",
        description: "a GitLab personal access token",
        prefixes: &["glpat-"],
        body: alnum_dash_underscore,
        min: 20,
        exact: None,
        check: any,
    },
    PrefixRule {
        id: "slack-token",
        description: "a Slack token",
        prefixes: &["xoxb-", "xoxa-", "xoxp-", "xoxr-", "xoxs-"],
        body: alnum_dash,
        min: 20,
        exact: None,
        check: slack_digits,
    },
    PrefixRule {
        id: "aws-access-key-id",
        description: "an AWS access key id",
        prefixes: &["AKIA", "ASIA"],
        body: upper_alnum,
        min: 16,
        exact: Some(16),
        check: any,
    },
    PrefixRule {
        id: "anthropic-api-key",
        description: "an Anthropic API key",
        prefixes: &["sk-ant-"],
        body: alnum_dash_underscore,
        min: 20,
        exact: None,
        check: any,
    },
    PrefixRule {
        id: "openai-api-key",
        description: "an OpenAI-style API key",
        prefixes: &["sk-"],
        body: alnum_dash_underscore,
        min: 20,
        exact: None,
        check: not_anthropic,
    },
    PrefixRule {
        id: "stripe-secret-key",
        description: "a Stripe secret key",
        prefixes: &["sk_live_", "rk_live_"],
        body: alnum,
        min: 20,
        exact: None,
        check: any,
    },
    PrefixRule {
        id: "sentry-org-token",
        description: "a Sentry organization auth token",
        prefixes: &["sntrys_"],
        body: base64ish,
        min: 30,
        exact: None,
        check: any,
    },
    PrefixRule {
        id: "sentry-user-token",
        description: "a Sentry user auth token",
        prefixes: &["sntryu_"],
        body: hex,
        min: 64,
        exact: Some(64),
        check: any,
    },
    PrefixRule {
        id: "google-api-key",
        description: "a Google API key",
        prefixes: &["AIza"],
        body: alnum_dash_underscore,
        min: 35,
        exact: Some(35),
        check: any,
    },
];

/// Words that mark a value as an example rather than a credential.
const PLACEHOLDER_WORDS: &[&str] = &[
    "your",
    "example",
    "placeholder",
    "changeme",
    "redacted",
    "dummy",
    "fake",
];

/// Whether a would-be secret is a placeholder as documentation writes them.
fn is_placeholder(body: &str) -> bool {
    let trimmed = body.trim();
    if trimmed.is_empty() {
        return true;
    }
    // References to a value kept elsewhere: ${VAR}, $VAR, {{var}}, <token>,
    // %(var)s.
    if trimmed.starts_with('$')
        || trimmed.contains("${")
        || trimmed.contains("{{")
        || (trimmed.starts_with('<') && trimmed.ends_with('>'))
        || trimmed.starts_with("%(")
    {
        return true;
    }
    // Filler: xxxx, XXXX, ****, ....
    let mut chars = trimmed.chars();
    let first = chars.next().unwrap_or('x');
    if matches!(first, 'x' | 'X' | '*' | '.' | '•') && chars.all(|c| c == first) {
        return true;
    }
    let lower = trimmed.to_ascii_lowercase();
    PLACEHOLDER_WORDS.iter().any(|w| lower.contains(w))
}

/// PEM private key blocks.
fn private_keys(value: &str) -> Vec<SecretMatch> {
    let mut found = Vec::new();
    for (start, _) in value.match_indices("-----BEGIN ") {
        let header = &value[start + "-----BEGIN ".len()..];
        let Some(close) = header.find("-----") else {
            continue;
        };
        let label = &header[..close];
        if label.ends_with("PRIVATE KEY") && label.len() <= 40 {
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
fn url_passwords(value: &str) -> Vec<SecretMatch> {
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

#[cfg(test)]
mod tests {
    use super::*;

    // Canary values are built at run time so that no secret-shaped literal
    // sits in the repository (and trips scanners, including ours).
    fn rep(s: &str, n: usize) -> String {
        s.repeat(n)
    }

    fn rule(value: &str) -> Option<&'static str> {
        detect(value).map(|m| m.rule)
    }

    #[test]
    fn github_tokens() {
        for (prefix, id) in [
            ("ghp_", "github-classic-pat"),
            ("gho_", "github-oauth-token"),
            ("ghu_", "github-user-token"),
            ("ghs_", "github-app-token"),
            ("ghr_", "github-refresh-token"),
        ] {
            let token = format!("{prefix}{}", rep("A1b2", 9));
            assert_eq!(rule(&token), Some(id), "{prefix}");
            assert_eq!(rule(&format!("Bearer {token}")), Some(id));
            assert_eq!(rule(&format!("--token={token}")), Some(id));
            // Too short, wrong alphabet, glued to a word, placeholders.
            assert_eq!(rule(&format!("{prefix}{}", rep("A", 35))), None);
            assert_eq!(rule(&format!("x{token}")), None);
            assert_eq!(rule(&format!("{prefix}your_actual_token")), None);
            assert_eq!(rule(&format!("{prefix}{}", rep("x", 36))), None);
            assert_eq!(rule(&format!("{prefix}${{GITHUB_TOKEN}}")), None);
        }
        let canary = format!("ghp_{}", rep("A", 36));
        let m = detect(&canary).unwrap();
        assert_eq!(m.range, 0..40);
        assert_eq!(m.description, "a GitHub personal access token");
    }

    #[test]
    fn github_fine_grained() {
        let token = format!("github_pat_{}_{}", rep("A1", 11), rep("b2C", 20));
        assert_eq!(rule(&token), Some("github-fine-grained-pat"));
        assert_eq!(rule("github_pat_short"), None);
        assert_eq!(rule("github_pat_your_token_goes_right_here"), None);
    }

    #[test]
    fn gitlab() {
        assert_eq!(
            rule(&format!("glpat-{}", rep("aB3-", 5))),
            Some("gitlab-pat")
        );
        assert_eq!(rule("glpat-short"), None);
        assert_eq!(rule("glpat-your-personal-token-here"), None);
    }

    #[test]
    fn slack() {
        for kind in ["b", "a", "p", "r", "s"] {
            let token = format!(
                "xox{kind}-{}-{}-{}",
                rep("1", 12),
                rep("2", 13),
                rep("aZ", 12)
            );
            assert_eq!(rule(&token), Some("slack-token"), "{kind}");
        }
        assert_eq!(rule("xoxb-not-a-real-slack-token-at-all"), None);
        assert_eq!(rule("xoxb-your-bot-token"), None);
        assert_eq!(rule(&format!("xoxz-{}", rep("1", 30))), None);
    }

    #[test]
    fn aws_access_key_id() {
        for prefix in ["AKIA", "ASIA"] {
            let id = format!("{prefix}{}", rep("Q7", 8));
            assert_eq!(rule(&id), Some("aws-access-key-id"));
            assert_eq!(rule(&format!("key={id};")), Some("aws-access-key-id"));
            // One character too many or too few, lower case.
            assert_eq!(rule(&format!("{id}Z")), None);
            assert_eq!(rule(&format!("{prefix}{}", rep("Q", 15))), None);
            assert_eq!(rule(&format!("{prefix}{}", rep("q", 16))), None);
        }
        // AWS's own documentation key.
        assert_eq!(rule(&format!("AKIA{}EXAMPLE", "IOSFODNN7")), None);
    }

    #[test]
    fn openai_and_anthropic() {
        let openai = format!("sk-{}", rep("a1B2", 6));
        assert_eq!(rule(&openai), Some("openai-api-key"));
        assert_eq!(
            rule(&format!("sk-proj-{}", rep("a1B2", 10))),
            Some("openai-api-key")
        );
        let anthropic = format!("sk-ant-api03-{}", rep("Zz9_", 10));
        assert_eq!(rule(&anthropic), Some("anthropic-api-key"));
        // Anthropic keys without digits are still Anthropic keys.
        assert_eq!(
            rule(&format!("sk-ant-{}", rep("abc", 10))),
            Some("anthropic-api-key")
        );
        assert_eq!(rule("sk-short1"), None);
        assert_eq!(rule("sk-your-openai-key-goes-here-1"), None);
        // Kebab-case words are not keys.
        assert_eq!(rule("sk-learn-compatible-package-name"), None);
        assert_eq!(rule(&format!("task-{}", rep("a1", 20))), None);
    }

    #[test]
    fn stripe() {
        assert_eq!(
            rule(&format!("sk_live_{}", rep("a1", 12))),
            Some("stripe-secret-key")
        );
        assert_eq!(rule("sk_test_abc"), None);
    }

    #[test]
    fn sentry() {
        assert_eq!(
            rule(&format!("sntrys_{}", rep("eyJp", 10))),
            Some("sentry-org-token")
        );
        assert_eq!(
            rule(&format!("sntryu_{}", rep("0f", 32))),
            Some("sentry-user-token")
        );
        assert_eq!(rule("sntrys_short"), None);
        assert_eq!(rule(&format!("sntryu_{}", rep("0f", 31))), None);
    }

    #[test]
    fn google() {
        let key = format!("AIza{}", rep("Sy-_9", 7));
        assert_eq!(rule(&key), Some("google-api-key"));
        assert_eq!(rule(&format!("{key}A")), None);
        assert_eq!(rule("AIzaShort"), None);
    }

    #[test]
    fn private_key() {
        let pem = format!("-----BEGIN {}PRIVATE KEY-----\nMII", "RSA ");
        assert_eq!(rule(&pem), Some("private-key"));
        assert_eq!(rule("-----BEGIN PUBLIC KEY-----"), None);
        assert_eq!(rule("-----BEGIN CERTIFICATE-----"), None);
    }

    #[test]
    fn url_password() {
        let pw = format!("s3{}", "cr3t");
        for url in [
            format!("postgres://app:{pw}@db.internal:5432/app"),
            format!("https://user:{pw}@example.org"),
            format!("DATABASE_URL=mongodb+srv://u:{pw}@cluster0/x?retryWrites=true"),
        ] {
            assert_eq!(rule(&url), Some("url-password"), "{url}");
        }
        for url in [
            "postgres://app:${DB_PASSWORD}@db.internal/app",
            "postgres://app:$DB_PASSWORD@db.internal/app",
            "postgres://app:<password>@db.internal/app",
            "postgres://app:@db.internal/app",
            "postgres://app@db.internal/app",
            "postgres://app:your-password@db.internal/app",
            "https://mcp.sentry.dev/mcp",
            "https://example.org/path/user:pw@not-authority",
            "http://localhost:8080/mcp",
        ] {
            assert_eq!(rule(url), None, "{url}");
        }
        let url = format!("x postgres://a:{pw}@h/db y");
        assert_eq!(detect(&url).unwrap().range, 2..url.len() - 5);
    }

    #[test]
    fn ordinary_values_are_not_secrets() {
        for value in [
            "",
            "npx",
            "-y",
            "@modelcontextprotocol/server-github",
            "@azure-devops/mcp",
            "repos,issues",
            "https://github.com/settings/tokens/new",
            "${GITHUB_TOKEN}",
            "${env:GITHUB_TOKEN}",
            "your-token-here",
            "<token>",
            "GITHUB_PERSONAL_ACCESS_TOKEN",
            "read:org",
            "ghp_your_actual_token",
        ] {
            assert_eq!(detect(value), None, "{value}");
        }
    }

    #[test]
    fn finds_every_secret_in_order() {
        let a = format!("ghp_{}", rep("A", 36));
        let b = format!("AKIA{}", rep("B", 16));
        let all = detect_all(&format!("{b} and {a}"));
        let rules: Vec<_> = all.iter().map(|m| m.rule).collect();
        assert_eq!(rules, ["aws-access-key-id", "github-classic-pat"]);
    }
}
