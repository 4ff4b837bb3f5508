//! Finding plaintext secrets where they should not be: `mcpctl scan`.
//!
//! Client files are read through their adapters and [`crate::document`],
//! so every secret is tied to its client, server and field (which is what
//! `mcpctl import` needs to move it) and references a client cannot resolve
//! are caught too ([`entries`]). Other files — shell profiles and history,
//! a repository's tracked files, paths given on the command line — are
//! scanned as text ([`text`]); a path that is a known client's project file
//! (`.mcp.json`, `.vscode/mcp.json`, …) gets both.
//!
//! A [`Finding`] never holds the secret: only a short prefix and its length.

pub mod entries;
pub mod sarif;
mod sources;
pub mod text;

use std::path::{Path, PathBuf};

use schemars::JsonSchema;
use serde::Serialize;

pub use entries::{Field, Hit, HitKind};
pub use sources::{ScanTarget, client_files, git_files, path_target, shell_targets};

use crate::client::{ClientFile, adapter};
use crate::document::{Document, DocumentError, Format};
use crate::manifest::{ClientId, Scope, Shell};
use crate::observe::read_text;

/// Where a scanned file comes from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(rename_all = "kebab-case", tag = "kind")]
pub enum Origin {
    /// A client's configuration file.
    Client { client: ClientId, scope: Scope },
    /// A shell profile.
    ShellProfile { shell: Shell },
    /// A shell's history.
    ShellHistory { shell: Shell },
    /// A file named on the command line or tracked by git.
    File,
}

/// The server entry a finding is in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub struct EntryLocation {
    /// Keys from the root of the file to the table of servers.
    pub table: Vec<String>,
    pub server: String,
    /// `env GITHUB_TOKEN`, `header Authorization`, `argument 3`, `url`.
    pub field: String,
}

/// One secret (or unresolvable reference) found. Never holds the value.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub struct Finding {
    pub file: PathBuf,
    /// 1-based.
    pub line: usize,
    /// 1-based, in characters.
    pub column: usize,
    /// Stable rule id (`github-classic-pat`, `generic-secret`,
    /// `unresolved-reference`, …).
    pub rule: String,
    pub description: String,
    /// A short prefix and the length (`ghp_… (40 chars)`); for a reference,
    /// the reference itself.
    pub redacted: String,
    pub origin: Origin,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub entry: Option<EntryLocation>,
    /// What to do, for the human view.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hint: Option<String>,
}

impl Finding {
    pub fn is_reference(&self) -> bool {
        self.rule == "unresolved-reference"
    }
}

/// A file that was not scanned, and why: skipped on purpose (binary, too
/// large) or unreadable.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub struct Skipped {
    pub file: PathBuf,
    pub reason: String,
}

/// Everything one scan found.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub struct Report {
    pub findings: Vec<Finding>,
    /// How many files were read.
    pub files_scanned: usize,
    /// Files left out on purpose: binary, or too large to be text.
    pub skipped: Vec<Skipped>,
    /// Files that could not be read or parsed: the scan is incomplete.
    pub unreadable: Vec<Skipped>,
}

/// Why a file was not scanned.
enum NotScanned {
    /// On purpose: binary, or too large.
    Skipped(String),
    /// It could not be read or parsed.
    Unreadable(String),
}

fn unreadable(error: impl std::fmt::Display) -> NotScanned {
    NotScanned::Unreadable(error.to_string())
}

/// Files larger than this are not scanned as text (a repository's
/// generated or binary files); client files are always read whole.
const MAX_TEXT_FILE: u64 = 5 * 1024 * 1024;

/// Scans `targets`; a file that cannot be read or parsed is reported in
/// [`Report::unreadable`], not fatal (the caller decides).
pub fn scan(targets: &[ScanTarget]) -> Report {
    let mut report = Report::default();
    for target in targets {
        match scan_target(target) {
            Ok(Some(findings)) => {
                report.files_scanned += 1;
                report.findings.extend(findings);
            }
            Ok(None) => {}
            Err(NotScanned::Skipped(reason)) => report.skipped.push(Skipped {
                file: target.path().to_path_buf(),
                reason,
            }),
            Err(NotScanned::Unreadable(reason)) => report.unreadable.push(Skipped {
                file: target.path().to_path_buf(),
                reason,
            }),
        }
    }
    report
}

