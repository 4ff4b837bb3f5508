//! Recognizing secret values by their shape.
//!
//! The team manifest must never hold a secret: secrets live in the OS
//! credential store and reach servers through `mcpctl exec`. One detector
//! serves every place that must tell a secret from an ordinary value: the
//! manifest validator rejects literals with it, `mcpctl scan` finds the
//! plaintext tokens the credentials guide warns about, and plan, show,
//! saved plans, diagnostics and `check --servers` hide what it finds
//! before they display a value. Where the place gives the value a name —
//! an env variable, a header, the flag before an argument, a URL's query
//! parameter — [`detect_named`], [`detect_argument`] and
//! [`detect_unnamed`] use it.
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
//! | `slack-app-token` | `xapp-` + 20 or more letters/digits/`-`, with at least 8 digits |
//! | `posthog-personal-api-key` | `phx_` + 40 or more letters/digits |
//! | `notion-token` | `ntn_` or `secret_` + 40 or more letters/digits, with a digit |
//! | `figma-token` | `figd_` + 40 or more letters/digits/`-`/`_` |
//! | `atlassian-api-token` | `ATATT` or `ATCTT` + 60 or more base64 characters, with a digit |
//! | `zapier-api-key` | `sk-ak-` + 20 or more letters/digits/`-`/`_` |
//! | `zapier-mcp-url` | `mcp.zapier.com/api/mcp/s/` + a secret path segment |
//! | `terraform-cloud-token` | 14 letters/digits, `.atlasv1.`, 60 or more letters/digits/`-`/`_` |
//! | `azure-devops-pat` | 84 letters/digits with `AZDO` at offset 76 |
//! | `jwt` | `eyJ….eyJ….…` (a Kubernetes service-account token, among others) |
//! | `huggingface-token`, `groq-api-key`, `xai-api-key`, `perplexity-api-key` | `hf_`, `gsk_`, `xai-`, `pplx-` + a long body |
//! | `private-key` | `-----BEGIN … PRIVATE KEY-----` |
//! | `url-password` | `scheme://user:password@host` with a non-empty password |
//! | `connection-string-password` | `Password=…;` / `Pwd=…;` in a `key=value;` connection string |
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
//! That word list is for files people and guides wrote (`scan`). The
//! manifest's values are written to client files as they are, so there a
//! value of a provider's exact token shape is a secret whatever word it
//! holds (`ghp_FAKE…` of the right length is refused): only references and
//! filler (`${VAR}`, `<token>`, `xxxx…`), which are plainly no value, pass
//! ([`Placeholders::ReferencesOnly`], also used for everything mcpctl
//! displays, where hiding too much costs nothing).
//!
//! # Showing a secret
//!
//! [`redacted`] is the one form a found secret is shown in: the public
//! prefix every value of its kind starts with (`ghp_`, `xoxb-`, a URL's
//! scheme and host) and the length, never a character of the secret part;
//! [`masked`] keeps the byte length for source snippets, whose labels point
//! at byte offsets.
//!
//! # Limits
//!
//! [`detect`] finds only shapes: secrets without a recognizable prefix (an
//! older Azure DevOps PAT, an AWS secret key, a random password outside a
//! URL) pass it, because false alarms on ordinary values would teach people
//! to ignore the check. [`detect_named`] adds those, and an entropy rule,
//! only where the value's name says it is a secret (`*TOKEN*`, `*KEY`,
//! `*SECRET*`, `*PASSWORD*`, `*PAT*`, `*CREDENTIAL*`, `Authorization`; not
//! `*_PATH`, `*_ID`, `*PUBLIC*` and other names *about* a secret): rule
//! `generic-secret`, a value of 16 or more characters with at least 3 bits
//! of Shannon entropy per character (8 and 2.5 for a password), letters
//! and digits of two or more character classes, not made of words, not a
//! path, URL, number or placeholder. A match says "this looks like", never
//! "this is".

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
    detect_all_with(value, Placeholders::Forgiven)
}

