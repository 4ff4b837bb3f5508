//! `audit { … }`: how long the audit trail is kept and where it is
//! forwarded (syslog, a webhook), and the read-rate alert.

use kdl::{KdlNode, KdlValue};

use super::children::Seen;
use super::shape::{Shape, children, positional, type_name};
use super::{AUDIT_CHILDREN, Checker, K, Problem};
use crate::manifest::model::AuditPolicy;

impl Checker {
    pub(super) fn audit(&mut self, node: &KdlNode) -> AuditPolicy {
        let mut audit = AuditPolicy::default();
        self.arguments(node, Shape::NONE);
        self.properties(node, &[]);
        let mut seen = Seen::default();
        for child in children(node) {
            let name = child.name().value();
            if !self.once(&mut seen, child, "audit") {
                continue;
            }
            match name {
                "retain" => audit.retain = self.period(child),
                "syslog" => {
                    self.arguments(child, Shape::NONE);
                    self.properties(child, &[]);
                    self.no_children(child);
                    audit.syslog = true;
                }
                "webhook" => {
                    let props = self.properties(child, &["alerts-only"]);
                    if let Some(entry) = props.get("alerts-only") {
                        match entry.value() {
                            KdlValue::Bool(b) => audit.webhook_alerts_only = *b,
                            other => self.push(
                                Problem::new(
                                    K::Arguments,
                                    format!(
                                        "`alerts-only` is #true or #false, not {}",
                                        type_name(other)
                                    ),
                                    entry.span(),
                                    "not a boolean",
                                )
                                .help("write `alerts-only=#true`"),
                            ),
                        }
                    }
                    self.no_children(child);
                    audit.webhook = self
                        .single(child, Shape::WEBHOOK)
                        .and_then(|entry| self.url_entry(child, entry));
                    // The POST sends no user information, and connecting
                    // to `token@host` would ask the name resolver for it.
                    if let Some(url) = &audit.webhook
                        && let Some(rest) = url.split_once("://").map(|(_, rest)| rest)
                        && rest[..rest.find(['/', '?', '#']).unwrap_or(rest.len())].contains('@')
                    {
                        let span = positional(child)
                            .first()
                            .map_or(child.name().span(), |e| e.span());
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
                    if let Some(url) = &audit.webhook
                        && !url.to_ascii_lowercase().starts_with("http://")
                    {
                        let span = positional(child)
                            .first()
                            .map_or(child.name().span(), |e| e.span());
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
                "alert-reads-per-hour" => {
                    if let Some(entry) = self.single(child, Shape::COUNT) {
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
                other => self.unknown_child(child, other, "audit", AUDIT_CHILDREN),
            }
        }
        audit
    }
}
