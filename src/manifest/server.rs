//! A server of the manifest: how a client reaches it (a local command or a
//! remote URL), its environment, and the credentials it reads — in its
//! environment or in its requests' headers. Part of the model
//! ([`super::model`]); re-exported from [`crate::manifest`].

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::Serialize;

use super::model::{Classification, ClientId, Delivery};

/// An MCP server and what it needs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub struct Server {
    pub name: String,
    pub description: Option<String>,
    pub transport: Transport,
    /// Environment variables for the server, by name.
    pub env: BTreeMap<String, EnvValue>,
    /// Which clients get this server (resolved: all targeted clients when
    /// the manifest does not narrow it; empty when the manifest targets no
    /// client, which means every detected one).
    pub clients: Vec<ClientId>,
    /// `delivery` set on the server itself; `None`: the client node's, else
    /// the defaults' (see [`Manifest::delivery`]).
    pub delivery: Option<Delivery>,
    /// How sensitive the data it reaches is (`classification internal`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub classification: Option<Classification>,
    /// It sends what it is given to a service outside the organisation
    /// (`external #true`): a web search, a public API.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub external: bool,
}

/// The package a server's launcher fetches and runs (`npx -y PKG`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Package<'s> {
    /// Without its version: `@modelcontextprotocol/server-github`.
    pub name: &'s str,
    /// Whether a version is given (`pkg@1.2.3`, `pkg==1.2.3`).
    pub pinned: bool,
}

impl Server {
    /// The package this server runs through `npx`, `bunx`, `pnpm dlx` or
    /// `uvx`, if it does: unpinned, it runs whatever was published last.
    pub fn package(&self) -> Option<Package<'_>> {
        let Transport::Stdio { command, args } = &self.transport else {
            return None;
        };
        let program = std::path::Path::new(command)
            .file_stem()
            .and_then(|s| s.to_str())
            .unwrap_or(command);
        let rest: &[String] = match program {
            "npx" | "bunx" | "uvx" => args,
            "pnpm" if args.first().is_some_and(|a| a == "dlx") => &args[1..],
            _ => return None,
        };
        let spec = rest.iter().find(|a| !a.starts_with('-'))?;
        if let Some((name, _)) = spec.split_once("==") {
            return Some(Package { name, pinned: true });
        }
        Some(match spec[1..].find('@') {
            Some(at) => Package {
                name: &spec[..=at],
                pinned: true,
            },
            None => Package {
                name: spec,
                pinned: false,
            },
        })
    }

    /// Credentials this server reads through its environment, with the
    /// variable each one fills. What launching it needs; for "which
    /// credentials does it read" (revoke, rotate, the audit's declared
    /// reads, policies), [`Server::credential_uses`], which has the
    /// headers too.
    pub fn credential_bindings(&self) -> impl Iterator<Item = (&str, &str)> {
        self.env.iter().filter_map(|(var, value)| match value {
            EnvValue::Credential { credential } => Some((var.as_str(), credential.as_str())),
            EnvValue::Literal { .. } => None,
        })
    }

    /// Every credential this server reads, with where: its variables',
    /// then its headers'.
    pub fn credential_uses(&self) -> impl Iterator<Item = (Slot<'_>, &str)> {
        let headers = match &self.transport {
            Transport::Http {
                credential_headers, ..
            } => Some(
                credential_headers
                    .iter()
                    .map(|(name, h)| (Slot::Header(name.as_str()), h.credential.as_str())),
            ),
            Transport::Stdio { .. } => None,
        };
        self.credential_bindings()
            .map(|(var, credential)| (Slot::Env(var), credential))
            .chain(headers.into_iter().flatten())
    }

    /// The names of every credential this server reads (variables and
    /// headers).
    pub fn credentials_read(&self) -> impl Iterator<Item = &str> {
        self.credential_uses().map(|(_, credential)| credential)
    }
}

/// Where a server puts a credential it reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Slot<'a> {
    /// An environment variable of its process.
    Env(&'a str),
    /// A header of its requests (a remote server).
    Header(&'a str),
}

impl std::fmt::Display for Slot<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Slot::Env(var) => f.write_str(var),
            Slot::Header(name) => write!(f, "header {name}"),
        }
    }
}

/// How a client reaches a server.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(rename_all = "kebab-case", tag = "type")]
pub enum Transport {
    /// A local process speaking MCP over stdin/stdout.
    Stdio { command: String, args: Vec<String> },
    /// A remote server over streamable HTTP.
    Http {
        url: String,
        /// Literal, non-secret headers.
        headers: BTreeMap<String, String>,
        /// Headers filled from a credential: by reference (env-ref), or
        /// added by the `mcpctl exec` bridge (exec).
        #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
        credential_headers: BTreeMap<String, CredentialHeader>,
    },
}

/// A header whose value comes from a credential: `header Authorization
/// credential=TOKEN scheme=Bearer` sends `Authorization: Bearer <token>`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub struct CredentialHeader {
    pub credential: String,
    /// An authentication scheme written before the value (`Bearer`).
    pub scheme: Option<String>,
}

/// The value of one environment variable of a server.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(rename_all = "kebab-case", untagged)]
pub enum EnvValue {
    /// Filled from a credential at launch; never written anywhere.
    Credential { credential: String },
    /// A literal that is not secret (validated: secret-looking literals are
    /// rejected).
    Literal { value: String },
}
