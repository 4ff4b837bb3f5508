//! `credential NAME { … }`: what a credential is (kind, provider, scopes),
//! where its value is read (`source`) and when it is rotated.

use std::collections::HashMap;

use kdl::{KdlEntry, KdlNode};
use miette::SourceSpan;

use super::children::Seen;
use super::rotation;
use super::shape::{Shape, children, positional};
use super::words::{is_env_name, show};
use super::{CREDENTIAL_CHILDREN, Checker, K, Problem, SOURCES};
use crate::manifest::model::*;

/// A credential as written, before its period is resolved.
pub(super) struct CredentialDraft {
    pub(super) credential: Credential,
    pub(super) own_period: Option<Period>,
}

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
        let mut credential = Credential {
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
        let mut own_period = None;
        let mut namespace_span = None;
        let mut seen = Seen::default();
        for child in children(node) {
            let child_name = child.name().value();
            if !self.once(&mut seen, child, "credential") {
                continue;
            }
            match child_name {
                "kind" => {
                    if let Some(kind) = self.kind(child) {
                        credential.kind = kind;
                    }
                }
                "provider" => credential.provider = self.provider(child),
                "scopes" => credential.scopes = self.scopes(child),
                "rotate-every" => own_period = self.period(child),
                "create-at" => credential.create_at = self.url(child),
                "description" => credential.description = self.text(child),
                "source" => {
                    if let Some(source) = self.source(child) {
                        credential.source = source;
                    }
                }
                "namespace" => {
                    credential.namespace = self.namespace(child);
                    namespace_span = Some(child.name().span());
                }
                "classification" => credential.classification = self.classification(child),
                other => self.unknown_child(child, other, "credential", CREDENTIAL_CHILDREN),
            }
        }
        if let (Some(span), false) = (namespace_span, credential.source.is_store()) {
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
        valid.then_some((
            CredentialDraft {
                credential,
                own_period,
            },
            span,
        ))
    }

    /// `source store` | `source env [var=NAME]` | `source command PROGRAM
    /// ARGS… [timeout="30s"]`.
    pub(super) fn source(&mut self, node: &KdlNode) -> Option<Source> {
        self.no_children(node);
        let entries = positional(node);
        let Some(first) = entries.first() else {
            self.push(
                Problem::new(
                    K::Arguments,
                    "`source` names no source",
                    node.name().span(),
                    "a source expected",
                )
                .help(SOURCE_HELP),
            );
            return None;
        };
        let kind = self.string(first)?;
        match kind {
            "store" | "env" => {
                let props = self.properties(node, if kind == "env" { &["var"] } else { &[] });
                for extra in entries.iter().skip(1) {
                    self.push(
                        Problem::new(
                            K::Arguments,
                            format!("`source {kind}` takes no further arguments"),
                            extra.span(),
                            "unexpected argument",
                        )
                        .help(SOURCE_HELP),
                    );
                }
                if kind == "store" {
                    return Some(Source::Store);
                }
                let var = match props.get("var") {
                    None => String::new(), // filled with the credential's name
                    Some(entry) => {
                        let var = self.string(entry)?;
                        if !is_env_name(var) {
                            self.push(
                                Problem::new(
                                    K::InvalidName,
                                    format!("{} is not an environment variable name", show(var)),
                                    entry.span(),
                                    "not a variable name",
                                )
                                .help("letters, digits and `_`, not starting with a digit, e.g. `var=CI_GITHUB_TOKEN`"),
                            );
                            return None;
                        }
                        var.to_owned()
                    }
                };
                Some(Source::Env { var })
            }
            "command" => {
                let props = self.properties(node, &["timeout"]);
                let mut argv = Vec::new();
                for entry in entries.iter().skip(1) {
                    argv.push(self.string(entry)?.to_owned());
                }
                if argv.first().is_none_or(|p| p.trim().is_empty()) {
                    self.push(
                        Problem::new(
                            K::Arguments,
                            "`source command` names no program",
                            first.span(),
                            "a program expected after `command`",
                        )
                        .help(SOURCE_HELP),
                    );
                    return None;
                }
                let timeout_secs = match props.get("timeout") {
                    None => DEFAULT_COMMAND_TIMEOUT_SECS,
                    Some(entry) => {
                        let text = self.string(entry)?;
                        match parse_timeout(text) {
                            Some(secs) => secs,
                            None => {
                                self.push(
                                    Problem::new(
                                        K::Duration,
                                        format!("{} is not a timeout", show(text)),
                                        entry.span(),
                                        "not a timeout",
                                    )
                                    .help("write seconds or minutes, e.g. `timeout=\"10s\"` or `timeout=\"2m\"` (at most 10m)"),
                                );
                                return None;
                            }
                        }
                    }
                };
                Some(Source::Command { argv, timeout_secs })
            }
            other => {
                self.unknown_name(
                    K::Arguments,
                    "source",
                    "unknown source",
                    other,
                    first.span(),
                    SOURCES.iter().copied(),
                    SOURCE_HELP,
                );
                None
            }
        }
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
            if let Some(first) = spans.get(scope) {
                self.push(
                    Problem::new(
                        K::Duplicate,
                        format!("scope {} is listed twice", show(scope)),
                        entry.span(),
                        "listed again here",
                    )
                    .also(*first, "first listed here")
                    .help("remove one of them"),
                );
                continue;
            }
            spans.insert(scope.to_owned(), entry.span());
            scopes.push(scope.to_owned());
        }
        scopes
    }
}

pub(super) const SOURCE_HELP: &str = "write `source store` (the default), `source env` (optionally `var=NAME`) or `source command PROGRAM ARGS…` (e.g. `source command pass show \"mcp/github\"`)";

/// `"30s"` or `"2m"`, at most ten minutes: whole seconds.
pub(super) fn parse_timeout(text: &str) -> Option<u32> {
    let (digits, unit) = text.split_at(text.find(|c: char| !c.is_ascii_digit())?);
    let n: u32 = digits.parse().ok()?;
    let secs = match unit {
        "s" => n,
        "m" => n.checked_mul(60)?,
        _ => return None,
    };
    (1..=600).contains(&secs).then_some(secs)
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
