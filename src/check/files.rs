//! Client files: private to the user, no plaintext secrets in any entry
//! (not only mcpctl's), and no secret references the client cannot
//! resolve.
//!
//! References, per client, as each documents them: Claude Code expands
//! `${VAR}` (and `${VAR:-default}`) in `.mcp.json` and `~/.claude.json` but
//! passes `${env:VAR}` on literally — the credentials guide's own example,
//! so the server receives the text `${env:GITHUB_TOKEN}`. VS Code expands
//! `${env:VAR}` and `${input:…}` but not a bare `${VAR}`. Codex expands
//! nothing in `config.toml`: a variable reaches a server through the
//! entry's `env_vars = ["VAR"]` list instead.

use serde_json::Value;

use super::{Finding, Verdict};
use crate::client::ClientFile;
use crate::client::reference::{self, ReferenceSyntax};
use crate::manifest::ClientId;
use crate::observe::read_file;
use crate::secret_patterns;

/// Checks each of `files` that exists.
pub fn check(files: &[ClientFile]) -> Vec<Finding> {
    let mut findings = Vec::new();
    for file in files {
        let shown = file.path.display().to_string();
        if !file.path.exists() {
            continue;
        }
        let observed = match read_file(file) {
            Ok(observed) => observed,
            Err(err) => {
                findings.push(Finding::problem(
                    "file",
                    Verdict::Fail,
                    &shown,
                    err.to_string(),
                    "fix the file's syntax; the client cannot read it either",
                ));
                continue;
            }
        };
        if !observed.entries.is_empty() {
            findings.push(mode(file));
        }
        let before = findings.len();
        for (server, entry) in &observed.entries {
            let mut strings = Vec::new();
            collect_strings(entry, String::new(), &mut strings);
            for (path, text) in strings {
                let subject = format!("{shown}: {server}");
                if let Some(found) = secret_patterns::detect(&text) {
                    findings.push(Finding::problem(
                        "plaintext",
                        Verdict::Fail,
                        subject.clone(),
                        format!("`{path}` holds {} in plain text", found.description),
                        "revoke that secret at its provider (it has been on disk), declare it as a `credential` in the manifest, and `mcpctl apply --adopt` to replace the entry with one that reads it from the store",
                    ));
                }
                if let Some((reference, fix)) = unresolvable(file.client, &text) {
                    findings.push(Finding::problem(
                        "reference",
                        Verdict::Fail,
                        subject,
                        format!(
                            "`{path}` holds `{reference}`, which `{}` passes on literally",
                            file.client
                        ),
                        fix,
                    ));
                }
            }
        }
        if findings.len() == before && !observed.entries.is_empty() {
            findings.push(Finding::ok(
                "plaintext",
                &shown,
                format!(
                    "{}: no plaintext secrets, no unresolvable references",
                    crate::words::count(observed.entries.len(), "entry")
                ),
            ));
        }
    }
    findings
}

/// Whether the file can be read by anyone but its owner (Unix modes).
fn mode(file: &ClientFile) -> Finding {
    let shown = file.path.display().to_string();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let bits = std::fs::metadata(&file.path).map(|m| m.permissions().mode() & 0o777);
        match bits {
            Ok(bits) if bits & 0o077 != 0 => Finding::problem(
                "file-mode",
                Verdict::Fail,
                &shown,
                format!("mode {bits:o}: group or others can read it"),
                format!("chmod 600 '{shown}'"),
            ),
            Ok(bits) => Finding::ok("file-mode", &shown, format!("mode {bits:o}: private")),
            Err(err) => Finding::problem(
                "file-mode",
                Verdict::Fail,
                &shown,
                format!("cannot read its permissions: {err}"),
                "check the file's owner and permissions",
            ),
        }
    }
    #[cfg(windows)]
    {
        match crate::acl::readable_by_everyone(&file.path) {
            Ok(Some(group)) => Finding::problem(
                "file-mode",
                Verdict::Fail,
                &shown,
                format!("its access-control list lets {} read it", group.name()),
                format!(
                    "icacls \"{shown}\" /inheritance:r /grant:r \"%USERNAME%:F\" (or remove the {} entry in the file's Security tab)",
                    group.name()
                ),
            ),
            Ok(None) => Finding::ok(
                "file-mode",
                &shown,
                "readable by you, SYSTEM and Administrators only",
            ),
            Err(err) => Finding::problem(
                "file-mode",
                Verdict::Fail,
                &shown,
                format!("cannot read its access-control list: {err}"),
                "check the file's owner and permissions",
            ),
        }
    }
}

