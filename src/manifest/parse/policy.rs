//! Classification and the organisation's `policy { … }` block.
//!
//! The policy is checked where the manifest is read, with the same located
//! diagnostics as every other mistake: a violation points at the offending
//! node (and at the rule it breaks), `validate` and `plan` report it, and
//! since the manifest does not load, nothing can be applied against it.
//!
//! ```kdl
//! policy {
//!     max-rotation personal-access-token "90d"   // per credential kind, repeatable
//!     require-delivery exec                      // every server, every client
//!     allowed-clients claude-code vscode         // the only clients targeted
//!     external-allowed public internal           // who may use `external #true` servers
//!     restricted-roles admin                     // who may hold restricted servers/credentials
//!     classification-rule "customer_data|financial" confidential external-lookup=#false
//!     pin-packages #true                         // npx/uvx/bunx packages carry a version
//!     allow-packages "@modelcontextprotocol/server-github"  // the only packages run
//! }
//! ```

use kdl::{KdlDocument, KdlEntry, KdlNode, KdlValue};
use miette::SourceSpan;

use super::block::Child;
use super::{Checker, K, Problem, Shape, children, head_span, positional, show};
use crate::manifest::*;

/// The children of `policy { … }`.
const POLICY: &[Child<Policy>] = &[
    Child::many("max-rotation", Checker::max_rotation),
    Child::once("require-delivery", |c, node, policy| {
        policy.require_delivery = c.delivery(node);
    }),
    Child::once("allowed-clients", |c, node, policy| {
        let mut clients = Vec::new();
        for entry in positional(node) {
            if let Some(id) = c.client_id(entry) {
                clients.push(id);
            }
        }
        c.words(node);
        policy.allowed_clients = Some(clients);
    }),
    Child::once("external-allowed", |c, node, policy| {
        let mut allowed = Vec::new();
        for entry in positional(node) {
            if let Some(class) = c.classification_value(entry) {
                allowed.push(class);
            }
        }
        c.words(node);
        policy.external_allowed = Some(allowed);
    }),
    Child::once("restricted-roles", |c, node, policy| {
        policy.restricted_roles = Some(c.words(node).into_iter().map(|(w, _)| w).collect());
    }),
    Child::many("classification-rule", Checker::classification_rule),
    Child::once("pin-packages", |c, node, policy| {
        policy.pin_packages = c.flag(node).unwrap_or(false);
    }),
    Child::once("allow-packages", |c, node, policy| {
        policy.allow_packages = Some(c.words(node).into_iter().map(|(w, _)| w).collect());
    }),
];
const CLASSIFICATIONS: &str =
    "a classification is `public`, `internal`, `confidential` or `restricted`";

impl Checker {
    /// `classification NAME` on a server or credential.
    pub(super) fn classification(&mut self, node: &KdlNode) -> Option<Classification> {
        let entry = self.single(node, Shape::ONE_WORD)?;
        self.classification_value(entry)
    }

    fn classification_value(&mut self, entry: &KdlEntry) -> Option<Classification> {
        let value = self.string(entry)?;
        let found = Classification::from_name(value);
        if found.is_none() {
            let help = super::did_you_mean(value, Classification::ALL.map(Classification::as_str))
                .map(|s| format!("did you mean `{s}`? {CLASSIFICATIONS}"))
                .unwrap_or_else(|| CLASSIFICATIONS.into());
            self.push(
                Problem::new(
                    K::Arguments,
                    format!("unknown classification {}", show(value)),
                    entry.span(),
                    "unknown classification",
                )
                .help(help),
            );
        }
        found
    }

    /// `NAME #true` / `NAME #false`.
    pub(super) fn flag(&mut self, node: &KdlNode) -> Option<bool> {
        let entry = self.single(node, Shape::FLAG)?;
        match entry.value() {
            KdlValue::Bool(b) => Some(*b),
            _ => {
                self.push(
                    Problem::new(
                        K::Arguments,
                        format!("`{}` is #true or #false", node.name().value()),
                        entry.span(),
                        "not a boolean",
                    )
                    .help(format!("write `{} #true`", node.name().value())),
                );
                None
            }
        }
    }

