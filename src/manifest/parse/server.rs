//! `server NAME { … }`: how a server is reached (`command` or `url`), what
//! it is given (`credential`, `env`, `header`) and by which clients.

use std::collections::{BTreeMap, HashMap};

use kdl::{KdlEntry, KdlNode};
use miette::SourceSpan;

use super::binding::{Binding, Bound};
use super::children::Seen;
use super::credential::CredentialDraft;
use super::shape::{Shape, children, head_span, positional};
use super::words::{is_server_name, show};
use super::{Checker, K, Problem, SERVER_CHILDREN};
use crate::manifest::model::*;

/// A server as written, before its client list is resolved.
pub(super) struct ServerDraft {
    pub(super) server: Server,
    pub(super) clients: Option<Vec<ClientId>>,
}

impl Checker {
    pub(super) fn server(
        &mut self,
        node: &KdlNode,
        cx: &ServerContext<'_>,
    ) -> Option<(ServerDraft, SourceSpan)> {
        self.properties(node, &[]);
        let name_entry = self.single(node, Shape::SERVER);
        let name = name_entry.and_then(|e| self.string(e)).map(str::to_owned);
        let name_span = name_entry.map_or(node.name().span(), KdlEntry::span);
        let who = match &name {
            Some(name) => format!("server {}", show(name)),
            None => "this server".to_owned(),
        };
        let mut valid = name.is_some();
        if let Some(name) = name.as_deref().filter(|n| !is_server_name(n)) {
            valid = false;
            self.push(
                Problem::new(
                    K::InvalidName,
                    format!("{} is not a valid server name", show(name)),
                    name_span,
                    "invalid server name",
                )
                .help("a server name becomes a key in every client's file and a command-line argument: letters, digits, `-` and `_`, starting with a letter or digit"),
            );
        }

        let mut description = None;
        let mut command: Option<(Vec<String>, SourceSpan)> = None;
        let mut url: Option<(String, SourceSpan)> = None;
        let mut env: BTreeMap<String, EnvValue> = BTreeMap::new();
        let mut env_spans: HashMap<String, SourceSpan> = HashMap::new();
        let mut headers: BTreeMap<String, String> = BTreeMap::new();
        let mut header_spans: HashMap<String, SourceSpan> = HashMap::new();
        let mut credential_headers: BTreeMap<String, CredentialHeader> = BTreeMap::new();
        let mut credential_header_spans: Vec<SourceSpan> = Vec::new();
        let mut header_nodes: Vec<SourceSpan> = Vec::new();
        let mut clients = None;
        let mut delivery = None;
        let mut classification = None;
        let mut external = false;
        let mut seen = Seen::default();

        for child in children(node) {
            let child_name = child.name().value();
            if !matches!(child_name, "credential" | "env" | "header")
                && !self.once(&mut seen, child, "server")
            {
                continue;
            }
            match child_name {
                "description" => description = self.text(child),
                "command" => {
                    if let Some(argv) = self.command(child) {
                        command = Some((argv, head_span(child)));
                    } else {
                        // Still a local server, for the transport check.
                        command = Some((Vec::new(), head_span(child)));
                    }
                }
                "url" => url = Some((self.url(child).unwrap_or_default(), head_span(child))),
                "credential" => {
                    self.no_children(child);
                    self.properties(child, &[]);
                    let entries = positional(child);
                    if entries.is_empty() {
                        self.push(
                            Problem::new(
                                K::Arguments,
                                "`credential` names no credential",
                                child.name().span(),
                                "no credential",
                            )
                            .help("write `credential GITHUB_TOKEN`: the server gets environment variable GITHUB_TOKEN from credential GITHUB_TOKEN"),
                        );
                    }
                    for entry in entries {
                        let Some(cred) = self.string(entry) else {
                            continue;
                        };
                        if self.credential_ref(entry, cred, cx) {
                            self.bind_env(
                                &mut env,
                                &mut env_spans,
                                cred,
                                entry.span(),
                                EnvValue::Credential {
                                    credential: cred.to_owned(),
                                },
                                &who,
                            );
                        }
                    }
                }
                "env" => {
                    if let Some((var, var_span, value)) = self.binding(child, cx, Binding::Env) {
                        let value = match value {
                            Bound::Literal(value) => EnvValue::Literal { value },
                            Bound::Credential(credential) => EnvValue::Credential { credential },
                        };
                        self.bind_env(&mut env, &mut env_spans, &var, var_span, value, &who);
                    }
                }
                "header" => {
                    header_nodes.push(head_span(child));
                    if let Some((header, span, value)) = self.binding(child, cx, Binding::Header) {
                        let key = header.to_ascii_lowercase();
                        if let Some(first) = header_spans.get(&key) {
                            self.push(
                                Problem::new(
                                    K::Duplicate,
                                    format!("header {} is set twice", show(&header)),
                                    span,
                                    "set again here",
                                )
                                .also(*first, "first set here")
                                .help("header names are case-insensitive; keep one"),
                            );
                            continue;
                        }
                        header_spans.insert(key, span);
                        match value {
                            Bound::Literal(value) => {
                                if let Some(scheme) = child.entry("scheme") {
                                    self.push(
                                        Problem::new(
                                            K::Arguments,
                                            "`scheme` applies only to a header from a credential",
                                            scheme.span(),
                                            "scheme on a literal header",
                                        )
                                        .help("write the whole value, e.g. `header Authorization \"Basic …\"`, or use `credential=NAME scheme=Bearer`"),
                                    );
                                }
                                headers.insert(header, value);
                            }
                            Bound::Credential(credential) => {
                                credential_header_spans.push(head_span(child));
                                let scheme = self.header_scheme(child);
                                credential_headers
                                    .insert(header, CredentialHeader { credential, scheme });
                            }
                        }
                    }
                }
                "clients" => clients = self.server_clients(child, cx),
                "delivery" => delivery = self.delivery(child),
                "classification" => classification = self.classification(child),
                "external" => external = self.flag(child).unwrap_or(false),
                other => self.unknown_child(child, other, "server", SERVER_CHILDREN),
            }
        }

        // A secret header reaches a remote server only through the
        // client's own reference syntax: some client must use env-ref.
        let env_ref_somewhere = match delivery {
            Some(delivery) => delivery == Delivery::EnvRef,
            None => {
                cx.defaults.delivery == Delivery::EnvRef
                    || cx
                        .clients
                        .iter()
                        .any(|t| t.delivery == Some(Delivery::EnvRef))
            }
        };
        if !env_ref_somewhere {
            for span in credential_header_spans {
                self.push(
                    Problem::new(
                        K::Transport,
                        "a remote server's credential header needs delivery env-ref",
                        span,
                        "header from a credential",
                    )
                    .help("with `exec` delivery mcpctl starts local servers only, so it cannot hand a secret to a remote one; add `delivery env-ref` to this server (clients then send the header from an exported variable, see `mcpctl env`)"),
                );
            }
        }

        let transport = match (command, url) {
            (Some((argv, span)), None) => {
                for header in header_nodes {
                    self.push(
                        Problem::new(
                            K::Transport,
                            "`header` applies only to a remote server (`url`)",
                            header,
                            "header on a local server",
                        )
                        .also(span, "this server runs a local command"),
                    );
                }
                let mut argv = argv.into_iter();
                Some(Transport::Stdio {
                    command: argv.next().unwrap_or_default(),
                    args: argv.collect(),
                })
            }
            (None, Some((url, _))) => Some(Transport::Http {
                url,
                headers,
                credential_headers,
            }),
            (None, None) => {
                // A misspelt `credential=` was reported already.
                let misspelt = node
                    .entries()
                    .iter()
                    .any(|e| e.name().is_some_and(|n| n.value() != "credential"));
                if misspelt {
                    return None;
                }
                self.push(
                    Problem::new(
                        K::Transport,
                        format!("{who} has neither `command` nor `url`"),
                        name_span,
                        "no way to reach this server",
                    )
                    .help("a local server needs `command PROGRAM ARGS…` (e.g. `command npx -y \"@scope/package\"`); a remote one needs `url \"https://…\"`"),
                );
                None
            }
            (Some((_, command)), Some((_, url))) => {
                self.push(
                    Problem::new(
                        K::Transport,
                        format!("{who} has both `command` and `url`"),
                        url,
                        "remote",
                    )
                    .also(command, "local")
                    .help("a server is either local (`command`) or remote (`url`); keep one, or declare two servers"),
                );
                None
            }
        };

        let server = Server {
            name: name.unwrap_or_default(),
            description,
            transport: transport?,
            env,
            clients: Vec::new(),
            delivery,
            classification,
            external,
        };
        valid.then_some((ServerDraft { server, clients }, name_span))
    }

