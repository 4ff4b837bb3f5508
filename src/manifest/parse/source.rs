//! `source store` | `source env [var=NAME]` | `source command PROGRAM
//! ARGS… [timeout="30s"]`: where a credential's value is read at launch.

use kdl::{KdlEntry, KdlNode};

use super::shape::positional;
use super::words::{is_env_name, show};
use super::{Checker, K, Problem};
use crate::manifest::{DEFAULT_COMMAND_TIMEOUT_SECS, Source};

/// The sources, for "did you mean".
const SOURCES: &[&str] = &["store", "env", "command"];

impl Checker {
    pub(super) fn source(&mut self, node: &KdlNode) -> Option<Source> {
        self.no_children(node);
        let entries = positional(node);
        let Some(first) = entries.first() else {
            self.push(
                Problem::new(
                    K::Arguments,
                    "`source` names no source",
                    node.name().span(),
                    "a source expected",
                )
                .help(SOURCE_HELP),
            );
            return None;
        };
        let kind = self.string(first)?;
        match kind {
            "store" | "env" => self.source_store_or_env(node, kind, &entries),
            "command" => self.source_command(node, &entries),
            other => {
                self.unknown_name(
                    K::Arguments,
                    "source",
                    "unknown source",
                    other,
                    first.span(),
                    SOURCES.iter().copied(),
                    SOURCE_HELP,
                );
                None
            }
        }
    }

    /// `source store`, `source env [var=NAME]`: nothing follows the kind.
    fn source_store_or_env(
        &mut self,
        node: &KdlNode,
        kind: &str,
        entries: &[&KdlEntry],
    ) -> Option<Source> {
        let props = self.properties(node, if kind == "env" { &["var"] } else { &[] });
        for extra in entries.iter().skip(1) {
            self.push(
                Problem::new(
                    K::Arguments,
                    format!("`source {kind}` takes no further arguments"),
                    extra.span(),
                    "unexpected argument",
                )
                .help(SOURCE_HELP),
            );
        }
        if kind == "store" {
            return Some(Source::Store);
        }
        let var = match props.get("var") {
            None => String::new(), // filled with the credential's name
            Some(entry) => {
                let var = self.string(entry)?;
                if !is_env_name(var) {
                    self.push(
                        Problem::new(
                            K::InvalidName,
                            format!("{} is not an environment variable name", show(var)),
                            entry.span(),
                            "not a variable name",
                        )
                        .help("letters, digits and `_`, not starting with a digit, e.g. `var=CI_GITHUB_TOKEN`"),
                    );
                    return None;
                }
                var.to_owned()
            }
        };
        Some(Source::Env { var })
    }

    /// `source command PROGRAM ARGS… [timeout="30s"]`.
    fn source_command(&mut self, node: &KdlNode, entries: &[&KdlEntry]) -> Option<Source> {
        let props = self.properties(node, &["timeout"]);
        let mut argv = Vec::new();
        for entry in entries.iter().skip(1) {
            argv.push(self.string(entry)?.to_owned());
        }
        if argv.first().is_none_or(|p| p.trim().is_empty()) {
            self.push(
                Problem::new(
                    K::Arguments,
                    "`source command` names no program",
                    entries[0].span(),
                    "a program expected after `command`",
                )
                .help(SOURCE_HELP),
            );
            return None;
        }
        let timeout_secs = match props.get("timeout") {
            None => DEFAULT_COMMAND_TIMEOUT_SECS,
            Some(entry) => {
                let text = self.string(entry)?;
                let Some(secs) = parse_timeout(text) else {
                    self.push(
                        Problem::new(
                            K::Duration,
                            format!("{} is not a timeout", show(text)),
                            entry.span(),
                            "not a timeout",
                        )
                        .help("write seconds or minutes, e.g. `timeout=\"10s\"` or `timeout=\"2m\"` (at most 10m)"),
                    );
                    return None;
                };
                secs
            }
        };
        Some(Source::Command { argv, timeout_secs })
    }
}

pub(super) const SOURCE_HELP: &str = "write `source store` (the default), `source env` (optionally `var=NAME`) or `source command PROGRAM ARGS…` (e.g. `source command pass show \"mcp/github\"`)";

/// `"30s"` or `"2m"`, at most ten minutes: whole seconds.
pub(super) fn parse_timeout(text: &str) -> Option<u32> {
    let (digits, unit) = text.split_at(text.find(|c: char| !c.is_ascii_digit())?);
    let n: u32 = digits.parse().ok()?;
    let secs = match unit {
        "s" => n,
        "m" => n.checked_mul(60)?,
        _ => return None,
    };
    (1..=600).contains(&secs).then_some(secs)
}
