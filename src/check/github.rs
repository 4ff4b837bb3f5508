//! `check --online` for GitHub: the scopes a classic token was granted
//! (GitHub's `X-OAuth-Scopes` response header on `GET /user`) against the
//! scopes the manifest declares, both ways — more is over-privileged, less
//! is under-privileged. Fine-grained tokens send no such header; GitHub
//! does not report their permissions, so that is said rather than guessed.
//!
//! The request goes through `curl` (on every current macOS, Windows 10+
//! and Linux desktop), which brings TLS without a TLS stack in mcpctl. The
//! token reaches curl on its stdin as a header (`-H @-`), never in argv.
//! `MCPCTL_GITHUB_API` overrides the API base (tests use a loopback server).

use std::collections::BTreeSet;
use std::io::Write;
use std::process::{Command, Stdio};

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

/// Asks `api`/user with `token`. `Err`: could not ask (curl, network).
pub fn granted(api: &str, token: &Secret) -> Result<Granted, String> {
    let url = format!("{}/user", api.trim_end_matches('/'));
    let mut child = Command::new("curl")
        .args([
            "-sS",
            "--max-time",
            "15",
            "-o",
            "/dev/null",
            "-D",
            "-",
            "-H",
            "@-",
        ])
        .arg(&url)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|err| format!("cannot run `curl`: {err}"))?;
    {
        let mut stdin = child.stdin.take().expect("piped");
        let headers = format!(
            "Authorization: Bearer {}\nAccept: application/vnd.github+json\nUser-Agent: mcpctl\nX-GitHub-Api-Version: 2022-11-28\n",
            token.expose()
        );
        stdin
            .write_all(headers.as_bytes())
            .map_err(|err| format!("cannot talk to `curl`: {err}"))?;
    }
    let output = child
        .wait_with_output()
        .map_err(|err| format!("`curl` failed: {err}"))?;
    if !output.status.success() {
        return Err(format!(
            "`curl {url}` failed: {}",
            String::from_utf8_lossy(&output.stderr).trim()
        ));
    }
    parse_response(&String::from_utf8_lossy(&output.stdout))
}

/// Reads the status and the scopes header from response headers.
fn parse_response(headers: &str) -> Result<Granted, String> {
    let status = headers
        .lines()
        .next()
        .and_then(|line| line.split_whitespace().nth(1))
        .and_then(|code| code.parse::<u16>().ok())
        .ok_or("GitHub's answer has no status line")?;
    match status {
        200 => {}
        401 => return Ok(Granted::Rejected),
        other => return Err(format!("GitHub answered HTTP {other}")),
    }
    let scopes = headers.lines().find_map(|line| {
        let (name, value) = line.split_once(':')?;
        name.trim()
            .eq_ignore_ascii_case("x-oauth-scopes")
            .then(|| value.trim().to_owned())
    });
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
        let response = "HTTP/1.1 200 OK\r\nx-oauth-scopes: repo, read:org\r\nContent-Type: application/json\r\n\r\n";
        assert_eq!(
            parse_response(response).unwrap(),
            Granted::Scopes(["repo".to_owned(), "read:org".to_owned()].into())
        );
        assert_eq!(
            parse_response("HTTP/2 200\r\n\r\n").unwrap(),
            Granted::NotReported
        );
        assert_eq!(
            parse_response("HTTP/1.1 401 Unauthorized\r\n\r\n").unwrap(),
            Granted::Rejected
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
