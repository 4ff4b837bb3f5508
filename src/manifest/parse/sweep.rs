//! The sweep over every value in the file, wherever it is (even inside
//! unknown nodes): secret-shaped literals, type annotations and characters
//! a terminal would act on. The manifest must never hold a secret, whatever
//! else is wrong with it.

use kdl::KdlDocument;
use miette::SourceSpan;

use super::syntax::UNSAFE_HELP;
use super::words::show;
use super::{Checker, K, Problem};
use crate::secret_patterns::{self, Placeholders};
use crate::terminal_text;

const SECRET_HELP: &str = "the manifest is checked in and must never hold a secret value; store it with `mcpctl apply` instead: declare `credential NAME` and bind it with `env VAR credential=NAME`";

impl Checker {
    /// Secret-shaped literals and type annotations, anywhere in the file.
    ///
    /// Every string is judged with what names it: `env NAME "…"` and
    /// `header NAME "…"` by NAME, an argument by the flag before it
    /// (`"--api-key" "…"`, `"--api-key=…"`), a URL by its query parameters
    /// (but the audit `webhook`'s, whose query plan redacts).
    /// A provider's token shape is a secret even when it holds a word such
    /// as `fake` or `example`: the manifest's values are written to client
    /// files as they are ([`Placeholders::ReferencesOnly`]).
    pub(super) fn sweep(&mut self, doc: &KdlDocument) {
        for node in doc.nodes() {
            if let Some(ty) = node.ty() {
                self.type_annotation(ty.span());
            }
            let node_name = node.name().value();
            self.unsafe_characters(node_name, node_name, node.name().span());
            let binding = matches!(node_name, "env" | "header");
            let mut previous: Option<&str> = None;
            for (index, entry) in node.entries().iter().enumerate() {
                if let Some(ty) = entry.ty() {
                    self.type_annotation(ty.span());
                }
                if let Some(key) = entry.name() {
                    self.unsafe_characters(node_name, key.value(), key.span());
                }
                let Some(value) = entry.value().as_string() else {
                    previous = None;
                    continue;
                };
                self.unsafe_characters(node_name, value, entry.span());
                let found = match (entry.name(), previous) {
                    // The audit webhook's URL is mcpctl's own setting, shown
                    // in plan with its query redacted: judged by shape only.
                    _ if node_name == "webhook" => {
                        secret_patterns::detect_all_with(value, Placeholders::ReferencesOnly)
                    }
                    (Some(_), _) => {
                        secret_patterns::detect_unnamed(value, Placeholders::ReferencesOnly)
                    }
                    (None, Some(name)) if binding && index == 1 => {
                        secret_patterns::detect_named_with(
                            name,
                            value,
                            Placeholders::ReferencesOnly,
                        )
                    }
                    (None, previous) => secret_patterns::detect_argument(
                        previous,
                        value,
                        Placeholders::ReferencesOnly,
                    ),
                };
                if entry.name().is_none() {
                    previous = Some(value);
                }
                if let Some(found) = found.into_iter().next() {
                    self.push(
                        Problem::new(
                            K::Secret,
                            format!(
                                "{} holds a secret value ({})",
                                show(node.name().value()),
                                found.rule
                            ),
                            entry.span(),
                            format!("this looks like {}", found.description),
                        )
                        .help(SECRET_HELP),
                    );
                }
            }
            if let Some(children) = node.children() {
                self.sweep(children);
            }
        }
    }

    /// A control character or bidirectional override in a name or string
    /// of `node` (every string the manifest holds passes here, whatever
    /// field it becomes): refused, since descriptions, URLs, scopes and
    /// names all end up on a terminal.
    pub(super) fn unsafe_characters(&mut self, node: &str, text: &str, span: SourceSpan) {
        if let Some(c) = terminal_text::first_unsafe(text) {
            let what = terminal_text::describe(c);
            self.push(
                Problem::new(
                    K::UnsafeCharacter,
                    format!("{} holds {what}", show(node)),
                    span,
                    format!("{what} in this value"),
                )
                .help(UNSAFE_HELP),
            );
        }
    }

    pub(super) fn type_annotation(&mut self, span: SourceSpan) {
        self.push(
            Problem::new(
                K::TypeAnnotation,
                "type annotations have no meaning in mcpctl.kdl",
                span,
                "type annotation",
            )
            .help("remove the `(…)` annotation"),
        );
    }
}