/// Every string in `value` with its key path (`env.GITHUB_TOKEN`,
/// `args[3]`).
fn collect_strings(value: &Value, path: String, out: &mut Vec<(String, String)>) {
    match value {
        Value::String(text) => out.push((path, text.clone())),
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                collect_strings(item, format!("{path}[{i}]"), out);
            }
        }
        Value::Object(map) => {
            for (key, item) in map {
                let path = if path.is_empty() {
                    key.clone()
                } else {
                    format!("{path}.{key}")
                };
                collect_strings(item, path, out);
            }
        }
        _ => {}
    }
}

/// The first reference in `text` that `client` does not resolve, with the
/// fix: each adapter knows the one syntax its client expands. Only the
/// `${…}` forms are judged, and not one with a default (`${VAR:-x}`).
fn unresolvable(client: ClientId, text: &str) -> Option<(String, String)> {
    let syntax = crate::client::adapter(client).reference_syntax();
    let found = reference::find(text).into_iter().find(|found| {
        found.syntax != syntax
            && !found.default
            && matches!(
                found.syntax,
                ReferenceSyntax::DollarBrace | ReferenceSyntax::DollarEnv
            )
    })?;
    let var = found.name;
    let fix = match syntax.in_string(var) {
        Some(resolved) => format!("write `{resolved}` (`{client}` expands that form)"),
        None if syntax == ReferenceSyntax::ByName => format!(
            "Codex expands nothing in config.toml: remove the value and list the variable in the server's `env_vars = [\"{var}\"]`, or let mcpctl launch the server (`mcpctl apply --adopt`)"
        ),
        None => format!(
            "`{client}` expands no variables in its configuration: let mcpctl launch the server (declare it in the manifest, then `mcpctl apply --adopt`)"
        ),
    };
    Some((text[found.range].to_owned(), fix))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_client_resolves_its_own_reference_syntax() {
        let claude = |t| unresolvable(ClientId::ClaudeCode, t).map(|(r, _)| r);
        assert_eq!(
            claude("${env:GITHUB_TOKEN}").as_deref(),
            Some("${env:GITHUB_TOKEN}")
        );
        assert_eq!(claude("${GITHUB_TOKEN}"), None);
        assert_eq!(claude("Bearer ${TOKEN:-x}"), None);
        let vscode = |t| unresolvable(ClientId::Vscode, t).map(|(r, _)| r);
        assert_eq!(vscode("${env:GITHUB_TOKEN}"), None);
        assert_eq!(vscode("${input:token}"), None);
        assert_eq!(vscode("${workspaceFolder}"), None);
        assert_eq!(
            vscode("${GITHUB_TOKEN}").as_deref(),
            Some("${GITHUB_TOKEN}")
        );
        let codex = |t| unresolvable(ClientId::Codex, t);
        let (reference, fix) = codex("${GITHUB_TOKEN}").unwrap();
        assert_eq!(reference, "${GITHUB_TOKEN}");
        assert!(fix.contains(r#"env_vars = ["GITHUB_TOKEN"]"#), "{fix}");
        assert_eq!(codex("plain"), None);
        let desktop = |t| unresolvable(ClientId::ClaudeDesktop, t).map(|(r, _)| r);
        assert_eq!(
            desktop("${GITHUB_TOKEN}").as_deref(),
            Some("${GITHUB_TOKEN}")
        );
        let opencode = |t| unresolvable(ClientId::Opencode, t).map(|(_, fix)| fix);
        assert!(
            opencode("${env:GITHUB_TOKEN}")
                .unwrap()
                .contains("{env:GITHUB_TOKEN}")
        );
    }
}
