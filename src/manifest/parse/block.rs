//! A block's children as data: each block of the grammar has one table of
//! [`Child`] entries, the name of each child it holds and what reads it.
//! The walk dispatches on that table and an unknown child's "did you
//! mean" suggests from it, so the two cannot drift apart.
//!
//! Also the one way to report a name given twice ([`Checker::twice`]).

use std::collections::HashMap;

use kdl::KdlNode;
use miette::SourceSpan;

use super::shape::{children, head_span};
use super::words::{did_you_mean, show};
use super::{Checker, K, Problem};

/// What reads one child into the block's body `B`.
pub(super) type Read<B> = fn(&mut Checker, &KdlNode, &mut B);

/// One child a block may hold.
pub(super) struct Child<B> {
    pub(super) name: &'static str,
    times: Times,
    read: Read<B>,
}

/// How often a child may be given.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Times {
    /// At most once: a second one is reported, with this help (`None`:
    /// "keep one `NAME`").
    Once(Option<&'static str>),
    /// Any number of times (`env`, `header`, `server`…); the reader checks
    /// what must differ between them.
    Many,
}

impl<B> Child<B> {
    /// A child given at most once.
    pub(super) const fn once(name: &'static str, read: Read<B>) -> Self {
        Child {
            name,
            times: Times::Once(None),
            read,
        }
    }

    /// A child given at most once, whose repetition needs its own `help`.
    pub(super) const fn once_or(name: &'static str, help: &'static str, read: Read<B>) -> Self {
        Child {
            name,
            times: Times::Once(Some(help)),
            read,
        }
    }

    /// A child that may be given any number of times.
    pub(super) const fn many(name: &'static str, read: Read<B>) -> Self {
        Child {
            name,
            times: Times::Many,
            read,
        }
    }
}

/// The entry for `name` in `table`.
pub(super) fn find<'t, B>(table: &'t [Child<B>], name: &str) -> Option<&'t Child<B>> {
    table.iter().find(|child| child.name == name)
}

/// The names in `table`, in its order.
pub(super) fn names<B>(table: &[Child<B>]) -> impl Iterator<Item = &'static str> + '_ {
    table.iter().map(|child| child.name)
}

/// Where each single child was first given, by name.
#[derive(Default)]
pub(super) struct Seen(HashMap<String, SourceSpan>);

/// The words of a "given twice" report: "{verb} again here", "first {verb} here".
#[derive(Clone, Copy)]
pub(super) enum Verb {
    Given,
    Declared,
    Listed,
    Set,
    Targeted,
    /// `env`'s wording: "set again here", "first defined here".
    SetDefined,
}

impl Verb {
    fn labels(self) -> (&'static str, &'static str) {
        match self {
            Verb::Given => ("given again here", "first given here"),
            Verb::Declared => ("declared again here", "first declared here"),
            Verb::Listed => ("listed again here", "first listed here"),
            Verb::Set => ("set again here", "first set here"),
            Verb::Targeted => ("targeted again here", "first targeted here"),
            Verb::SetDefined => ("set again here", "first defined here"),
        }
    }
}

impl Checker {
    /// Reads the children of `node`, the block `parent`, each with its
    /// entry in `table`. A single child given again and a child `table`
    /// does not hold are reported (in that order: a repeated unknown child
    /// is reported as given twice).
    pub(super) fn read_children<B>(
        &mut self,
        node: &KdlNode,
        parent: &str,
        table: &[Child<B>],
        body: &mut B,
    ) {
        let mut seen = Seen::default();
        for child in children(node) {
            let name = child.name().value();
            let entry = find(table, name);
            let many = entry.is_some_and(|e| e.times == Times::Many);
            if !many && !self.first_time(&mut seen, child, Some(parent), None) {
                continue;
            }
            match entry {
                Some(entry) => (entry.read)(self, child, body),
                None => self.unknown_child(child, name, parent, table),
            }
        }
    }

    /// Reads the top-level node `node` with its entry in `table`, if it
    /// has one and is not a repeated single node; false if it has none.
    pub(super) fn read_top_level<B>(
        &mut self,
        seen: &mut Seen,
        node: &KdlNode,
        table: &[Child<B>],
        body: &mut B,
    ) -> bool {
        let Some(entry) = find(table, node.name().value()) else {
            return false;
        };
        if let Times::Once(help) = entry.times
            && !self.first_time(seen, node, None, help)
        {
            return true;
        }
        (entry.read)(self, node, body);
        true
    }

    /// Whether `node` is the first of its name in `seen` (within `parent`,
    /// or at the top level); a later one is reported as given twice,
    /// pointing at the first.
    fn first_time(
        &mut self,
        seen: &mut Seen,
        node: &KdlNode,
        parent: Option<&str>,
        help: Option<&str>,
    ) -> bool {
        let name = node.name().value();
        let span = head_span(node);
        let Some(&first) = seen.0.get(name) else {
            seen.0.insert(name.to_owned(), span);
            return true;
        };
        let message = match parent {
            Some(parent) => format!("`{name}` is given twice in `{parent}`"),
            None => format!("`{name}` is given twice"),
        };
        let help = help.map_or_else(|| format!("keep one `{name}`"), str::to_owned);
        self.twice(message, Verb::Given, span, Some(first), help);
        false
    }

    /// Reports something given a second time at `again` (first at `first`,
    /// when that is worth pointing at).
    pub(super) fn twice(
        &mut self,
        message: impl Into<String>,
        verb: Verb,
        again: SourceSpan,
        first: Option<SourceSpan>,
        help: impl Into<String>,
    ) {
        let (again_label, first_label) = verb.labels();
        let mut problem = Problem::new(K::Duplicate, message, again, again_label);
        if let Some(first) = first {
            problem = problem.also(first, first_label);
        }
        self.push(problem.help(help));
    }

    fn unknown_child<B>(&mut self, child: &KdlNode, name: &str, parent: &str, table: &[Child<B>]) {
        let list = names(table)
            .map(|k| format!("`{k}`"))
            .collect::<Vec<_>>()
            .join(", ");
        if (parent, name) == ("server", "auth") {
            self.push(
                Problem::new(
                    K::UnknownNode,
                    "`auth` (OAuth) is not yet supported",
                    child.name().span(),
                    "not yet supported",
                )
                .help("send a token the server accepts instead, e.g. a personal access token: `header Authorization credential=NAME scheme=Bearer`"),
            );
            return;
        }
        let hint = match (parent, name) {
            ("server", "args") => Some(
                "arguments follow the program in `command`: `command npx -y \"@scope/package\"`"
                    .to_owned(),
            ),
            _ => did_you_mean(name, names(table))
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
