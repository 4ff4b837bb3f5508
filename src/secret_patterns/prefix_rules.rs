//! The token formats recognized by a fixed prefix, as data: one
//! [`PrefixRule`] per format (prefixes, body characters, length, a further
//! check), and the character classes they are written with.

use super::Placeholders;

/// A token format recognized by a fixed prefix and a run of body characters.
pub(super) struct PrefixRule {
    pub(super) id: &'static str,
    pub(super) description: &'static str,
    pub(super) prefixes: &'static [&'static str],
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
    pub(super) fn match_at(
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

pub(super) fn alnum(c: char) -> bool {
    c.is_ascii_alphanumeric()
}
pub(super) fn alnum_underscore(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}
pub(super) fn alnum_dash_underscore(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '-' || c == '_'
}
pub(super) fn alnum_dash(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '-'
}
pub(super) fn upper_alnum(c: char) -> bool {
    c.is_ascii_uppercase() || c.is_ascii_digit()
}
pub(super) fn base64ish(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '+' | '/' | '=' | '_' | '-')
}
pub(super) fn hex(c: char) -> bool {
    c.is_ascii_hexdigit()
}
pub(super) fn any(_: &str) -> bool {
    true
}
pub(super) fn has_digit(body: &str) -> bool {
    body.bytes().any(|b| b.is_ascii_digit())
}
/// Slack tokens carry numeric team and user ids; words such as
/// `xoxb-not-a-real-token` do not.
pub(super) fn slack_digits(body: &str) -> bool {
    body.bytes().filter(u8::is_ascii_digit).count() >= 8
}
/// `sk-ant-…` (Anthropic) and `sk-ak-…` (Zapier) have their own rules.
pub(super) fn not_anthropic(body: &str) -> bool {
    has_digit(body) && !body.starts_with("ant-") && !body.starts_with("ak-")
}

pub(super) const PREFIX_RULES: &[PrefixRule] = &[
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
