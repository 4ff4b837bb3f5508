//! Which clients get the servers: `client NAME scope=… delivery=…` at the
//! top level, and a server's `clients` narrowing them.

use std::collections::HashMap;

use kdl::{KdlEntry, KdlNode};
use miette::SourceSpan;

use super::block::Verb;
use super::server::ServerContext;
use super::shape::{Shape, head_span, positional};
use super::{Checker, K, Problem};
use crate::manifest::{ClientId, ClientTarget, Scope};

impl Checker {
    pub(super) fn client(&mut self, node: &KdlNode) -> Option<(ClientTarget, SourceSpan)> {
        self.no_children(node);
        let props = self.properties(node, &["scope", "delivery"]);
        let delivery = match props.get("delivery") {
            None => Some(None),
            Some(entry) => self.delivery_value(entry).map(Some),
        };
        let scope = match props.get("scope") {
            None => Some(Scope::User),
            Some(entry) => self.string(entry).and_then(|value| {
                let scope = Scope::from_name(value);
                if scope.is_none() {
                    let names = Scope::ALL.map(Scope::as_str);
                    let known = "a scope is `user` (the default), `local` or `project`";
                    self.unknown_name(
                        K::UnknownScope,
                        "scope",
                        "unknown scope",
                        value,
                        entry.span(),
                        names,
                        known,
                    );
                }
                scope
            }),
        };
        let client_entry = self.single(node, Shape::CLIENT);
        let client = client_entry.and_then(|entry| self.client_id(entry));
        if let (Some(client), Some(scope), Some(entry)) = (client, scope, client_entry)
            && !client.scopes().contains(&scope)
        {
            let scopes = client
                .scopes()
                .iter()
                .map(|s| format!("`{s}`"))
                .collect::<Vec<_>>()
                .join(", ");
            self.push(
                Problem::new(
                    K::UnknownScope,
                    format!("client `{client}` has no `{scope}` scope"),
                    props.get("scope").map_or(entry.span(), |e| e.span()),
                    "not a scope of this client",
                )
                .help(format!("`{client}` has {scopes}")),
            );
            return None;
        }
        Some((
            ClientTarget {
                client: client?,
                scope: scope?,
                delivery: delivery?,
            },
            head_span(node),
        ))
    }
    pub(super) fn client_id(&mut self, entry: &KdlEntry) -> Option<ClientId> {
        let value = self.string(entry)?;
        let client = ClientId::from_name(value);
        if client.is_none() {
            let names = ClientId::ALL.map(ClientId::as_str);
            // `clients claude-code, vscode`: KDL reads `claude-code,` as a name.
            let commas = if value.contains(',') {
                "separate names with spaces, not commas; "
            } else {
                ""
            };
            let known = format!(
                "{commas}mcpctl knows {}",
                ClientId::ALL.map(|c| format!("`{c}`")).join(", ")
            );
            self.unknown_name(
                K::UnknownClient,
                "client",
                "unknown client",
                value,
                entry.span(),
                names,
                &known,
            );
        }
        client
    }
    pub(super) fn server_clients(
        &mut self,
        node: &KdlNode,
        cx: &ServerContext<'_>,
    ) -> Option<Vec<ClientId>> {
        self.no_children(node);
        self.properties(node, &[]);
        let entries = positional(node);
        if entries.is_empty() {
            self.push(
                Problem::new(
                    K::Arguments,
                    "`clients` lists no clients",
                    node.name().span(),
                    "no clients",
                )
                .help("list them, e.g. `clients claude-code codex`, or remove the line to give the server to every client the manifest targets"),
            );
            return None;
        }
        if cx.clients.is_empty() {
            self.push(
                Problem::new(
                    K::NoClients,
                    "the manifest targets no clients",
                    head_span(node),
                    "no `client` is declared",
                )
                .help("add `client claude-code` (or `vscode`, `codex`) at the top level; `clients` then narrows which of them get this server"),
            );
            return None;
        }
        let mut ok = true;
        let mut list: Vec<ClientId> = Vec::new();
        let mut spans: HashMap<ClientId, SourceSpan> = HashMap::new();
        for entry in entries {
            let Some(client) = self.client_id(entry) else {
                ok = false;
                continue;
            };
            if let Some(&first) = spans.get(&client) {
                self.twice(
                    format!("client `{client}` is listed twice"),
                    Verb::Listed,
                    entry.span(),
                    Some(first),
                    "remove one of them",
                );
                continue;
            }
            if !cx.clients.iter().any(|t| t.client == client) {
                ok = false;
                self.push(
                    Problem::new(
                        K::UnknownClient,
                        format!("client `{client}` is not targeted by this manifest"),
                        entry.span(),
                        "not targeted",
                    )
                    .help(format!(
                        "add `client {client}` at the top level, or remove it here"
                    )),
                );
            }
            spans.insert(client, entry.span());
            list.push(client);
        }
        ok.then_some(list)
    }
}
