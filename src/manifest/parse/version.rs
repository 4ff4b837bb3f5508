//! `mcpctl version=1 required-version="…"`: which format the manifest is
//! written in and which mcpctl it needs. An unsupported version stops the
//! walk, since the rest is written in a language this build does not know.

use kdl::{KdlEntry, KdlNode, KdlValue};
use miette::SourceSpan;

use super::shape::{head_span, positional, type_name};
use super::{Checker, K, Problem};
use crate::manifest::MANIFEST_VERSION;

impl Checker {
    pub(super) fn version(&mut self, nodes: &[KdlNode]) -> Version {
        let Some(index) = nodes.iter().position(|n| n.name().value() == "mcpctl") else {
            let span = nodes
                .first()
                .map_or(SourceSpan::from((0, 0)), |n| n.name().span());
            self.push(
                Problem::new(
                    K::Version,
                    "the manifest does not say which version of the format it uses",
                    span,
                    "expected `mcpctl version=1` before this",
                )
                .help("add `mcpctl version=1` at the top"),
            );
            return Version::Missing;
        };
        let node = &nodes[index];
        if index != 0 {
            self.push(
                Problem::new(
                    K::Version,
                    "`mcpctl version=…` must come first",
                    head_span(node),
                    "move this to the top",
                )
                .also(nodes[0].name().span(), "the manifest starts here")
                .help("the version line tells readers and mcpctl which format the rest is written in; put `mcpctl version=1` at the top"),
            );
        }
        self.no_children(node);
        for entry in positional(node) {
            self.push(
                Problem::new(
                    K::Arguments,
                    "`mcpctl` takes the version as a property",
                    entry.span(),
                    "unexpected argument",
                )
                .help("write `mcpctl version=1`"),
            );
        }
        let props = self.properties(node, &["version", "required-version"]);
        if let Some(required) = props.get("required-version")
            && !self.required_version(required)
        {
            return Version::Unsupported;
        }
        let Some(entry) = props.get("version") else {
            self.push(
                Problem::new(
                    K::Version,
                    "`mcpctl` does not say which version of the format the manifest uses",
                    head_span(node),
                    "no `version`",
                )
                .help("add `mcpctl version=1` at the top"),
            );
            return Version::Missing;
        };
        match entry.value() {
            KdlValue::Integer(v) if *v == i128::from(MANIFEST_VERSION) => Version::Supported,
            KdlValue::Integer(v) => {
                self.push(
                    Problem::new(
                        K::Version,
                        format!("manifest version {v} is not supported"),
                        entry.span(),
                        "unsupported version",
                    )
                    .help(format!(
                        "this mcpctl understands version {MANIFEST_VERSION}; a newer mcpctl may read this manifest"
                    )),
                );
                Version::Unsupported
            }
            other => {
                self.push(
                    Problem::new(
                        K::Arguments,
                        format!(
                            "the version must be a whole number, not {}",
                            type_name(other)
                        ),
                        entry.span(),
                        "not a number",
                    )
                    .help("write `mcpctl version=1`, without quotes"),
                );
                Version::Missing
            }
        }
    }

    /// `required-version=">=0.2"`: the mcpctl versions this manifest is
    /// written for (a semver requirement, as in Cargo.toml). False when
    /// this build is not one of them: the rest may use what it lacks.
    pub(super) fn required_version(&mut self, entry: &KdlEntry) -> bool {
        let Some(text) = self.string(entry) else {
            return true;
        };
        let running = semver::Version::parse(env!("CARGO_PKG_VERSION")).expect("own version");
        match semver::VersionReq::parse(text) {
            Ok(required) if required.matches(&running) => true,
            Ok(required) => {
                self.push(
                    Problem::new(
                        K::Version,
                        format!("this manifest needs mcpctl {required}, and this is mcpctl {running}"),
                        entry.span(),
                        "required here",
                    )
                    .help(format!(
                        "upgrade mcpctl to a version matching `{required}` the way it was installed: your package manager, or `cargo install --locked --path .` in mcpctl's repository at a matching tag (`--git REPOSITORY --tag TAG` without a clone), then run the command again; nothing was done"
                    )),
                );
                false
            }
            Err(err) => {
                self.push(
                    Problem::new(
                        K::Arguments,
                        format!("`required-version` is not a version requirement: {err}"),
                        entry.span(),
                        "not a requirement",
                    )
                    .help(
                        "write a requirement as in Cargo.toml, e.g. `required-version=\">=0.2\"`",
                    ),
                );
                true
            }
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Version {
    Supported,
    Missing,
    Unsupported,
}