    /// `scheme=Bearer` on a credential header: one word, written before
    /// the secret with a space.
    pub(super) fn header_scheme(&mut self, node: &KdlNode) -> Option<String> {
        let entry = node.entry("scheme")?;
        let scheme = self.string(entry)?;
        if scheme.is_empty()
            || !scheme
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-')
        {
            self.push(
                Problem::new(
                    K::Arguments,
                    format!("{} is not an authentication scheme", show(scheme)),
                    entry.span(),
                    "not a scheme",
                )
                .help("a scheme is one word such as `Bearer` or `Token`; the header is sent as `<scheme> <secret>`"),
            );
            return None;
        }
        Some(scheme.to_owned())
    }

    pub(super) fn command(&mut self, node: &KdlNode) -> Option<Vec<String>> {
        self.no_children(node);
        self.properties(node, &[]);
        let entries = positional(node);
        if entries.is_empty() {
            self.push(
                Problem::new(
                    K::Arguments,
                    "`command` names no program",
                    node.name().span(),
                    "no program",
                )
                .help("write the program, then its arguments: `command npx -y \"@modelcontextprotocol/server-github\"`"),
            );
            return None;
        }
        let mut argv = Vec::new();
        let mut ok = true;
        for entry in &entries {
            match self.string(entry) {
                Some(arg) => argv.push(arg.to_owned()),
                None => ok = false,
            }
        }
        if argv.first().is_some_and(|p| p.trim().is_empty()) {
            self.push(
                Problem::new(
                    K::Arguments,
                    "`command` names an empty program",
                    entries[0].span(),
                    "empty",
                )
                .help("write the program to run, e.g. `npx`"),
            );
            ok = false;
        }
        ok.then_some(argv)
    }
}

/// What the top level declared, which a server's body refers to.
pub(super) struct ServerContext<'a> {
    pub(super) defaults: &'a Defaults,
    pub(super) clients: &'a [ClientTarget],
    pub(super) credentials: &'a BTreeMap<String, CredentialDraft>,
}
