//! The top level of the document: one table of the nodes it holds, the
//! servers (read once every credential and client is known), the roles and
//! variables, and the resolution of defaults (rotation periods, client
//! lists) into the [`Manifest`].

use std::collections::{BTreeMap, HashMap};

use kdl::{KdlDocument, KdlNode};
use miette::SourceSpan;

use super::block::{Child, Seen, Verb, names};
use super::credential::{CREDENTIAL, CredentialDraft, resolve_credential};
use super::server::{ServerBody, ServerContext, ServerDraft};
use super::version::Version;
use super::words::{capitalize, did_you_mean, show};
use super::{Checker, K, Problem};
use crate::manifest::*;

/// The nodes of the top level. `mcpctl` is read first, by
/// [`Checker::version`]; `server`, `role` and `variable` after the rest,
/// once every credential, client and server is known.
const TOP_LEVEL: &[Child<TopLevel>] = &[
    Child::once_or(
        "mcpctl",
        "keep one `mcpctl version=1` line, at the top",
        |_, _, _| {},
    ),
    Child::once_or(
        "defaults",
        "merge them into one `defaults { … }` block",
        |c, node, top| top.defaults = c.defaults(node),
    ),
    Child::many("client", Checker::declare_client),
    Child::many("credential", Checker::declare_credential),
    Child::many("server", |_, _, _| {}),
    Child::once_or(
        "audit",
        "merge them into one `audit { … }` block",
        |c, node, top| top.audit = c.audit(node),
    ),
    Child::once_or(
        "shell-profile",
        "list every shell on one line: `shell-profile zsh fish`",
        |c, node, top| top.shell_profiles = c.shell_profile(node),
    ),
    Child::many("role", |_, _, _| {}),
    Child::many("variable", |_, _, _| {}),
    Child::once_or(
        "policy",
        "merge them into one `policy { … }` block",
        |c, node, top| top.policy = c.policy(node),
    ),
];

/// [`TOP_LEVEL`]'s nodes in the order a reader meets them (a test checks
/// that it names the same ones).
const TOP_LEVEL_HOLDS: &str = "the top level holds `mcpctl`, `defaults`, `client`, `credential`, `server`, `role`, `variable`, `policy`, `audit` and `shell-profile`";

/// What the top level declares, as its nodes are read.
#[derive(Default)]
struct TopLevel {
    defaults: Defaults,
    audit: AuditPolicy,
    clients: Vec<ClientTarget>,
    client_spans: HashMap<(ClientId, Scope), SourceSpan>,
    shell_profiles: Vec<Shell>,
    credentials: BTreeMap<String, CredentialDraft>,
    credential_spans: HashMap<String, SourceSpan>,
    policy: Option<Policy>,
}

impl Checker {
    pub(super) fn document(&mut self, doc: &KdlDocument) -> Option<Manifest> {
        self.sweep(doc);

        let nodes = doc.nodes();
        if self.version(nodes) == Version::Unsupported {
            return None;
        }
        let mut top = TopLevel::default();
        let mut seen = Seen::default();
        for node in nodes {
            if !self.read_top_level(&mut seen, node, TOP_LEVEL, &mut top) {
                self.unknown_top_level(node);
            }
        }
        let of_kind = |kind: &str| -> Vec<&KdlNode> {
            nodes.iter().filter(|n| n.name().value() == kind).collect()
        };
        let server_nodes = of_kind("server");
        let (servers, server_spans) = self.servers(&server_nodes, &top);
        let variables = self.variables(&of_kind("variable"));
        self.variable_uses(&server_nodes, &variables);
        let roles = self.roles(&of_kind("role"), &server_spans);

        let credential_spans = std::mem::take(&mut top.credential_spans);
        let manifest = resolve(top, servers, roles, variables);
        if let Some(policy) = &manifest.policy {
            self.check_policy(doc, &manifest, policy);
        }
        self.exported_names(&manifest, &credential_spans, &server_spans);
        Some(manifest)
    }

    fn declare_client(&mut self, node: &KdlNode, top: &mut TopLevel) {
        let Some((target, span)) = self.client(node) else {
            return;
        };
        let key = (target.client, target.scope);
        if let Some(&first) = top.client_spans.get(&key) {
            let message = format!(
                "client `{}` in scope `{}` is targeted twice",
                target.client, target.scope
            );
            self.twice(
                message,
                Verb::Targeted,
                span,
                Some(first),
                "remove one of them",
            );
        } else {
            top.client_spans.insert(key, span);
            top.clients.push(target);
        }
    }

    fn declare_credential(&mut self, node: &KdlNode, top: &mut TopLevel) {
        let Some((draft, span)) = self.credential(node) else {
            return;
        };
        let key = draft.credential.name.clone();
        if let Some(&first) = top.credential_spans.get(&key) {
            self.twice(
                format!("credential {} is declared twice", show(&key)),
                Verb::Declared,
                span,
                Some(first),
                "a credential is declared once and may be used by many servers; remove one declaration",
            );
        } else {
            top.credential_spans.insert(key.clone(), span);
            top.credentials.insert(key, draft);
        }
    }

