//! `mcpctl check`: the credentials guide's "validate all credentials at
//! once", as findings.
//!
//! Each check returns [`Finding`]s — a subject, a verdict, what was found
//! and, for a problem, the fix — and never prints. Unlike `plan`, `check`
//! reads values: that is how it knows a credential is readable (and what it
//! sends to a provider with `--online`); every read goes to the audit trail
//! through the caller's recorder. Findings never contain a value.
//!
//! - [`credentials`]: present and readable from its source, not overdue or
//!   expiring (the rotation rules of [`crate::plan::rotation`]).
//! - [`files`]: client files private to the user, no plaintext secrets in
//!   any entry, no secret references the client cannot resolve.
//! - [`advisories`]: known-vulnerable client versions and server packages.
//! - [`handshake`]: `--servers`, the MCP handshake through `mcpctl exec`.
//! - [`github`]: `--online`, a GitHub token's granted scopes.

pub mod advisories;
pub mod credentials;
pub mod files;
pub mod github;
pub mod handshake;

use serde::Serialize;

/// One line of the report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub struct Finding {
    /// Which check: `credential`, `rotation`, `file-mode`, `plaintext`,
    /// `reference`, `advisory`, `server`, `scopes`.
    pub check: &'static str,
    /// What was checked: a credential, a file, a server, a client.
    pub subject: String,
    pub verdict: Verdict,
    /// What was found, in words.
    pub detail: String,
    /// How to fix it, for problems.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fix: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Verdict {
    Ok,
    /// Worth attention, not a failure (due soon, expiring, unknown).
    Warning,
    /// A failed check: `mcpctl check` exits 3.
    Fail,
}

impl Finding {
    pub fn ok(check: &'static str, subject: impl Into<String>, detail: impl Into<String>) -> Self {
        Finding {
            check,
            subject: subject.into(),
            verdict: Verdict::Ok,
            detail: detail.into(),
            fix: None,
        }
    }

    pub fn problem(
        check: &'static str,
        verdict: Verdict,
        subject: impl Into<String>,
        detail: impl Into<String>,
        fix: impl Into<String>,
    ) -> Self {
        Finding {
            check,
            subject: subject.into(),
            verdict,
            detail: detail.into(),
            fix: Some(fix.into()),
        }
    }
}
