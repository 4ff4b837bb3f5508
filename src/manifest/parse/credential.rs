//! `credential NAME { … }`: what a credential is (kind, provider, scopes),
//! where its value is read (`source`, see `source.rs`) and when it is
//! rotated.

use std::collections::HashMap;

use kdl::{KdlEntry, KdlNode};
use miette::SourceSpan;

use super::block::{Child, Verb};
use super::rotation;
use super::shape::{Shape, positional};
use super::words::{is_env_name, show};
use super::{Checker, K, Problem};
use crate::manifest::*;

/// A credential as written, before its period is resolved.
pub(super) struct CredentialDraft {
    pub(super) credential: Credential,
    pub(super) own_period: Option<Period>,
}

/// A credential's block as it is read.
pub(super) struct CredentialBody {
    draft: CredentialDraft,
    /// Where `namespace` is given, which only a stored value can have.
    namespace: Option<SourceSpan>,
}

/// The children of `credential NAME { … }`.
pub(super) const CREDENTIAL: &[Child<CredentialBody>] = &[
    Child::once("kind", |c, node, body| {
        if let Some(kind) = c.kind(node) {
            body.draft.credential.kind = kind;
        }
    }),
    Child::once("provider", |c, node, body| {
        body.draft.credential.provider = c.provider(node);
    }),
    Child::once("scopes", |c, node, body| {
        body.draft.credential.scopes = c.scopes(node);
    }),
    Child::once("rotate-every", |c, node, body| {
        body.draft.own_period = c.period(node);
    }),
    Child::once("create-at", |c, node, body| {
        body.draft.credential.create_at = c.url(node);
    }),
    Child::once("description", |c, node, body| {
        body.draft.credential.description = c.text(node);
    }),
    Child::once("source", |c, node, body| {
        if let Some(source) = c.source(node) {
            body.draft.credential.source = source;
        }
    }),
    Child::once("namespace", |c, node, body| {
        body.draft.credential.namespace = c.namespace(node);
        body.namespace = Some(node.name().span());
    }),
    Child::once("classification", |c, node, body| {
        body.draft.credential.classification = c.classification(node);
    }),
];

impl Checker {
    pub(super) fn credential(&mut self, node: &KdlNode) -> Option<(CredentialDraft, SourceSpan)> {
        self.properties(node, &[]);
        let name_entry = self.single(node, Shape::CREDENTIAL);
        let name = name_entry.and_then(|e| self.string(e)).map(str::to_owned);
        let span = name_entry.map_or(node.name().span(), KdlEntry::span);
        let mut valid = name.is_some();
        if let Some(name) = name.as_deref().filter(|n| !is_env_name(n)) {
            valid = false;
            self.push(
                Problem::new(
                    K::InvalidName,
                    format!("{} is not a valid credential name", show(name)),
                    span,
                    "not an environment variable name",
                )
                .help("a credential's name is also the environment variable it fills by default: letters, digits and `_`, not starting with a digit (e.g. `GITHUB_TOKEN`)"),
            );
        }
        let credential = Credential {
            name: name.unwrap_or_default(),
            kind: CredentialKind::Other,
            provider: None,
            scopes: Vec::new(),
            rotate_every: None,
            rotate_every_source: None,
            create_at: None,
            description: None,
            source: Source::Store,
            namespace: None,
            classification: None,
        };
        let mut body = CredentialBody {
            draft: CredentialDraft {
                credential,
                own_period: None,
            },
            namespace: None,
        };
        self.read_children(node, "credential", CREDENTIAL, &mut body);
        let credential = &body.draft.credential;
        if let (Some(span), false) = (body.namespace, credential.source.is_store()) {
            self.push(
                Problem::new(
                    K::Arguments,
                    format!(
                        "credential {} reads from {}, so a store namespace does not apply",
                        show(&credential.name),
                        credential.source.describe()
                    ),
                    span,
                    "not in the OS store",
                )
                .help("a namespace names OS store entries; remove `namespace`, or remove `source` to keep the value in the store"),
            );
        }
        valid.then_some((body.draft, span))
    }

    pub(super) fn kind(&mut self, node: &KdlNode) -> Option<CredentialKind> {
        let entry = self.single(node, Shape::KIND)?;
        let value = self.string(entry)?;
        let kind = CredentialKind::from_name(value);
        if kind.is_none() {
            let names = CredentialKind::ALL.map(CredentialKind::as_str);
            let list = "a kind is one of `personal-access-token`, `oauth-token`, `api-key`, `connection-string`, `access-key`, `password`, `file`, `other`";
            self.unknown_name(
                K::UnknownKind,
                "credential kind",
                "unknown kind",
                value,
                entry.span(),
                names,
                list,
            );
        }
        kind
    }

    pub(super) fn provider(&mut self, node: &KdlNode) -> Option<String> {
        let entry = self.single(node, Shape::PROVIDER)?;
        let value = self.string(entry)?;
        let ok = value.starts_with(|c: char| c.is_ascii_lowercase() || c.is_ascii_digit())
            && value
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
        if !ok {
            self.push(
                Problem::new(
                    K::InvalidName,
                    format!("{} is not a valid provider name", show(value)),
                    entry.span(),
                    "lower-case letters, digits and `-` only",
                )
                .help("write the provider in lower case, e.g. `github`, `slack`, `azure-devops`, so the rotation schedule recognizes it"),
            );
            return None;
        }
        Some(value.to_owned())
    }

    pub(super) fn scopes(&mut self, node: &KdlNode) -> Vec<String> {
        self.no_children(node);
        self.properties(node, &[]);
        let entries = positional(node);
        if entries.is_empty() {
            self.push(
                Problem::new(
                    K::Arguments,
                    "`scopes` lists no scopes",
                    node.name().span(),
                    "no scopes",
                )
                .help("list them, e.g. `scopes repo \"read:org\"`, or remove the line if the token needs none"),
            );
        }
        let mut scopes = Vec::new();
        let mut spans: HashMap<String, SourceSpan> = HashMap::new();
        for entry in entries {
            let Some(scope) = self.string(entry) else {
                continue;
            };
            if let Some(&first) = spans.get(scope) {
                self.twice(
                    format!("scope {} is listed twice", show(scope)),
                    Verb::Listed,
                    entry.span(),
                    Some(first),
                    "remove one of them",
                );
                continue;
            }
            spans.insert(scope.to_owned(), entry.span());
            scopes.push(scope.to_owned());
        }
        scopes
    }
}

/// The credential with its defaults resolved: rotation period, namespace
/// (store credentials only) and an `env` source's variable.
pub(super) fn resolve_credential(draft: CredentialDraft, defaults: &Defaults) -> Credential {
    let mut credential = draft.credential;
    if credential.source.is_store() && credential.namespace.is_none() {
        credential.namespace.clone_from(&defaults.namespace);
    }
    if let Source::Env { var } = &mut credential.source
        && var.is_empty()
    {
        var.clone_from(&credential.name);
    }
    let resolved = draft
        .own_period
        .map(|p| (p, PeriodSource::Credential))
        .or_else(|| {
            credential
                .provider
                .as_deref()
                .and_then(rotation::provider_default)
                .map(|p| (p, PeriodSource::Provider))
        })
        .or_else(|| rotation::kind_default(credential.kind).map(|p| (p, PeriodSource::Kind)))
        .or_else(|| defaults.rotate_every.map(|p| (p, PeriodSource::Defaults)));
    credential.rotate_every = resolved.map(|(p, _)| p);
    credential.rotate_every_source = resolved.map(|(_, s)| s);
    credential
}