    /// The servers by name, and where each name is declared.
    fn servers(
        &mut self,
        nodes: &[&KdlNode],
        top: &TopLevel,
    ) -> (BTreeMap<String, ServerDraft>, HashMap<String, SourceSpan>) {
        let context = ServerContext {
            clients: &top.clients,
            credentials: &top.credentials,
        };
        let mut servers: BTreeMap<String, ServerDraft> = BTreeMap::new();
        let mut spans: HashMap<String, SourceSpan> = HashMap::new();
        for node in nodes {
            let Some((draft, span)) = self.server(node, &context) else {
                continue;
            };
            let key = draft.server.name.clone();
            if let Some(&first) = spans.get(&key) {
                self.twice(
                    format!("server {} is declared twice", show(&key)),
                    Verb::Declared,
                    span,
                    Some(first),
                    "server names are keys in every client's file; rename or remove one",
                );
            } else {
                spans.insert(key.clone(), span);
                servers.insert(key, draft);
            }
        }
        (servers, spans)
    }

    fn unknown_top_level(&mut self, node: &KdlNode) {
        let name = node.name().value();
        let help = misplaced(name).or_else(|| {
            did_you_mean(name, names(TOP_LEVEL))
                .map(|s| format!("did you mean `{s}`? {}", capitalize(TOP_LEVEL_HOLDS)))
        });
        self.push(
            Problem::new(
                K::UnknownNode,
                format!("unknown node {} at the top level", show(name)),
                node.name().span(),
                "unknown node",
            )
            .help(help.unwrap_or_else(|| TOP_LEVEL_HOLDS.to_owned())),
        );
    }

    /// A credential some server could take by env-ref is exported under
    /// its own name at every shell start: refuse the names that change how
    /// a shell, the loader or a runtime behaves
    /// ([`crate::shell::exportable`]). A manifest naming no client is
    /// judged as the detected clients would take it (no `delivery` of
    /// their own).
    pub(super) fn exported_names(
        &mut self,
        manifest: &Manifest,
        credential_spans: &HashMap<String, SourceSpan>,
        server_spans: &HashMap<String, SourceSpan>,
    ) {
        let any_client = [ClientTarget {
            client: ClientId::ClaudeCode,
            scope: Scope::User,
            delivery: None,
        }];
        let targets: &[ClientTarget] = if manifest.clients.is_empty() {
            &any_client
        } else {
            &manifest.clients
        };
        let mut refused: Vec<&str> = Vec::new();
        for server in manifest.servers.values() {
            let by_env_ref = targets.iter().any(|t| {
                (manifest.clients.is_empty() || server.clients.contains(&t.client))
                    && manifest.delivery(server, t) == Delivery::EnvRef
            });
            if !by_env_ref {
                continue;
            }
            for name in server.credentials_read() {
                let Some(reason) = crate::shell::exportable::refusal(name) else {
                    continue;
                };
                let Some(&span) = credential_spans.get(name) else {
                    continue;
                };
                if refused.contains(&name) {
                    continue;
                }
                refused.push(name);
                let mut problem = Problem::new(
                    K::InvalidName,
                    format!(
                        "credential {} cannot be exported into your shell: `{name}` {reason}",
                        show(name)
                    ),
                    span,
                    "exported under this name by env-ref delivery",
                )
                .help(format!(
                    "with env-ref delivery `mcpctl env` exports each credential under its own name at every shell start; \
                     rename the credential (e.g. `credential MCP_{name}`) and bind it under the name the server expects \
                     (`env {name} credential=MCP_{name}`), or give the server `delivery exec`"
                ));
                if let Some(&server_span) = server_spans.get(&server.name) {
                    problem = problem.also(server_span, "takes it by env-ref");
                }
                self.push(problem);
            }
        }
    }
}

/// The manifest with defaults resolved: each credential's rotation period
/// and namespace, each server's clients (every targeted client unless it
/// names some).
fn resolve(
    top: TopLevel,
    servers: BTreeMap<String, ServerDraft>,
    roles: BTreeMap<String, Role>,
    variables: BTreeMap<String, Variable>,
) -> Manifest {
    let credentials = top
        .credentials
        .into_iter()
        .map(|(name, draft)| (name, resolve_credential(draft, &top.defaults)))
        .collect();
    let mut targeted: Vec<ClientId> = Vec::new();
    for target in &top.clients {
        if !targeted.contains(&target.client) {
            targeted.push(target.client);
        }
    }
    let servers = servers
        .into_iter()
        .map(|(name, draft)| {
            let mut server = draft.server;
            server.clients = draft.clients.unwrap_or_else(|| targeted.clone());
            (name, server)
        })
        .collect();
    Manifest {
        version: MANIFEST_VERSION,
        defaults: top.defaults,
        clients: top.clients,
        credentials,
        servers,
        audit: top.audit,
        shell_profiles: top.shell_profiles,
        roles,
        variables,
        policy: top.policy,
    }
}

/// Help for a node written at the top level that belongs inside a block.
fn misplaced(name: &str) -> Option<String> {
    let in_server = names(ServerBody::CHILDREN).any(|n| n == name);
    let parent = if in_server && name != "credential" {
        "server NAME"
    } else if names(CREDENTIAL).any(|n| n == name) {
        "credential NAME"
    } else {
        return None;
    };
    Some(format!("`{name}` goes inside a `{parent} {{ … }}` block"))
}

#[cfg(test)]
mod tests {
    use super::{TOP_LEVEL, TOP_LEVEL_HOLDS, names};

    #[test]
    fn the_top_level_help_names_every_top_level_node() {
        let mut listed: Vec<&str> = TOP_LEVEL_HOLDS.split('`').skip(1).step_by(2).collect();
        let mut table: Vec<&str> = names(TOP_LEVEL).collect();
        listed.sort_unstable();
        table.sort_unstable();
        assert_eq!(listed, table);
    }
}
