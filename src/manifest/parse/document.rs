//! The top level of the document: what each node there declares, the
//! servers once every credential is known, and the resolution of defaults
//! (rotation periods, client lists) into the [`Manifest`].

use std::collections::{BTreeMap, HashMap};

use kdl::KdlDocument;
use miette::SourceSpan;

use super::credential::{CredentialDraft, resolve_credential};
use super::server::{ServerContext, ServerDraft};
use super::version::Version;
use super::words::{did_you_mean, show};
use super::{CREDENTIAL_CHILDREN, Checker, K, Problem, SERVER_CHILDREN, TOP_LEVEL, head_span};
use crate::manifest::model::*;

impl Checker {
    pub(super) fn document(&mut self, doc: &KdlDocument) -> Option<Manifest> {
        self.sweep(doc);

        let nodes = doc.nodes();
        let version_ok = self.version(nodes);
        if version_ok == Version::Unsupported {
            return None;
        }

        let mut defaults = Defaults::default();
        let mut defaults_node: Option<SourceSpan> = None;
        let mut audit = AuditPolicy::default();
        let mut audit_node: Option<SourceSpan> = None;
        let mut clients: Vec<ClientTarget> = Vec::new();
        let mut client_spans: HashMap<(ClientId, Scope), SourceSpan> = HashMap::new();
        let mut shell_profiles: Vec<Shell> = Vec::new();
        let mut shell_span: Option<SourceSpan> = None;
        let mut credentials: BTreeMap<String, CredentialDraft> = BTreeMap::new();
        let mut credential_spans: HashMap<String, SourceSpan> = HashMap::new();
        let mut server_nodes = Vec::new();
        let mut role_nodes = Vec::new();
        let mut policy = None;
        let mut policy_node: Option<SourceSpan> = None;
        let mut variable_nodes = Vec::new();
        let mut first_version: Option<SourceSpan> = None;

        for node in nodes {
            let name = node.name().value();
            match name {
                "mcpctl" => {
                    let span = head_span(node);
                    match first_version {
                        None => first_version = Some(span),
                        Some(first) => self.push(
                            Problem::new(
                                K::Duplicate,
                                "`mcpctl` is given twice",
                                span,
                                "given again here",
                            )
                            .also(first, "first given here")
                            .help("keep one `mcpctl version=1` line, at the top"),
                        ),
                    }
                }
                "defaults" => {
                    let span = head_span(node);
                    if let Some(first) = defaults_node {
                        self.push(
                            Problem::new(
                                K::Duplicate,
                                "`defaults` is given twice",
                                span,
                                "given again here",
                            )
                            .also(first, "first given here")
                            .help("merge them into one `defaults { … }` block"),
                        );
                    } else {
                        defaults_node = Some(span);
                        defaults = self.defaults(node);
                    }
                }
                "client" => {
                    if let Some((target, span)) = self.client(node) {
                        if let Some(first) = client_spans.get(&(target.client, target.scope)) {
                            self.push(
                                Problem::new(
                                    K::Duplicate,
                                    format!(
                                        "client `{}` in scope `{}` is targeted twice",
                                        target.client, target.scope
                                    ),
                                    span,
                                    "targeted again here",
                                )
                                .also(*first, "first targeted here")
                                .help("remove one of them"),
                            );
                        } else {
                            client_spans.insert((target.client, target.scope), span);
                            clients.push(target);
                        }
                    }
                }
                "credential" => {
                    if let Some((draft, span)) = self.credential(node) {
                        let key = draft.credential.name.clone();
                        if let Some(first) = credential_spans.get(&key) {
                            self.push(
                                Problem::new(
                                    K::Duplicate,
                                    format!("credential {} is declared twice", show(&key)),
                                    span,
                                    "declared again here",
                                )
                                .also(*first, "first declared here")
                                .help("a credential is declared once and may be used by many servers; remove one declaration"),
                            );
                        } else {
                            credential_spans.insert(key.clone(), span);
                            credentials.insert(key, draft);
                        }
                    }
                }
                "server" => server_nodes.push(node),
                "role" => role_nodes.push(node),
                "variable" => variable_nodes.push(node),
                "policy" => {
                    let help = "merge them into one `policy { … }` block";
                    if self.first_of_kind(node, "policy", &mut policy_node, help) {
                        policy = self.policy(node);
                    }
                }
                "audit" => {
                    let help = "merge them into one `audit { … }` block";
                    if self.first_of_kind(node, "audit", &mut audit_node, help) {
                        audit = self.audit(node);
                    }
                }
                "shell-profile" => {
                    let help = "list every shell on one line: `shell-profile zsh fish`";
                    if self.first_of_kind(node, "shell-profile", &mut shell_span, help) {
                        shell_profiles = self.shell_profile(node);
                    }
                }
                other => {
                    let help = misplaced(other).or_else(|| {
                        did_you_mean(other, TOP_LEVEL.iter().copied()).map(|s| {
                            format!("did you mean `{s}`? The top level holds `mcpctl`, `defaults`, `client`, `credential`, `server`, `role`, `variable`, `policy`, `audit` and `shell-profile`")
                        })
                    });
                    self.push(
                        Problem::new(
                            K::UnknownNode,
                            format!("unknown node {} at the top level", show(other)),
                            node.name().span(),
                            "unknown node",
                        )
                        .help(help.unwrap_or_else(|| {
                            "the top level holds `mcpctl`, `defaults`, `client`, `credential`, `server`, `role`, `variable`, `policy`, `audit` and `shell-profile`".into()
                        })),
                    );
                }
            }
        }

        let context = ServerContext {
            defaults: &defaults,
            clients: &clients,
            credentials: &credentials,
        };
        let mut servers: BTreeMap<String, ServerDraft> = BTreeMap::new();
        let mut server_spans: HashMap<String, SourceSpan> = HashMap::new();
        for node in &server_nodes {
            if let Some((draft, span)) = self.server(node, &context) {
                let key = draft.server.name.clone();
                if let Some(first) = server_spans.get(&key) {
                    self.push(
                        Problem::new(
                            K::Duplicate,
                            format!("server {} is declared twice", show(&key)),
                            span,
                            "declared again here",
                        )
                        .also(*first, "first declared here")
                        .help("server names are keys in every client's file; rename or remove one"),
                    );
                } else {
                    server_spans.insert(key.clone(), span);
                    servers.insert(key, draft);
                }
            }
        }

        let variables = self.variables(&variable_nodes);
        self.variable_uses(&server_nodes, &variables);
        let roles = self.roles(&role_nodes, &server_spans);

        // Resolution.
        let credentials = credentials
            .into_iter()
            .map(|(name, draft)| (name, resolve_credential(draft, &defaults)))
            .collect();
        let mut targeted: Vec<ClientId> = Vec::new();
        for target in &clients {
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

        let manifest = Manifest {
            version: MANIFEST_VERSION,
            defaults,
            clients,
            credentials,
            servers,
            audit,
            shell_profiles,
            roles,
            variables,
            policy,
        };
        if let Some(policy) = &manifest.policy {
            self.check_policy(doc, &manifest, policy);
        }
        self.exported_names(&manifest, &credential_spans, &server_spans);
        Some(manifest)
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
            let headers = match &server.transport {
                Transport::Http {
                    credential_headers, ..
                } => credential_headers
                    .values()
                    .map(|h| h.credential.as_str())
                    .collect(),
                Transport::Stdio { .. } => Vec::new(),
            };
            let exported = server.credential_bindings().map(|(_, c)| c).chain(headers);
            for name in exported {
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

/// Help for a node written at the top level that belongs inside a block.
pub(super) fn misplaced(name: &str) -> Option<String> {
    let parent = if SERVER_CHILDREN.contains(&name) && name != "credential" {
        "server NAME"
    } else if CREDENTIAL_CHILDREN.contains(&name) {
        "credential NAME"
    } else {
        return None;
    };
    Some(format!("`{name}` goes inside a `{parent} {{ … }}` block"))
}
