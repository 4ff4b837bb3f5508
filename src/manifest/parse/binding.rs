//! What a server is given: `env VAR "value"`, `env VAR credential=NAME`,
//! `header NAME …` and `credential NAME`, each credential checked against
//! the declared ones.

use kdl::{KdlEntry, KdlNode};
use miette::SourceSpan;

use super::block::Verb;
use super::server::{ServerBody, ServerContext};
use super::shape::{head_span, positional};
use super::words::{capitalize, did_you_mean, is_env_name, is_header_name, show};
use super::{Checker, K, Problem};
use crate::manifest::{CredentialHeader, EnvValue};
use crate::secret_patterns;

impl Checker {
    /// `credential A B…`: each credential in the variable of its name.
    pub(super) fn server_credential(&mut self, node: &KdlNode, body: &mut ServerBody<'_>) {
        self.no_children(node);
        self.properties(node, &[]);
        let entries = positional(node);
        if entries.is_empty() {
            self.push(
                Problem::new(
                    K::Arguments,
                    "`credential` names no credential",
                    node.name().span(),
                    "no credential",
                )
                .help("write `credential GITHUB_TOKEN`: the server gets environment variable GITHUB_TOKEN from credential GITHUB_TOKEN"),
            );
        }
        for entry in entries {
            let Some(cred) = self.string(entry) else {
                continue;
            };
            if self.credential_ref(entry, cred, body.cx) {
                let value = EnvValue::Credential {
                    credential: cred.to_owned(),
                };
                self.bind_env(body, cred, entry.span(), value);
            }
        }
    }

    /// `env VAR "value"` / `env VAR credential=NAME`.
    pub(super) fn server_env(&mut self, node: &KdlNode, body: &mut ServerBody<'_>) {
        let Some((var, var_span, value)) = self.binding(node, body.cx, Binding::Env) else {
            return;
        };
        let value = match value {
            Bound::Literal(value) => EnvValue::Literal { value },
            Bound::Credential(credential) => EnvValue::Credential { credential },
        };
        self.bind_env(body, &var, var_span, value);
    }

