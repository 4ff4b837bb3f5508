//! The shape of a node: its positional arguments, properties and block,
//! and the string, text and URL values leaves hold. Every check reports
//! what is wrong and returns what it could read.

use std::collections::HashMap;

use kdl::{KdlDocument, KdlEntry, KdlNode, KdlValue};
use miette::SourceSpan;

use super::block::Verb;
use super::words::{did_you_mean, show};
use super::{Checker, K, Problem};

impl Checker {
    /// Checks the properties of `node` against `allowed`, reporting unknown
    /// and repeated ones. Returns the known ones by name.
    pub(super) fn properties<'n>(
        &mut self,
        node: &'n KdlNode,
        allowed: &[&str],
    ) -> HashMap<&'n str, &'n KdlEntry> {
        let mut found: HashMap<&str, &KdlEntry> = HashMap::new();
        let node_name = node.name().value();
        for entry in node.entries() {
            let Some(key) = entry.name() else { continue };
            let name = key.value();
            if !allowed.contains(&name) {
                let help = if allowed.is_empty() {
                    format!("`{node_name}` takes no properties")
                } else {
                    let list = allowed
                        .iter()
                        .map(|a| format!("`{a}`"))
                        .collect::<Vec<_>>()
                        .join(", ");
                    did_you_mean(name, allowed.iter().copied())
                        .map(|s| format!("did you mean `{s}`? `{node_name}` takes {list}"))
                        .unwrap_or_else(|| format!("`{node_name}` takes {list}"))
                };
                self.push(
                    Problem::new(
                        K::UnknownProperty,
                        format!("unknown property {} on `{node_name}`", show(name)),
                        key.span(),
                        "unknown property",
                    )
                    .help(help),
                );
                continue;
            }
            if let Some(first) = found.get(name) {
                self.twice(
                    format!("property `{name}` is given twice"),
                    Verb::Given,
                    entry.span(),
                    Some(first.span()),
                    format!("keep one `{name}=…`"),
                );
                continue;
            }
            found.insert(name, entry);
        }
        found
    }

    /// Checks the number of positional arguments.
    pub(super) fn arguments<'n>(&mut self, node: &'n KdlNode, shape: Shape) -> Vec<&'n KdlEntry> {
        let entries = positional(node);
        let name = node.name().value();
        if entries.len() < shape.min {
            self.push(
                Problem::new(
                    K::Arguments,
                    format!("`{name}` needs {}", shape.what),
                    node.name().span(),
                    format!("{} expected", shape.what),
                )
                .help(format!("write `{}`", shape.usage)),
            );
        }
        for extra in entries.iter().skip(shape.max) {
            let message = if shape.max == 0 {
                format!("`{name}` takes no arguments")
            } else {
                format!("`{name}` takes only {}", shape.what)
            };
            self.push(
                Problem::new(K::Arguments, message, extra.span(), "unexpected argument")
                    .help(format!("write `{}`", shape.usage)),
            );
        }
        entries
    }

    /// A node that takes exactly one argument and no children: the
    /// argument, if present.
    pub(super) fn single<'n>(&mut self, node: &'n KdlNode, shape: Shape) -> Option<&'n KdlEntry> {
        if shape.leaf {
            self.no_children(node);
            self.properties(node, &[]);
        }
        self.arguments(node, shape).into_iter().next()
    }

    pub(super) fn no_children(&mut self, node: &KdlNode) {
        let Some(children) = node.children() else {
            return;
        };
        let name = node.name().value();
        // `env X ${VAR}` reads as the string `$` followed by a block.
        let dollar = node
            .entries()
            .last()
            .is_some_and(|e| matches!(e.value(), KdlValue::String(s) if s.ends_with('$')));
        let help = if dollar {
            "KDL reads `{` as the start of a block: put `${…}` in double quotes".to_owned()
        } else {
            format!("`{name}` takes no `{{ … }}` block; remove it")
        };
        self.push(
            Problem::new(
                K::Arguments,
                format!("`{name}` takes no block"),
                children.span(),
                "unexpected block",
            )
            .help(help),
        );
    }

    /// The string in `entry`, or a diagnostic.
    pub(super) fn string<'n>(&mut self, entry: &'n KdlEntry) -> Option<&'n str> {
        match entry.value() {
            KdlValue::String(s) => Some(s),
            other => {
                let help = match other {
                    KdlValue::Integer(_) | KdlValue::Float(_) => {
                        "KDL reads unquoted digits as a number; put the value in double quotes"
                    }
                    _ => "write a string, in double quotes if it has spaces or special characters",
                };
                self.push(
                    Problem::new(
                        K::Arguments,
                        format!("expected a string, found {}", type_name(other)),
                        entry.span(),
                        format!("{} here", type_name(other)),
                    )
                    .help(help),
                );
                None
            }
        }
    }

    /// A one-string leaf such as `description "…"`.
    pub(super) fn text(&mut self, node: &KdlNode) -> Option<String> {
        let entry = self.single(node, Shape::TEXT)?;
        self.string(entry).map(str::to_owned)
    }

    /// A one-URL leaf (`url`, `create-at`): the URL if it is http(s).
    pub(super) fn url(&mut self, node: &KdlNode) -> Option<String> {
        let entry = self.single(node, Shape::URL)?;
        self.url_entry(node, entry)
    }

    /// The URL in `entry` of `node`, if it is http(s).
    pub(super) fn url_entry(&mut self, node: &KdlNode, entry: &KdlEntry) -> Option<String> {
        let url = self.string(entry)?;
        let Some(problem) = url_problem(url) else {
            return Some(url.to_owned());
        };
        self.push(
            Problem::new(
                K::Url,
                format!(
                    "`{}` must be an http:// or https:// URL",
                    node.name().value()
                ),
                entry.span(),
                problem,
            )
            .help("write a full URL such as `\"https://mcp.example.com/mcp\"`"),
        );
        None
    }
}

