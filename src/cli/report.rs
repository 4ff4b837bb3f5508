//! How an error reaches the terminal: as miette's default handler draws
//! it, with every message, cause, label and help passed through
//! [`terminal_text`] first.
//!
//! Errors quote what they are about: a server label given to `exec`, an
//! entry name or a path from a client file, a line a server printed. Any of
//! these may hold ESC or a bidirectional override, and the handler would
//! draw them as they are. Escaping here, once, covers every error of every
//! command; line ends are kept, since messages spread over lines on purpose.
//!
//! The diagnostic code (`mcpctl::manifest::io`) is for scripts and bug
//! reports, not for the person reading: it is shown only under `--verbose`
//! or when the command was asked for `--json`. Without it, the problems an
//! error gathers (a manifest's, each in `related`) are drawn one after the
//! other as errors of their own, not behind miette's `Error:` prefix.

use std::fmt;

use miette::{
    Diagnostic, LabeledSpan, MietteHandler, MietteHandlerOpts, ReportHandler, Severity, SourceCode,
};

use crate::terminal_text;

/// `diagnostic` as miette's default handler shows it, escaped; its code
/// only when [`codes_wanted`].
pub struct Shown<'d>(pub &'d dyn Diagnostic);

impl fmt::Display for Shown<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        render(self.0, codes_wanted(), f)
    }
}

/// Whether error codes are shown: under `--verbose`, or when the command
/// line asks for `--json` (before any `--`, after which the words are a
/// server's).
fn codes_wanted() -> bool {
    crate::cli::ui::level() >= crate::cli::ui::Verbosity::Verbose
        || std::env::args_os()
            .skip(1)
            .take_while(|a| a != "--")
            .any(|a| a == "--json")
}

fn render(diagnostic: &dyn Diagnostic, codes: bool, f: &mut fmt::Formatter<'_>) -> fmt::Result {
    // Not wrapped: a hint often holds a command to paste, and a line break
    // inside it breaks the command (the terminal wraps long lines itself).
    let handler = MietteHandlerOpts::new().wrap_lines(false).build();
    let shown = Escaped::new(diagnostic, codes, None);
    if codes {
        return handler.debug(&shown, f);
    }
    draw_flat(&handler, shown, f, &mut true)
}

/// `shown`, then each diagnostic related to it, as errors of their own.
fn draw_flat(
    handler: &MietteHandler,
    mut shown: Escaped<'_>,
    f: &mut fmt::Formatter<'_>,
    first: &mut bool,
) -> fmt::Result {
    if !*first {
        writeln!(f)?;
    }
    *first = false;
    shown.related_drawn = false;
    handler.debug(&shown, f)?;
    for related in std::mem::take(&mut shown.related) {
        draw_flat(handler, related, f, first)?;
    }
    Ok(())
}

fn escaped(text: &str) -> String {
    terminal_text::escape_lines(text).into_owned()
}

/// A diagnostic whose texts are escaped; the source code it quotes is the
/// original's (a manifest's is made visible where it is read).
struct Escaped<'d> {
    inner: &'d dyn Diagnostic,
    /// Whether [`Diagnostic::code`] is passed on.
    codes: bool,
    /// Whether [`Diagnostic::related`] is passed on (else they are drawn
    /// after it, each on its own).
    related_drawn: bool,
    /// The source of the diagnostic this one is related to, quoted when it
    /// has none of its own.
    parent_source: Option<&'d dyn SourceCode>,
    message: String,
    cause: Option<Box<Cause>>,
    diagnostic_source: Option<Box<Escaped<'d>>>,
    related: Vec<Escaped<'d>>,
}

impl<'d> Escaped<'d> {
    fn new(
        inner: &'d dyn Diagnostic,
        codes: bool,
        parent_source: Option<&'d dyn SourceCode>,
    ) -> Self {
        let source = inner.source_code().or(parent_source);
        Escaped {
            inner,
            codes,
            related_drawn: true,
            parent_source,
            message: escaped(&inner.to_string()),
            cause: inner.source().map(Cause::new),
            diagnostic_source: inner
                .diagnostic_source()
                .map(|d| Box::new(Escaped::new(d, codes, None))),
            related: inner
                .related()
                .map(|r| r.map(|d| Escaped::new(d, codes, source)).collect())
                .unwrap_or_default(),
        }
    }
}

/// One error of a `source()` chain, escaped.
#[derive(Debug)]
struct Cause {
    message: String,
    source: Option<Box<Cause>>,
}

impl Cause {
    fn new(error: &(dyn std::error::Error + 'static)) -> Box<Cause> {
        Box::new(Cause {
            message: escaped(&error.to_string()),
            source: error.source().map(Cause::new),
        })
    }
}

impl fmt::Display for Cause {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Cause {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.source
            .as_deref()
            .map(|c| c as &(dyn std::error::Error + 'static))
    }
}

impl fmt::Debug for Escaped<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl fmt::Display for Escaped<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Escaped<'_> {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.cause
            .as_deref()
            .map(|c| c as &(dyn std::error::Error + 'static))
    }
}

impl Diagnostic for Escaped<'_> {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.inner.code().filter(|_| self.codes)
    }

    fn severity(&self) -> Option<Severity> {
        self.inner.severity()
    }

    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.inner
            .help()
            .map(|h| Box::new(escaped(&h.to_string())) as Box<dyn fmt::Display>)
    }

    fn url<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.inner.url()
    }

    fn source_code(&self) -> Option<&dyn SourceCode> {
        self.inner.source_code().or(self.parent_source)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        let labels = self.inner.labels()?.map(|l| {
            let text = l.label().map(escaped);
            if l.primary() {
                LabeledSpan::new_primary_with_span(text, *l.inner())
            } else {
                LabeledSpan::new_with_span(text, *l.inner())
            }
        });
        Some(Box::new(labels.collect::<Vec<_>>().into_iter()))
    }

    fn related<'a>(&'a self) -> Option<Box<dyn Iterator<Item = &'a dyn Diagnostic> + 'a>> {
        if self.related.is_empty() || !self.related_drawn {
            return None;
        }
        Some(Box::new(self.related.iter().map(|d| d as &dyn Diagnostic)))
    }

    fn diagnostic_source(&self) -> Option<&dyn Diagnostic> {
        self.diagnostic_source
            .as_deref()
            .map(|d| d as &dyn Diagnostic)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, thiserror::Error, Diagnostic)]
    #[error("unknown server `{0}`")]
    #[diagnostic(help("servers: {0}"))]
    struct Unknown(String, #[source] std::io::Error);

    #[test]
    fn messages_causes_and_help_are_escaped_and_lines_kept() {
        let error = Unknown(
            "a\u{1b}[2J\u{202e}".to_owned(),
            std::io::Error::other("line one\nline \u{9b}two"),
        );
        let shown = Shown(&error).to_string();
        assert!(
            !shown.contains(['\u{1b}', '\u{202e}', '\u{9b}']),
            "{shown:?}"
        );
        assert!(
            shown.contains(r"unknown server `a\u{1b}[2J\u{202e}`"),
            "{shown}"
        );
        assert!(shown.contains(r"line \u{9b}two"), "{shown}");
        assert!(shown.contains(r"servers: a\u{1b}[2J\u{202e}"), "{shown}");
    }
}