    /// A list of strings (`servers a b`, `allowed-clients …`), at least one.
    pub(super) fn words(&mut self, node: &KdlNode) -> Vec<(String, SourceSpan)> {
        self.no_children(node);
        self.properties(node, &[]);
        let entries = positional(node);
        if entries.is_empty() {
            self.push(
                Problem::new(
                    K::Arguments,
                    format!("`{}` lists nothing", node.name().value()),
                    node.name().span(),
                    "a list expected",
                )
                .help("list at least one value, or remove the line"),
            );
        }
        entries
            .into_iter()
            .filter_map(|e| self.string(e).map(|s| (s.to_owned(), e.span())))
            .collect()
    }

    pub(super) fn policy(&mut self, node: &KdlNode) -> Option<Policy> {
        self.arguments(node, Shape::NONE);
        self.properties(node, &[]);
        let mut policy = Policy::default();
        self.read_children(node, "policy", POLICY, &mut policy);
        Some(policy)
    }

    /// `max-rotation KIND "90d"`.
    fn max_rotation(&mut self, node: &KdlNode, policy: &mut Policy) {
        self.no_children(node);
        self.properties(node, &[]);
        let entries = self.arguments(node, Shape::MAX_ROTATION);
        if let [kind, period] = entries.as_slice() {
            let kind = self.string(kind).and_then(|k| {
                let found = CredentialKind::from_name(k);
                if found.is_none() {
                    self.push(
                        Problem::new(K::UnknownKind, format!("unknown credential kind {}", show(k)), kind.span(), "unknown kind")
                            .help("a kind is one of `personal-access-token`, `oauth-token`, `api-key`, `connection-string`, `access-key`, `password`, `file`, `other`"),
                    );
                }
                found
            });
            let period = match period.value() {
                KdlValue::String(text) => super::rotation::parse_period(text)
                    .map_err(|err| {
                        self.push(
                            Problem::new(
                                K::Duration,
                                "invalid rotation period",
                                period.span(),
                                err.label(),
                            )
                            .help(super::PERIOD_HELP),
                        );
                    })
                    .ok(),
                _ => {
                    self.push(
                        Problem::new(
                            K::Duration,
                            "a rotation period is a string",
                            period.span(),
                            "not a period",
                        )
                        .help(super::PERIOD_HELP),
                    );
                    None
                }
            };
            if let (Some(kind), Some(period)) = (kind, period) {
                policy.max_rotation.push((kind, period));
            }
        }
    }

    /// `classification-rule "a|b" CLASSIFICATION external-lookup=#false`.
    fn classification_rule(&mut self, node: &KdlNode, policy: &mut Policy) {
        self.no_children(node);
        let props = self.properties(node, &["external-lookup"]);
        let entries = self.arguments(node, Shape::RULE);
        let external_lookup = match props.get("external-lookup").map(|e| e.value()) {
            None => true,
            Some(KdlValue::Bool(b)) => *b,
            Some(_) => {
                self.push(
                    Problem::new(
                        K::Arguments,
                        "`external-lookup` is #true or #false",
                        props["external-lookup"].span(),
                        "not a boolean",
                    )
                    .help("write `external-lookup=#false`"),
                );
                true
            }
        };
        if let [pattern, classification] = entries.as_slice() {
            let patterns = self.string(pattern).map(|p| {
                p.split('|')
                    .map(|s| s.trim().to_ascii_lowercase())
                    .filter(|s| !s.is_empty())
                    .collect::<Vec<_>>()
            });
            let classification = self.classification_value(classification);
            if let (Some(patterns), Some(classification)) = (patterns, classification) {
                policy.classification_rules.push(ClassificationRule {
                    patterns,
                    classification,
                    external_lookup,
                });
            }
        }
    }