/// What went wrong with a URL, if anything.
pub(super) fn url_problem(url: &str) -> Option<&'static str> {
    let lower = url.to_ascii_lowercase();
    let rest = if let Some(rest) = lower.strip_prefix("https://") {
        rest
    } else if let Some(rest) = lower.strip_prefix("http://") {
        rest
    } else {
        return Some("not http(s)");
    };
    if url.contains(char::is_whitespace) {
        return Some("contains whitespace");
    }
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    let host = authority.rsplit('@').next().unwrap_or("");
    if host.is_empty() || host.starts_with(':') {
        return Some("no host");
    }
    None
}
/// How many positional arguments a node takes, for messages.
#[derive(Debug, Clone, Copy)]
pub(super) struct Shape {
    min: usize,
    max: usize,
    /// What the arguments are: "a rotation period".
    what: &'static str,
    usage: &'static str,
    /// No properties and no children either.
    leaf: bool,
}

impl Shape {
    pub(super) const NONE: Shape = Shape {
        min: 0,
        max: 0,
        what: "nothing",
        usage: "defaults { … }",
        leaf: false,
    };
    pub(super) const ONE_WORD: Shape = Shape {
        min: 1,
        max: 1,
        what: "one value",
        usage: "delivery exec",
        leaf: true,
    };
    pub(super) const PERIOD: Shape = Shape {
        min: 1,
        max: 1,
        what: "a rotation period",
        usage: "rotate-every \"90d\"",
        leaf: true,
    };
    pub(super) const WEBHOOK: Shape = Shape {
        min: 1,
        max: 1,
        what: "a URL",
        usage: "webhook \"http://…\" alerts-only=#true",
        leaf: false,
    };
    pub(super) const COUNT: Shape = Shape {
        min: 1,
        max: 1,
        what: "a number",
        usage: "alert-reads-per-hour 20",
        leaf: true,
    };
    pub(super) const CLIENT: Shape = Shape {
        min: 1,
        max: 1,
        what: "a client name",
        usage: "client claude-code",
        leaf: false,
    };
    pub(super) const CREDENTIAL: Shape = Shape {
        min: 1,
        max: 1,
        what: "a credential name",
        usage: "credential GITHUB_TOKEN { kind personal-access-token }",
        leaf: false,
    };
    pub(super) const SERVER: Shape = Shape {
        min: 1,
        max: 1,
        what: "a server name",
        usage: "server github { command … }",
        leaf: false,
    };
    pub(super) const NAMESPACE: Shape = Shape {
        min: 1,
        max: 1,
        what: "a namespace",
        usage: "namespace \"team-a\"",
        leaf: true,
    };
    pub(super) const KIND: Shape = Shape {
        min: 1,
        max: 1,
        what: "a credential kind",
        usage: "kind personal-access-token",
        leaf: true,
    };
    pub(super) const PROVIDER: Shape = Shape {
        min: 1,
        max: 1,
        what: "a provider name",
        usage: "provider github",
        leaf: true,
    };
    pub(super) const URL: Shape = Shape {
        min: 1,
        max: 1,
        what: "a URL",
        usage: "url \"https://…\"",
        leaf: true,
    };
    pub(super) const FLAG: Shape = Shape {
        min: 1,
        max: 1,
        what: "#true or #false",
        usage: "external #true",
        leaf: true,
    };
    pub(super) const MAX_ROTATION: Shape = Shape {
        min: 2,
        max: 2,
        what: "a credential kind and a period",
        usage: "max-rotation personal-access-token \"90d\"",
        leaf: false,
    };
    pub(super) const RULE: Shape = Shape {
        min: 2,
        max: 2,
        what: "a pattern and a classification",
        usage: "classification-rule \"customer_data|financial_records\" confidential external-lookup=#false",
        leaf: false,
    };
    pub(super) const ROLE: Shape = Shape {
        min: 1,
        max: 1,
        what: "a role name",
        usage: "role developer { servers github }",
        leaf: false,
    };
    pub(super) const VARIABLE: Shape = Shape {
        min: 1,
        max: 1,
        what: "a variable name",
        usage: "variable ORG { description \"…\" }",
        leaf: false,
    };
    pub(super) const TEXT: Shape = Shape {
        min: 1,
        max: 1,
        what: "one string",
        usage: "description \"…\"",
        leaf: true,
    };
}
pub(super) fn positional(node: &KdlNode) -> Vec<&KdlEntry> {
    node.entries()
        .iter()
        .filter(|e| e.name().is_none())
        .collect()
}

pub(super) fn children(node: &KdlNode) -> &[KdlNode] {
    node.children().map_or(&[], KdlDocument::nodes)
}

/// The node's line: its name and entries, without the children block.
pub(super) fn head_span(node: &KdlNode) -> SourceSpan {
    let start = node.name().span().offset();
    let end = node
        .entries()
        .iter()
        .map(|e| e.span().offset() + e.span().len())
        .chain(std::iter::once(start + node.name().span().len()))
        .max()
        .unwrap_or(start);
    SourceSpan::from((start, end - start))
}

pub(super) fn type_name(value: &KdlValue) -> &'static str {
    match value {
        KdlValue::String(_) => "a string",
        KdlValue::Integer(_) => "a number",
        KdlValue::Float(_) => "a decimal number",
        KdlValue::Bool(_) => "a boolean",
        KdlValue::Null => "#null",
    }
}
