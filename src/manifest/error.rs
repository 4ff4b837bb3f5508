//! Errors from reading a manifest, as miette diagnostics.
//!
//! A manifest with mistakes yields one [`ManifestError`] that carries *every*
//! [`Problem`] found, each with its own span, label and help, so a user fixes
//! them in one round instead of one `mcpctl validate` per typo. Problems are
//! `#[related]` diagnostics without their own source: miette renders each
//! against the parent's [`NamedSource`], so every snippet shows the file name,
//! line and column.

use std::fmt;
use std::path::PathBuf;

use miette::{Diagnostic, LabeledSpan, NamedSource, SourceSpan};

/// Why a manifest could not be read.
#[derive(Debug, thiserror::Error, Diagnostic)]
pub enum ManifestError {
    /// The file could not be read (or is not UTF-8).
    #[error("could not read the manifest {}", path.display())]
    #[diagnostic(code(mcpctl::manifest::io))]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
        #[help]
        help: String,
    },

    /// The file is not valid KDL 2.0. `problems` are the kdl crate's
    /// diagnostics, re-anchored on the named source so they show the file
    /// name (the crate's own source has none); `kdl` is the original error.
    #[error("{} is not valid KDL 2.0 ({})", src.name(), count(problems.len(), "syntax error"))]
    #[diagnostic(
        code(mcpctl::manifest::syntax),
        help("mcpctl.kdl is written in KDL 2.0: https://kdl.dev")
    )]
    Syntax {
        #[source_code]
        src: NamedSource<String>,
        #[related]
        problems: Vec<Problem>,
        kdl: Box<kdl::KdlError>,
    },

    /// The file is valid KDL but not a valid manifest.
    #[error("{} is not a valid manifest ({})", src.name(), count(problems.len(), "problem"))]
    #[diagnostic(code(mcpctl::manifest::invalid))]
    Invalid {
        #[source_code]
        src: NamedSource<String>,
        #[related]
        problems: Vec<Problem>,
    },
}

fn count(n: usize, what: &str) -> String {
    if n == 1 {
        format!("1 {what}")
    } else {
        format!("{n} {what}s")
    }
}

impl ManifestError {
    /// How many problems the manifest has (1 for an I/O error).
    pub fn problem_count(&self) -> usize {
        match self {
            ManifestError::Io { .. } => 1,
            ManifestError::Syntax { problems, .. } | ManifestError::Invalid { problems, .. } => {
                problems.len()
            }
        }
    }

    /// The individual problems, in source order (empty for an I/O error).
    pub fn problems(&self) -> &[Problem] {
        match self {
            ManifestError::Io { .. } => &[],
            ManifestError::Syntax { problems, .. } | ManifestError::Invalid { problems, .. } => {
                problems
            }
        }
    }
}

