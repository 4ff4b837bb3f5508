//! The children of a block: each known child read once (unless it may
//! repeat), a repeated one and an unknown one reported.

use std::collections::HashMap;

use kdl::KdlNode;
use miette::SourceSpan;

use super::shape::head_span;
use super::words::{did_you_mean, show};
use super::{Checker, K, Problem};

impl Checker {
    /// Reports a repeated single-valued child; returns whether this is the
    /// first occurrence.
    pub(super) fn once(&mut self, seen: &mut Seen, child: &KdlNode, parent: &str) -> bool {
        let name = child.name().value();
        let span = head_span(child);
        if let Some(first) = seen.0.get(name) {
            self.push(
                Problem::new(
                    K::Duplicate,
                    format!("`{name}` is given twice in `{parent}`"),
                    span,
                    "given again here",
                )
                .also(*first, "first given here")
                .help(format!("keep one `{name}`")),
            );
            return false;
        }
        seen.0.insert(name.to_owned(), span);
        true
    }

    pub(super) fn unknown_child(
        &mut self,
        child: &KdlNode,
        name: &str,
        parent: &str,
        known: &[&str],
    ) {
        let list = known
            .iter()
            .map(|k| format!("`{k}`"))
            .collect::<Vec<_>>()
            .join(", ");
        let hint = match (parent, name) {
            ("server", "args") => Some(
                "arguments follow the program in `command`: `command npx -y \"@scope/package\"`"
                    .to_owned(),
            ),
            _ => did_you_mean(name, known.iter().copied())
                .map(|s| format!("did you mean `{s}`? `{parent}` holds {list}")),
        };
        self.push(
            Problem::new(
                K::UnknownNode,
                format!("unknown node {} in `{parent}`", show(name)),
                child.name().span(),
                "unknown node",
            )
            .help(hint.unwrap_or_else(|| format!("`{parent}` holds {list}"))),
        );
    }
}

#[derive(Default)]
pub(super) struct Seen(HashMap<String, SourceSpan>);

impl Checker {
    /// For a node that may appear once: true the first time; later copies
    /// are reported as duplicates pointing at the first.
    pub(super) fn first_of_kind(
        &mut self,
        node: &KdlNode,
        name: &str,
        first: &mut Option<SourceSpan>,
        help: &str,
    ) -> bool {
        let span = head_span(node);
        match first {
            Some(first) => {
                self.push(
                    Problem::new(
                        K::Duplicate,
                        format!("`{name}` is given twice"),
                        span,
                        "given again here",
                    )
                    .also(*first, "first given here")
                    .help(help),
                );
                false
            }
            None => {
                *first = Some(span);
                true
            }
        }
    }
}
