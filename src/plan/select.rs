//! `--target`: narrowing a plan to some servers, credentials or clients.
//!
//! Like Terraform's `-target`, this is for the exceptional change ("roll
//! out only the new `sentry` server today"), not the daily loop. A
//! selector is `server:NAME`, `credential:NAME` or `client:ID`; several
//! selectors add up. A selected entry brings along the credentials its
//! server needs (apply asks for them first), since an entry that launches
//! a server without its credential would be broken. Shell-profile blocks
//! and the exports of `mcpctl env` are left out of a targeted plan: they
//! serve every env-ref client at once and belong to a full apply.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use super::{Desired, Plan};
use crate::manifest::{ClientId, Manifest, did_you_mean};

/// One `--target` value.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub enum Selector {
    Server(String),
    Credential(String),
    Client(ClientId),
}

impl FromStr for Selector {
    type Err = SelectorError;

    fn from_str(text: &str) -> Result<Selector, SelectorError> {
        let invalid = || SelectorError::Syntax {
            given: text.to_owned(),
        };
        let (kind, name) = text.split_once(':').ok_or_else(invalid)?;
        if name.is_empty() {
            return Err(invalid());
        }
        match kind {
            "server" => Ok(Selector::Server(name.to_owned())),
            "credential" => Ok(Selector::Credential(name.to_owned())),
            "client" => ClientId::from_name(name)
                .map(Selector::Client)
                .ok_or_else(|| SelectorError::UnknownClient {
                    given: name.to_owned(),
                    suggestion: did_you_mean(name, ClientId::ALL.iter().map(|c| c.as_str()))
                        .map(|s| format!(" (did you mean `client:{s}`?)"))
                        .unwrap_or_default(),
                }),
            _ => Err(invalid()),
        }
    }
}

impl fmt::Display for Selector {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Selector::Server(name) => write!(f, "server:{name}"),
            Selector::Credential(name) => write!(f, "credential:{name}"),
            Selector::Client(client) => write!(f, "client:{client}"),
        }
    }
}

impl TryFrom<String> for Selector {
    type Error = SelectorError;
    fn try_from(text: String) -> Result<Selector, SelectorError> {
        text.parse()
    }
}

impl From<Selector> for String {
    fn from(selector: Selector) -> String {
        selector.to_string()
    }
}

impl Selector {
    /// Checks that the server or credential is one the manifest declares.
    pub fn check(&self, manifest: &Manifest) -> Result<(), SelectorError> {
        let (kind, name, known): (&str, &str, Vec<&str>) = match self {
            Selector::Server(name) => (
                "server",
                name,
                manifest.servers.keys().map(String::as_str).collect(),
            ),
            Selector::Credential(name) => (
                "credential",
                name,
                manifest.credentials.keys().map(String::as_str).collect(),
            ),
            Selector::Client(_) => return Ok(()),
        };
        if known.contains(&name) {
            return Ok(());
        }
        Err(SelectorError::Unknown {
            kind: kind.to_owned(),
            name: name.to_owned(),
            suggestion: did_you_mean(name, known.iter().copied())
                .map(|s| format!(" (did you mean `{kind}:{s}`?)"))
                .unwrap_or_default(),
        })
    }
}

/// Keeps the changes `selectors` pick, and the credentials those entries
/// need. No selector: the whole plan.
pub fn select(mut plan: Plan, selectors: &[Selector], desired: &Desired) -> Plan {
    if selectors.is_empty() {
        return plan;
    }
    let selected = |client: ClientId, server: &str| {
        selectors.iter().any(|s| match s {
            Selector::Server(name) => name == server,
            Selector::Client(id) => *id == client,
            Selector::Credential(_) => false,
        })
    };
    for file in &mut plan.files {
        let client = file.client;
        file.entries.retain(|entry| selected(client, &entry.server));
    }
    plan.files.retain(|file| !file.entries.is_empty());
    let needed: Vec<&String> = plan
        .entries()
        .filter_map(|(_, entry)| desired.server_credentials.get(&entry.server))
        .flatten()
        .collect();
    let needed: Vec<String> = needed.into_iter().cloned().collect();
    plan.credentials.retain(|change| {
        needed.contains(&change.name)
            || selectors
                .iter()
                .any(|s| matches!(s, Selector::Credential(n) if *n == change.name))
    });
    plan.profiles.clear();
    plan.exports.clear();
    plan.audit = None;
    plan
}

#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum SelectorError {
    #[error(
        "`{given}` is not a target: write `server:NAME`, `credential:NAME` or `client:ID`, e.g. `server:github`"
    )]
    Syntax { given: String },

    #[error("`{given}` is not a client mcpctl knows{suggestion}")]
    #[diagnostic(help("`mcpctl clients` lists them"))]
    UnknownClient { given: String, suggestion: String },

    #[error("the manifest declares no {kind} `{name}`{suggestion}")]
    #[diagnostic(help("`mcpctl plan` without `--target` shows everything the manifest declares"))]
    Unknown {
        kind: String,
        name: String,
        suggestion: String,
    },
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn selectors_parse_and_print_back() {
        for text in ["server:github", "credential:GITHUB_TOKEN", "client:codex"] {
            assert_eq!(text.parse::<Selector>().unwrap().to_string(), text);
        }
        assert!(matches!(
            "github".parse::<Selector>(),
            Err(SelectorError::Syntax { .. })
        ));
        assert!(matches!(
            "server:".parse::<Selector>(),
            Err(SelectorError::Syntax { .. })
        ));
        let Err(SelectorError::UnknownClient { suggestion, .. }) =
            "client:codx".parse::<Selector>()
        else {
            panic!("codx is no client");
        };
        assert_eq!(suggestion, " (did you mean `client:codex`?)");
    }
}
