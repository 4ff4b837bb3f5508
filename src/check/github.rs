//! `check --online` for GitHub: the scopes a classic token was granted
//! (GitHub's `X-OAuth-Scopes` response header on `GET /user`) against the
//! scopes the manifest declares, both ways — more is over-privileged, less
//! is under-privileged. Fine-grained tokens send no such header; GitHub
//! does not report their permissions, so that is said rather than guessed.
//!
//! The request goes through [`crate::http`] (https, the OS trust store, as
//! `curl` did before); the token rides in the `Authorization` header and is
//! refused over plain http off this machine. `MCPCTL_GITHUB_API` overrides
//! the API base (tests use a loopback server).

use std::collections::BTreeSet;
use std::time::Duration;

use crate::http::{Client, Config};
use crate::store::Secret;

pub const DEFAULT_API: &str = "https://api.github.com";

/// What GitHub said about a token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Granted {
    /// A classic token and its scopes.
    Scopes(BTreeSet<String>),
    /// No `X-OAuth-Scopes` header: a fine-grained token (or an app token).
    NotReported,
    /// GitHub refused the token (HTTP 401): revoked, expired or mistyped.
    Rejected,
}

/// Asks `api`/user with `token`. `Err`: could not ask (network, TLS).
pub fn granted(api: &str, token: &Secret) -> Result<Granted, String> {
    let url = format!("{}/user", api.trim_end_matches('/'));
    let client = Client::new(Config {
        timeout: Some(Duration::from_secs(15)),
        ..Config::default()
    });
    let response = client
        .get(&url)
        .bearer(token)
        .header("Accept", "application/vnd.github+json")
        .header("X-GitHub-Api-Version", "2022-11-28")
        .call()
        .map_err(|err| err.to_string())?;
    interpret(response.status(), response.header("x-oauth-scopes"))
}

/// What GitHub's status and `X-OAuth-Scopes` header say.
fn interpret(status: u16, scopes: Option<&str>) -> Result<Granted, String> {
    match status {
        200 => {}
        401 => return Ok(Granted::Rejected),
        other => return Err(format!("GitHub answered HTTP {other}")),
    }
    Ok(match scopes {
        None => Granted::NotReported,
        Some(list) => Granted::Scopes(
            list.split(',')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
                .collect(),
        ),
    })
}

/// Scopes GitHub documents as including others.
fn implied(scope: &str) -> &'static [&'static str] {
    match scope {
        "repo" => &[
            "repo:status",
            "repo_deployment",
            "public_repo",
            "repo:invite",
            "security_events",
        ],
        "admin:org" => &["write:org", "read:org", "manage_runners:org"],
        "write:org" => &["read:org"],
        "admin:public_key" => &["write:public_key", "read:public_key"],
        "write:public_key" => &["read:public_key"],
        "admin:repo_hook" => &["write:repo_hook", "read:repo_hook"],
        "write:repo_hook" => &["read:repo_hook"],
        "user" => &["read:user", "user:email", "user:follow"],
        "write:packages" => &["read:packages"],
        "admin:gpg_key" => &["write:gpg_key", "read:gpg_key"],
        "write:gpg_key" => &["read:gpg_key"],
        "project" => &["read:project"],
        _ => &[],
    }
}

/// Granted scopes beyond the declared ones, and declared ones not granted
/// (counting what each scope includes).
pub fn compare(declared: &[String], granted: &BTreeSet<String>) -> (Vec<String>, Vec<String>) {
    fn covers<'a>(mut set: impl Iterator<Item = &'a String>, scope: &str) -> bool {
        set.any(|s| s == scope || implied(s).contains(&scope))
    }
    let over = granted
        .iter()
        .filter(|g| !covers(declared.iter(), g))
        .cloned()
        .collect();
    let under = declared
        .iter()
        .filter(|d| !covers(granted.iter(), d))
        .cloned()
        .collect();
    (over, under)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scopes_are_read_from_the_header() {
        assert_eq!(
            interpret(200, Some("repo, read:org")).unwrap(),
            Granted::Scopes(["repo".to_owned(), "read:org".to_owned()].into())
        );
        assert_eq!(interpret(200, None).unwrap(), Granted::NotReported);
        assert_eq!(interpret(401, None).unwrap(), Granted::Rejected);
        assert_eq!(
            interpret(403, None).unwrap_err(),
            "GitHub answered HTTP 403"
        );
    }

    #[test]
    fn over_and_under_privilege_count_implied_scopes() {
        let set = |s: &[&str]| s.iter().map(|x| x.to_string()).collect::<BTreeSet<_>>();
        let declared = vec!["repo".to_owned(), "read:org".to_owned()];
        assert_eq!(
            compare(&declared, &set(&["repo", "read:org"])),
            (vec![], vec![])
        );
        assert_eq!(
            compare(&declared, &set(&["repo", "admin:org", "delete_repo"])),
            (
                vec!["admin:org".to_owned(), "delete_repo".to_owned()],
                vec![]
            )
        );
        assert_eq!(
            compare(&declared, &set(&["public_repo"])),
            (vec![], vec!["repo".to_owned(), "read:org".to_owned()])
        );
        // A declared `public_repo` is covered by a granted `repo`, but
        // `repo` is more than was declared.
        assert_eq!(
            compare(&["public_repo".to_owned()], &set(&["repo"])),
            (vec!["repo".to_owned()], vec![])
        );
    }
}
