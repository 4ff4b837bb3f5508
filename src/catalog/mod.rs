//! The server catalog: the MCP servers of the credentials guide's table,
//! ready to add to a manifest (`mcpctl catalog`, `mcpctl add`).
//!
//! The catalog is data, `catalog/servers.kdl`, compiled in. It is written
//! as a manifest — `credential` and `server` nodes, no clients — so it is
//! parsed and validated by [`crate::manifest::parse`] like any other, and
//! an entry is exactly the text `mcpctl add` inserts: a `server` node and the
//! `credential` nodes it binds (in file order), each with the comment lines
//! just above it.
//! Keeping the entries as KDL text (rather than rendering the model back)
//! is what lets `add` write them with their comments and layout.

pub mod add;

use std::ops::Range;
use std::sync::OnceLock;

use kdl::KdlDocument;
use serde::Serialize;

use crate::manifest::{self, Credential, Manifest, Server, Transport};

/// The catalog's source.
const SOURCE: &str = include_str!("../../catalog/servers.kdl");
/// Its name in diagnostics.
const SOURCE_NAME: &str = "catalog/servers.kdl";

/// The parsed catalog.
pub struct Catalog {
    manifest: Manifest,
    /// Server names in file order.
    order: Vec<String>,
    /// `("server" | "credential", name)` → the byte range of the node in
    /// [`SOURCE`], with the comment lines above it and the rest of its
    /// last line.
    nodes: Vec<(&'static str, String, Range<usize>)>,
}

/// One entry: a server and the credentials it reads.
pub struct Entry<'a> {
    pub server: &'a Server,
    /// The credentials the server reads, in file order.
    pub credentials: Vec<&'a Credential>,
}

/// The compiled-in catalog. It is checked by the tests; a catalog that does
/// not parse is a build defect, hence the panic.
pub fn catalog() -> &'static Catalog {
    static CATALOG: OnceLock<Catalog> = OnceLock::new();
    CATALOG.get_or_init(|| Catalog::parse(SOURCE).expect("catalog/servers.kdl is valid"))
}

impl Catalog {
    fn parse(source: &'static str) -> Result<Catalog, manifest::ManifestError> {
        let manifest = manifest::parse(SOURCE_NAME, source)?;
        let doc = KdlDocument::parse_v2(source).expect("validated above");
        let mut order = Vec::new();
        let mut nodes = Vec::new();
        for node in doc.nodes() {
            let kind = match node.name().value() {
                "server" => "server",
                "credential" => "credential",
                _ => continue,
            };
            let Some(name) = node.entries().first().and_then(|e| e.value().as_string()) else {
                continue;
            };
            if kind == "server" {
                order.push(name.to_owned());
            }
            let span = node.span();
            let range = with_comments(source, span.offset()..span.offset() + span.len());
            nodes.push((kind, name.to_owned(), range));
        }
        Ok(Catalog {
            manifest,
            order,
            nodes,
        })
    }

    /// Every entry, in file order.
    pub fn entries(&self) -> impl Iterator<Item = Entry<'_>> {
        self.order.iter().filter_map(|name| self.get(name))
    }

    /// Every server name, in file order.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.order.iter().map(String::as_str)
    }

    pub fn get(&self, name: &str) -> Option<Entry<'_>> {
        let server = self.manifest.servers.get(name)?;
        let mut credentials: Vec<&Credential> = Vec::new();
        for credential in server.credentials_read() {
            if let Some(c) = self.manifest.credentials.get(credential)
                && !credentials.iter().any(|seen| seen.name == c.name)
            {
                credentials.push(c);
            }
        }
        let position = |name: &str| {
            self.nodes
                .iter()
                .position(|(k, n, _)| *k == "credential" && n == name)
        };
        credentials.sort_by_key(|c| position(&c.name));
        Some(Entry {
            server,
            credentials,
        })
    }

    /// The KDL text of a node, with the comment lines above it.
    pub fn text(&self, kind: &str, name: &str) -> Option<&'static str> {
        self.nodes
            .iter()
            .find(|(k, n, _)| *k == kind && n == name)
            .map(|(_, _, range)| &SOURCE[range.clone()])
    }

    /// The catalog's knowledge of a credential filling `var` in a server
    /// running `package` (see [`package`]): the credential of the entry
    /// whose package it is, else of the only entry that binds or names that
    /// variable (`GITHUB_PERSONAL_ACCESS_TOKEN` is GitHub's whatever the
    /// package). For `init --from-clients`.
    pub fn credential_for(&self, package: Option<&str>, var: &str) -> Option<&Credential> {
        let binds = |server: &Server| {
            server
                .credential_bindings()
                .find(|(v, c)| *v == var || *c == var)
                .map(|(_, c)| c.to_owned())
        };
        // The entry of this package: the credential bound to `var`, or its
        // only one (a hosted server's header has no variable).
        let by_package = package.and_then(|package| {
            let entry = self
                .entries()
                .find(|e| self::package(&e.server.transport).name == package)?;
            binds(entry.server).or_else(|| match entry.credentials.as_slice() {
                [only] => Some(only.name.clone()),
                _ => None,
            })
        });
        let name = by_package.or_else(|| {
            let mut found = self.entries().filter_map(|e| binds(e.server));
            let first = found.next()?;
            found.all(|other| other == first).then_some(first)
        })?;
        self.manifest.credentials.get(&name)
    }
}