/// Which placeholders a detection lets pass.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Placeholders {
    /// Every placeholder of [`is_placeholder`]: a token-shaped value holding
    /// a word such as `your`, `example` or `fake` is an example
    /// (`mcpctl scan` of files people and guides wrote).
    Forgiven,
    /// Only references and filler ([`is_reference_or_filler`]): a value of
    /// a provider's token shape is a secret whatever word it holds (the
    /// manifest, whose values are written to client files as they are, and
    /// every value mcpctl displays).
    ReferencesOnly,
}

impl Placeholders {
    fn forgive(self, body: &str) -> bool {
        match self {
            Placeholders::Forgiven => is_placeholder(body),
            Placeholders::ReferencesOnly => is_reference_or_filler(body),
        }
    }
}

/// [`detect_all`], forgiving only the `placeholders` given.
pub fn detect_all_with(value: &str, placeholders: Placeholders) -> Vec<SecretMatch> {
    let mut found = Vec::new();
    for rule in PREFIX_RULES {
        for prefix in rule.prefixes {
            for (start, _) in value.match_indices(prefix) {
                if let Some(end) = rule.match_at(value, start, prefix.len(), placeholders) {
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
    found.extend(terraform_tokens(value, placeholders));
    found.extend(azure_devops_pats(value, placeholders));
    found.extend(jwts(value));
    found.extend(connection_string_passwords(value));
    found.extend(zapier_mcp_urls(value, placeholders));
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
    fn match_at(
        &self,
        value: &str,
        start: usize,
        prefix_len: usize,
        placeholders: Placeholders,
    ) -> Option<usize> {
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
        (long_enough && (self.check)(body) && !placeholders.forgive(body))
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
/// `sk-ant-…` (Anthropic) and `sk-ak-…` (Zapier) have their own rules.
fn not_anthropic(body: &str) -> bool {
    has_digit(body) && !body.starts_with("ant-") && !body.starts_with("ak-")
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
    PrefixRule {
        id: "slack-app-token",
        description: "a Slack app-level token",
        prefixes: &["xapp-"],
        body: alnum_dash,
        min: 20,
        exact: None,
        check: slack_digits,
    },
    PrefixRule {
        id: "posthog-personal-api-key",
        description: "a PostHog personal API key",
        prefixes: &["phx_"],
        body: alnum,
        min: 40,
        exact: None,
        check: any,
    },
    PrefixRule {
        id: "notion-token",
        description: "a Notion integration token",
        prefixes: &["ntn_", "secret_"],
        body: alnum,
        min: 40,
        exact: None,
        check: has_digit,
    },
    PrefixRule {
        id: "figma-token",
        description: "a Figma personal access token",
        prefixes: &["figd_"],
        body: alnum_dash_underscore,
        min: 40,
        exact: None,
        check: any,
    },
    PrefixRule {
        id: "atlassian-api-token",
        description: "an Atlassian API token",
        prefixes: &["ATATT", "ATCTT"],
        body: base64ish,
        min: 60,
        exact: None,
        check: has_digit,
    },
    PrefixRule {
        id: "zapier-api-key",
        description: "a Zapier API key",
        prefixes: &["sk-ak-"],
        body: alnum_dash_underscore,
        min: 20,
        exact: None,
        check: any,
    },
    PrefixRule {
        id: "huggingface-token",
        description: "a Hugging Face access token",
        prefixes: &["hf_"],
        body: alnum,
        min: 34,
        exact: None,
        check: any,
    },
    PrefixRule {
        id: "groq-api-key",
        description: "a Groq API key",
        prefixes: &["gsk_"],
        body: alnum,
        min: 40,
        exact: None,
        check: any,
    },
    PrefixRule {
        id: "xai-api-key",
        description: "an xAI API key",
        prefixes: &["xai-"],
        body: alnum,
        min: 70,
        exact: None,
        check: any,
    },
    PrefixRule {
        id: "perplexity-api-key",
        description: "a Perplexity API key",
        prefixes: &["pplx-"],
        body: alnum,
        min: 40,
        exact: None,
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
    "replace",
    "insert",
    "here",
];

/// Whether a would-be secret is a placeholder as documentation writes them:
/// a reference or filler ([`is_reference_or_filler`]), a word naming what
/// belongs there (`password`, `token`), or a value holding a word such as
/// `your`, `example` or `fake`.
pub fn is_placeholder(body: &str) -> bool {
    if is_reference_or_filler(body) {
        return true;
    }
    let lower = body.trim().to_ascii_lowercase();
    // Whole values that only name what belongs there.
    if matches!(
        lower.as_str(),
        "password"
            | "passwd"
            | "pass"
            | "pw"
            | "pwd"
            | "secret"
            | "token"
            | "key"
            | "apikey"
            | "api_key"
            | "changeit"
    ) {
        return true;
    }
    PLACEHOLDER_WORDS.iter().any(|w| lower.contains(w))
}

/// Whether a would-be secret is plainly no value at all: empty, a
/// reference to a value kept elsewhere, or one character repeated.
pub fn is_reference_or_filler(body: &str) -> bool {
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
        || (trimmed.starts_with('{') && trimmed.ends_with('}'))
        || trimmed.contains('…')
        || trimmed.starts_with("%(")
    {
        return true;
    }
    // Filler: xxxx, XXXX, ****, ....
    let mut chars = trimmed.chars();
    let first = chars.next().unwrap_or('x');
    matches!(first, 'x' | 'X' | '*' | '.' | '•') && chars.all(|c| c == first)
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

/// Whether `value[start..]` starts a word (the byte before is no letter or
/// digit).
fn word_start(value: &str, start: usize) -> bool {
    !value[..start]
        .chars()
        .next_back()
        .is_some_and(|c| c.is_ascii_alphanumeric())
}

/// The length of the run of `body` characters at the start of `text`.
fn run(text: &str, body: fn(char) -> bool) -> usize {
    text.find(|c| !body(c)).unwrap_or(text.len())
}

/// Terraform Cloud / HCP Terraform API tokens: 14 letters/digits,
/// `.atlasv1.`, then 60 or more letters/digits/`-`/`_`.
fn terraform_tokens(value: &str, placeholders: Placeholders) -> Vec<SecretMatch> {
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
fn azure_devops_pats(value: &str, placeholders: Placeholders) -> Vec<SecretMatch> {
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
fn jwts(value: &str) -> Vec<SecretMatch> {
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
fn connection_string_passwords(value: &str) -> Vec<SecretMatch> {
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
fn zapier_mcp_urls(value: &str, placeholders: Placeholders) -> Vec<SecretMatch> {
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

/// Every secret-looking part of `value`, knowing it is the value of the
/// variable, header or flag `name` (`GITHUB_TOKEN`, `Authorization`,
/// `--api-key`).
///
/// On top of [`detect_all`], a name that says "secret" (it contains
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

fn aws_secret_shape(value: &str) -> bool {
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
fn detect_in_argument(value: &str, placeholders: Placeholders) -> Vec<SecretMatch> {
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
    if found.is_empty()
        && value.contains("://")
        && let Some(query_at) = value.find('?')
    {
        let mut offset = query_at + 1;
        for pair in value[query_at + 1..].split(['&', '#']) {
            if let Some((name, v)) = pair.split_once('=') {
                let start = offset + name.len() + 1;
                found.extend(
                    detect_named_with(name, v, placeholders)
                        .into_iter()
                        .map(|m| shifted(m, start)),
                );
            }
            offset += pair.len() + 1;
        }
    }
    found
}

fn shifted(m: SecretMatch, offset: usize) -> SecretMatch {
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

fn is_password_name(upper: &str) -> bool {
    upper.contains("PASSWORD") || upper.contains("PASSWD") || upper.contains("PWD")
}

/// Long enough, letters and digits, no characters of code or markup, not
/// made of words (`GITHUB_PERSONAL_ACCESS_TOKEN`, `gnome-keyring-daemon`,
/// `ctx.secrets`), and high Shannon entropy.
fn looks_random(value: &str, password: bool) -> bool {
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
fn shannon_entropy(value: &str) -> f64 {
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
fn public_prefix<'s>(secret: &'s str, rule: &str) -> &'s str {
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
fn merged(found: &[SecretMatch]) -> Vec<SecretMatch> {
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

/// Random-looking values for tests, built at run time so that no
/// secret-shaped literal sits in the repository.
#[cfg(test)]
pub(crate) fn test_random(seed: u64, len: usize) -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    let mut state = seed
        .wrapping_mul(6364136223846793005)
        .wrapping_add(1442695040888963407);
    (0..len)
        .map(|_| {
            state = state
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            ALPHABET[(state >> 33) as usize % ALPHABET.len()] as char
        })
        .collect()
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
        let pem = format!("-----BEGIN {}KEY-----\nMII", "RSA PRIVATE ");
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

    #[test]
    fn providers_of_the_guide() {
        let cases = [
            (
                format!("xapp-1-A{}-{}", rep("1", 10), rep("ab", 20)),
                "slack-app-token",
            ),
            (
                format!("phx_{}", rep("aB1", 15)),
                "posthog-personal-api-key",
            ),
            (format!("ntn_{}", rep("aB1", 15)), "notion-token"),
            (format!("secret_{}", rep("aB1", 15)), "notion-token"),
            (format!("figd_{}", rep("aB1-", 11)), "figma-token"),
            (format!("ATATT3x{}", rep("aB1_", 20)), "atlassian-api-token"),
            (format!("sk-ak-{}", rep("aB1", 10)), "zapier-api-key"),
            (format!("hf_{}", rep("aB1", 12)), "huggingface-token"),
            (format!("gsk_{}", rep("aB1", 15)), "groq-api-key"),
            (format!("pplx-{}", rep("aB1", 15)), "perplexity-api-key"),
            (
                format!("{}.atlasv1.{}", rep("aB1", 4) + "xy", rep("aB1_", 16)),
                "terraform-cloud-token",
            ),
            (
                format!("{}AZDO{}", rep("aB1", 25) + "x", "Zz9q"),
                "azure-devops-pat",
            ),
            (
                format!(
                    "eyJ{}.eyJ{}.{}",
                    rep("hbGc", 5),
                    rep("pc3M", 8),
                    rep("sig_", 8)
                ),
                "jwt",
            ),
            (
                format!("Server=db;User Id=app;Password={};", "s3cr3t-Val"),
                "connection-string-password",
            ),
            (
                format!("https://mcp.zapier.com/api/mcp/s/{}/mcp", rep("Zm9v", 8)),
                "zapier-mcp-url",
            ),
        ];
        for (value, id) in &cases {
            assert_eq!(rule(value), Some(*id), "{id}");
        }
        assert_eq!(rule("Password=<password>;Server=db"), None);
        assert_eq!(
            rule("https://mcp.zapier.com/api/mcp/s/your-key-here/mcp"),
            None
        );
        assert_eq!(rule("secret_key_base"), None);
        assert_eq!(rule("eyJhbGciOi"), None);
    }

    #[test]
    fn named_values() {
        let random = test_random(1, 26);
        let m = &detect_named("COMPOSIO_API_KEY", &random)[0];
        assert_eq!(
            (m.rule, m.range.clone()),
            ("generic-secret", 0..random.len())
        );
        let bearer = format!("Bearer {random}");
        assert_eq!(
            detect_named("Authorization", &bearer)[0].range,
            7..bearer.len()
        );
        assert_eq!(
            detect_named(
                "AWS_SECRET_ACCESS_KEY",
                &format!("wJal{}", rep("rXUt/K7M", 4) + "EXa1")
            )[0]
            .rule,
            "aws-secret-access-key"
        );
        assert_eq!(
            detect_named("AZURE_DEVOPS_EXT_PAT", &rep("abcd2345ef67", 5)[..52])[0].rule,
            "azure-devops-pat"
        );
        assert_eq!(
            detect_named("DB_PASSWORD", "Tr0ub4dor+3x")[0].rule,
            "generic-secret"
        );
        // Not secrets: wrong name, references, placeholders, paths, words.
        for (name, value) in [
            ("GITHUB_TOOLSETS", random.as_str()),
            ("GITHUB_TOKEN", "${GITHUB_TOKEN}"),
            ("GITHUB_TOKEN", "${env:GITHUB_TOKEN}"),
            ("GITHUB_TOKEN", "{env:GITHUB_TOKEN}"),
            ("GITHUB_TOKEN", "your-token-here"),
            ("GITHUB_TOKEN", "<token>"),
            ("API_KEY", "xxxxxxxxxxxxxxxxxxxxxxxx"),
            ("SSH_KEY_PATH", "/home/me/.ssh/id_ed25519_1234"),
            ("GITHUB_TOKEN", "/run/secrets/github-token-2024"),
            ("TOKEN_EXPIRY", "1234567890123456"),
            ("AWS_ACCESS_KEY_ID", "AKIAIOSFODNN7EXAMPLE"),
            ("POSTHOG_PUBLIC_KEY", random.as_str()),
            ("SECRET", "short"),
            ("API_KEY", "aaaaaaaaaaaaaaaaaaaaaaa1"),
        ] {
            assert_eq!(detect_named(name, value), vec![], "{name}={value}");
        }
        assert!(is_secret_name("--api-key"));
        assert!(is_secret_name("X-API-Key"));
        assert!(!is_secret_name("--verbose"));
        assert!(is_secret_name("PGPASSWORD"));
        assert!(is_secret_name("DBPASSWD"));
    }

    #[test]
    fn redaction_shows_only_a_public_prefix_and_the_length() {
        let classic = format!("ghp_{}", rep("A", 36));
        assert_eq!(redacted(&classic, "github-classic-pat"), "ghp_… (40 chars)");
        assert_eq!(
            redacted(
                &format!("github_pat_{}", rep("A1", 20)),
                "github-fine-grained-pat"
            ),
            "github_pat_… (51 chars)"
        );
        assert_eq!(
            redacted(&format!("sk-ant-{}", rep("a1", 12)), "anthropic-api-key"),
            "sk-ant-… (31 chars)"
        );
        assert_eq!(
            redacted("postgres://u:pw@db.internal:5432", "url-password"),
            "postgres://…@db.internal (32 chars)"
        );
        // A whole connection string: its path is not shown either.
        assert_eq!(
            redacted("postgres://u:pw@db.internal/app?x=1", "url-password"),
            "postgres://…@db.internal (35 chars)"
        );
        assert_eq!(
            redacted("Password=s3cr3t-Val", "connection-string-password"),
            "Password=… (19 chars)"
        );
        // No prefix at all where the rule has none: not the first characters
        // of a random value, nor of a UUID-shaped key.
        let random = test_random(3, 24);
        assert_eq!(redacted(&random, "generic-secret"), "… (24 chars)");
        assert_eq!(
            redacted("0f8fad5b-d9cb-469f-a165-70867728950e", "generic-secret"),
            "… (36 chars)"
        );
        // A generic secret that merely starts like a provider's token.
        assert_eq!(redacted(&classic, "generic-secret"), "… (40 chars)");
    }

    #[test]
    fn an_argument_naming_its_own_value_is_judged_by_that_name() {
        let random = test_random(6, 24);
        let shown = |previous: Option<&str>, arg: &str| {
            redact_found(
                arg,
                &detect_argument(previous, arg, Placeholders::ReferencesOnly),
            )
        };
        assert_eq!(
            shown(Some("-H"), &format!("Authorization: Bearer {random}")),
            "Authorization: Bearer … (24 chars)"
        );
        assert_eq!(
            shown(None, &format!("--header=X-Api-Key: {random}")),
            "--header=X-Api-Key: … (24 chars)"
        );
        assert_eq!(
            shown(Some("-e"), &format!("GITHUB_TOKEN={random}")),
            "GITHUB_TOKEN=… (24 chars)"
        );
        assert_eq!(
            shown(None, &format!("--url=https://x.example/v1?token={random}")),
            "--url=https://x.example/v1?token=… (24 chars)"
        );
        // Names that say nothing of a secret leave their values alone.
        let plain = format!("MODE={random}");
        assert_eq!(shown(Some("-e"), &plain), plain);
        assert_eq!(
            shown(Some("-H"), "Accept: application/json"),
            "Accept: application/json"
        );
    }

    #[test]
    fn display_forms_hide_every_secret_in_a_value() {
        let random = test_random(5, 24);
        let url = format!("https://x.example/mcp?mode=a&token={random}");
        let found = detect_unnamed(&url, Placeholders::ReferencesOnly);
        assert_eq!(
            redact_found(&url, &found),
            "https://x.example/mcp?mode=a&token=… (24 chars)"
        );
        let arg = format!("--api-key={random}");
        let found = detect_argument(None, &arg, Placeholders::ReferencesOnly);
        assert_eq!(redact_found(&arg, &found), "--api-key=… (24 chars)");
        assert_eq!(
            detect_argument(Some("--api-key"), &random, Placeholders::ReferencesOnly)[0].range,
            0..24
        );
        assert!(
            detect_argument(Some("--verbose"), &random, Placeholders::ReferencesOnly).is_empty()
        );
        // Same length in bytes, public prefix kept.
        let token = format!("ghp_{}", rep("Ab1", 12));
        let shown = masked(&token, "github-classic-pat");
        assert_eq!(shown, format!("ghp_{}", rep("*", 36)));
        assert_eq!(
            masked("postgres://u:pw@h", "url-password"),
            "postgres://****@h"
        );
        // Overlapping matches are hidden as one.
        let both = format!("postgres://u:{token}@h/db");
        let found = detect_all(&both);
        assert!(!redact_found(&both, &found).contains("Ab1"));
    }

    #[test]
    fn values_handed_out_are_hidden_whatever_their_shape() {
        let value = "correct horse battery staple";
        let pem = "-----BEGIN KEY-----\nMIIEvQIBADANBgkqhkiG9w0B\n-----END KEY-----\n";
        let text = format!("DB_PASSWORD={value}\nkey line: MIIEvQIBADANBgkqhkiG9w0B\n");
        let shown = redact_known(&text, &[value, pem]);
        assert_eq!(shown, "DB_PASSWORD=… (28 chars)\nkey line: … (24 chars)\n");
        assert_eq!(redact_known("nothing here", &[value, ""]), "nothing here");
    }

    #[test]
    fn provider_shapes_holding_a_placeholder_word() {
        let fake = format!("ghp_FAKE{}", rep("a1B2", 8));
        assert_eq!(detect(&fake), None);
        assert_eq!(
            detect_all_with(&fake, Placeholders::ReferencesOnly)[0].rule,
            "github-classic-pat"
        );
        // References and filler stay placeholders everywhere.
        for value in [format!("ghp_{}", rep("x", 36)), "ghp_${TOKEN}".to_owned()] {
            assert!(
                detect_all_with(&value, Placeholders::ReferencesOnly).is_empty(),
                "{value}"
            );
        }
    }

    #[test]
    fn generic_secrets_by_their_name() {
        let value = "k8Jd92LmQz7RtX4vNc1PaY6w";
        for name in [
            "API_KEY",
            "SERVICE_TOKEN",
            "CLIENT_SECRET",
            "DB_PASSWORD",
            "AZURE_PAT",
            "GCP_CREDENTIAL",
            "Authorization",
        ] {
            assert_eq!(
                detect_named(name, value)[0].rule,
                "generic-secret",
                "{name}"
            );
        }
        assert!(detect_named("LOG_LEVEL", value).is_empty());
        for placeholder in [
            "${API_KEY}",
            "<your-api-key>",
            "changeme",
            "xxxxxxxxxxxxxxxxxxxxxxxx",
            "example-key-0123456789ab",
        ] {
            assert!(
                detect_named("API_KEY", placeholder).is_empty(),
                "{placeholder}"
            );
        }
    }
}