/// The text a diagnostic shows of `source`, named `name`, with every secret
/// in it hidden: what a [`ProblemKind::Secret`] problem points at, and any
/// other secret the line scanner finds (in a comment, say). Each keeps its
/// length in bytes and its public prefix (`ghp_***…`), so every label
/// still underlines the right place. A manifest is validated in CI on pull
/// requests: the snippet must not copy the token into the build log.
/// Control characters and bidirectional overrides are shown as visible
/// stand-ins of the same length too.
pub(crate) fn shown_source(name: &str, source: &str, problems: &[Problem]) -> NamedSource<String> {
    use crate::scan::text::in_line;
    use crate::secret_patterns::{Placeholders, masked};
    let mut shown = source.to_owned();
    let mut hide = |at: usize, part: &str, rule: Option<&str>| {
        let hidden = match rule {
            Some(rule) => masked(part, rule),
            // Newlines stay, so the lines shown stay where they are.
            None => part
                .bytes()
                .map(|b| if b == b'\n' { '\n' } else { '*' })
                .collect(),
        };
        shown.replace_range(at..at + part.len(), &hidden);
    };
    for problem in problems.iter().filter(|p| p.kind == ProblemKind::Secret) {
        let Some(label) = problem.labels.first() else {
            continue;
        };
        let span = label.offset()..label.offset() + label.len();
        let Some(text) = source.get(span.clone()) else {
            continue;
        };
        // The string's body: between its first and last quote, after `=`
        // for a property, else the whole (bare) value.
        let body = match (text.find('"'), text.rfind('"')) {
            (Some(open), Some(close)) if open < close => open + 1..close,
            _ => text.find('=').map_or(0, |i| i + 1)..text.len(),
        };
        let at = span.start + body.start;
        let part = &source[at..span.start + body.end];
        let found = in_line(part, Placeholders::ReferencesOnly);
        if found.is_empty() {
            hide(at, part, None);
        }
        for m in found {
            hide(at + m.range.start, &part[m.range.clone()], Some(m.rule));
        }
    }
    let mut line_start = 0;
    for line in source.split_inclusive('\n') {
        for m in in_line(line, Placeholders::ReferencesOnly) {
            hide(
                line_start + m.range.start,
                &line[m.range.clone()],
                Some(m.rule),
            );
        }
        // A URL's user information and query: where the audit webhook's
        // key rides, which validate lets through as mcpctl's own setting.
        for range in url_credentials(line) {
            hide(line_start + range.start, &line[range], None);
        }
        line_start += line.len();
    }
    NamedSource::new(
        name,
        crate::terminal_text::same_length_visible(&shown).into_owned(),
    )
}

/// The user information (`user:password`) and the query and fragment
/// (after `?` or `#`) of every URL in `line`, as byte ranges.
fn url_credentials(line: &str) -> Vec<std::ops::Range<usize>> {
    let mut ranges = Vec::new();
    let mut from = 0;
    while let Some(found) = line[from..].find("://") {
        let start = from + found + 3;
        let end = line[start..]
            .find(|c: char| c.is_whitespace() || matches!(c, '"' | '\'' | '\\'))
            .map_or(line.len(), |i| start + i);
        let url = &line[start..end];
        let tail = url.find(['?', '#']).unwrap_or(url.len());
        let authority = &url[..url[..tail].find('/').unwrap_or(tail)];
        if let Some(at) = authority.rfind('@') {
            ranges.push(start..start + at);
        }
        if tail + 1 < url.len() {
            ranges.push(start + tail + 1..end);
        }
        from = end.max(start);
    }
    ranges
}

/// What sort of mistake a [`Problem`] is. Shown as the diagnostic code
/// (`mcpctl::manifest::unknown-node`) and stable for tests and tooling.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ProblemKind {
    /// KDL syntax.
    Syntax,
    /// `mcpctl version=…` missing, misplaced or unsupported.
    Version,
    /// A node name not valid at its level.
    UnknownNode,
    /// A property not valid on its node.
    UnknownProperty,
    /// Missing, extra or wrongly typed arguments, or a block where none goes.
    Arguments,
    /// A type annotation, which the manifest gives no meaning.
    TypeAnnotation,
    /// Something defined twice.
    Duplicate,
    /// A name that is not a valid environment variable, server or header name.
    InvalidName,
    /// A reference to a credential that is not declared.
    UnknownCredential,
    /// A client mcpctl does not know, or one the manifest does not target.
    UnknownClient,
    /// A scope other than `user` or `project`.
    UnknownScope,
    /// A credential kind mcpctl does not know.
    UnknownKind,
    /// A delivery mode mcpctl does not know.
    UnknownDelivery,
    /// Something the language has but this build does not do yet.
    Unsupported,
    /// A rotation period that is not `Nd`, `Nw` or `Ny`.
    Duration,
    /// A server with neither or both of `command` and `url`, or a `header` on
    /// a local server.
    Transport,
    /// A URL that is not http(s).
    Url,
    /// A literal that looks like a secret.
    Secret,
    /// `clients` used while the manifest targets no clients.
    NoClients,
    /// A `{NAME}` that names no declared `variable`.
    UnknownVariable,
    /// A role naming a server that is not declared.
    UnknownServer,
    /// A server in no role, while the manifest has roles.
    Unassigned,
    /// A profile picking a role the manifest does not define.
    UnknownRole,
    /// Something the manifest's own `policy` forbids.
    Policy,
    /// A control character or bidirectional override, which a terminal
    /// would act on instead of showing.
    UnsafeCharacter,
}

