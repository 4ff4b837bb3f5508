//! `defaults { … }` and the values it sets, which credentials, servers and
//! the policy also write: `delivery`, rotation periods and `namespace`.

use kdl::{KdlEntry, KdlNode, KdlValue};

use super::block::Child;
use super::rotation::{self, PERIOD_HELP};
use super::shape::{Shape, type_name};
use super::words::{did_you_mean, show};
use super::{Checker, K, Problem};
use crate::manifest::{Defaults, Delivery, Period};

/// The children of `defaults { … }`.
const DEFAULTS: &[Child<Defaults>] = &[
    Child::once("delivery", |c, node, defaults| {
        if let Some(delivery) = c.delivery(node) {
            defaults.delivery = delivery;
        }
    }),
    Child::once("rotate-every", |c, node, defaults| {
        defaults.rotate_every = c.period(node);
    }),
    Child::once("warn-before", |c, node, defaults| {
        if let Some(period) = c.period(node) {
            defaults.warn_before = period;
        }
    }),
    Child::once("namespace", |c, node, defaults| {
        defaults.namespace = c.namespace(node);
    }),
];

/// The deliveries, for "did you mean".
const DELIVERIES: &[&str] = &["exec", "env-ref"];

impl Checker {
    pub(super) fn defaults(&mut self, node: &KdlNode) -> Defaults {
        let mut defaults = Defaults::default();
        self.arguments(node, Shape::NONE);
        self.properties(node, &[]);
        self.read_children(node, "defaults", DEFAULTS, &mut defaults);
        defaults
    }

    pub(super) fn delivery(&mut self, node: &KdlNode) -> Option<Delivery> {
        let entry = self.single(node, Shape::ONE_WORD)?;
        self.delivery_value(entry)
    }

    pub(super) fn delivery_value(&mut self, entry: &KdlEntry) -> Option<Delivery> {
        let value = self.string(entry)?;
        match value {
            "exec" => Some(Delivery::Exec),
            "env-ref" => Some(Delivery::EnvRef),
            other => {
                let help = did_you_mean(other, DELIVERIES.iter().copied())
                    .map(|s| format!("did you mean `{s}`? Delivery is `exec` or `env-ref`"))
                    .unwrap_or_else(|| "delivery is `exec` or `env-ref`".into());
                self.push(
                    Problem::new(
                        K::UnknownDelivery,
                        format!("unknown delivery {}", show(other)),
                        entry.span(),
                        "unknown delivery",
                    )
                    .help(help),
                );
                None
            }
        }
    }

    pub(super) fn period(&mut self, node: &KdlNode) -> Option<Period> {
        let entry = self.single(node, Shape::PERIOD)?;
        match entry.value() {
            KdlValue::String(text) => match rotation::parse_period(text) {
                Ok(period) => Some(period),
                Err(err) => {
                    self.push(
                        Problem::new(
                            K::Duration,
                            "invalid rotation period",
                            entry.span(),
                            err.label(),
                        )
                        .help(PERIOD_HELP),
                    );
                    None
                }
            },
            KdlValue::Integer(_) | KdlValue::Float(_) => {
                self.push(
                    Problem::new(
                        K::Duration,
                        "a rotation period needs a unit",
                        entry.span(),
                        "a bare number",
                    )
                    .help(PERIOD_HELP),
                );
                None
            }
            other => {
                self.push(
                    Problem::new(
                        K::Duration,
                        format!(
                            "a rotation period must be a string, not {}",
                            type_name(other)
                        ),
                        entry.span(),
                        "not a period",
                    )
                    .help(PERIOD_HELP),
                );
                None
            }
        }
    }
    /// `namespace "team-a"`: lower-case letters, digits, `-`, `_`, `.`.
    pub(super) fn namespace(&mut self, node: &KdlNode) -> Option<String> {
        let entry = self.single(node, Shape::NAMESPACE)?;
        let value = self.string(entry)?;
        let ok = !value.is_empty()
            && value.len() <= 64
            && value.chars().all(|c| {
                c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '-' | '_' | '.')
            });
        if !ok {
            self.push(
                Problem::new(
                    K::InvalidName,
                    format!("{} is not a valid namespace", show(value)),
                    entry.span(),
                    "lower-case letters, digits, `-`, `_` and `.` only",
                )
                .help("a namespace prefixes store entries (`team-a/GITHUB_TOKEN`): write e.g. `namespace \"team-a\"`"),
            );
            return None;
        }
        Some(value.to_owned())
    }
}