    /// `header NAME "value"` / `header NAME credential=NAME scheme=…`.
    pub(super) fn server_header(&mut self, node: &KdlNode, body: &mut ServerBody<'_>) {
        body.header_nodes.push(head_span(node));
        let Some((header, span, value)) = self.binding(node, body.cx, Binding::Header) else {
            return;
        };
        let key = header.to_ascii_lowercase();
        if let Some(&first) = body.header_spans.get(&key) {
            self.twice(
                format!("header {} is set twice", show(&header)),
                Verb::Set,
                span,
                Some(first),
                "header names are case-insensitive; keep one",
            );
            return;
        }
        body.header_spans.insert(key, span);
        match value {
            Bound::Literal(value) => {
                if let Some(scheme) = node.entry("scheme") {
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
                body.headers.insert(header, value);
            }
            Bound::Credential(credential) => {
                let scheme = self.header_scheme(node);
                body.credential_headers
                    .insert(header, CredentialHeader { credential, scheme });
            }
        }
    }

    /// `env VAR "value"` / `env VAR credential=NAME`, and the same for
    /// `header`.
    pub(super) fn binding(
        &mut self,
        node: &KdlNode,
        cx: &ServerContext<'_>,
        what: Binding,
    ) -> Option<(String, SourceSpan, Bound)> {
        let keyword = what.keyword();
        self.no_children(node);
        let allowed: &[&str] = match what {
            Binding::Env => &["credential"],
            Binding::Header => &["credential", "scheme"],
        };
        let props = self.properties(node, allowed);
        let entries = positional(node);
        let usage = what.usage();
        let Some(name_entry) = entries.first() else {
            self.push(
                Problem::new(
                    K::Arguments,
                    format!("`{keyword}` names no {}", what.noun()),
                    node.name().span(),
                    format!("no {}", what.noun()),
                )
                .help(usage),
            );
            return None;
        };
        for extra in entries.iter().skip(2) {
            self.push(
                Problem::new(
                    K::Arguments,
                    format!("too many arguments to `{keyword}`"),
                    extra.span(),
                    "unexpected argument",
                )
                .help(usage),
            );
        }
        let name = self.string(name_entry)?.to_owned();
        let name_ok = match what {
            Binding::Env => is_env_name(&name),
            Binding::Header => is_header_name(&name),
        };
        if !name_ok {
            self.push(
                Problem::new(
                    K::InvalidName,
                    format!("{} is not a valid {}", show(&name), what.noun()),
                    name_entry.span(),
                    format!("invalid {}", what.noun()),
                )
                .help(match what {
                    Binding::Env => "an environment variable name is letters, digits and `_`, not starting with a digit",
                    Binding::Header => "a header name is letters, digits and `-` (e.g. `X-Team`)",
                }),
            );
        }
        let literal = entries.get(1);
        let credential = props.get("credential");
        let value = match (literal, credential) {
            (Some(literal), None) => Bound::Literal(self.string(literal)?.to_owned()),
            (None, Some(entry)) => {
                let cred = self.string(entry)?;
                if !self.credential_ref(entry, cred, cx) {
                    return None;
                }
                Bound::Credential(cred.to_owned())
            }
            (Some(literal), Some(entry)) => {
                self.push(
                    Problem::new(
                        K::Arguments,
                        format!("`{keyword}` has both a value and a credential"),
                        literal.span(),
                        "a value",
                    )
                    .also(entry.span(), "a credential")
                    .help(usage),
                );
                return None;
            }
            (None, None) => {
                // A misspelt `credential=` was reported already.
                let misspelt = node
                    .entries()
                    .iter()
                    .any(|e| e.name().is_some_and(|n| !allowed.contains(&n.value())));
                if misspelt {
                    return None;
                }
                self.push(
                    Problem::new(
                        K::Arguments,
                        format!("`{keyword}` gives no value"),
                        head_span(node),
                        "no value",
                    )
                    .help(usage),
                );
                return None;
            }
        };
        name_ok.then_some((name, name_entry.span(), value))
    }

    /// Sets `var` in the server's environment, unless it is set already.
    fn bind_env(
        &mut self,
        body: &mut ServerBody<'_>,
        var: &str,
        span: SourceSpan,
        value: EnvValue,
    ) {
        if let Some(&first) = body.env_spans.get(var) {
            self.twice(
                format!(
                    "environment variable {} is set twice in {}",
                    show(var),
                    body.who
                ),
                Verb::SetDefined,
                span,
                Some(first),
                "`credential NAME` sets the variable NAME; bind a credential to another variable with `env VAR credential=NAME`",
            );
            return;
        }
        body.env_spans.insert(var.to_owned(), span);
        body.env.insert(var.to_owned(), value);
    }

    /// Whether `name` is a declared credential; reports it if not.
    pub(super) fn credential_ref(
        &mut self,
        entry: &KdlEntry,
        name: &str,
        cx: &ServerContext<'_>,
    ) -> bool {
        if cx.credentials.contains_key(name) {
            return true;
        }
        let declare = format!(
            "declare it at the top level: `credential {} {{ kind … }}`",
            if is_env_name(name) && secret_patterns::detect(name).is_none() {
                name
            } else {
                "NAME"
            }
        );
        let help = did_you_mean(name, cx.credentials.keys().map(String::as_str))
            .map(|s| format!("did you mean `{s}`? Or {declare}"))
            .unwrap_or_else(|| capitalize(&declare));
        self.push(
            Problem::new(
                K::UnknownCredential,
                format!("unknown credential {}", show(name)),
                entry.span(),
                "not declared",
            )
            .help(help),
        );
        false
    }
}

#[derive(Debug, Clone, Copy)]
pub(super) enum Binding {
    Env,
    Header,
}

impl Binding {
    pub(super) fn keyword(self) -> &'static str {
        match self {
            Binding::Env => "env",
            Binding::Header => "header",
        }
    }
    pub(super) fn noun(self) -> &'static str {
        match self {
            Binding::Env => "environment variable name",
            Binding::Header => "header name",
        }
    }
    pub(super) fn usage(self) -> &'static str {
        match self {
            Binding::Env => {
                "write `env VAR \"value\"` for a non-secret value or `env VAR credential=NAME` for a secret"
            }
            Binding::Header => {
                "write `header NAME \"value\"` for a non-secret value or `header NAME credential=NAME` (optionally `scheme=Bearer`) for a secret"
            }
        }
    }
}

pub(super) enum Bound {
    Literal(String),
    Credential(String),
}
