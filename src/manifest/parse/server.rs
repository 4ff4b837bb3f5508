//! `server NAME { … }`: how a server is reached (`command` or `url`), what
//! it is given (`credential`, `env`, `header`, see `binding.rs`) and by
//! which clients.

use std::collections::{BTreeMap, HashMap};

use kdl::{KdlEntry, KdlNode};
use miette::SourceSpan;

use super::block::Child;
use super::credential::CredentialDraft;
use super::shape::{Shape, head_span, positional};
use super::words::{is_server_name, show};
use super::{Checker, K, Problem};
use crate::manifest::*;

/// A server as written, before its client list is resolved.
pub(super) struct ServerDraft {
    pub(super) server: Server,
    pub(super) clients: Option<Vec<ClientId>>,
}

/// A server's block as it is read.
pub(super) struct ServerBody<'a> {
    pub(super) cx: &'a ServerContext<'a>,
    /// "server `github`", for messages.
    pub(super) who: String,
    description: Option<String>,
    command: Option<(Vec<String>, SourceSpan)>,
    url: Option<(String, SourceSpan)>,
    pub(super) env: BTreeMap<String, EnvValue>,
    pub(super) env_spans: HashMap<String, SourceSpan>,
    pub(super) headers: BTreeMap<String, String>,
    /// By lower-case name: header names are case-insensitive.
    pub(super) header_spans: HashMap<String, SourceSpan>,
    pub(super) credential_headers: BTreeMap<String, CredentialHeader>,
    /// Every `header` line, for the check that the server is remote.
    pub(super) header_nodes: Vec<SourceSpan>,
    clients: Option<Vec<ClientId>>,
    delivery: Option<Delivery>,
    classification: Option<Classification>,
    external: bool,
}

impl<'a> ServerBody<'a> {
    /// The children of `server NAME { … }`.
    pub(super) const CHILDREN: &'a [Child<Self>] = &[
        Child::once("description", |c, node, body| {
            body.description = c.text(node);
        }),
        Child::once("command", |c, node, body| {
            // Without a program still a local server, for the transport check.
            body.command = Some((c.command(node).unwrap_or_default(), head_span(node)));
        }),
        Child::once("url", |c, node, body| {
            body.url = Some((c.url(node).unwrap_or_default(), head_span(node)));
        }),
        Child::many("credential", Checker::server_credential),
        Child::many("env", Checker::server_env),
        Child::many("header", Checker::server_header),
        Child::once("clients", |c, node, body| {
            body.clients = c.server_clients(node, body.cx);
        }),
        Child::once("delivery", |c, node, body| body.delivery = c.delivery(node)),
        Child::once("classification", |c, node, body| {
            body.classification = c.classification(node);
        }),
        Child::once("external", |c, node, body| {
            body.external = c.flag(node).unwrap_or(false);
        }),
    ];

    fn new(cx: &'a ServerContext<'a>, who: String) -> Self {
        ServerBody {
            cx,
            who,
            description: None,
            command: None,
            url: None,
            env: BTreeMap::new(),
            env_spans: HashMap::new(),
            headers: BTreeMap::new(),
            header_spans: HashMap::new(),
            credential_headers: BTreeMap::new(),
            header_nodes: Vec::new(),
            clients: None,
            delivery: None,
            classification: None,
            external: false,
        }
    }
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

        let mut body = ServerBody::new(cx, who);
        self.read_children(node, "server", ServerBody::CHILDREN, &mut body);
        let transport = self.transport(node, &mut body, name_span);

        let server = Server {
            name: name.unwrap_or_default(),
            description: body.description,
            transport: transport?,
            env: body.env,
            clients: Vec::new(),
            delivery: body.delivery,
            classification: body.classification,
            external: body.external,
        };
        let clients = body.clients;
        valid.then_some((ServerDraft { server, clients }, name_span))
    }

    /// Local (`command`) or remote (`url`): exactly one of them.
    fn transport(
        &mut self,
        node: &KdlNode,
        body: &mut ServerBody<'_>,
        name_span: SourceSpan,
    ) -> Option<Transport> {
        let who = &body.who;
        match (body.command.take(), body.url.take()) {
            (Some((argv, span)), None) => {
                for &header in &body.header_nodes {
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
            (None, Some((url, span))) => {
                self.secret_over_plain_http(&url, span, body);
                Some(Transport::Http {
                    url,
                    headers: std::mem::take(&mut body.headers),
                    credential_headers: std::mem::take(&mut body.credential_headers),
                })
            }
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
        }
    }

    /// A credential header goes over https, or plain http only to this
    /// machine: whoever sends it (the bridge or the client), the network
    /// would carry the secret in the clear.
    fn secret_over_plain_http(&mut self, url: &str, span: SourceSpan, body: &ServerBody<'_>) {
        let plain = url
            .get(..7)
            .is_some_and(|s| s.eq_ignore_ascii_case("http://"));
        if body.credential_headers.is_empty()
            || !plain
            || crate::http::check_secret_url(url).is_ok()
        {
            return;
        }
        self.push(
            Problem::new(
                K::Url,
                format!("{} sends a credential over plain http", body.who),
                span,
                "http:// to another machine",
            )
            .help("use the server's https:// URL; plain http carries a credential only to this machine (localhost)"),
        );
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
    pub(super) clients: &'a [ClientTarget],
    pub(super) credentials: &'a BTreeMap<String, CredentialDraft>,
}