/// Widens a node's range to whole lines: the `//` comment lines directly
/// above it, and whatever follows it on its last line (a trailing comment).
fn with_comments(source: &str, node: Range<usize>) -> Range<usize> {
    let line_start = |at: usize| source[..at].rfind('\n').map_or(0, |i| i + 1);
    let mut start = line_start(node.start);
    while start > 0 {
        let above = line_start(start - 1);
        if !source[above..start].trim_start().starts_with("//") {
            break;
        }
        start = above;
    }
    let end = source[node.end..]
        .find('\n')
        .map_or(source.len(), |i| node.end + i);
    start..end
}

/// Where a server comes from: a package of a registry, a container image,
/// or a hosted URL.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Package {
    /// `npm`, `pypi`, `docker`, `hosted`, or `command` (anything else).
    pub registry: &'static str,
    /// The package without its version (`@sentry/mcp-server`), the image
    /// without its tag, the URL, or the program.
    pub name: String,
}

/// The package a server runs. Also used to recognize a catalog server in
/// a client's entry, so versions and tags are dropped.
pub fn package(transport: &Transport) -> Package {
    match transport {
        Transport::Http { url, .. } => Package {
            registry: "hosted",
            name: url.clone(),
        },
        Transport::Stdio { command, args } => command_package(command, args),
    }
}

/// [`package`] for a command line.
pub fn command_package(command: &str, args: &[String]) -> Package {
    let program = std::path::Path::new(command)
        .file_stem()
        .and_then(|s| s.to_str())
        .unwrap_or(command);
    let first_operand = |skip_words: &[&str], with_value: &[&str]| {
        let mut it = args.iter();
        while let Some(arg) = it.next() {
            if skip_words.contains(&arg.as_str()) {
                continue;
            }
            if arg.starts_with('-') {
                if with_value.contains(&arg.as_str()) {
                    it.next();
                }
                continue;
            }
            return Some(arg.clone());
        }
        None
    };
    let (registry, name) = match program {
        "npx" | "bunx" | "pnpx" => (
            "npm",
            first_operand(&["dlx"], &["-p", "--package"]).map(|p| strip_npm_version(&p)),
        ),
        "uvx" | "pipx" => (
            "pypi",
            first_operand(&["run"], &["--from", "--python", "--with"]).map(|p| {
                p.split(['@', '=', '<', '>', '['])
                    .next()
                    .unwrap_or_default()
                    .to_owned()
            }),
        ),
        "docker" | "podman" => (
            "docker",
            first_operand(
                &["run"],
                &[
                    "-e",
                    "--env",
                    "-v",
                    "--volume",
                    "--name",
                    "--network",
                    "-p",
                    "--publish",
                    "-u",
                    "--user",
                    "-w",
                    "--workdir",
                    "--env-file",
                    "--mount",
                    "--platform",
                ],
            )
            .map(|image| strip_image_tag(&image)),
        ),
        _ => ("command", None),
    };
    match name {
        Some(name) => Package { registry, name },
        None => Package {
            registry: "command",
            name: command.to_owned(),
        },
    }
}

/// `@scope/name@1.2` → `@scope/name`; `name@latest` → `name`.
fn strip_npm_version(spec: &str) -> String {
    let at = if let Some(rest) = spec.strip_prefix('@') {
        rest.find('@').map(|i| i + 1)
    } else {
        spec.find('@')
    };
    at.map_or(spec, |i| &spec[..i]).to_owned()
}

/// `ghcr.io/org/image:1.0` → `ghcr.io/org/image` (a registry's port stays).
fn strip_image_tag(image: &str) -> String {
    let image = image.split('@').next().unwrap_or(image);
    match image.rfind(':') {
        Some(i) if !image[i..].contains('/') => image[..i].to_owned(),
        _ => image.to_owned(),
    }
}

#[cfg(test)]
mod tests;
