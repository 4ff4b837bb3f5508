//! The nodes a team at scale writes: `role` (which servers go to whom) and
//! `variable` (per-person, non-secret values written `{NAME}` in servers).
//! Same walk as the rest of the parser: every problem collected, each at
//! its node.

use std::collections::{BTreeMap, HashMap};

use kdl::{KdlNode, KdlValue};
use miette::SourceSpan;

use super::block::{Child, Verb};
use super::{Checker, K, Problem, children, head_span, show};
use crate::manifest::personal::variable_refs;
use crate::manifest::{Role, Variable};

/// The children of `variable NAME { … }`.
const VARIABLE: &[Child<Variable>] = &[Child::once("description", |c, node, variable| {
    variable.description = c.text(node);
})];

/// A role's block as it is read.
struct RoleBody<'a> {
    role: Role,
    has_servers: bool,
    /// The declared servers, which `servers` may name.
    server_spans: &'a HashMap<String, SourceSpan>,
}

impl<'a> RoleBody<'a> {
    /// The children of `role NAME { … }`.
    const CHILDREN: &'a [Child<Self>] = &[
        Child::once("servers", |c, node, body| {
            body.has_servers = true;
            body.role.servers = c.role_servers(node, body.server_spans);
        }),
        Child::once("description", |c, node, body| {
            body.role.description = c.text(node);
        }),
    ];
}

impl Checker {
    /// `variable NAME { description "…" }`, by name.
    pub(super) fn variables(&mut self, nodes: &[&KdlNode]) -> BTreeMap<String, Variable> {
        let mut variables = BTreeMap::new();
        let mut spans: HashMap<String, SourceSpan> = HashMap::new();
        for node in nodes {
            self.properties(node, &[]);
            let Some(entry) = self.single(node, super::Shape::VARIABLE) else {
                continue;
            };
            let Some(name) = self.string(entry) else {
                continue;
            };
            if !super::is_env_name(name) {
                self.push(
                    Problem::new(
                        K::InvalidName,
                        format!("{} is not a valid variable name", show(name)),
                        entry.span(),
                        "invalid variable name",
                    )
                    .help("a variable is written `{NAME}` in server values: letters, digits and `_`, not starting with a digit (e.g. `ORG`)"),
                );
                continue;
            }
            if let Some(&first) = spans.get(name) {
                self.twice(
                    format!("variable {} is declared twice", show(name)),
                    Verb::Declared,
                    entry.span(),
                    Some(first),
                    "remove one declaration",
                );
                continue;
            }
            spans.insert(name.to_owned(), entry.span());
            let mut variable = Variable {
                name: name.to_owned(),
                description: None,
            };
            self.read_children(node, "variable", VARIABLE, &mut variable);
            variables.insert(name.to_owned(), variable);
        }
        variables
    }

    /// Every `{NAME}` in a server's values names a declared variable.
    pub(super) fn variable_uses(
        &mut self,
        servers: &[&KdlNode],
        variables: &BTreeMap<String, Variable>,
    ) {
        for server in servers {
            for child in children(server) {
                for entry in child.entries() {
                    let KdlValue::String(text) = entry.value() else {
                        continue;
                    };
                    for name in variable_refs(text) {
                        if variables.contains_key(name) {
                            continue;
                        }
                        self.push(
                            Problem::new(
                                K::UnknownVariable,
                                format!("`{{{name}}}` names no declared variable"),
                                entry.span(),
                                "undeclared variable",
                            )
                            .help(format!(
                                "declare it at the top level: `variable {name} {{ description \"…\" }}`; each person sets its value in their profile"
                            )),
                        );
                    }
                }
            }
        }
    }

    /// `role NAME { servers a b; description "…" }`, by name. When there
    /// are roles, every server must be in one: a server no role grants
    /// would reach no machine.
    pub(super) fn roles(
        &mut self,
        nodes: &[&KdlNode],
        server_spans: &HashMap<String, SourceSpan>,
    ) -> BTreeMap<String, Role> {
        let mut roles: BTreeMap<String, Role> = BTreeMap::new();
        let mut spans: HashMap<String, SourceSpan> = HashMap::new();
        for node in nodes {
            self.properties(node, &[]);
            let Some(entry) = self.single(node, super::Shape::ROLE) else {
                continue;
            };
            let Some(name) = self.string(entry) else {
                continue;
            };
            if !super::is_server_name(name) {
                self.push(
                    Problem::new(
                        K::InvalidName,
                        format!("{} is not a valid role name", show(name)),
                        entry.span(),
                        "invalid role name",
                    )
                    .help("a role name is written in profiles: letters, digits, `-` and `_` (e.g. `developer`)"),
                );
                continue;
            }
            if let Some(&first) = spans.get(name) {
                self.twice(
                    format!("role {} is declared twice", show(name)),
                    Verb::Declared,
                    entry.span(),
                    Some(first),
                    "merge the two roles' servers into one",
                );
                continue;
            }
            spans.insert(name.to_owned(), head_span(node));
            let mut body = RoleBody {
                role: Role {
                    name: name.to_owned(),
                    description: None,
                    servers: Vec::new(),
                },
                has_servers: false,
                server_spans,
            };
            self.read_children(node, "role", RoleBody::CHILDREN, &mut body);
            let RoleBody {
                role, has_servers, ..
            } = body;
            if !has_servers {
                self.push(
                    Problem::new(
                        K::Arguments,
                        format!("role {} grants no server", show(name)),
                        head_span(node),
                        "no `servers`",
                    )
                    .help(format!(
                        "list the servers it grants: `role {name} {{ servers github sentry }}`"
                    )),
                );
            }
            roles.insert(name.to_owned(), role);
        }
        if !roles.is_empty() {
            let mut unassigned: Vec<(&String, &SourceSpan)> = server_spans
                .iter()
                .filter(|(server, _)| !roles.values().any(|r| r.servers.contains(server)))
                .collect();
            unassigned.sort_by_key(|(_, span)| span.offset());
            for (server, span) in unassigned {
                self.push(
                    Problem::new(
                        K::Unassigned,
                        format!("server {} is in no role, so no machine gets it", show(server)),
                        *span,
                        "in no role",
                    )
                    .help(format!(
                        "add it to a role's `servers` (e.g. the role every member picks), or remove it; roles are: {}",
                        roles.keys().map(|r| format!("`{r}`")).collect::<Vec<_>>().join(", ")
                    )),
                );
            }
        }
        roles
    }

    fn role_servers(
        &mut self,
        node: &KdlNode,
        server_spans: &HashMap<String, SourceSpan>,
    ) -> Vec<String> {
        let entries = self.words(node);
        let mut servers: Vec<String> = Vec::new();
        for (server, span) in entries {
            let server = server.as_str();
            if !server_spans.contains_key(server) {
                let known = server_spans.keys().map(String::as_str);
                let help = super::did_you_mean(server, known)
                    .map(|s| format!("did you mean `{s}`?"))
                    .unwrap_or_else(|| {
                        "declare it with `server NAME { … }`, or remove it here".into()
                    });
                self.push(
                    Problem::new(
                        K::UnknownServer,
                        format!("role names unknown server {}", show(server)),
                        span,
                        "no such server",
                    )
                    .help(help),
                );
            } else if servers.iter().any(|s| s == server) {
                self.twice(
                    format!("server {} is listed twice", show(server)),
                    Verb::Listed,
                    span,
                    None,
                    "remove one of them",
                );
            } else {
                servers.push(server.to_owned());
            }
        }
        servers
    }
}
