//! `audit { … }`: how long the audit trail is kept and where it is
//! forwarded (syslog, a webhook), and the read-rate alert.

use kdl::{KdlNode, KdlValue};

use super::block::Child;
use super::shape::{Shape, positional, type_name};
use super::{Checker, K, Problem};
use crate::manifest::AuditPolicy;

/// The children of `audit { … }`.
const AUDIT: &[Child<AuditPolicy>] = &[
    Child::once("retain", |c, node, audit| audit.retain = c.period(node)),
    Child::once("syslog", |c, node, audit| {
        c.arguments(node, Shape::NONE);
        c.properties(node, &[]);
        c.no_children(node);
        audit.syslog = true;
    }),
    Child::once("webhook", Checker::webhook),
    Child::once("alert-reads-per-hour", Checker::alert_reads_per_hour),
];

impl Checker {
    pub(super) fn audit(&mut self, node: &KdlNode) -> AuditPolicy {
        let mut audit = AuditPolicy::default();
        self.arguments(node, Shape::NONE);
        self.properties(node, &[]);
        self.read_children(node, "audit", AUDIT, &mut audit);
        audit
    }

    /// `webhook "http://…" alerts-only=#true`.
    fn webhook(&mut self, node: &KdlNode, audit: &mut AuditPolicy) {
        let props = self.properties(node, &["alerts-only"]);
        if let Some(entry) = props.get("alerts-only") {
            match entry.value() {
                KdlValue::Bool(b) => audit.webhook_alerts_only = *b,
                other => self.push(
                    Problem::new(
                        K::Arguments,
                        format!("`alerts-only` is #true or #false, not {}", type_name(other)),
                        entry.span(),
                        "not a boolean",
                    )
                    .help("write `alerts-only=#true`"),
                ),
            }
        }
        self.no_children(node);
        audit.webhook = self
            .single(node, Shape::WEBHOOK)
            .and_then(|entry| self.url_entry(node, entry));
        let Some(url) = &audit.webhook else {
            return;
        };
        let span = positional(node)
            .first()
            .map_or(node.name().span(), |e| e.span());
        // The POST sends no user information, and connecting to
        // `token@host` would ask the name resolver for it.
        if let Some(rest) = url.split_once("://").map(|(_, rest)| rest)
            && rest[..rest.find(['/', '?', '#']).unwrap_or(rest.len())].contains('@')
        {
            self.push(
                Problem::new(
                    K::Unsupported,
                    "a webhook URL with user information (`user@`) is not supported",
                    span,
                    "user information",
                )
                .help("remove the `…@` part; a key the endpoint needs goes in the query (`?key=…`), which plan shows redacted"),
            );
        }
        if !url.to_ascii_lowercase().starts_with("http://") {
            self.push(
                Problem::new(
                    K::Unsupported,
                    "https webhooks are not supported yet",
                    span,
                    "https",
                )
                .help("forward to an http:// endpoint on this machine or your network (a local relay such as Vector or Fluent Bit can add TLS), or use `syslog`"),
            );
        }
    }

    /// `alert-reads-per-hour 20`.
    fn alert_reads_per_hour(&mut self, node: &KdlNode, audit: &mut AuditPolicy) {
        let Some(entry) = self.single(node, Shape::COUNT) else {
            return;
        };
        match entry.value() {
            KdlValue::Integer(n) if *n > 0 && *n <= i128::from(u32::MAX) => {
                audit.alert_reads_per_hour = Some(*n as u32);
            }
            _ => self.push(
                Problem::new(
                    K::Arguments,
                    "`alert-reads-per-hour` takes a positive whole number",
                    entry.span(),
                    "not a positive whole number",
                )
                .help("write e.g. `alert-reads-per-hour 20`"),
            ),
        }
    }
}
