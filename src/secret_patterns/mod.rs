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

mod named;
mod placeholders;
mod prefix_rules;
mod redact;
mod shapes;

pub use named::{detect_argument, detect_named, detect_named_with, detect_unnamed, is_secret_name};
pub use placeholders::{is_placeholder, is_reference_or_filler};
use prefix_rules::PREFIX_RULES;
pub use redact::{masked, redact_found, redact_known, redacted};
use shapes::{
    azure_devops_pats, connection_string_passwords, jwts, private_keys, terraform_tokens,
    url_passwords, zapier_mcp_urls,
};

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
mod tests;