impl ProblemKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ProblemKind::Syntax => "syntax",
            ProblemKind::Version => "version",
            ProblemKind::UnknownNode => "unknown-node",
            ProblemKind::UnknownProperty => "unknown-property",
            ProblemKind::Arguments => "arguments",
            ProblemKind::TypeAnnotation => "type-annotation",
            ProblemKind::Duplicate => "duplicate",
            ProblemKind::InvalidName => "invalid-name",
            ProblemKind::UnknownCredential => "unknown-credential",
            ProblemKind::UnknownClient => "unknown-client",
            ProblemKind::UnknownScope => "unknown-scope",
            ProblemKind::UnknownKind => "unknown-kind",
            ProblemKind::UnknownDelivery => "unknown-delivery",
            ProblemKind::Unsupported => "unsupported",
            ProblemKind::Duration => "duration",
            ProblemKind::Transport => "transport",
            ProblemKind::Url => "url",
            ProblemKind::Secret => "secret",
            ProblemKind::NoClients => "no-clients",
            ProblemKind::UnknownVariable => "unknown-variable",
            ProblemKind::UnknownServer => "unknown-server",
            ProblemKind::Unassigned => "unassigned",
            ProblemKind::UnknownRole => "unknown-role",
            ProblemKind::Policy => "policy",
            ProblemKind::UnsafeCharacter => "unsafe-character",
        }
    }
}

/// One mistake in a manifest, with where it is and how to fix it.
///
/// Messages and labels never contain a value that looks like a secret, nor a
/// control character or bidirectional override as itself.
#[derive(Debug, Clone)]
pub struct Problem {
    pub kind: ProblemKind,
    pub message: String,
    /// The first label is the primary one.
    pub labels: Vec<LabeledSpan>,
    pub help: Option<String>,
}

impl Problem {
    pub(crate) fn new(
        kind: ProblemKind,
        message: impl Into<String>,
        span: SourceSpan,
        label: impl Into<String>,
    ) -> Self {
        Problem {
            kind,
            message: shown(message.into()),
            labels: vec![LabeledSpan::new_primary_with_span(
                Some(shown(label.into())),
                span,
            )],
            help: None,
        }
    }

    pub(crate) fn help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(shown(help.into()));
        self
    }

    pub(crate) fn maybe_help(mut self, help: Option<String>) -> Self {
        self.help = help.map(shown);
        self
    }

    pub(crate) fn also(mut self, span: SourceSpan, label: impl Into<String>) -> Self {
        self.labels
            .push(LabeledSpan::new_with_span(Some(shown(label.into())), span));
        self
    }

    /// Where the problem is: the primary label's offset.
    pub fn offset(&self) -> usize {
        self.labels.first().map_or(0, |l| l.offset())
    }
}

/// Text for a message, label or help, which quote names and values from the
/// file: control characters and bidirectional overrides made visible, so
/// quoting a hostile value cannot act on the terminal.
fn shown(text: String) -> String {
    match crate::terminal_text::escape(&text) {
        std::borrow::Cow::Borrowed(_) => text,
        std::borrow::Cow::Owned(escaped) => escaped,
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Problem {}

impl Diagnostic for Problem {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        Some(Box::new(format!(
            "mcpctl::manifest::{}",
            self.kind.as_str()
        )))
    }

    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.help
            .as_ref()
            .map(|h| Box::new(h) as Box<dyn fmt::Display>)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        Some(Box::new(self.labels.iter().cloned()))
    }
}