    /// Every rule of `policy` against `manifest`; `doc` gives the places.
    pub(super) fn check_policy(&mut self, doc: &KdlDocument, manifest: &Manifest, policy: &Policy) {
        let places = Places { doc };
        let rule = |name: &str| places.policy_rule(name);
        let violation = |message: String,
                         span: SourceSpan,
                         label: &str,
                         rule_span: Option<SourceSpan>,
                         help: String| {
            let problem = Problem::new(K::Policy, message, span, label).help(help);
            match rule_span {
                Some(r) => problem.also(r, "policy rule"),
                None => problem,
            }
        };
        let class = |c: Option<Classification>| c.unwrap_or(Classification::Internal);

        for (kind, max) in &policy.max_rotation {
            for c in manifest.credentials.values().filter(|c| c.kind == *kind) {
                if c.rotate_every.is_some_and(|p| p.days <= max.days) {
                    continue;
                }
                let node = places.top("credential", &c.name);
                let span = node
                    .and_then(|n| places.child(n, "rotate-every"))
                    .or_else(|| node.map(head_span));
                let now = c.rotate_every.map_or_else(
                    || "no rotation period".to_owned(),
                    |p| format!("a period of {p}"),
                );
                self.push(violation(
                    format!(
                        "policy: credential {} ({}) has {now}; the policy allows at most {max}",
                        show(&c.name),
                        kind.as_str()
                    ),
                    span.unwrap_or_else(|| (0, 0).into()),
                    "rotation period too long",
                    rule("max-rotation"),
                    format!(
                        "set `rotate-every \"{max}\"` (or shorter) in credential {}",
                        c.name
                    ),
                ));
            }
        }

        if let Some(required) = policy.require_delivery {
            for server in manifest.servers.values() {
                let wrong = manifest
                    .clients
                    .iter()
                    .filter(|t| server.clients.contains(&t.client))
                    .find(|t| manifest.delivery(server, t) != required);
                let Some(target) = wrong else { continue };
                let node = places.top("server", &server.name);
                let span = node
                    .and_then(|n| places.child(n, "delivery"))
                    .or_else(|| node.map(head_span));
                self.push(violation(
                    format!(
                        "policy: server {} is delivered by {} to `{}`; the policy requires {}",
                        show(&server.name),
                        manifest.delivery(server, target).as_str(),
                        target.client,
                        required.as_str()
                    ),
                    span.unwrap_or_else(|| (0, 0).into()),
                    "delivery not allowed",
                    rule("require-delivery"),
                    format!("write `delivery {}` on the server, or remove the `delivery` that overrides it (server, client node or defaults)", required.as_str()),
                ));
            }
        }

        if let Some(allowed) = &policy.allowed_clients {
            for target in manifest
                .clients
                .iter()
                .filter(|t| !allowed.contains(&t.client))
            {
                let span = places.top("client", target.client.as_str()).map(head_span);
                self.push(violation(
                    format!(
                        "policy: client `{}` is not an allowed client",
                        target.client
                    ),
                    span.unwrap_or_else(|| (0, 0).into()),
                    "client not allowed",
                    rule("allowed-clients"),
                    format!(
                        "remove this `client` line; the policy allows {}",
                        allowed
                            .iter()
                            .map(|c| format!("`{c}`"))
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                ));
            }
        }

        for server in manifest.servers.values().filter(|s| s.external) {
            let node = places.top("server", &server.name);
            let at = node
                .and_then(|n| places.child(n, "external"))
                .unwrap_or_else(|| (0, 0).into());
            if let Some(allowed) = &policy.external_allowed {
                let mut classes = vec![(
                    format!("server {}", show(&server.name)),
                    class(server.classification),
                )];
                for credential in server.credentials_read() {
                    let c = manifest
                        .credentials
                        .get(credential)
                        .and_then(|c| c.classification);
                    classes.push((format!("credential {}", show(credential)), class(c)));
                }
                for (what, c) in classes.into_iter().filter(|(_, c)| !allowed.contains(c)) {
                    self.push(violation(
                        format!("policy: {what} is {} and may not use the external server {}", c.as_str(), show(&server.name)),
                        at,
                        "reaches an external service",
                        rule("external-allowed"),
                        format!(
                            "external servers may only be used with {} data; remove `external #true` if it stays inside the organisation, or keep {what} away from it",
                            allowed.iter().map(|c| format!("`{}`", c.as_str())).collect::<Vec<_>>().join(", ")
                        ),
                    ));
                }
            }
        }

        if let Some(allowed) = &policy.restricted_roles {
            for role in manifest
                .roles
                .values()
                .filter(|r| !allowed.contains(&r.name))
            {
                for name in &role.servers {
                    let Some(server) = manifest.servers.get(name) else {
                        continue;
                    };
                    let restricted = server.classification == Some(Classification::Restricted)
                        || server.credentials_read().any(|c| {
                            manifest.credentials.get(c).and_then(|c| c.classification)
                                == Some(Classification::Restricted)
                        });
                    if !restricted {
                        continue;
                    }
                    let span = places
                        .top("role", &role.name)
                        .and_then(|n| children(n).iter().find(|c| c.name().value() == "servers"))
                        .and_then(|n| {
                            positional(n)
                                .into_iter()
                                .find(|e| e.value().as_string() == Some(name))
                        })
                        .map(KdlEntry::span);
                    self.push(violation(
                        format!("policy: role {} grants {}, which holds restricted credentials or data", show(&role.name), show(name)),
                        span.unwrap_or_else(|| (0, 0).into()),
                        "restricted",
                        rule("restricted-roles"),
                        format!(
                            "only {} may hold restricted credentials; remove the server from this role",
                            allowed.iter().map(|r| format!("`{r}`")).collect::<Vec<_>>().join(", ")
                        ),
                    ));
                }
            }
        }

        for r in &policy.classification_rules {
            let matches = |name: &str, description: Option<&String>| {
                let text = format!("{name} {}", description.map_or("", |d| d.as_str()))
                    .to_ascii_lowercase();
                r.patterns.iter().any(|p| text.contains(p.as_str()))
            };
            let mut items: Vec<(&str, &str, Option<Classification>, bool)> = Vec::new();
            for s in manifest.servers.values() {
                if matches(&s.name, s.description.as_ref()) {
                    items.push(("server", &s.name, s.classification, s.external));
                }
            }
            for c in manifest.credentials.values() {
                if matches(&c.name, c.description.as_ref()) {
                    let used_externally = manifest
                        .servers
                        .values()
                        .any(|s| s.external && s.credentials_read().any(|b| b == c.name));
                    items.push(("credential", &c.name, c.classification, used_externally));
                }
            }
            for (kind, name, classification, external) in items {
                let node = places.top(kind, name);
                if class(classification) < r.classification {
                    let span = node
                        .and_then(|n| places.child(n, "classification"))
                        .or_else(|| node.map(head_span));
                    self.push(violation(
                        format!(
                            "policy: {kind} {} matches a classification rule and must be at least {}",
                            show(name),
                            r.classification.as_str()
                        ),
                        span.unwrap_or_else(|| (0, 0).into()),
                        "classified too low",
                        rule("classification-rule"),
                        format!("write `classification {}` in {kind} {name}", r.classification.as_str()),
                    ));
                }
                if !r.external_lookup && external {
                    let span = node.map(head_span);
                    let what = if kind == "server" {
                        "is an external server"
                    } else {
                        "is used by an external server"
                    };
                    self.push(violation(
                        format!("policy: {kind} {} matches a rule that forbids external lookups, and {what}", show(name)),
                        span.unwrap_or_else(|| (0, 0).into()),
                        "external lookup forbidden",
                        rule("classification-rule"),
                        "keep this data away from servers marked `external #true`".to_owned(),
                    ));
                }
            }
        }

        for server in manifest.servers.values() {
            let Some(package) = server.package() else {
                continue;
            };
            let span = places
                .top("server", &server.name)
                .and_then(|n| places.child(n, "command"))
                .unwrap_or_else(|| (0, 0).into());
            if policy.pin_packages && !package.pinned {
                self.push(violation(
                    format!("policy: server {} runs `{}` without a pinned version", show(&server.name), package.name),
                    span,
                    "unpinned package",
                    rule("pin-packages"),
                    format!("pin it, e.g. `\"{}@1.2.3\"`: an unpinned package runs whatever was published last", package.name),
                ));
            }
            if let Some(allowed) = &policy.allow_packages
                && !allowed.iter().any(|a| a == package.name)
            {
                self.push(violation(
                    format!(
                        "policy: server {} runs `{}`, which is not an allowed package",
                        show(&server.name),
                        package.name
                    ),
                    span,
                    "package not allowed",
                    rule("allow-packages"),
                    "ask for it to be added to `allow-packages`, or use an allowed package"
                        .to_owned(),
                ));
            }
        }
    }
}

/// Where things are in the document, for pointing at them.
struct Places<'d> {
    doc: &'d KdlDocument,
}

impl<'d> Places<'d> {
    /// The top-level `kind NAME` node.
    fn top(&self, kind: &str, name: &str) -> Option<&'d KdlNode> {
        self.doc.nodes().iter().find(|n| {
            n.name().value() == kind
                && positional(n).first().and_then(|e| e.value().as_string()) == Some(name)
        })
    }

    /// The line of `name` inside `node`.
    fn child(&self, node: &KdlNode, name: &str) -> Option<SourceSpan> {
        children(node)
            .iter()
            .find(|c| c.name().value() == name)
            .map(head_span)
    }

    /// The line of rule `name` in the `policy` block.
    fn policy_rule(&self, name: &str) -> Option<SourceSpan> {
        let policy = self
            .doc
            .nodes()
            .iter()
            .find(|n| n.name().value() == "policy")?;
        self.child(policy, name)
    }
}
