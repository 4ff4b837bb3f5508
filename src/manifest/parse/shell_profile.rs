//! `shell-profile zsh fish`: the shells whose profile gets mcpctl's block.

use kdl::KdlNode;

use super::block::Verb;
use super::shape::positional;
use super::{Checker, K, Problem};
use crate::manifest::Shell;

impl Checker {
    pub(super) fn shell_profile(&mut self, node: &KdlNode) -> Vec<Shell> {
        self.no_children(node);
        self.properties(node, &[]);
        let entries = positional(node);
        let usage = "write the shells whose profile gets mcpctl's block, e.g. `shell-profile zsh` (bash, zsh, fish, powershell)";
        if entries.is_empty() {
            self.push(
                Problem::new(
                    K::Arguments,
                    "`shell-profile` names no shell",
                    node.name().span(),
                    "no shell",
                )
                .help(usage),
            );
        }
        let mut shells = Vec::new();
        for entry in entries {
            let Some(name) = self.string(entry) else {
                continue;
            };
            match Shell::from_name(name) {
                Some(shell) if !shells.contains(&shell) => shells.push(shell),
                Some(_) => self.twice(
                    format!("shell `{name}` is listed twice"),
                    Verb::Listed,
                    entry.span(),
                    None,
                    "remove one of them",
                ),
                None => {
                    let known = "mcpctl manages profiles of `bash`, `zsh`, `fish` and `powershell`";
                    self.unknown_name(
                        K::Arguments,
                        "shell",
                        "unknown shell",
                        name,
                        entry.span(),
                        Shell::ALL.map(Shell::as_str),
                        known,
                    );
                }
            }
        }
        shells
    }
}