/// `Ok(None)`: the file does not exist.
fn scan_target(target: &ScanTarget) -> Result<Option<Vec<Finding>>, NotScanned> {
    match target {
        ScanTarget::Client { file, text_too } => {
            let Some(text) = read_text(&file.path).map_err(unreadable)? else {
                return Ok(None);
            };
            let document = Document::parse(&file.path, text, file.format).map_err(unreadable)?;
            let mut findings = client_findings(file, &document).map_err(unreadable)?;
            if *text_too {
                let extra = text_findings(&file.path, document.text(), Origin::File);
                for finding in extra {
                    if !findings
                        .iter()
                        .any(|f| f.line == finding.line && f.column == finding.column)
                    {
                        findings.push(finding);
                    }
                }
                findings.sort_by_key(|f| (f.line, f.column));
            }
            Ok(Some(findings))
        }
        ScanTarget::Text { path, origin } => {
            let size = match std::fs::metadata(path) {
                Ok(meta) => meta.len(),
                Err(err) if err.kind() == std::io::ErrorKind::NotFound => return Ok(None),
                Err(err) => return Err(unreadable(err)),
            };
            if size > MAX_TEXT_FILE {
                return Err(NotScanned::Skipped(format!(
                    "larger than {} MB",
                    MAX_TEXT_FILE / 1024 / 1024
                )));
            }
            // Regular files only: a device (`/dev/zero`) or FIFO named on
            // the command line would be read forever.
            let bytes = crate::fs::read_input(path, MAX_TEXT_FILE).map_err(unreadable)?;
            if bytes.contains(&0) {
                return Err(NotScanned::Skipped("binary".to_owned()));
            }
            let text = String::from_utf8_lossy(&bytes);
            Ok(Some(text_findings(path, &text, origin.clone())))
        }
    }
}

fn text_findings(path: &Path, text: &str, origin: Origin) -> Vec<Finding> {
    text::scan(text)
        .into_iter()
        .map(|hit| Finding {
            file: path.to_path_buf(),
            line: hit.line,
            column: hit.column,
            rule: hit.rule.to_owned(),
            description: hit.description.to_owned(),
            redacted: hit.redacted,
            origin: origin.clone(),
            entry: None,
            hint: None,
        })
        .collect()
}

/// A hit in an entry of a client file, and where the entry is.
pub struct EntryHit {
    /// The scope of the entry's table (Claude Code's per-project tables in
    /// `~/.claude.json` are local scope).
    pub scope: Scope,
    pub table: Vec<String>,
    pub server: String,
    pub hit: Hit,
}

/// The hits of every entry of a client file.
pub fn client_hits(file: &ClientFile, document: &Document) -> Result<Vec<EntryHit>, DocumentError> {
    let mut out = Vec::new();
    for (scope, table) in adapter(file.client).tables(file, document)? {
        let keys: Vec<&str> = table.iter().map(String::as_str).collect();
        for (server, entry) in document.entries(&keys)? {
            for hit in entries::hits(file.client, &entry) {
                out.push(EntryHit {
                    scope,
                    table: table.clone(),
                    server: server.clone(),
                    hit,
                });
            }
        }
    }
    Ok(out)
}

fn client_findings(file: &ClientFile, document: &Document) -> Result<Vec<Finding>, DocumentError> {
    let text = document.text();
    let mut locator = Locator::new(text);
    let mut findings = Vec::new();
    for EntryHit {
        scope,
        table,
        server,
        hit,
    } in client_hits(file, document)?
    {
        let (line, column) = locator.locate(hit.matched(), &server, file.format);
        let hint = match &hit.kind {
            HitKind::Secret => Some(match hit.field {
                Field::Env(_) | Field::Header(_) => {
                    "`mcpctl import` moves it into the OS credential store".to_owned()
                }
                _ => "move it into an environment variable, then `mcpctl import`".to_owned(),
            }),
            HitKind::UnresolvedReference { hint } => Some(
                if entries::in_client_form(file.client, hit.matched()).is_some() {
                    format!("{hint}; `mcpctl import` rewrites it")
                } else {
                    hint.clone()
                },
            ),
        };
        findings.push(Finding {
            file: file.path.clone(),
            line,
            column,
            rule: hit.rule.to_owned(),
            description: hit.description.clone(),
            redacted: hit.redacted(),
            origin: Origin::Client {
                client: file.client,
                scope,
            },
            entry: Some(EntryLocation {
                table,
                server,
                field: hit.field.to_string(),
            }),
            hint,
        });
    }
    findings.sort_by_key(|f| (f.line, f.column));
    Ok(findings)
}

/// Finds where a found string sits in the file's text: the n-th time the
/// same string is asked for, its n-th occurrence.
struct Locator<'t> {
    text: &'t str,
    seen: std::collections::BTreeMap<String, usize>,
}

impl<'t> Locator<'t> {
    fn new(text: &'t str) -> Locator<'t> {
        Locator {
            text,
            seen: Default::default(),
        }
    }

    fn locate(&mut self, needle: &str, server: &str, format: Format) -> (usize, usize) {
        let count = self.seen.entry(needle.to_owned()).or_insert(0);
        let offset = self
            .text
            .match_indices(needle)
            .nth(*count)
            .map(|(i, _)| i)
            .or_else(|| {
                // Written with escapes: point at the server's entry.
                let key = match format {
                    Format::Toml => format!("mcp_servers.{server}"),
                    _ => format!("\"{server}\""),
                };
                self.text.find(&key)
            })
            .unwrap_or(0);
        *count += 1;
        line_column(self.text, offset)
    }
}

/// 1-based line and column (in characters) of a byte offset.
pub fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    (line, before[line_start..].chars().count() + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_are_one_based_in_characters() {
        let text = "ab\n€d ghp\n";
        assert_eq!(line_column(text, 0), (1, 1));
        assert_eq!(line_column(text, text.find("ghp").unwrap()), (2, 4));
    }
}
