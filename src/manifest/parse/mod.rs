//! KDL document → validated [`Manifest`], collecting every problem.
//!
//! The document is walked by hand (the kdl crate's serde support loses spans
//! and shape, see STORES.md). The walk never stops at the first mistake: each
//! check records a [`Problem`] and carries on with what it could read, so one
//! run reports everything. The model is only returned when nothing was found.
//!
//! Order of work:
//! 1. KDL syntax (kdl crate). Nothing else can be checked without a tree.
//! 2. A sweep over every value in the file for secret-shaped literals and
//!    type annotations, wherever they are (even inside unknown nodes): the
//!    manifest must never hold a secret, whatever else is wrong with it.
//! 3. `mcpctl version=…`. An unsupported version stops here, since the rest
//!    is written in a language this build does not know and any further
//!    complaint would be noise.
//! 4. `defaults`, `client` and `credential` nodes, then `server` nodes, so a
//!    server may reference a credential declared below it.
//! 5. Resolution: rotation periods and server client lists.
//!
//! One file per block of the grammar: `document.rs` (the top level),
//! `version.rs`, `defaults.rs`, `audit.rs`, `client.rs`, `shell_profile.rs`,
//! `credential.rs` and `source.rs`, `server.rs` and `binding.rs` (`env`,
//! `header`, `credential` in a server), `teams.rs` (`role`, `variable`),
//! `policy.rs`. Each block lists its children once, in a table of
//! [`block::Child`] entries that both dispatches and suggests names.
//! Shared: `shape.rs` (arguments, properties, values), `syntax.rs` (before
//! the tree), `sweep.rs` (every value), `words.rs` (names in messages).

use kdl::KdlDocument;
use miette::SourceSpan;

use super::error::{ManifestError, Problem, ProblemKind as K, shown_source};
use super::model::Manifest;
use super::rotation::{self, PERIOD_HELP};
use shape::{Shape, children, head_span, positional};
use syntax::{MAX_DEPTH, raw_unsafe_characters, syntax_error, too_deep};
pub(crate) use words::did_you_mean;
use words::{is_env_name, is_server_name, show};

mod audit;
mod binding;
mod block;
mod client;
mod credential;
mod defaults;
mod document;
mod policy;
mod server;
mod shape;
mod shell_profile;
mod source;
mod sweep;
mod syntax;
mod teams;
mod version;
mod words;

/// Parses and validates `source`; `name` labels the diagnostics.
pub fn parse(name: &str, source: &str) -> Result<Manifest, ManifestError> {
    if let Some(offset) = too_deep(source) {
        let problem = Problem::new(
            K::Syntax,
            format!("children are nested more than {MAX_DEPTH} levels deep"),
            SourceSpan::from(offset..offset + 1),
            "too deep",
        )
        .maybe_help(Some(
            "a manifest needs two levels of `{ }` (a server and its children); \
             check for unbalanced braces"
                .to_owned(),
        ));
        return Err(ManifestError::Invalid {
            src: shown_source(name, source, &[]),
            problems: vec![problem],
        });
    }
    let raw = raw_unsafe_characters(source);
    if !raw.is_empty() {
        return Err(ManifestError::Invalid {
            src: shown_source(name, source, &[]),
            problems: raw,
        });
    }
    // KDL 2.0 only, even if a `v1-fallback` feature gets enabled somewhere:
    // a v1 parse would change what quoting means.
    let doc = match KdlDocument::parse_v2(source) {
        Ok(doc) => doc,
        Err(err) => return Err(syntax_error(name, source, err)),
    };
    let mut checker = Checker {
        problems: Vec::new(),
    };
    let manifest = checker.document(&doc);
    let mut problems = checker.problems;
    if problems.is_empty()
        && let Some(manifest) = manifest
    {
        return Ok(manifest);
    }
    // Source order reads best; the sort is stable, so problems at one place
    // keep the order they were found in.
    problems.sort_by_key(Problem::offset);
    Err(ManifestError::Invalid {
        src: shown_source(name, source, &problems),
        problems,
    })
}

struct Checker {
    problems: Vec<Problem>,
}

impl Checker {
    fn push(&mut self, problem: Problem) {
        self.problems.push(problem);
    }
}
